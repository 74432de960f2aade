//! Priority-inheritance futexes (`FUTEX_LOCK_PI`, `FUTEX_TRYLOCK_PI`, `FUTEX_UNLOCK_PI`).
//!
//! The word holds the owner's tid (0 when free) plus FUTEX_WAITERS and FUTEX_OWNER_DIED, and
//! the kernel hands the lock straight to a waiter on unlock, as Linux does. Every guest thread
//! runs on a host thread of the host's scheduler, so there are no priorities to inherit: the
//! ownership protocol is all that is implemented.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use super::queue::{FutexKey, FutexWaiter};
use super::{locate, FUTEX_OWNER_DIED, FUTEX_TID_MASK, FUTEX_WAITERS};
use crate::errno::{Errno, KResult};
use crate::task::Task;

/// How a `FUTEX_LOCK_PI` attempt went.
enum Attempt {
    /// The caller owns the lock now.
    Acquired,
    /// Held by someone else; FUTEX_WAITERS is set and the caller is queued.
    Queued(Arc<FutexWaiter>),
}

/// One try at taking the PI lock at `key`, queueing the caller when it is held (unless
/// `try_only`: then `EAGAIN`).
fn lock_pi_attempt(task: &Task, key: FutexKey, pa: u64, try_only: bool) -> KResult<Attempt> {
    let phys = task.mm().phys().clone();
    let word = phys.atomic_u32(pa)?;
    let me = task.tid as u32;
    let mut q = task.kernel.futexes.lock();
    loop {
        let v = word.load(Ordering::SeqCst);
        let owner = v & FUTEX_TID_MASK;
        if owner == 0 {
            // Free (perhaps left by a dead owner, whose mark stays for the new owner to see).
            let waiting = q.has_waiters(key);
            let new = me | (v & FUTEX_OWNER_DIED) | if waiting { FUTEX_WAITERS } else { 0 };
            if word
                .compare_exchange(v, new, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return Ok(Attempt::Acquired);
            }
            continue;
        }
        if owner == me {
            return Err(Errno::EDEADLK);
        }
        if try_only {
            return Err(Errno::EAGAIN);
        }
        // The owner must be a thread of the sandbox (a stale or made-up tid is ESRCH).
        if task.kernel.procs.thread(owner as i32).is_none() {
            return Err(Errno::ESRCH);
        }
        if v & FUTEX_WAITERS == 0
            && word
                .compare_exchange(v, v | FUTEX_WAITERS, Ordering::SeqCst, Ordering::SeqCst)
                .is_err()
        {
            continue;
        }
        let w = FutexWaiter::new(task.thread.clone(), vec![key], u32::MAX, true);
        q.enqueue(&w);
        return Ok(Attempt::Queued(w));
    }
}

/// `FUTEX_LOCK_PI`/`FUTEX_TRYLOCK_PI`: takes the lock at `uaddr`, sleeping until the owner
/// hands it over, the deadline (`ETIMEDOUT`) or a signal (`ERESTARTNOINTR`: the call is always
/// restarted, as Linux does).
pub fn lock_pi(
    task: &mut Task,
    uaddr: u64,
    try_only: bool,
    deadline: Option<Instant>,
    private: bool,
) -> KResult<u64> {
    let (key, pa) = locate(task, uaddr, private, true)?;
    let me = task.tid as u32;
    loop {
        let w = match lock_pi_attempt(task, key, pa, try_only)? {
            Attempt::Acquired => return Ok(0),
            Attempt::Queued(w) => w,
        };
        let waiter = task.thread.waiter.clone();
        let owned = |task: &Task| -> KResult<bool> {
            let phys = task.mm().phys().clone();
            Ok(phys.atomic_u32(pa)?.load(Ordering::SeqCst) & FUTEX_TID_MASK == me)
        };
        loop {
            waiter.reset();
            if w.woken().is_some() {
                break;
            }
            let interrupted = task.signal_pending();
            if interrupted || !waiter.wait(deadline) {
                task.kernel.futexes.lock().unqueue(&w);
                if w.woken().is_some() && owned(task)? {
                    return Ok(0);
                }
                return Err(if interrupted {
                    Errno::ERESTARTNOINTR
                } else {
                    Errno::ETIMEDOUT
                });
            }
        }
        // Handed over by `unlock_pi`, or woken because the owner died: in that case the
        // word is free (with FUTEX_OWNER_DIED) and the next attempt takes it.
        if owned(task)? {
            return Ok(0);
        }
    }
}

/// `FUTEX_UNLOCK_PI`: releases the caller's lock at `uaddr`, handing it to the first waiter
/// (`EPERM` if the caller does not own it).
pub fn unlock_pi(task: &Task, uaddr: u64, private: bool) -> KResult<u64> {
    let (key, pa) = locate(task, uaddr, private, true)?;
    let phys = task.mm().phys().clone();
    let word = phys.atomic_u32(pa)?;
    let me = task.tid as u32;
    let mut q = task.kernel.futexes.lock();
    loop {
        let v = word.load(Ordering::SeqCst);
        if v & FUTEX_TID_MASK != me {
            return Err(Errno::EPERM);
        }
        let next = q.first_pi(key);
        let new = match &next {
            // Linux always leaves FUTEX_WAITERS set for the new owner.
            Some(w) => (w.thread.tid() as u32 & FUTEX_TID_MASK) | FUTEX_WAITERS,
            None => 0,
        };
        if word
            .compare_exchange(v, new, Ordering::SeqCst, Ordering::SeqCst)
            .is_err()
        {
            continue;
        }
        if let Some(w) = next {
            // A PI waiter has its one entry on this lock.
            q.wake_waiter(&w, 0);
        }
        return Ok(0);
    }
}

/// A thread is exiting: PI locks it still owns that others wait for are marked
/// FUTEX_OWNER_DIED and freed, and one waiter is woken to take each (Linux's
/// `exit_pi_state_list`), so no waiter sleeps forever on a dead owner.
pub fn exit_pi_locks(task: &Task) {
    let phys = task.mm().phys().clone();
    let me = task.tid as u32;
    let my_mm = Arc::as_ptr(&task.mm) as usize;
    let keys = task.kernel.futexes.lock().pi_keys();
    for key in keys {
        // The address space is locked only while the table is not (the order elsewhere).
        let pa = match key {
            FutexKey::Shared(pa) => pa,
            FutexKey::Private(mm, va) if mm == my_mm => match task.mm().user_phys(va, true) {
                Ok(pa) => pa,
                Err(_) => continue,
            },
            FutexKey::Private(..) => continue,
        };
        let Ok(word) = phys.atomic_u32(pa) else {
            continue;
        };
        let mut q = task.kernel.futexes.lock();
        let released = word.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
            (v & FUTEX_TID_MASK == me).then_some(FUTEX_WAITERS | FUTEX_OWNER_DIED)
        });
        if released.is_ok() {
            q.wake(key, 1, u32::MAX);
        }
    }
}
