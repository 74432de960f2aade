//! Timers that raise signals: `alarm`/`setitimer` and POSIX `timer_create` timers.
//!
//! One host thread per sandbox sleeps until the earliest deadline and sends the signals; it is
//! started on first use and joined when the sandbox ends. CPU-time timers (`ITIMER_VIRTUAL`,
//! `ITIMER_PROF`, timers on a CPU clock) are checked by polling the CPU time: a process with N
//! threads cannot use more than N seconds of CPU per second, so the thread next looks when
//! that bound could first reach the expiry.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::process::{self, Process, Thread};
use crate::signal::SigInfo;
use crate::Kernel;

/// Where a timer's expiry goes.
#[derive(Clone)]
pub struct TimerTarget {
    /// The process signalled.
    pub process: Weak<Process>,
    /// A specific thread (`SIGEV_THREAD_ID`), else the process as a whole.
    pub thread: Option<Weak<Thread>>,
    /// The siginfo sent (None for `SIGEV_NONE`).
    pub info: Option<SigInfo>,
}

/// What a timer counts.
#[derive(Clone)]
pub enum TimerClock {
    /// Elapsed (monotonic) time.
    Wall,
    /// CPU time of a process, or of one of its threads.
    Cpu {
        /// The process.
        process: Weak<Process>,
        /// One thread only, else the whole process.
        thread: Option<Weak<Thread>>,
        /// Count user time only (`ITIMER_VIRTUAL`, `CPUCLOCK_VIRT`).
        user_only: bool,
    },
}

impl TimerClock {
    /// The CPU time so far and how many threads can add to it; `None` for a wall-clock
    /// timer or once the process is gone.
    fn cpu_reading(&self) -> Option<(Duration, u32)> {
        let TimerClock::Cpu {
            process,
            thread,
            user_only,
        } = self
        else {
            return None;
        };
        let p = process.upgrade()?;
        let (t, n) = match thread {
            Some(t) => (t.upgrade()?.cpu.times(), 1),
            None => {
                let st = p.state();
                if st.zombie.is_some() {
                    return None;
                }
                (st.cpu_times(), st.threads.len().max(1) as u32)
            }
        };
        Some((if *user_only { t.user } else { t.total() }, n))
    }
}

/// When a timer expires next: an instant, or a CPU-time reading.
#[derive(Clone, Copy)]
enum Next {
    At(Instant),
    Cpu(Duration),
}

struct Timer {
    target: TimerTarget,
    clock: TimerClock,
    next: Option<Next>,
    interval: Duration,
    overrun: u32,
}

/// Time (of the timer's clock) left until `next`.
fn left(clock: &TimerClock, next: Option<Next>) -> Duration {
    match next {
        Some(Next::At(at)) => at.saturating_duration_since(Instant::now()),
        Some(Next::Cpu(at)) => clock
            .cpu_reading()
            .map_or(Duration::ZERO, |(now, _)| at.saturating_sub(now)),
        None => Duration::ZERO,
    }
}

#[derive(Default)]
struct State {
    timers: HashMap<u64, Timer>,
    next_id: u64,
    stop: bool,
}

