//! Futexes: threads sleeping on a 32-bit word of guest memory.
//!
//! A futex is keyed by the guest-physical address of its word. Threads of one process see the
//! same frame for a private futex, and processes sharing a `MAP_SHARED` page see the same frame
//! for a shared one, so one key serves both kinds (a private copy made by `fork` is a different
//! frame, hence a different futex, as on Linux).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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

struct FutexWaiter {
    /// The key it waits on now (requeue moves it).
    key: AtomicU64,
    bitset: u32,
    woken: AtomicBool,
    thread: Arc<Thread>,
}

/// Every futex with sleepers in the sandbox.
#[derive(Default)]
pub struct FutexTable {
    queues: Mutex<HashMap<u64, Vec<Arc<FutexWaiter>>>>,
}

impl FutexTable {
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, Vec<Arc<FutexWaiter>>>> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn remove(&self, w: &Arc<FutexWaiter>) {
        let mut q = self.lock();
        let key = w.key.load(Ordering::Relaxed);
        if let Some(list) = q.get_mut(&key) {
            list.retain(|x| !Arc::ptr_eq(x, w));
            if list.is_empty() {
                q.remove(&key);
            }
        }
    }
}

/// Wakes up to `n` sleepers of `key` whose bitset matches; returns how many.
fn wake_key(q: &mut HashMap<u64, Vec<Arc<FutexWaiter>>>, key: u64, n: u32, bitset: u32) -> u32 {
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

/// The key of the futex word at `uaddr` (4-byte aligned, mapped).
fn key_of(task: &Task, uaddr: u64, write: bool) -> KResult<u64> {
    if uaddr % 4 != 0 {
        return Err(Errno::EINVAL);
    }
    task.mm().user_phys(uaddr, write)
}

/// `FUTEX_WAIT`/`FUTEX_WAIT_BITSET`: sleeps while the word equals `val`, until woken (0),
/// the deadline (`ETIMEDOUT`) or a signal (`ERESTARTSYS`); `EAGAIN` if the word differs.
pub fn wait(
    task: &mut Task,
    uaddr: u64,
    val: u32,
    bitset: u32,
    deadline: Option<Instant>,
) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let key = key_of(task, uaddr, false)?;
    let phys = task.mm().phys().clone();
    let word = phys.atomic_u32(key)?;
    let table = &task.kernel.futexes;
    let w = Arc::new(FutexWaiter {
        key: AtomicU64::new(key),
        bitset,
        woken: AtomicBool::new(false),
        thread: task.thread.clone(),
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
pub fn wake(task: &Task, uaddr: u64, n: u32, bitset: u32, _private: bool) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let key = key_of(task, uaddr, false)?;
    let mut q = task.kernel.futexes.lock();
    Ok(wake_key(&mut q, key, n, bitset) as u64)
}

/// `FUTEX_REQUEUE`/`FUTEX_CMP_REQUEUE`: wakes `n_wake` sleepers of `uaddr` and moves up to
/// `n_requeue` more to `uaddr2`; with `cmp`, only if the word still equals it (`EAGAIN`).
pub fn requeue(
    task: &Task,
    uaddr: u64,
    n_wake: u32,
    n_requeue: u32,
    uaddr2: u64,
    cmp: Option<u32>,
) -> KResult<u64> {
    let key = key_of(task, uaddr, false)?;
    let key2 = key_of(task, uaddr2, false)?;
    let phys = task.mm().phys().clone();
    let mut q = task.kernel.futexes.lock();
    if let Some(c) = cmp {
        if phys.atomic_u32(key)?.load(Ordering::SeqCst) != c {
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
                w.key.store(key2, Ordering::Relaxed);
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
pub fn wake_op(task: &Task, uaddr: u64, n1: u32, uaddr2: u64, n2: u32, op: u32) -> KResult<u64> {
    let key = key_of(task, uaddr, false)?;
    let key2 = key_of(task, uaddr2, true)?;
    let phys = task.mm().phys().clone();
    let word = phys.atomic_u32(key2)?;
    let sext12 = |v: u32| ((v << 20) as i32 >> 20) as u32;
    let kind = (op >> 28) & 7;
    let cmp = (op >> 24) & 15;
    let mut oparg = sext12((op >> 12) & 0xfff);
    let cmparg = sext12(op & 0xfff);
    if (op >> 28) & 8 != 0 {
        if oparg > 31 {
            return Err(Errno::EINVAL);
        }
        oparg = 1 << oparg;
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
    if apply(0).is_none() || cmp > 5 {
        return Err(Errno::ENOSYS);
    }
    let mut q = task.kernel.futexes.lock();
    let old = match word.fetch_update(Ordering::SeqCst, Ordering::SeqCst, apply) {
        Ok(v) | Err(v) => v,
    };
    let (a, b) = (old as i32, cmparg as i32);
    let pass = match cmp {
        0 => a == b,
        1 => a != b,
        2 => a < b,
        3 => a <= b,
        4 => a > b,
        _ => a >= b,
    };
    let mut woken = wake_key(&mut q, key, n1, u32::MAX);
    if pass {
        woken += wake_key(&mut q, key2, n2, u32::MAX);
    }
    Ok(woken as u64)
}

/// Marks one robust futex owned by the dying thread as `FUTEX_OWNER_DIED` and wakes a waiter.
fn handle_dead_owner(task: &Task, uaddr: u64, tid: u32) {
    let Ok(key) = key_of(task, uaddr, true) else {
        return;
    };
    let phys = task.mm().phys().clone();
    let Ok(word) = phys.atomic_u32(key) else {
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
    let head = std::mem::take(&mut task.robust_list);
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
