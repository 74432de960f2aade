//! Guest-physical memory: one host mapping that backs every frame of a sandbox, and the frame
//! allocator that hands out its pages.
//!
//! The mapping is `MAP_NORESERVE`, so a frame costs host memory only once something touches it;
//! freeing a frame gives the memory back with `MADV_DONTNEED`, which also zeroes it for its next
//! owner. Both engines see the same bytes: KVM registers the mapping as a memory slot, the BT
//! engine reads it directly.

use std::sync::Mutex;

use crate::errno::{Errno, KResult};

/// Size of a guest page.
pub const PAGE_SIZE: u64 = 4096;

/// Guest-physical bytes reserved at the bottom for the engine's own structures (descriptor
/// tables, gate code, per-vCPU stacks); the frame allocator never hands these out. 16 MiB
/// leaves room for 240 vCPUs (threads running at once) at 64 KiB each; untouched pages of it
/// cost nothing.
pub const RESERVED_LOW: u64 = 16 << 20;

/// Runs of freed frames at least this long are returned to the host (madvise); shorter ones
/// are zeroed in place.
const DISCARD_MIN: u64 = 512 * PAGE_SIZE;

/// Guest-physical memory of one sandbox.
pub struct PhysMemory {
    base: *mut u8,
    size: u64,
    frames: Mutex<FrameAllocator>,
    /// Frames mapped by more than one address space (shared memory across `fork`): the count
    /// of references beyond the first. A frame is freed when its last reference goes.
    extra_refs: Mutex<std::collections::HashMap<u64, u32>>,
}

// SAFETY: `base` points to a private mapping owned by this struct for its whole life; all access
// goes through methods that bounds-check and copy, so sharing between threads is sound (guest
// vCPUs race with the host on these bytes exactly as they would with a real kernel).
unsafe impl Send for PhysMemory {}
// SAFETY: see `Send`.
unsafe impl Sync for PhysMemory {}

struct FrameAllocator {
    next: u64,
    free: Vec<u64>,
    used: u64,
    limit: u64,
    /// Bytes of sbx's own memory kept for the guest (SysV semaphores and messages), which
    /// count against the limit like frames (Linux charges such kernel memory to the
    /// container's memory cgroup).
    charged: u64,
}

impl FrameAllocator {
    /// Whether `frames` more frames and `bytes` more charged bytes stay within the limit.
    fn fits(&self, frames: u64, bytes: u64) -> bool {
        let pages = self.charged.saturating_add(bytes).div_ceil(PAGE_SIZE);
        self.used.saturating_add(frames).saturating_add(pages) <= self.limit
    }
}

/// Host memory charged to a sandbox's memory limit (see [`PhysMemory::charge`]); the charge
/// is returned when this is dropped.
pub struct Charge {
    phys: std::sync::Arc<PhysMemory>,
    bytes: u64,
}

impl Drop for Charge {
    fn drop(&mut self) {
        let mut f = self.phys.lock();
        f.charged = f.charged.saturating_sub(self.bytes);
    }
}

