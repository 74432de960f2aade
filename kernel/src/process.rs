//! Processes (thread groups), the threads in them, and the sandbox's process table: ids,
//! parent/child links, zombies, process groups, and signal generation.
//!
//! Lock order: the process table, then one process's state, then one thread's signal state.
//! Two processes' states are never held at once (a child's exit publishes its status, drops
//! its own lock, then notifies the parent).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::cputime::CpuTimes;
use crate::engine::{KickSlot, VcpuKicker};
use crate::errno::{Errno, KResult};
use crate::fd::FdTable;
use crate::mm::Mm;
use crate::sched::Sched;
use crate::signal::{self, SigAction, SigInfo, SigPending, Signal};
use crate::vfs::FsContext;
use crate::wait::{WaitQueue, Waiter};

/// How a process ended, as `wait` would report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// `exit(code)`.
    Exited(i32),
    /// Killed by a signal; `core` when the default action dumps core.
    Signaled {
        /// The signal number.
        signal: i32,
        /// Whether Linux would have dumped core.
        core: bool,
    },
}

impl ExitStatus {
    /// The shell-style status: the code, or 128+N for a signal.
    pub fn shell_code(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => c & 0xff,
            ExitStatus::Signaled { signal, .. } => 128 + signal,
        }
    }

    /// The `wait` status word (`WIFEXITED`/`WIFSIGNALED` encoding).
    pub fn wait_status(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => (c & 0xff) << 8,
            ExitStatus::Signaled { signal, core } => signal | if core { 0x80 } else { 0 },
        }
    }

    /// `si_code` and `si_status` for SIGCHLD and `waitid`.
    pub fn child_code(self) -> (i32, i32) {
        match self {
            ExitStatus::Exited(c) => (signal::CLD_EXITED, c & 0xff),
            ExitStatus::Signaled { signal, core: true } => (signal::CLD_DUMPED, signal),
            ExitStatus::Signaled { signal, .. } => (signal::CLD_KILLED, signal),
        }
    }
}

/// User and group identity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Creds {
    /// Real uid.
    pub uid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Saved uid.
    pub suid: u32,
    /// Real gid.
    pub gid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Saved gid.
    pub sgid: u32,
    /// Filesystem uid (`setfsuid`): whose permissions file access uses, and who owns new
    /// files. Follows the effective uid whenever that changes.
    pub fsuid: u32,
    /// Filesystem gid (`setfsgid`); follows the effective gid.
    pub fsgid: u32,
}

/// A stop or continue the parent has not collected with `WUNTRACED`/`WCONTINUED` yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEvent {
    /// Stopped by this signal.
    Stopped(i32),
    /// Continued by SIGCONT.
    Continued,
}

/// Thread-group state shared by all threads of a process.
pub struct Process {
    /// Process id inside the sandbox.
    pub pid: i32,
    ppid: AtomicI32,
    /// Mutable per-process state.
    pub state: Mutex<ProcessState>,
    /// Notified when a child exits, stops or continues (`wait4`/`waitid` sleep here).
    pub child_events: WaitQueue,
    /// Notified when this process stops being stopped (its threads sleep here).
    pub resume: WaitQueue,
    /// Notified with `POLLIN` whenever a signal is queued for the process or one of its
    /// threads (Linux's `sighand->signalfd_wqh`): signalfds used by the process forward it to
    /// their readers.
    pub signal_queued: WaitQueue,
    /// Notified when one of its threads exits, when it becomes a zombie and when it is
    /// reaped: its pidfds' readiness follows these.
    pub pidfd_events: WaitQueue,
    /// Set once the process is a zombie (or reaped).
    dead: AtomicBool,
    /// When it was created (`/proc/<pid>/stat`'s start time; exec keeps it).
    pub started: std::time::Instant,
}

