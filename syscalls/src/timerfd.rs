//! The timerfd family: timers whose expirations are read from a file descriptor.
//!
//! A timer counts expirations; `read` returns and clears the count. Reads never wait inside
//! the file: an empty count is `EAGAIN` and the syscall layer sleeps on the file's wait queue.
//! While a reader may be waiting (the count is 0 and the timer is armed), one host thread per
//! armed timer sleeps until the next expiry and notifies the queue; once the count is non-zero
//! it parks until a read or a new setting, so a periodic timer nobody reads costs nothing.
//! Absolute realtime deadlines are converted to the monotonic clock when set: a later step of
//! the host's wall clock does not move them.

use std::any::Any;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use sbx_kernel::fd::{FileOps, OpenFile, O_CLOEXEC, O_NONBLOCK, O_RDWR, POLLIN};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::Stat;
use sbx_kernel::wait::WaitQueue;
use sbx_kernel::{Errno, KResult};

use crate::time::Clock;
use crate::util::{write_opt, Timespec};
use crate::TableBuilder;

/// `TFD_TIMER_ABSTIME`.
const TFD_TIMER_ABSTIME: u32 = 1;
/// `TFD_TIMER_CANCEL_ON_SET`.
const TFD_TIMER_CANCEL_ON_SET: u32 = 2;
/// `TFD_CLOEXEC` (= `O_CLOEXEC`).
const TFD_CLOEXEC: u32 = O_CLOEXEC;
/// `TFD_NONBLOCK` (= `O_NONBLOCK`).
const TFD_NONBLOCK: u32 = O_NONBLOCK;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const NOTE: &str = "realtime deadlines do not follow later steps of the host clock; \
                        TFD_TIMER_CANCEL_ON_SET never cancels (the sandbox clock is never set)";
    b.add("timerfd_create", sys_timerfd_create, Support::Partial(NOTE));
    b.add(
        "timerfd_settime",
        sys_timerfd_settime,
        Support::Partial(NOTE),
    );
    b.add("timerfd_gettime", sys_timerfd_gettime, Support::Full);
}

/// `struct itimerspec`: the interval, then the time to the next expiry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Itimerspec {
    /// Period of a periodic timer (zero for a one-shot timer).
    pub interval: Timespec,
    /// Time until the next expiry (zero: disarmed).
    pub value: Timespec,
}

/// A timer's schedule and count.
#[derive(Debug, Default)]
struct Schedule {
    /// The next expiry; `None` when disarmed.
    next: Option<Instant>,
    /// Period; zero for one-shot.
    interval: Duration,
    /// Expirations not yet read.
    ticks: u64,
    /// Bumped by every setting, so a notifier thread of an older setting stops.
    generation: u64,
    /// The file was closed: notifier threads stop.
    closed: bool,
}

impl Schedule {
    /// Counts the expirations due by `now`.
    fn update(&mut self, now: Instant) {
        let Some(next) = self.next else {
            return;
        };
        if next > now {
            return;
        }
        if self.interval.is_zero() {
            self.ticks += 1;
            self.next = None;
            return;
        }
        let late = now.duration_since(next).as_nanos();
        let periods = late / self.interval.as_nanos() + 1;
        self.ticks = self.ticks.saturating_add(periods as u64);
        let step = self.interval.as_nanos().saturating_mul(periods);
        self.next = u64::try_from(step)
            .ok()
            .and_then(|ns| next.checked_add(Duration::from_nanos(ns)));
    }

    /// The current setting as `timerfd_gettime` reports it.
    fn current(&self, now: Instant) -> Itimerspec {
        let left = self
            .next
            .map_or(Duration::ZERO, |n| n.saturating_duration_since(now));
        Itimerspec {
            interval: Timespec::from_duration(self.interval),
            value: Timespec::from_duration(left),
        }
    }
}

