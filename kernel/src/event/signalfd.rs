//! signalfd: pending signals read from a file descriptor as `struct signalfd_siginfo` records.
//!
//! Like Linux, a signalfd reads the signals of whoever reads it: the calling thread's own
//! pending signals first, then its process's shared ones, restricted to the descriptor's mask.
//! A descriptor inherited across `fork` therefore reads the child's signals in the child.
//! Readiness follows the same rule (the polling thread's signals), so it is computed from the
//! current guest thread ([`crate::current`]).
//!
//! Wake-ups: every process has a `signal_queued` queue that signal generation notifies
//! (Linux's `sighand->signalfd_wqh`). A signalfd has a queue of its own (what readers and epoll
//! register on) and forwards to it from the `signal_queued` queue of each process that has read
//! or polled it, attaching to a process the first time that process uses it.

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::{anon_inode_stat, POLLIN};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_NONBLOCK, O_RDWR};
use crate::process::{Process, Thread};
use crate::signal::{SigInfo, Signal};
use crate::vfs::Stat;
use crate::wait::{WaitQueue, Wake};

/// `SFD_NONBLOCK` (same value as `O_NONBLOCK`).
pub const SFD_NONBLOCK: u32 = O_NONBLOCK;
/// `SFD_CLOEXEC` (same value as `O_CLOEXEC`).
pub const SFD_CLOEXEC: u32 = crate::fd::O_CLOEXEC;

/// Size of one `struct signalfd_siginfo`.
pub const RECORD_SIZE: usize = 128;

/// `struct signalfd_siginfo`, exactly as Linux lays it out.
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable)]
pub struct SignalfdSiginfo {
    /// Signal number.
    pub ssi_signo: u32,
    /// Error number (`si_errno`).
    pub ssi_errno: i32,
    /// `si_code`.
    pub ssi_code: i32,
    /// Sender's pid (kill, queued, child signals).
    pub ssi_pid: u32,
    /// Sender's real uid.
    pub ssi_uid: u32,
    /// File descriptor (SIGIO).
    pub ssi_fd: i32,
    /// Kernel timer id (POSIX timers).
    pub ssi_tid: u32,
    /// Band event (SIGIO).
    pub ssi_band: u32,
    /// Overrun count (POSIX timers).
    pub ssi_overrun: u32,
    /// Trap number (architectures that have one; never on x86-64).
    pub ssi_trapno: u32,
    /// Exit status or signal (SIGCHLD).
    pub ssi_status: i32,
    /// Integer sent by `sigqueue`.
    pub ssi_int: i32,
    /// Pointer sent by `sigqueue`.
    pub ssi_ptr: u64,
    /// User CPU time consumed (SIGCHLD).
    pub ssi_utime: u64,
    /// System CPU time consumed (SIGCHLD).
    pub ssi_stime: u64,
    /// Faulting address (hardware-generated signals).
    pub ssi_addr: u64,
    /// Least significant bit of the address (SIGBUS machine-check errors).
    pub ssi_addr_lsb: u16,
    _pad2: u16,
    /// System call number (SIGSYS).
    pub ssi_syscall: i32,
    /// System call address (SIGSYS).
    pub ssi_call_addr: u64,
    /// System call architecture (SIGSYS).
    pub ssi_arch: u32,
    _pad: [u8; 28],
}

/// Which union member of `siginfo_t` a signal carries (Linux's `enum siginfo_layout`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    Kill,
    Timer,
    Poll,
    Fault,
    FaultMceErr,
    Chld,
    Rt,
    Sys,
}

/// Linux's `siginfo_layout`: kernel-generated codes (between `SI_USER` and `SI_KERNEL`) are
/// read per signal, user-generated ones by their code.
fn layout(signo: i32, code: i32) -> Layout {
    const SI_USER: i32 = 0;
    const SI_KERNEL: i32 = 0x80;
    const SI_TIMER: i32 = -2;
    const SI_SIGIO: i32 = -5;
    const NSIGPOLL: i32 = 6;
    const BUS_MCEERR_AR: i32 = 4;
    const BUS_MCEERR_AO: i32 = 5;
    if code > SI_USER && code < SI_KERNEL {
        // (highest code the signal defines, its layout), as Linux's `sig_sicodes`.
        let (limit, kind) = match signo {
            4 => (11, Layout::Fault),  // SIGILL
            5 => (6, Layout::Fault),   // SIGTRAP
            7 => (5, Layout::Fault),   // SIGBUS
            8 => (15, Layout::Fault),  // SIGFPE
            11 => (10, Layout::Fault), // SIGSEGV
            17 => (6, Layout::Chld),   // SIGCHLD
            29 => (6, Layout::Poll),   // SIGPOLL
            31 => (2, Layout::Sys),    // SIGSYS
            _ => (0, Layout::Kill),
        };
        if code <= limit {
            if signo == 7 && (BUS_MCEERR_AR..=BUS_MCEERR_AO).contains(&code) {
                Layout::FaultMceErr
            } else {
                kind
            }
        } else if code <= NSIGPOLL {
            Layout::Poll
        } else {
            Layout::Kill
        }
    } else if code == SI_TIMER {
        Layout::Timer
    } else if code == SI_SIGIO {
        Layout::Poll
    } else if code < 0 {
        Layout::Rt
    } else {
        Layout::Kill
    }
}

