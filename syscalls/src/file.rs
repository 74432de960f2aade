//! The file syscall family: I/O on descriptors (`read`/`write` and their vectored and
//! positional forms, `lseek`; in-kernel copies live in `splice.rs`), descriptor management
//! (`close`, `close_range`, `dup*`, `fcntl`), `ioctl`, and the sync/size/advice calls.

use std::sync::{Arc, Mutex};

use sbx_kernel::fd::*;
use sbx_kernel::mm::TASK_SIZE;
use sbx_kernel::signal::Signal;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::abi::{Flock, Iovec};
use sbx_kernel::vfs::lock::{FileKey, LockKind, LockOwner, LockTable, OFFSET_MAX};
use sbx_kernel::vfs::FileKind;
use sbx_kernel::wait::WaitQueue;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("read", sys_read, Support::Full);
    b.add("write", sys_write, Support::Full);
    b.add("readv", sys_readv, Support::Full);
    b.add("writev", sys_writev, Support::Full);
    b.add("pread64", sys_pread64, Support::Full);
    b.add("pwrite64", sys_pwrite64, Support::Full);
    b.add("preadv", sys_preadv, Support::Full);
    b.add("pwritev", sys_pwritev, Support::Full);
    b.add(
        "preadv2",
        sys_preadv2,
        Support::Partial("RWF_* hints are accepted and ignored"),
    );
    b.add(
        "pwritev2",
        sys_pwritev2,
        Support::Partial("RWF_* hints are accepted; RWF_APPEND appends"),
    );
    b.add("lseek", sys_lseek, Support::Full);
    b.add("close", sys_close, Support::Full);
    b.add("close_range", sys_close_range, Support::Full);
    b.add("dup", sys_dup, Support::Full);
    b.add("dup2", sys_dup2, Support::Full);
    b.add("dup3", sys_dup3, Support::Full);
    b.add(
        "fcntl",
        sys_fcntl,
        Support::Partial("no leases or notify; F_SETLKW does not detect deadlocks"),
    );
    b.add(
        "ioctl",
        sys_ioctl,
        Support::Partial(
            "terminal ioctls on stdio, FIONBIO, FIONREAD, FIOCLEX, FIONCLEX, FIOASYNC",
        ),
    );
    b.add("fsync", sys_fsync, Support::Full);
    b.add("fdatasync", sys_fsync, Support::Full);
    b.add("sync", sys_sync, Support::Full);
    b.add("syncfs", sys_syncfs, Support::Full);
    b.add("ftruncate", sys_ftruncate, Support::Full);
    b.add(
        "fallocate",
        sys_fallocate,
        Support::Partial("modes 0 and FALLOC_FL_KEEP_SIZE on tmpfs; host files pass through"),
    );
    b.add(
        "fadvise64",
        sys_fadvise64,
        Support::Partial("advice is validated and ignored"),
    );
    b.add("flock", sys_flock, Support::Full);
}

// ---- shared helpers (also used by the fs family) ------------------------------------------

/// The open file behind `fd` (`EBADF`).
pub(crate) fn get_file(task: &Task, fd: i32) -> KResult<Arc<OpenFile>> {
    task.files().get(fd)
}

/// The soft `RLIMIT_NOFILE`.
fn nofile(task: &Task) -> u64 {
    task.process.state().rlimits[7].0
}

/// Installs `file` at the lowest free descriptor under the process's `RLIMIT_NOFILE`.
pub(crate) fn install_fd(task: &Task, file: Arc<OpenFile>, cloexec: bool) -> KResult<u64> {
    let limit = nofile(task);
    let mut files = task.files();
    files.set_limit(limit);
    files.insert(file, cloexec).map(|fd| fd as u64)
}

/// `EMFILE` when no descriptor is free (checked before `open` creates anything).
pub(crate) fn check_fd_room(task: &Task) -> KResult<()> {
    let limit = nofile(task);
    let mut files = task.files();
    files.set_limit(limit);
    if files.has_room() {
        Ok(())
    } else {
        Err(Errno::EMFILE)
    }
}

