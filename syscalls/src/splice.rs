//! In-kernel copies (part of the file family): `sendfile`, `copy_file_range`, `splice` and
//! `tee` move data between descriptors through a kernel buffer, never through guest memory.

use sbx_kernel::fd::*;
use sbx_kernel::pipe::tee;
use sbx_kernel::signal::Signal;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::notify::{IN_ACCESS, IN_MODIFY};
use sbx_kernel::vfs::FileKind;
use sbx_kernel::wait::WaitQueue;
use sbx_kernel::{Errno, KResult};

use crate::file::io_file;
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("sendfile", sys_sendfile, Support::Full);
    b.add("copy_file_range", sys_copy_file_range, Support::Full);
    b.add(
        "splice",
        sys_splice,
        Support::Partial("data is copied, never moved; SPLICE_F_MOVE/MORE/GIFT are hints"),
    );
    b.add(
        "tee",
        sys_tee,
        Support::Partial("between sbx pipes; host FIFOs opened through a mount are EINVAL"),
    );
}

/// Copies up to `count` bytes from `input` (at `in_off`, or its offset) to `output` (at
/// `out_off`, or its offset) through a kernel buffer; returns the bytes copied.
fn splice_files(
    input: &OpenFile,
    in_off: Option<u64>,
    output: &OpenFile,
    out_off: Option<u64>,
    count: usize,
) -> KResult<usize> {
    const CHUNK: usize = 64 * 1024;
    let count = count.min(MAX_RW_COUNT);
    let mut done = 0usize;
    let mut buf = Vec::new();
    while done < count {
        let want = (count - done).min(CHUNK);
        buf.clear();
        let got = match input.read_to(in_off.map(|o| o + done as u64), want, &mut |d| {
            buf.extend_from_slice(d);
            d.len()
        }) {
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        if got == 0 {
            break;
        }
        let mut pos = 0usize;
        let wrote = match output.write_from(out_off.map(|o| o + done as u64), got, &mut |_, dst| {
            let n = dst.len().min(buf.len() - pos);
            dst[..n].copy_from_slice(&buf[pos..pos + n]);
            pos += n;
            n
        }) {
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        done += wrote;
        if wrote < got || got < want {
            break;
        }
    }
    Ok(done)
}

/// A pipe or FIFO: what `splice` needs on one side at least.
fn is_pipe(f: &OpenFile) -> bool {
    !f.ops().seekable() && f.stat().is_ok_and(|s| s.kind() == FileKind::Fifo)
}

/// Whether `f` can be a `sendfile`/`splice` source besides a pipe: files and devices can;
/// directories, FIFOs and sockets cannot (Linux: no `splice_read`, `EINVAL`).
fn splice_readable(f: &OpenFile) -> KResult<bool> {
    Ok(matches!(
        f.stat()?.kind(),
        FileKind::Regular | FileKind::CharDev | FileKind::BlockDev
    ))
}

/// The (device, inode) pair, to tell two ends of one pipe.
fn ident(f: &OpenFile) -> Option<(u64, u64)> {
    f.stat().ok().map(|s| (s.dev, s.ino))
}

/// One side of a pipe splice that is not the pipe: a seekable file at an explicit offset, or
/// at (and advancing) its description's position.
struct FileSide<'a> {
    file: &'a OpenFile,
    off: Option<u64>,
}

impl FileSide<'_> {
    fn pos(&self) -> u64 {
        self.off.unwrap_or_else(|| self.file.offset())
    }

    fn advance(&mut self, n: usize) -> KResult<()> {
        match &mut self.off {
            Some(o) => *o += n as u64,
            None => {
                let p = self.file.offset() + n as u64;
                self.file.seek(p as i64, SEEK_SET)?;
            }
        }
        Ok(())
    }
}

