//! Small helpers shared by the syscall families: the C time structs, guest-memory shortcuts,
//! and per-process state the kernel's `ProcessState` does not hold yet.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use sbx_kernel::mm::PAGE_SIZE;
use sbx_kernel::task::{Creds, Process, ProcessState, Task};
use sbx_kernel::{Errno, KResult};

/// Nanoseconds in a second.
pub const NSEC_PER_SEC: i64 = 1_000_000_000;
/// Microseconds in a second.
pub const USEC_PER_SEC: i64 = 1_000_000;

/// `struct timespec` (x86-64: two `long`s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Timespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds, `0..1_000_000_000` when valid.
    pub tv_nsec: i64,
}

impl Timespec {
    /// The timespec for `d`; seconds saturate at `i64::MAX` (no clock gets there).
    pub fn from_duration(d: Duration) -> Timespec {
        Timespec {
            tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(d.subsec_nanos()),
        }
    }

    /// Whether Linux's `timespec64_valid` accepts it: non-negative, nanoseconds below a second.
    pub fn is_valid(&self) -> bool {
        self.tv_sec >= 0 && (0..NSEC_PER_SEC).contains(&self.tv_nsec)
    }

    /// The duration this (valid) timespec spells; `EINVAL` for an invalid one, as Linux.
    pub fn to_duration(self) -> KResult<Duration> {
        if !self.is_valid() {
            return Err(Errno::EINVAL);
        }
        // Both fields were just checked to be non-negative and in range.
        Ok(Duration::new(self.tv_sec as u64, self.tv_nsec as u32))
    }
}

/// `struct timeval` (x86-64: two `long`s).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub struct Timeval {
    /// Seconds.
    pub tv_sec: i64,
    /// Microseconds, `0..1_000_000` when valid.
    pub tv_usec: i64,
}

impl Timeval {
    /// The timeval for `d`, truncated to microseconds.
    pub fn from_duration(d: Duration) -> Timeval {
        Timeval {
            tv_sec: i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            tv_usec: i64::from(d.subsec_micros()),
        }
    }

    /// Whether it is non-negative with microseconds below a second.
    pub fn is_valid(&self) -> bool {
        self.tv_sec >= 0 && (0..USEC_PER_SEC).contains(&self.tv_usec)
    }

    /// The duration this (valid) timeval spells; `EINVAL` for an invalid one.
    pub fn to_duration(self) -> KResult<Duration> {
        if !self.is_valid() {
            return Err(Errno::EINVAL);
        }
        Ok(Duration::new(
            self.tv_sec as u64,
            self.tv_usec as u32 * 1000,
        ))
    }
}

/// Writes `val` to guest address `addr` unless `addr` is NULL (the many "optional out
/// parameter" arguments); `EFAULT` for a bad non-NULL pointer.
pub fn write_opt<T: bytemuck::Pod>(task: &Task, addr: u64, val: &T) -> KResult<()> {
    if addr == 0 {
        return Ok(());
    }
    task.mm().write_val(addr, val)
}

