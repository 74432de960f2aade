//! The signal family: dispositions, masks, alternate stacks, sending, waiting and returning
//! from handlers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sbx_kernel::process::{self, Process, Thread};
use sbx_kernel::signal::{self, SigAction, SigInfo, Signal};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("rt_sigaction", sys_rt_sigaction, Support::Full);
    b.add("restart_syscall", sys_restart_syscall, Support::Full);
    b.add("rt_sigprocmask", sys_rt_sigprocmask, Support::Full);
    b.add("rt_sigpending", sys_rt_sigpending, Support::Full);
    b.add("rt_sigreturn", sys_rt_sigreturn, Support::Full);
    b.add("rt_sigsuspend", sys_rt_sigsuspend, Support::Full);
    b.add("rt_sigtimedwait", sys_rt_sigtimedwait, Support::Full);
    b.add("pause", sys_pause, Support::Full);
    b.add("sigaltstack", sys_sigaltstack, Support::Full);
    b.add("kill", sys_kill, Support::Full);
    b.add("tkill", sys_tkill, Support::Full);
    b.add("tgkill", sys_tgkill, Support::Full);
    b.add("rt_sigqueueinfo", sys_rt_sigqueueinfo, Support::Full);
    b.add("rt_tgsigqueueinfo", sys_rt_tgsigqueueinfo, Support::Full);
}

/// The kernel's `sigset_t` is 8 bytes on x86-64.
const SIGSET_SIZE: u64 = 8;

/// Continues a call that a signal without a handler interrupted (the kernel arranges it; a
/// program calling it out of the blue gets `EINTR`, as from Linux's `do_no_restart_syscall`).
fn sys_restart_syscall(task: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    match task.restart_block.take() {
        Some(resume) => resume(task),
        None => Err(Errno::EINTR),
    }
}

fn sys_rt_sigaction(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (sig, act, oldact, size) = (a.i32(0), a.u(1), a.u(2), a.u(3));
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let sig = Signal::new(sig).ok_or(Errno::EINVAL)?;
    let new = if act != 0 {
        Some(task.mm().read_val::<SigAction>(act)?)
    } else {
        None
    };
    if new.is_some() && (sig == Signal::SIGKILL || sig == Signal::SIGSTOP) {
        return Err(Errno::EINVAL);
    }
    let old = task.process.state().action(sig);
    if oldact != 0 {
        task.mm().write_val(oldact, &old)?;
    }
    if let Some(mut n) = new {
        n.mask &= !Signal::UNBLOCKABLE;
        let mut st = task.process.state();
        st.actions[(sig.0 - 1) as usize] = n;
        // Setting a signal to be ignored discards its pending instances (POSIX).
        let ignored =
            n.handler == signal::SIG_IGN || (n.handler == signal::SIG_DFL && sig.default_ignored());
        if ignored {
            st.shared_pending.discard(sig.bit());
            for t in &st.threads {
                t.pending().discard(sig.bit());
            }
        }
    }
    Ok(0)
}

fn sys_rt_sigprocmask(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const SIG_BLOCK: i32 = 0;
    const SIG_UNBLOCK: i32 = 1;
    const SIG_SETMASK: i32 = 2;
    let (how, set, oldset, size) = (a.i32(0), a.u(1), a.u(2), a.u(3));
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let old = task.sigmask();
    if set != 0 {
        let s: u64 = task.mm().read_val(set)?;
        let new = match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            SIG_SETMASK => s,
            _ => return Err(Errno::EINVAL),
        };
        task.set_sigmask(new);
    }
    // Without a new set, `how` is not looked at (Linux).
    if oldset != 0 {
        task.mm().write_val(oldset, &old)?;
    }
    Ok(0)
}

fn sys_rt_sigpending(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.u(1) > SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let pending = (task.pending_set() & task.sigmask()).to_le_bytes();
    let n = a.u(1) as usize;
    task.mm().copy_out(a.u(0), &pending[..n])?;
    Ok(0)
}

fn sys_rt_sigreturn(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    if task.sigreturn().is_err() {
        // A corrupt frame: Linux kills the caller with SIGSEGV.
        task.force_signal(Signal::SIGSEGV, signal::SI_KERNEL, 0);
        task.regs_replaced = true;
    }
    Ok(0)
}

fn read_sigset(task: &Task, addr: u64, size: u64) -> KResult<u64> {
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    task.mm().read_val(addr)
}

fn sys_rt_sigsuspend(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mask = read_sigset(task, a.u(0), a.u(1))?;
    let old = task.sigmask();
    task.saved_sigmask = Some(old);
    task.set_sigmask(mask);
    match task.sleep_until(None) {
        Ok(()) | Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        Err(e) => Err(e),
    }
}

