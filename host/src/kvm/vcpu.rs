//! One KVM vCPU: entering the program, and turning KVM exits into kernel [`Exit`]s.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Once};

use kvm_bindings::{kvm_msr_entry, kvm_segment, kvm_xcrs, kvm_xsave, Msrs};
use kvm_ioctls::{SyncReg, VcpuExit, VcpuFd};
use sbx_kernel::engine::{EngineError, Exit, Fault, Regs, Vcpu, VcpuKicker};
use sbx_kernel::mm::PhysMemory;

use super::layout::*;
use super::{host_err, KvmMachine};

/// RFLAGS bits a program may change (Linux's FIX_EFLAGS): CF PF AF ZF SF TF DF OF AC RF ID.
const USER_FLAGS: u64 =
    0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4_0000 | 0x1_0000 | 0x20_0000;
/// Always-set flags for a running program: reserved bit 1 and IF.
const FIXED_FLAGS: u64 = 0x202;

/// Where the vCPU stopped, which decides how it is resumed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parked {
    /// Not yet run, or stopped in program code: load every register.
    Fresh,
    /// In the syscall stub after its `out`: load registers, return to the program.
    Syscall,
    /// In a gate after its `out`: the `iretq` frame at `frame` (guest-physical) decides where
    /// the program continues.
    Fault { frame: u64 },
}

/// Bytes of I/O permission bitmap after the TSS (ports 0..63, then the required 0xff).
const IO_BITMAP_BYTES: usize = 9;
/// TSS limit: the 0x68-byte TSS plus the bitmap.
const TSS_LIMIT: u64 = 0x68 + IO_BITMAP_BYTES as u64 - 1;

/// The signal used to knock a vCPU thread out of `KVM_RUN`.
fn kick_signal() -> i32 {
    libc::SIGRTMIN() + 2
}

extern "C" fn on_kick(_: i32) {}

fn install_kick_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: installs an empty handler (async-signal-safe) without SA_RESTART, so a
        // blocked KVM_RUN returns EINTR; no other state is touched.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_kick as *const () as usize;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(kick_signal(), &sa, std::ptr::null_mut());
        }
    });
}

/// Interrupts a vCPU from another thread.
pub struct KvmKicker {
    /// `pthread_t` of the thread inside `run`, 0 when none.
    thread: AtomicU64,
    /// Address of `kvm_run.immediate_exit`, 0 once the vCPU is gone.
    immediate_exit: Mutex<usize>,
    /// A delayed re-kick is on its way.
    rekick_pending: AtomicBool,
}

impl KvmKicker {
    /// Kicks again in a moment, from a helper thread (at most one pending at a time).
    fn kick_later(self: &Arc<Self>) {
        if self.rekick_pending.swap(true, Ordering::AcqRel) {
            return;
        }
        let me = self.clone();
        let spawned = std::thread::Builder::new()
            .name("sbx-rekick".into())
            .spawn(move || {
                std::thread::sleep(std::time::Duration::from_micros(50));
                me.rekick_pending.store(false, Ordering::Release);
                me.kick();
            });
        if spawned.is_err() {
            self.rekick_pending.store(false, Ordering::Release);
        }
    }
}

impl VcpuKicker for KvmKicker {
    fn kick(&self) {
        let ptr = self
            .immediate_exit
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if *ptr != 0 {
            // SAFETY: the pointer is into the vCPU's kvm_run mapping, which stays mapped while
            // it is non-zero (the vCPU clears it under this lock before unmapping).
            unsafe { std::ptr::write_volatile(*ptr as *mut u8, 1) };
        }
        let t = self.thread.load(Ordering::Acquire);
        if t != 0 {
            // SAFETY: `t` is a live thread id published by `run` for the duration of the call.
            unsafe { libc::pthread_kill(t as libc::pthread_t, kick_signal()) };
        }
    }
}