/// The mutable part of a [`Process`].
pub struct ProcessState {
    /// Identity.
    pub creds: Creds,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// Signal dispositions, indexed by signal number - 1.
    pub actions: [SigAction; 64],
    /// Process group id.
    pub pgid: i32,
    /// Session id.
    pub sid: i32,
    /// `comm` (the thread name shown by `ps`).
    pub comm: Vec<u8>,
    /// Path of the running executable (for `/proc/self/exe`).
    pub exe: Vec<u8>,
    /// Resource limits, indexed by `RLIMIT_*`: (soft, hard).
    pub rlimits: [(u64, u64); 16],
    /// Live threads.
    pub threads: Vec<Arc<Thread>>,
    /// Children not yet reaped.
    pub children: Vec<Arc<Process>>,
    /// Signals sent to the process as a whole.
    pub shared_pending: SigPending,
    /// Set by `exit_group` or a fatal signal: every thread leaves with this status.
    pub group_exit: Option<ExitStatus>,
    /// The final status once the last thread has gone (the process is a zombie).
    pub zombie: Option<ExitStatus>,
    /// Set once a `wait` collected the zombie.
    pub reaped: bool,
    /// Stopped by this signal (job control).
    pub stopped: Option<i32>,
    /// A stop/continue not yet reported to the parent.
    pub job_event: Option<JobEvent>,
    /// Signal sent to the parent at exit (SIGCHLD, or what `clone` asked for; 0 = none).
    pub exit_signal: i32,
    /// Whether the process has called `execve` (for `setpgid`'s EACCES).
    pub did_exec: bool,
    /// Threads that must still leave during an `execve` by another thread.
    pub exec_pending: bool,
    /// Timer-service ids of ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF (0 = not created yet).
    pub itimers: [u64; 3],
    /// POSIX timers: guest timer id -> (timer-service id, the `clockid_t` it was created on).
    pub posix_timers: BTreeMap<i32, (u64, i32)>,
    /// `PR_SET_PDEATHSIG`: the signal this process gets when its parent exits (0 = none).
    pub pdeathsig: i32,
    /// `PR_SET_CHILD_SUBREAPER`: orphaned descendants are reparented here instead of pid 1.
    pub child_subreaper: bool,
    /// CPU time of the threads that have ended.
    pub cpu_exited: CpuTimes,
    /// CPU time of reaped children and what they had reaped (`RUSAGE_CHILDREN`).
    pub cpu_children: CpuTimes,
    /// The System V semaphore undo list (`SEM_UNDO`), made at first use; shared with
    /// processes cloned with `CLONE_SYSVSEM`.
    pub sem_undo: Option<Arc<crate::ipc::sem::UndoList>>,
    /// The thread group leader once it has exited while the process lives on or is a zombie:
    /// Linux still finds it by its id (`getpriority`, `sched_getscheduler` on a zombie).
    pub exited_leader: Option<Arc<Thread>>,
}

impl Process {
    /// A new process with `pid`, parent `ppid` and initial `state`.
    pub fn new(pid: i32, ppid: i32, state: ProcessState) -> Arc<Process> {
        Arc::new(Process {
            pid,
            ppid: AtomicI32::new(ppid),
            state: Mutex::new(state),
            child_events: WaitQueue::new(),
            resume: WaitQueue::new(),
            signal_queued: WaitQueue::new(),
            pidfd_events: WaitQueue::new(),
            dead: AtomicBool::new(false),
            started: std::time::Instant::now(),
        })
    }

    /// Locks the mutable state.
    pub fn state(&self) -> MutexGuard<'_, ProcessState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The parent's pid (0 for the sandbox's first process).
    pub fn ppid(&self) -> i32 {
        self.ppid.load(Ordering::Relaxed)
    }

    /// Whether the process has exited (zombie or reaped).
    pub fn is_dead(&self) -> bool {
        self.dead.load(Ordering::Acquire)
    }

    /// Records that the last thread has gone.
    pub fn mark_dead(&self) {
        self.dead.store(true, Ordering::Release);
    }

    /// Tells signalfd readers that a signal was queued for this process or one of its
    /// threads. Called without the state lock: the wake-up may reach an epoll instance.
    pub fn notify_signal_queued(&self) {
        self.signal_queued.notify(crate::fd::POLLIN);
    }

    /// Tells pollers of its pidfds that a thread exited, or the process did or was reaped.
    /// Called without the state lock (the wake-up may reach an epoll instance).
    pub fn notify_pidfds(&self) {
        self.pidfd_events
            .notify(crate::fd::POLLIN | crate::fd::POLLHUP);
    }

    /// Changes the parent (reparenting to init).
    pub fn set_ppid(&self, ppid: i32) {
        self.ppid.store(ppid, Ordering::Relaxed);
    }
}

impl ProcessState {
    /// The state of a fresh first process.
    pub fn initial(pid: i32) -> ProcessState {
        ProcessState {
            creds: Creds::default(),
            groups: Vec::new(),
            actions: [SigAction::default(); 64],
            pgid: pid,
            sid: pid,
            comm: Vec::new(),
            exe: Vec::new(),
            rlimits: default_rlimits(),
            threads: Vec::new(),
            children: Vec::new(),
            shared_pending: SigPending::default(),
            group_exit: None,
            zombie: None,
            reaped: false,
            stopped: None,
            job_event: None,
            exit_signal: signal::Signal::SIGCHLD.0,
            did_exec: false,
            exec_pending: false,
            itimers: [0; 3],
            posix_timers: BTreeMap::new(),
            pdeathsig: 0,
            child_subreaper: false,
            cpu_exited: CpuTimes::default(),
            cpu_children: CpuTimes::default(),
            sem_undo: None,
            exited_leader: None,
        }
    }

