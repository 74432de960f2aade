//! Thread and process exit: `clear_child_tid`, robust futexes, zombies, reparenting to the
//! sandbox's first process, SIGCHLD, and the pid-namespace rule that the sandbox ends when its
//! first process does.

use std::sync::Arc;

use crate::process::{self, ExitStatus, Process};
use crate::signal::{self, SigInfo, Signal};
use crate::task::Task;

/// Ends the calling thread (its loop has finished); the last thread out ends the process.
pub fn exit_thread(task: &mut Task) {
    let status = task.exit_status.unwrap_or(ExitStatus::Exited(0));
    // From here on `/proc` no longer counts the thread: `pthread_join` returns as soon as
    // `release_user_state` clears the tid word, before the thread leaves the process's list.
    task.thread.mark_exiting();
    task.thread.sched.exit();
    release_user_state(task);
    // The list has been walked: `get_robust_list` on the exiting thread sees none, as on Linux.
    task.set_robust_list(0);
    if let Some(v) = task.vfork_done.take() {
        v.complete();
    }
    task.thread.set_kicker(None);
    let used = task.thread.cpu.finish();
    let (last, final_status) = {
        let mut st = task.process.state();
        st.threads.retain(|t| !Arc::ptr_eq(t, &task.thread));
        if task.tid == task.process.pid {
            st.exited_leader = Some(task.thread.clone());
        }
        st.cpu_exited += used;
        let last = st.threads.is_empty();
        // Without a group exit the last thread's own code is the process's, whichever thread
        // it is (Linux since 5.17: the last thread out sets the group exit code).
        let final_status = st.group_exit.unwrap_or(status);
        (last, final_status)
    };
    // An exec waiting for the other threads to go, or a stopped process, may be watching.
    task.process.resume.notify(!0);
    if last {
        exit_process(task, final_status);
    }
    task.kernel.procs.remove_thread(task.tid);
    task.process.notify_pidfds();
}

/// What a thread leaves behind in user memory for others: the `clear_child_tid` word (and
/// a futex wake for `pthread_join`), and the robust mutexes it held.
fn release_user_state(task: &mut Task) {
    crate::futex::exit_robust_list(task);
    crate::futex::exit_pi_locks(task);
    let ctid = std::mem::take(&mut task.clear_child_tid);
    if ctid != 0 {
        let shared_mm = Arc::strong_count(&task.mm) > 1;
        if shared_mm && task.mm().write_val(ctid, &0u32).is_ok() {
            let ctid = crate::futex::FutexAddr::new(ctid, false);
            let _ = crate::futex::wake(task, ctid, 1, u32::MAX);
        }
    }
}

/// The last thread of `task`'s process has gone: the process becomes a zombie.
fn exit_process(task: &mut Task, status: ExitStatus) {
    // Close descriptors and drop the address space before the parent hears of it, as Linux
    // does (a pipe's reader sees EOF by the time `wait` returns).
    if Arc::strong_count(&task.files) == 1 {
        let mut files = task.files();
        let all = files.close_range(0, u32::MAX, false);
        drop(files);
        drop(all);
    }
    if Arc::strong_count(&task.mm) == 1 {
        task.mm().clear();
    }
    // SEM_UNDO adjustments, by the last process using the undo list.
    let undo = task.process.state().sem_undo.take();
    if let Some(undo) = undo {
        undo.release(task.process.pid);
    }
    let procs = &task.kernel.procs;
    let p = task.process.clone();
    let (children, exit_signal) = {
        let mut st = p.state();
        st.zombie = Some(status);
        for id in st
            .itimers
            .into_iter()
            .chain(st.posix_timers.values().map(|t| t.0))
        {
            if id != 0 {
                task.kernel.timers.delete(id);
            }
        }
        st.itimers = [0; 3];
        st.posix_timers.clear();
        (std::mem::take(&mut st.children), st.exit_signal)
    };
    p.mark_dead();
    if p.pid == 1 {
        // The sandbox's init is gone: like a pid namespace, every other process dies.
        procs.kill_all();
    } else if let Some(reaper) = find_reaper(procs, &p) {
        let uid = p.state().creds.uid;
        let deathsigs: Vec<(Arc<Process>, Signal)> = children
            .iter()
            .filter(|c| !c.is_dead())
            .filter_map(|c| Some((c.clone(), Signal::new(c.state().pdeathsig)?)))
            .collect();
        adopt(procs, &reaper, children);
        for (c, sig) in deathsigs {
            let info = SigInfo::from_sender(sig, signal::SI_USER, p.pid, uid);
            process::send_to_process(procs, &c, info);
        }
    }
    notify_parent_exit(task, &p, status, exit_signal);
}

