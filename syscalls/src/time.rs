//! The time family: reading clocks and sleeping on them.
//!
//! The sandbox is a machine that booted when the sandbox did: `CLOCK_MONOTONIC` and
//! `CLOCK_BOOTTIME` both count from [`Kernel::boot`], so `/proc/uptime`, `sysinfo` and the
//! clocks agree and BOOTTIME is never behind MONOTONIC (nothing suspends a sandbox). Only
//! std's portable clocks are used, so the same code serves every host and engine.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sbx_kernel::cputime::CpuTimes;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult, Kernel};

use crate::util::{write_opt, Timespec, Timeval};
use crate::TableBuilder;

/// `TIMER_ABSTIME`: the sleep's time is a point on the clock, not an interval.
pub const TIMER_ABSTIME: i32 = 1;
/// Linux's tick (`CONFIG_HZ=250`): the resolution of the coarse clocks.
const TICK_NS: i64 = 4_000_000;
/// Latest time `settimeofday` accepts (Linux's `TIME_SETTOD_SEC_MAX`: the ktime limit less
/// 30 years of uptime headroom).
const SETTOD_SEC_MAX: i64 = i64::MAX / 1_000_000_000 - 30 * 365 * 86_400;

/// A clock a guest can name in `clock_*` calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// `CLOCK_REALTIME` (0).
    Realtime,
    /// `CLOCK_MONOTONIC` (1).
    Monotonic,
    /// `CLOCK_PROCESS_CPUTIME_ID` (2).
    ProcessCpu,
    /// `CLOCK_THREAD_CPUTIME_ID` (3).
    ThreadCpu,
    /// `CLOCK_MONOTONIC_RAW` (4).
    MonotonicRaw,
    /// `CLOCK_REALTIME_COARSE` (5).
    RealtimeCoarse,
    /// `CLOCK_MONOTONIC_COARSE` (6).
    MonotonicCoarse,
    /// `CLOCK_BOOTTIME` (7).
    Boottime,
    /// `CLOCK_REALTIME_ALARM` (8). Alarm clocks need a real-time-clock device that can wake
    /// the machine; a sandbox has none, so they answer as on a Linux host without an RTC.
    RealtimeAlarm,
    /// `CLOCK_BOOTTIME_ALARM` (9); see [`Clock::RealtimeAlarm`].
    BoottimeAlarm,
    /// `CLOCK_TAI` (11): realtime plus the TAI offset, which is 0 until NTP sets it.
    Tai,
    /// A negative id from `clock_getcpuclockid`/`pthread_getcpuclockid`: the CPU clock of a
    /// process or thread. Whether that process or thread exists is checked on use, as Linux.
    Cpu(CpuClock),
    /// A negative id naming a dynamic clock device by descriptor; there are none in a sandbox.
    Fd,
}

/// The fields Linux packs into a negative CPU clock id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CpuClock {
    /// The process or thread id; 0 for the caller.
    pub pid: i32,
    /// Whether it is a thread's clock rather than a process's.
    pub thread: bool,
    /// `CPUCLOCK_PROF` (0), `CPUCLOCK_VIRT` (1) or `CPUCLOCK_SCHED` (2); 3 is invalid.
    pub which: i32,
}

impl Clock {
    /// Decodes a `clockid_t`; `EINVAL` for ids Linux does not know.
    pub fn from_id(id: i32) -> KResult<Clock> {
        Ok(match id {
            0 => Clock::Realtime,
            1 => Clock::Monotonic,
            2 => Clock::ProcessCpu,
            3 => Clock::ThreadCpu,
            4 => Clock::MonotonicRaw,
            5 => Clock::RealtimeCoarse,
            6 => Clock::MonotonicCoarse,
            7 => Clock::Boottime,
            8 => Clock::RealtimeAlarm,
            9 => Clock::BoottimeAlarm,
            11 => Clock::Tai,
            id if id < 0 && id & 7 == 3 => Clock::Fd,
            // Linux: pid = ~(id >> 3), bit 2 = per-thread, bits 0..2 = which.
            id if id < 0 => Clock::Cpu(CpuClock {
                pid: !(id >> 3),
                thread: id & 4 != 0,
                which: id & 3,
            }),
            _ => return Err(Errno::EINVAL),
        })
    }

