//! The fs syscall family: paths, metadata and directories — `open*`, `stat*`, `access*`,
//! `getdents*`, cwd/root, and the namespace and attribute changes (`mkdir`, `unlink`,
//! `rename`, `link`, `symlink`, `chmod`, `chown`, `utimensat`, `truncate`, `statfs`, ...).

use std::sync::Arc;

use sbx_kernel::fd::*;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::abi::{LinuxStatfs, LinuxTimespec, LinuxTimeval, OpenHow, Utimbuf};
use sbx_kernel::vfs::{
    AttrTarget, Cred, Cx, FileKind, Location, OpenRequest, Resolver, Stat, StatFs, TimeSet,
    Timespec, PATH_MAX, RESOLVE_BENEATH, RESOLVE_IN_ROOT,
};
use sbx_kernel::{Errno, KResult};

use crate::file::{check_fd_room, get_file, install_fd};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "open",
        sys_open,
        Support::Partial(
            "O_TMPFILE files are created and unlinked at once; FIFOs cannot be opened yet",
        ),
    );
    b.add(
        "openat",
        sys_openat,
        Support::Partial(
            "O_TMPFILE files are created and unlinked at once; FIFOs cannot be opened yet",
        ),
    );
    b.add("openat2", sys_openat2, Support::Partial("RESOLVE_BENEATH clamps like RESOLVE_IN_ROOT except for absolute paths and `..` at the root"));
    b.add("creat", sys_creat, Support::Full);
    b.add("stat", sys_stat, Support::Full);
    b.add("lstat", sys_lstat, Support::Full);
    b.add("fstat", sys_fstat, Support::Full);
    b.add("newfstatat", sys_newfstatat, Support::Full);
    b.add("statx", sys_statx, Support::Full);
    b.add("access", sys_access, Support::Full);
    b.add("faccessat", sys_faccessat, Support::Full);
    b.add("faccessat2", sys_faccessat2, Support::Full);
    b.add("getdents", sys_getdents, Support::Full);
    b.add("getdents64", sys_getdents64, Support::Full);
    b.add("getcwd", sys_getcwd, Support::Full);
    b.add("chdir", sys_chdir, Support::Full);
    b.add("fchdir", sys_fchdir, Support::Full);
    b.add(
        "chroot",
        sys_chroot,
        Support::Partial("needs uid 0 rather than CAP_SYS_CHROOT"),
    );
    b.add("mkdir", sys_mkdir, Support::Full);
    b.add("mkdirat", sys_mkdirat, Support::Full);
    b.add(
        "mknod",
        sys_mknod,
        Support::Partial("regular files and FIFOs only; devices and sockets are EPERM"),
    );
    b.add(
        "mknodat",
        sys_mknodat,
        Support::Partial("regular files and FIFOs only; devices and sockets are EPERM"),
    );
    b.add("rmdir", sys_rmdir, Support::Full);
    b.add("unlink", sys_unlink, Support::Full);
    b.add("unlinkat", sys_unlinkat, Support::Full);
    b.add("rename", sys_rename, Support::Full);
    b.add("renameat", sys_renameat, Support::Full);
    b.add(
        "renameat2",
        sys_renameat2,
        Support::Partial("RENAME_WHITEOUT is EINVAL"),
    );
    b.add("link", sys_link, Support::Full);
    b.add("linkat", sys_linkat, Support::Full);
    b.add("symlink", sys_symlink, Support::Full);
    b.add("symlinkat", sys_symlinkat, Support::Full);
    b.add("readlink", sys_readlink, Support::Full);
    b.add("readlinkat", sys_readlinkat, Support::Full);
    b.add("chmod", sys_chmod, Support::Full);
    b.add("fchmod", sys_fchmod, Support::Full);
    b.add("fchmodat", sys_fchmodat, Support::Full);
    b.add("fchmodat2", sys_fchmodat2, Support::Full);
    b.add("chown", sys_chown, Support::Full);
    b.add("lchown", sys_lchown, Support::Full);
    b.add("fchown", sys_fchown, Support::Full);
    b.add("fchownat", sys_fchownat, Support::Full);
    b.add("truncate", sys_truncate, Support::Full);
    b.add("umask", sys_umask, Support::Full);
    b.add("utimensat", sys_utimensat, Support::Full);
    b.add("utimes", sys_utimes, Support::Full);
    b.add("futimesat", sys_futimesat, Support::Full);
    b.add("utime", sys_utime, Support::Full);
    b.add("statfs", sys_statfs, Support::Full);
    b.add("fstatfs", sys_fstatfs, Support::Full);
}

