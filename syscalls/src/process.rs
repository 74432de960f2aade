//! The process family: clone/fork/vfork/clone3, exit, exit_group, wait4, waitid,
//! arch_prctl, set_tid_address, robust lists.

use sbx_kernel::cputime::CpuTimes;
use sbx_kernel::event::pidfd::PidFd;
use std::sync::{Arc, Mutex};

use sbx_kernel::process::{self, JobEvent, Process, ProcessState, Thread};
use sbx_kernel::signal::{self, SigInfo, Signal};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::{ExitStatus, Task, VforkDone};
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "clone",
        sys_clone,
        Support::Partial("namespaces are EPERM (no CAP_SYS_ADMIN in the sandbox)"),
    );
    b.add(
        "clone3",
        sys_clone3,
        Support::Partial(
            "namespaces and set_tid are EPERM (no CAP_SYS_ADMIN/CAP_CHECKPOINT_RESTORE in the \
             sandbox); CLONE_INTO_CGROUP is EBADF",
        ),
    );
    b.add("fork", sys_fork, Support::Full);
    b.add("vfork", sys_vfork, Support::Full);
    b.add("exit", sys_exit, Support::Full);
    b.add("exit_group", sys_exit_group, Support::Full);
    b.add(
        "arch_prctl",
        sys_arch_prctl,
        Support::Partial("ARCH_SET/GET_FS, ARCH_SET/GET_GS; CPUID faulting is not offered"),
    );
    b.add("set_tid_address", sys_set_tid_address, Support::Full);
    b.add("set_robust_list", sys_set_robust_list, Support::Full);
    b.add("get_robust_list", sys_get_robust_list, Support::Full);
    b.add(
        "wait4",
        sys_wait4,
        Support::Partial("rusage has CPU times only (the other counters are 0)"),
    );
    b.add(
        "waitid",
        sys_waitid,
        Support::Partial("rusage has CPU times only (the other counters are 0)"),
    );
}

pub(crate) const CSIGNAL: u64 = 0xff;
/// `CLONE_NEWTIME`: shares its bit with the exit signal, so only `clone3` and `unshare` have it.
pub(crate) const CLONE_NEWTIME: u64 = 0x80;
pub(crate) const CLONE_VM: u64 = 0x100;
pub(crate) const CLONE_FS: u64 = 0x200;
pub(crate) const CLONE_FILES: u64 = 0x400;
pub(crate) const CLONE_SIGHAND: u64 = 0x800;
const CLONE_PIDFD: u64 = 0x1000;
const CLONE_VFORK: u64 = 0x4000;
const CLONE_PARENT: u64 = 0x8000;
pub(crate) const CLONE_THREAD: u64 = 0x10000;
pub(crate) const CLONE_NEWNS: u64 = 0x20000;
pub(crate) const CLONE_SYSVSEM: u64 = 0x40000;
const CLONE_SETTLS: u64 = 0x80000;
const CLONE_PARENT_SETTID: u64 = 0x100000;
const CLONE_CHILD_CLEARTID: u64 = 0x200000;
const CLONE_DETACHED: u64 = 0x400000;
const CLONE_CHILD_SETTID: u64 = 0x1000000;
pub(crate) const CLONE_NEWCGROUP: u64 = 0x0200_0000;
pub(crate) const CLONE_NEWUTS: u64 = 0x0400_0000;
pub(crate) const CLONE_NEWIPC: u64 = 0x0800_0000;
pub(crate) const CLONE_NEWUSER: u64 = 0x1000_0000;
pub(crate) const CLONE_NEWPID: u64 = 0x2000_0000;
pub(crate) const CLONE_NEWNET: u64 = 0x4000_0000;
const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
const CLONE_INTO_CGROUP: u64 = 0x2_0000_0000;
/// Every flag that asks for a new namespace.
pub(crate) const NAMESPACES: u64 = CLONE_NEWNS
    | CLONE_NEWCGROUP
    | CLONE_NEWUTS
    | CLONE_NEWIPC
    | CLONE_NEWUSER
    | CLONE_NEWPID
    | CLONE_NEWNET
    | CLONE_NEWTIME;

