//! sbx's host side: the engines, sandbox construction and the embedding API.
//!
//! ```no_run
//! let status = sbx_host::Sandbox::builder().env("GREETING", "hi").run("/bin/echo", &["hello".into()]);
//! ```

#[cfg(target_os = "linux")]
pub mod kvm;
pub mod sandbox;

pub use sandbox::{Mount, Platform, RunningSandbox, Sandbox, SandboxBuilder, SandboxError};
