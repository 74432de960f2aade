//! Host directory mounts. Every directory the walk steps through is held open (an `O_PATH`
//! descriptor), and everything else is a name in such a directory. Host calls take one
//! directory descriptor and at most one name, which the walk guarantees is a plain component,
//! and never follow a symlink (the walk reads symlinks and re-walks them in the sandbox's
//! namespace). So no host call resolves anything outside the directory it starts from, and
//! a directory descriptor or working directory keeps naming the same host directory after it
//! (or an ancestor) is renamed, as on Linux.
//!
//! `..` is the one upward step. The host takes it, and the result is accepted only if it lies
//! inside the mounted tree: walking up by `..` from it must meet the mount's root (by device
//! and inode) before the host's root. A directory moved out of the tree (through a second,
//! enclosing mount, or by the host) thus leads nowhere outside; the VFS then goes up by path.

use std::any::Any;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt as _;
use std::path::Path;
use std::sync::Arc;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, RenameFlags, StatxFlags};
use rustix::path::DecInt;

use super::node::*;
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, O_ACCMODE, O_NONBLOCK, O_RDWR, O_WRONLY};
use crate::mm::{CacheKey, CachedFile, MmapSource, PageCaches, PhysMemory};

fn ioerr(e: io::Error) -> Errno {
    Errno::from_io(&e)
}

fn rerr(e: rustix::io::Errno) -> Errno {
    Errno::from_io(&e.into())
}

/// How deep [`HostFs::contains`] looks for the mount's root above a directory.
const MAX_DEPTH: usize = 4096;

/// A mounted host directory.
pub struct HostFs {
    root: Arc<OwnedFd>,
    /// `(st_dev, st_ino)` of the mounted directory.
    root_id: (u64, u64),
    /// The mounted directory is the host's `/`: everything is inside it.
    whole_host: bool,
    read_only: bool,
    /// The sandbox's page caches of host files (see [`crate::mm::PageCaches`]).
    caches: Arc<PageCaches>,
}

/// Opens `host_path` (with the host's ambient authority, once) and returns the mount's root;
/// shared mappings of its files use the page caches in `caches`.
pub fn mount_host_dir(
    host_path: &Path,
    read_only: bool,
    caches: Arc<PageCaches>,
) -> io::Result<NodeRef> {
    // The host path is the user's to choose: symlinks in it are followed, as by `cd`.
    let root = rustix::fs::open(
        host_path,
        OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )?;
    let st = fd_stat(root.as_fd())?;
    let up = rustix::fs::openat(&root, "..", dir_flags(), Mode::empty())?;
    let whole_host = id(&fd_stat(up.as_fd())?) == id(&st);
    let root = Arc::new(root);
    let fs = Arc::new(HostFs {
        root: root.clone(),
        root_id: id(&st),
        whole_host,
        read_only,
        caches,
    });
    Ok(Arc::new(HostNode {
        fs,
        place: Place::Dir(root),
        cached: st,
    }))
}

/// Flags of the descriptors directories are held by.
fn dir_flags() -> OFlags {
    OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// A node's identity: `(st_dev, st_ino)`.
fn id(st: &Stat) -> (u64, u64) {
    (st.dev, st.ino)
}

/// Checks that `name` is one plain component (the walk guarantees it; this keeps the host
/// side safe on its own).
fn one_name(name: &[u8]) -> KResult<&OsStr> {
    if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') {
        return Err(Errno::ENOENT);
    }
    if name.contains(&0) {
        return Err(Errno::EINVAL);
    }
    Ok(OsStr::from_bytes(name))
}

/// Where a node is.
enum Place {
    /// A directory, held open.
    Dir(Arc<OwnedFd>),
    /// Anything else: a name in a held directory.
    Entry {
        /// The directory.
        parent: Arc<OwnedFd>,
        /// The name, one component.
        name: OsString,
    },
}

/// A node of a host mount.
pub struct HostNode {
    fs: Arc<HostFs>,
    place: Place,
    /// Everything seen at lookup (the walk's type and permission decisions use it; `stat`
    /// is fresh).
    cached: Stat,
}

