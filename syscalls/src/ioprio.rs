//! I/O priorities of any thread, process group or user of the sandbox: `ioprio_set` and
//! `ioprio_get` with Linux's classes, permission rules and the nice-derived default
//! (`block/ioprio.c`). sbx's I/O is not scheduled by them; they are recorded and reported.

use sbx_kernel::sched::IOPRIO_CLASS_SHIFT;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::identity::capable;
use crate::sched::CAP_SYS_NICE;
use crate::sched_target::{find_threads, user_of, Target, Who};
use crate::TableBuilder;

const IOPRIO_WHO_PROCESS: i32 = 1;
const IOPRIO_WHO_PGRP: i32 = 2;
const IOPRIO_WHO_USER: i32 = 3;

const IOPRIO_CLASS_NONE: i32 = 0;
const IOPRIO_CLASS_RT: i32 = 1;
const IOPRIO_CLASS_BE: i32 = 2;
const IOPRIO_CLASS_IDLE: i32 = 3;

/// `CAP_SYS_ADMIN`.
const CAP_SYS_ADMIN: u32 = 21;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "ioprio_set",
        sys_ioprio_set,
        Support::Partial("I/O priorities are recorded and reported; sbx's I/O ignores them"),
    );
    b.add("ioprio_get", sys_ioprio_get, Support::Full);
}

/// Linux's `ioprio_check_cap`: a known class, no level for "none", and `CAP_SYS_ADMIN` or
/// `CAP_SYS_NICE` for the real-time class (sandbox root has neither).
fn check_ioprio(task: &Task, ioprio: i32) -> KResult<()> {
    let class = (ioprio >> IOPRIO_CLASS_SHIFT) & 7;
    let level = ioprio & 7;
    match class {
        IOPRIO_CLASS_RT => {
            if !capable(task, CAP_SYS_ADMIN) && !capable(task, CAP_SYS_NICE) {
                return Err(Errno::EPERM);
            }
            Ok(())
        }
        IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE => Ok(()),
        IOPRIO_CLASS_NONE if level == 0 => Ok(()),
        _ => Err(Errno::EINVAL),
    }
}

/// The threads `(which, who)` names; `EINVAL` for an unknown `which`. For `ioprio_get`, user
/// 0 is the caller's; `ioprio_set` takes it literally as root, as Linux does (it compares
/// each thread's uid with `who` itself).
fn selected(task: &Task, which: i32, who: i32, setting: bool) -> KResult<Vec<Target>> {
    let who = match which {
        IOPRIO_WHO_PROCESS => Who::Thread(who),
        IOPRIO_WHO_PGRP if who < 0 => return Ok(Vec::new()),
        IOPRIO_WHO_PGRP => Who::Pgrp(who),
        IOPRIO_WHO_USER if setting => Who::User(who as u32),
        IOPRIO_WHO_USER => user_of(task, who),
        _ => return Err(Errno::EINVAL),
    };
    Ok(find_threads(task, who))
}

fn sys_ioprio_set(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (which, who, ioprio) = (a.i32(0), a.i32(1), a.i32(2));
    check_ioprio(task, ioprio)?;
    let targets = selected(task, which, who, true)?;
    if targets.is_empty() {
        return Err(Errno::ESRCH);
    }
    let me = task.process.state().creds;
    let cap = capable(task, CAP_SYS_NICE);
    // Linux's `set_task_ioprio` for each, stopping at the first refusal: the target's real
    // uid must be the caller's real or effective one.
    for t in &targets {
        let them = t.creds();
        if them.uid != me.euid && them.uid != me.uid && !cap {
            return Err(Errno::EPERM);
        }
        // Linux keeps the value in 16 bits, in an I/O context an exited thread no longer has
        // (the call still succeeds).
        if !t.thread.is_exiting() {
            t.thread.sched.update(|s| s.ioprio = ioprio as u16);
        }
    }
    Ok(0)
}

fn sys_ioprio_get(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let which = a.i32(0);
    let targets = selected(task, which, a.i32(1), false)?;
    let values = targets.iter().map(|t| {
        let s = t.thread.sched.get();
        // One thread reports the raw value it set (0 when none); a group or user the best
        // (numerically lowest) effective one.
        if which == IOPRIO_WHO_PROCESS {
            s.ioprio
        } else {
            s.effective_ioprio()
        }
    });
    values.min().map(u64::from).ok_or(Errno::ESRCH)
}