/// A KVM vCPU bound to one guest thread.
pub struct KvmVcpu {
    fd: VcpuFd,
    block: u64,
    phys: Arc<PhysMemory>,
    fault_resume: u64,
    parked: Parked,
    kicker: Arc<KvmKicker>,
}

fn user_seg(selector: u16, code: bool) -> kvm_segment {
    kvm_segment {
        base: 0,
        limit: 0xffff_ffff,
        selector,
        type_: if code { 11 } else { 3 },
        present: 1,
        dpl: 3,
        db: u8::from(!code),
        s: 1,
        l: u8::from(code),
        g: 1,
        avl: 0,
        unusable: 0,
        padding: 0,
    }
}

impl KvmVcpu {
    /// The handle that interrupts this vCPU.
    pub(super) fn kicker(&self) -> Arc<dyn VcpuKicker> {
        self.kicker.clone()
    }

    /// Makes a vCPU from the pool ready for a new thread: it enters the next program state
    /// from scratch, and a kick aimed at its previous thread is forgotten.
    pub(super) fn reset(&mut self) {
        self.parked = Parked::Fresh;
        self.fd.set_kvm_immediate_exit(0);
    }

    pub(super) fn new(m: &KvmMachine, id: u64) -> Result<(Self, Arc<dyn VcpuKicker>), EngineError> {
        install_kick_handler();
        let mut fd =
            m.vm.create_vcpu(id)
                .map_err(|e| host_err("KVM_CREATE_VCPU", e))?;
        let block = vcpu_block(id);
        let phys = m.phys.clone();
        // GDT: Linux's layout, then the 16-byte TSS descriptor at 0x40.
        let gdt = [
            0,
            0,
            0x00af_9b00_0000_ffff, // 0x10 kernel code
            0x00cf_9300_0000_ffff, // 0x18 kernel data
            0x00cf_fb00_0000_ffff, // 0x23 user32 code
            0x00cf_f300_0000_ffff, // 0x2b user data
            0x00af_fb00_0000_ffff, // 0x33 user code
            0,
        ];
        for (i, d) in gdt.iter().enumerate() {
            phys.write_u64(block + BLOCK_GDT + i as u64 * 8, *d);
        }
        let tss = KERNEL_BASE + block + BLOCK_TSS;
        let tss_lo =
            TSS_LIMIT | ((tss & 0xff_ffff) << 16) | (0x89u64 << 40) | (((tss >> 24) & 0xff) << 56);
        phys.write_u64(block + BLOCK_GDT + 0x40, tss_lo);
        phys.write_u64(block + BLOCK_GDT + 0x48, tss >> 32);
        phys.zero(block + BLOCK_TSS, TSS_LIMIT as usize + 1)
            .map_err(|e| host_err("TSS", e))?;
        // TSS.RSP0 (offset 4, unaligned).
        phys.write(
            block + BLOCK_TSS + 4,
            &(KERNEL_BASE + block + BLOCK_STACK_TOP).to_le_bytes(),
        )
        .map_err(|e| host_err("TSS", e))?;
        // Under PVM the syscall stub runs at CPL 3, where `out` consults the I/O permission
        // bitmap: allow exactly the stub's ports. (Hardware KVM runs the stub at CPL 0.)
        phys.write(block + BLOCK_TSS + 0x66, &0x68u16.to_le_bytes())
            .map_err(|e| host_err("TSS", e))?;
        let mut bitmap = [0xffu8; IO_BITMAP_BYTES];
        for port in [SYSCALL_PORT, FLUSH_CONTINUE_PORT] {
            bitmap[port as usize / 8] &= !(1 << (port % 8));
        }
        phys.write(block + BLOCK_TSS + 0x68, &bitmap)
            .map_err(|e| host_err("TSS", e))?;

        fd.set_cpuid2(&m.cpuid)
            .map_err(|e| host_err("KVM_SET_CPUID2", e))?;
        let mut s = fd.get_sregs().map_err(|e| host_err("KVM_GET_SREGS", e))?;
        s.cr0 = 0x8005_0033; // PG WP NE ET MP PE
        s.cr4 = 0x20 | 0x200 | 0x400; // PAE OSFXSR OSXMMEXCPT
        if m.xcr0 > 3
            || m.cpuid
                .as_slice()
                .iter()
                .any(|e| e.function == 1 && e.ecx & (1 << 26) != 0)
        {
            s.cr4 |= 1 << 18; // OSXSAVE
        }
        s.efer = 0x1 | 0x100 | 0x400 | 0x800; // SCE LME LMA NXE
        s.cr3 = KERNEL_PML4;
        s.cs = user_seg(USER_CS, true);
        s.ss = user_seg(USER_SS, false);
        s.ds = user_seg(0, false);
        s.es = s.ds;
        s.fs = s.ds;
        s.gs = s.ds;
        s.gdt.base = KERNEL_BASE + block + BLOCK_GDT;
        s.gdt.limit = 0x4f;
        s.idt.base = KERNEL_BASE + IDT;
        s.idt.limit = 0xfff;
        s.tr = kvm_segment {
            base: tss,
            limit: TSS_LIMIT as u32,
            selector: TSS_SEL,
            type_: 11,
            present: 1,
            ..Default::default()
        };
        fd.set_sregs(&s).map_err(|e| host_err("KVM_SET_SREGS", e))?;
        if s.cr4 & (1 << 18) != 0 {
            let mut x = kvm_xcrs {
                nr_xcrs: 1,
                ..Default::default()
            };
            x.xcrs[0].xcr = 0;
            x.xcrs[0].value = m.xcr0;
            fd.set_xcrs(&x).map_err(|e| host_err("KVM_SET_XCRS", e))?;
        }
        let msrs = Msrs::from_entries(&[
            kvm_msr_entry {
                index: 0xc000_0081,
                data: ((USER32_CS as u64) << 48) | ((KERNEL_CS as u64) << 32),
                ..Default::default()
            },
            kvm_msr_entry {
                index: 0xc000_0082,
                data: SYSCALL_STUB,
                ..Default::default()
            },
            kvm_msr_entry {
                index: 0xc000_0083,
                data: 0,
                ..Default::default()
            },
            kvm_msr_entry {
                index: 0xc000_0084,
                data: 0x4_7700,
                ..Default::default()
            },
        ])
        .map_err(|e| host_err("MSR list", e))?;
        fd.set_msrs(&msrs)
            .map_err(|e| host_err("KVM_SET_MSRS", e))?;
        fd.set_sync_valid_reg(SyncReg::Register);
        fd.set_sync_valid_reg(SyncReg::SystemRegister);
        // KVM fills the shared register area only at exits; seed it so the first entry, which
        // writes through it, starts from the state just set.
        let regs = fd.get_regs().map_err(|e| host_err("KVM_GET_REGS", e))?;
        let sregs = fd.get_sregs().map_err(|e| host_err("KVM_GET_SREGS", e))?;
        fd.sync_regs_mut().regs = regs;
        fd.sync_regs_mut().sregs = sregs;
        let run_ptr = std::ptr::addr_of_mut!(fd.get_kvm_run().immediate_exit) as usize;
        let kicker = Arc::new(KvmKicker {
            thread: AtomicU64::new(0),
            immediate_exit: Mutex::new(run_ptr),
            rekick_pending: AtomicBool::new(false),
        });
        let v = KvmVcpu {
            fd,
            block,
            phys,
            fault_resume: m.fault_resume,
            parked: Parked::Fresh,
            kicker: kicker.clone(),
        };
        Ok((v, kicker))
    }

