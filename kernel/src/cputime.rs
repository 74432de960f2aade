//! CPU time of guest threads and processes (`CLOCK_*_CPUTIME_ID`, `getrusage`, `times`,
//! `ITIMER_VIRTUAL`/`ITIMER_PROF` and CPU-clock POSIX timers).
//!
//! Every guest thread runs on a host thread of its own (`spawn.rs`), so its CPU time is that
//! host thread's from the moment the guest thread started on it: guest code plus sbx's work
//! for it. The part spent serving its syscalls is measured around each call and reported as
//! system time; the rest is user time. Another thread's total is read from the host's
//! `/proc/self/task/TID/schedstat` (nanoseconds), the calling thread's from its own clock.

use std::ops::{Add, AddAssign};
use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::time::Duration;

use rustix::time::{clock_gettime, ClockId};

/// User and system CPU time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CpuTimes {
    /// Time running guest code.
    pub user: Duration,
    /// Time sbx spent serving the guest's syscalls.
    pub sys: Duration,
}

impl CpuTimes {
    /// User plus system time.
    pub fn total(&self) -> Duration {
        self.user + self.sys
    }
}

impl Add for CpuTimes {
    type Output = CpuTimes;
    fn add(self, o: CpuTimes) -> CpuTimes {
        CpuTimes {
            user: self.user + o.user,
            sys: self.sys + o.sys,
        }
    }
}

impl AddAssign for CpuTimes {
    fn add_assign(&mut self, o: CpuTimes) {
        *self = *self + o;
    }
}

/// The CPU time the calling host thread has used.
pub fn own_thread_cpu() -> Duration {
    let ts = clock_gettime(ClockId::ThreadCPUTime);
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// The CPU time host thread `tid` of this process has used, if it still exists.
fn host_thread_cpu(tid: i32) -> Option<Duration> {
    let text = std::fs::read_to_string(format!("/proc/self/task/{tid}/schedstat")).ok()?;
    let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn host_tid() -> i32 {
    rustix::thread::gettid().as_raw_nonzero().get()
}

/// One guest thread's CPU accounting.
#[derive(Debug, Default)]
pub struct ThreadCpu {
    /// The host thread running it (0 before it starts and after it ends).
    host_tid: AtomicI32,
    /// The host thread's CPU time when the guest thread started on it, in ns.
    base_ns: AtomicU64,
    /// System time so far, in ns.
    sys_ns: AtomicU64,
    /// The total once the thread has ended, in ns.
    final_ns: AtomicU64,
}

impl ThreadCpu {
    /// Starts accounting on the calling host thread (the guest thread begins running here).
    pub fn start(&self) {
        self.base_ns
            .store(own_thread_cpu().as_nanos() as u64, Ordering::Relaxed);
        self.host_tid.store(host_tid(), Ordering::Release);
    }

    /// Stops accounting (called on the thread's own host thread as it ends); returns its
    /// final times.
    pub fn finish(&self) -> CpuTimes {
        let t = self.times();
        self.final_ns
            .store(t.total().as_nanos() as u64, Ordering::Relaxed);
        self.host_tid.store(0, Ordering::Release);
        t
    }

    /// Adds time spent serving a syscall.
    pub fn add_sys(&self, d: Duration) {
        self.sys_ns
            .fetch_add(d.as_nanos() as u64, Ordering::Relaxed);
    }

    /// The times so far (from any host thread).
    pub fn times(&self) -> CpuTimes {
        let tid = self.host_tid.load(Ordering::Acquire);
        let total = if tid == 0 {
            Duration::from_nanos(self.final_ns.load(Ordering::Relaxed))
        } else {
            let now = if tid == host_tid() {
                Some(own_thread_cpu())
            } else {
                host_thread_cpu(tid)
            };
            match now {
                Some(n) => {
                    n.saturating_sub(Duration::from_nanos(self.base_ns.load(Ordering::Relaxed)))
                }
                None => Duration::from_nanos(self.final_ns.load(Ordering::Relaxed)),
            }
        };
        let sys = Duration::from_nanos(self.sys_ns.load(Ordering::Relaxed)).min(total);
        CpuTimes {
            user: total - sys,
            sys,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spin(d: Duration) {
        let start = own_thread_cpu();
        while own_thread_cpu() - start < d {
            std::hint::black_box(0u64);
        }
    }

    #[test]
    fn a_thread_is_measured_from_where_it_started_and_split_into_user_and_sys() {
        spin(Duration::from_millis(20));
        let c = std::sync::Arc::new(ThreadCpu::default());
        c.start();
        spin(Duration::from_millis(30));
        c.add_sys(Duration::from_millis(10));
        let t = c.times();
        // The 20 ms before start do not count.
        assert!(t.total() >= Duration::from_millis(30), "{t:?}");
        assert!(t.total() < Duration::from_millis(50), "{t:?}");
        assert_eq!(t.sys, Duration::from_millis(10));
        // Read from another host thread through /proc: about the same.
        let c2 = c.clone();
        let other = std::thread::spawn(move || c2.times()).join().unwrap();
        assert!(other.total() >= t.total(), "{other:?} vs {t:?}");
        let done = c.finish();
        spin(Duration::from_millis(10));
        assert_eq!(c.times(), CpuTimes { ..done });
    }
}