/// A file usable for I/O: `O_PATH` descriptors are `EBADF` for everything but a few calls.
pub(crate) fn io_file(task: &Task, fd: i32) -> KResult<Arc<OpenFile>> {
    let f = get_file(task, fd)?;
    if f.is_path() {
        return Err(Errno::EBADF);
    }
    Ok(f)
}

/// Copies `data` to guest `addr` page by page; returns how much landed before a fault.
fn copy_out_upto(task: &Task, addr: u64, data: &[u8]) -> usize {
    let mut mm = task.mm();
    let mut done = 0;
    while done < data.len() {
        let Some(a) = addr.checked_add(done as u64) else {
            break;
        };
        let n = (4096 - (a % 4096) as usize).min(data.len() - done);
        if mm.copy_out(a, &data[done..done + n]).is_err() {
            break;
        }
        done += n;
    }
    done
}

/// Copies from guest `addr` into `buf` page by page; returns how much was readable.
fn copy_in_upto(task: &Task, addr: u64, buf: &mut [u8]) -> usize {
    let mut mm = task.mm();
    let mut done = 0;
    while done < buf.len() {
        let Some(a) = addr.checked_add(done as u64) else {
            break;
        };
        let n = (4096 - (a % 4096) as usize).min(buf.len() - done);
        if mm.copy_in(a, &mut buf[done..done + n]).is_err() {
            break;
        }
        done += n;
    }
    done
}

/// A sequence of guest buffers filled or drained in order.
pub(crate) struct GuestIov {
    iovs: Vec<Iovec>,
    idx: usize,
    off: u64,
}

impl GuestIov {
    pub(crate) fn single(addr: u64, len: usize) -> GuestIov {
        GuestIov {
            iovs: vec![Iovec {
                base: addr,
                len: len as u64,
            }],
            idx: 0,
            off: 0,
        }
    }

    pub(crate) fn total(&self) -> usize {
        self.iovs.iter().map(|v| v.len as usize).sum()
    }

    /// Scatters `data` into the buffers; returns how much fit before a fault.
    pub(crate) fn put(&mut self, task: &Task, data: &[u8]) -> usize {
        let mut done = 0;
        while done < data.len() && self.idx < self.iovs.len() {
            let v = self.iovs[self.idx];
            let room = (v.len - self.off) as usize;
            let n = room.min(data.len() - done);
            let w = copy_out_upto(task, v.base.wrapping_add(self.off), &data[done..done + n]);
            done += w;
            self.off += w as u64;
            if w < n {
                return done;
            }
            if self.off == v.len {
                self.idx += 1;
                self.off = 0;
            }
        }
        done
    }

    /// Moves to byte `pos` of the whole sequence.
    pub(crate) fn seek(&mut self, pos: usize) {
        let mut left = pos as u64;
        self.idx = 0;
        self.off = 0;
        while self.idx < self.iovs.len() && left >= self.iovs[self.idx].len {
            left -= self.iovs[self.idx].len;
            self.idx += 1;
        }
        if self.idx < self.iovs.len() {
            self.off = left;
        }
    }

    /// Gathers from the buffers into `buf`; returns how much was readable.
    pub(crate) fn take(&mut self, task: &Task, buf: &mut [u8]) -> usize {
        let mut done = 0;
        while done < buf.len() && self.idx < self.iovs.len() {
            let v = self.iovs[self.idx];
            let room = (v.len - self.off) as usize;
            let n = room.min(buf.len() - done);
            let r = copy_in_upto(
                task,
                v.base.wrapping_add(self.off),
                &mut buf[done..done + n],
            );
            done += r;
            self.off += r as u64;
            if r < n {
                return done;
            }
            if self.off == v.len {
                self.idx += 1;
                self.off = 0;
            }
        }
        done
    }
}

