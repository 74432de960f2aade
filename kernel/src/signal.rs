//! Signal numbers, dispositions and `si_code` values (x86-64 Linux numbering).

/// A signal number (1..=64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signal(pub i32);

impl Signal {
    /// SIGHUP.
    pub const SIGHUP: Signal = Signal(1);
    /// SIGINT.
    pub const SIGINT: Signal = Signal(2);
    /// SIGQUIT.
    pub const SIGQUIT: Signal = Signal(3);
    /// SIGILL.
    pub const SIGILL: Signal = Signal(4);
    /// SIGTRAP.
    pub const SIGTRAP: Signal = Signal(5);
    /// SIGABRT.
    pub const SIGABRT: Signal = Signal(6);
    /// SIGBUS.
    pub const SIGBUS: Signal = Signal(7);
    /// SIGFPE.
    pub const SIGFPE: Signal = Signal(8);
    /// SIGKILL.
    pub const SIGKILL: Signal = Signal(9);
    /// SIGUSR1.
    pub const SIGUSR1: Signal = Signal(10);
    /// SIGSEGV.
    pub const SIGSEGV: Signal = Signal(11);
    /// SIGUSR2.
    pub const SIGUSR2: Signal = Signal(12);
    /// SIGPIPE.
    pub const SIGPIPE: Signal = Signal(13);
    /// SIGALRM.
    pub const SIGALRM: Signal = Signal(14);
    /// SIGTERM.
    pub const SIGTERM: Signal = Signal(15);
    /// SIGCHLD.
    pub const SIGCHLD: Signal = Signal(17);
    /// SIGCONT.
    pub const SIGCONT: Signal = Signal(18);
    /// SIGSTOP.
    pub const SIGSTOP: Signal = Signal(19);
    /// SIGTSTP.
    pub const SIGTSTP: Signal = Signal(20);
    /// SIGTTIN.
    pub const SIGTTIN: Signal = Signal(21);
    /// SIGTTOU.
    pub const SIGTTOU: Signal = Signal(22);
    /// SIGURG.
    pub const SIGURG: Signal = Signal(23);
    /// SIGXCPU.
    pub const SIGXCPU: Signal = Signal(24);
    /// SIGXFSZ.
    pub const SIGXFSZ: Signal = Signal(25);
    /// SIGWINCH.
    pub const SIGWINCH: Signal = Signal(28);
    /// SIGSYS.
    pub const SIGSYS: Signal = Signal(31);

    /// Mask of SIGKILL and SIGSTOP, which can be neither blocked nor caught.
    pub const UNBLOCKABLE: u64 = (1 << 8) | (1 << 18);

    /// A valid signal number, or `None`.
    pub fn new(n: i32) -> Option<Signal> {
        (1..=64).contains(&n).then_some(Signal(n))
    }

    /// This signal's bit in a `sigset_t`.
    pub fn bit(self) -> u64 {
        1u64 << (self.0 - 1)
    }

    /// Whether the default action ends the process.
    pub fn default_terminates(self) -> bool {
        !matches!(self.0, 17 | 18 | 19 | 20 | 21 | 22 | 23 | 28)
    }

    /// Whether the default action dumps core.
    pub fn dumps_core(self) -> bool {
        matches!(self.0, 3 | 4 | 5 | 6 | 7 | 8 | 11 | 24 | 25 | 31)
    }
}

/// `SIG_DFL`.
pub const SIG_DFL: u64 = 0;
/// `SIG_IGN`.
pub const SIG_IGN: u64 = 1;

/// A signal disposition as `rt_sigaction` stores it (the kernel's `struct sigaction` layout).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SigAction {
    /// Handler address, `SIG_DFL` or `SIG_IGN`.
    pub handler: u64,
    /// `SA_*` flags.
    pub flags: u64,
    /// `sa_restorer` (the `rt_sigreturn` trampoline libc provides).
    pub restorer: u64,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

