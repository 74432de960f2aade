//! Signal delivery: default actions, restart decisions, and the x86-64 `rt_sigframe` that
//! enters a handler and that `rt_sigreturn` reads back.
//!
//! The frame is Linux's exact layout, so glibc's and musl's handlers, `ucontext_t` readers and
//! `siglongjmp` work unchanged:
//!
//! ```text
//! sp -> pretcode (sa_restorer)        8 bytes
//!       struct ucontext               304 bytes (flags, link, stack_t, sigcontext, sigmask)
//!       siginfo_t                     128 bytes
//!       ... padding ...
//!       XSAVE area (64-byte aligned) + FP_XSTATE_MAGIC2
//! ```

use crate::engine::{EngineError, Regs, Vcpu};
use crate::errno::{Errno, KResult};
use crate::process::{self, ExitStatus, JobEvent, RLIMIT_CORE};
use crate::signal::{self, SigAction, SigInfo, Signal};
use crate::task::Task;

const UC_OFFSET: u64 = 8;
const MCONTEXT_OFFSET: u64 = UC_OFFSET + 40;
const SIGMASK_OFFSET: u64 = UC_OFFSET + 296;
const INFO_OFFSET: u64 = UC_OFFSET + 304;
const FRAME_SIZE: u64 = INFO_OFFSET + 128;
/// `UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS`.
const UC_FLAGS: u64 = 0x7;
const FP_XSTATE_MAGIC1: u32 = 0x4650_5853;
const FP_XSTATE_MAGIC2: u32 = 0x4650_5845;
/// RFLAGS bits `rt_sigreturn` may restore (Linux's FIX_EFLAGS).
const FIX_EFLAGS: u64 =
    0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x4_0000 | 0x1_0000;
/// Flags cleared on handler entry: TF, DF, RF, AC.
const ENTRY_CLEAR: u64 = 0x100 | 0x400 | 0x1_0000 | 0x4_0000;
const USER_CS: u64 = 0x33;
const USER_SS: u64 = 0x2b;

impl Task {
    /// Delivers every pending, unblocked signal: ignores, default actions (terminate, stop,
    /// continue) and handler frames. Then settles an interrupted syscall (restart or EINTR).
    pub(crate) fn deliver_signals(&mut self, vcpu: &mut dyn Vcpu) -> Result<(), EngineError> {
        let mut interrupted = self.take_interrupted();
        let mut handled = false;
        loop {
            let (info, action, core_allowed) = {
                let mut st = self.process.state();
                if st.group_exit.is_some() || st.stopped.is_some() {
                    break;
                }
                let Some(info) = process::dequeue_signal(&mut st, &self.thread) else {
                    break;
                };
                let sig = info.signal();
                let action = st.action(sig);
                if action.handler > signal::SIG_IGN && action.flags & signal::SA_RESETHAND != 0 {
                    // Linux resets the handler only; flags and mask stay.
                    st.actions[(sig.0 - 1) as usize].handler = signal::SIG_DFL;
                }
                // A core is "dumped" (WCOREDUMP) only where one could be written.
                let core_allowed = st.rlimits[RLIMIT_CORE].0 > 0;
                (info, action, core_allowed)
            };
            let sig = info.signal();
            match action.handler {
                signal::SIG_IGN => {}
                signal::SIG_DFL => {
                    if sig.default_ignored() {
                        continue;
                    }
                    if sig.default_stops() {
                        self.stop_process(sig);
                        break;
                    }
                    process::kill_process(
                        &self.process,
                        ExitStatus::Signaled {
                            signal: sig.0,
                            core: sig.dumps_core() && core_allowed,
                        },
                    );
                    break;
                }
                _ => {
                    if let Some((code, nr)) = interrupted.take() {
                        self.settle_for_handler(code, nr, &action);
                    }
                    if !self.setup_frame(&info, &action, vcpu)? {
                        break;
                    }
                    handled = true;
                }
            }
        }
        if let Some((code, nr)) = interrupted {
            // No handler ran: the call starts over, as if the signal had never come (or
            // continues through its restart block).
            let nr = if code == Errno::ERESTART_RESTARTBLOCK {
                crate::task::NR_RESTART_SYSCALL
            } else {
                nr
            };
            self.restart_syscall(nr);
        }
        if !handled {
            if let Some(mask) = self.saved_sigmask.take() {
                self.set_sigmask(mask);
            }
        }
        Ok(())
    }

    fn restart_syscall(&mut self, nr: u64) {
        self.regs.rax = nr;
        self.regs.rip = self.regs.rip.wrapping_sub(2);
    }

