//! System V semaphore sets: `semop`'s atomic operation arrays, blocking waits and the
//! per-process undo lists (`SEM_UNDO`) applied when a process exits.
//!
//! A waiting `semop` sleeps on the set's wait queue and retries the whole array whenever the
//! set changes (gVisor's model); while it sleeps it is recorded with the operation that
//! blocked it, which is what `GETNCNT`/`GETZCNT` count (Linux since 4.1, as POSIX says). The
//! undo adjustments live in the set, keyed by undo list, so that `SETVAL`/`SETALL` and
//! `IPC_RMID` clear them under the set's lock; an [`UndoList`] only knows its sets.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use super::{ipcget, lock, Budget, Caller, Perm, Registry, ACC_READ, ACC_WRITE};
use crate::errno::{Errno, KResult};
use crate::mm::Charge;
use crate::task::Task;
use crate::wait::WaitQueue;

/// `SEMMNI`: the most sets.
pub const SEMMNI: usize = 32000;
/// `SEMMSL`: the most semaphores in a set.
pub const SEMMSL: usize = 32000;
/// `SEMMNS`: the most semaphores in all sets.
pub const SEMMNS: usize = SEMMNI * SEMMSL;
/// `SEMOPM`: the most operations in one `semop`.
pub const SEMOPM: usize = 500;
/// `SEMVMX`: the largest semaphore value.
pub const SEMVMX: i32 = 32767;
/// `SEMAEM`: the largest undo adjustment.
pub const SEMAEM: i32 = SEMVMX;
/// `SEM_UNDO` in an operation's flags.
pub const SEM_UNDO: i16 = 0x1000;
/// `IPC_NOWAIT` in an operation's flags.
const NOWAIT: i16 = super::IPC_NOWAIT as i16;

/// One operation of a `semop` array (`struct sembuf`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SemBuf {
    /// The semaphore's index.
    pub num: u16,
    /// What to add (negative: wait to take; zero: wait for zero).
    pub op: i16,
    /// `IPC_NOWAIT`, `SEM_UNDO`.
    pub flg: i16,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

/// A waiting operation: who, on which semaphore, waiting for zero or for an increase.
struct Waiting {
    id: u64,
    num: usize,
    zero: bool,
}

struct SemState {
    vals: Vec<i32>,
    pids: Vec<i32>,
    otime: i64,
    ctime: i64,
    removed: bool,
    /// Undo adjustments, one per undo list that has used the set.
    undos: Vec<Undo>,
    waiting: Vec<Waiting>,
}

/// One undo list's adjustments to a set.
struct Undo {
    list: u64,
    adj: Vec<i32>,
    /// What `adj` costs the sandbox's memory.
    _charge: Option<Charge>,
}

impl SemState {
    fn adj_mut(&mut self, list: u64) -> Option<&mut Vec<i32>> {
        self.undos
            .iter_mut()
            .find(|u| u.list == list)
            .map(|u| &mut u.adj)
    }
}

/// What a set's bookkeeping costs beyond its values (charged with them).
const SET_OVERHEAD: u64 = 256;

/// One semaphore set.
pub struct SemSet {
    nsems: usize,
    /// What the set's values cost the sandbox's memory.
    _charge: Option<Charge>,
    state: Mutex<SemState>,
    /// Notified whenever values change or the set is removed.
    pub queue: WaitQueue,
}

/// What `IPC_STAT` reports of a set.
#[derive(Clone, Copy, Debug, Default)]
pub struct SemStat {
    /// Owner, mode and key.
    pub perm: Perm,
    /// Last successful `semop`.
    pub otime: i64,
    /// Last change.
    pub ctime: i64,
    /// Semaphores in the set.
    pub nsems: u64,
}

/// What one attempt at an operation array came to.
enum Attempt {
    Done,
    /// Blocked on an operation with `IPC_NOWAIT`.
    WouldBlock,
    /// Blocked: wait and retry.
    Wait,
}

