//! The guest's stdio: descriptors 0/1/2 connected to sbx's own host stdin/stdout/stderr, and
//! the controlling terminal (`/dev/tty`) when sbx's stdin is one. Writes go straight to the
//! host descriptor (no buffering: a guest that prints and then crashes has printed); reads
//! block like the host's. Terminal ioctls answer with the host terminal's real state.
//!
//! These are the only host descriptors the kernel touches directly, always through rustix's
//! safe wrappers on `std`'s borrowed stdio descriptors.

use std::any::Any;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::Arc;

use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_RDONLY, O_RDWR, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLOUT};
use crate::task::Task;
use crate::vfs::abi::{KernelTermios, Winsize};
use crate::vfs::{Stat, Timespec};

/// `TCGETS`.
pub const TCGETS: u32 = 0x5401;
/// `TCSETS`.
pub const TCSETS: u32 = 0x5402;
/// `TCSETSW`.
pub const TCSETSW: u32 = 0x5403;
/// `TCSETSF`.
pub const TCSETSF: u32 = 0x5404;
/// `TCSBRK` (`tcdrain` with a non-zero argument).
pub const TCSBRK: u32 = 0x5409;
/// `TCXONC`.
pub const TCXONC: u32 = 0x540A;
/// `TCFLSH`.
pub const TCFLSH: u32 = 0x540B;
/// `TIOCSCTTY`.
pub const TIOCSCTTY: u32 = 0x540E;
/// `TIOCGPGRP`.
pub const TIOCGPGRP: u32 = 0x540F;
/// `TIOCSPGRP`.
pub const TIOCSPGRP: u32 = 0x5410;
/// `TIOCGWINSZ`.
pub const TIOCGWINSZ: u32 = 0x5413;
/// `TIOCSWINSZ`.
pub const TIOCSWINSZ: u32 = 0x5414;
/// `FIONREAD`.
pub const FIONREAD: u32 = 0x541B;
/// `TIOCNOTTY`.
pub const TIOCNOTTY: u32 = 0x5422;
/// `TIOCGSID`.
pub const TIOCGSID: u32 = 0x5429;

/// The sandbox's foreground process group on its terminal: the first process's, which is 1.
const SANDBOX_PGRP: i32 = 1;

/// Which host stdio descriptor a file wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Which {
    Stdin,
    Stdout,
    Stderr,
}

