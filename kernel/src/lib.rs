//! sbx's kernel: tasks and processes, the memory manager, the VFS, descriptor tables, signals,
//! and the contract execution engines implement. It knows nothing of KVM, of x86 decoding or of
//! the command line; the syscall table is injected by `sbx-syscalls`.

mod block;
pub mod engine;
pub mod errno;
pub mod fd;
pub mod mm;
pub mod pipe;
pub mod signal;
pub mod socket;
pub mod syscall;
pub mod task;
pub mod tty;
pub mod vfs;
pub mod wait;

use std::sync::Arc;
use std::time::Instant;

pub use errno::{Errno, KResult};

/// Sandbox-wide state every task shares.
pub struct Kernel {
    /// The machine guest code runs on.
    pub machine: Arc<dyn engine::Machine>,
    /// The mount table.
    pub vfs: Arc<vfs::Vfs>,
    /// The syscall table.
    pub table: Arc<syscall::SyscallTable>,
    /// Print one line per syscall on stderr.
    pub strace: bool,
    /// When the sandbox booted (for `CLOCK_BOOTTIME`, `/proc/uptime`).
    pub boot: Instant,
    /// The hostname `uname` reports.
    pub hostname: Vec<u8>,
}
