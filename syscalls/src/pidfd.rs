//! The pidfd family: `pidfd_open`, `pidfd_send_signal` and `pidfd_getfd`, plus the lookup
//! `waitid(P_PIDFD)` and `clone(CLONE_PIDFD)` share. A pidfd holds its process, not its
//! number (see [`sbx_kernel::event::pidfd`]).

use std::sync::Arc;

use sbx_kernel::event::pidfd::{new_pidfd, PidFd, PIDFD_NONBLOCK, PIDFD_THREAD};
use sbx_kernel::fd::OpenFile;
use sbx_kernel::process::Process;
use sbx_kernel::signal::{self, SigInfo};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "pidfd_open",
        sys_pidfd_open,
        Support::Partial("the pidfd ioctls (PIDFD_GET_INFO, namespaces) are ENOTTY"),
    );
    b.add("pidfd_send_signal", sys_pidfd_send_signal, Support::Full);
    b.add("pidfd_getfd", sys_pidfd_getfd, Support::Full);
}

/// `PIDFD_SIGNAL_THREAD`: signal the pidfd's thread only.
const PIDFD_SIGNAL_THREAD: u32 = 1;
/// `PIDFD_SIGNAL_THREAD_GROUP`: signal its whole process.
const PIDFD_SIGNAL_THREAD_GROUP: u32 = 2;
/// `PIDFD_SIGNAL_PROCESS_GROUP`: signal the process group it leads.
const PIDFD_SIGNAL_PROCESS_GROUP: u32 = 4;
/// `PIDFD_SELF_THREAD`: a pidfd-like name for the calling thread.
const PIDFD_SELF_THREAD: i32 = -10000;
/// `PIDFD_SELF_THREAD_GROUP`: a pidfd-like name for the calling process.
const PIDFD_SELF_THREAD_GROUP: i32 = -10001;

/// The pidfd open as `fd` (`EBADF` if `fd` is not open or not a pidfd, as Linux's
/// `pidfd_pid`).
pub(crate) fn pidfd_file(task: &Task, fd: i32) -> KResult<Arc<OpenFile>> {
    let file = task.files().get(fd)?;
    if PidFd::of(&file).is_none() {
        return Err(Errno::EBADF);
    }
    Ok(file)
}

/// Installs a new close-on-exec pidfd for `process` (`tid` set for a thread pidfd) in the
/// caller's table.
pub(crate) fn install_pidfd(
    task: &Task,
    process: &Arc<Process>,
    tid: Option<i32>,
    nonblock: bool,
) -> KResult<i32> {
    let thread = tid.map(|tid| {
        let st = process.state();
        st.threads.iter().find(|t| t.tid() == tid).cloned()
    });
    let mut flags = if nonblock { PIDFD_NONBLOCK } else { 0 };
    if tid.is_some() {
        flags |= PIDFD_THREAD;
    }
    let file = new_pidfd(process.clone(), thread, tid.unwrap_or(process.pid), flags);
    crate::file::install_fd(task, file, true).map(|fd| fd as i32)
}

fn sys_pidfd_open(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, flags) = (a.i32(0), a.u32(1));
    if flags & !(PIDFD_NONBLOCK | PIDFD_THREAD) != 0 || pid <= 0 {
        return Err(Errno::EINVAL);
    }
    let procs = &task.kernel.procs;
    // A pid that names nothing is ESRCH; one that names a thread but no process (without
    // PIDFD_THREAD) is EINVAL. An exited leader whose process lives on is still found.
    let process = match (procs.process(pid), procs.thread(pid)) {
        (Some(p), _) => p,
        (None, Some((_, p))) if flags & PIDFD_THREAD != 0 => p,
        (None, Some(_)) => return Err(Errno::EINVAL),
        (None, None) => return Err(Errno::ESRCH),
    };
    let tid = (flags & PIDFD_THREAD != 0).then_some(pid);
    let fd = install_pidfd(task, &process, tid, flags & PIDFD_NONBLOCK != 0)?;
    Ok(fd as u64)
}

