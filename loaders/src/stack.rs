//! The initial process stack: argc, argv, envp, auxv and the strings they point to.
//!
//! The layout is byte-for-byte the one Linux builds for x86-64 (fs/exec.c copies the
//! strings, fs/binfmt_elf.c `create_elf_tables` writes the rest), with address
//! randomisation off. From `stack_top` down:
//!
//! ```text
//! stack_top - 8   8 zero bytes (Linux starts copying at vm_end - sizeof(void *))
//!                 execfn string, NUL-terminated            <- AT_EXECFN
//!                 envp strings, envp[0] lowest              (env_start .. env_end)
//!                 argv strings, argv[0] lowest              (arg_start .. arg_end)
//!                 (down to a 16-byte boundary)
//!                 "x86_64\0"                                <- AT_PLATFORM
//!                 16 random bytes                           <- AT_RANDOM
//!                 zero padding so that rsp is 16-byte aligned
//!                 auxv pairs ... AT_NULL, 0
//!                 NULL, envp pointers
//!                 NULL, argv pointers
//! rsp ->          argc
//! ```

use crate::load::{ImageSink, LoadedImage};
use crate::{LoadError, PAGE_SIZE};

/// Linux's `MAX_ARG_STRLEN`: one argument or environment string, NUL included, may not be
/// longer than 32 pages.
pub const MAX_ARG_STRLEN: u64 = 32 * PAGE_SIZE;

/// The platform string Linux reports for x86-64 (`AT_PLATFORM`).
const PLATFORM: &[u8] = b"x86_64\0";

/// auxv keys (include/uapi/linux/auxvec.h and arch/x86/include/uapi/asm/auxvec.h).
pub mod auxv {
    /// End of the vector.
    pub const AT_NULL: u64 = 0;
    /// Address of the program headers of the program.
    pub const AT_PHDR: u64 = 3;
    /// Size of one program header.
    pub const AT_PHENT: u64 = 4;
    /// Number of program headers.
    pub const AT_PHNUM: u64 = 5;
    /// Page size.
    pub const AT_PAGESZ: u64 = 6;
    /// Load bias of the interpreter (0 without one).
    pub const AT_BASE: u64 = 7;
    /// Flags (always 0 here).
    pub const AT_FLAGS: u64 = 8;
    /// Entry point of the program (not of the interpreter).
    pub const AT_ENTRY: u64 = 9;
    /// Real user id.
    pub const AT_UID: u64 = 11;
    /// Effective user id.
    pub const AT_EUID: u64 = 12;
    /// Real group id.
    pub const AT_GID: u64 = 13;
    /// Effective group id.
    pub const AT_EGID: u64 = 14;
    /// Address of the platform string.
    pub const AT_PLATFORM: u64 = 15;
    /// CPU feature bits (CPUID 1 EDX on x86).
    pub const AT_HWCAP: u64 = 16;
    /// Frequency of `times()`.
    pub const AT_CLKTCK: u64 = 17;
    /// Whether the program runs set-uid/set-gid (secure mode).
    pub const AT_SECURE: u64 = 23;
    /// Address of 16 random bytes.
    pub const AT_RANDOM: u64 = 25;
    /// More CPU feature bits.
    pub const AT_HWCAP2: u64 = 26;
    /// Address of the executed file name.
    pub const AT_EXECFN: u64 = 31;
    /// Address of the vDSO's ELF header.
    pub const AT_SYSINFO_EHDR: u64 = 33;
    /// Minimum signal stack size the kernel needs for a signal frame.
    pub const AT_MINSIGSTKSZ: u64 = 51;
}

/// Everything the initial stack is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackArgs {
    /// Argument strings, without NULs (a string containing one is written as is; the guest
    /// then sees it cut there). An empty argv gets one empty string, as Linux does since 5.18.
    pub argv: Vec<Vec<u8>>,
    /// Environment strings (`NAME=value`), without NULs.
    pub envp: Vec<Vec<u8>>,
    /// The file name passed to `execve` (`AT_EXECFN`), without NUL.
    pub execfn: Vec<u8>,
    /// The 16 bytes `AT_RANDOM` points to (glibc seeds its stack protector from them).
    pub random: [u8; 16],
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// `AT_HWCAP2`.
    pub hwcap2: u64,
    /// `AT_MINSIGSTKSZ`.
    pub minsigstksz: u64,
    /// `AT_UID`.
    pub uid: u32,
    /// `AT_EUID`.
    pub euid: u32,
    /// `AT_GID`.
    pub gid: u32,
    /// `AT_EGID`.
    pub egid: u32,
    /// `AT_SECURE`.
    pub secure: bool,
    /// The program (not the interpreter): `AT_PHDR`, `AT_PHENT`, `AT_PHNUM`, `AT_ENTRY`.
    pub program: LoadedImage,
    /// The interpreter's load bias (`AT_BASE`), if the program has one.
    pub interp_base: Option<u64>,
    /// Address of the vDSO image (`AT_SYSINFO_EHDR`), if one is mapped.
    pub vdso: Option<u64>,
    /// Limit on the strings plus their pointers; more is `E2BIG`. See [`arg_limit`].
    pub max_bytes: u64,
}

