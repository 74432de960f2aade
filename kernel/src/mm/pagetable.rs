//! x86-64 four-level page tables kept in guest-physical memory.
//!
//! The kernel writes these tables itself; the KVM engine loads the root into CR3 and the BT
//! engine walks them in software, exactly as the hardware would. Upper levels are never freed
//! while a table lives, so the only entries that ever go from present to something else are leaf
//! entries: those are the ones an engine must re-announce to a shadow MMU (see `FlushList`).

use super::phys::{PhysMemory, PAGE_SIZE};
use crate::errno::KResult;

/// Present.
pub const PTE_P: u64 = 1;
/// Writable.
pub const PTE_RW: u64 = 1 << 1;
/// User-accessible.
pub const PTE_US: u64 = 1 << 2;
/// Accessed (set by hardware; preset to avoid an extra write fault under shadow paging).
pub const PTE_A: u64 = 1 << 5;
/// Dirty.
pub const PTE_D: u64 = 1 << 6;
/// Large page (in a PDE or PDPTE).
pub const PTE_PS: u64 = 1 << 7;
/// Software bit: this entry owns a frame even while not present (a PROT_NONE page).
pub const PTE_SW_FRAME: u64 = 1 << 9;
/// No-execute.
pub const PTE_NX: u64 = 1 << 63;
/// Frame address bits of an entry.
pub const PTE_ADDR: u64 = 0x000f_ffff_ffff_f000;

/// Flags for intermediate (non-leaf) entries: permissions are decided at the leaf.
const TABLE_FLAGS: u64 = PTE_P | PTE_RW | PTE_US | PTE_A;

/// One address space's page-table root.
pub struct PageTable {
    root: u64,
    /// Every table page this tree owns (root included), freed on drop of the address space.
    pages: Vec<u64>,
}

/// Index of `va` at `level` (3 = PML4 … 0 = PT).
fn index(va: u64, level: u32) -> u64 {
    (va >> (12 + 9 * level)) & 0x1ff
}

impl PageTable {
    /// A fresh root whose upper half is copied from `kernel_root` (the engine's shared kernel
    /// mappings), or empty when `kernel_root` is 0.
    pub fn new(phys: &PhysMemory, kernel_root: u64, flush: &mut FlushList) -> KResult<Self> {
        let root = phys.alloc_frame()?;
        flush.push_table(root);
        if kernel_root != 0 {
            for i in 256..512 {
                let e = phys.read_u64(kernel_root + i * 8);
                phys.write_u64(root + i * 8, e);
            }
        }
        Ok(PageTable {
            root,
            pages: vec![root],
        })
    }

    /// Guest-physical address of the PML4 (the CR3 value).
    pub fn root(&self) -> u64 {
        self.root
    }

    /// Guest-physical address of the leaf entry for `va`, allocating missing tables when
    /// `create` is set; `None` when a level is missing and `create` is not set.
    ///
    /// A new table page is recorded in `flush` in full: its frame may have been a table page
    /// before, and a shadow MMU must drop what it remembers of that.
    pub fn leaf_slot(
        &mut self,
        phys: &PhysMemory,
        va: u64,
        create: bool,
        flush: &mut FlushList,
    ) -> KResult<Option<u64>> {
        let mut table = self.root;
        for level in (1..=3).rev() {
            let slot = table + index(va, level) * 8;
            let e = phys.read_u64(slot);
            if e & PTE_P == 0 {
                if !create {
                    return Ok(None);
                }
                let page = phys.alloc_frame()?;
                self.pages.push(page);
                flush.push_table(page);
                phys.write_u64(slot, page | TABLE_FLAGS);
                table = page;
            } else {
                table = e & PTE_ADDR;
            }
        }
        Ok(Some(table + index(va, 0) * 8))
    }

    /// The leaf entry for `va` without allocating (0 when absent).
    pub fn lookup(&self, phys: &PhysMemory, va: u64) -> u64 {
        let mut table = self.root;
        for level in (1..=3).rev() {
            let e = phys.read_u64(table + index(va, level) * 8);
            if e & PTE_P == 0 {
                return 0;
            }
            table = e & PTE_ADDR;
        }
        phys.read_u64(table + index(va, 0) * 8)
    }

    /// Releases the table pages (not the frames the leaves point to: the caller frees those).
    pub fn free_tables(&mut self, phys: &PhysMemory) {
        phys.free_frames(&self.pages);
        self.pages.clear();
    }
}

/// Page-table pages whose contents changed in a way the CPU must not miss: a leaf entry that
/// stopped being valid, or a page newly used as a table (its frame may have been a table
/// before).
///
/// Under shadow paging (PVM, or KVM without EPT) the hypervisor only notices page-table writes
/// the guest itself makes, so the engine has the guest rewrite part of each listed page before
/// it returns to the program; a sub-word write makes the shadow MMU drop everything it derived
/// from that page. On hardware with EPT the write is a plain store, and the CR3 reload that
/// follows flushes the TLB.
#[derive(Default, Debug, Clone)]
pub struct FlushList {
    pages: Vec<u64>,
}

impl FlushList {
    /// Records that the leaf entry at guest-physical `slot` changed.
    pub fn push(&mut self, slot: u64) {
        self.push_table(slot & !(PAGE_SIZE - 1));
    }

    /// Records a table page whose contents changed.
    pub fn push_table(&mut self, page: u64) {
        if self.pages.last() != Some(&page) {
            self.pages.push(page);
        }
    }

    /// True when nothing needs to be re-announced.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Takes the recorded pages (guest-physical addresses, duplicates removed).
    pub fn take(&mut self) -> Vec<u64> {
        let mut pages = std::mem::take(&mut self.pages);
        pages.sort_unstable();
        pages.dedup();
        pages
    }
}
