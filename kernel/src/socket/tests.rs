//! Unit tests of the socket layer: stream and datagram semantics, naming, connection set-up,
//! `SCM_RIGHTS`, credentials, shutdown and readiness.

use std::sync::Arc;

use super::*;
use crate::vfs::{Cred, Cx, FsContext, Resolver, Vfs};

fn me() -> Caller {
    Caller {
        pid: 7,
        uid: 1000,
        gid: 100,
        euid: 1000,
        egid: 100,
    }
}

fn pair(ty: SockType) -> (Arc<UnixSocket>, Arc<UnixSocket>) {
    UnixSocket::pair(ty, Namespace::new(), &me())
}

/// Sends all of `data` on a stream socket without ancillary data.
fn send(s: &Arc<UnixSocket>, data: &[u8]) -> KResult<usize> {
    s.stream_send(data, &mut Ancillary::default(), &me())
}

/// One non-blocking stream read of at most `n` bytes.
fn recv(s: &UnixSocket, n: usize) -> KResult<Vec<u8>> {
    let mut st = RecvState::default();
    let o = RecvOpts {
        target: 1,
        ..RecvOpts::default()
    };
    match s.stream_recv(&mut st, n, o) {
        Ok(()) => Ok(st.data),
        Err(Errno::EAGAIN) if !st.data.is_empty() => Ok(st.data),
        Err(e) => Err(e),
    }
}

fn drecv(s: &UnixSocket, n: usize, peek: bool) -> KResult<RecvState> {
    let mut st = RecvState::default();
    let o = RecvOpts {
        peek,
        ..RecvOpts::default()
    };
    s.dgram_recv(&mut st, n, o).map(|_| st)
}

fn dsend(from: &Arc<UnixSocket>, to: Option<&Arc<UnixSocket>>, data: &[u8]) -> KResult<usize> {
    from.dgram_precheck(data.len())?;
    from.dgram_send(to, data, &mut Ancillary::default(), &me())
}

/// A sandbox VFS with a tmpfs root and a resolver for root.
struct Fs {
    vfs: Vfs,
    ctx: FsContext,
    cred: Cred,
}

impl Fs {
    fn new() -> Fs {
        let vfs = Vfs::new_tmpfs_root();
        let ctx = FsContext::new(&vfs);
        Fs {
            vfs,
            ctx,
            cred: Cred::root(),
        }
    }
    fn r(&self) -> Resolver<'_> {
        Resolver::new(&self.vfs, &self.ctx, &self.cred, Cx::default())
    }
}

#[test]
fn stream_bytes_flow_both_ways_and_coalesce() {
    let (a, b) = pair(SockType::Stream);
    assert_eq!(send(&a, b"hello "), Ok(6));
    assert_eq!(send(&a, b"world"), Ok(5));
    assert_eq!(recv(&b, 3).unwrap(), b"hel");
    assert_eq!(recv(&b, 100).unwrap(), b"lo world");
    assert_eq!(recv(&b, 100), Err(Errno::EAGAIN));
    assert_eq!(send(&b, b"back"), Ok(4));
    assert_eq!(recv(&a, 100).unwrap(), b"back");
    assert_eq!(a.inq(), Ok(0));
}

#[test]
fn stream_shutdown_gives_eof_and_epipe() {
    let (a, b) = pair(SockType::Stream);
    send(&a, b"last").unwrap();
    a.shutdown(SHUT_WR).unwrap();
    assert_eq!(send(&a, b"x"), Err(Errno::EPIPE));
    // Data first, then end of file.
    assert_eq!(recv(&b, 10).unwrap(), b"last");
    assert_eq!(recv(&b, 10).unwrap(), b"");
    assert_ne!(b.poll(POLLIN) & POLLIN, 0);
    assert_ne!(b.poll(POLLRDHUP) & POLLRDHUP, 0);
    // The other direction still works.
    assert_eq!(send(&b, b"ok"), Ok(2));
    assert_eq!(recv(&a, 10).unwrap(), b"ok");
    assert_eq!(a.shutdown(3), Err(Errno::EINVAL));
}

#[test]
fn closing_with_unread_data_resets_the_peer() {
    let (a, b) = pair(SockType::Stream);
    send(&b, b"unread").unwrap();
    a.release(false);
    assert_eq!(recv(&b, 10), Err(Errno::ECONNRESET));
    // Reported once; then end of file.
    assert_eq!(recv(&b, 10).unwrap(), b"");
    assert_eq!(send(&b, b"x"), Err(Errno::EPIPE));
    assert_ne!(b.poll(0) & POLLHUP, 0);
}