impl SemSet {
    fn new(nsems: usize, now: i64, charge: Option<Charge>) -> SemSet {
        SemSet {
            nsems,
            _charge: charge,
            state: Mutex::new(SemState {
                vals: vec![0; nsems],
                pids: vec![0; nsems],
                otime: 0,
                ctime: now,
                removed: false,
                undos: Vec::new(),
                waiting: Vec::new(),
            }),
            queue: WaitQueue::new(),
        }
    }

    /// How many semaphores the set has.
    pub fn nsems(&self) -> usize {
        self.nsems
    }

    fn live(&self) -> KResult<std::sync::MutexGuard<'_, SemState>> {
        let st = lock(&self.state);
        if st.removed {
            return Err(Errno::EIDRM);
        }
        Ok(st)
    }

    /// One attempt at `sops`, all or nothing (Linux's `perform_atomic_semop`): `ERANGE` when
    /// a value or an adjustment would leave its range, in array order with the blocking
    /// checks. `waiter` records the blocking operation for `GETNCNT`/`GETZCNT`.
    fn attempt(
        &self,
        sops: &[SemBuf],
        undo: Option<u64>,
        waiter: u64,
        c: &Caller,
    ) -> KResult<Attempt> {
        let mut st = self.live()?;
        let st = &mut *st;
        let mut adj = match undo {
            Some(list) => st.adj_mut(list).map(std::mem::take),
            None => None,
        };
        let mut done = 0;
        let mut outcome = Ok(Attempt::Done);
        for sop in sops {
            let n = usize::from(sop.num);
            let op = i32::from(sop.op);
            let v = st.vals[n];
            if (op == 0 && v != 0) || v + op < 0 {
                outcome = Ok(if sop.flg & NOWAIT != 0 {
                    Attempt::WouldBlock
                } else {
                    match st.waiting.iter_mut().find(|w| w.id == waiter) {
                        Some(w) => (w.num, w.zero) = (n, op == 0),
                        None => st.waiting.push(Waiting {
                            id: waiter,
                            num: n,
                            zero: op == 0,
                        }),
                    }
                    Attempt::Wait
                });
                break;
            }
            if v + op > SEMVMX {
                outcome = Err(Errno::ERANGE);
                break;
            }
            if sop.flg & SEM_UNDO != 0 {
                if let Some(a) = adj.as_mut() {
                    let u = a[n] - op;
                    if !(-SEMAEM - 1..=SEMAEM).contains(&u) {
                        outcome = Err(Errno::ERANGE);
                        break;
                    }
                    a[n] = u;
                }
            }
            st.vals[n] = v + op;
            done += 1;
        }
        if !matches!(outcome, Ok(Attempt::Done)) {
            // Roll back in reverse, so repeated semaphores come back right.
            for sop in sops[..done].iter().rev() {
                let n = usize::from(sop.num);
                st.vals[n] -= i32::from(sop.op);
                if let (true, Some(a)) = (sop.flg & SEM_UNDO != 0, adj.as_mut()) {
                    a[n] += i32::from(sop.op);
                }
            }
        } else {
            for sop in sops {
                st.pids[usize::from(sop.num)] = c.pid;
            }
            st.otime = c.now;
        }
        if let (Some(list), Some(a)) = (undo, adj) {
            if let Some(slot) = st.adj_mut(list) {
                *slot = a;
            }
        }
        outcome
    }

    fn forget_waiter(&self, waiter: u64) {
        lock(&self.state).waiting.retain(|w| w.id != waiter);
    }

    /// `GETVAL`.
    pub fn value(&self, num: usize) -> KResult<i32> {
        Ok(self.live()?.vals[num])
    }

    /// `GETPID`.
    pub fn pid(&self, num: usize) -> KResult<i32> {
        Ok(self.live()?.pids[num])
    }

    /// `GETNCNT` (`zero` false) or `GETZCNT` (`zero` true).
    pub fn waiting(&self, num: usize, zero: bool) -> KResult<i32> {
        let st = self.live()?;
        Ok(st
            .waiting
            .iter()
            .filter(|w| w.num == num && w.zero == zero)
            .count() as i32)
    }

    /// `GETALL`.
    pub fn values(&self) -> KResult<Vec<u16>> {
        Ok(self.live()?.vals.iter().map(|&v| v as u16).collect())
    }

    /// `SETVAL`: sets one value (0..=`SEMVMX`, checked by the caller), clearing every undo
    /// adjustment for it, and wakes the waiters.
    pub fn set_value(&self, num: usize, val: i32, c: &Caller) -> KResult<()> {
        {
            let mut st = self.live()?;
            for u in st.undos.iter_mut() {
                u.adj[num] = 0;
            }
            st.vals[num] = val;
            st.pids[num] = c.pid;
            st.ctime = c.now;
        }
        self.queue.notify(!0);
        Ok(())
    }

    /// `SETALL`: sets every value (`ERANGE` past `SEMVMX`), clearing all adjustments.
    pub fn set_values(&self, vals: &[u16], c: &Caller) -> KResult<()> {
        if vals.iter().any(|&v| i32::from(v) > SEMVMX) {
            return Err(Errno::ERANGE);
        }
        {
            let mut st = self.live()?;
            for u in st.undos.iter_mut() {
                u.adj.iter_mut().for_each(|x| *x = 0);
            }
            for (i, &v) in vals.iter().enumerate().take(self.nsems) {
                st.vals[i] = i32::from(v);
                st.pids[i] = c.pid;
            }
            st.ctime = c.now;
        }
        self.queue.notify(!0);
        Ok(())
    }

    /// The set's `IPC_STAT` with `perm`.
    pub fn stat(&self, perm: Perm) -> SemStat {
        let st = lock(&self.state);
        SemStat {
            perm,
            otime: st.otime,
            ctime: st.ctime,
            nsems: self.nsems as u64,
        }
    }

    /// Marks the set removed: its waiters fail with `EIDRM`, its adjustments are dropped.
    fn destroy(&self) {
        {
            let mut st = lock(&self.state);
            st.removed = true;
            st.undos.clear();
        }
        self.queue.notify(!0);
    }

    /// Applies and drops undo list `list`'s adjustments (its last process exited).
    fn apply_undo(&self, list: u64, pid: i32) {
        {
            let mut st = lock(&self.state);
            let Some(pos) = st.undos.iter().position(|u| u.list == list) else {
                return;
            };
            let undo = st.undos.swap_remove(pos);
            for (i, &a) in undo.adj.iter().enumerate() {
                if a != 0 {
                    st.vals[i] = (st.vals[i] + a).clamp(0, SEMVMX);
                    st.pids[i] = pid;
                }
            }
        }
        self.queue.notify(!0);
    }
}

