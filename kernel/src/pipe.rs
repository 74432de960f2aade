//! Pipes: a bounded byte buffer shared by a read end and a write end.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::errno::{Errno, KResult};
use crate::event::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fd::{FileOps, OpenFile, O_NONBLOCK, O_RDONLY, O_WRONLY};
use crate::vfs::Stat;
use crate::wait::WaitQueue;

/// Default pipe capacity (Linux: 16 pages).
pub const PIPE_CAPACITY: usize = 65536;
/// Writes up to this size are atomic (`PIPE_BUF`).
pub const PIPE_BUF: usize = 4096;

/// What readers wait for (and what a write notifies).
const READ_EVENTS: u32 = POLLIN | POLLRDNORM;
/// What writers wait for (and what a read that makes room notifies).
const WRITE_EVENTS: u32 = POLLOUT | POLLWRNORM;

struct State {
    data: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

impl State {
    /// Whether a write would not block: room for an atomic write, as Linux's "not full"
    /// (a free page slot).
    fn writable(&self) -> bool {
        PIPE_CAPACITY - self.data.len() >= PIPE_BUF
    }
}

struct Pipe {
    state: Mutex<State>,
    /// Notified whenever data, room or the set of open ends changes.
    queue: WaitQueue,
    ino: u64,
}

impl Pipe {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn stat(&self) -> Stat {
        Stat {
            ino: self.ino,
            mode: 0o010600,
            nlink: 1,
            blksize: 4096,
            ..Stat::default()
        }
    }
}

/// The read end.
struct ReadEnd(Arc<Pipe>);
/// The write end.
struct WriteEnd(Arc<Pipe>);

impl Drop for ReadEnd {
    fn drop(&mut self) {
        // The guard is a temporary: the lock is released before the notification.
        self.0.lock().readers -= 1;
        self.0.queue.notify(!0);
    }
}

impl Drop for WriteEnd {
    fn drop(&mut self) {
        self.0.lock().writers -= 1;
        self.0.queue.notify(!0);
    }
}

impl FileOps for ReadEnd {
    fn describe(&self) -> String {
        format!("pipe:[{}]", self.0.ino)
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(self.0.stat())
    }
    fn read(&self, buf: &mut [u8], nonblock: bool) -> KResult<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let _ = nonblock; // never waits here: the syscall layer sleeps on the queue
        let mut st = self.0.lock();
        if !st.data.is_empty() {
            let was_writable = st.writable();
            let n = buf.len().min(st.data.len());
            for (dst, src) in buf.iter_mut().zip(st.data.drain(..n)) {
                *dst = src;
            }
            drop(st);
            // Like Linux, which wakes writers only when a full pipe gets room, a read notifies
            // only a pipe that was not writable: edge-triggered epoll on the write end sees
            // no event for reads from a pipe with room, and no blocked writer is missed (a
            // writer only ever waits on a pipe that is not writable).
            if !was_writable {
                self.0.queue.notify(WRITE_EVENTS);
            }
            return Ok(n);
        }
        if st.writers == 0 {
            return Ok(0);
        }
        Err(Errno::EAGAIN)
    }
    fn readable_bytes(&self) -> KResult<u64> {
        Ok(self.0.lock().data.len() as u64)
    }
    fn poll(&self, events: u32) -> u32 {
        let st = self.0.lock();
        let mut r = 0;
        if !st.data.is_empty() {
            r |= READ_EVENTS;
        }
        if st.writers == 0 {
            r |= POLLHUP;
        }
        // POLLHUP is reported whether or not it was asked for.
        r & (events | POLLHUP)
    }
    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.0.queue)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl FileOps for WriteEnd {
    fn describe(&self) -> String {
        format!("pipe:[{}]", self.0.ino)
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(self.0.stat())
    }
    fn write(&self, data: &[u8], nonblock: bool) -> KResult<usize> {
        let _ = nonblock; // never waits here: the syscall layer sleeps on the queue
        let mut st = self.0.lock();
        if st.readers == 0 {
            // The caller raises SIGPIPE for EPIPE.
            return Err(Errno::EPIPE);
        }
        let room = PIPE_CAPACITY - st.data.len();
        // Writes of at most PIPE_BUF bytes go in whole or not at all.
        let fits = if data.len() <= PIPE_BUF {
            room >= data.len()
        } else {
            room > 0
        };
        if !fits {
            return Err(Errno::EAGAIN);
        }
        let n = room.min(data.len());
        st.data.extend(&data[..n]);
        drop(st);
        // Every write notifies readers, even of a pipe that was not empty: edge-triggered
        // epoll sees one event per write, as on Linux.
        self.0.queue.notify(READ_EVENTS);
        Ok(n)
    }
    fn poll(&self, events: u32) -> u32 {
        let st = self.0.lock();
        let mut r = 0;
        // Like Linux, a pipe without readers is both writable (the write fails at once with
        // EPIPE) and in error.
        if st.writable() {
            r |= WRITE_EVENTS;
        }
        if st.readers == 0 {
            r |= POLLERR;
        }
        // POLLERR is reported whether or not it was asked for.
        r & (events | POLLERR)
    }
    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.0.queue)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Creates a pipe: `(read end, write end)` open file descriptions with status `flags`
