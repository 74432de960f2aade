//! Scheduling policies, priorities and CPU affinity of any thread of the sandbox:
//! `sched_setscheduler`/`sched_getscheduler`, `sched_setparam`/`sched_getparam`,
//! `sched_setattr`/`sched_getattr`, `sched_rr_get_interval`, the priority ranges,
//! `sched_setaffinity`/`sched_getaffinity`, `getcpu` and `sched_yield`.
//!
//! The attributes are recorded per thread with Linux's validation, permission rules and
//! errno order (`kernel/sched/syscalls.c`); the host schedules every thread as it likes, so
//! policies and masks are reported, not enforced. The sandbox behaves as a kernel without
//! `CONFIG_UCLAMP_TASK` (utilization clamps are `EOPNOTSUPP`).

use sbx_kernel::sched::{
    CpuMask, Deadline, SchedAttrs, SCHED_BATCH, SCHED_DEADLINE, SCHED_FIFO, SCHED_IDLE,
    SCHED_OTHER, SCHED_RR,
};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::identity::capable;
use crate::misc::{nr_cpus, RLIMIT_NICE, RLIMIT_RTPRIO};
use crate::sched_target::{find_thread, Target};
use crate::util::{write_opt, Timespec};
use crate::TableBuilder;

/// `CAP_SYS_NICE`.
pub const CAP_SYS_NICE: u32 = 23;

/// `SCHED_RESET_ON_FORK`, or-ed into a policy.
const SCHED_RESET_ON_FORK: i32 = 0x4000_0000;
/// Linux's `SETPARAM_POLICY`: keep the current policy.
const SETPARAM_POLICY: i32 = -1;
/// Round-robin time slice (`RR_TIMESLICE`, 100 ms).
const RR_TIMESLICE_NS: i64 = 100_000_000;
/// What `sched_rr_get_interval` reports for the fair policies: one scheduler tick.
const FAIR_SLICE_NS: i64 = 4_000_000;

const SCHED_FLAG_RESET_ON_FORK: u64 = 0x01;
const SCHED_FLAG_KEEP_POLICY: u64 = 0x08;
const SCHED_FLAG_KEEP_PARAMS: u64 = 0x10;
const SCHED_FLAG_UTIL_CLAMP: u64 = 0x20 | 0x40;
/// Every flag `sched_setattr` knows (`SCHED_FLAG_ALL`).
const SCHED_FLAG_ALL: u64 = 0x7f;
/// `SCHED_FLAG_SUGOV`: kernel-internal, refused for user callers after the permission check.
const SCHED_FLAG_SUGOV: u64 = 0x1000_0000;

/// `SCHED_ATTR_SIZE_VER0`: the first `struct sched_attr`, without the utilization clamps.
const SCHED_ATTR_SIZE_VER0: u32 = 48;
/// `sizeof(struct sched_attr)` (`SCHED_ATTR_SIZE_VER1`).
const SCHED_ATTR_SIZE: u32 = 56;
/// The largest `struct sched_attr` a caller may pass (`PAGE_SIZE`).
const SCHED_ATTR_SIZE_MAX: u32 = 4096;