    /// Whether the clock can be used: a CPU clock must name a process of the sandbox, or a
    /// thread of the caller's own process (as Linux's `lookup_task`), and the alarm clocks
    /// have no RTC behind them.
    fn exists(self, task: &Task) -> bool {
        match self {
            Clock::RealtimeAlarm | Clock::BoottimeAlarm => false,
            Clock::Cpu(c) if c.which == 3 => false,
            Clock::Cpu(_) => self.cpu_times(task).is_some(),
            Clock::Fd => false,
            _ => true,
        }
    }

    /// The CPU times a CPU clock reads (`None` if it names nothing, or is not a CPU clock).
    pub fn cpu_times(self, task: &Task) -> Option<CpuTimes> {
        let (pid, thread) = match self {
            Clock::ProcessCpu => (0, false),
            Clock::ThreadCpu => (0, true),
            Clock::Cpu(c) => (c.pid, c.thread),
            _ => return None,
        };
        if thread {
            if pid == 0 || pid == task.tid {
                return Some(task.thread.cpu.times());
            }
            let (t, p) = task.kernel.procs.thread(pid)?;
            return Arc::ptr_eq(&p, &task.process).then(|| t.cpu.times());
        }
        if pid == 0 || pid == task.process.pid {
            return Some(task.process.state().cpu_times());
        }
        let p = task.kernel.procs.process(pid)?;
        let st = p.state();
        (st.zombie.is_none()).then(|| st.cpu_times())
    }

    /// The clock's current reading for `task` (CPU clocks are the caller's view).
    pub fn now_for(self, task: &Task) -> Duration {
        let which = match self {
            Clock::Cpu(c) => c.which,
            _ => 2,
        };
        match self.cpu_times(task) {
            // CPUCLOCK_VIRT counts user time only; PROF and SCHED count both.
            Some(t) if which == 1 => t.user,
            Some(t) => t.total(),
            None => self.now(&task.kernel),
        }
    }

    /// The clock's current reading.
    pub fn now(self, kernel: &Kernel) -> Duration {
        match self {
            Clock::Realtime | Clock::RealtimeCoarse | Clock::RealtimeAlarm | Clock::Tai => {
                realtime_now()
            }
            // CPU clocks need the caller ([`Clock::now_for`]); without one, time since boot
            // is an upper bound for a single thread.
            _ => monotonic_now(kernel),
        }
    }

    /// The clock's resolution, as `clock_getres` reports it.
    pub fn resolution(self) -> Duration {
        let ns = match self {
            Clock::RealtimeCoarse | Clock::MonotonicCoarse => TICK_NS,
            Clock::Cpu(c) if c.which != 2 => TICK_NS,
            _ => 1,
        };
        Duration::from_nanos(ns as u64)
    }
}

/// Wall-clock time since the Unix epoch (0 if the host clock is set before 1970).
pub fn realtime_now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// `CLOCK_MONOTONIC`/`CLOCK_BOOTTIME` in the sandbox: time since it booted.
pub fn monotonic_now(kernel: &Kernel) -> Duration {
    kernel.boot.elapsed()
}

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const NO_SIGNALS: &str = "sleeps are not yet cut short by signals";
    const NO_CLOCK_SET: &str = "always EPERM: the sandbox never grants CAP_SYS_TIME";
    b.add(
        "clock_gettime",
        sys_clock_gettime,
        Support::Partial("CPU-time clocks report time since the sandbox started, not CPU time"),
    );
    b.add("clock_getres", sys_clock_getres, Support::Full);
    b.add("gettimeofday", sys_gettimeofday, Support::Full);
    b.add("time", sys_time, Support::Full);
    b.add("nanosleep", sys_nanosleep, Support::Partial(NO_SIGNALS));
    b.add(
        "clock_nanosleep",
        sys_clock_nanosleep,
        Support::Partial(NO_SIGNALS),
    );
    b.add(
        "clock_settime",
        sys_clock_settime,
        Support::Partial(NO_CLOCK_SET),
    );
    b.add(
        "settimeofday",
        sys_settimeofday,
        Support::Partial(NO_CLOCK_SET),
    );
    b.add(
        "times",
        sys_times,
        Support::Partial("user time is time since the sandbox started, as getrusage reports it"),
    );
    const ADJTIME: &str = "reads an unsynchronized clock; changes are EPERM (no CAP_SYS_TIME)";
    b.add("adjtimex", sys_adjtimex, Support::Partial(ADJTIME));
    b.add(
        "clock_adjtime",
        sys_clock_adjtime,
        Support::Partial(ADJTIME),
    );
}

