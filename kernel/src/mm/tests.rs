//! Address-space rules checked without an engine: the VMA bookkeeping and the errors Linux
//! gives, with guest memory read back through the kernel's own copies.

use super::*;

const PG: u64 = PAGE_SIZE;
const RW: u32 = PROT_READ | PROT_WRITE;
const ANON: u32 = MAP_PRIVATE | MAP_ANONYMOUS;
const NO_LIMIT: u64 = u64::MAX;

fn mm() -> Mm {
    let phys = Arc::new(PhysMemory::new(64 << 20, 64 << 20).expect("guest memory"));
    Mm::new(phys, AddressSpaceTemplate::default()).expect("address space")
}

/// A file of `len` zero bytes that records what is written back to it.
struct Sink(std::sync::Mutex<Vec<u8>>);

impl MmapSource for Sink {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        let data = self.0.lock().unwrap();
        let start = (offset as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }
    fn describe(&self) -> String {
        "sink".into()
    }
    fn write_back(&self, offset: u64, data: &[u8]) -> KResult<()> {
        let mut file = self.0.lock().unwrap();
        let start = (offset as usize).min(file.len());
        let n = data.len().min(file.len() - start);
        file[start..start + n].copy_from_slice(&data[..n]);
        Ok(())
    }
}

#[test]
fn mprotect_changes_mappings_before_a_hole() {
    let mut m = mm();
    let a = m.mmap(0, 3 * PG, RW, ANON, None, NO_LIMIT).unwrap();
    m.unmap(a + PG, PG).unwrap();
    assert_eq!(m.mprotect(a, 3 * PG, PROT_READ), Err(Errno::ENOMEM));
    // The first page was changed before the hole was found; the third was not reached.
    assert_eq!(m.copy_out(a, b"x"), Err(Errno::EFAULT));
    assert_eq!(m.copy_out(a + 2 * PG, b"x"), Ok(()));
    // Starting in the hole changes nothing.
    assert_eq!(m.mprotect(a + PG, 2 * PG, PROT_READ), Err(Errno::ENOMEM));
    assert_eq!(m.copy_out(a + 2 * PG, b"x"), Ok(()));
}

#[test]
fn mprotect_flags() {
    let mut m = mm();
    let a = m.mmap(0, PG, RW, ANON, None, NO_LIMIT).unwrap();
    assert_eq!(m.mprotect(a, PG, PROT_READ | PROT_SEM), Ok(()));
    assert_eq!(m.mprotect(a, PG, 0x40), Err(Errno::EINVAL));
    assert_eq!(
        m.mprotect(a, PG, PROT_READ | PROT_GROWSUP),
        Err(Errno::EINVAL)
    );
    // Only the stack grows down.
    assert_eq!(
        m.mprotect(a, PG, PROT_READ | PROT_GROWSDOWN),
        Err(Errno::EINVAL)
    );
}

#[test]
fn mmap_ignores_unknown_prot_bits() {
    let mut m = mm();
    let a = m
        .mmap(0, PG, PROT_READ | 0x100, ANON, None, NO_LIMIT)
        .unwrap();
    assert_eq!(m.vma_at(a).map(|v| v.prot), Some(PROT_READ));
}

#[test]
fn read_only_shared_view_cannot_become_writable() {
    let mut m = mm();
    let file: Arc<dyn MmapSource> = Arc::new(Sink(std::sync::Mutex::new(vec![0; PG as usize])));
    let ro: Arc<dyn MmapSource> = Arc::new(ReadOnlySource(file.clone()));
    let a = m
        .mmap(0, PG, PROT_READ, MAP_SHARED, Some((ro, 0)), NO_LIMIT)
        .unwrap();
    assert_eq!(m.mprotect(a, PG, RW), Err(Errno::EACCES));
    assert_eq!(m.mprotect(a, PG, 0), Ok(()));
    // A private copy of the same file may be written.
    let ro: Arc<dyn MmapSource> = Arc::new(ReadOnlySource(file.clone()));
    let b = m
        .mmap(0, PG, PROT_READ, MAP_PRIVATE, Some((ro, 0)), NO_LIMIT)
        .unwrap();
    assert_eq!(m.mprotect(b, PG, RW), Ok(()));
    // And a shared view of a writable descriptor may.
    let c = m
        .mmap(0, PG, PROT_READ, MAP_SHARED, Some((file, 0)), NO_LIMIT)
        .unwrap();
    assert_eq!(m.mprotect(c, PG, RW), Ok(()));
}