/// `DL_SCALE`: deadline runtimes are kept in units of 2^10 ns.
const DL_SCALE: u32 = 10;
/// `sched_deadline_period_min_us` and `_max_us` defaults, in ns.
const DL_PERIOD_MIN_NS: u64 = 100 * 1000;
const DL_PERIOD_MAX_NS: u64 = (1 << 22) * 1000;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const RECORDED: &str =
        "policies and priorities are recorded and reported; the host schedules the thread";
    b.add("sched_yield", sys_sched_yield, Support::Full);
    b.add("sched_getaffinity", sys_sched_getaffinity, Support::Full);
    b.add(
        "sched_setaffinity",
        sys_sched_setaffinity,
        Support::Partial("the mask is recorded and reported but does not pin threads to CPUs"),
    );
    b.add(
        "getcpu",
        sys_getcpu,
        Support::Partial("reports the first CPU of the affinity mask, on NUMA node 0"),
    );
    b.add(
        "sched_setscheduler",
        sys_sched_setscheduler,
        Support::Partial(RECORDED),
    );
    b.add(
        "sched_setparam",
        sys_sched_setparam,
        Support::Partial(RECORDED),
    );
    b.add(
        "sched_setattr",
        sys_sched_setattr,
        Support::Partial(
            "policies and priorities are recorded and reported; the host schedules the thread; \
             utilization clamps are EOPNOTSUPP as without CONFIG_UCLAMP_TASK",
        ),
    );
    b.add("sched_getattr", sys_sched_getattr, Support::Full);
    b.add(
        "sched_rr_get_interval",
        sys_sched_rr_get_interval,
        Support::Partial("the fair policies report one 4 ms tick"),
    );
    b.add("sched_getscheduler", sys_sched_getscheduler, Support::Full);
    b.add("sched_getparam", sys_sched_getparam, Support::Full);
    b.add(
        "sched_get_priority_max",
        sys_sched_get_priority_max,
        Support::Full,
    );
    b.add(
        "sched_get_priority_min",
        sys_sched_get_priority_min,
        Support::Full,
    );
}

fn sys_sched_yield(_task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    std::thread::yield_now();
    Ok(0)
}

/// Linux's `check_same_owner`: the caller's effective uid is the target's real or effective
/// one.
pub fn same_owner(task: &Task, target: &Target) -> bool {
    let me = task.process.state().creds;
    let them = target.creds();
    me.euid == them.euid || me.euid == them.uid
}

// ---- CPU affinity ----

/// Bytes of Linux's `cpumask_size()` for `cpus` CPUs: whole longs.
fn cpumask_bytes(cpus: usize) -> usize {
    cpus.div_ceil(64) * 8
}

/// The mask with every CPU the sandbox reports set.
fn all_cpus() -> CpuMask {
    let mut mask = [0u64; 16];
    for cpu in 0..nr_cpus().min(1024) {
        mask[cpu / 64] |= 1 << (cpu % 64);
    }
    mask
}

/// The CPUs a thread may run on: its `sched_setaffinity` mask, or every CPU.
fn affinity_of(attrs: &SchedAttrs) -> CpuMask {
    attrs.affinity.unwrap_or_else(all_cpus)
}

fn mask_bytes(mask: &CpuMask) -> Vec<u8> {
    mask.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn sys_sched_getaffinity(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, len, addr) = (a.i32(0), u64::from(a.u32(1)), a.u(2));
    let cpus = nr_cpus();
    if len * 8 < cpus as u64 || len % 8 != 0 {
        return Err(Errno::EINVAL);
    }
    let target = find_thread(task, pid).ok_or(Errno::ESRCH)?;
    let mask = mask_bytes(&affinity_of(&target.thread.sched.get()));
    let n = cpumask_bytes(cpus).min(len as usize);
    task.mm().copy_out(addr, &mask[..n])?;
    Ok(n as u64)
}

fn sys_sched_setaffinity(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, len, addr) = (a.i32(0), a.u32(1) as usize, a.u(2));
    let size = cpumask_bytes(nr_cpus());
    // Linux reads at most its own mask size; a shorter one leaves the rest clear.
    let mut raw = [0u8; 128];
    let n = len.min(size).min(raw.len());
    task.mm().copy_in(addr, &mut raw[..n])?;
    let target = find_thread(task, pid).ok_or(Errno::ESRCH)?;
    if !same_owner(task, &target) && !capable(task, CAP_SYS_NICE) {
        return Err(Errno::EPERM);
    }
    // Only CPUs that exist count; a mask naming none of them is refused.
    let online = all_cpus();
    let mut mask = [0u64; 16];
    for (i, word) in mask.iter_mut().enumerate() {
        let bytes: [u8; 8] = raw[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]);
        *word = u64::from_le_bytes(bytes) & online[i];
    }
    if mask.iter().all(|&w| w == 0) {
        return Err(Errno::EINVAL);
    }
    target.thread.sched.update(|s| s.affinity = Some(mask));
    Ok(0)
}