/// The sandbox's timers and the thread that fires them.
#[derive(Default)]
pub struct TimerService {
    state: Mutex<State>,
    changed: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl TimerService {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Creates a disarmed wall-clock timer; returns its id.
    pub fn create(&self, target: TimerTarget) -> u64 {
        self.create_on(target, TimerClock::Wall)
    }

    /// Creates a disarmed timer counting `clock`; returns its id.
    pub fn create_on(&self, target: TimerTarget, clock: TimerClock) -> u64 {
        let mut st = self.lock();
        st.next_id += 1;
        let id = st.next_id;
        st.timers.insert(
            id,
            Timer {
                target,
                clock,
                next: None,
                interval: Duration::ZERO,
                overrun: 0,
            },
        );
        id
    }

    /// Deletes timer `id`.
    pub fn delete(&self, id: u64) {
        self.lock().timers.remove(&id);
        self.changed.notify_all();
    }

    /// The time left and the interval of timer `id`.
    pub fn get(&self, id: u64) -> Option<(Duration, Duration)> {
        // Reading a CPU clock takes the process lock, which is never taken inside ours.
        let (clock, next, interval) = {
            let st = self.lock();
            let t = st.timers.get(&id)?;
            (t.clock.clone(), t.next, t.interval)
        };
        Some((left(&clock, next), interval))
    }

    /// The overrun count of timer `id`'s last expiry.
    pub fn overrun(&self, id: u64) -> Option<u32> {
        self.lock().timers.get(&id).map(|t| t.overrun)
    }

    /// Arms (`value` > 0) or disarms timer `id`; returns the previous (left, interval).
    pub fn arm(
        self: &Arc<Self>,
        kernel: &Arc<Kernel>,
        id: u64,
        value: Duration,
        interval: Duration,
    ) -> Option<(Duration, Duration)> {
        let old = self.get(id)?;
        let clock = self.lock().timers.get(&id)?.clock.clone();
        let next = if value.is_zero() {
            None
        } else {
            match clock.cpu_reading() {
                Some((now, _)) => Some(Next::Cpu(now + value)),
                None if matches!(clock, TimerClock::Cpu { .. }) => None,
                None => Some(Next::At(Instant::now() + value)),
            }
        };
        {
            let mut st = self.lock();
            let t = st.timers.get_mut(&id)?;
            t.next = next;
            t.interval = interval;
            t.overrun = 0;
        }
        self.ensure_thread(kernel);
        self.changed.notify_all();
        Some(old)
    }

    fn ensure_thread(self: &Arc<Self>, kernel: &Arc<Kernel>) {
        let mut slot = self.thread.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_some() || self.lock().stop {
            return;
        }
        let me = Arc::downgrade(self);
        let k = Arc::downgrade(kernel);
        *slot = std::thread::Builder::new()
            .name("sbx-timers".into())
            .spawn(move || run(me, k))
            .ok();
    }

    /// Stops the timer thread and waits for it (the sandbox is ending).
    pub fn shutdown(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
        let handle = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

/// The timer thread: fires due timers, then sleeps until the next deadline.
fn run(service: Weak<TimerService>, kernel: Weak<Kernel>) {
    /// The longest a CPU timer waits between looks, so a process that gains threads is
    /// still checked often enough.
    const CPU_POLL_MAX: Duration = Duration::from_millis(100);
    const CPU_POLL_MIN: Duration = Duration::from_millis(1);
    loop {
        let Some(svc) = service.upgrade() else {
            return;
        };
        // CPU readings take process locks, so they are made outside ours.
        let cpu_clocks: Vec<(u64, TimerClock)> = {
            let st = svc.lock();
            if st.stop {
                return;
            }
            st.timers
                .iter()
                .filter(|(_, t)| matches!(t.next, Some(Next::Cpu(_))))
                .map(|(id, t)| (*id, t.clock.clone()))
                .collect()
        };
        let readings: HashMap<u64, Option<(Duration, u32)>> = cpu_clocks
            .into_iter()
            .map(|(id, c)| (id, c.cpu_reading()))
            .collect();
        let mut due = Vec::new();
        let mut st = svc.lock();
        if st.stop {
            return;
        }
        let now = Instant::now();
        let mut wake: Option<Instant> = None;
        let mut wake_at = |at: Instant| wake = Some(wake.map_or(at, |w| w.min(at)));
        for (id, t) in st.timers.iter_mut() {
            let (next, current) = match t.next {
                None => continue,
                Some(Next::At(at)) => (at, now),
                Some(Next::Cpu(at)) => {
                    let Some(reading) = readings.get(id) else {
                        // Armed since the readings were made: look again soon.
                        wake_at(now + CPU_POLL_MIN);
                        continue;
                    };
                    let Some((cpu, threads)) = *reading else {
                        // The process is gone.
                        t.next = None;
                        continue;
                    };
                    if cpu < at {
                        let bound = (at - cpu) / threads.max(1);
                        wake_at(now + bound.clamp(CPU_POLL_MIN, CPU_POLL_MAX));
                        continue;
                    }
                    // Express the CPU expiry on the same footing as a wall one.
                    let late = cpu - at;
                    (now.checked_sub(late).unwrap_or(now), now)
                }
            };
            if next > current {
                wake_at(next);
                continue;
            }
            if t.interval.is_zero() {
                t.next = None;
                t.overrun = 0;
            } else {
                // Periods missed while we were late count as overruns.
                let late = current - next;
                let missed = (late.as_nanos() / t.interval.as_nanos().max(1)) as u32;
                t.overrun = missed;
                let step = t.interval * (missed + 1);
                t.next = match t.next {
                    Some(Next::At(at)) => Some(Next::At(at + step)),
                    Some(Next::Cpu(at)) => Some(Next::Cpu(at + step)),
                    None => None,
                };
            }
            due.push(t.target.clone());
        }
        if due.is_empty() {
            match wake.map(|w| w.saturating_duration_since(now)) {
                Some(d) => drop(svc.changed.wait_timeout(st, d)),
                None => drop(svc.changed.wait(st)),
            }
            continue;
        }
        drop(st);
        let Some(k) = kernel.upgrade() else {
            return;
        };
        for target in due {
            fire(&k, &target);
        }
    }
}

fn fire(kernel: &Kernel, target: &TimerTarget) {
    let (Some(p), Some(info)) = (target.process.upgrade(), target.info) else {
        return;
    };
    match target.thread.as_ref().and_then(|t| t.upgrade()) {
        Some(t) => process::send_to_thread(&kernel.procs, &p, &t, info),
        None => process::send_to_process(&kernel.procs, &p, info),
    }
}
