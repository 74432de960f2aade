//! The contract every filesystem implements: an inode-like [`Node`] the path walk steps through,
//! plus the kernel-side metadata types ([`Stat`], [`DirEntry`], [`SetAttr`]).

use std::any::Any;
use std::sync::Arc;

use super::abi::{LinuxStat, LinuxStatfs, Statx, StatxTimestamp};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile};

/// File type mask of `st_mode`.
pub const S_IFMT: u32 = 0o170000;
/// Socket.
pub const S_IFSOCK: u32 = 0o140000;
/// Symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// Regular file.
pub const S_IFREG: u32 = 0o100000;
/// Block device.
pub const S_IFBLK: u32 = 0o060000;
/// Directory.
pub const S_IFDIR: u32 = 0o040000;
/// Character device.
pub const S_IFCHR: u32 = 0o020000;
/// FIFO.
pub const S_IFIFO: u32 = 0o010000;
/// Set-user-id bit.
pub const S_ISUID: u32 = 0o4000;
/// Set-group-id bit.
pub const S_ISGID: u32 = 0o2000;
/// Sticky bit (restricted deletion in directories).
pub const S_ISVTX: u32 = 0o1000;

/// The type of a node, as `S_IFMT` and `d_type` tell it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Regular file.
    Regular,
    /// Directory.
    Directory,
    /// Symbolic link.
    Symlink,
    /// Character device.
    CharDev,
    /// Block device.
    BlockDev,
    /// Named pipe.
    Fifo,
    /// Unix socket.
    Socket,
}

impl FileKind {
    /// The kind encoded in a mode's `S_IFMT` bits (`None` for garbage).
    pub fn from_mode(mode: u32) -> Option<FileKind> {
        Some(match mode & S_IFMT {
            S_IFREG => FileKind::Regular,
            S_IFDIR => FileKind::Directory,
            S_IFLNK => FileKind::Symlink,
            S_IFCHR => FileKind::CharDev,
            S_IFBLK => FileKind::BlockDev,
            S_IFIFO => FileKind::Fifo,
            S_IFSOCK => FileKind::Socket,
            _ => return None,
        })
    }

    /// The `S_IFMT` bits.
    pub fn mode_bits(self) -> u32 {
        match self {
            FileKind::Regular => S_IFREG,
            FileKind::Directory => S_IFDIR,
            FileKind::Symlink => S_IFLNK,
            FileKind::CharDev => S_IFCHR,
            FileKind::BlockDev => S_IFBLK,
            FileKind::Fifo => S_IFIFO,
            FileKind::Socket => S_IFSOCK,
        }
    }

    /// The `d_type` value for directory entries.
    pub fn dtype(self) -> u8 {
        match self {
            FileKind::Fifo => 1,
            FileKind::CharDev => 2,
            FileKind::Directory => 4,
            FileKind::BlockDev => 6,
            FileKind::Regular => 8,
            FileKind::Symlink => 10,
            FileKind::Socket => 12,
        }
    }
}

/// A point in time with nanosecond resolution.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timespec {
    /// Seconds since the epoch.
    pub sec: i64,
    /// Nanoseconds (0..1e9).
    pub nsec: u32,
}

impl Timespec {
    /// The host's current wall-clock time.
    pub fn now() -> Timespec {
        match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => Timespec {
                sec: d.as_secs() as i64,
                nsec: d.subsec_nanos(),
            },
            Err(_) => Timespec::default(),
        }
    }
}

/// Linux's `new_encode_dev`: the `st_dev`/`st_rdev` encoding glibc's `major()`/`minor()` undo.
pub fn makedev(major: u32, minor: u32) -> u64 {
    let (major, minor) = (major as u64, minor as u64);
    (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & !0xff) << 12) | ((major & !0xfff) << 32)
}

/// The major number of an encoded device.
pub fn dev_major(dev: u64) -> u32 {
    (((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff)) as u32
}

/// The minor number of an encoded device.
pub fn dev_minor(dev: u64) -> u32 {
    ((dev & 0xff) | ((dev >> 12) & !0xff)) as u32
}

/// Kernel-side metadata of a node (converted to `struct stat`/`statx` at the syscall edge).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Device of the filesystem (encoded).
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Type and permission bits.
    pub mode: u32,
    /// Hard link count.
    pub nlink: u64,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device number of device files (encoded).
    pub rdev: u64,
    /// Size in bytes.
    pub size: u64,
    /// Preferred I/O size.
    pub blksize: u32,
    /// Allocated 512-byte blocks.
    pub blocks: u64,
    /// Last access.
    pub atime: Timespec,
    /// Last modification.
    pub mtime: Timespec,
    /// Last status change.
    pub ctime: Timespec,
    /// Creation, when the filesystem knows it.
    pub btime: Option<Timespec>,
}

