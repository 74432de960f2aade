//! Parsing and validating an x86-64 ELF executable.
//!
//! The checks follow Linux's `load_elf_binary` / `load_elf_phdrs` (fs/binfmt_elf.c) so that a
//! file Linux refuses with `ENOEXEC` (or kills after the point of no return, for segments
//! that cannot fit in user space) is refused here before anything is mapped. goblin reads the
//! header and program-header structs; the validation is ours because goblin's full
//! `Elf::parse` also reads sections, symbols and dynamic tables that exec never looks at and
//! that would reject (or accept) files for reasons unrelated to running them.

use goblin::container::Endian;
use goblin::elf::header::{
    EI_CLASS, EI_DATA, ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB, ELFMAG, EM_X86_64,
    ET_CORE, ET_DYN, ET_EXEC, ET_NONE, ET_REL, SELFMAG,
};
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};
use goblin::elf64::header::{Header, SIZEOF_EHDR};
use goblin::elf64::program_header::{ProgramHeader, SIZEOF_PHDR};

use crate::{LoadError, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE, USER_ADDR_LIMIT};

/// Linux refuses program header tables larger than this (`load_elf_phdrs`).
const MAX_PHDR_TABLE_BYTES: u64 = 64 * 1024;

/// Linux's `PATH_MAX`, the largest `PT_INTERP` it reads.
const PATH_MAX: u64 = 4096;

/// Whether the executable is position dependent or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElfKind {
    /// `ET_EXEC`: linked at fixed addresses, loaded with bias 0.
    Exec,
    /// `ET_DYN`: position independent (PIE, static-PIE, or a shared object such as ld.so);
    /// the loader picks the bias (see [`crate::choose_base`]).
    Dyn,
}

/// One `PT_LOAD` segment, as the file describes it (before the load bias is applied).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Index of this segment's program header, for messages.
    pub index: usize,
    /// `p_vaddr`: where the segment's first byte goes.
    pub vaddr: u64,
    /// `p_memsz`: bytes in memory; those past `filesz` are zero (bss). Never 0.
    pub memsz: u64,
    /// `p_offset`: where the segment's bytes start in the file.
    pub file_offset: u64,
    /// `p_filesz`: bytes copied from the file; at most `memsz`.
    pub filesz: u64,
    /// Linux protection bits: [`PROT_READ`] | [`PROT_WRITE`] | [`PROT_EXEC`].
    pub prot: u32,
    /// `p_align` (0 or 1 mean no alignment constraint).
    pub align: u64,
}

impl Segment {
    /// Exclusive end address (`vaddr + memsz`); validated not to overflow by [`parse`].
    pub fn end(&self) -> u64 {
        self.vaddr.saturating_add(self.memsz)
    }
}

/// Where the program header table is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhdrTable {
    /// `e_phoff`.
    pub file_offset: u64,
    /// `e_phnum`.
    pub count: u16,
    /// `e_phentsize` (always 56 once parsed).
    pub entsize: u16,
}

/// A validated x86-64 ELF executable, ready for [`crate::load`].
///
/// Produced by [`parse`]; every field has passed Linux's exec-time checks. `load` still checks
/// what it relies on, so an `ElfImage` built by hand cannot make it panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ElfImage {
    /// `ET_EXEC` or `ET_DYN`.
    pub kind: ElfKind,
    /// `e_entry`, before the load bias.
    pub entry: u64,
    /// The non-empty `PT_LOAD` segments, in program header order. Empty (`p_memsz == 0`)
    /// segments are validated but left out: Linux maps nothing for them either.
    pub segments: Vec<Segment>,
    /// Location of the program header table in the file.
    pub phdrs: PhdrTable,
    /// Virtual address of the program header table before the bias (for `AT_PHDR`): from
    /// `PT_PHDR` when present, else computed from the `PT_LOAD` whose file bytes contain
    /// `e_phoff`; `None` when the table is not loaded at all.
    pub phdr_vaddr: Option<u64>,
    /// The interpreter path from the first `PT_INTERP`, without its terminating NUL.
    pub interp: Option<Vec<u8>>,
    /// Whether `PT_GNU_STACK` asks for an executable stack. Without `PT_GNU_STACK` the answer
    /// is `false`: on x86-64 Linux the stack is only executable when asked for.
    pub exec_stack: bool,
    /// Lowest `p_vaddr` of the segments (not page-rounded).
    pub min_vaddr: u64,
    /// Highest `p_vaddr + p_memsz` of the segments (exclusive, not page-rounded).
    pub max_vaddr: u64,
}

