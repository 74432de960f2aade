//! A minimal `/proc` that shows the sandbox, not the host: `self`, the caller's own
//! `/proc/<pid>` (`exe`, `cwd`, `root`, `fd/N` magic links; `maps`, `status`, `stat`,
//! `cmdline`, `comm`, `mounts`), and `meminfo`, `cpuinfo`, `mounts`, `uptime`, `version`,
//! `filesystems`. Contents are generated at open, for the process that opens them.

use std::any::Any;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::node::*;
use super::Location;
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile};
use crate::mm::{Backing, VmaKind, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::task::Task;

/// Which magic link of `/proc/<pid>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Exe,
    Cwd,
    Root,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum P {
    Root,
    SelfLink,
    Pid(i32),
    Link(i32, Link),
    FdDir(i32),
    Fd(i32, i32),
    File(&'static str),
    PidFile(i32, &'static str),
}

const FILES: &[&str] = &[
    "cpuinfo",
    "filesystems",
    "meminfo",
    "mounts",
    "uptime",
    "version",
];
const PID_FILES: &[&str] = &["cmdline", "comm", "maps", "mounts", "stat", "status"];
const LINKS: &[(&str, Link)] = &[("cwd", Link::Cwd), ("exe", Link::Exe), ("root", Link::Root)];

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
        let pid = |p: i32| (p.max(0) as u64) << 16;
        match self.0 {
            P::Root => 1,
            P::SelfLink => 2,
            P::File(n) => 3 + FILES.iter().position(|f| *f == n).unwrap_or(0) as u64,
            P::Pid(p) => pid(p),
            P::Link(p, l) => {
                pid(p) | (1 + LINKS.iter().position(|(_, x)| *x == l).unwrap_or(0) as u64)
            }
            P::FdDir(p) => pid(p) | 8,
            P::PidFile(p, n) => {
                pid(p) | (16 + PID_FILES.iter().position(|f| *f == n).unwrap_or(0) as u64)
            }
            P::Fd(p, fd) => (pid(p) << 16) | (1 << 31) | fd.max(0) as u64,
        }
    }

    /// The caller's view, if this node belongs to the caller's own process.
    fn own<'a>(cx: &Cx<'a>, pid: i32) -> Option<&'a dyn ProcView> {
        cx.proc.filter(|p| p.pid() == pid)
    }
}

