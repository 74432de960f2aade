//! `kcmp`: whether two threads share a kernel resource (address space, descriptor table,
//! filesystem context, signal handlers, an open file). Equal resources compare 0; others
//! are ordered by an obfuscated identity (1 or 2), as Linux orders them by a keyed
//! scrambling of their addresses, so nothing about sbx's memory layout leaks.

use std::hash::BuildHasher;
use std::sync::{Arc, OnceLock};

use sbx_kernel::process::{Process, Thread};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "kcmp",
        sys_kcmp,
        Support::Partial(
            "KCMP_SIGHAND, KCMP_IO and KCMP_SYSVSEM compare processes (sbx keeps those per \
             process); KCMP_EPOLL_TFD is EOPNOTSUPP",
        ),
    );
}

const KCMP_FILE: u32 = 0;
const KCMP_VM: u32 = 1;
const KCMP_FILES: u32 = 2;
const KCMP_FS: u32 = 3;
const KCMP_SIGHAND: u32 = 4;
const KCMP_IO: u32 = 5;
const KCMP_SYSVSEM: u32 = 6;
const KCMP_EPOLL_TFD: u32 = 7;

/// Linux's `kcmp_ptr`: 0 for the same object, else 1 or 2 by the keyed scrambling of the two
/// identities (the key is random per host process, like Linux's boot-time cookies).
fn order(a: usize, b: usize, kind: u32) -> u64 {
    static KEY: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    let key = KEY.get_or_init(Default::default);
    let (x, y) = (key.hash_one((a, kind)), key.hash_one((b, kind)));
    u64::from(x < y) | (u64::from(x > y) << 1)
}

/// The address of what `Option<Arc<T>>` holds (0 for none, as a missing resource is in
/// Linux).
fn addr<T: ?Sized>(v: &Option<Arc<T>>) -> usize {
    v.as_ref()
        .map_or(0, |a| Arc::as_ptr(a) as *const u8 as usize)
}

/// Thread `pid` (any thread id), if it exists.
fn find(task: &Task, pid: i32) -> KResult<(Arc<Thread>, Arc<Process>)> {
    task.kernel.procs.thread(pid).ok_or(Errno::ESRCH)
}

/// The open file at `fd` of `thread` (`EBADF` when there is none).
fn file_of(thread: &Thread, fd: u64) -> KResult<usize> {
    let fd = i32::try_from(fd).map_err(|_| Errno::EBADF)?;
    let table = thread.files().ok_or(Errno::EBADF)?;
    let file = table.lock().unwrap_or_else(|e| e.into_inner()).get(fd)?;
    Ok(Arc::as_ptr(&file) as usize)
}

fn sys_kcmp(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid1, pid2, kind, idx1, idx2) = (a.i32(0), a.i32(1), a.u32(2), a.u(3), a.u(4));
    let (t1, p1) = find(task, pid1)?;
    let (t2, p2) = find(task, pid2)?;
    if !crate::util::may_read_process(task, &p1) || !crate::util::may_read_process(task, &p2) {
        return Err(Errno::EPERM);
    }
    let (x, y) = match kind {
        KCMP_FILE => (file_of(&t1, idx1)?, file_of(&t2, idx2)?),
        KCMP_VM => (addr(&t1.mm()), addr(&t2.mm())),
        KCMP_FILES => (addr(&t1.files()), addr(&t2.files())),
        KCMP_FS => (addr(&t1.fs()), addr(&t2.fs())),
        KCMP_SIGHAND | KCMP_IO | KCMP_SYSVSEM => {
            (Arc::as_ptr(&p1) as usize, Arc::as_ptr(&p2) as usize)
        }
        KCMP_EPOLL_TFD => return Err(Errno::EOPNOTSUPP),
        _ => return Err(Errno::EINVAL),
    };
    Ok(order(x, y, kind))
}