/// Reads and validates an iovec array as Linux does: `EINVAL` for a negative or too large
/// count or a negative length or a total past `ssize_t`, `EFAULT` for an unreadable array;
/// the total is then cut to `MAX_RW_COUNT`.
pub(crate) fn read_iovecs(task: &Task, addr: u64, cnt: i32) -> KResult<GuestIov> {
    const UIO_MAXIOV: i32 = 1024;
    if !(0..=UIO_MAXIOV).contains(&cnt) {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; cnt as usize * std::mem::size_of::<Iovec>()];
    task.mm().copy_in(addr, &mut raw)?;
    let mut iovs: Vec<Iovec> = raw
        .chunks_exact(16)
        .map(bytemuck::pod_read_unaligned)
        .collect();
    let mut total: u64 = 0;
    for v in &iovs {
        if v.len > i64::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        access_ok(v.base, v.len)?;
        total = total
            .checked_add(v.len)
            .filter(|&t| t <= i64::MAX as u64)
            .ok_or(Errno::EINVAL)?;
    }
    let mut left = MAX_RW_COUNT as u64;
    for v in iovs.iter_mut() {
        v.len = v.len.min(left);
        left -= v.len;
    }
    Ok(GuestIov {
        iovs,
        idx: 0,
        off: 0,
    })
}

/// The queue to sleep on when a stream read or write on `file` must wait: `None` for
/// non-blocking descriptions and for kinds that never wait.
fn blocking_queue(file: &OpenFile) -> Option<&WaitQueue> {
    if file.nonblocking() || file.ops().seekable() {
        return None;
    }
    file.ops().wait_queue()
}

/// Reads from `file` into guest buffers, sleeping (interruptibly) while a stream is empty.
fn do_read(task: &mut Task, file: &OpenFile, off: Option<u64>, mut dst: GuestIov) -> KResult<u64> {
    let count = dst.total();
    let n = match blocking_queue(file) {
        None => file.read_to(off, count, &mut |data| dst.put(task, data))?,
        Some(q) => task.block_on(&[(q, POLLIN | POLLHUP | POLLERR)], None, |t| {
            file.read_to(off, count, &mut |data| dst.put(t, data))
        })?,
    };
    Ok(n as u64)
}

/// Writes guest buffers to `file`; a broken pipe also raises `SIGPIPE`, as Linux does. A
/// blocking stream write sleeps until everything is written; a signal ends it early with the
/// count written so far (or a restart when nothing was), and so does the last reader of a
/// pipe going away.
fn do_write(task: &mut Task, file: &OpenFile, off: Option<u64>, mut src: GuestIov) -> KResult<u64> {
    let count = src.total();
    let r = match blocking_queue(file) {
        None => {
            let t: &Task = task;
            file.write_from(off, count, &mut |_, buf| src.take(t, buf))
        }
        Some(q) => {
            let mut done = 0usize;
            loop {
                let r = task.block_on(&[(q, POLLOUT | POLLHUP | POLLERR)], None, |t| {
                    // The description may take less than the source gave it: restart the
                    // source where the writes stopped.
                    src.seek(done);
                    file.write_from(off, count - done, &mut |_, buf| src.take(t, buf))
                });
                match r {
                    Ok(n) => {
                        done += n;
                        if n == 0 || done >= count {
                            break Ok(done);
                        }
                    }
                    Err(e) if done > 0 => {
                        // A pipe whose last reader left mid-write still raises SIGPIPE
                        // (Linux's pipe_write); a socket's partial send does not.
                        if e == Errno::EPIPE && is_fifo(file) {
                            task.send_signal(Signal::SIGPIPE);
                        }
                        break Ok(done);
                    }
                    Err(e) => break Err(e),
                }
            }
        }
    };
    if r == Err(Errno::EPIPE) {
        task.send_signal(Signal::SIGPIPE);
    }
    r.map(|n| n as u64)
}

/// A pipe or FIFO.
fn is_fifo(file: &OpenFile) -> bool {
    file.stat().is_ok_and(|s| s.kind() == FileKind::Fifo)
}

/// Linux's `access_ok`: the whole buffer must lie in user space (checked before any I/O,
/// so a huge count with a small buffer is `EFAULT` even when the file is short).
pub(crate) fn access_ok(addr: u64, len: u64) -> KResult<()> {
    match addr.checked_add(len) {
        Some(end) if end <= TASK_SIZE => Ok(()),
        _ => Err(Errno::EFAULT),
    }
}

