//! Futexes: threads sleeping on a 32-bit word of guest memory.
//!
//! As on Linux, a private futex (`FUTEX_PRIVATE_FLAG`, `FUTEX2_PRIVATE`) is keyed by its
//! address space and virtual address, and a shared one by what the memory is: the
//! guest-physical address of its word, which processes sharing a `MAP_SHARED` page have in
//! common (a private copy made by `fork` is a different frame, hence a different futex). The
//! two kinds never match each other, even on the same word. The `futex` syscall and the
//! futex2 calls (`futex_wait`, `futex_waitv`, `futex_wake`, `futex_requeue`) share these
//! queues, so either kind of wake reaches either kind of sleeper.

mod pi;
mod queue;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

pub use pi::{exit_pi_locks, lock_pi, unlock_pi};
pub use queue::FutexTable;
use queue::{FutexKey, FutexWaiter};

use crate::errno::{Errno, KResult};
use crate::task::Task;

/// `FUTEX_WAITERS`.
pub const FUTEX_WAITERS: u32 = 0x8000_0000;
/// `FUTEX_OWNER_DIED`.
pub const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
/// `FUTEX_TID_MASK`.
pub const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// `FUTEX_NO_NODE`: the node word of a `FUTEX2_NUMA` futex before anyone chose a node.
const FUTEX_NO_NODE: u32 = u32::MAX;

/// Where a futex word lies and how it is keyed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FutexAddr {
    /// The word's address.
    pub uaddr: u64,
    /// Keyed by address space and address rather than by the memory.
    pub private: bool,
    /// `FUTEX2_NUMA`: the word is the first of an 8-byte aligned pair whose second word names
    /// the memory node the futex's queue lives on.
    pub numa: bool,
}

impl FutexAddr {
    /// A plain 32-bit futex word (what the `futex` syscall knows).
    pub fn new(uaddr: u64, private: bool) -> FutexAddr {
        FutexAddr {
            uaddr,
            private,
            numa: false,
        }
    }

    /// The bytes the futex spans, which is also its alignment.
    fn size(self) -> u64 {
        if self.numa {
            8
        } else {
            4
        }
    }
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

/// The key of the futex at `addr`, checked in Linux's order (`get_futex_key`): alignment
/// (`EINVAL`), the user address range (`EFAULT`), a NUMA node word, and for a shared futex the
/// page it lies in (`EFAULT` when unmapped). A private key needs no mapping: only waits and
/// compares read the word.
fn key_of(task: &Task, addr: FutexAddr) -> KResult<FutexKey> {
    let size = addr.size();
    if addr.uaddr % size != 0 {
        return Err(Errno::EINVAL);
    }
    if addr
        .uaddr
        .checked_add(size)
        .is_none_or(|end| end > crate::mm::TASK_SIZE)
    {
        return Err(Errno::EFAULT);
    }
    if addr.numa {
        claim_node(task, addr.uaddr + 4)?;
    }
    if addr.private {
        Ok(FutexKey::Private(
            Arc::as_ptr(&task.mm) as usize,
            addr.uaddr,
        ))
    } else {
        Ok(FutexKey::Shared(task.mm().user_phys(addr.uaddr, false)?))
    }
}

/// Checks the node word of a `FUTEX2_NUMA` futex at `naddr`, filling in node 0 when none was
/// chosen yet (`FUTEX_NO_NODE`), as Linux does with the caller's node. The sandbox has one
/// memory node, so any other node is `EINVAL`, and a node changes nothing about the key.
fn claim_node(task: &Task, naddr: u64) -> KResult<()> {
    let mut mm = task.mm();
    match mm.read_val::<u32>(naddr)? {
        0 => Ok(()),
        FUTEX_NO_NODE => mm.write_val(naddr, &0u32),
        _ => Err(Errno::EINVAL),
    }
}

/// The guest-physical address of the word keyed `key` at `addr` (`EFAULT` when unmapped).
fn word_pa(task: &Task, addr: FutexAddr, key: FutexKey) -> KResult<u64> {
    match key {
        FutexKey::Shared(pa) => Ok(pa),
        FutexKey::Private(..) => task.mm().user_phys(addr.uaddr, false),
    }
}

/// Linux's `FUTEX_WAKE` counts are `int`s and such a wake always takes at least one sleeper
/// (`if (++ret >= nr_wake) break`), so 0 and negative counts wake one.
pub fn wake_count(n: u32) -> u32 {
    if (n as i32) <= 0 {
        1
    } else {
        n
    }
}

/// Sleeps on every futex of `words` at once while each word holds its value (`EAGAIN` as soon
/// as one does not, checked in order and all at one instant), until a wake with a bitset
/// meeting `bitset` takes one of them: returns that word's index. Otherwise `ETIMEDOUT` at
/// the deadline or `ERESTARTSYS` on a signal. All keys are checked before any word is read,
/// as `futex_waitv` does: a misaligned or unmapped shared word fails the call even after a
/// word whose value differs, an unmapped private one only when its turn comes.
pub fn wait(
    task: &mut Task,
    words: &[(FutexAddr, u32)],
    bitset: u32,
    deadline: Option<Instant>,
) -> KResult<usize> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let keys = words
        .iter()
        .map(|(addr, _)| key_of(task, *addr))
        .collect::<KResult<Vec<_>>>()?;
    let phys = task.mm().phys().clone();
    let cells: Vec<_> = words
        .iter()
        .zip(&keys)
        .map(|((addr, _), key)| word_pa(task, *addr, *key).and_then(|pa| phys.atomic_u32(pa)))
        .collect();
    let w = FutexWaiter::new(task.thread.clone(), keys, bitset, false);
    {
        let mut q = task.kernel.futexes.lock();
        for ((_, val), cell) in words.iter().zip(&cells) {
            if cell.as_ref().map_err(|e| *e)?.load(Ordering::SeqCst) != *val {
                return Err(Errno::EAGAIN);
            }
        }
        q.enqueue(&w);
    }
    sleep(task, &w, deadline)
}

