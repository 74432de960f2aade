//! System V shared memory segments. A segment's pages are [`ShmemPages`] (guest frames, as a
//! memfd's), and an attach is a `MAP_SHARED` mapping whose source is a [`ShmSource`]: every
//! attach, in every process, maps the same frames.
//!
//! `shm_nattch` is Linux's count of the mappings (VMAs) of the segment: it is counted when
//! asked, over the address spaces in the segment's reverse map, so that `fork`, a partial
//! `munmap` and exit change it exactly as on Linux with no hook in the memory manager. The
//! mappings hold the segment alive: once `IPC_RMID` marks it destroyed, the registry holds it
//! weakly and its frames go with the last attach.

use std::sync::{Arc, Mutex};

use super::{ipcget, lock, Caller, Perm, Registry, ACC_EXEC, ACC_READ, ACC_WRITE, IPC_PRIVATE};
use crate::errno::{Errno, KResult};
use crate::mm::{MmapSource, PhysMemory, Rmap, SharedPage, ShmemPages, PAGE_SIZE};

/// `SHMMNI`: Linux's default limit on the number of segments.
pub const SHMMNI: usize = 4096;
/// `SHMMAX`: the largest segment (Linux's default, `ULONG_MAX - 2^24`).
pub const SHMMAX: u64 = u64::MAX - (1 << 24);
/// `SHMALL`: the total size of all segments in pages (Linux's default).
pub const SHMALL: u64 = u64::MAX - (1 << 24);
/// `SHMMIN`: the smallest segment.
pub const SHMMIN: u64 = 1;
/// `SHMLBA`: attach addresses are rounded to this (`SHM_RND`).
pub const SHMLBA: u64 = PAGE_SIZE;
/// `SHM_DEST` in the mode: destroyed, going with the last attach.
pub const SHM_DEST: u32 = 0o1000;
/// `SHM_LOCKED` in the mode.
pub const SHM_LOCKED: u32 = 0o2000;
/// `SHM_HUGETLB` (`shmget`).
pub const SHM_HUGETLB: i32 = 0o4000;
/// `SHM_NORESERVE` (`shmget`): no memory is reserved up front.
pub const SHM_NORESERVE: i32 = 0o10000;
/// `SHM_RDONLY` (`shmat`).
pub const SHM_RDONLY: i32 = 0o10000;
/// `SHM_RND` (`shmat`).
pub const SHM_RND: i32 = 0o20000;
/// `SHM_REMAP` (`shmat`).
pub const SHM_REMAP: i32 = 0o40000;
/// `SHM_EXEC` (`shmat`).
pub const SHM_EXEC: i32 = 0o100000;

struct Times {
    atime: i64,
    dtime: i64,
    ctime: i64,
    cpid: i32,
    lpid: i32,
}

/// One segment.
pub struct Segment {
    pages: ShmemPages,
    size: u64,
    times: Mutex<Times>,
}

impl Segment {
    /// The size asked for at `shmget`.
    pub fn size(&self) -> u64 {
        self.size
    }

    fn pages_count(&self) -> u64 {
        self.size.div_ceil(PAGE_SIZE)
    }

    /// How many mappings of the segment exist in the sandbox (`shm_nattch`). Takes address
    /// space locks: call it with none held.
    pub fn nattch(&self) -> u64 {
        let rmap = self.pages.rmap();
        rmap.address_spaces()
            .iter()
            .map(|mm| lock(mm).shared_maps_of(rmap) as u64)
            .sum()
    }

    /// Records an attach by `c` (after the mapping was made).
    pub fn attached(&self, c: &Caller) {
        let mut t = lock(&self.times);
        t.atime = c.now;
        t.lpid = c.pid;
    }

    /// Records a detach by `c`.
    pub fn detached(&self, c: &Caller) {
        let mut t = lock(&self.times);
        t.dtime = c.now;
        t.lpid = c.pid;
    }
}

/// What an attach maps: the segment, writable or not.
pub struct ShmSource {
    seg: Arc<Segment>,
    writable: bool,
}

impl ShmSource {
    /// The segment this attach maps.
    pub fn segment(&self) -> &Arc<Segment> {
        &self.seg
    }
}

