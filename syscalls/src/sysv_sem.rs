//! System V semaphores: `semget`, `semop`, `semtimedop`, `semctl`. The sets and the undo
//! lists live in `sbx_kernel::ipc::sem`; this layer decodes arguments and guest structures.

use std::sync::Arc;
use std::time::Instant;

use sbx_kernel::ipc::sem::{self, SemBuf, SemSet, SemStat, UndoList, SEMMNI, SEMMNS, SEMMSL};
use sbx_kernel::ipc::sem::{SEMOPM, SEMVMX, SEM_UNDO};
use sbx_kernel::ipc::{Registry, ACC_READ, ACC_WRITE, IPC_INFO, IPC_RMID, IPC_SET, IPC_STAT};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::sysv::{caller, IpcPerm};
use crate::util::Timespec;
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("semget", sys_semget, Support::Full);
    b.add("semop", sys_semop, Support::Full);
    b.add("semtimedop", sys_semtimedop, Support::Full);
    b.add(
        "semctl",
        sys_semctl,
        Support::Partial(
            "undo lists are per process: threads share one even without CLONE_SYSVSEM",
        ),
    );
}

/// `GETPID`.
const GETPID: i32 = 11;
/// `GETVAL`.
const GETVAL: i32 = 12;
/// `GETALL`.
const GETALL: i32 = 13;
/// `GETNCNT`.
const GETNCNT: i32 = 14;
/// `GETZCNT`.
const GETZCNT: i32 = 15;
/// `SETVAL`.
const SETVAL: i32 = 16;
/// `SETALL`.
const SETALL: i32 = 17;
/// `SEM_STAT`.
const SEM_STAT: i32 = 18;
/// `SEM_INFO`.
const SEM_INFO: i32 = 19;
/// `SEM_STAT_ANY`.
const SEM_STAT_ANY: i32 = 20;

/// Linux's `SEMUSZ`, `SEMMAP`/`SEMMNU` (= `SEMMNS`) and `SEMUME` (= `SEMOPM`).
const SEMUSZ: i32 = 20;

/// `struct semid64_ds` (104 bytes on x86-64).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct SemidDs {
    perm: IpcPerm,
    otime: i64,
    unused1: u64,
    ctime: i64,
    unused2: u64,
    nsems: u64,
    unused3: u64,
    unused4: u64,
}

impl From<SemStat> for SemidDs {
    fn from(s: SemStat) -> SemidDs {
        SemidDs {
            perm: s.perm.into(),
            otime: s.otime,
            ctime: s.ctime,
            nsems: s.nsems,
            ..SemidDs::default()
        }
    }
}

/// `struct seminfo`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct SemInfo {
    semmap: i32,
    semmni: i32,
    semmns: i32,
    semmnu: i32,
    semmsl: i32,
    semopm: i32,
    semume: i32,
    semusz: i32,
    semvmx: i32,
    semaem: i32,
}

/// `struct sembuf` as the guest lays it out.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct RawSemBuf {
    num: u16,
    op: i16,
    flg: i16,
}

fn reg(task: &Task) -> std::sync::MutexGuard<'_, Registry<SemSet>> {
    task.kernel
        .ipc
        .sem
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn sys_semget(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let c = caller(task);
    let id = sem::get(&mut reg(task), a.i32(0), a.i32(1), a.i32(2), &c)?;
    Ok(id as u64)
}

fn sys_semop(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_semtimedop(task, a.i32(0), a.u(1), a.u(2), None)
}

fn sys_semtimedop(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let timeout = match a.u(3) {
        0 => None,
        addr => Some(task.mm().read_val::<[i64; 2]>(addr)?),
    };
    do_semtimedop(task, a.i32(0), a.u(1), a.u(2), timeout)
}

/// The process's undo list, made at first use.
fn undo_list(task: &Task) -> Arc<UndoList> {
    task.process
        .state()
        .sem_undo
        .get_or_insert_with(UndoList::new)
        .clone()
}

/// A list shared with a child cloned with `CLONE_SYSVSEM`.
pub fn share_undo_list(task: &Task) -> Arc<UndoList> {
    undo_list(task).share()
}

/// `unshare(CLONE_SYSVSEM)`: as Linux, the same as leaving at exit.
pub fn detach_undo_list(task: &Task) {
    let undo = task.process.state().sem_undo.take();
    if let Some(undo) = undo {
        undo.release(task.process.pid);
    }
}

