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
