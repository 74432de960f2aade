//! The identity family: pids, user and group ids with Linux's permission rules, process groups
//! and sessions, and capabilities.
//!
//! Permission checks follow the kernel's `kernel/sys.c` and `security/commoncap.c`: changing ids
//! beyond the real/effective/saved ones needs CAP_SETUID (CAP_SETGID for groups), not uid 0 as
//! such, and uid changes adjust the capability sets exactly as Linux's "setuid fixup" does.

use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::util::{is_self, with_extras, Caps};
use crate::TableBuilder;

/// `CAP_CHOWN`.
pub const CAP_CHOWN: u32 = 0;
/// `CAP_SETGID`.
pub const CAP_SETGID: u32 = 6;
/// `CAP_SETUID`.
pub const CAP_SETUID: u32 = 7;
/// `CAP_SETPCAP`.
pub const CAP_SETPCAP: u32 = 8;
/// The highest capability number Linux defines (`CAP_CHECKPOINT_RESTORE`).
pub const CAP_LAST_CAP: u32 = 40;
/// Every defined capability.
const CAP_VALID_MASK: u64 = (1 << (CAP_LAST_CAP + 1)) - 1;
/// Capabilities tied to the filesystem uid: CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER,
/// FSETID, LINUX_IMMUTABLE, MAC_OVERRIDE.
const CAP_FS_MASK: u64 = 0x1f | 1 << 9 | 1 << 32;
/// Most supplementary groups a process may have.
const NGROUPS_MAX: usize = 65536;
/// `(uid_t)-1`: "leave this id as it is".
const UNCHANGED: u32 = u32::MAX;

const VERSION_1: u32 = 0x1998_0330;
const VERSION_2: u32 = 0x2007_1026;
const VERSION_3: u32 = 0x2008_0522;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("getpid", sys_getpid, Support::Full);
    b.add("getppid", sys_getppid, Support::Full);
    b.add("gettid", sys_gettid, Support::Full);
    b.add("getuid", sys_getuid, Support::Full);
    b.add("geteuid", sys_geteuid, Support::Full);
    b.add("getgid", sys_getgid, Support::Full);
    b.add("getegid", sys_getegid, Support::Full);
    b.add("getresuid", sys_getresuid, Support::Full);
    b.add("getresgid", sys_getresgid, Support::Full);
    b.add("getgroups", sys_getgroups, Support::Full);
    b.add("setuid", sys_setuid, Support::Full);
    b.add("setgid", sys_setgid, Support::Full);
    b.add("setreuid", sys_setreuid, Support::Full);
    b.add("setregid", sys_setregid, Support::Full);
    b.add("setresuid", sys_setresuid, Support::Full);
    b.add("setresgid", sys_setresgid, Support::Full);
    b.add("setfsuid", sys_setfsuid, Support::Full);
    b.add("setfsgid", sys_setfsgid, Support::Full);
    b.add("setgroups", sys_setgroups, Support::Full);
    b.add(
        "capget",
        sys_capget,
        Support::Partial(
            "root holds Docker's default capabilities; other processes cannot be queried",
        ),
    );
    b.add(
        "capset",
        sys_capset,
        Support::Partial("capabilities are tracked but not yet checked by most syscalls"),
    );
}

/// Whether the caller's effective capability set holds `cap`.
pub fn capable(task: &Task, cap: u32) -> bool {
    with_extras(task, |_, e| has(e.caps.effective, cap))
}

fn has(set: u64, cap: u32) -> bool {
    cap <= CAP_LAST_CAP && set & (1 << cap) != 0
}

fn sys_getpid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(task.process.pid as u64)
}

fn sys_getppid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(task.process.ppid() as u64)
}

fn sys_gettid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(task.tid as u64)
}

fn sys_getuid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(task.process.state().creds.uid))
}

fn sys_geteuid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(task.process.state().creds.euid))
}

fn sys_getgid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(task.process.state().creds.gid))
}