/// A `SEM_UNDO` list: shared by the threads of a process and by processes cloned with
/// `CLONE_SYSVSEM`; applied when its last user exits.
pub struct UndoList {
    id: u64,
    users: AtomicUsize,
    sets: Mutex<Vec<Weak<SemSet>>>,
}

impl UndoList {
    /// A list with one user.
    pub fn new() -> Arc<UndoList> {
        Arc::new(UndoList {
            id: next_id(),
            users: AtomicUsize::new(1),
            sets: Mutex::new(Vec::new()),
        })
    }

    /// Another process shares the list (`CLONE_SYSVSEM`).
    pub fn share(self: &Arc<Self>) -> Arc<UndoList> {
        self.users.fetch_add(1, Ordering::AcqRel);
        self.clone()
    }

    /// A user is done with the list (exit, `unshare(CLONE_SYSVSEM)`): the last one applies
    /// the adjustments, recording `pid` as the last to change the semaphores.
    pub fn release(&self, pid: i32) {
        if self.users.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        let sets = std::mem::take(&mut *lock(&self.sets));
        for s in sets.iter().filter_map(Weak::upgrade) {
            s.apply_undo(self.id, pid);
        }
    }

    /// Makes sure `set` has an adjustment entry for this list.
    fn enroll(&self, set: &Arc<SemSet>, budget: &Budget) -> KResult<()> {
        {
            let mut st = set.live()?;
            if st.adj_mut(self.id).is_none() {
                let n = set.nsems;
                let charge = budget.charge(n as u64 * 4 + 64)?;
                st.undos.push(Undo {
                    list: self.id,
                    adj: vec![0; n],
                    _charge: charge,
                });
            }
        }
        let mut sets = lock(&self.sets);
        sets.retain(|w| w.strong_count() > 0);
        if !sets
            .iter()
            .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(set)))
        {
            sets.push(Arc::downgrade(set));
        }
        Ok(())
    }
}

