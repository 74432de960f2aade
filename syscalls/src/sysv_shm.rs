//! System V shared memory: `shmget`, `shmat`, `shmdt`, `shmctl`. The segments live in the
//! sandbox's IPC namespace (`sbx_kernel::ipc::shm`); an attach is a `MAP_SHARED` mapping of
//! the segment's frames.

use std::sync::Arc;

use sbx_kernel::ipc::shm::{
    ShmIds, ShmSource, ShmStat, SHMALL, SHMLBA, SHMMAX, SHMMIN, SHMMNI, SHM_EXEC, SHM_RDONLY,
    SHM_REMAP, SHM_RND,
};
use sbx_kernel::ipc::{IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT};
use sbx_kernel::mm::{Backing, MAP_FIXED, MAP_SHARED, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::sysv::{caller, IpcPerm};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "shmget",
        sys_shmget,
        Support::Partial("SHM_HUGETLB is ENOMEM (no huge pages are reserved)"),
    );
    b.add("shmat", sys_shmat, Support::Full);
    b.add("shmdt", sys_shmdt, Support::Full);
    b.add(
        "shmctl",
        sys_shmctl,
        Support::Partial(
            "shm_atime, shm_dtime and shm_lpid change at shmat and shmdt only, not when fork, \
             munmap or exit add or drop an attach",
        ),
    );
}

/// `SHM_LOCK`.
const SHM_LOCK: i32 = 11;
/// `SHM_UNLOCK`.
const SHM_UNLOCK: i32 = 12;
/// `SHM_STAT`.
const SHM_STAT: i32 = 13;
/// `SHM_INFO`.
const SHM_INFO: i32 = 14;
/// `SHM_STAT_ANY`.
const SHM_STAT_ANY: i32 = 15;

/// `struct shmid64_ds` (112 bytes on x86-64).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct ShmidDs {
    perm: IpcPerm,
    segsz: u64,
    atime: i64,
    dtime: i64,
    ctime: i64,
    cpid: i32,
    lpid: i32,
    nattch: u64,
    unused4: u64,
    unused5: u64,
}

impl From<ShmStat> for ShmidDs {
    fn from(s: ShmStat) -> ShmidDs {
        ShmidDs {
            perm: s.perm.into(),
            segsz: s.segsz,
            atime: s.atime,
            dtime: s.dtime,
            ctime: s.ctime,
            cpid: s.cpid,
            lpid: s.lpid,
            nattch: s.nattch,
            ..ShmidDs::default()
        }
    }
}

/// `struct shminfo64` (`IPC_INFO`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct ShmInfo64 {
    shmmax: u64,
    shmmin: u64,
    shmmni: u64,
    shmseg: u64,
    shmall: u64,
    unused: [u64; 4],
}

/// `struct shm_info` (`SHM_INFO`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct ShmUsageInfo {
    used_ids: i32,
    pad: u32,
    shm_tot: u64,
    shm_rss: u64,
    shm_swp: u64,
    swap_attempts: u64,
    swap_successes: u64,
}

fn ids(task: &Task) -> std::sync::MutexGuard<'_, ShmIds> {
    task.kernel
        .ipc
        .shm
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn sys_shmget(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (key, size, flags) = (a.i32(0), a.u(1), a.i32(2));
    let c = caller(task);
    let phys = task.mm().phys().clone();
    let id = ids(task).get(key, size, flags, &c, &phys)?;
    Ok(id as u64)
}

/// Linux's `do_shmat`.
fn sys_shmat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, mut addr, flags) = (a.i32(0), a.u(1), a.i32(2));
    if id < 0 {
        return Err(Errno::EINVAL);
    }
    let fixed = addr != 0;
    if addr != 0 {
        if addr % SHMLBA != 0 {
            if flags & SHM_RND == 0 {
                return Err(Errno::EINVAL);
            }
            addr -= addr % SHMLBA;
            if addr == 0 && flags & SHM_REMAP != 0 {
                return Err(Errno::EINVAL);
            }
        }
    } else if flags & SHM_REMAP != 0 {
        return Err(Errno::EINVAL);
    }
    let mut prot = PROT_READ;
    if flags & SHM_RDONLY == 0 {
        prot |= PROT_WRITE;
    }
    if flags & SHM_EXEC != 0 {
        prot |= PROT_EXEC;
    }
    let c = caller(task);
    let attach = ids(task).attach(id, flags, &c)?;
    let limit = crate::mm::as_limit(task);
    let mut mm = task.mm();
    if fixed && flags & SHM_REMAP == 0 {
        let end = addr.checked_add(attach.len).ok_or(Errno::EINVAL)?;
        if mm.vmas().any(|v| v.start < end && v.end > addr) {
            return Err(Errno::EINVAL);
        }
    }
    let map_flags = MAP_SHARED | if fixed { MAP_FIXED } else { 0 };
    let start = mm.mmap(
        addr,
        attach.len,
        prot,
        map_flags,
        Some((attach.source, 0)),
        limit,
    )?;
    drop(mm);
    attach.seg.attached(&c);
    Ok(start)
}

