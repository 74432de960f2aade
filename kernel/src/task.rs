//! Tasks (guest threads) and the run loop that turns engine exits into syscalls and signals.
//!
//! A [`Task`] is owned by the host thread that runs it; what other threads must see (its
//! signal state, its wake-up handle) lives in the shared [`Thread`].

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::engine::{EngineError, Exit, Fault, Regs, Vcpu};
use crate::errno::{Errno, KResult};
use crate::fd::FdTable;
use crate::mm::{Access, FaultOutcome, Mm};
use crate::signal::{self, SigInfo, Signal};
use crate::syscall::SyscallArgs;
use crate::vfs::FsContext;
use crate::Kernel;

pub use crate::process::{
    default_rlimits, Creds, ExitStatus, JobEvent, Process, ProcessState, Thread,
};

/// Syscalls that copy the calling thread and so need its FPU state at hand.
const CLONE_LIKE: [u64; 4] = [56, 57, 58, 435];

/// Signalled when a `vfork` child execs or exits, releasing its parent.
#[derive(Default)]
pub struct VforkDone {
    done: Mutex<bool>,
    /// Notified when `done` becomes true.
    pub queue: crate::wait::WaitQueue,
}

impl VforkDone {
    /// Releases the parent.
    pub fn complete(&self) {
        *self.done.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.queue.notify(!0);
    }

