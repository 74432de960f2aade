//! tmpfs: an in-memory filesystem with regular files (sparse, page-granular), directories,
//! symlinks, FIFOs, hard links, modes, owners, timestamps, link counts and inode numbers.
//! Every byte a guest stores is charged to the instance's budget (`ENOSPC` when full), so a
//! hostile guest cannot exhaust host memory through it.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::node::*;
use crate::errno::{Errno, KResult};
use crate::fd::FileOps;
use crate::mm::{CacheKey, CachedFile, MmapSource, PageCaches, PhysMemory};

const PAGE: usize = 4096;
/// What one inode costs the budget, beyond its data (bookkeeping on the host heap).
const INODE_COST: u64 = 512;
/// Linux's `MAX_LFS_FILESIZE` on 64-bit.
const MAX_FILE_SIZE: u64 = i64::MAX as u64;

static NEXT_DEV_MINOR: AtomicU64 = AtomicU64::new(64);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// State shared by all inodes of one tmpfs instance.
struct Shared {
    dev: u64,
    next_ino: AtomicU64,
    used: AtomicU64,
    max: u64,
    /// Serializes namespace changes (create/unlink/rename/link) so multi-directory
    /// operations never deadlock and see a consistent tree.
    ns: Mutex<()>,
    /// Page caches of files mapped `MAP_SHARED`, keyed by `(dev, ino)`.
    caches: PageCaches,
}

impl Shared {
    fn charge(&self, bytes: u64) -> KResult<()> {
        let mut cur = self.used.load(Ordering::Relaxed);
        loop {
            let new = cur
                .checked_add(bytes)
                .filter(|&n| n <= self.max)
                .ok_or(Errno::ENOSPC)?;
            match self
                .used
                .compare_exchange(cur, new, Ordering::Relaxed, Ordering::Relaxed)
            {
                Ok(_) => return Ok(()),
                Err(c) => cur = c,
            }
        }
    }