/// Parses and validates an x86-64 ELF executable.
///
/// Refuses, with the matching [`LoadError`] variant, anything Linux's `execve` would refuse:
/// see the variants for the list. Every error returned is a format error
/// ([`LoadError::is_format_error`]).
pub fn parse(bytes: &[u8]) -> Result<ElfImage, LoadError> {
    let header = parse_header(bytes)?;
    let phdrs = parse_phdrs(bytes, &header)?;

    let mut segments = Vec::new();
    let mut interp = None;
    let mut exec_stack = false;
    let mut pt_phdr = None;
    for (index, ph) in phdrs.iter().enumerate() {
        match ph.p_type {
            PT_LOAD => {
                let segment = check_load(bytes.len(), index, ph)?;
                if segment.memsz > 0 {
                    segments.push(segment);
                }
            }
            // Linux reads only the first PT_INTERP and ignores later ones.
            PT_INTERP if interp.is_none() => interp = Some(check_interp(bytes, ph)?),
            PT_GNU_STACK => exec_stack = ph.p_flags & PF_X != 0,
            PT_PHDR if pt_phdr.is_none() => {
                if ph.p_vaddr >= USER_ADDR_LIMIT {
                    return Err(LoadError::BadPhdrSegment { vaddr: ph.p_vaddr });
                }
                pt_phdr = Some(ph.p_vaddr);
            }
            _ => {}
        }
    }
    if segments.is_empty() {
        return Err(LoadError::NoLoadSegments);
    }
    check_overlap(&segments)?;

    let kind = if header.e_type == ET_EXEC {
        ElfKind::Exec
    } else {
        ElfKind::Dyn
    };
    // For ET_EXEC the entry is final; for ET_DYN `load` checks it once the bias is known.
    if kind == ElfKind::Exec && header.e_entry >= USER_ADDR_LIMIT {
        return Err(LoadError::BadEntry {
            entry: header.e_entry,
        });
    }

    let phdr_vaddr = pt_phdr.or_else(|| phdr_from_load(&segments, header.e_phoff));
    let min_vaddr = segments.iter().map(|s| s.vaddr).min().unwrap_or(0);
    let max_vaddr = segments.iter().map(Segment::end).max().unwrap_or(0);
    Ok(ElfImage {
        kind,
        entry: header.e_entry,
        segments,
        phdrs: PhdrTable {
            file_offset: header.e_phoff,
            count: header.e_phnum,
            entsize: header.e_phentsize,
        },
        phdr_vaddr,
        interp,
        exec_stack,
        min_vaddr,
        max_vaddr,
    })
}