    /// Writes the flush list (at most `FLUSH_CAPACITY` pages) and where to resume after it.
    fn write_flush(&self, pages: &[u64], resume_rip: u64, resume_flags: u64) {
        let hdr = self.block + BLOCK_FLUSH;
        self.phys.write_u64(hdr, pages.len() as u64);
        self.phys.write_u64(hdr + 8, resume_rip);
        self.phys.write_u64(hdr + 16, resume_flags);
        for (i, &pa) in pages.iter().enumerate() {
            self.phys.write_u64(
                self.block + BLOCK_FLUSH_ENTRIES + i as u64 * 8,
                KERNEL_BASE + pa,
            );
        }
    }

    /// Loads `regs` into the vCPU so that the next `KVM_RUN` continues the program, going
    /// through the flush trampoline first when `flush` is non-empty.
    fn enter(&mut self, regs: &Regs, root: u64, flush: &[u64]) -> Result<(), EngineError> {
        let flags = (regs.rflags & USER_FLAGS) | FIXED_FLAGS;
        let target = if flush.is_empty() {
            regs.rip
        } else {
            self.write_flush(flush, regs.rip, flags);
            FLUSH_TRAMPOLINE
        };
        let sync = self.fd.sync_regs_mut();
        let s = &mut sync.sregs;
        let mut sregs_dirty = false;
        if s.cr3 != root {
            s.cr3 = root;
            sregs_dirty = true;
        }
        if s.fs.base != regs.fs_base || s.gs.base != regs.gs_base {
            s.fs.base = regs.fs_base;
            s.gs.base = regs.gs_base;
            sregs_dirty = true;
        }
        let r = &mut sync.regs;
        let kernel_rsp = r.rsp;
        r.rax = regs.rax;
        r.rbx = regs.rbx;
        r.rcx = regs.rcx;
        r.rdx = regs.rdx;
        r.rsi = regs.rsi;
        r.rdi = regs.rdi;
        r.rbp = regs.rbp;
        r.r8 = regs.r8;
        r.r9 = regs.r9;
        r.r10 = regs.r10;
        r.r11 = regs.r11;
        r.r12 = regs.r12;
        r.r13 = regs.r13;
        r.r14 = regs.r14;
        r.r15 = regs.r15;
        match self.parked {
            Parked::Fault { frame } => {
                // Let the gate finish: its iretq frame says where the program continues.
                r.rsp = kernel_rsp;
                self.phys.write_u64(frame + 16, target);
                self.phys.write_u64(frame + 24, USER_CS as u64 | 3);
                self.phys.write_u64(frame + 32, flags);
                self.phys.write_u64(frame + 40, regs.rsp);
                self.phys.write_u64(frame + 48, USER_SS as u64 | 3);
            }
            Parked::Fresh | Parked::Syscall => {
                r.rsp = regs.rsp;
                r.rip = target;
                r.rflags = flags;
                // Under hardware KVM the stub ran at CPL 0 with the kernel selectors.
                if s_cs(sync) != USER_CS {
                    sync.sregs.cs = user_seg(USER_CS, true);
                    sync.sregs.ss = user_seg(USER_SS, false);
                    sregs_dirty = true;
                }
            }
        }
        self.fd.set_sync_dirty_reg(SyncReg::Register);
        if sregs_dirty {
            self.fd.set_sync_dirty_reg(SyncReg::SystemRegister);
        }
        Ok(())
    }

