//! What the System V IPC families share: the caller's identity as the IPC code checks it,
//! and `struct ipc64_perm` as x86-64 Linux lays it out.

use sbx_kernel::ipc::{Budget, Caller, Perm};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::Timespec;

use crate::identity::capable;

/// `CAP_IPC_LOCK`.
const CAP_IPC_LOCK: u32 = 14;
/// `CAP_IPC_OWNER`.
const CAP_IPC_OWNER: u32 = 15;
/// `CAP_SYS_ADMIN`.
const CAP_SYS_ADMIN: u32 = 21;
/// `CAP_SYS_RESOURCE`.
const CAP_SYS_RESOURCE: u32 = 24;

/// The calling process as the IPC namespace sees it: effective ids, groups, capabilities,
/// and the sandbox clock for the objects' times.
pub fn caller(task: &Task) -> Caller {
    let (euid, egid, groups) = {
        let st = task.process.state();
        (st.creds.euid, st.creds.egid, st.groups.clone())
    };
    Caller {
        pid: task.process.pid,
        euid,
        egid,
        groups,
        ipc_owner: capable(task, CAP_IPC_OWNER),
        sys_admin: capable(task, CAP_SYS_ADMIN),
        ipc_lock: capable(task, CAP_IPC_LOCK),
        sys_resource: capable(task, CAP_SYS_RESOURCE),
        now: Timespec::now().sec,
        budget: Budget::new(task.mm().phys().clone()),
    }
}

/// `struct ipc64_perm` (48 bytes on x86-64).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, bytemuck::Pod, bytemuck::Zeroable)]
pub struct IpcPerm {
    /// Key.
    pub key: i32,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Creator uid.
    pub cuid: u32,
    /// Creator gid.
    pub cgid: u32,
    /// Mode.
    pub mode: u32,
    /// Sequence number.
    pub seq: u16,
    pad1: u16,
    pad2: u32,
    unused1: u64,
    unused2: u64,
}

impl From<Perm> for IpcPerm {
    fn from(p: Perm) -> IpcPerm {
        IpcPerm {
            key: p.key,
            uid: p.uid,
            gid: p.gid,
            cuid: p.cuid,
            cgid: p.cgid,
            mode: p.mode,
            seq: p.seq as u16,
            ..IpcPerm::default()
        }
    }
}

impl IpcPerm {
    /// What `IPC_SET` takes from it: owner uid, gid and mode.
    pub fn set_args(&self) -> (u32, u32, u32) {
        (self.uid, self.gid, self.mode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perm_layout_matches_x86_64() {
        assert_eq!(std::mem::size_of::<IpcPerm>(), 48);
    }
}
