//! memfd: anonymous memory files (`memfd_create`) and their file seals (`F_ADD_SEALS`).
//!
//! The data is [`ShmemPages`] (guest frames), so shared mappings of a memfd are coherent with
//! `read`/`write` and with each other across `fork` and descriptor passing. Seals are
//! checked under one lock with the operations they forbid, and the memfd counts its live
//! writable shared mappings so that `F_SEAL_WRITE` can refuse with `EBUSY` while any exists.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::node::{makedev, SetAttr, Stat, TimeSet, Timespec, S_IFMT, S_IFREG};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_LARGEFILE, O_RDWR, SEEK_DATA};
use crate::mm::{MmapSource, PhysMemory, ReadOnlySource, Rmap, SharedPage, ShmemPages, PROT_WRITE};

/// `F_SEAL_SEAL`: no more seals may be added.
pub const F_SEAL_SEAL: u32 = 0x01;
/// `F_SEAL_SHRINK`: the file may not get smaller.
pub const F_SEAL_SHRINK: u32 = 0x02;
/// `F_SEAL_GROW`: the file may not get bigger.
pub const F_SEAL_GROW: u32 = 0x04;
/// `F_SEAL_WRITE`: the contents may not change.
pub const F_SEAL_WRITE: u32 = 0x08;
/// `F_SEAL_FUTURE_WRITE`: no new writes or writable shared mappings; existing ones stay.
pub const F_SEAL_FUTURE_WRITE: u32 = 0x10;
/// `F_SEAL_EXEC`: the execute bits of the mode may not change.
pub const F_SEAL_EXEC: u32 = 0x20;
/// Every seal Linux knows.
pub const F_ALL_SEALS: u32 =
    F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC;
/// The longest memfd name: `NAME_MAX` less the `memfd:` prefix.
pub const MFD_NAME_MAX: usize = 249;

/// Seals that forbid changing the contents.
const WRITE_SEALS: u32 = F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
/// Linux's memfds live on the internal shm mount, device 0:1.
const MEMFD_DEV_MINOR: u32 = 1;

static NEXT_INO: AtomicU64 = AtomicU64::new(1);

/// How a memfd is created (the `MFD_*` flags, decoded).
#[derive(Clone, Copy, Debug, Default)]
pub struct MemfdOptions {
    /// `MFD_ALLOW_SEALING` (or `MFD_NOEXEC_SEAL`): the file starts without `F_SEAL_SEAL`.
    pub allow_sealing: bool,
    /// `MFD_NOEXEC_SEAL`: mode 0666 and `F_SEAL_EXEC` from the start.
    pub noexec_seal: bool,
    /// Owner (the creator's filesystem uid).
    pub uid: u32,
    /// Group (the creator's filesystem gid).
    pub gid: u32,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    atime: Timespec,
    mtime: Timespec,
    ctime: Timespec,
    btime: Timespec,
}

/// The seals and the writable shared mappings they must know about, under one lock that
/// also covers every change the seals govern (writes, size changes, new mappings).
struct Seals {
    seals: u32,
    /// One entry per `mmap` that made a shared mapping through a writable descriptor (Linux's
    /// `i_mmap_writable`): the mapping's VMAs, in every process, hold the source alive.
    writable_maps: Vec<Weak<MemfdSource>>,
}

impl Seals {
    fn has_writable_maps(&mut self) -> bool {
        self.writable_maps.retain(|w| w.strong_count() > 0);
        !self.writable_maps.is_empty()
    }
}

/// One memfd (what every descriptor and mapping of it shares).
struct Memfd {
    name: String,
    ino: u64,
    pages: ShmemPages,
    seals: Mutex<Seals>,
    meta: Mutex<Meta>,
}

impl Memfd {
    fn describe(&self) -> String {
        format!("/memfd:{} (deleted)", self.name)
    }

    fn touch_mc(&self) {
        let now = Timespec::now();
        let mut m = lock(&self.meta);
        m.mtime = now;
        m.ctime = now;
    }

