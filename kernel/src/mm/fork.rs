//! `fork`'s copy of an address space.
//!
//! Writable private pages are copied eagerly rather than marked copy-on-write: under PVM every
//! write-protection fault is a VM exit (~30 us), which costs more than copying the page
//! (~1 us), and most forks exec soon after. Pages no one can write need no copy at all: private
//! mappings without `PROT_WRITE` (a program's text and read-only data) share their frames, and
//! `mprotect` makes a private copy before it lets either process write (see
//! `Mm::unshare_range`). Shared mappings share their frames too (reference counted by
//! [`super::PhysMemory`]); their unpopulated pages are populated first, so that both processes
//! meet in the same frames. The child registers with the reverse map of each object it maps
//! shared before it gets any of its frames (see [`super::Rmap`]).

use super::*;

impl Mm {
    /// A copy of this address space for a child process.
    pub fn fork(&mut self) -> KResult<Arc<Mutex<Mm>>> {
        let shared = Mm::new(self.phys.clone(), self.template.clone())?.into_shared();
        self.copy_into(&mut lock_mm(&shared))?;
        Ok(shared)
    }

    fn copy_into(&mut self, child: &mut Mm) -> KResult<()> {
        child.brk_start = self.brk_start;
        child.brk = self.brk;
        child.args = self.args;
        let vmas: Vec<Vma> = self.vmas.values().cloned().collect();
        for vma in &vmas {
            if vma.shared {
                self.populate_range(vma, vma.start, vma.end)?;
            }
            child.register(vma);
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
                    // The child's slot first: a reference taken must land in a page table.
                    let cslot = child
                        .pt
                        .leaf_slot(&child.phys, va, true, &mut child.flush)?
                        .ok_or(Errno::ENOMEM)?;
                    let frame = pte & PTE_ADDR;
                    let new = if vma.shared || vma.prot & PROT_WRITE == 0 {
                        self.phys.share_frame(frame);
                        frame
                    } else {
                        let f = child.phys.alloc_frame()?;
                        if let Err(e) = self.phys.copy_frame(frame, f) {
                            child.phys.free_frames(&[f]);
                            return Err(e);
                        }
                        f
                    };
                    child.phys.write_u64(cslot, new | (pte & !PTE_ADDR));
                }
                va += PAGE_SIZE;
            }
        }
        Ok(())
    }
}
