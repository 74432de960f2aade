//! Advisory file locks: `flock(2)` locks and `fcntl(2)` record locks (process-owned POSIX
//! locks and open-file-description "OFD" locks), kept per file (device, inode) for the whole
//! sandbox.
//!
//! As on Linux, flock locks and record locks are separate namespaces; POSIX and OFD record
//! locks share one and differ only in their owner. An owner is identified by the address of
//! its object (the `Process` or the `OpenFile`) and held through a `Weak`, so a lock whose
//! owner is gone is simply dropped the next time the file's locks are looked at. Every change
//! that may free a range notifies [`LockTable::queue`], which blocking lockers sleep on.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::errno::{Errno, KResult};
use crate::wait::WaitQueue;

/// The largest offset a record lock can name (`OFFSET_MAX`): an end here means "to EOF and
/// beyond".
pub const OFFSET_MAX: i64 = i64::MAX;

/// Who holds a lock.
#[derive(Clone)]
pub struct LockOwner {
    key: usize,
    /// What `F_GETLK` reports as `l_pid`: the process id, or -1 for OFD locks.
    pid: i32,
    alive: Weak<dyn Any + Send + Sync>,
}

impl LockOwner {
    /// An owner object (a process for POSIX locks, an open file description for OFD and
    /// flock locks) reported to `F_GETLK` as `pid`.
    pub fn new<T: Any + Send + Sync>(obj: &Arc<T>, pid: i32) -> LockOwner {
        let weak: Weak<dyn Any + Send + Sync> = Arc::downgrade(obj) as Weak<dyn Any + Send + Sync>;
        LockOwner {
            key: Arc::as_ptr(obj) as *const () as usize,
            pid,
            alive: weak,
        }
    }

    fn is(&self, other: &LockOwner) -> bool {
        self.key == other.key
    }

    fn alive(&self) -> bool {
        self.alive.strong_count() > 0
    }
}

/// A record lock's kind.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LockKind {
    /// Shared (`F_RDLCK`, `LOCK_SH`).
    Read,
    /// Exclusive (`F_WRLCK`, `LOCK_EX`).
    Write,
}

/// A held byte-range lock: `[start, end]`, both inclusive.
#[derive(Clone)]
struct RangeLock {
    owner: LockOwner,
    kind: LockKind,
    start: i64,
    end: i64,
}

/// A conflicting lock, as `F_GETLK` reports it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Conflict {
    /// Its kind.
    pub kind: LockKind,
    /// First byte.
    pub start: i64,
    /// Last byte (inclusive; [`OFFSET_MAX`] for "to EOF").
    pub end: i64,
    /// The holder's pid, -1 for an OFD lock.
    pub pid: i32,
}

#[derive(Default)]
struct FileLocks {
    records: Vec<RangeLock>,
    flocks: Vec<(LockOwner, LockKind)>,
}

impl FileLocks {
    /// Drops locks whose owner no longer exists; true when any went.
    fn prune(&mut self) -> bool {
        let before = self.records.len() + self.flocks.len();
        self.records.retain(|l| l.owner.alive());
        self.flocks.retain(|(o, _)| o.alive());
        before != self.records.len() + self.flocks.len()
    }

    fn is_empty(&self) -> bool {
        self.records.is_empty() && self.flocks.is_empty()
    }

    fn conflict(
        &self,
        owner: &LockOwner,
        kind: LockKind,
        start: i64,
        end: i64,
    ) -> Option<Conflict> {
        self.records
            .iter()
            .find(|l| {
                !l.owner.is(owner)
                    && l.start <= end
                    && start <= l.end
                    && (kind == LockKind::Write || l.kind == LockKind::Write)
            })
            .map(|l| Conflict {
                kind: l.kind,
                start: l.start,
                end: l.end,
                pid: l.owner.pid,
            })
    }

    /// Removes `owner`'s hold on `[start, end]`, splitting locks that straddle it.
    fn carve(&mut self, owner: &LockOwner, start: i64, end: i64) {
        let mut out = Vec::with_capacity(self.records.len() + 1);
        for l in self.records.drain(..) {
            if !l.owner.is(owner) || l.end < start || end < l.start {
                out.push(l);
                continue;
            }
            if l.start < start {
                out.push(RangeLock {
                    end: start - 1,
                    ..l.clone()
                });
            }
            if end < l.end {
                out.push(RangeLock {
                    start: end + 1,
                    ..l.clone()
                });
            }
        }
        self.records = out;
    }

