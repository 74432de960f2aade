//! The misc family: system identification, randomness, resource limits and usage,
//! `personality`, `prctl` and `membarrier`.

use sbx_kernel::cputime::CpuTimes;
use sbx_kernel::mm::{PAGE_SIZE, TASK_SIZE};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::identity::{capable, CAP_LAST_CAP};
use crate::time::monotonic_now;
use crate::util::{is_self, read_cstr_upto, with_extras, write_opt, Timeval};
use crate::TableBuilder;

/// The kernel release `uname` reports.
pub const RELEASE: &[u8] = b"6.1.0-sbx";
/// The kernel version string `uname` reports.
pub const VERSION: &[u8] = b"#1 SMP sbx";
/// Number of resource limits (`RLIM_NLIMITS`).
pub const RLIM_NLIMITS: u32 = 16;
/// `RLIMIT_NOFILE`.
pub const RLIMIT_NOFILE: u32 = 7;
/// `RLIMIT_NICE`.
pub const RLIMIT_NICE: u32 = 13;
/// `RLIMIT_RTPRIO`.
pub const RLIMIT_RTPRIO: u32 = 14;
/// Linux's `fs.nr_open` default: the hard ceiling for `RLIMIT_NOFILE`.
pub const NR_OPEN: u64 = 1 << 20;
/// Most bytes one `getrandom` call returns (the man page's `INT_MAX >> 6` for the urandom
/// source).
pub const GETRANDOM_MAX: usize = 33_554_431;

const CAP_SYS_RESOURCE: u32 = 24;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const NO_SYS_ADMIN: &str = "always EPERM: the sandbox never grants CAP_SYS_ADMIN";
    b.add("uname", sys_uname, Support::Full);
    b.add(
        "sethostname",
        sys_sethostname,
        Support::Partial(NO_SYS_ADMIN),
    );
    b.add(
        "setdomainname",
        sys_sethostname,
        Support::Partial(NO_SYS_ADMIN),
    );
    b.add("getrandom", sys_getrandom, Support::Full);
    b.add("getrlimit", sys_getrlimit, Support::Full);
    b.add(
        "setrlimit",
        sys_setrlimit,
        Support::Partial("limits are recorded and reported; not every limit is enforced yet"),
    );
    b.add(
        "prlimit64",
        sys_prlimit64,
        Support::Partial(
            "only the calling process; limits are recorded, not every one is enforced yet",
        ),
    );
    b.add(
        "getrusage",
        sys_getrusage,
        Support::Partial(
            "user time is time since the sandbox started; counters and children's usage are 0",
        ),
    );
    b.add(
        "sysinfo",
        sys_sysinfo,
        Support::Partial("load averages are 0 and one process is reported"),
    );
    b.add(
        "personality",
        sys_personality,
        Support::Partial(
            "the persona is recorded; its flags (ADDR_NO_RANDOMIZE…) change nothing yet",
        ),
    );
    b.add(
        "prctl",
        sys_prctl,
        Support::Partial(
            "NAME, DUMPABLE, KEEPCAPS, NO_NEW_PRIVS, PDEATHSIG (recorded, not yet sent), \
             GET_SECCOMP and CAPBSET_READ; other options are EINVAL",
        ),
    );
    b.add(
        "membarrier",
        sys_membarrier,
        Support::Partial(
            "QUERY and the private expedited commands; a fence on the calling thread only",
        ),
    );
}

/// CPUs the sandbox reports (online and allowed): the host's available parallelism.
pub fn nr_cpus() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

// ---- uname and host names ----

/// `PER_LINUX32`: the persona of 32-bit programs, whose `uname` says i686.
const PER_LINUX32: u32 = 0x0008;
/// `UNAME26`: report a 2.6 kernel release for old software.
const UNAME26: u32 = 0x0002_0000;
/// Bytes per `struct new_utsname` field.
const UTS_LEN: usize = 65;

/// The release string with `UNAME26`, computed as Linux's `override_release`: the
/// numeric prefix becomes `2.6.(60 + minor)` and whatever follows it is kept.
fn uname26_release() -> Vec<u8> {
    let numeric = RELEASE
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    let minor: u32 = RELEASE
        .split(|&b| b == b'.')
        .nth(1)
        .and_then(|m| std::str::from_utf8(m).ok())
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let mut out = format!("2.6.{}", 60 + minor).into_bytes();
    out.extend_from_slice(&RELEASE[numeric..]);
    out
}