/// A readable (for reads) or writable (for writes) description, and a buffer in user space:
/// `EBADF` comes before `EFAULT`, as in `vfs_read`/`vfs_write`.
fn rw_file(task: &Task, fd: i32, write: bool, addr: u64, len: u64) -> KResult<Arc<OpenFile>> {
    let file = io_file(task, fd)?;
    if (write && !file.writable()) || (!write && !file.readable()) {
        return Err(Errno::EBADF);
    }
    access_ok(addr, len)?;
    Ok(file)
}

/// A non-negative file offset argument (`EINVAL` otherwise).
fn offset_arg(v: u64) -> KResult<u64> {
    if (v as i64) < 0 {
        Err(Errno::EINVAL)
    } else {
        Ok(v)
    }
}

/// The offset `preadv`/`pwritev` pass as (low, high): on 64-bit Linux `pos_from_hilo` shifts
/// the high word out entirely, so the low register holds the whole 64-bit offset.
fn split_offset(lo: u64, _hi: u64) -> u64 {
    lo
}

// ---- read/write ---------------------------------------------------------------------------

fn sys_read(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = rw_file(task, a.i32(0), false, a.u(1), a.u(2))?;
    do_read(
        task,
        &file,
        None,
        GuestIov::single(a.u(1), a.u(2).min(MAX_RW_COUNT as u64) as usize),
    )
}

fn sys_write(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = rw_file(task, a.i32(0), true, a.u(1), a.u(2))?;
    do_write(
        task,
        &file,
        None,
        GuestIov::single(a.u(1), a.u(2).min(MAX_RW_COUNT as u64) as usize),
    )
}

fn sys_pread64(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = rw_file(task, a.i32(0), false, a.u(1), a.u(2))?;
    let off = offset_arg(a.u(3))?;
    if !file.ops().seekable() {
        return Err(Errno::ESPIPE);
    }
    do_read(
        task,
        &file,
        Some(off),
        GuestIov::single(a.u(1), a.u(2).min(MAX_RW_COUNT as u64) as usize),
    )
}

fn sys_pwrite64(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = rw_file(task, a.i32(0), true, a.u(1), a.u(2))?;
    let off = offset_arg(a.u(3))?;
    if !file.ops().seekable() {
        return Err(Errno::ESPIPE);
    }
    do_write(
        task,
        &file,
        Some(off),
        GuestIov::single(a.u(1), a.u(2).min(MAX_RW_COUNT as u64) as usize),
    )
}

fn sys_readv(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let iov = read_iovecs(task, a.u(1), a.i32(2))?;
    do_read(task, &file, None, iov)
}

fn sys_writev(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let iov = read_iovecs(task, a.u(1), a.i32(2))?;
    do_write(task, &file, None, iov)
}

fn sys_preadv(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let iov = read_iovecs(task, a.u(1), a.i32(2))?;
    let off = offset_arg(split_offset(a.u(3), a.u(4)))?;
    if !file.ops().seekable() {
        return Err(Errno::ESPIPE);
    }
    do_read(task, &file, Some(off), iov)
}

fn sys_pwritev(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let iov = read_iovecs(task, a.u(1), a.i32(2))?;
    let off = offset_arg(split_offset(a.u(3), a.u(4)))?;
    if !file.ops().seekable() {
        return Err(Errno::ESPIPE);
    }
    do_write(task, &file, Some(off), iov)
}

/// `RWF_HIPRI | RWF_DSYNC | RWF_SYNC | RWF_NOWAIT | RWF_APPEND | RWF_NOAPPEND`.
const RWF_VALID: u32 = 0x3f;
const RWF_APPEND: u32 = 0x10;

/// `preadv2`/`pwritev2` offsets: -1 means the current file position.
fn offset2(v: u64) -> KResult<Option<u64>> {
    match v as i64 {
        -1 => Ok(None),
        o if o < 0 => Err(Errno::EINVAL),
        o => Ok(Some(o as u64)),
    }
}

