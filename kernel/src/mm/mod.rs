//! The memory manager: a process's address space (VMAs + page tables over guest-physical
//! frames), the `mmap` family, and checked copies between guest memory and the kernel.

mod fork;
mod pagecache;
mod pagetable;
mod phys;
mod rmap;
mod shmem;
mod shootdown;
mod vma;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

pub use pagecache::{CacheKey, CachedFile, PageCaches};
pub use pagetable::{
    FlushList, PageTable, PTE_A, PTE_ADDR, PTE_D, PTE_NX, PTE_P, PTE_PS, PTE_RW, PTE_US,
};
pub use phys::{Charge, PhysMemory, PAGE_SIZE, RESERVED_LOW};
pub use rmap::{Rmap, Unmap};
pub use shmem::{ShmemPages, MAX_FILE_SIZE};
pub use shootdown::{MmCpu, MmCpus};
pub use vma::{
    Backing, MmapSource, ReadOnlySource, SharedPage, Vma, VmaKind, PROT_EXEC, PROT_GROWSDOWN,
    PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE,
};

use crate::errno::{Errno, KResult};
use pagetable::PTE_SW_FRAME;

/// One past the highest user address (Linux `TASK_SIZE` on x86-64 with 4-level paging).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// Lowest address a program may map (Linux `vm.mmap_min_addr` default).
pub const MMAP_MIN_ADDR: u64 = 0x10000;
/// Top of the initial stack.
pub const STACK_TOP: u64 = TASK_SIZE;
/// Where top-down `mmap` placement starts (below the stack and its 128 MiB gap, as Linux).
pub const MMAP_BASE: u64 = STACK_TOP - (128 << 20);
/// Mappings up to this size get their frames at `mmap` time: a populated page costs nothing
/// until touched, while a fault through the engine costs tens of microseconds.
const EAGER_LIMIT: u64 = 64 << 20;
/// Pages populated together when a lazily-populated mapping faults.
const FAULT_AROUND: u64 = 16;

/// `MAP_SHARED`.
pub const MAP_SHARED: u32 = 0x01;
/// `MAP_PRIVATE`.
pub const MAP_PRIVATE: u32 = 0x02;
/// `MAP_SHARED_VALIDATE`.
pub const MAP_SHARED_VALIDATE: u32 = 0x03;
/// `MAP_FIXED`.
pub const MAP_FIXED: u32 = 0x10;
/// `MAP_ANONYMOUS`.
pub const MAP_ANONYMOUS: u32 = 0x20;
/// `MAP_GROWSDOWN`.
pub const MAP_GROWSDOWN: u32 = 0x100;
/// `MAP_DENYWRITE` (ignored, as Linux does).
pub const MAP_DENYWRITE: u32 = 0x800;
/// `MAP_EXECUTABLE` (ignored).
pub const MAP_EXECUTABLE: u32 = 0x1000;
/// `MAP_LOCKED`.
pub const MAP_LOCKED: u32 = 0x2000;
/// `MAP_NORESERVE`.
pub const MAP_NORESERVE: u32 = 0x4000;
/// `MAP_POPULATE`.
pub const MAP_POPULATE: u32 = 0x8000;
/// `MAP_NONBLOCK`.
pub const MAP_NONBLOCK: u32 = 0x10000;
/// `MAP_STACK`.
pub const MAP_STACK: u32 = 0x20000;
/// `MAP_HUGETLB`.
pub const MAP_HUGETLB: u32 = 0x40000;
/// `MAP_SYNC`.
pub const MAP_SYNC: u32 = 0x80000;
/// `MAP_FIXED_NOREPLACE`.
pub const MAP_FIXED_NOREPLACE: u32 = 0x100000;
/// `MAP_UNINITIALIZED` (ignored).
pub const MAP_UNINITIALIZED: u32 = 0x4000000;

/// `MREMAP_MAYMOVE`.
pub const MREMAP_MAYMOVE: u32 = 1;
/// `MREMAP_FIXED`.
pub const MREMAP_FIXED: u32 = 2;
/// `MREMAP_DONTUNMAP`.
pub const MREMAP_DONTUNMAP: u32 = 4;

/// How a guest access that faulted should be answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultOutcome {
    /// The page is now mapped: retry the instruction.
    Resolved,
    /// `SIGSEGV` with `SEGV_MAPERR`: nothing mapped there.
    MapErr,
    /// `SIGSEGV` with `SEGV_ACCERR`: mapped, but the access is not allowed.
    AccErr,
    /// `SIGBUS`: a file mapping beyond the end of its file.
    Bus,
}

/// The kind of guest access.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Exec,
}

/// A page the engine needs visible in every address space (e.g. its syscall entry stub).
#[derive(Clone, Copy, Debug)]
pub struct EnginePage {
    /// Guest-virtual address (below `MMAP_MIN_ADDR`, so programs cannot map over it).
    pub va: u64,
    /// Guest-physical frame (in the engine's reserved area).
    pub pa: u64,
}

/// What every address space inherits from the engine.
#[derive(Clone, Debug, Default)]
pub struct AddressSpaceTemplate {
    /// Root whose upper half (kernel mappings) is copied into every new root; 0 for none.
    pub kernel_root: u64,
    /// User-visible, read+execute engine pages.
    pub pages: Vec<EnginePage>,
}

fn page_down(x: u64) -> u64 {
    x & !(PAGE_SIZE - 1)
}

fn page_up(x: u64) -> Option<u64> {
    x.checked_add(PAGE_SIZE - 1).map(page_down)
}

