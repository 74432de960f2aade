//! Sockets: the sandbox's own in-kernel `AF_UNIX` sockets (stream, datagram, seqpacket).
//! Nothing here touches a host socket; a socket bound to a path is a socket node in the
//! sandbox VFS plus an entry in the sandbox's [`Namespace`].
//!
//! Operations never wait: they return `EAGAIN`, and the syscall layer sleeps on
//! [`UnixSocket::queue`] with `Task::block_on`, as for pipes.

pub mod abi;
pub mod addr;
mod dgram;
mod ns;
mod stream;
#[cfg(test)]
mod tests;
mod unix;

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

pub use abi::Ucred;
pub use addr::UnixAddr;
pub use ns::Namespace;
pub use unix::{SockOpts, Timeout, UnixSocket};

use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_NONBLOCK, O_RDWR};
use crate::task::Task;
use crate::vfs::{makedev, Stat, Timespec, S_IFSOCK};
use crate::wait::WaitQueue;

pub use crate::fd::{POLLERR, POLLHUP, POLLIN, POLLOUT};

/// `POLLPRI`.
pub const POLLPRI: u32 = 0x2;
/// `POLLRDNORM`.
pub const POLLRDNORM: u32 = 0x40;
/// `POLLWRNORM`.
pub const POLLWRNORM: u32 = 0x100;
/// `POLLWRBAND`.
pub const POLLWRBAND: u32 = 0x200;
/// `POLLRDHUP`: the peer shut its writing side.
pub const POLLRDHUP: u32 = 0x2000;
/// What data arrival wakes.
pub(crate) const POLLIN_EVENTS: u32 = POLLIN | POLLRDNORM;
/// What freed buffer space wakes.
pub(crate) const POLLOUT_EVENTS: u32 = POLLOUT | POLLWRNORM | POLLWRBAND;

/// `AF_UNSPEC`.
pub const AF_UNSPEC: i32 = 0;
/// `AF_UNIX`.
pub const AF_UNIX: i32 = 1;
/// `AF_INET`.
pub const AF_INET: i32 = 2;
/// `AF_INET6`.
pub const AF_INET6: i32 = 10;
/// `AF_MAX`: families are below it.
pub const AF_MAX: i32 = 46;

/// `SOCK_STREAM`.
pub const SOCK_STREAM: i32 = 1;
/// `SOCK_DGRAM`.
pub const SOCK_DGRAM: i32 = 2;
/// `SOCK_RAW` (an alias of `SOCK_DGRAM` for `AF_UNIX`).
pub const SOCK_RAW: i32 = 3;
/// `SOCK_SEQPACKET`.
pub const SOCK_SEQPACKET: i32 = 5;
/// Types are below this (`SOCK_MAX`).
pub const SOCK_MAX: i32 = 11;
/// The type bits of `socket`'s type argument.
pub const SOCK_TYPE_MASK: i32 = 0xf;
/// `SOCK_NONBLOCK`.
pub const SOCK_NONBLOCK: i32 = 0o4000;
/// `SOCK_CLOEXEC`.
pub const SOCK_CLOEXEC: i32 = 0o2000000;

/// `MSG_OOB`.
pub const MSG_OOB: u32 = 0x1;
/// `MSG_PEEK`.
pub const MSG_PEEK: u32 = 0x2;
/// `MSG_CTRUNC`.
pub const MSG_CTRUNC: u32 = 0x8;
/// `MSG_TRUNC`.
pub const MSG_TRUNC: u32 = 0x20;
/// `MSG_DONTWAIT`.
pub const MSG_DONTWAIT: u32 = 0x40;
/// `MSG_WAITALL`.
pub const MSG_WAITALL: u32 = 0x100;
/// `MSG_NOSIGNAL`.
pub const MSG_NOSIGNAL: u32 = 0x4000;
/// `MSG_WAITFORONE` (`recvmmsg`).
pub const MSG_WAITFORONE: u32 = 0x10000;
/// `MSG_CMSG_CLOEXEC`.
pub const MSG_CMSG_CLOEXEC: u32 = 0x4000_0000;
/// `MSG_CMSG_COMPAT` (only 32-bit callers may use it).
pub const MSG_CMSG_COMPAT: u32 = 0x8000_0000;

/// `SOL_SOCKET`.
pub const SOL_SOCKET: i32 = 1;
/// `SCM_RIGHTS`.
pub const SCM_RIGHTS: i32 = 1;
/// `SCM_CREDENTIALS`.
pub const SCM_CREDENTIALS: i32 = 2;
/// `SCM_MAX_FD`: files one message may carry.
pub const SCM_MAX_FD: usize = 253;

/// `SHUT_RD`.
pub const SHUT_RD: i32 = 0;
/// `SHUT_WR`.
pub const SHUT_WR: i32 = 1;
/// `SHUT_RDWR`.
pub const SHUT_RDWR: i32 = 2;