const AT_FDCWD: i32 = -100;
const AT_SYMLINK_NOFOLLOW: u32 = 0x100;
const AT_REMOVEDIR: u32 = 0x200;
const AT_EACCESS: u32 = 0x200;
const AT_SYMLINK_FOLLOW: u32 = 0x400;
const AT_NO_AUTOMOUNT: u32 = 0x800;
const AT_EMPTY_PATH: u32 = 0x1000;
const AT_STATX_SYNC_TYPE: u32 = 0x6000;

// ---- helpers ------------------------------------------------------------------------------

/// A path argument: `EFAULT` for a bad pointer, `ENAMETOOLONG` past `PATH_MAX`.
fn read_path(task: &Task, addr: u64) -> KResult<Vec<u8>> {
    task.mm().read_cstr(addr, PATH_MAX)
}

/// The directory a relative path starts from: `None` for the cwd (or an absolute path,
/// which ignores `dirfd` entirely), else the directory `dirfd` was opened on.
fn base(task: &Task, dirfd: i32, path: &[u8]) -> KResult<Option<Location>> {
    if path.first() == Some(&b'/') || dirfd == AT_FDCWD {
        return Ok(None);
    }
    let file = get_file(task, dirfd)?;
    let loc = file.location().cloned().ok_or(Errno::ENOTDIR)?;
    if !path.is_empty() && loc.node().meta()?.kind() != FileKind::Directory {
        return Err(Errno::ENOTDIR);
    }
    Ok(Some(loc))
}

/// Runs `f` with a resolver for the task's root, cwd, umask and filesystem identity. No lock
/// is held while it runs (`/proc/self` lookups take the descriptor table).
fn with_resolver<R>(
    task: &Task,
    cred: Option<Cred>,
    f: impl FnOnce(&Resolver) -> KResult<R>,
) -> KResult<R> {
    let ctx = task.fs().clone();
    let cred = cred.unwrap_or_else(|| task.fs_cred());
    let r = Resolver::new(&task.kernel.vfs, &ctx, &cred, Cx { proc: Some(task) });
    f(&r)
}

/// What a `*at` call with `AT_EMPTY_PATH` or a path designates.
enum Target {
    /// A place in the namespace.
    Loc(Location),
    /// An open file with no path (stdio, pipes, sockets).
    Anon(Arc<OpenFile>),
}

impl Target {
    fn stat(&self) -> KResult<Stat> {
        match self {
            Target::Loc(l) => l.stat(),
            Target::Anon(f) => f.stat(),
        }
    }
}

/// Resolves `(dirfd, path)`; with `AT_EMPTY_PATH` and an empty path, the file `dirfd` itself.
fn target(task: &Task, dirfd: i32, path: &[u8], flags: u32, follow: bool) -> KResult<Target> {
    if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        if dirfd == AT_FDCWD {
            return Ok(Target::Loc(task.fs().cwd.clone()));
        }
        let file = get_file(task, dirfd)?;
        return Ok(match file.location() {
            Some(l) => Target::Loc(l.clone()),
            None => Target::Anon(file),
        });
    }
    let b = base(task, dirfd, path)?;
    with_resolver(task, None, |r| r.resolve(b.as_ref(), path, follow)).map(Target::Loc)
}

/// Like [`target`] but demands a namespace location (attribute changes).
fn target_loc(
    task: &Task,
    dirfd: i32,
    path: &[u8],
    flags: u32,
    follow: bool,
) -> KResult<Option<Location>> {
    match target(task, dirfd, path, flags, follow)? {
        Target::Loc(l) => Ok(Some(l)),
        Target::Anon(_) => Ok(None),
    }
}

// ---- open ---------------------------------------------------------------------------------

/// The flags `O_PATH` keeps.
const O_PATH_FLAGS: u32 = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC;