/// `CAP_SYS_ADMIN`: what creating a namespace takes.
pub(crate) const CAP_SYS_ADMIN: u32 = 21;
/// `CAP_CHECKPOINT_RESTORE`: what choosing the new thread's id (`clone3`'s `set_tid`) takes.
const CAP_CHECKPOINT_RESTORE: u32 = 40;

/// What `clone`, `clone3`, `fork` and `vfork` ask for.
#[derive(Default)]
struct CloneArgs {
    flags: u64,
    exit_signal: i32,
    stack: u64,
    parent_tid: u64,
    child_tid: u64,
    tls: u64,
    /// Where the pidfd goes (`clone3`; the legacy `clone` uses `parent_tid`).
    pidfd: u64,
    /// `clone3`'s `set_tid` array, already read (at most one entry gets this far).
    set_tid: Vec<i32>,
}

fn sys_clone(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // The legacy call takes an int's worth of flags: the upper bits are ignored, and the low
    // byte is the exit signal (not checked, as Linux does not; an invalid one is never sent).
    let flags = a.u(0) & 0xffff_ffff;
    do_clone(
        task,
        CloneArgs {
            flags: flags & !CSIGNAL,
            exit_signal: (flags & CSIGNAL) as i32,
            stack: a.u(1),
            parent_tid: a.u(2),
            child_tid: a.u(3),
            tls: a.u(4),
            pidfd: a.u(2),
            ..CloneArgs::default()
        },
    )
}

fn sys_fork(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    do_clone(
        task,
        CloneArgs {
            exit_signal: Signal::SIGCHLD.0,
            ..CloneArgs::default()
        },
    )
}

fn sys_vfork(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    do_clone(
        task,
        CloneArgs {
            flags: CLONE_VM | CLONE_VFORK,
            exit_signal: Signal::SIGCHLD.0,
            ..CloneArgs::default()
        },
    )
}

