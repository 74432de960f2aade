//! execve and execveat: replace the calling process's image with a program from the sandbox's
//! VFS (static, static-PIE, dynamic through `PT_INTERP`, and `#!` scripts).

use std::sync::{Arc, Mutex};

use sbx_kernel::engine::Regs;
use sbx_kernel::fd::OpenFile;
use sbx_kernel::mm::{
    ArgArea, Backing, Mm, Vma, VmaKind, PROT_EXEC, PROT_READ, PROT_WRITE, STACK_TOP,
};
use sbx_kernel::signal::{SigAction, SIG_IGN};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::perm::{self, MAY_EXEC};
use sbx_kernel::vfs::{Cx, FileKind, Location, Resolver};
use sbx_kernel::{Errno, KResult};
use sbx_loaders::{ElfImage, ImageSink, LoadError, StackArgs};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("execve", sys_execve, Support::Full);
    b.add("execveat", sys_execveat, Support::Full);
}

/// Longest `#!` line Linux reads (`BINPRM_BUF_SIZE`).
const SHEBANG_MAX: usize = 256;
/// Nested interpreters allowed before `ELOOP`, as Linux.
const MAX_INTERP_DEPTH: usize = 5;
/// Longest path accepted.
const PATH_MAX: usize = 4096;

/// `execveat` flags.
const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
const AT_EMPTY_PATH: u32 = 0x1000;
const AT_FDCWD: i32 = -100;

fn sys_execve(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (path, argv, envp) = read_exec_args(task, a.u(0), a.u(1), a.u(2))?;
    execve(task, &path, argv, envp)?;
    Ok(0)
}

fn sys_execveat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let dirfd = a.i32(0);
    let flags = a.u32(4);
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let (path, argv, envp) = read_exec_args(task, a.u(1), a.u(2), a.u(3))?;
    let start = exec_target(task, dirfd, path, flags)?;
    exec_program(task, start, argv, envp)?;
    Ok(0)
}

/// Where `execve`/`execveat` find the program, and the name it runs under (`AT_EXECFN`, and
/// the path a `#!` interpreter is given).
struct ExecTarget {
    what: Start,
    name: Vec<u8>,
    /// `name` is a `/dev/fd/N` that exec closes (a close-on-exec descriptor), which a `#!`
    /// script cannot survive.
    name_gone: bool,
}

enum Start {
    /// A path, relative to a directory (`None`: the cwd).
    Path {
        at: Option<Location>,
        path: Vec<u8>,
        nofollow: bool,
    },
    /// The file an fd refers to (`execveat(fd, "", AT_EMPTY_PATH)`).
    File(Arc<OpenFile>),
}

/// Resolves `execveat`'s `(dirfd, path, flags)`. As Linux, a program found through a
/// descriptor runs under the name `/dev/fd/N[/path]`.
fn exec_target(task: &Task, dirfd: i32, path: Vec<u8>, flags: u32) -> KResult<ExecTarget> {
    let nofollow = flags & AT_SYMLINK_NOFOLLOW != 0;
    if path.first() == Some(&b'/') || (dirfd == AT_FDCWD && !path.is_empty()) {
        let name = path.clone();
        let what = Start::Path {
            at: None,
            path,
            nofollow,
        };
        return Ok(ExecTarget {
            what,
            name,
            name_gone: false,
        });
    }
    if path.is_empty() && flags & AT_EMPTY_PATH == 0 {
        return Err(Errno::ENOENT);
    }
    let (file, cloexec) = {
        let files = task.files();
        (files.get(dirfd)?, files.cloexec(dirfd)?)
    };
    if path.is_empty() {
        let name = format!("/dev/fd/{dirfd}").into_bytes();
        return Ok(ExecTarget {
            what: Start::File(file),
            name,
            name_gone: cloexec,
        });
    }
    let at = file.location().cloned().ok_or(Errno::ENOTDIR)?;
    if at.node().meta()?.kind() != FileKind::Directory {
        return Err(Errno::ENOTDIR);
    }
    let mut name = format!("/dev/fd/{dirfd}/").into_bytes();
    name.extend_from_slice(&path);
    let what = Start::Path {
        at: Some(at),
        path,
        nofollow,
    };
    Ok(ExecTarget {
        what,
        name,
        name_gone: cloexec,
    })
}

