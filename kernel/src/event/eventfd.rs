//! eventfd: a 64-bit counter as a file. A write adds to it, a read takes it (or, in semaphore
//! mode, takes one); reads block at zero and writes block when the sum would reach
//! `u64::MAX`.

use std::any::Any;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{anon_inode_stat, POLLERR, POLLIN, POLLOUT};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_NONBLOCK, O_RDWR};
use crate::vfs::Stat;
use crate::wait::WaitQueue;

/// `EFD_SEMAPHORE`: each read takes 1 instead of the whole count.
pub const EFD_SEMAPHORE: u32 = 1;
/// `EFD_NONBLOCK` (same value as `O_NONBLOCK`).
pub const EFD_NONBLOCK: u32 = O_NONBLOCK;
/// `EFD_CLOEXEC` (same value as `O_CLOEXEC`).
pub const EFD_CLOEXEC: u32 = crate::fd::O_CLOEXEC;

/// The largest value the counter holds: one below `u64::MAX`, which marks overflow.
const MAX_COUNT: u64 = u64::MAX - 1;

/// An eventfd counter.
pub struct EventFd {
    count: Mutex<u64>,
    semaphore: bool,
    /// Notified with `POLLIN` after writes and `POLLOUT` after reads, as Linux does.
    queue: WaitQueue,
}

impl EventFd {
    /// A counter starting at `initval`.
    pub fn new(initval: u64, semaphore: bool) -> EventFd {
        EventFd {
            count: Mutex::new(initval.min(MAX_COUNT)),
            semaphore,
            queue: WaitQueue::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, u64> {
        self.count.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current count (for tests and diagnostics).
    pub fn count(&self) -> u64 {
        *self.lock()
    }
}

/// Opens an eventfd description (`eventfd2`'s `EFD_NONBLOCK` and `EFD_SEMAPHORE`; the caller
/// handles `EFD_CLOEXEC`). `EINVAL` for unknown flags.
pub fn new_eventfd(initval: u32, flags: u32) -> KResult<Arc<OpenFile>> {
    if flags & !(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    let ops = EventFd::new(u64::from(initval), flags & EFD_SEMAPHORE != 0);
    Ok(Arc::new(OpenFile::new(
        Arc::new(ops),
        None,
        O_RDWR | (flags & EFD_NONBLOCK),
    )))
}

impl FileOps for EventFd {
    fn describe(&self) -> String {
        "anon_inode:[eventfd]".into()
    }

    fn stat(&self) -> KResult<Stat> {
        Ok(anon_inode_stat())
    }

    fn stream_seek(&self, _off: i64, whence: u32) -> KResult<u64> {
        super::noop_llseek(whence)
    }

    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        // Never waits here: the syscall layer sleeps on the queue.
        let out = buf.get_mut(..8).ok_or(Errno::EINVAL)?;
        let mut count = self.lock();
        if *count == 0 {
            return Err(Errno::EAGAIN);
        }
        let val = if self.semaphore { 1 } else { *count };
        *count -= val;
        drop(count);
        out.copy_from_slice(&val.to_ne_bytes());
        self.queue.notify(POLLOUT);
        Ok(8)
    }

    fn write(&self, data: &[u8], _nonblock: bool) -> KResult<usize> {
        // Exactly 8 bytes (Linux since 6.9; earlier kernels took the first 8 of more).
        let raw: [u8; 8] = data.try_into().map_err(|_| Errno::EINVAL)?;
        let val = u64::from_ne_bytes(raw);
        if val == u64::MAX {
            return Err(Errno::EINVAL);
        }
        let mut count = self.lock();
        // The sum must stay at or below MAX_COUNT; otherwise wait for a reader.
        if val > MAX_COUNT - *count {
            return Err(Errno::EAGAIN);
        }
        *count += val;
        drop(count);
        // Linux wakes readers (and edge-triggered epoll) on every write, even of zero.
        self.queue.notify(POLLIN);
        Ok(8)
    }

    fn readable_bytes(&self) -> KResult<u64> {
        Err(Errno::ENOTTY)
    }

    fn poll(&self, events: u32) -> u32 {
        let count = *self.lock();
        let mut r = 0;
        if count > 0 {
            r |= POLLIN;
        }
        if count == u64::MAX {
            r |= POLLERR;
        }
        if count < MAX_COUNT {
            r |= POLLOUT;
        }
        r & (events | POLLERR)
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.queue)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(e: &EventFd) -> KResult<u64> {
        let mut b = [0u8; 8];
        e.read(&mut b, true)?;
        Ok(u64::from_ne_bytes(b))
    }

    fn write(e: &EventFd, v: u64) -> KResult<usize> {
        e.write(&v.to_ne_bytes(), true)
    }

    #[test]
    fn counter_reads_all_then_blocks() {
        let e = EventFd::new(3, false);
        assert_eq!(e.poll(POLLIN | POLLOUT), POLLIN | POLLOUT);
        assert_eq!(write(&e, 4), Ok(8));
        assert_eq!(read(&e), Ok(7));
        assert_eq!(read(&e), Err(Errno::EAGAIN));
        assert_eq!(e.poll(POLLIN | POLLOUT), POLLOUT);
    }

    #[test]
    fn semaphore_reads_one() {
        let e = EventFd::new(2, true);
        assert_eq!(read(&e), Ok(1));
        assert_eq!(read(&e), Ok(1));
        assert_eq!(read(&e), Err(Errno::EAGAIN));
    }

    #[test]
    fn size_and_value_limits() {
        let e = EventFd::new(0, false);
        assert_eq!(e.read(&mut [0u8; 7], true), Err(Errno::EINVAL));
        assert_eq!(e.write(&[0u8; 7], true), Err(Errno::EINVAL));
        assert_eq!(write(&e, u64::MAX), Err(Errno::EINVAL));
        assert_eq!(write(&e, MAX_COUNT), Ok(8));
        assert_eq!(e.poll(POLLOUT), 0);
        assert_eq!(write(&e, 1), Err(Errno::EAGAIN));
        assert_eq!(write(&e, 0), Ok(8));
        assert_eq!(read(&e), Ok(MAX_COUNT));
        assert_eq!(e.poll(POLLIN | POLLOUT), POLLOUT);
        // Reads may offer more room than 8 bytes; writes must be exactly 8.
        assert_eq!(e.write(&[0u8; 16], true), Err(Errno::EINVAL));
        assert_eq!(write(&e, 5), Ok(8));
        assert_eq!(e.read(&mut [0u8; 16], true), Ok(8));
        assert_eq!(e.count(), 0);
    }
}