/// Moves up to `len` bytes from a file into a pipe without waiting: it stops when the pipe
/// has no room for another `PIPE_BUF` chunk (so every chunk read from the file fits, and no
/// file data is consumed that the pipe did not take). `EAGAIN` when nothing could move;
/// with `wait_first`, the first chunk waits inside the pipe's own write instead.
fn file_to_pipe(
    input: &mut FileSide<'_>,
    pipe: &OpenFile,
    len: usize,
    wait_first: bool,
) -> KResult<usize> {
    const PIPE_BUF: usize = 4096;
    let mut buf = [0u8; PIPE_BUF];
    let mut done = 0;
    while done < len {
        let wait = wait_first && done == 0;
        if !wait && pipe.ops().poll(POLLOUT) == 0 {
            if done == 0 {
                return Err(Errno::EAGAIN);
            }
            break;
        }
        let want = (len - done).min(PIPE_BUF);
        let n = match input.file.ops().read_at(input.pos(), &mut buf[..want]) {
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        match pipe.ops().write(&buf[..n], !wait) {
            Ok(w) => {
                input.advance(w)?;
                done += w;
                if w < n {
                    break;
                }
            }
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
        if n < want {
            break;
        }
    }
    if done > 0 {
        input.file.notify(IN_ACCESS);
    }
    Ok(done)
}

/// Moves up to `len` bytes from a pipe into `sink` (which must take all it is given; `wait`
/// says it may block), in chunks of `PIPE_BUF` that `room` says will fit. `EAGAIN` when the
/// pipe is empty and still has writers (or the sink has no room); 0 at the pipe's end.
fn pipe_to_sink(
    pipe: &OpenFile,
    len: usize,
    wait_first: bool,
    sink: &mut dyn FnMut(&[u8], bool) -> KResult<()>,
    room: &dyn Fn() -> bool,
) -> KResult<usize> {
    const CHUNK: usize = 4096;
    let mut buf = [0u8; CHUNK];
    let mut done = 0;
    while done < len {
        let wait = wait_first && done == 0;
        if !wait && !room() {
            if done == 0 {
                return Err(Errno::EAGAIN);
            }
            break;
        }
        let want = (len - done).min(CHUNK);
        let n = match pipe.ops().read(&mut buf[..want], !wait) {
            Ok(n) => n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        };
        if n == 0 {
            break;
        }
        match sink(&buf[..n], wait) {
            Ok(()) => done += n,
            Err(e) if done == 0 => return Err(e),
            Err(_) => break,
        }
        if n < want {
            break;
        }
    }
    Ok(done)
}

/// Writes all of `data` to a file side and advances it.
fn write_side(out: &mut FileSide<'_>, data: &[u8]) -> KResult<()> {
    let mut off = 0;
    while off < data.len() {
        let n = out.file.ops().write_at(out.pos(), &data[off..])?;
        if n == 0 {
            return Err(Errno::ENOSPC);
        }
        out.advance(n)?;
        off += n;
    }
    if !data.is_empty() {
        out.file.notify(IN_MODIFY);
    }
    Ok(())
}

/// Runs `op` (one non-blocking attempt; `true` = the first pipe operation may wait inside the
/// pipe) until it moves something: on the pipes' wait queues when they have them, else by
/// letting the pipe block itself.
fn splice_wait(
    task: &mut Task,
    pipes: &[&OpenFile],
    nonblock: bool,
    mut op: impl FnMut(bool) -> KResult<usize>,
) -> KResult<usize> {
    if nonblock {
        return op(false);
    }
    let queues: Vec<(&WaitQueue, u32)> = pipes
        .iter()
        .filter_map(|p| p.ops().wait_queue())
        .map(|q| (q, POLLIN | POLLOUT | POLLHUP | POLLERR))
        .collect();
    if queues.is_empty() {
        return op(true);
    }
    task.block_on(&queues, None, |_| op(false))
}

const SPLICE_F_NONBLOCK: u32 = 2;
const SPLICE_F_ALL: u32 = 0xf;

fn sys_splice(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd_in, off_in_ptr, fd_out, off_out_ptr, len, flags) = (
        a.i32(0),
        a.u(1),
        a.i32(2),
        a.u(3),
        a.u(4) as usize,
        a.u32(5),
    );
    if len == 0 {
        return Ok(0);
    }
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    let input = io_file(task, fd_in)?;
    let output = io_file(task, fd_out)?;
    let (in_pipe, out_pipe) = (is_pipe(&input), is_pipe(&output));
    if (in_pipe && off_in_ptr != 0) || (out_pipe && off_out_ptr != 0) {
        return Err(Errno::ESPIPE);
    }
    let read_off = |ptr: u64| -> KResult<Option<u64>> {
        if ptr == 0 {
            return Ok(None);
        }
        let o: i64 = task.mm().read_val(ptr)?;
        if o < 0 {
            return Err(Errno::EINVAL);
        }
        Ok(Some(o as u64))
    };
    let out_off = read_off(off_out_ptr)?;
    let in_off = read_off(off_in_ptr)?;
    if !input.readable() || !output.writable() {
        return Err(Errno::EBADF);
    }
    let len = len.min(MAX_RW_COUNT);
    let mut nonblock = flags & SPLICE_F_NONBLOCK != 0;
    let r = match (in_pipe, out_pipe) {
        (true, true) => {
            if ident(&input) == ident(&output) {
                return Err(Errno::EINVAL);
            }
            nonblock |= input.nonblocking() || output.nonblocking();
            let (i, o) = (input.clone(), output.clone());
            splice_wait(task, &[&input, &output], nonblock, |wait| {
                pipe_to_sink(
                    &i,
                    len,
                    wait,
                    &mut |d, wait| match o.ops().write(d, !wait) {
                        Ok(n) if n == d.len() => Ok(()),
                        Ok(_) => Err(Errno::EAGAIN),
                        Err(e) => Err(e),
                    },
                    &|| o.ops().poll(POLLOUT) != 0,
                )
            })
        }
        (true, false) => {
            if output.status() & O_APPEND != 0 {
                return Err(Errno::EINVAL);
            }
            if !output.ops().seekable() && out_off.is_some() {
                return Err(Errno::ESPIPE);
            }
            nonblock |= input.nonblocking();
            let seekable = output.ops().seekable();
            let mut side = FileSide {
                file: &output,
                off: out_off,
            };
            let r = {
                let i = input.clone();
                let o = output.clone();
                // A file takes the data at its offset; a stream (terminal, socket) as written.
                let mut sink = |d: &[u8], _wait: bool| -> KResult<()> {
                    if seekable {
                        return write_side(&mut side, d);
                    }
                    let mut pos = 0;
                    let n = o.write_from(None, d.len(), &mut |_, dst| {
                        let k = dst.len().min(d.len() - pos);
                        dst[..k].copy_from_slice(&d[pos..pos + k]);
                        pos += k;
                        k
                    })?;
                    if n < d.len() {
                        return Err(Errno::EAGAIN);
                    }
                    Ok(())
                };
                splice_wait(task, &[&input], nonblock, |wait| {
                    pipe_to_sink(&i, len, wait, &mut sink, &|| true)
                })
            };
            if let (Ok(_), Some(o)) = (&r, side.off) {
                task.mm().write_val(off_out_ptr, &(o as i64))?;
            }
            r
        }
        (false, true) => {
            if !input.ops().seekable() || !splice_readable(&input)? {
                return Err(Errno::EINVAL);
            }
            nonblock |= output.nonblocking();
            let mut side = FileSide {
                file: &input,
                off: in_off,
            };
            let r = {
                let o = output.clone();
                splice_wait(task, &[&output], nonblock, |wait| {
                    file_to_pipe(&mut side, &o, len, wait)
                })
            };
            if let (Ok(_), Some(o)) = (&r, side.off) {
                task.mm().write_val(off_in_ptr, &(o as i64))?;
            }
            r
        }
        (false, false) => return Err(Errno::EINVAL),
    };
    if r == Err(Errno::EPIPE) {
        task.send_signal(Signal::SIGPIPE);
    }
    r.map(|n| n as u64)
}

/// `tee(2)`: duplicates pipe data into another pipe, waiting (interruptibly) for data in
/// the input and room in the output unless non-blocking.
fn sys_tee(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd_in, fd_out, len, flags) = (a.i32(0), a.i32(1), a.u(2) as usize, a.u32(3));
    if flags & !SPLICE_F_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    if len == 0 {
        return Ok(0);
    }
    let input = io_file(task, fd_in)?;
    let output = io_file(task, fd_out)?;
    if !input.readable() || !output.writable() {
        return Err(Errno::EBADF);
    }
    let nonblock = flags & SPLICE_F_NONBLOCK != 0 || input.nonblocking() || output.nonblocking();
    let len = len.min(MAX_RW_COUNT);
    let r = splice_wait(task, &[&input, &output], nonblock, |_| {
        tee(&input, &output, len)
    });
    if r == Err(Errno::EPIPE) {
        task.send_signal(Signal::SIGPIPE);
    }
    r.map(|n| n as u64)
}