fn sys_uname(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let persona = with_extras(task, |_, e| e.personality);
    let release = if persona & UNAME26 != 0 {
        uname26_release()
    } else {
        RELEASE.to_vec()
    };
    let machine: &[u8] = if persona & 0xff == PER_LINUX32 {
        b"i686"
    } else {
        b"x86_64"
    };
    let fields: [&[u8]; 6] = [
        b"Linux",
        &task.kernel.hostname,
        &release,
        VERSION,
        machine,
        b"(none)",
    ];
    let mut buf = [0u8; 6 * UTS_LEN];
    for (slot, field) in buf.chunks_exact_mut(UTS_LEN).zip(fields) {
        // Leave the last byte NUL whatever the length of the configured hostname.
        let n = field.len().min(UTS_LEN - 1);
        slot[..n].copy_from_slice(&field[..n]);
    }
    task.mm().copy_out(a.u(0), &buf)?;
    Ok(0)
}

fn sys_sethostname(_task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    // Linux checks CAP_SYS_ADMIN before looking at the arguments.
    Err(Errno::EPERM)
}

// ---- getrandom ----

const GRND_NONBLOCK: u32 = 1;
const GRND_RANDOM: u32 = 2;
const GRND_INSECURE: u32 = 4;

fn sys_getrandom(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (addr, len, flags) = (a.u(0), a.u(1), a.u32(2));
    if flags & !(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE) != 0 {
        return Err(Errno::EINVAL);
    }
    // Asking for blocking-pool and insecure bytes at once makes no sense to Linux either.
    if flags & (GRND_INSECURE | GRND_RANDOM) == GRND_INSECURE | GRND_RANDOM {
        return Err(Errno::EINVAL);
    }
    // The host's generator is always seeded, so nothing here ever blocks.
    let len = usize::try_from(len)
        .unwrap_or(usize::MAX)
        .min(GETRANDOM_MAX);
    // Like Linux's `access_ok`, a range reaching past user space fails before any byte is
    // written; holes inside it are found page by page below.
    let end = addr.checked_add(len as u64).ok_or(Errno::EFAULT)?;
    if end > TASK_SIZE {
        return Err(Errno::EFAULT);
    }
    let mut done = 0usize;
    let mut page = [0u8; PAGE_SIZE as usize];
    while done < len {
        let va = addr.checked_add(done as u64).ok_or(Errno::EFAULT)?;
        // Page by page, so a fault partway returns the bytes already written, as Linux does.
        let n = ((PAGE_SIZE - va % PAGE_SIZE) as usize).min(len - done);
        getrandom::fill(&mut page[..n]).map_err(|_| Errno::EIO)?;
        if let Err(e) = task.mm().copy_out(va, &page[..n]) {
            return if done == 0 { Err(e) } else { Ok(done as u64) };
        }
        done += n;
    }
    Ok(done as u64)
}

// ---- resource limits and usage ----

/// `struct rlimit`/`struct rlimit64` (identical on x86-64).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Rlimit {
    cur: u64,
    max: u64,
}

/// Linux's `do_prlimit` rules on one process's limits: returns the old `(soft, hard)` and
/// installs `new` if given. `may_raise_hard` is CAP_SYS_RESOURCE.
pub fn prlimit_rules(
    limits: &mut [(u64, u64); 16],
    resource: u32,
    new: Option<(u64, u64)>,
    may_raise_hard: bool,
) -> KResult<(u64, u64)> {
    if resource >= RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let slot = &mut limits[resource as usize];
    let old = *slot;
    if let Some((cur, max)) = new {
        if cur > max {
            return Err(Errno::EINVAL);
        }
        if resource == RLIMIT_NOFILE && max > NR_OPEN {
            return Err(Errno::EPERM);
        }
        // Lowering is always allowed; raising the hard limit needs the capability.
        if max > old.1 && !may_raise_hard {
            return Err(Errno::EPERM);
        }
        *slot = (cur, max);
    }
    Ok(old)
}