/// The `O_TMPFILE` bit without its `O_DIRECTORY` part.
const O_TMPFILE_BIT: u32 = O_TMPFILE & !O_DIRECTORY;

/// Flag combinations every `open` refuses: `O_TMPFILE` without its `O_DIRECTORY` part, and
/// (since Linux 6.4) `O_CREAT` with `O_DIRECTORY`.
fn check_open_flags(flags: u32) -> KResult<()> {
    if flags & O_TMPFILE_BIT != 0 && flags & O_DIRECTORY == 0 {
        return Err(Errno::EINVAL);
    }
    if flags & (O_CREAT | O_DIRECTORY) == O_CREAT | O_DIRECTORY {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn do_open(task: &Task, dirfd: i32, path_addr: u64, flags: u32, mode: u32) -> KResult<u64> {
    let path = read_path(task, path_addr)?;
    // open(2) ignores flags it does not know.
    let mut flags = flags & VALID_OPEN_FLAGS;
    if flags & O_PATH != 0 {
        // open(2) drops what O_PATH does not use.
        flags &= O_PATH_FLAGS;
    } else {
        // `force_o_largefile()`: always on for 64-bit programs.
        flags |= O_LARGEFILE;
    }
    check_open_flags(flags)?;
    check_fd_room(task)?;
    let b = base(task, dirfd, &path)?;
    let file = with_resolver(task, None, |r| {
        r.open(
            b.as_ref(),
            &path,
            OpenRequest {
                flags,
                mode: mode & 0o7777,
            },
        )
    })?;
    install_fd(task, file, flags & O_CLOEXEC != 0)
}

fn sys_open(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_open(task, AT_FDCWD, a.u(0), a.u32(1), a.u32(2))
}

fn sys_openat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_open(task, a.i32(0), a.u(1), a.u32(2), a.u32(3))
}

fn sys_creat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_open(
        task,
        AT_FDCWD,
        a.u(0),
        O_CREAT | O_WRONLY | O_TRUNC,
        a.u32(1),
    )
}

fn sys_openat2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (dirfd, path_ptr, how_ptr, size) = (a.i32(0), a.u(1), a.u(2), a.u(3));
    const OPEN_HOW_SIZE: u64 = std::mem::size_of::<OpenHow>() as u64;
    if size < OPEN_HOW_SIZE {
        return Err(Errno::EINVAL);
    }
    if size > 4096 {
        return Err(Errno::E2BIG);
    }
    let how: OpenHow = task.mm().read_val(how_ptr)?;
    if size > OPEN_HOW_SIZE {
        // A newer struct than ours: its extra fields must be zero.
        let extra = task.mm().read_bytes(
            how_ptr.checked_add(OPEN_HOW_SIZE).ok_or(Errno::EFAULT)?,
            (size - OPEN_HOW_SIZE) as usize,
        )?;
        if extra.iter().any(|&b| b != 0) {
            return Err(Errno::E2BIG);
        }
    }
    // Unlike open(2), openat2 rejects what it does not know.
    let flags = u32::try_from(how.flags).map_err(|_| Errno::EINVAL)?;
    if flags & !VALID_OPEN_FLAGS != 0 || how.mode & !0o7777 != 0 {
        return Err(Errno::EINVAL);
    }
    if flags & O_PATH != 0 && flags & !O_PATH_FLAGS != 0 {
        return Err(Errno::EINVAL);
    }
    if how.mode != 0 && flags & (O_CREAT | O_TMPFILE_BIT) == 0 {
        return Err(Errno::EINVAL);
    }
    check_open_flags(flags)?;
    let flags = if flags & O_PATH == 0 {
        flags | O_LARGEFILE
    } else {
        flags
    };
    let path = read_path(task, path_ptr)?;
    check_fd_room(task)?;
    let scoped = how.resolve & (RESOLVE_IN_ROOT | RESOLVE_BENEATH) != 0;
    let start = if dirfd == AT_FDCWD || (path.first() == Some(&b'/') && !scoped) {
        task.fs().cwd.clone()
    } else {
        let file = get_file(task, dirfd)?;
        let loc = file.location().cloned().ok_or(Errno::ENOTDIR)?;
        if loc.node().meta()?.kind() != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        loc
    };
    let req = OpenRequest {
        flags,
        mode: how.mode as u32,
    };
    let file = with_resolver(task, None, |r| {
        r.restricted(start.clone(), how.resolve)?
            .open(Some(&start), &path, req)
    })?;
    install_fd(task, file, flags & O_CLOEXEC != 0)
}