/// `semget`: the id of the set `key` names, made with `nsems` semaphores when `flags` say so.
pub fn get(
    reg: &mut Registry<SemSet>,
    key: i32,
    nsems: i32,
    flags: i32,
    c: &Caller,
) -> KResult<i32> {
    let n = usize::try_from(nsems).map_err(|_| Errno::EINVAL)?;
    if n > SEMMSL {
        return Err(Errno::EINVAL);
    }
    let check = |s: &SemSet| {
        if n > s.nsems {
            Err(Errno::EINVAL)
        } else {
            Ok(())
        }
    };
    let make = |reg: &mut Registry<SemSet>| {
        if n == 0 {
            return Err(Errno::EINVAL);
        }
        let used: usize = reg.objects().iter().map(|s| s.nsems).sum();
        if used + n > SEMMNS {
            return Err(Errno::ENOSPC);
        }
        // Values and last pids: 8 bytes a semaphore.
        let charge = c.budget.charge(n as u64 * 8 + SET_OVERHEAD)?;
        Ok(Arc::new(SemSet::new(n, c.now, charge)))
    };
    ipcget(reg, key, flags, c, check, make)
}

/// Looks up `id` for `semop`: `EFBIG` when an operation names a semaphore past the set's
/// end, `EACCES` without read (or, for altering arrays, write) permission.
pub fn lookup_for_op(
    reg: &mut Registry<SemSet>,
    id: i32,
    sops: &[SemBuf],
    c: &Caller,
) -> KResult<Arc<SemSet>> {
    let (set, perm) = reg.get(id)?;
    let max = sops.iter().map(|s| usize::from(s.num)).max().unwrap_or(0);
    if max >= set.nsems {
        return Err(Errno::EFBIG);
    }
    let alter = sops.iter().any(|s| s.op != 0);
    perm.check(c, if alter { ACC_WRITE } else { ACC_READ })?;
    Ok(set)
}

/// `semop`/`semtimedop` on a looked-up set: waits (until `deadline`) for the whole array to
/// succeed at once. `EAGAIN` for `IPC_NOWAIT` or a timeout, `EINTR` for a signal (never
/// restarted, as Linux), `EIDRM` when the set goes away.
pub fn semop(
    task: &mut Task,
    set: &Arc<SemSet>,
    sops: &[SemBuf],
    undo: Option<&Arc<UndoList>>,
    c: &Caller,
    deadline: Option<Instant>,
) -> KResult<()> {
    if let Some(list) = undo {
        list.enroll(set, &c.budget)?;
    }
    let undo = undo.map(|l| l.id);
    let waiter = next_id();
    let result = task.block_on(&[(&set.queue, !0)], deadline, |_| {
        match set.attempt(sops, undo, waiter, c) {
            Ok(Attempt::Done) => Ok(Ok(())),
            Ok(Attempt::WouldBlock) => Ok(Err(Errno::EAGAIN)),
            Ok(Attempt::Wait) => Err(Errno::EAGAIN),
            Err(e) => Ok(Err(e)),
        }
    });
    set.forget_waiter(waiter);
    match result {
        Ok(Ok(())) => {
            if sops.iter().any(|s| s.op != 0) {
                set.queue.notify(!0);
            }
            Ok(())
        }
        Ok(Err(e)) => Err(e),
        Err(Errno::ETIMEDOUT) => Err(Errno::EAGAIN),
        Err(Errno::ERESTARTSYS) => Err(Errno::EINTR),
        Err(e) => Err(e),
    }
}

