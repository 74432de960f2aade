//! Tasks (guest threads), the processes they belong to, and the run loop that turns engine
//! exits into syscalls and signals.

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::engine::{EngineError, Exit, Fault, Regs, Vcpu};
use crate::errno::Errno;
use crate::fd::FdTable;
use crate::mm::{Access, FaultOutcome, Mm};
use crate::signal::{self, SigAction, Signal};
use crate::syscall::SyscallArgs;
use crate::vfs::FsContext;
use crate::Kernel;

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
}

/// Thread-group state shared by all threads of a process.
pub struct Process {
    /// Process id inside the sandbox.
    pub pid: i32,
    /// Parent's pid inside the sandbox (0 for the first process).
    pub ppid: i32,
    /// Mutable per-process state.
    pub state: Mutex<ProcessState>,
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
}

impl Process {
    /// Locks the mutable state.
    pub fn state(&self) -> MutexGuard<'_, ProcessState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Linux's default resource limits for a fresh process.
pub fn default_rlimits() -> [(u64, u64); 16] {
    const INF: u64 = u64::MAX;
    let mut r = [(INF, INF); 16];
    r[3] = (8 << 20, INF); // RLIMIT_STACK
    r[4] = (0, INF); // RLIMIT_CORE
    r[6] = (63_432, 63_432); // RLIMIT_NPROC
    r[7] = (1024, 1_048_576); // RLIMIT_NOFILE
    r[8] = (8 << 20, 8 << 20); // RLIMIT_MEMLOCK
    r[11] = (63_432, 63_432); // RLIMIT_SIGPENDING
    r[12] = (819_200, 819_200); // RLIMIT_MSGQUEUE
    r[13] = (0, 0); // RLIMIT_NICE
    r[14] = (0, 0); // RLIMIT_RTPRIO
    r
}

/// A guest thread: its registers and the (possibly shared) resources it uses.
pub struct Task {
    /// Thread id inside the sandbox.
    pub tid: i32,
    /// User registers.
    pub regs: Regs,
    /// The thread group.
    pub process: Arc<Process>,
    /// Address space (shared by threads, copied by fork).
    pub mm: Arc<Mutex<Mm>>,
    /// Descriptor table.
    pub files: Arc<Mutex<FdTable>>,
    /// Root, cwd and umask.
    pub fs: Arc<Mutex<FsContext>>,
    /// The sandbox-wide kernel.
    pub kernel: Arc<Kernel>,
    /// Blocked signals.
    pub sigmask: u64,
    /// Signals raised for this thread and not yet delivered.
    pub pending: u64,
    /// `set_tid_address` pointer.
    pub clear_child_tid: u64,
    /// `set_robust_list` head.
    pub robust_list: u64,
    /// `sigaltstack`: (ss_sp, ss_flags, ss_size).
    pub altstack: (u64, i32, u64),
    /// Set by `exit`/`exit_group`/a fatal signal: the loop stops after the current exit.
    pub exit_status: Option<ExitStatus>,
    /// Set by handlers that replaced the whole register file (`execve`, `rt_sigreturn`), so the
    /// return value must not be written to `rax`.
    pub regs_replaced: bool,
    /// Woken by wait queues and signal senders while the task blocks.
    pub waiter: Arc<crate::wait::Waiter>,
}

impl Task {
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
            uid: st.creds.euid,
            gid: st.creds.egid,
            groups: st.groups.clone(),
        }
    }

    /// Locks the filesystem context.
    pub fn fs(&self) -> MutexGuard<'_, FsContext> {
        self.fs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs the task on `vcpu` until the process exits.
    pub fn run(&mut self, vcpu: &mut dyn Vcpu) -> Result<ExitStatus, EngineError> {
        loop {
            if let Some(status) = self.exit_status {
                return Ok(status);
            }
            let (root, flush) = {
                let mut mm = self.mm();
                (mm.root(), mm.take_flush())
            };
            match vcpu.run(&mut self.regs, root, &flush)? {
                Exit::Syscall => self.syscall(),
                Exit::Fault(f) => self.fault(f),
                Exit::Interrupted => {}
            }
            self.deliver_signals();
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
        let result = kernel.table.dispatch(self, &args);
        if kernel.strace {
            self.strace(&args, &result);
        }
        if !self.regs_replaced {
            self.regs.rax = match result {
                Ok(v) => v,
                Err(e) => e.to_ret(),
            };
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
            1 | 3 => (Signal::SIGTRAP, signal::TRAP_BRKPT, 0),
            6 => (Signal::SIGILL, signal::ILL_ILLOPN, self.regs.rip),
            16 | 19 => (Signal::SIGFPE, signal::FPE_FLTINV, self.regs.rip),
            17 => (Signal::SIGBUS, signal::BUS_ADRALN, 0),
            _ => (Signal::SIGSEGV, signal::SI_KERNEL, 0),
        };
        self.force_signal(sig, code, addr);
    }

    /// Raises a synchronous signal caused by the current instruction.
    pub fn force_signal(&mut self, sig: Signal, _code: i32, _addr: u64) {
        // Handlers for synchronous faults need signal frames (issue: signals); until then a
        // fault always takes the default action, which for these signals is to die.
        self.die_of(sig);
    }

    /// Marks `sig` pending for this thread.
    pub fn send_signal(&mut self, sig: Signal) {
        self.pending |= sig.bit();
    }

    fn die_of(&mut self, sig: Signal) {
        self.exit_status = Some(ExitStatus::Signaled {
            signal: sig.0,
            core: sig.dumps_core(),
        });
    }

    /// Delivers pending, unblocked signals whose disposition is not a handler.
    fn deliver_signals(&mut self) {
        while self.exit_status.is_none() {
            let ready = self.pending & !self.sigmask | (self.pending & Signal::UNBLOCKABLE);
            if ready == 0 {
                return;
            }
            let sig = Signal(ready.trailing_zeros() as i32 + 1);
            self.pending &= !sig.bit();
            let action = self.process.state().actions[(sig.0 - 1) as usize];
            match action.handler {
                signal::SIG_IGN => {}
                signal::SIG_DFL => {
                    if sig.default_terminates() {
                        self.die_of(sig);
                    }
                }
                _ => {
                    // Handler frames arrive with signal delivery; until then a handled signal
                    // keeps Linux's default action so the guest never runs on bad state.
                    if sig.default_terminates() {
                        self.die_of(sig);
                    }
                }
            }
        }
    }
}