impl MmapSource for ShmSource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.seg.pages.read_at(offset, buf)
    }
    fn describe(&self) -> String {
        "/SYSV (deleted)".into()
    }
    /// The mapping's frames are the segment's: there is nothing to write back.
    fn write_back(&self, _offset: u64, _data: &[u8]) -> KResult<()> {
        Ok(())
    }
    fn writable(&self) -> bool {
        self.writable
    }
    fn shared_page(&self, offset: u64, _write: bool) -> KResult<SharedPage> {
        Ok(match self.seg.pages.map_frame(offset)? {
            Some(frame) => SharedPage::Frame(frame),
            None => SharedPage::PastEof,
        })
    }
    fn file_size(&self) -> Option<u64> {
        Some(self.seg.size)
    }
    fn shares_frames(&self) -> bool {
        true
    }
    fn rmap(&self) -> Option<&Rmap> {
        Some(self.seg.pages.rmap())
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// What `IPC_STAT` reports of a segment.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShmStat {
    /// Owner, mode and key.
    pub perm: Perm,
    /// Size in bytes.
    pub segsz: u64,
    /// Last attach.
    pub atime: i64,
    /// Last detach.
    pub dtime: i64,
    /// Last change.
    pub ctime: i64,
    /// Creator.
    pub cpid: i32,
    /// Last attach or detach.
    pub lpid: i32,
    /// Current attaches.
    pub nattch: u64,
}

/// What `SHM_INFO` reports.
#[derive(Clone, Copy, Debug, Default)]
pub struct ShmUsage {
    /// Segments in existence.
    pub used_ids: i32,
    /// Their total size in pages.
    pub tot: u64,
    /// Their resident pages.
    pub rss: u64,
}

/// An attach to make: the mapping's source and length, for `Mm::mmap`.
pub struct Attach {
    /// The source to map `MAP_SHARED`.
    pub source: Arc<dyn MmapSource>,
    /// The mapping's length (the segment size).
    pub len: u64,
    /// The segment, to record the attach once mapped.
    pub seg: Arc<Segment>,
}

/// The namespace's segments.
pub struct ShmIds {
    reg: Registry<Segment>,
}

impl Default for ShmIds {
    fn default() -> Self {
        ShmIds {
            reg: Registry::new(SHMMNI),
        }
    }
}

impl ShmIds {
    /// `shmget`: the id of the segment `key` names, made with `size` bytes from `phys` when
    /// `flags` say so.
    pub fn get(
        &mut self,
        key: i32,
        size: u64,
        flags: i32,
        c: &Caller,
        phys: &Arc<PhysMemory>,
    ) -> KResult<i32> {
        let check = |s: &Segment| {
            if s.size < size {
                Err(Errno::EINVAL)
            } else {
                Ok(())
            }
        };
        let make = |reg: &mut Registry<Segment>| {
            if !(SHMMIN..=SHMMAX).contains(&size) {
                return Err(Errno::EINVAL);
            }
            if flags & SHM_HUGETLB != 0 {
                // No huge pages are reserved in the sandbox, as a host without them.
                return Err(Errno::ENOMEM);
            }
            if flags & SHM_NORESERVE == 0 && size > phys.size() {
                // Linux's overcommit heuristic refuses to reserve more than all memory.
                return Err(Errno::ENOMEM);
            }
            let pages = size.div_ceil(PAGE_SIZE);
            let tot: u64 = reg.objects().iter().map(|s| s.pages_count()).sum();
            if tot.checked_add(pages).is_none_or(|t| t > SHMALL) {
                return Err(Errno::ENOSPC);
            }
            let shm = ShmemPages::new(phys.clone());
            // Growing a file only sets its size: frames come at first touch.
            shm.truncate(size).map_err(|_| Errno::EINVAL)?.run();
            Ok(Arc::new(Segment {
                pages: shm,
                size,
                times: Mutex::new(Times {
                    atime: 0,
                    dtime: 0,
                    ctime: c.now,
                    cpid: c.pid,
                    lpid: 0,
                }),
            }))
        };
        ipcget(&mut self.reg, key, flags, c, check, make)
    }

    /// `shmat`'s lookup and permission check (`SHM_RDONLY`, `SHM_EXEC` in `flags`).
    pub fn attach(&mut self, id: i32, flags: i32, c: &Caller) -> KResult<Attach> {
        let (seg, perm) = self.reg.get(id)?;
        let mut acc = ACC_READ;
        if flags & SHM_RDONLY == 0 {
            acc |= ACC_WRITE;
        }
        if flags & SHM_EXEC != 0 {
            acc |= ACC_EXEC;
        }
        perm.check(c, acc)?;
        Ok(Attach {
            source: Arc::new(ShmSource {
                seg: seg.clone(),
                writable: flags & SHM_RDONLY == 0,
            }),
            len: seg.size,
            seg,
        })
    }

    /// The segment `id` (or at index `id` when `by_index`, for `SHM_STAT`) and its id,
    /// checked for read permission unless `any` (`SHM_STAT_ANY`). Count its attaches with
    /// [`ShmIds::stat_of`] once the namespace lock is released.
    pub fn lookup_stat(
        &mut self,
        id: i32,
        by_index: bool,
        any: bool,
        c: &Caller,
    ) -> KResult<(Arc<Segment>, Perm, i32)> {
        let (seg, perm, id) = if by_index {
            self.reg.get_index(id)?
        } else {
            let (s, p) = self.reg.get(id)?;
            (s, p, id)
        };
        if !any {
            perm.check(c, ACC_READ)?;
        }
        Ok((seg, perm, id))
    }