/// `clone3`: Linux's `copy_clone_args_from_user` then `clone3_args_valid`, check by check.
fn sys_clone3(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    /// `CLONE_ARGS_SIZE_VER0`: the struct up to `tls`.
    const VER0: u64 = 64;
    /// `CLONE_ARGS_SIZE_VER2`: the whole struct this kernel knows (up to `cgroup`).
    const VER2: usize = 88;
    /// `MAX_PID_NS_LEVEL`.
    const MAX_PID_NS_LEVEL: u64 = 32;
    let (addr, size) = (a.u(0), a.u(1));
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    if size < VER0 {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; size as usize];
    task.mm().copy_in(addr, &mut raw)?;
    // Fields this kernel does not know must be zero (E2BIG otherwise), as Linux checks.
    if raw.len() > VER2 && raw[VER2..].iter().any(|&b| b != 0) {
        return Err(Errno::E2BIG);
    }
    let word = |i: usize| {
        raw.get(i * 8..i * 8 + 8)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .unwrap_or(0)
    };
    let (flags, pidfd, child_tid, parent_tid, exit_signal) =
        (word(0), word(1), word(2), word(3), word(4));
    let (stack, stack_size, tls, set_tid, set_tid_size, cgroup) =
        (word(5), word(6), word(7), word(8), word(9), word(10));
    if set_tid_size > MAX_PID_NS_LEVEL || (set_tid == 0) != (set_tid_size == 0) {
        return Err(Errno::EINVAL);
    }
    if exit_signal & !CSIGNAL != 0 || exit_signal > 64 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_INTO_CGROUP != 0 && (cgroup > i32::MAX as u64 || raw.len() < VER2) {
        return Err(Errno::EINVAL);
    }
    let mut tids = vec![0u8; set_tid_size as usize * 4];
    task.mm().copy_in(set_tid, &mut tids)?;
    // clone3_args_valid.
    if flags & !(0xffff_ffff | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP) != 0
        || flags & (CLONE_DETACHED | (CSIGNAL & !CLONE_NEWTIME)) != 0
        || (flags & CLONE_SIGHAND != 0 && flags & CLONE_CLEAR_SIGHAND != 0)
        || (flags & (CLONE_THREAD | CLONE_PARENT) != 0 && exit_signal != 0)
    {
        return Err(Errno::EINVAL);
    }
    let top = if stack == 0 {
        if stack_size != 0 {
            return Err(Errno::EINVAL);
        }
        0
    } else {
        // The stack must be a user range (`access_ok`).
        match stack.checked_add(stack_size) {
            Some(top) if stack_size != 0 && top <= sbx_kernel::mm::TASK_SIZE => top,
            _ => return Err(Errno::EINVAL),
        }
    };
    do_clone(
        task,
        CloneArgs {
            flags,
            exit_signal: exit_signal as i32,
            stack: top,
            parent_tid,
            child_tid,
            tls,
            pidfd,
            set_tid: tids
                .chunks_exact(4)
                .map(|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        },
    )
}

/// The checks Linux's `kernel_clone` and `copy_process` make before creating anything, in
/// their order: flag combinations (`EINVAL`), then what the sandbox cannot give. Namespaces
/// take `CAP_SYS_ADMIN`, which no sandbox process holds (root has Docker's default set), so
/// they are `EPERM` as in a container; `set_tid` takes `CAP_CHECKPOINT_RESTORE` (`EPERM`);
/// and no file is a cgroup2 directory (`CLONE_INTO_CGROUP` is `EBADF`).
fn validate(task: &Task, args: &CloneArgs) -> KResult<()> {
    let flags = args.flags;
    let both = |a: u64, b: u64| flags & a != 0 && flags & b != 0;
    // kernel_clone: CLONE_PIDFD and CLONE_PARENT_SETTID may not share one location (always
    // the case for the legacy call, which returns the pidfd through parent_tid).
    if both(CLONE_PIDFD, CLONE_PARENT_SETTID) && args.pidfd == args.parent_tid {
        return Err(Errno::EINVAL);
    }
    if both(CLONE_NEWNS, CLONE_FS) || both(CLONE_NEWUSER, CLONE_FS) {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_THREAD != 0 && flags & CLONE_SIGHAND == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_SIGHAND != 0 && flags & CLONE_VM == 0 {
        return Err(Errno::EINVAL);
    }
    // The sandbox's first process is its pid namespace's init, which may not make siblings.
    if flags & CLONE_PARENT != 0 && task.process.pid == 1 {
        return Err(Errno::EINVAL);
    }
    if flags & CLONE_THREAD != 0 && flags & (CLONE_NEWUSER | CLONE_NEWPID) != 0 {
        return Err(Errno::EINVAL);
    }
    if both(CLONE_PIDFD, CLONE_DETACHED) {
        return Err(Errno::EINVAL);
    }
    if flags & NAMESPACES != 0 {
        // With the capability, a kernel without namespace support says EINVAL.
        return Err(if crate::identity::capable(task, CAP_SYS_ADMIN) {
            Errno::EINVAL
        } else {
            Errno::EPERM
        });
    }
    if let Some(&tid) = args.set_tid.first() {
        // One pid namespace level: one id at most.
        if args.set_tid.len() > 1 || !(1..4_194_304).contains(&tid) {
            return Err(Errno::EINVAL);
        }
        if !crate::identity::capable(task, CAP_CHECKPOINT_RESTORE)
            && !crate::identity::capable(task, CAP_SYS_ADMIN)
        {
            return Err(Errno::EPERM);
        }
    }
    if flags & CLONE_INTO_CGROUP != 0 {
        return Err(Errno::EBADF);
    }
    if !args.set_tid.is_empty() {
        return Err(Errno::ENOSYS);
    }
    Ok(())
}

/// Creates a thread (`CLONE_THREAD`) or a process sharing what `flags` say.
fn do_clone(task: &mut Task, args: CloneArgs) -> KResult<u64> {
    let flags = args.flags;
    validate(task, &args)?;
    if flags & CLONE_SETTLS != 0 && args.tls >= sbx_kernel::mm::TASK_SIZE {
        return Err(Errno::EPERM);
    }
    let kernel = task.kernel.clone();
    let tid = kernel.procs.alloc_id()?;
    let thread = Thread::new(tid, task.sigmask());
    // Scheduling attributes are per thread and inherited by threads and processes alike.
    let inherited = task.thread.sched.get().forked();
    thread.sched.update(|s| *s = inherited);
    let is_thread = flags & CLONE_THREAD != 0;

    let mm = if flags & CLONE_VM != 0 {
        task.mm.clone()
    } else {
        task.mm().fork()?
    };
    let files = if flags & CLONE_FILES != 0 {
        task.files.clone()
    } else {
        Arc::new(Mutex::new(task.files().clone()))
    };
    let fs = if flags & CLONE_FS != 0 {
        task.fs.clone()
    } else {
        Arc::new(Mutex::new(task.fs().clone()))
    };

    let process = if is_thread {
        let p = task.process.clone();
        let mut st = p.state();
        if st.group_exit.is_some() || st.exec_pending {
            return Err(Errno::EAGAIN);
        }
        st.threads.push(thread.clone());
        drop(st);
        p
    } else {
        let parent_pid = if flags & CLONE_PARENT != 0 {
            task.process.ppid()
        } else {
            task.process.pid
        };
        // CLONE_SYSVSEM shares the semaphore undo list; otherwise the child starts without.
        let undo = (flags & CLONE_SYSVSEM != 0).then(|| crate::sysv_sem::share_undo_list(task));
        let state = {
            let st = task.process.state();
            // A CLONE_PARENT child tells the shared parent what the caller would have.
            let exit_signal = if flags & CLONE_PARENT != 0 {
                st.exit_signal
            } else {
                args.exit_signal
            };
            let mut child = st.forked(exit_signal);
            if flags & CLONE_CLEAR_SIGHAND != 0 {
                for a in child.actions.iter_mut() {
                    if a.handler > signal::SIG_IGN {
                        *a = signal::SigAction::default();
                    }
                }
            }
            child.threads.push(thread.clone());
            child.sem_undo = undo;
            child
        };
        let p = Process::new(tid, parent_pid, state);
        crate::util::inherit_extras(&task.process, &p);
        kernel.procs.add_process(&p);
        let parent = if parent_pid == task.process.pid {
            Some(task.process.clone())
        } else {
            kernel.procs.process(parent_pid)
        };
        if let Some(parent) = parent {
            parent.state().children.push(p.clone());
        }
        p
    };

    let regs = sbx_kernel::sigframe::child_regs(&task.regs, args.stack);
    let mut child = Task::new(
        kernel.clone(),
        process.clone(),
        thread.clone(),
        mm,
        files,
        fs,
        regs,
    );
    if flags & CLONE_SETTLS != 0 {
        child.regs.fs_base = args.tls;
    }
    child.altstack = if flags & CLONE_VM != 0 && flags & CLONE_VFORK == 0 {
        // A new thread with its own stack must not inherit the alternate stack.
        (0, signal::SS_DISABLE, 0)
    } else {
        task.altstack
    };
    child.fpu_restore = task.fpu_snapshot.clone();
    if flags & CLONE_CHILD_CLEARTID != 0 {
        child.clear_child_tid = args.child_tid;
    }
    // Linux ignores a bad address for either tid word (the clone has happened by then).
    if flags & CLONE_PARENT_SETTID != 0 {
        let _ = task.mm().write_val(args.parent_tid, &(tid as u32));
    }
    if flags & CLONE_CHILD_SETTID != 0 {
        let _ = child.mm().write_val(args.child_tid, &(tid as u32));
    }
    // The pidfd goes into the caller's table after the child's was copied (the child does
    // not inherit it, unless they share one table), and a bad address fails the clone.
    if flags & CLONE_PIDFD != 0 {
        let fd = crate::pidfd::install_pidfd(task, &process, is_thread.then_some(tid), false)
            .and_then(|fd| {
                task.mm()
                    .write_val(args.pidfd, &fd)
                    .inspect_err(|_| drop(task.files().remove(fd)))
            });
        if let Err(e) = fd {
            if is_thread {
                process.state().threads.retain(|t| !Arc::ptr_eq(t, &thread));
            } else {
                abandon_child(task, &process);
            }
            return Err(e);
        }
    }
    let vfork = (flags & CLONE_VFORK != 0).then(|| Arc::new(VforkDone::default()));
    child.vfork_done = vfork.clone();
    if let Err(e) = sbx_kernel::spawn::start_thread(&kernel, child) {
        if !is_thread {
            abandon_child(task, &process);
        }
        return Err(e);
    }
    if let Some(done) = vfork {
        wait_vfork(task, &done);
    }
    Ok(tid as u64)
}

/// Undoes the bookkeeping of a child process whose thread could not start.
fn abandon_child(task: &Task, child: &Arc<Process>) {
    task.process
        .state()
        .children
        .retain(|c| !Arc::ptr_eq(c, child));
    task.kernel.procs.remove_process(child.pid);
}

/// The `vfork` parent sleeps until the child execs or exits (signals are held meanwhile,
/// except that a kill still ends the wait).
fn wait_vfork(task: &mut Task, done: &Arc<VforkDone>) {
    let waiter = task.thread.waiter.clone();
    let target: Arc<dyn sbx_kernel::wait::Wake> = waiter.clone();
    let _reg = done.queue.register(&target, !0);
    loop {
        waiter.reset();
        if done.is_done()
            || task
                .thread
                .must_exit
                .load(std::sync::atomic::Ordering::Acquire)
        {
            return;
        }
        waiter.wait(None);
    }
}

fn sys_exit(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.exit_status = Some(ExitStatus::Exited(a.i32(0) & 0xff));
    Ok(0)
}

fn sys_exit_group(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let status = ExitStatus::Exited(a.i32(0) & 0xff);
    process::kill_process(&task.process, status);
    let st = task.process.state();
    task.exit_status = Some(st.group_exit.unwrap_or(status));
    Ok(0)
}

const ARCH_SET_GS: i32 = 0x1001;
const ARCH_SET_FS: i32 = 0x1002;
const ARCH_GET_FS: i32 = 0x1003;
const ARCH_GET_GS: i32 = 0x1004;

/// Whether `addr` is a canonical user address Linux accepts as a segment base.
fn valid_base(addr: u64) -> bool {
    addr < sbx_kernel::mm::TASK_SIZE
}

fn sys_arch_prctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let regs = &mut task.regs;
    let base = match a.i32(0) {
        ARCH_SET_FS | ARCH_GET_FS => &mut regs.fs_base,
        ARCH_SET_GS | ARCH_GET_GS => &mut regs.gs_base,
        _ => return Err(Errno::EINVAL),
    };
    if matches!(a.i32(0), ARCH_SET_FS | ARCH_SET_GS) {
        if !valid_base(a.u(1)) {
            return Err(Errno::EPERM);
        }
        *base = a.u(1);
        return Ok(0);
    }
    let v = *base;
    task.mm().write_val(a.u(1), &v)?;
    Ok(0)
}

fn sys_set_tid_address(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.clear_child_tid = a.u(0);
    Ok(task.tid as u64)
}

fn sys_set_robust_list(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // struct robust_list_head is three words.
    if a.u(1) != 24 {
        return Err(Errno::EINVAL);
    }
    task.set_robust_list(a.u(0));
    Ok(0)
}

/// `get_robust_list(pid, head_ptr, len_ptr)`: the head of thread `pid` (0: the caller), if
/// the caller may read it (`ptrace_may_access` in read mode: same process, else the same
/// identity on a dumpable target).
fn sys_get_robust_list(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let pid = a.i32(0);
    let head = if pid == 0 || pid == task.tid {
        task.thread.robust_list()
    } else {
        let procs = &task.kernel.procs;
        // A zombie (an exited leader, or a process not reaped yet) is still found; its list
        // was released at exit.
        let (thread, process) = match procs.thread(pid) {
            Some((t, p)) => (Some(t), p),
            None => (None, procs.process(pid).ok_or(Errno::ESRCH)?),
        };
        if !crate::util::may_read_process(task, &process) {
            return Err(Errno::EPERM);
        }
        thread.map_or(0, |t| t.robust_list())
    };
    // Linux stores the length first, then the head.
    let mut mm = task.mm();
    mm.write_val(a.u(2), &24u64)?;
    mm.write_val(a.u(1), &head)?;
    Ok(0)
}

// ---- wait ---------------------------------------------------------------------------------

const WNOHANG: u32 = 1;
const WUNTRACED: u32 = 2;
const WEXITED: u32 = 4;
const WCONTINUED: u32 = 8;
const WNOWAIT: u32 = 0x0100_0000;
const WNOTHREAD: u32 = 0x2000_0000;
const WALL: u32 = 0x4000_0000;
const WCLONE: u32 = 0x8000_0000;

/// Which children a wait is about.
#[derive(Clone, Copy)]
enum Which {
    Any,
    Pid(i32),
    Group(i32),
}

/// What a wait found.
struct Found {
    pid: i32,
    uid: u32,
    /// `si_code` (CLD_*) and `si_status`.
    code: i32,
    status: i32,
    /// The `wait4` status word.
    wstatus: i32,
    /// The child's CPU time and its reaped children's (for `wait4`'s rusage).
    cpu: CpuTimes,
}

fn matches(which: Which, c: &Process) -> bool {
    match which {
        Which::Any => true,
        Which::Pid(p) => c.pid == p,
        Which::Group(g) => c.state().pgid == g,
    }
}

/// Looks for a child state change matching `which` and `options`; `ECHILD` when no child
/// matches at all, `EAGAIN` when some match but none has anything to report.
fn find_child(task: &Task, which: Which, options: u32) -> KResult<Option<Found>> {
    let children = task.process.state().children.clone();
    let want_clone = options & WCLONE != 0;
    let mut any = false;
    for c in &children {
        if !matches(which, c) {
            continue;
        }
        let exit_signal = c.state().exit_signal;
        // __WCLONE selects children whose exit signal is not SIGCHLD; __WALL takes both.
        if options & WALL == 0 && (exit_signal != Signal::SIGCHLD.0) != want_clone {
            continue;
        }
        any = true;
        let mut st = c.state();
        if let Some(status) = st.zombie {
            if options & WEXITED == 0 || st.reaped {
                continue;
            }
            let (code, value) = status.child_code();
            let found = Found {
                pid: c.pid,
                uid: st.creds.uid,
                code,
                status: value,
                wstatus: status.wait_status(),
                cpu: st.cpu_exited + st.cpu_children,
            };
            if options & WNOWAIT == 0 {
                st.reaped = true;
                drop(st);
                task.process.state().cpu_children += found.cpu;
                task.process.state().children.retain(|x| !Arc::ptr_eq(x, c));
                task.kernel.procs.remove_process(c.pid);
                c.notify_pidfds();
            }
            return Ok(Some(found));
        }
        match st.job_event {
            Some(JobEvent::Stopped(sig)) if options & WUNTRACED != 0 => {
                if options & WNOWAIT == 0 {
                    st.job_event = None;
                }
                return Ok(Some(Found {
                    pid: c.pid,
                    uid: st.creds.uid,
                    code: signal::CLD_STOPPED,
                    status: sig,
                    wstatus: (sig << 8) | 0x7f,
                    cpu: st.cpu_times(),
                }));
            }
            Some(JobEvent::Continued) if options & WCONTINUED != 0 => {
                if options & WNOWAIT == 0 {
                    st.job_event = None;
                }
                return Ok(Some(Found {
                    pid: c.pid,
                    uid: st.creds.uid,
                    code: signal::CLD_CONTINUED,
                    status: Signal::SIGCONT.0,
                    wstatus: 0xffff,
                    cpu: st.cpu_times(),
                }));
            }
            _ => {}
        }
    }
    if any {
        Err(Errno::EAGAIN)
    } else {
        Err(Errno::ECHILD)
    }
}

/// Waits (unless `WNOHANG`) for a child state change; `Ok(None)` for WNOHANG with nothing.
fn do_wait(task: &mut Task, which: Which, options: u32) -> KResult<Option<Found>> {
    let me = task.process.clone();
    task.block_on(&[(&me.child_events, !0)], None, |t| {
        match find_child(t, which, options) {
            Err(Errno::EAGAIN) if options & WNOHANG != 0 => Ok(None),
            other => other,
        }
    })
}

fn sys_wait4(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, wstatus, options, rusage) = (a.i32(0), a.u(1), a.u32(2), a.u(3));
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | WNOTHREAD) != 0 {
        return Err(Errno::EINVAL);
    }
    let which = match pid {
        -1 => Which::Any,
        0 => Which::Group(task.process.state().pgid),
        p if p < -1 => Which::Group(p.checked_neg().ok_or(Errno::ESRCH)?),
        p => Which::Pid(p),
    };
    let Some(found) = do_wait(task, which, options | WEXITED)? else {
        return Ok(0);
    };
    if wstatus != 0 {
        task.mm().write_val(wstatus, &found.wstatus)?;
    }
    if rusage != 0 {
        task.mm()
            .write_val(rusage, &crate::misc::Rusage::with_times(found.cpu))?;
    }
    Ok(found.pid as u64)
}