fn stat_of(x: &rustix::fs::Statx) -> Stat {
    let ts = |t: rustix::fs::StatxTimestamp| Timespec {
        sec: t.tv_sec,
        nsec: t.tv_nsec.min(999_999_999),
    };
    Stat {
        dev: makedev(x.stx_dev_major, x.stx_dev_minor),
        ino: x.stx_ino,
        mode: x.stx_mode as u32,
        nlink: x.stx_nlink as u64,
        uid: x.stx_uid,
        gid: x.stx_gid,
        rdev: makedev(x.stx_rdev_major, x.stx_rdev_minor),
        size: x.stx_size,
        blksize: x.stx_blksize,
        blocks: x.stx_blocks,
        atime: ts(x.stx_atime),
        mtime: ts(x.stx_mtime),
        ctime: ts(x.stx_ctime),
        btime: (x.stx_mask & StatxFlags::BTIME.bits() != 0).then(|| ts(x.stx_btime)),
    }
}

fn statx_mask() -> StatxFlags {
    StatxFlags::BASIC_STATS | StatxFlags::BTIME
}

/// Metadata of what `fd` refers to.
fn fd_stat(fd: BorrowedFd<'_>) -> io::Result<Stat> {
    let x = rustix::fs::statx(fd, "", AtFlags::EMPTY_PATH, statx_mask())?;
    Ok(stat_of(&x))
}

/// Metadata of `name` in `dir`, not following a symlink.
fn entry_stat(dir: BorrowedFd<'_>, name: &OsStr) -> io::Result<Stat> {
    let x = rustix::fs::statx(dir, name, AtFlags::SYMLINK_NOFOLLOW, statx_mask())?;
    Ok(stat_of(&x))
}

fn std_meta_stat(m: &std::fs::Metadata) -> Stat {
    use std::os::unix::fs::MetadataExt as M;
    Stat {
        dev: M::dev(m),
        ino: M::ino(m),
        mode: M::mode(m),
        nlink: M::nlink(m),
        uid: M::uid(m),
        gid: M::gid(m),
        rdev: M::rdev(m),
        size: M::size(m),
        blksize: M::blksize(m).min(u32::MAX as u64) as u32,
        blocks: M::blocks(m),
        atime: Timespec {
            sec: M::atime(m),
            nsec: M::atime_nsec(m).clamp(0, 999_999_999) as u32,
        },
        mtime: Timespec {
            sec: M::mtime(m),
            nsec: M::mtime_nsec(m).clamp(0, 999_999_999) as u32,
        },
        ctime: Timespec {
            sec: M::ctime(m),
            nsec: M::ctime_nsec(m).clamp(0, 999_999_999) as u32,
        },
        btime: m
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| Timespec {
                sec: d.as_secs() as i64,
                nsec: d.subsec_nanos(),
            }),
    }
}

/// The kernel's timestamps for `utimensat`/`futimens` (`None` = `UTIME_OMIT`); any time,
/// before the epoch too, goes to the host as given.
fn timestamps(atime: Option<TimeSet>, mtime: Option<TimeSet>) -> rustix::fs::Timestamps {
    let ts = |t: Option<TimeSet>| match t {
        None => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_OMIT,
        },
        Some(TimeSet::Now) => rustix::fs::Timespec {
            tv_sec: 0,
            tv_nsec: rustix::fs::UTIME_NOW,
        },
        Some(TimeSet::At(t)) => rustix::fs::Timespec {
            tv_sec: t.sec,
            tv_nsec: t.nsec as _,
        },
    };
    rustix::fs::Timestamps {
        last_access: ts(atime),
        last_modification: ts(mtime),
    }
}

/// The host's name for what `fd` refers to (`/proc/self/fd/N`).
fn host_path(fd: BorrowedFd<'_>) -> Option<Vec<u8>> {
    let dir = rustix_linux_procfs::proc_self_fd().ok()?;
    let p = rustix::fs::readlinkat(dir, DecInt::from_fd(fd), Vec::new()).ok()?;
    Some(p.into_bytes())
}