    /// The registers the program sees, from the vCPU's current state.
    fn user_regs(&self) -> Regs {
        let sync = self.fd.sync_regs();
        let r = sync.regs;
        Regs {
            rax: r.rax,
            rbx: r.rbx,
            rcx: r.rcx,
            rdx: r.rdx,
            rsi: r.rsi,
            rdi: r.rdi,
            rbp: r.rbp,
            rsp: r.rsp,
            r8: r.r8,
            r9: r.r9,
            r10: r.r10,
            r11: r.r11,
            r12: r.r12,
            r13: r.r13,
            r14: r.r14,
            r15: r.r15,
            rip: r.rip,
            rflags: r.rflags,
            fs_base: sync.sregs.fs.base,
            gs_base: sync.sregs.gs.base,
        }
    }

    /// Decodes an `out` exit into a kernel exit.
    fn decode(&mut self, port: u16, regs: &mut Regs) -> Result<Option<Exit>, EngineError> {
        let sync = self.fd.sync_regs();
        let cpl = sync.sregs.cs.selector & 3;
        let rip = sync.regs.rip;
        // Depending on the KVM version, RIP at a port-I/O exit is the `out` itself (the skip
        // happens on the next KVM_RUN, and only if RIP was left alone) or the instruction after
        // it. Accept both; the two-byte `out imm8, al` is at each of these places.
        let at = |addr: u64| rip == addr || rip == addr + 2;
        if port == SYSCALL_PORT && at(SYSCALL_STUB) {
            *regs = self.user_regs();
            regs.rip = regs.rcx;
            regs.rflags = regs.r11;
            self.parked = Parked::Syscall;
            return Ok(Some(Exit::Syscall));
        }
        if port == FAULT_PORT && cpl == 0 && at(self.fault_resume - 2) {
            let frame = sync.regs.rsp.wrapping_sub(KERNEL_BASE);
            let vector = self.phys.read_u64(frame);
            let error_code = self.phys.read_u64(frame + 8);
            let cs = self.phys.read_u64(frame + 24);
            if cs & 3 != 3 {
                return Err(EngineError::VcpuDead(format!(
                    "exception {vector} in the engine's own code at {:#x}",
                    self.phys.read_u64(frame + 16)
                )));
            }
            let mut r = self.user_regs();
            r.rip = self.phys.read_u64(frame + 16);
            r.rflags = self.phys.read_u64(frame + 32);
            r.rsp = self.phys.read_u64(frame + 40);
            *regs = r;
            self.parked = Parked::Fault { frame };
            let addr = if vector == 14 { sync.sregs.cr2 } else { 0 };
            return Ok(Some(Exit::Fault(Fault {
                vector: vector as u8,
                error_code,
                addr,
            })));
        }
        if port == FLUSH_CONTINUE_PORT && at(FLUSH_CONTINUE) {
            return Ok(None);
        }
        // The program executed `out` itself: Linux answers that with #GP (SIGSEGV).
        *regs = self.user_regs();
        self.parked = Parked::Fresh;
        Ok(Some(Exit::Fault(Fault {
            vector: 13,
            error_code: 0,
            addr: 0,
        })))
    }