impl PhysMemory {
    /// Reserves `size` bytes (rounded up to a page) of host address space for guest memory;
    /// at most `limit` bytes of it may be handed out as frames.
    pub fn new(size: u64, limit: u64) -> KResult<Self> {
        let size = size.max(RESERVED_LOW + PAGE_SIZE).div_ceil(PAGE_SIZE) * PAGE_SIZE;
        // SAFETY: a fresh anonymous private mapping; no existing memory is affected.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                size as usize,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(Errno::ENOMEM);
        }
        Ok(PhysMemory {
            base: base as *mut u8,
            size,
            frames: Mutex::new(FrameAllocator {
                next: RESERVED_LOW,
                free: Vec::new(),
                used: 0,
                limit: limit / PAGE_SIZE,
                charged: 0,
            }),
            extra_refs: Mutex::new(std::collections::HashMap::new()),
        })
    }

    /// Host address of guest-physical address 0 (what KVM registers as the memory slot).
    pub fn host_base(&self) -> *mut u8 {
        self.base
    }

    /// Total guest-physical size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Frames currently allocated.
    pub fn frames_in_use(&self) -> u64 {
        self.lock().used
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FrameAllocator> {
        self.frames.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Allocates one zeroed frame; `ENOMEM` when the sandbox's memory limit is reached.
    pub fn alloc_frame(&self) -> KResult<u64> {
        let mut f = self.lock();
        if !f.fits(1, 0) {
            return Err(Errno::ENOMEM);
        }
        let pa = match f.free.pop() {
            Some(pa) => pa,
            None => {
                if f.next + PAGE_SIZE > self.size {
                    return Err(Errno::ENOMEM);
                }
                let pa = f.next;
                f.next += PAGE_SIZE;
                pa
            }
        };
        f.used += 1;
        Ok(pa)
    }

    /// Charges `bytes` of host memory kept on the guest's behalf to the sandbox's memory
    /// limit, shared with its frames: `ENOMEM` when they would not fit.
    pub fn charge(self: &std::sync::Arc<Self>, bytes: u64) -> KResult<Charge> {
        let mut f = self.lock();
        if !f.fits(0, bytes) {
            return Err(Errno::ENOMEM);
        }
        f.charged += bytes;
        Ok(Charge {
            phys: self.clone(),
            bytes,
        })
    }

    /// Adds a reference to `pa`: one more address space maps it.
    pub fn share_frame(&self, pa: u64) {
        *self
            .extra_refs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(pa)
            .or_insert(0) += 1;
    }

    /// Whether `pa` has more than one reference (some address space maps it besides its
    /// owner), so that its owner must not free it from under that mapping.
    pub fn is_shared(&self, pa: u64) -> bool {
        self.extra_refs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(&pa)
    }

    /// Drops one reference to each frame, returning to the allocator (zeroed, host memory
    /// released) those whose last reference this was.
    pub fn free_frames(&self, frames: &[u64]) {
        if frames.is_empty() {
            return;
        }
        let mut sorted: Vec<u64> = {
            let mut refs = self.extra_refs.lock().unwrap_or_else(|e| e.into_inner());
            if refs.is_empty() {
                frames.to_vec()
            } else {
                frames
                    .iter()
                    .copied()
                    .filter(|pa| match refs.get_mut(pa) {
                        Some(n) => {
                            *n -= 1;
                            if *n == 0 {
                                refs.remove(pa);
                            }
                            false
                        }
                        None => true,
                    })
                    .collect()
            }
        };
        let frames = &sorted.clone();
        if frames.is_empty() {
            return;
        }
        sorted.sort_unstable();
        let mut i = 0;
        while i < sorted.len() {
            let start = sorted[i];
            let mut end = start + PAGE_SIZE;
            i += 1;
            while i < sorted.len() && sorted[i] == end {
                end += PAGE_SIZE;
                i += 1;
            }
            // Small runs are cleared in place: madvise on memory a VM maps costs a host
            // MMU-notifier round (tens of microseconds under PVM); large runs give their host
            // memory back.
            if end - start >= DISCARD_MIN {
                self.discard(start, end - start);
            } else {
                // SAFETY: the run lies inside our mapping (frames come from the allocator,
                // which hands out only in-range frames) and is no longer mapped by any guest
                // address space, so nothing else writes it concurrently.
                unsafe {
                    std::ptr::write_bytes(self.base.add(start as usize), 0, (end - start) as usize)
                };
            }
        }
        let mut f = self.lock();
        f.used = f.used.saturating_sub(frames.len() as u64);
        f.free.extend_from_slice(frames);
    }

    /// Zeroes `[pa, pa+len)` by dropping its host pages.
    fn discard(&self, pa: u64, len: u64) {
        if pa.checked_add(len).is_none_or(|e| e > self.size) {
            return;
        }
        // SAFETY: the range lies inside our own mapping (checked above); MADV_DONTNEED on a
        // private anonymous mapping only replaces the pages with zero pages.
        unsafe {
            libc::madvise(
                self.base.add(pa as usize) as *mut libc::c_void,
                len as usize,
                libc::MADV_DONTNEED,
            );
        }
    }

    fn check(&self, pa: u64, len: usize) -> KResult<()> {
        match pa.checked_add(len as u64) {
            Some(end) if end <= self.size => Ok(()),
            _ => Err(Errno::EFAULT),
        }
    }

    /// The aligned 32-bit word at `pa` as an atomic: futexes share it with guest code running
    /// on other vCPUs, so compare-and-block and wake operations must be atomic against it.
    pub fn atomic_u32(&self, pa: u64) -> KResult<&std::sync::atomic::AtomicU32> {
        if pa % 4 != 0 {
            return Err(Errno::EINVAL);
        }
        self.check(pa, 4)?;
        // SAFETY: the word lies inside our mapping (checked) and is 4-byte aligned (the
        // mapping is page aligned); the mapping lives as long as `self`, and AtomicU32 has
        // u32's layout. Guest memory is only ever accessed as plain bytes or atomics.
        Ok(unsafe { &*(self.base.add(pa as usize) as *const std::sync::atomic::AtomicU32) })
    }

    /// Copies one page-sized frame to another.
    pub fn copy_frame(&self, from: u64, to: u64) -> KResult<()> {
        self.check(from, PAGE_SIZE as usize)?;
        self.check(to, PAGE_SIZE as usize)?;
        if from == to {
            return Ok(());
        }
        // SAFETY: both ranges lie inside our mapping (checked above) and, being distinct
        // page-aligned frames, do not overlap.
        unsafe {
            std::ptr::copy_nonoverlapping(
                self.base.add(from as usize),
                self.base.add(to as usize),
                PAGE_SIZE as usize,
            );
        }
        Ok(())
    }

    /// Copies guest-physical bytes out.
    pub fn read(&self, pa: u64, buf: &mut [u8]) -> KResult<()> {
        self.check(pa, buf.len())?;
        // SAFETY: bounds checked above; the source is our mapping and cannot overlap `buf`,
        // which lives in host memory we own.
        unsafe {
            std::ptr::copy_nonoverlapping(self.base.add(pa as usize), buf.as_mut_ptr(), buf.len())
        };
        Ok(())
    }

    /// Copies bytes into guest-physical memory.
    pub fn write(&self, pa: u64, data: &[u8]) -> KResult<()> {
        self.check(pa, data.len())?;
        // SAFETY: bounds checked above; see `read`.
        unsafe {
            std::ptr::copy_nonoverlapping(data.as_ptr(), self.base.add(pa as usize), data.len())
        };
        Ok(())
    }

    /// Fills guest-physical memory with zeroes.
    pub fn zero(&self, pa: u64, len: usize) -> KResult<()> {
        self.check(pa, len)?;
        // SAFETY: bounds checked above.
        unsafe { std::ptr::write_bytes(self.base.add(pa as usize), 0, len) };
        Ok(())
    }

    /// Reads an aligned 64-bit word (a page-table entry) atomically.
    pub fn read_u64(&self, pa: u64) -> u64 {
        if pa % 8 != 0 || self.check(pa, 8).is_err() {
            return 0;
        }
        // SAFETY: aligned and in bounds; volatile so the compiler never caches a value the
        // guest may change.
        unsafe { std::ptr::read_volatile(self.base.add(pa as usize) as *const u64) }
    }

    /// Writes an aligned 64-bit word (a page-table entry) atomically.
    pub fn write_u64(&self, pa: u64, val: u64) {
        if pa % 8 != 0 || self.check(pa, 8).is_err() {
            return;
        }
        // SAFETY: aligned and in bounds.
        unsafe { std::ptr::write_volatile(self.base.add(pa as usize) as *mut u64, val) }
    }
}

impl Drop for PhysMemory {
    fn drop(&mut self) {
        // SAFETY: we own the mapping and nothing references it after drop.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.size as usize) };
    }
}