/// `si_code` for signals raised by the kernel.
pub const SI_KERNEL: i32 = 0x80;
/// `si_code` for `kill`.
pub const SI_USER: i32 = 0;
/// `si_code` for `tkill`/`tgkill`.
pub const SI_TKILL: i32 = -6;
/// SIGSEGV: address not mapped.
pub const SEGV_MAPERR: i32 = 1;
/// SIGSEGV: permissions.
pub const SEGV_ACCERR: i32 = 2;
/// SIGBUS: misaligned.
pub const BUS_ADRALN: i32 = 1;
/// SIGBUS: nonexistent physical address.
pub const BUS_ADRERR: i32 = 2;
/// SIGFPE: integer divide by zero.
pub const FPE_INTDIV: i32 = 1;
/// SIGFPE: invalid floating-point operation.
pub const FPE_FLTINV: i32 = 7;
/// SIGILL: illegal opcode.
pub const ILL_ILLOPN: i32 = 2;
/// SIGTRAP: breakpoint.
pub const TRAP_BRKPT: i32 = 1;
/// `TRAP_TRACE`: a single-step trap (the trap flag was set).
pub const TRAP_TRACE: i32 = 2;

/// `si_code` for `sigqueue`/`rt_sigqueueinfo`.
pub const SI_QUEUE: i32 = -1;
/// `si_code` for POSIX timers.
pub const SI_TIMER: i32 = -2;
/// SIGCHLD: child exited.
pub const CLD_EXITED: i32 = 1;
/// SIGCHLD: child killed.
pub const CLD_KILLED: i32 = 2;
/// SIGCHLD: child killed and dumped core.
pub const CLD_DUMPED: i32 = 3;
/// SIGCHLD: child stopped.
pub const CLD_STOPPED: i32 = 5;
/// SIGCHLD: stopped child continued.
pub const CLD_CONTINUED: i32 = 6;

/// `SA_NOCLDSTOP`.
pub const SA_NOCLDSTOP: u64 = 0x1;
/// `SA_NOCLDWAIT`.
pub const SA_NOCLDWAIT: u64 = 0x2;
/// `SA_SIGINFO`.
pub const SA_SIGINFO: u64 = 0x4;
/// `SA_RESTORER`.
pub const SA_RESTORER: u64 = 0x0400_0000;
/// `SA_ONSTACK`.
pub const SA_ONSTACK: u64 = 0x0800_0000;
/// `SA_RESTART`.
pub const SA_RESTART: u64 = 0x1000_0000;
/// `SA_NODEFER`.
pub const SA_NODEFER: u64 = 0x4000_0000;
/// `SA_RESETHAND`.
pub const SA_RESETHAND: u64 = 0x8000_0000;

/// `SS_ONSTACK`.
pub const SS_ONSTACK: i32 = 1;
/// `SS_DISABLE`.
pub const SS_DISABLE: i32 = 2;
/// `SS_AUTODISARM`: the alternate stack is disarmed while a handler runs on it.
pub const SS_AUTODISARM: i32 = 1 << 31;

impl Signal {
    /// Whether the default action stops the process.
    pub fn default_stops(self) -> bool {
        matches!(self.0, 19..=22)
    }

    /// Whether the default action is to ignore the signal.
    pub fn default_ignored(self) -> bool {
        matches!(self.0, 17 | 18 | 23 | 28)
    }

    /// Real-time signals (32..=64) queue every instance; standard ones coalesce.
    pub fn is_realtime(self) -> bool {
        self.0 >= 32
    }
}

/// The kernel's `siginfo_t` (128 bytes), as the guest receives it.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SigInfo {
    /// Signal number.
    pub signo: i32,
    /// Error number (unused by Linux for most signals).
    pub errno: i32,
    /// `si_code`.
    pub code: i32,
    _pad: i32,
    /// The union, as raw words (offset 16 of the structure).
    pub fields: [u64; 14],
}

