//! The futex2 family: `futex_wait`, `futex_wake`, `futex_waitv` (several futexes at once) and
//! `futex_requeue`. Each futex carries its own flags (size, NUMA, private) instead of
//! `futex`'s multiplexed operation word; waits take an absolute timeout on a named clock. They
//! share their queues with `futex`, so either call wakes the other's sleepers.

use std::time::Instant;

use sbx_kernel::futex::{self, FutexAddr};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("futex_waitv", sys_futex_waitv, Support::Full);
    b.add("futex_wake", sys_futex_wake, Support::Full);
    b.add("futex_wait", sys_futex_wait, Support::Full);
    b.add("futex_requeue", sys_futex_requeue, Support::Full);
}

const FUTEX2_SIZE_MASK: u32 = 0x03;
const FUTEX2_SIZE_U32: u32 = 0x02;
const FUTEX2_NUMA: u32 = 0x04;
/// Place the futex on the node of the address's memory policy. The sandbox has no memory
/// policies (`mbind` is unimplemented), so, as Linux with no policy there, it names no node.
const FUTEX2_MPOL: u32 = 0x08;
const FUTEX2_PRIVATE: u32 = 128;
const FUTEX2_VALID_MASK: u32 = FUTEX2_SIZE_MASK | FUTEX2_NUMA | FUTEX2_MPOL | FUTEX2_PRIVATE;
const FUTEX_WAITV_MAX: u32 = 128;
const CLOCK_REALTIME: i32 = 0;
const CLOCK_MONOTONIC: i32 = 1;
/// `sizeof(struct futex_waitv)`: `{u64 val; u64 uaddr; u32 flags; u32 __reserved}`.
const WAITV_SIZE: u64 = 24;

/// The futex at `uaddr` with futex2 `flags`: unknown bits and any size but 32 bits are
/// `EINVAL` (Linux defines 8, 16 and 64-bit futexes but implements only 32).
fn futex_at(uaddr: u64, flags: u32) -> KResult<FutexAddr> {
    if flags & !FUTEX2_VALID_MASK != 0 || flags & FUTEX2_SIZE_MASK != FUTEX2_SIZE_U32 {
        return Err(Errno::EINVAL);
    }
    Ok(FutexAddr {
        uaddr,
        private: flags & FUTEX2_PRIVATE != 0,
        numa: flags & FUTEX2_NUMA != 0,
    })
}

/// A value or mask for a 32-bit futex (`EINVAL` when it does not fit).
fn fit32(v: u64) -> KResult<u32> {
    u32::try_from(v).map_err(|_| Errno::EINVAL)
}

/// The deadline of a futex2 wait: `timeout` (0 for none) is absolute on `clockid`, which
/// must be `CLOCK_REALTIME` or `CLOCK_MONOTONIC` (`EINVAL`; not looked at without a timeout).
fn deadline(task: &Task, timeout: u64, clockid: i32) -> KResult<Option<Instant>> {
    if timeout == 0 {
        return Ok(None);
    }
    let realtime = match clockid {
        CLOCK_REALTIME => true,
        CLOCK_MONOTONIC => false,
        _ => return Err(Errno::EINVAL),
    };
    crate::futex::deadline(task, timeout, true, realtime)
}

/// One element of a `struct futex_waitv` array.
struct Waitv {
    futex: FutexAddr,
    val: u32,
    /// As given, for `futex_requeue`'s check that both futexes are alike.
    flags: u32,
}

/// Reads and checks `n` `struct futex_waitv` at `addr`, in order: each is copied (`EFAULT`),
/// then its flags, reserved word and value are checked (`EINVAL`).
fn read_waitv(task: &Task, addr: u64, n: u32) -> KResult<Vec<Waitv>> {
    (0..u64::from(n))
        .map(|i| {
            let at = i
                .checked_mul(WAITV_SIZE)
                .and_then(|off| addr.checked_add(off))
                .ok_or(Errno::EFAULT)?;
            let [val, uaddr, flags_reserved]: [u64; 3] = task.mm().read_val(at)?;
            let (flags, reserved) = (flags_reserved as u32, (flags_reserved >> 32) as u32);
            if reserved != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(Waitv {
                futex: futex_at(uaddr, flags)?,
                val: fit32(val)?,
                flags,
            })
        })
        .collect()
}