// ---- stat ---------------------------------------------------------------------------------

fn write_stat(task: &Task, addr: u64, st: &Stat) -> KResult<u64> {
    task.mm().write_val(addr, &st.to_linux())?;
    Ok(0)
}

fn sys_stat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = read_path(task, a.u(0))?;
    let st = target(task, AT_FDCWD, &path, 0, true)?.stat()?;
    write_stat(task, a.u(1), &st)
}

fn sys_lstat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = read_path(task, a.u(0))?;
    let st = target(task, AT_FDCWD, &path, 0, false)?.stat()?;
    write_stat(task, a.u(1), &st)
}

fn sys_fstat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let st = get_file(task, a.i32(0))?.stat()?;
    write_stat(task, a.u(1), &st)
}

fn sys_newfstatat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (dirfd, flags) = (a.i32(0), a.u32(3));
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(task, a.u(1))?;
    let t = target(task, dirfd, &path, flags, flags & AT_SYMLINK_NOFOLLOW == 0)?;
    let st = match &t {
        // fstat semantics for the descriptor itself (host files report their open handle).
        Target::Loc(_) if path.is_empty() && dirfd != AT_FDCWD => get_file(task, dirfd)?.stat()?,
        _ => t.stat()?,
    };
    write_stat(task, a.u(2), &st)
}

fn sys_statx(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (dirfd, path_ptr, flags, mask, buf) = (a.i32(0), a.u(1), a.u32(2), a.u32(3), a.u(4));
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE) != 0
        || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE
        || mask & 0x8000_0000 != 0
    {
        return Err(Errno::EINVAL);
    }
    // Linux 6.11+: a NULL path with AT_EMPTY_PATH means the descriptor.
    let path = if path_ptr == 0 && flags & AT_EMPTY_PATH != 0 {
        Vec::new()
    } else {
        read_path(task, path_ptr)?
    };
    let t = target(task, dirfd, &path, flags, flags & AT_SYMLINK_NOFOLLOW == 0)?;
    let (st, mnt) = match &t {
        Target::Loc(l) if path.is_empty() && dirfd != AT_FDCWD => {
            (get_file(task, dirfd)?.stat()?, l.mount().id())
        }
        Target::Loc(l) => (l.stat()?, l.mount().id()),
        Target::Anon(f) => (f.stat()?, 0),
    };
    task.mm().write_val(buf, &st.to_statx(mnt))?;
    Ok(0)
}

// ---- access -------------------------------------------------------------------------------

fn do_access(task: &Task, dirfd: i32, path_ptr: u64, mode: u32, flags: u32) -> KResult<u64> {
    if flags & !(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 || mode & !7 != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(task, path_ptr)?;
    // access(2) checks with the real ids unless AT_EACCESS asks for the effective ones.
    let cred = if flags & AT_EACCESS != 0 {
        task.fs_cred()
    } else {
        let st = task.process.state();
        Cred::real(&st.creds, &st.groups)
    };
    let follow = flags & AT_SYMLINK_NOFOLLOW == 0;
    if path.is_empty() && flags & AT_EMPTY_PATH != 0 {
        return match target(task, dirfd, &path, flags, follow)? {
            Target::Loc(l) => {
                with_resolver(task, Some(cred), |r| r.access_location(&l, mode)).map(|_| 0)
            }
            Target::Anon(_) => Ok(0),
        };
    }
    let b = base(task, dirfd, &path)?;
    with_resolver(task, Some(cred), |r| {
        r.access(b.as_ref(), &path, mode, follow)
    })
    .map(|_| 0)
}

fn sys_access(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_access(task, AT_FDCWD, a.u(0), a.u32(1), 0)
}

fn sys_faccessat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_access(task, a.i32(0), a.u(1), a.u32(2), 0)
}

fn sys_faccessat2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_access(task, a.i32(0), a.u(1), a.u32(2), a.u32(3))
}

