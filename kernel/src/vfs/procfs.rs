//! `/proc` for the sandbox, not the host: a directory per process of the sandbox's pid
//! namespace (`exe`, `cwd`, `root`, `fd/N` magic links; `maps`, `status`, `stat`, `statm`,
//! `cmdline`, `environ`, `comm`, `mounts`; `task/<tid>` with the same entries for each
//! thread), `self`, `thread-self`, and `meminfo`, `cpuinfo`, `mounts`, `stat`, `loadavg`,
//! `uptime`, `version`, `filesystems`. Contents are generated at open, as the process that
//! opens them sees them.
//!
//! The generators read task state under the process state lock, the address-space lock and
//! the descriptor/fs locks. None of those is reentrant: each generator takes one at a time
//! (the thread's pending set, the only nested one, after the process state), and never calls
//! a `Task` helper that takes a lock it already holds.

use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::node::*;
use super::FsContext;
use super::Location;
use crate::cputime::CpuTimes;
use crate::errno::{Errno, KResult};
use crate::fd::{FdTable, FileOps, OpenFile};
use crate::mm::{ArgArea, Backing, Mm, VmaKind, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE};
use crate::process::Process;
use crate::task::{Task, Thread};
use crate::Kernel;

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
    "stat",
    "loadavg",
];
const PID_FILES: &[&str] = &[
    "cmdline", "comm", "maps", "mounts", "stat", "status", "environ", "statm",
];
const LINKS: &[(&str, Link)] = &[("cwd", Link::Cwd), ("exe", Link::Exe), ("root", Link::Root)];

fn started() -> (Instant, Timespec) {
    static T: OnceLock<(Instant, Timespec)> = OnceLock::new();
    *T.get_or_init(|| (Instant::now(), Timespec::now()))
}

/// A `/proc` node.
struct ProcNode(P);

/// How `/proc` sees one process: the caller's own (through its task), or another.
enum View<'a> {
    Caller(&'a dyn ProcView),
    Other(Box<dyn ProcView + 'a>),
}

impl<'a> std::ops::Deref for View<'a> {
    type Target = dyn ProcView + 'a;
    fn deref(&self) -> &Self::Target {
        match self {
            View::Caller(v) => *v,
            View::Other(v) => &**v,
        }
    }
}

/// The pid a `/proc/<pid>` directory stands for, if `node` is one (Linux lets such a
/// directory's descriptor name its process in `pidfd_send_signal`).
pub fn process_dir_pid(node: &dyn Node) -> Option<i32> {
    match node.as_any().downcast_ref::<ProcNode>()?.0 {
        P::Pid(w) if w.tid == 0 => Some(w.pid),
        _ => None,
    }
}

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

    /// The view of process `pid` of the caller's sandbox, if it exists.
    fn own<'a>(cx: &Cx<'a>, pid: i32) -> Option<View<'a>> {
        let me = cx.proc?;
        if me.pid() == pid {
            Some(View::Caller(me))
        } else {
            me.other(pid).map(View::Other)
        }
    }

    /// The view of `w`'s process, if it exists and `w` is it or one of its live threads.
    fn own_who<'a>(cx: &Cx<'a>, w: Who) -> Option<View<'a>> {
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
                    Some(pid) if Self::own(cx, pid).is_some() => {
                        Ok(node(P::Pid(Who::process(pid))))
                    }
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
                    for pid in p.pids() {
                        out.push(e(
                            P::Pid(Who::process(pid)),
                            FileKind::Directory,
                            pid.to_string(),
                        ));
                    }
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
            P::File(name) => cx
                .proc
                .and_then(|p| p.global_file(name))
                .unwrap_or_else(|| generate(name)),
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

// ---- what the files show ------------------------------------------------------------------

