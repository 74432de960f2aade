//! pidfds: a descriptor naming one process (or, with `PIDFD_THREAD`, one thread). It holds
//! the process itself rather than its number, so a reused pid can never redirect it. It
//! polls readable once its target has exited and reports `POLLHUP` too once nothing is left
//! of it (reaped), as Linux's `pidfd_poll` does.

use std::any::Any;
use std::sync::Arc;

use super::{anon_inode_stat, noop_llseek, POLLHUP, POLLIN, POLLRDNORM};
use crate::errno::KResult;
use crate::fd::{FileOps, OpenFile, O_EXCL, O_NONBLOCK, O_RDWR};
use crate::process::{Process, Thread};
use crate::vfs::Stat;
use crate::wait::WaitQueue;

/// `PIDFD_NONBLOCK`: `waitid(P_PIDFD)` on it does not wait.
pub const PIDFD_NONBLOCK: u32 = O_NONBLOCK;
/// `PIDFD_THREAD`: the pidfd names a thread rather than its whole process.
pub const PIDFD_THREAD: u32 = O_EXCL;

/// What a pidfd refers to.
pub struct PidFd {
    process: Arc<Process>,
    /// For a thread pidfd: the thread, or `None` when it had already exited (a leader that
    /// left before its process) when the pidfd was made.
    thread: Option<Option<Arc<Thread>>>,
    /// The pid or tid the pidfd was opened for.
    id: i32,
}

impl PidFd {
    /// The pidfd behind `file`, if it is one.
    pub fn of(file: &OpenFile) -> Option<&PidFd> {
        file.ops().as_any().downcast_ref::<PidFd>()
    }

    /// The target process (for a thread pidfd, the thread's process).
    pub fn process(&self) -> &Arc<Process> {
        &self.process
    }

    /// The pid (or, for a thread pidfd, the tid) the pidfd was made for.
    pub fn id(&self) -> i32 {
        self.id
    }

    /// Whether it names a thread (`PIDFD_THREAD`) rather than a process.
    pub fn is_thread(&self) -> bool {
        self.thread.is_some()
    }

    /// The target thread while it runs: the named thread, or for a process pidfd its
    /// leader thread.
    pub fn live_thread(&self) -> Option<Arc<Thread>> {
        let st = self.process.state();
        let running = |t: &Arc<Thread>| st.threads.iter().any(|x| Arc::ptr_eq(x, t));
        match &self.thread {
            Some(t) => t.clone().filter(running),
            None => st.threads.iter().find(|t| t.tid() == self.id).cloned(),
        }
    }
}

/// Opens a pidfd description for `process` (and `thread`, for a thread pidfd; `Some(None)`
/// for one whose thread has already exited) made for id `id`. `flags` are `pidfd_open`'s
/// (`PIDFD_NONBLOCK`, `PIDFD_THREAD`); the caller handles close-on-exec, which pidfds always
/// have.
pub fn new_pidfd(
    process: Arc<Process>,
    thread: Option<Option<Arc<Thread>>>,
    id: i32,
    flags: u32,
) -> Arc<OpenFile> {
    let ops = PidFd {
        process,
        thread,
        id,
    };
    let file = OpenFile::new(Arc::new(ops), None, O_RDWR | (flags & PIDFD_NONBLOCK));
    Arc::new(file.with_status(flags & PIDFD_THREAD))
}

impl FileOps for PidFd {
    fn describe(&self) -> String {
        "anon_inode:[pidfd]".into()
    }

    fn stat(&self) -> KResult<Stat> {
        Ok(anon_inode_stat())
    }

    fn stream_seek(&self, _off: i64, whence: u32) -> KResult<u64> {
        noop_llseek(whence)
    }

    fn poll(&self, events: u32) -> u32 {
        let st = self.process.state();
        let ready = if st.reaped {
            POLLIN | POLLRDNORM | POLLHUP
        } else {
            match &self.thread {
                // The whole process has exited: a zombie.
                None if st.zombie.is_some() => POLLIN | POLLRDNORM,
                None => 0,
                Some(t) => {
                    let running = t
                        .as_ref()
                        .is_some_and(|t| st.threads.iter().any(|x| Arc::ptr_eq(x, t)));
                    match running {
                        true => 0,
                        // A leader stays a zombie until its process is reaped; other
                        // threads are gone at once.
                        false if self.id == self.process.pid => POLLIN | POLLRDNORM,
                        false => POLLIN | POLLRDNORM | POLLHUP,
                    }
                }
            }
        };
        ready & (events | POLLHUP)
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.process.pidfd_events)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