impl SignalfdSiginfo {
    /// The record for a dequeued signal: the fields its `siginfo_t` layout carries (Linux's
    /// `signalfd_copyinfo`), everything else zero.
    pub fn from_siginfo(info: &SigInfo) -> SignalfdSiginfo {
        let mut r: SignalfdSiginfo = bytemuck::Zeroable::zeroed();
        r.ssi_signo = info.signo as u32;
        r.ssi_errno = info.errno;
        r.ssi_code = info.code;
        // The union's words at offsets 16, 24, 32 and 40 of `siginfo_t`.
        let [w0, w1, w2, w3] = [
            info.fields[0],
            info.fields[1],
            info.fields[2],
            info.fields[3],
        ];
        let (lo0, hi0, lo1) = (w0 as u32, (w0 >> 32) as u32, w1 as u32);
        match layout(info.signo, info.code) {
            Layout::Kill => {
                r.ssi_pid = lo0;
                r.ssi_uid = hi0;
            }
            Layout::Timer => {
                r.ssi_tid = lo0;
                r.ssi_overrun = hi0;
                r.ssi_ptr = w1;
                r.ssi_int = lo1 as i32;
            }
            Layout::Poll => {
                r.ssi_band = lo0;
                r.ssi_fd = lo1 as i32;
            }
            Layout::Fault => r.ssi_addr = w0,
            Layout::FaultMceErr => {
                r.ssi_addr = w0;
                r.ssi_addr_lsb = w1 as u16;
            }
            Layout::Chld => {
                r.ssi_pid = lo0;
                r.ssi_uid = hi0;
                r.ssi_status = lo1 as i32;
                r.ssi_utime = w2;
                r.ssi_stime = w3;
            }
            Layout::Rt => {
                r.ssi_pid = lo0;
                r.ssi_uid = hi0;
                r.ssi_ptr = w1;
                r.ssi_int = lo1 as i32;
            }
            Layout::Sys => {
                r.ssi_call_addr = w0;
                r.ssi_syscall = lo1 as i32;
                r.ssi_arch = (w1 >> 32) as u32;
            }
        }
        r
    }
}

/// Passes a process's `signal_queued` notifications on to one signalfd's queue.
struct Forward(Weak<WaitQueue>);

impl Wake for Forward {
    fn wake(&self, events: u32) {
        if let Some(q) = self.0.upgrade() {
            q.notify(events);
        }
    }
}

/// A signalfd (the file kind behind a signalfd descriptor).
pub struct SignalFd {
    /// The signals it reads (never SIGKILL or SIGSTOP).
    mask: AtomicU64,
    /// Readers and epoll instances wait here.
    queue: Arc<WaitQueue>,
    /// Registered with the `signal_queued` queue of every attached process (which hold it
    /// weakly, so it lives here).
    forward: Arc<dyn Wake>,
    /// Processes whose signal queueing wakes this file, with their registration ids.
    attached: Mutex<Vec<(Weak<Process>, u64)>>,
}

impl SignalFd {
    /// A signalfd reading the signals in `mask`.
    pub fn new(mask: u64) -> SignalFd {
        let queue = Arc::new(WaitQueue::new());
        let forward: Arc<dyn Wake> = Arc::new(Forward(Arc::downgrade(&queue)));
        SignalFd {
            mask: AtomicU64::new(mask & !Signal::UNBLOCKABLE),
            queue,
            forward,
            attached: Mutex::new(Vec::new()),
        }
    }