fn sys_pause(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    match task.sleep_until(None) {
        Ok(()) | Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        Err(e) => Err(e),
    }
}

/// A relative `struct timespec` timeout turned into a deadline (`EINVAL` when malformed).
pub(crate) fn relative_deadline(task: &Task, addr: u64) -> KResult<Option<Instant>> {
    if addr == 0 {
        return Ok(None);
    }
    let ts: [i64; 2] = task.mm().read_val(addr)?;
    if ts[0] < 0 || !(0..1_000_000_000).contains(&ts[1]) {
        return Err(Errno::EINVAL);
    }
    let d = Duration::new(ts[0] as u64, ts[1] as u32);
    Ok(Some(
        Instant::now().checked_add(d).unwrap_or_else(far_future),
    ))
}

/// A deadline no sleep reaches (for timeouts too large to represent).
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 86400)
}

/// Takes a pending signal in `set` (the thread's own first).
fn take_from(task: &Task, set: u64) -> Option<SigInfo> {
    let mut st = task.process.state();
    let blocked = !set;
    if let Some(i) = task.thread.pending().take(blocked) {
        return Some(i);
    }
    st.shared_pending.take(blocked)
}

fn sys_rt_sigtimedwait(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let set = read_sigset(task, a.u(0), a.u(3))? & !Signal::UNBLOCKABLE;
    let (info_addr, timeout) = (a.u(1), a.u(2));
    let deadline = relative_deadline(task, timeout)?;
    // While waiting, the awaited signals count as unblocked, so that senders wake us.
    let old = task.sigmask();
    task.set_sigmask(old & !set);
    let r = task.block_on(&[], deadline, |t| take_from(t, set).ok_or(Errno::EAGAIN));
    task.set_sigmask(old);
    let info = match r {
        Ok(i) => i,
        Err(Errno::ETIMEDOUT) => return Err(Errno::EAGAIN),
        Err(Errno::ERESTARTSYS) => return Err(Errno::ERESTARTNOHAND),
        Err(e) => return Err(e),
    };
    if info_addr != 0 {
        task.mm().write_val(info_addr, &info)?;
    }
    Ok(info.signo as u64)
}

fn sys_sigaltstack(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const MINSIGSTKSZ: u64 = 2048;
    const SS_AUTODISARM: i32 = 1 << 31;
    let (ss, old) = (a.u(0), a.u(1));
    let cur = task.altstack;
    let on_stack = cur.2 != 0 && {
        let sp = task.regs.rsp;
        sp > cur.0 && sp - cur.0 <= cur.2
    };
    if old != 0 {
        let flags = if on_stack {
            signal::SS_ONSTACK
        } else if cur.2 == 0 || cur.1 & signal::SS_DISABLE != 0 {
            signal::SS_DISABLE
        } else {
            cur.1
        };
        task.mm()
            .write_val(old, &[cur.0, flags as u32 as u64, cur.2])?;
    }
    if ss != 0 {
        let raw: [u64; 3] = task.mm().read_val(ss)?;
        let (sp, flags, size) = (raw[0], raw[1] as i32, raw[2]);
        if on_stack {
            return Err(Errno::EPERM);
        }
        let mode = flags & !SS_AUTODISARM;
        if mode != 0 && mode != signal::SS_DISABLE && mode != signal::SS_ONSTACK {
            return Err(Errno::EINVAL);
        }
        task.altstack = if mode == signal::SS_DISABLE {
            (0, signal::SS_DISABLE, 0)
        } else {
            if size < MINSIGSTKSZ {
                return Err(Errno::ENOMEM);
            }
            (sp, flags & SS_AUTODISARM, size)
        };
    }
    Ok(0)
}

/// Whether the caller may signal `target` (root, or matching real/effective and real/saved
/// uids, as Linux's `kill_ok_by_cred`); SIGCONT may also go to any process of the caller's
/// session, as job control needs.
fn may_signal(task: &Task, target: &Process, sig: Option<Signal>) -> bool {
    let (me, my_sid) = {
        let st = task.process.state();
        (st.creds, st.sid)
    };
    if me.euid == 0 || std::ptr::eq(target, Arc::as_ptr(&task.process)) {
        return true;
    }
    let (t, sid) = {
        let st = target.state();
        (st.creds, st.sid)
    };
    me.euid == t.suid
        || me.euid == t.uid
        || me.uid == t.suid
        || me.uid == t.uid
        || (sig == Some(Signal::SIGCONT) && sid == my_sid)
}

fn valid_sig(sig: i32) -> KResult<Option<Signal>> {
    match sig {
        0 => Ok(None),
        s => Signal::new(s).map(Some).ok_or(Errno::EINVAL),
    }
}

