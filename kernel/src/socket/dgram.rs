//! The message data path shared by `SOCK_DGRAM` and `SOCK_SEQPACKET` (Linux's
//! `unix_dgram_sendmsg`/`unix_dgram_recvmsg`): whole messages, truncated on short reads;
//! plus datagram `connect`, which only sets (or with `AF_UNSPEC` clears) the default peer.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::unix::{lock_two, Conn, Msg, UnixSocket, RCV_SHUTDOWN, SEND_SHUTDOWN};
use super::*;
use crate::errno::{Errno, KResult};

impl UnixSocket {
    /// The checks before a message is built, in Linux's order: for seqpacket a pending error
    /// and `ENOTCONN`; autobind for `SO_PASSCRED`; `EMSGSIZE` past the send buffer; a pending
    /// error; `EPIPE` after `shutdown(SHUT_WR)`; `EAGAIN` while the send buffer is full.
    pub fn dgram_precheck(self: &Arc<Self>, len: usize) -> KResult<()> {
        if self.ty() == SockType::SeqPacket {
            let mut s = self.lock();
            if let Some(e) = s.err.take() {
                return Err(e);
            }
            if s.conn != Conn::Connected {
                return Err(Errno::ENOTCONN);
            }
        }
        self.autobind_for_passcred()?;
        let mut s = self.lock();
        if len > s.opts.sndbuf.saturating_sub(32) {
            return Err(Errno::EMSGSIZE);
        }
        if let Some(e) = s.err.take() {
            return Err(e);
        }
        if s.shutdown & SEND_SHUTDOWN != 0 {
            return Err(Errno::EPIPE);
        }
        if self.wmem.load(Ordering::Relaxed) >= s.opts.sndbuf {
            return Err(Errno::EAGAIN);
        }
        Ok(())
    }

    /// Delivers one message to `to` (or, when `None`, to the connected peer: `ENOTCONN`
    /// without one). `EPERM` when the receiver is connected elsewhere; for a receiver that
    /// went away, `ECONNREFUSED` (and the default peer is dropped), or `EPIPE` for seqpacket;
    /// `EPIPE` when it shut reading; `EAGAIN` while its queue is full (the caller sleeps on the
    /// receiver's queue). Files in `anc` move into the message only when it is queued.
    pub fn dgram_send(
        self: &Arc<Self>,
        to: Option<&Arc<UnixSocket>>,
        data: &[u8],
        anc: &mut Ancillary,
        caller: &Caller,
    ) -> KResult<usize> {
        let (my_peer, from, passcred) = {
            let s = self.lock();
            (s.peer.clone(), s.addr.clone(), s.opts.passcred)
        };
        let explicit = to.is_some();
        let other = match (to, &my_peer) {
            (Some(t), _) => t.clone(),
            (None, Some(p)) => p.clone(),
            (None, None) => return Err(Errno::ENOTCONN),
        };
        let is_self = Arc::ptr_eq(&other, self);
        let outcome = {
            let mut o = other.lock();
            let back = o.peer.as_ref().map(|p| Arc::ptr_eq(p, self));
            if back == Some(false) {
                Err(Errno::EPERM)
            } else if o.dead {
                Err(Errno::ECONNRESET) // refined below, without the receiver's lock
            } else if o.shutdown & RCV_SHUTDOWN != 0 {
                Err(Errno::EPIPE)
            } else if !is_self && back != Some(true) && o.rx.len() > o.backlog {
                Err(Errno::EAGAIN)
            } else {
                let creds = anc
                    .creds
                    .or_else(|| (passcred || o.opts.passcred).then(|| caller.scm_creds()));
                let msg = Msg::new(
                    self,
                    data.to_vec(),
                    from,
                    creds,
                    std::mem::take(&mut anc.rights),
                );
                o.rx.push_back(msg);
                Ok(data.len())
            }
        };
        match outcome {
            Ok(n) => {
                other.queue.notify(POLLIN_EVENTS);
                Ok(n)
            }
            Err(Errno::ECONNRESET) => {
                if self.ty() == SockType::SeqPacket {
                    return Err(Errno::EPIPE);
                }
                if my_peer.as_ref().is_some_and(|p| Arc::ptr_eq(p, &other)) {
                    self.dgram_disconnect_from(&other);
                    return Err(Errno::ECONNREFUSED);
                }
                // A name lookup would not find the dead receiver again.
                Err(if explicit {
                    Errno::ECONNREFUSED
                } else {
                    Errno::ECONNRESET
                })
            }
            Err(e) => Err(e),
        }
    }