fn sys_getegid(task: &mut Task, _: &SyscallArgs) -> KResult<u64> {
    Ok(u64::from(task.process.state().creds.egid))
}

/// Writes three ids one after another, as Linux's `put_user` chain: a bad second pointer
/// leaves the first id written.
fn put_three(task: &Task, ptrs: [u64; 3], ids: [u32; 3]) -> KResult<u64> {
    let mut mm = task.mm();
    for (p, id) in ptrs.into_iter().zip(ids) {
        mm.write_val(p, &id)?;
    }
    Ok(0)
}

fn sys_getresuid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let c = task.process.state().creds;
    put_three(task, [a.u(0), a.u(1), a.u(2)], [c.uid, c.euid, c.suid])
}

fn sys_getresgid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let c = task.process.state().creds;
    put_three(task, [a.u(0), a.u(1), a.u(2)], [c.gid, c.egid, c.sgid])
}

/// One kind of id (user or group): real, effective, saved and filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Ids {
    r: u32,
    e: u32,
    s: u32,
    fs: u32,
}

impl Ids {
    fn holds(&self, id: u32) -> bool {
        id == self.r || id == self.e || id == self.s
    }
}

/// `setuid`/`setgid`: privileged callers set all three; others may only switch the effective
/// id to the real or saved one.
fn set_id(old: Ids, id: u32, privileged: bool) -> KResult<Ids> {
    if id == UNCHANGED {
        return Err(Errno::EINVAL);
    }
    let mut new = old;
    if privileged {
        new.r = id;
        new.s = id;
    } else if id != old.r && id != old.s {
        return Err(Errno::EPERM);
    }
    new.e = id;
    new.fs = id;
    Ok(new)
}

/// `setreuid`/`setregid`.
fn set_re_id(old: Ids, r: u32, e: u32, privileged: bool) -> KResult<Ids> {
    let mut new = old;
    if r != UNCHANGED {
        if r != old.r && r != old.e && !privileged {
            return Err(Errno::EPERM);
        }
        new.r = r;
    }
    if e != UNCHANGED {
        if !old.holds(e) && !privileged {
            return Err(Errno::EPERM);
        }
        new.e = e;
    }
    // Linux: the saved id follows the effective one whenever the real id is set or the
    // effective id moves away from the (old) real id.
    if r != UNCHANGED || (e != UNCHANGED && e != old.r) {
        new.s = new.e;
    }
    new.fs = new.e;
    Ok(new)
}

/// `setresuid`/`setresgid`: each id may be set to any of the old three, or anything with the
/// capability.
fn set_res_id(old: Ids, r: u32, e: u32, s: u32, privileged: bool) -> KResult<Ids> {
    let same = (r == UNCHANGED || r == old.r)
        && (e == UNCHANGED || (e == old.e && e == old.fs))
        && (s == UNCHANGED || s == old.s);
    if same {
        return Ok(old);
    }
    let is_new = |id: u32| id != UNCHANGED && !old.holds(id);
    if (is_new(r) || is_new(e) || is_new(s)) && !privileged {
        return Err(Errno::EPERM);
    }
    let pick = |want: u32, keep: u32| if want == UNCHANGED { keep } else { want };
    let e = pick(e, old.e);
    Ok(Ids {
        r: pick(r, old.r),
        e,
        s: pick(s, old.s),
        fs: e,
    })
}

/// `setfsuid`/`setfsgid`: never fails; an id that is not allowed leaves things as they were.
fn set_fs_id(old: Ids, id: u32, privileged: bool) -> Ids {
    if id != UNCHANGED && (old.holds(id) || id == old.fs || privileged) {
        Ids { fs: id, ..old }
    } else {
        old
    }
}

