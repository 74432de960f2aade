//! Pipes: a ring of page-sized buffers ([`ring`]) shared by read ends and write ends, with
//! Linux's capacity (`F_GETPIPE_SZ`/`F_SETPIPE_SZ`), packet mode (`O_DIRECT`) and reopening
//! through `/proc/self/fd` ([`node`]).

mod node;
mod ring;
pub(crate) use node::pipefs_statfs;

use std::any::Any;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::errno::{Errno, KResult};
use crate::event::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::fd::{FileOps, OpenFile, O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY};
use crate::vfs::{NodeRef, Stat};
use crate::wait::WaitQueue;

use ring::{Ring, PAGE_SIZE};

/// Default capacity (Linux: 16 pages).
pub const PIPE_CAPACITY: usize = 65536;
/// Writes up to this size are atomic (`PIPE_BUF`).
pub const PIPE_BUF: usize = 4096;
/// Largest capacity `F_SETPIPE_SZ` grants without `CAP_SYS_RESOURCE` (Linux's default
/// `/proc/sys/fs/pipe-max-size`).
pub const PIPE_MAX_SIZE: usize = 1 << 20;

/// What readers wait for (and what a write notifies).
const READ_EVENTS: u32 = POLLIN | POLLRDNORM;
/// What writers wait for (and what a read that makes room notifies).
const WRITE_EVENTS: u32 = POLLOUT | POLLWRNORM;

struct State {
    ring: Ring,
    readers: usize,
    writers: usize,
}

/// The pipe object (Linux's pipe inode): what every end, and every reopening, shares.
struct Pipe {
    state: Mutex<State>,
    /// Notified whenever data, room or the set of open ends changes.
    queue: WaitQueue,
    ino: u64,
    uid: u32,
    gid: u32,
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
            uid: self.uid,
            gid: self.gid,
            blksize: 4096,
            ..Stat::default()
        }
    }

    /// One read of up to `count` bytes into `sink`; never waits. `EAGAIN` while empty with
    /// writers, 0 when empty without.
    fn read(&self, count: usize, sink: &mut dyn FnMut(&[u8]) -> usize) -> KResult<usize> {
        if count == 0 {
            return Ok(0);
        }
        let mut st = self.lock();
        let got = st.ring.read(count, sink)?;
        if got.bytes == 0 {
            return if st.writers == 0 {
                Ok(0)
            } else {
                Err(Errno::EAGAIN)
            };
        }
        drop(st);
        // Like Linux, which wakes writers only when a full pipe gets room, a read notifies
        // only then: edge-triggered epoll on the write end sees no event for reads from a
        // pipe with room, and no blocked writer is missed (a writer only ever waits on a
        // full pipe).
        if got.made_room {
            self.queue.notify(WRITE_EVENTS);
        }
        Ok(got.bytes)
    }

    /// One write of up to `count` bytes from `source` (packets when `packet`); never waits.
    /// `EPIPE` without readers (the caller raises `SIGPIPE`), `EAGAIN` when nothing fits.
    fn write(
        &self,
        count: usize,
        packet: bool,
        source: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    ) -> KResult<usize> {
        if count == 0 {
            return Ok(0);
        }
        let mut st = self.lock();
        if st.readers == 0 {
            return Err(Errno::EPIPE);
        }
        let n = st.ring.write(count, packet, source)?;
        drop(st);
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        // Every write notifies readers, even of a pipe that was not empty: edge-triggered
        // epoll sees one event per write, as on Linux.
        self.queue.notify(READ_EVENTS);
        Ok(n)
    }
}

/// An open end: reads if `read`, writes if `write` (both for a reopening with `O_RDWR`).
/// It counts as a reader and/or writer of the pipe until dropped.
struct PipeEnd {
    pipe: Arc<Pipe>,
    read: bool,
    write: bool,
}

impl PipeEnd {
    /// A new end of `pipe`, counted at once.
    fn attach(pipe: Arc<Pipe>, read: bool, write: bool) -> PipeEnd {
        {
            let mut st = pipe.lock();
            st.readers += usize::from(read);
            st.writers += usize::from(write);
        }
        pipe.queue.notify(!0);
        PipeEnd { pipe, read, write }
    }
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        {
            let mut st = self.pipe.lock();
            st.readers -= usize::from(self.read);
            st.writers -= usize::from(self.write);
        }
        self.pipe.queue.notify(!0);
    }
}

impl FileOps for PipeEnd {
    fn describe(&self) -> String {
        format!("pipe:[{}]", self.pipe.ino)
    }
    fn stat(&self) -> KResult<Stat> {
        Ok(self.pipe.stat())
    }
    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        // Never waits here: the syscall layer sleeps on the queue.
        let mut off = 0;
        self.pipe.read(buf.len(), &mut |d| {
            buf[off..off + d.len()].copy_from_slice(d);
            off += d.len();
            d.len()
        })
    }
    fn write(&self, data: &[u8], _nonblock: bool) -> KResult<usize> {
        self.pipe.write(data.len(), false, &mut |off, dst| {
            let off = off as usize;
            dst.copy_from_slice(&data[off..off + dst.len()]);
            dst.len()
        })
    }
    fn stream_read_to(
        &self,
        count: usize,
        sink: &mut dyn FnMut(&[u8]) -> usize,
    ) -> Option<KResult<usize>> {
        Some(self.pipe.read(count, sink))
    }
    fn stream_write_from(
        &self,
        count: usize,
        status: u32,
        source: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    ) -> Option<KResult<usize>> {
        Some(self.pipe.write(count, status & O_DIRECT != 0, source))
    }
    /// Either end counts the queued bytes, as Linux's `pipe_ioctl` does.
    fn readable_bytes(&self) -> KResult<u64> {
        Ok(self.pipe.lock().ring.bytes() as u64)
    }
    fn poll(&self, events: u32) -> u32 {
        let st = self.pipe.lock();
        let mut r = 0;
        // Reported whether or not they were asked for.
        let mut always = 0;
        if self.read {
            if !st.ring.is_empty() {
                r |= READ_EVENTS;
            }
            if st.writers == 0 {
                r |= POLLHUP;
            }
            always |= POLLHUP;
        }
        if self.write {
            // Like Linux, a pipe without readers is both writable (the write fails at once
            // with EPIPE) and in error.
            if !st.ring.is_full() {
                r |= WRITE_EVENTS;
            }
            if st.readers == 0 {
                r |= POLLERR;
            }
            always |= POLLERR;
        }
        r & (events | always)
    }
    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.pipe.queue)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// Creates a pipe owned by root: see [`new_pipe_owned`].
