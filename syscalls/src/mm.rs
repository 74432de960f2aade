//! The memory family: mmap, munmap, mprotect, brk, mremap, madvise, msync, mincore, mlock.

use std::sync::Arc;

use sbx_kernel::mm::{
    MmapSource, MAP_ANONYMOUS, MAP_DENYWRITE, MAP_EXECUTABLE, MAP_FIXED, MAP_GROWSDOWN,
    MAP_HUGETLB, MAP_LOCKED, MAP_NONBLOCK, MAP_NORESERVE, MAP_POPULATE, MAP_PRIVATE, MAP_SHARED,
    MAP_SHARED_VALIDATE, MAP_STACK, MAP_UNINITIALIZED, PAGE_SIZE, PROT_WRITE, TASK_SIZE,
};
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
            "MAP_SHARED mappings of host and tmpfs files reach the file at msync and munmap, \
             not at once: until then read() and other mappings do not see their stores \
             (memfd mappings are coherent)",
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
        Support::Partial("writes shared file mappings back; MS_INVALIDATE has nothing to drop"),
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

/// `RLIMIT_AS`: the most bytes of address space a process may map.
const RLIMIT_AS: usize = 9;

/// `MAP_32BIT` (x86-64).
const MAP_32BIT: u32 = 0x40;
/// `MAP_ABOVE4G` (x86-64).
const MAP_ABOVE4G: u32 = 0x80;
/// The bits of the huge page size field that `MAP_HUGE_2MB`/`MAP_HUGE_1GB` use.
const MAP_HUGE_BITS: u32 = 0x7c00_0000;
/// The flags `MAP_SHARED_VALIDATE` accepts: Linux's `LEGACY_MAP_MASK` on x86-64 (no file here
/// supports `MAP_SYNC`, which needs DAX).
const LEGACY_MAP_MASK: u32 = MAP_SHARED
    | MAP_PRIVATE
    | MAP_FIXED
    | MAP_ANONYMOUS
    | MAP_32BIT
    | MAP_ABOVE4G
    | MAP_GROWSDOWN
    | MAP_DENYWRITE
    | MAP_EXECUTABLE
    | MAP_LOCKED
    | MAP_NORESERVE
    | MAP_POPULATE
    | MAP_NONBLOCK
    | MAP_STACK
    | MAP_HUGETLB
    | MAP_UNINITIALIZED
    | MAP_HUGE_BITS;

/// The caller's soft `RLIMIT_AS`.
pub(crate) fn as_limit(task: &Task) -> u64 {
    task.process.state().rlimits[RLIMIT_AS].0
}

fn sys_mmap(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (addr, len, prot, flags, fd, off) = (a.u(0), a.u(1), a.u32(2), a.u32(3), a.i32(4), a.u(5));
    let kind = flags & 0x3;
    let source: Option<(Arc<dyn MmapSource>, u64)> = if flags & MAP_ANONYMOUS == 0 {
        let file = task.files().get(fd)?;
        // Only the validating variant refuses flags it does not know; plain MAP_SHARED
        // ignores them for compatibility.
        if kind == MAP_SHARED_VALIDATE && flags & !LEGACY_MAP_MASK != 0 {
            return Err(Errno::EOPNOTSUPP);
        }
        let shared = kind == MAP_SHARED || kind == MAP_SHARED_VALIDATE;
        if !file.readable() || (shared && prot & PROT_WRITE != 0 && !file.writable()) {
            return Err(Errno::EACCES);
        }
        let phys = task.mm().phys().clone();
        Some((file.mmap_source(shared, prot, &phys)?, off))
    } else {
        // Anonymous memory has no validating variant.
        if kind == MAP_SHARED_VALIDATE {
            return Err(Errno::EINVAL);
        }
        None
    };
    let limit = as_limit(task);
    task.mm().mmap(addr, len, prot, flags, source, limit)
}

fn sys_munmap(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.mm().unmap(a.u(0), a.u(1)).map(|_| 0)
}

fn sys_mprotect(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    task.mm().mprotect(a.u(0), a.u(1), a.u32(2)).map(|_| 0)
}

fn sys_brk(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let limit = as_limit(task);
    Ok(task.mm().brk(a.u(0), limit))
}

fn sys_mremap(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let limit = as_limit(task);
    task.mm()
        .mremap(a.u(0), a.u(1), a.u(2), a.u32(3), a.u(4), limit)
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