/// Linux's `cap_emulate_setxuid`: leaving uid 0 everywhere drops capabilities (unless
/// `keep`, `PR_SET_KEEPCAPS`), leaving it as the effective uid empties the effective set, and
/// returning to it restores that set.
fn fix_caps_setxuid(old: Ids, new: Ids, caps: &mut Caps, keep: bool) {
    let was_root = old.r == 0 || old.e == 0 || old.s == 0;
    let is_root = new.r == 0 || new.e == 0 || new.s == 0;
    if was_root && !is_root && !keep {
        caps.permitted = 0;
        caps.effective = 0;
    }
    if old.e == 0 && new.e != 0 {
        caps.effective = 0;
    }
    if old.e != 0 && new.e == 0 {
        caps.effective = caps.permitted;
    }
}

/// The filesystem-uid part of Linux's setuid fixup: the filesystem capabilities follow fsuid 0.
fn fix_caps_fsuid(old_fs: u32, new_fs: u32, caps: &mut Caps) {
    if old_fs == 0 && new_fs != 0 {
        caps.effective &= !CAP_FS_MASK;
    }
    if old_fs != 0 && new_fs == 0 {
        caps.effective |= caps.permitted & CAP_FS_MASK;
    }
}

/// Which ids a set*id call changes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `setuid`, `setreuid`, `setresuid`.
    User,
    /// `setfsuid`.
    FsUser,
    /// The group calls, which never touch capabilities.
    Group,
}

/// Applies `change` to the caller's user or group ids under the right capability, with the
/// capability fixup for uid changes; returns the old ids (or the error).
fn change_ids(
    task: &Task,
    kind: Kind,
    change: impl FnOnce(Ids, bool) -> KResult<Ids>,
) -> KResult<Ids> {
    with_extras(task, |state, extras| {
        let c = &mut state.creds;
        let (old, cap) = match kind {
            Kind::User | Kind::FsUser => (
                Ids {
                    r: c.uid,
                    e: c.euid,
                    s: c.suid,
                    fs: c.fsuid,
                },
                CAP_SETUID,
            ),
            Kind::Group => (
                Ids {
                    r: c.gid,
                    e: c.egid,
                    s: c.sgid,
                    fs: c.fsgid,
                },
                CAP_SETGID,
            ),
        };
        let new = change(old, has(extras.caps.effective, cap))?;
        match kind {
            Kind::User | Kind::FsUser => {
                (c.uid, c.euid, c.suid, c.fsuid) = (new.r, new.e, new.s, new.fs)
            }
            Kind::Group => (c.gid, c.egid, c.sgid, c.fsgid) = (new.r, new.e, new.s, new.fs),
        }
        match kind {
            Kind::User => fix_caps_setxuid(old, new, &mut extras.caps, extras.keepcaps),
            Kind::FsUser => fix_caps_fsuid(old.fs, new.fs, &mut extras.caps),
            Kind::Group => {}
        }
        // Linux's `commit_creds`: a changed effective or filesystem id makes the process
        // non-dumpable (`suid_dumpable` is 0) and cancels its parent-death signal.
        if old.e != new.e || old.fs != new.fs {
            extras.dumpable = 0;
            state.pdeathsig = 0;
        }
        Ok(old)
    })
}

fn sys_setuid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::User, |old, p| set_id(old, a.u32(0), p)).map(|_| 0)
}

fn sys_setgid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::Group, |old, p| set_id(old, a.u32(0), p)).map(|_| 0)
}

fn sys_setreuid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::User, |old, p| {
        set_re_id(old, a.u32(0), a.u32(1), p)
    })
    .map(|_| 0)
}

fn sys_setregid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::Group, |old, p| {
        set_re_id(old, a.u32(0), a.u32(1), p)
    })
    .map(|_| 0)
}

fn sys_setresuid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::User, |old, p| {
        set_res_id(old, a.u32(0), a.u32(1), a.u32(2), p)
    })
    .map(|_| 0)
}

fn sys_setresgid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::Group, |old, p| {
        set_res_id(old, a.u32(0), a.u32(1), a.u32(2), p)
    })
    .map(|_| 0)
}

fn sys_setfsuid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // Returns the previous fsuid whether or not it changed: that is the only way to read it.
    change_ids(task, Kind::FsUser, |old, p| Ok(set_fs_id(old, a.u32(0), p)))
        .map(|old| u64::from(old.fs))
}

