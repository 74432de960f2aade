//! The `AF_UNIX` socket object: its state, naming (`bind`, autobind), connection set-up
//! (`listen`, `connect`, `accept`, `socketpair`), `shutdown`, release, and readiness.
//! The data paths live in `stream.rs` (byte streams) and `dgram.rs` (datagrams, seqpacket).
//!
//! Locking: each socket has one state lock. Code holds at most one of them at a time, except
//! [`lock_two`], which takes two in address order. Wait queues are notified, and queued
//! messages (which may hold open files, and whose drop notifies their sender) are dropped, only
//! after every lock is released: a woken epoll instance may poll the socket from its wake-up.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::abi::Ucred;
use super::addr::UnixAddr;
use super::ns::{Binding, Namespace};
use super::*;
use crate::errno::{Errno, KResult};
use crate::fd::OpenFile;
use crate::vfs::Resolver;
use crate::wait::WaitQueue;

/// `RCV_SHUTDOWN`: no more receiving.
pub(crate) const RCV_SHUTDOWN: u8 = 1;
/// `SEND_SHUTDOWN`: no more sending.
pub(crate) const SEND_SHUTDOWN: u8 = 2;
/// Both directions.
pub(crate) const SHUTDOWN_MASK: u8 = 3;

/// What a queued message costs its sender beyond its bytes (Linux charges the `sk_buff`
/// and its shared info to the sender's `sk_wmem_alloc`).
const MSG_OVERHEAD: usize = 576;
/// `net.unix.max_dgram_qlen`: datagrams a receiver queues from senders it is not connected to.
pub(crate) const MAX_DGRAM_QLEN: usize = 10;

/// Connection state (`sk_state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Conn {
    /// Unconnected (`TCP_CLOSE`).
    Closed,
    /// Accepting connections (`TCP_LISTEN`).
    Listening,
    /// Connected (`TCP_ESTABLISHED`); for datagram sockets, a default peer is set.
    Connected,
}

/// A message in a receive queue: a datagram, or one chunk of a stream.
pub(crate) struct Msg {
    /// The bytes.
    pub data: Vec<u8>,
    /// How many a stream reader already consumed.
    pub off: usize,
    /// The sender's name at send time (what `recvfrom` reports).
    pub from: Option<UnixAddr>,
    /// Attached credentials (`None`: sent without, reported as the overflow ids).
    pub creds: Option<Ucred>,
    /// Open files passed with `SCM_RIGHTS`.
    pub rights: Vec<Arc<OpenFile>>,
    sender: Weak<UnixSocket>,
    charge: usize,
}

impl Msg {
    /// A message from `sender`, charged to its send buffer until the message is dropped.
    pub(crate) fn new(
        sender: &Arc<UnixSocket>,
        data: Vec<u8>,
        from: Option<UnixAddr>,
        creds: Option<Ucred>,
        rights: Vec<Arc<OpenFile>>,
    ) -> Msg {
        let charge = data.len() + MSG_OVERHEAD;
        sender.wmem.fetch_add(charge, Ordering::Relaxed);
        Msg {
            data,
            off: 0,
            from,
            creds,
            rights,
            sender: Arc::downgrade(sender),
            charge,
        }
    }

    /// A message put back at the front of a queue after a failed delivery; nobody is charged
    /// for it any more.
    pub(crate) fn requeued(
        data: Vec<u8>,
        from: Option<UnixAddr>,
        creds: Option<Ucred>,
        rights: Vec<Arc<OpenFile>>,
    ) -> Msg {
        Msg {
            data,
            off: 0,
            from,
            creds,
            rights,
            sender: Weak::new(),
            charge: 0,
        }
    }

    /// Unread bytes.
    pub(crate) fn remaining(&self) -> usize {
        self.data.len() - self.off
    }
}

impl Drop for Msg {
    // Dropped with no socket lock held (see the module comment): the sender gets its
    // buffer space back and is told it may write again.
    fn drop(&mut self) {
        if let Some(s) = self.sender.upgrade() {
            s.wmem.fetch_sub(self.charge, Ordering::Relaxed);
            s.queue.notify(POLLOUT_EVENTS);
        }
    }
}

/// A receive-side wait bound (`SO_RCVTIMEO`/`SO_SNDTIMEO`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// Wait as long as it takes (the default).
    Forever,
    /// Give up with `EAGAIN` after this long (zero: never wait).
    After(std::time::Duration),
}