fn sys_getcpu(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // Guest threads are not pinned to host CPUs; report the first CPU the mask allows, so the
    // answer is one the thread may run on. The third argument (a cache) has been unused since
    // Linux 2.6.24.
    let mask = affinity_of(&task.thread.sched.get());
    let cpu = mask
        .iter()
        .enumerate()
        .find(|(_, w)| **w != 0)
        .map_or(0, |(i, w)| i as u32 * 64 + w.trailing_zeros());
    write_opt(task, a.u(0), &cpu)?;
    write_opt(task, a.u(1), &0u32)?;
    Ok(0)
}

// ---- policies ----

fn valid_policy(policy: i32) -> bool {
    matches!(
        policy,
        SCHED_OTHER | SCHED_FIFO | SCHED_RR | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE
    )
}

/// The policies whose nice value `sched_setattr` sets (`fair_policy`).
fn fair_policy(policy: i32) -> bool {
    matches!(policy, SCHED_OTHER | SCHED_BATCH)
}

fn rt_policy(policy: i32) -> bool {
    matches!(policy, SCHED_FIFO | SCHED_RR)
}

/// A requested change of policy and parameters (Linux's `struct sched_attr` after copying).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SchedRequest {
    /// The policy, or `SETPARAM_POLICY` to keep the current one.
    pub policy: i32,
    /// `SCHED_FLAG_*`.
    pub flags: u64,
    /// The nice value for the fair policies; `None` keeps the current one (`sched_setscheduler`).
    pub nice: Option<i32>,
    /// The static priority.
    pub priority: u32,
    /// `SCHED_DEADLINE` parameters.
    pub deadline: Deadline,
}

/// What the permission rules need to know of the caller and the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SchedPerm {
    /// The caller holds `CAP_SYS_NICE`.
    pub cap_sys_nice: bool,
    /// The caller's effective uid is the target's real or effective one.
    pub same_owner: bool,
    /// The target's `RLIMIT_NICE` and `RLIMIT_RTPRIO` soft limits.
    pub rlim_nice: u64,
    /// See `rlim_nice`.
    pub rlim_rtprio: u64,
}

/// Linux's `__checkparam_dl`: runtime <= deadline <= period, within the period limits.
fn deadline_valid(d: &Deadline, flags: u64) -> bool {
    if flags & SCHED_FLAG_SUGOV != 0 {
        return true;
    }
    if d.deadline == 0 || d.runtime < (1 << DL_SCALE) {
        return false;
    }
    if d.deadline & (1 << 63) != 0 || d.period & (1 << 63) != 0 {
        return false;
    }
    let period = if d.period == 0 { d.deadline } else { d.period };
    if period < d.deadline || d.deadline < d.runtime {
        return false;
    }
    (DL_PERIOD_MIN_NS..=DL_PERIOD_MAX_NS).contains(&period)
}