fn sys_preadv2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let iov = read_iovecs(task, a.u(1), a.i32(2))?;
    let off = offset2(split_offset(a.u(3), a.u(4)))?;
    if a.u32(5) & !RWF_VALID != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if off.is_some() && !file.ops().seekable() {
        return Err(Errno::ESPIPE);
    }
    do_read(task, &file, off, iov)
}

fn sys_pwritev2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let iov = read_iovecs(task, a.u(1), a.i32(2))?;
    let mut off = offset2(split_offset(a.u(3), a.u(4)))?;
    let flags = a.u32(5);
    if flags & !RWF_VALID != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    if off.is_some() && !file.ops().seekable() {
        return Err(Errno::ESPIPE);
    }
    if flags & RWF_APPEND != 0 && file.ops().seekable() {
        off = Some(file.stat()?.size);
    }
    do_write(task, &file, off, iov)
}

fn sys_lseek(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = get_file(task, a.i32(0))?;
    file.seek(a.u(1) as i64, a.u32(2))
}

// ---- descriptors --------------------------------------------------------------------------

fn sys_close(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = task.files().remove(a.i32(0))?;
    // The last reference may close a host file: do it outside the table lock.
    release_on_close(task, file);
    Ok(0)
}

const CLOSE_RANGE_UNSHARE: u32 = 2;
const CLOSE_RANGE_CLOEXEC: u32 = 4;

fn sys_close_range(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (first, last, flags) = (a.u32(0), a.u32(1), a.u32(2));
    if flags & !(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) != 0 || first > last {
        return Err(Errno::EINVAL);
    }
    if flags & CLOSE_RANGE_UNSHARE != 0 {
        let copy = task.files().clone();
        task.set_files(Arc::new(Mutex::new(copy)));
    }
    let closed = task
        .files()
        .close_range(first, last, flags & CLOSE_RANGE_CLOEXEC != 0);
    for file in closed {
        release_on_close(task, file);
    }
    Ok(0)
}

fn sys_dup(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = get_file(task, a.i32(0))?;
    install_fd(task, file, false)
}

fn dup_to(task: &Task, old: i32, new: i32, cloexec: bool) -> KResult<u64> {
    let limit = nofile(task);
    let mut files = task.files();
    files.set_limit(limit);
    let file = files.get(old)?;
    let replaced = files.install(new, file, cloexec)?;
    drop(files);
    if let Some(old) = replaced {
        release_on_close(task, old);
    }
    Ok(new as u64)
}

fn sys_dup2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (old, new) = (a.i32(0), a.i32(1));
    if old == new {
        get_file(task, old)?;
        return Ok(new as u64);
    }
    dup_to(task, old, new, false)
}

fn sys_dup3(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (old, new, flags) = (a.i32(0), a.i32(1), a.u32(2));
    if flags & !O_CLOEXEC != 0 || old == new {
        return Err(Errno::EINVAL);
    }
    dup_to(task, old, new, flags & O_CLOEXEC != 0)
}

const F_DUPFD: u32 = 0;
const F_GETFD: u32 = 1;
const F_SETFD: u32 = 2;
const F_GETFL: u32 = 3;
const F_SETFL: u32 = 4;
const F_GETLK: u32 = 5;
const F_SETLK: u32 = 6;
const F_SETLKW: u32 = 7;
const F_SETOWN: u32 = 8;
const F_GETOWN: u32 = 9;
const F_SETSIG: u32 = 10;
const F_GETSIG: u32 = 11;
const F_OFD_GETLK: u32 = 36;
const F_OFD_SETLK: u32 = 37;
const F_OFD_SETLKW: u32 = 38;
const F_DUPFD_CLOEXEC: u32 = 1030;
const F_SETPIPE_SZ: u32 = 1031;
const F_GETPIPE_SZ: u32 = 1032;
/// May grow a pipe past `/proc/sys/fs/pipe-max-size`.
const CAP_SYS_RESOURCE: u32 = 24;
const F_RDLCK: i16 = 0;
const F_WRLCK: i16 = 1;
const F_UNLCK: i16 = 2;