/// Looks up `id` (or the set at index `id` when `by_index`) checking `acc` access (none when
/// `acc` is 0): the set, its permissions and its id.
pub fn lookup(
    reg: &mut Registry<SemSet>,
    id: i32,
    by_index: bool,
    acc: u32,
    c: &Caller,
) -> KResult<(Arc<SemSet>, Perm, i32)> {
    let (set, perm, id) = if by_index {
        reg.get_index(id)?
    } else {
        let (s, p) = reg.get(id)?;
        (s, p, id)
    };
    if acc != 0 {
        perm.check(c, acc)?;
    }
    Ok((set, perm, id))
}

/// `IPC_RMID`: removes the set, waking its waiters with `EIDRM`.
pub fn remove(reg: &mut Registry<SemSet>, id: i32, c: &Caller) -> KResult<()> {
    let (set, perm) = reg.get(id)?;
    perm.check_owner(c)?;
    reg.remove(id)?;
    set.destroy();
    Ok(())
}

/// `IPC_SET`: new owner and mode bits.
pub fn set_perm(
    reg: &mut Registry<SemSet>,
    id: i32,
    (uid, gid, mode): (u32, u32, u32),
    c: &Caller,
) -> KResult<()> {
    let (set, perm) = reg.get(id)?;
    perm.check_owner(c)?;
    reg.update(id, |p| p.set(uid, gid, mode))?;
    lock(&set.state).ctime = c.now;
    Ok(())
}