/// Linux's `__sched_setscheduler` for a user caller, applied to thread attributes `p`:
/// validation (`EINVAL`), then the unprivileged rules (`EPERM` without `CAP_SYS_NICE`), then
/// the change. Fails without changing anything.
pub fn sched_rules(p: &mut SchedAttrs, req: SchedRequest, perm: SchedPerm) -> KResult<()> {
    let mut req = req;
    if req.flags & SCHED_FLAG_KEEP_PARAMS != 0 {
        // `get_params`: the current parameters of the current policy class.
        if p.policy == SCHED_DEADLINE {
            req.deadline = p.deadline;
        } else if p.is_rt() {
            req.priority = p.rt_priority as u32;
        } else {
            req.nice = Some(p.nice);
        }
    }
    let (policy, reset) = if req.policy < 0 {
        (p.policy, p.reset_on_fork)
    } else if !valid_policy(req.policy) {
        return Err(Errno::EINVAL);
    } else {
        (req.policy, req.flags & SCHED_FLAG_RESET_ON_FORK != 0)
    };
    if req.flags & !(SCHED_FLAG_ALL | SCHED_FLAG_SUGOV) != 0 || req.priority > 99 {
        return Err(Errno::EINVAL);
    }
    let prio = req.priority as i32;
    if (policy == SCHED_DEADLINE && !deadline_valid(&req.deadline, req.flags))
        || rt_policy(policy) != (prio != 0)
    {
        return Err(Errno::EINVAL);
    }
    let nice = req.nice.unwrap_or(p.nice);
    // RLIMIT_NICE counts 20 - nice.
    let may_nice = |n: i32| (20 - n) as u64 <= perm.rlim_nice;
    let needs_privilege = (fair_policy(policy) && nice < p.nice && !may_nice(nice))
        || (rt_policy(policy) && policy != p.policy && perm.rlim_rtprio == 0)
        || (rt_policy(policy) && prio > p.rt_priority && prio as u64 > perm.rlim_rtprio)
        || policy == SCHED_DEADLINE
        || (p.policy == SCHED_IDLE && policy != SCHED_IDLE && !may_nice(p.nice))
        || !perm.same_owner
        || (p.reset_on_fork && !reset);
    if needs_privilege && !perm.cap_sys_nice {
        return Err(Errno::EPERM);
    }
    if req.flags & SCHED_FLAG_SUGOV != 0 {
        return Err(Errno::EINVAL);
    }
    if req.flags & SCHED_FLAG_UTIL_CLAMP != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    p.reset_on_fork = reset;
    if req.flags & SCHED_FLAG_KEEP_PARAMS == 0 {
        p.policy = policy;
        if policy == SCHED_DEADLINE {
            p.deadline = req.deadline;
        } else if fair_policy(policy) {
            p.nice = nice;
        }
        p.rt_priority = prio;
    }
    Ok(())
}

/// Applies `req` to `target` on behalf of the caller.
fn set_scheduler(task: &Task, target: &Target, req: SchedRequest) -> KResult<u64> {
    let perm = SchedPerm {
        cap_sys_nice: capable(task, CAP_SYS_NICE),
        same_owner: same_owner(task, target),
        rlim_nice: target.rlimit(RLIMIT_NICE),
        rlim_rtprio: target.rlimit(RLIMIT_RTPRIO),
    };
    target
        .thread
        .sched
        .update(|p| sched_rules(p, req, perm))
        .map(|()| 0)
}

/// `sched_setscheduler`/`sched_setparam`: `EINVAL` for a NULL pointer or a negative pid,
/// `EFAULT`, then `ESRCH` (Linux's `do_sched_setscheduler`).
fn set_with_param(task: &Task, pid: i32, policy: i32, param: u64) -> KResult<u64> {
    if param == 0 || pid < 0 {
        return Err(Errno::EINVAL);
    }
    let prio: i32 = task.mm().read_val(param)?;
    let target = find_thread(task, pid).ok_or(Errno::ESRCH)?;
    // The legacy SCHED_RESET_ON_FORK bit in the policy becomes the flag.
    let (policy, flags) = if policy != SETPARAM_POLICY && policy & SCHED_RESET_ON_FORK != 0 {
        (policy & !SCHED_RESET_ON_FORK, SCHED_FLAG_RESET_ON_FORK)
    } else {
        (policy, 0)
    };
    let req = SchedRequest {
        policy,
        flags,
        nice: None,
        priority: prio as u32,
        deadline: Deadline::default(),
    };
    set_scheduler(task, &target, req)
}

fn sys_sched_setscheduler(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let policy = a.i32(1);
    if policy < 0 {
        return Err(Errno::EINVAL);
    }
    set_with_param(task, a.i32(0), policy, a.u(2))
}