/// `chmod` of what `fd` refers to, through its `/proc/self/fd` magic link: an `O_PATH`
/// descriptor has no `fchmod`, and `fchmodat` by name would follow a symlink.
fn chmod_fd(fd: BorrowedFd<'_>, mode: u32) -> KResult<()> {
    let dir = rustix_linux_procfs::proc_self_fd().map_err(rerr)?;
    rustix::fs::chmodat(
        dir,
        DecInt::from_fd(fd),
        Mode::from_raw_mode(mode & 0o7777),
        AtFlags::empty(),
    )
    .map_err(rerr)
}

impl HostFs {
    /// Whether directory `fd` (with metadata `st`) lies inside the mounted tree: going up by
    /// `..` meets the mount's root before the host's root.
    fn contains(&self, fd: BorrowedFd<'_>, st: &Stat) -> bool {
        if self.whole_host {
            return true;
        }
        let mut cur_id = id(st);
        let mut held: Option<OwnedFd> = None;
        for _ in 0..MAX_DEPTH {
            if cur_id == self.root_id {
                return true;
            }
            let base = held.as_ref().map_or(fd, |f| f.as_fd());
            let Ok(up) = rustix::fs::openat(base, "..", dir_flags(), Mode::empty()) else {
                return false;
            };
            let Ok(ust) = fd_stat(up.as_fd()) else {
                return false;
            };
            if id(&ust) == cur_id {
                // `..` of the host's root is itself.
                return false;
            }
            cur_id = id(&ust);
            held = Some(up);
        }
        false
    }

    /// The path of directory `fd` below the mounted directory (empty for the root).
    fn dir_whereabouts(&self, fd: BorrowedFd<'_>) -> Whereabouts {
        let Ok(st) = fd_stat(fd) else {
            return Whereabouts::Removed(None);
        };
        if id(&st) == self.root_id {
            return Whereabouts::Below(Vec::new());
        }
        let removed = st.nlink == 0;
        let rel = match (host_path(fd), host_path(self.root.as_fd())) {
            (Some(p), Some(root)) => {
                // The host marks a removed directory's name as Linux does for the guest.
                let p = match removed {
                    true => p.strip_suffix(b" (deleted)").map(<[u8]>::to_vec),
                    false => Some(p),
                };
                p.and_then(|p| below(&p, &root))
            }
            // No /proc on the host: the path the walk found stays.
            _ if !removed => return Whereabouts::Untracked,
            _ => None,
        };
        match (rel, removed) {
            (rel, true) => Whereabouts::Removed(rel),
            (Some(rel), false) => Whereabouts::Below(rel),
            (None, false) => Whereabouts::Unreachable,
        }
    }
}

/// `path` relative to `root` (both host paths as `/proc/self/fd` shows them), if below it.
fn below(path: &[u8], root: &[u8]) -> Option<Vec<u8>> {
    let rest = if root == b"/" {
        path.strip_prefix(b"/")?
    } else {
        path.strip_prefix(root)?.strip_prefix(b"/")?
    };
    let plain = rest
        .split(|&b| b == b'/')
        .all(|c| !c.is_empty() && c != b"." && c != b"..");
    plain.then(|| rest.to_vec())
}

