//! Finding the threads a scheduling call names: one thread by id (0 = the caller), every
//! thread of a process group, or every thread of a user's processes, as Linux's
//! `find_task_by_vpid`, `do_each_pid_thread` and `for_each_process_thread` see them. A
//! process whose leader has exited (a zombie, until it is reaped) is still found by its id.

use std::sync::Arc;

use sbx_kernel::task::{Creds, Process, Task, Thread};

/// A thread a scheduling call acts on, and its process (whose credentials and limits the
/// permission checks read).
pub struct Target {
    /// The thread.
    pub thread: Arc<Thread>,
    /// Its process.
    pub process: Arc<Process>,
}

impl Target {
    /// The target's credentials.
    pub fn creds(&self) -> Creds {
        self.process.state().creds
    }

    /// The soft limit `resource` of the target's process.
    pub fn rlimit(&self, resource: u32) -> u64 {
        self.process
            .state()
            .rlimits
            .get(resource as usize)
            .map_or(0, |r| r.0)
    }
}

/// Which threads a `getpriority`/`setpriority`/`ioprio_*` call names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// One thread by id; 0 is the caller.
    Thread(i32),
    /// Every thread of process group `pgid`; 0 is the caller's group.
    Pgrp(i32),
    /// Every thread of the processes whose real uid is `uid`.
    User(u32),
}

/// The thread `id` names (`find_task_by_vpid`; 0 = the caller): a live thread, or the
/// leader of a process that lives on without it or is a zombie.
pub fn find_thread(task: &Task, id: i32) -> Option<Target> {
    if id == 0 {
        return Some(Target {
            thread: task.thread.clone(),
            process: task.process.clone(),
        });
    }
    if id < 0 {
        return None;
    }
    let procs = &task.kernel.procs;
    if let Some((thread, process)) = procs.thread(id) {
        // An exiting thread is gone for these calls, except a leader, which stays findable
        // (as the zombie's leader) while its process exists.
        if !thread.is_exiting() || procs.process(id).is_some() {
            return Some(Target { thread, process });
        }
        return None;
    }
    let process = procs.process(id)?;
    let thread = process.state().exited_leader.clone()?;
    Some(Target { thread, process })
}

/// Every thread `who` names, in pid order (none when nothing matches).
pub fn find_threads(task: &Task, who: Who) -> Vec<Target> {
    let matches: Box<dyn Fn(i32, u32) -> bool> = match who {
        Who::Thread(id) => return find_thread(task, id).into_iter().collect(),
        Who::Pgrp(pgid) => {
            let pgid = if pgid == 0 {
                task.process.state().pgid
            } else {
                pgid
            };
            Box::new(move |g, _| g == pgid)
        }
        Who::User(uid) => Box::new(move |_, u| u == uid),
    };
    let mut out = Vec::new();
    for process in task.kernel.procs.processes() {
        let st = process.state();
        if !matches(st.pgid, st.creds.uid) {
            continue;
        }
        let threads: Vec<Arc<Thread>> = st
            .exited_leader
            .iter()
            .chain(st.threads.iter())
            .cloned()
            .collect();
        drop(st);
        out.extend(threads.into_iter().map(|thread| Target {
            thread,
            process: process.clone(),
        }));
    }
    out
}

/// `Who::User` for a `who` argument: 0 means the caller's real uid.
pub fn user_of(task: &Task, who: i32) -> Who {
    if who == 0 {
        Who::User(task.process.state().creds.uid)
    } else {
        Who::User(who as u32)
    }
}