    fn stat(&self) -> Stat {
        let m = lock(&self.meta);
        Stat {
            dev: makedev(0, MEMFD_DEV_MINOR),
            ino: self.ino,
            mode: m.mode,
            // An unlinked file from its birth.
            nlink: 0,
            uid: m.uid,
            gid: m.gid,
            rdev: 0,
            size: self.pages.size(),
            blksize: 4096,
            blocks: self.pages.blocks(),
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
            btime: Some(m.btime),
        }
    }

    /// `ftruncate` under the seals: `EPERM` for a shrink with `F_SEAL_SHRINK` or a growth
    /// with `F_SEAL_GROW`. Pages a shrink cuts off are unmapped from every mapping (after the
    /// seals' lock is released: unmapping takes address-space locks).
    fn truncate(&self, len: u64) -> KResult<()> {
        let s = lock(&self.seals);
        let size = self.pages.size();
        if (len < size && s.seals & F_SEAL_SHRINK != 0)
            || (len > size && s.seals & F_SEAL_GROW != 0)
        {
            return Err(Errno::EPERM);
        }
        let cut = self.pages.truncate(len)?;
        drop(s);
        cut.run();
        self.touch_mc();
        Ok(())
    }
}

/// An open memfd.
pub struct MemfdFile(Arc<Memfd>);

/// Creates a memfd called `name` (at most [`MFD_NAME_MAX`] bytes, checked by the caller)
/// whose pages come from `phys`: a read-write open file description.
pub fn new_memfd(phys: Arc<PhysMemory>, name: &[u8], opts: MemfdOptions) -> Arc<OpenFile> {
    let now = Timespec::now();
    let (mode, seals) = match (opts.noexec_seal, opts.allow_sealing) {
        (true, _) => (0o666, F_SEAL_EXEC),
        (false, true) => (0o777, 0),
        (false, false) => (0o777, F_SEAL_SEAL),
    };
    let memfd = Memfd {
        name: String::from_utf8_lossy(name).into_owned(),
        ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
        pages: ShmemPages::new(phys),
        seals: Mutex::new(Seals {
            seals,
            writable_maps: Vec::new(),
        }),
        meta: Mutex::new(Meta {
            mode: S_IFREG | mode,
            uid: opts.uid,
            gid: opts.gid,
            atime: now,
            mtime: now,
            ctime: now,
            btime: now,
        }),
    };
    let ops: Arc<dyn FileOps> = Arc::new(MemfdFile(Arc::new(memfd)));
    Arc::new(OpenFile::new(ops, None, O_RDWR | O_LARGEFILE))
}

