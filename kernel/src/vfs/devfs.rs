//! `/dev`: null, zero, full, random, urandom, tty, the stdin/stdout/stderr/fd links into
//! `/proc/self/fd`, and empty `pts`/`shm` directories (the host mounts a tmpfs on `shm`).

use std::any::Any;
use std::sync::{Arc, OnceLock};

use super::node::*;
use crate::errno::{Errno, KResult};
use crate::fd::FileOps;
use crate::mm::MmapSource;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dev {
    Null,
    Zero,
    Full,
    Random,
    Urandom,
    Tty,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Entry {
    Root,
    Device(Dev),
    Link(&'static str),
    EmptyDir(&'static str),
    /// `/dev/pts`: holds `0`, the sandbox's terminal, when sbx runs on one.
    Pts,
    /// `/dev/pts/0`.
    Pts0,
}

const ENTRIES: &[(&str, Entry)] = &[
    ("fd", Entry::Link("/proc/self/fd")),
    ("full", Entry::Device(Dev::Full)),
    ("null", Entry::Device(Dev::Null)),
    ("pts", Entry::Pts),
    ("random", Entry::Device(Dev::Random)),
    ("shm", Entry::EmptyDir("shm")),
    ("stderr", Entry::Link("/proc/self/fd/2")),
    ("stdin", Entry::Link("/proc/self/fd/0")),
    ("stdout", Entry::Link("/proc/self/fd/1")),
    ("tty", Entry::Device(Dev::Tty)),
    ("urandom", Entry::Device(Dev::Urandom)),
    ("zero", Entry::Device(Dev::Zero)),
];

/// The device directory's filesystem device number.
const DEVFS_DEV: u64 = 5;

fn boot_time() -> Timespec {
    static T: OnceLock<Timespec> = OnceLock::new();
    *T.get_or_init(Timespec::now)
}

/// A `/dev` node.
struct DevNode(Entry);

/// Creates the device directory.
pub fn new_devfs() -> NodeRef {
    Arc::new(DevNode(Entry::Root))
}

impl Dev {
    fn rdev(self) -> u64 {
        match self {
            Dev::Null => makedev(1, 3),
            Dev::Zero => makedev(1, 5),
            Dev::Full => makedev(1, 7),
            Dev::Random => makedev(1, 8),
            Dev::Urandom => makedev(1, 9),
            Dev::Tty => makedev(5, 0),
        }
    }
}

impl DevNode {
    fn ino(&self) -> u64 {
        match self.0 {
            Entry::Root => 1,
            e => 2 + ENTRIES.iter().position(|(_, x)| *x == e).unwrap_or(0) as u64,
        }
    }
}

impl Node for DevNode {
    fn stat(&self) -> KResult<Stat> {
        let t = boot_time();
        let (mode, rdev, size, nlink) = match self.0 {
            Entry::Pts0 => return Ok(crate::tty::terminal_stat()),
            Entry::Root => (S_IFDIR | 0o755, 0, 0, 4),
            Entry::EmptyDir(_) | Entry::Pts => (S_IFDIR | 0o755, 0, 0, 2),
            Entry::Device(d) => (S_IFCHR | 0o666, d.rdev(), 0, 1),
            Entry::Link(t) => (S_IFLNK | 0o777, 0, t.len() as u64, 1),
        };
        Ok(Stat {
            dev: DEVFS_DEV,
            ino: self.ino(),
            mode,
            nlink,
            rdev,
            size,
            blksize: 4096,
            atime: t,
            mtime: t,
            ctime: t,
            ..Stat::default()
        })
    }

    fn lookup(&self, _cx: &Cx, name: &[u8]) -> KResult<NodeRef> {
        match self.0 {
            Entry::Root => ENTRIES
                .iter()
                .find(|(n, _)| n.as_bytes() == name)
                .map(|(_, e)| Arc::new(DevNode(*e)) as NodeRef)
                .ok_or(Errno::ENOENT),
            Entry::Pts if name == b"0" && crate::tty::has_terminal() => {
                Ok(Arc::new(DevNode(Entry::Pts0)))
            }
            Entry::EmptyDir(_) | Entry::Pts => Err(Errno::ENOENT),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn parent(&self) -> Option<NodeRef> {
        match self.0 {
            Entry::Root => None,
            Entry::Pts0 => Some(Arc::new(DevNode(Entry::Pts))),
            _ => Some(Arc::new(DevNode(Entry::Root))),
        }
    }

    fn readlink(&self, _cx: &Cx) -> KResult<Vec<u8>> {
        match self.0 {
            Entry::Link(t) => Ok(t.as_bytes().to_vec()),
            _ => Err(Errno::EINVAL),
        }
    }

    fn readdir(&self, _cx: &Cx) -> KResult<Vec<DirEntry>> {
        match self.0 {
            Entry::Root => Ok(ENTRIES
                .iter()
                .map(|(n, e)| {
                    let node = DevNode(*e);
                    let kind = match e {
                        Entry::Device(_) => FileKind::CharDev,
                        Entry::Link(_) => FileKind::Symlink,
                        _ => FileKind::Directory,
                    };
                    DirEntry {
                        ino: node.ino(),
                        kind,
                        name: n.as_bytes().to_vec(),
                    }
                })
                .collect()),
            Entry::EmptyDir(_) => Ok(Vec::new()),
            Entry::Pts if crate::tty::has_terminal() => Ok(vec![DirEntry {
                ino: crate::tty::terminal_stat().ino,
                kind: FileKind::CharDev,
                name: b"0".to_vec(),
            }]),
            Entry::Pts => Ok(Vec::new()),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn open(&self, _cx: &Cx, _flags: u32) -> KResult<Arc<dyn FileOps>> {
        match self.0 {
            Entry::Device(Dev::Tty) | Entry::Pts0 => crate::tty::open_controlling_tty(self.stat()?),
            Entry::Device(d) => Ok(Arc::new(DevFile {
                dev: d,
                stat: self.stat()?,
            })),
            Entry::Link(_) => Err(Errno::ELOOP),
            _ => Err(Errno::EISDIR),
        }
    }

    fn setattr(&self, _attr: &SetAttr) -> KResult<()> {
        // Device nodes' attributes are fixed; Linux would allow root to change them, but
        // nothing here persists them, so say so.
        Err(Errno::EPERM)
    }

    fn statfs(&self) -> KResult<StatFs> {
        Ok(StatFs {
            fs_type: TMPFS_MAGIC,
            bsize: 4096,
            namelen: 255,
            ..StatFs::default()
        })
    }

    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<DevNode>()
            .is_some_and(|o| o.0 == self.0)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An open memory device.
struct DevFile {
    dev: Dev,
    stat: Stat,
}

fn fill_random(buf: &mut [u8]) -> KResult<usize> {
    getrandom::fill(buf).map_err(|_| Errno::EIO)?;
    Ok(buf.len())
}

impl FileOps for DevFile {
    fn describe(&self) -> String {
        format!("{:?}", self.dev).to_lowercase()
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(self.stat)
    }
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        match self.dev {
            Dev::Null => Ok(0),
            Dev::Zero | Dev::Full => {
                buf.fill(0);
                Ok(buf.len())
            }
            Dev::Random | Dev::Urandom => fill_random(buf),
            Dev::Tty => Err(Errno::EIO),
        }
    }
    fn write(&self, data: &[u8], _nonblock: bool) -> KResult<usize> {
        match self.dev {
            Dev::Full => Err(Errno::ENOSPC),
            _ => Ok(data.len()),
        }
    }
    fn reads_complete(&self) -> bool {
        true
    }
    fn stream_seek(&self, _off: i64, _whence: u32) -> KResult<u64> {
        // The memory devices accept any seek and stay at position 0, as Linux's do.
        Ok(0)
    }
    fn readable_bytes(&self) -> KResult<u64> {
        Err(Errno::ENOTTY)
    }
    fn mmap_source(&self) -> KResult<Arc<dyn MmapSource>> {
        match self.dev {
            // A private mapping of /dev/zero is anonymous memory.
            Dev::Zero => Ok(Arc::new(ZeroSource)),
            _ => Err(Errno::ENODEV),
        }
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Zero pages for mappings of `/dev/zero`.
struct ZeroSource;

impl MmapSource for ZeroSource {
    fn read_at(&self, _offset: u64, buf: &mut [u8]) -> KResult<usize> {
        buf.fill(0);
        Ok(buf.len())
    }
    fn describe(&self) -> String {
        "/dev/zero".into()
    }
}
