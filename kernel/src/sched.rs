//! A thread's scheduling attributes (nice value, policy, real-time priority, CPU affinity,
//! I/O priority) as Linux keeps them per task, and their one real effect: a guest thread's
//! nice value is applied to the host thread that runs it, only ever downwards from where the
//! sandbox started.
//!
//! The attributes live in the shared [`crate::process::Thread`], so any thread may read or
//! change another's (`setpriority`, `sched_setscheduler`, `taskset -p`…). The lock is a leaf:
//! nothing else is locked while it is held.

use std::sync::{Mutex, MutexGuard, OnceLock};

/// A CPU set as Linux's `cpu_set_t` holds it: 1024 CPUs, bit N of word N / 64.
pub type CpuMask = [u64; 16];

/// `SCHED_OTHER` (`SCHED_NORMAL`).
pub const SCHED_OTHER: i32 = 0;
/// `SCHED_FIFO`.
pub const SCHED_FIFO: i32 = 1;
/// `SCHED_RR`.
pub const SCHED_RR: i32 = 2;
/// `SCHED_BATCH`.
pub const SCHED_BATCH: i32 = 3;
/// `SCHED_IDLE`.
pub const SCHED_IDLE: i32 = 5;
/// `SCHED_DEADLINE`.
pub const SCHED_DEADLINE: i32 = 6;

/// `IOPRIO_CLASS_SHIFT`: the class sits above 13 bits of level and hints.
pub const IOPRIO_CLASS_SHIFT: u32 = 13;
/// `IOPRIO_CLASS_NONE`: no class chosen; the effective one follows the nice value.
pub const IOPRIO_CLASS_NONE: u16 = 0;

/// `SCHED_DEADLINE` parameters, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deadline {
    /// Runtime per period.
    pub runtime: u64,
    /// Relative deadline.
    pub deadline: u64,
    /// Period.
    pub period: u64,
}

/// Per-thread scheduling attributes, as `task_struct` holds them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchedAttrs {
    /// Nice value, -20..=19 (kept under every policy, as Linux's `static_prio`).
    pub nice: i32,
    /// Scheduling policy (`SCHED_OTHER`, `SCHED_FIFO`…).
    pub policy: i32,
    /// Static priority: 1..=99 under `SCHED_FIFO`/`SCHED_RR`, 0 otherwise.
    pub rt_priority: i32,
    /// `SCHED_RESET_ON_FORK`: children start with the default policy.
    pub reset_on_fork: bool,
    /// `SCHED_DEADLINE` parameters (meaningful under that policy only).
    pub deadline: Deadline,
    /// The CPUs the thread may run on, one bit each; `None` for every CPU.
    pub affinity: Option<CpuMask>,
    /// The I/O priority as `ioprio_set` recorded it (Linux keeps 16 bits); 0, class
    /// `IOPRIO_CLASS_NONE`, until one is chosen.
    pub ioprio: u16,
}

impl Default for SchedAttrs {
    fn default() -> Self {
        SchedAttrs {
            nice: 0,
            policy: SCHED_OTHER,
            rt_priority: 0,
            reset_on_fork: false,
            deadline: Deadline::default(),
            affinity: None,
            ioprio: 0,
        }
    }
}

impl SchedAttrs {
    /// Whether the policy is a real-time one (`SCHED_FIFO`, `SCHED_RR`).
    pub fn is_rt(&self) -> bool {
        matches!(self.policy, SCHED_FIFO | SCHED_RR)
    }

    /// A new task's copy (Linux's `sched_fork` and `copy_io`): everything is inherited,
    /// except that `SCHED_RESET_ON_FORK` sends a real-time or deadline child back to
    /// `SCHED_OTHER` at nice 0 and a negative nice value back to 0, and clears itself; an I/O
    /// priority is copied only when its class was chosen (Linux's `copy_io`).
    pub fn forked(&self) -> SchedAttrs {
        let mut c = *self;
        if c.reset_on_fork {
            if c.is_rt() || c.policy == SCHED_DEADLINE {
                c.policy = SCHED_OTHER;
                c.nice = 0;
                c.rt_priority = 0;
                c.deadline = Deadline::default();
            } else if c.nice < 0 {
                c.nice = 0;
            }
            c.reset_on_fork = false;
        }
        if c.ioprio >> IOPRIO_CLASS_SHIFT == IOPRIO_CLASS_NONE {
            c.ioprio = 0;
        }
        c
    }

    /// The I/O priority Linux's `__get_task_ioprio` reports (what `ioprio_get` compares for a
    /// group or user): the recorded one when it names a class, else the class and level
    /// derived from the policy and nice value (idle for `SCHED_IDLE`, real-time for the
    /// real-time and deadline policies, best-effort otherwise; level `(nice + 20) / 5`).
    pub fn effective_ioprio(&self) -> u16 {
        let prio = self.ioprio;
        if prio >> IOPRIO_CLASS_SHIFT != IOPRIO_CLASS_NONE {
            return prio;
        }
        let class: u16 = match self.policy {
            SCHED_IDLE => 3,
            SCHED_FIFO | SCHED_RR | SCHED_DEADLINE => 1,
            _ => 2,
        };
        (class << IOPRIO_CLASS_SHIFT) | ((self.nice + 20) / 5) as u16
    }
}

