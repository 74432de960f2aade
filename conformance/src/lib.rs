//! The syscall conformance suite: self-checking C cases run natively and under each engine.
//!
//! Each case in `conformance/cases/<family>/<name>.c` is built statically against glibc and musl,
//! run natively (the oracle), then under every requested engine through the `sbx` executable;
//! stdout bytes and exit status must match. The pipeline, one module per step:
//!
//! - [`case`]: discovery and `// syscalls:` header parsing;
//! - [`compile`]: cached, parallel-safe static builds;
//! - [`exec`]: running one process with a timeout in its own process group;
//! - [`engine`]: the engines and how a program is run natively or under one;
//! - [`judge`]: verdicts, diffs and one-line reasons;
//! - [`suite`]: the parallel runner with its progress bar;
//! - [`stats`]: per-engine, per-family and per-syscall aggregates;
//! - [`report`]: terminal, JSON, Markdown and HTML renderings;
//! - [`baseline`]: the list of cases that must keep passing;
//! - [`ltp`]: the same machinery over an installed Linux Test Project;
//! - [`cli`]: `sbx conformance`, which ties them together.

pub mod baseline;
pub mod case;
pub mod cli;
pub mod compile;
pub mod engine;
pub mod error;
pub mod exec;
pub mod judge;
pub mod ltp;
pub mod notes;
pub mod report;
pub mod stats;
pub mod suite;
pub mod support;

pub use cli::{main, ConformanceArgs};
pub use error::Error;

/// True when running in CI (`CI=true`): an engine that cannot run is a failure there, not a skip.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}
