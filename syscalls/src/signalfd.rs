//! The signalfd family (signalfd, signalfd4): descriptors that read pending signals as
//! `struct signalfd_siginfo` records. The file kind lives in `sbx_kernel::event::signalfd`.

use sbx_kernel::event::signalfd::{new_signalfd, SignalFd, SFD_CLOEXEC, SFD_NONBLOCK};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("signalfd", sys_signalfd, Support::Full);
    b.add("signalfd4", sys_signalfd4, Support::Full);
}

fn sys_signalfd(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    signalfd4(task, a.i32(0), a.u(1), a.u(2), 0)
}

fn sys_signalfd4(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    signalfd4(task, a.i32(0), a.u(1), a.u(2), a.u32(3))
}

/// Linux's order: the mask size (`EINVAL`), the mask (`EFAULT`), the flags (`EINVAL`), then the
/// descriptor: -1 creates one, anything else must be an open (`EBADF`) signalfd (`EINVAL`)
/// whose mask is replaced; its flags stay as they were.
fn signalfd4(task: &mut Task, ufd: i32, mask_addr: u64, size: u64, flags: u32) -> KResult<u64> {
    if size != 8 {
        return Err(Errno::EINVAL);
    }
    let mask: u64 = task.mm().read_val(mask_addr)?;
    if flags & !(SFD_CLOEXEC | SFD_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    if ufd == -1 {
        let file = new_signalfd(mask, flags)?;
        return task
            .files()
            .insert(file, flags & SFD_CLOEXEC != 0)
            .map(|fd| fd as u64);
    }
    let existing = task.files().get(ufd)?;
    SignalFd::of(&existing).ok_or(Errno::EINVAL)?.set_mask(mask);
    Ok(ufd as u64)
}