/// The limit Linux puts on argv + envp for a given stack rlimit (`bprm_stack_limits`):
/// a quarter of the stack limit, at most 6 MiB (3/4 of the default 8 MiB stack), and at
/// least `ARG_MAX` (128 KiB).
pub fn arg_limit(stack_rlimit: u64) -> u64 {
    const STK_LIM: u64 = 8 * 1024 * 1024;
    const ARG_MAX: u64 = 32 * PAGE_SIZE;
    (STK_LIM / 4 * 3).min(stack_rlimit / 4).max(ARG_MAX)
}

/// The initial stack, computed but not yet written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackLayout {
    /// The initial stack pointer: points at argc, 16-byte aligned.
    pub rsp: u64,
    /// The bytes of `[rsp, stack_top)`.
    pub bytes: Vec<u8>,
    /// Start of the argv strings (Linux's `mm->arg_start`, for /proc/pid/cmdline).
    pub arg_start: u64,
    /// End of the argv strings (`mm->arg_end`).
    pub arg_end: u64,
    /// Start of the envp strings (`mm->env_start`, for /proc/pid/environ).
    pub env_start: u64,
    /// End of the envp strings (`mm->env_end`).
    pub env_end: u64,
    /// The auxiliary vector, `AT_NULL` included (`mm->saved_auxv`, for /proc/pid/auxv).
    pub auxv: Vec<(u64, u64)>,
}

/// Builds the initial stack below `stack_top` and writes it through `sink`; returns the
/// initial `rsp`. The stack pages must already be mapped. See [`layout_initial_stack`].
pub fn build_initial_stack<S: ImageSink>(
    sink: &mut S,
    stack_top: u64,
    args: &StackArgs,
) -> Result<u64, LoadError> {
    let layout = layout_initial_stack(stack_top, args)?;
    sink.write(layout.rsp, &layout.bytes)
        .map_err(LoadError::sink)?;
    Ok(layout.rsp)
}

