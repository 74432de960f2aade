//! The readiness family: poll, ppoll, select and pselect6, plus the waiting, timeout and
//! temporary-signal-mask helpers the epoll family shares.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sbx_kernel::event::{
    needs_repoll, readiness, POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDBAND,
    POLLRDNORM, POLLWRBAND, POLLWRNORM,
};
use sbx_kernel::fd::OpenFile;
use sbx_kernel::signal::Signal;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::wait::WaitQueue;
use sbx_kernel::{Errno, KResult};

use crate::util::{Timespec, Timeval, NSEC_PER_SEC, USEC_PER_SEC};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const RESTART: &str = "a wait interrupted by a signal without a handler restarts with the \
                           full timeout (Linux restarts with what was left)";
    b.add("poll", sys_poll, Support::Partial(RESTART));
    b.add("ppoll", sys_ppoll, Support::Partial(SIGMASK));
    b.add("select", sys_select, Support::Full);
    b.add("pselect6", sys_pselect6, Support::Partial(SIGMASK));
}

/// The note for calls with a temporary signal mask, until the signal code can keep it.
pub(crate) const SIGMASK: &str = "the temporary signal mask is restored before returning, so a \
     signal it unblocked and the old mask blocks is left pending (the call returns EINTR)";

/// How often files without a wait queue (host stdio) are polled again while waiting.
const REPOLL_INTERVAL: Duration = Duration::from_millis(10);

/// A relative timeout, measured from the start of the call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Timeout {
    start: Instant,
    /// `None` waits forever.
    amount: Option<Duration>,
}

impl Timeout {
    /// No timeout.
    pub(crate) fn infinite() -> Timeout {
        Timeout {
            start: Instant::now(),
            amount: None,
        }
    }

    /// Times out `d` from now (zero: do not wait at all).
    pub(crate) fn after(d: Duration) -> Timeout {
        Timeout {
            start: Instant::now(),
            amount: Some(d),
        }
    }

    /// `poll`/`epoll_wait`'s milliseconds: negative waits forever.
    pub(crate) fn from_millis(ms: i32) -> Timeout {
        match u64::try_from(ms) {
            Ok(ms) => Timeout::after(Duration::from_millis(ms)),
            Err(_) => Timeout::infinite(),
        }
    }

    /// A timeout given as a `struct timespec` at `addr` (NULL: none); `EFAULT`, and `EINVAL`
    /// for an invalid one.
    pub(crate) fn from_timespec(task: &Task, addr: u64) -> KResult<Timeout> {
        if addr == 0 {
            return Ok(Timeout::infinite());
        }
        let ts: Timespec = task.mm().read_val(addr)?;
        Ok(Timeout::after(ts.to_duration()?))
    }

    /// Whether it is zero (a non-blocking check).
    pub(crate) fn is_zero(&self) -> bool {
        self.amount == Some(Duration::ZERO)
    }

    fn deadline(&self) -> Option<Instant> {
        self.amount.and_then(|d| self.start.checked_add(d))
    }

    /// Time left, zero once expired.
    fn remaining(&self) -> Duration {
        self.amount
            .map_or(Duration::ZERO, |d| d.saturating_sub(self.start.elapsed()))
    }
}

/// Sleeps on `queues` until `op` stops returning `EAGAIN`: `Ok(None)` at the timeout,
/// `ERESTARTNOHAND` when a signal arrives (these calls are never restarted after a handler).
/// With `repoll`, some watched file has no queue, so `op` runs again every few milliseconds.
pub(crate) fn wait_ready<T>(
    task: &mut Task,
    queues: &[(&WaitQueue, u32)],
    timeout: &Timeout,
    repoll: bool,
    mut op: impl FnMut(&mut Task) -> KResult<T>,
) -> KResult<Option<T>> {
    let deadline = timeout.deadline();
    loop {
        let slice = if repoll {
            let next = Instant::now() + REPOLL_INTERVAL;
            Some(deadline.map_or(next, |d| d.min(next)))
        } else {
            deadline
        };
        match task.block_on(queues, slice, &mut op) {
            Ok(v) => return Ok(Some(v)),
            Err(Errno::ETIMEDOUT) => {
                if !repoll || deadline.is_some_and(|d| Instant::now() >= d) {
                    return Ok(None);
                }
            }
            Err(Errno::ERESTARTSYS) => return Err(Errno::ERESTARTNOHAND),
            Err(e) => return Err(e),
        }
    }
}

/// Installs the temporary signal mask of `ppoll`/`pselect6`/`epoll_pwait` (a `sigset_t` at
/// `addr`, NULL for none): `EINVAL` unless `size` is 8, `EFAULT`. Returns the mask to put back
/// with [`restore_sigmask`].
pub(crate) fn set_temp_sigmask(task: &mut Task, addr: u64, size: u64) -> KResult<Option<u64>> {
    if addr == 0 {
        return Ok(None);
    }
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let set: u64 = task.mm().read_val(addr)?;
    let saved = task.sigmask();
    task.set_sigmask(set & !Signal::UNBLOCKABLE);
    Ok(Some(saved))
}

