//! System V message queues: `msgget`, `msgsnd`, `msgrcv`, `msgctl`. The queues live in
//! `sbx_kernel::ipc::msg`; this layer decodes arguments and guest structures.

use sbx_kernel::ipc::msg::{self, MsgQueue, MsgStat, MSGMAX, MSGMNB, MSGMNI, MSG_COPY, MSG_EXCEPT};
use sbx_kernel::ipc::{Registry, ACC_READ, IPC_INFO, IPC_NOWAIT, IPC_RMID, IPC_SET, IPC_STAT};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::sysv::{caller, IpcPerm};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("msgget", sys_msgget, Support::Full);
    b.add("msgsnd", sys_msgsnd, Support::Full);
    b.add("msgrcv", sys_msgrcv, Support::Full);
    b.add("msgctl", sys_msgctl, Support::Full);
}

/// `MSG_STAT`.
const MSG_STAT: i32 = 11;
/// `MSG_INFO`.
const MSG_INFO: i32 = 12;
/// `MSG_STAT_ANY`.
const MSG_STAT_ANY: i32 = 13;
/// Linux's `MSGSSZ`, `MSGSEG` and `MSGPOOL` (`MSGMNI * MSGMNB / 1024`).
const MSGSSZ: i32 = 16;
const MSGSEG: u16 = 0xffff;
const MSGPOOL: i32 = (MSGMNI as i32) * (MSGMNB as i32) / 1024;

/// `struct msqid64_ds` (120 bytes on x86-64).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct MsqidDs {
    perm: IpcPerm,
    stime: i64,
    rtime: i64,
    ctime: i64,
    cbytes: u64,
    qnum: u64,
    qbytes: u64,
    lspid: i32,
    lrpid: i32,
    unused4: u64,
    unused5: u64,
}

impl From<MsgStat> for MsqidDs {
    fn from(s: MsgStat) -> MsqidDs {
        MsqidDs {
            perm: s.perm.into(),
            stime: s.stime,
            rtime: s.rtime,
            ctime: s.ctime,
            cbytes: s.cbytes,
            qnum: s.qnum,
            qbytes: s.qbytes,
            lspid: s.lspid,
            lrpid: s.lrpid,
            ..MsqidDs::default()
        }
    }
}

/// `struct msginfo`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
struct MsgInfo {
    msgpool: i32,
    msgmap: i32,
    msgmax: i32,
    msgmnb: i32,
    msgmni: i32,
    msgssz: i32,
    msgtql: i32,
    msgseg: u16,
    pad: u16,
}

fn reg(task: &Task) -> std::sync::MutexGuard<'_, Registry<MsgQueue>> {
    task.kernel
        .ipc
        .msg
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

fn sys_msgget(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let c = caller(task);
    let id = msg::get(&mut reg(task), a.i32(0), a.i32(1), &c)?;
    Ok(id as u64)
}

/// Linux's `ksys_msgsnd`/`do_msgsnd`.
fn sys_msgsnd(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, msgp, msgsz, flags) = (a.i32(0), a.u(1), a.u(2), a.i32(3));
    let mtype: i64 = task.mm().read_val(msgp)?;
    if msgsz > MSGMAX as u64 || id < 0 {
        return Err(Errno::EINVAL);
    }
    if mtype < 1 {
        return Err(Errno::EINVAL);
    }
    let text = task
        .mm()
        .read_bytes(msgp.checked_add(8).ok_or(Errno::EFAULT)?, msgsz as usize)?;
    let c = caller(task);
    let q = msg::lookup_for(&mut reg(task), id, true, &c)?;
    msg::send(task, &q, mtype, &text, flags & IPC_NOWAIT != 0, &c).map(|_| 0)
}

/// Linux's `ksys_msgrcv`/`do_msgrcv`.
fn sys_msgrcv(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, msgp, msgsz, msgtyp, flags) = (a.i32(0), a.u(1), a.u(2), a.u(3) as i64, a.i32(4));
    if id < 0 || (msgsz as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let mut bufsz = msgsz as usize;
    if flags & MSG_COPY != 0 {
        if flags & MSG_EXCEPT != 0 || flags & IPC_NOWAIT == 0 {
            return Err(Errno::EINVAL);
        }
        bufsz = bufsz.min(MSGMAX);
    }
    let c = caller(task);
    let q = msg::lookup_for(&mut reg(task), id, false, &c)?;
    let (mtype, text) = msg::receive(task, &q, msgtyp, bufsz, flags, &c)?;
    let mut mm = task.mm();
    mm.write_val(msgp, &mtype)?;
    mm.copy_out(msgp.checked_add(8).ok_or(Errno::EFAULT)?, &text)?;
    Ok(text.len() as u64)
}

fn sys_msgctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (id, cmd, buf) = (a.i32(0), a.i32(1), a.u(2));
    if id < 0 || cmd < 0 {
        return Err(Errno::EINVAL);
    }
    let c = caller(task);
    match cmd {
        IPC_INFO | MSG_INFO => {
            let (queues, msgs, bytes) = msg::usage(&mut reg(task));
            let mut info = MsgInfo {
                msgpool: MSGPOOL,
                msgmap: MSGMNB as i32,
                msgmax: MSGMAX as i32,
                msgmnb: MSGMNB as i32,
                msgmni: MSGMNI as i32,
                msgssz: MSGSSZ,
                msgtql: MSGMNB as i32,
                msgseg: MSGSEG,
                pad: 0,
            };
            if cmd == MSG_INFO {
                info.msgpool = queues as i32;
                info.msgmap = msgs as i32;
                info.msgtql = bytes as i32;
            }
            let max = reg(task).max_index();
            task.mm().write_val(buf, &info)?;
            Ok(max as u64)
        }
        IPC_STAT | MSG_STAT | MSG_STAT_ANY => {
            let by_index = cmd != IPC_STAT;
            let acc = if cmd == MSG_STAT_ANY { 0 } else { ACC_READ };
            let (q, perm, full_id) = msg::lookup(&mut reg(task), id, by_index, acc, &c)?;
            task.mm().write_val(buf, &MsqidDs::from(q.stat(perm)))?;
            Ok(if by_index { full_id as u64 } else { 0 })
        }
        IPC_SET => {
            let ds: MsqidDs = task.mm().read_val(buf)?;
            msg::set(&mut reg(task), id, ds.perm.set_args(), ds.qbytes, &c).map(|_| 0)
        }
        IPC_RMID => msg::remove(&mut reg(task), id, &c).map(|_| 0),
        _ => Err(Errno::EINVAL),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_layouts_match_x86_64() {
        assert_eq!(std::mem::size_of::<MsqidDs>(), 120);
        assert_eq!(std::mem::size_of::<MsgInfo>(), 32);
    }
}
