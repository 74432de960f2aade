//! Frame-backed file contents (Linux's shmem, what a memfd holds). The pages live in
//! guest-physical frames, so a `MAP_SHARED` mapping maps the very frames `read` and `write`
//! use: every view of the file, in every process, is coherent at once, with nothing to write
//! back. The frames count against the sandbox's memory limit like any other guest memory.
//! Pages a shrink or a punched hole cuts off are taken from the mappings too (see [`Rmap`]).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::phys::{PhysMemory, PAGE_SIZE};
use super::rmap::{Rmap, Unmap};
use crate::errno::{Errno, KResult};

/// Linux's `MAX_LFS_FILESIZE` on 64-bit.
pub const MAX_FILE_SIZE: u64 = i64::MAX as u64;

/// The contents of one memory file: a size and sparse page-granular frames.
pub struct ShmemPages {
    phys: Arc<PhysMemory>,
    inner: Mutex<Inner>,
    /// The address spaces that map the file shared.
    rmap: Rmap,
}

struct Inner {
    size: u64,
    /// Page index to frame. The file holds one reference to each frame; mappings hold their
    /// own until the pages are unmapped from them.
    frames: BTreeMap<u64, u64>,
}

fn split(pos: u64) -> (u64, usize) {
    (pos / PAGE_SIZE, (pos % PAGE_SIZE) as usize)
}

impl ShmemPages {
    /// An empty file whose pages come from `phys`.
    pub fn new(phys: Arc<PhysMemory>) -> ShmemPages {
        ShmemPages {
            phys,
            inner: Mutex::new(Inner {
                size: 0,
                frames: BTreeMap::new(),
            }),
            rmap: Rmap::default(),
        }
    }

    /// The reverse map of the file's shared mappings.
    pub fn rmap(&self) -> &Rmap {
        &self.rmap
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.lock().size
    }

    /// 512-byte blocks allocated inside the file (`st_blocks`).
    pub fn blocks(&self) -> u64 {
        let inner = self.lock();
        let pages = inner.size.div_ceil(PAGE_SIZE);
        inner.frames.range(..pages).count() as u64 * (PAGE_SIZE / 512)
    }

