//! Readiness and event descriptors: the `poll` event bits, how one open file's readiness is
//! computed for `poll`/`select`/`epoll`, and the event file kinds: [`epoll`] instances,
//! [`eventfd`] counters, [`inotify`] instances, [`signalfd`] signal readers and [`pidfd`] process handles.

pub mod epoll;
pub mod eventfd;
pub mod inotify;
pub mod pidfd;
pub mod signalfd;

use crate::fd::OpenFile;
pub use crate::fd::{POLLERR, POLLHUP, POLLIN, POLLOUT};

/// `POLLPRI`: urgent (out-of-band) data.
pub const POLLPRI: u32 = 0x2;
/// `POLLNVAL`: the descriptor is not open (only `poll` reports it).
pub const POLLNVAL: u32 = 0x20;
/// `POLLRDNORM`: normal data readable.
pub const POLLRDNORM: u32 = 0x40;
/// `POLLRDBAND`: priority band data readable.
pub const POLLRDBAND: u32 = 0x80;
/// `POLLWRNORM`: writable.
pub const POLLWRNORM: u32 = 0x100;
/// `POLLWRBAND`: priority band data writable.
pub const POLLWRBAND: u32 = 0x200;
/// `POLLMSG`.
pub const POLLMSG: u32 = 0x400;
/// `POLLRDHUP`: the peer shut down its writing half.
pub const POLLRDHUP: u32 = 0x2000;

/// Every readiness bit a file kind may report (the `epoll` flag bits lie above these).
pub const ALL_EVENTS: u32 = 0xffff;

/// Linux's `noop_llseek`, which the event files use: the position stays 0 for any valid
/// `whence`.
pub(crate) fn noop_llseek(whence: u32) -> crate::errno::KResult<u64> {
    if whence > crate::fd::SEEK_HOLE {
        return Err(crate::errno::Errno::EINVAL);
    }
    Ok(0)
}

/// What `file` is ready for now, as Linux's `vfs_poll` reports it. Kinds with a wait queue
/// answer exactly (an eventfd reports no `POLLRDNORM`, a pipe does); the kinds without one are
/// files, devices and host stdio, for which Linux reports `POLLRDNORM`/`POLLWRNORM` alongside
/// `POLLIN`/`POLLOUT` (`DEFAULT_POLLMASK`, and what a terminal, pipe or socket says).
pub fn readiness(file: &OpenFile) -> u32 {
    let mut r = file.ops().poll(ALL_EVENTS);
    if file.ops().wait_queue().is_none() {
        if r & POLLIN != 0 {
            r |= POLLRDNORM;
        }
        if r & POLLOUT != 0 {
            r |= POLLWRNORM;
        }
    }
    r
}

/// Whether waiting for `file` must re-poll it now and then instead of sleeping on a queue:
/// kinds without a wait queue that still answer `poll` for real (host stdio behind a terminal
/// or pipe), and epoll instances watching such a file.
pub fn needs_repoll(file: &OpenFile) -> bool {
    match file.ops().wait_queue() {
        None => true,
        Some(_) => epoll::Epoll::of(file).is_some_and(|ep| ep.has_polled_interests()),
    }
}

/// Whether `file` may be watched by epoll: kinds whose readiness changes (they have a wait
/// queue, or are host stdio that is polled). Regular files, directories and the memory devices
/// are always ready, and Linux refuses them with `EPERM`.
pub fn epoll_can_watch(file: &OpenFile) -> bool {
    file.ops().wait_queue().is_some() || crate::tty::is_host_stdio(file.ops().as_ref())
}

/// What `fstat` reports for the anonymous-inode kinds (eventfd, epoll, signalfd, pidfd): like Linux,
/// every one shares one inode of the anonymous inode filesystem, mode 0600 with no file type.
pub fn anon_inode_stat() -> crate::vfs::Stat {
    crate::vfs::Stat {
        dev: crate::vfs::makedev(0, 15),
        ino: 1,
        mode: 0o600,
        nlink: 1,
        blksize: 4096,
        ..crate::vfs::Stat::default()
    }
}