    /// Whether an interrupted call restarts or fails with `EINTR` once a handler runs.
    fn settle_for_handler(&mut self, code: Errno, nr: u64, action: &SigAction) {
        let restart = match code {
            Errno::ERESTARTNOINTR => true,
            Errno::ERESTARTSYS => action.flags & signal::SA_RESTART != 0,
            _ => false,
        };
        if restart {
            self.restart_syscall(nr);
        } else {
            self.regs.rax = Errno::EINTR.to_ret();
            self.restart_block = None;
        }
    }

    /// Stops the whole process (job control) and tells the parent.
    fn stop_process(&mut self, sig: Signal) {
        let threads = {
            let mut st = self.process.state();
            st.stopped = Some(sig.0);
            st.job_event = Some(JobEvent::Stopped(sig.0));
            st.threads.clone()
        };
        for t in threads {
            if t.tid() != self.tid {
                t.interrupt();
            }
        }
        crate::exit::notify_parent_job(self, signal::CLD_STOPPED, sig.0);
    }

    /// Whether `sp` lies on the alternate signal stack.
    fn on_altstack(&self, sp: u64) -> bool {
        let (base, _, size) = self.altstack;
        size != 0 && sp > base && sp - base <= size
    }

    /// Builds the handler frame and points the registers at the handler. Returns false when
    /// the frame could not be written (the process then dies of SIGSEGV, as on Linux).
    fn setup_frame(
        &mut self,
        info: &SigInfo,
        action: &SigAction,
        vcpu: &mut dyn Vcpu,
    ) -> Result<bool, EngineError> {
        let sig = info.signal();
        let xsave_len = self.kernel.machine.cpu_facts().xsave_size.max(512) as usize;
        let mut fpu = vcpu.fpu_state()?;
        fpu.resize(xsave_len.max(fpu.len()), 0);
        fpu.truncate(xsave_len);

        let regs = self.regs;
        let (ss_sp, ss_flags, ss_size) = self.altstack;
        let was_on_alt = self.on_altstack(regs.rsp);
        let mut sp = regs.rsp.wrapping_sub(128);
        if action.flags & signal::SA_ONSTACK != 0
            && ss_size != 0
            && ss_flags & signal::SS_DISABLE == 0
            && !was_on_alt
        {
            sp = ss_sp.wrapping_add(ss_size);
        }
        let fp_size = xsave_len as u64 + 4;
        let fp_addr = sp.wrapping_sub(fp_size) & !63;
        let frame = (fp_addr.wrapping_sub(FRAME_SIZE) & !15).wrapping_sub(8);

        let old_mask = self.saved_sigmask.take().unwrap_or(self.sigmask());
        let (trapno, err, cr2) = match self.fault_info.take() {
            Some((v, e, a)) if info.code > 0 => (v as u64, e, a),
            _ => (0, 0, 0),
        };
        let mut mc = [0u64; 32];
        let gp = [
            regs.r8,
            regs.r9,
            regs.r10,
            regs.r11,
            regs.r12,
            regs.r13,
            regs.r14,
            regs.r15,
            regs.rdi,
            regs.rsi,
            regs.rbp,
            regs.rbx,
            regs.rdx,
            regs.rax,
            regs.rcx,
            regs.rsp,
            regs.rip,
            regs.rflags,
        ];
        mc[..18].copy_from_slice(&gp);
        mc[18] = USER_CS | (USER_SS << 48);
        mc[19] = err;
        mc[20] = trapno;
        mc[21] = old_mask;
        mc[22] = cr2;
        mc[23] = fp_addr;

        let stack_flags = if ss_size == 0 || ss_flags & signal::SS_DISABLE != 0 {
            signal::SS_DISABLE
        } else if was_on_alt {
            signal::SS_ONSTACK
        } else {
            0
        } | (ss_flags & signal::SS_AUTODISARM);
        let mut head = Vec::with_capacity(FRAME_SIZE as usize);
        head.extend_from_slice(&action.restorer.to_le_bytes());
        head.extend_from_slice(&UC_FLAGS.to_le_bytes());
        head.extend_from_slice(&0u64.to_le_bytes());
        head.extend_from_slice(&ss_sp.to_le_bytes());
        head.extend_from_slice(&(stack_flags as u32 as u64).to_le_bytes());
        head.extend_from_slice(&ss_size.to_le_bytes());
        for w in mc {
            head.extend_from_slice(&w.to_le_bytes());
        }
        head.extend_from_slice(&old_mask.to_le_bytes());
        head.extend_from_slice(bytemuck::bytes_of(info));
        debug_assert_eq!(head.len() as u64, FRAME_SIZE);

        // The software-reserved bytes of the FXSAVE area tell readers an XSAVE image follows.
        let xfeatures = u64::from_le_bytes(fpu[512..520].try_into().unwrap_or([0; 8])) | 3;
        fpu[464..468].copy_from_slice(&FP_XSTATE_MAGIC1.to_le_bytes());
        fpu[468..472].copy_from_slice(&(fp_size as u32).to_le_bytes());
        fpu[472..480].copy_from_slice(&xfeatures.to_le_bytes());
        fpu[480..484].copy_from_slice(&(xsave_len as u32).to_le_bytes());
        fpu[484..512].fill(0);
        fpu.extend_from_slice(&FP_XSTATE_MAGIC2.to_le_bytes());

        let written = {
            let mut mm = self.mm();
            mm.copy_out(fp_addr, &fpu)
                .and_then(|_| mm.copy_out(frame, &head))
        };
        if written.is_err() {
            let core = self.process.state().rlimits[RLIMIT_CORE].0 > 0;
            process::kill_process(
                &self.process,
                ExitStatus::Signaled {
                    signal: Signal::SIGSEGV.0,
                    core,
                },
            );
            return Ok(false);
        }
        if ss_flags & signal::SS_AUTODISARM != 0 {
            // The handler may set up another alternate stack (or take a nested signal on
            // this one); rt_sigreturn puts back the one saved in the frame.
            self.altstack = (0, signal::SS_DISABLE, 0);
        }
        self.regs.rsp = frame;
        self.regs.rip = action.handler;
        self.regs.rdi = sig.0 as u64;
        self.regs.rsi = frame + INFO_OFFSET;
        self.regs.rdx = frame + UC_OFFSET;
        self.regs.rax = 0;
        self.regs.rflags &= !ENTRY_CLEAR;
        let mut mask = self.sigmask() | action.mask;
        if action.flags & signal::SA_NODEFER == 0 {
            mask |= sig.bit();
        }
        self.set_sigmask(mask);
        Ok(true)
    }

