//! sbx's kernel: tasks and processes, the memory manager, the VFS, descriptor tables, signals,
//! and the contract execution engines implement. It knows nothing of KVM, of x86 decoding or of
//! the command line; the syscall table is injected by `sbx-syscalls`.

mod block;
pub mod cputime;
pub mod current;
pub mod engine;
pub mod errno;
pub mod event;
pub mod exit;
pub mod fd;
pub mod futex;
pub mod ipc;
pub mod mm;
pub mod pipe;
pub mod process;
pub mod sched;
pub mod sigframe;
pub mod signal;
pub mod socket;
pub mod spawn;
pub mod syscall;
pub mod task;
pub mod timer;
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
    /// The sandbox's processes and threads (its pid namespace).
    pub procs: process::ProcTable,
    /// Threads sleeping on futexes.
    pub futexes: futex::FutexTable,
    /// Host threads running guest threads, joined when the sandbox ends.
    pub host_threads: spawn::HostThreads,
    /// Signal-raising timers (`alarm`, `setitimer`, `timer_create`).
    pub timers: Arc<timer::TimerService>,
    /// System V IPC objects (the sandbox's IPC namespace).
    pub ipc: ipc::IpcNamespace,
    /// The terminal's foreground process group (`tcsetpgrp`): where Ctrl-C's SIGINT goes.
    pub tty: tty::Terminal,
}