#[test]
fn address_space_limit() {
    let mut m = mm();
    let limit = 8 * PG;
    let a = m.mmap(0, 6 * PG, RW, ANON, None, limit).unwrap();
    assert_eq!(m.mmap(0, 3 * PG, RW, ANON, None, limit), Err(Errno::ENOMEM));
    // Replacing existing pages with MAP_FIXED does not count them twice.
    assert_eq!(m.mmap(a, 4 * PG, RW, ANON | MAP_FIXED, None, limit), Ok(a));
    assert_eq!(
        m.mremap(a, 4 * PG, 7 * PG, MREMAP_MAYMOVE, 0, limit),
        Err(Errno::ENOMEM)
    );
    assert!(m
        .mremap(a, 4 * PG, 6 * PG, MREMAP_MAYMOVE, 0, limit)
        .is_ok());
    assert_eq!(m.mapped_bytes(), 8 * PG);
}

#[test]
fn brk_respects_the_limit() {
    let mut m = mm();
    m.set_brk_start(0x40_0000);
    assert_eq!(m.brk(0x40_0000 + 4 * PG, 2 * PG), 0x40_0000);
    assert_eq!(m.brk(0x40_0000 + 2 * PG, 2 * PG), 0x40_0000 + 2 * PG);
}

/// A memfd's pages as a mapping source.
struct Shm(Arc<ShmemPages>);

impl MmapSource for Shm {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.read_at(offset, buf)
    }
    fn describe(&self) -> String {
        "shm".into()
    }
    fn write_back(&self, _offset: u64, _data: &[u8]) -> KResult<()> {
        Ok(())
    }
    fn shares_frames(&self) -> bool {
        true
    }
    fn shared_page(&self, offset: u64, _write: bool) -> KResult<SharedPage> {
        Ok(match self.0.map_frame(offset)? {
            Some(f) => SharedPage::Frame(f),
            None => SharedPage::PastEof,
        })
    }
    fn rmap(&self) -> Option<&Rmap> {
        Some(self.0.rmap())
    }
}

/// `pages` of `PG * n` bytes of `fill`, and a shared address space over the same memory.
fn shm(n: u64, fill: u8) -> (Arc<ShmemPages>, Arc<Mutex<Mm>>) {
    let mm = mm();
    let pages = Arc::new(ShmemPages::new(mm.phys().clone()));
    pages
        .write_at(0, &vec![fill; (n * PG) as usize], true)
        .unwrap();
    (pages, mm.into_shared())
}

fn map_shm(mm: &Arc<Mutex<Mm>>, pages: &Arc<ShmemPages>, off: u64, len: u64) -> u64 {
    let src: Arc<dyn MmapSource> = Arc::new(Shm(pages.clone()));
    lock_mm(mm)
        .mmap(0, len, RW, MAP_SHARED, Some((src, off)), NO_LIMIT)
        .unwrap()
}

fn resident(mm: &Arc<Mutex<Mm>>, va: u64) -> bool {
    let m = lock_mm(mm);
    has_frame(m.pt.lookup(&m.phys, va))
}

fn byte(mm: &Arc<Mutex<Mm>>, va: u64) -> KResult<u8> {
    lock_mm(mm).read_val::<u8>(va)
}