#[test]
fn closing_cleanly_gives_eof_without_error() {
    let (a, b) = pair(SockType::Stream);
    send(&a, b"bye").unwrap();
    a.release(false);
    assert_eq!(recv(&b, 10).unwrap(), b"bye");
    assert_eq!(recv(&b, 10).unwrap(), b"");
    assert_eq!(b.take_error(), None);
}

#[test]
fn stream_send_stops_when_the_buffer_is_full_and_resumes_after_reads() {
    let (a, b) = pair(SockType::Stream);
    a.set_opts(|o| o.sndbuf = 16384);
    let big = vec![7u8; 100_000];
    let n = send(&a, &big).unwrap();
    assert!(n > 0 && n < big.len());
    assert_eq!(send(&a, &big), Err(Errno::EAGAIN));
    assert_eq!(a.poll(POLLOUT) & POLLOUT, 0);
    let got = recv(&b, 1 << 20).unwrap();
    assert_eq!(got.len(), n);
    assert_ne!(a.poll(POLLOUT) & POLLOUT, 0);
    assert!(send(&a, &big).unwrap() > 0);
}

#[test]
fn waitall_gathers_across_passes() {
    let (a, b) = pair(SockType::Stream);
    let mut st = RecvState::default();
    let o = RecvOpts {
        target: 6,
        ..RecvOpts::default()
    };
    send(&a, b"abc").unwrap();
    assert_eq!(b.stream_recv(&mut st, 6, o), Err(Errno::EAGAIN));
    send(&a, b"defgh").unwrap();
    assert_eq!(b.stream_recv(&mut st, 6, o), Ok(()));
    assert_eq!(st.data, b"abcdef");
    assert_eq!(recv(&b, 10).unwrap(), b"gh");
}

#[test]
fn peek_leaves_data_queued() {
    let (a, b) = pair(SockType::Stream);
    send(&a, b"peek").unwrap();
    let mut st = RecvState::default();
    let o = RecvOpts {
        peek: true,
        target: 1,
        ..RecvOpts::default()
    };
    b.stream_recv(&mut st, 10, o).unwrap();
    assert_eq!(st.data, b"peek");
    assert_eq!(recv(&b, 10).unwrap(), b"peek");
}

#[test]
fn unconnected_stream_calls_fail() {
    let s = UnixSocket::new(SockType::Stream, Namespace::new());
    assert_eq!(send(&s, b"x"), Err(Errno::ENOTCONN));
    assert_eq!(recv(&s, 1), Err(Errno::EINVAL));
    assert_eq!(s.peer_addr(), Err(Errno::ENOTCONN));
    // A fresh stream socket polls writable and hung up, as Linux.
    assert_eq!(s.poll(POLLIN | POLLOUT), POLLOUT | POLLHUP);
    assert_eq!(s.listen(5, &me()), Err(Errno::EINVAL));
}

#[test]
fn datagrams_keep_boundaries_and_truncate() {
    let ns = Namespace::new();
    let s = UnixSocket::new(SockType::Dgram, ns);
    s.bind_abstract(b"self".to_vec()).unwrap();
    assert_eq!(dsend(&s, Some(&s), b"first"), Ok(5));
    assert_eq!(dsend(&s, Some(&s), b"second"), Ok(6));
    assert_eq!(s.inq(), Ok(5));
    let st = drecv(&s, 3, true).unwrap();
    assert_eq!(
        (st.data.as_slice(), st.truncated, st.msg_len),
        (&b"fir"[..], true, 5)
    );
    let st = drecv(&s, 3, false).unwrap();
    assert_eq!(st.data, b"fir");
    assert_eq!(st.from, Some(UnixAddr::Abstract(b"self".to_vec())));
    let st = drecv(&s, 100, false).unwrap();
    assert_eq!((st.data.as_slice(), st.truncated), (&b"second"[..], false));
    assert_eq!(drecv(&s, 100, false).err(), Some(Errno::EAGAIN));
}

#[test]
fn datagram_limits() {
    let ns = Namespace::new();
    let r = UnixSocket::new(SockType::Dgram, ns.clone());
    let w = UnixSocket::new(SockType::Dgram, ns);
    let big = vec![0u8; WMEM_DEFAULT];
    assert_eq!(dsend(&w, Some(&r), &big), Err(Errno::EMSGSIZE));
    // The receiver queues max_dgram_qlen + 1 from a sender it is not connected to.
    for _ in 0..=unix::MAX_DGRAM_QLEN {
        assert_eq!(dsend(&w, Some(&r), b"x"), Ok(1));
    }
    assert_eq!(dsend(&w, Some(&r), b"x"), Err(Errno::EAGAIN));
    drecv(&r, 1, false).unwrap();
    assert_eq!(dsend(&w, Some(&r), b"x"), Ok(1));
    assert_eq!(dsend(&w, None, b"x"), Err(Errno::ENOTCONN));
}