/// `futex_waitv(waiters, nr_futexes, flags, timeout, clockid)`: sleeps on all the futexes
/// until one is woken and returns its index. A signal ends it with `ERESTARTSYS` (restarted
/// under `SA_RESTART`, the absolute deadline unchanged), as Linux does.
fn sys_futex_waitv(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (waiters, nr, flags) = (a.u(0), a.u32(1), a.u32(2));
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    if nr == 0 || nr > FUTEX_WAITV_MAX || waiters == 0 {
        return Err(Errno::EINVAL);
    }
    let d = deadline(task, a.u(3), a.i32(4))?;
    let words: Vec<(FutexAddr, u32)> = read_waitv(task, waiters, nr)?
        .into_iter()
        .map(|w| (w.futex, w.val))
        .collect();
    futex::wait(task, &words, u32::MAX, d).map(|i| i as u64)
}

/// `futex_wake(uaddr, mask, nr, flags)`: `FUTEX_WAKE_BITSET`, except that a count of 0 wakes
/// no one (a negative one still wakes one).
fn sys_futex_wake(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let addr = futex_at(a.u(0), a.u32(3))?;
    let mask = fit32(a.u(1))?;
    let n = match a.i32(2) {
        0 => 0,
        nr => futex::wake_count(nr as u32),
    };
    futex::wake(task, addr, n, mask)
}

/// `futex_wait(uaddr, val, mask, flags, timeout, clockid)`: `FUTEX_WAIT_BITSET` with the
/// clock named. Unlike a timed `futex` wait, a signal gives `ERESTARTSYS`, so `SA_RESTART`
/// restarts it.
fn sys_futex_wait(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let addr = futex_at(a.u(0), a.u32(3))?;
    let val = fit32(a.u(1))?;
    let mask = fit32(a.u(2))?;
    let d = deadline(task, a.u(4), a.i32(5))?;
    futex::wait(task, &[(addr, val)], mask, d).map(|_| 0)
}

/// `futex_requeue(waiters[2], flags, nr_wake, nr_requeue)`: `FUTEX_CMP_REQUEUE` from
/// `waiters[0]` (whose `val` is the compared value) to `waiters[1]`, which must have the same
/// flags.
fn sys_futex_requeue(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (waiters, flags) = (a.u(0), a.u32(1));
    if flags != 0 || waiters == 0 {
        return Err(Errno::EINVAL);
    }
    let w = read_waitv(task, waiters, 2)?;
    let [from, to] = &w[..] else {
        return Err(Errno::EINVAL);
    };
    if from.flags != to.flags {
        return Err(Errno::EINVAL);
    }
    let (nr_wake, nr_requeue) = (a.u32(2), a.u32(3));
    futex::requeue(
        task,
        from.futex,
        to.futex,
        nr_wake,
        nr_requeue,
        Some(from.val),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_32_bit_futexes_with_known_flags_are_accepted() {
        for size in [0, 1, 3] {
            assert_eq!(futex_at(0x1000, size), Err(Errno::EINVAL));
        }
        assert_eq!(futex_at(0x1000, FUTEX2_SIZE_U32 | 0x10), Err(Errno::EINVAL));
        assert_eq!(futex_at(0x1000, FUTEX2_SIZE_U32 | 256), Err(Errno::EINVAL));
        let f = futex_at(
            0x1000,
            FUTEX2_SIZE_U32 | FUTEX2_PRIVATE | FUTEX2_NUMA | FUTEX2_MPOL,
        );
        assert_eq!(
            f,
            Ok(FutexAddr {
                uaddr: 0x1000,
                private: true,
                numa: true
            })
        );
        assert_eq!(
            futex_at(0x1000, FUTEX2_SIZE_U32),
            Ok(FutexAddr::new(0x1000, false))
        );
    }

    #[test]
    fn values_must_fit_32_bits() {
        assert_eq!(fit32(u64::from(u32::MAX)), Ok(u32::MAX));
        assert_eq!(fit32(1 << 32), Err(Errno::EINVAL));
    }
}
