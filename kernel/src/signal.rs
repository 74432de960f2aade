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