fn sys_sched_setparam(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    set_with_param(task, a.i32(0), SETPARAM_POLICY, a.u(1))
}

/// The target of a query that refuses negative pids first (`EINVAL`, then `ESRCH`).
fn query_target(task: &Task, pid: i32) -> KResult<Target> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    find_thread(task, pid).ok_or(Errno::ESRCH)
}

fn sys_sched_getscheduler(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let s = query_target(task, a.i32(0))?.thread.sched.get();
    let reset = if s.reset_on_fork {
        SCHED_RESET_ON_FORK
    } else {
        0
    };
    Ok((s.policy | reset) as u64)
}

fn sys_sched_getparam(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, param) = (a.i32(0), a.u(1));
    if param == 0 {
        return Err(Errno::EINVAL);
    }
    let s = query_target(task, pid)?.thread.sched.get();
    // `struct sched_param` is one int: the static priority, 0 under the other policies.
    let prio = if s.is_rt() { s.rt_priority } else { 0 };
    task.mm().write_val(param, &prio)?;
    Ok(0)
}

fn sys_sched_rr_get_interval(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let s = query_target(task, a.i32(0))?.thread.sched.get();
    let ns = match s.policy {
        SCHED_FIFO | SCHED_DEADLINE => 0,
        SCHED_RR => RR_TIMESLICE_NS,
        _ => FAIR_SLICE_NS,
    };
    task.mm().write_val(
        a.u(1),
        &Timespec {
            tv_sec: 0,
            tv_nsec: ns,
        },
    )?;
    Ok(0)
}