    fn run_once(&mut self) -> Result<Option<u16>, EngineError> {
        // SAFETY: pthread_self has no preconditions.
        self.kicker
            .thread
            .store(unsafe { libc::pthread_self() } as u64, Ordering::Release);
        let res = self.fd.run();
        self.kicker.thread.store(0, Ordering::Release);
        match res {
            Ok(VcpuExit::IoOut(port, _)) => Ok(Some(port)),
            Ok(VcpuExit::Shutdown) => Err(EngineError::VcpuDead("triple fault (shutdown)".into())),
            Ok(other) => Err(EngineError::VcpuDead(format!("unexpected exit {other:?}"))),
            Err(e) if e.errno() == libc::EINTR || e.errno() == libc::EAGAIN => {
                self.fd.set_kvm_immediate_exit(0);
                Ok(None)
            }
            Err(e) => Err(host_err("KVM_RUN", e)),
        }
    }
}

fn s_cs(sync: &kvm_bindings::kvm_sync_regs) -> u16 {
    sync.sregs.cs.selector
}

impl Vcpu for KvmVcpu {
    fn run(&mut self, regs: &mut Regs, root: u64, flush: &[u64]) -> Result<Exit, EngineError> {
        let mut batches = flush.chunks(FLUSH_CAPACITY).peekable();
        let first = batches.next().unwrap_or(&[]);
        if batches.peek().is_some() {
            // More changes than one list holds: run the trampoline per batch, each returning to
            // the continue stub, and only then to the program.
            let mut r = *regs;
            r.rip = FLUSH_CONTINUE;
            self.enter(&r, root, first)?;
        } else {
            self.enter(regs, root, first)?;
        }
        loop {
            let Some(port) = self.run_once()? else {
                let cpl = self.fd.sync_regs().sregs.cs.selector & 3;
                // The entry page's stubs run at CPL 3 too (under PVM): stopped there, the
                // program's own state is not in the registers yet, so the kick waits.
                let rip = self.fd.sync_regs().regs.rip;
                let in_stub = (ENTRY_PAGE..ENTRY_PAGE + 0x1000).contains(&rip);
                if cpl == 3 && !in_stub && matches!(self.parked, Parked::Fresh | Parked::Syscall) {
                    *regs = self.user_regs();
                    self.parked = Parked::Fresh;
                    return Ok(Exit::Interrupted);
                }
                // The kick was absorbed by engine code, which may go back to the program
                // (the flush trampoline's iretq) without another exit: kick again shortly.
                self.kicker.kick_later();
                continue;
            };
            match self.decode(port, regs)? {
                Some(exit) => return Ok(exit),
                None => {
                    // A batch finished at the continue stub: load the next one.
                    self.parked = Parked::Fresh;
                    match batches.next() {
                        Some(batch) => {
                            let mut r = *regs;
                            if batches.peek().is_some() {
                                r.rip = FLUSH_CONTINUE;
                            }
                            self.enter(&r, root, batch)?;
                        }
                        None => self.enter(regs, root, &[])?,
                    }
                }
            }
        }
    }

