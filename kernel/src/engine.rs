//! The contract between the kernel and an execution engine (KVM or binary translation).
//!
//! An engine runs guest code: it knows nothing of syscall semantics. The kernel builds x86-64
//! page tables in guest-physical memory (see `mm`); an engine executes a thread's registers
//! against a page-table root until something needs the kernel, and reports that as an [`Exit`].
//! gVisor calls this the platform interface (`pkg/sentry/platform`).

use std::sync::Arc;

use crate::mm::{AddressSpaceTemplate, PhysMemory};

/// A guest thread's user-visible register file.
#[repr(C)]
#[derive(Clone, Copy, Default, Debug, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct Regs {
    /// rax.
    pub rax: u64,
    /// rbx.
    pub rbx: u64,
    /// rcx.
    pub rcx: u64,
    /// rdx.
    pub rdx: u64,
    /// rsi.
    pub rsi: u64,
    /// rdi.
    pub rdi: u64,
    /// rbp.
    pub rbp: u64,
    /// rsp.
    pub rsp: u64,
    /// r8.
    pub r8: u64,
    /// r9.
    pub r9: u64,
    /// r10.
    pub r10: u64,
    /// r11.
    pub r11: u64,
    /// r12.
    pub r12: u64,
    /// r13.
    pub r13: u64,
    /// r14.
    pub r14: u64,
    /// r15.
    pub r15: u64,
    /// Instruction pointer.
    pub rip: u64,
    /// Flags.
    pub rflags: u64,
    /// FS segment base (thread pointer).
    pub fs_base: u64,
    /// GS segment base.
    pub gs_base: u64,
}

/// A hardware exception raised by guest code, as the engine saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fault {
    /// x86 exception vector (0 = #DE, 6 = #UD, 13 = #GP, 14 = #PF, ...).
    pub vector: u8,
    /// The exception's error code (0 when the vector has none).
    pub error_code: u64,
    /// Faulting linear address for #PF (CR2), 0 otherwise.
    pub addr: u64,
}

/// Why a vCPU stopped running guest code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The guest executed `syscall`. `regs.rip` is the instruction after it, `rax` the number.
    Syscall,
    /// The guest raised an exception; `regs.rip` is the faulting instruction.
    Fault(Fault),
    /// The run was interrupted from outside (another thread asked this vCPU to stop).
    Interrupted,
}

/// An engine failure: a host-side problem, never something a guest can cause on purpose.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The engine could not be set up on this host.
    #[error("{0}")]
    Unavailable(String),
    /// A host call failed while running the guest.
    #[error("engine error: {0}")]
    Host(String),
    /// The virtual CPU reached a state it cannot leave (e.g. a triple fault).
    #[error("virtual CPU failure: {0}")]
    VcpuDead(String),
}

/// One virtual CPU, driven by exactly one guest thread.
pub trait Vcpu: Send {
    /// Runs `regs` on the page tables at `root` until the next exit. `flush` lists the
    /// page-table pages changed since the last run (see `mm::FlushList`); the engine makes the
    /// CPU see their new contents before any guest instruction runs.
    fn run(&mut self, regs: &mut Regs, root: u64, flush: &[u64]) -> Result<Exit, EngineError>;

    /// The guest's FPU/SSE/AVX state in the XSAVE layout (used for signal frames).
    fn fpu_state(&mut self) -> Result<Vec<u8>, EngineError>;

    /// Restores state saved by [`Vcpu::fpu_state`].
    fn set_fpu_state(&mut self, state: &[u8]) -> Result<(), EngineError>;
}

/// Something that can stop a running vCPU from another thread.
pub trait VcpuKicker: Send + Sync {
    /// Makes the vCPU's current or next `run` return [`Exit::Interrupted`] promptly.
    fn kick(&self);
}

/// The kicker of the vCPU a guest thread runs on (none before it has one and after it ends),
/// shared by everyone who may need to stop that vCPU: signal senders and TLB shootdowns.
#[derive(Default)]
pub struct KickSlot(std::sync::Mutex<Option<Arc<dyn VcpuKicker>>>);

impl KickSlot {
    /// Installs (or removes) the kicker.
    pub fn set(&self, kicker: Option<Arc<dyn VcpuKicker>>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = kicker;
    }

    /// Kicks the vCPU, if there is one.
    pub fn kick(&self) {
        if let Some(k) = self.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            k.kick();
        }
    }
}

/// Auxiliary-vector facts the CPU profile decides.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuFacts {
    /// `AT_HWCAP`.
    pub hwcap: u64,
    /// `AT_HWCAP2`.
    pub hwcap2: u64,
    /// `AT_MINSIGSTKSZ`.
    pub minsigstksz: u64,
    /// Size of the XSAVE area the signal frame carries.
    pub xsave_size: u32,
}

/// A new vCPU and the handle that interrupts it.
pub type NewVcpu = (Box<dyn Vcpu>, Arc<dyn VcpuKicker>);

/// One sandbox's machine: guest-physical memory plus the means to run vCPUs on it.
pub trait Machine: Send + Sync {
    /// Short name (`"kvm"`, `"bt"`).
    fn name(&self) -> &'static str;
    /// Guest-physical memory shared by every address space of the sandbox.
    fn phys(&self) -> &Arc<PhysMemory>;
    /// What each new address space must contain for this engine.
    fn template(&self) -> AddressSpaceTemplate;
    /// Creates a vCPU and a handle that can interrupt it.
    fn new_vcpu(&self) -> Result<NewVcpu, EngineError>;
    /// CPU-profile facts for the initial stack.
    fn cpu_facts(&self) -> CpuFacts;
}