fn sys_sendfile(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let out = io_file(task, a.i32(0))?;
    let input = io_file(task, a.i32(1))?;
    let (off_ptr, count) = (a.u(2), a.u(3) as usize);
    if !input.readable() || !out.writable() {
        return Err(Errno::EBADF);
    }
    if (count as i64) < 0 {
        return Err(Errno::EINVAL);
    }
    let in_off = if off_ptr != 0 {
        let o: i64 = task.mm().read_val(off_ptr)?;
        if o < 0 {
            return Err(Errno::EINVAL);
        }
        if !input.ops().seekable() {
            return Err(Errno::ESPIPE);
        }
        Some(o as u64)
    } else {
        None
    };
    // The source must be something Linux can splice from: a file or a device.
    if !splice_readable(&input)? {
        return Err(Errno::EINVAL);
    }
    let n = if is_pipe(&out) && input.ops().seekable() {
        let mut side = FileSide {
            file: &input,
            off: in_off,
        };
        let o = out.clone();
        let r = splice_wait(task, &[&out], out.nonblocking(), |wait| {
            file_to_pipe(&mut side, &o, count.min(MAX_RW_COUNT), wait)
        });
        if r == Err(Errno::EPIPE) {
            task.send_signal(Signal::SIGPIPE);
        }
        r?
    } else {
        if out.status() & O_APPEND != 0 {
            return Err(Errno::EINVAL);
        }
        splice_files(&input, in_off, &out, None, count)?
    };
    if let Some(o) = in_off {
        task.mm().write_val(off_ptr, &((o + n as u64) as i64))?;
    }
    Ok(n as u64)
}