/// Reads the ELF header, checking identity, class, byte order, type and machine in the order
/// that gives the most useful message (a 32-bit ARM file is reported as 32-bit, since its
/// other fields cannot even be read as ELF64).
fn parse_header(bytes: &[u8]) -> Result<Header, LoadError> {
    let Some(magic) = bytes.first_chunk::<SELFMAG>() else {
        return Err(LoadError::TooShort { len: bytes.len() });
    };
    if magic != ELFMAG {
        return Err(LoadError::NotElf { magic: *magic });
    }
    // The ident bytes we look at come before anything else, so they can be checked (and give
    // a better message) even when the rest of the header is missing.
    match bytes.get(EI_CLASS).copied() {
        Some(ELFCLASS64) | None => {}
        Some(ELFCLASS32) => return Err(LoadError::Elf32),
        Some(class) => return Err(LoadError::BadClass { class }),
    }
    match bytes.get(EI_DATA).copied() {
        Some(ELFDATA2LSB) | None => {}
        Some(ELFDATA2MSB) => return Err(LoadError::BigEndian),
        Some(data) => return Err(LoadError::BadEndianness { data }),
    }
    if bytes.len() < SIZEOF_EHDR {
        return Err(LoadError::TruncatedHeader { len: bytes.len() });
    }
    let header =
        Header::parse(bytes).map_err(|_| LoadError::TruncatedHeader { len: bytes.len() })?;

    if header.e_type != ET_EXEC && header.e_type != ET_DYN {
        return Err(LoadError::WrongType {
            e_type: header.e_type,
            name: type_name(header.e_type),
        });
    }
    if header.e_machine != EM_X86_64 {
        return Err(LoadError::WrongMachine {
            machine: header.e_machine,
            name: machine_name(header.e_machine),
        });
    }
    if usize::from(header.e_phentsize) != SIZEOF_PHDR {
        return Err(LoadError::BadPhentsize {
            phentsize: header.e_phentsize,
        });
    }
    if header.e_phnum == 0 {
        return Err(LoadError::NoProgramHeaders);
    }
    if u64::from(header.e_phnum) * SIZEOF_PHDR as u64 > MAX_PHDR_TABLE_BYTES {
        return Err(LoadError::TooManyProgramHeaders {
            phnum: header.e_phnum,
        });
    }
    Ok(header)
}

/// Reads the program header table after checking that it lies inside the file.
fn parse_phdrs(bytes: &[u8], header: &Header) -> Result<Vec<ProgramHeader>, LoadError> {
    let count = usize::from(header.e_phnum);
    let size = count * SIZEOF_PHDR; // at most 64 KiB, checked by parse_header
    let out_of_file = || LoadError::PhdrsOutOfFile {
        offset: header.e_phoff,
        size: size as u64,
        file_len: bytes.len(),
    };
    let start = usize::try_from(header.e_phoff).map_err(|_| out_of_file())?;
    let end = start.checked_add(size).ok_or_else(out_of_file)?;
    if end > bytes.len() {
        return Err(out_of_file());
    }
    ProgramHeader::parse(bytes, start, count, Endian::Little).map_err(|_| out_of_file())
}

/// Validates one `PT_LOAD` and converts it to a [`Segment`].
fn check_load(file_len: usize, index: usize, ph: &ProgramHeader) -> Result<Segment, LoadError> {
    if ph.p_filesz > ph.p_memsz {
        return Err(LoadError::FileszExceedsMemsz {
            index,
            filesz: ph.p_filesz,
            memsz: ph.p_memsz,
        });
    }
    let end = ph
        .p_vaddr
        .checked_add(ph.p_memsz)
        .ok_or(LoadError::SegmentOverflow {
            index,
            vaddr: ph.p_vaddr,
            memsz: ph.p_memsz,
        })?;
    // Linux: BAD_ADDR(k) || p_memsz > TASK_SIZE || TASK_SIZE - p_memsz < k.
    if ph.p_vaddr >= USER_ADDR_LIMIT || end > USER_ADDR_LIMIT {
        return Err(LoadError::SegmentAboveUserLimit {
            index,
            vaddr: ph.p_vaddr,
            memsz: ph.p_memsz,
        });
    }
    let file_end = ph.p_offset.checked_add(ph.p_filesz);
    if file_end.is_none_or(|e| e > file_len as u64) {
        return Err(LoadError::SegmentBeyondEof {
            index,
            offset: ph.p_offset,
            filesz: ph.p_filesz,
            file_len,
        });
    }
    // Linux mmaps file pages, so the page offsets must agree whatever p_align says; p_align
    // adds its own (usually 4 KiB or 2 MiB) congruence requirement from the ELF spec.
    for align in [ph.p_align, PAGE_SIZE] {
        if align > 1 && ph.p_vaddr % align != ph.p_offset % align {
            return Err(LoadError::MisalignedSegment {
                index,
                vaddr: ph.p_vaddr,
                offset: ph.p_offset,
                align,
            });
        }
    }
    Ok(Segment {
        index,
        vaddr: ph.p_vaddr,
        memsz: ph.p_memsz,
        file_offset: ph.p_offset,
        filesz: ph.p_filesz,
        prot: prot_from_flags(ph.p_flags),
        align: ph.p_align,
    })
}

