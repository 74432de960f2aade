//! The Linux x86-64 syscall table for sbx: every number named, each with its support level,
//! and one module per syscall family (as gVisor's `sys_*.go`). The host hands the built table
//! to the kernel, so no layer below depends on this crate.

use sbx_kernel::syscall::{Handler, Support, SyscallEntry, SyscallTable};

pub mod compat;
pub mod epoll;
pub mod exec;
pub mod file;
pub mod fs;
pub mod futex;
pub mod futex2;
pub mod identity;
pub mod inotify;
pub mod ioprio;
pub mod kcmp;
pub mod memfd;
pub mod misc;
pub mod mm;
pub mod names;
pub mod net;
pub mod pgrp;
pub mod pidfd;
pub mod pipe;
pub mod poll;
pub mod priority;
pub mod process;
pub mod process_vm;
pub mod sched;
pub mod sched_target;
pub mod signal;
pub mod signalfd;
pub mod sockopt;
pub mod splice;
pub mod sysv;
pub mod sysv_msg;
pub mod sysv_sem;
pub mod sysv_shm;
pub mod time;
pub mod timer;
pub mod timerfd;
pub mod unshare;
pub mod util;

/// Collects family registrations into a [`SyscallTable`].
pub struct TableBuilder {
    table: SyscallTable,
}

impl TableBuilder {
    /// Installs `handler` for the syscall called `name` (which must be in [`names::SYSCALLS`]).
    pub fn add(&mut self, name: &'static str, handler: Handler, support: Support) {
        let Some(&(nr, _, _)) = names::SYSCALLS.iter().find(|(_, n, _)| *n == name) else {
            panic!("syscall table: unknown syscall name {name}");
        };
        self.table.set(SyscallEntry {
            nr,
            name,
            handler: Some(handler),
            support,
        });
    }
}

/// Builds the full table: every x86-64 syscall, implemented or `ENOSYS` with its note.
pub fn build_table() -> SyscallTable {
    let mut b = TableBuilder {
        table: SyscallTable::default(),
    };
    for &(nr, name, note) in names::SYSCALLS {
        b.table.set(SyscallEntry {
            nr,
            name,
            handler: None,
            support: Support::Unimplemented(note),
        });
    }
    file::register(&mut b);
    splice::register(&mut b);
    fs::register(&mut b);
    inotify::register(&mut b);
    mm::register(&mut b);
    memfd::register(&mut b);
    process::register(&mut b);
    unshare::register(&mut b);
    timer::register(&mut b);
    futex::register(&mut b);
    futex2::register(&mut b);
    kcmp::register(&mut b);
    process_vm::register(&mut b);
    pidfd::register(&mut b);
    pgrp::register(&mut b);
    exec::register(&mut b);
    signal::register(&mut b);
    signalfd::register(&mut b);
    time::register(&mut b);
    timerfd::register(&mut b);
    identity::register(&mut b);
    misc::register(&mut b);
    sched::register(&mut b);
    priority::register(&mut b);
    ioprio::register(&mut b);
    pipe::register(&mut b);
    poll::register(&mut b);
    epoll::register(&mut b);
    net::register(&mut b);
    sysv_shm::register(&mut b);
    sysv_sem::register(&mut b);
    sysv_msg::register(&mut b);
    b.table
}