#[test]
fn datagram_connect_rules() {
    let ns = Namespace::new();
    let a = UnixSocket::new(SockType::Dgram, ns.clone());
    let b = UnixSocket::new(SockType::Dgram, ns.clone());
    let c = UnixSocket::new(SockType::Dgram, ns);
    b.dgram_connect(Some(c.clone())).unwrap();
    // b only takes datagrams from c now.
    assert_eq!(dsend(&a, Some(&b), b"x"), Err(Errno::EPERM));
    assert_eq!(a.dgram_connect(Some(b.clone())), Err(Errno::EPERM));
    assert_eq!(dsend(&c, Some(&b), b"y"), Ok(1));
    a.dgram_connect(Some(c.clone())).unwrap();
    assert_eq!(dsend(&a, None, b"z"), Ok(1));
    // The peer goes away: refused once, then unconnected.
    c.release(false);
    assert_eq!(dsend(&a, None, b"z"), Err(Errno::ECONNREFUSED));
    assert_eq!(dsend(&a, None, b"z"), Err(Errno::ENOTCONN));
    a.dgram_connect(None).unwrap();
    assert_eq!(a.peer_addr(), Err(Errno::ENOTCONN));
}

#[test]
fn seqpacket_keeps_records_and_reports_eof() {
    let (a, b) = pair(SockType::SeqPacket);
    dsend(&a, None, b"one").unwrap();
    dsend(&a, None, b"two!").unwrap();
    let st = drecv(&b, 2, false).unwrap();
    assert_eq!((st.data.as_slice(), st.truncated), (&b"on"[..], true));
    assert_eq!(drecv(&b, 10, false).unwrap().data, b"two!");
    a.release(false);
    // Non-blocking seqpacket reads see end of file, not EAGAIN.
    assert_eq!(drecv(&b, 10, false).unwrap().data, b"");
    assert_eq!(dsend(&b, None, b"x"), Err(Errno::EPIPE));
}

#[test]
fn rights_travel_with_the_first_chunk_and_end_the_read() {
    let (a, b) = pair(SockType::Stream);
    let (pr, _pw) = crate::pipe::new_pipe(0);
    send(&a, b"before").unwrap();
    let mut anc = Ancillary {
        rights: vec![pr.clone()],
        creds: None,
    };
    a.stream_send(b"with", &mut anc, &me()).unwrap();
    assert!(anc.rights.is_empty());
    send(&a, b"after").unwrap();
    let mut st = RecvState::default();
    b.stream_recv(
        &mut st,
        100,
        RecvOpts {
            target: 1,
            ..RecvOpts::default()
        },
    )
    .unwrap();
    // The read takes the chunk with the file and stops there.
    assert_eq!(st.data, b"beforewith");
    assert_eq!(st.rights.len(), 1);
    assert!(Arc::ptr_eq(&st.rights[0], &pr));
    assert_eq!(recv(&b, 100).unwrap(), b"after");
}

#[test]
fn files_in_flight_close_with_the_receiver() {
    let (a, b) = pair(SockType::Dgram);
    let (pr, _pw) = crate::pipe::new_pipe(0);
    let mut anc = Ancillary {
        rights: vec![pr.clone()],
        creds: None,
    };
    a.dgram_send(None, b"f", &mut anc, &me()).unwrap();
    assert_eq!(Arc::strong_count(&pr), 2);
    b.release(false);
    assert_eq!(Arc::strong_count(&pr), 1);
}

#[test]
fn credentials_are_passed_and_never_glued() {
    let (a, b) = pair(SockType::Stream);
    b.set_opts(|o| o.passcred = true);
    send(&a, b"one").unwrap();
    let other = Ucred {
        pid: 7,
        uid: 0,
        gid: 0,
    };
    a.stream_send(
        b"two",
        &mut Ancillary {
            rights: Vec::new(),
            creds: Some(other),
        },
        &me(),
    )
    .unwrap();
    let mut st = RecvState::default();
    let o = RecvOpts {
        target: 1,
        ..RecvOpts::default()
    };
    b.stream_recv(&mut st, 100, o).unwrap();
    assert_eq!(st.data, b"one");
    assert_eq!(st.creds, Some(me().scm_creds()));
    let mut st = RecvState::default();
    b.stream_recv(&mut st, 100, o).unwrap();
    assert_eq!((st.data.as_slice(), st.creds), (&b"two"[..], Some(other)));
}