/// Validates `PT_INTERP` the way `load_elf_binary` does and returns the path without its NUL.
fn check_interp(bytes: &[u8], ph: &ProgramHeader) -> Result<Vec<u8>, LoadError> {
    if ph.p_filesz < 2 || ph.p_filesz > PATH_MAX {
        return Err(LoadError::InterpBadSize { size: ph.p_filesz });
    }
    let beyond_eof = || LoadError::InterpBeyondEof {
        offset: ph.p_offset,
        size: ph.p_filesz,
        file_len: bytes.len(),
    };
    let start = usize::try_from(ph.p_offset).map_err(|_| beyond_eof())?;
    // p_filesz <= PATH_MAX, so the cast is exact.
    let end = start
        .checked_add(ph.p_filesz as usize)
        .ok_or_else(beyond_eof)?;
    let raw = bytes.get(start..end).ok_or_else(beyond_eof)?;
    if raw.last() != Some(&0) {
        return Err(LoadError::InterpNotTerminated);
    }
    // Linux opens the path as a C string, so an embedded NUL ends it.
    let path: Vec<u8> = raw.iter().copied().take_while(|&b| b != 0).collect();
    if path.is_empty() {
        return Err(LoadError::InterpEmpty);
    }
    Ok(path)
}

/// Refuses segments that claim the same bytes. Byte ranges, not pages: linkers routinely
/// let the end of one segment and the start of the next share a page.
fn check_overlap(segments: &[Segment]) -> Result<(), LoadError> {
    let mut sorted: Vec<&Segment> = segments.iter().collect();
    sorted.sort_by_key(|s| s.vaddr);
    for pair in sorted.windows(2) {
        if let [a, b] = pair {
            if a.end() > b.vaddr {
                return Err(LoadError::OverlappingSegments {
                    first: a.index,
                    first_end: a.end(),
                    second: b.index,
                    second_start: b.vaddr,
                });
            }
        }
    }
    Ok(())
}

/// The address of the program headers when no `PT_PHDR` says it: Linux takes the first
/// `PT_LOAD` whose file bytes contain `e_phoff`.
fn phdr_from_load(segments: &[Segment], phoff: u64) -> Option<u64> {
    segments
        .iter()
        .find(|s| s.file_offset <= phoff && phoff - s.file_offset < s.filesz)
        .map(|s| s.vaddr + (phoff - s.file_offset))
}

/// Converts ELF `p_flags` to Linux `PROT_*` bits (`make_prot` in binfmt_elf.c).
fn prot_from_flags(flags: u32) -> u32 {
    let mut prot = 0;
    if flags & PF_R != 0 {
        prot |= PROT_READ;
    }
    if flags & PF_W != 0 {
        prot |= PROT_WRITE;
    }
    if flags & PF_X != 0 {
        prot |= PROT_EXEC;
    }
    prot
}

/// A human name for `e_type`.
fn type_name(e_type: u16) -> &'static str {
    match e_type {
        ET_NONE => "no file type",
        ET_REL => "relocatable object",
        ET_CORE => "core dump",
        _ => "unknown type",
    }
}

/// A human name for `e_machine`; the common ones spelled as people write them, the rest as
/// goblin names them.
fn machine_name(machine: u16) -> &'static str {
    use goblin::elf::header::*;
    match machine {
        EM_NONE => "no machine (EM_NONE)",
        EM_386 => "i386",
        EM_ARM => "ARM",
        EM_AARCH64 => "AArch64",
        EM_RISCV => "RISC-V",
        EM_MIPS => "MIPS",
        EM_PPC => "PowerPC",
        EM_PPC64 => "PowerPC64",
        EM_S390 => "s390",
        EM_SPARCV9 => "SPARC64",
        EM_IA_64 => "Itanium",
        EM_LOONGARCH => "LoongArch",
        other => machine_to_str(other),
    }
}