fn sys_setfsgid(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    change_ids(task, Kind::Group, |old, p| Ok(set_fs_id(old, a.u32(0), p)))
        .map(|old| u64::from(old.fs))
}

fn sys_getgroups(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let size = a.i32(0);
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    let groups = task.process.state().groups.clone();
    if size == 0 {
        return Ok(groups.len() as u64);
    }
    if groups.len() > size as usize {
        return Err(Errno::EINVAL);
    }
    let bytes: Vec<u8> = groups.iter().flat_map(|g| g.to_ne_bytes()).collect();
    task.mm().copy_out(a.u(1), &bytes)?;
    Ok(groups.len() as u64)
}

fn sys_setgroups(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if !capable(task, CAP_SETGID) {
        return Err(Errno::EPERM);
    }
    // Linux compares the int size as unsigned, so a negative size is simply too large.
    let size = a.u32(0) as usize;
    if size > NGROUPS_MAX {
        return Err(Errno::EINVAL);
    }
    let bytes = task.mm().read_bytes(a.u(1), size * 4)?;
    let mut groups: Vec<u32> = bytes
        .chunks_exact(4)
        .map(|c| u32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    // Linux keeps the list sorted (it binary-searches it), so getgroups returns it sorted.
    groups.sort_unstable();
    task.process.state().groups = groups;
    Ok(0)
}

/// `struct __user_cap_header_struct`.
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct CapHeader {
    version: u32,
    pid: i32,
}

/// `struct __user_cap_data_struct`: one 32-bit half of each set.
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
#[repr(C)]
struct CapData {
    effective: u32,
    permitted: u32,
    inheritable: u32,
}

/// Checks the header's version; unknown versions get the preferred one written back and
/// `EINVAL`, which is how programs probe for it. Returns how many `CapData` the version uses.
fn cap_version(task: &Task, header: u64) -> KResult<usize> {
    let version: u32 = task.mm().read_val(header)?;
    match version {
        VERSION_1 => Ok(1),
        VERSION_2 | VERSION_3 => Ok(2),
        _ => {
            task.mm().write_val(header, &VERSION_3)?;
            Err(Errno::EINVAL)
        }
    }
}

fn sys_capget(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (header, data) = (a.u(0), a.u(1));
    let words = match cap_version(task, header) {
        // A NULL data pointer asks only for the version: success either way.
        Err(Errno::EINVAL) if data == 0 => return Ok(0),
        Err(e) => return Err(e),
        Ok(_) if data == 0 => return Ok(0),
        Ok(w) => w,
    };
    let pid = task.mm().read_val::<CapHeader>(header)?.pid;
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if !is_self(task, i64::from(pid)) {
        return Err(Errno::ESRCH);
    }
    let caps = with_extras(task, |_, e| e.caps);
    let half = |i: usize| CapData {
        effective: (caps.effective >> (32 * i)) as u32,
        permitted: (caps.permitted >> (32 * i)) as u32,
        inheritable: (caps.inheritable >> (32 * i)) as u32,
    };
    let out: Vec<CapData> = (0..words).map(half).collect();
    task.mm().copy_out(data, bytemuck::cast_slice(&out))?;
    Ok(0)
}

fn sys_capset(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (header, data) = (a.u(0), a.u(1));
    let words = cap_version(task, header)?;
    let pid = task.mm().read_val::<CapHeader>(header)?.pid;
    // Only the calling thread itself may be changed (Linux compares with its tid).
    if pid != 0 && pid != task.tid {
        return Err(Errno::EPERM);
    }
    let mut raw = [CapData::default(); 2];
    task.mm()
        .copy_in(data, bytemuck::cast_slice_mut(&mut raw[..words]))?;
    let join = |f: fn(&CapData) -> u32| {
        (u64::from(f(&raw[1])) << 32 | u64::from(f(&raw[0]))) & CAP_VALID_MASK
    };
    let want = Caps {
        effective: join(|d| d.effective),
        permitted: join(|d| d.permitted),
        inheritable: join(|d| d.inheritable),
        bounding: 0,
    };
    with_extras(task, |_, e| {
        e.caps = capset_rules(&e.caps, want)?;
        Ok(0)
    })
}

/// Linux's `cap_capset`: the new sets may only shrink, except that a holder of CAP_SETPCAP may
/// add bounded capabilities to its inheritable set. `want.bounding` is ignored.
fn capset_rules(old: &Caps, want: Caps) -> KResult<Caps> {
    let subset = |a: u64, b: u64| a & !b == 0;
    let may_raise_inheritable = has(old.effective, CAP_SETPCAP);
    if !may_raise_inheritable && !subset(want.inheritable, old.inheritable | old.permitted) {
        return Err(Errno::EPERM);
    }
    if !subset(want.inheritable, old.inheritable | old.bounding) {
        return Err(Errno::EPERM);
    }
    if !subset(want.permitted, old.permitted) || !subset(want.effective, want.permitted) {
        return Err(Errno::EPERM);
    }
    Ok(Caps {
        bounding: old.bounding,
        ..want
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::SANDBOX_CAPS;

    const U: u32 = UNCHANGED;

    fn ids(r: u32, e: u32, s: u32) -> Ids {
        Ids { r, e, s, fs: e }
    }

    #[test]
    fn setuid_rules() {
        // Privileged: all three (and fs) change.
        assert_eq!(set_id(ids(0, 0, 0), 1000, true), Ok(ids(1000, 1000, 1000)));
        // Unprivileged: only to the real or saved id, and only the effective one moves.
        assert_eq!(
            set_id(ids(1000, 2000, 3000), 3000, false),
            Ok(ids(1000, 3000, 3000))
        );
        assert_eq!(
            set_id(ids(1000, 2000, 3000), 1000, false),
            Ok(Ids {
                r: 1000,
                e: 1000,
                s: 3000,
                fs: 1000
            })
        );
        assert_eq!(set_id(ids(1000, 1000, 1000), 0, false), Err(Errno::EPERM));
        assert_eq!(set_id(ids(0, 0, 0), U, true), Err(Errno::EINVAL));
    }

    #[test]
    fn setreuid_rules() {
        // Swapping real and effective is always allowed; the saved id follows the effective.
        assert_eq!(
            set_re_id(ids(1000, 2000, 2000), 2000, 1000, false),
            Ok(ids(2000, 1000, 1000))
        );
        // The real id may not become the saved one without privilege.
        assert_eq!(
            set_re_id(ids(1000, 2000, 3000), 3000, U, false),
            Err(Errno::EPERM)
        );
        // The effective id may.
        assert_eq!(
            set_re_id(ids(1000, 2000, 3000), U, 3000, false),
            Ok(ids(1000, 3000, 3000))
        );
        // Setting the effective id back to the real id keeps the saved id.
        assert_eq!(
            set_re_id(ids(1000, 2000, 3000), U, 1000, false),
            Ok(Ids {
                r: 1000,
                e: 1000,
                s: 3000,
                fs: 1000
            })
        );
        assert_eq!(
            set_re_id(ids(1000, 1000, 1000), U, 5, false),
            Err(Errno::EPERM)
        );
        assert_eq!(
            set_re_id(ids(1000, 1000, 1000), 5, 6, true),
            Ok(ids(5, 6, 6))
        );
    }

    #[test]
    fn setresuid_rules() {
        assert_eq!(set_res_id(ids(1, 2, 3), 3, 1, 2, false), Ok(ids(3, 1, 2)));
        assert_eq!(set_res_id(ids(1, 2, 3), U, U, 4, false), Err(Errno::EPERM));
        assert_eq!(
            set_res_id(ids(1, 2, 3), U, U, 4, true),
            Ok(Ids {
                r: 1,
                e: 2,
                s: 4,
                fs: 2
            })
        );
        // A no-op leaves even a diverged fsuid alone.
        let odd = Ids {
            r: 1,
            e: 2,
            s: 3,
            fs: 9,
        };
        assert_eq!(set_res_id(odd, U, U, U, false), Ok(odd));
    }

    #[test]
    fn setfsuid_rules() {
        let old = ids(1, 2, 3);
        assert_eq!(set_fs_id(old, 3, false).fs, 3);
        assert_eq!(set_fs_id(old, 7, false).fs, 2);
        assert_eq!(set_fs_id(old, 7, true).fs, 7);
        assert_eq!(set_fs_id(old, U, true).fs, 2);
    }

    #[test]
    fn leaving_root_drops_capabilities() {
        let full = Caps {
            effective: SANDBOX_CAPS,
            permitted: SANDBOX_CAPS,
            inheritable: 0,
            bounding: SANDBOX_CAPS,
        };
        // Temporarily dropping euid keeps the permitted set; regaining it restores effective.
        let mut c = full;
        fix_caps_setxuid(ids(0, 0, 0), ids(0, 1000, 0), &mut c, false);
        assert_eq!((c.effective, c.permitted), (0, SANDBOX_CAPS));
        fix_caps_setxuid(ids(0, 1000, 0), ids(0, 0, 0), &mut c, false);
        assert_eq!(c, full);
        // Dropping uid 0 everywhere loses everything for good.
        let mut c = full;
        fix_caps_setxuid(ids(0, 0, 0), ids(1000, 1000, 1000), &mut c, false);
        assert_eq!((c.effective, c.permitted), (0, 0));
        // ...unless PR_SET_KEEPCAPS asked to keep the permitted set.
        let mut c = full;
        fix_caps_setxuid(ids(0, 0, 0), ids(1000, 1000, 1000), &mut c, true);
        assert_eq!((c.effective, c.permitted), (0, SANDBOX_CAPS));
        // fsuid away from 0 drops only the filesystem capabilities.
        let mut c = full;
        fix_caps_fsuid(0, 1000, &mut c);
        assert_eq!(c.effective, SANDBOX_CAPS & !CAP_FS_MASK);
        fix_caps_fsuid(1000, 0, &mut c);
        assert_eq!(c.effective, SANDBOX_CAPS);
    }

    #[test]
    fn capset_only_shrinks() {
        let old = Caps {
            effective: 0b1_1100_0000,
            permitted: 0b1_1100_0000,
            inheritable: 0,
            bounding: SANDBOX_CAPS,
        };
        let drop = Caps {
            effective: 0b0100_0000,
            permitted: 0b1100_0000,
            inheritable: 0,
            bounding: 0,
        };
        assert_eq!(
            capset_rules(&old, drop),
            Ok(Caps {
                bounding: SANDBOX_CAPS,
                ..drop
            })
        );
        let grow = Caps {
            permitted: 1 << 21,
            effective: 0,
            inheritable: 0,
            bounding: 0,
        };
        assert_eq!(capset_rules(&old, grow), Err(Errno::EPERM));
        let eff_over = Caps {
            permitted: 0b0100_0000,
            effective: 0b1000_0000,
            inheritable: 0,
            bounding: 0,
        };
        assert_eq!(capset_rules(&old, eff_over), Err(Errno::EPERM));
        // With CAP_SETPCAP (bit 8) a bounded capability may become inheritable.
        let inh = Caps {
            inheritable: 1 << 0,
            ..old
        };
        assert!(capset_rules(&old, inh).is_ok());
        // Without it, only permitted ones may.
        let weak = Caps {
            effective: 0b1100_0000,
            ..old
        };
        assert_eq!(
            capset_rules(
                &weak,
                Caps {
                    inheritable: 1 << 0,
                    ..weak
                }
            ),
            Err(Errno::EPERM)
        );
        assert!(capset_rules(
            &weak,
            Caps {
                inheritable: 1 << 7,
                ..weak
            }
        )
        .is_ok());
    }
}
