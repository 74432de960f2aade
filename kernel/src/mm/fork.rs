//! `fork`'s copy of an address space.
//!
//! Writable private pages are copied eagerly rather than marked copy-on-write: under PVM every
//! write-protection fault is a VM exit (~30 us), which costs more than copying the page
//! (~1 us), and most forks exec soon after. Pages no one can write need no copy at all: private
//! mappings without `PROT_WRITE` (a program's text and read-only data) share their frames, and
//! `mprotect` makes a private copy before it lets either process write (see
//! `Mm::unshare_range`). Shared mappings share their frames too (reference counted by
//! [`super::PhysMemory`]); their unpopulated pages are populated first, so that both processes
//! meet in the same frames.

use super::*;

impl Mm {
    /// A copy of this address space for a child process.
    pub fn fork(&mut self) -> KResult<Mm> {
        let mut child = Mm::new(self.phys.clone(), self.template.clone())?;
        child.brk_start = self.brk_start;
        child.brk = self.brk;
        let vmas: Vec<Vma> = self.vmas.values().cloned().collect();
        for vma in &vmas {
            if vma.shared {
                self.populate_range(vma, vma.start, vma.end)?;
            }
            child.vmas.insert(vma.start, vma.clone());
            let mut va = vma.start;
            while va < vma.end {
                let Some(slot) = self.pt.leaf_slot(&self.phys, va, false, &mut self.flush)? else {
                    // No page table here: nothing resident up to the next 2 MiB boundary.
                    va = (va | 0x1f_ffff) + 1;
                    continue;
                };
                let pte = self.phys.read_u64(slot);
                if has_frame(pte) {
                    let frame = pte & PTE_ADDR;
                    let new = if vma.shared || vma.prot & PROT_WRITE == 0 {
                        self.phys.share_frame(frame);
                        frame
                    } else {
                        let f = child.phys.alloc_frame()?;
                        self.phys.copy_frame(frame, f)?;
                        f
                    };
                    let cslot = child
                        .pt
                        .leaf_slot(&child.phys, va, true, &mut child.flush)?
                        .ok_or(Errno::ENOMEM)?;
                    child.phys.write_u64(cslot, new | (pte & !PTE_ADDR));
                }
                va += PAGE_SIZE;
            }
        }
        Ok(child)
    }
}
