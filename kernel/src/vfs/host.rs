//! Host directory mounts through cap-std. A node is a path relative to the mount's directory
//! handle, built by the VFS walk from real directories only (symlinks are read and re-walked
//! in the sandbox's namespace, never followed by the host). Every host call goes through the
//! mount's `cap_std::fs::Dir` (or a directory opened through it plus a single name), so even
//! if the guest races a directory into a symlink, the host resolves inside the mounted
//! directory and nothing outside it is reachable.

use std::any::Any;
use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
use cap_std::ambient_authority;
use cap_std::fs::{
    Dir, DirBuilder, DirBuilderExt, MetadataExt, OpenOptions, OpenOptionsExt, Permissions,
    PermissionsExt,
};

use super::node::*;
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, O_ACCMODE, O_NONBLOCK, O_RDWR, O_WRONLY};
use crate::mm::MmapSource;

fn ioerr(e: io::Error) -> Errno {
    Errno::from_io(&e)
}

/// A mounted host directory.
pub struct HostFs {
    root: Dir,
    read_only: bool,
}

/// Opens `host_path` (with the host's ambient authority, once) and returns the mount's root.
pub fn mount_host_dir(host_path: &Path, read_only: bool) -> io::Result<NodeRef> {
    let root = Dir::open_ambient_dir(host_path, ambient_authority())?;
    let meta = root.dir_metadata()?;
    let fs = Arc::new(HostFs { root, read_only });
    Ok(Arc::new(HostNode {
        fs,
        rel: PathBuf::new(),
        mode: meta.mode(),
        cached: stat_of(&meta),
    }))
}

/// A node of a host mount: a symlink-free path below the mount's directory.
pub struct HostNode {
    fs: Arc<HostFs>,
    rel: PathBuf,
    /// Type and permissions seen at lookup (the walk's decisions use it; `stat` is fresh).
    mode: u32,
    /// Everything seen at lookup.
    cached: Stat,
}