impl Stat {
    /// The node's type (`Regular` for an unknown `S_IFMT`, which no filesystem here produces).
    pub fn kind(&self) -> FileKind {
        FileKind::from_mode(self.mode).unwrap_or(FileKind::Regular)
    }

    /// `struct stat` for `stat`/`fstat`/`newfstatat`.
    pub fn to_linux(&self) -> LinuxStat {
        LinuxStat {
            st_dev: self.dev,
            st_ino: self.ino,
            st_nlink: self.nlink,
            st_mode: self.mode,
            st_uid: self.uid,
            st_gid: self.gid,
            pad0: 0,
            st_rdev: self.rdev,
            st_size: self.size.min(i64::MAX as u64) as i64,
            st_blksize: self.blksize as i64,
            st_blocks: self.blocks.min(i64::MAX as u64) as i64,
            st_atime: self.atime.sec,
            st_atime_nsec: self.atime.nsec as i64,
            st_mtime: self.mtime.sec,
            st_mtime_nsec: self.mtime.nsec as i64,
            st_ctime: self.ctime.sec,
            st_ctime_nsec: self.ctime.nsec as i64,
            unused: [0; 3],
        }
    }

    /// `struct statx` with every basic field filled (`mnt_id` from the mount).
    pub fn to_statx(&self, mnt_id: u64) -> Statx {
        let ts = |t: Timespec| StatxTimestamp {
            tv_sec: t.sec,
            tv_nsec: t.nsec,
            reserved: 0,
        };
        // STATX_BASIC_STATS (0x7ff) | STATX_MNT_ID (0x1000), plus STATX_BTIME (0x800) if known.
        let mut mask = 0x7ff | 0x1000;
        if self.btime.is_some() {
            mask |= 0x800;
        }
        Statx {
            stx_mask: mask,
            stx_blksize: self.blksize,
            stx_nlink: self.nlink.min(u32::MAX as u64) as u32,
            stx_uid: self.uid,
            stx_gid: self.gid,
            stx_mode: self.mode as u16,
            stx_ino: self.ino,
            stx_size: self.size,
            stx_blocks: self.blocks,
            stx_atime: ts(self.atime),
            stx_btime: ts(self.btime.unwrap_or_default()),
            stx_ctime: ts(self.ctime),
            stx_mtime: ts(self.mtime),
            stx_rdev_major: dev_major(self.rdev),
            stx_rdev_minor: dev_minor(self.rdev),
            stx_dev_major: dev_major(self.dev),
            stx_dev_minor: dev_minor(self.dev),
            stx_mnt_id: mnt_id,
            ..Statx::default()
        }
    }
}

/// Filesystem-wide numbers for `statfs`.
#[derive(Clone, Copy, Debug, Default)]
pub struct StatFs {
    /// Magic number (`f_type`).
    pub fs_type: i64,
    /// Block size.
    pub bsize: u64,
    /// Total blocks.
    pub blocks: u64,
    /// Free blocks.
    pub bfree: u64,
    /// Blocks available to unprivileged users.
    pub bavail: u64,
    /// Total inodes.
    pub files: u64,
    /// Free inodes.
    pub ffree: u64,
    /// Maximum name length.
    pub namelen: u64,
}

impl StatFs {
    /// `struct statfs`, with `ST_RDONLY` set for read-only mounts.
    pub fn to_linux(&self, dev: u64, read_only: bool) -> LinuxStatfs {
        LinuxStatfs {
            f_type: self.fs_type,
            f_bsize: self.bsize as i64,
            f_blocks: self.blocks,
            f_bfree: self.bfree,
            f_bavail: self.bavail,
            f_files: self.files,
            f_ffree: self.ffree,
            f_fsid: [dev as i32, (dev >> 32) as i32],
            f_namelen: self.namelen as i64,
            f_frsize: self.bsize as i64,
            // ST_RDONLY = 1, ST_RELATIME = 0x400 (what a default Linux mount shows).
            f_flags: if read_only { 0x401 } else { 0x400 },
            f_spare: [0; 4],
        }
    }
}

