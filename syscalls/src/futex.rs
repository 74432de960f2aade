//! The futex family: `futex` (wait/wake, requeue, wake-op, bitsets) and its robust lists
//! (registered in the process family).

use std::time::{Duration, Instant};

use sbx_kernel::futex::{self, FutexAddr};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "futex",
        sys_futex,
        Support::Partial(
            "LOCK_PI, TRYLOCK_PI, UNLOCK_PI and LOCK_PI2 keep the ownership protocol without \
             priority inheritance; WAIT_REQUEUE_PI and CMP_REQUEUE_PI are ENOSYS",
        ),
    );
}

const FUTEX_WAIT: u32 = 0;
const FUTEX_WAKE: u32 = 1;
const FUTEX_REQUEUE: u32 = 3;
const FUTEX_CMP_REQUEUE: u32 = 4;
const FUTEX_WAKE_OP: u32 = 5;
const FUTEX_LOCK_PI: u32 = 6;
const FUTEX_UNLOCK_PI: u32 = 7;
const FUTEX_TRYLOCK_PI: u32 = 8;
const FUTEX_WAIT_BITSET: u32 = 9;
const FUTEX_WAKE_BITSET: u32 = 10;
const FUTEX_LOCK_PI2: u32 = 13;
const FUTEX_PRIVATE_FLAG: u32 = 128;
const FUTEX_CLOCK_REALTIME: u32 = 256;

/// Reads a `struct timespec` (`EINVAL` when malformed).
fn read_timespec(task: &Task, addr: u64) -> KResult<Duration> {
    let ts: [i64; 2] = task.mm().read_val(addr)?;
    if ts[0] < 0 || !(0..1_000_000_000).contains(&ts[1]) {
        return Err(Errno::EINVAL);
    }
    Ok(Duration::new(ts[0] as u64, ts[1] as u32))
}

/// The deadline of a futex wait: relative for FUTEX_WAIT, absolute on the chosen clock for
/// FUTEX_WAIT_BITSET.
pub(crate) fn deadline(
    task: &Task,
    addr: u64,
    absolute: bool,
    realtime: bool,
) -> KResult<Option<Instant>> {
    if addr == 0 {
        return Ok(None);
    }
    let t = read_timespec(task, addr)?;
    let now = Instant::now();
    let far = || now + Duration::from_secs(100 * 365 * 86400);
    if !absolute {
        return Ok(Some(now.checked_add(t).unwrap_or_else(far)));
    }
    let clock_now = if realtime {
        crate::time::realtime_now()
    } else {
        crate::time::monotonic_now(&task.kernel)
    };
    Ok(Some(
        now.checked_add(t.saturating_sub(clock_now))
            .unwrap_or_else(far),
    ))
}

fn sys_futex(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (uaddr, op, val, uaddr2, val3) = (a.u(0), a.u32(1), a.u32(2), a.u(4), a.u32(5));
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    let private = op & FUTEX_PRIVATE_FLAG != 0;
    let realtime = op & FUTEX_CLOCK_REALTIME != 0;
    if realtime && !matches!(cmd, FUTEX_WAIT_BITSET | FUTEX_WAIT | FUTEX_LOCK_PI2) {
        return Err(Errno::ENOSYS);
    }
    // The fourth argument is a timeout for waits and a count for requeues.
    let val2 = a.u(3) as u32;
    let (addr, addr2) = (
        FutexAddr::new(uaddr, private),
        FutexAddr::new(uaddr2, private),
    );
    let r = match cmd {
        FUTEX_WAIT => {
            let d = deadline(task, a.u(3), realtime, realtime)?;
            return wait_restartable(task, addr, val, u32::MAX, d);
        }
        FUTEX_WAIT_BITSET => {
            let d = deadline(task, a.u(3), true, realtime)?;
            return wait_restartable(task, addr, val, val3, d);
        }
        FUTEX_WAKE => futex::wake(task, addr, futex::wake_count(val), u32::MAX),
        FUTEX_WAKE_BITSET => futex::wake(task, addr, futex::wake_count(val), val3),
        FUTEX_REQUEUE => futex::requeue(task, addr, addr2, val, val2, None),
        FUTEX_CMP_REQUEUE => futex::requeue(task, addr, addr2, val, val2, Some(val3)),
        FUTEX_WAKE_OP => futex::wake_op(task, uaddr, val, uaddr2, val2, val3, private),
        // FUTEX_LOCK_PI's timeout is absolute on CLOCK_REALTIME; FUTEX_LOCK_PI2's on
        // CLOCK_MONOTONIC unless FUTEX_CLOCK_REALTIME.
        FUTEX_LOCK_PI => {
            let d = deadline(task, a.u(3), true, true)?;
            futex::lock_pi(task, uaddr, false, d, private)
        }
        FUTEX_LOCK_PI2 => {
            let d = deadline(task, a.u(3), true, realtime)?;
            futex::lock_pi(task, uaddr, false, d, private)
        }
        FUTEX_TRYLOCK_PI => futex::lock_pi(task, uaddr, true, None, private),
        FUTEX_UNLOCK_PI => futex::unlock_pi(task, uaddr, private),
        _ => Err(Errno::ENOSYS),
    };
    match r {
        Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        other => other,
    }
}

/// A futex wait as Linux restarts it after a signal: an untimed one like any blocking call
/// (again under `SA_RESTART`, else `EINTR`); a timed one with `EINTR` once a handler runs,
/// and otherwise on towards the same deadline through `restart_syscall`.
fn wait_restartable(
    task: &mut Task,
    addr: FutexAddr,
    val: u32,
    bitset: u32,
    deadline: Option<Instant>,
) -> KResult<u64> {
    match futex::wait(task, &[(addr, val)], bitset, deadline) {
        Ok(_) => Ok(0),
        Err(Errno::ERESTARTSYS) if deadline.is_some() => {
            task.restart_block = Some(Box::new(move |task: &mut Task| {
                wait_restartable(task, addr, val, bitset, deadline)
            }));
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
        Err(e) => Err(e),
    }
}