/// (`O_NONBLOCK` and friends; `O_CLOEXEC` is the descriptor's business).
pub fn new_pipe(flags: u32) -> (Arc<OpenFile>, Arc<OpenFile>) {
    static NEXT_INO: AtomicU64 = AtomicU64::new(1);
    let pipe = Arc::new(Pipe {
        state: Mutex::new(State {
            data: VecDeque::new(),
            readers: 1,
            writers: 1,
        }),
        queue: WaitQueue::new(),
        ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
    });
    let status = flags & O_NONBLOCK;
    let r = Arc::new(OpenFile::new(
        Arc::new(ReadEnd(pipe.clone())),
        None,
        O_RDONLY | status,
    ));
    let w = Arc::new(OpenFile::new(
        Arc::new(WriteEnd(pipe)),
        None,
        O_WRONLY | status,
    ));
    (r, w)
}

/// The pipe behind a read end, if `f` is one.
fn read_end(f: &OpenFile) -> Option<&Arc<Pipe>> {
    f.ops().as_any().downcast_ref::<ReadEnd>().map(|r| &r.0)
}

/// The pipe behind a write end, if `f` is one.
fn write_end(f: &OpenFile) -> Option<&Arc<Pipe>> {
    f.ops().as_any().downcast_ref::<WriteEnd>().map(|w| &w.0)
}

/// `tee(2)`'s copy: duplicates up to `len` bytes queued in the pipe `input` reads into the
/// pipe `output` writes, without consuming them. `EINVAL` unless these are ends of two
/// different pipes. Never waits (the syscall layer sleeps on both queues): `EAGAIN` while the
/// input is empty and has writers, or the output is full; `EPIPE` when the output has no
/// readers; 0 at the input's end.
pub fn tee(input: &OpenFile, output: &OpenFile, len: usize) -> KResult<usize> {
    let (Some(src), Some(dst)) = (read_end(input), write_end(output)) else {
        return Err(Errno::EINVAL);
    };
    if Arc::ptr_eq(src, dst) {
        return Err(Errno::EINVAL);
    }
    // Two pipes locked in address order, so opposite tees cannot deadlock.
    let (i, mut o) = if Arc::as_ptr(src) < Arc::as_ptr(dst) {
        let i = src.lock();
        (i, dst.lock())
    } else {
        let o = dst.lock();
        (src.lock(), o)
    };
    // Linux's order: wait for input first (ipipe_prep), then for room (opipe_prep).
    if i.data.is_empty() && i.writers > 0 {
        return Err(Errno::EAGAIN);
    }
    if o.readers == 0 {
        // The caller raises SIGPIPE.
        return Err(Errno::EPIPE);
    }
    let room = PIPE_CAPACITY - o.data.len();
    if room == 0 {
        return Err(Errno::EAGAIN);
    }
    let n = len.min(i.data.len()).min(room);
    o.data.extend(i.data.iter().take(n));
    drop((i, o));
    if n > 0 {
        dst.queue.notify(READ_EVENTS);
    }
    Ok(n)
}