    /// A child's copy of this state (`fork`): identity, dispositions, groups, limits.
    pub fn forked(&self, exit_signal: i32) -> ProcessState {
        ProcessState {
            creds: self.creds,
            groups: self.groups.clone(),
            actions: self.actions,
            pgid: self.pgid,
            sid: self.sid,
            comm: self.comm.clone(),
            exe: self.exe.clone(),
            rlimits: self.rlimits,
            exit_signal,
            ..ProcessState::initial(0)
        }
    }

    /// The threads that have not begun to exit: what `/proc` shows (`Threads:`, `task/`).
    /// A thread that has begun to exit has already released `pthread_join`, so it is not
    /// counted even though it is still in [`ProcessState::threads`] for a moment.
    pub fn running_threads(&self) -> impl Iterator<Item = &Arc<Thread>> {
        self.threads.iter().filter(|t| !t.is_exiting())
    }

    /// CPU time of the whole process: ended threads plus live ones.
    pub fn cpu_times(&self) -> CpuTimes {
        let mut t = self.cpu_exited;
        for th in &self.threads {
            t += th.cpu.times();
        }
        t
    }

    /// The disposition of `sig`.
    pub fn action(&self, sig: Signal) -> SigAction {
        self.actions[(sig.0 - 1) as usize]
    }

    /// Whether a newly raised `sig` would be thrown away: ignored and not blocked by every
    /// thread (a blocked signal stays pending in case the disposition changes).
    fn ignores(&self, sig: Signal) -> bool {
        let act = self.action(sig);
        let ignored = act.handler == signal::SIG_IGN
            || (act.handler == signal::SIG_DFL && sig.default_ignored());
        ignored && sig != Signal::SIGKILL && sig != Signal::SIGSTOP
    }
}

/// `RLIMIT_CORE`: the largest core file (0: none is written).
pub const RLIMIT_CORE: usize = 4;
/// `RLIMIT_SIGPENDING`: siginfos that may be queued for one user.
pub const RLIMIT_SIGPENDING: usize = 11;

/// Linux's default resource limits for a fresh process.
pub fn default_rlimits() -> [(u64, u64); 16] {
    const INF: u64 = u64::MAX;
    let mut r = [(INF, INF); 16];
    r[3] = (8 << 20, INF); // RLIMIT_STACK
    r[RLIMIT_CORE] = (0, INF);
    r[6] = (63_432, 63_432); // RLIMIT_NPROC
    r[7] = (1024, 1_048_576); // RLIMIT_NOFILE
    r[8] = (8 << 20, 8 << 20); // RLIMIT_MEMLOCK
    r[RLIMIT_SIGPENDING] = (63_432, 63_432);
    r[12] = (819_200, 819_200); // RLIMIT_MSGQUEUE
    r[13] = (0, 0); // RLIMIT_NICE
    r[14] = (0, 0); // RLIMIT_RTPRIO
    r
}

/// The part of a guest thread other threads can see: its id, signal state and the means to
/// wake it (while it blocks in the kernel) or kick it (while it runs guest code).
pub struct Thread {
    /// Thread id inside the sandbox.
    pub tid: AtomicI32,
    /// Blocked signals.
    mask: AtomicU64,
    /// Signals sent to this thread.
    pending: Mutex<SigPending>,
    /// Woken by wait queues and signal senders while the thread blocks.
    pub waiter: Arc<Waiter>,
    kicker: Arc<KickSlot>,
    /// Set when the thread must leave (group exit, exec by another thread, SIGKILL).
    pub must_exit: AtomicBool,
    /// CPU time used.
    pub cpu: crate::cputime::ThreadCpu,
    /// The `set_robust_list` head (read by `get_robust_list` from other threads and by the
    /// exit-time walk).
    robust_list: AtomicU64,
    /// Set when the thread starts to exit.
    exiting: AtomicBool,
    /// The thread's descriptor table, for `/proc/<pid>/task/<tid>`. Weak, so it neither
    /// keeps the table alive nor counts as a sharer (`unshare` and exit look at the strong
    /// counts).
    files: Mutex<Weak<Mutex<FdTable>>>,
    /// The thread's filesystem context (weak, likewise).
    fs: Mutex<Weak<Mutex<FsContext>>>,
    /// The thread's address space, for other processes' access to it
    /// (`process_vm_readv`); weak, likewise.
    mm: Mutex<Weak<Mutex<Mm>>>,
    /// Scheduling attributes (nice, policy, affinity, I/O priority), readable and changeable
    /// by other threads (`setpriority`, `sched_setscheduler`, `sched_setaffinity`…).
    pub sched: Sched,
}

impl Thread {
    /// A new thread with `tid` and signal mask `mask`.
    pub fn new(tid: i32, mask: u64) -> Arc<Thread> {
        Arc::new(Thread {
            tid: AtomicI32::new(tid),
            mask: AtomicU64::new(mask),
            pending: Mutex::new(SigPending::default()),
            waiter: Waiter::new(),
            kicker: Arc::default(),
            must_exit: AtomicBool::new(false),
            cpu: Default::default(),
            robust_list: AtomicU64::new(0),
            exiting: AtomicBool::new(false),
            files: Mutex::new(Weak::new()),
            fs: Mutex::new(Weak::new()),
            mm: Mutex::new(Weak::new()),
            sched: Sched::default(),
        })
    }

