//! Futexes: threads sleeping on a 32-bit word of guest memory.
//!
//! As on Linux, a private futex (`FUTEX_PRIVATE_FLAG`) is keyed by its address space and
//! virtual address, and a shared one by what the memory is: the guest-physical address of its
//! word, which processes sharing a `MAP_SHARED` page have in common (a private copy made by
//! `fork` is a different frame, hence a different futex). The two kinds never match each
//! other, even on the same word.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use crate::errno::{Errno, KResult};
use crate::process::Thread;
use crate::task::Task;

/// `FUTEX_WAITERS`.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// `FUTEX_OWNER_DIED`.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// `FUTEX_TID_MASK`.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// What identifies a futex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum FutexKey {
    /// Shared: the word's guest-physical address.
    Shared(u64),
    /// Private: the address space (its `Arc` pointer) and the word's virtual address.
    Private(usize, u64),
}

type Queues = HashMap<FutexKey, Vec<Arc<FutexWaiter>>>;

struct FutexWaiter {
    /// The key it waits on now (requeue moves it).
    key: Mutex<FutexKey>,
    bitset: u32,
    woken: AtomicBool,
    thread: Arc<Thread>,
    /// Waiting in `FUTEX_LOCK_PI` (ownership is handed to it on unlock).
    pi: bool,
}

/// Every futex with sleepers in the sandbox.
#[derive(Default)]
pub struct FutexTable {
    queues: Mutex<Queues>,
}

impl FutexTable {
    fn lock(&self) -> MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remove(&self, w: &Arc<FutexWaiter>) {
        let mut q = self.lock();
        let key = w.key();
        if let Some(list) = q.get_mut(&key) {
            list.retain(|x| !Arc::ptr_eq(x, w));
            if list.is_empty() {
                q.remove(&key);
            }
        }
    }
}

impl FutexWaiter {
    fn key(&self) -> FutexKey {
        *self.key.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Wakes up to `n` sleepers of `key` whose bitset matches; returns how many.
fn wake_key(q: &mut Queues, key: FutexKey, n: u32, bitset: u32) -> u32 {
    let Some(list) = q.get_mut(&key) else {
        return 0;
    };
    let mut woken = 0;
    list.retain(|w| {
        if woken < n && w.bitset & bitset != 0 {
            woken += 1;
            w.woken.store(true, Ordering::Release);
            w.thread.waiter.notify();
            false
        } else {
            true
        }
    });
    if list.is_empty() {
        q.remove(&key);
    }
    woken
}

/// The futex word at `uaddr` (4-byte aligned, mapped): its key and guest-physical address.
fn locate(task: &Task, uaddr: u64, private: bool, write: bool) -> KResult<(FutexKey, u64)> {
    if uaddr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    let pa = task.mm().user_phys(uaddr, write)?;
    let key = if private {
        FutexKey::Private(Arc::as_ptr(&task.mm) as usize, uaddr)
    } else {
        FutexKey::Shared(pa)
    };
    Ok((key, pa))
}

/// The key of the futex at `uaddr` for a call that never touches the word (a wake): a
/// private key needs no mapping there, as on Linux.
fn key_only(task: &Task, uaddr: u64, private: bool) -> KResult<FutexKey> {
    if uaddr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    if !private {
        return locate(task, uaddr, false, false).map(|(k, _)| k);
    }
    if uaddr
        .checked_add(4)
        .is_none_or(|end| end > crate::mm::TASK_SIZE)
    {
        return Err(Errno::EFAULT);
    }
    Ok(FutexKey::Private(Arc::as_ptr(&task.mm) as usize, uaddr))
}

/// Linux's wake counts are `int`s and a wake always takes at least one sleeper
/// (`if (++ret >= nr_wake) break`), so 0 and negative counts wake one.
fn wake_count(n: u32) -> u32 {
    if (n as i32) <= 0 {
        1
    } else {
        n
    }
}

/// `FUTEX_WAIT`/`FUTEX_WAIT_BITSET`: sleeps while the word equals `val`, until woken (0),
/// the deadline (`ETIMEDOUT`) or a signal (`ERESTARTSYS`); `EAGAIN` if the word differs.
pub fn wait(
    task: &mut Task,
    uaddr: u64,
    val: u32,
    bitset: u32,
    deadline: Option<Instant>,
    private: bool,
) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let (key, pa) = locate(task, uaddr, private, false)?;
    let phys = task.mm().phys().clone();
    let word = phys.atomic_u32(pa)?;
    let table = &task.kernel.futexes;
    let w = Arc::new(FutexWaiter {
        key: Mutex::new(key),
        bitset,
        woken: AtomicBool::new(false),
        thread: task.thread.clone(),
        pi: false,
    });
    {
        let mut q = table.lock();
        if word.load(Ordering::SeqCst) != val {
            return Err(Errno::EAGAIN);
        }
        q.entry(key).or_default().push(w.clone());
    }
    let waiter = task.thread.waiter.clone();
    loop {
        waiter.reset();
        if w.woken.load(Ordering::Acquire) {
            return Ok(0);
        }
        if task.signal_pending() || task.thread.must_exit.load(Ordering::Acquire) {
            table.remove(&w);
            return if w.woken.load(Ordering::Acquire) {
                Ok(0)
            } else {
                Err(Errno::ERESTARTSYS)
            };
        }
        if !waiter.wait(deadline) {
            table.remove(&w);
            return if w.woken.load(Ordering::Acquire) {
                Ok(0)
            } else {
                Err(Errno::ETIMEDOUT)
            };
        }
    }
}

/// `FUTEX_WAKE`/`FUTEX_WAKE_BITSET`: wakes up to `n` sleepers; returns how many.
pub fn wake(task: &Task, uaddr: u64, n: u32, bitset: u32, private: bool) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let key = key_only(task, uaddr, private)?;
    let mut q = task.kernel.futexes.lock();
    Ok(wake_key(&mut q, key, wake_count(n), bitset) as u64)
}