pub fn new_pipe(flags: u32) -> (Arc<OpenFile>, Arc<OpenFile>) {
    new_pipe_owned(flags, 0, 0)
}

/// Creates a pipe owned by `uid`/`gid`: `(read end, write end)` open file descriptions
/// with status `flags` (`O_NONBLOCK` on both, `O_DIRECT` on the write end, as Linux keeps
/// it; `O_CLOEXEC` is the descriptor's business).
pub fn new_pipe_owned(flags: u32, uid: u32, gid: u32) -> (Arc<OpenFile>, Arc<OpenFile>) {
    static NEXT_INO: AtomicU64 = AtomicU64::new(1);
    let pipe = Arc::new(Pipe {
        state: Mutex::new(State {
            ring: Ring::new(PIPE_CAPACITY / PAGE_SIZE),
            readers: 0,
            writers: 0,
        }),
        queue: WaitQueue::new(),
        ino: NEXT_INO.fetch_add(1, Ordering::Relaxed),
        uid,
        gid,
    });
    let r = Arc::new(OpenFile::new(
        Arc::new(PipeEnd::attach(pipe.clone(), true, false)),
        None,
        O_RDONLY | (flags & O_NONBLOCK),
    ));
    let w = Arc::new(OpenFile::new(
        Arc::new(PipeEnd::attach(pipe, false, true)),
        None,
        O_WRONLY | (flags & (O_NONBLOCK | O_DIRECT)),
    ));
    (r, w)
}

/// The pipe behind `f`, if it is an end of one.
fn pipe_of(f: &OpenFile) -> Option<&Arc<Pipe>> {
    f.ops().as_any().downcast_ref::<PipeEnd>().map(|e| &e.pipe)
}

/// What following a `/proc/self/fd` link to `f` reaches when `f` is a pipe end: the pipe
/// itself, which opening reopens like a FIFO (a new end of the access mode asked for).
pub(crate) fn proc_node(f: &OpenFile) -> Option<NodeRef> {
    pipe_of(f).map(|p| Arc::new(node::PipeNode(p.clone())) as NodeRef)
}

/// `F_GETPIPE_SZ`: the capacity in bytes; `EBADF` if `f` is not a pipe.
pub fn capacity(f: &OpenFile) -> KResult<usize> {
    let pipe = pipe_of(f).ok_or(Errno::EBADF)?;
    let slots = pipe.lock().ring.slots();
    Ok(slots * PAGE_SIZE)
}

/// `F_SETPIPE_SZ`: sets the capacity to `size` rounded up to a power-of-two number of pages
/// (one at least) and returns it. `EBADF` if `f` is not a pipe, `EINVAL` above 2^31,
/// `EPERM` when growing past [`PIPE_MAX_SIZE`] unless `privileged` (`CAP_SYS_RESOURCE`),
/// `EBUSY` when fewer pages than the data occupies.
pub fn set_capacity(f: &OpenFile, size: u32, privileged: bool) -> KResult<usize> {
    let pipe = pipe_of(f).ok_or(Errno::EBADF)?;
    if size > 1 << 31 {
        return Err(Errno::EINVAL);
    }
    let bytes = (size as usize).max(PAGE_SIZE).next_power_of_two();
    let slots = bytes / PAGE_SIZE;
    {
        let mut st = pipe.lock();
        if slots > st.ring.slots() && bytes > PIPE_MAX_SIZE && !privileged {
            return Err(Errno::EPERM);
        }
        st.ring.resize(slots)?;
    }
    pipe.queue.notify(WRITE_EVENTS);
    Ok(bytes)
}

/// `tee(2)`'s copy: duplicates up to `len` bytes queued in the pipe `input` reads into the
/// pipe `output` writes, without consuming them. `EINVAL` unless these are ends of two
/// different pipes. Never waits (the syscall layer sleeps on both queues): `EAGAIN` while the
/// input is empty and has writers, or the output is full; `EPIPE` when the output has no
/// readers; 0 at the input's end.
pub fn tee(input: &OpenFile, output: &OpenFile, len: usize) -> KResult<usize> {
    let (Some(src), Some(dst)) = (pipe_of(input), pipe_of(output)) else {
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
    if i.ring.is_empty() && i.writers > 0 {
        return Err(Errno::EAGAIN);
    }
    if o.readers == 0 {
        // The caller raises SIGPIPE.
        return Err(Errno::EPIPE);
    }
    if o.ring.is_full() {
        return Err(Errno::EAGAIN);
    }
    let n = i.ring.copy_to(&mut o.ring, len);
    drop((i, o));
    if n > 0 {
        dst.queue.notify(READ_EVENTS);
    }
    Ok(n)
}