fn sys_waitid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const P_ALL: u32 = 0;
    const P_PID: u32 = 1;
    const P_PGID: u32 = 2;
    const P_PIDFD: u32 = 3;
    let (idtype, id, infop, options, rusage) = (a.u32(0), a.i32(1), a.u(2), a.u32(3), a.u(4));
    if options & !(WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WALL | WCLONE | WNOTHREAD)
        != 0
        || options & (WEXITED | WUNTRACED | WCONTINUED) == 0
    {
        return Err(Errno::EINVAL);
    }
    let which = match idtype {
        P_ALL => Which::Any,
        P_PID if id > 0 => Which::Pid(id),
        P_PGID if id > 0 => Which::Group(id),
        P_PGID if id == 0 => Which::Group(task.process.state().pgid),
        P_PIDFD if id >= 0 => {
            let file = crate::pidfd::pidfd_file(task, id)?;
            let pid = PidFd::of(&file).ok_or(Errno::EBADF)?.id();
            // A non-blocking pidfd never waits: nothing yet is EAGAIN (or 0 with WNOHANG).
            if file.nonblocking() && options & WNOHANG == 0 {
                return match do_wait(task, Which::Pid(pid), options | WNOHANG)? {
                    Some(found) => waitid_result(task, Some(found), infop, rusage),
                    None => Err(Errno::EAGAIN),
                };
            }
            Which::Pid(pid)
        }
        _ => return Err(Errno::EINVAL),
    };
    let found = do_wait(task, which, options)?;
    waitid_result(task, found, infop, rusage)
}

/// Writes what `waitid` found (or the zeroed record of nothing, for `WNOHANG`).
fn waitid_result(task: &Task, found: Option<Found>, infop: u64, rusage: u64) -> KResult<u64> {
    if infop != 0 {
        let info = match &found {
            Some(f) => SigInfo::child(f.code, f.pid, f.uid, f.status),
            None => {
                let mut z = SigInfo::new(Signal(0), 0);
                z.signo = 0;
                z
            }
        };
        task.mm().write_val(infop, &info)?;
    }
    if rusage != 0 {
        let cpu = found.as_ref().map(|f| f.cpu).unwrap_or_default();
        task.mm()
            .write_val(rusage, &crate::misc::Rusage::with_times(cpu))?;
    }
    Ok(0)
}

/// The state of a fresh process (for hosts building the first one).
pub fn first_process_state() -> ProcessState {
    ProcessState::initial(1)
}