/// `TMPFS_MAGIC`.
pub const TMPFS_MAGIC: i64 = 0x0102_1994;
/// `PROC_SUPER_MAGIC`.
pub const PROC_SUPER_MAGIC: i64 = 0x9fa0;

/// One directory entry (without `.` and `..`, which the VFS adds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// Inode number.
    pub ino: u64,
    /// Type.
    pub kind: FileKind,
    /// Name (no `/`, no NUL).
    pub name: Vec<u8>,
}

/// How to set a timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeSet {
    /// The current time (`UTIME_NOW`).
    Now,
    /// A given time.
    At(Timespec),
}

/// Attribute changes for `chmod`/`chown`/`truncate`/`utimensat`; `None` leaves a field alone.
#[derive(Clone, Copy, Debug, Default)]
pub struct SetAttr {
    /// New permission bits (the low 12 bits).
    pub mode: Option<u32>,
    /// New owner.
    pub uid: Option<u32>,
    /// New group.
    pub gid: Option<u32>,
    /// New size.
    pub size: Option<u64>,
    /// New access time.
    pub atime: Option<TimeSet>,
    /// New modification time.
    pub mtime: Option<TimeSet>,
}

/// What `create` makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewNode {
    /// An empty regular file.
    Regular,
    /// An empty directory.
    Directory,
    /// A symbolic link with this target.
    Symlink(Vec<u8>),
    /// A named pipe.
    Fifo,
    /// A socket node (`bind` of an `AF_UNIX` socket to a path).
    Socket,
}

/// Owner and permission bits (already umasked) of a node being created.
#[derive(Clone, Copy, Debug)]
pub struct NewAttr {
    /// Permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

/// `RENAME_NOREPLACE`.
pub const RENAME_NOREPLACE: u32 = 1;
/// `RENAME_EXCHANGE`.
pub const RENAME_EXCHANGE: u32 = 2;
/// `RENAME_WHITEOUT`.
pub const RENAME_WHITEOUT: u32 = 4;

/// What a `/proc` lookup needs to know about the process walking the path.
pub trait ProcView {
    /// The walker's pid inside the sandbox.
    fn pid(&self) -> i32;
    /// The walker's thread id (`/proc/thread-self`).
    fn tid(&self) -> i32;
    /// The ids of the walker's process's threads, ascending (`/proc/self/task`).
    fn thread_ids(&self) -> Vec<i32>;
    /// The open file behind descriptor `fd` of thread `tid` (0: the walker's own table).
    fn fd_file(&self, tid: i32, fd: i32) -> Option<Arc<OpenFile>>;
    /// The open descriptors of thread `tid` (0: the walker's own table), ascending.
    fn fd_list(&self, tid: i32) -> Vec<i32>;
    /// Path of the running executable.
    fn exe(&self) -> Vec<u8>;
    /// The working directory of thread `tid` (0: the walker's own).
    fn cwd(&self, _tid: i32) -> Option<super::Location> {
        None
    }
    /// The root of thread `tid` (0: the walker's own).
    fn root(&self, _tid: i32) -> Option<super::Location> {
        None
    }
    /// The text of `/proc/self/<name>` (`maps`, `status`, `stat`, `cmdline`, `environ`,
    /// `comm`, `mounts`) for the process (`tid` 0) or its thread `tid` (`/proc/self/task/<tid>`);
    /// `None` once that thread has gone.
    fn pid_file(&self, _tid: i32, _name: &str) -> Option<Vec<u8>> {
        None
    }
    /// The pids of the sandbox's processes, ascending (one `/proc/<pid>` each).
    fn pids(&self) -> Vec<i32> {
        vec![self.pid()]
    }
    /// The view of another process `pid` of the walker's sandbox, if it exists.
    fn other(&self, _pid: i32) -> Option<Box<dyn ProcView + '_>> {
        None
    }
    /// A sandbox-wide `/proc` file (`stat`, `loadavg`, `uptime`, `mounts`) as the walker's
    /// sandbox has it.
    fn global_file(&self, _name: &str) -> Option<Vec<u8>> {
        None
    }
}

/// Context handed to node operations whose answer depends on who asks (only `/proc` cares).
#[derive(Clone, Copy, Default)]
pub struct Cx<'a> {
    /// The process walking, if any (host-side callers have none).
    pub proc: Option<&'a dyn ProcView>,
}

/// Where a `/proc` magic link leads.
pub enum MagicTarget {
    /// An open file (`/proc/self/fd/N`): following it reaches the file itself.
    File(Arc<OpenFile>),
    /// A path to walk from the process root (`/proc/self/exe`).
    Path(Vec<u8>),
    /// A place in the namespace (`/proc/self/cwd`, `/proc/self/root`).
    Location(super::Location),
}