fn sys_copy_file_range(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (fd_in, off_in_ptr, fd_out, off_out_ptr, len, flags) = (
        a.i32(0),
        a.u(1),
        a.i32(2),
        a.u(3),
        a.u(4) as usize,
        a.u32(5),
    );
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let input = io_file(task, fd_in)?;
    let out = io_file(task, fd_out)?;
    if !input.readable() || !out.writable() || out.status() & O_APPEND != 0 {
        return Err(Errno::EBADF);
    }
    let (ist, ost) = (input.stat()?, out.stat()?);
    if ist.kind() == FileKind::Directory || ost.kind() == FileKind::Directory {
        return Err(Errno::EISDIR);
    }
    if ist.kind() != FileKind::Regular || ost.kind() != FileKind::Regular {
        return Err(Errno::EINVAL);
    }
    let read_off = |ptr: u64| -> KResult<Option<u64>> {
        if ptr == 0 {
            return Ok(None);
        }
        let o: i64 = task.mm().read_val(ptr)?;
        if o < 0 {
            return Err(Errno::EINVAL);
        }
        Ok(Some(o as u64))
    };
    let in_off = read_off(off_in_ptr)?;
    let out_off = read_off(off_out_ptr)?;
    // Overlapping ranges of one file are EINVAL.
    if ist.dev == ost.dev && ist.ino == ost.ino {
        let i = in_off.unwrap_or_else(|| input.offset());
        let o = out_off.unwrap_or_else(|| out.offset());
        let n = len as u64;
        if i < o.saturating_add(n) && o < i.saturating_add(n) {
            return Err(Errno::EINVAL);
        }
    }
    let n = splice_files(&input, in_off, &out, out_off, len)?;
    if let Some(o) = in_off {
        task.mm().write_val(off_in_ptr, &((o + n as u64) as i64))?;
    }
    if let Some(o) = out_off {
        task.mm().write_val(off_out_ptr, &((o + n as u64) as i64))?;
    }
    Ok(n as u64)
}