/// `FUTEX_REQUEUE`/`FUTEX_CMP_REQUEUE`: wakes `n_wake` sleepers of `uaddr` and moves up to
/// `n_requeue` more to `uaddr2`; with `cmp`, only if the word still equals it (`EAGAIN`).
/// Negative counts are `EINVAL`.
pub fn requeue(
    task: &Task,
    uaddr: u64,
    n_wake: u32,
    n_requeue: u32,
    uaddr2: u64,
    cmp: Option<u32>,
    private: bool,
) -> KResult<u64> {
    if (n_wake as i32) < 0 || (n_requeue as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let (key, pa) = locate(task, uaddr, private, false)?;
    let (key2, _) = locate(task, uaddr2, private, false)?;
    let phys = task.mm().phys().clone();
    let mut q = task.kernel.futexes.lock();
    if let Some(c) = cmp {
        if phys.atomic_u32(pa)?.load(Ordering::SeqCst) != c {
            return Err(Errno::EAGAIN);
        }
    }
    let woken = wake_key(&mut q, key, n_wake, u32::MAX);
    let mut moved = 0;
    if key != key2 {
        let mut taken = Vec::new();
        if let Some(list) = q.get_mut(&key) {
            while moved < n_requeue && !list.is_empty() {
                let w = list.remove(0);
                *w.key.lock().unwrap_or_else(|e| e.into_inner()) = key2;
                taken.push(w);
                moved += 1;
            }
            if list.is_empty() {
                q.remove(&key);
            }
        }
        q.entry(key2).or_default().extend(taken);
    } else {
        moved = q.get(&key).map_or(0, |l| (l.len() as u32).min(n_requeue));
    }
    Ok((woken + moved) as u64)
}

/// `FUTEX_WAKE_OP`: atomically applies the encoded operation to `*uaddr2`, wakes `n1`
/// sleepers of `uaddr`, and `n2` of `uaddr2` if the old value passes the encoded comparison.
pub fn wake_op(
    task: &Task,
    uaddr: u64,
    n1: u32,
    uaddr2: u64,
    n2: u32,
    op: u32,
    private: bool,
) -> KResult<u64> {
    let key = key_only(task, uaddr, private)?;
    let (key2, pa2) = locate(task, uaddr2, private, true)?;
    let phys = task.mm().phys().clone();
    let word = phys.atomic_u32(pa2)?;
    let sext12 = |v: u32| ((v << 20) as i32 >> 20) as u32;
    let kind = (op >> 28) & 7;
    let cmp = (op >> 24) & 15;
    let mut oparg = sext12((op >> 12) & 0xfff);
    let cmparg = sext12(op & 0xfff);
    if (op >> 28) & 8 != 0 {
        // Linux masks an out-of-range shift (and logs it) rather than failing.
        oparg = 1 << (oparg & 31);
    }
    let apply = |old: u32| -> Option<u32> {
        Some(match kind {
            0 => oparg,
            1 => old.wrapping_add(oparg),
            2 => old | oparg,
            3 => old & !oparg,
            4 => old ^ oparg,
            _ => return None,
        })
    };
    // An unknown operation is refused before the word is touched; an unknown comparison
    // only after the operation was applied, as Linux does.
    if apply(0).is_none() {
        return Err(Errno::ENOSYS);
    }
    let mut q = task.kernel.futexes.lock();
    let old = match word.fetch_update(Ordering::SeqCst, Ordering::SeqCst, apply) {
        Ok(v) | Err(v) => v,
    };
    if cmp > 5 {
        return Err(Errno::ENOSYS);
    }
    let (a, b) = (old as i32, cmparg as i32);
    let pass = match cmp {
        0 => a == b,
        1 => a != b,
        2 => a < b,
        3 => a <= b,
        4 => a > b,
        _ => a >= b,
    };
    let mut woken = wake_key(&mut q, key, wake_count(n1), u32::MAX);
    if pass {
        woken += wake_key(&mut q, key2, wake_count(n2), u32::MAX);
    }
    Ok(woken as u64)
}

/// Marks one robust futex owned by the dying thread as `FUTEX_OWNER_DIED` and wakes a waiter.
fn handle_dead_owner(task: &Task, uaddr: u64, tid: u32) {
    // Linux wakes robust futexes with a shared key (glibc's robust mutexes wait shared).
    let Ok((key, pa)) = locate(task, uaddr, false, true) else {
        return;
    };
    let phys = task.mm().phys().clone();
    let Ok(word) = phys.atomic_u32(pa) else {
        return;
    };
    let update = word.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| {
        (v & FUTEX_TID_MASK == tid).then_some((v & FUTEX_WAITERS) | FUTEX_OWNER_DIED)
    });
    if let Ok(old) = update {
        if old & FUTEX_WAITERS != 0 {
            let mut q = task.kernel.futexes.lock();
            wake_key(&mut q, key, 1, u32::MAX);
        }
    }
}