type ExecArgs = (Vec<u8>, Vec<Vec<u8>>, Vec<Vec<u8>>);

fn read_exec_args(task: &mut Task, path: u64, argv: u64, envp: u64) -> KResult<ExecArgs> {
    let limit = sbx_loaders::arg_limit(task.process.state().rlimits[3].0) as usize;
    let mut mm = task.mm();
    let path = mm.read_cstr(path, PATH_MAX)?;
    let argv = mm.read_cstr_array(argv, limit)?;
    let envp = mm.read_cstr_array(envp, limit)?;
    Ok((path, argv, envp))
}

/// Adapts the memory manager to the loader's sink.
struct MmSink<'a>(&'a mut Mm);

impl ImageSink for MmSink<'_> {
    type Error = Errno;

    fn map_zeroed(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), Errno> {
        let vma = Vma {
            start: addr,
            end: addr + len,
            prot,
            shared: false,
            backing: Backing::Anon,
            kind: VmaKind::Image,
        };
        self.0.map_fixed(vma, true).map(|_| ())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), Errno> {
        self.0.poke(addr, data)
    }

    fn protect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), Errno> {
        self.0.mprotect(addr, len, prot)
    }
}

fn load_errno(e: &LoadError) -> Errno {
    if let Some(errno) = e.sink_error::<Errno>() {
        return *errno;
    }
    if e.is_arg_list_too_long() {
        Errno::E2BIG
    } else {
        Errno::ENOEXEC
    }
}

/// A program resolved for exec: the file, its parsed image, and the argv it runs with.
struct Resolved {
    path: Vec<u8>,
    /// The new `comm`: the last component of the name exec was given (a script's own name,
    /// not its interpreter's), or of the file itself for `execveat(fd, "", AT_EMPTY_PATH)`,
    /// as Linux names the process.
    comm: Vec<u8>,
    bytes: Vec<u8>,
    image: ElfImage,
    argv: Vec<Vec<u8>>,
}

/// Reads the program `start` designates: `(contents, path for /proc/self/exe)`.
fn open_program(task: &Task, start: Start) -> KResult<(Vec<u8>, Vec<u8>)> {
    let cred = task.fs_cred();
    let ctx = task.fs().clone();
    let r = Resolver::new(&task.kernel.vfs, &ctx, &cred, Cx { proc: Some(task) });
    let (file, path) = match start {
        Start::Path { at, path, nofollow } => {
            if nofollow
                && r.resolve(at.as_ref(), &path, false)?.node().meta()?.kind() == FileKind::Symlink
            {
                return Err(Errno::ELOOP);
            }
            r.open_exec(at.as_ref(), &path)?
        }
        Start::File(file) => match file.location() {
            // Reopen through the namespace: an O_PATH or write-only fd still runs.
            Some(loc) => r.open_exec_loc(loc.clone())?,
            None => {
                let st = file.stat()?;
                if st.kind() != FileKind::Regular {
                    return Err(Errno::EACCES);
                }
                perm::check(&cred, &st, MAY_EXEC)?;
                if file.is_path() {
                    return Err(Errno::EACCES);
                }
                let name = file.describe();
                (file, name)
            }
        },
    };
    Ok((sbx_kernel::vfs::read_all(&file)?, path))
}