/// Sleeps until a wake takes `w` (the index of the entry it took), the deadline passes
/// (`ETIMEDOUT`) or a signal arrives (`ERESTARTSYS`); a wake that races with either wins.
fn sleep(task: &mut Task, w: &Arc<FutexWaiter>, deadline: Option<Instant>) -> KResult<usize> {
    let waiter = task.thread.waiter.clone();
    loop {
        waiter.reset();
        if let Some(i) = w.woken() {
            return Ok(i);
        }
        // The deadline is looked at before signals, as Linux looks at its timer first.
        let timed_out = deadline.is_some_and(|d| Instant::now() >= d);
        if timed_out || task.signal_pending() {
            task.kernel.futexes.lock().unqueue(w);
            return match w.woken() {
                Some(i) => Ok(i),
                None if timed_out => Err(Errno::ETIMEDOUT),
                None => Err(Errno::ERESTARTSYS),
            };
        }
        waiter.wait(deadline);
    }
}

/// Wakes up to `n` sleepers of the futex at `addr` (0 wakes none) whose bitset meets
/// `bitset`; returns how many. The word itself is never read.
pub fn wake(task: &Task, addr: FutexAddr, n: u32, bitset: u32) -> KResult<u64> {
    if bitset == 0 {
        return Err(Errno::EINVAL);
    }
    let key = key_of(task, addr)?;
    Ok(task.kernel.futexes.lock().wake(key, n, bitset) as u64)
}

/// `FUTEX_REQUEUE`/`FUTEX_CMP_REQUEUE`/`futex_requeue`: wakes `n_wake` sleepers of `from`
/// and moves up to `n_requeue` more to `to`; with `cmp`, only if `from`'s word still equals
/// it (`EAGAIN`). Negative counts are `EINVAL`.
pub fn requeue(
    task: &Task,
    from: FutexAddr,
    to: FutexAddr,
    n_wake: u32,
    n_requeue: u32,
    cmp: Option<u32>,
) -> KResult<u64> {
    if (n_wake as i32) < 0 || (n_requeue as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let key = key_of(task, from)?;
    let key2 = key_of(task, to)?;
    let phys = task.mm().phys().clone();
    let word = match cmp {
        Some(c) => Some((phys.atomic_u32(word_pa(task, from, key)?)?, c)),
        None => None,
    };
    let mut q = task.kernel.futexes.lock();
    if let Some((word, c)) = word {
        if word.load(Ordering::SeqCst) != c {
            return Err(Errno::EAGAIN);
        }
    }
    Ok(q.requeue(key, key2, n_wake, n_requeue) as u64)
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
    let key = key_of(task, FutexAddr::new(uaddr, private))?;
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
    let mut woken = q.wake(key, wake_count(n1), u32::MAX);
    if pass {
        woken += q.wake(key2, wake_count(n2), u32::MAX);
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
            task.kernel.futexes.lock().wake(key, 1, u32::MAX);
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
