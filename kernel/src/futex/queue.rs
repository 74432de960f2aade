//! The futex wait queues: which threads sleep on which futex, and the operations that take
//! them off (wake), move them (requeue) or let them leave (timeout, signal).
//!
//! A sleeper is one [`FutexWaiter`] with one queue entry per futex it waits on: one for
//! `futex`/`futex_wait`, up to 128 for `futex_waitv`. It is woken once: the wake that takes
//! one of its entries records that entry's index and removes all its other entries in the
//! same critical section, so it never holds a place in another queue afterwards (and no
//! second wake is spent on it). Linux lets those other entries linger until the sleeper runs
//! and may count a second wake on them; dropping them at once is the same as the sleeper
//! having left before that second wake, which Linux allows too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::process::Thread;

/// What identifies a futex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FutexKey {
    /// Shared: the word's guest-physical address.
    Shared(u64),
    /// Private: the address space (its `Arc` pointer) and the word's virtual address.
    Private(usize, u64),
}

/// `woken` before any wake took the waiter.
const NOT_WOKEN: usize = usize::MAX;

/// A thread sleeping on one or more futexes.
pub struct FutexWaiter {
    /// The sleeping thread (notified on wake; its tid names the new owner of a PI lock).
    pub thread: Arc<Thread>,
    /// Which sleepers a bitset wake takes (`FUTEX_BITSET_MATCH_ANY` for most).
    bitset: u32,
    /// Waiting in `FUTEX_LOCK_PI` (ownership is handed to it on unlock).
    pub pi: bool,
    /// The index of the entry that woke it, or `NOT_WOKEN`; set once, under the table lock.
    woken: AtomicUsize,
    /// The key each entry waits on now (requeue moves entries); changed under the table lock.
    keys: Mutex<Vec<FutexKey>>,
}

impl FutexWaiter {
    /// A waiter for `thread` with one entry per key, in order (not queued yet).
    pub fn new(thread: Arc<Thread>, keys: Vec<FutexKey>, bitset: u32, pi: bool) -> Arc<Self> {
        Arc::new(FutexWaiter {
            thread,
            bitset,
            pi,
            woken: AtomicUsize::new(NOT_WOKEN),
            keys: Mutex::new(keys),
        })
    }

    /// The index of the entry a wake took, once one has.
    pub fn woken(&self) -> Option<usize> {
        match self.woken.load(Ordering::Acquire) {
            NOT_WOKEN => None,
            i => Some(i),
        }
    }