    fn fpu_state(&mut self) -> Result<Vec<u8>, EngineError> {
        let x = self
            .fd
            .get_xsave()
            .map_err(|e| host_err("KVM_GET_XSAVE", e))?;
        Ok(x.region.iter().flat_map(|w| w.to_le_bytes()).collect())
    }

    fn set_fpu_state(&mut self, state: &[u8]) -> Result<(), EngineError> {
        let mut x = kvm_xsave::default();
        for (i, w) in x.region.iter_mut().enumerate() {
            let mut b = [0u8; 4];
            if let Some(src) = state.get(i * 4..i * 4 + 4) {
                b.copy_from_slice(src);
            }
            *w = u32::from_le_bytes(b);
        }
        // SAFETY: `x` is a complete kvm_xsave of the legacy 4 KiB size, which is what
        // KVM_SET_XSAVE reads.
        unsafe { self.fd.set_xsave(&x) }.map_err(|e| host_err("KVM_SET_XSAVE", e))
    }
}

impl Drop for KvmVcpu {
    fn drop(&mut self) {
        *self
            .kicker
            .immediate_exit
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = 0;
    }
}

/// A vCPU lent to one guest thread; it goes back to the machine's pool when the thread ends,
/// because KVM cannot destroy a single vCPU and a VM has a bounded number of them.
pub struct PooledVcpu {
    inner: Option<KvmVcpu>,
    pool: Arc<Mutex<Vec<KvmVcpu>>>,
}

impl PooledVcpu {
    pub(super) fn new(v: KvmVcpu, pool: Arc<Mutex<Vec<KvmVcpu>>>) -> PooledVcpu {
        PooledVcpu {
            inner: Some(v),
            pool,
        }
    }

    fn vcpu(&mut self) -> Result<&mut KvmVcpu, EngineError> {
        self.inner
            .as_mut()
            .ok_or_else(|| EngineError::Host("vCPU already returned".into()))
    }
}

impl Vcpu for PooledVcpu {
    fn run(&mut self, regs: &mut Regs, root: u64, flush: &[u64]) -> Result<Exit, EngineError> {
        self.vcpu()?.run(regs, root, flush)
    }

    fn fpu_state(&mut self) -> Result<Vec<u8>, EngineError> {
        self.vcpu()?.fpu_state()
    }

    fn set_fpu_state(&mut self, state: &[u8]) -> Result<(), EngineError> {
        self.vcpu()?.set_fpu_state(state)
    }
}

impl Drop for PooledVcpu {
    fn drop(&mut self) {
        if let Some(mut v) = self.inner.take() {
            v.reset();
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(v);
        }
    }
}