// ---- directories --------------------------------------------------------------------------

fn do_getdents(task: &Task, fd: i32, dirp: u64, count: u32, legacy: bool) -> KResult<u64> {
    let file = get_file(task, fd)?;
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    let before = file.offset();
    let bytes = file.getdents(count as usize, legacy, &Cx { proc: Some(task) })?;
    if let Err(e) = task.mm().copy_out(dirp, &bytes) {
        // Nothing was delivered: the next call starts where this one did.
        let _ = file.seek(before as i64, SEEK_SET);
        return Err(e);
    }
    Ok(bytes.len() as u64)
}

fn sys_getdents64(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_getdents(task, a.i32(0), a.u(1), a.u32(2), false)
}

fn sys_getdents(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_getdents(task, a.i32(0), a.u(1), a.u32(2), true)
}

fn sys_getcwd(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (buf, size) = (a.u(0), a.u(1));
    let mut cwd = task.fs().getcwd()?;
    cwd.push(0);
    if cwd.len() as u64 > size {
        return Err(Errno::ERANGE);
    }
    task.mm().copy_out(buf, &cwd)?;
    Ok(cwd.len() as u64)
}

fn sys_chdir(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = read_path(task, a.u(0))?;
    let loc = with_resolver(task, None, |r| r.dir_target(None, &path))?;
    task.fs().cwd = loc;
    Ok(0)
}

fn sys_fchdir(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = get_file(task, a.i32(0))?;
    let loc = file.location().cloned().ok_or(Errno::ENOTDIR)?;
    with_resolver(task, None, |r| r.check_dir_target(&loc))?;
    task.fs().cwd = loc;
    Ok(0)
}

fn sys_chroot(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = read_path(task, a.u(0))?;
    let loc = with_resolver(task, None, |r| r.dir_target(None, &path))?;
    if task.fs_cred().uid != 0 {
        return Err(Errno::EPERM);
    }
    task.fs().root = loc;
    Ok(0)
}

// ---- namespace changes --------------------------------------------------------------------

fn do_mkdir(task: &Task, dirfd: i32, path_ptr: u64, mode: u32) -> KResult<u64> {
    let path = read_path(task, path_ptr)?;
    let b = base(task, dirfd, &path)?;
    with_resolver(task, None, |r| r.mkdir(b.as_ref(), &path, mode)).map(|_| 0)
}

fn sys_mkdir(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_mkdir(task, AT_FDCWD, a.u(0), a.u32(1))
}

fn sys_mkdirat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_mkdir(task, a.i32(0), a.u(1), a.u32(2))
}

fn do_mknod(task: &Task, dirfd: i32, path_ptr: u64, mode: u32) -> KResult<u64> {
    let path = read_path(task, path_ptr)?;
    let b = base(task, dirfd, &path)?;
    with_resolver(task, None, |r| r.mknod(b.as_ref(), &path, mode)).map(|_| 0)
}

fn sys_mknod(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_mknod(task, AT_FDCWD, a.u(0), a.u32(1))
}

fn sys_mknodat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_mknod(task, a.i32(0), a.u(1), a.u32(2))
}

fn do_unlink(task: &Task, dirfd: i32, path_ptr: u64, flags: u32) -> KResult<u64> {
    if flags & !AT_REMOVEDIR != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(task, path_ptr)?;
    let b = base(task, dirfd, &path)?;
    with_resolver(task, None, |r| {
        if flags & AT_REMOVEDIR != 0 {
            r.rmdir(b.as_ref(), &path)
        } else {
            r.unlink(b.as_ref(), &path)
        }
    })
    .map(|_| 0)
}

fn sys_rmdir(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_unlink(task, AT_FDCWD, a.u(0), AT_REMOVEDIR)
}

fn sys_unlink(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_unlink(task, AT_FDCWD, a.u(0), 0)
}

fn sys_unlinkat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_unlink(task, a.i32(0), a.u(1), a.u32(2))
}