    fn release(&self, bytes: u64) {
        self.used.fetch_sub(
            bytes.min(self.used.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
    }
}

struct Meta {
    mode: u32,
    uid: u32,
    gid: u32,
    nlink: u64,
    atime: Timespec,
    mtime: Timespec,
    ctime: Timespec,
    btime: Timespec,
}

#[derive(Default)]
struct Pages {
    size: u64,
    pages: BTreeMap<u64, Box<[u8; PAGE]>>,
}

struct DirBody {
    entries: BTreeMap<Vec<u8>, Arc<Inode>>,
    /// The directory holding this one (none for the root); kept current by `rename`.
    parent: Weak<Inode>,
    /// Its name there (a directory has exactly one).
    name: Vec<u8>,
}

enum Body {
    File(Mutex<Pages>),
    Dir(Mutex<DirBody>),
    Symlink(Vec<u8>),
    Fifo,
}

/// One tmpfs inode.
pub struct Inode {
    ino: u64,
    fs: Arc<Shared>,
    meta: Mutex<Meta>,
    body: Body,
}

impl Drop for Inode {
    fn drop(&mut self) {
        let data = match &self.body {
            Body::File(p) => lock(p).pages.len() as u64 * PAGE as u64,
            Body::Symlink(t) => t.len() as u64,
            _ => 0,
        };
        self.fs.release(INODE_COST + data);
    }
}

/// Options for a new tmpfs instance.
#[derive(Clone, Copy, Debug)]
pub struct TmpfsOptions {
    /// Budget in bytes for data and inodes (Linux's `size=`).
    pub max_bytes: u64,
    /// Mode of the root directory.
    pub root_mode: u32,
    /// Owner of the root directory.
    pub uid: u32,
    /// Group of the root directory.
    pub gid: u32,
}

impl Default for TmpfsOptions {
    fn default() -> Self {
        TmpfsOptions {
            max_bytes: 1 << 30,
            root_mode: 0o1777,
            uid: 0,
            gid: 0,
        }
    }
}

/// Creates a tmpfs instance and returns its root directory.
pub fn new_tmpfs(opts: TmpfsOptions) -> NodeRef {
    let minor = NEXT_DEV_MINOR.fetch_add(1, Ordering::Relaxed) as u32;
    let fs = Arc::new(Shared {
        dev: makedev(0, minor),
        next_ino: AtomicU64::new(1),
        used: AtomicU64::new(0),
        max: opts.max_bytes,
        ns: Mutex::new(()),
        caches: PageCaches::default(),
    });
    let attr = NewAttr {
        mode: opts.root_mode & 0o7777,
        uid: opts.uid,
        gid: opts.gid,
    };
    // The root's own inode is not charged (a budget of 0 still gives an empty filesystem).
    fs.used.fetch_add(INODE_COST, Ordering::Relaxed);
    let root = Inode::new(
        &fs,
        S_IFDIR,
        attr,
        Body::Dir(Mutex::new(DirBody {
            entries: BTreeMap::new(),
            parent: Weak::new(),
            name: Vec::new(),
        })),
    );
    Arc::new(TmpNode(Arc::new(root), None))
}

impl Inode {
    fn new(fs: &Arc<Shared>, kind_bits: u32, attr: NewAttr, body: Body) -> Inode {
        let now = Timespec::now();
        let nlink = if kind_bits == S_IFDIR { 2 } else { 1 };
        Inode {
            ino: fs.next_ino.fetch_add(1, Ordering::Relaxed),
            fs: fs.clone(),
            meta: Mutex::new(Meta {
                mode: kind_bits | (attr.mode & 0o7777),
                uid: attr.uid,
                gid: attr.gid,
                nlink,
                atime: now,
                mtime: now,
                ctime: now,
                btime: now,
            }),
            body,
        }
    }

    fn is_dir(&self) -> bool {
        matches!(self.body, Body::Dir(_))
    }

    fn dir(&self) -> KResult<MutexGuard<'_, DirBody>> {
        match &self.body {
            Body::Dir(d) => Ok(lock(d)),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn touch_mc(&self) {
        let now = Timespec::now();
        let mut m = lock(&self.meta);
        m.mtime = now;
        m.ctime = now;
    }

    fn touch_c(&self) {
        lock(&self.meta).ctime = Timespec::now();
    }

    fn add_nlink(&self, delta: i64) {
        let mut m = lock(&self.meta);
        m.nlink = (m.nlink as i64 + delta).max(0) as u64;
        m.ctime = Timespec::now();
    }

    fn stat(&self) -> Stat {
        let m = lock(&self.meta);
        let (size, blocks) = match &self.body {
            Body::File(p) => {
                let p = lock(p);
                (p.size, p.pages.len() as u64 * (PAGE as u64 / 512))
            }
            Body::Dir(d) => ((lock(d).entries.len() as u64 + 2) * 20, 0),
            Body::Symlink(t) => (t.len() as u64, 0),
            Body::Fifo => (0, 0),
        };
        Stat {
            dev: self.fs.dev,
            ino: self.ino,
            mode: m.mode,
            nlink: m.nlink,
            uid: m.uid,
            gid: m.gid,
            rdev: 0,
            size,
            blksize: PAGE as u32,
            blocks,
            atime: m.atime,
            mtime: m.mtime,
            ctime: m.ctime,
            btime: Some(m.btime),
        }
    }

    /// Whether `self` is `ancestor` or lies below it.
    fn is_within(self: &Arc<Self>, ancestor: &Arc<Inode>) -> bool {
        let mut cur = Some(self.clone());
        while let Some(n) = cur {
            if Arc::ptr_eq(&n, ancestor) {
                return true;
            }
            cur = n.dir().ok().and_then(|d| d.parent.upgrade());
        }
        false
    }

    /// The key of this inode's page cache.
    fn cache_key(&self) -> CacheKey {
        (self.fs.dev, self.ino)
    }

    /// Reads at `off`, through the page cache while the file has one.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let raw = |b: &mut [u8]| self.raw_read_at(off, b);
        self.fs.caches.read(self.cache_key(), off, buf, raw)
    }

    /// Writes at `off`, through the page cache while the file has one.
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        let raw = |d: &[u8]| self.raw_write_at(off, d);
        self.fs.caches.write(self.cache_key(), off, data, raw)
    }

    /// Sets the size; the page cache follows.
    fn truncate(&self, len: u64) -> KResult<()> {
        let raw = || self.raw_truncate(len);
        self.fs.caches.truncate(self.cache_key(), len, raw)
    }

    /// `fallocate` (a mode [`TmpFile::allocate`] accepted); the page cache reads again.
    fn allocate(&self, mode: u32, off: u64, end: u64) -> KResult<()> {
        let raw = || self.raw_allocate(mode, off, end);
        self.fs.caches.reload(self.cache_key(), off, raw)
    }

    fn raw_read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let Body::File(p) = &self.body else {
            return Err(Errno::EISDIR);
        };
        let p = lock(p);
        if off >= p.size {
            return Ok(0);
        }
        let n = buf
            .len()
            .min((p.size - off).min(usize::MAX as u64) as usize);
        let mut done = 0;
        while done < n {
            let pos = off + done as u64;
            let (idx, within) = (pos / PAGE as u64, (pos % PAGE as u64) as usize);
            let chunk = (PAGE - within).min(n - done);
            match p.pages.get(&idx) {
                Some(page) => {
                    buf[done..done + chunk].copy_from_slice(&page[within..within + chunk])
                }
                None => buf[done..done + chunk].fill(0),
            }
            done += chunk;
        }
        Ok(n)
    }