    fn keys(&self) -> MutexGuard<'_, Vec<FutexKey>> {
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One place in a futex's queue: a waiter and which of its entries this is.
struct Entry {
    waiter: Arc<FutexWaiter>,
    index: usize,
}

/// Every futex with sleepers in the sandbox.
#[derive(Default)]
pub struct FutexTable {
    queues: Mutex<Queues>,
}

impl FutexTable {
    /// Locks the queues (taken after, never while holding, an address-space lock).
    pub fn lock(&self) -> MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The queues of all futexes, FIFO each (Linux orders by priority, and every guest thread
/// has the same).
#[derive(Default)]
pub struct Queues {
    map: HashMap<FutexKey, Vec<Entry>>,
}

impl Queues {
    /// Queues every entry of `w` at the end of its key's queue.
    pub fn enqueue(&mut self, w: &Arc<FutexWaiter>) {
        for (index, key) in w.keys().iter().enumerate() {
            self.map.entry(*key).or_default().push(Entry {
                waiter: w.clone(),
                index,
            });
        }
    }

    /// Takes all of `w`'s entries off their queues (it stops waiting).
    pub fn unqueue(&mut self, w: &Arc<FutexWaiter>) {
        let keys = w.keys().clone();
        for key in keys {
            if let Some(list) = self.map.get_mut(&key) {
                list.retain(|e| !Arc::ptr_eq(&e.waiter, w));
                if list.is_empty() {
                    self.map.remove(&key);
                }
            }
        }
    }

    /// Whether anyone sleeps on `key`.
    pub fn has_waiters(&self, key: FutexKey) -> bool {
        self.map.get(&key).is_some_and(|l| !l.is_empty())
    }

    /// The keys on which some `FUTEX_LOCK_PI` waiter sleeps.
    pub fn pi_keys(&self) -> Vec<FutexKey> {
        self.map
            .iter()
            .filter(|(_, l)| l.iter().any(|e| e.waiter.pi))
            .map(|(k, _)| *k)
            .collect()
    }

    /// The first `FUTEX_LOCK_PI` waiter on `key`.
    pub fn first_pi(&self, key: FutexKey) -> Option<Arc<FutexWaiter>> {
        self.map
            .get(&key)?
            .iter()
            .find(|e| e.waiter.pi)
            .map(|e| e.waiter.clone())
    }

    /// Wakes `w` as its entry `index` would be (a PI handoff picks its waiter itself).
    pub fn wake_waiter(&mut self, w: &Arc<FutexWaiter>, index: usize) {
        w.woken.store(index, Ordering::Release);
        self.unqueue(w);
        w.thread.waiter.notify();
    }

    /// Wakes up to `n` sleepers of `key` whose bitset meets `bitset`, first come first;
    /// returns how many.
    pub fn wake(&mut self, key: FutexKey, n: u32, bitset: u32) -> u32 {
        let Some(list) = self.map.get_mut(&key) else {
            return 0;
        };
        let mut taken: Vec<Arc<FutexWaiter>> = Vec::new();
        list.retain(|e| {
            if e.waiter.woken().is_some() {
                // A second entry of a waiter taken a moment ago (it waits twice on one word).
                return false;
            }
            if (taken.len() as u32) < n && e.waiter.bitset & bitset != 0 {
                e.waiter.woken.store(e.index, Ordering::Release);
                taken.push(e.waiter.clone());
                return false;
            }
            true
        });
        if list.is_empty() {
            self.map.remove(&key);
        }
        for w in &taken {
            self.unqueue(w);
            w.thread.waiter.notify();
        }
        taken.len() as u32
    }

    /// Wakes up to `n_wake` sleepers of `from` (0 wakes none) and moves up to `n_requeue` of
    /// the rest to the end of `to`'s queue; returns how many were woken or moved (those that
    /// would be moved count when `from` and `to` are one futex).
    pub fn requeue(&mut self, from: FutexKey, to: FutexKey, n_wake: u32, n_requeue: u32) -> u32 {
        let woken = self.wake(from, n_wake, u32::MAX);
        if from == to {
            let left = self.map.get(&from).map_or(0, |l| l.len());
            return woken + (left as u32).min(n_requeue);
        }
        let Some(list) = self.map.get_mut(&from) else {
            return woken;
        };
        let k = list.len().min(n_requeue as usize);
        let moved: Vec<Entry> = list.drain(..k).collect();
        if list.is_empty() {
            self.map.remove(&from);
        }
        for e in &moved {
            if let Some(slot) = e.waiter.keys().get_mut(e.index) {
                *slot = to;
            }
        }
        let n = moved.len() as u32;
        self.map.entry(to).or_default().extend(moved);
        woken + n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: FutexKey = FutexKey::Private(1, 0x1000);
    const B: FutexKey = FutexKey::Private(1, 0x2000);
    const C: FutexKey = FutexKey::Shared(0x3000);

    fn waiter(keys: &[FutexKey], bitset: u32) -> Arc<FutexWaiter> {
        FutexWaiter::new(Thread::new(1, 0), keys.to_vec(), bitset, false)
    }

    fn len(q: &Queues, key: FutexKey) -> usize {
        q.map.get(&key).map_or(0, |l| l.len())
    }

    #[test]
    fn a_wake_takes_every_entry_of_a_multi_waiter() {
        let mut q = Queues::default();
        let w = waiter(&[A, B, C], u32::MAX);
        q.enqueue(&w);
        assert_eq!((len(&q, A), len(&q, B), len(&q, C)), (1, 1, 1));
        assert_eq!(q.wake(B, 1, u32::MAX), 1);
        assert_eq!(w.woken(), Some(1));
        assert!(q.map.is_empty());
        // Nobody is left to take a second wake.
        assert_eq!(q.wake(A, 1, u32::MAX), 0);
        assert_eq!(w.woken(), Some(1));
    }

    #[test]
    fn a_woken_multi_waiter_leaves_room_for_the_next_one() {
        let mut q = Queues::default();
        let first = waiter(&[A, B], u32::MAX);
        let second = waiter(&[B], u32::MAX);
        q.enqueue(&first);
        q.enqueue(&second);
        assert_eq!(q.wake(A, 1, u32::MAX), 1);
        assert_eq!(q.wake(B, 1, u32::MAX), 1);
        assert_eq!(first.woken(), Some(0));
        assert_eq!(second.woken(), Some(0));
    }

    #[test]
    fn one_waiter_twice_on_a_word_counts_once() {
        let mut q = Queues::default();
        let w = waiter(&[A, A], u32::MAX);
        let other = waiter(&[A], u32::MAX);
        q.enqueue(&w);
        q.enqueue(&other);
        assert_eq!(q.wake(A, 2, u32::MAX), 2);
        assert_eq!(w.woken(), Some(0));
        assert_eq!(other.woken(), Some(0));
        assert!(q.map.is_empty());
    }

    #[test]
    fn wake_honours_count_and_bitset_in_fifo_order() {
        let mut q = Queues::default();
        let odd = waiter(&[A], 1);
        let even = waiter(&[A], 2);
        let any = waiter(&[A], u32::MAX);
        for w in [&odd, &even, &any] {
            q.enqueue(w);
        }
        assert_eq!(q.wake(A, 1, 2), 1);
        assert_eq!(even.woken(), Some(0));
        assert_eq!(odd.woken(), None);
        assert_eq!(q.wake(A, 0, u32::MAX), 0);
        assert_eq!(q.wake(A, 5, u32::MAX), 2);
        assert!(odd.woken().is_some() && any.woken().is_some());
    }

    #[test]
    fn requeue_moves_one_entry_and_a_wake_there_reports_its_index() {
        let mut q = Queues::default();
        let w = waiter(&[B, A], u32::MAX);
        q.enqueue(&w);
        assert_eq!(q.requeue(A, C, 0, 1), 1);
        assert_eq!((len(&q, A), len(&q, B), len(&q, C)), (0, 1, 1));
        assert_eq!(q.wake(C, 1, u32::MAX), 1);
        assert_eq!(w.woken(), Some(1));
        assert!(q.map.is_empty());
    }

    #[test]
    fn requeue_wakes_first_then_moves_the_next() {
        let mut q = Queues::default();
        let ws: Vec<_> = (0..4).map(|_| waiter(&[A], u32::MAX)).collect();
        ws.iter().for_each(|w| q.enqueue(w));
        assert_eq!(q.requeue(A, B, 1, 2), 3);
        assert_eq!(ws[0].woken(), Some(0));
        assert_eq!((len(&q, A), len(&q, B)), (1, 2));
        // Onto the same futex nothing moves, but the would-be moved still count.
        assert_eq!(q.requeue(B, B, 0, 5), 2);
        assert_eq!(q.wake(B, 1, u32::MAX), 1);
        assert_eq!(ws[1].woken(), Some(0));
        assert_eq!(ws[2].woken(), None);
    }

    #[test]
    fn unqueue_after_requeue_leaves_nothing_behind() {
        let mut q = Queues::default();
        let w = waiter(&[A, B], u32::MAX);
        q.enqueue(&w);
        q.requeue(A, C, 0, 1);
        q.unqueue(&w);
        assert!(q.map.is_empty());
        assert_eq!(w.woken(), None);
    }
}