fn sys_sched_get_priority_max(_task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match a.i32(0) {
        SCHED_FIFO | SCHED_RR => Ok(99),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_sched_get_priority_min(_task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match a.i32(0) {
        SCHED_FIFO | SCHED_RR => Ok(1),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

// ---- sched_setattr / sched_getattr ----

/// `struct sched_attr` (`SCHED_ATTR_SIZE_VER1`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct SchedAttrAbi {
    size: u32,
    sched_policy: u32,
    sched_flags: u64,
    sched_nice: i32,
    sched_priority: u32,
    sched_runtime: u64,
    sched_deadline: u64,
    sched_period: u64,
    sched_util_min: u32,
    sched_util_max: u32,
}

/// Linux's `sched_copy_attr`: the caller's `size` (0 meaning the first version) must lie
/// between the first version and a page, and bytes past the structure sbx knows must be
/// zero; otherwise `E2BIG`, with the size sbx knows written back.
fn read_sched_attr(task: &Task, addr: u64) -> KResult<SchedAttrAbi> {
    let size: u32 = task.mm().read_val(addr)?;
    let size = if size == 0 {
        SCHED_ATTR_SIZE_VER0
    } else {
        size
    };
    let too_big = || {
        let _ = task.mm().write_val(addr, &SCHED_ATTR_SIZE);
        Err(Errno::E2BIG)
    };
    if !(SCHED_ATTR_SIZE_VER0..=SCHED_ATTR_SIZE_MAX).contains(&size) {
        return too_big();
    }
    if size > SCHED_ATTR_SIZE {
        let mut tail = vec![0u8; (size - SCHED_ATTR_SIZE) as usize];
        task.mm()
            .copy_in(addr + u64::from(SCHED_ATTR_SIZE), &mut tail)?;
        if tail.iter().any(|&b| b != 0) {
            return too_big();
        }
    }
    let mut attr = SchedAttrAbi::default();
    let n = size.min(SCHED_ATTR_SIZE) as usize;
    task.mm()
        .copy_in(addr, &mut bytemuck::bytes_of_mut(&mut attr)[..n])?;
    if attr.sched_flags & SCHED_FLAG_UTIL_CLAMP != 0 && size < SCHED_ATTR_SIZE {
        return Err(Errno::EINVAL);
    }
    attr.sched_nice = attr.sched_nice.clamp(-20, 19);
    Ok(attr)
}

fn sys_sched_setattr(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, addr, flags) = (a.i32(0), a.u(1), a.u32(2));
    if addr == 0 || pid < 0 || flags != 0 {
        return Err(Errno::EINVAL);
    }
    let attr = read_sched_attr(task, addr)?;
    if (attr.sched_policy as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let policy = if attr.sched_flags & SCHED_FLAG_KEEP_POLICY != 0 {
        SETPARAM_POLICY
    } else {
        attr.sched_policy as i32
    };
    let target = find_thread(task, pid).ok_or(Errno::ESRCH)?;
    let req = SchedRequest {
        policy,
        flags: attr.sched_flags,
        nice: Some(attr.sched_nice),
        priority: attr.sched_priority,
        deadline: Deadline {
            runtime: attr.sched_runtime,
            deadline: attr.sched_deadline,
            period: attr.sched_period,
        },
    };
    set_scheduler(task, &target, req)
}

fn sys_sched_getattr(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (pid, addr, usize_, flags) = (a.i32(0), a.u(1), a.u32(2), a.u32(3));
    if addr == 0
        || pid < 0
        || !(SCHED_ATTR_SIZE_VER0..=SCHED_ATTR_SIZE_MAX).contains(&usize_)
        || flags != 0
    {
        return Err(Errno::EINVAL);
    }
    let s = find_thread(task, pid)
        .ok_or(Errno::ESRCH)?
        .thread
        .sched
        .get();
    let mut k = SchedAttrAbi {
        size: usize_.min(SCHED_ATTR_SIZE),
        sched_policy: s.policy as u32,
        sched_flags: if s.reset_on_fork {
            SCHED_FLAG_RESET_ON_FORK
        } else {
            0
        },
        ..SchedAttrAbi::default()
    };
    // `get_params`: only the parameters of the thread's policy class.
    if s.policy == SCHED_DEADLINE {
        k.sched_runtime = s.deadline.runtime;
        k.sched_deadline = s.deadline.deadline;
        k.sched_period = s.deadline.period;
    } else if s.is_rt() {
        k.sched_priority = s.rt_priority as u32;
    } else {
        k.sched_nice = s.nice;
    }
    // A larger buffer than the structure gets zeros past it (`copy_struct_to_user`).
    let mut out = bytemuck::bytes_of(&k).to_vec();
    out.resize(usize_ as usize, 0);
    task.mm().copy_out(addr, &out)?;
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const USER: SchedPerm = SchedPerm {
        cap_sys_nice: false,
        same_owner: true,
        rlim_nice: 0,
        rlim_rtprio: 0,
    };

    fn req(policy: i32, priority: u32) -> SchedRequest {
        SchedRequest {
            policy,
            priority,
            ..SchedRequest::default()
        }
    }

    #[test]
    fn normal_policies_need_no_privilege() {
        let mut p = SchedAttrs::default();
        assert_eq!(sched_rules(&mut p, req(SCHED_BATCH, 0), USER), Ok(()));
        assert_eq!(p.policy, SCHED_BATCH);
        assert_eq!(
            sched_rules(&mut p, req(SCHED_OTHER, 5), USER),
            Err(Errno::EINVAL)
        );
        assert_eq!(sched_rules(&mut p, req(SETPARAM_POLICY, 0), USER), Ok(()));
        assert_eq!(p.policy, SCHED_BATCH);
        assert_eq!(sched_rules(&mut p, req(42, 0), USER), Err(Errno::EINVAL));
        assert_eq!(sched_rules(&mut p, req(7, 0), USER), Err(Errno::EINVAL));
    }

    #[test]
    fn real_time_needs_cap_or_rlimit() {
        let mut p = SchedAttrs::default();
        assert_eq!(
            sched_rules(&mut p, req(SCHED_FIFO, 0), USER),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            sched_rules(&mut p, req(SCHED_FIFO, 10), USER),
            Err(Errno::EPERM)
        );
        let rt = SchedPerm {
            rlim_rtprio: 20,
            ..USER
        };
        assert_eq!(sched_rules(&mut p, req(SCHED_FIFO, 10), rt), Ok(()));
        assert_eq!(
            sched_rules(&mut p, req(SCHED_FIFO, 30), rt),
            Err(Errno::EPERM)
        );
        // Lowering the priority is always allowed once real-time.
        assert_eq!(sched_rules(&mut p, req(SCHED_FIFO, 5), USER), Ok(()));
        let root = SchedPerm {
            cap_sys_nice: true,
            ..USER
        };
        assert_eq!(sched_rules(&mut p, req(SCHED_RR, 50), root), Ok(()));
        assert_eq!((p.policy, p.rt_priority), (SCHED_RR, 50));
        assert_eq!(
            sched_rules(&mut p, req(SCHED_RR, 100), root),
            Err(Errno::EINVAL)
        );
    }

    #[test]
    fn idle_reset_on_fork_and_owner_rules() {
        let mut p = SchedAttrs::default();
        assert_eq!(sched_rules(&mut p, req(SCHED_IDLE, 0), USER), Ok(()));
        assert_eq!(
            sched_rules(&mut p, req(SCHED_OTHER, 0), USER),
            Err(Errno::EPERM)
        );
        let nice_ok = SchedPerm {
            rlim_nice: 20,
            ..USER
        };
        assert_eq!(sched_rules(&mut p, req(SCHED_OTHER, 0), nice_ok), Ok(()));
        let reset = SchedRequest {
            flags: SCHED_FLAG_RESET_ON_FORK,
            ..req(SCHED_OTHER, 0)
        };
        assert_eq!(sched_rules(&mut p, reset, USER), Ok(()));
        assert!(p.reset_on_fork);
        assert_eq!(
            sched_rules(&mut p, req(SCHED_OTHER, 0), USER),
            Err(Errno::EPERM)
        );
        let other = SchedPerm {
            same_owner: false,
            ..USER
        };
        assert_eq!(sched_rules(&mut p, reset, other), Err(Errno::EPERM));
    }

    #[test]
    fn setattr_nice_and_deadline() {
        let mut p = SchedAttrs::default();
        let nicer = SchedRequest {
            nice: Some(5),
            ..req(SCHED_OTHER, 0)
        };
        assert_eq!(sched_rules(&mut p, nicer, USER), Ok(()));
        assert_eq!(p.nice, 5);
        let back = SchedRequest {
            nice: Some(0),
            ..req(SCHED_OTHER, 0)
        };
        assert_eq!(sched_rules(&mut p, back, USER), Err(Errno::EPERM));
        let dl = |runtime, deadline, period| SchedRequest {
            deadline: Deadline {
                runtime,
                deadline,
                period,
            },
            ..req(SCHED_DEADLINE, 0)
        };
        // Bad parameters are EINVAL before privilege is asked about.
        assert_eq!(sched_rules(&mut p, dl(0, 0, 0), USER), Err(Errno::EINVAL));
        assert_eq!(
            sched_rules(&mut p, dl(2_000_000, 1_000_000, 0), USER),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            sched_rules(&mut p, dl(1_000_000, 2_000_000, 10_000_000), USER),
            Err(Errno::EPERM)
        );
        let clamp = SchedRequest {
            flags: 0x20,
            ..back
        };
        assert_eq!(
            sched_rules(
                &mut p,
                SchedRequest {
                    nice: Some(5),
                    ..clamp
                },
                USER
            ),
            Err(Errno::EOPNOTSUPP)
        );
        assert_eq!(p.nice, 5, "failed calls change nothing");
    }

    #[test]
    fn abi_sizes() {
        assert_eq!(std::mem::size_of::<SchedAttrAbi>(), 56);
        assert_eq!(cpumask_bytes(1), 8);
        assert_eq!(cpumask_bytes(64), 8);
        assert_eq!(cpumask_bytes(65), 16);
    }
}