/// Leaf flags for a page with protection `prot` (the frame bits are added by the caller).
fn leaf_flags(prot: u32) -> u64 {
    if prot & (PROT_READ | PROT_WRITE | PROT_EXEC) == 0 {
        return PTE_SW_FRAME;
    }
    // Accessed/dirty preset: under shadow paging each hardware A/D update is another trap.
    let mut f = PTE_P | PTE_US | PTE_A | PTE_D | PTE_SW_FRAME;
    if prot & PROT_WRITE != 0 {
        f |= PTE_RW;
    }
    if prot & PROT_EXEC == 0 {
        f |= PTE_NX;
    }
    f
}

fn has_frame(pte: u64) -> bool {
    pte & (PTE_P | PTE_SW_FRAME) != 0
}

/// Locks a shared address space (a poisoned lock still guards consistent tables: every
/// change to them is a single entry write).
fn lock_mm(mm: &Mutex<Mm>) -> MutexGuard<'_, Mm> {
    mm.lock().unwrap_or_else(|e| e.into_inner())
}

/// Where exec put the argument and environment strings (Linux's `mm->arg_start` and
/// friends): `/proc/<pid>/cmdline` and `environ` read them from the process's memory.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ArgArea {
    /// Start of the argv strings.
    pub arg_start: u64,
    /// End of the argv strings.
    pub arg_end: u64,
    /// Start of the envp strings.
    pub env_start: u64,
    /// End of the envp strings.
    pub env_end: u64,
}

/// A process's address space.
pub struct Mm {
    phys: Arc<PhysMemory>,
    pt: PageTable,
    vmas: BTreeMap<u64, Vma>,
    flush: FlushList,
    /// The vCPUs running this address space.
    cpus: MmCpus,
    /// Frames unmapped while other vCPUs may still reach them: freed after the shootdown.
    deferred: Vec<u64>,
    template: AddressSpaceTemplate,
    brk_start: u64,
    brk: u64,
    /// Where exec put argv and envp.
    args: ArgArea,
    /// This address space as the reverse maps of the objects it maps shared know it
    /// (dangling until [`Mm::into_shared`]).
    me: Weak<Mutex<Mm>>,
}

impl Mm {
    /// An empty address space over `phys` with the engine's pages from `template` mapped.
    pub fn new(phys: Arc<PhysMemory>, template: AddressSpaceTemplate) -> KResult<Mm> {
        let mut flush = FlushList::default();
        let mut pt = PageTable::new(&phys, template.kernel_root, &mut flush)?;
        for p in &template.pages {
            let slot = pt
                .leaf_slot(&phys, p.va, true, &mut flush)?
                .ok_or(Errno::ENOMEM)?;
            phys.write_u64(slot, p.pa | PTE_P | PTE_US | PTE_A);
        }
        Ok(Mm {
            phys,
            pt,
            vmas: BTreeMap::new(),
            flush,
            cpus: MmCpus::default(),
            deferred: Vec::new(),
            template,
            brk_start: 0,
            brk: 0,
            args: ArgArea::default(),
            me: Weak::new(),
        })
    }

    /// The address space made shareable between threads, registered with the reverse map
    /// of every object it already maps shared.
    pub fn into_shared(self) -> Arc<Mutex<Mm>> {
        let shared = Arc::new_cyclic(|me| {
            let mut mm = self;
            mm.me = me.clone();
            Mutex::new(mm)
        });
        {
            let mm = lock_mm(&shared);
            for v in mm.vmas.values() {
                mm.register(v);
            }
        }
        shared
    }

    /// Registers this address space with the reverse map of `vma`'s object, if it is a shared
    /// mapping of frames an object owns (they must be taken away when the file shrinks).
    fn register(&self, vma: &Vma) {
        if let Backing::File { source, .. } = &vma.backing {
            if let (true, Some(rmap)) = (vma.shared, source.rmap()) {
                rmap.add(&self.me);
            }
        }
    }

    /// Takes the pages at file offsets `[start, end)` of the object behind `rmap` out of every
    /// shared mapping of it here, bringing every vCPU of this address space up to date at once:
    /// the caller may not run in it at all.
    fn unmap_object(&mut self, rmap: &Rmap, start: u64, end: u64) {
        let ranges: Vec<(u64, u64)> = self
            .vmas
            .values()
            .filter_map(|v| {
                let Backing::File { source, offset } = &v.backing else {
                    return None;
                };
                if !v.shared || !source.rmap().is_some_and(|r| std::ptr::eq(r, rmap)) {
                    return None;
                }
                let lo = start.max(*offset);
                let hi = end.min(offset.saturating_add(v.end - v.start));
                (lo < hi).then(|| (v.start + (lo - offset), v.start + (hi - offset)))
            })
            .collect();
        let mut frames = Vec::new();
        for (s, e) in ranges {
            frames.extend(self.clear_range(s, e));
        }
        if frames.is_empty() {
            return;
        }
        self.deferred.extend(frames);
        let pages = self.flush.take();
        self.cpus.publish(&pages, None);
        let frames = std::mem::take(&mut self.deferred);
        self.phys.free_frames(&frames);
    }

    /// Where exec put argv and envp.
    pub fn arg_area(&self) -> ArgArea {
        self.args
    }

    /// Records where exec put argv and envp.
    pub fn set_arg_area(&mut self, args: ArgArea) {
        self.args = args;
    }