    /// The robust-list head the thread registered (0 = none).
    pub fn robust_list(&self) -> u64 {
        self.robust_list.load(Ordering::Relaxed)
    }

    /// Records the thread's robust-list head (`set_robust_list`, cleared by `execve`).
    pub fn set_robust_list(&self, head: u64) {
        self.robust_list.store(head, Ordering::Relaxed);
    }

    /// Whether the thread has begun to exit.
    pub fn is_exiting(&self) -> bool {
        self.exiting.load(Ordering::Acquire)
    }

    /// Marks the thread as exiting (the start of `exit_thread`).
    pub fn mark_exiting(&self) {
        self.exiting.store(true, Ordering::Release);
    }

    /// Records which descriptor table and filesystem context the thread uses now.
    pub fn set_tables(&self, files: &Arc<Mutex<FdTable>>, fs: &Arc<Mutex<FsContext>>) {
        *self.files.lock().unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(files);
        *self.fs.lock().unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(fs);
    }

    /// Records which address space the thread runs in now.
    pub fn set_mm(&self, mm: &Arc<Mutex<Mm>>) {
        *self.mm.lock().unwrap_or_else(|e| e.into_inner()) = Arc::downgrade(mm);
    }

    /// The thread's address space, while it has one.
    pub fn mm(&self) -> Option<Arc<Mutex<Mm>>> {
        self.mm.lock().unwrap_or_else(|e| e.into_inner()).upgrade()
    }

    /// The thread's descriptor table, while it has one.
    pub fn files(&self) -> Option<Arc<Mutex<FdTable>>> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .upgrade()
    }

    /// The thread's filesystem context, while it has one.
    pub fn fs(&self) -> Option<Arc<Mutex<FsContext>>> {
        self.fs.lock().unwrap_or_else(|e| e.into_inner()).upgrade()
    }

    /// The thread id.
    pub fn tid(&self) -> i32 {
        self.tid.load(Ordering::Relaxed)
    }

    /// The blocked-signal mask.
    pub fn mask(&self) -> u64 {
        self.mask.load(Ordering::Relaxed)
    }

    /// Replaces the blocked-signal mask (SIGKILL and SIGSTOP cannot be blocked).
    pub fn set_mask(&self, mask: u64) {
        self.mask
            .store(mask & !Signal::UNBLOCKABLE, Ordering::Relaxed);
    }