    /// `rt_sigreturn`: restores the registers, mask, alternate stack and FPU state saved in
    /// the frame the handler returns through.
    pub fn sigreturn(&mut self) -> KResult<()> {
        // As Linux: a call interrupted before the handler cannot be continued afterwards.
        self.restart_block = None;
        let uc = self.regs.rsp;
        let mut raw = [0u8; 304];
        self.mm().copy_in(uc, &mut raw)?;
        let word =
            |i: usize| u64::from_le_bytes(raw[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let mc = |i: usize| word(((MCONTEXT_OFFSET - UC_OFFSET) / 8) as usize + i);
        let mut r = self.regs;
        r.r8 = mc(0);
        r.r9 = mc(1);
        r.r10 = mc(2);
        r.r11 = mc(3);
        r.r12 = mc(4);
        r.r13 = mc(5);
        r.r14 = mc(6);
        r.r15 = mc(7);
        r.rdi = mc(8);
        r.rsi = mc(9);
        r.rbp = mc(10);
        r.rbx = mc(11);
        r.rdx = mc(12);
        r.rax = mc(13);
        r.rcx = mc(14);
        r.rsp = mc(15);
        r.rip = mc(16);
        r.rflags = (self.regs.rflags & !FIX_EFLAGS) | (mc(17) & FIX_EFLAGS);
        let fp_addr = mc(23);
        let mask = word(((SIGMASK_OFFSET - UC_OFFSET) / 8) as usize);
        // uc_stack: a handler may change the alternate stack by editing it; errors are ignored.
        let (ss_sp, ss_flags, ss_size) = (word(2), word(3) as i32, word(4));
        if ss_flags & signal::SS_DISABLE != 0 {
            self.altstack = (0, signal::SS_DISABLE, 0);
        } else if ss_size >= 2048 && !self.on_altstack(self.regs.rsp) {
            self.altstack = (ss_sp, ss_flags & signal::SS_AUTODISARM, ss_size);
        }
        if fp_addr != 0 {
            let xsave_len = self.kernel.machine.cpu_facts().xsave_size.max(512) as usize;
            let mut fpu = vec![0u8; xsave_len];
            self.mm().copy_in(fp_addr, &mut fpu)?;
            // MXCSR's reserved bits would make the CPU refuse the whole image.
            let mxcsr = u32::from_le_bytes(fpu[24..28].try_into().unwrap_or([0; 4])) & 0xffff;
            fpu[24..28].copy_from_slice(&mxcsr.to_le_bytes());
            // A standard-format image: no compaction.
            if fpu.len() >= 528 {
                fpu[520..528].fill(0);
            }
            self.fpu_restore = Some(fpu);
        }
        self.regs = r;
        self.set_sigmask(mask);
        self.regs_replaced = true;
        Ok(())
    }
}

/// The registers a new thread starts with after `clone`: the parent's, with `rax` = 0 and
/// the new stack if one was given.
pub fn child_regs(parent: &Regs, stack: u64) -> Regs {
    let mut r = *parent;
    r.rax = 0;
    if stack != 0 {
        r.rsp = stack;
    }
    r
}