/// Converts host metadata to the kernel's form (values as the host reports them).
fn stat_of(m: &cap_std::fs::Metadata) -> Stat {
    let btime = m
        .created()
        .ok()
        .and_then(|t| t.into_std().duration_since(std::time::UNIX_EPOCH).ok());
    Stat {
        dev: m.dev(),
        ino: m.ino(),
        mode: m.mode(),
        nlink: m.nlink(),
        uid: m.uid(),
        gid: m.gid(),
        rdev: m.rdev(),
        size: m.size(),
        blksize: m.blksize().min(u32::MAX as u64) as u32,
        blocks: m.blocks(),
        atime: Timespec {
            sec: m.atime(),
            nsec: m.atime_nsec().clamp(0, 999_999_999) as u32,
        },
        mtime: Timespec {
            sec: m.mtime(),
            nsec: m.mtime_nsec().clamp(0, 999_999_999) as u32,
        },
        ctime: Timespec {
            sec: m.ctime(),
            nsec: m.ctime_nsec().clamp(0, 999_999_999) as u32,
        },
        btime: btime.map(|d| Timespec {
            sec: d.as_secs() as i64,
            nsec: d.subsec_nanos(),
        }),
    }
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

impl HostNode {
    /// The path to hand cap-std (`.` for the mount root).
    fn path(&self) -> &Path {
        if self.rel.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.rel
        }
    }

    fn child(&self, name: &[u8]) -> PathBuf {
        self.rel.join(OsStr::from_bytes(name))
    }

    fn writable(&self) -> KResult<()> {
        if self.fs.read_only {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// This directory opened through the mount handle (for `*at` calls on one name).
    fn open_self_dir(&self) -> KResult<Dir> {
        if self.rel.as_os_str().is_empty() {
            self.fs.root.try_clone().map_err(ioerr)
        } else {
            self.fs.root.open_dir(&self.rel).map_err(ioerr)
        }
    }

    /// The parent directory handle and own name, for `*at` calls (`None` for the root).
    fn parent_and_name(&self) -> KResult<Option<(Dir, &OsStr)>> {
        let Some(name) = self.rel.file_name() else {
            return Ok(None);
        };
        let parent = self.rel.parent().unwrap_or(Path::new(""));
        let dir = if parent.as_os_str().is_empty() {
            self.fs.root.try_clone().map_err(ioerr)?
        } else {
            self.fs.root.open_dir(parent).map_err(ioerr)?
        };
        Ok(Some((dir, name)))
    }

    fn open_file(&self, flags: u32) -> KResult<File> {
        let mut o = OpenOptions::new();
        let acc = flags & O_ACCMODE;
        o.read(acc != O_WRONLY);
        o.write(acc == O_WRONLY || acc == O_RDWR);
        o.follow(FollowSymlinks::No);
        if flags & O_NONBLOCK != 0 {
            o.custom_flags(libc::O_NONBLOCK);
        }
        Ok(self
            .fs
            .root
            .open_with(self.path(), &o)
            .map_err(ioerr)?
            .into_std())
    }
}

fn host(node: &dyn Node) -> KResult<&HostNode> {
    node.as_any().downcast_ref::<HostNode>().ok_or(Errno::EXDEV)
}

impl Node for HostNode {
    fn stat(&self) -> KResult<Stat> {
        let m = self.fs.root.symlink_metadata(self.path()).map_err(ioerr)?;
        Ok(stat_of(&m))
    }

    fn meta(&self) -> KResult<Stat> {
        Ok(self.cached)
    }

    fn lookup(&self, _cx: &Cx, name: &[u8]) -> KResult<NodeRef> {
        if self.mode & S_IFMT != S_IFDIR {
            return Err(Errno::ENOTDIR);
        }
        let rel = self.child(name);
        let m = self.fs.root.symlink_metadata(&rel).map_err(ioerr)?;
        Ok(Arc::new(HostNode {
            fs: self.fs.clone(),
            rel,
            mode: m.mode(),
            cached: stat_of(&m),
        }))
    }

    fn parent(&self) -> Option<NodeRef> {
        let parent = self.rel.parent()?.to_path_buf();
        let probe = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &parent
        };
        let cached = match self.fs.root.symlink_metadata(probe) {
            Ok(m) => stat_of(&m),
            Err(_) => Stat {
                mode: S_IFDIR | 0o755,
                nlink: 2,
                ..Stat::default()
            },
        };
        Some(Arc::new(HostNode {
            fs: self.fs.clone(),
            rel: parent,
            mode: cached.mode,
            cached,
        }))
    }

    fn readlink(&self, _cx: &Cx) -> KResult<Vec<u8>> {
        if self.mode & S_IFMT != S_IFLNK {
            return Err(Errno::EINVAL);
        }
        let t = self
            .fs
            .root
            .read_link_contents(self.path())
            .map_err(ioerr)?;
        Ok(t.as_os_str().as_bytes().to_vec())
    }

    fn readdir(&self, _cx: &Cx) -> KResult<Vec<DirEntry>> {
        use cap_std::fs::FileTypeExt;
        use std::os::unix::fs::DirEntryExt;
        let mut out = Vec::new();
        for e in self.fs.root.read_dir(self.path()).map_err(ioerr)? {
            let e = e.map_err(ioerr)?;
            let name = e.file_name();
            let ft = e.file_type().map_err(ioerr)?;
            let kind = if ft.is_dir() {
                FileKind::Directory
            } else if ft.is_symlink() {
                FileKind::Symlink
            } else if ft.is_fifo() {
                FileKind::Fifo
            } else if ft.is_char_device() {
                FileKind::CharDev
            } else if ft.is_block_device() {
                FileKind::BlockDev
            } else if ft.is_socket() {
                FileKind::Socket
            } else {
                FileKind::Regular
            };
            out.push(DirEntry {
                ino: e.ino(),
                kind,
                name: name.as_bytes().to_vec(),
            });
        }
        Ok(out)
    }

    fn open(&self, _cx: &Cx, flags: u32) -> KResult<Arc<dyn FileOps>> {
        match self.mode & S_IFMT {
            S_IFREG => {
                let file = self.open_file(flags)?;
                Ok(Arc::new(HostFile {
                    file: Arc::new(file),
                    name: self.rel.clone(),
                }))
            }
            S_IFIFO => Ok(Arc::new(HostStream {
                file: self.open_file(flags)?,
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
        let rel = self.child(name);
        let root = &self.fs.root;
        match &what {
            NewNode::Regular => {
                let mut o = OpenOptions::new();
                o.write(true).create_new(true).mode(attr.mode);
                o.follow(FollowSymlinks::No);
                let f = root.open_with(&rel, &o).map_err(ioerr)?;
                // The host's own umask may have cleared bits the guest asked for.
                if f.metadata().map(|m| m.mode() & 0o7777).ok() != Some(attr.mode & 0o7777) {
                    let _ = f.set_permissions(Permissions::from_mode(attr.mode & 0o7777));
                }
            }
            NewNode::Directory => {
                let mut b = DirBuilder::new();
                b.mode(attr.mode);
                root.create_dir_with(&rel, &b).map_err(ioerr)?;
                if root.symlink_metadata(&rel).map(|m| m.mode() & 0o7777).ok()
                    != Some(attr.mode & 0o7777)
                {
                    let _ = root.set_permissions(&rel, Permissions::from_mode(attr.mode & 0o7777));
                }
            }
            NewNode::Symlink(target) => {
                root.symlink_contents(OsStr::from_bytes(target), &rel)
                    .map_err(ioerr)?;
            }
            NewNode::Fifo | NewNode::Socket => {
                let kind = if what == NewNode::Fifo {
                    rustix::fs::FileType::Fifo
                } else {
                    rustix::fs::FileType::Socket
                };
                let dir = self.open_self_dir()?;
                rustix::fs::mknodat(
                    &dir,
                    OsStr::from_bytes(name),
                    kind,
                    rustix::fs::Mode::from_bits_truncate(attr.mode & 0o7777),
                    0,
                )
                .map_err(|e| ioerr(e.into()))?;
            }
        }
        let m = root.symlink_metadata(&rel).map_err(ioerr)?;
        Ok(Arc::new(HostNode {
            fs: self.fs.clone(),
            rel,
            mode: m.mode(),
            cached: stat_of(&m),
        }))
    }

    fn unlink(&self, name: &[u8], dir: bool) -> KResult<()> {
        self.writable()?;
        let rel = self.child(name);
        let r = if dir {
            self.fs.root.remove_dir(&rel)
        } else {
            self.fs.root.remove_file(&rel)
        };
        r.map_err(ioerr)
    }

    fn rename(&self, old: &[u8], new_dir: &dyn Node, new: &[u8], flags: u32) -> KResult<()> {
        self.writable()?;
        let nd = host(new_dir)?;
        if !Arc::ptr_eq(&nd.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        if flags == 0 {
            return self
                .fs
                .root
                .rename(self.child(old), &self.fs.root, nd.child(new))
                .map_err(ioerr);
        }
        let (a, b) = (self.open_self_dir()?, nd.open_self_dir()?);
        let mut f = rustix::fs::RenameFlags::empty();
        if flags & RENAME_NOREPLACE != 0 {
            f |= rustix::fs::RenameFlags::NOREPLACE;
        }
        if flags & RENAME_EXCHANGE != 0 {
            f |= rustix::fs::RenameFlags::EXCHANGE;
        }
        rustix::fs::renameat_with(&a, OsStr::from_bytes(old), &b, OsStr::from_bytes(new), f)
            .map_err(|e| ioerr(e.into()))
    }

    fn link(&self, target: &dyn Node, name: &[u8]) -> KResult<()> {
        self.writable()?;
        let t = host(target)?;
        if !Arc::ptr_eq(&t.fs, &self.fs) {
            return Err(Errno::EXDEV);
        }
        self.fs
            .root
            .hard_link(t.path(), &self.fs.root, self.child(name))
            .map_err(ioerr)
    }

    fn setattr(&self, attr: &SetAttr) -> KResult<()> {
        self.writable()?;
        let root = &self.fs.root;
        if let Some(size) = attr.size {
            let f = self.open_file(O_WRONLY)?;
            f.set_len(size).map_err(ioerr)?;
        }
        if attr.uid.is_some() || attr.gid.is_some() {
            let uid = attr.uid.map(rustix::fs::Uid::from_raw);
            let gid = attr.gid.map(rustix::fs::Gid::from_raw);
            match self.parent_and_name()? {
                Some((dir, name)) => {
                    rustix::fs::chownat(&dir, name, uid, gid, rustix::fs::AtFlags::SYMLINK_NOFOLLOW)
                }
                None => rustix::fs::fchown(root, uid, gid),
            }
            .map_err(|e| ioerr(e.into()))?;
        }
        if let Some(mode) = attr.mode {
            if self.mode & S_IFMT == S_IFLNK {
                return Err(Errno::EOPNOTSUPP);
            }
            root.set_permissions(self.path(), Permissions::from_mode(mode & 0o7777))
                .map_err(ioerr)?;
        }
        if attr.atime.is_some() || attr.mtime.is_some() {
            let times = timestamps(attr.atime, attr.mtime);
            let nofollow = rustix::fs::AtFlags::SYMLINK_NOFOLLOW;
            match self.parent_and_name()? {
                Some((dir, name)) => rustix::fs::utimensat(&dir, name, &times, nofollow),
                None => rustix::fs::futimens(root, &times),
            }
            .map_err(|e| ioerr(e.into()))?;
        }
        Ok(())
    }

    fn statfs(&self) -> KResult<StatFs> {
        host_statfs(&self.fs.root)
    }

    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<HostNode>()
            .is_some_and(|o| Arc::ptr_eq(&o.fs, &self.fs) && o.rel == self.rel)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(target_os = "linux")]
#[allow(clippy::unnecessary_cast)] // field types differ between libc targets
fn host_statfs(dir: &Dir) -> KResult<StatFs> {
    let s = rustix::fs::fstatfs(dir).map_err(|e| ioerr(e.into()))?;
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

#[cfg(not(target_os = "linux"))]
#[allow(clippy::unnecessary_cast)] // field types differ between libc targets
fn host_statfs(dir: &Dir) -> KResult<StatFs> {
    let s = rustix::fs::fstatvfs(dir).map_err(|e| ioerr(e.into()))?;
    Ok(StatFs {
        // EXT4_SUPER_MAGIC: what a Linux program expects of a disk filesystem.
        fs_type: 0xef53,
        bsize: s.f_frsize as u64,
        blocks: s.f_blocks as u64,
        bfree: s.f_bfree as u64,
        bavail: s.f_bavail as u64,
        files: s.f_files as u64,
        ffree: s.f_ffree as u64,
        namelen: s.f_namemax as u64,
    })
}

/// An open regular file of a host mount.
struct HostFile {
    file: Arc<File>,
    name: PathBuf,
}

impl FileOps for HostFile {
    fn describe(&self) -> String {
        self.name.display().to_string()
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(std_meta_stat(&self.file.metadata().map_err(ioerr)?))
    }
    fn seekable(&self) -> bool {
        true
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        self.file.read_at(buf, off).map_err(ioerr)
    }
    fn write_at(&self, off: u64, data: &[u8]) -> KResult<usize> {
        self.file.write_at(data, off).map_err(ioerr)
    }
    fn truncate(&self, len: u64) -> KResult<()> {
        self.file.set_len(len).map_err(ioerr)
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
        Some(set_file_attr(&self.file, attr))
    }
    #[cfg(target_os = "linux")]
    fn allocate(&self, mode: u32, off: u64, len: u64) -> KResult<()> {
        let flags = rustix::fs::FallocateFlags::from_bits_retain(mode);
        rustix::fs::fallocate(&*self.file, flags, off, len).map_err(|e| ioerr(e.into()))
    }
    fn mmap_source(&self) -> KResult<Arc<dyn MmapSource>> {
        Ok(Arc::new(HostMmap {
            file: self.file.clone(),
            name: self.describe(),
        }))
    }
    fn sync(&self) -> KResult<()> {
        self.file.sync_all().map_err(ioerr)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Applies attribute changes through an open host file.
fn set_file_attr(file: &File, attr: &SetAttr) -> KResult<()> {
    use std::os::unix::fs::PermissionsExt as _;
    if let Some(size) = attr.size {
        file.set_len(size).map_err(ioerr)?;
    }
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

/// The page source of a mapped host file.
struct HostMmap {
    file: Arc<File>,
    name: String,
}

impl MmapSource for HostMmap {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> KResult<usize> {
        self.file.read_at(buf, offset).map_err(ioerr)
    }
    fn describe(&self) -> String {
        self.name.clone()
    }
    fn write_back(&self, offset: u64, data: &[u8]) -> KResult<()> {
        let len = self.file.metadata().map_err(ioerr)?.len();
        let n = len.saturating_sub(offset).min(data.len() as u64) as usize;
        if n > 0 {
            self.file.write_all_at(&data[..n], offset).map_err(ioerr)?;
        }
        Ok(())
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
