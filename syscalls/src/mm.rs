//! The memory family: mmap, munmap, mprotect, brk, mremap, madvise, msync, mincore, mlock.

use std::sync::Arc;

use sbx_kernel::mm::{MmapSource, MAP_ANONYMOUS, MAP_PRIVATE, PAGE_SIZE, PROT_WRITE, TASK_SIZE};
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::{Errno, KResult};

use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "mmap",
        sys_mmap,
        Support::Partial(
            "MAP_SHARED file mappings are private copies: writes are not written back to the file",
        ),
    );
    b.add("munmap", sys_munmap, Support::Full);
    b.add("mprotect", sys_mprotect, Support::Full);
    b.add("brk", sys_brk, Support::Full);
    b.add("mremap", sys_mremap, Support::Full);
    b.add(
        "madvise",
        sys_madvise,
        Support::Partial(
            "MADV_DONTNEED/FREE/REMOVE drop pages; other advice is accepted and has no effect",
        ),
    );
    b.add(
        "msync",
        sys_msync,
        Support::Partial("mappings are private copies, so there is nothing to write back"),
    );
    b.add(
        "mincore",
        sys_mincore,
        Support::Partial("every mapped page is reported resident"),
    );
    b.add(
        "mlock",
        sys_mlock,
        Support::Partial("guest memory is never swapped by sbx; checks the range only"),
    );
    b.add(
        "mlock2",
        sys_mlock2,
        Support::Partial("guest memory is never swapped by sbx; checks the range only"),
    );
    b.add(
        "munlock",
        sys_mlock,
        Support::Partial("guest memory is never swapped by sbx; checks the range only"),
    );
    b.add(
        "mlockall",
        sys_mlockall,
        Support::Partial("guest memory is never swapped by sbx"),
    );
    b.add(
        "munlockall",
        sys_munlockall,
        Support::Partial("guest memory is never swapped by sbx"),
    );
}

fn sys_mmap(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (addr, len, prot, flags, fd, off) = (a.u(0), a.u(1), a.u32(2), a.u32(3), a.i32(4), a.u(5));
    let source: Option<(Arc<dyn MmapSource>, u64)> = if flags & MAP_ANONYMOUS == 0 {
        let file = task.files().get(fd)?;
        if !file.readable()
            || (flags & 0x3 != MAP_PRIVATE && prot & PROT_WRITE != 0 && !file.writable())
        {
            return Err(Errno::EACCES);
        }
        Some((file.mmap_source()?, off))
    } else {
        None
    };
    task.mm().mmap(addr, len, prot, flags, source)
}

fn sys_munmap(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.mm().unmap(a.u(0), a.u(1)).map(|_| 0)
}

fn sys_mprotect(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.mm().mprotect(a.u(0), a.u(1), a.u32(2)).map(|_| 0)
}

fn sys_brk(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    Ok(task.mm().brk(a.u(0)))
}

fn sys_mremap(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.mm().mremap(a.u(0), a.u(1), a.u(2), a.u32(3), a.u(4))
}

fn sys_madvise(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.mm().madvise(a.u(0), a.u(1), a.i32(2)).map(|_| 0)
}

/// Checks that `[addr, addr+len)` is page aligned and entirely mapped (ENOMEM otherwise).
fn check_mapped(task: &Task, addr: u64, len: u64) -> KResult<()> {
    if addr % PAGE_SIZE != 0 {
        return Err(Errno::EINVAL);
    }
    let end = addr
        .checked_add(len)
        .filter(|e| *e <= TASK_SIZE)
        .ok_or(Errno::ENOMEM)?;
    let mm = task.mm();
    let mut cursor = addr;
    while cursor < end {
        let v = mm.vma_at(cursor).ok_or(Errno::ENOMEM)?;
        cursor = v.end;
    }
    Ok(())
}

fn sys_msync(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    const MS_ASYNC: u32 = 1;
    const MS_INVALIDATE: u32 = 2;
    const MS_SYNC: u32 = 4;
    let flags = a.u32(2);
    if flags & !(MS_ASYNC | MS_INVALIDATE | MS_SYNC) != 0
        || (flags & MS_ASYNC != 0 && flags & MS_SYNC != 0)
    {
        return Err(Errno::EINVAL);
    }
    check_mapped(task, a.u(0), a.u(1))?;
    task.mm().msync(a.u(0), a.u(1))?;
    Ok(0)
}

fn sys_mincore(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (addr, len, vec) = (a.u(0), a.u(1), a.u(2));
    check_mapped(task, addr, len)?;
    let pages = len.div_ceil(PAGE_SIZE) as usize;
    task.mm().copy_out(vec, &vec![1u8; pages])?;
    Ok(0)
}

fn sys_mlock(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let addr = a.u(0) & !(PAGE_SIZE - 1);
    let len = a.u(1) + (a.u(0) - addr);
    check_mapped(task, addr, len.div_ceil(PAGE_SIZE) * PAGE_SIZE)?;
    Ok(0)
}

fn sys_mlock2(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    if a.u32(2) & !1 != 0 {
        return Err(Errno::EINVAL);
    }
    sys_mlock(task, a)
}

fn sys_mlockall(_task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let flags = a.u32(0);
    if flags == 0 || flags & !7 != 0 || flags == 4 {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

fn sys_munlockall(_task: &mut Task, _a: &SyscallArgs) -> KResult<u64> {
    Ok(0)
}