/// Follows `#!` lines to an ELF image.
fn resolve(task: &Task, target: ExecTarget, mut argv: Vec<Vec<u8>>) -> KResult<Resolved> {
    let name_gone = target.name_gone;
    let by_fd = matches!(target.what, Start::File(_));
    let mut next = Some(target.what);
    let mut path = target.name;
    let mut comm = basename(&path).to_vec();
    for depth in 0..MAX_INTERP_DEPTH {
        let start = next.take().unwrap_or_else(|| Start::Path {
            at: None,
            path: path.clone(),
            nofollow: false,
        });
        let (bytes, resolved) = open_program(task, start)?;
        if depth == 0 && by_fd {
            comm = basename(&resolved).to_vec();
        }
        if bytes.starts_with(b"#!") {
            // The interpreter would be handed a /dev/fd name that exec is about to close.
            if depth == 0 && name_gone {
                return Err(Errno::ENOENT);
            }
            let line_end = bytes
                .iter()
                .take(SHEBANG_MAX)
                .position(|&b| b == b'\n')
                .unwrap_or(bytes.len().min(SHEBANG_MAX));
            let line = &bytes[2..line_end];
            let line = trim(line);
            let (interp, arg) = match line.iter().position(|b| *b == b' ' || *b == b'\t') {
                Some(p) => (&line[..p], Some(trim(&line[p..]))),
                None => (line, None),
            };
            if interp.is_empty() {
                return Err(Errno::ENOEXEC);
            }
            let mut new_argv = vec![interp.to_vec()];
            if let Some(arg) = arg.filter(|a| !a.is_empty()) {
                new_argv.push(arg.to_vec());
            }
            new_argv.push(path.clone());
            new_argv.extend(argv.into_iter().skip(1));
            argv = new_argv;
            path = interp.to_vec();
            continue;
        }
        let image = sbx_loaders::parse(&bytes).map_err(|e| load_errno(&e))?;
        return Ok(Resolved {
            path: resolved,
            comm,
            bytes,
            image,
            argv,
        });
    }
    Err(Errno::ELOOP)
}

/// The last component of `path`.
fn basename(path: &[u8]) -> &[u8] {
    path.rsplit(|b| *b == b'/').next().unwrap_or(path)
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b" \t\r".contains(b))
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b" \t\r".contains(b))
        .map_or(start, |p| p + 1);
    &s[start..end]
}

/// Replaces the task's program. On error nothing has changed, except for failures after the
/// old image is gone (as in Linux), which kill the process with SIGSEGV.
pub fn execve(task: &mut Task, path: &[u8], argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>) -> KResult<()> {
    let target = ExecTarget {
        what: Start::Path {
            at: None,
            path: path.to_vec(),
            nofollow: false,
        },
        name: path.to_vec(),
        name_gone: false,
    };
    exec_program(task, target, argv, envp)
}