/// Computes the initial stack below `stack_top` (see the module docs for the layout).
///
/// Fails with [`LoadError::ArgStringTooLong`] or [`LoadError::ArgListTooLong`] (`E2BIG`)
/// when a string is longer than [`MAX_ARG_STRLEN`] or the strings (execfn included) plus
/// one pointer per string exceed `args.max_bytes`, exactly as Linux counts them.
pub fn layout_initial_stack(stack_top: u64, args: &StackArgs) -> Result<StackLayout, LoadError> {
    let empty_argv = [Vec::new()];
    let argv: &[Vec<u8>] = if args.argv.is_empty() {
        &empty_argv
    } else {
        &args.argv
    };
    let envp = &args.envp[..];
    check_limits(argv, envp, &args.execfn, args.max_bytes)?;

    let argv_bytes: u64 = argv.iter().map(|s| s.len() as u64 + 1).sum();
    let envp_bytes: u64 = envp.iter().map(|s| s.len() as u64 + 1).sum();
    let execfn_bytes = args.execfn.len() as u64 + 1;
    let auxv_count = 20 + u64::from(args.vdso.is_some());
    let ptr_words = (argv.len() as u64 + 1) + (envp.len() as u64 + 1) + 1;
    // An upper bound of what is needed below stack_top, to check for underflow once.
    let needed = 8
        + execfn_bytes
        + envp_bytes
        + argv_bytes
        + 15
        + PLATFORM.len() as u64
        + 16
        + auxv_count * 16
        + ptr_words * 8
        + 15;
    if stack_top < needed {
        return Err(LoadError::StackTopTooLow { stack_top, needed });
    }

    // Addresses, top down, as create_elf_tables computes them.
    let execfn_addr = stack_top - 8 - execfn_bytes;
    let env_start = execfn_addr - envp_bytes;
    let arg_start = env_start - argv_bytes;
    let platform_addr = (arg_start & !15) - PLATFORM.len() as u64;
    let random_addr = platform_addr - 16;
    let sp = random_addr - auxv_count * 16;
    let rsp = (sp - ptr_words * 8) & !15;

    // Fill [rsp, stack_top) in a buffer; everything not written below stays zero (the
    // padding, the NULL terminators, the 8 bytes at the very top).
    let mut stack = Buf {
        base: rsp,
        bytes: vec![0; (stack_top - rsp) as usize],
    };
    stack.put(execfn_addr, &args.execfn);
    let env_ptrs = stack.put_strings(env_start, envp);
    let arg_ptrs = stack.put_strings(arg_start, argv);
    stack.put(platform_addr, PLATFORM);
    stack.put(random_addr, &args.random);

    use auxv::*;
    let mut aux = Vec::with_capacity(auxv_count as usize);
    if let Some(vdso) = args.vdso {
        aux.push((AT_SYSINFO_EHDR, vdso));
    }
    aux.extend([
        (AT_MINSIGSTKSZ, args.minsigstksz),
        (AT_HWCAP, args.hwcap),
        (AT_PAGESZ, PAGE_SIZE),
        (AT_CLKTCK, 100),
        (AT_PHDR, args.program.phdr_addr),
        (AT_PHENT, u64::from(args.program.phent)),
        (AT_PHNUM, u64::from(args.program.phnum)),
        (AT_BASE, args.interp_base.unwrap_or(0)),
        (AT_FLAGS, 0),
        (AT_ENTRY, args.program.entry),
        (AT_UID, u64::from(args.uid)),
        (AT_EUID, u64::from(args.euid)),
        (AT_GID, u64::from(args.gid)),
        (AT_EGID, u64::from(args.egid)),
        (AT_SECURE, u64::from(args.secure)),
        (AT_RANDOM, random_addr),
        (AT_HWCAP2, args.hwcap2),
        (AT_EXECFN, execfn_addr),
        (AT_PLATFORM, platform_addr),
        (AT_NULL, 0),
    ]);
    debug_assert_eq!(aux.len() as u64, auxv_count);

    let mut words = Vec::with_capacity(ptr_words as usize + aux.len() * 2);
    words.push(argv.len() as u64);
    words.extend(arg_ptrs);
    words.push(0);
    words.extend(env_ptrs);
    words.push(0);
    words.extend(aux.iter().flat_map(|&(k, v)| [k, v]));
    let mut at = rsp;
    for w in words {
        stack.put(at, &w.to_le_bytes());
        at += 8;
    }

    Ok(StackLayout {
        rsp,
        bytes: stack.bytes,
        arg_start,
        arg_end: env_start,
        env_start,
        env_end: execfn_addr,
        auxv: aux,
    })
}

/// Refuses argument lists Linux would refuse with `E2BIG` (fs/exec.c: `bprm_stack_limits`
/// reserves one pointer per string, then the strings, execfn first, must fit in the rest).
fn check_limits(
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    execfn: &[u8],
    limit: u64,
) -> Result<(), LoadError> {
    let mut strings: u64 = 0;
    for s in argv.iter().chain(envp).map(Vec::as_slice).chain([execfn]) {
        let len = s.len() as u64 + 1;
        if len > MAX_ARG_STRLEN {
            return Err(LoadError::ArgStringTooLong { len });
        }
        strings = strings.saturating_add(len);
    }
    let pointers = (argv.len().max(1) as u64 + envp.len() as u64).saturating_mul(8);
    let needed = strings.saturating_add(pointers);
    if pointers >= limit || needed > limit {
        return Err(LoadError::ArgListTooLong { needed, limit });
    }
    Ok(())
}

/// The stack image under construction: `bytes[0]` is at guest address `base`.
struct Buf {
    base: u64,
    bytes: Vec<u8>,
}

impl Buf {
    /// Copies `data` to guest address `addr`. Every address is computed above to lie in the
    /// buffer; `get_mut` keeps a mistake there from becoming a panic.
    fn put(&mut self, addr: u64, data: &[u8]) {
        let dst = addr
            .checked_sub(self.base)
            .and_then(|off| usize::try_from(off).ok())
            .and_then(|start| self.bytes.get_mut(start..start.checked_add(data.len())?));
        match dst {
            Some(dst) => dst.copy_from_slice(data),
            None => debug_assert!(false, "stack write at {addr:#x} outside the buffer"),
        }
    }

    /// Writes NUL-terminated strings one after the other from `addr`; returns their addresses.
    fn put_strings(&mut self, mut addr: u64, strings: &[Vec<u8>]) -> Vec<u64> {
        let mut ptrs = Vec::with_capacity(strings.len());
        for s in strings {
            ptrs.push(addr);
            self.put(addr, s);
            addr += s.len() as u64 + 1; // the NUL is already there: the buffer starts zeroed
        }
        ptrs
    }
}
