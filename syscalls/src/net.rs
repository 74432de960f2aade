//! The socket family: `socket`, `socketpair`, `bind`, `listen`, `accept*`, `connect`,
//! `get{sock,peer}name`, `send*`/`recv*` (with `SCM_RIGHTS` and `SCM_CREDENTIALS`) and
//! `shutdown`, over the kernel's own `AF_UNIX` sockets (`sbx_kernel::socket`). Socket options
//! live in `sockopt.rs`. Other families are `EAFNOSUPPORT`: networking is not there yet.
//!
//! Kernel socket calls never wait; blocking calls sleep here with `Task::block_on` on the
//! socket's queue, bounded by `SO_RCVTIMEO`/`SO_SNDTIMEO` (`EAGAIN` when it passes).

use std::sync::Arc;
use std::time::Instant;

use sbx_kernel::fd::{OpenFile, MAX_RW_COUNT};
use sbx_kernel::signal::Signal;
use sbx_kernel::socket::abi::{self, Cmsghdr, Mmsghdr, Msghdr, Ucred};
use sbx_kernel::socket::addr::{self, SOCKADDR_STORAGE_SIZE};
use sbx_kernel::socket::*;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::{Cx, Resolver};
use sbx_kernel::{Errno, KResult};

use crate::file::{access_ok, check_fd_room, get_file, install_fd, read_iovecs, GuestIov};
use crate::identity::capable;
use crate::util::Timespec;
use crate::TableBuilder;

/// What every socket call shares: the family gap and the credential limits.
const SOCKETS: &str = "AF_UNIX only (AF_INET/AF_INET6 and others are EAFNOSUPPORT until \
    networking lands); MSG_OOB is not supported";

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("socket", sys_socket, Support::Partial(SOCKETS));
    b.add("socketpair", sys_socketpair, Support::Partial(SOCKETS));
    b.add("bind", sys_bind, Support::Partial(SOCKETS));
    b.add("listen", sys_listen, Support::Partial(SOCKETS));
    b.add("accept", sys_accept, Support::Partial(SOCKETS));
    b.add("accept4", sys_accept4, Support::Partial(SOCKETS));
    b.add("connect", sys_connect, Support::Partial(SOCKETS));
    b.add("getsockname", sys_getsockname, Support::Partial(SOCKETS));
    b.add("getpeername", sys_getpeername, Support::Partial(SOCKETS));
    b.add("sendto", sys_sendto, Support::Partial(SOCKETS));
    b.add("recvfrom", sys_recvfrom, Support::Partial(SOCKETS));
    b.add(
        "sendmsg",
        sys_sendmsg,
        Support::Partial(
            "AF_UNIX only; SCM_RIGHTS and SCM_CREDENTIALS (another pid needs CAP_SYS_ADMIN, \
             which sandboxes lack); no in-flight socket garbage collection; no MSG_OOB",
        ),
    );
    b.add(
        "recvmsg",
        sys_recvmsg,
        Support::Partial("AF_UNIX only; SCM_RIGHTS, SCM_CREDENTIALS; no MSG_OOB or SCM_INQ"),
    );
    b.add(
        "sendmmsg",
        sys_sendmmsg,
        Support::Partial("AF_UNIX only; as sendmsg per message"),
    );
    b.add(
        "recvmmsg",
        sys_recvmmsg,
        Support::Partial(
            "AF_UNIX only; the timeout is checked between messages, as Linux; an error after \
             the first message is not kept for the next call",
        ),
    );
    b.add("shutdown", sys_shutdown, Support::Partial(SOCKETS));
    crate::sockopt::register(b);
}

// ---- helpers --------------------------------------------------------------------------

/// The description and socket behind `fd`: `EBADF`, or `ENOTSOCK` for other files.
pub(crate) fn sock_fd(task: &Task, fd: i32) -> KResult<(Arc<OpenFile>, Arc<UnixSocket>)> {
    let file = get_file(task, fd)?;
    let sock = socket_of(&file)?;
    Ok((file, sock))
}

/// Runs `f` with a resolver for the task's root, cwd, umask and filesystem identity.
fn with_resolver<R>(task: &Task, f: impl FnOnce(&Resolver) -> KResult<R>) -> KResult<R> {
    let ctx = task.fs().clone();
    let cred = task.fs_cred();
    let r = Resolver::new(&task.kernel.vfs, &ctx, &cred, Cx { proc: Some(task) });
    f(&r)
}

