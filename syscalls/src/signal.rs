//! The signal family: dispositions, masks and sending signals within the sandbox.

use sbx_kernel::signal::{SigAction, Signal};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const NO_FRAMES: &str =
        "handlers are recorded but not yet entered: a caught signal takes its default action";
    b.add(
        "rt_sigaction",
        sys_rt_sigaction,
        Support::Partial(NO_FRAMES),
    );
    b.add("rt_sigprocmask", sys_rt_sigprocmask, Support::Full);
    b.add("rt_sigpending", sys_rt_sigpending, Support::Full);
    b.add(
        "sigaltstack",
        sys_sigaltstack,
        Support::Partial("recorded; used once handlers are entered"),
    );
    b.add(
        "kill",
        sys_kill,
        Support::Partial("one process per sandbox for now: only the caller can be signalled"),
    );
    b.add(
        "tkill",
        sys_tkill,
        Support::Partial("one thread per sandbox for now"),
    );
    b.add(
        "tgkill",
        sys_tgkill,
        Support::Partial("one thread per sandbox for now"),
    );
}

/// The kernel's `sigset_t` is 8 bytes on x86-64.
const SIGSET_SIZE: u64 = 8;

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
    let old = task.process.state().actions[(sig.0 - 1) as usize];
    if oldact != 0 {
        task.mm().write_val(oldact, &old)?;
    }
    if let Some(mut n) = new {
        n.mask &= !Signal::UNBLOCKABLE;
        task.process.state().actions[(sig.0 - 1) as usize] = n;
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
    let old = task.sigmask;
    if set != 0 {
        let s: u64 = task.mm().read_val(set)?;
        let s = s & !Signal::UNBLOCKABLE;
        task.sigmask = match how {
            SIG_BLOCK => old | s,
            SIG_UNBLOCK => old & !s,
            SIG_SETMASK => s,
            _ => return Err(Errno::EINVAL),
        };
    }
    if oldset != 0 {
        task.mm().write_val(oldset, &old)?;
    }
    Ok(0)
}

fn sys_rt_sigpending(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.u(1) > SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let pending = (task.pending & task.sigmask).to_le_bytes();
    let n = a.u(1) as usize;
    task.mm().copy_out(a.u(0), &pending[..n])?;
    Ok(0)
}

fn sys_sigaltstack(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const SS_ONSTACK: i32 = 1;
    const SS_DISABLE: i32 = 2;
    const MINSIGSTKSZ: u64 = 2048;
    let (ss, old) = (a.u(0), a.u(1));
    let cur = task.altstack;
    if ss != 0 {
        let raw: [u64; 3] = task.mm().read_val(ss)?;
        let (sp, flags, size) = (raw[0], raw[1] as i32, raw[2]);
        if flags & !(SS_DISABLE | (1 << 31)) != 0 {
            return Err(Errno::EINVAL);
        }
        task.altstack = if flags & SS_DISABLE != 0 {
            (0, SS_DISABLE, 0)
        } else {
            if size < MINSIGSTKSZ {
                return Err(Errno::ENOMEM);
            }
            (sp, flags, size)
        };
    }
    if old != 0 {
        let flags = if cur.2 == 0 {
            SS_DISABLE
        } else {
            cur.1 & !SS_ONSTACK
        };
        task.mm()
            .write_val(old, &[cur.0, flags as u32 as u64, cur.2])?;
    }
    Ok(0)
}

/// Validates `sig` (0 = existence check only) and raises it on the caller.
fn raise_self(task: &mut Task, sig: i32) -> KResult<u64> {
    if sig == 0 {
        return Ok(0);
    }
    let sig = Signal::new(sig).ok_or(Errno::EINVAL)?;
    task.send_signal(sig);
    Ok(0)
}

fn sys_kill(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, sig) = (a.i32(0), a.i32(1));
    if !(0..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    // pid 0 (own group), -1 (everyone we may signal), our pid and our group all reach only us.
    let me = task.process.pid;
    let pgid = task.process.state().pgid;
    if pid == 0 || pid == -1 || pid == me || pid == -pgid {
        return raise_self(task, sig);
    }
    if pid == i32::MIN {
        return Err(Errno::ESRCH);
    }
    Err(Errno::ESRCH)
}

fn sys_tkill(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (tid, sig) = (a.i32(0), a.i32(1));
    if tid <= 0 || !(0..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    if tid != task.tid {
        return Err(Errno::ESRCH);
    }
    raise_self(task, sig)
}

fn sys_tgkill(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (tgid, tid, sig) = (a.i32(0), a.i32(1), a.i32(2));
    if tgid <= 0 || tid <= 0 || !(0..=64).contains(&sig) {
        return Err(Errno::EINVAL);
    }
    if tgid != task.process.pid || tid != task.tid {
        return Err(Errno::ESRCH);
    }
    raise_self(task, sig)
}