/// `/proc/mounts`: one line per mount, in the kernel's format.
fn mounts_text(kernel: &Kernel) -> Vec<u8> {
    let mut out = Vec::new();
    for m in kernel.vfs.mounts() {
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

/// Clock ticks (`USER_HZ`, 100 a second) in `d`, as `/proc` counts times.
fn ticks(d: Duration) -> u64 {
    (d.as_millis() / 10) as u64
}

/// `/proc/stat`: the sandbox's CPU time, boot time and process counts (what `ps`, `top` and
/// `vmstat` read). CPU time is the sandbox's own; idle is what its CPUs did not use.
fn stat_global(kernel: &Kernel) -> Vec<u8> {
    let procs = kernel.procs.processes();
    let mut used = CpuTimes::default();
    let mut running = 0;
    for p in &procs {
        let st = p.state();
        used += st.cpu_times();
        used += st.cpu_children;
        running += st
            .running_threads()
            .filter(|t| !t.waiter.is_sleeping())
            .count();
    }
    let up = kernel.boot.elapsed();
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let idle = (up * cpus as u32).saturating_sub(used.total());
    let btime = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .saturating_sub(up)
        .as_secs();
    let (u, s, i) = (ticks(used.user), ticks(used.sys), ticks(idle));
    let mut out = format!("cpu  {u} 0 {s} {i} 0 0 0 0 0 0\n");
    for n in 0..cpus {
        let share = |t: u64| t / cpus as u64;
        out.push_str(&format!(
            "cpu{n} {} 0 {} {} 0 0 0 0 0 0\n",
            share(u),
            share(s),
            share(i)
        ));
    }
    out.push_str(&format!(
        "intr 0\nctxt 0\nbtime {btime}\nprocesses {}\nprocs_running {}\nprocs_blocked 0\nsoftirq 0\n",
        procs.len(),
        running.max(1)
    ));
    out.into_bytes()
}

/// `/proc/loadavg`: runnable threads now (no history is kept, so the averages are that
/// instant), the thread count and the last id handed out.
fn loadavg(kernel: &Kernel) -> Vec<u8> {
    let mut running = 0;
    let mut threads = 0;
    let mut last = 0;
    for p in kernel.procs.processes() {
        let st = p.state();
        last = last.max(p.pid);
        for t in st.running_threads() {
            threads += 1;
            last = last.max(t.tid());
            if !t.waiter.is_sleeping() {
                running += 1;
            }
        }
    }
    let avg = running as f64;
    format!("{avg:.2} {avg:.2} {avg:.2} {running}/{threads} {last}\n").into_bytes()
}

/// `/proc/uptime`: seconds since the sandbox booted, and idle CPU seconds.
fn uptime(kernel: &Kernel) -> Vec<u8> {
    let up = kernel.boot.elapsed().as_secs_f64();
    format!("{up:.2} {up:.2}\n").into_bytes()
}

/// What a `/proc/<pid>` file describes: a process, seen through one of its threads.
struct Subject<'a> {
    kernel: &'a Kernel,
    process: Arc<Process>,
    /// Whose signal state and memory the file shows (for the process directory: the leader,
    /// else another live thread); `None` once every thread has gone (a zombie).
    thread: Option<Arc<Thread>>,
    /// The id the file shows (the pid for the process directory).
    id: i32,
}

impl Subject<'_> {
    fn mm(&self) -> Option<Arc<Mutex<Mm>>> {
        self.thread.as_ref()?.mm()
    }

    fn fs(&self) -> Option<Arc<Mutex<FsContext>>> {
        self.thread.as_ref()?.fs()
    }

    /// `comm`: the thread name, else the program's file name, at most 15 bytes.
    fn comm(&self) -> String {
        let st = self.process.state();
        let comm = if st.comm.is_empty() {
            st.exe.rsplit(|&b| b == b'/').next().unwrap_or(&[]).to_vec()
        } else {
            st.comm.clone()
        };
        String::from_utf8_lossy(&comm[..comm.len().min(15)]).into_owned()
    }

    /// Where exec put argv and envp (all zero once the memory is gone).
    fn arg_area(&self) -> ArgArea {
        self.mm().map_or_else(ArgArea::default, |m| {
            m.lock().unwrap_or_else(|e| e.into_inner()).arg_area()
        })
    }

    /// Total mapped bytes.
    fn vm_bytes(&self) -> u64 {
        self.mm().map_or(0, |mm| {
            let mm = mm.lock().unwrap_or_else(|e| e.into_inner());
            mm.vmas().map(|v| v.end - v.start).sum()
        })
    }

    /// The state letter `ps` shows: running, sleeping in the kernel, stopped, or zombie.
    fn state(&self) -> (char, &'static str) {
        if self.process.state().stopped.is_some() {
            return ('T', "stopped");
        }
        match &self.thread {
            None => ('Z', "zombie"),
            Some(t) if t.waiter.is_sleeping() => ('S', "sleeping"),
            Some(_) => ('R', "running"),
        }
    }

    /// Bytes `[start, end)` of the process's memory (argv or envp), as far as readable.
    fn strings(&self, start: u64, end: u64) -> Vec<u8> {
        let Some(mm) = self.mm() else {
            return Vec::new();
        };
        let mut mm = mm.lock().unwrap_or_else(|e| e.into_inner());
        let mut out = Vec::new();
        let mut at = start;
        while at < end {
            let n = (PAGE_SIZE - at % PAGE_SIZE).min(end - at) as usize;
            let mut page = vec![0u8; n];
            if mm.copy_in(at, &mut page).is_err() {
                break;
            }
            out.extend_from_slice(&page);
            at += n as u64;
        }
        out
    }

    fn text(&self, name: &str) -> Vec<u8> {
        match name {
            "mounts" => mounts_text(self.kernel),
            "maps" => self.maps(),
            "status" => self.status(),
            "stat" => self.stat(),
            "comm" => format!("{}\n", self.comm()).into_bytes(),
            // Sizes in pages: total, resident, shared, text, 0, data + stack, 0. Every
            // mapped page counts as resident (sbx fills mappings eagerly).
            "statm" => {
                let pages = self.vm_bytes() / PAGE_SIZE;
                format!("{pages} {pages} 0 0 0 {pages} 0\n").into_bytes()
            }
            "cmdline" => {
                let a = self.arg_area();
                self.strings(a.arg_start, a.arg_end)
            }
            "environ" => {
                let a = self.arg_area();
                self.strings(a.env_start, a.env_end)
            }
            _ => Vec::new(),
        }
    }

    /// `/proc/<pid>/maps`.
    fn maps(&self) -> Vec<u8> {
        let Some(mm) = self.mm() else {
            return Vec::new();
        };
        let mm = mm.lock().unwrap_or_else(|e| e.into_inner());
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

    /// `/proc/<pid>/status`. Every lock is taken on its own and released before the next
    /// (the process state lock is not reentrant), except the thread's pending set, taken
    /// after the process state as everywhere.
    fn status(&self) -> Vec<u8> {
        let comm = self.comm();
        let vm = self.vm_bytes() / 1024;
        let umask = self.fs().map_or(0o022, |fs| {
            fs.lock().unwrap_or_else(|e| e.into_inner()).umask
        });
        let (state, state_name) = self.state();
        let (pid, ppid) = (self.process.pid, self.process.ppid());
        let st = self.process.state();
        let c = st.creds;
        let groups: Vec<String> = st.groups.iter().map(|g| g.to_string()).collect();
        let mask_of = |f: &dyn Fn(u64) -> bool| -> u64 {
            st.actions
                .iter()
                .enumerate()
                .filter(|(_, a)| f(a.handler))
                .map(|(i, _)| 1u64 << i)
                .sum()
        };
        let ignored = mask_of(&|h| h == crate::signal::SIG_IGN);
        let caught = mask_of(&|h| h != crate::signal::SIG_IGN && h != crate::signal::SIG_DFL);
        let threads = st.running_threads().count();
        let shared_pending = st.shared_pending.set;
        let (own_pending, blocked) = match &self.thread {
            Some(t) => (t.pending().set, t.mask()),
            None => (0, 0),
        };
        drop(st);
        let cpus = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        format!(
            "Name:\t{comm}\nUmask:\t{umask:04o}\nState:\t{state} ({state_name})\nTgid:\t{pid}\nNgid:\t0\nPid:\t{}\nPPid:\t{ppid}\n\
             TracerPid:\t0\nUid:\t{}\t{}\t{}\t{}\nGid:\t{}\t{}\t{}\t{}\nFDSize:\t64\nGroups:\t{}\n\
             VmPeak:\t{vm:8} kB\nVmSize:\t{vm:8} kB\nVmRSS:\t{vm:8} kB\nThreads:\t{threads}\nSigQ:\t0/63432\n\
             SigPnd:\t{own_pending:016x}\nShdPnd:\t{shared_pending:016x}\nSigBlk:\t{blocked:016x}\nSigIgn:\t{ignored:016x}\nSigCgt:\t{caught:016x}\n\
             NoNewPrivs:\t0\nSeccomp:\t0\nCpus_allowed_list:\t0-{}\n",
            self.id,
            c.uid,
            c.euid,
            c.suid,
            c.fsuid,
            c.gid,
            c.egid,
            c.sgid,
            c.fsgid,
            groups.join(" "),
            cpus.saturating_sub(1),
        )
        .into_bytes()
    }

    /// `/proc/<pid>/stat`: the fields `ps`, `top` and `pgrep` read; the rest zero.
    fn stat(&self) -> Vec<u8> {
        let comm = self.comm();
        let vsize = self.vm_bytes();
        let (state, _) = self.state();
        let args = self.arg_area();
        let ppid = self.process.ppid();
        let st = self.process.state();
        let (pgid, sid, threads, exit_signal) = (
            st.pgid,
            st.sid,
            st.running_threads().count().max(1),
            st.exit_signal,
        );
        let own = st.cpu_times();
        let children = st.cpu_children;
        let exit_code = st.zombie.map_or(0, |z| z.wait_status());
        drop(st);
        let start = self
            .process
            .started
            .saturating_duration_since(self.kernel.boot);
        let mut f = vec!["0".to_string(); 52];
        f[0] = self.id.to_string();
        f[1] = format!("({comm})");
        f[2] = state.to_string();
        f[3] = ppid.to_string();
        f[4] = pgid.to_string();
        f[5] = sid.to_string();
        f[6] = "34816".into(); // tty_nr: /dev/pts/0
        f[7] = "-1".into();
        f[13] = ticks(own.user).to_string();
        f[14] = ticks(own.sys).to_string();
        f[15] = ticks(children.user).to_string();
        f[16] = ticks(children.sys).to_string();
        // Linux's `task_prio` (priority), the nice value, the real-time priority and the policy.
        let sched = self
            .thread
            .as_ref()
            .map(|t| t.sched.get())
            .unwrap_or_default();
        f[17] = if sched.is_rt() {
            (-1 - sched.rt_priority).to_string()
        } else if sched.policy == crate::sched::SCHED_DEADLINE {
            "-101".into()
        } else {
            (20 + sched.nice).to_string()
        };
        f[18] = sched.nice.to_string();
        f[39] = sched.rt_priority.to_string();
        f[40] = sched.policy.to_string();
        f[19] = threads.to_string();
        f[21] = ticks(start).to_string();
        f[22] = vsize.to_string();
        f[23] = (vsize / PAGE_SIZE).to_string();
        f[37] = exit_signal.to_string();
        f[47] = args.arg_start.to_string();
        f[48] = args.arg_end.to_string();
        f[49] = args.env_start.to_string();
        f[50] = args.env_end.to_string();
        f[51] = exit_code.to_string();
        let mut s = f.join(" ");
        s.push('\n');
        s.into_bytes()
    }
}

/// The thread a `/proc/<pid>` file of `process` describes: thread `tid`, or for the process
/// directory (`tid` 0) the leader. `None` when that thread is not running: for the process
/// directory of a process whose leader has exited, Linux shows the zombie leader (state Z,
/// no memory or descriptors) while the other threads live on in `task/`.
fn thread_of(process: &Process, tid: i32) -> Option<Arc<Thread>> {
    let want = if tid == 0 { process.pid } else { tid };
    let st = process.state();
    let found = st.running_threads().find(|t| t.tid() == want).cloned();
    found
}

/// A copy of `thread`'s filesystem context, while it has one.
fn fs_copy(thread: &Thread) -> Option<FsContext> {
    let fs = thread.fs()?;
    let ctx = fs.lock().unwrap_or_else(|e| e.into_inner()).clone();
    Some(ctx)
}

/// The ids `/proc/<pid>/task` lists: the live threads and the leader, which stays listed
/// (a zombie) after it exits until the process is reaped, ascending.
fn task_ids(process: &Process) -> Vec<i32> {
    let mut ids: Vec<i32> = process.state().running_threads().map(|t| t.tid()).collect();
    if !ids.contains(&process.pid) {
        ids.push(process.pid);
    }
    ids.sort_unstable();
    ids
}

/// Whether `caller` may look inside `target` (its descriptors, memory and environment):
/// root, or the same real and effective user (Linux's ptrace read check, without the
/// capability sets sbx keeps outside the kernel).
fn may_inspect(caller: &Process, target: &Process) -> bool {
    let me = caller.state().creds;
    let them = target.state().creds;
    me.euid == 0 || (me.uid == them.uid && me.uid == them.euid && me.uid == them.suid)
}

/// Another process of the sandbox, as `/proc/<pid>` shows it to the caller.
struct OtherView {
    kernel: Arc<Kernel>,
    process: Arc<Process>,
    /// The caller may see its descriptors, memory and environment.
    inspect: bool,
}

impl OtherView {
    fn subject(&self, tid: i32) -> Option<Subject<'_>> {
        let thread = thread_of(&self.process, tid);
        // Only the leader is shown after it has gone (as a zombie).
        if thread.is_none() && tid != 0 && tid != self.process.pid {
            return None;
        }
        Some(Subject {
            kernel: &self.kernel,
            process: self.process.clone(),
            thread,
            id: if tid == 0 { self.process.pid } else { tid },
        })
    }

    fn files(&self, tid: i32) -> Option<Arc<Mutex<FdTable>>> {
        if !self.inspect {
            return None;
        }
        thread_of(&self.process, tid)?.files()
    }

    fn fs_context(&self, tid: i32) -> Option<FsContext> {
        if !self.inspect {
            return None;
        }
        fs_copy(&*thread_of(&self.process, tid)?)
    }
}