    /// Drops the default peer `old` (it died): back to unconnected, queue purged.
    fn dgram_disconnect_from(self: &Arc<Self>, old: &Arc<UnixSocket>) {
        let purged = {
            let mut s = self.lock();
            if !s.peer.as_ref().is_some_and(|p| Arc::ptr_eq(p, old)) {
                return;
            }
            s.peer = None;
            s.conn = Conn::Closed;
            std::mem::take(&mut s.rx)
        };
        self.queue.notify(!0);
        drop(purged);
    }

    /// Datagram `connect`: sets the default peer to `target`, or clears it (`AF_UNSPEC`).
    /// `EPERM` if `target` is connected to some other socket. Changing peers purges what
    /// the old one sent; an old peer connected back learns of it as `ECONNRESET`.
    pub fn dgram_connect(self: &Arc<Self>, target: Option<Arc<UnixSocket>>) -> KResult<()> {
        if let Some(t) = &target {
            if !Arc::ptr_eq(t, self) {
                let (tl, _me) = lock_two(t, self);
                if tl.peer.as_ref().is_some_and(|p| !Arc::ptr_eq(p, self)) {
                    return Err(Errno::EPERM);
                }
                if tl.dead {
                    return Err(Errno::ECONNREFUSED);
                }
            }
        }
        let (old, purged) = {
            let mut s = self.lock();
            let old = std::mem::replace(&mut s.peer, target.clone());
            s.conn = if target.is_some() {
                Conn::Connected
            } else {
                Conn::Closed
            };
            let changed = match (&old, &target) {
                (Some(o), Some(t)) => !Arc::ptr_eq(o, t),
                (Some(_), None) => true,
                _ => false,
            };
            let purged = if changed {
                std::mem::take(&mut s.rx)
            } else {
                Default::default()
            };
            (old.filter(|_| changed), purged)
        };
        if let Some(o) = old {
            if !purged.is_empty() {
                let reset = {
                    let mut os = o.lock();
                    let back = os.peer.as_ref().is_some_and(|p| Arc::ptr_eq(p, self));
                    if !os.dead && back {
                        os.err = Some(Errno::ECONNRESET);
                    }
                    back
                };
                if reset {
                    o.queue.notify(!0);
                }
            }
        }
        self.queue.notify(!0);
        drop(purged);
        Ok(())
    }

    /// Receives one message into `st` (up to `want` bytes; the rest of a longer message is
    /// discarded and `st.truncated` set, unless peeking). A pending error comes first. With
    /// the queue empty: end of file (`Ok` with nothing) after `shutdown(SHUT_RD)` for
    /// seqpacket or a blocking reader, else `EAGAIN`. Seqpacket needs a connection
    /// (`ENOTCONN`).
    pub fn dgram_recv(&self, st: &mut RecvState, want: usize, o: RecvOpts) -> KResult<()> {
        let taken = {
            let mut s = self.lock();
            if self.ty() == SockType::SeqPacket && s.conn != Conn::Connected {
                return Err(Errno::ENOTCONN);
            }
            if let Some(e) = s.err.take() {
                return Err(e);
            }
            let passcred = s.opts.passcred;
            let Some(m) = s.rx.front_mut() else {
                let eof =
                    s.shutdown & RCV_SHUTDOWN != 0 && (o.block || self.ty() == SockType::SeqPacket);
                return if eof { Ok(()) } else { Err(Errno::EAGAIN) };
            };
            let n = m.data.len().min(want);
            st.data.extend_from_slice(&m.data[..n]);
            st.msg_len = m.data.len();
            st.truncated = n < m.data.len();
            st.from = m.from.clone();
            if passcred {
                st.creds = Some(m.creds.unwrap_or_else(overflow_creds));
            }
            if o.peek {
                st.rights = m.rights.clone();
                None
            } else {
                st.rights = std::mem::take(&mut m.rights);
                s.rx.pop_front()
            }
        };
        if taken.is_some() {
            // Room in the queue: senders waiting for it may go on.
            self.queue.notify(POLLOUT_EVENTS);
        }
        drop(taken);
        Ok(())
    }
}