/// One `do_prlimit` on the caller with the capability check done.
fn do_prlimit(task: &Task, resource: u32, new: Option<(u64, u64)>) -> KResult<(u64, u64)> {
    let may_raise = capable(task, CAP_SYS_RESOURCE);
    prlimit_rules(&mut task.process.state().rlimits, resource, new, may_raise)
}

fn sys_getrlimit(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (cur, max) = do_prlimit(task, a.u32(0), None)?;
    task.mm().write_val(a.u(1), &Rlimit { cur, max })?;
    Ok(0)
}

fn sys_setrlimit(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let new: Rlimit = task.mm().read_val(a.u(1))?;
    do_prlimit(task, a.u32(0), Some((new.cur, new.max)))?;
    Ok(0)
}

fn sys_prlimit64(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, resource, new_ptr, old_ptr) = (a.i32(0), a.u32(1), a.u(2), a.u(3));
    let new = match new_ptr {
        0 => None,
        p => Some(task.mm().read_val::<Rlimit>(p)?),
    };
    if !is_self(task, i64::from(pid)) {
        return Err(Errno::ESRCH);
    }
    let (cur, max) = do_prlimit(task, resource, new.map(|r| (r.cur, r.max)))?;
    // As in Linux, the new limit stays in force even if the old one cannot be written back.
    write_opt(task, old_ptr, &Rlimit { cur, max })?;
    Ok(0)
}

const RUSAGE_SELF: i32 = 0;
const RUSAGE_CHILDREN: i32 = -1;
const RUSAGE_THREAD: i32 = 1;

/// `struct rusage`: two timevals and fourteen longs.
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
pub(crate) struct Rusage {
    utime: Timeval,
    stime: Timeval,
    /// maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv,
    /// nsignals, nvcsw, nivcsw.
    counters: [i64; 14],
}

impl Rusage {
    /// A usage report with CPU times `t` (the counters sbx does not keep are 0).
    pub(crate) fn with_times(t: CpuTimes) -> Rusage {
        Rusage {
            utime: Timeval::from_duration(t.user),
            stime: Timeval::from_duration(t.sys),
            counters: [0; 14],
        }
    }
}

fn sys_getrusage(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mut ru = match a.i32(0) {
        RUSAGE_SELF => Rusage::with_times(task.process.state().cpu_times()),
        RUSAGE_THREAD => Rusage::with_times(task.thread.cpu.times()),
        RUSAGE_CHILDREN => Rusage::with_times(task.process.state().cpu_children),
        _ => return Err(Errno::EINVAL),
    };
    if a.i32(0) != RUSAGE_CHILDREN {
        // maxrss in KiB: the frames in use now, the best figure at hand.
        let frames = task.kernel.machine.phys().frames_in_use();
        ru.counters[0] = i64::try_from(frames * PAGE_SIZE / 1024).unwrap_or(i64::MAX);
    }
    task.mm().write_val(a.u(1), &ru)?;
    Ok(0)
}

/// `struct sysinfo` on x86-64 (112 bytes; the padding is spelled out so it is plain data).
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct Sysinfo {
    uptime: i64,
    loads: [u64; 3],
    totalram: u64,
    freeram: u64,
    sharedram: u64,
    bufferram: u64,
    totalswap: u64,
    freeswap: u64,
    procs: u16,
    pad: u16,
    _pad1: u32,
    totalhigh: u64,
    freehigh: u64,
    mem_unit: u32,
    _pad2: u32,
}

fn sys_sysinfo(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let up = monotonic_now(&task.kernel);
    let phys = task.kernel.machine.phys();
    let total = phys.size();
    let used = phys.frames_in_use().saturating_mul(PAGE_SIZE);
    let info = Sysinfo {
        // Linux rounds a partial second up.
        uptime: i64::try_from(up.as_secs()).unwrap_or(i64::MAX) + i64::from(up.subsec_nanos() != 0),
        totalram: total,
        freeram: total.saturating_sub(used),
        procs: 1,
        mem_unit: 1,
        ..Sysinfo::default()
    };
    task.mm().write_val(a.u(0), &info)?;
    Ok(0)
}

// ---- personality ----

fn sys_personality(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let want = a.u32(0);
    // Linux records any persona; 0xffffffff only asks for the current one.
    let old = with_extras(task, |_, e| {
        let old = e.personality;
        if want != u32::MAX {
            e.personality = want;
        }
        old
    });
    Ok(u64::from(old))
}