/// Ends a call that ran under a temporary signal mask.
///
/// Linux keeps the temporary mask when the call was interrupted (`ERESTARTNOHAND`) until the
/// signal has been delivered, then restores the saved one (`current->saved_sigmask` with
/// `TIF_RESTORE_SIGMASK`), so a signal that only the temporary mask unblocked still runs its
/// handler: an interrupted call leaves `saved` in `Task::saved_sigmask`, which the handler
/// frame records (and the delivery code restores when no handler runs).
pub(crate) fn restore_sigmask(
    task: &mut Task,
    saved: Option<u64>,
    ret: KResult<u64>,
) -> KResult<u64> {
    let Some(saved) = saved else {
        return ret;
    };
    if ret == Err(Errno::ERESTARTNOHAND) {
        task.saved_sigmask = Some(saved);
    } else {
        task.set_sigmask(saved);
    }
    ret
}

/// Which struct a call's timeout is written back as.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeKind {
    Timeval,
    Timespec,
}

/// Linux's `poll_select_finish`: writes the time left back to the caller's timeout (only for a
/// non-zero one). If it cannot be written the result stands, but an interrupted call can no
/// longer be restarted (its timeout is stale), so it becomes `EINTR`.
fn write_remaining(
    task: &Task,
    addr: u64,
    kind: TimeKind,
    timeout: &Timeout,
    ret: KResult<u64>,
) -> KResult<u64> {
    if addr == 0 || timeout.amount.is_none() || timeout.is_zero() {
        return ret;
    }
    let left = timeout.remaining();
    let written = match kind {
        TimeKind::Timeval => task.mm().write_val(addr, &Timeval::from_duration(left)),
        TimeKind::Timespec => task.mm().write_val(addr, &Timespec::from_duration(left)),
    };
    match (written, ret) {
        (Err(_), Err(Errno::ERESTARTNOHAND)) => Err(Errno::EINTR),
        (_, ret) => ret,
    }
}

/// The descriptor behind `fd` for readiness calls: `None` if closed or `O_PATH` (Linux's
/// `fdget` refuses those here).
fn poll_file(task: &Task, fd: i32) -> Option<Arc<OpenFile>> {
    task.files().get(fd).ok().filter(|f| !f.is_path())
}

/// `struct pollfd`.
#[derive(Clone, Copy, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

fn sys_poll(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let timeout = Timeout::from_millis(a.i32(2));
    do_poll(task, a.u(0), a.u32(1), &timeout)
}

fn sys_ppoll(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let tsp = a.u(2);
    let timeout = Timeout::from_timespec(task, tsp)?;
    let saved = set_temp_sigmask(task, a.u(3), a.u(4))?;
    let ret = do_poll(task, a.u(0), a.u32(1), &timeout);
    let ret = write_remaining(task, tsp, TimeKind::Timespec, &timeout, ret);
    restore_sigmask(task, saved, ret)
}

/// `poll` over `nfds` entries at `ufds`.
fn do_poll(task: &mut Task, ufds: u64, nfds: u32, timeout: &Timeout) -> KResult<u64> {
    // RLIMIT_NOFILE's soft value.
    if u64::from(nfds) > task.process.state().rlimits[7].0 {
        return Err(Errno::EINVAL);
    }
    let mut fds = vec![PollFd::default(); nfds as usize];
    if nfds > 0 {
        task.mm()
            .copy_in(ufds, bytemuck::cast_slice_mut(&mut fds))?;
    }
    let files: Vec<Option<Arc<OpenFile>>> = fds
        .iter()
        .map(|p| {
            if p.fd < 0 {
                None
            } else {
                poll_file(task, p.fd)
            }
        })
        .collect();
    let queues: Vec<(&WaitQueue, u32)> = files
        .iter()
        .flatten()
        .filter_map(|f| f.ops().wait_queue())
        .map(|q| (q, !0))
        .collect();
    let repoll = files.iter().flatten().any(|f| needs_repoll(f));
    let scan = |fds: &mut [PollFd]| -> KResult<u64> {
        let mut count = 0;
        for (p, file) in fds.iter_mut().zip(&files) {
            let revents = match file {
                _ if p.fd < 0 => 0,
                None => POLLNVAL,
                Some(f) => readiness(f) & (u32::from(p.events as u16) | POLLERR | POLLHUP),
            };
            p.revents = revents as u16 as i16;
            count += u64::from(revents != 0);
        }
        if count == 0 {
            Err(Errno::EAGAIN)
        } else {
            Ok(count)
        }
    };
    let ready = wait_ready(task, &queues, timeout, repoll, |_| scan(&mut fds));
    let ret = match ready {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Ok(0),
        Err(e) => Err(e),
    };
    // Linux writes every revents back, also when the wait timed out or was interrupted.
    if nfds > 0 {
        if ret.is_err() {
            for p in fds.iter_mut() {
                p.revents = 0;
            }
        }
        task.mm().copy_out(ufds, bytemuck::cast_slice(&fds))?;
    }
    ret
}