/// Reads at most `max` bytes of a string at `addr`, stopping early at a NUL, like the kernel's
/// `strncpy_from_user`. Unlike `Mm::read_cstr` it needs no NUL and never touches a byte past
/// `max`, so a short name at the very end of a mapping does not fault.
pub fn read_cstr_upto(task: &Task, addr: u64, max: usize) -> KResult<Vec<u8>> {
    let mut out = Vec::with_capacity(max.min(256));
    let mut mm = task.mm();
    while out.len() < max {
        let va = addr.checked_add(out.len() as u64).ok_or(Errno::EFAULT)?;
        // One page at a time, so we stop at the NUL before touching the next page.
        let in_page = (PAGE_SIZE - va % PAGE_SIZE) as usize;
        let mut chunk = vec![0u8; in_page.min(max - out.len())];
        mm.copy_in(va, &mut chunk)?;
        if let Some(nul) = chunk.iter().position(|&b| b == 0) {
            out.extend_from_slice(&chunk[..nul]);
            return Ok(out);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Whether `pid` names the calling process: 0, its pid, or the calling thread's tid (Linux
/// looks pids up as thread ids, so a tid of the caller finds the caller too).
pub fn is_self(task: &Task, pid: i64) -> bool {
    pid == 0 || pid == i64::from(task.process.pid) || pid == i64::from(task.tid)
}

/// Capability sets as 64-bit masks (bit N = capability N).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Caps {
    /// Effective set: what permission checks look at.
    pub effective: u64,
    /// Permitted set: the ceiling of the effective set.
    pub permitted: u64,
    /// Inheritable set.
    pub inheritable: u64,
    /// Bounding set (`PR_CAPBSET_READ`).
    pub bounding: u64,
}

/// Per-process state Linux keeps that `sbx_kernel::task::ProcessState` has no field for yet.
///
/// It lives in a side table (see [`with_extras`]) so these families could land without
/// touching the kernel crate; once `ProcessState` grows the fields, the table goes away.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Extras {
    /// Capability sets.
    pub caps: Caps,
    /// `personality(2)` persona.
    pub personality: u32,
    /// `PR_SET_DUMPABLE` (0 or 1).
    pub dumpable: u32,
    /// `PR_SET_NO_NEW_PRIVS`.
    pub no_new_privs: bool,
    /// `membarrier` registrations (the `MEMBARRIER_CMD_REGISTER_*` bits).
    pub membarrier: u32,
    /// `PR_SET_KEEPCAPS`: keep the permitted capabilities when every uid leaves 0. Cleared by
    /// `execve`.
    pub keepcaps: bool,
}

/// Capabilities root holds in a sandbox: Docker's default set, so a program sees what it would
/// see as root in a container (CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, SETUID,
/// SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP). Anything that
/// would reach past the sandbox (CAP_SYS_ADMIN, CAP_SYS_TIME, CAP_SYS_MODULE…) is left out.
pub const SANDBOX_CAPS: u64 = 1 << 0
    | 1 << 1
    | 1 << 3
    | 1 << 4
    | 1 << 5
    | 1 << 6
    | 1 << 7
    | 1 << 8
    | 1 << 10
    | 1 << 13
    | 1 << 18
    | 1 << 27
    | 1 << 29
    | 1 << 31;

impl Extras {
    /// What a fresh process with `creds` starts with, as after Linux's `execve`: root gets the
    /// sandbox's capabilities, everyone else none.
    pub fn new(creds: &Creds) -> Extras {
        let root = creds.uid == 0 || creds.euid == 0;
        let permitted = if root { SANDBOX_CAPS } else { 0 };
        let effective = if creds.euid == 0 { permitted } else { 0 };
        Extras {
            caps: Caps {
                effective,
                permitted,
                inheritable: 0,
                bounding: SANDBOX_CAPS,
            },
            personality: 0,
            dumpable: 1,
            no_new_privs: false,
            membarrier: 0,
            keepcaps: false,
        }
    }
}

type ExtrasTable = BTreeMap<usize, (Weak<Process>, Extras)>;

// Keyed by the `Process` allocation's address. The entry's `Weak` keeps that allocation alive,
// so no other process can be given the same address while the entry exists.
static EXTRAS: Mutex<ExtrasTable> = Mutex::new(BTreeMap::new());

fn extras_table() -> MutexGuard<'static, ExtrasTable> {
    EXTRAS.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(p: &Arc<Process>) -> usize {
    Arc::as_ptr(p) as usize
}

/// Runs `f` with the process state and its [`Extras`] locked together, so identity changes
/// update both at once. Lock order: process state, then the side table (nothing else takes
/// the table).
pub fn with_extras<R>(task: &Task, f: impl FnOnce(&mut ProcessState, &mut Extras) -> R) -> R {
    let mut state = task.process.state();
    let mut table = extras_table();
    let k = key(&task.process);
    if !table.contains_key(&k) {
        // Dead processes' entries go whenever a new one arrives, so the table stays as small
        // as the set of live processes.
        table.retain(|_, (w, _)| w.strong_count() > 0);
    }
    let (_, extras) = table
        .entry(k)
        .or_insert_with(|| (Arc::downgrade(&task.process), Extras::new(&state.creds)));
    f(&mut state, extras)
}

/// Recomputes capabilities as Linux's `execve` does for a program without file capabilities:
/// root (real or effective uid 0) gets its bounding set plus what it made inheritable, in the
/// effective set only when the effective uid is 0; anyone else gets nothing. `execve` calls this.
pub fn exec_extras(task: &Task) {
    with_extras(task, |state, e| {
        let c = &state.creds;
        let permitted = if c.uid == 0 || c.euid == 0 {
            e.caps.bounding | e.caps.inheritable
        } else {
            0
        };
        e.caps.permitted = permitted;
        e.caps.effective = if c.euid == 0 { permitted } else { 0 };
        e.keepcaps = false;
    });
}

/// Copies the parent's [`Extras`] to a forked child, as `fork` inherits them in Linux; the
/// parent-death signal is the one thing a child does not inherit. `fork`/`clone` call this.
pub fn inherit_extras(parent: &Arc<Process>, child: &Arc<Process>) {
    let mut table = extras_table();
    let Some((_, e)) = table.get(&key(parent)) else {
        return; // The parent never touched its extras: the child's defaults are the same.
    };
    let inherited = *e;
    table.retain(|_, (w, _)| w.strong_count() > 0);
    table.insert(key(child), (Arc::downgrade(child), inherited));
}

/// The [`Extras`] of another process (its defaults if it never touched them). Takes the
/// process's state lock, then the side table, one after the other.
pub fn extras_of(p: &Arc<Process>) -> Extras {
    let creds = p.state().creds;
    match extras_table().get(&key(p)) {
        Some((_, e)) => *e,
        None => Extras::new(&creds),
    }
}

/// `CAP_SYS_PTRACE`.
const CAP_SYS_PTRACE: u32 = 19;

/// Linux's `ptrace_may_access(target, PTRACE_MODE_READ_REALCREDS)`: whether the caller may
/// read another process's internals (`get_robust_list`). Its own process always; otherwise
/// the caller's real uid and gid must equal all of the target's (real, effective, saved),
/// the target must be dumpable, and the caller's permitted capabilities must cover the
/// target's, unless the caller holds `CAP_SYS_PTRACE` (sandbox root does not: Docker's
/// default set lacks it).
pub fn may_read_process(task: &Task, target: &Arc<Process>) -> bool {
    if Arc::ptr_eq(&task.process, target) {
        return true;
    }
    let (me, caps) = with_extras(task, |st, e| (st.creds, e.caps));
    if caps.effective & (1 << CAP_SYS_PTRACE) != 0 {
        return true;
    }
    let t = target.state().creds;
    let ids = me.uid == t.uid
        && me.uid == t.euid
        && me.uid == t.suid
        && me.gid == t.gid
        && me.gid == t.egid
        && me.gid == t.sgid;
    let theirs = extras_of(target);
    ids && theirs.dumpable == 1 && theirs.caps.permitted & !caps.permitted == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespec_validity_matches_linux() {
        assert!(Timespec {
            tv_sec: 0,
            tv_nsec: 0
        }
        .is_valid());
        assert!(Timespec {
            tv_sec: 5,
            tv_nsec: 999_999_999
        }
        .is_valid());
        assert!(!Timespec {
            tv_sec: 0,
            tv_nsec: 1_000_000_000
        }
        .is_valid());
        assert!(!Timespec {
            tv_sec: -1,
            tv_nsec: 0
        }
        .is_valid());
        assert!(!Timespec {
            tv_sec: 0,
            tv_nsec: -1
        }
        .is_valid());
        assert_eq!(
            Timespec {
                tv_sec: 1,
                tv_nsec: 5
            }
            .to_duration(),
            Ok(Duration::new(1, 5))
        );
        assert_eq!(
            Timespec {
                tv_sec: 1,
                tv_nsec: -5
            }
            .to_duration(),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn conversions_round_trip() {
        let d = Duration::new(12, 345_678_901);
        assert_eq!(
            Timespec::from_duration(d),
            Timespec {
                tv_sec: 12,
                tv_nsec: 345_678_901
            }
        );
        assert_eq!(
            Timeval::from_duration(d),
            Timeval {
                tv_sec: 12,
                tv_usec: 345_678
            }
        );
        assert_eq!(
            Timeval {
                tv_sec: 2,
                tv_usec: 7
            }
            .to_duration(),
            Ok(Duration::new(2, 7000))
        );
        assert_eq!(
            Timeval {
                tv_sec: 2,
                tv_usec: 1_000_000
            }
            .to_duration(),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn fresh_extras_follow_the_uid() {
        let root = Creds::default();
        let e = Extras::new(&root);
        assert_eq!(e.caps.effective, SANDBOX_CAPS);
        assert_eq!(e.caps.permitted, SANDBOX_CAPS);
        let user = Creds {
            uid: 1000,
            euid: 1000,
            suid: 1000,
            gid: 100,
            egid: 100,
            sgid: 100,
            fsuid: 1000,
            fsgid: 100,
        };
        let e = Extras::new(&user);
        assert_eq!((e.caps.effective, e.caps.permitted), (0, 0));
        assert_eq!(e.caps.bounding, SANDBOX_CAPS);
    }
}
