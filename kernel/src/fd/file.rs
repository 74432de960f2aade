//! The open file description: what `open` creates and `dup` shares — a file kind
//! ([`FileOps`]) plus the shared offset, status flags and access mode.

use std::any::Any;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use super::flags::*;
use crate::errno::{Errno, KResult};
use crate::mm::{MmapSource, PhysMemory, ReadOnlySource};
use crate::task::Task;
use crate::vfs::notify::{IN_ACCESS, IN_CLOSE_NOWRITE, IN_CLOSE_WRITE, IN_MODIFY, IN_OPEN};
use crate::vfs::{Cx, Location, SetAttr, Stat};

/// `POLLIN`.
pub const POLLIN: u32 = 0x1;
/// `POLLOUT`.
pub const POLLOUT: u32 = 0x4;
/// `POLLERR`.
pub const POLLERR: u32 = 0x8;
/// `POLLHUP`.
pub const POLLHUP: u32 = 0x10;

/// Largest single stream read or write: what one pipe buffer holds on Linux.
const STREAM_CHUNK: usize = 64 * 1024;
/// Bounce-buffer size for regular-file I/O.
const FILE_CHUNK: usize = 256 * 1024;

/// Receives directory entries from [`FileOps::getdents`]: `(ino, next_offset, d_type, name)`;
/// returns false when the caller's buffer is full (the entry was not taken).
pub type DirSink<'a> = dyn FnMut(u64, i64, u8, &[u8]) -> bool + 'a;