fn with_fd<R>(which: Which, f: impl FnOnce(BorrowedFd<'_>) -> R) -> R {
    match which {
        Which::Stdin => f(std::io::stdin().as_fd()),
        Which::Stdout => f(std::io::stdout().as_fd()),
        Which::Stderr => f(std::io::stderr().as_fd()),
    }
}

fn is_tty(which: Which) -> bool {
    with_fd(which, |fd| rustix::termios::isatty(fd))
}

fn rerr(e: rustix::io::Errno) -> Errno {
    Errno::from_io(&e.into())
}

/// The sandbox's terminal as job control sees it (one per sandbox, in the [`Kernel`]): every
/// descriptor of it shares the foreground process group.
///
/// [`Kernel`]: crate::Kernel
#[derive(Debug)]
pub struct Terminal {
    fg_pgrp: AtomicI32,
}

impl Default for Terminal {
    fn default() -> Terminal {
        Terminal {
            fg_pgrp: AtomicI32::new(SANDBOX_PGRP),
        }
    }
}

impl Terminal {
    /// The foreground process group (`tcgetpgrp`).
    pub fn foreground(&self) -> i32 {
        self.fg_pgrp.load(Ordering::Relaxed)
    }
}

/// A host stdio descriptor (or the controlling terminal) seen from the guest.
struct HostStdio {
    /// Where reads come from.
    read_fd: Which,
    /// Where writes and ioctls go.
    write_fd: Which,
    /// What `fstat` reports when the descriptor is a terminal (the `/dev` node it was
    /// opened as); host terminals' own numbers are not shown.
    tty_stat: Stat,
}

/// Files for guest fds 0, 1 and 2 over sbx's own stdio (`None` where sbx's is closed).
pub fn stdio_files() -> [(i32, Option<Arc<OpenFile>>); 3] {
    let mk = |which: Which, flags: u32| {
        // A closed host descriptor stays closed in the guest.
        if with_fd(which, |fd| rustix::fs::fstat(fd).is_err()) {
            return None;
        }
        let ops = HostStdio {
            read_fd: which,
            write_fd: which,
            tty_stat: terminal_stat(),
        };
        // The description is the host's: it has O_LARGEFILE if the host's has.
        let large = with_fd(which, |fd| rustix::fs::fcntl_getfl(fd))
            .map_or(0, |f| f.bits() & crate::fd::O_LARGEFILE);
        Some(Arc::new(OpenFile::new(Arc::new(ops), None, flags | large)))
    };
    // A terminal is readable and writable through any of its descriptors, as on Linux
    // where the shell opened the tty O_RDWR and dup'ed it to 0, 1 and 2.
    let mode = |which: Which, default: u32| if is_tty(which) { O_RDWR } else { default };
    [
        (0, mk(Which::Stdin, mode(Which::Stdin, O_RDONLY))),
        (1, mk(Which::Stdout, mode(Which::Stdout, O_WRONLY))),
        (2, mk(Which::Stderr, mode(Which::Stderr, O_WRONLY))),
    ]
}

/// Whether `ops` is host stdio (or the terminal): a kind without a wait queue whose `poll`
/// asks the host descriptor, so waiting for it means polling it again now and then.
pub fn is_host_stdio(ops: &dyn FileOps) -> bool {
    ops.as_any().is::<HostStdio>()
}

/// The host terminal sbx runs on: the first of its stdin, stdout, stderr that is one.
fn host_tty() -> Option<Which> {
    [Which::Stdin, Which::Stdout, Which::Stderr]
        .into_iter()
        .find(|&w| is_tty(w))
}

/// Whether sbx runs on a terminal (the sandbox then has `/dev/pts/0`).
pub fn has_terminal() -> bool {
    host_tty().is_some()
}

/// The sandbox's terminal as `/dev/pts/0` shows it (and `fstat` of a terminal stdio fd).
pub fn terminal_stat() -> Stat {
    let t = boot_time();
    Stat {
        dev: crate::vfs::makedev(0, 6),
        ino: 3,
        mode: crate::vfs::S_IFCHR | 0o620,
        nlink: 1,
        uid: 0,
        gid: 5,
        rdev: crate::vfs::makedev(136, 0),
        blksize: 1024,
        atime: t,
        mtime: t,
        ctime: t,
        ..Stat::default()
    }
}

fn boot_time() -> Timespec {
    static T: std::sync::OnceLock<Timespec> = std::sync::OnceLock::new();
    *T.get_or_init(Timespec::now)
}

/// Opens the sandbox's terminal (`/dev/tty` or `/dev/pts/0`, whose node's metadata `fstat`
/// then reports); `ENXIO` (no controlling terminal) when sbx does not run on one.
pub fn open_controlling_tty(node_stat: Stat) -> KResult<Arc<dyn FileOps>> {
    let t = host_tty().ok_or(Errno::ENXIO)?;
    let read_fd = if is_tty(Which::Stdin) {
        Which::Stdin
    } else {
        t
    };
    let write_fd = [Which::Stdout, Which::Stderr]
        .into_iter()
        .find(|&w| is_tty(w))
        .unwrap_or(t);
    Ok(Arc::new(HostStdio {
        read_fd,
        write_fd,
        tty_stat: node_stat,
    }))
}

#[allow(clippy::unnecessary_cast)] // stat field types differ between host targets
fn host_fstat(fd: BorrowedFd<'_>) -> KResult<Stat> {
    let s = rustix::fs::fstat(fd).map_err(rerr)?;
    let ts = |sec: i64, nsec: i64| Timespec {
        sec,
        nsec: nsec.clamp(0, 999_999_999) as u32,
    };
    Ok(Stat {
        dev: s.st_dev as u64,
        ino: s.st_ino as u64,
        mode: s.st_mode as u32,
        nlink: s.st_nlink as u64,
        uid: s.st_uid as u32,
        gid: s.st_gid as u32,
        rdev: s.st_rdev as u64,
        size: s.st_size.max(0) as u64,
        blksize: s.st_blksize as u32,
        blocks: s.st_blocks as u64,
        atime: ts(s.st_atime as i64, s.st_atime_nsec as i64),
        mtime: ts(s.st_mtime as i64, s.st_mtime_nsec as i64),
        ctime: ts(s.st_ctime as i64, s.st_ctime_nsec as i64),
        btime: None,
    })
}

/// Whether `fd` has data (or end of file) to read now.
fn poll_now(fd: BorrowedFd<'_>, flags: rustix::event::PollFlags) -> rustix::event::PollFlags {
    let mut fds = [rustix::event::PollFd::new(&fd, flags)];
    let zero = rustix::time::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    match rustix::event::poll(&mut fds, Some(&zero)) {
        Ok(n) if n > 0 => fds[0].revents(),
        _ => rustix::event::PollFlags::empty(),
    }
}

impl FileOps for HostStdio {
    fn describe(&self) -> String {
        let fd = self.write_fd;
        if is_tty(fd) {
            return "/dev/pts/0".into();
        }
        match with_fd(fd, host_fstat).map(|s| s.mode & crate::vfs::S_IFMT) {
            Ok(crate::vfs::S_IFIFO) => "pipe:[0]".into(),
            Ok(crate::vfs::S_IFSOCK) => "socket:[0]".into(),
            _ => match fd {
                Which::Stdin => "/dev/stdin".into(),
                Which::Stdout => "/dev/stdout".into(),
                Which::Stderr => "/dev/stderr".into(),
            },
        }
    }

    fn stat(&self) -> KResult<Stat> {
        if is_tty(self.write_fd) {
            return Ok(self.tty_stat);
        }
        with_fd(self.write_fd, host_fstat)
    }

    fn read(&self, buf: &mut [u8], nonblock: bool) -> KResult<usize> {
        with_fd(self.read_fd, |fd| {
            if nonblock && poll_now(fd, rustix::event::PollFlags::IN).is_empty() {
                return Err(Errno::EAGAIN);
            }
            loop {
                match rustix::io::read(fd, &mut *buf) {
                    Ok(n) => return Ok(n),
                    // sbx's own signal handlers interrupt host calls; the guest saw nothing.
                    Err(rustix::io::Errno::INTR) => continue,
                    Err(e) => return Err(rerr(e)),
                }
            }
        })
    }

    fn write(&self, data: &[u8], _nonblock: bool) -> KResult<usize> {
        with_fd(self.write_fd, |fd| loop {
            match rustix::io::write(fd, data) {
                Ok(n) => return Ok(n),
                Err(rustix::io::Errno::INTR) => continue,
                Err(e) => return Err(rerr(e)),
            }
        })
    }

    fn stream_seek(&self, off: i64, whence: u32) -> KResult<u64> {
        let pos = match whence {
            0 => rustix::fs::SeekFrom::Start(u64::try_from(off).map_err(|_| Errno::EINVAL)?),
            1 => rustix::fs::SeekFrom::Current(off),
            2 => rustix::fs::SeekFrom::End(off),
            _ => return Err(Errno::EINVAL),
        };
        with_fd(self.write_fd, |fd| rustix::fs::seek(fd, pos)).map_err(rerr)
    }

    fn reads_complete(&self) -> bool {
        // A regular file behind stdin reads like a file; pipes and terminals do not.
        matches!(with_fd(self.read_fd, host_fstat), Ok(s) if s.kind() == crate::vfs::FileKind::Regular)
    }

    fn sync(&self) -> KResult<()> {
        // A file behind stdout syncs; a terminal or pipe is EINVAL, as natively.
        with_fd(self.write_fd, |fd| rustix::fs::fsync(fd)).map_err(rerr)
    }

    fn truncate(&self, len: u64) -> KResult<()> {
        // `> /dev/stdout` in a guest shell truncates what sbx's stdout is, as natively.
        with_fd(self.write_fd, |fd| rustix::fs::ftruncate(fd, len)).map_err(rerr)
    }

    fn readable_bytes(&self) -> KResult<u64> {
        with_fd(self.read_fd, |fd| rustix::io::ioctl_fionread(fd)).map_err(rerr)
    }

    fn poll(&self, events: u32) -> u32 {
        use rustix::event::PollFlags as P;
        let mut want = P::empty();
        if events & POLLIN != 0 {
            want |= P::IN;
        }
        if events & POLLOUT != 0 {
            want |= P::OUT;
        }
        let mut got = if self.read_fd == self.write_fd {
            with_fd(self.read_fd, |fd| poll_now(fd, want))
        } else {
            with_fd(self.read_fd, |fd| poll_now(fd, want & P::IN))
                | with_fd(self.write_fd, |fd| poll_now(fd, want & P::OUT))
        };
        got &= want | P::ERR | P::HUP;
        let mut out = 0;
        for (flag, bit) in [
            (P::IN, POLLIN),
            (P::OUT, POLLOUT),
            (P::ERR, POLLERR),
            (P::HUP, POLLHUP),
        ] {
            if got.contains(flag) {
                out |= bit;
            }
        }
        out
    }

    fn ioctl(&self, _file: &OpenFile, task: &mut Task, cmd: u32, arg: u64) -> KResult<u64> {
        let fd = self.write_fd;
        if cmd == FIONREAD {
            let n = self.readable_bytes()?;
            task.mm().write_val(arg, &(n.min(i32::MAX as u64) as i32))?;
            return Ok(0);
        }
        if !is_tty(fd) {
            return Err(Errno::ENOTTY);
        }
        match cmd {
            TCGETS => {
                let t = with_fd(fd, host_termios::get)?;
                task.mm().write_val(arg, &t)?;
                Ok(0)
            }
            TCSETS | TCSETSW | TCSETSF => {
                let t: KernelTermios = task.mm().read_val(arg)?;
                with_fd(fd, |f| host_termios::set(f, cmd - TCSETS, &t))?;
                Ok(0)
            }
            TIOCGWINSZ => {
                let w = with_fd(fd, |f| rustix::termios::tcgetwinsize(f)).map_err(rerr)?;
                let w = Winsize {
                    ws_row: w.ws_row,
                    ws_col: w.ws_col,
                    ws_xpixel: w.ws_xpixel,
                    ws_ypixel: w.ws_ypixel,
                };
                task.mm().write_val(arg, &w)?;
                Ok(0)
            }
            TIOCSWINSZ => {
                let w: Winsize = task.mm().read_val(arg)?;
                let w = rustix::termios::Winsize {
                    ws_row: w.ws_row,
                    ws_col: w.ws_col,
                    ws_xpixel: w.ws_xpixel,
                    ws_ypixel: w.ws_ypixel,
                };
                with_fd(fd, |f| rustix::termios::tcsetwinsize(f, w)).map_err(rerr)?;
                Ok(0)
            }
            TIOCGPGRP => {
                task.mm().write_val(arg, &task.kernel.tty.foreground())?;
                Ok(0)
            }
            TIOCSPGRP => {
                let pgrp: i32 = task.mm().read_val(arg)?;
                if pgrp < 0 {
                    return Err(Errno::EINVAL);
                }
                // The group must exist, and belong to the caller's session (the terminal's).
                let sid = task.process.state().sid;
                let mut found = false;
                for p in task.kernel.procs.processes() {
                    if p.is_dead() {
                        continue;
                    }
                    let st = p.state();
                    if st.pgid == pgrp {
                        if st.sid != sid {
                            return Err(Errno::EPERM);
                        }
                        found = true;
                    }
                }
                if !found {
                    return Err(Errno::ESRCH);
                }
                task.kernel.tty.fg_pgrp.store(pgrp, Ordering::Relaxed);
                Ok(0)
            }
            TIOCGSID => {
                task.mm().write_val(arg, &SANDBOX_PGRP)?;
                Ok(0)
            }
            // The sandbox's terminal already is its session's controlling terminal.
            TIOCSCTTY | TIOCNOTTY => Ok(0),
            TCSBRK => {
                if arg != 0 {
                    with_fd(fd, |f| rustix::termios::tcdrain(f)).map_err(rerr)?;
                }
                Ok(0)
            }
            TCFLSH => {
                use rustix::termios::QueueSelector as Q;
                let q = match arg {
                    0 => Q::IFlush,
                    1 => Q::OFlush,
                    2 => Q::IOFlush,
                    _ => return Err(Errno::EINVAL),
                };
                with_fd(fd, |f| rustix::termios::tcflush(f, q)).map_err(rerr)?;
                Ok(0)
            }
            TCXONC => Ok(0),
            _ => Err(Errno::ENOTTY),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Host termios <-> the guest's `struct termios` (Linux hosts share the numbering).
#[cfg(target_os = "linux")]
mod host_termios {
    use super::*;
    use rustix::termios::{
        tcgetattr, tcsetattr, ControlModes, InputModes, LocalModes, OptionalActions, OutputModes,
        SpecialCodeIndex as I,
    };

    /// Linux's `c_cc` slots in index order (17 of 19 are used).
    const CC: [I; 17] = [
        I::VINTR,
        I::VQUIT,
        I::VERASE,
        I::VKILL,
        I::VEOF,
        I::VTIME,
        I::VMIN,
        I::VSWTC,
        I::VSTART,
        I::VSTOP,
        I::VSUSP,
        I::VEOL,
        I::VREPRINT,
        I::VDISCARD,
        I::VWERASE,
        I::VLNEXT,
        I::VEOL2,
    ];

    /// `TCGETS` on the host terminal.
    pub fn get(fd: BorrowedFd<'_>) -> KResult<KernelTermios> {
        let t = tcgetattr(fd).map_err(rerr)?;
        let mut k = KernelTermios {
            c_iflag: t.input_modes.bits(),
            c_oflag: t.output_modes.bits(),
            c_cflag: t.control_modes.bits(),
            c_lflag: t.local_modes.bits(),
            c_line: t.line_discipline,
            c_cc: [0; 19],
        };
        for (i, idx) in CC.iter().enumerate() {
            k.c_cc[i] = t.special_codes[*idx];
        }
        Ok(k)
    }

    /// `TCSETS` (`action` 0), `TCSETSW` (1, drain first) or `TCSETSF` (2, drain and flush).
    pub fn set(fd: BorrowedFd<'_>, action: u32, k: &KernelTermios) -> KResult<()> {
        let mut t = tcgetattr(fd).map_err(rerr)?;
        t.input_modes = InputModes::from_bits_retain(k.c_iflag);
        t.output_modes = OutputModes::from_bits_retain(k.c_oflag);
        t.control_modes = ControlModes::from_bits_retain(k.c_cflag);
        t.local_modes = LocalModes::from_bits_retain(k.c_lflag);
        t.line_discipline = k.c_line;
        for (i, idx) in CC.iter().enumerate() {
            t.special_codes[*idx] = k.c_cc[i];
        }
        let how = match action {
            0 => OptionalActions::Now,
            1 => OptionalActions::Drain,
            _ => OptionalActions::Flush,
        };
        tcsetattr(fd, how, &t).map_err(rerr)
    }
}

/// Other hosts number termios flags differently; their terminals are not passed through.
#[cfg(not(target_os = "linux"))]
mod host_termios {
    use super::*;

    /// Not translated on this host.
    pub fn get(_fd: BorrowedFd<'_>) -> KResult<KernelTermios> {
        Err(Errno::ENOTTY)
    }

    /// Not translated on this host.
    pub fn set(_fd: BorrowedFd<'_>, _action: u32, _k: &KernelTermios) -> KResult<()> {
        Err(Errno::ENOTTY)
    }
}