    /// The signalfd behind `file`, if it is one.
    pub fn of(file: &OpenFile) -> Option<&SignalFd> {
        file.ops().as_any().downcast_ref::<SignalFd>()
    }

    /// The signals it reads.
    pub fn mask(&self) -> u64 {
        self.mask.load(Ordering::Relaxed)
    }

    /// Replaces the signals it reads (`signalfd` on an existing descriptor); SIGKILL and
    /// SIGSTOP are silently left out. Waiters look again, as Linux wakes them.
    pub fn set_mask(&self, mask: u64) {
        self.mask
            .store(mask & !Signal::UNBLOCKABLE, Ordering::Relaxed);
        self.queue.notify(POLLIN);
    }

    fn attached(&self) -> MutexGuard<'_, Vec<(Weak<Process>, u64)>> {
        self.attached.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Makes signals queued for `p` wake this file's waiters (once per process).
    fn attach(&self, p: &Arc<Process>) {
        let mut attached = self.attached();
        attached.retain(|(w, _)| w.strong_count() > 0);
        let me = Arc::downgrade(p);
        if attached.iter().any(|(w, _)| w.ptr_eq(&me)) {
            return;
        }
        let id = p.signal_queued.add(&self.forward, !0);
        attached.push((me, id));
    }

    /// Signals in the mask pending for thread `t` of `p` (its own and the shared ones).
    fn pending(&self, p: &Process, t: &Thread) -> u64 {
        // Lock order: the process, then the thread.
        let st = p.state();
        let set = t.pending().set | st.shared_pending.set;
        set & self.mask()
    }

    /// Dequeues up to `max` signals in the mask for thread `t` of `p`: the thread's own
    /// first, then the process's, each lowest-numbered first.
    fn dequeue(&self, p: &Process, t: &Thread, max: usize) -> Vec<SigInfo> {
        let blocked = !self.mask();
        let mut st = p.state();
        let mut out = Vec::new();
        while out.len() < max {
            let next = t.pending().take(blocked);
            match next.or_else(|| st.shared_pending.take(blocked)) {
                Some(i) => out.push(i),
                None => break,
            }
        }
        out
    }
}

impl Drop for SignalFd {
    fn drop(&mut self) {
        // Leave the processes' queues now rather than at their next notification.
        let attached = std::mem::take(&mut *self.attached());
        for (w, id) in attached {
            if let Some(p) = w.upgrade() {
                p.signal_queued.remove(id);
            }
        }
    }
}

