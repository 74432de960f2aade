//! The one error type of this crate.
//!
//! Linux answers almost every problem found while reading an executable with `ENOEXEC`, a few
//! with `E2BIG` (argument list too long), and failures to get memory with `ENOMEM`/`EFAULT`.
//! The variants here keep the detail (which segment, which field) for messages and logs, and
//! [`LoadError::is_format_error`] / [`LoadError::is_arg_list_too_long`] give `execve` the
//! classification it needs to pick the errno.

use crate::USER_ADDR_LIMIT;

/// Why an ELF file could not be parsed, loaded, or its initial stack built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LoadError {
    /// The file is shorter than the four-byte ELF magic.
    #[error("file is too short to be an ELF executable ({len} bytes)")]
    TooShort {
        /// Length of the file in bytes.
        len: usize,
    },
    /// The file does not start with `\x7fELF`.
    #[error("not an ELF file (magic is {magic:02x?}, expected [7f, 45, 4c, 46])")]
    NotElf {
        /// The first four bytes of the file.
        magic: [u8; 4],
    },
    /// The file has the ELF magic but ends inside the 64-byte ELF64 header.
    #[error("truncated ELF header: the file has {len} bytes, an ELF64 header needs 64")]
    TruncatedHeader {
        /// Length of the file in bytes.
        len: usize,
    },
    /// `EI_CLASS` is `ELFCLASS32`.
    #[error("this is a 32-bit ELF (ELFCLASS32); only x86-64 (64-bit) executables are supported")]
    Elf32,
    /// `EI_CLASS` is neither 32- nor 64-bit.
    #[error("invalid ELF class {class}; only x86-64 (ELFCLASS64) executables are supported")]
    BadClass {
        /// The `EI_CLASS` byte.
        class: u8,
    },
    /// `EI_DATA` is `ELFDATA2MSB`.
    #[error("this is a big-endian ELF; only little-endian x86-64 executables are supported")]
    BigEndian,
    /// `EI_DATA` is neither little- nor big-endian.
    #[error(
        "invalid ELF data encoding {data}; only little-endian x86-64 executables are supported"
    )]
    BadEndianness {
        /// The `EI_DATA` byte.
        data: u8,
    },
    /// `e_machine` is not `EM_X86_64`.
    #[error("this ELF is for {name} (e_machine {machine}); only x86-64 executables are supported")]
    WrongMachine {
        /// The `e_machine` field.
        machine: u16,
        /// A human name for it (for example "AArch64").
        name: &'static str,
    },
    /// `e_type` is not `ET_EXEC` or `ET_DYN`.
    #[error("ELF type {e_type} ({name}) cannot be executed; expected ET_EXEC or ET_DYN")]
    WrongType {
        /// The `e_type` field.
        e_type: u16,
        /// A human name for it (for example "relocatable object").
        name: &'static str,
    },
    /// `e_phentsize` is not the size of an `Elf64_Phdr` (56).
    #[error("e_phentsize is {phentsize}, expected 56 (the size of an Elf64_Phdr)")]
    BadPhentsize {
        /// The `e_phentsize` field.
        phentsize: u16,
    },
    /// `e_phnum` is zero.
    #[error("the ELF has no program headers")]
    NoProgramHeaders,
    /// The program header table is larger than Linux's 64 KiB cap.
    #[error("too many program headers ({phnum}); Linux allows at most 64 KiB of them")]
    TooManyProgramHeaders {
        /// The `e_phnum` field.
        phnum: u16,
    },
    /// The program header table does not lie inside the file.
    #[error("program header table at offset {offset:#x} ({size} bytes) lies outside the {file_len}-byte file")]
    PhdrsOutOfFile {
        /// `e_phoff`.
        offset: u64,
        /// `e_phnum * e_phentsize`.
        size: u64,
        /// Length of the file.
        file_len: usize,
    },
    /// A `PT_LOAD` has more file bytes than memory bytes.
    #[error("PT_LOAD (program header {index}) has p_filesz {filesz:#x} > p_memsz {memsz:#x}")]
    FileszExceedsMemsz {
        /// Index of the program header.
        index: usize,
        /// `p_filesz`.
        filesz: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// A `PT_LOAD`'s file bytes extend past the end of the file.
    #[error("PT_LOAD (program header {index}) file range {offset:#x}+{filesz:#x} extends past the end of the {file_len}-byte file")]
    SegmentBeyondEof {
        /// Index of the program header.
        index: usize,
        /// `p_offset`.
        offset: u64,
        /// `p_filesz`.
        filesz: u64,
        /// Length of the file.
        file_len: usize,
    },
    /// `p_vaddr + p_memsz` wraps around the 64-bit address space.
    #[error("PT_LOAD (program header {index}) at {vaddr:#x} with size {memsz:#x} overflows the address space")]
    SegmentOverflow {
        /// Index of the program header.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// A `PT_LOAD` reaches above the highest user address.
    #[error("PT_LOAD (program header {index}) at {vaddr:#x} with size {memsz:#x} reaches above the x86-64 user address limit {limit:#x}", limit = USER_ADDR_LIMIT)]
    SegmentAboveUserLimit {
        /// Index of the program header.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_memsz`.
        memsz: u64,
    },
    /// `p_vaddr` and `p_offset` are not congruent modulo `p_align` or the page size.
    #[error("PT_LOAD (program header {index}) is misaligned: p_vaddr {vaddr:#x} and p_offset {offset:#x} differ modulo {align:#x}")]
    MisalignedSegment {
        /// Index of the program header.
        index: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_offset`.
        offset: u64,
        /// The alignment that is violated (`p_align`, or the 4 KiB page size).
        align: u64,
    },
    /// Two `PT_LOAD` segments claim the same virtual bytes.
    #[error("PT_LOAD segments overlap: program header {first} ends at {first_end:#x}, program header {second} starts at {second_start:#x}")]
    OverlappingSegments {
        /// Index of the lower segment's program header.
        first: usize,
        /// Exclusive end address of the lower segment.
        first_end: u64,
        /// Index of the higher segment's program header.
        second: usize,
        /// Start address of the higher segment.
        second_start: u64,
    },
    /// There is no non-empty `PT_LOAD`, so there is nothing to run.
    #[error("the ELF has no loadable (PT_LOAD) segment")]
    NoLoadSegments,
    /// `PT_INTERP` is shorter than 2 bytes or longer than `PATH_MAX`.
    #[error("PT_INTERP size {size} is out of range (2..=4096 bytes)")]
    InterpBadSize {
        /// `p_filesz` of the `PT_INTERP`.
        size: u64,
    },
    /// `PT_INTERP`'s bytes extend past the end of the file.
    #[error("PT_INTERP at offset {offset:#x} ({size} bytes) extends past the end of the {file_len}-byte file")]
    InterpBeyondEof {
        /// `p_offset` of the `PT_INTERP`.
        offset: u64,
        /// `p_filesz` of the `PT_INTERP`.
        size: u64,
        /// Length of the file.
        file_len: usize,
    },
    /// The interpreter path's last byte is not NUL.
    #[error("PT_INTERP path is not NUL-terminated")]
    InterpNotTerminated,
    /// The interpreter path is empty (starts with NUL).
    #[error("PT_INTERP path is empty")]
    InterpEmpty,
    /// `PT_PHDR` claims an address outside user space.
    #[error("PT_PHDR address {vaddr:#x} is outside user space")]
    BadPhdrSegment {
        /// `p_vaddr` of the `PT_PHDR`.
        vaddr: u64,
    },
    /// The entry point (after applying the load bias) is outside user space.
    #[error("entry point {entry:#x} is outside user space")]
    BadEntry {
        /// The entry point, load bias included.
        entry: u64,
    },
    /// With the chosen load bias the image would reach above the user address limit.
    #[error("image does not fit at load bias {base:#x}: it would end at {end:#x}, above the user limit {limit:#x}", limit = USER_ADDR_LIMIT)]
    ImageDoesNotFit {
        /// The load bias.
        base: u64,
        /// Where the image would end (or `u64::MAX` when the sum overflows).
        end: u64,
    },
    /// The caller passed a load bias that cannot be used (a bug in the caller, not in the file).
    #[error("invalid load bias {base:#x}: {reason}")]
    BadBase {
        /// The load bias passed in.
        base: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// argv + envp (+ the file name and pointers) exceed the limit: Linux's `E2BIG`.
    #[error("argument list too long: {needed} bytes needed, the limit is {limit}")]
    ArgListTooLong {
        /// Bytes the strings and their pointers need.
        needed: u64,
        /// The limit in force (see [`crate::arg_limit`]).
        limit: u64,
    },
    /// One argument or environment string exceeds `MAX_ARG_STRLEN`: Linux's `E2BIG`.
    #[error("argument or environment string of {len} bytes exceeds the per-string limit of {limit} bytes", limit = crate::MAX_ARG_STRLEN)]
    ArgStringTooLong {
        /// Length of the string including its NUL.
        len: u64,
    },
    /// The stack top is too low to hold the initial stack.
    #[error("stack top {stack_top:#x} is too low for an initial stack of {needed} bytes")]
    StackTopTooLow {
        /// The stack top passed in.
        stack_top: u64,
        /// Bytes the initial stack needs.
        needed: u64,
    },
    /// The [`crate::ImageSink`] refused an operation (for example out of memory).
    #[error("memory sink error: {0}")]
    Sink(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl LoadError {
    /// True when the file itself is not a runnable x86-64 ELF: `execve` answers `ENOEXEC`.
    ///
    /// False for argument-size errors ([`Self::is_arg_list_too_long`]), for a bad load bias
    /// passed by the caller, for a stack top too low, and for errors of the sink.
    pub fn is_format_error(&self) -> bool {
        !matches!(
            self,
            LoadError::ArgListTooLong { .. }
                | LoadError::ArgStringTooLong { .. }
                | LoadError::StackTopTooLow { .. }
                | LoadError::BadBase { .. }
                | LoadError::Sink(_)
        )
    }

    /// True when the arguments and environment are too large: `execve` answers `E2BIG`.
    pub fn is_arg_list_too_long(&self) -> bool {
        matches!(
            self,
            LoadError::ArgListTooLong { .. } | LoadError::ArgStringTooLong { .. }
        )
    }

    /// The sink's own error, when this is [`LoadError::Sink`] and it has type `E`.
    ///
    /// The sink error is boxed so that this crate's API does not depend on the sink's type;
    /// the kernel gets its memory-manager error back with this to pick `ENOMEM`, `EFAULT`, ...
    pub fn sink_error<E: std::error::Error + 'static>(&self) -> Option<&E> {
        match self {
            LoadError::Sink(e) => e.downcast_ref::<E>(),
            _ => None,
        }
    }

    /// Wraps an [`crate::ImageSink`] error.
    pub(crate) fn sink<E: std::error::Error + Send + Sync + 'static>(e: E) -> Self {
        LoadError::Sink(Box::new(e))
    }
}
