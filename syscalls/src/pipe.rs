//! The pipe family: pipe and pipe2.

use sbx_kernel::fd::{O_CLOEXEC, O_DIRECT, O_NONBLOCK};
use sbx_kernel::pipe::new_pipe_owned;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("pipe", sys_pipe, Support::Full);
    b.add(
        "pipe2",
        sys_pipe2,
        Support::Partial("O_NOTIFICATION_PIPE (watch queues) is EINVAL"),
    );
}

fn sys_pipe(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    make_pipe(task, a.u(0), 0)
}

fn sys_pipe2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(1);
    if flags & !(O_CLOEXEC | O_NONBLOCK | O_DIRECT) != 0 {
        return Err(Errno::EINVAL);
    }
    make_pipe(task, a.u(0), flags)
}

fn make_pipe(task: &mut Task, fds_addr: u64, flags: u32) -> KResult<u64> {
    // Check the destination first so a bad pointer leaks no descriptors.
    task.mm().write_val(fds_addr, &[0i32; 2])?;
    let cred = task.fs_cred();
    let (r, w) = new_pipe_owned(flags, cred.uid, cred.gid);
    let cloexec = flags & O_CLOEXEC != 0;
    let mut files = task.files();
    let rfd = files.insert(r, cloexec)?;
    let wfd = match files.insert(w, cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = files.remove(rfd);
            return Err(e);
        }
    };
    drop(files);
    if let Err(e) = task.mm().write_val(fds_addr, &[rfd, wfd]) {
        let mut files = task.files();
        let _ = files.remove(rfd);
        let _ = files.remove(wfd);
        return Err(e);
    }
    Ok(0)
}