    /// Locks the thread's own pending signals.
    pub fn pending(&self) -> MutexGuard<'_, SigPending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Installs the handle that interrupts this thread's vCPU.
    pub fn set_kicker(&self, kicker: Option<Arc<dyn VcpuKicker>>) {
        self.kicker.set(kicker);
    }

    /// Where this thread's vCPU kicker lives (shared with its address space's shootdowns).
    pub fn kick_slot(&self) -> Arc<KickSlot> {
        self.kicker.clone()
    }

    /// Makes the thread notice new work promptly: wakes it if it sleeps in the kernel and
    /// stops its vCPU if it runs guest code.
    pub fn interrupt(&self) {
        self.waiter.notify();
        self.kicker.kick();
    }

    /// Asks the thread to leave as soon as it can.
    pub fn force_exit(&self) {
        self.must_exit.store(true, Ordering::Release);
        self.interrupt();
    }
}

/// Largest id handed out before wrapping (Linux's default `pid_max`).
const PID_MAX: i32 = 4_194_304;

struct TableInner {
    processes: BTreeMap<i32, Arc<Process>>,
    threads: BTreeMap<i32, (Arc<Thread>, Arc<Process>)>,
    next: i32,
    live_threads: usize,
}

/// The sandbox's process table (its pid namespace: the first process is pid 1).
pub struct ProcTable {
    inner: Mutex<TableInner>,
    /// Notified when the last thread of the sandbox has exited.
    pub all_gone: WaitQueue,
    /// Set when the sandbox is being torn down: no new threads may start.
    shutting_down: AtomicBool,
}

impl Default for ProcTable {
    fn default() -> Self {
        ProcTable {
            inner: Mutex::new(TableInner {
                processes: BTreeMap::new(),
                threads: BTreeMap::new(),
                next: 1,
                live_threads: 0,
            }),
            all_gone: WaitQueue::new(),
            shutting_down: AtomicBool::new(false),
        }
    }
}

impl ProcTable {
    fn lock(&self) -> MutexGuard<'_, TableInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Allocates an unused id for a process or thread (`EAGAIN` when every id is taken).
    pub fn alloc_id(&self) -> KResult<i32> {
        let mut t = self.lock();
        for _ in 0..PID_MAX {
            let id = t.next;
            t.next = if t.next >= PID_MAX { 2 } else { t.next + 1 };
            if !t.processes.contains_key(&id) && !t.threads.contains_key(&id) {
                // Reserve the id until the thread is registered.
                return Ok(id);
            }
        }
        Err(Errno::EAGAIN)
    }

    /// Registers a new process.
    pub fn add_process(&self, p: &Arc<Process>) {
        self.lock().processes.insert(p.pid, p.clone());
    }

    /// Registers a new running thread of `p`; `EAGAIN` once the sandbox is shutting down.
    pub fn add_thread(&self, t: &Arc<Thread>, p: &Arc<Process>) -> KResult<()> {
        let mut tab = self.lock();
        if self.shutting_down.load(Ordering::Acquire) {
            return Err(Errno::EAGAIN);
        }
        tab.threads.insert(t.tid(), (t.clone(), p.clone()));
        tab.live_threads += 1;
        Ok(())
    }

    /// Renames a thread (the thread that survives an `execve` takes the leader's id).
    pub fn retid_thread(&self, old: i32, new: i32) {
        let mut tab = self.lock();
        if let Some(e) = tab.threads.remove(&old) {
            e.0.tid.store(new, Ordering::Relaxed);
            tab.threads.insert(new, e);
        }
    }

    /// Unregisters an exited thread.
    pub fn remove_thread(&self, tid: i32) {
        let empty = {
            let mut tab = self.lock();
            if tab.threads.remove(&tid).is_some() {
                tab.live_threads -= 1;
            }
            tab.live_threads == 0
        };
        if empty {
            self.all_gone.notify(!0);
        }
    }

    /// Unregisters a reaped process.
    pub fn remove_process(&self, pid: i32) {
        self.lock().processes.remove(&pid);
    }

    /// The process with `pid`, if it exists (zombies included; a reaped one is gone even
    /// in the moment before `wait` takes it out of the table).
    pub fn process(&self, pid: i32) -> Option<Arc<Process>> {
        let found = self.lock().processes.get(&pid).cloned();
        found.filter(|p| !p.state().reaped)
    }

