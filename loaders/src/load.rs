//! Mapping a parsed image into an address space through an [`ImageSink`].

use crate::elf::{ElfImage, ElfKind};
use crate::{page_down, page_up, LoadError, PAGE_SIZE, PROT_READ, PROT_WRITE, USER_ADDR_LIMIT};

/// Where a position-independent main program (PIE or static-PIE) is placed: Linux's
/// `ELF_ET_DYN_BASE` for x86-64 (2/3 of the user address space), page-aligned, as seen with
/// ASLR off (`setarch -R`), so addresses match a native run under gdb.
pub const PIE_BASE: u64 = 0x5555_5555_4000;

/// Preferred load bias of an `ET_DYN` interpreter (ld.so).
///
/// Linux maps the interpreter top-down from `mmap_base`, just below the stack gap. We use a
/// fixed address in that same region so that runs are deterministic: `[INTERP_BASE,
/// INTERP_CEILING)` is about 2.2 MiB, enough for glibc's ld.so (~250 KiB) and musl's libc.so
/// (~800 KiB); a larger interpreter is moved down so that it still ends at `INTERP_CEILING`.
pub const INTERP_BASE: u64 = 0x7fff_f7dd_0000;

/// Highest address (exclusive) an interpreter may occupy: Linux's `mmap_base` with ASLR off
/// and the default 8 MiB stack limit (user limit minus the 128 MiB minimum stack gap). The
/// stack and the vDSO live above it.
pub const INTERP_CEILING: u64 = 0x7fff_f7ff_f000;

/// The kernel's memory manager, as seen by the loader.
///
/// The loader only needs these three operations, so it does not depend on the kernel crate
/// (which would make an arrow point up). Addresses are guest virtual addresses.
pub trait ImageSink {
    /// The memory manager's error, handed back boxed in [`LoadError::Sink`].
    type Error: std::error::Error + Send + Sync + 'static;
    /// Map fresh zeroed anonymous memory at [addr, addr+len) (both page aligned) with `prot`,
    /// replacing anything there.
    fn map_zeroed(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), Self::Error>;
    /// Copy `data` into already-mapped guest memory at `addr` (ignores protections: loader
    /// writes).
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Self::Error>;
    /// Change protection of [addr, addr+len) (page aligned).
    fn protect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), Self::Error>;
}

/// Where an image ended up, with the bias applied: what `execve` needs for registers, auxv
/// and the memory map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoadedImage {
    /// Entry point (`e_entry + base`).
    pub entry: u64,
    /// Address of the program header table (`AT_PHDR`). When the table is in no segment this
    /// is `base`, as in Linux.
    pub phdr_addr: u64,
    /// Number of program headers (`AT_PHNUM`).
    pub phnum: u16,
    /// Size of one program header (`AT_PHENT`).
    pub phent: u16,
    /// The load bias: 0 for `ET_EXEC`, the chosen address for `ET_DYN` (`AT_BASE` for an
    /// interpreter).
    pub base: u64,
    /// Where the heap starts: the page-aligned end of the highest segment.
    pub brk_start: u64,
    /// Lowest mapped address (page-aligned down).
    pub lowest: u64,
    /// End of the highest segment (exclusive, not rounded; `brk_start` is this rounded up).
    pub highest: u64,
}

/// Chooses the load bias for an image. Deterministic: no address randomisation.
///
/// - `ET_EXEC`: 0, the file's addresses are final.
/// - `ET_DYN` main program: [`PIE_BASE`] minus the lowest vaddr, so the image starts at
///   `PIE_BASE` as in Linux with ASLR off.
/// - `ET_DYN` interpreter: [`INTERP_BASE`] minus the lowest vaddr, moved down if needed so
///   that the whole image ends at or below [`INTERP_CEILING`].
///
/// The result is aligned to the largest power-of-two `p_align` of the segments (at least a
/// page), as Linux does, so that 2 MiB-aligned images keep their alignment. If the image
/// cannot be placed there (its addresses are already high), the bias is 0 and [`load`]
/// decides whether it fits.
pub fn choose_base(image: &ElfImage, is_interp: bool) -> u64 {
    if image.kind == ElfKind::Exec {
        return 0;
    }
    let align = image
        .segments
        .iter()
        .map(|s| s.align)
        .filter(|a| a.is_power_of_two())
        .fold(PAGE_SIZE, u64::max);
    let lowest = page_down(image.min_vaddr);
    let target = if is_interp {
        let span_end = page_up(image.max_vaddr).unwrap_or(u64::MAX);
        let preferred = INTERP_BASE.saturating_sub(lowest);
        if preferred.saturating_add(span_end) > INTERP_CEILING {
            INTERP_CEILING.saturating_sub(span_end)
        } else {
            preferred
        }
    } else {
        PIE_BASE.saturating_sub(lowest)
    };
    // Rounding down keeps the image below the targets above; align is a power of two.
    target & !(align - 1)
}

