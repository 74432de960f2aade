//! The `SOCK_STREAM` data path: bytes flow into the peer's receive queue in chunks; a read
//! gathers across chunks, except that it never glues chunks from different writers when
//! credentials are passed, and stops after a chunk that carried files.

use std::sync::Arc;

use super::unix::{Conn, Msg, State, UnixSocket, RCV_SHUTDOWN, SEND_SHUTDOWN};
use super::*;
use crate::errno::{Errno, KResult};

/// The largest chunk one stream send queues (Linux: a linear head plus 32 KiB of pages).
const STREAM_CHUNK_MAX: usize = 32768 + 3776;

impl UnixSocket {
    /// Queues as much of `data` as the send buffer allows, without waiting: returns the bytes
    /// queued, `EAGAIN` if none could be. Files and explicit credentials in `anc` go with the
    /// first chunk. `ENOTCONN` without a peer; `EPIPE` once either side shut the direction
    /// (the caller raises `SIGPIPE`).
    pub fn stream_send(
        self: &Arc<Self>,
        data: &[u8],
        anc: &mut Ancillary,
        caller: &Caller,
    ) -> KResult<usize> {
        let (peer, from, passcred, sndbuf) = {
            let s = self.lock();
            let Some(peer) = s.peer.clone() else {
                return Err(Errno::ENOTCONN);
            };
            if s.shutdown & SEND_SHUTDOWN != 0 {
                return Err(Errno::EPIPE);
            }
            (peer, s.addr.clone(), s.opts.passcred, s.opts.sndbuf)
        };
        let chunk_max = (sndbuf / 2).saturating_sub(64).clamp(1, STREAM_CHUNK_MAX);
        let mut sent = 0;
        while sent < data.len() {
            if self.wmem.load(std::sync::atomic::Ordering::Relaxed) >= sndbuf {
                break;
            }
            let size = (data.len() - sent).min(chunk_max);
            {
                let mut p = peer.lock();
                if p.dead || p.shutdown & RCV_SHUTDOWN != 0 {
                    drop(p);
                    return if sent > 0 {
                        Ok(sent)
                    } else {
                        Err(Errno::EPIPE)
                    };
                }
                let creds = anc
                    .creds
                    .or_else(|| (passcred || p.opts.passcred).then(|| caller.scm_creds()));
                let msg = Msg::new(
                    self,
                    data[sent..sent + size].to_vec(),
                    from.clone(),
                    creds,
                    std::mem::take(&mut anc.rights),
                );
                p.rx.push_back(msg);
            }
            peer.queue.notify(POLLIN_EVENTS);
            sent += size;
        }
        if sent == 0 && !data.is_empty() {
            return Err(Errno::EAGAIN);
        }
        Ok(sent)
    }

    /// One reading pass over a stream socket's queue into `st`, up to `want` bytes in all.
    /// `Ok` when the read is complete (`target` bytes gathered, end of stream, a chunk with
    /// files, credentials changing, or a peek); `EAGAIN` when it must wait for more (what was
    /// gathered stays in `st`). `EINVAL` unless connected; a pending error (`ECONNRESET`) is
    /// reported once the queue is empty.
    pub fn stream_recv(&self, st: &mut RecvState, want: usize, o: RecvOpts) -> KResult<()> {
        let mut consumed: Vec<Msg> = Vec::new();
        let r = {
            let mut s = self.lock();
            stream_pass(&mut s, st, want, o, &mut consumed)
        };
        // Dropping consumed chunks (no lock held) returns the writer's buffer space.
        drop(consumed);
        r
    }

    /// Puts back the part of a stream read from byte `delivered` on that the reader could
    /// not take (its buffer faulted): Linux never consumes bytes it failed to copy. Files
    /// go back only when nothing was delivered.
    pub fn stream_unread(&self, st: &mut RecvState, delivered: usize) {
        if delivered >= st.data.len() {
            return;
        }
        let rights = if delivered == 0 {
            std::mem::take(&mut st.rights)
        } else {
            Vec::new()
        };
        let rest = st.data.split_off(delivered);
        let msg = Msg::requeued(rest, st.from.clone(), st.raw_creds, rights);
        self.lock().rx.push_front(msg);
        self.queue.notify(POLLIN_EVENTS);
    }
}

fn stream_pass(
    s: &mut State,
    st: &mut RecvState,
    want: usize,
    o: RecvOpts,
    consumed: &mut Vec<Msg>,
) -> KResult<()> {
    if s.conn != Conn::Connected {
        return Err(Errno::EINVAL);
    }
    if want == 0 && !s.rx.is_empty() {
        return Ok(());
    }
    let passcred = s.opts.passcred;
    let target = o.target.clamp(1, want.max(1));
    let mut idx = 0; // the peek cursor
    loop {
        let m = if o.peek {
            s.rx.get_mut(idx)
        } else {
            s.rx.front_mut()
        };
        let Some(m) = m else {
            if st.data.len() >= target {
                return Ok(());
            }
            if let Some(e) = s.err.take() {
                // The error is consumed even when data is returned instead (as Linux).
                return if st.data.is_empty() { Err(e) } else { Ok(()) };
            }
            if s.shutdown & RCV_SHUTDOWN != 0 || (o.peek && !st.data.is_empty()) {
                return Ok(());
            }
            return Err(Errno::EAGAIN);
        };
        if st.check_creds {
            // Never glue chunks from different writers.
            if m.creds != st.raw_creds {
                return Ok(());
            }
        } else if passcred {
            st.raw_creds = m.creds;
            st.check_creds = true;
            st.creds = Some(m.creds.unwrap_or_else(overflow_creds));
        }
        if st.from.is_none() {
            st.from = m.from.clone();
        }
        let n = m.remaining().min(want - st.data.len());
        st.data.extend_from_slice(&m.data[m.off..m.off + n]);
        if o.peek {
            if !m.rights.is_empty() {
                st.rights = m.rights.clone();
                return Ok(());
            }
            idx += 1;
        } else {
            m.off += n;
            let had_files = !m.rights.is_empty();
            if had_files {
                st.rights = std::mem::take(&mut m.rights);
            }
            if m.remaining() > 0 {
                return Ok(());
            }
            if let Some(done) = s.rx.pop_front() {
                consumed.push(done);
            }
            if had_files {
                return Ok(());
            }
        }
        if st.data.len() >= want {
            return Ok(());
        }
    }
}