// ---- prctl ----

const PR_SET_PDEATHSIG: i32 = 1;
const PR_GET_PDEATHSIG: i32 = 2;
const PR_GET_DUMPABLE: i32 = 3;
const PR_SET_DUMPABLE: i32 = 4;
const PR_GET_KEEPCAPS: i32 = 7;
const PR_SET_KEEPCAPS: i32 = 8;
const PR_SET_NAME: i32 = 15;
const PR_GET_NAME: i32 = 16;
const PR_GET_SECCOMP: i32 = 21;
const PR_CAPBSET_READ: i32 = 23;
const PR_SET_CHILD_SUBREAPER: i32 = 36;
const PR_GET_CHILD_SUBREAPER: i32 = 37;
const PR_SET_NO_NEW_PRIVS: i32 = 38;
const PR_GET_NO_NEW_PRIVS: i32 = 39;
/// `TASK_COMM_LEN`: a thread name is at most 15 bytes and a NUL.
const TASK_COMM_LEN: usize = 16;

fn sys_prctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let arg2 = a.u(1);
    let rest_zero = a.u(2) == 0 && a.u(3) == 0 && a.u(4) == 0;
    match a.i32(0) {
        PR_SET_PDEATHSIG => {
            // Linux's `valid_signal`: 0 (none) up to _NSIG.
            if arg2 > 64 {
                return Err(Errno::EINVAL);
            }
            task.process.state().pdeathsig = arg2 as i32;
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            let sig = task.process.state().pdeathsig;
            task.mm().write_val(arg2, &sig)?;
            Ok(0)
        }
        PR_SET_CHILD_SUBREAPER => {
            task.process.state().child_subreaper = arg2 != 0;
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let on = i32::from(task.process.state().child_subreaper);
            task.mm().write_val(arg2, &on)?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(u64::from(with_extras(task, |_, e| e.dumpable))),
        PR_SET_DUMPABLE => {
            // Only "not dumpable" and "dumpable by the user"; 2 is for the kernel's own use.
            if arg2 > 1 {
                return Err(Errno::EINVAL);
            }
            with_extras(task, |_, e| e.dumpable = arg2 as u32);
            Ok(0)
        }
        PR_GET_KEEPCAPS => Ok(u64::from(with_extras(task, |_, e| e.keepcaps))),
        PR_SET_KEEPCAPS => {
            if arg2 > 1 {
                return Err(Errno::EINVAL);
            }
            with_extras(task, |_, e| e.keepcaps = arg2 == 1);
            Ok(0)
        }
        PR_SET_NAME => {
            let name = read_cstr_upto(task, arg2, TASK_COMM_LEN - 1)?;
            task.process.state().comm = name;
            Ok(0)
        }
        PR_GET_NAME => {
            let mut buf = [0u8; TASK_COMM_LEN];
            let state = task.process.state();
            let n = state.comm.len().min(TASK_COMM_LEN - 1);
            buf[..n].copy_from_slice(&state.comm[..n]);
            drop(state);
            task.mm().copy_out(arg2, &buf)?;
            Ok(0)
        }
        // Guest seccomp filters are not implemented, so the mode is always "disabled".
        PR_GET_SECCOMP => Ok(0),
        PR_CAPBSET_READ => {
            if arg2 > u64::from(CAP_LAST_CAP) {
                return Err(Errno::EINVAL);
            }
            let bounding = with_extras(task, |_, e| e.caps.bounding);
            Ok(bounding >> arg2 & 1)
        }
        PR_SET_NO_NEW_PRIVS => {
            if arg2 != 1 || !rest_zero {
                return Err(Errno::EINVAL);
            }
            with_extras(task, |_, e| e.no_new_privs = true);
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if arg2 != 0 || !rest_zero {
                return Err(Errno::EINVAL);
            }
            Ok(u64::from(with_extras(task, |_, e| e.no_new_privs)))
        }
        _ => Err(Errno::EINVAL),
    }
}

// ---- membarrier ----

