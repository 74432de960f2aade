//! A minimal `/proc` that shows the sandbox, not the host: `self`, `thread-self`, the caller's
//! own `/proc/<pid>` (`exe`, `cwd`, `root`, `fd/N` magic links; `maps`, `status`, `stat`,
//! `cmdline`, `comm`, `mounts`; `task/<tid>` with the same entries for each thread), and
//! `meminfo`, `cpuinfo`, `mounts`, `uptime`, `version`, `filesystems`. Contents are generated
//! at open, for the process that opens them.
//!
//! The generators read task state under the process state lock, the address-space lock and
//! the descriptor/fs locks. None of those is reentrant: each generator takes one at a time
//! (the thread's pending set, the only nested one, after the process state), and never calls
//! a `Task` helper that takes a lock it already holds.

use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use super::node::*;
use super::FsContext;
use super::Location;
use crate::errno::{Errno, KResult};
use crate::fd::{FdTable, FileOps, OpenFile};
use crate::mm::{Backing, VmaKind, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::task::{Task, Thread};

/// Which magic link of `/proc/<pid>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Exe,
    Cwd,
    Root,
}

/// Whose directory a node belongs to: a process (`/proc/<pid>`, `tid` 0) or one of its
/// threads (`/proc/<pid>/task/<tid>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Who {
    pid: i32,
    tid: i32,
}

impl Who {
    fn process(pid: i32) -> Who {
        Who { pid, tid: 0 }
    }

    /// The inode base: thread ids are unique in the sandbox, so a thread directory needs
    /// only its tid (bit 62 keeps it apart from the process directory of the same number).
    fn ino_base(self) -> u64 {
        if self.tid == 0 {
            (self.pid.max(0) as u64) << 16
        } else {
            (1 << 62) | ((self.tid.max(0) as u64) << 16)
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum P {
    Root,
    SelfLink,
    ThreadSelf,
    /// `/proc/<pid>` or `/proc/<pid>/task/<tid>`.
    Pid(Who),
    /// `/proc/<pid>/task`.
    TaskDir(i32),
    Link(Who, Link),
    FdDir(Who),
    Fd(Who, i32),
    File(&'static str),
    PidFile(Who, &'static str),
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
        match self.0 {
            P::Root => 1,
            P::SelfLink => 2,
            P::File(n) => 3 + FILES.iter().position(|f| *f == n).unwrap_or(0) as u64,
            P::ThreadSelf => 12,
            P::Pid(w) => w.ino_base(),
            P::TaskDir(p) => Who::process(p).ino_base() | 9,
            P::Link(w, l) => {
                w.ino_base() | (1 + LINKS.iter().position(|(_, x)| *x == l).unwrap_or(0) as u64)
            }
            P::FdDir(w) => w.ino_base() | 8,
            P::PidFile(w, n) => {
                w.ino_base() | (16 + PID_FILES.iter().position(|f| *f == n).unwrap_or(0) as u64)
            }
            P::Fd(w, fd) => {
                let (thread, id) = if w.tid == 0 { (0, w.pid) } else { (1, w.tid) };
                (1 << 63) | (thread << 62) | ((id.max(0) as u64) << 32) | fd.max(0) as u64
            }
        }
    }

    /// The caller's view, if this node belongs to the caller's own process.
    fn own<'a>(cx: &Cx<'a>, pid: i32) -> Option<&'a dyn ProcView> {
        cx.proc.filter(|p| p.pid() == pid)
    }

    /// The caller's view, if `w` is the caller's process or one of its live threads.
    fn own_who<'a>(cx: &Cx<'a>, w: Who) -> Option<&'a dyn ProcView> {
        Self::own(cx, w.pid).filter(|p| w.tid == 0 || p.thread_ids().contains(&w.tid))
    }
}