/// What locks are keyed by: the file's (device, inode).
fn lock_key(file: &OpenFile) -> KResult<FileKey> {
    let st = file.stat()?;
    Ok((st.dev, st.ino))
}

/// The owner of the task's POSIX record locks: its process.
fn posix_owner(task: &Task) -> LockOwner {
    LockOwner::new(&task.process, task.process.pid)
}

/// The inclusive byte range `[start, end]` a `struct flock` names (Linux's
/// `flock_to_posix_lock`): `l_len` 0 runs to [`OFFSET_MAX`], a negative one ends before
/// `l_start`.
fn lock_range(file: &OpenFile, l: &Flock) -> KResult<(i64, i64)> {
    let base = match l.l_whence {
        0 => 0,
        1 => file.offset().min(OFFSET_MAX as u64) as i64,
        2 => file.stat()?.size.min(OFFSET_MAX as u64) as i64,
        _ => return Err(Errno::EINVAL),
    };
    if l.l_start > OFFSET_MAX - base {
        return Err(Errno::EOVERFLOW);
    }
    let mut start = base + l.l_start;
    if start < 0 {
        return Err(Errno::EINVAL);
    }
    let end = match l.l_len {
        0 => OFFSET_MAX,
        len if len > 0 => {
            if len - 1 > OFFSET_MAX - start {
                return Err(Errno::EOVERFLOW);
            }
            start + len - 1
        }
        len => {
            let end = start - 1;
            start += len;
            if start < 0 {
                return Err(Errno::EINVAL);
            }
            end
        }
    };
    Ok((start, end))
}

/// Runs a lock operation once, or (`wait`) until it stops failing with `EAGAIN`, sleeping
/// until some lock is released.
fn lock_wait(
    task: &mut Task,
    wait: bool,
    mut op: impl FnMut(&LockTable) -> KResult<()>,
) -> KResult<u64> {
    let kernel = task.kernel.clone();
    let locks = &kernel.vfs.locks;
    if !wait {
        return op(locks).map(|_| 0);
    }
    task.block_on(&[(&locks.queue, !0)], None, |_| op(locks))
        .map(|_| 0)
}

/// Lock bookkeeping when a descriptor goes: the process's POSIX record locks on the file are
/// released (any close does that), and once the last descriptor of the description is gone
/// its flock and OFD locks are too.
fn release_on_close(task: &Task, file: Arc<OpenFile>) {
    let locks = &task.kernel.vfs.locks;
    if locks.is_empty() {
        return;
    }
    if let Ok(key) = lock_key(&file) {
        locks.release_records(key, &posix_owner(task));
    }
    drop(file);
    locks.prune();
}

