//! The inotify family: `inotify_init`, `inotify_init1`, `inotify_add_watch` and
//! `inotify_rm_watch` over the kernel's instances (`event/inotify.rs`) and the VFS's watch
//! registry (`vfs/notify.rs`).

use sbx_kernel::event::inotify::{check_watch_mask, new_inotify, Inotify, IN_CLOEXEC};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::notify::{IN_DONT_FOLLOW, IN_ONLYDIR};
use sbx_kernel::vfs::perm::{self, MAY_READ};
use sbx_kernel::vfs::{Cx, FileKind, Resolver, PATH_MAX};
use sbx_kernel::{Errno, KResult};

use crate::file::{install_fd, io_file};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    const SCOPE: &str = "events come from the sandbox's own processes (changes host processes \
                         make to a mounted directory are not seen); IN_DELETE_SELF comes at the \
                         last unlink even while the file is open; limits are per sandbox";
    b.add("inotify_init", sys_inotify_init, Support::Partial(SCOPE));
    b.add("inotify_init1", sys_inotify_init1, Support::Partial(SCOPE));
    b.add(
        "inotify_add_watch",
        sys_inotify_add_watch,
        Support::Partial(SCOPE),
    );
    b.add("inotify_rm_watch", sys_inotify_rm_watch, Support::Full);
}

fn sys_inotify_init(task: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    let file = new_inotify(task.kernel.vfs.notify(), 0)?;
    install_fd(task, file, false)
}

fn sys_inotify_init1(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(0);
    let file = new_inotify(task.kernel.vfs.notify(), flags)?;
    install_fd(task, file, flags & IN_CLOEXEC != 0)
}

fn sys_inotify_add_watch(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd, path_ptr, mask) = (a.i32(0), a.u(1), a.u32(2));
    // Linux checks the mask, then the descriptor, then the path.
    check_watch_mask(mask)?;
    let file = io_file(task, fd)?;
    let group = Inotify::of(&file).ok_or(Errno::EINVAL)?.clone();
    let path = task.mm().read_cstr(path_ptr, PATH_MAX)?;
    let ctx = task.fs().clone();
    let cred = task.fs_cred();
    let r = Resolver::new(&task.kernel.vfs, &ctx, &cred, Cx { proc: Some(task) });
    let loc = r.resolve(None, &path, mask & IN_DONT_FOLLOW == 0)?;
    let st = loc.node().meta()?;
    if mask & IN_ONLYDIR != 0 && st.kind() != FileKind::Directory {
        return Err(Errno::ENOTDIR);
    }
    // Watching needs read permission on the inode.
    perm::check(&cred, &st, MAY_READ)?;
    group.add_watch(&**loc.node(), mask).map(|wd| wd as u64)
}

fn sys_inotify_rm_watch(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let group = Inotify::of(&file).ok_or(Errno::EINVAL)?;
    group.remove_watch(a.i32(1)).map(|_| 0)
}