/// Walks the thread's robust list at exit (`set_robust_list`), releasing every lock it held.
pub fn exit_robust_list(task: &mut Task) {
    const ROBUST_LIST_LIMIT: usize = 2048;
    let head = task.thread.robust_list();
    if head == 0 {
        return;
    }
    let tid = task.tid as u32;
    let read = |task: &Task, addr: u64| task.mm().read_val::<u64>(addr).ok();
    let Some(mut entry) = read(task, head) else {
        return;
    };
    let Some(offset) = read(task, head + 8) else {
        return;
    };
    let pending = read(task, head + 16).unwrap_or(0);
    let mut seen = 0;
    while entry & !1 != head && entry != 0 && seen < ROBUST_LIST_LIMIT {
        let e = entry & !1;
        let next = read(task, e);
        if e != pending & !1 {
            handle_dead_owner(task, e.wrapping_add(offset), tid);
        }
        match next {
            Some(n) => entry = n,
            None => break,
        }
        seen += 1;
    }
    if pending & !1 != 0 {
        handle_dead_owner(task, (pending & !1).wrapping_add(offset), tid);
    }
}

// ---- priority-inheritance futexes ---------------------------------------------------------
//
// The word holds the owner's tid (0 when free) plus FUTEX_WAITERS and FUTEX_OWNER_DIED, and
// the kernel hands the lock straight to a waiter on unlock, as Linux does. Every guest thread
// runs on a host thread of the host's scheduler, so there are no priorities to inherit: the
// ownership protocol is all that is implemented.

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
            let waiting = q.get(&key).is_some_and(|l| !l.is_empty());
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
        let w = Arc::new(FutexWaiter {
            key: Mutex::new(key),
            bitset: u32::MAX,
            woken: AtomicBool::new(false),
            thread: task.thread.clone(),
            pi: true,
        });
        q.entry(key).or_default().push(w.clone());
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
    let table = &task.kernel.futexes;
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
            if w.woken.load(Ordering::Acquire) {
                break;
            }
            if task.signal_pending() || task.thread.must_exit.load(Ordering::Acquire) {
                table.remove(&w);
                if w.woken.load(Ordering::Acquire) && owned(task)? {
                    return Ok(0);
                }
                return Err(Errno::ERESTARTNOINTR);
            }
            if !waiter.wait(deadline) {
                table.remove(&w);
                if w.woken.load(Ordering::Acquire) && owned(task)? {
                    return Ok(0);
                }
                return Err(Errno::ETIMEDOUT);
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
        let next = q
            .get(&key)
            .and_then(|l| l.iter().position(|w| w.pi).map(|i| l[i].clone()));
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
            if let Some(list) = q.get_mut(&key) {
                list.retain(|x| !Arc::ptr_eq(x, &w));
                if list.is_empty() {
                    q.remove(&key);
                }
            }
            w.woken.store(true, Ordering::Release);
            w.thread.waiter.notify();
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
    let keys: Vec<FutexKey> = task
        .kernel
        .futexes
        .lock()
        .iter()
        .filter(|(_, l)| l.iter().any(|w| w.pi))
        .map(|(k, _)| *k)
        .collect();
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
            wake_key(&mut q, key, 1, u32::MAX);
        }
    }
}