fn sys_fcntl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd, cmd, arg) = (a.i32(0), a.u32(1), a.u(2));
    let file = get_file(task, fd)?;
    match cmd {
        F_DUPFD | F_DUPFD_CLOEXEC => {
            let min = u32::try_from(arg as i32).map_err(|_| Errno::EINVAL)?;
            let limit = nofile(task);
            let mut files = task.files();
            files.set_limit(limit);
            files
                .insert_from(min, file, cmd == F_DUPFD_CLOEXEC)
                .map(|fd| fd as u64)
        }
        F_GETFD => Ok(task.files().cloexec(fd)? as u64),
        F_SETFD => task
            .files()
            .set_cloexec(fd, arg & FD_CLOEXEC as u64 != 0)
            .map(|_| 0),
        F_GETFL => Ok(file.getfl() as u64),
        _ if file.is_path() => Err(Errno::EBADF),
        F_SETFL => {
            file.setfl(arg as u32);
            Ok(0)
        }
        F_GETLK | F_OFD_GETLK => {
            let mut l: Flock = task.mm().read_val(arg)?;
            let kind = match l.l_type {
                F_RDLCK => LockKind::Read,
                F_WRLCK => LockKind::Write,
                _ => return Err(Errno::EINVAL),
            };
            let (start, end) = lock_range(&file, &l)?;
            let owner = if cmd == F_OFD_GETLK {
                if l.l_pid != 0 {
                    return Err(Errno::EINVAL);
                }
                LockOwner::new(&file, -1)
            } else {
                posix_owner(task)
            };
            let key = lock_key(&file)?;
            match task.kernel.vfs.locks.test(key, &owner, kind, start, end) {
                None => l.l_type = F_UNLCK,
                Some(c) => {
                    l.l_type = if c.kind == LockKind::Write {
                        F_WRLCK
                    } else {
                        F_RDLCK
                    };
                    l.l_whence = 0;
                    l.l_start = c.start;
                    l.l_len = if c.end == OFFSET_MAX {
                        0
                    } else {
                        c.end - c.start + 1
                    };
                    l.l_pid = c.pid;
                }
            }
            task.mm().write_val(arg, &l)?;
            Ok(0)
        }
        F_SETLK | F_SETLKW | F_OFD_SETLK | F_OFD_SETLKW => {
            let l: Flock = task.mm().read_val(arg)?;
            let (start, end) = lock_range(&file, &l)?;
            let kind = match l.l_type {
                F_RDLCK => Some(LockKind::Read),
                F_WRLCK => Some(LockKind::Write),
                F_UNLCK => None,
                _ => return Err(Errno::EINVAL),
            };
            match kind {
                Some(LockKind::Read) if !file.readable() => return Err(Errno::EBADF),
                Some(LockKind::Write) if !file.writable() => return Err(Errno::EBADF),
                _ => {}
            }
            let ofd = cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
            let owner = if ofd {
                if l.l_pid != 0 {
                    return Err(Errno::EINVAL);
                }
                LockOwner::new(&file, -1)
            } else {
                posix_owner(task)
            };
            let key = lock_key(&file)?;
            let wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
            lock_wait(task, wait, |locks| locks.set(key, &owner, kind, start, end))
        }
        crate::memfd::F_ADD_SEALS | crate::memfd::F_GET_SEALS => {
            crate::memfd::fcntl_seals(&file, cmd, arg)
        }
        F_GETPIPE_SZ => sbx_kernel::pipe::capacity(&file).map(|n| n as u64),
        F_SETPIPE_SZ => {
            let privileged = crate::identity::capable(task, CAP_SYS_RESOURCE);
            sbx_kernel::pipe::set_capacity(&file, arg as u32, privileged).map(|n| n as u64)
        }
        F_GETOWN | F_GETSIG => Ok(0),
        F_SETOWN | F_SETSIG => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

const FIONBIO: u32 = 0x5421;
const FIONCLEX: u32 = 0x5450;
const FIOCLEX: u32 = 0x5451;
const FIOASYNC: u32 = 0x5452;
const FIONREAD: u32 = 0x541B;

fn sys_ioctl(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd, cmd, arg) = (a.i32(0), a.u32(1), a.u(2));
    let file = io_file(task, fd)?;
    match cmd {
        FIOCLEX | FIONCLEX => task.files().set_cloexec(fd, cmd == FIOCLEX).map(|_| 0),
        FIONBIO | FIOASYNC => {
            let on: i32 = task.mm().read_val(arg)?;
            if cmd == FIONBIO {
                file.set_nonblocking(on != 0);
            } else {
                let fl = file.status();
                file.setfl(if on != 0 { fl | O_ASYNC } else { fl & !O_ASYNC });
            }
            Ok(0)
        }
        _ => {
            let ops = file.ops().clone();
            match ops.ioctl(&file, task, cmd, arg) {
                Err(Errno::ENOTTY) if cmd == FIONREAD => {
                    // Kinds that count their queued bytes (pipes, terminals).
                    if let Ok(n) = file.ops().readable_bytes() {
                        task.mm().write_val(arg, &(n.min(i32::MAX as u64) as i32))?;
                        return Ok(0);
                    }
                    // Regular files: `i_size - f_pos` truncated to an int, as Linux computes
                    // it (negative past the end).
                    let st = file.stat()?;
                    if st.kind() != FileKind::Regular {
                        return Err(Errno::ENOTTY);
                    }
                    let n = (st.size as i64).wrapping_sub(file.offset() as i64) as i32;
                    task.mm().write_val(arg, &n)?;
                    Ok(0)
                }
                r => r,
            }
        }
    }
}