/// The socket of type `ty` reachable at `addr` for `task` (path lookups are relative to its
/// cwd and checked against its identity).
fn lookup(task: &Task, ty: SockType, addr: &UnixAddr) -> KResult<Arc<UnixSocket>> {
    let ns = Namespace::of(&task.kernel);
    with_resolver(task, |r| ns.find(r, addr, ty))
}

/// Linux's `move_addr_to_kernel`: `EINVAL` for a length outside `0..=128`, `EFAULT` for an
/// unreadable buffer.
fn read_addr(task: &Task, addr: u64, len: i64) -> KResult<Vec<u8>> {
    if !(0..=SOCKADDR_STORAGE_SIZE as i64).contains(&len) {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; len as usize];
    if len > 0 {
        task.mm().copy_in(addr, &mut raw)?;
    }
    Ok(raw)
}

/// Linux's `move_addr_to_user`: copies as much of `bytes` as the caller's `*ulen` allows and
/// stores the full length there (`EINVAL` for a negative `*ulen`).
fn put_addr(task: &Task, uaddr: u64, ulen: u64, bytes: &[u8]) -> KResult<()> {
    let len: i32 = task.mm().read_val(ulen)?;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    let n = (len as usize).min(bytes.len());
    if n > 0 {
        task.mm().copy_out(uaddr, &bytes[..n])?;
    }
    task.mm().write_val(ulen, &(bytes.len() as i32))
}

/// The `sockaddr` bytes for an optional name (an unnamed socket is the family alone).
fn name_bytes(a: Option<UnixAddr>) -> Vec<u8> {
    a.map_or_else(addr::unnamed, |a| a.to_bytes())
}

/// When a wait bounded by `t` ends, and whether the call must not wait at all.
fn bound(t: Timeout) -> (bool, Option<Instant>) {
    match t {
        Timeout::Forever => (false, None),
        Timeout::After(d) if d.is_zero() => (true, None),
        Timeout::After(d) => (false, Instant::now().checked_add(d)),
    }
}

/// A wait's outcome as the socket calls report it: a passed timeout is `EAGAIN`; a signal
/// during a bounded wait is `EINTR` (`sock_intr_errno`), otherwise a restart.
fn after_wait<T>(r: KResult<T>, t: Timeout) -> KResult<T> {
    match r {
        Err(Errno::ETIMEDOUT) => Err(Errno::EAGAIN),
        Err(Errno::ERESTARTSYS) if t != Timeout::Forever => Err(Errno::EINTR),
        other => other,
    }
}

/// Runs `op` once when `nonblock`, else until it stops saying `EAGAIN`, sleeping on `queues`
/// until `t` passes.
fn wait_for<T>(
    task: &mut Task,
    queues: &[&sbx_kernel::wait::WaitQueue],
    nonblock: bool,
    t: Timeout,
    mut op: impl FnMut(&mut Task) -> KResult<T>,
) -> KResult<T> {
    let (never, deadline) = bound(t);
    if nonblock || never {
        return op(task);
    }
    let qs: Vec<_> = queues.iter().map(|q| (*q, !0u32)).collect();
    after_wait(task.block_on(&qs, deadline, op), t)
}

// ---- creation -------------------------------------------------------------------------

/// Splits `socket`'s type argument and checks family, type and protocol in Linux's order.
fn check_create(domain: i32, ty: i32, protocol: i32) -> KResult<(SockType, i32)> {
    let flags = ty & !SOCK_TYPE_MASK;
    if flags & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let ty = ty & SOCK_TYPE_MASK;
    if !(0..AF_MAX).contains(&domain) {
        return Err(Errno::EAFNOSUPPORT);
    }
    if ty >= SOCK_MAX {
        return Err(Errno::EINVAL);
    }
    if domain != AF_UNIX {
        return Err(Errno::EAFNOSUPPORT);
    }
    if protocol != 0 && protocol != AF_UNIX {
        return Err(Errno::EPROTONOSUPPORT);
    }
    Ok((SockType::from_raw(ty)?, flags))
}

