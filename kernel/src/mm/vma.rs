//! Virtual memory areas: what the program mapped, with which protection and backing.

use std::fmt;
use std::sync::Arc;

use super::Rmap;
use crate::errno::KResult;

/// `PROT_READ`.
pub const PROT_READ: u32 = 1;
/// `PROT_WRITE`.
pub const PROT_WRITE: u32 = 2;
/// `PROT_EXEC`.
pub const PROT_EXEC: u32 = 4;
/// `PROT_SEM` (atomic operations may be used on the memory; no effect on x86).
pub const PROT_SEM: u32 = 8;
/// `PROT_GROWSDOWN` (`mprotect` only: extend the change down to the start of the stack).
pub const PROT_GROWSDOWN: u32 = 0x0100_0000;
/// `PROT_GROWSUP` (`mprotect` only; no x86 mapping grows up).
pub const PROT_GROWSUP: u32 = 0x0200_0000;

/// Something a file-backed mapping reads its pages from (an open file).
pub trait MmapSource: Send + Sync {
    /// Reads up to `buf.len()` bytes at `offset`; returns the count (short at end of file).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize>;
    /// A name for `/proc/self/maps` and diagnostics.
    fn describe(&self) -> String;
    /// Writes a shared mapping's page back at `offset`, never past the current end of file
    /// (a mapping cannot grow its file). Sources that cannot be written give `EACCES`.
    fn write_back(&self, offset: u64, data: &[u8]) -> KResult<()> {
        let _ = (offset, data);
        Err(crate::errno::Errno::EACCES)
    }
    /// Whether a shared mapping of this source may ever be writable (Linux's `VM_MAYWRITE`):
    /// false for a file opened without write access.
    fn writable(&self) -> bool {
        true
    }
    /// Where a `MAP_SHARED` mapping gets its page at `offset` (page aligned), mapped
    /// writable when `write`: sources whose data lives in guest frames (memfd, a page cache)
    /// hand out the frame itself.
    fn shared_page(&self, offset: u64, write: bool) -> KResult<SharedPage> {
        let _ = (offset, write);
        Ok(SharedPage::Copy)
    }
    /// The file's current size, for sources with an end: a mapped page wholly past it is
    /// `SIGBUS` (private or shared mappings alike). `None`: no end (devices).
    fn file_size(&self) -> Option<u64> {
        None
    }
    /// Whether `shared_page` hands out the file's own frames (never `Copy`): such mappings
    /// have nothing to write back page by page at `munmap`.
    fn shares_frames(&self) -> bool {
        false
    }
    /// `msync` of `[offset, offset+len)` of a mapping whose pages are the file's frames:
    /// sources that keep the file elsewhere (a page cache) write it back.
    fn sync(&self, offset: u64, len: u64) -> KResult<()> {
        let _ = (offset, len);
        Ok(())
    }
    /// The reverse map of the object whose frames `shared_page` hands out (the same for
    /// every mapping of one file): address spaces mapping it shared register there, so that
    /// a shrink can take the cut pages from them. `None` for sources without frames.
    fn rmap(&self) -> Option<&Rmap> {
        None
    }
    /// The source as `Any`, for callers that must recognize their own sources among a
    /// process's mappings (`shmdt` finds the attaches of System V segments).
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// Where a shared file mapping's page comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedPage {
    /// A private copy of the file's bytes, written back at `msync` and `munmap`.
    Copy,
    /// This frame, which the file owns too (a reference was taken for the mapping).
    Frame(u64),
    /// Past the end of the file: the page stays absent and touching it is `SIGBUS`.
    PastEof,
}

/// A source seen through a descriptor opened read-only: a shared mapping of it can never be
/// made writable (`mprotect` gives `EACCES`) and writes nothing back.
pub struct ReadOnlySource(pub Arc<dyn MmapSource>);

impl MmapSource for ReadOnlySource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.read_at(offset, buf)
    }
    fn describe(&self) -> String {
        self.0.describe()
    }
    fn writable(&self) -> bool {
        false
    }
    fn shared_page(&self, offset: u64, write: bool) -> KResult<SharedPage> {
        self.0.shared_page(offset, write)
    }
    fn shares_frames(&self) -> bool {
        self.0.shares_frames()
    }
    fn sync(&self, offset: u64, len: u64) -> KResult<()> {
        self.0.sync(offset, len)
    }
    fn file_size(&self) -> Option<u64> {
        self.0.file_size()
    }
    fn rmap(&self) -> Option<&Rmap> {
        self.0.rmap()
    }
}

/// What backs a mapping.
#[derive(Clone)]
pub enum Backing {
    /// Zero-filled anonymous memory.
    Anon,
    /// A private copy of a file range starting at `offset`.
    File {
        /// The file read on population.
        source: Arc<dyn MmapSource>,
        /// File offset of the VMA's first byte.
        offset: u64,
    },
}

impl fmt::Debug for Backing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backing::Anon => f.write_str("Anon"),
            Backing::File { source, offset } => {
                write!(f, "File({}, {offset:#x})", source.describe())
            }
        }
    }
}

/// Role of a mapping, for diagnostics and `/proc/self/maps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VmaKind {
    /// A plain `mmap`.
    Mmap,
    /// The `brk` heap.
    Heap,
    /// The initial thread's stack.
    Stack,
    /// A segment of a loaded ELF image.
    Image,
}

/// One mapping `[start, end)`.
#[derive(Clone, Debug)]
pub struct Vma {
    /// First byte (page aligned).
    pub start: u64,
    /// One past the last byte (page aligned).
    pub end: u64,
    /// `PROT_*` bits.
    pub prot: u32,
    /// `MAP_SHARED` (shared anonymous memory, or a shared read-only file view).
    pub shared: bool,
    /// Backing store.
    pub backing: Backing,
    /// Role.
    pub kind: VmaKind,
}

impl Vma {
    /// Whether `mprotect` may add `PROT_WRITE`: private mappings always may (they are copies),
    /// shared file mappings only if the file was opened for writing.
    pub fn may_write(&self) -> bool {
        match &self.backing {
            Backing::File { source, .. } if self.shared => source.writable(),
            _ => true,
        }
    }

    /// Whether this is a shared mapping whose pages are its file's own frames.
    pub fn shared_frames(&self) -> bool {
        match &self.backing {
            Backing::File { source, .. } => self.shared && source.shares_frames(),
            Backing::Anon => false,
        }
    }

    /// The VMA cut to `[start, end)` (which must lie inside it), with the file offset adjusted.
    pub fn slice(&self, start: u64, end: u64) -> Vma {
        let mut v = self.clone();
        if let Backing::File { offset, .. } = &mut v.backing {
            *offset += start - self.start;
        }
        v.start = start;
        v.end = end;
        v
    }
}