struct Inner {
    attrs: SchedAttrs,
    /// The host thread running the guest thread (0 before it starts and after it leaves).
    host_tid: i32,
}

/// A thread's [`SchedAttrs`] and the host thread they are applied to.
pub struct Sched {
    inner: Mutex<Inner>,
}

impl Default for Sched {
    fn default() -> Self {
        Sched::new(SchedAttrs::default())
    }
}

impl Sched {
    /// Attributes `attrs` for a thread that has not started yet.
    pub fn new(attrs: SchedAttrs) -> Sched {
        Sched {
            inner: Mutex::new(Inner { attrs, host_tid: 0 }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A snapshot of the attributes.
    pub fn get(&self) -> SchedAttrs {
        self.lock().attrs
    }

    /// Changes the attributes with `f` (which may refuse by returning an error and must then
    /// leave them alone); a changed nice value reaches the host thread.
    pub fn update<R>(&self, f: impl FnOnce(&mut SchedAttrs) -> R) -> R {
        let mut inner = self.lock();
        let before = inner.attrs.nice;
        let r = f(&mut inner.attrs);
        if inner.attrs.nice != before {
            apply_host_nice(inner.host_tid, inner.attrs.nice);
        }
        r
    }

    /// Records that the calling host thread now runs this guest thread and gives it the
    /// guest thread's nice value.
    pub fn enter_host(&self) {
        let tid = rustix::thread::gettid().as_raw_nonzero().get();
        host_base_nice();
        let mut inner = self.lock();
        inner.host_tid = tid;
        apply_host_nice(tid, inner.attrs.nice);
    }

    /// The guest thread is leaving: forgets the host thread (it is about to end, and its id
    /// may be reused by the host) and drops the I/O priority with the I/O context, as Linux's
    /// `exit_io_context` does (a zombie reports none).
    pub fn exit(&self) {
        let mut inner = self.lock();
        inner.host_tid = 0;
        inner.attrs.ioprio = 0;
    }
}

/// The nice value of the host process when the first guest thread started: host threads are
/// never set below it, so the sandbox never asks the host for more priority than it began
/// with. (Later host threads inherit their creator's nice value, so only the first reading
/// is the sandbox's own.)
fn host_base_nice() -> i32 {
    static BASE: OnceLock<i32> = OnceLock::new();
    *BASE.get_or_init(|| rustix::process::getpriority_process(None).unwrap_or(0))
}

/// Sets host thread `tid` to `nice`, raised to the base; best effort, as the host may refuse
/// (an unprivileged host cannot lower a nice value it raised), and the guest's view does not
/// depend on it.
fn apply_host_nice(tid: i32, nice: i32) {
    let Some(pid) = rustix::process::Pid::from_raw(tid) else {
        return;
    };
    let want = nice.max(host_base_nice()).min(19);
    if rustix::process::getpriority_process(Some(pid)).ok() != Some(want) {
        let _ = rustix::process::setpriority_process(Some(pid), want);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reset_on_fork_follows_linux() {
        let rt = SchedAttrs {
            policy: SCHED_FIFO,
            rt_priority: 10,
            nice: 5,
            reset_on_fork: true,
            ..SchedAttrs::default()
        };
        let c = rt.forked();
        assert_eq!((c.policy, c.rt_priority, c.nice), (SCHED_OTHER, 0, 0));
        assert!(!c.reset_on_fork);
        let fair = SchedAttrs {
            policy: SCHED_BATCH,
            nice: -5,
            reset_on_fork: true,
            ..SchedAttrs::default()
        };
        let c = fair.forked();
        assert_eq!((c.policy, c.nice), (SCHED_BATCH, 0));
        let positive = SchedAttrs {
            nice: 7,
            reset_on_fork: true,
            ..SchedAttrs::default()
        };
        assert_eq!(positive.forked().nice, 7);
        // Without the flag everything is inherited.
        let plain = SchedAttrs {
            policy: SCHED_RR,
            rt_priority: 3,
            nice: -3,
            ..SchedAttrs::default()
        };
        assert_eq!(plain.forked(), plain);
    }

    #[test]
    fn ioprio_defaults_follow_the_nice_value() {
        let mut a = SchedAttrs::default();
        assert_eq!(a.effective_ioprio(), (2 << 13) | 4);
        a.nice = 19;
        assert_eq!(a.effective_ioprio(), (2 << 13) | 7);
        a.policy = SCHED_IDLE;
        assert_eq!(a.effective_ioprio(), (3 << 13) | 7);
        a.policy = SCHED_FIFO;
        assert_eq!(
            a.effective_ioprio(),
            (1 << 13) | 7,
            "the level still follows nice"
        );
        a.ioprio = (2 << 13) | 1;
        assert_eq!(a.effective_ioprio(), (2 << 13) | 1);
        // A chosen class is inherited, "none" (even with hint bits) is not.
        assert_eq!(a.forked().ioprio, (2 << 13) | 1);
        a.ioprio = 0x100;
        assert_eq!(a.forked().ioprio, 0);
    }
}