    /// Reads at `off`; holes read as zeros, the count is short only at the end of the file.
    pub fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let inner = self.lock();
        if off >= inner.size {
            return Ok(0);
        }
        let n = buf
            .len()
            .min((inner.size - off).min(usize::MAX as u64) as usize);
        let mut done = 0;
        while done < n {
            let (idx, within) = split(off + done as u64);
            let chunk = (PAGE_SIZE as usize - within).min(n - done);
            let dst = &mut buf[done..done + chunk];
            match inner.frames.get(&idx) {
                Some(&frame) => self.phys.read(frame + within as u64, dst)?,
                None => dst.fill(0),
            }
            done += chunk;
        }
        Ok(n)
    }

    /// Writes at `off`, allocating frames for holes (a short write when memory runs out
    /// midway). Without `grow` the file may not get bigger: like Linux's `F_SEAL_GROW`
    /// check, which is made page by page, the write stops before the first page-sized
    /// chunk that would end past the end of the file, and is `EPERM` if that is the first.
    pub fn write_at(&self, off: u64, data: &[u8], grow: bool) -> KResult<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let end = off
            .checked_add(data.len() as u64)
            .filter(|&e| e <= MAX_FILE_SIZE)
            .ok_or(Errno::EFBIG)?;
        let mut inner = self.lock();
        let mut len = data.len();
        if !grow && end > inner.size {
            // Chunks end at page boundaries: the last one that fits ends at the last page
            // boundary inside the file.
            let limit = inner.size & !(PAGE_SIZE - 1);
            if limit <= off {
                return Err(Errno::EPERM);
            }
            len = (limit - off) as usize;
        }
        let mut done = 0;
        while done < len {
            let (idx, within) = split(off + done as u64);
            let chunk = (PAGE_SIZE as usize - within).min(len - done);
            let frame = match inner.frames.get(&idx) {
                Some(&f) => f,
                None => match self.phys.alloc_frame() {
                    Ok(f) => {
                        inner.frames.insert(idx, f);
                        f
                    }
                    Err(e) if done == 0 => return Err(e),
                    Err(_) => break,
                },
            };
            self.phys
                .write(frame + within as u64, &data[done..done + chunk])?;
            done += chunk;
        }
        inner.size = inner.size.max(off + done as u64);
        Ok(done)
    }

    /// Forgets pages `first..end` (page indexes), giving up the file's reference to their
    /// frames (a mapping's own keeps a frame alive until it is unmapped); the file offsets to
    /// unmap, if any page was there.
    fn drop_pages(&self, inner: &mut Inner, first: u64, end: u64) -> Option<(u64, u64)> {
        if first >= end {
            return None;
        }
        let idxs: Vec<u64> = inner.frames.range(first..end).map(|(&i, _)| i).collect();
        let freed: Vec<u64> = idxs
            .iter()
            .filter_map(|idx| inner.frames.remove(idx))
            .collect();
        if freed.is_empty() {
            return None;
        }
        self.phys.free_frames(&freed);
        Some((first * PAGE_SIZE, end.saturating_mul(PAGE_SIZE)))
    }

    /// Sets the size: a shrink drops the pages past the end and zeroes the tail of the last
    /// partial page, so a later extension reads zeros (in mappings too). The dropped pages
    /// must then be unmapped (see [`Unmap`]).
    pub fn truncate(&self, len: u64) -> KResult<Unmap<'_>> {
        if len > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut inner = self.lock();
        let mut cut = None;
        if len < inner.size {
            cut = self.drop_pages(&mut inner, len.div_ceil(PAGE_SIZE), u64::MAX);
            let (idx, within) = split(len);
            if within != 0 {
                if let Some(&frame) = inner.frames.get(&idx) {
                    let _ = self
                        .phys
                        .zero(frame + within as u64, PAGE_SIZE as usize - within);
                }
            }
        }
        inner.size = len;
        Ok(Unmap::new(&self.rmap, cut))
    }

    /// Zeroes `[off, end)` without changing the size; whole pages in it become holes, to be
    /// unmapped (see [`Unmap`]) so that mappings meet the new zero pages.
    pub fn punch_hole(&self, off: u64, end: u64) -> Unmap<'_> {
        let mut inner = self.lock();
        let end = end.min(inner.size.next_multiple_of(PAGE_SIZE));
        if off >= end {
            return Unmap::new(&self.rmap, None);
        }
        let first_whole = off.div_ceil(PAGE_SIZE);
        let end_whole = end / PAGE_SIZE;
        let cut = self.drop_pages(&mut inner, first_whole, end_whole);
        // The partial pages at either edge are zeroed in place.
        for (lo, hi) in [
            (off, end.min(first_whole * PAGE_SIZE)),
            (end_whole * PAGE_SIZE, end),
        ] {
            if lo >= hi {
                continue;
            }
            let (idx, within) = split(lo);
            if let Some(&frame) = inner.frames.get(&idx) {
                let _ = self.phys.zero(frame + within as u64, (hi - lo) as usize);
            }
        }
        Unmap::new(&self.rmap, cut)
    }

    /// `fallocate` without flags (or with `FALLOC_FL_KEEP_SIZE`): gives `[off, end)` its
    /// frames now, so later writes cannot fail for memory, and grows the size to `end`
    /// unless `keep_size`.
    pub fn allocate(&self, off: u64, end: u64, keep_size: bool) -> KResult<()> {
        if end > MAX_FILE_SIZE {
            return Err(Errno::EFBIG);
        }
        let mut inner = self.lock();
        let mut idx = off / PAGE_SIZE;
        while idx * PAGE_SIZE < end {
            if let std::collections::btree_map::Entry::Vacant(v) = inner.frames.entry(idx) {
                v.insert(self.phys.alloc_frame().map_err(|_| Errno::ENOSPC)?);
            }
            idx += 1;
        }
        if !keep_size && end > inner.size {
            inner.size = end;
        }
        Ok(())
    }

    /// `SEEK_DATA`/`SEEK_HOLE` at page granularity: pages with a frame are data, the others
    /// and the end of the file holes.
    pub fn seek_data(&self, off: u64, data: bool) -> KResult<u64> {
        let inner = self.lock();
        if off >= inner.size {
            return Err(Errno::ENXIO);
        }
        let mut idx = off / PAGE_SIZE;
        if data {
            return match inner.frames.range(idx..).next() {
                Some((&i, _)) if i * PAGE_SIZE < inner.size => Ok(off.max(i * PAGE_SIZE)),
                _ => Err(Errno::ENXIO),
            };
        }
        while inner.frames.contains_key(&idx) && idx * PAGE_SIZE < inner.size {
            idx += 1;
        }
        Ok(off.max(idx * PAGE_SIZE).min(inner.size))
    }

    /// The frame holding the page at `offset` (page aligned) for a shared mapping, allocated
    /// if it is a hole, with a reference taken for the mapping; `None` past the last page of
    /// the file (touching such a page is `SIGBUS`).
    pub fn map_frame(&self, offset: u64) -> KResult<Option<u64>> {
        let mut inner = self.lock();
        let idx = offset / PAGE_SIZE;
        if idx >= inner.size.div_ceil(PAGE_SIZE) {
            return Ok(None);
        }
        let frame = match inner.frames.get(&idx) {
            Some(&f) => f,
            None => {
                let f = self.phys.alloc_frame()?;
                inner.frames.insert(idx, f);
                f
            }
        };
        self.phys.share_frame(frame);
        Ok(Some(frame))
    }
}