/// Events that make a descriptor "readable" for select.
const SELECT_IN: u32 = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
/// Events that make a descriptor "writable" for select.
const SELECT_OUT: u32 = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
/// Events that make a descriptor "exceptional" for select.
const SELECT_EX: u32 = POLLPRI;

fn sys_select(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let tvp = a.u(4);
    let timeout = if tvp == 0 {
        Timeout::infinite()
    } else {
        let tv: Timeval = task.mm().read_val(tvp)?;
        // Linux folds whole seconds of microseconds in before validating.
        let ts = Timespec {
            tv_sec: tv.tv_sec.wrapping_add(tv.tv_usec / USEC_PER_SEC),
            tv_nsec: (tv.tv_usec % USEC_PER_SEC) * (NSEC_PER_SEC / USEC_PER_SEC),
        };
        Timeout::after(ts.to_duration()?)
    };
    let ret = do_select(task, a.i32(0), [a.u(1), a.u(2), a.u(3)], &timeout);
    write_remaining(task, tvp, TimeKind::Timeval, &timeout, ret)
}

fn sys_pselect6(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let tsp = a.u(4);
    let timeout = Timeout::from_timespec(task, tsp)?;
    // The sixth argument points at { const sigset_t *ss; size_t ss_len; }.
    let (ss, ss_len) = match a.u(5) {
        0 => (0, 0),
        p => {
            let v: [u64; 2] = task.mm().read_val(p)?;
            (v[0], v[1])
        }
    };
    let saved = set_temp_sigmask(task, ss, ss_len)?;
    let ret = do_select(task, a.i32(0), [a.u(1), a.u(2), a.u(3)], &timeout);
    let ret = write_remaining(task, tsp, TimeKind::Timespec, &timeout, ret);
    restore_sigmask(task, saved, ret)
}

/// The size of Linux's descriptor table: `select` ignores descriptors at or above it. It starts
/// with 64 slots and grows to the next power of two that holds the highest open descriptor.
fn select_max_fds(task: &Task) -> usize {
    let highest = task.files().fds().last().copied().unwrap_or(0).max(0) as usize;
    if highest < 64 {
        64
    } else {
        (highest + 1).next_power_of_two()
    }
}

/// `select` over the first `n` bits of the read, write and exception sets at `sets`.
fn do_select(task: &mut Task, n: i32, sets: [u64; 3], timeout: &Timeout) -> KResult<u64> {
    let n = usize::try_from(n).map_err(|_| Errno::EINVAL)?;
    let n = n.min(select_max_fds(task));
    let words = n.div_ceil(64);
    let mut input = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    for (set, &addr) in input.iter_mut().zip(&sets) {
        if addr != 0 && words > 0 {
            task.mm().copy_in(addr, bytemuck::cast_slice_mut(set))?;
        }
    }
    let bit = |set: &[u64], fd: usize| set[fd / 64] >> (fd % 64) & 1 != 0;
    // Every descriptor named in any set must be open.
    let mut watched: Vec<(usize, Arc<OpenFile>)> = Vec::new();
    for fd in 0..n {
        if input.iter().any(|s| bit(s, fd)) {
            let file = poll_file(task, fd as i32).ok_or(Errno::EBADF)?;
            watched.push((fd, file));
        }
    }
    let queues: Vec<(&WaitQueue, u32)> = watched
        .iter()
        .filter_map(|(_, f)| f.ops().wait_queue())
        .map(|q| (q, !0))
        .collect();
    let repoll = watched.iter().any(|(_, f)| needs_repoll(f));
    let mut output = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    let scan = |output: &mut [Vec<u64>; 3]| -> KResult<u64> {
        let mut count = 0;
        for (fd, file) in &watched {
            let mask = readiness(file);
            for (i, want) in [SELECT_IN, SELECT_OUT, SELECT_EX].into_iter().enumerate() {
                if bit(&input[i], *fd) && mask & want != 0 {
                    output[i][fd / 64] |= 1 << (fd % 64);
                    count += 1;
                }
            }
        }
        if count == 0 {
            Err(Errno::EAGAIN)
        } else {
            Ok(count)
        }
    };
    let count = wait_ready(task, &queues, timeout, repoll, |_| scan(&mut output))?.unwrap_or(0);
    for (set, &addr) in output.iter().zip(&sets) {
        if addr != 0 && words > 0 {
            task.mm().copy_out(addr, bytemuck::cast_slice(set))?;
        }
    }
    Ok(count)
}
