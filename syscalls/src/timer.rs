//! Signal-raising timers: alarm, getitimer/setitimer, and the POSIX timer_* calls.

use std::sync::Arc;
use std::time::Duration;

use sbx_kernel::signal::{self, SigInfo, Signal};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::timer::{TimerClock, TimerTarget};
use sbx_kernel::{Errno, KResult};

use crate::time::Clock;
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("alarm", sys_alarm, Support::Full);
    b.add("getitimer", sys_getitimer, Support::Full);
    b.add("setitimer", sys_setitimer, Support::Full);
    b.add("timer_create", sys_timer_create, Support::Full);
    b.add("timer_settime", sys_timer_settime, Support::Full);
    b.add("timer_gettime", sys_timer_gettime, Support::Full);
    b.add("timer_getoverrun", sys_timer_getoverrun, Support::Full);
    b.add("timer_delete", sys_timer_delete, Support::Full);
}

const ITIMER_SIGNALS: [Signal; 3] = [Signal::SIGALRM, Signal(26), Signal(27)];

/// The process's interval timer `which` (created on first use).
fn itimer(task: &Task, which: usize) -> u64 {
    let mut st = task.process.state();
    if st.itimers[which] == 0 {
        let info = SigInfo::new(ITIMER_SIGNALS[which], signal::SI_KERNEL);
        let target = TimerTarget {
            process: Arc::downgrade(&task.process),
            thread: None,
            info: Some(info),
        };
        // ITIMER_REAL counts elapsed time, ITIMER_VIRTUAL user CPU time, ITIMER_PROF all CPU
        // time of the process.
        let clock = match which {
            0 => TimerClock::Wall,
            _ => TimerClock::Cpu {
                process: Arc::downgrade(&task.process),
                thread: None,
                user_only: which == 1,
            },
        };
        st.itimers[which] = task.kernel.timers.create_on(target, clock);
    }
    st.itimers[which]
}

fn timeval(d: Duration) -> [i64; 2] {
    [d.as_secs() as i64, d.subsec_micros() as i64]
}

fn read_timeval(v: [i64; 2]) -> KResult<Duration> {
    if v[0] < 0 || !(0..1_000_000).contains(&v[1]) {
        return Err(Errno::EINVAL);
    }
    Ok(Duration::new(v[0] as u64, v[1] as u32 * 1000))
}

fn sys_alarm(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = itimer(task, 0);
    let secs = Duration::from_secs(a.u32(0) as u64);
    let (left, _) = task
        .kernel
        .timers
        .arm(&task.kernel, id, secs, Duration::ZERO)
        .unwrap_or_default();
    // Rounded to the nearest second, and never 0 for a pending alarm.
    let mut r = left.as_secs() + u64::from(left.subsec_micros() >= 500_000);
    if r == 0 && !left.is_zero() {
        r = 1;
    }
    Ok(r)
}