/// `net.core.somaxconn`.
pub const SOMAXCONN: u32 = 4096;
/// `net.core.wmem_default`: the initial `SO_SNDBUF`.
pub const WMEM_DEFAULT: usize = 212_992;
/// `net.core.rmem_default`: the initial `SO_RCVBUF`.
pub const RMEM_DEFAULT: usize = 212_992;
/// `net.core.wmem_max`: the most `SO_SNDBUF` takes (before doubling).
pub const WMEM_MAX: usize = 212_992;
/// `net.core.rmem_max`.
pub const RMEM_MAX: usize = 212_992;
/// `SOCK_MIN_SNDBUF`.
pub const SOCK_MIN_SNDBUF: usize = 4608;
/// `SOCK_MIN_RCVBUF`.
pub const SOCK_MIN_RCVBUF: usize = 2304;

/// The overflow id (`/proc/sys/kernel/overflowuid`) reported for credentials never set.
pub const OVERFLOW_ID: u32 = 65534;

/// The credentials a message sent without any reports: pid 0, overflow uid and gid.
pub(crate) fn overflow_creds() -> Ucred {
    Ucred {
        pid: 0,
        uid: OVERFLOW_ID,
        gid: OVERFLOW_ID,
    }
}

/// A socket type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SockType {
    /// `SOCK_STREAM`.
    Stream,
    /// `SOCK_DGRAM` (and `SOCK_RAW`, which `AF_UNIX` treats the same).
    Dgram,
    /// `SOCK_SEQPACKET`.
    SeqPacket,
}

impl SockType {
    /// The `AF_UNIX` type for a `socket` type value (flags already removed):
    /// `ESOCKTNOSUPPORT` for valid types `AF_UNIX` lacks.
    pub fn from_raw(ty: i32) -> KResult<SockType> {
        match ty {
            SOCK_STREAM => Ok(SockType::Stream),
            SOCK_DGRAM | SOCK_RAW => Ok(SockType::Dgram),
            SOCK_SEQPACKET => Ok(SockType::SeqPacket),
            _ => Err(Errno::ESOCKTNOSUPPORT),
        }
    }

    /// The `SO_TYPE` value.
    pub fn raw(self) -> i32 {
        match self {
            SockType::Stream => SOCK_STREAM,
            SockType::Dgram => SOCK_DGRAM,
            SockType::SeqPacket => SOCK_SEQPACKET,
        }
    }
}

/// The identity of the process using a socket: what `SO_PEERCRED` records at `connect`,
/// `listen` and `socketpair`, and what messages carry as `SCM_CREDENTIALS` by default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Caller {
    /// Process id inside the sandbox.
    pub pid: i32,
    /// Real uid.
    pub uid: u32,
    /// Real gid.
    pub gid: u32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
}

impl Caller {
    /// The identity of `task`'s process.
    pub fn of(task: &Task) -> Caller {
        let c = task.process.state().creds;
        Caller {
            pid: task.process.pid,
            uid: c.uid,
            gid: c.gid,
            euid: c.euid,
            egid: c.egid,
        }
    }

    /// `SO_PEERCRED`'s view: pid and effective ids.
    pub fn peercred(&self) -> Ucred {
        Ucred {
            pid: self.pid,
            uid: self.euid,
            gid: self.egid,
        }
    }

    /// Default `SCM_CREDENTIALS`: pid and real ids.
    pub fn scm_creds(&self) -> Ucred {
        Ucred {
            pid: self.pid,
            uid: self.uid,
            gid: self.gid,
        }
    }
}

/// What a send passes besides bytes.
#[derive(Default)]
pub struct Ancillary {
    /// Files for `SCM_RIGHTS` (taken by the first message queued).
    pub rights: Vec<Arc<OpenFile>>,
    /// Explicit `SCM_CREDENTIALS` (already checked against the sender).
    pub creds: Option<Ucred>,
}

/// How a receive behaves.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecvOpts {
    /// `MSG_PEEK`: leave the data queued.
    pub peek: bool,
    /// Stream reads: bytes to gather before returning (`SO_RCVLOWAT`, or everything with
    /// `MSG_WAITALL`).
    pub target: usize,
    /// The caller will sleep on `EAGAIN` (a datagram reader then sees end of file after
    /// `shutdown(SHUT_RD)` instead of `EAGAIN`).
    pub block: bool,
}

/// What a receive gathered (filled across passes while a stream read waits for more).
#[derive(Default)]
pub struct RecvState {
    /// The bytes.
    pub data: Vec<u8>,
    /// The sender's name, if it had one.
    pub from: Option<UnixAddr>,
    /// `SCM_CREDENTIALS` to report (only when the receiver has `SO_PASSCRED`).
    pub creds: Option<Ucred>,
    /// Files received with `SCM_RIGHTS`.
    pub rights: Vec<Arc<OpenFile>>,
    /// Datagram: the message's full length (`MSG_TRUNC` returns it).
    pub msg_len: usize,
    /// Datagram: the message was longer than the buffer.
    pub truncated: bool,
    raw_creds: Option<Ucred>,
    check_creds: bool,
}