const MEMBARRIER_CMD_QUERY: i32 = 0;
const MEMBARRIER_CMD_PRIVATE_EXPEDITED: i32 = 1 << 3;
const MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED: i32 = 1 << 4;
const MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ: i32 = 1 << 7;
const MEMBARRIER_CMD_GET_REGISTRATIONS: i32 = 1 << 9;
const MEMBARRIER_CMD_FLAG_CPU: u32 = 1;
/// The commands sbx offers, as `MEMBARRIER_CMD_QUERY` reports them.
const MEMBARRIER_SUPPORTED: i32 = MEMBARRIER_CMD_PRIVATE_EXPEDITED
    | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED
    | MEMBARRIER_CMD_GET_REGISTRATIONS;

fn sys_membarrier(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (cmd, flags) = (a.i32(0), a.u32(1));
    // Only the rseq command takes a flag (a target CPU); every other flag is EINVAL.
    let flags_ok = flags == 0
        || (cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ && flags == MEMBARRIER_CMD_FLAG_CPU);
    if !flags_ok {
        return Err(Errno::EINVAL);
    }
    match cmd {
        MEMBARRIER_CMD_QUERY => Ok(MEMBARRIER_SUPPORTED as u64),
        MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED => {
            with_extras(task, |_, e| {
                e.membarrier |= MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED as u32
            });
            Ok(0)
        }
        MEMBARRIER_CMD_PRIVATE_EXPEDITED => {
            let registered = with_extras(task, |_, e| e.membarrier);
            if registered & MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED as u32 == 0 {
                return Err(Errno::EPERM);
            }
            // Every vCPU exit already serializes the calling thread; the fence orders the
            // kernel's own view. Other running threads are not interrupted yet.
            std::sync::atomic::fence(std::sync::atomic::Ordering::SeqCst);
            Ok(0)
        }
        MEMBARRIER_CMD_GET_REGISTRATIONS => Ok(u64::from(with_extras(task, |_, e| e.membarrier))),
        // Commands Linux knows but sbx does not offer answer as an unsupported command would.
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sbx_kernel::task::default_rlimits;

    const INF: u64 = u64::MAX;

    #[test]
    fn rlimits_read_and_lower() {
        let mut l = default_rlimits();
        assert_eq!(
            prlimit_rules(&mut l, RLIMIT_NOFILE, None, false),
            Ok((1024, 1_048_576))
        );
        // Lowering both is always allowed, and sticks.
        assert_eq!(
            prlimit_rules(&mut l, RLIMIT_NOFILE, Some((100, 200)), false),
            Ok((1024, 1_048_576))
        );
        assert_eq!(l[RLIMIT_NOFILE as usize], (100, 200));
        // Raising the soft limit up to the hard one is fine.
        assert_eq!(
            prlimit_rules(&mut l, RLIMIT_NOFILE, Some((200, 200)), false),
            Ok((100, 200))
        );
    }

    #[test]
    fn rlimit_errors() {
        let mut l = default_rlimits();
        let before = l;
        assert_eq!(prlimit_rules(&mut l, 16, None, true), Err(Errno::EINVAL));
        assert_eq!(
            prlimit_rules(&mut l, 3, Some((10, 5)), true),
            Err(Errno::EINVAL)
        );
        // Raising a hard limit needs CAP_SYS_RESOURCE.
        assert_eq!(
            prlimit_rules(&mut l, RLIMIT_NOFILE, Some((10, 2_000_000)), false),
            Err(Errno::EPERM)
        );
        // Even with it, RLIMIT_NOFILE stops at nr_open.
        assert_eq!(
            prlimit_rules(&mut l, RLIMIT_NOFILE, Some((10, NR_OPEN + 1)), true),
            Err(Errno::EPERM)
        );
        assert_eq!(l, before, "failed calls change nothing");
        l[0] = (5, 10);
        assert_eq!(prlimit_rules(&mut l, 0, Some((5, 20)), true), Ok((5, 10)));
        assert_eq!(
            prlimit_rules(&mut l, 0, Some((INF, INF)), true),
            Ok((5, 20))
        );
    }

    #[test]
    fn uname26_release_as_linux() {
        assert_eq!(uname26_release(), b"2.6.61-sbx".to_vec());
    }

    #[test]
    fn struct_sizes_match_the_abi() {
        assert_eq!(std::mem::size_of::<Sysinfo>(), 112);
        assert_eq!(std::mem::size_of::<Rusage>(), 144);
        assert_eq!(std::mem::size_of::<Rlimit>(), 16);
    }
}