/// Decodes a clock id for reading: unknown ids and CPU clocks of unknown tasks are `EINVAL`.
fn readable_clock(task: &Task, id: i32) -> KResult<Clock> {
    let clock = Clock::from_id(id)?;
    if !clock.exists(task) {
        return Err(Errno::EINVAL);
    }
    Ok(clock)
}

fn sys_clock_gettime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let clock = readable_clock(task, a.i32(0))?;
    let ts = Timespec::from_duration(clock.now_for(task));
    task.mm().write_val(a.u(1), &ts)?;
    Ok(0)
}

fn sys_clock_getres(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let clock = readable_clock(task, a.i32(0))?;
    // A NULL result pointer is allowed: it only checks the clock id.
    write_opt(task, a.u(1), &Timespec::from_duration(clock.resolution()))?;
    Ok(0)
}

fn sys_gettimeofday(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    write_opt(task, a.u(0), &Timeval::from_duration(realtime_now()))?;
    // The kernel's timezone is never set in a sandbox: UTC, no DST (`struct timezone`).
    write_opt(task, a.u(1), &[0i32; 2])?;
    Ok(0)
}

fn sys_time(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let secs = realtime_now().as_secs();
    write_opt(task, a.u(0), &secs)?;
    Ok(secs)
}

fn sys_nanosleep(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let req: Timespec = task.mm().read_val(a.u(0))?;
    sleep_for(task, req.to_duration()?, a.u(1))
}

/// Sleeps for `amount`, interruptibly: a signal ends the sleep with the time left written to
/// `rem` (when non-null) and `EINTR` once a handler runs; if no handler runs (a stop and
/// continue, say) the sleep continues to its original deadline through `restart_syscall`.
fn sleep_for(task: &mut Task, amount: Duration, rem: u64) -> KResult<u64> {
    let deadline = std::time::Instant::now().checked_add(amount);
    sleep_to(task, deadline, amount, rem)
}

/// [`sleep_for`] from its deadline (`None`: too far away to represent, so forever).
fn sleep_to(
    task: &mut Task,
    deadline: Option<std::time::Instant>,
    amount: Duration,
    rem: u64,
) -> KResult<u64> {
    match task.sleep_until(deadline) {
        Ok(()) => Ok(0),
        Err(Errno::ERESTARTSYS) => {
            if rem != 0 {
                let left = deadline
                    .map(|d| d.saturating_duration_since(std::time::Instant::now()))
                    .unwrap_or(amount);
                let ts = [left.as_secs() as i64, left.subsec_nanos() as i64];
                task.mm().write_val(rem, &ts)?;
            }
            task.restart_block = Some(Box::new(move |task: &mut Task| {
                sleep_to(task, deadline, amount, rem)
            }));
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
        Err(e) => Err(e),
    }
}

fn sys_clock_nanosleep(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let clock = Clock::from_id(a.i32(0))?;
    // Clocks Linux cannot sleep on at all, checked before the request is even read.
    if matches!(
        clock,
        Clock::ThreadCpu
            | Clock::MonotonicRaw
            | Clock::RealtimeCoarse
            | Clock::MonotonicCoarse
            | Clock::Fd
    ) {
        return Err(Errno::EOPNOTSUPP);
    }
    let req: Timespec = task.mm().read_val(a.u(2))?;
    let amount = req.to_duration()?;
    match clock {
        // No RTC: Linux's alarm timers refuse before looking at the flags.
        Clock::RealtimeAlarm | Clock::BoottimeAlarm => return Err(Errno::EOPNOTSUPP),
        // Sleeping on a thread's own CPU clock (or naming the caller's tid explicitly) would
        // never end, so Linux refuses it.
        Clock::Cpu(c) if c.thread || c.pid == task.tid || !clock.exists(task) => {
            return Err(Errno::EINVAL);
        }
        _ => {}
    }
    // Flags other than TIMER_ABSTIME are ignored, as Linux does.
    if a.i32(1) & TIMER_ABSTIME == 0 {
        return sleep_for(task, amount, a.u(3));
    }
    // Absolute: sleep until the clock itself reaches the target, re-reading it because the
    // realtime clock may be stepped by the host meanwhile. No remaining time is reported.
    loop {
        let now = clock.now_for(task);
        if now >= amount {
            return Ok(0);
        }
        let deadline = std::time::Instant::now().checked_add(amount - now);
        match task.sleep_until(deadline) {
            Ok(()) => {}
            Err(Errno::ERESTARTSYS) => return Err(Errno::ERESTARTNOHAND),
            Err(e) => return Err(e),
        }
    }
}

fn sys_clock_settime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let clock = Clock::from_id(a.i32(0))?;
    // Only realtime and the CPU clocks have a setter in Linux; the others are EINVAL even
    // for a privileged caller.
    if !matches!(clock, Clock::Realtime | Clock::Cpu(_) | Clock::Fd) {
        return Err(Errno::EINVAL);
    }
    let ts: Timespec = task.mm().read_val(a.u(1))?;
    match clock {
        Clock::Realtime if !ts.is_valid() || ts.tv_sec >= SETTOD_SEC_MAX => Err(Errno::EINVAL),
        Clock::Cpu(_) | Clock::Fd if !clock.exists(task) => Err(Errno::EINVAL),
        _ => Err(Errno::EPERM),
    }
}