    /// How many mappings here map the object behind `rmap` shared (Linux counts one attach
    /// per VMA: a mapping split in two counts twice).
    pub fn shared_maps_of(&self, rmap: &Rmap) -> usize {
        self.vmas
            .values()
            .filter(|v| match &v.backing {
                Backing::File { source, .. } => {
                    v.shared && source.rmap().is_some_and(|r| std::ptr::eq(r, rmap))
                }
                Backing::Anon => false,
            })
            .count()
    }

    /// Guest-physical memory this address space allocates from.
    pub fn phys(&self) -> &Arc<PhysMemory> {
        &self.phys
    }

    /// The CR3 value.
    pub fn root(&self) -> u64 {
        self.pt.root()
    }

    /// Registers a vCPU that runs this address space (a thread starts on it).
    pub fn attach_cpu(&mut self, cpu: &Arc<MmCpu>) {
        self.cpus.attach(cpu);
    }

    /// Brings every vCPU of this address space up to date with its page tables before `me`
    /// runs guest code again (see `shootdown.rs`), then frees the frames that waited for it.
    pub fn sync_cpus(&mut self, me: &MmCpu) {
        let pages = self.flush.take();
        if !pages.is_empty() || !self.deferred.is_empty() {
            self.cpus.publish(&pages, Some(me));
        }
        if !self.deferred.is_empty() {
            let frames = std::mem::take(&mut self.deferred);
            self.phys.free_frames(&frames);
        }
    }

    /// All mappings in address order.
    pub fn vmas(&self) -> impl Iterator<Item = &Vma> {
        self.vmas.values()
    }

    /// The mapping containing `addr`.
    pub fn vma_at(&self, addr: u64) -> Option<&Vma> {
        self.vmas
            .range(..=addr)
            .next_back()
            .map(|(_, v)| v)
            .filter(|v| addr < v.end)
    }

    /// Bytes mapped in total (Linux's `total_vm`).
    pub fn mapped_bytes(&self) -> u64 {
        self.vmas.values().map(|v| v.end - v.start).sum()
    }

    /// Bytes mapped inside `[start, end)`.
    fn mapped_in(&self, start: u64, end: u64) -> u64 {
        self.vmas
            .range(..end)
            .map(|(_, v)| v)
            .filter(|v| v.end > start)
            .map(|v| v.end.min(end) - v.start.max(start))
            .sum()
    }