fn do_rename(
    task: &Task,
    olddir: i32,
    old_ptr: u64,
    newdir: i32,
    new_ptr: u64,
    flags: u32,
) -> KResult<u64> {
    let old = read_path(task, old_ptr)?;
    let new = read_path(task, new_ptr)?;
    let ob = base(task, olddir, &old)?;
    let nb = base(task, newdir, &new)?;
    with_resolver(task, None, |r| {
        r.rename(ob.as_ref(), &old, nb.as_ref(), &new, flags)
    })
    .map(|_| 0)
}

fn sys_rename(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_rename(task, AT_FDCWD, a.u(0), AT_FDCWD, a.u(1), 0)
}

fn sys_renameat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_rename(task, a.i32(0), a.u(1), a.i32(2), a.u(3), 0)
}

fn sys_renameat2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_rename(task, a.i32(0), a.u(1), a.i32(2), a.u(3), a.u32(4))
}

fn do_link(
    task: &Task,
    olddir: i32,
    old_ptr: u64,
    newdir: i32,
    new_ptr: u64,
    flags: u32,
) -> KResult<u64> {
    if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let old = read_path(task, old_ptr)?;
    let new = read_path(task, new_ptr)?;
    let src = target_loc(task, olddir, &old, flags, flags & AT_SYMLINK_FOLLOW != 0)?
        .ok_or(Errno::ENOENT)?;
    let nb = base(task, newdir, &new)?;
    with_resolver(task, None, |r| r.link(&src, nb.as_ref(), &new)).map(|_| 0)
}

fn sys_link(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_link(task, AT_FDCWD, a.u(0), AT_FDCWD, a.u(1), 0)
}

fn sys_linkat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_link(task, a.i32(0), a.u(1), a.i32(2), a.u(3), a.u32(4))
}

fn do_symlink(task: &Task, target_ptr: u64, newdir: i32, path_ptr: u64) -> KResult<u64> {
    let target = read_path(task, target_ptr)?;
    let path = read_path(task, path_ptr)?;
    let b = base(task, newdir, &path)?;
    with_resolver(task, None, |r| r.symlink(&target, b.as_ref(), &path)).map(|_| 0)
}

fn sys_symlink(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_symlink(task, a.u(0), AT_FDCWD, a.u(1))
}

fn sys_symlinkat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_symlink(task, a.u(0), a.i32(1), a.u(2))
}

fn do_readlink(task: &Task, dirfd: i32, path_ptr: u64, buf: u64, size: u64) -> KResult<u64> {
    if (size as i32) <= 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(task, path_ptr)?;
    let target = if path.is_empty() {
        // readlinkat(fd, "") reads the symlink an O_PATH descriptor refers to.
        match target(task, dirfd, &path, AT_EMPTY_PATH, false)? {
            Target::Loc(l) => with_resolver(task, None, |r| r.readlink_at(&l))?,
            Target::Anon(_) => return Err(Errno::EINVAL),
        }
    } else {
        let b = base(task, dirfd, &path)?;
        with_resolver(task, None, |r| r.readlink(b.as_ref(), &path))?
    };
    let n = target.len().min(size as i32 as usize);
    task.mm().copy_out(buf, &target[..n])?;
    Ok(n as u64)
}

fn sys_readlink(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_readlink(task, AT_FDCWD, a.u(0), a.u(1), a.u(2))
}

fn sys_readlinkat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_readlink(task, a.i32(0), a.u(1), a.u(2), a.u(3))
}

// ---- attributes ---------------------------------------------------------------------------

fn do_chmod(task: &Task, dirfd: i32, path_ptr: u64, mode: u32, flags: u32) -> KResult<u64> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(task, path_ptr)?;
    match target_loc(task, dirfd, &path, flags, flags & AT_SYMLINK_NOFOLLOW == 0)? {
        Some(l) => with_resolver(task, None, |r| r.chmod(&l, None, mode)).map(|_| 0),
        None => Ok(0),
    }
}

fn sys_chmod(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_chmod(task, AT_FDCWD, a.u(0), a.u32(1), 0)
}

fn sys_fchmodat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_chmod(task, a.i32(0), a.u(1), a.u32(2), 0)
}

fn sys_fchmodat2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_chmod(task, a.i32(0), a.u(1), a.u32(2), a.u32(3))
}