fn sys_settimeofday(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (tv, tz) = (a.u(0), a.u(1));
    if tv != 0 {
        let v: Timeval = task.mm().read_val(tv)?;
        if !v.is_valid() || v.tv_sec >= SETTOD_SEC_MAX {
            return Err(Errno::EINVAL);
        }
    }
    if tz != 0 {
        task.mm().read_val::<[i32; 2]>(tz)?;
    }
    Err(Errno::EPERM)
}

/// `USER_HZ`: the unit of `clock_t` values (`times`, `/proc`).
pub const USER_HZ: u64 = 100;

/// `struct tms`: user and system time of the process and of its waited-for children.
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Tms {
    utime: i64,
    stime: i64,
    cutime: i64,
    cstime: i64,
}

/// `d` in clock ticks.
fn clock_t(d: Duration) -> i64 {
    i64::try_from(d.as_millis() / (1000 / u128::from(USER_HZ))).unwrap_or(i64::MAX)
}

fn sys_times(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let up = monotonic_now(&task.kernel);
    let (own, children) = {
        let st = task.process.state();
        (st.cpu_times(), st.cpu_children)
    };
    let tms = Tms {
        utime: clock_t(own.user),
        stime: clock_t(own.sys),
        cutime: clock_t(children.user),
        cstime: clock_t(children.sys),
    };
    write_opt(task, a.u(0), &tms)?;
    // Ticks since boot; far from the values that would read as an error.
    Ok(clock_t(up) as u64)
}

/// `struct timex` (x86-64, 208 bytes), the argument of `adjtimex` and `clock_adjtime`.
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Timex {
    modes: u32,
    _pad0: u32,
    offset: i64,
    freq: i64,
    maxerror: i64,
    esterror: i64,
    status: i32,
    _pad1: u32,
    constant: i64,
    precision: i64,
    tolerance: i64,
    time: Timeval,
    tick: i64,
    ppsfreq: i64,
    jitter: i64,
    shift: i32,
    _pad2: u32,
    stabil: i64,
    jitcnt: i64,
    calcnt: i64,
    errcnt: i64,
    stbcnt: i64,
    tai: i32,
    _reserved: [i32; 11],
}

/// `ADJ_OFFSET_SINGLESHOT`: the old `adjtime()` interface.
const ADJ_OFFSET_SINGLESHOT: u32 = 0x0001;
/// `ADJ_OFFSET_READONLY`: with `ADJ_OFFSET_SINGLESHOT`, only read the remaining offset.
const ADJ_OFFSET_READONLY: u32 = 0x2000;
/// `ADJ_ADJTIME`: the bits of the `adjtime()` interface (`ADJ_OFFSET_SINGLESHOT` is in it).
const ADJ_ADJTIME: u32 = 0x8000;
/// `STA_UNSYNC`: the clock is not synchronized.
const STA_UNSYNC: i32 = 0x0040;
/// `TIME_ERROR`: the state `adjtimex` returns for an unsynchronized clock.
const TIME_ERROR: u64 = 5;
/// `NTP_PHASE_LIMIT` in microseconds: the error bounds of a clock nobody disciplines.
const NTP_PHASE_LIMIT_US: i64 = 16_000_000;
/// `MAXFREQ_SCALED`: the frequency tolerance, 500 ppm in 16.16 fixed point.
const MAXFREQ_SCALED: i64 = 500 << 16;