    fn raw_write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        let Body::File(p) = &self.body else {
            return Err(Errno::EISDIR);
        };
        if data.is_empty() {
            return Ok(0);
        }
        let end = off
            .checked_add(data.len() as u64)
            .filter(|&e| e <= MAX_FILE_SIZE)
            .ok_or(Errno::EFBIG)?;
        let mut p = lock(p);
        let mut done = 0;
        while done < data.len() {
            let pos = off + done as u64;
            let (idx, within) = (pos / PAGE as u64, (pos % PAGE as u64) as usize);
            let chunk = (PAGE - within).min(data.len() - done);
            let page = match p.pages.entry(idx) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(v) => {
                    if let Err(e) = self.fs.charge(PAGE as u64) {
                        // A short write is what Linux reports when space runs out midway.
                        if done == 0 {
                            return Err(e);
                        }
                        break;
                    }
                    v.insert(Box::new([0u8; PAGE]))
                }
            };
            page[within..within + chunk].copy_from_slice(&data[done..done + chunk]);
            done += chunk;
        }
        p.size = p.size.max((off + done as u64).min(end));
        drop(p);
        self.touch_mc();
        Ok(done)
    }

    /// Zeroes `[off, end)` without changing the size; whole pages in it are freed.
    fn punch_hole(&self, off: u64, end: u64) {
        let Body::File(p) = &self.body else {
            return;
        };
        let mut p = lock(p);
        let end = end.min(p.size.next_multiple_of(PAGE as u64));
        if off >= end {
            return;
        }
        let (first, last) = (off / PAGE as u64, (end - 1) / PAGE as u64);
        let mut freed = 0;
        for idx in first..=last {
            let (lo, hi) = (idx * PAGE as u64, (idx + 1) * PAGE as u64);
            if off <= lo && hi <= end {
                freed += p.pages.remove(&idx).is_some() as u64;
            } else if let Some(page) = p.pages.get_mut(&idx) {
                let a = (off.max(lo) - lo) as usize;
                let b = (end.min(hi) - lo) as usize;
                page[a..b].fill(0);
            }
        }
        self.fs.release(freed * PAGE as u64);
        drop(p);
        self.touch_mc();
    }

    /// `fallocate`: `FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE`, or allocation (with or
    /// without `FALLOC_FL_KEEP_SIZE`), reserving the pages so later writes cannot fail for
    /// space.
    fn raw_allocate(&self, mode: u32, off: u64, end: u64) -> KResult<()> {
        const KEEP_SIZE: u32 = 1;
        const PUNCH_HOLE: u32 = 2;
        let Body::File(p) = &self.body else {
            return Err(Errno::ENODEV);
        };
        if mode & PUNCH_HOLE != 0 {
            self.punch_hole(off, end);
            return Ok(());
        }
        let mut pages = lock(p);
        let mut idx = off / PAGE as u64;
        while idx * (PAGE as u64) < end {
            if let std::collections::btree_map::Entry::Vacant(v) = pages.pages.entry(idx) {
                self.fs.charge(PAGE as u64)?;
                v.insert(Box::new([0u8; PAGE]));
            }
            idx += 1;
        }
        if mode & KEEP_SIZE == 0 && end > pages.size {
            pages.size = end;
        }
        drop(pages);
        self.touch_c();
        Ok(())
    }

    /// `SEEK_DATA`/`SEEK_HOLE` at page granularity: present pages are data, missing ones
    /// holes, and the end of the file is a hole.
    fn seek_data(&self, off: u64, data: bool) -> KResult<u64> {
        let Body::File(p) = &self.body else {
            return Err(Errno::ENXIO);
        };
        let p = lock(p);
        if off >= p.size {
            return Err(Errno::ENXIO);
        }
        let page = PAGE as u64;
        let mut idx = off / page;
        if data {
            let next = p.pages.range(idx..).next().map(|(&i, _)| i);
            return match next {
                Some(i) if i * page < p.size => Ok(off.max(i * page)),
                _ => Err(Errno::ENXIO),
            };
        }
        while p.pages.contains_key(&idx) && idx * page < p.size {
            idx += 1;
        }
        Ok(off.max(idx * page).min(p.size))
    }

    fn raw_truncate(&self, len: u64) -> KResult<()> {
        let Body::File(p) = &self.body else {
            return Err(Errno::EISDIR);
        };
        if len > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut p = lock(p);
        if len < p.size {
            let first_gone = len.div_ceil(PAGE as u64);
            let gone = p.pages.split_off(&first_gone);
            self.fs.release(gone.len() as u64 * PAGE as u64);
            // Zero the tail of the last partial page so a later extension reads zeros.
            let within = (len % PAGE as u64) as usize;
            if within != 0 {
                if let Some(page) = p.pages.get_mut(&(len / PAGE as u64)) {
                    page[within..].fill(0);
                }
            }
        }
        p.size = len;
        drop(p);
        self.touch_mc();
        Ok(())
    }
}