impl Drop for ShmemPages {
    fn drop(&mut self) {
        let inner = self.inner.get_mut().unwrap_or_else(|e| e.into_inner());
        let frames: Vec<u64> = inner.frames.values().copied().collect();
        self.phys.free_frames(&frames);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pages() -> ShmemPages {
        ShmemPages::new(Arc::new(PhysMemory::new(64 << 20, 8 << 20).unwrap()))
    }

    #[test]
    fn read_write_holes_and_truncate() {
        let p = pages();
        assert_eq!(p.write_at(5000, b"hello", true).unwrap(), 5);
        assert_eq!(p.size(), 5005);
        assert_eq!(p.blocks(), 8);
        let mut buf = [9u8; 10];
        assert_eq!(p.read_at(4998, &mut buf).unwrap(), 7);
        assert_eq!(&buf[..7], b"\0\0hello");
        assert!(p.truncate(5002).unwrap().is_empty());
        assert!(p.truncate(6000).unwrap().is_empty());
        assert_eq!(p.read_at(5000, &mut buf).unwrap(), 10);
        assert_eq!(&buf, b"he\0\0\0\0\0\0\0\0");
        assert_eq!(p.seek_data(0, true).unwrap(), 4096);
        assert_eq!(p.seek_data(4096, false).unwrap(), 6000);
        p.truncate(0).unwrap().run();
        assert_eq!(p.blocks(), 0);
        assert_eq!(
            p.write_at(u64::MAX - 1, b"ab", true).err(),
            Some(Errno::EFBIG)
        );
    }

    #[test]
    fn no_grow_writes_stop_at_the_last_page_boundary() {
        let p = pages();
        assert!(p.truncate(5000).unwrap().is_empty());
        assert_eq!(p.write_at(4999, b"ab", false).err(), Some(Errno::EPERM));
        assert_eq!(p.write_at(4998, b"ab", false).unwrap(), 2);
        // The first chunk (to 4096) fits; the second would end past 5000.
        assert_eq!(p.write_at(4000, &[1u8; 2000], false).unwrap(), 96);
        assert_eq!(p.size(), 5000);
    }

    #[test]
    fn a_shrink_forgets_mapped_frames() {
        let p = pages();
        p.write_at(0, &[7u8; 8192], true).unwrap();
        let f = p.map_frame(4096).unwrap().unwrap();
        assert_eq!(p.map_frame(8192).unwrap(), None);
        let cut = p.truncate(10).unwrap();
        assert_eq!(cut.range, Some((4096, u64::MAX)));
        cut.run();
        // Only the mapping's reference keeps the old frame: a regrowth gets a new, zero one.
        assert_eq!(p.phys.frames_in_use(), 2);
        p.truncate(8192).unwrap().run();
        let g = p.map_frame(4096).unwrap().unwrap();
        assert_ne!(g, f);
        let mut b = [1u8; 4];
        p.phys.read(g, &mut b).unwrap();
        assert_eq!(b, [0; 4]);
        p.phys.free_frames(&[f, g]);
        assert_eq!(p.phys.frames_in_use(), 2);
        // Only whole pages are cut by a hole.
        let hole = p.punch_hole(100, 8192);
        assert_eq!(hole.range, Some((4096, 8192)));
        hole.run();
        assert!(p.punch_hole(100, 4096).is_empty());
        assert_eq!(p.blocks(), 8);
    }
}