/// The shared part of a timerfd: its schedule and the queues waiting on it.
struct Inner {
    clock: Clock,
    schedule: Mutex<Schedule>,
    /// Wakes the notifier thread on reads, settings and close.
    changed: Condvar,
    /// Readers (and pollers) waiting for an expiry.
    queue: WaitQueue,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, Schedule> {
        self.schedule.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Sleeps until each expiry of setting `generation` and tells the waiters, parking while the
/// count is unread.
fn notifier(inner: Arc<Inner>, generation: u64) {
    let mut s = inner.lock();
    loop {
        if s.closed || s.generation != generation {
            return;
        }
        let Some(next) = s.next else {
            return;
        };
        if s.ticks > 0 {
            s = inner.changed.wait(s).unwrap_or_else(|e| e.into_inner());
            continue;
        }
        let now = Instant::now();
        if next > now {
            s = inner
                .changed
                .wait_timeout(s, next - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
            continue;
        }
        s.update(now);
        drop(s);
        inner.queue.notify(POLLIN);
        s = inner.lock();
    }
}

/// A timerfd, as its open file description holds it.
pub struct TimerFd(Arc<Inner>);

impl Drop for TimerFd {
    fn drop(&mut self) {
        self.0.lock().closed = true;
        self.0.changed.notify_all();
    }
}

impl TimerFd {
    /// Arms (or with a zero value disarms) the timer; returns the previous setting. `value`
    /// is absolute on the timer's clock when `abstime`, where `clock_now` is that clock's
    /// reading at `now`.
    fn set(
        &self,
        value: Duration,
        interval: Duration,
        abstime: bool,
        clock_now: Duration,
        now: Instant,
    ) -> Itimerspec {
        let mut s = self.0.lock();
        s.update(now);
        let old = s.current(now);
        s.generation += 1;
        s.ticks = 0;
        s.interval = interval;
        s.next = if value.is_zero() {
            None
        } else if abstime {
            // A deadline already passed fires at once.
            now.checked_add(value.saturating_sub(clock_now))
        } else {
            now.checked_add(value)
        };
        if s.next.is_none() {
            s.interval = Duration::ZERO;
        }
        let generation = s.generation;
        let armed = s.next.is_some();
        drop(s);
        self.0.changed.notify_all();
        if armed {
            let inner = self.0.clone();
            std::thread::spawn(move || notifier(inner, generation));
        }
        old
    }

    fn get(&self, now: Instant) -> Itimerspec {
        let mut s = self.0.lock();
        s.update(now);
        s.current(now)
    }
}

impl FileOps for TimerFd {
    fn describe(&self) -> String {
        "anon_inode:[timerfd]".into()
    }

    fn stat(&self) -> KResult<Stat> {
        // Anonymous inodes have no file type bits, only owner read/write.
        Ok(Stat {
            mode: 0o600,
            nlink: 1,
            blksize: 4096,
            ..Stat::default()
        })
    }

    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        if buf.len() < 8 {
            return Err(Errno::EINVAL);
        }
        let mut s = self.0.lock();
        s.update(Instant::now());
        if s.ticks == 0 {
            return Err(Errno::EAGAIN);
        }
        buf[..8].copy_from_slice(&s.ticks.to_ne_bytes());
        s.ticks = 0;
        drop(s);
        // The notifier may be parked on the unread count.
        self.0.changed.notify_all();
        Ok(8)
    }

    fn poll(&self, events: u32) -> u32 {
        let mut s = self.0.lock();
        s.update(Instant::now());
        if s.ticks > 0 {
            events & POLLIN
        } else {
            0
        }
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.0.queue)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn sys_timerfd_create(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, flags) = (a.i32(0), a.u32(1));
    let clock = Clock::from_id(id)?;
    if flags & !(TFD_CLOEXEC | TFD_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    match clock {
        Clock::Realtime | Clock::Monotonic | Clock::Boottime => {}
        // Alarm timers need CAP_WAKE_ALARM, which the sandbox never grants.
        Clock::RealtimeAlarm | Clock::BoottimeAlarm => return Err(Errno::EPERM),
        _ => return Err(Errno::EINVAL),
    }
    let inner = Arc::new(Inner {
        clock,
        schedule: Mutex::new(Schedule::default()),
        changed: Condvar::new(),
        queue: WaitQueue::new(),
    });
    let file = OpenFile::new(
        Arc::new(TimerFd(inner)),
        None,
        O_RDWR | (flags & TFD_NONBLOCK),
    );
    task.files()
        .insert(Arc::new(file), flags & TFD_CLOEXEC != 0)
        .map(|fd| fd as u64)
}

/// Runs `f` on the timerfd behind descriptor `fd`: `EBADF` for no descriptor, `EINVAL` for
/// another kind of file.
fn with_timerfd<R>(task: &Task, fd: i32, f: impl FnOnce(&TimerFd) -> R) -> KResult<R> {
    let file = task.files().get(fd)?;
    let t = file
        .ops()
        .as_any()
        .downcast_ref::<TimerFd>()
        .ok_or(Errno::EINVAL)?;
    Ok(f(t))
}

fn sys_timerfd_settime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd, flags, new_ptr, old_ptr) = (a.i32(0), a.u32(1), a.u(2), a.u(3));
    // Linux's order: read the setting, check flags and values, then find the descriptor.
    let new: Itimerspec = task.mm().read_val(new_ptr)?;
    if flags & !(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET) != 0 {
        return Err(Errno::EINVAL);
    }
    let (value, interval) = (new.value.to_duration()?, new.interval.to_duration()?);
    let kernel = task.kernel.clone();
    let old = with_timerfd(task, fd, |t| {
        let now = Instant::now();
        let reading = t.0.clock.now(&kernel);
        t.set(
            value,
            interval,
            flags & TFD_TIMER_ABSTIME != 0,
            reading,
            now,
        )
    })?;
    write_opt(task, old_ptr, &old)?;
    Ok(0)
}

fn sys_timerfd_gettime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let cur = with_timerfd(task, a.i32(0), |t| t.get(Instant::now()))?;
    task.mm().write_val(a.u(1), &cur)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    fn timer() -> TimerFd {
        TimerFd(Arc::new(Inner {
            clock: Clock::Monotonic,
            schedule: Mutex::new(Schedule::default()),
            changed: Condvar::new(),
            queue: WaitQueue::new(),
        }))
    }