/// Maps `image` (parsed from `file`) into `sink` at load bias `base`.
///
/// Each segment's pages are mapped fresh and zeroed with `PROT_READ | PROT_WRITE`, its file
/// bytes are copied, then the pages get their final protection. A page shared by two
/// segments gets the union of their protections (Linux would give it the protection of
/// whichever was mapped last; the union never takes away access a segment needs). Bytes of
/// a mapped page that belong to no segment's file range stay zero, bss included.
///
/// `base` must be page aligned, and 0 for `ET_EXEC`; use [`choose_base`].
pub fn load<S: ImageSink>(
    image: &ElfImage,
    file: &[u8],
    sink: &mut S,
    base: u64,
) -> Result<LoadedImage, LoadError> {
    if base % PAGE_SIZE != 0 {
        return Err(LoadError::BadBase {
            base,
            reason: "not page aligned",
        });
    }
    if image.kind == ElfKind::Exec && base != 0 {
        return Err(LoadError::BadBase {
            base,
            reason: "ET_EXEC images must be loaded at their link addresses (bias 0)",
        });
    }
    if image.segments.is_empty() {
        return Err(LoadError::NoLoadSegments);
    }

    // Compute and check everything before touching the sink, so a refused image leaves the
    // address space as it was.
    let does_not_fit = |end: Option<u64>| LoadError::ImageDoesNotFit {
        base,
        end: end.unwrap_or(u64::MAX),
    };
    let mut copies = Vec::with_capacity(image.segments.len());
    let mut ranges = Vec::with_capacity(image.segments.len());
    for seg in &image.segments {
        if seg.filesz > seg.memsz {
            return Err(LoadError::FileszExceedsMemsz {
                index: seg.index,
                filesz: seg.filesz,
                memsz: seg.memsz,
            });
        }
        let start = base.checked_add(seg.vaddr);
        let end = start.and_then(|s| s.checked_add(seg.memsz));
        let (Some(start), Some(end)) = (start, end) else {
            return Err(does_not_fit(end));
        };
        if end > USER_ADDR_LIMIT {
            return Err(does_not_fit(Some(end)));
        }
        let data = usize::try_from(seg.file_offset)
            .ok()
            .zip(usize::try_from(seg.filesz).ok())
            .and_then(|(off, len)| file.get(off..off.checked_add(len)?))
            .ok_or(LoadError::SegmentBeyondEof {
                index: seg.index,
                offset: seg.file_offset,
                filesz: seg.filesz,
                file_len: file.len(),
            })?;
        if seg.memsz > 0 {
            // end <= USER_ADDR_LIMIT, which is page aligned, so rounding up cannot overflow.
            let page_end = page_up(end).ok_or_else(|| does_not_fit(Some(end)))?;
            ranges.push((page_down(start), page_end, seg.prot));
        }
        if !data.is_empty() {
            copies.push((start, data));
        }
    }
    let entry = base
        .checked_add(image.entry)
        .filter(|&e| e < USER_ADDR_LIMIT)
        .ok_or(LoadError::BadEntry {
            entry: base.wrapping_add(image.entry),
        })?;
    let phdr_addr = base
        .checked_add(image.phdr_vaddr.unwrap_or(0))
        .ok_or_else(|| does_not_fit(None))?;
    let lowest = ranges.iter().map(|r| r.0).min().unwrap_or(0);
    let highest = image
        .segments
        .iter()
        .map(|s| base.saturating_add(s.end()))
        .max()
        .unwrap_or(0);
    let brk_start = ranges.iter().map(|r| r.1).max().unwrap_or(0);

    let intervals = page_intervals(&ranges);
    for &(start, end, _) in &intervals {
        sink.map_zeroed(start, end - start, PROT_READ | PROT_WRITE)
            .map_err(LoadError::sink)?;
    }
    for (addr, data) in copies {
        sink.write(addr, data).map_err(LoadError::sink)?;
    }
    for &(start, end, prot) in &intervals {
        sink.protect(start, end - start, prot)
            .map_err(LoadError::sink)?;
    }

    Ok(LoadedImage {
        entry,
        phdr_addr,
        phnum: image.phdrs.count,
        phent: image.phdrs.entsize,
        base,
        brk_start,
        lowest,
        highest,
    })
}

/// Splits page ranges `(start, end, prot)` that may overlap (segments sharing a page) into
/// disjoint intervals, each with the union of the protections of the ranges covering it.
/// Adjacent intervals with equal protection are merged to keep the number of sink calls low.
///
/// Quadratic in the number of segments, which is at most 1170 (64 KiB of headers) and in
/// practice under ten.
fn page_intervals(ranges: &[(u64, u64, u32)]) -> Vec<(u64, u64, u32)> {
    let mut points: Vec<u64> = ranges.iter().flat_map(|r| [r.0, r.1]).collect();
    points.sort_unstable();
    points.dedup();
    let mut out: Vec<(u64, u64, u32)> = Vec::new();
    for pair in points.windows(2) {
        let [a, b] = [pair[0], pair[1]];
        let mut covered = false;
        let mut prot = 0;
        for r in ranges.iter().filter(|r| r.0 <= a && b <= r.1) {
            covered = true;
            prot |= r.2;
        }
        if !covered {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.1 == a && last.2 == prot => last.1 = b,
            _ => out.push((a, b, prot)),
        }
    }
    out
}