/// One kind of open file (regular host file, tmpfs file, directory, device, terminal, and
/// later pipes and sockets). Seekable kinds implement the positional calls and the
/// description keeps the offset; stream kinds implement `read`/`write`.
pub trait FileOps: Send + Sync + 'static {
    /// A name for `/proc/self/fd` and diagnostics (a path, or e.g. `pipe:[7]`).
    fn describe(&self) -> String;
    /// Metadata for `fstat`.
    fn stat(&self) -> KResult<Stat>;
    /// Whether the kind has positions (`read_at`/`write_at`, `lseek`).
    fn seekable(&self) -> bool {
        false
    }
    /// Reads at `off`; the count is short only at end of file.
    fn read_at(&self, _off: u64, _buf: &mut [u8]) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    /// Writes at `off`.
    fn write_at(&self, _off: u64, _data: &[u8]) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    /// Stream read (blocks unless `nonblock`, then `EAGAIN`).
    fn read(&self, _buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    /// Stream write (blocks unless `nonblock`, then `EAGAIN`).
    fn write(&self, _data: &[u8], _nonblock: bool) -> KResult<usize> {
        Err(Errno::EINVAL)
    }
    /// Stream read straight into `sink` (which takes what it can and returns how much; fewer
    /// means the guest buffer faulted), for kinds whose result depends on where the reader's
    /// buffer ends or faults (pipes: a packet ends a read, data a fault left behind stays).
    /// Never waits. `None` means "use `read`".
    fn stream_read_to(
        &self,
        _count: usize,
        _sink: &mut dyn FnMut(&[u8]) -> usize,
    ) -> Option<KResult<usize>> {
        None
    }
    /// Stream write of `count` bytes pulled from `source` (as in [`OpenFile::write_from`]) by
    /// a description with status flags `status`, for kinds whose result depends on the whole
    /// request and those flags (pipes: merging into the last page, `O_DIRECT` packets).
    /// Never waits. `None` means "use `write`".
    fn stream_write_from(
        &self,
        _count: usize,
        _status: u32,
        _source: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    ) -> Option<KResult<usize>> {
        None
    }
    /// Whether a stream read returns all that was asked without waiting (memory devices),
    /// so one large `read` may be served by several chunked reads.
    fn reads_complete(&self) -> bool {
        false
    }
    /// `lseek` for stream kinds that pass through to something seekable (host stdio
    /// redirected to a file); `ESPIPE` for true streams.
    fn stream_seek(&self, _off: i64, _whence: u32) -> KResult<u64> {
        Err(Errno::ESPIPE)
    }
    /// `SEEK_DATA`/`SEEK_HOLE` from `off` for kinds that know where their holes are (host
    /// files ask the host); `None` means "no holes tracked": data up to the end, then one
    /// hole.
    fn seek_data(&self, _off: u64, _whence: u32) -> Option<KResult<u64>> {
        None
    }
    /// Changes attributes through the open handle (`fchmod`, `fchown`, `futimens`), for kinds
    /// whose handle outlives renames of the path; `None` means "ask the node instead".
    fn setattr(&self, _attr: &SetAttr) -> Option<KResult<()>> {
        None
    }
    /// Whether a kind without a location keeps its own attributes (`setattr` answers): the
    /// others (pipes, sockets, stdio) accept and ignore `fchmod`, `fchown` and `futimens`.
    fn keeps_attrs(&self) -> bool {
        false
    }
    /// Sets the size (`ftruncate`).
    fn truncate(&self, _len: u64) -> KResult<()> {
        Err(Errno::EINVAL)
    }
    /// `fallocate` with a mode the syscall layer validated (`FALLOC_FL_*`); kinds answer
    /// `EOPNOTSUPP` for modes they do not implement.
    fn allocate(&self, _mode: u32, _off: u64, _len: u64) -> KResult<()> {
        Err(Errno::ENODEV)
    }
    /// Produces directory entries from position `pos` (an entry index, 0 = start) for the
    /// reader `cx`; returns the position after the last entry the sink took.
    fn getdents(&self, _pos: u64, _cx: &Cx, _sink: &mut DirSink<'_>) -> KResult<u64> {
        Err(Errno::ENOTDIR)
    }
    /// Device-specific control; `ENOTTY` for kinds without ioctls.
    fn ioctl(&self, _file: &OpenFile, _task: &mut Task, _cmd: u32, _arg: u64) -> KResult<u64> {
        Err(Errno::ENOTTY)
    }
    /// Bytes that can be read without blocking (`FIONREAD`), for kinds that know.
    fn readable_bytes(&self) -> KResult<u64> {
        Err(Errno::ENOTTY)
    }
    /// The page source for `mmap`; `ENODEV` for kinds that cannot be mapped.
    fn mmap_source(&self) -> KResult<Arc<dyn MmapSource>> {
        Err(Errno::ENODEV)
    }
    /// The page source for a `MAP_SHARED` mapping with protection `prot`, through a
    /// description opened for writing when `writable`, in a sandbox whose guest memory is
    /// `phys`. Kinds with file seals refuse or restrict the mapping here and count the
    /// writable ones; regular files map their page cache; others map as `mmap_source`.
    fn mmap_shared_source(
        &self,
        phys: &Arc<PhysMemory>,
        prot: u32,
        writable: bool,
    ) -> KResult<Arc<dyn MmapSource>> {
        let _ = (phys, prot, writable);
        self.mmap_source()
    }
    /// The file seals (`F_GET_SEALS`); `None` for kinds that cannot carry any (`EINVAL`).
    fn seals(&self) -> Option<u32> {
        None
    }
    /// Adds file seals (`F_ADD_SEALS`, bits already validated); `EINVAL` for kinds without
    /// seals.
    fn add_seals(&self, seals: u32) -> KResult<()> {
        let _ = seals;
        Err(Errno::EINVAL)
    }
    /// Flushes to stable storage (`fsync`). Like a Linux file without `f_op->fsync`, kinds
    /// that are not storage (pipes, devices, proc files) refuse with `EINVAL`.
    fn sync(&self) -> KResult<()> {
        Err(Errno::EINVAL)
    }
    /// Readiness for `poll`/`select`: the subset of `events` that would not block.
    fn poll(&self, events: u32) -> u32 {
        events & (POLLIN | POLLOUT)
    }
    /// The queue notified when this file's readiness changes. Kinds that return one implement
    /// `read`/`write` without blocking (`EAGAIN`) and let the syscall layer sleep on the queue
    /// with `Task::block_on`, which makes the wait interruptible by signals; kinds without one
    /// are always ready.
    fn wait_queue(&self) -> Option<&crate::wait::WaitQueue> {
        None
    }
    /// Downcasting (e.g. a pipe implementation finding its own ends).
    fn as_any(&self) -> &dyn Any;
}

/// An open file description, shared by `dup`ed descriptors and across `fork`.
pub struct OpenFile {
    ops: Arc<dyn FileOps>,
    location: Option<Location>,
    /// `O_RDONLY`/`O_WRONLY`/`O_RDWR`, or `O_PATH`.
    access: u32,
    status: AtomicU32,
    pos: Mutex<u64>,
}

