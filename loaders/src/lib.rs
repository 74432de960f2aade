//! ELF loading for sbx: turn an x86-64 Linux executable into mapped guest memory and an
//! initial stack, the way Linux's `execve` does.
//!
//! Three steps, each usable alone:
//!
//! 1. [`parse`] validates the file (magic, class, machine, program headers, segments,
//!    `PT_INTERP`) with Linux's rules and describes it as an [`ElfImage`].
//! 2. [`load`] maps the segments through an [`ImageSink`] at a load bias picked by
//!    [`choose_base`], and reports where things landed as a [`LoadedImage`].
//! 3. [`build_initial_stack`] writes argc, argv, envp and the auxiliary vector below the
//!    stack top, returning the initial `rsp`.
//!
//! This crate knows nothing of the kernel's memory manager: the kernel implements
//! [`ImageSink`] (three calls: map zeroed, write, protect). [`MemorySink`] is a bounded
//! in-memory implementation for tests and fuzzing.
//!
//! ```
//! use sbx_loaders::{parse, LoadError};
//!
//! // Not an ELF file: refused before anything is mapped, as ENOEXEC.
//! let err: LoadError = parse(b"#!/bin/sh\n").unwrap_err();
//! assert!(err.is_format_error());
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod elf;
mod error;
mod load;
mod mem;
mod stack;

#[cfg(test)]
mod tests;

pub use elf::{parse, ElfImage, ElfKind, PhdrTable, Segment};
pub use error::LoadError;
pub use load::{choose_base, load, ImageSink, LoadedImage, INTERP_BASE, INTERP_CEILING, PIE_BASE};
pub use mem::{MemoryError, MemorySink};
pub use stack::{
    arg_limit, auxv, build_initial_stack, layout_initial_stack, StackArgs, StackLayout,
    MAX_ARG_STRLEN,
};

/// Page size of x86-64 Linux user space.
pub const PAGE_SIZE: u64 = 4096;

/// One past the highest user address on x86-64 with 4-level paging (Linux's `TASK_SIZE_MAX`:
/// 2^47 minus one guard page).
pub const USER_ADDR_LIMIT: u64 = 0x7fff_ffff_f000;

/// Linux `PROT_READ`.
pub const PROT_READ: u32 = 1;
/// Linux `PROT_WRITE`.
pub const PROT_WRITE: u32 = 2;
/// Linux `PROT_EXEC`.
pub const PROT_EXEC: u32 = 4;

/// Rounds down to a page boundary.
pub(crate) fn page_down(addr: u64) -> u64 {
    addr & !(PAGE_SIZE - 1)
}

/// Rounds up to a page boundary; `None` if that overflows.
pub(crate) fn page_up(addr: u64) -> Option<u64> {
    addr.checked_add(PAGE_SIZE - 1).map(page_down)
}
