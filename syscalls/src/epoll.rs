//! The event-descriptor family: epoll instances (epoll_create, epoll_create1, epoll_ctl,
//! epoll_wait, epoll_pwait, epoll_pwait2) and eventfd counters (eventfd, eventfd2).

use std::sync::Arc;

use sbx_kernel::event::epoll::{Epoll, EPOLL_CLOEXEC, EPOLL_CTL_DEL};
use sbx_kernel::event::eventfd::{new_eventfd, EFD_CLOEXEC};
use sbx_kernel::event::{epoll_can_watch, needs_repoll, POLLIN};
use sbx_kernel::fd::OpenFile;
use sbx_kernel::mm::TASK_SIZE;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::file::install_fd;
use crate::poll::{restore_sigmask, set_temp_sigmask, wait_ready, Timeout, SIGMASK};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const WAIT: &str = "a wait interrupted by a signal without a handler restarts (Linux returns \
                        EINTR, seen only after SIGSTOP/SIGCONT); EPOLLEXCLUSIVE wakes every \
                        instance";
    b.add("epoll_create", sys_epoll_create, Support::Full);
    b.add("epoll_create1", sys_epoll_create1, Support::Full);
    b.add(
        "epoll_ctl",
        sys_epoll_ctl,
        Support::Partial(
            "host FIFOs and /dev/random are refused with EPERM; interests in host stdio are \
             polled every 10 ms and are level-triggered even with EPOLLET",
        ),
    );
    b.add("epoll_wait", sys_epoll_wait, Support::Partial(WAIT));
    b.add("epoll_pwait", sys_epoll_pwait, Support::Partial(SIGMASK));
    b.add("epoll_pwait2", sys_epoll_pwait2, Support::Partial(SIGMASK));
    b.add("eventfd", sys_eventfd, Support::Full);
    b.add("eventfd2", sys_eventfd2, Support::Full);
}

/// `struct epoll_event` is packed on x86-64: 4 bytes of events, 8 of data.
const EVENT_SIZE: u64 = 12;
/// Linux's `EP_MAX_EVENTS`: `INT_MAX / sizeof(struct epoll_event)`.
const MAX_EVENTS: i32 = i32::MAX / EVENT_SIZE as i32;

fn sys_epoll_create(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // The size hint is unused since Linux 2.6.8 but must be positive.
    if a.i32(0) <= 0 {
        return Err(Errno::EINVAL);
    }
    install_fd(task, Epoll::new_file(), false)
}

fn sys_epoll_create1(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(0);
    if flags & !EPOLL_CLOEXEC != 0 {
        return Err(Errno::EINVAL);
    }
    install_fd(task, Epoll::new_file(), flags & EPOLL_CLOEXEC != 0)
}

/// An open, non-`O_PATH` description (`EBADF` otherwise).
fn event_file(task: &Task, fd: i32) -> KResult<Arc<OpenFile>> {
    let f = task.files().get(fd)?;
    if f.is_path() {
        return Err(Errno::EBADF);
    }
    Ok(f)
}

fn sys_epoll_ctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (epfd, op, fd, event) = (a.i32(0), a.i32(1), a.i32(2), a.u(3));
    // Every op but DEL reads the event first, as Linux does (so a bad op can be EFAULT).
    let (events, data) = if op != EPOLL_CTL_DEL {
        let raw: [u8; 12] = task.mm().read_val(event)?;
        let events = u32::from_ne_bytes([raw[0], raw[1], raw[2], raw[3]]);
        let mut d = [0u8; 8];
        d.copy_from_slice(&raw[4..]);
        (events, u64::from_ne_bytes(d))
    } else {
        (0, 0)
    };
    let ep_file = event_file(task, epfd)?;
    let file = event_file(task, fd)?;
    if !epoll_can_watch(&file) {
        return Err(Errno::EPERM);
    }
    if Arc::ptr_eq(&ep_file, &file) {
        return Err(Errno::EINVAL);
    }
    let ep = Epoll::of(&ep_file).ok_or(Errno::EINVAL)?;
    ep.ctl(op, fd, &file, events, data)?;
    Ok(0)
}

fn sys_epoll_wait(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let timeout = Timeout::from_millis(a.i32(3));
    do_epoll_wait(task, a.i32(0), a.u(1), a.i32(2), &timeout)
}

fn sys_epoll_pwait(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let timeout = Timeout::from_millis(a.i32(3));
    let saved = set_temp_sigmask(task, a.u(4), a.u(5))?;
    let ret = do_epoll_wait(task, a.i32(0), a.u(1), a.i32(2), &timeout);
    restore_sigmask(task, saved, ret)
}

fn sys_epoll_pwait2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // Unlike ppoll, the timeout is not written back.
    let timeout = Timeout::from_timespec(task, a.u(3))?;
    let saved = set_temp_sigmask(task, a.u(4), a.u(5))?;
    let ret = do_epoll_wait(task, a.i32(0), a.u(1), a.i32(2), &timeout);
    restore_sigmask(task, saved, ret)
}

fn do_epoll_wait(
    task: &mut Task,
    epfd: i32,
    events: u64,
    maxevents: i32,
    timeout: &Timeout,
) -> KResult<u64> {
    if maxevents <= 0 || maxevents > MAX_EVENTS {
        return Err(Errno::EINVAL);
    }
    let max = maxevents as u64;
    match events.checked_add(max * EVENT_SIZE) {
        Some(end) if end <= TASK_SIZE => {}
        _ => return Err(Errno::EFAULT),
    }
    let file = event_file(task, epfd)?;
    let ep = Epoll::of(&file).ok_or(Errno::EINVAL)?;
    let collect = |t: &mut Task| {
        let mut mm = t.mm();
        ep.collect(max as usize, &mut |i, revents, data| {
            let mut raw = [0u8; 12];
            raw[..4].copy_from_slice(&revents.to_ne_bytes());
            raw[4..].copy_from_slice(&data.to_ne_bytes());
            mm.copy_out(events + i as u64 * EVENT_SIZE, &raw).is_ok()
        })
    };
    if timeout.is_zero() {
        // A zero timeout only looks, even with a signal pending (Linux's ep_poll).
        return match collect(task) {
            Ok(n) => Ok(n as u64),
            Err(Errno::EAGAIN) => Ok(0),
            Err(e) => Err(e),
        };
    }
    let repoll = needs_repoll(&file);
    let n = wait_ready(task, &[(ep.queue(), POLLIN)], timeout, repoll, collect)?;
    Ok(n.unwrap_or(0) as u64)
}

fn sys_eventfd(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    install_fd(task, new_eventfd(a.u32(0), 0)?, false)
}

fn sys_eventfd2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(1);
    let file = new_eventfd(a.u32(0), flags)?;
    install_fd(task, file, flags & EFD_CLOEXEC != 0)
}
