//! The page cache of regular files (tmpfs and host files) while they are mapped `MAP_SHARED`.
//!
//! On Linux every view of a file goes through one page cache, so shared mappings, `read` and
//! `write` see the same bytes at once. sbx gives a file such a cache when it is first mapped
//! shared: its pages live in guest frames that every shared mapping of the file, in every
//! process, maps directly (like memfd's, see [`super::ShmemPages`]), and while the cache lives
//! `read`/`write`/`truncate` through any descriptor of the file go through it too. Unlike
//! memfd the file stays the storage: writes go to the file and the cached frames
//! (write-through), stores made through mappings reach the file at `msync`, `fsync` and when
//! the last mapping goes, and then the cache retires. Pages a shrink cuts off are taken from
//! every mapping (see [`Rmap`]): touching them again is `SIGBUS`.
//!
//! A registry ([`PageCaches`]) finds a file's cache by its identity and holds it weakly (the
//! mappings hold it). Its lock is taken shared by every operation on a cacheable file and
//! exclusively to create a cache, so no uncached write can slip between the file's bytes and
//! a new cache filling its frames from them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use super::phys::{PhysMemory, PAGE_SIZE};
use super::rmap::{Rmap, Unmap};
use super::vma::{MmapSource, SharedPage};
use crate::errno::{Errno, KResult};

/// The file under a cache, accessed directly (never through the cache).
pub trait CachedFile: Send + Sync {
    /// Reads the file at `off`; the count is short only at its end.
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize>;
    /// Writes the file at `off`.
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize>;
    /// The file's size.
    fn size(&self) -> KResult<u64>;
    /// Makes sure writing `[off, off+len)` back later cannot fail for space (tmpfs charges
    /// its budget now, as Linux's shmem does at fault time).
    fn reserve(&self, off: u64, len: u64) -> KResult<()> {
        let _ = (off, len);
        Ok(())
    }
}

