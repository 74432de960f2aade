//! Process groups and sessions: setpgid, getpgid, getpgrp, setsid, getsid.

use sbx_kernel::process::Process;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("setpgid", sys_setpgid, Support::Full);
    b.add("getpgid", sys_getpgid, Support::Full);
    b.add("getpgrp", sys_getpgrp, Support::Full);
    b.add("setsid", sys_setsid, Support::Full);
    b.add("getsid", sys_getsid, Support::Full);
}

/// The process `pid` names (0 = the caller); `ESRCH` if none.
fn target(task: &Task, pid: i32) -> KResult<std::sync::Arc<Process>> {
    match pid {
        0 => Ok(task.process.clone()),
        p if p < 0 => Err(Errno::ESRCH),
        p => task.kernel.procs.process(p).ok_or(Errno::ESRCH),
    }
}

fn sys_getpgid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let p = target(task, a.i32(0))?;
    let pgid = p.state().pgid;
    Ok(pgid as u64)
}

fn sys_getpgrp(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(task.process.state().pgid as u64)
}

fn sys_getsid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let p = target(task, a.i32(0))?;
    let sid = p.state().sid;
    Ok(sid as u64)
}

fn sys_setpgid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let me = task.process.clone();
    let pid = match a.i32(0) {
        0 => me.pid,
        p if p < 0 => return Err(Errno::EINVAL),
        p => p,
    };
    let pgid = match a.i32(1) {
        0 => pid,
        g if g < 0 => return Err(Errno::EINVAL),
        g => g,
    };
    let p = task.kernel.procs.process(pid).ok_or(Errno::ESRCH)?;
    // Only the caller or one of its children may be moved.
    let is_child = p.ppid() == me.pid;
    if p.pid != me.pid && !is_child {
        return Err(Errno::ESRCH);
    }
    let my_sid = me.state().sid;
    let (p_sid, p_exec) = {
        let st = p.state();
        (st.sid, st.did_exec)
    };
    if is_child && p_sid != my_sid {
        return Err(Errno::EPERM);
    }
    if is_child && p_exec {
        return Err(Errno::EACCES);
    }
    if p_sid == p.pid {
        // A session leader cannot change its group.
        return Err(Errno::EPERM);
    }
    if pgid != pid {
        // Joining another group needs that group to exist in the same session.
        let exists = task.kernel.procs.processes().iter().any(|q| {
            !q.is_dead() && {
                let st = q.state();
                st.pgid == pgid && st.sid == my_sid
            }
        });
        if !exists {
            return Err(Errno::EPERM);
        }
    }
    p.state().pgid = pgid;
    Ok(0)
}

fn sys_setsid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    let me = task.process.pid;
    // A process group with our id already exists (we lead it, or did): EPERM.
    let leads_group = task
        .kernel
        .procs
        .processes()
        .iter()
        .any(|q| q.state().pgid == me);
    if leads_group {
        return Err(Errno::EPERM);
    }
    let mut st = task.process.state();
    st.sid = me;
    st.pgid = me;
    Ok(me as u64)
}