impl SigInfo {
    /// A bare siginfo with `signo` and `code`.
    pub fn new(sig: Signal, code: i32) -> SigInfo {
        SigInfo {
            signo: sig.0,
            errno: 0,
            code,
            _pad: 0,
            fields: [0; 14],
        }
    }

    /// From `kill`/`tkill`/`sigqueue`: sender pid and uid.
    pub fn from_sender(sig: Signal, code: i32, pid: i32, uid: u32) -> SigInfo {
        let mut i = SigInfo::new(sig, code);
        i.fields[0] = (pid as u32 as u64) | ((uid as u64) << 32);
        i
    }

    /// A fault at `addr`.
    pub fn fault(sig: Signal, code: i32, addr: u64) -> SigInfo {
        let mut i = SigInfo::new(sig, code);
        i.fields[0] = addr;
        i
    }

    /// SIGCHLD for child `pid` (`status` is the exit code or signal number).
    pub fn child(code: i32, pid: i32, uid: u32, status: i32) -> SigInfo {
        let mut i = SigInfo::from_sender(Signal::SIGCHLD, code, pid, uid);
        i.fields[1] = status as u32 as u64;
        i
    }

    /// The signal.
    pub fn signal(&self) -> Signal {
        Signal(self.signo)
    }

    /// `si_pid` (for the kinds that carry one).
    pub fn pid(&self) -> i32 {
        self.fields[0] as u32 as i32
    }

    /// `si_uid`.
    pub fn uid(&self) -> u32 {
        (self.fields[0] >> 32) as u32
    }
}

/// Signals raised and not yet delivered (a thread's own, or its process's shared set).
#[derive(Default)]
pub struct SigPending {
    /// One bit per pending signal.
    pub set: u64,
    /// The siginfos, oldest first (one per standard signal, each instance of a real-time one).
    pub queue: Vec<SigInfo>,
}

impl SigPending {
    /// Adds `info`; a standard signal already pending is not queued twice.
    pub fn push(&mut self, info: SigInfo) {
        let sig = info.signal();
        if self.set & sig.bit() != 0 && !sig.is_realtime() {
            return;
        }
        self.set |= sig.bit();
        self.queue.push(info);
    }

    /// Marks `sig` pending without a siginfo (`RLIMIT_SIGPENDING` left no room for one): it
    /// is delivered as if from `kill` by pid 0, as Linux does.
    pub fn push_bare(&mut self, sig: Signal) {
        self.set |= sig.bit();
    }

    /// How many siginfos are queued (what `RLIMIT_SIGPENDING` counts).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Removes and returns the lowest-numbered pending signal not in `blocked`.
    pub fn take(&mut self, blocked: u64) -> Option<SigInfo> {
        let ready = self.set & !blocked;
        if ready == 0 {
            return None;
        }
        self.take_signal(Signal(ready.trailing_zeros() as i32 + 1))
    }

    /// Removes and returns the oldest instance of `sig`.
    pub fn take_signal(&mut self, sig: Signal) -> Option<SigInfo> {
        if self.set & sig.bit() == 0 {
            return None;
        }
        let Some(pos) = self.queue.iter().position(|i| i.signo == sig.0) else {
            // Pending without a siginfo (see `push_bare`).
            self.set &= !sig.bit();
            return Some(SigInfo::from_sender(sig, SI_USER, 0, 0));
        };
        let info = self.queue.remove(pos);
        if !self.queue.iter().any(|i| i.signo == sig.0) {
            self.set &= !sig.bit();
        }
        Some(info)
    }

    /// Drops every pending instance of the signals in `mask`.
    pub fn discard(&mut self, mask: u64) {
        self.queue.retain(|i| Signal(i.signo).bit() & mask == 0);
        self.set &= !mask;
    }
}

/// Signals whose default action stops the process.
pub const STOP_MASK: u64 = (1 << 18) | (1 << 19) | (1 << 20) | (1 << 21);
/// SIGCONT's bit.
pub const CONT_MASK: u64 = 1 << 17;
