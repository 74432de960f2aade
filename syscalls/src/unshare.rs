//! unshare: a thread stops sharing its descriptor table (`CLONE_FILES`) or filesystem context
//! (`CLONE_FS`) with the threads and processes it was cloned with.
//!
//! Namespaces cannot be created: that takes `CAP_SYS_ADMIN`, which no sandbox process holds
//! (root has Docker's default capabilities), so the namespace flags are `EPERM`, as for root
//! in a container. Should a process ever hold it, they are `EINVAL`, what a kernel built
//! without namespace support answers.

use std::sync::{Arc, Mutex};

use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::process::{
    CAP_SYS_ADMIN, CLONE_FILES, CLONE_FS, CLONE_NEWNS, CLONE_NEWUSER, CLONE_SIGHAND, CLONE_SYSVSEM,
    CLONE_THREAD, CLONE_VM, NAMESPACES,
};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "unshare",
        sys_unshare,
        Support::Partial(
            "CLONE_FILES, CLONE_FS, CLONE_SYSVSEM; CLONE_THREAD/SIGHAND/VM when single-threaded; \
             namespace flags are EPERM (no CAP_SYS_ADMIN in the sandbox)",
        ),
    );
}

/// Every flag `unshare` knows (Linux's `check_unshare_flags`).
const KNOWN: u64 =
    CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | NAMESPACES;

/// The flags `unshare` implies, as Linux adds them: a new user namespace needs its own
/// thread group and fs context, unsharing the address space needs private handlers, private
/// handlers need a private thread group, and a mount namespace needs a private fs context.
fn implied(mut flags: u64) -> u64 {
    if flags & CLONE_NEWUSER != 0 {
        flags |= CLONE_THREAD | CLONE_FS;
    }
    if flags & CLONE_VM != 0 {
        flags |= CLONE_SIGHAND;
    }
    if flags & CLONE_SIGHAND != 0 {
        flags |= CLONE_THREAD;
    }
    if flags & CLONE_NEWNS != 0 {
        flags |= CLONE_FS;
    }
    flags
}

/// Linux's `check_unshare_flags`: unknown bits, and what cannot be unshared while shared.
/// Signal handlers are never shared between processes here (`CLONE_SIGHAND` without
/// `CLONE_THREAD` copies them), so only the thread group and the address space can be.
fn check(task: &Task, flags: u64) -> KResult<()> {
    if flags & !KNOWN != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM) != 0 {
        let others = task
            .process
            .state()
            .running_threads()
            .any(|t| !Arc::ptr_eq(t, &task.thread));
        if others {
            return Err(Errno::EINVAL);
        }
    }
    // Another process using the address space (a CLONE_VM child, a vfork parent).
    if flags & CLONE_VM != 0 && Arc::strong_count(&task.mm) > 1 {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn sys_unshare(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = implied(a.u(0));
    check(task, flags)?;
    if flags & NAMESPACES != 0 {
        return Err(if crate::identity::capable(task, CAP_SYS_ADMIN) {
            Errno::EINVAL
        } else {
            Errno::EPERM
        });
    }
    // CLONE_SYSVSEM leaves the semaphore undo list as an exit does (Linux's `exit_sem`).
    if flags & CLONE_SYSVSEM != 0 {
        crate::sysv_sem::detach_undo_list(task);
    }
    // Copies only what is shared; a private table or context stays as it is.
    if flags & CLONE_FS != 0 && Arc::strong_count(&task.fs) > 1 {
        let copy = task.fs().clone();
        task.set_fs(Arc::new(Mutex::new(copy)));
    }
    if flags & CLONE_FILES != 0 && Arc::strong_count(&task.files) > 1 {
        let copy = task.files().clone();
        task.set_files(Arc::new(Mutex::new(copy)));
    }
    Ok(0)
}
