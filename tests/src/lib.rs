//! Test harness for the `sbx` binary.
//!
//! The tests themselves live in `tests/tests/*.rs`; this library holds what they share:
//!
//! - [`program`]: the static C programs from `tests/programs/`, compiled by `build.rs` with gcc
//!   (glibc) and musl-gcc (musl);
//! - [`Case`]: one program run both natively (the oracle) and under `sbx run --platform kvm`,
//!   with the same argv, environment, working directory and mounts, compared byte for byte;
//! - environment checks: [`require_kvm`] (a loud SKIP without `/dev/kvm`, a failure when
//!   `CI=true`), [`sbx_bin`] (the binary under test, next to the test executable);
//! - [`elf`]: hand-made ELF headers for the bad-input tests.

mod case;
pub mod elf;
mod environment;

pub use case::{Case, Status, Transcript};
pub use environment::{
    busybox, in_ci, kvm_usable, prepare, prepare_program, program, ready, require_kvm, sbx_bin,
    skip, Libc, DEFAULT_ENV, GUEST_PATH,
};