impl OpenFile {
    /// A description over `ops` opened with `flags` (`open` flags; the status bits are kept).
    pub fn new(ops: Arc<dyn FileOps>, location: Option<Location>, flags: u32) -> OpenFile {
        let access = if flags & O_PATH != 0 {
            O_PATH
        } else {
            flags & O_ACCMODE
        };
        // What Linux keeps in `f_flags` for F_GETFL: O_LARGEFILE as given (open(2) adds it
        // on 64-bit Linux, while pipes, sockets and event files never have it), and the
        // open-time O_DIRECTORY and O_NOFOLLOW; not O_CREAT, O_EXCL, O_TRUNC, O_NOCTTY or
        // O_CLOEXEC.
        let keep = O_APPEND
            | O_NONBLOCK
            | O_ASYNC
            | O_DIRECT
            | O_NOATIME
            | O_DSYNC
            | O_SYNC
            | O_LARGEFILE
            | O_DIRECTORY
            | O_NOFOLLOW;
        let file = OpenFile {
            ops,
            location,
            access,
            status: AtomicU32::new(flags & keep),
            pos: Mutex::new(0),
        };
        // A description with a place in the namespace is an open (O_PATH ones are not).
        file.notify(IN_OPEN);
        file
    }

    /// Reports an event (`IN_*` bits) about this file to the sandbox's inotify watches:
    /// nothing for anonymous kinds and `O_PATH` descriptors.
    pub fn notify(&self, mask: u32) {
        if let Some(loc) = &self.location {
            if self.access != O_PATH && loc.notify().active() {
                loc.notify().file_event(loc, mask);
            }
        }
    }

    /// Reports a read (`IN_ACCESS`) or write (`IN_MODIFY`) that moved bytes.
    fn notify_io(&self, r: &KResult<usize>, mask: u32) {
        if matches!(r, Ok(n) if *n > 0) {
            self.notify(mask);
        }
    }

    /// Adds status bits a file kind keeps beyond those `open` keeps (a thread pidfd reports
    /// `PIDFD_THREAD`, which is `O_EXCL`, in `F_GETFL`).
    pub fn with_status(self, bits: u32) -> OpenFile {
        self.status.fetch_or(bits, Ordering::Relaxed);
        self
    }

    /// The file kind.
    pub fn ops(&self) -> &Arc<dyn FileOps> {
        &self.ops
    }

    /// Where the file was opened from (`None` for anonymous kinds: stdio, pipes, sockets).
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// Opened for reading.
    pub fn readable(&self) -> bool {
        self.access == O_RDONLY || self.access == O_RDWR
    }

    /// Opened for writing.
    pub fn writable(&self) -> bool {
        self.access == O_WRONLY || self.access == O_RDWR
    }

    /// An `O_PATH` descriptor (no I/O at all).
    pub fn is_path(&self) -> bool {
        self.access == O_PATH
    }

    /// The status flags (`O_APPEND`, `O_NONBLOCK`, ...).
    pub fn status(&self) -> u32 {
        self.status.load(Ordering::Relaxed)
    }

    /// Non-blocking mode.
    pub fn nonblocking(&self) -> bool {
        self.status() & O_NONBLOCK != 0
    }

    /// Whether stream calls must not wait inside the file kind: non-blocking descriptions,
    /// and kinds with a wait queue (the syscall layer does their waiting, interruptibly).
    fn stream_nonblock(&self) -> bool {
        self.nonblocking() || self.ops.wait_queue().is_some()
    }

    /// What `F_GETFL` reports: access mode and status flags.
    pub fn getfl(&self) -> u32 {
        self.access | self.status()
    }

    /// `F_SETFL`: changes only the flags Linux lets it change.
    pub fn setfl(&self, flags: u32) {
        let old = self.status();
        self.status.store(
            (old & !SETFL_MASK) | (flags & SETFL_MASK),
            Ordering::Relaxed,
        );
    }

    /// Sets or clears `O_NONBLOCK` (`FIONBIO`).
    pub fn set_nonblocking(&self, on: bool) {
        if on {
            self.status.fetch_or(O_NONBLOCK, Ordering::Relaxed);
        } else {
            self.status.fetch_and(!O_NONBLOCK, Ordering::Relaxed);
        }
    }