fn which_arg(which: i32) -> KResult<usize> {
    match which {
        0..=2 => Ok(which as usize),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_getitimer(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let which = which_arg(a.i32(0))?;
    let id = itimer(task, which);
    let (left, interval) = task.kernel.timers.get(id).unwrap_or_default();
    let v = [timeval(interval), timeval(left)];
    task.mm().write_val(a.u(1), &v)?;
    Ok(0)
}

fn sys_setitimer(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let which = which_arg(a.i32(0))?;
    let (new, old) = (a.u(1), a.u(2));
    let id = itimer(task, which);
    let (interval, value) = if new != 0 {
        let v: [[i64; 2]; 2] = task.mm().read_val(new)?;
        (read_timeval(v[0])?, read_timeval(v[1])?)
    } else {
        (Duration::ZERO, Duration::ZERO)
    };
    let prev = task
        .kernel
        .timers
        .arm(&task.kernel, id, value, interval)
        .unwrap_or_default();
    if old != 0 {
        task.mm()
            .write_val(old, &[timeval(prev.1), timeval(prev.0)])?;
    }
    Ok(0)
}

const SIGEV_SIGNAL: i32 = 0;
const SIGEV_NONE: i32 = 1;
const SIGEV_THREAD: i32 = 2;
const SIGEV_THREAD_ID: i32 = 4;

fn sys_timer_create(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (clock_id, sevp, out) = (a.i32(0), a.u(1), a.u(2));
    let clock = timer_clock(task, clock_id)?;
    let (notify, signo, value, tid) = if sevp != 0 {
        // struct sigevent: sigev_value (8), sigev_signo (4), sigev_notify (4), tid (4).
        let raw: [u32; 6] = task.mm().read_val(sevp)?;
        let value = raw[0] as u64 | ((raw[1] as u64) << 32);
        (raw[3] as i32, raw[2] as i32, value, raw[4] as i32)
    } else {
        (SIGEV_SIGNAL, Signal::SIGALRM.0, 0, 0)
    };
    let posix_id = {
        let st = task.process.state();
        (0..)
            .find(|i| !st.posix_timers.contains_key(i))
            .unwrap_or(0)
    };
    let sig = match notify {
        SIGEV_NONE => None,
        SIGEV_SIGNAL | SIGEV_THREAD_ID | SIGEV_THREAD => {
            Some(Signal::new(signo).ok_or(Errno::EINVAL)?)
        }
        _ => return Err(Errno::EINVAL),
    };
    let thread = if notify == SIGEV_THREAD_ID {
        let (t, p) = task.kernel.procs.thread(tid).ok_or(Errno::EINVAL)?;
        if !Arc::ptr_eq(&p, &task.process) {
            return Err(Errno::EINVAL);
        }
        Some(Arc::downgrade(&t))
    } else {
        None
    };
    let info = sig.map(|s| {
        let mut i = SigInfo::new(s, signal::SI_TIMER);
        // si_tid, si_overrun, si_value.
        i.fields[0] = posix_id as u32 as u64;
        i.fields[1] = value;
        i
    });
    let target = TimerTarget {
        process: Arc::downgrade(&task.process),
        thread,
        info,
    };
    let id = task.kernel.timers.create_on(target, clock);
    if let Err(e) = task.mm().write_val(out, &posix_id) {
        task.kernel.timers.delete(id);
        return Err(e);
    }
    task.process
        .state()
        .posix_timers
        .insert(posix_id, (id, clock_id));
    Ok(0)
}

/// What a timer on `clock_id` counts: elapsed time, or the CPU time of a process or thread
/// (which must exist: `EINVAL` otherwise, as Linux).
fn timer_clock(task: &Task, clock_id: i32) -> KResult<TimerClock> {
    let clock = Clock::from_id(clock_id)?;
    let (pid, thread, which) = match clock {
        Clock::ProcessCpu => (0, false, 2),
        Clock::ThreadCpu => (0, true, 2),
        Clock::Cpu(c) => (c.pid, c.thread, c.which),
        // Alarm clocks need an RTC, and dynamic clocks a device: neither exists here.
        Clock::RealtimeAlarm | Clock::BoottimeAlarm => return Err(Errno::EOPNOTSUPP),
        Clock::Fd => return Err(Errno::EINVAL),
        _ => return Ok(TimerClock::Wall),
    };
    if which == 3 || clock.cpu_times(task).is_none() {
        return Err(Errno::EINVAL);
    }
    let (process, thread) = if thread {
        let t = if pid == 0 || pid == task.tid {
            task.thread.clone()
        } else {
            task.kernel.procs.thread(pid).ok_or(Errno::EINVAL)?.0
        };
        (task.process.clone(), Some(Arc::downgrade(&t)))
    } else if pid == 0 || pid == task.process.pid {
        (task.process.clone(), None)
    } else {
        (task.kernel.procs.process(pid).ok_or(Errno::EINVAL)?, None)
    };
    Ok(TimerClock::Cpu {
        process: Arc::downgrade(&process),
        thread,
        user_only: which == 1,
    })
}

/// The timer-service id and clock of POSIX timer `id`.
fn posix_timer(task: &Task, id: i32) -> KResult<(u64, i32)> {
    task.process
        .state()
        .posix_timers
        .get(&id)
        .copied()
        .ok_or(Errno::EINVAL)
}

fn timespec(d: Duration) -> [i64; 2] {
    [d.as_secs() as i64, d.subsec_nanos() as i64]
}

fn read_timespec(v: [i64; 2]) -> KResult<Duration> {
    if v[0] < 0 || !(0..1_000_000_000).contains(&v[1]) {
        return Err(Errno::EINVAL);
    }
    Ok(Duration::new(v[0] as u64, v[1] as u32))
}

fn sys_timer_settime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const TIMER_ABSTIME: i32 = 1;
    let (id, clock_id) = posix_timer(task, a.i32(0))?;
    let v: [[i64; 2]; 2] = task.mm().read_val(a.u(2))?;
    let interval = read_timespec(v[0])?;
    let mut value = read_timespec(v[1])?;
    if a.i32(1) & TIMER_ABSTIME != 0 && !value.is_zero() {
        // An absolute expiry on the timer's own clock: what is left from now (a time already
        // past expires at once).
        let now = Clock::from_id(clock_id)?.now_for(task);
        value = value.saturating_sub(now).max(Duration::from_nanos(1));
    }
    let prev = task
        .kernel
        .timers
        .arm(&task.kernel, id, value, interval)
        .unwrap_or_default();
    if a.u(3) != 0 {
        task.mm()
            .write_val(a.u(3), &[timespec(prev.1), timespec(prev.0)])?;
    }
    Ok(0)
}

fn sys_timer_gettime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, _) = posix_timer(task, a.i32(0))?;
    let (left, interval) = task.kernel.timers.get(id).unwrap_or_default();
    task.mm()
        .write_val(a.u(1), &[timespec(interval), timespec(left)])?;
    Ok(0)
}

fn sys_timer_getoverrun(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, _) = posix_timer(task, a.i32(0))?;
    Ok(task.kernel.timers.overrun(id).unwrap_or(0) as u64)
}

fn sys_timer_delete(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let id = task
        .process
        .state()
        .posix_timers
        .remove(&a.i32(0))
        .ok_or(Errno::EINVAL)?
        .0;
    task.kernel.timers.delete(id);
    Ok(0)
}