/// A file's identity within a registry: `(st_dev, st_ino)`.
pub type CacheKey = (u64, u64);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The live page caches of a set of files (a tmpfs instance, or the sandbox's host mounts).
#[derive(Default)]
pub struct PageCaches {
    map: RwLock<HashMap<CacheKey, Weak<PageCache>>>,
}

impl PageCaches {
    /// Runs `f` with the live cache of file `key`, if it has one; no cache of it can be
    /// created meanwhile.
    fn with<R>(&self, key: CacheKey, f: impl FnOnce(Option<&Arc<PageCache>>) -> R) -> R {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        let cache = map.get(&key).and_then(Weak::upgrade);
        f(cache.as_ref())
    }

    /// Runs `f`, a size change of file `key` through its cache that records the file range
    /// it cut off, then takes that range away from the mappings (even if `f` failed midway),
    /// with no lock of the registry, the cache or the file held.
    fn resize(
        &self,
        key: CacheKey,
        f: impl FnOnce(Option<&PageCache>, &mut Option<(u64, u64)>) -> KResult<()>,
    ) -> KResult<()> {
        let mut cut = None;
        let (cache, result) = self.with(key, |c| (c.cloned(), f(c.map(|c| &**c), &mut cut)));
        if let Some(cache) = &cache {
            Unmap::new(&cache.rmap, cut).run();
        }
        result
    }

    /// `pread` of file `key`: `raw` reads the file itself; pages the cache holds come from
    /// its frames (a mapping may have changed them since they were last written back).
    pub fn read(
        &self,
        key: CacheKey,
        off: u64,
        buf: &mut [u8],
        raw: impl FnOnce(&mut [u8]) -> KResult<usize>,
    ) -> KResult<usize> {
        self.with(key, |c| match c {
            Some(c) => c.read_through(off, buf, raw),
            None => raw(buf),
        })
    }

    /// `pwrite` of file `key`: `raw` writes the file itself; cached pages are updated too.
    pub fn write(
        &self,
        key: CacheKey,
        off: u64,
        data: &[u8],
        raw: impl FnOnce(&[u8]) -> KResult<usize>,
    ) -> KResult<usize> {
        self.with(key, |c| match c {
            Some(c) => c.write_through(off, data, raw),
            None => raw(data),
        })
    }

    /// Sets the size of file `key` to `len` (`raw` does it to the file); the cache follows,
    /// and pages a shrink cuts off are unmapped from every mapping before this returns.
    pub fn truncate(
        &self,
        key: CacheKey,
        len: u64,
        raw: impl FnOnce() -> KResult<()>,
    ) -> KResult<()> {
        self.resize(key, |c, cut| match c {
            Some(c) => c.truncate(len, raw, cut),
            None => raw(),
        })
    }

    /// Runs `raw`, a change the cache cannot follow byte by byte (`fallocate` modes), on file
    /// `key` from offset `from` on: what mappings stored is written back first, and the
    /// cached pages from `from` on are read again afterwards (those past a new, smaller end
    /// of file are unmapped instead).
    pub fn reload(
        &self,
        key: CacheKey,
        from: u64,
        raw: impl FnOnce() -> KResult<()>,
    ) -> KResult<()> {
        self.resize(key, |c, cut| match c {
            Some(c) => c.reload(from, raw, cut),
            None => raw(),
        })
    }

    /// `fsync`: writes what mappings stored back to file `key`.
    pub fn sync(&self, key: CacheKey) -> KResult<()> {
        self.with(key, |c| c.map_or(Ok(()), |c| c.sync(0, u64::MAX)))
    }

    /// The page source of a new `MAP_SHARED` mapping of file `key` named `name`, made over
    /// `phys`: the file's live cache, or a new one reading through `reader`. `writer` (the
    /// file opened for writing) is given for mappings that may become writable; stores
    /// are written back through it.
    pub fn map(
        &self,
        key: CacheKey,
        phys: &Arc<PhysMemory>,
        name: String,
        reader: impl FnOnce() -> Arc<dyn CachedFile>,
        writer: Option<Arc<dyn CachedFile>>,
    ) -> KResult<Arc<dyn MmapSource>> {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        let writable = writer.is_some();
        if let Some(cache) = map.get(&key).and_then(Weak::upgrade) {
            // Frames of another sandbox's memory must never be mapped here.
            if !Arc::ptr_eq(&cache.phys, phys) {
                return Err(Errno::ENODEV);
            }
            if cache.attach(writer.clone()) {
                return Ok(Arc::new(CacheMapping {
                    cache,
                    writable,
                    name,
                }));
            }
        }
        map.retain(|_, w| w.strong_count() > 0);
        let cache = Arc::new(PageCache::new(phys.clone(), reader())?);
        cache.attach(writer);
        map.insert(key, Arc::downgrade(&cache));
        Ok(Arc::new(CacheMapping {
            cache,
            writable,
            name,
        }))
    }

    /// How many files have a live cache (tests and diagnostics).
    pub fn live(&self) -> usize {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.values().filter(|w| w.strong_count() > 0).count()
    }
}

/// One cached page.
#[derive(Clone, Copy)]
struct Page {
    frame: u64,
    /// A mapping has mapped it writable: its frame may differ from the file until written
    /// back. (Stores leave no trace sbx could see, so this stays set.)
    dirty: bool,
}

struct Inner {
    /// The file's size, kept in step by every size change made in the sandbox.
    size: u64,
    /// Page index to frame. The cache holds one reference to each frame, mappings their own
    /// until the page is unmapped from them.
    pages: BTreeMap<u64, Page>,
    /// Live mappings (page sources handed out by [`PageCaches::map`]).
    mappings: usize,
    /// The last mapping went and everything was written back: the cache is empty and every
    /// operation goes to the file directly.
    retired: bool,
    /// Reads the file to fill frames.
    reader: Option<Arc<dyn CachedFile>>,
    /// Writes stores back (the file as a descriptor of a mapping that may write opened it).
    writer: Option<Arc<dyn CachedFile>>,
}

/// The cached pages of one file.
pub struct PageCache {
    phys: Arc<PhysMemory>,
    inner: Mutex<Inner>,
    /// The address spaces that map the file through this cache.
    rmap: Rmap,
}

fn split(pos: u64) -> (u64, usize) {
    (pos / PAGE_SIZE, (pos % PAGE_SIZE) as usize)
}

impl PageCache {
    fn new(phys: Arc<PhysMemory>, reader: Arc<dyn CachedFile>) -> KResult<PageCache> {
        Ok(PageCache {
            phys,
            inner: Mutex::new(Inner {
                size: reader.size()?,
                pages: BTreeMap::new(),
                mappings: 0,
                retired: false,
                reader: Some(reader),
                writer: None,
            }),
            rmap: Rmap::default(),
        })
    }

    /// Counts one more mapping; false if the cache has retired (a new one is needed).
    fn attach(&self, writer: Option<Arc<dyn CachedFile>>) -> bool {
        let mut inner = lock(&self.inner);
        if inner.retired {
            return false;
        }
        inner.mappings += 1;
        if inner.writer.is_none() {
            inner.writer = writer;
        }
        true
    }

    /// One mapping went; after the last, stores are written back and the cache retires.
    fn detach(&self) {
        let mut inner = lock(&self.inner);
        inner.mappings = inner.mappings.saturating_sub(1);
        if inner.mappings > 0 || inner.retired {
            return;
        }
        // Nobody is left to report a failure to (as for a page Linux fails to write back).
        let _ = self.write_back(&inner, 0, u64::MAX);
        inner.retired = true;
        let frames: Vec<u64> = inner.pages.values().map(|p| p.frame).collect();
        inner.pages.clear();
        inner.reader = None;
        inner.writer = None;
        drop(inner);
        self.phys.free_frames(&frames);
    }

    /// Copies the cached pages overlapping `[off, off + buf.len())` into `buf`.
    fn overlay(&self, inner: &Inner, off: u64, buf: &mut [u8]) -> KResult<()> {
        let Some(end) = off.checked_add(buf.len() as u64) else {
            return Err(Errno::EINVAL);
        };
        if buf.is_empty() {
            return Ok(());
        }
        for (&idx, page) in inner.pages.range(off / PAGE_SIZE..=(end - 1) / PAGE_SIZE) {
            let lo = (idx * PAGE_SIZE).max(off);
            let hi = ((idx + 1) * PAGE_SIZE).min(end);
            let dst = &mut buf[(lo - off) as usize..(hi - off) as usize];
            self.phys.read(page.frame + lo % PAGE_SIZE, dst)?;
        }
        Ok(())
    }

    fn read_through(
        &self,
        off: u64,
        buf: &mut [u8],
        raw: impl FnOnce(&mut [u8]) -> KResult<usize>,
    ) -> KResult<usize> {
        let inner = lock(&self.inner);
        let n = raw(buf)?;
        if !inner.retired {
            self.overlay(&inner, off, &mut buf[..n])?;
        }
        Ok(n)
    }

    fn write_through(
        &self,
        off: u64,
        data: &[u8],
        raw: impl FnOnce(&[u8]) -> KResult<usize>,
    ) -> KResult<usize> {
        let mut inner = lock(&self.inner);
        let n = raw(data)?.min(data.len());
        if inner.retired || n == 0 {
            return Ok(n);
        }
        let end = off.saturating_add(n as u64);
        for (&idx, page) in inner.pages.range(off / PAGE_SIZE..=(end - 1) / PAGE_SIZE) {
            let lo = (idx * PAGE_SIZE).max(off);
            let hi = ((idx + 1) * PAGE_SIZE).min(end);
            let src = &data[(lo - off) as usize..(hi - off) as usize];
            self.phys.write(page.frame + lo % PAGE_SIZE, src)?;
        }
        inner.size = inner.size.max(end);
        Ok(n)
    }

    /// Sets the size to `len` (`raw` does it to the file); `cut` gets the file offsets of
    /// the pages it cut off, which mappings must lose.
    fn truncate(
        &self,
        len: u64,
        raw: impl FnOnce() -> KResult<()>,
        cut: &mut Option<(u64, u64)>,
    ) -> KResult<()> {
        let mut inner = lock(&self.inner);
        raw()?;
        if inner.retired {
            return Ok(());
        }
        if len < inner.size {
            *cut = self.drop_pages(&mut inner, len.div_ceil(PAGE_SIZE));
            let (idx, within) = split(len);
            if within != 0 {
                if let Some(page) = inner.pages.get(&idx) {
                    self.phys
                        .zero(page.frame + within as u64, PAGE_SIZE as usize - within)?;
                }
            }
        }
        inner.size = len;
        Ok(())
    }

    /// Forgets pages `first..`, giving up the cache's reference to their frames (a mapping's
    /// own keeps a frame alive until it is unmapped); the file offsets to unmap, if any page
    /// was there.
    fn drop_pages(&self, inner: &mut Inner, first: u64) -> Option<(u64, u64)> {
        let gone = inner.pages.split_off(&first);
        if gone.is_empty() {
            return None;
        }
        let frames: Vec<u64> = gone.values().map(|p| p.frame).collect();
        self.phys.free_frames(&frames);
        Some((first * PAGE_SIZE, u64::MAX))
    }

    /// See [`PageCaches::reload`]; `cut` gets the file offsets of pages past a new, smaller
    /// end of file.
    fn reload(
        &self,
        from: u64,
        raw: impl FnOnce() -> KResult<()>,
        cut: &mut Option<(u64, u64)>,
    ) -> KResult<()> {
        let mut inner = lock(&self.inner);
        if inner.retired {
            return raw();
        }
        self.write_back(&inner, 0, u64::MAX)?;
        let done = raw();
        let Some(reader) = inner.reader.clone() else {
            return done;
        };
        inner.size = reader.size()?;
        // A mode that shrank the file (`FALLOC_FL_COLLAPSE_RANGE`) cut pages off.
        let end_page = inner.size.div_ceil(PAGE_SIZE);
        *cut = self.drop_pages(&mut inner, end_page);
        let idxs: Vec<(u64, u64)> = inner
            .pages
            .range(from / PAGE_SIZE..)
            .map(|(&i, p)| (i, p.frame))
            .collect();
        for (idx, frame) in idxs {
            self.fill(&*reader, inner.size, idx, frame)?;
        }
        done
    }

    /// Reads page `idx` of a file of `size` bytes into `frame`, zeros past the end.
    fn fill(&self, reader: &dyn CachedFile, size: u64, idx: u64, frame: u64) -> KResult<()> {
        let mut buf = vec![0u8; PAGE_SIZE as usize];
        let start = idx * PAGE_SIZE;
        let want = size.saturating_sub(start).min(PAGE_SIZE) as usize;
        let mut done = 0;
        while done < want {
            let n = reader.read_at(start + done as u64, &mut buf[done..want])?;
            if n == 0 {
                break;
            }
            done += n;
        }
        self.phys.write(frame, &buf)
    }

    /// Writes the dirty pages overlapping `[off, off+len)` back to the file, never past its
    /// end (a mapping cannot grow its file); the first error is reported after trying all.
    fn write_back(&self, inner: &Inner, off: u64, len: u64) -> KResult<()> {
        let Some(writer) = inner.writer.as_deref() else {
            return Ok(());
        };
        let end = off.saturating_add(len).min(inner.size);
        if off >= end {
            return Ok(());
        }
        let mut result = Ok(());
        let mut buf = vec![0u8; PAGE_SIZE as usize];
        for (&idx, page) in inner.pages.range(off / PAGE_SIZE..=(end - 1) / PAGE_SIZE) {
            if !page.dirty {
                continue;
            }
            let start = idx * PAGE_SIZE;
            let n = (inner.size - start).min(PAGE_SIZE) as usize;
            let r = self
                .phys
                .read(page.frame, &mut buf[..n])
                .and_then(|()| write_all(writer, start, &buf[..n]));
            if result.is_ok() {
                result = r;
            }
        }
        result
    }

    fn sync(&self, off: u64, len: u64) -> KResult<()> {
        let inner = lock(&self.inner);
        if inner.retired {
            return Ok(());
        }
        self.write_back(&inner, off, len)
    }

    /// The frame of the page at `offset` (page aligned) for a mapping, filled from the file
    /// if it is not cached yet, with a reference taken for the mapping; `writable` when it is
    /// mapped writable.
    fn map_page(&self, offset: u64, writable: bool) -> KResult<SharedPage> {
        let mut inner = lock(&self.inner);
        let idx = offset / PAGE_SIZE;
        if inner.retired || idx >= inner.size.div_ceil(PAGE_SIZE) {
            return Ok(SharedPage::PastEof);
        }
        let mut page = match inner.pages.get(&idx) {
            Some(&p) => p,
            None => {
                let reader = inner.reader.clone().ok_or(Errno::EIO)?;
                let frame = self.phys.alloc_frame()?;
                if let Err(e) = self.fill(&*reader, inner.size, idx, frame) {
                    self.phys.free_frames(&[frame]);
                    return Err(e);
                }
                let p = Page {
                    frame,
                    dirty: false,
                };
                inner.pages.insert(idx, p);
                p
            }
        };
        if writable && !page.dirty {
            if let Some(w) = &inner.writer {
                let len = (inner.size - idx * PAGE_SIZE).min(PAGE_SIZE);
                w.reserve(idx * PAGE_SIZE, len)?;
            }
            page.dirty = true;
            inner.pages.insert(idx, page);
        }
        self.phys.share_frame(page.frame);
        Ok(SharedPage::Frame(page.frame))
    }

    /// Reads through the cache with its own reader (private mappings of a cached file).
    fn read_cached(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let inner = lock(&self.inner);
        let Some(reader) = inner.reader.clone() else {
            return Err(Errno::EIO);
        };
        let n = reader.read_at(off, buf)?;
        self.overlay(&inner, off, &mut buf[..n])?;
        Ok(n)
    }
}

fn write_all(w: &dyn CachedFile, mut off: u64, mut data: &[u8]) -> KResult<()> {
    while !data.is_empty() {
        let n = w.write_at(off, data)?;
        if n == 0 {
            return Err(Errno::EIO);
        }
        data = &data[n.min(data.len())..];
        off += n as u64;
    }
    Ok(())
}

impl Drop for PageCache {
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        let frames: Vec<u64> = inner.pages.values().map(|p| p.frame).collect();
        self.phys.free_frames(&frames);
    }
}

