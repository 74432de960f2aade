//! Cross-process memory access: `process_vm_readv` and `process_vm_writev`. The caller needs
//! the access `ptrace` would need (the same identity on a dumpable target, or
//! `CAP_SYS_PTRACE`); protections apply as for the target's own loads and stores.

use std::sync::{Arc, Mutex};

use sbx_kernel::mm::{Mm, PAGE_SIZE};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::abi::Iovec;
use sbx_kernel::{Errno, KResult};

use crate::file::{read_iovecs, GuestIov};
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add("process_vm_readv", sys_process_vm_readv, Support::Full);
    b.add("process_vm_writev", sys_process_vm_writev, Support::Full);
}

/// `UIO_MAXIOV`.
const UIO_MAXIOV: u64 = 1024;

fn sys_process_vm_readv(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    process_vm_rw(task, a, false)
}

fn sys_process_vm_writev(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    process_vm_rw(task, a, true)
}

/// The remote iovec array, read as Linux's `iovec_from_user` does: the addresses belong to
/// the other process, so only the count and the lengths are checked here.
fn remote_iovecs(task: &Task, addr: u64, cnt: u64) -> KResult<Vec<Iovec>> {
    if cnt > UIO_MAXIOV {
        return Err(Errno::EINVAL);
    }
    let mut raw = vec![0u8; cnt as usize * std::mem::size_of::<Iovec>()];
    task.mm().copy_in(addr, &mut raw)?;
    let iovs: Vec<Iovec> = raw
        .chunks_exact(16)
        .map(bytemuck::pod_read_unaligned)
        .collect();
    if iovs.iter().any(|v| v.len > i64::MAX as u64) {
        return Err(Errno::EINVAL);
    }
    Ok(iovs)
}

/// The address space of thread `pid` (any thread id, as Linux looks it up), if the caller
/// may reach into it: `ESRCH` for no such thread or one without memory any more (exited),
/// `EPERM` without ptrace access.
fn target_mm(task: &Task, pid: i32) -> KResult<Arc<Mutex<Mm>>> {
    let (thread, process) = task.kernel.procs.thread(pid).ok_or(Errno::ESRCH)?;
    if !crate::util::may_read_process(task, &process) {
        return Err(Errno::EPERM);
    }
    thread.mm().ok_or(Errno::ESRCH)
}

fn lock(mm: &Mutex<Mm>) -> std::sync::MutexGuard<'_, Mm> {
    mm.lock().unwrap_or_else(|e| e.into_inner())
}

fn process_vm_rw(task: &mut Task, a: &SyscallArgs, write: bool) -> KResult<u64> {
    let (pid, lvec, liovcnt, rvec, riovcnt, flags) =
        (a.i32(0), a.u(1), a.u(2), a.u(3), a.u(4), a.u(5));
    if flags != 0 {
        return Err(Errno::EINVAL);
    }
    let count = i32::try_from(liovcnt).map_err(|_| Errno::EINVAL)?;
    let mut local: GuestIov = read_iovecs(task, lvec, count)?;
    let mut left = local.total();
    if left == 0 {
        return Ok(0);
    }
    let remote = remote_iovecs(task, rvec, riovcnt)?;
    let mm = target_mm(task, pid)?;
    // Page by page through a bounce buffer, so that the two address spaces (which may be
    // one) are never locked together. The first fault on either side ends the transfer:
    // what was moved by then is the result, or EFAULT if nothing was.
    let mut buf = vec![0u8; PAGE_SIZE as usize];
    let mut done = 0u64;
    let mut fault = false;
    'outer: for v in &remote {
        let mut off = 0u64;
        while off < v.len && left > 0 {
            let Some(addr) = v.base.checked_add(off) else {
                fault = true;
                break 'outer;
            };
            let room = PAGE_SIZE - addr % PAGE_SIZE;
            let n = room.min(v.len - off).min(left as u64) as usize;
            let moved = if write {
                let got = local.take(task, &mut buf[..n]);
                if got > 0 && lock(&mm).copy_out(addr, &buf[..got]).is_err() {
                    fault = true;
                    break 'outer;
                }
                got
            } else {
                if lock(&mm).copy_in(addr, &mut buf[..n]).is_err() {
                    fault = true;
                    break 'outer;
                }
                local.put(task, &buf[..n])
            };
            done += moved as u64;
            left -= moved;
            off += moved as u64;
            if moved < n {
                fault = true;
                break 'outer;
            }
        }
    }
    if fault && done == 0 {
        return Err(Errno::EFAULT);
    }
    Ok(done)
}