/// [`execve`] of a resolved [`ExecTarget`].
fn exec_program(
    task: &mut Task,
    target: ExecTarget,
    argv: Vec<Vec<u8>>,
    envp: Vec<Vec<u8>>,
) -> KResult<()> {
    let execfn = target.name.clone();
    let path = execfn.as_slice();
    let prog = resolve(task, target, argv)?;
    let interp = match &prog.image.interp {
        Some(p) => {
            let cred = task.fs_cred();
            let (bytes, _) = {
                let fs = task.fs().clone();
                let cx = Cx { proc: Some(&*task) };
                task.kernel.vfs.open_exec_as(&fs, &cred, cx, p)?
            };
            let image = sbx_loaders::parse(&bytes).map_err(|e| load_errno(&e))?;
            if image.interp.is_some() {
                return Err(Errno::ELOOP);
            }
            Some((bytes, image))
        }
        None => None,
    };
    let (stack_limit, creds) = {
        let st = task.process.state();
        (st.rlimits[3].0, st.creds)
    };
    let max_bytes = sbx_loaders::arg_limit(stack_limit);
    let strings: u64 = prog
        .argv
        .iter()
        .chain(envp.iter())
        .map(|s| s.len() as u64 + 1 + 8)
        .sum();
    if strings + path.len() as u64 + 1 > max_bytes {
        return Err(Errno::E2BIG);
    }

    // Build the new address space completely before giving up the old one.
    let machine = task.kernel.machine.clone();
    let mut mm = Mm::new(machine.phys().clone(), machine.template())?;
    let base = sbx_loaders::choose_base(&prog.image, false);
    let loaded = sbx_loaders::load(&prog.image, &prog.bytes, &mut MmSink(&mut mm), base)
        .map_err(|e| load_errno(&e))?;
    let (entry, interp_base) = match &interp {
        Some((bytes, image)) => {
            let ibase = sbx_loaders::choose_base(image, true);
            let li = sbx_loaders::load(image, bytes, &mut MmSink(&mut mm), ibase)
                .map_err(|e| load_errno(&e))?;
            (li.entry, Some(li.base))
        }
        None => (loaded.entry, None),
    };
    mm.set_brk_start(loaded.brk_start);
    let stack_size = stack_limit.clamp(128 << 10, 8 << 20);
    let stack_prot = PROT_READ | PROT_WRITE | if prog.image.exec_stack { PROT_EXEC } else { 0 };
    let stack = Vma {
        start: STACK_TOP - stack_size,
        end: STACK_TOP,
        prot: stack_prot,
        shared: false,
        backing: Backing::Anon,
        kind: VmaKind::Stack,
    };
    mm.map_fixed(stack, false)?;
    let facts = machine.cpu_facts();
    let mut random = [0u8; 16];
    getrandom::fill(&mut random).map_err(|_| Errno::EIO)?;
    let args = StackArgs {
        argv: prog.argv.clone(),
        envp,
        execfn: path.to_vec(),
        random,
        hwcap: facts.hwcap,
        hwcap2: facts.hwcap2,
        minsigstksz: facts.minsigstksz,
        uid: creds.uid,
        euid: creds.euid,
        gid: creds.gid,
        egid: creds.egid,
        secure: creds.uid != creds.euid || creds.gid != creds.egid,
        program: loaded,
        interp_base,
        vdso: None,
        max_bytes,
    };
    let layout = sbx_loaders::layout_initial_stack(STACK_TOP, &args).map_err(|e| load_errno(&e))?;
    MmSink(&mut mm).write(layout.rsp, &layout.bytes)?;
    let sp = layout.rsp;
    mm.set_arg_area(ArgArea {
        arg_start: layout.arg_start,
        arg_end: layout.arg_end,
        env_start: layout.env_start,
        env_end: layout.env_end,
    });

    // Point of no return.
    de_thread(task);
    task.set_mm(mm.into_shared());
    let cpu = task.cpu.clone();
    task.mm().attach_cpu(&cpu);
    // A descriptor table shared with another process (`CLONE_FILES`) is copied first, as
    // Linux's `unshare_files`: the close-on-exec sweep must not reach the other process.
    if Arc::strong_count(&task.files) > 1 {
        let copy = task.files().clone();
        task.set_files(Arc::new(Mutex::new(copy)));
    }
    let closed = task.files().close_on_exec();
    drop(closed);
    {
        let mut st = task.process.state();
        for a in st.actions.iter_mut() {
            if a.handler != SIG_IGN {
                *a = SigAction::default();
            }
        }
        st.comm = prog.comm.iter().take(15).copied().collect();
        st.exe = prog.path.clone();
        st.did_exec = true;
        // POSIX timers do not survive exec; interval timers do.
        for (_, (id, _)) in std::mem::take(&mut st.posix_timers) {
            task.kernel.timers.delete(id);
        }
    }
    if let Some(v) = task.vfork_done.take() {
        v.complete();
    }
    task.altstack = (0, sbx_kernel::signal::SS_DISABLE, 0);
    task.clear_child_tid = 0;
    task.set_robust_list(0);
    task.regs = Regs {
        rip: entry,
        rsp: sp,
        rflags: 0x202,
        ..Regs::default()
    };
    task.regs_replaced = true;
    Ok(())
}

/// Makes the caller the only thread of its process before the new image replaces the old
/// one: the other threads are told to leave and waited for, and the caller takes the
/// process id as its thread id (as Linux's `de_thread`).
fn de_thread(task: &mut Task) {
    let others: Vec<_> = {
        let mut st = task.process.state();
        st.exec_pending = true;
        st.threads
            .iter()
            .filter(|t| !Arc::ptr_eq(t, &task.thread))
            .cloned()
            .collect()
    };
    for t in &others {
        t.force_exit();
    }
    let waiter = task.thread.waiter.clone();
    let target: Arc<dyn sbx_kernel::wait::Wake> = waiter.clone();
    {
        let _reg = task.process.resume.register(&target, !0);
        loop {
            waiter.reset();
            if task.process.state().threads.len() <= 1 {
                break;
            }
            waiter.wait(Some(
                std::time::Instant::now() + std::time::Duration::from_millis(50),
            ));
        }
    }
    let pid = task.process.pid;
    if task.tid != pid {
        // The old leader unregisters its id right after leaving the thread list.
        while task.kernel.procs.thread(pid).is_some() {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        task.kernel.procs.retid_thread(task.tid, pid);
        task.tid = pid;
    }
    task.process.state().exec_pending = false;
}