impl Node for ProcNode {
    fn stat(&self) -> KResult<Stat> {
        let t = started().1;
        let (mode, nlink) = match self.0 {
            P::Root | P::Pid(_) => (S_IFDIR | 0o555, 3),
            P::FdDir(_) => (S_IFDIR | 0o500, 2),
            P::SelfLink | P::Link(..) | P::Fd(..) => (S_IFLNK | 0o777, 1),
            P::File(_) | P::PidFile(..) => (S_IFREG | 0o444, 1),
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
            P::Pid(pid) => {
                if name == b"fd" {
                    return Ok(node(P::FdDir(pid)));
                }
                if let Some((_, l)) = LINKS.iter().find(|(n, _)| n.as_bytes() == name) {
                    return Ok(node(P::Link(pid, *l)));
                }
                PID_FILES
                    .iter()
                    .find(|f| f.as_bytes() == name)
                    .map(|f| node(P::PidFile(pid, f)))
                    .ok_or(Errno::ENOENT)
            }
            P::FdDir(pid) => {
                let p = Self::own(cx, pid).ok_or(Errno::ENOENT)?;
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
            P::Link(p, _) | P::FdDir(p) | P::PidFile(p, _) => Some(node(P::Pid(p))),
            P::Fd(p, _) => Some(node(P::FdDir(p))),
        }
    }

    fn readlink(&self, cx: &Cx) -> KResult<Vec<u8>> {
        match self.0 {
            P::SelfLink => cx
                .proc
                .map(|p| p.pid().to_string().into_bytes())
                .ok_or(Errno::ENOENT),
            P::Link(pid, l) => {
                let p = Self::own(cx, pid).ok_or(Errno::ENOENT)?;
                match l {
                    Link::Exe => Ok(p.exe()),
                    Link::Cwd => p.cwd().map(|l| l.proc_path()).ok_or(Errno::ENOENT),
                    Link::Root => p.root().map(|l| l.proc_path()).ok_or(Errno::ENOENT),
                }
            }
            P::Fd(pid, fd) => Self::own(cx, pid)
                .and_then(|p| p.fd_file(fd))
                .map(|f| f.describe())
                .ok_or(Errno::ENOENT),
            _ => Err(Errno::EINVAL),
        }
    }

    fn magic(&self, cx: &Cx) -> Option<MagicTarget> {
        match self.0 {
            P::Link(pid, l) => {
                let p = Self::own(cx, pid)?;
                match l {
                    Link::Exe => Some(MagicTarget::Path(p.exe())),
                    Link::Cwd => p.cwd().map(MagicTarget::Location),
                    Link::Root => p.root().map(MagicTarget::Location),
                }
            }
            P::Fd(pid, fd) => Self::own(cx, pid)?.fd_file(fd).map(MagicTarget::File),
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
            P::Pid(pid) => {
                let mut out = vec![e(P::FdDir(pid), FileKind::Directory, "fd".into())];
                out.extend(
                    LINKS
                        .iter()
                        .map(|(n, l)| e(P::Link(pid, *l), FileKind::Symlink, n.to_string())),
                );
                out.extend(
                    PID_FILES
                        .iter()
                        .map(|f| e(P::PidFile(pid, f), FileKind::Regular, f.to_string())),
                );
                Ok(out)
            }
            P::FdDir(pid) => Ok(match Self::own(cx, pid) {
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
        if flags & crate::fd::O_ACCMODE != crate::fd::O_RDONLY {
            return Err(Errno::EACCES);
        }
        let text = match self.0 {
            P::File("mounts") => cx.proc.map(|p| p.pid_file("mounts")).unwrap_or_default(),
            P::File(name) => generate(name),
            P::PidFile(pid, name) => Self::own(cx, pid).ok_or(Errno::ENOENT)?.pid_file(name),
            _ => return Err(Errno::EISDIR),
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
        ProcNode(P::Root).stat().map(|s| Stat {
            ino: self.ino,
            mode: S_IFREG | 0o444,
            nlink: 1,
            ..s
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

// ---- the task's view ----------------------------------------------------------------------

/// `/proc/mounts`: one line per mount, in the kernel's format.
fn mounts_text(task: &Task) -> Vec<u8> {
    let mut out = Vec::new();
    for m in task.kernel.vfs.mounts() {
        let fs = m.fs_name();
        out.extend_from_slice(if fs == "hostfs" {
            b"sbx"
        } else {
            fs.as_bytes()
        });
        out.push(b' ');
        // Spaces, tabs, newlines and backslashes are octal-escaped, as the kernel does.
        for &b in m.path() {
            match b {
                b' ' | b'\t' | b'\n' | b'\\' => {
                    out.extend_from_slice(format!("\\{b:03o}").as_bytes())
                }
                _ => out.push(b),
            }
        }
        out.extend_from_slice(
            format!(" {fs} {} 0 0\n", if m.read_only() { "ro" } else { "rw" }).as_bytes(),
        );
    }
    out
}

/// `/proc/self/maps`.
fn maps_text(task: &Task) -> Vec<u8> {
    let mm = task.mm();
    let mut out = Vec::new();
    for v in mm.vmas() {
        let bit = |b: u32, c: char| if v.prot & b != 0 { c } else { '-' };
        let (offset, name) = match &v.backing {
            Backing::File { source, offset } => (*offset, source.describe()),
            Backing::Anon => (
                0,
                match v.kind {
                    VmaKind::Heap => "[heap]".to_string(),
                    VmaKind::Stack => "[stack]".to_string(),
                    _ => String::new(),
                },
            ),
        };
        let mut line = format!(
            "{:08x}-{:08x} {}{}{}{} {:08x} 00:00 0",
            v.start,
            v.end,
            bit(PROT_READ, 'r'),
            bit(PROT_WRITE, 'w'),
            bit(PROT_EXEC, 'x'),
            if v.shared { 's' } else { 'p' },
            offset
        );
        if !name.is_empty() {
            while line.len() < 73 {
                line.push(' ');
            }
            line.push_str(&name);
        }
        line.push('\n');
        out.extend_from_slice(line.as_bytes());
    }
    out
}

fn comm_of(task: &Task) -> String {
    let st = task.process.state();
    let comm = if st.comm.is_empty() {
        st.exe.rsplit(|&b| b == b'/').next().unwrap_or(&[]).to_vec()
    } else {
        st.comm.clone()
    };
    String::from_utf8_lossy(&comm[..comm.len().min(15)]).into_owned()
}

/// Total mapped bytes, in kB.
fn vm_kb(task: &Task) -> u64 {
    task.mm().vmas().map(|v| v.end - v.start).sum::<u64>() / 1024
}

/// `/proc/self/status`.
fn status_text(task: &Task) -> Vec<u8> {
    let comm = comm_of(task);
    let vm = vm_kb(task);
    let umask = task.fs().umask;
    let (pid, ppid) = (task.process.pid, task.process.ppid());
    let st = task.process.state();
    let c = st.creds;
    let groups: Vec<String> = st.groups.iter().map(|g| g.to_string()).collect();
    let ignored: u64 = st
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.handler == crate::signal::SIG_IGN)
        .map(|(i, _)| 1u64 << i)
        .sum();
    let caught: u64 = st
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.handler != crate::signal::SIG_IGN && a.handler != crate::signal::SIG_DFL)
        .map(|(i, _)| 1u64 << i)
        .sum();
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "Name:\t{comm}\nUmask:\t{umask:04o}\nState:\tR (running)\nTgid:\t{pid}\nNgid:\t0\nPid:\t{pid}\nPPid:\t{ppid}\n\
         TracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t{}\n\
         VmPeak:\t{vm:8} kB\nVmSize:\t{vm:8} kB\nVmRSS:\t{vm:8} kB\nThreads:\t1\nSigQ:\t0/63432\n\
         SigPnd:\t{:016x}\nShdPnd:\t0000000000000000\nSigBlk:\t{:016x}\nSigIgn:\t{ignored:016x}\nSigCgt:\t{caught:016x}\n\
         NoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed_list:\t0-{}\n",
        c.uid,
        c.euid,
        c.suid,
        c.euid,
        c.gid,
        c.egid,
        c.sgid,
        c.egid,
        groups.join(" "),
        task.pending_set(),
        task.sigmask(),
        cpus.saturating_sub(1),
    )
    .into_bytes()
}

/// `/proc/self/stat` (the fields `ps` and friends read; the rest zero).
fn stat_text(task: &Task) -> Vec<u8> {
    let comm = comm_of(task);
    let vsize = vm_kb(task) * 1024;
    let (pid, ppid) = (task.process.pid, task.process.ppid());
    let (pgid, sid) = {
        let st = task.process.state();
        (st.pgid, st.sid)
    };
    let mut fields = vec![
        pid.to_string(),
        format!("({comm})"),
        "R".into(),
        ppid.to_string(),
        pgid.to_string(),
        sid.to_string(),
        "34816".into(), // tty_nr: /dev/pts/0
        "-1".into(),
    ];
    fields.resize(22, "0".into());
    fields[17] = "20".into(); // priority
    fields[19] = "1".into(); // num_threads
    fields.push(vsize.to_string());
    fields.push((vsize / 4096).to_string());
    fields.resize(52, "0".into());
    let mut s = fields.join(" ");
    s.push('\n');
    s.into_bytes()
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
    fn cwd(&self) -> Option<Location> {
        Some(self.fs().cwd.clone())
    }
    fn root(&self) -> Option<Location> {
        Some(self.fs().root.clone())
    }
    fn pid_file(&self, name: &str) -> Vec<u8> {
        match name {
            "mounts" => mounts_text(self),
            "maps" => maps_text(self),
            "status" => status_text(self),
            "stat" => stat_text(self),
            "comm" => format!("{}\n", comm_of(self)).into_bytes(),
            // argv is not kept by the kernel: show the program, as a one-word command line.
            "cmdline" => {
                let mut v = self.exe();
                v.push(0);
                v
            }
            _ => Vec::new(),
        }
    }
}