    fn pos(&self) -> std::sync::MutexGuard<'_, u64> {
        self.pos.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current offset.
    pub fn offset(&self) -> u64 {
        *self.pos()
    }

    /// `read(2)` at the shared offset (or from the stream).
    pub fn read(&self, buf: &mut [u8]) -> KResult<usize> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        let r = self.read_inner(buf);
        self.notify_io(&r, IN_ACCESS);
        r
    }

    fn read_inner(&self, buf: &mut [u8]) -> KResult<usize> {
        if self.ops.seekable() {
            let mut pos = self.pos();
            let n = self.ops.read_at(*pos, buf)?;
            *pos += n as u64;
            Ok(n)
        } else {
            let mut off = 0;
            let direct = self.ops.stream_read_to(buf.len(), &mut |d| {
                buf[off..off + d.len()].copy_from_slice(d);
                off += d.len();
                d.len()
            });
            match direct {
                Some(r) => r,
                None => self.ops.read(buf, self.nonblocking()),
            }
        }
    }

    /// `write(2)` at the shared offset (end of file with `O_APPEND`), or to the stream.
    pub fn write(&self, data: &[u8]) -> KResult<usize> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        let r = self.write_inner(data);
        self.notify_io(&r, IN_MODIFY);
        r
    }

    fn write_inner(&self, data: &[u8]) -> KResult<usize> {
        if self.ops.seekable() {
            let mut pos = self.pos();
            let off = if self.status() & O_APPEND != 0 {
                self.ops.stat()?.size
            } else {
                *pos
            };
            let n = self.ops.write_at(off, data)?;
            *pos = off + n as u64;
            Ok(n)
        } else {
            let mut source = |off: u64, dst: &mut [u8]| {
                let off = off as usize;
                dst.copy_from_slice(&data[off..off + dst.len()]);
                dst.len()
            };
            match self
                .ops
                .stream_write_from(data.len(), self.status(), &mut source)
            {
                Some(r) => r,
                None => self.ops.write(data, self.nonblocking()),
            }
        }
    }

    /// `pread(2)`: no offset change; `ESPIPE` on streams.
    pub fn pread(&self, off: u64, buf: &mut [u8]) -> KResult<usize> {
        if !self.readable() {
            return Err(Errno::EBADF);
        }
        if !self.ops.seekable() {
            return Err(Errno::ESPIPE);
        }
        if off > i64::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        let r = self.ops.read_at(off, buf);
        self.notify_io(&r, IN_ACCESS);
        r
    }

    /// `pwrite(2)`. Like Linux, a file opened with `O_APPEND` appends whatever `off` says.
    pub fn pwrite(&self, off: u64, data: &[u8]) -> KResult<usize> {
        if !self.writable() {
            return Err(Errno::EBADF);
        }
        if !self.ops.seekable() {
            return Err(Errno::ESPIPE);
        }
        if off > i64::MAX as u64 {
            return Err(Errno::EINVAL);
        }
        let r = if self.status() & O_APPEND != 0 {
            let _pos = self.pos();
            let end = self.ops.stat()?.size;
            self.ops.write_at(end, data)
        } else {
            self.ops.write_at(off, data)
        };
        self.notify_io(&r, IN_MODIFY);
        r
    }

    /// Reads up to `count` bytes (at `off`, or at the shared offset / from the stream when
    /// `None`) and hands them to `sink` in chunks; `sink` returns how many bytes it took
    /// (fewer means the guest buffer faulted). Returns the bytes delivered, `EFAULT` if none
    /// could be. Only delivered bytes advance the offset; streams read once, at most 64 KiB
    /// (kinds with [`FileOps::stream_read_to`]: as much as they hold).
    pub fn read_to(
        &self,
        off: Option<u64>,
        count: usize,
        sink: &mut dyn FnMut(&[u8]) -> usize,
    ) -> KResult<usize> {
        if self.is_path() || !self.readable() {
            return Err(Errno::EBADF);
        }
        let r = self.read_to_inner(off, count, sink);
        self.notify_io(&r, IN_ACCESS);
        r
    }

    fn read_to_inner(
        &self,
        off: Option<u64>,
        count: usize,
        sink: &mut dyn FnMut(&[u8]) -> usize,
    ) -> KResult<usize> {
        let count = count.min(MAX_RW_COUNT);
        if !self.ops.seekable() {
            if off.is_some() {
                return Err(Errno::ESPIPE);
            }
            if let Some(r) = self.ops.stream_read_to(count, sink) {
                return r;
            }
            let mut buf = vec![0u8; count.min(STREAM_CHUNK)];
            let mut done = 0usize;
            loop {
                let want = (count - done).min(buf.len());
                let n = match self.ops.read(&mut buf[..want], self.stream_nonblock()) {
                    Ok(n) => n,
                    Err(e) if done == 0 => return Err(e),
                    Err(_) => break,
                };
                let took = sink(&buf[..n]);
                done += took;
                if took < n {
                    if done == 0 {
                        return Err(Errno::EFAULT);
                    }
                    break;
                }
                // Only kinds whose reads never wait (/dev/zero, a regular file behind
                // stdin) are read again: a pipe or terminal returns what it has.
                if n < want || done >= count || !self.ops.reads_complete() {
                    break;
                }
            }
            return Ok(done);
        }
        let mut guard = match off {
            None => Some(self.pos()),
            Some(o) if o > i64::MAX as u64 => return Err(Errno::EINVAL),
            Some(_) => None,
        };
        let start = match (&guard, off) {
            (Some(p), _) => **p,
            (None, Some(o)) => o,
            (None, None) => 0,
        };
        let mut buf = vec![0u8; count.min(FILE_CHUNK)];
        let mut done = 0usize;
        let mut result = Ok(());
        while done < count {
            let want = (count - done).min(buf.len());
            let n = match self.ops.read_at(start + done as u64, &mut buf[..want]) {
                Ok(n) => n,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            };
            let took = sink(&buf[..n]);
            done += took;
            if took < n {
                if done == 0 {
                    result = Err(Errno::EFAULT);
                }
                break;
            }
            if n < want {
                break;
            }
        }
        if let Some(p) = guard.as_mut() {
            **p = start + done as u64;
        }
        match result {
            Err(e) if done == 0 => Err(e),
            _ => Ok(done),
        }
    }

    /// Writes up to `count` bytes pulled from `source` in chunks (`source` fills a buffer and
    /// returns how much it could; fewer means the guest buffer faulted). Returns the bytes
    /// written, `EFAULT` if the first byte could not be read.
    pub fn write_from(
        &self,
        off: Option<u64>,
        count: usize,
        source: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    ) -> KResult<usize> {
        if self.is_path() || !self.writable() {
            return Err(Errno::EBADF);
        }
        let r = self.write_from_inner(off, count, source);
        self.notify_io(&r, IN_MODIFY);
        r
    }

    fn write_from_inner(
        &self,
        off: Option<u64>,
        count: usize,
        source: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    ) -> KResult<usize> {
        let count = count.min(MAX_RW_COUNT);
        let seekable = self.ops.seekable();
        if off.is_some() && !seekable {
            return Err(Errno::ESPIPE);
        }
        if off.is_some_and(|o| o > i64::MAX as u64) {
            return Err(Errno::EINVAL);
        }
        if !seekable {
            if let Some(r) = self.ops.stream_write_from(count, self.status(), source) {
                return r;
            }
        }
        let append = self.status() & O_APPEND != 0;
        // Seekable files keep the offset locked for the whole write, so appends stay whole.
        let mut guard = if seekable && (off.is_none() || append) {
            Some(self.pos())
        } else {
            None
        };
        let start = if !seekable {
            0
        } else if append {
            self.ops.stat()?.size
        } else {
            match (&guard, off) {
                (_, Some(o)) => o,
                (Some(p), None) => **p,
                (None, None) => 0,
            }
        };
        let chunk = if seekable { FILE_CHUNK } else { STREAM_CHUNK };
        let mut buf = vec![0u8; count.min(chunk)];
        let mut done = 0usize;
        let mut result = Ok(());
        while done < count {
            let want = (count - done).min(buf.len());
            let got = source(done as u64, &mut buf[..want]);
            if got == 0 {
                if done == 0 {
                    result = Err(Errno::EFAULT);
                }
                break;
            }
            let r = if seekable {
                self.ops.write_at(start + done as u64, &buf[..got])
            } else {
                self.ops.write(&buf[..got], self.stream_nonblock())
            };
            match r {
                Ok(n) => {
                    done += n;
                    if n < got || got < want {
                        break;
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if let Some(p) = guard.as_mut() {
            if off.is_none() {
                **p = start + done as u64;
            }
        }
        match result {
            Err(e) if done == 0 => Err(e),
            _ => Ok(done),
        }
    }

    /// `lseek(2)`.
    pub fn seek(&self, off: i64, whence: u32) -> KResult<u64> {
        if self.is_path() {
            return Err(Errno::EBADF);
        }
        if !self.ops.seekable() {
            return self.ops.stream_seek(off, whence);
        }
        let mut pos = self.pos();
        let size = || -> KResult<i64> { Ok(self.ops.stat()?.size.min(i64::MAX as u64) as i64) };
        if (whence == SEEK_DATA || whence == SEEK_HOLE) && off >= 0 {
            if let Some(r) = self.ops.seek_data(off as u64, whence) {
                *pos = r?;
                return Ok(*pos);
            }
        }
        let new = match whence {
            SEEK_SET => Some(off),
            SEEK_CUR => (*pos as i64).checked_add(off),
            SEEK_END => size()?.checked_add(off),
            // No holes are tracked: all data up to the end, one hole at the end.
            SEEK_DATA => {
                if off < 0 || off >= size()? {
                    return Err(Errno::ENXIO);
                }
                Some(off)
            }
            SEEK_HOLE => {
                let s = size()?;
                if off < 0 || off >= s {
                    return Err(Errno::ENXIO);
                }
                Some(s)
            }
            _ => return Err(Errno::EINVAL),
        };
        let new = new.ok_or(Errno::EOVERFLOW)?;
        if new < 0 {
            return Err(Errno::EINVAL);
        }
        *pos = new as u64;
        Ok(new as u64)
    }

    /// Fills up to `cap` bytes of `linux_dirent64` (or legacy `linux_dirent`) records from the
    /// current position and advances it.
    pub fn getdents(&self, cap: usize, legacy: bool, cx: &Cx) -> KResult<Vec<u8>> {
        if self.is_path() {
            return Err(Errno::EBADF);
        }
        let mut pos = self.pos();
        let mut out = Vec::new();
        let mut sink = |ino: u64, off: i64, dtype: u8, name: &[u8]| {
            if legacy {
                crate::vfs::abi::push_dirent(&mut out, cap, ino, off, dtype, name)
            } else {
                crate::vfs::abi::push_dirent64(&mut out, cap, ino, off, dtype, name)
            }
        };
        let new = self.ops.getdents(*pos, cx, &mut sink)?;
        *pos = new;
        drop(pos);
        self.notify(IN_ACCESS);
        Ok(out)
    }

    /// `fstat(2)`.
    pub fn stat(&self) -> KResult<Stat> {
        self.ops.stat()
    }

    /// `ftruncate(2)`: needs a writable description.
    pub fn truncate(&self, len: u64) -> KResult<()> {
        if !self.writable() {
            return Err(Errno::EINVAL);
        }
        self.ops.truncate(len)?;
        self.notify(IN_MODIFY);
        Ok(())
    }

    /// The page source for `mmap` of this file (`MAP_SHARED` when `shared`, with protection
    /// `prot`) into guest memory `phys`: `EACCES` unless opened readable, `ENODEV` for kinds
    /// that cannot be mapped.
    pub fn mmap_source(
        &self,
        shared: bool,
        prot: u32,
        phys: &Arc<PhysMemory>,
    ) -> KResult<Arc<dyn MmapSource>> {
        if self.is_path() {
            return Err(Errno::EBADF);
        }
        if !self.readable() {
            return Err(Errno::EACCES);
        }
        if !shared {
            return self.ops.mmap_source();
        }
        let source = self.ops.mmap_shared_source(phys, prot, self.writable())?;
        // A shared view through a read-only descriptor may never become writable.
        Ok(if self.writable() {
            source
        } else {
            Arc::new(ReadOnlySource(source))
        })
    }

    /// The name `/proc/self/fd/N` shows (the file's current path, or the kind's name).
    pub fn describe(&self) -> Vec<u8> {
        match &self.location {
            Some(loc) => loc.proc_path(),
            None => self.ops.describe().into_bytes(),
        }
    }
}

impl Drop for OpenFile {
    /// The last reference to the description is its last close.
    fn drop(&mut self) {
        self.notify(if self.writable() {
            IN_CLOSE_WRITE
        } else {
            IN_CLOSE_NOWRITE
        });
    }
}