/// The segment an attach maps, if `source` is one.
fn shm_source(backing: &Backing) -> Option<(&ShmSource, u64)> {
    match backing {
        Backing::File { source, offset } => source
            .as_any()
            .and_then(|a| a.downcast_ref::<ShmSource>())
            .map(|s| (s, *offset)),
        Backing::Anon => None,
    }
}

/// Linux's `shmdt`: unmaps the attach that starts at `addr` (the first mapping at or after
/// it whose segment offset matches its distance from `addr`), and every later piece of the
/// same attach within the segment's size.
fn sys_shmdt(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let addr = a.u(0);
    if addr % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL);
    }
    let c = caller(task);
    let mut mm = task.mm();
    let mut ranges = Vec::new();
    let mut found = None;
    for v in mm.vmas().filter(|v| v.end > addr) {
        let Some((src, offset)) = shm_source(&v.backing) else {
            continue;
        };
        let at_offset = v.start >= addr && v.start - addr == offset;
        match &found {
            None if at_offset => {
                found = Some(src.segment().clone());
                ranges.push((v.start, v.end));
            }
            None => {}
            Some(seg) => {
                let size = seg_size(seg);
                if v.end - addr > size {
                    break;
                }
                if at_offset && Arc::ptr_eq(seg, src.segment()) {
                    ranges.push((v.start, v.end));
                }
            }
        }
    }
    let Some(seg) = found else {
        return Err(Errno::EINVAL);
    };
    for (s, e) in ranges {
        mm.unmap(s, e - s)?;
    }
    drop(mm);
    seg.detached(&c);
    Ok(0)
}

/// A segment's size rounded up to whole pages.
fn seg_size(seg: &sbx_kernel::ipc::shm::Segment) -> u64 {
    seg.size().div_ceil(PAGE_SIZE) * PAGE_SIZE
}

fn sys_shmctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, cmd, buf) = (a.i32(0), a.i32(1), a.u(2));
    if cmd < 0 || id < 0 {
        return Err(Errno::EINVAL);
    }
    let c = caller(task);
    match cmd {
        IPC_INFO => {
            let info = ShmInfo64 {
                shmmax: SHMMAX,
                shmmin: SHMMIN,
                shmmni: SHMMNI as u64,
                shmseg: SHMMNI as u64,
                shmall: SHMALL,
                unused: [0; 4],
            };
            let max = ids(task).max_index();
            task.mm().write_val(buf, &info)?;
            Ok(max as u64)
        }
        SHM_INFO => {
            let (u, max) = ids(task).usage();
            let info = ShmUsageInfo {
                used_ids: u.used_ids,
                shm_tot: u.tot,
                shm_rss: u.rss,
                ..ShmUsageInfo::default()
            };
            task.mm().write_val(buf, &info)?;
            Ok(max as u64)
        }
        IPC_STAT | SHM_STAT | SHM_STAT_ANY => {
            let by_index = cmd != IPC_STAT;
            let (seg, perm, full_id) =
                ids(task).lookup_stat(id, by_index, cmd == SHM_STAT_ANY, &c)?;
            // Counting attaches locks address spaces: neither lock may be held.
            let ds = ShmidDs::from(ShmIds::stat_of(&seg, perm));
            task.mm().write_val(buf, &ds)?;
            Ok(if by_index { full_id as u64 } else { 0 })
        }
        IPC_SET => {
            let ds: ShmidDs = task.mm().read_val(buf)?;
            let (uid, gid, mode) = ds.perm.set_args();
            ids(task).set(id, uid, gid, mode, &c).map(|_| 0)
        }
        IPC_RMID => ids(task).remove(id, &c).map(|_| 0),
        SHM_LOCK | SHM_UNLOCK => ids(task).set_locked(id, cmd == SHM_LOCK, &c).map(|_| 0),
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_layouts_match_x86_64() {
        assert_eq!(std::mem::size_of::<ShmidDs>(), 112);
        assert_eq!(std::mem::size_of::<ShmInfo64>(), 72);
        assert_eq!(std::mem::size_of::<ShmUsageInfo>(), 48);
    }
}