    /// The thread with `tid` and its process. An exiting thread stays in the table until
    /// its host thread is done, which may be after its process was reaped: such a thread is
    /// not found, as it no longer exists for the guest. (The table lock is released before
    /// the process's is taken.)
    pub fn thread(&self, tid: i32) -> Option<(Arc<Thread>, Arc<Process>)> {
        let found = self.lock().threads.get(&tid).cloned();
        found.filter(|(_, p)| !p.state().reaped)
    }

    /// Every process (zombies included), by pid.
    pub fn processes(&self) -> Vec<Arc<Process>> {
        self.lock().processes.values().cloned().collect()
    }

    /// Live threads in the sandbox.
    pub fn live_threads(&self) -> usize {
        self.lock().live_threads
    }

    /// Stops new threads from starting and kills every process (pid namespace teardown).
    pub fn kill_all(&self) {
        self.shutting_down.store(true, Ordering::Release);
        for p in self.processes() {
            kill_process(
                &p,
                ExitStatus::Signaled {
                    signal: Signal::SIGKILL.0,
                    core: false,
                },
            );
        }
    }
}

/// Makes every thread of `p` leave with `status` (SIGKILL, `exit_group`, a fatal signal).
pub fn kill_process(p: &Arc<Process>, status: ExitStatus) {
    let threads = {
        let mut st = p.state();
        if st.group_exit.is_none() {
            st.group_exit = Some(status);
        }
        st.stopped = None;
        st.threads.clone()
    };
    p.resume.notify(!0);
    for t in threads {
        t.force_exit();
    }
}

/// Sends `info` to thread `t` of process `p` (`tkill`, `tgkill`, faults).
pub fn send_to_thread(procs: &ProcTable, p: &Arc<Process>, t: &Arc<Thread>, info: SigInfo) {
    let _ = try_send_to_thread(procs, p, t, info);
}

/// [`send_to_thread`] for a sender that is told when `RLIMIT_SIGPENDING` refuses the signal
/// (`EAGAIN`: a real-time signal with a siginfo of its own and no room to queue it).
pub fn try_send_to_thread(
    procs: &ProcTable,
    p: &Arc<Process>,
    t: &Arc<Thread>,
    info: SigInfo,
) -> KResult<()> {
    let sig = info.signal();
    let admitted = admit(procs, p, info)?;
    let mut continued = false;
    let deliver = {
        let mut st = p.state();
        let go = prepare_signal(p, &mut st, sig, &mut continued)
            && !(st.ignores(sig) && t.mask() & sig.bit() == 0);
        if go {
            match admitted {
                Some(info) => t.pending().push(info),
                None => t.pending().push_bare(sig),
            }
        }
        go
    };
    if continued {
        notify_continued(procs, p);
    }
    if deliver {
        p.notify_signal_queued();
        t.interrupt();
    }
    Ok(())
}

/// `RLIMIT_SIGPENDING` (Linux's `__sigqueue_alloc`): the siginfos queued for the target's
/// user may not exceed the target's limit. Standard signals from `kill` or the kernel
/// (`si_code >= 0`) and timer expiries (preallocated in Linux) are exempt. Otherwise a signal
/// without room loses its siginfo (`Ok(None)`), except a real-time one with a siginfo of its
/// own, which is refused.
fn admit(procs: &ProcTable, p: &Process, info: SigInfo) -> KResult<Option<SigInfo>> {
    let sig = info.signal();
    if (!sig.is_realtime() && info.code >= 0) || info.code == signal::SI_TIMER {
        return Ok(Some(info));
    }
    let (uid, limit) = {
        let st = p.state();
        (st.creds.uid, st.rlimits[RLIMIT_SIGPENDING].0)
    };
    if limit == u64::MAX || (queued_by_user(procs, uid) as u64) < limit {
        return Ok(Some(info));
    }
    if sig.is_realtime() && info.code != signal::SI_USER {
        Err(Errno::EAGAIN)
    } else {
        Ok(None)
    }
}

/// The siginfos queued in the sandbox for processes of user `uid`.
fn queued_by_user(procs: &ProcTable, uid: u32) -> usize {
    procs
        .processes()
        .iter()
        .map(|p| {
            let st = p.state();
            if st.creds.uid != uid {
                return 0;
            }
            st.shared_pending.queued()
                + st.threads
                    .iter()
                    .map(|t| t.pending().queued())
                    .sum::<usize>()
        })
        .sum()
}