/// Socket options kept per socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SockOpts {
    /// `SO_SNDBUF` (as stored: twice what was asked).
    pub sndbuf: usize,
    /// `SO_RCVBUF`.
    pub rcvbuf: usize,
    /// `SO_PASSCRED`.
    pub passcred: bool,
    /// `SO_RCVTIMEO`.
    pub rcvtimeo: Timeout,
    /// `SO_SNDTIMEO`.
    pub sndtimeo: Timeout,
    /// `SO_RCVLOWAT`: bytes a stream read waits for.
    pub rcvlowat: i32,
    /// `SO_REUSEADDR`.
    pub reuseaddr: bool,
    /// `SO_KEEPALIVE`.
    pub keepalive: bool,
    /// `SO_BROADCAST`.
    pub broadcast: bool,
    /// `SO_DONTROUTE`.
    pub dontroute: bool,
    /// `SO_OOBINLINE`.
    pub oobinline: bool,
    /// `SO_LINGER`: (on, seconds).
    pub linger: (i32, i32),
}

impl Default for SockOpts {
    fn default() -> Self {
        SockOpts {
            sndbuf: WMEM_DEFAULT,
            rcvbuf: RMEM_DEFAULT,
            passcred: false,
            rcvtimeo: Timeout::Forever,
            sndtimeo: Timeout::Forever,
            rcvlowat: 1,
            reuseaddr: false,
            keepalive: false,
            broadcast: false,
            dontroute: false,
            oobinline: false,
            linger: (0, 0),
        }
    }
}

/// The mutable part of a socket.
pub(crate) struct State {
    pub conn: Conn,
    /// Stream/seqpacket: the other end. Datagram: the default destination.
    pub peer: Option<Arc<UnixSocket>>,
    /// The bound name.
    pub addr: Option<UnixAddr>,
    pub binding: Option<Binding>,
    /// Received messages.
    pub rx: VecDeque<Msg>,
    /// Listening: connections not yet accepted.
    pub pending: VecDeque<Arc<UnixSocket>>,
    /// `sk_max_ack_backlog`: the listen backlog, or the datagram queue limit.
    pub backlog: usize,
    /// `RCV_SHUTDOWN | SEND_SHUTDOWN` bits.
    pub shutdown: u8,
    /// A pending error (`SO_ERROR`), reported once.
    pub err: Option<Errno>,
    /// Released: its last descriptor closed (or an unaccepted connection dropped).
    pub dead: bool,
    /// `SO_PEERCRED`.
    pub peercred: Option<Ucred>,
    pub opts: SockOpts,
}

/// An `AF_UNIX` socket.
pub struct UnixSocket {
    ty: SockType,
    ns: Arc<Namespace>,
    state: Mutex<State>,
    /// Notified whenever readiness may have changed.
    pub(crate) queue: WaitQueue,
    /// Bytes (with overhead) this socket has queued at receivers, unread (`sk_wmem_alloc`).
    pub(crate) wmem: AtomicUsize,
}

/// Locks two distinct sockets in address order (so two threads never wait on each other).
pub(crate) fn lock_two<'a>(
    a: &'a UnixSocket,
    b: &'a UnixSocket,
) -> (MutexGuard<'a, State>, MutexGuard<'a, State>) {
    if (a as *const UnixSocket) < (b as *const UnixSocket) {
        let ga = a.lock();
        (ga, b.lock())
    } else {
        let gb = b.lock();
        (a.lock(), gb)
    }
}

impl UnixSocket {
    /// A fresh, unbound, unconnected socket of type `ty` in namespace `ns`.
    pub fn new(ty: SockType, ns: Arc<Namespace>) -> Arc<UnixSocket> {
        Arc::new(UnixSocket {
            ty,
            ns,
            state: Mutex::new(State {
                conn: Conn::Closed,
                peer: None,
                addr: None,
                binding: None,
                rx: VecDeque::new(),
                pending: VecDeque::new(),
                backlog: MAX_DGRAM_QLEN,
                shutdown: 0,
                err: None,
                dead: false,
                peercred: None,
                opts: SockOpts::default(),
            }),
            queue: WaitQueue::new(),
            wmem: AtomicUsize::new(0),
        })
    }