fn sys_socket(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (ty, flags) = check_create(a.i32(0), a.i32(1), a.i32(2))?;
    let sock = UnixSocket::new(ty, Namespace::of(&task.kernel));
    let file = socket_file(sock, Caller::of(task), flags & SOCK_NONBLOCK != 0);
    install_fd(task, file, flags & SOCK_CLOEXEC != 0)
}

fn sys_socketpair(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (ty, flags) = check_create(a.i32(0), a.i32(1), a.i32(2))?;
    let sv = a.u(3);
    // Check the destination first so a bad pointer leaks no descriptors.
    task.mm().write_val(sv, &[0i32; 2])?;
    let caller = Caller::of(task);
    let (x, y) = UnixSocket::pair(ty, Namespace::of(&task.kernel), &caller);
    let nonblock = flags & SOCK_NONBLOCK != 0;
    let cloexec = flags & SOCK_CLOEXEC != 0;
    let fx = install_fd(task, socket_file(x, caller, nonblock), cloexec)?;
    let fy = match install_fd(task, socket_file(y, caller, nonblock), cloexec) {
        Ok(fd) => fd,
        Err(e) => {
            let _ = task.files().remove(fx as i32);
            return Err(e);
        }
    };
    if let Err(e) = task.mm().write_val(sv, &[fx as i32, fy as i32]) {
        let mut files = task.files();
        let _ = files.remove(fx as i32);
        let _ = files.remove(fy as i32);
        return Err(e);
    }
    Ok(0)
}

// ---- naming and connections -----------------------------------------------------------

fn sys_bind(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (_, sock) = sock_fd(task, a.i32(0))?;
    let raw = read_addr(task, a.u(1), i64::from(a.i32(2)))?;
    if raw.len() == addr::SUN_PATH_OFFSET && addr::family(&raw) == Some(AF_UNIX as u16) {
        sock.autobind()?;
        return Ok(0);
    }
    match UnixAddr::parse(&raw)? {
        UnixAddr::Abstract(name) => sock.bind_abstract(name)?,
        UnixAddr::Path(path) => with_resolver(task, |r| sock.bind_path(r, &path))?,
    }
    Ok(0)
}

fn sys_listen(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (_, sock) = sock_fd(task, a.i32(0))?;
    sock.listen(a.i32(1), &Caller::of(task)).map(|_| 0)
}

fn sys_connect(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (file, sock) = sock_fd(task, a.i32(0))?;
    let raw = read_addr(task, a.u(1), i64::from(a.i32(2)))?;
    if sock.ty() == SockType::Dgram {
        if raw.len() < 2 {
            return Err(Errno::EINVAL);
        }
        if addr::family(&raw) == Some(AF_UNSPEC as u16) {
            return sock.dgram_connect(None).map(|_| 0);
        }
        let target = UnixAddr::parse(&raw)?;
        sock.autobind_for_passcred()?;
        let other = lookup(task, SockType::Dgram, &target)?;
        return sock.dgram_connect(Some(other)).map(|_| 0);
    }
    let target = UnixAddr::parse(&raw)?;
    sock.autobind_for_passcred()?;
    let caller = Caller::of(task);
    let listener = lookup(task, sock.ty(), &target)?;
    let t = sock.opts().sndtimeo;
    wait_for(
        task,
        &[listener.queue(), sock.queue()],
        file.nonblocking(),
        t,
        |_| sock.connect(&listener, &caller),
    )?;
    Ok(0)
}

fn do_accept(task: &mut Task, a: &SyscallArgs, flags: i32) -> KResult<u64> {
    if flags & !(SOCK_CLOEXEC | SOCK_NONBLOCK) != 0 {
        return Err(Errno::EINVAL);
    }
    let (file, sock) = sock_fd(task, a.i32(0))?;
    // A connection is only taken once a descriptor is sure to be free.
    check_fd_room(task)?;
    let t = sock.opts().rcvtimeo;
    let nonblock = file.nonblocking();
    let new = wait_for(task, &[sock.queue()], nonblock, t, |_| {
        sock.accept(!nonblock)
    })?;
    let (uaddr, ulen) = (a.u(1), a.u(2));
    let peer = new.peer_addr().map_err(|_| Errno::ECONNABORTED);
    let newfile = socket_file(new, Caller::of(task), flags & SOCK_NONBLOCK != 0);
    if uaddr != 0 {
        // On a bad address the connection is lost, as in Linux.
        put_addr(task, uaddr, ulen, &name_bytes(peer?))?;
    }
    install_fd(task, newfile, flags & SOCK_CLOEXEC != 0)
}

