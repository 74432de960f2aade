//! Pipes: a bounded byte buffer shared by a read end and a write end.

use std::any::Any;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_NONBLOCK, O_RDONLY, O_WRONLY};
use crate::vfs::Stat;

/// Default pipe capacity (Linux: 16 pages).
pub const PIPE_CAPACITY: usize = 65536;
/// Writes up to this size are atomic (`PIPE_BUF`).
pub const PIPE_BUF: usize = 4096;

struct State {
    data: VecDeque<u8>,
    readers: usize,
    writers: usize,
}

struct Pipe {
    state: Mutex<State>,
    changed: Condvar,
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
        self.0.lock().readers -= 1;
        self.0.changed.notify_all();
    }
}

impl Drop for WriteEnd {
    fn drop(&mut self) {
        self.0.lock().writers -= 1;
        self.0.changed.notify_all();
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
        let mut st = self.0.lock();
        loop {
            if !st.data.is_empty() {
                let n = buf.len().min(st.data.len());
                for (dst, src) in buf.iter_mut().zip(st.data.drain(..n)) {
                    *dst = src;
                }
                self.0.changed.notify_all();
                return Ok(n);
            }
            if st.writers == 0 {
                return Ok(0);
            }
            if nonblock {
                return Err(Errno::EAGAIN);
            }
            st = self.0.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
    }
    fn readable_bytes(&self) -> KResult<u64> {
        Ok(self.0.lock().data.len() as u64)
    }
    fn poll(&self, events: u32) -> u32 {
        let st = self.0.lock();
        let mut r = 0;
        if !st.data.is_empty() || st.writers == 0 {
            r |= crate::fd::POLLIN;
        }
        r & events
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
        let mut st = self.0.lock();
        let mut written = 0;
        while written < data.len() {
            if st.readers == 0 {
                // The caller raises SIGPIPE for EPIPE.
                return if written > 0 {
                    Ok(written)
                } else {
                    Err(Errno::EPIPE)
                };
            }
            let room = PIPE_CAPACITY - st.data.len();
            let left = data.len() - written;
            // Writes of at most PIPE_BUF bytes go in whole or not at all.
            let fits = if left <= PIPE_BUF {
                room >= left
            } else {
                room > 0
            };
            if fits {
                let n = room.min(left);
                st.data.extend(&data[written..written + n]);
                written += n;
                self.0.changed.notify_all();
                continue;
            }
            if nonblock {
                return if written > 0 {
                    Ok(written)
                } else {
                    Err(Errno::EAGAIN)
                };
            }
            st = self.0.changed.wait(st).unwrap_or_else(|e| e.into_inner());
        }
        Ok(written)
    }
    fn poll(&self, events: u32) -> u32 {
        let st = self.0.lock();
        let mut r = 0;
        if st.readers == 0 || PIPE_CAPACITY - st.data.len() >= PIPE_BUF {
            r |= crate::fd::POLLOUT;
        }
        r & events
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
        changed: Condvar::new(),
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
