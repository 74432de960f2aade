//! Timers that raise signals: `alarm`/`setitimer` and POSIX `timer_create` timers.
//!
//! One host thread per sandbox sleeps until the earliest deadline and sends the signals; it is
//! started on first use and joined when the sandbox ends.

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

struct Timer {
    target: TimerTarget,
    next: Option<Instant>,
    interval: Duration,
    overrun: u32,
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

    /// Creates a disarmed timer; returns its id.
    pub fn create(&self, target: TimerTarget) -> u64 {
        let mut st = self.lock();
        st.next_id += 1;
        let id = st.next_id;
        st.timers.insert(
            id,
            Timer {
                target,
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
        let st = self.lock();
        let t = st.timers.get(&id)?;
        let left = t
            .next
            .map(|n| n.saturating_duration_since(Instant::now()))
            .unwrap_or_default();
        Some((left, t.interval))
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
        {
            let mut st = self.lock();
            let t = st.timers.get_mut(&id)?;
            t.next = (!value.is_zero()).then(|| Instant::now() + value);
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
    loop {
        let Some(svc) = service.upgrade() else {
            return;
        };
        let mut due = Vec::new();
        let mut st = svc.lock();
        if st.stop {
            return;
        }
        let now = Instant::now();
        for t in st.timers.values_mut() {
            let Some(next) = t.next else { continue };
            if next > now {
                continue;
            }
            if t.interval.is_zero() {
                t.next = None;
                t.overrun = 0;
            } else {
                // Periods missed while we were late count as overruns.
                let late = now - next;
                let missed = (late.as_nanos() / t.interval.as_nanos().max(1)) as u32;
                t.overrun = missed;
                t.next = Some(next + t.interval * (missed + 1));
            }
            due.push(t.target.clone());
        }
        let earliest = st.timers.values().filter_map(|t| t.next).min();
        if due.is_empty() {
            let wait = earliest.map(|e| e.saturating_duration_since(now));
            match wait {
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