    /// Whether the child has execed or exited.
    pub fn is_done(&self) -> bool {
        *self.done.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A syscall interrupted by a signal, waiting for the delivery code to decide between
/// restarting it and failing it with `EINTR`.
#[derive(Clone, Copy, Debug)]
struct Interrupted {
    code: Errno,
    nr: u64,
}

/// A guest thread: its registers and the (possibly shared) resources it uses.
pub struct Task {
    /// Thread id inside the sandbox.
    pub tid: i32,
    /// User registers.
    pub regs: Regs,
    /// The thread group.
    pub process: Arc<Process>,
    /// What other threads see of this one.
    pub thread: Arc<Thread>,
    /// Address space (shared by threads, copied by fork).
    pub mm: Arc<Mutex<Mm>>,
    /// Descriptor table.
    pub files: Arc<Mutex<FdTable>>,
    /// Root, cwd and umask.
    pub fs: Arc<Mutex<FsContext>>,
    /// The sandbox-wide kernel.
    pub kernel: Arc<Kernel>,
    /// `set_tid_address` pointer.
    pub clear_child_tid: u64,
    /// `sigaltstack`: (ss_sp, ss_flags, ss_size).
    pub altstack: (u64, i32, u64),
    /// Set by `exit` (this thread only) or by leaving for a group exit: the loop ends.
    pub exit_status: Option<ExitStatus>,
    /// Set by handlers that replaced the whole register file (`execve`, `rt_sigreturn`), so the
    /// return value must not be written to `rax`.
    pub regs_replaced: bool,
    /// The mask to restore after a temporary one (`rt_sigsuspend`, `ppoll`, `pselect6`,
    /// `epoll_pwait`): a handler frame saves it instead of the temporary mask.
    pub saved_sigmask: Option<u64>,
    /// FPU state to load before the guest runs again (`rt_sigreturn`).
    pub fpu_restore: Option<Vec<u8>>,
    /// The FPU state at the current syscall, for calls that copy the thread (`clone`).
    pub fpu_snapshot: Option<Vec<u8>>,
    /// Released when this task (a `vfork` child) execs or exits.
    pub vfork_done: Option<Arc<VforkDone>>,
    /// The last fault (vector, error code, address), for the signal frame's sigcontext.
    pub fault_info: Option<(u8, u64, u64)>,
    /// This thread's vCPU as its address space sees it (TLB shootdown).
    pub cpu: Arc<crate::mm::MmCpu>,
    /// How `restart_syscall` resumes a call that returned `ERESTART_RESTARTBLOCK` (a relative
    /// sleep continues to its original deadline instead of starting over).
    pub restart_block: Option<RestartFn>,
    interrupted: Option<Interrupted>,
}

/// The continuation `restart_syscall` runs (Linux's `restart_block.fn`).
pub type RestartFn = Box<dyn FnOnce(&mut Task) -> KResult<u64> + Send>;

/// The trap flag in RFLAGS.
const RFLAGS_TF: u64 = 1 << 8;

/// `__NR_restart_syscall`: what an `ERESTART_RESTARTBLOCK` call is restarted as.
pub const NR_RESTART_SYSCALL: u64 = 219;

impl Task {
    /// A task for `thread` of `process` with fresh per-thread state.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        kernel: Arc<Kernel>,
        process: Arc<Process>,
        thread: Arc<Thread>,
        mm: Arc<Mutex<Mm>>,
        files: Arc<Mutex<FdTable>>,
        fs: Arc<Mutex<FsContext>>,
        regs: Regs,
    ) -> Task {
        let cpu = crate::mm::MmCpu::new(thread.kick_slot());
        mm.lock()
            .unwrap_or_else(|e| e.into_inner())
            .attach_cpu(&cpu);
        thread.set_tables(&files, &fs);
        thread.set_mm(&mm);
        Task {
            tid: thread.tid(),
            regs,
            process,
            thread,
            mm,
            files,
            fs,
            kernel,
            clear_child_tid: 0,
            altstack: (0, signal::SS_DISABLE, 0),
            exit_status: None,
            regs_replaced: false,
            saved_sigmask: None,
            fpu_restore: None,
            fpu_snapshot: None,
            vfork_done: None,
            fault_info: None,
            restart_block: None,
            cpu,
            interrupted: None,
        }
    }

    /// Locks the address space.
    pub fn mm(&self) -> MutexGuard<'_, Mm> {
        self.mm.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the descriptor table.
    pub fn files(&self) -> MutexGuard<'_, FdTable> {
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The credentials filesystem permission checks use (effective ids, supplementary groups).
    pub fn fs_cred(&self) -> crate::vfs::Cred {
        let st = self.process.state();
        crate::vfs::Cred {
            uid: st.creds.fsuid,
            gid: st.creds.fsgid,
            groups: st.groups.clone(),
        }
    }

    /// Locks the filesystem context.
    pub fn fs(&self) -> MutexGuard<'_, FsContext> {
        self.fs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Switches to another address space (`execve`).
    pub fn set_mm(&mut self, mm: Arc<Mutex<Mm>>) {
        self.thread.set_mm(&mm);
        self.mm = mm;
    }

    /// Switches to another descriptor table (`unshare(CLONE_FILES)`, `close_range` with
    /// `CLOSE_RANGE_UNSHARE`, `execve`).
    pub fn set_files(&mut self, files: Arc<Mutex<FdTable>>) {
        self.files = files;
        self.thread.set_tables(&self.files, &self.fs);
    }

    /// Switches to another filesystem context (`unshare(CLONE_FS)`).
    pub fn set_fs(&mut self, fs: Arc<Mutex<FsContext>>) {
        self.fs = fs;
        self.thread.set_tables(&self.files, &self.fs);
    }

    /// Registers the thread's robust-list head (`set_robust_list`; 0 clears it). It lives in
    /// the [`Thread`], where `get_robust_list` from other threads and the exit walk read it.
    pub fn set_robust_list(&mut self, head: u64) {
        self.thread.set_robust_list(head);
    }

    /// The blocked-signal mask.
    pub fn sigmask(&self) -> u64 {
        self.thread.mask()
    }

    /// Replaces the blocked-signal mask. Unblocking may make a pending signal deliverable,
    /// which the run loop picks up before the guest runs again.
    pub fn set_sigmask(&mut self, mask: u64) {
        self.thread.set_mask(mask);
    }

    /// Signals pending for this thread (its own and its process's), as a set. Takes the
    /// process state lock: callers must not hold it.
    pub fn pending_set(&self) -> u64 {
        let st = self.process.state();
        self.thread.pending().set | st.shared_pending.set
    }

    /// Runs the task on `vcpu` until the thread exits.
    pub fn run(&mut self, vcpu: &mut dyn Vcpu) -> Result<(), EngineError> {
        let _current = crate::current::enter(&self.process, &self.thread);
        self.thread.cpu.start();
        self.thread.sched.enter_host();
        let result = self.run_loop(vcpu);
        if result.is_err() {
            // The engine failed: the process cannot go on.
            crate::process::kill_process(
                &self.process,
                ExitStatus::Signaled {
                    signal: Signal::SIGKILL.0,
                    core: false,
                },
            );
        }
        crate::exit::exit_thread(self);
        result
    }

    fn run_loop(&mut self, vcpu: &mut dyn Vcpu) -> Result<(), EngineError> {
        loop {
            if self.should_leave() {
                return Ok(());
            }
            if self.wait_while_stopped() {
                continue;
            }
            self.deliver_signals(vcpu)?;
            if self.should_leave() || self.process.state().stopped.is_some() {
                continue;
            }
            if let Some(fpu) = self.fpu_restore.take() {
                if vcpu.set_fpu_state(&fpu).is_err() {
                    // A sigreturn frame with an FPU image the CPU refuses: Linux kills with
                    // SIGSEGV.
                    self.force_signal(Signal::SIGSEGV, signal::SI_KERNEL, 0);
                    continue;
                }
            }
            let (root, flush) = {
                let mut mm = self.mm();
                mm.sync_cpus(&self.cpu);
                (mm.root(), self.cpu.enter())
            };
            let exit = vcpu.run(&mut self.regs, root, &flush);
            self.cpu.leave();
            match exit? {
                Exit::Syscall => {
                    if CLONE_LIKE.contains(&self.regs.rax) {
                        self.fpu_snapshot = Some(vcpu.fpu_state()?);
                    }
                    self.syscall();
                    self.fpu_snapshot = None;
                }
                Exit::Fault(f) => self.fault(f),
                Exit::Interrupted => {}
            }
        }
    }

    /// Whether the thread must stop running guest code for good.
    fn should_leave(&mut self) -> bool {
        if self.exit_status.is_some() {
            return true;
        }
        if self
            .thread
            .must_exit
            .load(std::sync::atomic::Ordering::Acquire)
        {
            let st = self.process.state();
            self.exit_status = Some(st.group_exit.unwrap_or(ExitStatus::Exited(0)));
            return true;
        }
        false
    }

    /// Sleeps while the process is stopped (job control). Returns true if it slept.
    fn wait_while_stopped(&mut self) -> bool {
        if self.process.state().stopped.is_none() {
            return false;
        }
        let waiter = self.thread.waiter.clone();
        let target: Arc<dyn crate::wait::Wake> = waiter.clone();
        let _reg = self.process.resume.register(&target, !0);
        loop {
            waiter.reset();
            if self.process.state().stopped.is_none()
                || self
                    .thread
                    .must_exit
                    .load(std::sync::atomic::Ordering::Acquire)
            {
                return true;
            }
            waiter.wait(None);
        }
    }

    fn syscall(&mut self) {
        let r = &self.regs;
        let args = SyscallArgs {
            nr: r.rax,
            args: [r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9],
        };
        self.regs_replaced = false;
        let kernel = self.kernel.clone();
        let started = crate::cputime::own_thread_cpu();
        let result = kernel.table.dispatch(self, &args);
        self.thread
            .cpu
            .add_sys(crate::cputime::own_thread_cpu().saturating_sub(started));
        if kernel.strace {
            self.strace(&args, &result);
        }
        if self.regs_replaced {
            return;
        }
        match result {
            Err(
                code @ (Errno::ERESTARTSYS
                | Errno::ERESTARTNOINTR
                | Errno::ERESTARTNOHAND
                | Errno::ERESTART_RESTARTBLOCK),
            ) => {
                // Decided at signal delivery: restart, or EINTR once a handler runs.
                self.regs.rax = Errno::EINTR.to_ret();
                self.interrupted = Some(Interrupted { code, nr: args.nr });
            }
            Ok(v) => self.regs.rax = v,
            Err(e) => self.regs.rax = e.to_ret(),
        }
    }

    fn strace(&self, args: &SyscallArgs, result: &Result<u64, Errno>) {
        let name = self
            .kernel
            .table
            .get(args.nr)
            .map(|e| e.name)
            .unwrap_or("unknown");
        let a = args.args;
        let res = match result {
            Ok(v) if *v > 0xffff => format!("{v:#x}"),
            Ok(v) => v.to_string(),
            Err(e) => format!("-1 {e}"),
        };
        let line = format!(
            "[pid {}] {name}({:#x}, {:#x}, {:#x}, {:#x}, {:#x}, {:#x}) = {res}\n",
            self.tid, a[0], a[1], a[2], a[3], a[4], a[5]
        );
        let _ = std::io::stderr().write_all(line.as_bytes());
    }

    fn fault(&mut self, f: Fault) {
        let (sig, code, addr) = match f.vector {
            14 => {
                let access = if f.error_code & 0x10 != 0 {
                    Access::Exec
                } else if f.error_code & 0x2 != 0 {
                    Access::Write
                } else {
                    Access::Read
                };
                match self.mm().handle_fault(f.addr, access) {
                    FaultOutcome::Resolved => return,
                    FaultOutcome::MapErr => (Signal::SIGSEGV, signal::SEGV_MAPERR, f.addr),
                    FaultOutcome::AccErr => (Signal::SIGSEGV, signal::SEGV_ACCERR, f.addr),
                    FaultOutcome::Bus => (Signal::SIGBUS, signal::BUS_ADRERR, f.addr),
                }
            }
            0 => (Signal::SIGFPE, signal::FPE_INTDIV, self.regs.rip),
            // A #DB: sbx gives guests no debug registers, so it is either a single step (the
            // trap flag is set) or `int1`, which Linux reports as a breakpoint.
            1 if self.regs.rflags & RFLAGS_TF != 0 => {
                (Signal::SIGTRAP, signal::TRAP_TRACE, self.regs.rip)
            }
            1 => (Signal::SIGTRAP, signal::TRAP_BRKPT, self.regs.rip),
            // int3 leaves rip after the instruction; Linux reports SI_KERNEL for it.
            3 => (Signal::SIGTRAP, signal::SI_KERNEL, 0),
            6 => (Signal::SIGILL, signal::ILL_ILLOPN, self.regs.rip),
            16 | 19 => (Signal::SIGFPE, signal::FPE_FLTINV, self.regs.rip),
            17 => (Signal::SIGBUS, signal::BUS_ADRALN, 0),
            _ => (Signal::SIGSEGV, signal::SI_KERNEL, 0),
        };
        self.fault_info = Some((f.vector, f.error_code, f.addr));
        self.force_signal(sig, code, addr);
    }

    /// Raises a synchronous signal caused by the current instruction. Like Linux's
    /// `force_sig_info`, a blocked or ignored signal is unblocked and reset to its default
    /// action, so a fault can never be silently skipped.
    pub fn force_signal(&mut self, sig: Signal, code: i32, addr: u64) {
        {
            let mut st = self.process.state();
            let idx = (sig.0 - 1) as usize;
            let blocked = self.thread.mask() & sig.bit() != 0;
            if st.actions[idx].handler == signal::SIG_IGN || blocked {
                st.actions[idx].handler = signal::SIG_DFL;
            }
            if blocked {
                self.thread.set_mask(self.thread.mask() & !sig.bit());
            }
            self.thread.pending().push(SigInfo::fault(sig, code, addr));
        }
        self.process.notify_signal_queued();
    }

    /// Raises `sig` on this thread, as the kernel does for SIGPIPE (`si_code` SI_USER).
    pub fn send_signal(&mut self, sig: Signal) {
        let uid = self.process.state().creds.uid;
        let info = SigInfo::from_sender(sig, signal::SI_USER, self.process.pid, uid);
        crate::process::send_to_thread(&self.kernel.procs, &self.process, &self.thread, info);
    }

    /// The interrupted-syscall state left for the delivery code, taken.
    pub(crate) fn take_interrupted(&mut self) -> Option<(Errno, u64)> {
        self.interrupted.take().map(|i| (i.code, i.nr))
    }
}
