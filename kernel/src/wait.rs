//! Wait queues: how a blocked guest thread learns that what it waits for may have happened.
//!
//! Kernel objects (pipes, sockets, eventfds, epoll instances, futexes, child processes) own a
//! [`WaitQueue`] and call [`WaitQueue::notify`] whenever their readiness may have changed.
//! Blocking operations are written non-blocking (they return `EAGAIN`); the task registers its
//! [`Waiter`] on the queues involved and sleeps until notified, until a signal arrives (signal
//! senders wake the target's waiter too) or until a deadline. `Task::block_on` wraps that loop.
//! This is gVisor's waiter.Queue model.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Instant;

/// Receives readiness notifications from a [`WaitQueue`].
pub trait Wake: Send + Sync {
    /// Called (with the queue's lock not held) when events in `mask` may have happened.
    fn wake(&self, events: u32);
}

struct Entry {
    id: u64,
    mask: u32,
    target: Weak<dyn Wake>,
}

/// A list of parties to notify when an object's readiness changes.
#[derive(Default)]
pub struct WaitQueue {
    entries: Mutex<Vec<Entry>>,
}

/// Removes its registration from the queue when dropped.
pub struct Registration<'a> {
    queue: &'a WaitQueue,
    id: u64,
}

impl Drop for Registration<'_> {
    fn drop(&mut self) {
        self.queue.remove(self.id);
    }
}

fn next_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl WaitQueue {
    /// An empty queue.
    pub fn new() -> WaitQueue {
        WaitQueue::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Registers `target` for events in `mask` until the returned guard is dropped.
    pub fn register(&self, target: &Arc<dyn Wake>, mask: u32) -> Registration<'_> {
        let id = self.add(target, mask);
        Registration { queue: self, id }
    }

    /// Registers `target` for events in `mask` until [`WaitQueue::remove`] with the returned
    /// id (for registrations that outlive a stack frame, such as epoll interests).
    pub fn add(&self, target: &Arc<dyn Wake>, mask: u32) -> u64 {
        let id = next_id();
        self.lock().push(Entry {
            id,
            mask,
            target: Arc::downgrade(target),
        });
        id
    }

    /// Drops the registration `id`.
    pub fn remove(&self, id: u64) {
        self.lock().retain(|e| e.id != id);
    }

    /// Wakes every registered party interested in any of `events`. Call it without holding
    /// the object's own lock: a party (an epoll instance) may poll the object from its wake-up.
    pub fn notify(&self, events: u32) {
        let targets: Vec<Arc<dyn Wake>> = {
            let mut entries = self.lock();
            entries.retain(|e| e.target.strong_count() > 0);
            entries
                .iter()
                .filter(|e| e.mask & events != 0)
                .filter_map(|e| e.target.upgrade())
                .collect()
        };
        for t in targets {
            t.wake(events);
        }
    }

    /// Whether anyone is registered (lets hot paths skip notification work).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// One thread's wake-up flag: set by [`Wake::wake`], consumed by [`Waiter::wait`].
#[derive(Default)]
pub struct Waiter {
    woken: Mutex<bool>,
    cv: Condvar,
    /// Set while the thread sleeps in [`Waiter::wait`] (`/proc` shows it as `S`).
    sleeping: std::sync::atomic::AtomicBool,
}

impl Waiter {
    /// A fresh, un-woken waiter.
    pub fn new() -> Arc<Waiter> {
        Arc::new(Waiter::default())
    }

    fn lock(&self) -> MutexGuard<'_, bool> {
        self.woken.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sets the flag and wakes the sleeping thread, if any.
    pub fn notify(&self) {
        *self.lock() = true;
        self.cv.notify_all();
    }

    /// Clears a pending wake-up (before re-checking the condition it stands for).
    pub fn reset(&self) {
        *self.lock() = false;
    }

    /// Sleeps until notified or until `deadline`; returns false on timeout. A notification
    /// that arrived since the last [`Waiter::reset`] returns at once.
    pub fn wait(&self, deadline: Option<Instant>) -> bool {
        use std::sync::atomic::Ordering::Relaxed;
        self.sleeping.store(true, Relaxed);
        let woke = self.wait_locked(deadline);
        self.sleeping.store(false, Relaxed);
        woke
    }

    /// Whether the thread is asleep in [`Waiter::wait`] now.
    pub fn is_sleeping(&self) -> bool {
        self.sleeping.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn wait_locked(&self, deadline: Option<Instant>) -> bool {
        let mut woken = self.lock();
        loop {
            if *woken {
                *woken = false;
                return true;
            }
            match deadline {
                None => woken = self.cv.wait(woken).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return false;
                    }
                    woken = self
                        .cv
                        .wait_timeout(woken, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
        }
    }
}

impl Wake for Waiter {
    fn wake(&self, _events: u32) {
        self.notify();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn notify_wakes_only_matching_masks() {
        let q = WaitQueue::new();
        let a = Waiter::new();
        let b = Waiter::new();
        let a_dyn: Arc<dyn Wake> = a.clone();
        let b_dyn: Arc<dyn Wake> = b.clone();
        let _ra = q.register(&a_dyn, 1);
        let _rb = q.register(&b_dyn, 4);
        q.notify(1);
        assert!(a.wait(Some(Instant::now())));
        assert!(!b.wait(Some(Instant::now())));
    }

    #[test]
    fn dropped_registration_is_not_woken() {
        let q = WaitQueue::new();
        let a = Waiter::new();
        let a_dyn: Arc<dyn Wake> = a.clone();
        drop(q.register(&a_dyn, !0));
        q.notify(!0);
        assert!(!a.wait(Some(Instant::now() + Duration::from_millis(1))));
        assert!(q.is_empty());
    }

    #[test]
    fn wake_from_another_thread() {
        let a = Waiter::new();
        let a2 = a.clone();
        let t = std::thread::spawn(move || a2.notify());
        assert!(a.wait(None));
        t.join().unwrap();
    }
}