/// The location an attribute-changing `f*` call acts on (`EBADF` for `O_PATH`).
fn fd_target(task: &Task, fd: i32) -> KResult<(Arc<OpenFile>, Option<Location>)> {
    let file = get_file(task, fd)?;
    if file.is_path() {
        return Err(Errno::EBADF);
    }
    let loc = file.location().cloned();
    Ok((file, loc))
}

fn sys_fchmod(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match fd_target(task, a.i32(0))? {
        (f, Some(l)) => with_resolver(task, None, |r| r.chmod(&l, Some(&f), a.u32(1))).map(|_| 0),
        // Anonymous files: memfds keep attributes; stdio, pipes and sockets ignore them here.
        (f, None) => with_resolver(task, None, |r| {
            r.chmod_target(AttrTarget::Anon(&f), a.u32(1))
        })
        .map(|_| 0),
    }
}

fn id_arg(v: u64) -> Option<u32> {
    match v as u32 {
        u32::MAX => None,
        id => Some(id),
    }
}

fn do_chown(
    task: &Task,
    dirfd: i32,
    path_ptr: u64,
    uid: u64,
    gid: u64,
    flags: u32,
) -> KResult<u64> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    let path = read_path(task, path_ptr)?;
    match target_loc(task, dirfd, &path, flags, flags & AT_SYMLINK_NOFOLLOW == 0)? {
        Some(l) => {
            with_resolver(task, None, |r| r.chown(&l, None, id_arg(uid), id_arg(gid))).map(|_| 0)
        }
        None => Ok(0),
    }
}

fn sys_chown(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_chown(task, AT_FDCWD, a.u(0), a.u(1), a.u(2), 0)
}

fn sys_lchown(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_chown(task, AT_FDCWD, a.u(0), a.u(1), a.u(2), AT_SYMLINK_NOFOLLOW)
}

fn sys_fchownat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_chown(task, a.i32(0), a.u(1), a.u(2), a.u(3), a.u32(4))
}

fn sys_fchown(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    match fd_target(task, a.i32(0))? {
        (f, Some(l)) => with_resolver(task, None, |r| {
            r.chown(&l, Some(&f), id_arg(a.u(1)), id_arg(a.u(2)))
        })
        .map(|_| 0),
        (f, None) => with_resolver(task, None, |r| {
            r.chown_target(AttrTarget::Anon(&f), id_arg(a.u(1)), id_arg(a.u(2)))
        })
        .map(|_| 0),
    }
}

fn sys_truncate(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = read_path(task, a.u(0))?;
    let len = a.u(1) as i64;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    with_resolver(task, None, |r| r.truncate(None, &path, len as u64)).map(|_| 0)
}

fn sys_umask(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mut fs = task.fs();
    let old = fs.umask;
    fs.umask = a.u32(0) & 0o777;
    Ok(old as u64)
}

const UTIME_NOW: i64 = (1 << 30) - 1;
const UTIME_OMIT: i64 = (1 << 30) - 2;

fn timeset(ts: LinuxTimespec) -> KResult<Option<TimeSet>> {
    match ts.tv_nsec {
        UTIME_NOW => Ok(Some(TimeSet::Now)),
        UTIME_OMIT => Ok(None),
        n if (0..1_000_000_000).contains(&n) => Ok(Some(TimeSet::At(Timespec {
            sec: ts.tv_sec,
            nsec: n as u32,
        }))),
        _ => Err(Errno::EINVAL),
    }
}

/// Applies times to `(dirfd, path)`, or to `dirfd` itself when `path_ptr` is NULL (futimens).
fn do_utimes(
    task: &Task,
    dirfd: i32,
    path_ptr: u64,
    atime: Option<TimeSet>,
    mtime: Option<TimeSet>,
    flags: u32,
) -> KResult<u64> {
    if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
        return Err(Errno::EINVAL);
    }
    if atime.is_none() && mtime.is_none() {
        return Ok(0);
    }
    let path = if path_ptr == 0 {
        Vec::new()
    } else {
        read_path(task, path_ptr)?
    };
    let (file, loc) =
        if path_ptr == 0 || (path.is_empty() && flags & AT_EMPTY_PATH != 0 && dirfd != AT_FDCWD) {
            // futimens: the descriptor itself.
            if dirfd == AT_FDCWD {
                return Err(Errno::EFAULT);
            }
            let (f, l) = fd_target(task, dirfd)?;
            (Some(f), l)
        } else {
            (
                None,
                target_loc(task, dirfd, &path, flags, flags & AT_SYMLINK_NOFOLLOW == 0)?,
            )
        };
    match (loc, file) {
        (Some(l), file) => {
            with_resolver(task, None, |r| r.utimes(&l, file.as_deref(), atime, mtime)).map(|_| 0)
        }
        (None, Some(f)) => with_resolver(task, None, |r| {
            r.utimes_target(AttrTarget::Anon(&f), atime, mtime)
        })
        .map(|_| 0),
        (None, None) => Ok(0),
    }
}