    #[test]
    fn periodic_expirations_are_counted() {
        let start = Instant::now();
        let mut s = Schedule {
            next: Some(start + Duration::from_millis(10)),
            interval: Duration::from_millis(10),
            ..Schedule::default()
        };
        s.update(start + Duration::from_millis(5));
        assert_eq!(s.ticks, 0);
        s.update(start + Duration::from_millis(35));
        assert_eq!(s.ticks, 3);
        assert_eq!(s.next, Some(start + Duration::from_millis(40)));
        assert_eq!(
            s.current(start + Duration::from_millis(35)).value,
            Timespec::from_duration(Duration::from_millis(5))
        );
    }

    #[test]
    fn one_shot_fires_once_and_disarms() {
        let start = Instant::now();
        let mut s = Schedule {
            next: Some(start),
            ..Schedule::default()
        };
        s.update(start + Duration::from_secs(1));
        assert_eq!((s.ticks, s.next), (1, None));
        assert_eq!(s.current(start).value, Timespec::default());
    }

    #[test]
    fn set_reports_the_old_setting_and_read_drains() {
        let t = timer();
        let now = Instant::now();
        let zero = Duration::ZERO;
        assert_eq!(
            t.set(ms(10_000), zero, false, zero, now),
            Itimerspec::default()
        );
        let old = t.set(zero, zero, false, zero, now);
        assert_eq!(old.value, Timespec::from_duration(Duration::from_secs(10)));
        let mut buf = [0u8; 8];
        assert_eq!(t.read(&mut buf, true), Err(Errno::EAGAIN));
        // An absolute deadline already passed fires at once.
        t.set(ms(5), zero, true, Duration::from_secs(100), now);
        assert_eq!(t.read(&mut buf, true), Ok(8));
        assert_eq!(u64::from_ne_bytes(buf), 1);
        assert_eq!(t.read(&mut buf, true), Err(Errno::EAGAIN));
        assert_eq!(t.read(&mut buf[..4], true), Err(Errno::EINVAL));
    }

    #[test]
    fn the_notifier_wakes_waiters_at_expiry() {
        struct Flag(std::sync::atomic::AtomicBool);
        impl sbx_kernel::wait::Wake for Flag {
            fn wake(&self, _events: u32) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let t = timer();
        let flag = Arc::new(Flag(std::sync::atomic::AtomicBool::new(false)));
        let target: Arc<dyn sbx_kernel::wait::Wake> = flag.clone();
        let _reg = t.0.queue.register(&target, POLLIN);
        t.set(ms(5), Duration::ZERO, false, Duration::ZERO, Instant::now());
        let deadline = Instant::now() + Duration::from_secs(5);
        while !flag.0.load(std::sync::atomic::Ordering::SeqCst) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(flag.0.load(std::sync::atomic::Ordering::SeqCst));
    }

    #[test]
    fn itimerspec_layout() {
        assert_eq!(std::mem::size_of::<Itimerspec>(), 32);
    }
}