/// What one `MAP_SHARED` mapping of a cached file holds (its VMAs, in every process that
/// inherited them, share it): the cache's frames are the mapping's pages.
struct CacheMapping {
    cache: Arc<PageCache>,
    /// Made through a descriptor open for writing (Linux's `VM_MAYWRITE`).
    writable: bool,
    name: String,
}

impl MmapSource for CacheMapping {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.cache.read_cached(offset, buf)
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    /// The mapping's frames are the cache's: `msync` goes through [`MmapSource::sync`].
    fn write_back(&self, _offset: u64, _data: &[u8]) -> KResult<()> {
        Ok(())
    }
    fn writable(&self) -> bool {
        self.writable
    }
    fn shared_page(&self, offset: u64, write: bool) -> KResult<SharedPage> {
        self.cache.map_page(offset, write && self.writable)
    }
    fn shares_frames(&self) -> bool {
        true
    }
    fn sync(&self, offset: u64, len: u64) -> KResult<()> {
        self.cache.sync(offset, len)
    }
    fn rmap(&self) -> Option<&Rmap> {
        Some(&self.cache.rmap)
    }
}

impl Drop for CacheMapping {
    fn drop(&mut self) {
        self.cache.detach();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in host memory.
    struct Mem(Mutex<Vec<u8>>);

    impl CachedFile for Mem {
        fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
            let d = lock(&self.0);
            let start = (off as usize).min(d.len());
            let n = buf.len().min(d.len() - start);
            buf[..n].copy_from_slice(&d[start..start + n]);
            Ok(n)
        }
        fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
            let mut d = lock(&self.0);
            let end = off as usize + data.len();
            if d.len() < end {
                d.resize(end, 0);
            }
            d[off as usize..end].copy_from_slice(data);
            Ok(data.len())
        }
        fn size(&self) -> KResult<u64> {
            Ok(lock(&self.0).len() as u64)
        }
    }

    const PG: u64 = PAGE_SIZE;

    fn setup(len: usize) -> (Arc<PhysMemory>, Arc<Mem>, PageCaches) {
        let phys = Arc::new(PhysMemory::new(64 << 20, 8 << 20).unwrap());
        let file = Arc::new(Mem(Mutex::new(vec![b'f'; len])));
        (phys, file, PageCaches::default())
    }

    fn map(
        caches: &PageCaches,
        phys: &Arc<PhysMemory>,
        file: &Arc<Mem>,
        writable: bool,
    ) -> Arc<dyn MmapSource> {
        let w: Option<Arc<dyn CachedFile>> = writable.then(|| file.clone() as _);
        caches
            .map((1, 2), phys, "f".into(), || file.clone(), w)
            .unwrap()
    }

    fn frame(s: &dyn MmapSource, off: u64) -> u64 {
        match s.shared_page(off, true).unwrap() {
            SharedPage::Frame(f) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn mappings_share_frames_and_io_goes_through_them() {
        let (phys, file, caches) = setup(5000);
        let a = map(&caches, &phys, &file, true);
        let b = map(&caches, &phys, &file, false);
        let fa = frame(&*a, 0);
        assert_eq!(frame(&*b, 0), fa);
        assert_eq!(b.shared_page(2 * PG, false).unwrap(), SharedPage::PastEof);
        // A store through the mapping is seen by read before any write-back.
        phys.write(fa + 10, b"store").unwrap();
        let mut buf = [0u8; 5];
        let raw = |b: &mut [u8]| file.read_at(10, b);
        assert_eq!(caches.read((1, 2), 10, &mut buf, raw).unwrap(), 5);
        assert_eq!(&buf, b"store");
        assert_eq!(&lock(&file.0)[10..15], b"fffff");
        // A write reaches the file and the frame.
        let raw = |d: &[u8]| file.write_at(20, d);
        caches.write((1, 2), 20, b"write", raw).unwrap();
        phys.read(fa + 20, &mut buf).unwrap();
        assert_eq!(&buf, b"write");
        // msync writes the store back; the page's frames are released at the end.
        a.sync(0, PG).unwrap();
        assert_eq!(&lock(&file.0)[10..15], b"store");
        phys.free_frames(&[fa, fa]);
        drop((a, b));
        assert_eq!(caches.live(), 0);
    }

    #[test]
    fn last_mapping_writes_back_and_a_new_cache_starts_fresh() {
        let (phys, file, caches) = setup(100);
        let a = map(&caches, &phys, &file, true);
        let f = frame(&*a, 0);
        phys.write(f, b"xyz").unwrap();
        // Bytes past the end of the file stay out of it.
        phys.write(f + 200, b"beyond").unwrap();
        phys.free_frames(&[f]);
        drop(a);
        assert_eq!(&lock(&file.0)[..3], b"xyz");
        assert_eq!(lock(&file.0).len(), 100);
        assert_eq!(phys.frames_in_use(), 0);
        let b = map(&caches, &phys, &file, false);
        let g = frame(&*b, 0);
        let mut buf = [0u8; 3];
        phys.read(g, &mut buf).unwrap();
        assert_eq!(&buf, b"xyz");
        phys.free_frames(&[g]);
    }

    #[test]
    fn truncate_forgets_the_cut_pages() {
        let (phys, file, caches) = setup(2 * PG as usize);
        let a = map(&caches, &phys, &file, true);
        let f0 = frame(&*a, 0);
        let f1 = frame(&*a, PG);
        let cut = || {
            lock(&file.0).truncate(10);
            Ok(())
        };
        caches.truncate((1, 2), 10, cut).unwrap();
        assert_eq!(a.shared_page(PG, true).unwrap(), SharedPage::PastEof);
        let mut buf = [1u8; 4];
        phys.read(f0 + 10, &mut buf).unwrap();
        assert_eq!(buf, [0; 4]);
        // Only the mapping's reference (a page table's, in a real address space) keeps the
        // old frame of page 1.
        assert_eq!(phys.frames_in_use(), 2);
        let grow = || {
            lock(&file.0).resize(2 * PG as usize, 0);
            Ok(())
        };
        caches.truncate((1, 2), 2 * PG, grow).unwrap();
        // A regrowth reads the file again into a new frame.
        let g = frame(&*a, PG);
        assert_ne!(g, f1);
        phys.read(g, &mut buf).unwrap();
        assert_eq!(buf, [0; 4]);
        phys.free_frames(&[f0, f1, g]);
        drop(a);
        assert_eq!(phys.frames_in_use(), 0);
        assert_eq!(lock(&file.0)[..10], [b'f'; 10]);
        assert!(lock(&file.0)[10..].iter().all(|&b| b == 0));
    }

    #[test]
    fn a_shrink_unmaps_the_cut_pages_from_address_spaces() {
        use crate::mm::{Access, AddressSpaceTemplate, FaultOutcome, Mm, MAP_SHARED};
        let (phys, file, caches) = setup(3 * PG as usize);
        let mm = Mm::new(phys.clone(), AddressSpaceTemplate::default())
            .unwrap()
            .into_shared();
        let src = map(&caches, &phys, &file, true);
        let rw = super::super::PROT_READ | super::super::PROT_WRITE;
        let a = lock(&mm)
            .mmap(0, 3 * PG, rw, MAP_SHARED, Some((src, 0)), u64::MAX)
            .unwrap();
        lock(&mm).copy_out(a + 2 * PG, b"x").unwrap();
        let cut = || {
            lock(&file.0).truncate(PG as usize);
            Ok(())
        };
        caches.truncate((1, 2), PG, cut).unwrap();
        let fault = |va| lock(&mm).handle_fault(va, Access::Read);
        assert_eq!(fault(a + 2 * PG), FaultOutcome::Bus);
        assert_eq!(fault(a + PG), FaultOutcome::Bus);
        assert_eq!(lock(&mm).read_val::<u8>(a), Ok(b'f'));
        // A mode of fallocate that shrinks the file (collapsing a range) cuts pages too.
        let grow = || {
            lock(&file.0).resize(2 * PG as usize, b'g');
            Ok(())
        };
        caches.truncate((1, 2), 2 * PG, grow).unwrap();
        assert_eq!(lock(&mm).read_val::<u8>(a + PG), Ok(b'g'));
        let collapse = || {
            lock(&file.0).drain(..PG as usize);
            Ok(())
        };
        caches.reload((1, 2), 0, collapse).unwrap();
        assert_eq!(fault(a + PG), FaultOutcome::Bus);
        assert_eq!(lock(&mm).read_val::<u8>(a), Ok(b'g'));
        drop(mm);
        assert_eq!(caches.live(), 0);
        assert_eq!(phys.frames_in_use(), 0);
    }

    #[test]
    fn frames_from_another_memory_are_refused() {
        let (phys, file, caches) = setup(10);
        let a = map(&caches, &phys, &file, false);
        let other = Arc::new(PhysMemory::new(64 << 20, 8 << 20).unwrap());
        let r = caches.map((1, 2), &other, "f".into(), || file.clone(), None);
        assert_eq!(r.err(), Some(Errno::ENODEV));
        drop(a);
    }
}