/// Where `p`'s orphans go: the nearest living ancestor that is a child subreaper
/// (`PR_SET_CHILD_SUBREAPER`), else the sandbox's first process.
fn find_reaper(procs: &process::ProcTable, p: &Arc<Process>) -> Option<Arc<Process>> {
    let mut ppid = p.ppid();
    // The ancestry is a tree rooted at pid 1; the bound (Linux's default pid_max) only
    // guards against a cycle.
    for _ in 0..32768 {
        if ppid <= 1 {
            break;
        }
        let Some(a) = procs.process(ppid) else { break };
        if !a.is_dead() && a.state().child_subreaper {
            return Some(a);
        }
        ppid = a.ppid();
    }
    procs.process(1)
}

/// Reparents orphans to `reaper` (the sandbox's first process or a subreaper).
fn adopt(procs: &process::ProcTable, init: &Arc<Process>, children: Vec<Arc<Process>>) {
    if children.is_empty() {
        return;
    }
    let any_zombie = children.iter().any(|c| c.is_dead());
    for c in &children {
        c.set_ppid(init.pid);
    }
    init.state().children.extend(children);
    if any_zombie {
        init.child_events.notify(!0);
        process::send_to_process(
            procs,
            init,
            SigInfo::new(Signal::SIGCHLD, signal::CLD_EXITED),
        );
    }
}

/// Tells the parent its child `p` exited: SIGCHLD (or the clone exit signal) and a wake-up
/// for `wait`; a parent that ignores SIGCHLD (or set SA_NOCLDWAIT) reaps it at once.
fn notify_parent_exit(task: &Task, p: &Arc<Process>, status: ExitStatus, exit_signal: i32) {
    let procs = &task.kernel.procs;
    let Some(parent) = procs.process(p.ppid()) else {
        // No parent in the sandbox (the first process): nobody will reap it.
        return;
    };
    let (code, value) = status.child_code();
    let uid = p.state().creds.uid;
    let (autoreap, ignored) = {
        let st = parent.state();
        let act = st.action(Signal::SIGCHLD);
        let ignored = act.handler == signal::SIG_IGN;
        let autoreap =
            exit_signal == Signal::SIGCHLD.0 && (ignored || act.flags & signal::SA_NOCLDWAIT != 0);
        (autoreap, ignored && autoreap)
    };
    if autoreap {
        p.state().reaped = true;
        parent.state().children.retain(|c| !Arc::ptr_eq(c, p));
        procs.remove_process(p.pid);
        p.notify_pidfds();
    }
    // SA_NOCLDWAIT with a handler still gets its SIGCHLD; only SIG_IGN drops it.
    let sig = if ignored {
        None
    } else {
        Signal::new(exit_signal)
    };
    if let Some(sig) = sig {
        let mut info = SigInfo::child(code, p.pid, uid, value);
        info.signo = sig.0;
        process::send_to_process(procs, &parent, info);
    }
    parent.child_events.notify(!0);
}

/// Tells the parent its child (the caller's process) stopped or continued.
pub fn notify_parent_job(task: &Task, code: i32, sig: i32) {
    let p = &task.process;
    let Some(parent) = task.kernel.procs.process(p.ppid()) else {
        return;
    };
    let uid = p.state().creds.uid;
    let nocldstop = parent.state().action(Signal::SIGCHLD).flags & signal::SA_NOCLDSTOP != 0;
    if !nocldstop {
        process::send_to_process(
            &task.kernel.procs,
            &parent,
            SigInfo::child(code, p.pid, uid, sig),
        );
    }
    parent.child_events.notify(!0);
}