/// `SEM_INFO`'s usage numbers: sets and semaphores in existence.
pub fn usage(reg: &mut Registry<SemSet>) -> (usize, usize) {
    let sets = reg.objects();
    (sets.len(), sets.iter().map(|s| s.nsems).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(num: u16, op: i16, flg: i16) -> SemBuf {
        SemBuf { num, op, flg }
    }

    #[test]
    fn sets_and_undo_arrays_are_charged_to_the_sandbox_memory() {
        use crate::mm::PhysMemory;
        // 1 MiB: 256 pages. A full-size set's values take about 63 of them.
        let phys = Arc::new(PhysMemory::new(64 << 20, 1 << 20).unwrap());
        let c = Caller {
            budget: Budget::new(phys.clone()),
            ..Caller::default()
        };
        let mut reg = Registry::new(SEMMNI);
        let full = SEMMSL as i32;
        let ids: Vec<i32> = (0..4)
            .map(|_| get(&mut reg, 0, full, 0o1600, &c).unwrap())
            .collect();
        assert_eq!(get(&mut reg, 0, full, 0o1600, &c), Err(Errno::ENOMEM));
        // Frames and charges share the limit.
        let frames: Vec<u64> = std::iter::from_fn(|| phys.alloc_frame().ok()).collect();
        let charged = (4 * (SEMMSL as u64 * 8 + SET_OVERHEAD)).div_ceil(4096);
        assert_eq!(frames.len() as u64, 256 - charged);
        phys.free_frames(&frames);
        // An undo array costs half as much again; removing a set returns its charge.
        let (set, _) = reg.get(ids[0]).unwrap();
        let list = UndoList::new();
        assert_eq!(list.enroll(&set, &c.budget), Err(Errno::ENOMEM));
        drop(set);
        remove(&mut reg, ids[0], &c).unwrap();
        remove(&mut reg, ids[1], &c).unwrap();
        let (set, _) = reg.get(ids[2]).unwrap();
        list.enroll(&set, &c.budget).unwrap();
        assert!(get(&mut reg, 0, full, 0o1600, &c).is_ok());
    }

    #[test]
    fn arrays_are_all_or_nothing() {
        let s = SemSet::new(3, 0, None);
        let c = Caller::default();
        assert!(matches!(
            s.attempt(&[op(0, 2, 0), op(1, 1, 0)], None, 1, &c),
            Ok(Attempt::Done)
        ));
        // The second operation blocks: the first is rolled back.
        assert!(matches!(
            s.attempt(&[op(0, -1, 0), op(2, -1, NOWAIT)], None, 1, &c),
            Ok(Attempt::WouldBlock)
        ));
        assert_eq!(s.values().unwrap(), vec![2, 1, 0]);
        assert!(matches!(
            s.attempt(&[op(0, -1, 0), op(2, 0, 0)], None, 7, &c),
            Ok(Attempt::Done)
        ));
        // A wait for zero on a non-zero value is recorded for GETZCNT.
        assert!(matches!(
            s.attempt(&[op(1, 0, 0)], None, 7, &c),
            Ok(Attempt::Wait)
        ));
        assert_eq!(s.waiting(1, true).unwrap(), 1);
        assert_eq!(s.waiting(1, false).unwrap(), 0);
        s.forget_waiter(7);
        assert_eq!(s.waiting(1, true).unwrap(), 0);
        // Repeated semaphores apply in order.
        assert!(matches!(
            s.attempt(&[op(2, 1, 0), op(2, -1, 0)], None, 1, &c),
            Ok(Attempt::Done)
        ));
        assert_eq!(
            s.attempt(&[op(0, 1, 0), op(0, i16::MAX, 0)], None, 1, &c)
                .err(),
            Some(Errno::ERANGE)
        );
        assert_eq!(s.values().unwrap(), vec![1, 1, 0]);
    }

    #[test]
    fn undo_is_applied_once_by_the_last_user_and_cleared_by_setval() {
        let s = Arc::new(SemSet::new(2, 0, None));
        let c = Caller::default();
        let list = UndoList::new();
        list.enroll(&s, &c.budget).unwrap();
        let u = Some(list.id);
        assert!(matches!(
            s.attempt(&[op(0, 5, SEM_UNDO), op(1, 3, SEM_UNDO)], u, 1, &c),
            Ok(Attempt::Done)
        ));
        assert!(matches!(
            s.attempt(&[op(0, -2, SEM_UNDO)], u, 1, &c),
            Ok(Attempt::Done)
        ));
        s.set_value(1, 10, &c).unwrap();
        let shared = list.share();
        list.release(42);
        assert_eq!(s.values().unwrap(), vec![3, 10]);
        shared.release(42);
        assert_eq!(s.values().unwrap(), vec![0, 10]);
        assert_eq!(s.pid(0).unwrap(), 42);
    }

    #[test]
    fn removal_fails_waiters_and_lookups() {
        let mut reg = Registry::new(SEMMNI);
        let c = Caller::default();
        assert_eq!(get(&mut reg, 0, 0, 0, &c).err(), Some(Errno::EINVAL));
        assert_eq!(get(&mut reg, 0, -1, 0, &c).err(), Some(Errno::EINVAL));
        let id = get(&mut reg, 0, 2, 0o600, &c).unwrap();
        assert_eq!(
            lookup_for_op(&mut reg, id, &[op(2, 1, 0)], &c).err(),
            Some(Errno::EFBIG)
        );
        let s = lookup_for_op(&mut reg, id, &[op(1, 1, 0)], &c).unwrap();
        remove(&mut reg, id, &c).unwrap();
        assert_eq!(
            s.attempt(&[op(0, 1, 0)], None, 1, &c).err(),
            Some(Errno::EIDRM)
        );
        assert_eq!(reg.get(id).err(), Some(Errno::EINVAL));
    }
}
