//! The reverse map of a shared file object (a page cache, a memfd's pages): the address
//! spaces whose page tables may hold its frames, so that a shrink or a punched hole can take
//! the cut pages away from every mapping, as Linux's `unmap_mapping_range` does. The next
//! touch of such a page faults again and meets the file as it is now (`SIGBUS` past its end).
//!
//! An address space registers with an object when it gets a `MAP_SHARED` mapping of it (at
//! `mmap`, and for a `fork` child before any page of it is copied), and stays registered until
//! it dies; the map holds it weakly. Unmapping takes address-space locks, and a fault takes
//! the address space's lock before the object's: callers run it with no lock of the object
//! (or of the file under it) held, after the object has forgotten the pages, so that a fault
//! racing it either comes first and is undone, or comes after and finds the pages gone.

use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::Mm;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The address spaces that may map one object's frames.
#[derive(Default)]
pub struct Rmap {
    mms: Mutex<Vec<Weak<Mutex<Mm>>>>,
}

impl Rmap {
    /// Records that `mm` maps (or may map) the object shared; an address space not yet
    /// shared (a dangling `Weak`) is skipped, it registers when it becomes shared.
    pub(super) fn add(&self, mm: &Weak<Mutex<Mm>>) {
        if mm.strong_count() == 0 {
            return;
        }
        let mut mms = lock(&self.mms);
        mms.retain(|w| w.strong_count() > 0);
        if !mms.iter().any(|w| w.ptr_eq(mm)) {
            mms.push(mm.clone());
        }
    }

    /// How many live address spaces are registered (tests and diagnostics).
    pub fn registered(&self) -> usize {
        lock(&self.mms)
            .iter()
            .filter(|w| w.strong_count() > 0)
            .count()
    }

    /// The live address spaces registered (to count an object's mappings: System V
    /// shared memory's `shm_nattch`). Lock them one at a time, holding no other.
    pub fn address_spaces(&self) -> Vec<Arc<Mutex<Mm>>> {
        lock(&self.mms).iter().filter_map(Weak::upgrade).collect()
    }

    /// Takes the pages at file offsets `[start, end)` (page aligned) away from every shared
    /// mapping of the object. The object must already have forgotten them, and the caller
    /// must hold none of its locks.
    fn unmap(&self, start: u64, end: u64) {
        // A `fork` copies its parent's entries under the parent's lock, after registering the
        // child: a child made before its parent was visited here is seen by the next round.
        let mut done: Vec<Arc<Mutex<Mm>>> = Vec::new();
        loop {
            let fresh: Vec<Arc<Mutex<Mm>>> = lock(&self.mms)
                .iter()
                .filter_map(Weak::upgrade)
                .filter(|m| !done.iter().any(|d| Arc::ptr_eq(d, m)))
                .collect();
            if fresh.is_empty() {
                break;
            }
            for mm in &fresh {
                lock(mm).unmap_object(self, start, end);
            }
            done.extend(fresh);
        }
        // Dropping the last reference to an exiting address space tears it down here, with
        // no lock held.
        drop(done);
    }
}

/// Pages an object cut off that its shared mappings must lose: [`Unmap::run`] it once the
/// caller's own locks are released (it takes address-space locks).
#[must_use = "mappings keep the cut pages until the unmap runs"]
pub struct Unmap<'a> {
    rmap: &'a Rmap,
    pub(super) range: Option<(u64, u64)>,
}

impl<'a> Unmap<'a> {
    /// File offsets `[start, end)` of the object behind `rmap`, or nothing when `range` is
    /// `None`.
    pub(super) fn new(rmap: &'a Rmap, range: Option<(u64, u64)>) -> Unmap<'a> {
        Unmap { rmap, range }
    }

    /// Whether there is anything to unmap.
    pub fn is_empty(&self) -> bool {
        self.range.is_none()
    }

    /// Unmaps the pages from every address space that maps them.
    pub fn run(self) {
        if let Some((start, end)) = self.range {
            self.rmap.unmap(start, end);
        }
    }
}