    /// `socketpair`: two sockets connected to each other, each with `caller` as peer.
    pub fn pair(
        ty: SockType,
        ns: Arc<Namespace>,
        caller: &Caller,
    ) -> (Arc<UnixSocket>, Arc<UnixSocket>) {
        let a = UnixSocket::new(ty, ns.clone());
        let b = UnixSocket::new(ty, ns);
        for (x, y) in [(&a, &b), (&b, &a)] {
            let mut s = x.lock();
            s.peer = Some(y.clone());
            s.conn = Conn::Connected;
            s.peercred = Some(caller.peercred());
        }
        (a, b)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The socket type.
    pub fn ty(&self) -> SockType {
        self.ty
    }

    /// The namespace the socket lives in.
    pub fn namespace(&self) -> &Arc<Namespace> {
        &self.ns
    }

    /// The queue notified when the socket's readiness changes.
    pub fn queue(&self) -> &WaitQueue {
        &self.queue
    }

    /// Whether the socket was released (closed).
    pub fn is_released(&self) -> bool {
        self.lock().dead
    }

    /// Whether the socket is connected (`EISCONN` decisions of the syscall layer).
    pub fn is_connected(&self) -> bool {
        self.lock().conn == Conn::Connected
    }

    /// Whether the socket listens (`SO_ACCEPTCONN`).
    pub fn is_listening(&self) -> bool {
        self.lock().conn == Conn::Listening
    }

    /// The options.
    pub fn opts(&self) -> SockOpts {
        self.lock().opts
    }

    /// Changes options; waiters are told, since a larger send buffer may make room.
    pub fn set_opts(&self, f: impl FnOnce(&mut SockOpts)) {
        f(&mut self.lock().opts);
        self.queue.notify(!0);
    }

    /// Takes the pending error (`SO_ERROR` reads and clears it).
    pub fn take_error(&self) -> Option<Errno> {
        self.lock().err.take()
    }

    /// `SO_PEERCRED`: the peer's identity when it connected (`socketpair`, `connect`), or the
    /// caller's own at `listen` for a listening socket.
    pub fn peer_cred(&self) -> Option<Ucred> {
        self.lock().peercred
    }

    /// The bound name (`getsockname`); `None` when unnamed.
    pub fn local_addr(&self) -> Option<UnixAddr> {
        self.lock().addr.clone()
    }

    /// The peer's name (`getpeername`): `ENOTCONN` without a peer, `None` for an unnamed one.
    pub fn peer_addr(&self) -> KResult<Option<UnixAddr>> {
        let peer = self.lock().peer.clone().ok_or(Errno::ENOTCONN)?;
        let addr = peer.lock().addr.clone();
        Ok(addr)
    }

    /// The connected peer (the default destination of a datagram socket), if any.
    pub fn peer(&self) -> Option<Arc<UnixSocket>> {
        self.lock().peer.clone()
    }

    /// Bytes `SIOCOUTQ` reports: queued at the receiver and not yet read.
    pub fn outq(&self) -> usize {
        self.wmem.load(Ordering::Relaxed)
    }

    /// `SIOCINQ`/`FIONREAD`: unread bytes for a stream or seqpacket socket, the next
    /// datagram's size for a datagram socket; `EINVAL` while listening.
    pub fn inq(&self) -> KResult<usize> {
        let s = self.lock();
        if s.conn == Conn::Listening {
            return Err(Errno::EINVAL);
        }
        Ok(match self.ty {
            SockType::Dgram => s.rx.front().map_or(0, |m| m.data.len()),
            _ => s.rx.iter().map(Msg::remaining).sum(),
        })
    }

    // ---- naming -------------------------------------------------------------------------

    /// Binds to abstract `name` (`EINVAL` if already bound, `EADDRINUSE` if taken).
    pub fn bind_abstract(self: &Arc<Self>, name: Vec<u8>) -> KResult<()> {
        let mut s = self.lock();
        if s.addr.is_some() {
            return Err(Errno::EINVAL);
        }
        let b = self.ns.bind_abstract(self.ty, name.clone(), self)?;
        s.addr = Some(UnixAddr::Abstract(name));
        s.binding = Some(b);
        Ok(())
    }

    /// Binds to filesystem `path` through `r` (relative to its cwd): creates the socket node
    /// (`EADDRINUSE` if the name exists; the walk's errors otherwise). A socket that is
    /// already bound removes the node again and fails with `EINVAL`, as Linux.
    pub fn bind_path(self: &Arc<Self>, r: &Resolver, path: &[u8]) -> KResult<()> {
        let loc = r.mksock(None, path, 0o777).map_err(|e| {
            if e == Errno::EEXIST {
                Errno::EADDRINUSE
            } else {
                e
            }
        })?;
        let mut s = self.lock();
        if s.addr.is_some() {
            drop(s);
            let _ = r.unlink(None, path);
            return Err(Errno::EINVAL);
        }
        let b = self.ns.bind_node(loc, self)?;
        s.addr = Some(UnixAddr::Path(path.to_vec()));
        s.binding = Some(b);
        Ok(())
    }

    /// Gives an unnamed socket a fresh abstract name (`bind` with only the family, or an
    /// implicit bind for `SO_PASSCRED` senders); a named socket keeps its name.
    pub fn autobind(self: &Arc<Self>) -> KResult<()> {
        let mut s = self.lock();
        if s.addr.is_some() {
            return Ok(());
        }
        let (b, addr) = self.ns.autobind(self.ty, self)?;
        s.addr = Some(addr);
        s.binding = Some(b);
        Ok(())
    }

    /// Autobinds if `SO_PASSCRED` is on and the socket is unnamed (Linux does this before
    /// `connect` and datagram sends so receivers can tell senders apart).
    pub fn autobind_for_passcred(self: &Arc<Self>) -> KResult<()> {
        let need = {
            let s = self.lock();
            s.opts.passcred && s.addr.is_none()
        };
        if need {
            self.autobind()?;
        }
        Ok(())
    }

    // ---- connections --------------------------------------------------------------------

    /// `listen`: `EOPNOTSUPP` for datagram sockets, `EINVAL` when unbound or connected.
    /// The backlog is capped at `somaxconn`; a negative one means the cap.
    pub fn listen(&self, backlog: i32, caller: &Caller) -> KResult<()> {
        if self.ty == SockType::Dgram {
            return Err(Errno::EOPNOTSUPP);
        }
        {
            let mut s = self.lock();
            if s.addr.is_none() {
                return Err(Errno::EINVAL);
            }
            if s.conn == Conn::Connected {
                return Err(Errno::EINVAL);
            }
            s.backlog = (backlog as u32).min(SOMAXCONN) as usize;
            s.conn = Conn::Listening;
            s.peercred = Some(caller.peercred());
        }
        // A larger backlog may let blocked connectors in.
        self.queue.notify(!0);
        Ok(())
    }

    /// Stream/seqpacket `connect` to `listener` (found by the caller). Without room in the
    /// listener's backlog: `EAGAIN` (the syscall layer sleeps on the listener's queue when
    /// the socket blocks). `ECONNREFUSED` unless it listens; `EISCONN` if already connected.
    pub fn connect(self: &Arc<Self>, listener: &Arc<UnixSocket>, caller: &Caller) -> KResult<()> {
        if Arc::ptr_eq(self, listener) {
            // Linux refuses a self-connect: not listening, refused; listening, not CLOSE.
            return Err(if self.is_listening() {
                Errno::EINVAL
            } else {
                Errno::ECONNREFUSED
            });
        }
        {
            let (mut l, mut me) = lock_two(listener, self);
            if l.dead || l.conn != Conn::Listening || l.shutdown & RCV_SHUTDOWN != 0 {
                return Err(Errno::ECONNREFUSED);
            }
            if l.pending.len() > l.backlog {
                return Err(Errno::EAGAIN);
            }
            match me.conn {
                Conn::Closed => {}
                Conn::Connected => return Err(Errno::EISCONN),
                Conn::Listening => return Err(Errno::EINVAL),
            }
            // The server end exists from now on; `accept` only hands it out.
            let server = UnixSocket::new(self.ty, self.ns.clone());
            {
                let mut n = server.lock();
                n.conn = Conn::Connected;
                n.peer = Some(self.clone());
                n.peercred = Some(caller.peercred());
                n.addr = l.addr.clone();
                n.opts.passcred = l.opts.passcred;
            }
            me.peer = Some(server.clone());
            me.conn = Conn::Connected;
            me.peercred = l.peercred;
            l.pending.push_back(server);
        }
        listener.queue.notify(POLLIN_EVENTS);
        self.queue.notify(!0);
        Ok(())
    }

    /// `accept`: the oldest pending connection. `EOPNOTSUPP` for datagram sockets, `EINVAL`
    /// unless listening; `EAGAIN` when none is pending (after `shutdown`, a blocking accept
    /// gets `EINVAL` instead of sleeping, as Linux).
    pub fn accept(&self, block: bool) -> KResult<Arc<UnixSocket>> {
        if self.ty == SockType::Dgram {
            return Err(Errno::EOPNOTSUPP);
        }
        let got = {
            let mut s = self.lock();
            if s.conn != Conn::Listening {
                return Err(Errno::EINVAL);
            }
            if let Some(e) = s.err.take() {
                return Err(e);
            }
            match s.pending.pop_front() {
                Some(n) => n,
                None if block && s.shutdown & RCV_SHUTDOWN != 0 => return Err(Errno::EINVAL),
                None => return Err(Errno::EAGAIN),
            }
        };
        // Room in the backlog: blocked connectors may retry.
        self.queue.notify(!0);
        Ok(got)
    }

    /// `shutdown(how)`: `EINVAL` for `how` outside `SHUT_RD..=SHUT_RDWR`. A connected
    /// stream/seqpacket peer gets the mirrored bits. Never `ENOTCONN` for `AF_UNIX`.
    pub fn shutdown(&self, how: i32) -> KResult<()> {
        if !(SHUT_RD..=SHUT_RDWR).contains(&how) {
            return Err(Errno::EINVAL);
        }
        let mode = (how + 1) as u8;
        let peer = {
            let mut s = self.lock();
            s.shutdown |= mode;
            s.peer.clone()
        };
        self.queue.notify(!0);
        if let Some(p) = peer.filter(|_| self.ty != SockType::Dgram) {
            let mut peer_mode = 0;
            if mode & RCV_SHUTDOWN != 0 {
                peer_mode |= SEND_SHUTDOWN;
            }
            if mode & SEND_SHUTDOWN != 0 {
                peer_mode |= RCV_SHUTDOWN;
            }
            p.lock().shutdown |= peer_mode;
            p.queue.notify(!0);
        }
        Ok(())
    }

    /// Releases the socket: its last descriptor closed, or (`embryo`) a connection that was
    /// never accepted went away with its listener. A stream/seqpacket peer sees both
    /// directions shut and, when data was left unread here (or for an embryo),
    /// `ECONNRESET`. Pending connections of a listener are released in turn.
    pub fn release(self: &Arc<Self>, embryo: bool) {
        let (peer, rx, pending, binding) = {
            let mut s = self.lock();
            if s.dead {
                return;
            }
            s.dead = true;
            s.shutdown = SHUTDOWN_MASK;
            s.conn = Conn::Closed;
            (
                s.peer.take(),
                std::mem::take(&mut s.rx),
                std::mem::take(&mut s.pending),
                s.binding.take(),
            )
        };
        if let Some(b) = &binding {
            self.ns.unbind(b, self);
        }
        self.queue.notify(!0);
        if let Some(p) = peer {
            if self.ty != SockType::Dgram {
                {
                    let mut ps = p.lock();
                    ps.shutdown = SHUTDOWN_MASK;
                    if !rx.is_empty() || embryo {
                        ps.err = Some(Errno::ECONNRESET);
                    }
                }
                p.queue.notify(!0);
            }
        }
        for n in pending {
            n.release(true);
        }
        // Dropping the messages returns their senders' buffer space and closes passed files.
        drop(rx);
    }

    // ---- readiness ----------------------------------------------------------------------

    /// Readiness for `poll`: Linux's `unix_poll` (stream) and `unix_dgram_poll` (datagram,
    /// seqpacket). `POLLHUP` and `POLLERR` are reported whether asked for or not.
    pub fn poll(&self, events: u32) -> u32 {
        let (mask, peer, conn) = {
            let s = self.lock();
            let mut m = 0;
            if s.err.is_some() {
                m |= POLLERR;
            }
            if s.shutdown == SHUTDOWN_MASK {
                m |= POLLHUP;
            }
            if s.shutdown & RCV_SHUTDOWN != 0 {
                m |= POLLRDHUP | POLLIN | POLLRDNORM;
            }
            if !s.rx.is_empty() || !s.pending.is_empty() {
                m |= POLLIN | POLLRDNORM;
            }
            if self.ty != SockType::Dgram && s.conn == Conn::Closed {
                m |= POLLHUP;
            }
            let writable =
                s.conn != Conn::Listening && self.wmem.load(Ordering::Relaxed) * 4 <= s.opts.sndbuf;
            if writable {
                m |= POLLOUT | POLLWRNORM | POLLWRBAND;
            }
            (m, s.peer.clone(), s.conn)
        };
        let mut mask = mask;
        // A datagram socket connected to a receiver that is not connected back cannot write
        // while that receiver's queue is full.
        if self.ty != SockType::Stream && mask & POLLOUT != 0 && conn == Conn::Connected {
            if let Some(p) = peer {
                let full = {
                    let ps = p.lock();
                    let back = ps.peer.as_ref().is_some_and(|b| std::ptr::eq(&**b, self));
                    !ps.dead && !back && ps.rx.len() > ps.backlog
                };
                if full {
                    mask &= !(POLLOUT | POLLWRNORM | POLLWRBAND);
                }
            }
        }
        mask & (events | POLLERR | POLLHUP)
    }
}