/// Tells the parent of `p` that SIGCONT resumed it.
fn notify_continued(procs: &ProcTable, p: &Arc<Process>) {
    let Some(parent) = procs.process(p.ppid()) else {
        return;
    };
    let uid = p.state().creds.uid;
    let nocldstop = parent.state().action(Signal::SIGCHLD).flags & signal::SA_NOCLDSTOP != 0;
    if !nocldstop {
        send_to_process(
            procs,
            &parent,
            SigInfo::child(signal::CLD_CONTINUED, p.pid, uid, Signal::SIGCONT.0),
        );
    }
    parent.child_events.notify(!0);
}

/// Sends `info` to process `p` as a whole (`kill`, timers, SIGCHLD): one thread that does
/// not block it will take it.
pub fn send_to_process(procs: &ProcTable, p: &Arc<Process>, info: SigInfo) {
    let _ = try_send_to_process(procs, p, info);
}

/// [`send_to_process`] for a sender that is told when `RLIMIT_SIGPENDING` refuses the signal.
pub fn try_send_to_process(procs: &ProcTable, p: &Arc<Process>, info: SigInfo) -> KResult<()> {
    let sig = info.signal();
    let admitted = admit(procs, p, info)?;
    let mut continued = false;
    let (queued, target) = {
        let mut st = p.state();
        if !prepare_signal(p, &mut st, sig, &mut continued) {
            (false, None)
        } else {
            let blocked_everywhere = st.threads.iter().all(|t| t.mask() & sig.bit() != 0);
            if st.ignores(sig) && !blocked_everywhere {
                (false, None)
            } else {
                match admitted {
                    Some(info) => st.shared_pending.push(info),
                    None => st.shared_pending.push_bare(sig),
                }
                let target = st
                    .threads
                    .iter()
                    .find(|t| t.mask() & sig.bit() == 0)
                    .cloned();
                (true, target)
            }
        }
    };
    if continued {
        notify_continued(procs, p);
    }
    if queued {
        p.notify_signal_queued();
    }
    if let Some(t) = target {
        t.interrupt();
    }
    Ok(())
}

/// The generation-time side effects of `sig` (SIGKILL kills, SIGCONT resumes and discards
/// pending stops, a stop signal discards a pending SIGCONT). Returns false when the signal
/// needs no further delivery.
fn prepare_signal(
    p: &Arc<Process>,
    st: &mut ProcessState,
    sig: Signal,
    continued: &mut bool,
) -> bool {
    if st.zombie.is_some() || st.group_exit.is_some() {
        return false;
    }
    if sig == Signal::SIGKILL {
        st.group_exit = Some(ExitStatus::Signaled {
            signal: Signal::SIGKILL.0,
            core: false,
        });
        st.stopped = None;
        for t in &st.threads {
            t.force_exit();
        }
        p.resume.notify(!0);
        return false;
    }
    if sig == Signal::SIGCONT {
        st.shared_pending.discard(signal::STOP_MASK);
        for t in &st.threads {
            t.pending().discard(signal::STOP_MASK);
        }
        if st.stopped.take().is_some() {
            st.job_event = Some(JobEvent::Continued);
            *continued = true;
            p.resume.notify(!0);
        }
    } else if sig.bit() & signal::STOP_MASK != 0 {
        st.shared_pending.discard(signal::CONT_MASK);
        for t in &st.threads {
            t.pending().discard(signal::CONT_MASK);
        }
    }
    true
}

/// Takes the next deliverable signal for thread `t` of process `p`: the thread's own first,
/// then the process's.
pub fn dequeue_signal(st: &mut ProcessState, t: &Thread) -> Option<SigInfo> {
    let mask = t.mask();
    // SIGKILL and SIGSTOP are never blocked.
    let blocked = mask & !Signal::UNBLOCKABLE;
    if let Some(i) = t.pending().take(blocked) {
        return Some(i);
    }
    st.shared_pending.take(blocked)
}

/// Signals pending for thread `t` (its own and its process's) that it does not block.
pub fn has_deliverable(st: &ProcessState, t: &Thread) -> bool {
    let pending = t.pending().set | st.shared_pending.set;
    pending & !(t.mask() & !Signal::UNBLOCKABLE) != 0
}