impl FileOps for MemfdFile {
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(self.0.stat())
    }
    fn seekable(&self) -> bool {
        true
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.pages.read_at(off, buf)
    }
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        let s = lock(&self.0.seals);
        if s.seals & WRITE_SEALS != 0 {
            return Err(Errno::EPERM);
        }
        let n = self
            .0
            .pages
            .write_at(off, data, s.seals & F_SEAL_GROW == 0)?;
        drop(s);
        self.0.touch_mc();
        Ok(n)
    }
    fn truncate(&self, len: u64) -> KResult<()> {
        self.0.truncate(len)
    }
    fn seek_data(&self, off: u64, whence: u32) -> Option<KResult<u64>> {
        Some(self.0.pages.seek_data(off, whence == SEEK_DATA))
    }
    /// Memory is the storage: nothing to flush.
    fn sync(&self) -> KResult<()> {
        Ok(())
    }
    /// Linux's shmem: plain allocation and `FALLOC_FL_KEEP_SIZE` (`EPERM` past the end under
    /// `F_SEAL_GROW`), and `FALLOC_FL_PUNCH_HOLE` (`EPERM` under the write seals).
    fn allocate(&self, mode: u32, off: u64, len: u64) -> KResult<()> {
        const KEEP_SIZE: u32 = 1;
        const PUNCH_HOLE: u32 = 2;
        let end = off.checked_add(len).ok_or(Errno::EFBIG)?;
        if mode & !(KEEP_SIZE | PUNCH_HOLE) != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let s = lock(&self.0.seals);
        if mode & PUNCH_HOLE != 0 {
            if s.seals & WRITE_SEALS != 0 {
                return Err(Errno::EPERM);
            }
            let cut = self.0.pages.punch_hole(off, end);
            drop(s);
            cut.run();
        } else {
            if s.seals & F_SEAL_GROW != 0 && end > self.0.pages.size() {
                return Err(Errno::EPERM);
            }
            self.0.pages.allocate(off, end, mode & KEEP_SIZE != 0)?;
            drop(s);
        }
        self.0.touch_mc();
        Ok(())
    }
    /// Attributes live with the memfd (it has no node): `F_SEAL_EXEC` freezes the execute
    /// bits (`EPERM`), the size obeys the size seals.
    fn setattr(&self, attr: &SetAttr) -> Option<KResult<()>> {
        Some((|| {
            if let Some(mode) = attr.mode {
                let old = lock(&self.0.meta).mode;
                if (old ^ mode) & 0o111 != 0 && lock(&self.0.seals).seals & F_SEAL_EXEC != 0 {
                    return Err(Errno::EPERM);
                }
            }
            if let Some(size) = attr.size {
                self.0.truncate(size)?;
            }
            let now = Timespec::now();
            let pick = |t: TimeSet| match t {
                TimeSet::Now => now,
                TimeSet::At(t) => t,
            };
            let mut m = lock(&self.0.meta);
            if let Some(mode) = attr.mode {
                m.mode = (m.mode & S_IFMT) | (mode & 0o7777);
            }
            if let Some(uid) = attr.uid {
                m.uid = uid;
            }
            if let Some(gid) = attr.gid {
                m.gid = gid;
            }
            if let Some(t) = attr.atime {
                m.atime = pick(t);
            }
            if let Some(t) = attr.mtime {
                m.mtime = pick(t);
            }
            m.ctime = now;
            Ok(())
        })())
    }
    fn keeps_attrs(&self) -> bool {
        true
    }
    fn mmap_source(&self) -> KResult<Arc<dyn MmapSource>> {
        Ok(Arc::new(MemfdSource(self.0.clone())))
    }
    /// Write seals refuse new writable shared mappings (`EPERM`) and keep read-only ones
    /// from ever becoming writable; a shared mapping through a writable descriptor, even a
    /// read-only one, counts as writable until it is gone (as Linux's `VM_MAYWRITE`).
    fn mmap_shared_source(
        &self,
        _phys: &Arc<PhysMemory>,
        prot: u32,
        writable: bool,
    ) -> KResult<Arc<dyn MmapSource>> {
        let source = Arc::new(MemfdSource(self.0.clone()));
        let mut s = lock(&self.0.seals);
        if s.seals & WRITE_SEALS != 0 {
            if prot & PROT_WRITE != 0 {
                return Err(Errno::EPERM);
            }
            return Ok(Arc::new(ReadOnlySource(source)));
        }
        if writable {
            s.writable_maps.retain(|w| w.strong_count() > 0);
            s.writable_maps.push(Arc::downgrade(&source));
        }
        Ok(source)
    }
    fn seals(&self) -> Option<u32> {
        Some(lock(&self.0.seals).seals)
    }
    /// Linux's `memfd_add_seals`: `EPERM` once sealed with `F_SEAL_SEAL`, `EBUSY` for
    /// `F_SEAL_WRITE` while writable shared mappings exist; `F_SEAL_EXEC` on an executable
    /// file implies the write seals (W^X).
    fn add_seals(&self, mut seals: u32) -> KResult<()> {
        let mut s = lock(&self.0.seals);
        if s.seals & F_SEAL_SEAL != 0 {
            return Err(Errno::EPERM);
        }
        if seals & F_SEAL_WRITE != 0 && s.seals & F_SEAL_WRITE == 0 && s.has_writable_maps() {
            return Err(Errno::EBUSY);
        }
        if seals & F_SEAL_EXEC != 0 && lock(&self.0.meta).mode & 0o111 != 0 {
            seals |= F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE;
        }
        s.seals |= seals;
        Ok(())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// What mappings of a memfd hold: shared ones map its frames directly.
struct MemfdSource(Arc<Memfd>);

impl MmapSource for MemfdSource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.pages.read_at(offset, buf)
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
    /// The mapping's frames are the file's: there is nothing to write back.
    fn write_back(&self, _offset: u64, _data: &[u8]) -> KResult<()> {
        Ok(())
    }
    fn shares_frames(&self) -> bool {
        true
    }
    fn shared_page(&self, offset: u64, _write: bool) -> KResult<SharedPage> {
        Ok(match self.0.pages.map_frame(offset)? {
            Some(frame) => SharedPage::Frame(frame),
            None => SharedPage::PastEof,
        })
    }
    fn rmap(&self) -> Option<&Rmap> {
        Some(self.0.pages.rmap())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mm::PROT_READ;

    fn memfd(opts: MemfdOptions) -> Arc<OpenFile> {
        new_memfd(phys(), b"t", opts)
    }

    fn phys() -> Arc<PhysMemory> {
        Arc::new(PhysMemory::new(64 << 20, 8 << 20).unwrap())
    }

    #[test]
    fn seals_forbid_what_they_name() {
        let f = memfd(MemfdOptions {
            allow_sealing: true,
            ..MemfdOptions::default()
        });
        let ops = f.ops();
        let phys = phys();
        assert_eq!(f.write(b"0123456789").unwrap(), 10);
        assert_eq!(ops.seals(), Some(0));
        ops.add_seals(F_SEAL_SHRINK).unwrap();
        assert_eq!(f.truncate(5).err(), Some(Errno::EPERM));
        f.truncate(20).unwrap();
        ops.add_seals(F_SEAL_GROW).unwrap();
        assert_eq!(f.truncate(21).err(), Some(Errno::EPERM));
        assert_eq!(f.pwrite(20, b"x").err(), Some(Errno::EPERM));
        // A shared writable mapping blocks F_SEAL_WRITE until it goes.
        let map = f.mmap_source(true, PROT_READ, &phys).unwrap();
        assert_eq!(ops.add_seals(F_SEAL_WRITE).err(), Some(Errno::EBUSY));
        drop(map);
        ops.add_seals(F_SEAL_WRITE).unwrap();
        assert_eq!(f.pwrite(0, b"x").err(), Some(Errno::EPERM));
        assert_eq!(
            f.mmap_source(true, PROT_READ | PROT_WRITE, &phys).err(),
            Some(Errno::EPERM)
        );
        assert!(!f.mmap_source(true, PROT_READ, &phys).unwrap().writable());
        assert!(f.mmap_source(false, PROT_READ | PROT_WRITE, &phys).is_ok());
        ops.add_seals(F_SEAL_SEAL).unwrap();
        assert_eq!(ops.add_seals(F_SEAL_GROW).err(), Some(Errno::EPERM));
    }

    #[test]
    fn names_modes_and_default_seals() {
        let plain = memfd(MemfdOptions::default());
        assert_eq!(plain.describe(), b"/memfd:t (deleted)");
        assert_eq!(plain.ops().seals(), Some(F_SEAL_SEAL));
        assert_eq!(plain.stat().unwrap().mode, S_IFREG | 0o777);
        let noexec = memfd(MemfdOptions {
            noexec_seal: true,
            ..MemfdOptions::default()
        });
        assert_eq!(noexec.ops().seals(), Some(F_SEAL_EXEC));
        assert_eq!(noexec.stat().unwrap().mode, S_IFREG | 0o666);
        let chmod = |m| SetAttr {
            mode: Some(m),
            ..SetAttr::default()
        };
        assert_eq!(noexec.ops().setattr(&chmod(0o777)), Some(Err(Errno::EPERM)));
        assert_eq!(noexec.ops().setattr(&chmod(0o600)), Some(Ok(())));
    }
}
