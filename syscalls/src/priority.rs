//! Nice values of any thread, process group or user of the sandbox: `getpriority` and
//! `setpriority` with Linux's rules (`kernel/sys.c`). A nice value above the sandbox's own
//! also lowers the priority of the host thread running the guest thread.

use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::identity::capable;
use crate::misc::RLIMIT_NICE;
use crate::sched::CAP_SYS_NICE;
use crate::sched_target::{find_threads, user_of, Target, Who};
use crate::TableBuilder;

const PRIO_PROCESS: i32 = 0;
const PRIO_PGRP: i32 = 1;
const PRIO_USER: i32 = 2;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("getpriority", sys_getpriority, Support::Full);
    b.add(
        "setpriority",
        sys_setpriority,
        Support::Partial(
            "nice values are recorded and reported; the host thread follows only those at or \
             above the sandbox's own",
        ),
    );
}

/// The threads `(which, who)` names; `EINVAL` for an unknown `which`.
fn selected(task: &Task, which: i32, who: i32) -> KResult<Vec<Target>> {
    let who = match which {
        PRIO_PROCESS => Who::Thread(who),
        PRIO_PGRP if who < 0 => return Ok(Vec::new()),
        PRIO_PGRP => Who::Pgrp(who),
        // A user's processes are those whose real uid it is.
        PRIO_USER => user_of(task, who),
        _ => return Err(Errno::EINVAL),
    };
    Ok(find_threads(task, who))
}

fn sys_getpriority(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let targets = selected(task, a.i32(0), a.i32(1))?;
    // The raw syscall returns 20 - nice (1..=40) so that no success looks like an error; of
    // several threads, the highest priority (lowest nice value).
    targets
        .iter()
        .map(|t| 20 - t.thread.sched.get().nice)
        .max()
        .map(|v| v as u64)
        .ok_or(Errno::ESRCH)
}

/// Linux's `set_one_prio_perm`: the target's real or effective uid is the caller's
/// effective one, or the caller holds `CAP_SYS_NICE`.
fn may_set(task: &Task, t: &Target, cap: bool) -> bool {
    let me = task.process.state().creds;
    let them = t.creds();
    cap || them.uid == me.euid || them.euid == me.euid
}

fn sys_setpriority(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (which, who) = (a.i32(0), a.i32(1));
    let nice = a.i32(2).clamp(-20, 19);
    let targets = selected(task, which, who)?;
    let cap = capable(task, CAP_SYS_NICE);
    // Linux's `set_one_prio` for each: a failure is remembered (the last one wins), a
    // success only replaces "no such process".
    let mut result = Err(Errno::ESRCH);
    for t in &targets {
        if !may_set(task, t, cap) {
            result = Err(Errno::EPERM);
            continue;
        }
        // Lowering the nice value (raising priority) is allowed down to the target's
        // RLIMIT_NICE, which counts 20 - nice.
        let allowed = cap || (20 - nice) as u64 <= t.rlimit(RLIMIT_NICE);
        let set = t.thread.sched.update(|s| {
            if nice < s.nice && !allowed {
                return false;
            }
            s.nice = nice;
            true
        });
        if !set {
            result = Err(Errno::EACCES);
        } else if result == Err(Errno::ESRCH) {
            result = Ok(0);
        }
    }
    result
}