/// Sends `info` with signal `raw` (or only checks, for signal 0) to each process in
/// `targets`. As Linux, a missing target (ESRCH) is found before a bad signal (EINVAL).
pub(crate) fn signal_processes(
    task: &Task,
    targets: Vec<Arc<Process>>,
    raw: i32,
    mut info: SigInfo,
) -> KResult<u64> {
    if targets.is_empty() {
        return Err(Errno::ESRCH);
    }
    let sig = valid_sig(raw)?;
    info.signo = raw;
    let mut sent = false;
    let mut denied = false;
    for p in targets {
        if !may_signal(task, &p, sig) {
            denied = true;
            continue;
        }
        sent = true;
        if sig.is_some() {
            process::try_send_to_process(&task.kernel.procs, &p, info)?;
        }
    }
    match (sent, denied) {
        (true, _) => Ok(0),
        (false, true) => Err(Errno::EPERM),
        (false, false) => Err(Errno::ESRCH),
    }
}

pub(crate) fn sender_info(task: &Task, sig: Option<Signal>, code: i32) -> SigInfo {
    let uid = task.process.state().creds.uid;
    SigInfo::from_sender(sig.unwrap_or(Signal(0)), code, task.process.pid, uid)
}

fn sys_kill(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, sig) = (a.i32(0), a.i32(1));
    let info = sender_info(task, None, signal::SI_USER);
    let procs = &task.kernel.procs;
    let targets: Vec<Arc<Process>> = match pid {
        p if p > 0 => procs.process(p).into_iter().collect(),
        0 => {
            let pgid = task.process.state().pgid;
            in_group(task, pgid)
        }
        -1 => procs
            .processes()
            .into_iter()
            .filter(|p| p.pid > 1 && p.pid != task.process.pid && !p.is_dead())
            .collect(),
        i32::MIN => return Err(Errno::ESRCH),
        p => in_group(task, -p),
    };
    signal_processes(task, targets, sig, info)
}

/// The live processes of process group `pgid`.
pub(crate) fn in_group(task: &Task, pgid: i32) -> Vec<Arc<Process>> {
    task.kernel
        .procs
        .processes()
        .into_iter()
        .filter(|p| p.state().pgid == pgid)
        .collect()
}

/// Sends `info` with signal `raw` to one thread, after the checks `tkill`/`tgkill` make (in
/// Linux's order: the thread, then the signal, then permission).
pub(crate) fn signal_thread(
    task: &Task,
    tgid: Option<i32>,
    tid: i32,
    raw: i32,
    mut info: SigInfo,
) -> KResult<u64> {
    let (thread, p): (Arc<Thread>, Arc<Process>) =
        task.kernel.procs.thread(tid).ok_or(Errno::ESRCH)?;
    if tgid.is_some_and(|g| g != p.pid) {
        return Err(Errno::ESRCH);
    }
    let sig = valid_sig(raw)?;
    info.signo = raw;
    if !may_signal(task, &p, sig) {
        return Err(Errno::EPERM);
    }
    if sig.is_some() {
        process::try_send_to_thread(&task.kernel.procs, &p, &thread, info)?;
    }
    Ok(0)
}

fn sys_tkill(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (tid, sig) = (a.i32(0), a.i32(1));
    if tid <= 0 {
        return Err(Errno::EINVAL);
    }
    let info = sender_info(task, None, signal::SI_TKILL);
    signal_thread(task, None, tid, sig, info)
}

fn sys_tgkill(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (tgid, tid, sig) = (a.i32(0), a.i32(1), a.i32(2));
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    let info = sender_info(task, None, signal::SI_TKILL);
    signal_thread(task, Some(tgid), tid, sig, info)
}

/// Reads a caller-built siginfo for the queue calls; a caller other than the target may not
/// pretend to be the kernel or `kill` (EPERM), as Linux checks.
fn queued_info(task: &Task, target_pid: i32, addr: u64) -> KResult<SigInfo> {
    let info: SigInfo = task.mm().read_val(addr)?;
    if (info.code >= 0 || info.code == signal::SI_TKILL) && target_pid != task.process.pid {
        return Err(Errno::EPERM);
    }
    Ok(info)
}

fn sys_rt_sigqueueinfo(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, sig, uinfo) = (a.i32(0), a.i32(1), a.u(2));
    let info = queued_info(task, pid, uinfo)?;
    let targets: Vec<Arc<Process>> = task.kernel.procs.process(pid).into_iter().collect();
    signal_processes(task, targets, sig, info)
}

fn sys_rt_tgsigqueueinfo(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (tgid, tid, sig, uinfo) = (a.i32(0), a.i32(1), a.i32(2), a.u(3));
    if tgid <= 0 || tid <= 0 {
        return Err(Errno::EINVAL);
    }
    let info = queued_info(task, tgid, uinfo)?;
    signal_thread(task, Some(tgid), tid, sig, info)
}