/// Whom a `pidfd_send_signal` reaches (Linux's pid types).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Thread,
    Process,
    Group,
}

fn sys_pidfd_send_signal(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pidfd, sig, uinfo, flags) = (a.i32(0), a.i32(1), a.u(2), a.u32(3));
    let all = PIDFD_SIGNAL_THREAD | PIDFD_SIGNAL_THREAD_GROUP | PIDFD_SIGNAL_PROCESS_GROUP;
    if flags & !all != 0 || flags.count_ones() > 1 {
        return Err(Errno::EINVAL);
    }
    // The target: (process, tid of the thread it names, scope the pidfd implies).
    let (process, tid, mut scope) = match pidfd {
        PIDFD_SELF_THREAD => (task.process.clone(), task.tid, Scope::Thread),
        PIDFD_SELF_THREAD_GROUP => (task.process.clone(), task.process.pid, Scope::Process),
        fd => {
            let file = task.files().get(fd)?;
            match PidFd::of(&file) {
                Some(p) => {
                    let scope = if p.is_thread() {
                        Scope::Thread
                    } else {
                        Scope::Process
                    };
                    (p.process().clone(), p.id(), scope)
                }
                // A /proc/<pid> directory names its process too (Linux's
                // `tgid_pidfd_to_pid`); a process that has gone is ESRCH.
                None => {
                    let node = file.location().ok_or(Errno::EBADF)?.node();
                    let pid = sbx_kernel::vfs::process_dir_pid(&**node).ok_or(Errno::EBADF)?;
                    let p = task.kernel.procs.process(pid).ok_or(Errno::ESRCH)?;
                    (p, pid, Scope::Process)
                }
            }
        }
    };
    match flags {
        PIDFD_SIGNAL_THREAD => scope = Scope::Thread,
        PIDFD_SIGNAL_THREAD_GROUP => scope = Scope::Process,
        PIDFD_SIGNAL_PROCESS_GROUP => scope = Scope::Group,
        _ => {}
    }
    let info = if uinfo != 0 {
        let info: SigInfo = task.mm().read_val(uinfo)?;
        if info.signo != sig {
            return Err(Errno::EINVAL);
        }
        // Only a thread signalling itself (or its own process) may pose as the kernel or
        // kill.
        let to_self = tid == task.tid && scope != Scope::Group;
        if !to_self && (info.code >= 0 || info.code == signal::SI_TKILL) {
            return Err(Errno::EPERM);
        }
        info
    } else {
        let code = if scope == Scope::Thread {
            signal::SI_TKILL
        } else {
            signal::SI_USER
        };
        crate::signal::sender_info(task, None, code)
    };
    if process.state().reaped {
        return Err(Errno::ESRCH);
    }
    match scope {
        Scope::Thread => crate::signal::signal_thread(task, Some(process.pid), tid, sig, info),
        Scope::Process => crate::signal::signal_processes(task, vec![process], sig, info),
        Scope::Group => {
            let group = crate::signal::in_group(task, process.pid);
            crate::signal::signal_processes(task, group, sig, info)
        }
    }
}

fn sys_pidfd_getfd(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pidfd, target_fd, flags) = (a.i32(0), a.i32(1), a.u32(2));
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let file = pidfd_file(task, pidfd)?;
    let p = PidFd::of(&file).ok_or(Errno::EBADF)?;
    let process = p.process().clone();
    if process.state().reaped {
        return Err(Errno::ESRCH);
    }
    if !crate::util::may_read_process(task, &process) {
        return Err(Errno::EPERM);
    }
    // An exited thread has no descriptor table left to take from.
    let table = p
        .live_thread()
        .and_then(|t| t.files())
        .ok_or(Errno::EBADF)?;
    // Taken and released before the caller's own table is locked: they may be one table.
    let taken = table
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(target_fd)?;
    crate::file::install_fd(task, taken, true)
}