/// A handle to a tmpfs inode (what the VFS holds), with the directory entry it was reached
/// by when it is not a directory (directories know their own parent and name).
pub struct TmpNode(Arc<Inode>, Option<Link>);

/// The directory entry a non-directory was found or created as.
struct Link {
    parent: Weak<Inode>,
    name: Vec<u8>,
}

impl TmpNode {
    /// A handle to `inode`, named `name` in `parent`.
    fn named(inode: Arc<Inode>, parent: &Arc<Inode>, name: &[u8]) -> TmpNode {
        let link = (!inode.is_dir()).then(|| Link {
            parent: Arc::downgrade(parent),
            name: name.to_vec(),
        });
        TmpNode(inode, link)
    }
}

fn tmp(node: &dyn Node) -> KResult<&TmpNode> {
    node.as_any().downcast_ref::<TmpNode>().ok_or(Errno::EXDEV)
}

impl TmpNode {
    fn child(&self, name: &[u8]) -> KResult<Arc<Inode>> {
        self.0
            .dir()?
            .entries
            .get(name)
            .cloned()
            .ok_or(Errno::ENOENT)
    }
}

impl Node for TmpNode {
    fn stat(&self) -> KResult<Stat> {
        Ok(self.0.stat())
    }

    fn lookup(&self, _cx: &Cx, name: &[u8]) -> KResult<NodeRef> {
        Ok(Arc::new(TmpNode::named(self.child(name)?, &self.0, name)))
    }

    fn parent(&self) -> Option<NodeRef> {
        let p = self.0.dir().ok()?.parent.upgrade()?;
        Some(Arc::new(TmpNode(p, None)))
    }

    fn entry(&self) -> Option<(NodeRef, Vec<u8>)> {
        let (parent, name) = match &self.1 {
            Some(link) => (link.parent.upgrade()?, link.name.clone()),
            None => {
                let d = self.0.dir().ok()?;
                (d.parent.upgrade()?, d.name.clone())
            }
        };
        Some((Arc::new(TmpNode(parent, None)), name))
    }

    /// Up the parent links to the root (a removed node still has the links it had).
    fn whereabouts(&self) -> Whereabouts {
        // Renames change the links under this lock: the chain read is consistent.
        let _ns = lock(&self.0.fs.ns);
        let mut names: Vec<Vec<u8>> = Vec::new();
        let mut removed = false;
        let mut cur = self.0.clone();
        if let Some(link) = &self.1 {
            removed = lock(&self.0.meta).nlink == 0;
            let Some(p) = link.parent.upgrade() else {
                return Whereabouts::Removed(None);
            };
            names.push(link.name.clone());
            cur = p;
        }
        loop {
            removed |= lock(&cur.meta).nlink == 0;
            let Ok(d) = cur.dir() else {
                return Whereabouts::Untracked;
            };
            let Some(parent) = d.parent.upgrade() else {
                // Only the root has no name; anything else lost its parent after removal.
                if !d.name.is_empty() {
                    return Whereabouts::Removed(None);
                }
                break;
            };
            names.push(d.name.clone());
            drop(d);
            cur = parent;
        }
        names.reverse();
        let rel = names.join(&b'/');
        if removed {
            Whereabouts::Removed(Some(rel))
        } else {
            Whereabouts::Below(rel)
        }
    }

