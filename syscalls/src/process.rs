//! The process family: exit, exit_group, arch_prctl, set_tid_address, set_robust_list, wait.

use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::{ExitStatus, Task};
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    // Processes are single-threaded for now, so ending the thread ends the process.
    b.add(
        "exit",
        sys_exit_group,
        Support::Partial("single-threaded processes: ends the process"),
    );
    b.add("exit_group", sys_exit_group, Support::Full);
    b.add(
        "arch_prctl",
        sys_arch_prctl,
        Support::Partial("ARCH_SET/GET_FS, ARCH_SET/GET_GS; CPUID faulting is not offered"),
    );
    b.add("set_tid_address", sys_set_tid_address, Support::Full);
    b.add(
        "set_robust_list",
        sys_set_robust_list,
        Support::Partial("the list is recorded; owner-death handling comes with threads"),
    );
    b.add(
        "get_robust_list",
        sys_get_robust_list,
        Support::Partial("only for the calling thread"),
    );
    b.add(
        "wait4",
        sys_wait4,
        Support::Partial(
            "no child processes exist yet (fork is not implemented), so always ECHILD",
        ),
    );
}

fn sys_exit_group(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.exit_status = Some(ExitStatus::Exited(a.i32(0) & 0xff));
    Ok(0)
}

const ARCH_SET_GS: i32 = 0x1001;
const ARCH_SET_FS: i32 = 0x1002;
const ARCH_GET_FS: i32 = 0x1003;
const ARCH_GET_GS: i32 = 0x1004;

/// Whether `addr` is a canonical user address Linux accepts as a segment base.
fn valid_base(addr: u64) -> bool {
    addr < sbx_kernel::mm::TASK_SIZE
}

fn sys_arch_prctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let regs = &mut task.regs;
    let base = match a.i32(0) {
        ARCH_SET_FS | ARCH_GET_FS => &mut regs.fs_base,
        ARCH_SET_GS | ARCH_GET_GS => &mut regs.gs_base,
        _ => return Err(Errno::EINVAL),
    };
    if matches!(a.i32(0), ARCH_SET_FS | ARCH_SET_GS) {
        if !valid_base(a.u(1)) {
            return Err(Errno::EPERM);
        }
        *base = a.u(1);
        return Ok(0);
    }
    let v = *base;
    task.mm().write_val(a.u(1), &v)?;
    Ok(0)
}

fn sys_set_tid_address(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.clear_child_tid = a.u(0);
    Ok(task.tid as u64)
}

fn sys_set_robust_list(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    // struct robust_list_head is three words.
    if a.u(1) != 24 {
        return Err(Errno::EINVAL);
    }
    task.robust_list = a.u(0);
    Ok(0)
}

fn sys_get_robust_list(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let pid = a.i32(0);
    if pid != 0 && pid != task.tid {
        return Err(Errno::ESRCH);
    }
    let head = task.robust_list;
    let mut mm = task.mm();
    mm.write_val(a.u(1), &head)?;
    mm.write_val(a.u(2), &24u64)?;
    Ok(0)
}

fn sys_wait4(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const WNOHANG: u32 = 1;
    const WUNTRACED: u32 = 2;
    const WCONTINUED: u32 = 8;
    const WALL: u32 = 0x4000_0000;
    const WCLONE: u32 = 0x8000_0000;
    const WNOTHREAD: u32 = 0x2000_0000;
    let _ = task;
    if a.u32(2) & !(WNOHANG | WUNTRACED | WCONTINUED | WALL | WCLONE | WNOTHREAD) != 0 {
        return Err(Errno::EINVAL);
    }
    Err(Errno::ECHILD)
}