impl Node for ProcNode {
    fn stat(&self) -> KResult<Stat> {
        let t = started().1;
        let (mode, nlink) = match self.0 {
            P::Root | P::Pid(_) | P::TaskDir(_) => (S_IFDIR | 0o555, 3),
            P::FdDir(_) => (S_IFDIR | 0o500, 2),
            P::SelfLink | P::ThreadSelf | P::Link(..) | P::Fd(..) => (S_IFLNK | 0o777, 1),
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
                if me.is_some() {
                    if name == b"self" {
                        return Ok(node(P::SelfLink));
                    }
                    if name == b"thread-self" {
                        return Ok(node(P::ThreadSelf));
                    }
                }
                if let Some(f) = FILES.iter().find(|f| f.as_bytes() == name) {
                    return Ok(node(P::File(f)));
                }
                match parse_num(name) {
                    // Only the caller's own process is visible (no process registry yet).
                    Some(pid) if Some(pid) == me => Ok(node(P::Pid(Who::process(pid)))),
                    _ => Err(Errno::ENOENT),
                }
            }
            P::Pid(w) => {
                Self::own_who(cx, w).ok_or(Errno::ENOENT)?;
                if name == b"fd" {
                    return Ok(node(P::FdDir(w)));
                }
                if name == b"task" && w.tid == 0 {
                    return Ok(node(P::TaskDir(w.pid)));
                }
                if let Some((_, l)) = LINKS.iter().find(|(n, _)| n.as_bytes() == name) {
                    return Ok(node(P::Link(w, *l)));
                }
                PID_FILES
                    .iter()
                    .find(|f| f.as_bytes() == name)
                    .map(|f| node(P::PidFile(w, f)))
                    .ok_or(Errno::ENOENT)
            }
            P::TaskDir(pid) => {
                let p = Self::own(cx, pid).ok_or(Errno::ENOENT)?;
                let tid = parse_num(name).ok_or(Errno::ENOENT)?;
                if !p.thread_ids().contains(&tid) {
                    return Err(Errno::ENOENT);
                }
                Ok(node(P::Pid(Who { pid, tid })))
            }
            P::FdDir(w) => {
                let p = Self::own_who(cx, w).ok_or(Errno::ENOENT)?;
                let fd = parse_num(name).ok_or(Errno::ENOENT)?;
                p.fd_file(w.tid, fd)
                    .map(|_| node(P::Fd(w, fd)))
                    .ok_or(Errno::ENOENT)
            }
            _ => Err(Errno::ENOTDIR),
        }
    }

    fn parent(&self) -> Option<NodeRef> {
        match self.0 {
            P::Root => None,
            P::SelfLink | P::ThreadSelf | P::File(_) => Some(node(P::Root)),
            P::Pid(w) if w.tid == 0 => Some(node(P::Root)),
            P::Pid(w) => Some(node(P::TaskDir(w.pid))),
            P::TaskDir(p) => Some(node(P::Pid(Who::process(p)))),
            P::Link(w, _) | P::FdDir(w) | P::PidFile(w, _) => Some(node(P::Pid(w))),
            P::Fd(w, _) => Some(node(P::FdDir(w))),
        }
    }

    fn readlink(&self, cx: &Cx) -> KResult<Vec<u8>> {
        match self.0 {
            P::SelfLink => cx
                .proc
                .map(|p| p.pid().to_string().into_bytes())
                .ok_or(Errno::ENOENT),
            P::ThreadSelf => cx
                .proc
                .map(|p| format!("{}/task/{}", p.pid(), p.tid()).into_bytes())
                .ok_or(Errno::ENOENT),
            P::Link(w, l) => {
                let p = Self::own_who(cx, w).ok_or(Errno::ENOENT)?;
                match l {
                    Link::Exe => Ok(p.exe()),
                    Link::Cwd => p.cwd(w.tid).map(|l| l.proc_path()).ok_or(Errno::ENOENT),
                    Link::Root => p.root(w.tid).map(|l| l.proc_path()).ok_or(Errno::ENOENT),
                }
            }
            P::Fd(w, fd) => Self::own_who(cx, w)
                .and_then(|p| p.fd_file(w.tid, fd))
                .map(|f| f.describe())
                .ok_or(Errno::ENOENT),
            _ => Err(Errno::EINVAL),
        }
    }

    fn magic(&self, cx: &Cx) -> Option<MagicTarget> {
        match self.0 {
            P::Link(w, l) => {
                let p = Self::own_who(cx, w)?;
                match l {
                    Link::Exe => Some(MagicTarget::Path(p.exe())),
                    Link::Cwd => p.cwd(w.tid).map(MagicTarget::Location),
                    Link::Root => p.root(w.tid).map(MagicTarget::Location),
                }
            }
            P::Fd(w, fd) => Self::own_who(cx, w)?
                .fd_file(w.tid, fd)
                .map(MagicTarget::File),
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
                    out.push(e(P::ThreadSelf, FileKind::Symlink, "thread-self".into()));
                    out.push(e(
                        P::Pid(Who::process(p.pid())),
                        FileKind::Directory,
                        p.pid().to_string(),
                    ));
                }
                Ok(out)
            }
            P::Pid(w) => {
                if Self::own_who(cx, w).is_none() {
                    return Err(Errno::ENOENT);
                }
                let mut out = vec![e(P::FdDir(w), FileKind::Directory, "fd".into())];
                if w.tid == 0 {
                    out.push(e(P::TaskDir(w.pid), FileKind::Directory, "task".into()));
                }
                out.extend(
                    LINKS
                        .iter()
                        .map(|(n, l)| e(P::Link(w, *l), FileKind::Symlink, n.to_string())),
                );
                out.extend(
                    PID_FILES
                        .iter()
                        .map(|f| e(P::PidFile(w, f), FileKind::Regular, f.to_string())),
                );
                Ok(out)
            }
            P::TaskDir(pid) => Ok(match Self::own(cx, pid) {
                Some(p) => p
                    .thread_ids()
                    .into_iter()
                    .map(|tid| {
                        e(
                            P::Pid(Who { pid, tid }),
                            FileKind::Directory,
                            tid.to_string(),
                        )
                    })
                    .collect(),
                None => Vec::new(),
            }),
            P::FdDir(w) => Ok(match Self::own_who(cx, w) {
                Some(p) => p
                    .fd_list(w.tid)
                    .into_iter()
                    .map(|fd| e(P::Fd(w, fd), FileKind::Symlink, fd.to_string()))
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
            P::File("mounts") => cx
                .proc
                .and_then(|p| p.pid_file(0, "mounts"))
                .unwrap_or_default(),
            P::File(name) => generate(name),
            P::PidFile(w, name) => Self::own(cx, w.pid)
                .and_then(|p| p.pid_file(w.tid, name))
                .ok_or(Errno::ENOENT)?,
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

/// The thread a `/proc` file describes: thread `tid`, or for the process directory (`tid`
/// 0) the leader, as Linux shows (the caller when the leader has gone). `None` when `tid`
/// is not a live thread of the caller's process.
fn subject(task: &Task, tid: i32) -> Option<Arc<Thread>> {
    if tid == task.tid {
        return Some(task.thread.clone());
    }
    let want = if tid == 0 { task.process.pid } else { tid };
    let found = task
        .process
        .state()
        .running_threads()
        .find(|t| t.tid() == want)
        .cloned();
    match found {
        None if tid == 0 => Some(task.thread.clone()),
        other => other,
    }
}

/// `/proc/self/status` (or thread `id`'s; `thread` is whose signal state it shows). Every lock is taken on its own and released before
/// the next: the process state lock is not reentrant, so nothing below may be called with
/// it held (in particular not `Task::pending_set`, which takes it).
fn status_text(task: &Task, thread: &Thread, id: i32) -> Vec<u8> {
    let comm = comm_of(task);
    let vm = vm_kb(task);
    let umask = match fs_of(task, thread) {
        Some(fs) => fs.lock().unwrap_or_else(|e| e.into_inner()).umask,
        None => task.fs().umask,
    };
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
    let threads = st.running_threads().count().max(1);
    // Lock order: the process state, then the thread's pending set.
    let own_pending = thread.pending().set;
    let shared_pending = st.shared_pending.set;
    drop(st);
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "Name:\t{comm}\nUmask:\t{umask:04o}\nState:\tR (running)\nTgid:\t{pid}\nNgid:\t0\nPid:\t{id}\nPPid:\t{ppid}\n\
         TracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t{}\n\
         VmPeak:\t{vm:8} kB\nVmSize:\t{vm:8} kB\nVmRSS:\t{vm:8} kB\nThreads:\t{threads}\nSigQ:\t0/63432\n\
         SigPnd:\t{own_pending:016x}\nShdPnd:\t{shared_pending:016x}\nSigBlk:\t{:016x}\nSigIgn:\t{ignored:016x}\nSigCgt:\t{caught:016x}\n\
         NoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed_list:\t0-{}\n",
        c.uid,
        c.euid,
        c.suid,
        c.fsuid,
        c.gid,
        c.egid,
        c.sgid,
        c.fsgid,
        groups.join(" "),
        thread.mask(),
        cpus.saturating_sub(1),
    )
    .into_bytes()
}

/// `/proc/self/stat` (or thread `id`'s; the fields `ps` and friends read, the rest zero).
fn stat_text(task: &Task, id: i32) -> Vec<u8> {
    let comm = comm_of(task);
    let vsize = vm_kb(task) * 1024;
    let ppid = task.process.ppid();
    let (pgid, sid, threads) = {
        let st = task.process.state();
        (st.pgid, st.sid, st.running_threads().count().max(1))
    };
    let mut fields = vec![
        id.to_string(),
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
    fields[19] = threads.to_string(); // num_threads
    fields.push(vsize.to_string());
    fields.push((vsize / 4096).to_string());
    fields.resize(52, "0".into());
    let mut s = fields.join(" ");
    s.push('\n');
    s.into_bytes()
}

/// Another thread's filesystem context (`None` for the caller).
fn fs_of(task: &Task, thread: &Thread) -> Option<Arc<Mutex<FsContext>>> {
    if std::ptr::eq(thread, &*task.thread) {
        return None;
    }
    thread.fs()
}

impl Task {
    /// Runs `f` on the descriptor table of thread `tid` (0 or the caller: the caller's).
    fn with_files<R>(&self, tid: i32, f: impl FnOnce(&FdTable) -> R) -> Option<R> {
        if tid == 0 || tid == self.tid {
            return Some(f(&self.files()));
        }
        let files = subject(self, tid)?.files()?;
        let guard = files.lock().unwrap_or_else(|e| e.into_inner());
        Some(f(&guard))
    }

    /// The filesystem context of thread `tid` (0 or the caller: the caller's), copied.
    fn fs_context(&self, tid: i32) -> Option<FsContext> {
        if tid == 0 || tid == self.tid {
            return Some(self.fs().clone());
        }
        let fs = subject(self, tid)?.fs()?;
        let ctx = fs.lock().unwrap_or_else(|e| e.into_inner()).clone();
        Some(ctx)
    }
}

/// A task is the `/proc/self` view of its own process.
impl ProcView for Task {
    fn pid(&self) -> i32 {
        self.process.pid
    }
    fn tid(&self) -> i32 {
        self.tid
    }
    fn thread_ids(&self) -> Vec<i32> {
        let mut ids: Vec<i32> = self
            .process
            .state()
            .running_threads()
            .map(|t| t.tid())
            .collect();
        if !ids.contains(&self.tid) {
            ids.push(self.tid);
        }
        ids.sort_unstable();
        ids
    }
    fn fd_file(&self, tid: i32, fd: i32) -> Option<Arc<OpenFile>> {
        self.with_files(tid, |f| f.get(fd).ok()).flatten()
    }
    fn fd_list(&self, tid: i32) -> Vec<i32> {
        self.with_files(tid, |f| f.fds()).unwrap_or_default()
    }
    fn exe(&self) -> Vec<u8> {
        self.process.state().exe.clone()
    }
    fn cwd(&self, tid: i32) -> Option<Location> {
        self.fs_context(tid).map(|c| c.cwd)
    }
    fn root(&self, tid: i32) -> Option<Location> {
        self.fs_context(tid).map(|c| c.root)
    }
    fn pid_file(&self, tid: i32, name: &str) -> Option<Vec<u8>> {
        let thread = subject(self, tid)?;
        // The process directory is the leader's, whose id is the pid even once it has gone.
        let id = if tid == 0 { self.process.pid } else { tid };
        Some(match name {
            "mounts" => mounts_text(self),
            "maps" => maps_text(self),
            "status" => status_text(self, &thread, id),
            "stat" => stat_text(self, id),
            "comm" => format!("{}\n", comm_of(self)).into_bytes(),
            // argv is not kept by the kernel: show the program, as a one-word command line.
            "cmdline" => {
                let mut v = self.exe();
                v.push(0);
                v
            }
            _ => Vec::new(),
        })
    }
}