/// `st_dev` of socket inodes (Linux's sockfs is an anonymous `0:N` device).
const SOCKFS_DEV: (u32, u32) = (0, 8);

fn next_ino() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// The open-file side of a socket: what a descriptor refers to. Closing the last
/// descriptor (dropping this) releases the socket.
pub struct SocketFile {
    sock: Arc<UnixSocket>,
    /// Who created (or accepted) it: the identity `write` sends with.
    caller: Caller,
    ino: u64,
    ctime: Timespec,
}

impl SocketFile {
    /// The socket.
    pub fn socket(&self) -> &Arc<UnixSocket> {
        &self.sock
    }
}

impl Drop for SocketFile {
    fn drop(&mut self) {
        self.sock.release(false);
    }
}

/// An open file description (read/write, `O_NONBLOCK` from `nonblock`) for `sock`, created
/// or accepted by `caller`.
pub fn socket_file(sock: Arc<UnixSocket>, caller: Caller, nonblock: bool) -> Arc<OpenFile> {
    let ops = SocketFile {
        sock,
        caller,
        ino: next_ino(),
        ctime: Timespec::now(),
    };
    let flags = O_RDWR | if nonblock { O_NONBLOCK } else { 0 };
    Arc::new(OpenFile::new(Arc::new(ops), None, flags))
}

/// The socket behind an open file (`ENOTSOCK` for other kinds).
pub fn socket_of(file: &OpenFile) -> KResult<Arc<UnixSocket>> {
    file.ops()
        .as_any()
        .downcast_ref::<SocketFile>()
        .map(|f| f.sock.clone())
        .ok_or(Errno::ENOTSOCK)
}

/// `FIONREAD`/`SIOCINQ`.
const FIONREAD: u32 = 0x541b;
/// `SIOCOUTQ` (`TIOCOUTQ`).
const SIOCOUTQ: u32 = 0x5411;

impl FileOps for SocketFile {
    fn describe(&self) -> String {
        format!("socket:[{}]", self.ino)
    }

    fn stat(&self) -> KResult<Stat> {
        Ok(Stat {
            dev: makedev(SOCKFS_DEV.0, SOCKFS_DEV.1),
            ino: self.ino,
            mode: S_IFSOCK | 0o777,
            nlink: 1,
            uid: self.caller.euid,
            gid: self.caller.egid,
            blksize: 4096,
            atime: self.ctime,
            mtime: self.ctime,
            ctime: self.ctime,
            ..Stat::default()
        })
    }

    /// `read(2)`: a receive without flags that never waits (the syscall layer sleeps).
    /// Files that arrive this way are closed, as Linux does without a control buffer.
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let mut st = RecvState::default();
        let r = match self.sock.ty() {
            SockType::Stream => {
                let o = RecvOpts {
                    target: self.sock.opts().rcvlowat.max(1) as usize,
                    ..RecvOpts::default()
                };
                self.sock.stream_recv(&mut st, buf.len(), o)
            }
            // A datagram reader past `shutdown(SHUT_RD)` gets end of file rather than an
            // endless wait (the description's blocking mode is not visible here).
            _ => self.sock.dgram_recv(
                &mut st,
                buf.len(),
                RecvOpts {
                    block: true,
                    ..RecvOpts::default()
                },
            ),
        };
        match r {
            Err(Errno::EAGAIN) if !st.data.is_empty() => {}
            Err(e) => return Err(e),
            Ok(()) => {}
        }
        buf[..st.data.len()].copy_from_slice(&st.data);
        Ok(st.data.len())
    }

    /// `write(2)`: a send without flags or ancillary data that never waits.
    fn write(&self, data: &[u8], _nonblock: bool) -> KResult<usize> {
        let mut anc = Ancillary::default();
        match self.sock.ty() {
            SockType::Stream => self.sock.stream_send(data, &mut anc, &self.caller),
            _ => {
                self.sock.dgram_precheck(data.len())?;
                self.sock.dgram_send(None, data, &mut anc, &self.caller)
            }
        }
    }

    fn readable_bytes(&self) -> KResult<u64> {
        self.sock.inq().map(|n| n as u64)
    }

    fn ioctl(&self, _file: &OpenFile, task: &mut Task, cmd: u32, arg: u64) -> KResult<u64> {
        let n = match cmd {
            FIONREAD => self.sock.inq()?,
            SIOCOUTQ => self.sock.outq(),
            _ => return Err(Errno::ENOTTY),
        };
        task.mm()
            .write_val(arg, &(n.min(i32::MAX as usize) as i32))
            .map(|_| 0)
    }

    fn poll(&self, events: u32) -> u32 {
        self.sock.poll(events)
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(self.sock.queue())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