    fn readlink(&self, _cx: &Cx) -> KResult<Vec<u8>> {
        match &self.0.body {
            Body::Symlink(t) => Ok(t.clone()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn readdir(&self, _cx: &Cx) -> KResult<Vec<DirEntry>> {
        let d = self.0.dir()?;
        Ok(d.entries
            .iter()
            .map(|(name, n)| DirEntry {
                ino: n.ino,
                kind: FileKind::from_mode(lock(&n.meta).mode).unwrap_or(FileKind::Regular),
                name: name.clone(),
            })
            .collect())
    }

    fn open(&self, _cx: &Cx, _flags: u32) -> KResult<Arc<dyn FileOps>> {
        match &self.0.body {
            Body::File(_) => Ok(Arc::new(TmpFile(self.0.clone()))),
            // Opening a FIFO needs the pipe machinery (not yet in the kernel).
            Body::Fifo => Err(Errno::ENXIO),
            Body::Dir(_) => Err(Errno::EISDIR),
            Body::Symlink(_) => Err(Errno::ELOOP),
        }
    }

    fn create(&self, name: &[u8], what: NewNode, attr: NewAttr) -> KResult<NodeRef> {
        let fs = &self.0.fs;
        let _ns = lock(&fs.ns);
        if !self.0.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        if lock(&self.0.meta).nlink == 0 {
            // A removed directory accepts no new entries.
            return Err(Errno::ENOENT);
        }
        if self.0.dir()?.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let extra = match &what {
            NewNode::Symlink(t) => t.len() as u64,
            _ => 0,
        };
        fs.charge(INODE_COST + extra + name.len() as u64)?;
        let (bits, body) = match what {
            NewNode::Regular => (S_IFREG, Body::File(Mutex::new(Pages::default()))),
            NewNode::Directory => (
                S_IFDIR,
                Body::Dir(Mutex::new(DirBody {
                    entries: BTreeMap::new(),
                    parent: Arc::downgrade(&self.0),
                    name: name.to_vec(),
                })),
            ),
            NewNode::Symlink(t) => (S_IFLNK, Body::Symlink(t)),
            NewNode::Fifo => (S_IFIFO, Body::Fifo),
            // A socket node has no contents either; opening it gives ENXIO, as on Linux.
            NewNode::Socket => (S_IFSOCK, Body::Fifo),
        };
        let attr = if bits == S_IFLNK {
            NewAttr {
                mode: 0o777,
                ..attr
            }
        } else {
            attr
        };
        let inode = Arc::new(Inode::new(fs, bits, attr, body));
        self.0.dir()?.entries.insert(name.to_vec(), inode.clone());
        if bits == S_IFDIR {
            self.0.add_nlink(1);
        }
        self.0.touch_mc();
        Ok(Arc::new(TmpNode::named(inode, &self.0, name)))
    }

    fn unlink(&self, name: &[u8], dir: bool) -> KResult<()> {
        let fs = &self.0.fs;
        let _ns = lock(&fs.ns);
        let victim = self.child(name)?;
        if dir {
            let d = victim.dir()?;
            if !d.entries.is_empty() {
                return Err(Errno::ENOTEMPTY);
            }
        } else if victim.is_dir() {
            return Err(Errno::EISDIR);
        }
        self.0.dir()?.entries.remove(name);
        fs.release(name.len() as u64);
        if dir {
            lock(&victim.meta).nlink = 0;
            victim.touch_c();
            self.0.add_nlink(-1);
        } else {
            victim.add_nlink(-1);
        }
        self.0.touch_mc();
        Ok(())
    }

    fn rename(&self, old: &[u8], new_dir: &dyn Node, new: &[u8], flags: u32) -> KResult<()> {
        let new_dir = tmp(new_dir)?.0.clone();
        if !Arc::ptr_eq(&new_dir.fs, &self.0.fs) {
            return Err(Errno::EXDEV);
        }
        let _ns = lock(&self.0.fs.ns);
        let src = self.child(old)?;
        let dst = new_dir.dir()?.entries.get(new).cloned();
        if lock(&new_dir.meta).nlink == 0 {
            return Err(Errno::ENOENT);
        }
        if flags & RENAME_EXCHANGE != 0 {
            let dst = dst.ok_or(Errno::ENOENT)?;
            if Arc::ptr_eq(&src, &dst) {
                return Ok(());
            }
            // Neither may end up inside itself.
            if (src.is_dir() && new_dir.is_within(&src)) || (dst.is_dir() && self.0.is_within(&dst))
            {
                return Err(Errno::EINVAL);
            }
            self.0.dir()?.entries.insert(old.to_vec(), dst.clone());
            new_dir.dir()?.entries.insert(new.to_vec(), src.clone());
            if let Ok(mut d) = src.dir() {
                d.parent = Arc::downgrade(&new_dir);
                d.name = new.to_vec();
            }
            if let Ok(mut d) = dst.dir() {
                d.parent = Arc::downgrade(&self.0);
                d.name = old.to_vec();
            }
            if !Arc::ptr_eq(&self.0, &new_dir) {
                let delta = src.is_dir() as i64 - dst.is_dir() as i64;
                self.0.add_nlink(-delta);
                new_dir.add_nlink(delta);
            }
            src.touch_c();
            dst.touch_c();
            self.0.touch_mc();
            new_dir.touch_mc();
            return Ok(());
        }
        if let Some(dst) = &dst {
            if flags & RENAME_NOREPLACE != 0 {
                return Err(Errno::EEXIST);
            }
            if Arc::ptr_eq(&src, dst) {
                // Two names of one inode: Linux does nothing and succeeds.
                return Ok(());
            }
            match (src.is_dir(), dst.is_dir()) {
                (true, false) => return Err(Errno::ENOTDIR),
                (false, true) => return Err(Errno::EISDIR),
                (true, true) if !dst.dir()?.entries.is_empty() => return Err(Errno::ENOTEMPTY),
                _ => {}
            }
        }
        if src.is_dir() && new_dir.is_within(&src) {
            return Err(Errno::EINVAL);
        }
        self.0.dir()?.entries.remove(old);
        let replaced = new_dir.dir()?.entries.insert(new.to_vec(), src.clone());
        self.0.fs.release(old.len() as u64);
        let _ = self.0.fs.charge(new.len() as u64);
        if let Some(r) = replaced {
            self.0.fs.release(new.len() as u64);
            if r.is_dir() {
                lock(&r.meta).nlink = 0;
                new_dir.add_nlink(-1);
            } else {
                r.add_nlink(-1);
            }
        }
        if let Ok(mut d) = src.dir() {
            d.parent = Arc::downgrade(&new_dir);
            d.name = new.to_vec();
        }
        if src.is_dir() && !Arc::ptr_eq(&self.0, &new_dir) {
            self.0.add_nlink(-1);
            new_dir.add_nlink(1);
        }
        src.touch_c();
        self.0.touch_mc();
        new_dir.touch_mc();
        Ok(())
    }

    fn link(&self, target: &dyn Node, name: &[u8]) -> KResult<()> {
        let target = tmp(target)?.0.clone();
        if !Arc::ptr_eq(&target.fs, &self.0.fs) {
            return Err(Errno::EXDEV);
        }
        if target.is_dir() {
            return Err(Errno::EPERM);
        }
        let _ns = lock(&self.0.fs.ns);
        if lock(&target.meta).nlink == 0 {
            // Linux refuses to resurrect an unlinked file (except O_TMPFILE ones).
            return Err(Errno::ENOENT);
        }
        let mut d = self.0.dir()?;
        if d.entries.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        self.0.fs.charge(name.len() as u64)?;
        d.entries.insert(name.to_vec(), target.clone());
        drop(d);
        target.add_nlink(1);
        self.0.touch_mc();
        Ok(())
    }

    fn setattr(&self, attr: &SetAttr) -> KResult<()> {
        if let Some(size) = attr.size {
            self.0.truncate(size)?;
        }
        let now = Timespec::now();
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
        let pick = |t: TimeSet| match t {
            TimeSet::Now => now,
            TimeSet::At(t) => t,
        };
        if let Some(t) = attr.atime {
            m.atime = pick(t);
        }
        if let Some(t) = attr.mtime {
            m.mtime = pick(t);
        }
        m.ctime = now;
        Ok(())
    }

    fn statfs(&self) -> KResult<StatFs> {
        let fs = &self.0.fs;
        let blocks = fs.max / PAGE as u64;
        let free = fs.max.saturating_sub(fs.used.load(Ordering::Relaxed)) / PAGE as u64;
        let files = fs.max / INODE_COST;
        Ok(StatFs {
            fs_type: TMPFS_MAGIC,
            bsize: PAGE as u64,
            blocks,
            bfree: free,
            bavail: free,
            files,
            ffree: fs.max.saturating_sub(fs.used.load(Ordering::Relaxed)) / INODE_COST,
            namelen: 255,
        })
    }

    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<TmpNode>()
            .is_some_and(|o| Arc::ptr_eq(&o.0, &self.0))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An open tmpfs regular file.
struct TmpFile(Arc<Inode>);

impl FileOps for TmpFile {
    fn describe(&self) -> String {
        format!("tmpfs:[{}]", self.0.ino)
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(self.0.stat())
    }
    fn seekable(&self) -> bool {
        true
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.read_at(off, buf)
    }
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        self.0.write_at(off, data)
    }
    fn truncate(&self, len: u64) -> KResult<()> {
        self.0.truncate(len)
    }
    fn seek_data(&self, off: u64, whence: u32) -> Option<KResult<u64>> {
        Some(self.0.seek_data(off, whence == crate::fd::SEEK_DATA))
    }
    /// Memory is the storage: only stores made through shared mappings are written back.
    fn sync(&self) -> KResult<()> {
        self.0.fs.caches.sync(self.0.cache_key())
    }
    /// Linux's tmpfs offers plain allocation, `FALLOC_FL_KEEP_SIZE` and (with it)
    /// `FALLOC_FL_PUNCH_HOLE`.
    fn allocate(&self, mode: u32, off: u64, len: u64) -> KResult<()> {
        const KEEP_SIZE: u32 = 1;
        const PUNCH_HOLE: u32 = 2;
        let end = off
            .checked_add(len)
            .filter(|&e| e <= MAX_FILE_SIZE)
            .ok_or(Errno::EFBIG)?;
        if !matches!(self.0.body, Body::File(_)) {
            return Err(Errno::ENODEV);
        }
        if mode != PUNCH_HOLE | KEEP_SIZE && mode & !KEEP_SIZE != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        self.0.allocate(mode, off, end)
    }
    fn mmap_source(&self) -> KResult<Arc<dyn MmapSource>> {
        Ok(Arc::new(TmpFile(self.0.clone())))
    }
    /// A shared mapping maps the file's page cache (made now if the file has none).
    fn mmap_shared_source(
        &self,
        phys: &Arc<PhysMemory>,
        _prot: u32,
        writable: bool,
    ) -> KResult<Arc<dyn MmapSource>> {
        let raw = || -> Arc<dyn CachedFile> { Arc::new(TmpRaw(self.0.clone())) };
        let writer = writable.then(raw);
        let name = format!("tmpfs:[{}]", self.0.ino);
        self.0
            .fs
            .caches
            .map(self.0.cache_key(), phys, name, raw, writer)
    }
    /// Linux's tmpfs files are shmem files born with `F_SEAL_SEAL`: they report it, and
    /// refuse new seals.
    fn seals(&self) -> Option<u32> {
        Some(super::memfd::F_SEAL_SEAL)
    }
    fn add_seals(&self, _seals: u32) -> KResult<()> {
        Err(Errno::EPERM)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A private mapping reads through the page cache.
impl MmapSource for TmpFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.read_at(offset, buf)
    }
    fn describe(&self) -> String {
        format!("tmpfs:[{}]", self.0.ino)
    }
    fn file_size(&self) -> Option<u64> {
        Some(self.0.stat().size)
    }
}

/// A tmpfs file as its page cache reads and writes it.
struct TmpRaw(Arc<Inode>);

impl CachedFile for TmpRaw {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.raw_read_at(off, buf)
    }
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        self.0.raw_write_at(off, data)
    }
    fn size(&self) -> KResult<u64> {
        Ok(self.0.stat().size)
    }
    /// The page is allocated (and charged) now: a full tmpfs makes the fault `SIGBUS`, not
    /// the write-back fail.
    fn reserve(&self, off: u64, len: u64) -> KResult<()> {
        const KEEP_SIZE: u32 = 1;
        self.0.raw_allocate(KEEP_SIZE, off, off + len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr() -> NewAttr {
        NewAttr {
            mode: 0o644,
            uid: 1,
            gid: 2,
        }
    }

    fn cx() -> Cx<'static> {
        Cx::default()
    }

    fn names(n: &NodeRef) -> Vec<Vec<u8>> {
        n.readdir(&cx())
            .unwrap()
            .into_iter()
            .map(|e| e.name)
            .collect()
    }

    #[test]
    fn create_lookup_unlink_and_listing() {
        let root = new_tmpfs(TmpfsOptions::default());
        let f = root.create(b"a", NewNode::Regular, attr()).unwrap();
        root.create(
            b"d",
            NewNode::Directory,
            NewAttr {
                mode: 0o755,
                ..attr()
            },
        )
        .unwrap();
        root.create(b"l", NewNode::Symlink(b"a".to_vec()), attr())
            .unwrap();
        assert_eq!(
            root.create(b"a", NewNode::Regular, attr()).err(),
            Some(Errno::EEXIST)
        );
        assert_eq!(
            names(&root),
            vec![b"a".to_vec(), b"d".to_vec(), b"l".to_vec()]
        );
        let st = f.stat().unwrap();
        assert_eq!(st.mode, S_IFREG | 0o644);
        assert_eq!((st.uid, st.gid, st.nlink), (1, 2, 1));
        assert_eq!(root.stat().unwrap().nlink, 3);
        let l = root.lookup(&cx(), b"l").unwrap();
        assert_eq!(l.readlink(&cx()).unwrap(), b"a");
        assert_eq!(l.stat().unwrap().mode, S_IFLNK | 0o777);
        assert_eq!(root.unlink(b"d", false).err(), Some(Errno::EISDIR));
        assert_eq!(root.unlink(b"a", true).err(), Some(Errno::ENOTDIR));
        root.unlink(b"a", false).unwrap();
        assert_eq!(f.stat().unwrap().nlink, 0);
        assert_eq!(root.lookup(&cx(), b"a").err(), Some(Errno::ENOENT));
        root.unlink(b"d", true).unwrap();
        assert_eq!(root.stat().unwrap().nlink, 2);
        assert_ne!(f.stat().unwrap().ino, root.stat().unwrap().ino);
    }

    #[test]
    fn rmdir_non_empty_is_enotempty() {
        let root = new_tmpfs(TmpfsOptions::default());
        let d = root.create(b"d", NewNode::Directory, attr()).unwrap();
        d.create(b"x", NewNode::Regular, attr()).unwrap();
        assert_eq!(root.unlink(b"d", true).err(), Some(Errno::ENOTEMPTY));
        d.unlink(b"x", false).unwrap();
        root.unlink(b"d", true).unwrap();
        // A removed directory takes no new entries.
        assert_eq!(
            d.create(b"y", NewNode::Regular, attr()).err(),
            Some(Errno::ENOENT)
        );
    }

    #[test]
    fn hard_links_share_data_and_count() {
        let root = new_tmpfs(TmpfsOptions::default());
        let f = root.create(b"a", NewNode::Regular, attr()).unwrap();
        root.link(&*f, b"b").unwrap();
        assert_eq!(f.stat().unwrap().nlink, 2);
        let ops = f.open(&cx(), 0).unwrap();
        ops.write_at(0, b"hello").unwrap();
        let b = root.lookup(&cx(), b"b").unwrap();
        let mut buf = [0u8; 8];
        let n = b.open(&cx(), 0).unwrap().read_at(0, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"hello");
        assert!(b.same(&*f));
        root.unlink(b"a", false).unwrap();
        assert_eq!(b.stat().unwrap().nlink, 1);
        assert_eq!(root.link(&*b, b"b").err(), Some(Errno::EEXIST));
        let d = root.create(b"d", NewNode::Directory, attr()).unwrap();
        assert_eq!(root.link(&*d, b"d2").err(), Some(Errno::EPERM));
    }

    #[test]
    fn rename_semantics() {
        let root = new_tmpfs(TmpfsOptions::default());
        let d1 = root.create(b"d1", NewNode::Directory, attr()).unwrap();
        let d2 = root.create(b"d2", NewNode::Directory, attr()).unwrap();
        let sub = d1.create(b"sub", NewNode::Directory, attr()).unwrap();
        let f = d1.create(b"f", NewNode::Regular, attr()).unwrap();
        // Moving a directory between parents moves the ".." link count.
        d1.rename(b"sub", &*d2, b"sub2", 0).unwrap();
        assert_eq!(d1.stat().unwrap().nlink, 2);
        assert_eq!(d2.stat().unwrap().nlink, 3);
        assert!(sub.parent().unwrap().same(&*d2));
        // A directory cannot move into itself.
        assert_eq!(
            root.rename(b"d2", &*sub, b"x", 0).err(),
            Some(Errno::EINVAL)
        );
        // Replacing: file over dir is EISDIR, dir over file ENOTDIR, dir over non-empty ENOTEMPTY.
        assert_eq!(d1.rename(b"f", &*d2, b"sub2", 0).err(), Some(Errno::EISDIR));
        d2.create(b"g", NewNode::Regular, attr()).unwrap();
        assert_eq!(
            d2.rename(b"sub2", &*d2, b"g", 0).err(),
            Some(Errno::ENOTDIR)
        );
        assert_eq!(
            root.rename(b"d1", &*root, b"d2", 0).err(),
            Some(Errno::ENOTEMPTY)
        );
        // File over file replaces it; NOREPLACE refuses.
        assert_eq!(
            d1.rename(b"f", &*d2, b"g", RENAME_NOREPLACE).err(),
            Some(Errno::EEXIST)
        );
        let g = d2.lookup(&cx(), b"g").unwrap();
        d1.rename(b"f", &*d2, b"g", 0).unwrap();
        assert_eq!(g.stat().unwrap().nlink, 0);
        assert!(d2.lookup(&cx(), b"g").unwrap().same(&*f));
        assert_eq!(d1.lookup(&cx(), b"f").err(), Some(Errno::ENOENT));
        // Exchange swaps.
        d1.create(b"h", NewNode::Regular, attr()).unwrap();
        d1.rename(b"h", &*d2, b"sub2", RENAME_EXCHANGE).unwrap();
        assert!(d1.lookup(&cx(), b"h").unwrap().same(&*sub));
        assert_eq!(d1.stat().unwrap().nlink, 3);
        assert_eq!(d2.stat().unwrap().nlink, 2);
    }

    #[test]
    fn sparse_files_truncate_and_budget() {
        let root = new_tmpfs(TmpfsOptions {
            max_bytes: 64 * 1024,
            ..TmpfsOptions::default()
        });
        let f = root.create(b"f", NewNode::Regular, attr()).unwrap();
        let ops = f.open(&cx(), 0).unwrap();
        // A huge sparse size costs nothing.
        f.setattr(&SetAttr {
            size: Some(1 << 40),
            ..SetAttr::default()
        })
        .unwrap();
        assert_eq!(f.stat().unwrap().size, 1 << 40);
        assert_eq!(f.stat().unwrap().blocks, 0);
        let mut buf = [1u8; 4];
        assert_eq!(ops.read_at(1 << 39, &mut buf).unwrap(), 4);
        assert_eq!(buf, [0; 4]);
        // Filling beyond the budget is ENOSPC (or a short write).
        let big = vec![7u8; 128 * 1024];
        let n = ops.write_at(0, &big).unwrap();
        assert!(n < big.len());
        assert_eq!(ops.write_at(1 << 30, b"x").err(), Some(Errno::ENOSPC));
        // Shrinking gives the space back and zeroes the cut tail.
        f.setattr(&SetAttr {
            size: Some(10),
            ..SetAttr::default()
        })
        .unwrap();
        f.setattr(&SetAttr {
            size: Some(100),
            ..SetAttr::default()
        })
        .unwrap();
        let mut buf = [9u8; 100];
        assert_eq!(ops.read_at(0, &mut buf).unwrap(), 100);
        assert_eq!(&buf[..10], &[7u8; 10]);
        assert!(buf[10..].iter().all(|&b| b == 0));
        assert!(ops.write_at(8192, &[1u8; 8192]).is_ok());
        assert_eq!(ops.write_at(u64::MAX - 2, b"abc").err(), Some(Errno::EFBIG));
    }
}