fn sys_utimensat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (dirfd, path_ptr, times, flags) = (a.i32(0), a.u(1), a.u(2), a.u32(3));
    let (atime, mtime) = if times == 0 {
        (Some(TimeSet::Now), Some(TimeSet::Now))
    } else {
        let t: [LinuxTimespec; 2] = task.mm().read_val(times)?;
        (timeset(t[0])?, timeset(t[1])?)
    };
    do_utimes(task, dirfd, path_ptr, atime, mtime, flags)
}

fn timeval_set(tv: LinuxTimeval) -> KResult<Option<TimeSet>> {
    if !(0..1_000_000).contains(&tv.tv_usec) {
        return Err(Errno::EINVAL);
    }
    Ok(Some(TimeSet::At(Timespec {
        sec: tv.tv_sec,
        nsec: (tv.tv_usec * 1000) as u32,
    })))
}

fn do_futimesat(task: &Task, dirfd: i32, path_ptr: u64, times: u64) -> KResult<u64> {
    let (atime, mtime) = if times == 0 {
        (Some(TimeSet::Now), Some(TimeSet::Now))
    } else {
        let t: [LinuxTimeval; 2] = task.mm().read_val(times)?;
        (timeval_set(t[0])?, timeval_set(t[1])?)
    };
    if path_ptr == 0 {
        return Err(Errno::EFAULT);
    }
    do_utimes(task, dirfd, path_ptr, atime, mtime, 0)
}

fn sys_utimes(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_futimesat(task, AT_FDCWD, a.u(0), a.u(1))
}

fn sys_futimesat(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_futimesat(task, a.i32(0), a.u(1), a.u(2))
}

fn sys_utime(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (path_ptr, buf) = (a.u(0), a.u(1));
    let (atime, mtime) = if buf == 0 {
        (Some(TimeSet::Now), Some(TimeSet::Now))
    } else {
        let u: Utimbuf = task.mm().read_val(buf)?;
        (
            Some(TimeSet::At(Timespec {
                sec: u.actime,
                nsec: 0,
            })),
            Some(TimeSet::At(Timespec {
                sec: u.modtime,
                nsec: 0,
            })),
        )
    };
    if path_ptr == 0 {
        return Err(Errno::EFAULT);
    }
    do_utimes(task, AT_FDCWD, path_ptr, atime, mtime, 0)
}

fn write_statfs(task: &Task, addr: u64, s: &LinuxStatfs) -> KResult<u64> {
    task.mm().write_val(addr, s)?;
    Ok(0)
}

fn sys_statfs(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let path = read_path(task, a.u(0))?;
    let s = match target(task, AT_FDCWD, &path, 0, true)? {
        Target::Loc(l) => with_resolver(task, None, |r| r.statfs(&l))?,
        Target::Anon(_) => anon_statfs(),
    };
    write_statfs(task, a.u(1), &s)
}

fn sys_fstatfs(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = get_file(task, a.i32(0))?;
    let s = match file.location() {
        Some(l) => with_resolver(task, None, |r| r.statfs(l))?,
        None => anon_statfs(),
    };
    write_statfs(task, a.u(1), &s)
}

/// `statfs` of objects outside any mount (pipes, stdio): Linux's pipefs answer.
fn anon_statfs() -> LinuxStatfs {
    StatFs {
        fs_type: 0x5049_5045,
        bsize: 4096,
        namelen: 255,
        ..StatFs::default()
    }
    .to_linux(0, false)
}