/// One `adjtimex` on the sandbox's clock. Nothing disciplines it (no NTP), so it reads as
/// Linux's idle state: unsynchronized, no offset or frequency correction, the default time
/// constant and maximal error bounds. Any change needs CAP_SYS_TIME, which the sandbox never
/// grants; Linux validates the `adjtime()` form first.
fn do_adjtimex(task: &Task, addr: u64) -> KResult<u64> {
    let mut tx: Timex = task.mm().read_val(addr)?;
    let modes = tx.modes;
    if modes & ADJ_ADJTIME != 0 {
        if modes & ADJ_OFFSET_SINGLESHOT == 0 {
            return Err(Errno::EINVAL);
        }
        if modes & ADJ_OFFSET_READONLY == 0 {
            return Err(Errno::EPERM);
        }
    } else if modes != 0 {
        return Err(Errno::EPERM);
    }
    tx = Timex {
        modes,
        // The old interface reads the remaining single-shot offset, which is 0.
        offset: 0,
        freq: 0,
        maxerror: NTP_PHASE_LIMIT_US,
        esterror: NTP_PHASE_LIMIT_US,
        status: STA_UNSYNC,
        constant: 2,
        precision: 1,
        tolerance: MAXFREQ_SCALED,
        time: Timeval::from_duration(realtime_now()),
        tick: (1_000_000 / USER_HZ) as i64,
        ..bytemuck::Zeroable::zeroed()
    };
    task.mm().write_val(addr, &tx)?;
    Ok(TIME_ERROR)
}

fn sys_adjtimex(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_adjtimex(task, a.u(0))
}

fn sys_clock_adjtime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match Clock::from_id(a.i32(0))? {
        Clock::Realtime => do_adjtimex(task, a.u(1)),
        // A descriptor-named clock would be a PTP device; there are none.
        Clock::Fd => Err(Errno::EINVAL),
        // The other clocks have no adjustment.
        _ => Err(Errno::EOPNOTSUPP),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_sizes() {
        assert_eq!(std::mem::size_of::<Timex>(), 208);
        assert_eq!(std::mem::size_of::<Tms>(), 32);
        assert_eq!(clock_t(Duration::from_millis(1234)), 123);
    }

    #[test]
    fn clock_ids_decode_like_linux() {
        assert_eq!(Clock::from_id(0), Ok(Clock::Realtime));
        assert_eq!(Clock::from_id(7), Ok(Clock::Boottime));
        assert_eq!(Clock::from_id(11), Ok(Clock::Tai));
        // 10 was CLOCK_SGI_CYCLE, removed; 12 and up were never defined.
        assert_eq!(Clock::from_id(10), Err(Errno::EINVAL));
        assert_eq!(Clock::from_id(12), Err(Errno::EINVAL));
        // glibc's clock_getcpuclockid(pid 42) is ((~42) << 3) | CPUCLOCK_SCHED.
        let process = (!42 << 3) | 2;
        assert_eq!(
            Clock::from_id(process),
            Ok(Clock::Cpu(CpuClock {
                pid: 42,
                thread: false,
                which: 2
            }))
        );
        // pthread_getcpuclockid adds the per-thread bit.
        let thread = (!7 << 3) | 4 | 2;
        assert_eq!(
            Clock::from_id(thread),
            Ok(Clock::Cpu(CpuClock {
                pid: 7,
                thread: true,
                which: 2
            }))
        );
        // FD_TO_CLOCKID(fd) is ((~fd) << 3) | 3.
        assert_eq!(Clock::from_id((!3 << 3) | 3), Ok(Clock::Fd));
    }

    #[test]
    fn resolutions() {
        assert_eq!(Clock::Monotonic.resolution(), Duration::from_nanos(1));
        assert_eq!(Clock::RealtimeCoarse.resolution(), Duration::from_millis(4));
        let prof = Clock::Cpu(CpuClock {
            pid: 0,
            thread: false,
            which: 0,
        });
        assert_eq!(prof.resolution(), Duration::from_millis(4));
    }

    #[test]
    fn settod_limit_matches_linux() {
        // KTIME_SEC_MAX (9223372036) minus TIME_UPTIME_SEC_MAX (30 * 365 * 86400).
        assert_eq!(SETTOD_SEC_MAX, 9_223_372_036 - 946_080_000);
    }
}