fn sys_accept(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_accept(task, a, 0)
}

fn sys_accept4(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    do_accept(task, a, a.i32(3))
}

fn sys_getsockname(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (_, sock) = sock_fd(task, a.i32(0))?;
    put_addr(task, a.u(1), a.u(2), &name_bytes(sock.local_addr())).map(|_| 0)
}

fn sys_getpeername(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (_, sock) = sock_fd(task, a.i32(0))?;
    let peer = sock.peer_addr()?;
    put_addr(task, a.u(1), a.u(2), &name_bytes(peer)).map(|_| 0)
}

fn sys_shutdown(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (_, sock) = sock_fd(task, a.i32(0))?;
    sock.shutdown(a.i32(1)).map(|_| 0)
}

// ---- ancillary data -------------------------------------------------------------------

/// `net.core.optmem_max`: the largest control buffer `sendmsg` accepts (`ENOBUFS`).
const OPTMEM_MAX: u64 = 131_072;
/// `CAP_SYS_ADMIN`: credentials naming another pid.
const CAP_SYS_ADMIN: u32 = 21;

/// Linux's `scm_check_creds`: ids must be valid (`EINVAL`); the pid must be the caller's
/// unless `CAP_SYS_ADMIN`, the ids among its real/effective/saved ones unless
/// `CAP_SETUID`/`CAP_SETGID` (`EPERM`).
fn check_creds(task: &Task, c: &Ucred) -> KResult<()> {
    if c.uid == u32::MAX || c.gid == u32::MAX {
        return Err(Errno::EINVAL);
    }
    let ids = task.process.state().creds;
    let pid_ok = c.pid == task.process.pid || capable(task, CAP_SYS_ADMIN);
    let uid_ok = [ids.uid, ids.euid, ids.suid].contains(&c.uid)
        || capable(task, crate::identity::CAP_SETUID);
    let gid_ok = [ids.gid, ids.egid, ids.sgid].contains(&c.gid)
        || capable(task, crate::identity::CAP_SETGID);
    if pid_ok && uid_ok && gid_ok {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

/// Linux's `__scm_send`: walks the control messages. Each header must fit (`EINVAL`);
/// other levels are skipped; `SCM_RIGHTS` takes open descriptions (`EBADF`; at most
/// `SCM_MAX_FD` in all, `EINVAL`); `SCM_CREDENTIALS` must be exactly one `ucred` and pass
/// [`check_creds`]; any other `SOL_SOCKET` type is `EINVAL`.
fn parse_control(task: &Task, ctl: &[u8]) -> KResult<Ancillary> {
    let mut anc = Ancillary::default();
    let mut off = 0usize;
    while ctl.len() - off >= abi::CMSG_HDR {
        let h: Cmsghdr = bytemuck::pod_read_unaligned(&ctl[off..off + abi::CMSG_HDR]);
        let len = usize::try_from(h.len).unwrap_or(usize::MAX);
        if len < abi::CMSG_HDR || len > ctl.len() - off {
            return Err(Errno::EINVAL);
        }
        let data = &ctl[off + abi::CMSG_HDR..off + len];
        if h.level == SOL_SOCKET {
            match h.ty {
                SCM_RIGHTS => {
                    let n = data.len() / 4;
                    if anc.rights.len() + n > SCM_MAX_FD {
                        return Err(Errno::EINVAL);
                    }
                    for c in data.chunks_exact(4) {
                        let fd = i32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
                        anc.rights.push(get_file(task, fd)?);
                    }
                }
                SCM_CREDENTIALS => {
                    if len != abi::cmsg_len(std::mem::size_of::<Ucred>()) {
                        return Err(Errno::EINVAL);
                    }
                    let c: Ucred = bytemuck::pod_read_unaligned(data);
                    check_creds(task, &c)?;
                    anc.creds = Some(c);
                }
                _ => return Err(Errno::EINVAL),
            }
        }
        // CMSG_NXTHDR: the next header must fit whole.
        off = match off.checked_add(abi::cmsg_align(len)) {
            Some(o) if o <= ctl.len() => o,
            _ => break,
        };
    }
    Ok(anc)
}

/// Fills a `recvmsg` control buffer as `put_cmsg`/`scm_detach_fds` do, tracking how much
/// was used and whether anything was cut (`MSG_CTRUNC`).
struct CmsgOut {
    addr: u64,
    left: usize,
    used: usize,
    ctrunc: bool,
}

impl CmsgOut {
    fn advance(&mut self, space: usize) {
        let n = space.min(self.left);
        self.addr = self.addr.wrapping_add(n as u64);
        self.left -= n;
        self.used += n;
    }

    /// One control message; a short buffer gets what fits and `MSG_CTRUNC`.
    fn put(&mut self, task: &Task, level: i32, ty: i32, data: &[u8]) -> KResult<()> {
        if self.left < abi::CMSG_HDR {
            self.ctrunc = true;
            return Ok(());
        }
        let mut len = abi::cmsg_len(data.len());
        if self.left < len {
            self.ctrunc = true;
            len = self.left;
        }
        let mut bytes = bytemuck::bytes_of(&Cmsghdr {
            len: len as u64,
            level,
            ty,
        })
        .to_vec();
        bytes.extend_from_slice(&data[..len - abi::CMSG_HDR]);
        task.mm().copy_out(self.addr, &bytes)?;
        self.advance(abi::cmsg_space(data.len()));
        Ok(())
    }

    /// `SCM_RIGHTS`: installs as many files as the buffer has room for (the rest are closed,
    /// with `MSG_CTRUNC`).
    fn put_rights(&mut self, task: &Task, files: Vec<Arc<OpenFile>>, cloexec: bool) -> KResult<()> {
        let room = self.left.saturating_sub(abi::CMSG_HDR) / 4;
        let mut fds: Vec<i32> = Vec::new();
        let count = files.len();
        for f in files.into_iter().take(room) {
            match install_fd(task, f, cloexec) {
                Ok(fd) => fds.push(fd as i32),
                Err(_) => break,
            }
        }
        if fds.len() < count {
            self.ctrunc = true;
        }
        if fds.is_empty() {
            return Ok(());
        }
        let data: Vec<u8> = fds.iter().flat_map(|fd| fd.to_ne_bytes()).collect();
        let mut bytes = bytemuck::bytes_of(&Cmsghdr {
            len: abi::cmsg_len(data.len()) as u64,
            level: SOL_SOCKET,
            ty: SCM_RIGHTS,
        })
        .to_vec();
        bytes.extend_from_slice(&data);
        if let Err(e) = task.mm().copy_out(self.addr, &bytes) {
            // Nobody will learn these numbers: do not leave them open.
            let mut table = task.files();
            for fd in fds {
                let _ = table.remove(fd);
            }
            return Err(e);
        }
        self.advance(abi::cmsg_space(data.len()));
        Ok(())
    }
}

// ---- sending --------------------------------------------------------------------------

/// How much of a stream send is gathered from guest memory at a time.
const SEND_GATHER: usize = 64 * 1024;

/// Sends what `src` holds (to `to`, a raw `sockaddr`, when given) with control data `ctl`;
/// the common part of `sendto`, `sendmsg` and `sendmmsg`.
fn do_send(
    task: &mut Task,
    file: &OpenFile,
    sock: &Arc<UnixSocket>,
    mut src: GuestIov,
    to: Option<Vec<u8>>,
    ctl: &[u8],
    flags: u32,
) -> KResult<usize> {
    let mut anc = parse_control(task, ctl)?;
    if flags & MSG_OOB != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    let caller = Caller::of(task);
    let opts = sock.opts();
    let nonblock = flags & MSG_DONTWAIT != 0 || file.nonblocking();
    let t = opts.sndtimeo;
    let len = src.total();
    if sock.ty() == SockType::Stream {
        if to.is_some() {
            return Err(if sock.is_connected() {
                Errno::EISCONN
            } else {
                Errno::EOPNOTSUPP
            });
        }
        let r = stream_send_all(task, sock, &mut src, len, &mut anc, &caller, nonblock, t);
        if r == Err(Errno::EPIPE) && flags & MSG_NOSIGNAL == 0 {
            task.send_signal(Signal::SIGPIPE);
        }
        return r;
    }
    // Seqpacket ignores any address; a datagram address must be valid before anything else.
    let target = match to {
        Some(raw) if sock.ty() == SockType::Dgram => Some(UnixAddr::parse(&raw)?),
        _ => None,
    };
    wait_for(task, &[sock.queue()], nonblock, t, |_| {
        sock.dgram_precheck(len)
    })?;
    let mut data = vec![0u8; len];
    if src.take(task, &mut data) < len {
        return Err(Errno::EFAULT);
    }
    let dest = match &target {
        Some(a) => Some(lookup(task, SockType::Dgram, a)?),
        None => None,
    };
    let other = dest.clone().or_else(|| sock.peer());
    let mut queues = vec![sock.queue()];
    if let Some(o) = &other {
        queues.push(o.queue());
    }
    wait_for(task, &queues, nonblock, t, |_| {
        sock.dgram_send(dest.as_ref(), &data, &mut anc, &caller)
    })
}

/// A stream send: chunks gathered from `src`, each queued as room allows; a blocking send
/// waits until all is queued, returning what was sent when interrupted or timed out.
#[allow(clippy::too_many_arguments)]
fn stream_send_all(
    task: &mut Task,
    sock: &Arc<UnixSocket>,
    src: &mut GuestIov,
    len: usize,
    anc: &mut Ancillary,
    caller: &Caller,
    nonblock: bool,
    t: Timeout,
) -> KResult<usize> {
    let mut sent = 0usize;
    let mut buf = vec![0u8; len.min(SEND_GATHER)];
    loop {
        let want = (len - sent).min(SEND_GATHER);
        src.seek(sent);
        let got = src.take(task, &mut buf[..want]);
        if got == 0 && want > 0 {
            return if sent > 0 {
                Ok(sent)
            } else {
                Err(Errno::EFAULT)
            };
        }
        let chunk = &buf[..got];
        let r = wait_for(task, &[sock.queue()], nonblock, t, |_| {
            sock.stream_send(chunk, anc, caller)
        });
        match r {
            Ok(n) => {
                sent += n;
                if sent >= len || got < want || (nonblock && n < got) {
                    return Ok(sent);
                }
            }
            Err(_) if sent > 0 => return Ok(sent),
            Err(e) => return Err(e),
        }
    }
}

fn sys_sendto(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (file, sock) = sock_fd(task, a.i32(0))?;
    let (buf, len, flags) = (a.u(1), a.u(2).min(MAX_RW_COUNT as u64), a.u32(3));
    access_ok(buf, len)?;
    let addrlen = a.i32(5);
    let to = if a.u(4) != 0 && addrlen != 0 {
        Some(read_addr(task, a.u(4), i64::from(addrlen))?)
    } else if a.u(4) != 0 && addrlen < 0 {
        return Err(Errno::EINVAL);
    } else {
        None
    };
    let src = GuestIov::single(buf, len as usize);
    do_send(task, &file, &sock, src, to, &[], flags).map(|n| n as u64)
}

/// Reads a `msghdr` as `copy_msghdr_from_user` does: the name length must not be negative
/// (`EINVAL`) and is capped at `sockaddr_storage`; more than `UIO_MAXIOV` buffers is
/// `EMSGSIZE`.
fn read_msghdr(task: &Task, addr: u64) -> KResult<(Msghdr, GuestIov)> {
    let mut h: Msghdr = task.mm().read_val(addr)?;
    if h.name == 0 {
        h.namelen = 0;
    }
    if h.namelen < 0 {
        return Err(Errno::EINVAL);
    }
    h.namelen = h.namelen.min(SOCKADDR_STORAGE_SIZE as i32);
    if h.iovlen > 1024 {
        return Err(Errno::EMSGSIZE);
    }
    let iov = read_iovecs(task, h.iov, h.iovlen as i32)?;
    Ok((h, iov))
}

/// One `sendmsg` on `msg_addr`.
fn sendmsg_one(
    task: &mut Task,
    file: &OpenFile,
    sock: &Arc<UnixSocket>,
    msg_addr: u64,
    flags: u32,
) -> KResult<usize> {
    let (h, iov) = read_msghdr(task, msg_addr)?;
    let to = if h.namelen > 0 {
        Some(read_addr(task, h.name, i64::from(h.namelen))?)
    } else {
        None
    };
    if h.controllen > i32::MAX as u64 || h.controllen > OPTMEM_MAX {
        return Err(Errno::ENOBUFS);
    }
    let mut ctl = vec![0u8; h.controllen as usize];
    if !ctl.is_empty() {
        task.mm().copy_in(h.control, &mut ctl)?;
    }
    do_send(task, file, sock, iov, to, &ctl, flags)
}

fn sys_sendmsg(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(2);
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let (file, sock) = sock_fd(task, a.i32(0))?;
    sendmsg_one(task, &file, &sock, a.u(1), flags).map(|n| n as u64)
}

/// Offset of `msg_len` in `struct mmsghdr`.
const MMSG_LEN_OFF: u64 = std::mem::size_of::<Msghdr>() as u64;
/// Size of `struct mmsghdr`.
const MMSG_SIZE: u64 = std::mem::size_of::<Mmsghdr>() as u64;

fn sys_sendmmsg(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(3);
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let (file, sock) = sock_fd(task, a.i32(0))?;
    let (vec, vlen) = (a.u(1), a.u32(2).min(1024) as u64);
    let mut done = 0u64;
    while done < vlen {
        let entry = vec.wrapping_add(done * MMSG_SIZE);
        let r = sendmsg_one(task, &file, &sock, entry, flags).and_then(|n| {
            task.mm()
                .write_val(entry.wrapping_add(MMSG_LEN_OFF), &(n as u32))
        });
        match r {
            Ok(()) => done += 1,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
    }
    Ok(done)
}

// ---- receiving ------------------------------------------------------------------------

/// What a receive produced besides the bytes copied.
struct Received {
    /// The return value: bytes copied (or a datagram's full length with `MSG_TRUNC`).
    ret: usize,
    /// The sender's name (`None`: no name to report, `msg_namelen` 0).
    from: Option<UnixAddr>,
    /// `msg_flags`.
    flags: u32,
    /// Control bytes used.
    ctl_used: usize,
}

/// Receives into `dst` (and the control buffer `ctl` = (address, length), when given); the
/// common part of `recvfrom`, `recvmsg` and `recvmmsg`.
fn do_recv(
    task: &mut Task,
    file: &OpenFile,
    sock: &Arc<UnixSocket>,
    mut dst: GuestIov,
    flags: u32,
    ctl: Option<(u64, usize)>,
) -> KResult<Received> {
    let stream = sock.ty() == SockType::Stream;
    if flags & MSG_OOB != 0 {
        // No out-of-band byte is ever pending: Linux says EINVAL for streams.
        return Err(if stream {
            Errno::EINVAL
        } else {
            Errno::EOPNOTSUPP
        });
    }
    let opts = sock.opts();
    let t = opts.rcvtimeo;
    let nonblock = flags & MSG_DONTWAIT != 0 || file.nonblocking() || bound(t).0;
    let peek = flags & MSG_PEEK != 0;
    let want = dst.total();
    let target = if flags & MSG_WAITALL != 0 && !peek {
        want
    } else {
        (opts.rcvlowat.max(1) as usize).min(want)
    };
    let o = RecvOpts {
        peek,
        target,
        block: !nonblock,
    };
    let mut st = RecvState::default();
    let r = wait_for(task, &[sock.queue()], nonblock, t, |_| {
        if stream {
            sock.stream_recv(&mut st, want, o)
        } else {
            sock.dgram_recv(&mut st, want, o)
        }
    });
    match r {
        Ok(()) => {}
        // A stream read that gathered something returns it, whatever ended the wait.
        Err(_) if stream && !st.data.is_empty() => {}
        Err(e) => return Err(e),
    }
    let copied = dst.put(task, &st.data);
    if copied < st.data.len() {
        if stream && !peek {
            sock.stream_unread(&mut st, copied);
        }
        if copied == 0 {
            return Err(Errno::EFAULT);
        }
    }
    let mut out_flags = flags & MSG_CMSG_CLOEXEC;
    if st.truncated {
        out_flags |= MSG_TRUNC;
    }
    let mut used = 0;
    match ctl {
        Some((addr, len)) if addr != 0 => {
            let mut c = CmsgOut {
                addr,
                left: len,
                used: 0,
                ctrunc: false,
            };
            if let Some(cr) = st.creds {
                c.put(task, SOL_SOCKET, SCM_CREDENTIALS, bytemuck::bytes_of(&cr))?;
            }
            if !st.rights.is_empty() {
                let rights = std::mem::take(&mut st.rights);
                c.put_rights(task, rights, flags & MSG_CMSG_CLOEXEC != 0)?;
            }
            if c.ctrunc {
                out_flags |= MSG_CTRUNC;
            }
            used = c.used;
        }
        _ => {
            // No control buffer: credentials and files are lost, and the caller is told.
            if st.creds.is_some() || !st.rights.is_empty() {
                out_flags |= MSG_CTRUNC;
            }
        }
    }
    let ret = if !stream && flags & MSG_TRUNC != 0 {
        st.msg_len
    } else {
        copied
    };
    Ok(Received {
        ret,
        from: st.from,
        flags: out_flags,
        ctl_used: used,
    })
}

fn sys_recvfrom(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (file, sock) = sock_fd(task, a.i32(0))?;
    let (buf, len, flags) = (a.u(1), a.u(2).min(MAX_RW_COUNT as u64), a.u32(3));
    access_ok(buf, len)?;
    let dst = GuestIov::single(buf, len as usize);
    let r = do_recv(task, &file, &sock, dst, flags, None)?;
    if a.u(4) != 0 {
        let name = r.from.map(|f| f.to_bytes()).unwrap_or_default();
        put_addr(task, a.u(4), a.u(5), &name)?;
    }
    Ok(r.ret as u64)
}

/// Offsets of the `msghdr` fields `recvmsg` writes back.
const MSG_NAMELEN_OFF: u64 = 8;
const MSG_CONTROLLEN_OFF: u64 = 40;
const MSG_FLAGS_OFF: u64 = 48;

/// One `recvmsg` on `msg_addr`.
fn recvmsg_one(
    task: &mut Task,
    file: &OpenFile,
    sock: &Arc<UnixSocket>,
    msg_addr: u64,
    flags: u32,
) -> KResult<usize> {
    let (h, iov) = read_msghdr(task, msg_addr)?;
    let ctl_len = h.controllen.min(i32::MAX as u64) as usize;
    let r = do_recv(task, file, sock, iov, flags, Some((h.control, ctl_len)))?;
    if h.name != 0 {
        let name = r.from.map(|f| f.to_bytes()).unwrap_or_default();
        put_addr(task, h.name, msg_addr.wrapping_add(MSG_NAMELEN_OFF), &name)?;
    }
    let mut mm = task.mm();
    mm.write_val(msg_addr.wrapping_add(MSG_FLAGS_OFF), &r.flags)?;
    mm.write_val(
        msg_addr.wrapping_add(MSG_CONTROLLEN_OFF),
        &(r.ctl_used as u64),
    )?;
    Ok(r.ret)
}

fn sys_recvmsg(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(2);
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let (file, sock) = sock_fd(task, a.i32(0))?;
    recvmsg_one(task, &file, &sock, a.u(1), flags).map(|n| n as u64)
}

fn sys_recvmmsg(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let mut flags = a.u32(3);
    if flags & MSG_CMSG_COMPAT != 0 {
        return Err(Errno::EINVAL);
    }
    let (file, sock) = sock_fd(task, a.i32(0))?;
    let (vec, vlen, tptr) = (a.u(1), a.u32(2).min(1024) as u64, a.u(4));
    let end = if tptr != 0 {
        let ts: Timespec = task.mm().read_val(tptr)?;
        Some(Instant::now() + ts.to_duration()?)
    } else {
        None
    };
    let mut done = 0u64;
    let mut first_err = None;
    while done < vlen {
        let entry = vec.wrapping_add(done * MMSG_SIZE);
        let r = recvmsg_one(task, &file, &sock, entry, flags).and_then(|n| {
            task.mm()
                .write_val(entry.wrapping_add(MMSG_LEN_OFF), &(n as u32))
        });
        if let Err(e) = r {
            first_err = Some(e);
            break;
        }
        done += 1;
        if flags & MSG_WAITFORONE != 0 {
            flags |= MSG_DONTWAIT;
        }
        if end.is_some_and(|e| Instant::now() >= e) {
            break;
        }
    }
    if let Some(e) = end {
        let left = e.saturating_duration_since(Instant::now());
        task.mm().write_val(tptr, &Timespec::from_duration(left))?;
    }
    match first_err {
        Some(e) if done == 0 => Err(e),
        _ => Ok(done),
    }
}