#[test]
fn a_shrink_unmaps_the_cut_pages_from_every_address_space() {
    let (pages, parent) = shm(3, 7);
    let phys = lock_mm(&parent).phys().clone();
    let a = map_shm(&parent, &pages, 0, 3 * PG);
    let child = lock_mm(&parent).fork().unwrap();
    let other = Mm::new(phys.clone(), AddressSpaceTemplate::default())
        .unwrap()
        .into_shared();
    let b = map_shm(&other, &pages, PG, 2 * PG);
    assert_eq!(pages.rmap().registered(), 3);
    for (mm, va) in [
        (&parent, a + 2 * PG),
        (&child, a + 2 * PG),
        (&other, b + PG),
    ] {
        assert!(resident(mm, va));
        assert_eq!(byte(mm, va), Ok(7));
    }
    let before = phys.frames_in_use();
    pages.truncate(PG + 10).unwrap().run();
    // The frame of page 2 is gone (the file's and three mappings' references).
    assert_eq!(phys.frames_in_use(), before - 1);
    for (mm, va) in [
        (&parent, a + 2 * PG),
        (&child, a + 2 * PG),
        (&other, b + PG),
    ] {
        assert!(!resident(mm, va));
        assert_eq!(
            lock_mm(mm).handle_fault(va, Access::Read),
            FaultOutcome::Bus
        );
        assert_eq!(byte(mm, va), Err(Errno::EFAULT));
        // Page 1 stays, its cut tail zeroed.
        assert!(resident(mm, va - PG));
        assert_eq!(byte(mm, va - PG + 9), Ok(7));
        assert_eq!(byte(mm, va - PG + 10), Ok(0));
    }
    // Regrown, the page is a new zero page that the file and every mapping share.
    pages.truncate(3 * PG).unwrap().run();
    assert_eq!(
        lock_mm(&child).handle_fault(a + 2 * PG, Access::Write),
        FaultOutcome::Resolved
    );
    assert_eq!(byte(&child, a + 2 * PG), Ok(0));
    lock_mm(&other).copy_out(b + PG + 1, b"n").unwrap();
    assert_eq!(byte(&parent, a + 2 * PG + 1), Ok(b'n'));
    let mut c = [0u8];
    pages.read_at(2 * PG + 1, &mut c).unwrap();
    assert_eq!(c, *b"n");
}

#[test]
fn a_punched_hole_is_unmapped_and_reads_zero() {
    let (pages, mm) = shm(2, 5);
    let a = map_shm(&mm, &pages, 0, 2 * PG);
    assert!(resident(&mm, a + PG));
    pages.punch_hole(PG, 2 * PG).run();
    assert!(!resident(&mm, a + PG));
    assert!(resident(&mm, a));
    assert_eq!(byte(&mm, a + PG), Ok(0));
    assert_eq!(byte(&mm, a), Ok(5));
}

#[test]
fn dead_address_spaces_are_skipped_and_frames_all_return() {
    let (pages, parent) = shm(2, 1);
    let phys = lock_mm(&parent).phys().clone();
    let a = map_shm(&parent, &pages, 0, 2 * PG);
    let child = lock_mm(&parent).fork().unwrap();
    assert_eq!(pages.rmap().registered(), 2);
    drop(child);
    assert_eq!(pages.rmap().registered(), 1);
    pages.truncate(0).unwrap().run();
    assert!(!resident(&parent, a));
    assert_eq!(
        lock_mm(&parent).handle_fault(a, Access::Read),
        FaultOutcome::Bus
    );
    drop(parent);
    drop(pages);
    assert_eq!(phys.frames_in_use(), 0);
}

#[test]
fn faults_racing_shrinks_never_keep_a_cut_page() {
    let (pages, mm) = shm(2, 3);
    let phys = lock_mm(&mm).phys().clone();
    let a = map_shm(&mm, &pages, 0, 2 * PG);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let faulter = {
        let (mm, stop) = (mm.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = lock_mm(&mm).handle_fault(a + PG, Access::Write);
            }
        })
    };
    for _ in 0..2000 {
        pages.truncate(PG).unwrap().run();
        // A fault from now on meets the end of the file.
        assert!(!resident(&mm, a + PG));
        pages.truncate(2 * PG).unwrap().run();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    faulter.join().unwrap();
    drop(mm);
    drop(pages);
    assert_eq!(phys.frames_in_use(), 0);
}