impl ProcView for OtherView {
    fn pid(&self) -> i32 {
        self.process.pid
    }
    fn tid(&self) -> i32 {
        self.process.pid
    }
    fn thread_ids(&self) -> Vec<i32> {
        task_ids(&self.process)
    }
    fn fd_file(&self, tid: i32, fd: i32) -> Option<Arc<OpenFile>> {
        let files = self.files(tid)?;
        let file = files.lock().unwrap_or_else(|e| e.into_inner()).get(fd).ok();
        file
    }
    fn fd_list(&self, tid: i32) -> Vec<i32> {
        self.files(tid).map_or_else(Vec::new, |f| {
            f.lock().unwrap_or_else(|e| e.into_inner()).fds()
        })
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
        if !self.inspect && matches!(name, "environ" | "maps") {
            return None;
        }
        Some(self.subject(tid)?.text(name))
    }
}

/// The thread a `/proc/self` file describes: thread `tid`, or for the process directory
/// (`tid` 0) the leader (the caller when the leader has gone). `None` when `tid` is not a
/// live thread of the caller's process.
fn subject(task: &Task, tid: i32) -> Option<Arc<Thread>> {
    if tid == task.tid {
        return Some(task.thread.clone());
    }
    match thread_of(&task.process, tid) {
        None if tid == 0 => Some(task.thread.clone()),
        other => other,
    }
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
        fs_copy(&*subject(self, tid)?)
    }
}