// ---- sync, size, advice, locks ------------------------------------------------------------

fn sys_fsync(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    io_file(task, a.i32(0))?.ops().sync().map(|_| 0)
}

fn sys_sync(_task: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(0)
}

fn sys_syncfs(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    io_file(task, a.i32(0))?;
    Ok(0)
}

fn sys_ftruncate(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let len = a.u(1) as i64;
    if len < 0 {
        return Err(Errno::EINVAL);
    }
    if !file.writable() || file.stat()?.kind() != FileKind::Regular {
        return Err(Errno::EINVAL);
    }
    file.truncate(len as u64).map(|_| 0)
}

fn sys_fallocate(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    let (mode, off, len) = (a.u32(1), a.u(2) as i64, a.u(3) as i64);
    if off < 0 || len <= 0 {
        return Err(Errno::EINVAL);
    }
    // Linux's `vfs_fallocate` mode rules; what a filesystem then supports is its business.
    const KEEP_SIZE: u32 = 0x01;
    const PUNCH_HOLE: u32 = 0x02;
    const COLLAPSE_RANGE: u32 = 0x08;
    const ZERO_RANGE: u32 = 0x10;
    const INSERT_RANGE: u32 = 0x20;
    const UNSHARE_RANGE: u32 = 0x40;
    const WRITE_ZEROES: u32 = 0x80;
    const MODE_MASK: u32 =
        PUNCH_HOLE | COLLAPSE_RANGE | ZERO_RANGE | INSERT_RANGE | UNSHARE_RANGE | WRITE_ZEROES;
    if mode & !(MODE_MASK | KEEP_SIZE) != 0 {
        return Err(Errno::EOPNOTSUPP);
    }
    match mode & MODE_MASK {
        0 | UNSHARE_RANGE | ZERO_RANGE => {}
        PUNCH_HOLE if mode & KEEP_SIZE != 0 => {}
        COLLAPSE_RANGE | INSERT_RANGE | WRITE_ZEROES if mode & KEEP_SIZE == 0 => {}
        _ => return Err(Errno::EOPNOTSUPP),
    }
    if !file.writable() {
        return Err(Errno::EBADF);
    }
    match file.stat()?.kind() {
        FileKind::Regular => {}
        FileKind::Directory => return Err(Errno::EISDIR),
        FileKind::Fifo => return Err(Errno::ESPIPE),
        _ => return Err(Errno::ENODEV),
    }
    if (off as u64)
        .checked_add(len as u64)
        .is_none_or(|e| e > i64::MAX as u64)
    {
        return Err(Errno::EFBIG);
    }
    file.ops().allocate(mode, off as u64, len as u64)?;
    file.notify(sbx_kernel::vfs::notify::IN_MODIFY);
    Ok(0)
}

fn sys_fadvise64(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let file = io_file(task, a.i32(0))?;
    if (a.u(2) as i64) < 0 || a.u32(3) > 5 {
        return Err(Errno::EINVAL);
    }
    if file.stat()?.kind() == FileKind::Fifo {
        return Err(Errno::ESPIPE);
    }
    Ok(0)
}

fn sys_flock(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const LOCK_SH: u32 = 1;
    const LOCK_EX: u32 = 2;
    const LOCK_NB: u32 = 4;
    const LOCK_UN: u32 = 8;
    const LOCK_MAND: u32 = 32;
    let cmd = a.u32(1);
    // Linux ignores the long-broken mandatory flock locks.
    if cmd & LOCK_MAND != 0 {
        return Ok(0);
    }
    let kind = match cmd & !LOCK_NB {
        LOCK_SH => Some(LockKind::Read),
        LOCK_EX => Some(LockKind::Write),
        LOCK_UN => None,
        _ => return Err(Errno::EINVAL),
    };
    let file = io_file(task, a.i32(0))?;
    let key = lock_key(&file)?;
    let owner = LockOwner::new(&file, -1);
    lock_wait(task, cmd & LOCK_NB == 0 && kind.is_some(), |locks| {
        locks.flock(key, &owner, kind)
    })
}