impl HostNode {
    fn writable(&self) -> KResult<()> {
        if self.fs.read_only {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// The held descriptor of a directory node (`ENOTDIR` for others).
    fn dir(&self) -> KResult<&Arc<OwnedFd>> {
        match &self.place {
            Place::Dir(d) => Ok(d),
            Place::Entry { .. } => Err(Errno::ENOTDIR),
        }
    }

    /// A node for `name` in directory `dir`: directories get their own descriptor.
    fn child_node(&self, dir: &Arc<OwnedFd>, name: &OsStr) -> KResult<HostNode> {
        let st = entry_stat(dir.as_fd(), name).map_err(ioerr)?;
        if st.kind() != FileKind::Directory {
            return Ok(self.entry_node(dir, name, st));
        }
        match rustix::fs::openat(dir, name, dir_flags(), Mode::empty()) {
            Ok(fd) => {
                // The descriptor's own metadata: the name may have changed hands meanwhile.
                let st = fd_stat(fd.as_fd()).map_err(ioerr)?;
                Ok(HostNode {
                    fs: self.fs.clone(),
                    place: Place::Dir(Arc::new(fd)),
                    cached: st,
                })
            }
            // Replaced by something else since the stat: take what is there now.
            Err(rustix::io::Errno::NOTDIR | rustix::io::Errno::LOOP) => {
                let st = entry_stat(dir.as_fd(), name).map_err(ioerr)?;
                if st.kind() == FileKind::Directory {
                    return Err(Errno::ENOENT);
                }
                Ok(self.entry_node(dir, name, st))
            }
            Err(e) => Err(rerr(e)),
        }
    }

    fn entry_node(&self, dir: &Arc<OwnedFd>, name: &OsStr, st: Stat) -> HostNode {
        HostNode {
            fs: self.fs.clone(),
            place: Place::Entry {
                parent: dir.clone(),
                name: name.to_owned(),
            },
            cached: st,
        }
    }

    /// An `O_PATH` descriptor of the node itself.
    fn opath(&self) -> KResult<OwnedFd> {
        match &self.place {
            Place::Dir(d) => rustix::io::dup(d).map_err(rerr),
            Place::Entry { parent, name } => rustix::fs::openat(
                parent,
                name,
                OFlags::PATH | OFlags::NOFOLLOW | OFlags::CLOEXEC,
                Mode::empty(),
            )
            .map_err(rerr),
        }
    }

    /// Opens a non-directory's contents, checking that it still is of the kind the walk
    /// saw (host device nodes stay out of reach even if one appears in a race).
    /// Opens the node (not a directory) with `flags`; also returns its page cache key.
    fn open_file(&self, flags: u32) -> KResult<(File, CacheKey)> {
        let Place::Entry { parent, name } = &self.place else {
            return Err(Errno::EISDIR);
        };
        let acc = match flags & O_ACCMODE {
            O_WRONLY => OFlags::WRONLY,
            O_RDWR => OFlags::RDWR,
            _ => OFlags::RDONLY,
        };
        let mut of = acc | OFlags::NOFOLLOW | OFlags::NOCTTY | OFlags::CLOEXEC;
        if flags & O_NONBLOCK != 0 {
            of |= OFlags::NONBLOCK;
        }
        let fd = rustix::fs::openat(parent, name, of, Mode::empty()).map_err(rerr)?;
        let st = fd_stat(fd.as_fd()).map_err(ioerr)?;
        if st.mode & S_IFMT != self.cached.mode & S_IFMT {
            return Err(Errno::ENOENT);
        }
        Ok((File::from(fd), id(&st)))
    }
}

fn host(node: &dyn Node) -> KResult<&HostNode> {
    node.as_any().downcast_ref::<HostNode>().ok_or(Errno::EXDEV)
}

impl Node for HostNode {
    fn stat(&self) -> KResult<Stat> {
        match &self.place {
            Place::Dir(d) => fd_stat(d.as_fd()),
            Place::Entry { parent, name } => entry_stat(parent.as_fd(), name),
        }
        .map_err(ioerr)
    }

    fn meta(&self) -> KResult<Stat> {
        Ok(self.cached)
    }

    fn lookup(&self, _cx: &Cx, name: &[u8]) -> KResult<NodeRef> {
        let dir = self.dir()?;
        Ok(Arc::new(self.child_node(dir, one_name(name)?)?))
    }

    fn parent(&self) -> Option<NodeRef> {
        let Place::Dir(d) = &self.place else {
            return None;
        };
        if id(&self.cached) == self.fs.root_id {
            return None;
        }
        let up = rustix::fs::openat(d, "..", dir_flags(), Mode::empty()).ok()?;
        let st = fd_stat(up.as_fd()).ok()?;
        if !self.fs.contains(up.as_fd(), &st) {
            return None;
        }
        Some(Arc::new(HostNode {
            fs: self.fs.clone(),
            place: Place::Dir(Arc::new(up)),
            cached: st,
        }))
    }

    fn entry(&self) -> Option<(NodeRef, Vec<u8>)> {
        match &self.place {
            Place::Entry { parent, name } => {
                let st = fd_stat(parent.as_fd()).ok()?;
                let dir = HostNode {
                    fs: self.fs.clone(),
                    place: Place::Dir(parent.clone()),
                    cached: st,
                };
                Some((Arc::new(dir), name.as_bytes().to_vec()))
            }
            Place::Dir(_) => {
                let Whereabouts::Below(rel) = self.whereabouts() else {
                    return None;
                };
                let name = rel.rsplit(|&b| b == b'/').next()?.to_vec();
                Some((self.parent()?, name))
            }
        }
    }

    /// Directories: where the host says their descriptor is, relative to the mounted
    /// directory. Other nodes: their directory's place and their name.
    fn whereabouts(&self) -> Whereabouts {
        match &self.place {
            Place::Dir(d) => self.fs.dir_whereabouts(d.as_fd()),
            Place::Entry { parent, name } => {
                let append = |mut p: Vec<u8>| {
                    if !p.is_empty() {
                        p.push(b'/');
                    }
                    p.extend_from_slice(name.as_bytes());
                    p
                };
                match self.fs.dir_whereabouts(parent.as_fd()) {
                    Whereabouts::Below(p) => Whereabouts::Below(append(p)),
                    Whereabouts::Removed(p) => Whereabouts::Removed(p.map(append)),
                    other => other,
                }
            }
        }
    }

    fn readlink(&self, _cx: &Cx) -> KResult<Vec<u8>> {
        match &self.place {
            Place::Entry { parent, name } if self.cached.mode & S_IFMT == S_IFLNK => {
                let t = rustix::fs::readlinkat(parent, name, Vec::new()).map_err(rerr)?;
                Ok(t.into_bytes())
            }
            _ => Err(Errno::EINVAL),
        }
    }

    fn readdir(&self, _cx: &Cx) -> KResult<Vec<DirEntry>> {
        let dir = self.dir()?;
        let fd = rustix::fs::openat(
            dir,
            ".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(rerr)?;
        let mut out = Vec::new();
        for e in rustix::fs::Dir::new(fd).map_err(rerr)? {
            let e = e.map_err(rerr)?;
            let name = e.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let kind = match e.file_type() {
                FileType::Directory => FileKind::Directory,
                FileType::Symlink => FileKind::Symlink,
                FileType::Fifo => FileKind::Fifo,
                FileType::CharacterDevice => FileKind::CharDev,
                FileType::BlockDevice => FileKind::BlockDev,
                FileType::Socket => FileKind::Socket,
                FileType::RegularFile => FileKind::Regular,
                // Filesystems without `d_type`: ask.
                _ => entry_stat(dir.as_fd(), OsStr::from_bytes(name))
                    .map(|s| s.kind())
                    .unwrap_or(FileKind::Regular),
            };
            out.push(DirEntry {
                ino: e.ino(),
                kind,
                name: name.to_vec(),
            });
        }
        Ok(out)
    }

    fn open(&self, _cx: &Cx, flags: u32) -> KResult<Arc<dyn FileOps>> {
        match self.cached.mode & S_IFMT {
            S_IFREG => {
                let (file, key) = self.open_file(flags)?;
                let name = match &self.place {
                    Place::Entry { name, .. } => name.to_string_lossy().into_owned(),
                    Place::Dir(_) => String::new(),
                };
                Ok(Arc::new(HostFile {
                    file: Arc::new(file),
                    name,
                    key,
                    caches: self.fs.caches.clone(),
                }))
            }
            S_IFIFO => Ok(Arc::new(HostStream {
                file: self.open_file(flags)?.0,
            })),
            // Host device nodes stay out of reach, as on a `nodev` mount.
            S_IFCHR | S_IFBLK => Err(Errno::EACCES),
            S_IFSOCK => Err(Errno::ENXIO),
            S_IFDIR => Err(Errno::EISDIR),
            _ => Err(Errno::ELOOP),
        }
    }

    fn create(&self, name: &[u8], what: NewNode, attr: NewAttr) -> KResult<NodeRef> {
        self.writable()?;
        let dir = self.dir()?;
        let n = one_name(name)?;
        let mode = Mode::from_raw_mode(attr.mode & 0o7777);
        match &what {
            NewNode::Regular => {
                let f = rustix::fs::openat(
                    dir,
                    n,
                    OFlags::CREATE
                        | OFlags::EXCL
                        | OFlags::WRONLY
                        | OFlags::NOFOLLOW
                        | OFlags::NOCTTY
                        | OFlags::CLOEXEC,
                    mode,
                )
                .map_err(rerr)?;
                // The host's own umask may have cleared bits the guest asked for.
                if fd_stat(f.as_fd()).map(|s| s.mode & 0o7777).ok() != Some(attr.mode & 0o7777) {
                    let _ = rustix::fs::fchmod(&f, mode);
                }
            }
            NewNode::Directory => {
                rustix::fs::mkdirat(dir, n, mode).map_err(rerr)?;
            }
            NewNode::Symlink(target) => {
                rustix::fs::symlinkat(OsStr::from_bytes(target), dir, n).map_err(rerr)?;
            }
            NewNode::Fifo | NewNode::Socket => {
                let kind = if what == NewNode::Fifo {
                    FileType::Fifo
                } else {
                    FileType::Socket
                };
                rustix::fs::mknodat(dir, n, kind, mode, 0).map_err(rerr)?;
            }
        }
        let mut node = self.child_node(dir, n)?;
        if !matches!(what, NewNode::Regular | NewNode::Symlink(_))
            && node.cached.mode & 0o7777 != attr.mode & 0o7777
        {
            // As for files: undo the host's umask, through a descriptor of the new node.
            if let Ok(fd) = node.opath() {
                let _ = chmod_fd(fd.as_fd(), attr.mode);
            }
        }
        if (node.cached.uid, node.cached.gid) != (attr.uid, attr.gid) {
            // New files belong to the creator's filesystem ids, as on Linux. The host only
            // lets sbx do that when it may chown (it runs as root); otherwise the file stays
            // sbx's user's, as with a rootless container.
            let owned = rustix::fs::chownat(
                dir,
                n,
                Some(rustix::fs::Uid::from_raw(attr.uid)),
                Some(rustix::fs::Gid::from_raw(attr.gid)),
                AtFlags::SYMLINK_NOFOLLOW,
            );
            if owned.is_ok() {
                node = self.child_node(dir, n)?;
            }
        }
        Ok(Arc::new(node))
    }

    fn unlink(&self, name: &[u8], dir: bool) -> KResult<()> {
        self.writable()?;
        let flags = if dir {
            AtFlags::REMOVEDIR
        } else {
            AtFlags::empty()
        };
        rustix::fs::unlinkat(self.dir()?, one_name(name)?, flags).map_err(rerr)
    }

    fn rename(&self, old: &[u8], new_dir: &dyn Node, new: &[u8], flags: u32) -> KResult<()> {
        self.writable()?;
        let nd = host(new_dir)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let mut f = RenameFlags::empty();
        if flags & RENAME_NOREPLACE != 0 {
            f |= RenameFlags::NOREPLACE;
        }
        if flags & RENAME_EXCHANGE != 0 {
            f |= RenameFlags::EXCHANGE;
        }
        rustix::fs::renameat_with(self.dir()?, one_name(old)?, nd.dir()?, one_name(new)?, f)
            .map_err(rerr)
    }

    fn link(&self, target: &dyn Node, name: &[u8]) -> KResult<()> {
        self.writable()?;
        let t = host(target)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        let Place::Entry {
            parent,
            name: tname,
        } = &t.place
        else {
            return Err(Errno::EPERM);
        };
        rustix::fs::linkat(
            parent,
            tname,
            self.dir()?,
            one_name(name)?,
            AtFlags::empty(),
        )
        .map_err(rerr)
    }

    fn setattr(&self, attr: &SetAttr) -> KResult<()> {
        self.writable()?;
        if let Some(size) = attr.size {
            let (f, key) = self.open_file(O_WRONLY | O_NONBLOCK)?;
            let cut = || f.set_len(size).map_err(ioerr);
            self.fs.caches.truncate(key, size, cut)?;
        }
        if attr.uid.is_some() || attr.gid.is_some() {
            let uid = attr.uid.map(rustix::fs::Uid::from_raw);
            let gid = attr.gid.map(rustix::fs::Gid::from_raw);
            match &self.place {
                Place::Dir(d) => rustix::fs::chownat(d, "", uid, gid, AtFlags::EMPTY_PATH),
                Place::Entry { parent, name } => {
                    rustix::fs::chownat(parent, name, uid, gid, AtFlags::SYMLINK_NOFOLLOW)
                }
            }
            .map_err(rerr)?;
        }
        if let Some(mode) = attr.mode {
            let fd = self.opath()?;
            if fd_stat(fd.as_fd()).map_err(ioerr)?.mode & S_IFMT == S_IFLNK {
                return Err(Errno::EOPNOTSUPP);
            }
            chmod_fd(fd.as_fd(), mode)?;
        }
        if attr.atime.is_some() || attr.mtime.is_some() {
            let times = timestamps(attr.atime, attr.mtime);
            match &self.place {
                Place::Dir(d) => {
                    // Through the magic link, which leads to the directory itself.
                    let procfd = rustix_linux_procfs::proc_self_fd().map_err(rerr)?;
                    rustix::fs::utimensat(procfd, DecInt::from_fd(d), &times, AtFlags::empty())
                }
                Place::Entry { parent, name } => {
                    rustix::fs::utimensat(parent, name, &times, AtFlags::SYMLINK_NOFOLLOW)
                }
            }
            .map_err(rerr)?;
        }
        Ok(())
    }

    fn statfs(&self) -> KResult<StatFs> {
        match &self.place {
            Place::Dir(d) => host_statfs(d.as_fd()),
            Place::Entry { parent, .. } => host_statfs(parent.as_fd()),
        }
    }

    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<HostNode>()
            .is_some_and(|o| Arc::ptr_eq(&o.fs, &self.fs) && id(&o.cached) == id(&self.cached))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[allow(clippy::unnecessary_cast)] // field types differ between libc targets
fn host_statfs(fd: BorrowedFd<'_>) -> KResult<StatFs> {
    let s = rustix::fs::fstatfs(fd).map_err(rerr)?;
    Ok(StatFs {
        fs_type: s.f_type as i64,
        bsize: s.f_bsize as u64,
        blocks: s.f_blocks as u64,
        bfree: s.f_bfree as u64,
        bavail: s.f_bavail as u64,
        files: s.f_files as u64,
        ffree: s.f_ffree as u64,
        namelen: s.f_namelen as u64,
    })
}

/// An open regular file of a host mount. While the file has a page cache (it is mapped
/// `MAP_SHARED` somewhere in the sandbox) its I/O goes through the cache.
struct HostFile {
    file: Arc<File>,
    name: String,
    /// The host file's `(st_dev, st_ino)`.
    key: CacheKey,
    caches: Arc<PageCaches>,
}

impl FileOps for HostFile {
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(std_meta_stat(&self.file.metadata().map_err(ioerr)?))
    }
    fn seekable(&self) -> bool {
        true
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let raw = |b: &mut [u8]| self.file.read_at(b, off).map_err(ioerr);
        self.caches.read(self.key, off, buf, raw)
    }
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        let raw = |d: &[u8]| self.file.write_at(d, off).map_err(ioerr);
        self.caches.write(self.key, off, data, raw)
    }
    fn truncate(&self, len: u64) -> KResult<()> {
        let raw = || self.file.set_len(len).map_err(ioerr);
        self.caches.truncate(self.key, len, raw)
    }
    /// The host filesystem knows the holes. Moving the host handle's position is harmless:
    /// all I/O on it is positional.
    #[cfg(target_os = "linux")]
    fn seek_data(&self, off: u64, whence: u32) -> Option<KResult<u64>> {
        let to = if whence == crate::fd::SEEK_DATA {
            rustix::fs::SeekFrom::Data(off)
        } else {
            rustix::fs::SeekFrom::Hole(off)
        };
        Some(rustix::fs::seek(&*self.file, to).map_err(|e| ioerr(e.into())))
    }
    fn setattr(&self, attr: &SetAttr) -> Option<KResult<()>> {
        Some((|| {
            if let Some(size) = attr.size {
                self.truncate(size)?;
            }
            set_file_attr(&self.file, attr)
        })())
    }
    /// Whatever the mode did to the file's bytes, the page cache reads them again.
    #[cfg(target_os = "linux")]
    fn allocate(&self, mode: u32, off: u64, len: u64) -> KResult<()> {
        let flags = rustix::fs::FallocateFlags::from_bits_retain(mode);
        let raw =
            || rustix::fs::fallocate(&*self.file, flags, off, len).map_err(|e| ioerr(e.into()));
        self.caches.reload(self.key, off, raw)
    }
    fn mmap_source(&self) -> KResult<Arc<dyn MmapSource>> {
        Ok(Arc::new(HostMmap {
            file: self.file.clone(),
            name: self.describe(),
            key: self.key,
            caches: self.caches.clone(),
        }))
    }
    /// A shared mapping maps the file's page cache (made now if the file has none).
    fn mmap_shared_source(
        &self,
        phys: &Arc<PhysMemory>,
        _prot: u32,
        writable: bool,
    ) -> KResult<Arc<dyn MmapSource>> {
        let raw = || -> Arc<dyn CachedFile> { Arc::new(HostRaw(self.file.clone())) };
        let writer = writable.then(raw);
        self.caches
            .map(self.key, phys, self.describe(), raw, writer)
    }
    /// Stores made through shared mappings reach the host file first.
    fn sync(&self) -> KResult<()> {
        self.caches.sync(self.key)?;
        self.file.sync_all().map_err(ioerr)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Applies attribute changes other than the size through an open host file.
fn set_file_attr(file: &File, attr: &SetAttr) -> KResult<()> {
    use std::os::unix::fs::PermissionsExt as _;
    if attr.uid.is_some() || attr.gid.is_some() {
        let uid = attr.uid.map(rustix::fs::Uid::from_raw);
        let gid = attr.gid.map(rustix::fs::Gid::from_raw);
        rustix::fs::fchown(file, uid, gid).map_err(|e| ioerr(e.into()))?;
    }
    if let Some(mode) = attr.mode {
        file.set_permissions(std::fs::Permissions::from_mode(mode & 0o7777))
            .map_err(ioerr)?;
    }
    if attr.atime.is_some() || attr.mtime.is_some() {
        rustix::fs::futimens(file, &timestamps(attr.atime, attr.mtime))
            .map_err(|e| ioerr(e.into()))?;
    }
    Ok(())
}

/// The page source of a private mapping of a host file (read through its page cache).
struct HostMmap {
    file: Arc<File>,
    name: String,
    key: CacheKey,
    caches: Arc<PageCaches>,
}

impl MmapSource for HostMmap {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        let raw = |b: &mut [u8]| self.file.read_at(b, offset).map_err(ioerr);
        self.caches.read(self.key, offset, buf, raw)
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn file_size(&self) -> Option<u64> {
        self.file.metadata().ok().map(|m| m.len())
    }
}

/// A host file as its page cache reads and writes it.
struct HostRaw(Arc<File>);

impl CachedFile for HostRaw {
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        self.0.read_at(buf, off).map_err(ioerr)
    }
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        self.0.write_at(data, off).map_err(ioerr)
    }
    fn size(&self) -> KResult<u64> {
        Ok(self.0.metadata().map_err(ioerr)?.len())
    }
}

/// An open host FIFO: a byte stream.
struct HostStream {
    file: File,
}

impl FileOps for HostStream {
    fn describe(&self) -> String {
        "pipe:[host]".into()
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(std_meta_stat(&self.file.metadata().map_err(ioerr)?))
    }
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        use std::io::Read;
        (&self.file).read(buf).map_err(ioerr)
    }
    fn write(&self, data: &[u8], _nonblock: bool) -> KResult<usize> {
        use std::io::Write;
        (&self.file).write(data).map_err(ioerr)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