/// Linux's `do_semtimedop`, with the timeout already read (`EFAULT` first).
fn do_semtimedop(
    task: &mut Task,
    id: i32,
    addr: u64,
    nsops: u64,
    timeout: Option<[i64; 2]>,
) -> KResult<u64> {
    if nsops < 1 || id < 0 {
        return Err(Errno::EINVAL);
    }
    if nsops > SEMOPM as u64 {
        return Err(Errno::E2BIG);
    }
    let raw = task
        .mm()
        .read_bytes(addr, nsops as usize * std::mem::size_of::<RawSemBuf>())?;
    let sops: Vec<SemBuf> = raw
        .chunks_exact(std::mem::size_of::<RawSemBuf>())
        .map(|c| {
            let r: RawSemBuf = bytemuck::pod_read_unaligned(c);
            SemBuf {
                num: r.num,
                op: r.op,
                flg: r.flg,
            }
        })
        .collect();
    let deadline = match timeout {
        None => None,
        Some([sec, nsec]) => {
            let d = Timespec {
                tv_sec: sec,
                tv_nsec: nsec,
            }
            .to_duration()?;
            let now = Instant::now();
            Some(
                now.checked_add(d)
                    .unwrap_or(now + std::time::Duration::from_secs(1 << 32)),
            )
        }
    };
    let c = caller(task);
    let undo = sops
        .iter()
        .any(|s| s.flg & SEM_UNDO != 0)
        .then(|| undo_list(task));
    let set = sem::lookup_for_op(&mut reg(task), id, &sops, &c)?;
    sem::semop(task, &set, &sops, undo.as_ref(), &c, deadline).map(|_| 0)
}

/// Linux's `ksys_semctl`.
fn sys_semctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, num, cmd, arg) = (a.i32(0), a.i32(1), a.i32(2), a.u(3));
    if id < 0 {
        return Err(Errno::EINVAL);
    }
    let c = caller(task);
    match cmd {
        IPC_INFO | SEM_INFO => {
            let (sets, sems) = sem::usage(&mut reg(task));
            let mut info = SemInfo {
                semmap: SEMMNS as i32,
                semmni: SEMMNI as i32,
                semmns: SEMMNS as i32,
                semmnu: SEMMNS as i32,
                semmsl: SEMMSL as i32,
                semopm: SEMOPM as i32,
                semume: SEMOPM as i32,
                semusz: SEMUSZ,
                semvmx: SEMVMX,
                semaem: SEMVMX,
            };
            if cmd == SEM_INFO {
                info.semusz = sets as i32;
                info.semaem = sems as i32;
            }
            let max = reg(task).max_index();
            task.mm().write_val(arg, &info)?;
            Ok(max as u64)
        }
        IPC_STAT | SEM_STAT | SEM_STAT_ANY => {
            let by_index = cmd != IPC_STAT;
            let acc = if cmd == SEM_STAT_ANY { 0 } else { ACC_READ };
            let (set, perm, full_id) = sem::lookup(&mut reg(task), id, by_index, acc, &c)?;
            task.mm().write_val(arg, &SemidDs::from(set.stat(perm)))?;
            Ok(if by_index { full_id as u64 } else { 0 })
        }
        GETALL => {
            let (set, _, _) = sem::lookup(&mut reg(task), id, false, ACC_READ, &c)?;
            let vals = set.values()?;
            task.mm().copy_out(arg, bytemuck::cast_slice(&vals))?;
            Ok(0)
        }
        GETVAL | GETPID | GETNCNT | GETZCNT => {
            let (set, _, _) = sem::lookup(&mut reg(task), id, false, ACC_READ, &c)?;
            let n = usize::try_from(num)
                .ok()
                .filter(|&n| n < set.nsems())
                .ok_or(Errno::EINVAL)?;
            let v = match cmd {
                GETVAL => set.value(n)?,
                GETPID => set.pid(n)?,
                GETNCNT => set.waiting(n, false)?,
                _ => set.waiting(n, true)?,
            };
            Ok(v as u64)
        }
        SETALL => {
            let (set, _, _) = sem::lookup(&mut reg(task), id, false, ACC_WRITE, &c)?;
            let raw = task.mm().read_bytes(arg, set.nsems() * 2)?;
            let vals: Vec<u16> = raw
                .chunks_exact(2)
                .map(|b| u16::from_ne_bytes([b[0], b[1]]))
                .collect();
            set.set_values(&vals, &c).map(|_| 0)
        }
        SETVAL => {
            let val = arg as i32;
            if !(0..=SEMVMX).contains(&val) {
                return Err(Errno::ERANGE);
            }
            let (set, perm) = reg(task).get(id)?;
            let n = usize::try_from(num)
                .ok()
                .filter(|&n| n < set.nsems())
                .ok_or(Errno::EINVAL)?;
            perm.check(&c, ACC_WRITE)?;
            set.set_value(n, val, &c).map(|_| 0)
        }
        IPC_RMID => sem::remove(&mut reg(task), id, &c).map(|_| 0),
        IPC_SET => {
            let ds: SemidDs = task.mm().read_val(arg)?;
            sem::set_perm(&mut reg(task), id, ds.perm.set_args(), &c).map(|_| 0)
        }
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_layouts_match_x86_64() {
        assert_eq!(std::mem::size_of::<SemidDs>(), 104);
        assert_eq!(std::mem::size_of::<SemInfo>(), 40);
        assert_eq!(std::mem::size_of::<RawSemBuf>(), 6);
    }
}
