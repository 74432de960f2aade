//! A minimal `/proc` that shows the sandbox, not the host: `self`, the caller's own
//! `/proc/<pid>` with `exe` and `fd/N` (magic links to the open files), `meminfo`,
//! `cpuinfo`, `uptime`, `version`, `filesystems`.

use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::node::*;
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile};
use crate::task::Task;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum P {
    Root,
    SelfLink,
    Pid(i32),
    Exe(i32),
    FdDir(i32),
    Fd(i32, i32),
    File(&'static str),
}

const FILES: &[&str] = &[
    "cpuinfo",
    "filesystems",
    "meminfo",
    "mounts",
    "uptime",
    "version",
];

fn started() -> (Instant, Timespec) {
    static T: OnceLock<(Instant, Timespec)> = OnceLock::new();
    *T.get_or_init(|| (Instant::now(), Timespec::now()))
}

/// A `/proc` node.
struct ProcNode(P);

/// Creates the `/proc` root.
pub fn new_procfs() -> NodeRef {
    Arc::new(ProcNode(P::Root))
}

fn node(p: P) -> NodeRef {
    Arc::new(ProcNode(p))
}

fn parse_num(name: &[u8]) -> Option<i32> {
    if name.is_empty()
        || name.len() > 10
        || !name.iter().all(u8::is_ascii_digit)
        || (name[0] == b'0' && name.len() > 1)
    {
        return None;
    }
    std::str::from_utf8(name).ok()?.parse().ok()
}

impl ProcNode {
    fn ino(&self) -> u64 {
        match self.0 {
            P::Root => 1,
            P::SelfLink => 2,
            P::File(n) => 3 + FILES.iter().position(|f| *f == n).unwrap_or(0) as u64,
            P::Pid(p) => (p as u64) << 16,
            P::Exe(p) => ((p as u64) << 16) | 1,
            P::FdDir(p) => ((p as u64) << 16) | 2,
            P::Fd(p, fd) => ((p as u64) << 32) | (1 << 31) | fd as u64,
        }
    }
}

impl Node for ProcNode {
    fn stat(&self) -> KResult<Stat> {
        let t = started().1;
        let (mode, nlink) = match self.0 {
            P::Root | P::Pid(_) => (S_IFDIR | 0o555, 3),
            P::FdDir(_) => (S_IFDIR | 0o500, 2),
            P::SelfLink => (S_IFLNK | 0o777, 1),
            P::Exe(_) | P::Fd(..) => (S_IFLNK | 0o777, 1),
            P::File(_) => (S_IFREG | 0o444, 1),
        };
        Ok(Stat {
            dev: makedev(0, 4),
            ino: self.ino(),
            mode,
            nlink,
            blksize: 1024,
            atime: t,
            mtime: t,
            ctime: t,
            ..Stat::default()
        })
    }

    fn lookup(&self, cx: &Cx, name: &[u8]) -> KResult<NodeRef> {
        let me = cx.proc.map(|p| p.pid());
        match self.0 {
            P::Root => {
                if name == b"self" && me.is_some() {
                    return Ok(node(P::SelfLink));
                }
                if let Some(f) = FILES.iter().find(|f| f.as_bytes() == name) {
                    return Ok(node(P::File(f)));
                }
                match parse_num(name) {
                    // Only the caller's own process is visible (no process registry yet).
                    Some(pid) if Some(pid) == me => Ok(node(P::Pid(pid))),
                    _ => Err(Errno::ENOENT),
                }
            }
            P::Pid(pid) => match name {
                b"exe" => Ok(node(P::Exe(pid))),
                b"fd" => Ok(node(P::FdDir(pid))),
                _ => Err(Errno::ENOENT),
            },
            P::FdDir(pid) => {
                let p = cx.proc.filter(|p| p.pid() == pid).ok_or(Errno::ENOENT)?;
                let fd = parse_num(name).ok_or(Errno::ENOENT)?;
                p.fd_file(fd)
                    .map(|_| node(P::Fd(pid, fd)))
                    .ok_or(Errno::ENOENT)
            }
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn parent(&self) -> Option<NodeRef> {
        match self.0 {
            P::Root => None,
            P::SelfLink | P::File(_) | P::Pid(_) => Some(node(P::Root)),
            P::Exe(p) | P::FdDir(p) => Some(node(P::Pid(p))),
            P::Fd(p, _) => Some(node(P::FdDir(p))),
        }
    }

    fn readlink(&self, cx: &Cx) -> KResult<Vec<u8>> {
        match (self.0, cx.proc) {
            (P::SelfLink, Some(p)) => Ok(p.pid().to_string().into_bytes()),
            (P::Exe(_), Some(p)) => Ok(p.exe()),
            (P::Fd(_, fd), Some(p)) => p.fd_file(fd).map(|f| f.describe()).ok_or(Errno::ENOENT),
            (P::SelfLink | P::Exe(_) | P::Fd(..), None) => Err(Errno::ENOENT),
            _ => Err(Errno::EINVAL),
        }
    }

    fn magic(&self, cx: &Cx) -> Option<MagicTarget> {
        let p = cx.proc?;
        match self.0 {
            P::Exe(_) => Some(MagicTarget::Path(p.exe())),
            P::Fd(_, fd) => p.fd_file(fd).map(MagicTarget::File),
            _ => None,
        }
    }

    fn readdir(&self, cx: &Cx) -> KResult<Vec<DirEntry>> {
        let e = |p: P, kind: FileKind, name: String| DirEntry {
            ino: ProcNode(p).ino(),
            kind,
            name: name.into_bytes(),
        };
        match self.0 {
            P::Root => {
                let mut out: Vec<DirEntry> = FILES
                    .iter()
                    .map(|f| e(P::File(f), FileKind::Regular, f.to_string()))
                    .collect();
                if let Some(p) = cx.proc {
                    out.push(e(P::SelfLink, FileKind::Symlink, "self".into()));
                    out.push(e(P::Pid(p.pid()), FileKind::Directory, p.pid().to_string()));
                }
                Ok(out)
            }
            P::Pid(pid) => Ok(vec![
                e(P::Exe(pid), FileKind::Symlink, "exe".into()),
                e(P::FdDir(pid), FileKind::Directory, "fd".into()),
            ]),
            P::FdDir(pid) => Ok(match cx.proc.filter(|p| p.pid() == pid) {
                Some(p) => p
                    .fd_list()
                    .into_iter()
                    .map(|fd| e(P::Fd(pid, fd), FileKind::Symlink, fd.to_string()))
                    .collect(),
                None => Vec::new(),
            }),
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn open(&self, cx: &Cx, flags: u32) -> KResult<Arc<dyn FileOps>> {
        let P::File(name) = self.0 else {
            return Err(Errno::EISDIR);
        };
        if flags & crate::fd::O_ACCMODE != crate::fd::O_RDONLY {
            return Err(Errno::EACCES);
        }
        let text = if name == "mounts" {
            mounts_text(cx)
        } else {
            generate(name)
        };
        Ok(Arc::new(ProcFile {
            text,
            ino: self.ino(),
        }))
    }

    fn statfs(&self) -> KResult<StatFs> {
        Ok(StatFs {
            fs_type: PROC_SUPER_MAGIC,
            bsize: 4096,
            namelen: 255,
            ..StatFs::default()
        })
    }

    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<ProcNode>()
            .is_some_and(|o| o.0 == self.0)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `/proc/mounts`: one line per mount, in the kernel's format.
fn mounts_text(cx: &Cx) -> Vec<u8> {
    let mut out = Vec::new();
    for (path, fs, ro) in cx.proc.map(|p| p.mounts()).unwrap_or_default() {
        let dev: &[u8] = if fs == "hostfs" {
            b"sbx"
        } else {
            fs.as_bytes()
        };
        out.extend_from_slice(dev);
        out.push(b' ');
        // Spaces and tabs are octal-escaped, as the kernel does.
        for &b in &path {
            match b {
                b' ' | b'\t' | b'\n' | b'\\' => {
                    out.extend_from_slice(format!("\\{b:03o}").as_bytes())
                }
                _ => out.push(b),
            }
        }
        out.extend_from_slice(format!(" {fs} {} 0 0\n", if ro { "ro" } else { "rw" }).as_bytes());
    }
    out
}

fn generate(name: &str) -> Vec<u8> {
    match name {
        "meminfo" => {
            // The sandbox has no memory accounting exported here yet; show a fixed 1 GiB box
            // rather than the host's memory.
            let total_kb = 1u64 << 20;
            let free_kb = total_kb / 2;
            format!(
                "MemTotal:       {total_kb:8} kB\nMemFree:        {free_kb:8} kB\nMemAvailable:   {free_kb:8} kB\n\
                 Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n\
                 SwapTotal:             0 kB\nSwapFree:              0 kB\nShmem:                 0 kB\n"
            )
            .into_bytes()
        }
        "cpuinfo" => {
            let n = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1);
            let mut s = String::new();
            for i in 0..n {
                s.push_str(&format!(
                    "processor\t: {i}\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 0\n\
                     model name\t: sbx virtual CPU\nphysical id\t: 0\ncore id\t\t: {i}\ncpu cores\t: {n}\n\
                     flags\t\t: fpu tsc cx8 cmov mmx fxsr sse sse2 syscall nx lm\n\n"
                ));
            }
            s.into_bytes()
        }
        "uptime" => {
            let up = started().0.elapsed().as_secs_f64();
            format!("{up:.2} {up:.2}\n").into_bytes()
        }
        "version" => b"Linux version 6.1.0-sbx (sbx) #1 SMP PREEMPT_DYNAMIC\n".to_vec(),
        "filesystems" => {
            b"nodev\tsysfs\nnodev\ttmpfs\nnodev\tproc\nnodev\tdevtmpfs\n\thostfs\n".to_vec()
        }
        _ => Vec::new(),
    }
}

/// A generated `/proc` file: text fixed at open.
struct ProcFile {
    text: Vec<u8>,
    ino: u64,
}

impl FileOps for ProcFile {
    fn describe(&self) -> String {
        "proc".into()
    }
    fn stat(&self) -> KResult<Stat> {
        let t = started().1;
        Ok(Stat {
            dev: makedev(0, 4),
            ino: self.ino,
            mode: S_IFREG | 0o444,
            nlink: 1,
            blksize: 1024,
            atime: t,
            mtime: t,
            ctime: t,
            ..Stat::default()
        })
    }
    fn seekable(&self) -> bool {
        true
    }
    fn read_at(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        let Ok(off) = usize::try_from(off) else {
            return Ok(0);
        };
        let Some(rest) = self.text.get(off..) else {
            return Ok(0);
        };
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        Ok(n)
    }
    fn write_at(&self, _off: u64, _data: &[u8]) -> KResult<usize> {
        Err(Errno::EBADF)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A task is the `/proc/self` view of its own process.
impl ProcView for Task {
    fn pid(&self) -> i32 {
        self.process.pid
    }
    fn fd_file(&self, fd: i32) -> Option<Arc<OpenFile>> {
        self.files().get(fd).ok()
    }
    fn fd_list(&self) -> Vec<i32> {
        self.files().fds()
    }
    fn exe(&self) -> Vec<u8> {
        self.process.state().exe.clone()
    }
    fn mounts(&self) -> Vec<(Vec<u8>, &'static str, bool)> {
        self.kernel
            .vfs
            .mounts()
            .iter()
            .map(|m| (m.path().to_vec(), m.fs_name(), m.read_only()))
            .collect()
    }
}