/// Opens a signalfd description reading `mask` (`signalfd4`'s `SFD_NONBLOCK`; the caller
/// handles `SFD_CLOEXEC`). `EINVAL` for unknown flags.
pub fn new_signalfd(mask: u64, flags: u32) -> KResult<Arc<OpenFile>> {
    if flags & !(SFD_NONBLOCK | SFD_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    Ok(Arc::new(OpenFile::new(
        Arc::new(SignalFd::new(mask)),
        None,
        O_RDWR | (flags & SFD_NONBLOCK),
    )))
}

impl FileOps for SignalFd {
    fn describe(&self) -> String {
        "anon_inode:[signalfd]".into()
    }

    fn stat(&self) -> KResult<Stat> {
        Ok(anon_inode_stat())
    }

    fn stream_seek(&self, _off: i64, whence: u32) -> KResult<u64> {
        super::noop_llseek(whence)
    }

    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        // Never waits here: the syscall layer sleeps on the queue.
        let max = buf.len() / RECORD_SIZE;
        if max == 0 {
            return Err(Errno::EINVAL);
        }
        let Some((p, t)) = crate::current::current() else {
            return Err(Errno::EAGAIN);
        };
        self.attach(&p);
        let infos = self.dequeue(&p, &t, max);
        if infos.is_empty() {
            return Err(Errno::EAGAIN);
        }
        for (info, out) in infos.iter().zip(buf.chunks_exact_mut(RECORD_SIZE)) {
            out.copy_from_slice(bytemuck::bytes_of(&SignalfdSiginfo::from_siginfo(info)));
        }
        Ok(infos.len() * RECORD_SIZE)
    }

    fn poll(&self, events: u32) -> u32 {
        let Some((p, t)) = crate::current::current() else {
            return 0;
        };
        self.attach(&p);
        if self.pending(&p, &t) != 0 {
            events & POLLIN
        } else {
            0
        }
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.queue)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::process::ProcessState;
    use crate::signal::{SI_QUEUE, SI_TKILL};

    fn record(buf: &[u8]) -> SignalfdSiginfo {
        bytemuck::pod_read_unaligned(&buf[..RECORD_SIZE])
    }

    fn setup() -> (Arc<Process>, Arc<Thread>) {
        let p = Process::new(7, 1, ProcessState::initial(7));
        let t = Thread::new(7, !0);
        p.state().threads.push(t.clone());
        (p, t)
    }

    #[test]
    fn record_layout() {
        assert_eq!(std::mem::size_of::<SignalfdSiginfo>(), RECORD_SIZE);
        assert_eq!(std::mem::offset_of!(SignalfdSiginfo, ssi_ptr), 48);
        assert_eq!(std::mem::offset_of!(SignalfdSiginfo, ssi_addr), 72);
        assert_eq!(std::mem::offset_of!(SignalfdSiginfo, ssi_arch), 96);
    }

    #[test]
    fn layouts_pick_the_union_member() {
        let mut q = SigInfo::from_sender(Signal::SIGUSR1, SI_QUEUE, 42, 1000);
        q.fields[1] = 0x1234;
        let r = SignalfdSiginfo::from_siginfo(&q);
        assert_eq!(
            (r.ssi_pid, r.ssi_uid, r.ssi_int, r.ssi_ptr),
            (42, 1000, 0x1234, 0x1234)
        );
        let c = SigInfo::child(crate::signal::CLD_EXITED, 9, 0, 3);
        let r = SignalfdSiginfo::from_siginfo(&c);
        assert_eq!((r.ssi_pid, r.ssi_status, r.ssi_code), (9, 3, 1));
        let f = SigInfo::fault(Signal::SIGSEGV, crate::signal::SEGV_MAPERR, 0xdead);
        let r = SignalfdSiginfo::from_siginfo(&f);
        assert_eq!((r.ssi_addr, r.ssi_pid), (0xdead, 0));
        // A user code 3 on a signal without kernel codes is read as SIGPOLL's, as Linux does.
        assert_eq!(layout(10, 3), Layout::Poll);
        assert_eq!(layout(10, SI_TKILL), Layout::Rt);
        assert_eq!(layout(14, crate::signal::SI_TIMER), Layout::Timer);
    }

    #[test]
    fn reads_own_then_shared_signals_in_the_mask() {
        let (p, t) = setup();
        let _cur = crate::current::enter(&p, &t);
        let sfd = SignalFd::new(Signal::SIGUSR1.bit() | Signal::SIGUSR2.bit());
        let mut buf = [0u8; 3 * RECORD_SIZE];
        assert_eq!(sfd.read(&mut buf[..127], true), Err(Errno::EINVAL));
        assert_eq!(sfd.read(&mut buf, true), Err(Errno::EAGAIN));
        assert_eq!(sfd.poll(POLLIN), 0);
        p.state()
            .shared_pending
            .push(SigInfo::new(Signal::SIGUSR1, 0));
        p.state()
            .shared_pending
            .push(SigInfo::new(Signal::SIGTERM, 0));
        t.pending().push(SigInfo::new(Signal::SIGUSR2, SI_TKILL));
        assert_eq!(sfd.poll(POLLIN | crate::fd::POLLOUT), POLLIN);
        assert_eq!(sfd.read(&mut buf, true), Ok(2 * RECORD_SIZE));
        assert_eq!(record(&buf).ssi_signo, 12);
        assert_eq!(record(&buf[RECORD_SIZE..]).ssi_signo, 10);
        assert_eq!(sfd.poll(POLLIN), 0);
        // SIGTERM is not in the mask and stays pending.
        assert_eq!(p.state().shared_pending.set, Signal::SIGTERM.bit());
    }

    #[test]
    fn queueing_wakes_attached_readers_and_mask_drops_unblockable() {
        let (p, t) = setup();
        let _cur = crate::current::enter(&p, &t);
        let sfd = SignalFd::new(!0);
        assert_eq!(sfd.mask() & Signal::UNBLOCKABLE, 0);
        let waiter = crate::wait::Waiter::new();
        let target: Arc<dyn Wake> = waiter.clone();
        let reg = sfd.queue.register(&target, POLLIN);
        let mut buf = [0u8; RECORD_SIZE];
        assert_eq!(sfd.read(&mut buf, true), Err(Errno::EAGAIN));
        p.notify_signal_queued();
        assert!(waiter.wait(Some(std::time::Instant::now())));
        drop(reg);
        drop(sfd);
        assert!(p.signal_queued.is_empty());
    }
}