#[test]
fn listen_connect_accept_over_a_path() {
    let fs = Fs::new();
    let r = fs.r();
    let ns = Namespace::new();
    let l = UnixSocket::new(SockType::Stream, ns.clone());
    l.bind_path(&r, b"/srv.sock").unwrap();
    assert_eq!(
        l.bind_path(&r, b"/other.sock"),
        Err(Errno::EINVAL),
        "a bound socket cannot bind again"
    );
    assert_eq!(
        r.resolve(None, b"/other.sock", false).err(),
        Some(Errno::ENOENT)
    );
    let dup = UnixSocket::new(SockType::Stream, ns.clone());
    assert_eq!(dup.bind_path(&r, b"/srv.sock"), Err(Errno::EADDRINUSE));
    let addr = UnixAddr::Path(b"/srv.sock".to_vec());
    // Bound but not listening.
    let c = UnixSocket::new(SockType::Stream, ns.clone());
    let found = ns.find(&r, &addr, SockType::Stream).unwrap();
    assert_eq!(c.connect(&found, &me()), Err(Errno::ECONNREFUSED));
    assert_eq!(
        ns.find(&r, &addr, SockType::Dgram).err(),
        Some(Errno::EPROTOTYPE)
    );
    l.listen(0, &me()).unwrap();
    assert_eq!(l.accept(false).err(), Some(Errno::EAGAIN));
    c.connect(&found, &me()).unwrap();
    assert_ne!(l.poll(POLLIN) & POLLIN, 0);
    // Backlog 0 holds one pending connection; the next must wait.
    let c2 = UnixSocket::new(SockType::Stream, ns.clone());
    assert_eq!(c2.connect(&found, &me()), Err(Errno::EAGAIN));
    let s = l.accept(false).unwrap();
    // Linux checks the backlog before the caller's own state: with room, EISCONN.
    assert_eq!(c.connect(&found, &me()), Err(Errno::EISCONN));
    c2.connect(&found, &me()).unwrap();
    assert_eq!(s.local_addr(), Some(addr.clone()));
    assert_eq!(c.peer_addr(), Ok(Some(addr.clone())));
    assert_eq!(s.peer_addr(), Ok(None));
    assert_eq!(s.peer_cred(), Some(me().peercred()));
    send(&c, b"ping").unwrap();
    assert_eq!(recv(&s, 10).unwrap(), b"ping");
    // Closing the listener resets the connection nobody accepted.
    l.release(false);
    assert_eq!(recv(&c2, 10), Err(Errno::ECONNRESET));
    assert_eq!(
        ns.find(&r, &addr, SockType::Stream).err(),
        Some(Errno::ECONNREFUSED)
    );
    // The node stays behind, as on Linux.
    assert!(r.resolve(None, b"/srv.sock", false).is_ok());
}

#[test]
fn abstract_names_are_per_type_and_freed_on_release() {
    let ns = Namespace::new();
    let a = UnixSocket::new(SockType::Stream, ns.clone());
    let b = UnixSocket::new(SockType::Stream, ns.clone());
    let d = UnixSocket::new(SockType::Dgram, ns.clone());
    a.bind_abstract(b"n".to_vec()).unwrap();
    assert_eq!(b.bind_abstract(b"n".to_vec()), Err(Errno::EADDRINUSE));
    d.bind_abstract(b"n".to_vec()).unwrap();
    a.release(false);
    b.bind_abstract(b"n".to_vec()).unwrap();
    let c = UnixSocket::new(SockType::Dgram, ns);
    c.autobind().unwrap();
    match c.local_addr() {
        Some(UnixAddr::Abstract(n)) => {
            assert_eq!(n.len(), 5);
            assert!(n.iter().all(u8::is_ascii_hexdigit));
        }
        other => panic!("autobind gave {other:?}"),
    }
}

#[test]
fn socket_files_release_on_last_close() {
    let (a, b) = pair(SockType::Stream);
    let fa = socket_file(a.clone(), me(), false);
    assert!(Arc::ptr_eq(&socket_of(&fa).unwrap(), &a));
    assert_eq!(fa.stat().unwrap().kind(), crate::vfs::FileKind::Socket);
    assert_eq!(fa.write(b"via write"), Ok(9));
    assert_eq!(recv(&b, 100).unwrap(), b"via write");
    drop(fa);
    assert!(a.is_released());
    assert_eq!(recv(&b, 10).unwrap(), b"");
    let (pr, _pw) = crate::pipe::new_pipe(0);
    assert_eq!(socket_of(&pr).err(), Some(Errno::ENOTSOCK));
}