    /// The full `IPC_STAT` of a looked-up segment (counts attaches: no lock may be held).
    pub fn stat_of(seg: &Segment, perm: Perm) -> ShmStat {
        let nattch = seg.nattch();
        let t = lock(&seg.times);
        ShmStat {
            perm,
            segsz: seg.size,
            atime: t.atime,
            dtime: t.dtime,
            ctime: t.ctime,
            cpid: t.cpid,
            lpid: t.lpid,
            nattch,
        }
    }

    /// `IPC_SET`: new owner and mode bits.
    pub fn set(&mut self, id: i32, uid: u32, gid: u32, mode: u32, c: &Caller) -> KResult<()> {
        let (seg, perm) = self.reg.get(id)?;
        perm.check_owner(c)?;
        self.reg.update(id, |p| p.set(uid, gid, mode))?;
        lock(&seg.times).ctime = c.now;
        Ok(())
    }

    /// `IPC_RMID`: marks the segment destroyed; it goes with its last attach (at once when
    /// there is none), and its key is free for a new segment.
    pub fn remove(&mut self, id: i32, c: &Caller) -> KResult<()> {
        let (_, perm) = self.reg.get(id)?;
        perm.check_owner(c)?;
        self.reg.update(id, |p| {
            p.mode |= SHM_DEST;
            p.key = IPC_PRIVATE;
        })?;
        self.reg.hold_weakly(id)
    }

    /// `SHM_LOCK`/`SHM_UNLOCK`: only the owner or creator, or with `CAP_IPC_LOCK`. Pages are
    /// never swapped in the sandbox, so the flag is all there is to it.
    pub fn set_locked(&mut self, id: i32, locked: bool, c: &Caller) -> KResult<()> {
        let (_, perm) = self.reg.get(id)?;
        if !c.ipc_lock && c.euid != perm.uid && c.euid != perm.cuid {
            return Err(Errno::EPERM);
        }
        self.reg.update(id, |p| {
            if locked {
                p.mode |= SHM_LOCKED;
            } else {
                p.mode &= !SHM_LOCKED;
            }
        })
    }

    /// `SHM_INFO`'s numbers and the highest index in use.
    pub fn usage(&mut self) -> (ShmUsage, i32) {
        let segs = self.reg.objects();
        let usage = ShmUsage {
            used_ids: segs.len() as i32,
            tot: segs.iter().map(|s| s.pages_count()).sum(),
            rss: segs.iter().map(|s| s.pages.blocks() / 8).sum(),
        };
        (usage, self.reg.max_index())
    }

    /// The highest index in use (`IPC_INFO`'s result).
    pub fn max_index(&mut self) -> i32 {
        self.reg.max_index()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::{IPC_CREAT, IPC_EXCL};

    fn phys() -> Arc<PhysMemory> {
        Arc::new(PhysMemory::new(64 << 20, 8 << 20).unwrap())
    }

    #[test]
    fn get_sizes_and_removal() {
        let phys = phys();
        let c = Caller::default();
        let mut ids = ShmIds::default();
        assert_eq!(ids.get(0, 0, 0o600, &c, &phys).err(), Some(Errno::EINVAL));
        assert_eq!(
            ids.get(0, u64::MAX, 0o600, &c, &phys).err(),
            Some(Errno::EINVAL)
        );
        assert_eq!(
            ids.get(0, 1 << 40, 0o600, &c, &phys).err(),
            Some(Errno::ENOMEM)
        );
        let id = ids.get(7, 10000, IPC_CREAT | 0o600, &c, &phys).unwrap();
        assert_eq!(ids.get(7, 20000, 0, &c, &phys).err(), Some(Errno::EINVAL));
        assert_eq!(ids.get(7, 100, 0, &c, &phys), Ok(id));
        assert_eq!(
            ids.get(7, 100, IPC_CREAT | IPC_EXCL, &c, &phys).err(),
            Some(Errno::EEXIST)
        );
        let a = ids.attach(id, 0, &c).unwrap();
        assert_eq!(a.len, 10000);
        assert!(a.source.writable());
        assert!(!ids.attach(id, SHM_RDONLY, &c).unwrap().source.writable());
        ids.remove(id, &c).unwrap();
        // Still attached (the source holds it): visible, destroyed, its key free.
        let (seg, perm, _) = ids.lookup_stat(id, false, false, &c).unwrap();
        assert_eq!(perm.mode & SHM_DEST, SHM_DEST);
        assert_eq!(perm.key, IPC_PRIVATE);
        assert_eq!(ids.get(7, 1, 0, &c, &phys).err(), Some(Errno::ENOENT));
        drop((seg, a));
        assert_eq!(ids.attach(id, 0, &c).err(), Some(Errno::EINVAL));
        assert_eq!(ids.usage().0.used_ids, 0);
    }
}