    /// Linux's `may_expand_vm` for `RLIMIT_AS`: `ENOMEM` when `more` bytes would take the
    /// address space past `limit`.
    fn check_growth(&self, more: u64, limit: u64) -> KResult<()> {
        match self.mapped_bytes().checked_add(more) {
            Some(total) if total <= limit => Ok(()),
            _ => Err(Errno::ENOMEM),
        }
    }

    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.vmas
            .range(..end)
            .next_back()
            .is_some_and(|(_, v)| v.end > start)
    }

    /// Splits the VMA containing `addr` so that a VMA boundary falls on `addr`.
    fn split_at(&mut self, addr: u64) {
        let Some(v) = self.vma_at(addr).cloned() else {
            return;
        };
        if v.start == addr {
            return;
        }
        self.vmas.insert(v.start, v.slice(v.start, addr));
        self.vmas.insert(addr, v.slice(addr, v.end));
    }

    /// Removes and returns the VMAs (cut to fit) inside `[start, end)`.
    fn carve(&mut self, start: u64, end: u64) -> Vec<Vma> {
        self.split_at(start);
        self.split_at(end);
        let keys: Vec<u64> = self.vmas.range(start..end).map(|(k, _)| *k).collect();
        keys.into_iter()
            .filter_map(|k| self.vmas.remove(&k))
            .collect()
    }

    // ---- page-level operations -------------------------------------------------------------

    fn set_leaf(&mut self, slot: u64, new: u64) {
        let old = self.phys.read_u64(slot);
        if old == new {
            return;
        }
        self.phys.write_u64(slot, new);
        if old & PTE_P != 0 {
            self.flush.push(slot);
        }
    }

    /// Gives page `va` of `vma` a frame (filled from the backing) if it has none.
    fn populate_page(&mut self, vma: &Vma, va: u64) -> KResult<()> {
        let slot = self
            .pt
            .leaf_slot(&self.phys, va, true, &mut self.flush)?
            .ok_or(Errno::ENOMEM)?;
        let pte = self.phys.read_u64(slot);
        if has_frame(pte) {
            return Ok(());
        }
        if let (true, Backing::File { source, offset }) = (vma.shared, &vma.backing) {
            let write = vma.prot & PROT_WRITE != 0;
            let page = match source.shared_page(offset + (va - vma.start), write) {
                Ok(page) => page,
                Err(Errno::ENOMEM) => return Err(Errno::ENOMEM),
                // The file cannot give the page (a read error, a full tmpfs): it stays
                // absent, and touching it is SIGBUS, as a failed fault is on Linux.
                Err(_) => return Ok(()),
            };
            match page {
                SharedPage::Frame(frame) => {
                    self.set_leaf(slot, frame | leaf_flags(vma.prot));
                    return Ok(());
                }
                // Left absent: a fault there is SIGBUS, a kernel access EFAULT.
                SharedPage::PastEof => return Ok(()),
                SharedPage::Copy => {}
            }
        }
        if let Backing::File { source, offset } = &vma.backing {
            // A page wholly past the end of the file: left absent, so touching it is SIGBUS.
            if source.file_size().is_some_and(|size| {
                offset + (va - vma.start) >= size.div_ceil(PAGE_SIZE) * PAGE_SIZE
            }) {
                return Ok(());
            }
        }
        let frame = self.phys.alloc_frame()?;
        if let Err(e) = self.fill_frame(vma, va, frame) {
            self.phys.free_frames(&[frame]);
            return Err(e);
        }
        self.set_leaf(slot, frame | leaf_flags(vma.prot));
        Ok(())
    }

    fn fill_frame(&self, vma: &Vma, va: u64, frame: u64) -> KResult<()> {
        if let Backing::File { source, offset } = &vma.backing {
            let mut buf = vec![0u8; PAGE_SIZE as usize];
            let off = offset + (va - vma.start);
            let mut done = 0;
            while done < buf.len() {
                let n = source.read_at(off + done as u64, &mut buf[done..])?;
                if n == 0 {
                    break;
                }
                done += n;
            }
            self.phys.write(frame, &buf[..done])?;
        }
        Ok(())
    }

    fn populate_range(&mut self, vma: &Vma, start: u64, end: u64) -> KResult<()> {
        let mut va = start;
        while va < end {
            self.populate_page(vma, va)?;
            va += PAGE_SIZE;
        }
        Ok(())
    }

    /// Writes the pages of a shared file mapping in `[start, end)` back to the file.
    fn write_back(&mut self, vma: &Vma, start: u64, end: u64) -> KResult<()> {
        let Backing::File { source, offset } = &vma.backing else {
            return Ok(());
        };
        if !vma.shared || vma.prot & PROT_WRITE == 0 || source.shares_frames() {
            return Ok(());
        }
        let mut page = vec![0u8; PAGE_SIZE as usize];
        let mut va = start;
        while va < end {
            let pte = self.pt.lookup(&self.phys, va);
            if has_frame(pte) {
                self.phys.read(pte & PTE_ADDR, &mut page)?;
                source.write_back(offset + (va - vma.start), &page)?;
            }
            va += PAGE_SIZE;
        }
        Ok(())
    }

    /// `msync(2)`: writes shared file mappings in the range back to their files.
    pub fn msync(&mut self, addr: u64, len: u64) -> KResult<()> {
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        let vmas: Vec<Vma> = self
            .vmas
            .range(..end)
            .map(|(_, v)| v.clone())
            .filter(|v| v.end > addr)
            .collect();
        for v in vmas {
            let (s, e) = (v.start.max(addr), v.end.min(end));
            match &v.backing {
                // A page cache writes back what any mapping of the file stored (Linux
                // syncs the file range whatever this mapping's protection).
                Backing::File { source, offset } if v.shared && source.shares_frames() => {
                    source.sync(offset + (s - v.start), e - s)?
                }
                _ => self.write_back(&v, s, e)?,
            }
        }
        Ok(())
    }

    /// Drops the frames of `[start, end)` and clears their entries.
    fn release_range(&mut self, start: u64, end: u64) {
        let frames = self.clear_range(start, end);
        if self.cpus.shared() {
            // Another vCPU may still hold a translation to these frames.
            self.deferred.extend(frames);
        } else {
            self.phys.free_frames(&frames);
        }
    }

    /// Clears the entries of `[start, end)`, returning the frames they held (still
    /// referenced: the caller drops them once no vCPU can reach them).
    fn clear_range(&mut self, start: u64, end: u64) -> Vec<u64> {
        let mut frames = Vec::new();
        let mut va = start;
        while va < end {
            if let Ok(Some(slot)) = self.pt.leaf_slot(&self.phys, va, false, &mut self.flush) {
                let pte = self.phys.read_u64(slot);
                if has_frame(pte) {
                    frames.push(pte & PTE_ADDR);
                }
                self.set_leaf(slot, 0);
                va += PAGE_SIZE;
            } else {
                // No page table here: skip to the next 2 MiB boundary.
                va = (va | 0x1f_ffff) + 1;
            }
        }
        frames
    }

    /// Gives `[start, end)` private copies of frames another address space also maps (a
    /// read-only private page shared by `fork`), before the range becomes writable.
    fn unshare_range(&mut self, start: u64, end: u64) -> KResult<()> {
        let mut va = start;
        while va < end {
            let Some(slot) = self.pt.leaf_slot(&self.phys, va, false, &mut self.flush)? else {
                va = (va | 0x1f_ffff) + 1;
                continue;
            };
            let pte = self.phys.read_u64(slot);
            if has_frame(pte) && self.phys.is_shared(pte & PTE_ADDR) {
                let old = pte & PTE_ADDR;
                let copy = self.phys.alloc_frame()?;
                if let Err(e) = self.phys.copy_frame(old, copy) {
                    self.phys.free_frames(&[copy]);
                    return Err(e);
                }
                self.set_leaf(slot, copy | (pte & !PTE_ADDR));
                if self.cpus.shared() {
                    self.deferred.push(old);
                } else {
                    self.phys.free_frames(&[old]);
                }
            }
            va += PAGE_SIZE;
        }
        Ok(())
    }

    fn reprotect_range(&mut self, start: u64, end: u64, prot: u32) {
        let mut va = start;
        while va < end {
            if let Ok(Some(slot)) = self.pt.leaf_slot(&self.phys, va, false, &mut self.flush) {
                let pte = self.phys.read_u64(slot);
                if has_frame(pte) {
                    self.set_leaf(slot, (pte & PTE_ADDR) | leaf_flags(prot));
                }
                va += PAGE_SIZE;
            } else {
                va = (va | 0x1f_ffff) + 1;
            }
        }
    }

    // ---- the mmap family ---------------------------------------------------------------------

    /// Finds a free range of `len` bytes, top-down below `MMAP_BASE` (or at `hint` if free).
    pub fn find_free(&self, hint: u64, len: u64) -> KResult<u64> {
        if hint >= MMAP_MIN_ADDR {
            let hint = page_down(hint);
            if hint.checked_add(len).is_some_and(|e| e <= TASK_SIZE)
                && !self.overlaps(hint, hint + len)
            {
                return Ok(hint);
            }
        }
        let mut top = MMAP_BASE;
        for v in self.vmas.values().rev() {
            if v.start >= top {
                continue;
            }
            if v.end <= top && top - v.end >= len {
                return Ok(top - len);
            }
            top = top.min(v.start);
        }
        if top >= MMAP_MIN_ADDR + len {
            Ok(top - len)
        } else {
            Err(Errno::ENOMEM)
        }
    }

    /// Maps `[addr, addr+len)` exactly (replacing what was there) with `vma`'s attributes.
    /// Frames are populated now for small mappings or when `populate` is set.
    pub fn map_fixed(&mut self, mut vma: Vma, populate: bool) -> KResult<u64> {
        let (start, end) = (vma.start, vma.end);
        if start % PAGE_SIZE != 0 || end % PAGE_SIZE != 0 || start >= end || end > TASK_SIZE {
            return Err(Errno::EINVAL);
        }
        self.unmap(start, end - start)?;
        // Before any page is mapped: a shrink from now on finds this address space.
        self.register(&vma);
        if populate || end - start <= EAGER_LIMIT {
            let filled = self.populate_range(&vma, start, end);
            if let Err(e) = filled {
                self.release_range(start, end);
                return Err(e);
            }
        }
        vma.start = start;
        self.vmas.insert(start, vma);
        Ok(start)
    }

    /// `mmap(2)` after argument decoding: `source` is the file for file mappings; the address
    /// space may not grow past `as_limit` bytes (`RLIMIT_AS`).
    pub fn mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u32,
        flags: u32,
        source: Option<(Arc<dyn MmapSource>, u64)>,
        as_limit: u64,
    ) -> KResult<u64> {
        if len == 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_up(len).ok_or(Errno::ENOMEM)?;
        if len > TASK_SIZE {
            return Err(Errno::ENOMEM);
        }
        // Linux ignores protection bits it does not know here (mprotect is stricter).
        let prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
        let shared = match flags & 0x3 {
            MAP_SHARED | MAP_SHARED_VALIDATE => true,
            MAP_PRIVATE => false,
            _ => return Err(Errno::EINVAL),
        };
        if let Some((_, off)) = &source {
            if off % PAGE_SIZE != 0 {
                return Err(Errno::EINVAL);
            }
            if off.checked_add(len).is_none() {
                return Err(Errno::EOVERFLOW);
            }
        }
        let fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0;
        let start = if fixed {
            if addr % PAGE_SIZE != 0 {
                return Err(Errno::EINVAL);
            }
            if addr.checked_add(len).is_none_or(|e| e > TASK_SIZE) {
                return Err(Errno::ENOMEM);
            }
            if addr < MMAP_MIN_ADDR {
                return Err(Errno::EPERM);
            }
            if flags & MAP_FIXED_NOREPLACE != 0
                && flags & MAP_FIXED == 0
                && self.overlaps(addr, addr + len)
            {
                return Err(Errno::EEXIST);
            }
            addr
        } else {
            self.find_free(addr, len)?
        };
        // What a fixed mapping replaces does not count twice.
        let replaced = if fixed {
            self.mapped_in(start, start + len)
        } else {
            0
        };
        self.check_growth(len - replaced, as_limit)?;
        let backing = match source {
            Some((source, offset)) if flags & MAP_ANONYMOUS == 0 => {
                Backing::File { source, offset }
            }
            _ => Backing::Anon,
        };
        let vma = Vma {
            start,
            end: start + len,
            prot,
            shared,
            backing,
            kind: VmaKind::Mmap,
        };
        self.map_fixed(vma, flags & MAP_POPULATE != 0)
    }

    /// `munmap(2)`.
    pub fn unmap(&mut self, addr: u64, len: u64) -> KResult<()> {
        if addr % PAGE_SIZE != 0 || len == 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_up(len).ok_or(Errno::EINVAL)?;
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        if end > TASK_SIZE {
            return Err(Errno::EINVAL);
        }
        let removed = self.carve(addr, end);
        for v in removed {
            // Like Linux, unmapping a shared file mapping keeps what was written to it.
            let _ = self.write_back(&v, v.start, v.end);
            self.release_range(v.start, v.end);
        }
        Ok(())
    }

    /// `mprotect(2)`. As in Linux the range is changed mapping by mapping: a hole in it is
    /// `ENOMEM` (and a mapping that may not become writable `EACCES`) with the mappings before
    /// the hole already changed; a range that starts in a hole changes nothing.
    pub fn mprotect(&mut self, addr: u64, len: u64, prot: u32) -> KResult<()> {
        if addr % PAGE_SIZE != 0 {
            return Err(Errno::EINVAL);
        }
        let grows = prot & (PROT_GROWSDOWN | PROT_GROWSUP);
        // PROT_SEM is accepted and means nothing on x86.
        if prot & !(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)
            != 0
            || grows == PROT_GROWSDOWN | PROT_GROWSUP
        {
            return Err(Errno::EINVAL);
        }
        let prot = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
        let len = page_up(len).ok_or(Errno::ENOMEM)?;
        if len == 0 {
            return Ok(());
        }
        let end = addr.checked_add(len).ok_or(Errno::ENOMEM)?;
        let first = self.vma_at(addr).ok_or(Errno::ENOMEM)?;
        // x86 has no upward-growing mappings, and only the stack grows down.
        if grows == PROT_GROWSUP || (grows == PROT_GROWSDOWN && first.kind != VmaKind::Stack) {
            return Err(Errno::EINVAL);
        }
        let mut cursor = addr;
        while cursor < end {
            let v = match self.vma_at(cursor) {
                Some(v) if prot & PROT_WRITE != 0 && !v.may_write() => return Err(Errno::EACCES),
                Some(v) => v,
                None => return Err(Errno::ENOMEM),
            };
            let stop = v.end.min(end);
            for mut v in self.carve(cursor, stop) {
                let gains_write = v.prot & PROT_WRITE == 0 && prot & PROT_WRITE != 0;
                v.prot = prot;
                if gains_write && v.shared_frames() {
                    // The file must learn which pages become writable (a page cache
                    // writes them back later): they are mapped again, as if by write faults.
                    self.release_range(v.start, v.end);
                    if v.end - v.start <= EAGER_LIMIT {
                        // Pages that cannot be had now are left to fault.
                        let _ = self.populate_range(&v, v.start, v.end);
                    }
                } else {
                    if gains_write && !v.shared {
                        // Read-only private pages may be shared with a forked process.
                        if let Err(e) = self.unshare_range(v.start, v.end) {
                            self.vmas.insert(v.start, v);
                            return Err(e);
                        }
                    }
                    self.reprotect_range(v.start, v.end, prot);
                }
                self.vmas.insert(v.start, v);
            }
            cursor = stop;
        }
        Ok(())
    }

    /// `madvise(2)`: `MADV_DONTNEED` drops private pages (they read back as zero, or as the
    /// file's contents for private file mappings); other advice is accepted and ignored.
    pub fn madvise(&mut self, addr: u64, len: u64, advice: i32) -> KResult<()> {
        const MADV_DONTNEED: i32 = 4;
        const MADV_FREE: i32 = 8;
        const MADV_REMOVE: i32 = 9;
        if addr % PAGE_SIZE != 0 {
            return Err(Errno::EINVAL);
        }
        let len = page_up(len).ok_or(Errno::EINVAL)?;
        let end = addr.checked_add(len).ok_or(Errno::EINVAL)?;
        match advice {
            0..=3 | 10..=21 | 100 | 101 => {}
            MADV_DONTNEED | MADV_FREE | MADV_REMOVE => {}
            _ => return Err(Errno::EINVAL),
        }
        let vmas: Vec<Vma> = self
            .vmas
            .range(..end)
            .map(|(_, v)| v.clone())
            .filter(|v| v.end > addr)
            .collect();
        if vmas.is_empty() && len > 0 {
            return Err(Errno::ENOMEM);
        }
        if matches!(advice, MADV_DONTNEED | MADV_FREE | MADV_REMOVE) {
            for v in vmas {
                let (s, e) = (v.start.max(addr), v.end.min(end));
                self.release_range(s, e);
                if e - s <= EAGER_LIMIT {
                    self.populate_range(&v, s, e)?;
                }
            }
        }
        Ok(())
    }

    /// `mremap(2)`; growth counts against `as_limit` (`RLIMIT_AS`).
    pub fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u32,
        new_addr: u64,
        as_limit: u64,
    ) -> KResult<u64> {
        if old % PAGE_SIZE != 0 || flags & !(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP) != 0
        {
            return Err(Errno::EINVAL);
        }
        if flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0 {
            return Err(Errno::EINVAL);
        }
        let old_len = page_up(old_len).ok_or(Errno::EINVAL)?;
        let new_len = page_up(new_len).ok_or(Errno::EINVAL)?;
        if new_len == 0 || new_len > TASK_SIZE {
            return Err(Errno::EINVAL);
        }
        let vma = self.vma_at(old).cloned().ok_or(Errno::EFAULT)?;
        let old_end = old.checked_add(old_len).ok_or(Errno::EINVAL)?;
        if old_end > vma.end {
            return Err(Errno::EFAULT);
        }
        if new_len > old_len {
            self.check_growth(new_len - old_len, as_limit)?;
        }
        if flags & MREMAP_FIXED == 0 {
            if new_len <= old_len {
                if new_len < old_len {
                    self.unmap(old + new_len, old_len - new_len)?;
                }
                return Ok(old);
            }
            let grow_end = old.checked_add(new_len).ok_or(Errno::ENOMEM)?;
            if old_end == vma.end && grow_end <= TASK_SIZE && !self.overlaps(old_end, grow_end) {
                let grown = Vma {
                    end: grow_end,
                    ..vma.clone()
                };
                if grow_end - old_end <= EAGER_LIMIT {
                    let ext = grown.slice(old_end, grow_end);
                    if let Err(e) = self.populate_range(&ext, old_end, grow_end) {
                        self.release_range(old_end, grow_end);
                        return Err(e);
                    }
                }
                self.vmas.insert(grown.start, grown);
                return Ok(old);
            }
            if flags & MREMAP_MAYMOVE == 0 {
                return Err(Errno::ENOMEM);
            }
        }
        let dest = if flags & MREMAP_FIXED != 0 {
            if new_addr % PAGE_SIZE != 0 || new_addr < MMAP_MIN_ADDR {
                return Err(Errno::EINVAL);
            }
            let dend = new_addr.checked_add(new_len).ok_or(Errno::EINVAL)?;
            if dend > TASK_SIZE || (new_addr < old_end && dend > old) {
                return Err(Errno::EINVAL);
            }
            self.unmap(new_addr, new_len)?;
            new_addr
        } else {
            self.find_free(0, new_len)?
        };
        self.move_pages(old, old_len.min(new_len), dest)?;
        let moved = vma.slice(old, old_end);
        if flags & MREMAP_DONTUNMAP == 0 {
            self.unmap(old, old_len)?;
        } else {
            // The old range stays mapped but empty (it reads back as zero).
            for v in self.carve(old, old_end) {
                self.release_range(v.start, v.end);
                let mut v = v;
                v.backing = Backing::Anon;
                self.vmas.insert(v.start, v);
            }
        }
        let keep = old_len.min(new_len);
        let new_vma = Vma {
            start: dest,
            end: dest + new_len,
            ..moved.slice(old, old + keep)
        };
        if new_len > keep && new_len - keep <= EAGER_LIMIT {
            let tail = new_vma.slice(dest + keep, dest + new_len);
            self.populate_range(&tail, dest + keep, dest + new_len)?;
        }
        self.vmas.insert(dest, new_vma);
        Ok(dest)
    }

    /// Moves the frames of `[src, src+len)` to `[dst, dst+len)` without copying bytes.
    fn move_pages(&mut self, src: u64, len: u64, dst: u64) -> KResult<()> {
        let mut off = 0;
        while off < len {
            let pte = match self
                .pt
                .leaf_slot(&self.phys, src + off, false, &mut self.flush)?
            {
                Some(slot) => {
                    let pte = self.phys.read_u64(slot);
                    if has_frame(pte) {
                        self.set_leaf(slot, 0);
                    }
                    pte
                }
                None => 0,
            };
            if has_frame(pte) {
                let slot = self
                    .pt
                    .leaf_slot(&self.phys, dst + off, true, &mut self.flush)?
                    .ok_or(Errno::ENOMEM)?;
                self.set_leaf(slot, pte);
            }
            off += PAGE_SIZE;
        }
        Ok(())
    }

    /// Sets the heap's start (end of the loaded image), called by exec.
    pub fn set_brk_start(&mut self, start: u64) {
        self.brk_start = start;
        self.brk = start;
    }

    /// `brk(2)`: returns the new break, or the old one when the request cannot be met
    /// (including growth past `as_limit`, `RLIMIT_AS`).
    pub fn brk(&mut self, want: u64, as_limit: u64) -> u64 {
        if want < self.brk_start || want > TASK_SIZE {
            return self.brk;
        }
        let (Some(old_top), Some(new_top)) = (page_up(self.brk), page_up(want)) else {
            return self.brk;
        };
        if new_top > old_top {
            if self.overlaps(old_top, new_top)
                || self.check_growth(new_top - old_top, as_limit).is_err()
            {
                return self.brk;
            }
            let vma = Vma {
                start: old_top,
                end: new_top,
                prot: PROT_READ | PROT_WRITE,
                shared: false,
                backing: Backing::Anon,
                kind: VmaKind::Heap,
            };
            if self.map_fixed(vma, false).is_err() {
                return self.brk;
            }
        } else if new_top < old_top && self.unmap(new_top, old_top - new_top).is_err() {
            return self.brk;
        }
        self.brk = want;
        self.brk
    }

    // ---- faults and user copies --------------------------------------------------------------

    /// Resolves a guest page fault at `addr`.
    pub fn handle_fault(&mut self, addr: u64, access: Access) -> FaultOutcome {
        let va = page_down(addr);
        let Some(vma) = self.vma_at(addr).cloned() else {
            return FaultOutcome::MapErr;
        };
        let allowed = match access {
            Access::Read => vma.prot != 0,
            Access::Write => vma.prot & PROT_WRITE != 0,
            Access::Exec => vma.prot & PROT_EXEC != 0,
        };
        if !allowed {
            return FaultOutcome::AccErr;
        }
        let end = (va + FAULT_AROUND * PAGE_SIZE).min(vma.end);
        match self.populate_range(&vma, va, end) {
            Ok(()) if has_frame(self.pt.lookup(&self.phys, va)) => FaultOutcome::Resolved,
            // A shared file page past the end of its file.
            Ok(()) => FaultOutcome::Bus,
            Err(_) if self.pt.lookup(&self.phys, va) & PTE_P != 0 => FaultOutcome::Resolved,
            Err(_) => FaultOutcome::Bus,
        }
    }

    /// Guest-physical address of user address `va` (populating it), for kernel objects keyed
    /// by memory such as futexes; `EFAULT` when the access is not allowed.
    pub fn user_phys(&mut self, va: u64, write: bool) -> KResult<u64> {
        self.translate(va, write)
    }

    /// Guest-physical address backing `va` for an access, populating lazily mapped pages.
    fn translate(&mut self, va: u64, write: bool) -> KResult<u64> {
        let pte = self.resident_pte(va).map_err(|_| Errno::EFAULT)?;
        if pte & PTE_P == 0 || pte & PTE_US == 0 || (write && pte & PTE_RW == 0) {
            return Err(Errno::EFAULT);
        }
        // Engine pages are mapped user-readable but are not program memory.
        if va < MMAP_MIN_ADDR {
            return Err(Errno::EFAULT);
        }
        Ok((pte & PTE_ADDR) + (va & (PAGE_SIZE - 1)))
    }

    /// The leaf entry for `va`, giving the page its frame first if it is mapped but not yet
    /// populated; `EFAULT` outside every mapping.
    fn resident_pte(&mut self, va: u64) -> KResult<u64> {
        if va >= TASK_SIZE {
            return Err(Errno::EFAULT);
        }
        let pte = self.pt.lookup(&self.phys, va);
        if has_frame(pte) {
            return Ok(pte);
        }
        let vma = self.vma_at(va).cloned().ok_or(Errno::EFAULT)?;
        self.populate_page(&vma, page_down(va))?;
        Ok(self.pt.lookup(&self.phys, va))
    }

    /// Copies guest memory at `addr` into `buf`; `EFAULT` if any byte is not readable.
    pub fn copy_in(&mut self, addr: u64, buf: &mut [u8]) -> KResult<()> {
        let mut done = 0usize;
        while done < buf.len() {
            let va = addr.checked_add(done as u64).ok_or(Errno::EFAULT)?;
            let pa = self.translate(va, false)?;
            let n = ((PAGE_SIZE - (va % PAGE_SIZE)) as usize).min(buf.len() - done);
            self.phys.read(pa, &mut buf[done..done + n])?;
            done += n;
        }
        Ok(())
    }

    /// Copies `data` into guest memory at `addr`; `EFAULT` if any byte is not writable.
    pub fn copy_out(&mut self, addr: u64, data: &[u8]) -> KResult<()> {
        self.write_pages(addr, data, true)
    }

    /// Writes into guest memory ignoring protection (the loader filling read-only segments).
    pub fn poke(&mut self, addr: u64, data: &[u8]) -> KResult<()> {
        self.write_pages(addr, data, false)
    }

    /// Writes `data` page by page, checking user write permission when `checked`.
    fn write_pages(&mut self, addr: u64, data: &[u8], checked: bool) -> KResult<()> {
        let mut done = 0usize;
        while done < data.len() {
            let va = addr.checked_add(done as u64).ok_or(Errno::EFAULT)?;
            let pa = if checked {
                self.translate(va, true)?
            } else {
                let pte = self.resident_pte(va)?;
                if !has_frame(pte) {
                    return Err(Errno::EFAULT);
                }
                (pte & PTE_ADDR) + (va % PAGE_SIZE)
            };
            let n = ((PAGE_SIZE - (va % PAGE_SIZE)) as usize).min(data.len() - done);
            self.phys.write(pa, &data[done..done + n])?;
            done += n;
        }
        Ok(())
    }

    /// Reads `len` bytes of guest memory.
    pub fn read_bytes(&mut self, addr: u64, len: usize) -> KResult<Vec<u8>> {
        let mut v = vec![0u8; len];
        self.copy_in(addr, &mut v)?;
        Ok(v)
    }

    /// Reads a plain-old-data value from guest memory.
    pub fn read_val<T: bytemuck::Pod>(&mut self, addr: u64) -> KResult<T> {
        let mut v = T::zeroed();
        self.copy_in(addr, bytemuck::bytes_of_mut(&mut v))?;
        Ok(v)
    }

    /// Writes a plain-old-data value to guest memory.
    pub fn write_val<T: bytemuck::Pod>(&mut self, addr: u64, val: &T) -> KResult<()> {
        self.copy_out(addr, bytemuck::bytes_of(val))
    }

    /// Reads a NUL-terminated string of at most `max` bytes (without the NUL);
    /// `ENAMETOOLONG` when no NUL appears within `max` bytes.
    pub fn read_cstr(&mut self, addr: u64, max: usize) -> KResult<Vec<u8>> {
        let mut out = Vec::new();
        let mut va = addr;
        loop {
            let pa = self.translate(va, false)?;
            let n = (PAGE_SIZE - (va % PAGE_SIZE)) as usize;
            let mut chunk = vec![0u8; n];
            self.phys.read(pa, &mut chunk)?;
            if let Some(pos) = chunk.iter().position(|&b| b == 0) {
                out.extend_from_slice(&chunk[..pos]);
                if out.len() > max {
                    return Err(Errno::ENAMETOOLONG);
                }
                return Ok(out);
            }
            out.extend_from_slice(&chunk);
            if out.len() > max {
                return Err(Errno::ENAMETOOLONG);
            }
            va = va.checked_add(n as u64).ok_or(Errno::EFAULT)?;
        }
    }

    /// Reads a NULL-terminated array of pointers (argv/envp) and the strings they point to.
    pub fn read_cstr_array(&mut self, addr: u64, max_total: usize) -> KResult<Vec<Vec<u8>>> {
        let mut out = Vec::new();
        if addr == 0 {
            return Ok(out);
        }
        let mut total = 0usize;
        for i in 0.. {
            let p: u64 = self.read_val(addr.checked_add(i * 8).ok_or(Errno::EFAULT)?)?;
            if p == 0 {
                break;
            }
            let s = self.read_cstr(p, max_total)?;
            total += s.len() + 1 + 8;
            if total > max_total {
                return Err(Errno::E2BIG);
            }
            out.push(s);
        }
        Ok(out)
    }

    /// Drops every mapping (exec's point of no return, or process exit).
    pub fn clear(&mut self) {
        let all: Vec<Vma> = self.vmas.values().cloned().collect();
        for v in all {
            let _ = self.write_back(&v, v.start, v.end);
            self.release_range(v.start, v.end);
        }
        self.vmas.clear();
        self.brk_start = 0;
        self.brk = 0;
    }

    /// The engine template this address space was built from.
    pub fn template(&self) -> &AddressSpaceTemplate {
        &self.template
    }
}

impl Drop for Mm {
    fn drop(&mut self) {
        self.clear();
        // Nothing runs this address space any more.
        let frames = std::mem::take(&mut self.deferred);
        self.phys.free_frames(&frames);
        self.pt.free_tables(&self.phys);
    }
}

#[cfg(test)]
mod tests;