/// A task is the `/proc/self` view of its own process, and the way to the others.
impl ProcView for Task {
    fn pid(&self) -> i32 {
        self.process.pid
    }
    fn tid(&self) -> i32 {
        self.tid
    }
    fn thread_ids(&self) -> Vec<i32> {
        let mut ids = task_ids(&self.process);
        if !ids.contains(&self.tid) {
            ids.push(self.tid);
            ids.sort_unstable();
        }
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
        let thread = subject(self, tid);
        // Only the leader is shown after it has gone (as a zombie).
        if thread.is_none() && tid != self.process.pid {
            return None;
        }
        let s = Subject {
            kernel: &self.kernel,
            process: self.process.clone(),
            thread,
            // The process directory is the leader's, whose id is the pid even once it has
            // gone.
            id: if tid == 0 { self.process.pid } else { tid },
        };
        Some(s.text(name))
    }
    fn pids(&self) -> Vec<i32> {
        let mut pids: Vec<i32> = self
            .kernel
            .procs
            .processes()
            .iter()
            .filter(|p| !p.state().reaped)
            .map(|p| p.pid)
            .collect();
        pids.sort_unstable();
        pids
    }
    fn other(&self, pid: i32) -> Option<Box<dyn ProcView + '_>> {
        let process = self.kernel.procs.process(pid)?;
        if pid == self.process.pid {
            return None;
        }
        Some(Box::new(OtherView {
            kernel: self.kernel.clone(),
            inspect: may_inspect(&self.process, &process),
            process,
        }))
    }
    fn global_file(&self, name: &str) -> Option<Vec<u8>> {
        match name {
            "mounts" => Some(mounts_text(&self.kernel)),
            "stat" => Some(stat_global(&self.kernel)),
            "loadavg" => Some(loadavg(&self.kernel)),
            "uptime" => Some(uptime(&self.kernel)),
            _ => None,
        }
    }
}