    /// Adds `owner`'s lock, merging with its touching or overlapping locks of the same kind
    /// (as Linux does, so `F_GETLK` reports the merged range).
    fn insert(&mut self, owner: &LockOwner, kind: LockKind, mut start: i64, mut end: i64) {
        self.records.retain(|l| {
            let touches = l.start <= end.saturating_add(1) && start <= l.end.saturating_add(1);
            if l.owner.is(owner) && l.kind == kind && touches {
                start = start.min(l.start);
                end = end.max(l.end);
                false
            } else {
                true
            }
        });
        self.records.push(RangeLock {
            owner: owner.clone(),
            kind,
            start,
            end,
        });
    }
}

/// Identifies a file for locking: (device, inode).
pub type FileKey = (u64, u64);

/// Every advisory lock in the sandbox.
#[derive(Default)]
pub struct LockTable {
    files: Mutex<HashMap<FileKey, FileLocks>>,
    /// Notified whenever locks are released.
    pub queue: WaitQueue,
}

impl LockTable {
    /// An empty table.
    pub fn new() -> LockTable {
        LockTable::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<FileKey, FileLocks>> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs `f` on the (pruned) locks of `file`, dropping the entry when it ends up empty;
    /// notifies waiters when `f` (or pruning) released anything.
    fn with_file<R>(&self, file: FileKey, f: impl FnOnce(&mut FileLocks) -> (R, bool)) -> R {
        let (r, released) = {
            let mut files = self.lock();
            let locks = files.entry(file).or_default();
            let pruned = locks.prune();
            let (r, released) = f(locks);
            if locks.is_empty() {
                files.remove(&file);
            }
            (r, released || pruned)
        };
        if released {
            self.queue.notify(!0);
        }
        r
    }

    /// `F_GETLK`: the first lock of another owner that would block `kind` on `[start, end]`.
    pub fn test(
        &self,
        file: FileKey,
        owner: &LockOwner,
        kind: LockKind,
        start: i64,
        end: i64,
    ) -> Option<Conflict> {
        self.with_file(file, |l| (l.conflict(owner, kind, start, end), false))
    }

    /// `F_SETLK`: takes (`Some(kind)`) or releases (`None`) `[start, end]` for `owner`;
    /// `EAGAIN` when another owner's lock is in the way (nothing changes then).
    pub fn set(
        &self,
        file: FileKey,
        owner: &LockOwner,
        kind: Option<LockKind>,
        start: i64,
        end: i64,
    ) -> KResult<()> {
        self.with_file(file, |l| match kind {
            Some(k) => {
                if l.conflict(owner, k, start, end).is_some() {
                    return (Err(Errno::EAGAIN), false);
                }
                // Converting a write lock to a read lock can unblock readers.
                l.carve(owner, start, end);
                l.insert(owner, k, start, end);
                (Ok(()), k == LockKind::Read)
            }
            None => {
                l.carve(owner, start, end);
                (Ok(()), true)
            }
        })
    }

    /// Drops every record lock `owner` holds on `file` (POSIX locks when the process closes
    /// any descriptor of the file).
    pub fn release_records(&self, file: FileKey, owner: &LockOwner) {
        self.with_file(file, |l| {
            let before = l.records.len();
            l.records.retain(|r| !r.owner.is(owner));
            ((), l.records.len() != before)
        })
    }

    /// `flock(2)`: converts or takes (`Some(kind)`) or drops (`None`) `owner`'s whole-file
    /// lock. As on Linux a conversion first drops the old lock, so a conversion that fails
    /// with `EAGAIN` leaves the owner unlocked.
    pub fn flock(&self, file: FileKey, owner: &LockOwner, kind: Option<LockKind>) -> KResult<()> {
        self.with_file(file, |l| {
            let mine = l.flocks.iter().position(|(o, _)| o.is(owner));
            if let (Some(i), Some(k)) = (mine, kind) {
                if l.flocks[i].1 == k {
                    return (Ok(()), false);
                }
            }
            let released = match mine {
                Some(i) => {
                    l.flocks.remove(i);
                    true
                }
                None => false,
            };
            let Some(k) = kind else {
                return (Ok(()), released);
            };
            let blocked = l
                .flocks
                .iter()
                .any(|(_, held)| k == LockKind::Write || *held == LockKind::Write);
            if blocked {
                return (Err(Errno::EAGAIN), released);
            }
            l.flocks.push((owner.clone(), k));
            (Ok(()), released)
        })
    }

    /// Whether no lock is held anywhere (lets `close` skip all lock work).
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Drops locks of owners that no longer exist and wakes waiters if any went (called when
    /// a descriptor is closed, so blocked lockers notice at once).
    pub fn prune(&self) {
        let released = {
            let mut files = self.lock();
            let mut any = false;
            files.retain(|_, l| {
                any |= l.prune();
                !l.is_empty()
            });
            any
        };
        if released {
            self.queue.notify(!0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: FileKey = (1, 2);

    fn owner(pid: i32) -> (Arc<u32>, LockOwner) {
        let o = Arc::new(0u32);
        let lo = LockOwner::new(&o, pid);
        (o, lo)
    }

    #[test]
    fn same_owner_never_conflicts_and_others_do() {
        let t = LockTable::new();
        let (_a, a) = owner(1);
        let (_b, b) = owner(2);
        t.set(F, &a, Some(LockKind::Write), 0, 9).unwrap();
        t.set(F, &a, Some(LockKind::Write), 5, 20).unwrap();
        assert_eq!(
            t.set(F, &b, Some(LockKind::Read), 20, 20),
            Err(Errno::EAGAIN)
        );
        assert!(t.set(F, &b, Some(LockKind::Read), 21, 30).is_ok());
        // The two write locks of `a` merged into one range.
        let c = t.test(F, &b, LockKind::Read, 0, 0).unwrap();
        assert_eq!((c.start, c.end, c.pid), (0, 20, 1));
    }

    #[test]
    fn unlock_splits_a_range() {
        let t = LockTable::new();
        let (_a, a) = owner(1);
        let (_b, b) = owner(2);
        t.set(F, &a, Some(LockKind::Write), 0, OFFSET_MAX).unwrap();
        t.set(F, &a, None, 10, 19).unwrap();
        assert!(t.set(F, &b, Some(LockKind::Write), 10, 19).is_ok());
        let c = t.test(F, &b, LockKind::Write, 20, 20).unwrap();
        assert_eq!((c.start, c.end), (20, OFFSET_MAX));
        let c = t.test(F, &b, LockKind::Write, 0, 5).unwrap();
        assert_eq!((c.start, c.end), (0, 9));
    }

    #[test]
    fn readers_share_writers_exclude() {
        let t = LockTable::new();
        let (_a, a) = owner(1);
        let (_b, b) = owner(2);
        t.set(F, &a, Some(LockKind::Read), 0, 9).unwrap();
        t.set(F, &b, Some(LockKind::Read), 0, 9).unwrap();
        assert_eq!(
            t.set(F, &b, Some(LockKind::Write), 0, 0),
            Err(Errno::EAGAIN)
        );
    }

    #[test]
    fn dead_owners_lose_their_locks() {
        let t = LockTable::new();
        let (a_obj, a) = owner(1);
        let (_b, b) = owner(2);
        t.set(F, &a, Some(LockKind::Write), 0, 9).unwrap();
        t.flock(F, &a, Some(LockKind::Write)).unwrap();
        drop(a_obj);
        assert!(t.set(F, &b, Some(LockKind::Write), 0, 9).is_ok());
        assert!(t.flock(F, &b, Some(LockKind::Write)).is_ok());
    }

    #[test]
    fn flock_conversion_drops_the_old_lock_first() {
        let t = LockTable::new();
        let (_a, a) = owner(1);
        let (_b, b) = owner(2);
        t.flock(F, &a, Some(LockKind::Read)).unwrap();
        t.flock(F, &b, Some(LockKind::Read)).unwrap();
        assert_eq!(t.flock(F, &a, Some(LockKind::Write)), Err(Errno::EAGAIN));
        // `a` holds nothing now: `b` can upgrade.
        assert!(t.flock(F, &b, Some(LockKind::Write)).is_ok());
    }

    #[test]
    fn flock_and_record_locks_are_separate() {
        let t = LockTable::new();
        let (_a, a) = owner(1);
        let (_b, b) = owner(2);
        t.flock(F, &a, Some(LockKind::Write)).unwrap();
        assert!(t.set(F, &b, Some(LockKind::Write), 0, OFFSET_MAX).is_ok());
    }
}