/// A shared handle to a node.
pub type NodeRef = Arc<dyn Node>;

/// Where a node sits in its filesystem now (renames move directories, and everything under
/// them, after a path to them was resolved).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Whereabouts {
    /// The filesystem does not follow moves: the path the node was reached by stays right
    /// (synthetic filesystems, whose nodes never move).
    Untracked,
    /// Its path below the filesystem's root: components joined by `/`, empty for the root.
    Below(Vec<u8>),
    /// Removed from the namespace; where it was when that happened, if known.
    Removed(Option<Vec<u8>>),
    /// Moved where its filesystem's root no longer leads (a host directory moved out of the
    /// mounted tree).
    Unreachable,
}

/// An inode-like object of some filesystem. Names passed in are single components: never
/// empty, never `.`/`..`, never containing `/` or NUL (the walk guarantees it).
pub trait Node: Send + Sync + 'static {
    /// Fresh metadata.
    fn stat(&self) -> KResult<Stat>;
    /// Metadata that may come from a cache filled at lookup: the walk's type and permission
    /// decisions use it (one host call per component instead of two).
    fn meta(&self) -> KResult<Stat> {
        self.stat()
    }
    /// The child called `name` (`ENOENT`), for directories (`ENOTDIR` otherwise).
    fn lookup(&self, cx: &Cx, name: &[u8]) -> KResult<NodeRef>;
    /// The parent directory inside the same filesystem; `None` at the filesystem root (and
    /// where the parent cannot be reached from the root, so the VFS falls back to the path).
    fn parent(&self) -> Option<NodeRef>;
    /// The directory and name the node was reached by (for inotify's events on a watched
    /// directory's children); `None` at the filesystem root or where unknown.
    fn entry(&self) -> Option<(NodeRef, Vec<u8>)> {
        None
    }
    /// Where the node is now, for the VFS to keep paths of open directories current.
    fn whereabouts(&self) -> Whereabouts {
        Whereabouts::Untracked
    }
    /// A symlink's target (`EINVAL` for other nodes).
    fn readlink(&self, _cx: &Cx) -> KResult<Vec<u8>> {
        Err(Errno::EINVAL)
    }
    /// For `/proc` magic links: where following the link leads.
    fn magic(&self, _cx: &Cx) -> Option<MagicTarget> {
        None
    }
    /// The entries of a directory, without `.` and `..`.
    fn readdir(&self, _cx: &Cx) -> KResult<Vec<DirEntry>> {
        Err(Errno::ENOTDIR)
    }
    /// Opens the node's contents. Directories are opened by the VFS itself, so this is only
    /// called for other kinds. `flags` are the `open` flags (access mode, `O_TRUNC` handled).
    fn open(&self, cx: &Cx, flags: u32) -> KResult<Arc<dyn FileOps>>;
    /// Creates `name` in this directory (`EEXIST` if present).
    fn create(&self, _name: &[u8], _what: NewNode, _attr: NewAttr) -> KResult<NodeRef> {
        Err(Errno::EPERM)
    }
    /// Removes `name` from this directory: a directory when `dir` (`ENOTDIR`/`ENOTEMPTY`),
    /// otherwise a non-directory (`EISDIR`).
    fn unlink(&self, _name: &[u8], _dir: bool) -> KResult<()> {
        Err(Errno::EPERM)
    }
    /// Moves `old` in this directory to `new` in `new_dir` (same filesystem, checked by the VFS).
    fn rename(&self, _old: &[u8], _new_dir: &dyn Node, _new: &[u8], _flags: u32) -> KResult<()> {
        Err(Errno::EPERM)
    }
    /// Makes `name` in this directory a new hard link to `target` (same filesystem).
    fn link(&self, _target: &dyn Node, _name: &[u8]) -> KResult<()> {
        Err(Errno::EPERM)
    }
    /// Changes attributes (permission checks already done by the VFS).
    fn setattr(&self, _attr: &SetAttr) -> KResult<()> {
        Err(Errno::EPERM)
    }
    /// Filesystem-wide numbers.
    fn statfs(&self) -> KResult<StatFs>;
    /// Identity within its filesystem (two handles to one inode compare equal).
    fn same(&self, other: &dyn Node) -> bool;
    /// Downcasting for operations between two nodes of one filesystem.
    fn as_any(&self) -> &dyn Any;
}
