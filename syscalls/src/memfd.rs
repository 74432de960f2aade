//! Memory files: `memfd_create`, and the file-seal commands of `fcntl` (`F_ADD_SEALS`,
//! `F_GET_SEALS`) that `file.rs` hands over.

use sbx_kernel::fd::OpenFile;
use sbx_kernel::syscall::{Support, SyscallArgs};
use sbx_kernel::task::Task;
use sbx_kernel::vfs::memfd::{new_memfd, MemfdOptions, F_ALL_SEALS, MFD_NAME_MAX};
use sbx_kernel::{Errno, KResult};

use crate::util::read_cstr_upto;
use crate::TableBuilder;

/// Registers this family's handlers.
pub fn register(b: &mut TableBuilder) {
    b.add(
        "memfd_create",
        sys_memfd_create,
        Support::Partial(
            "MFD_HUGETLB is EINVAL (no huge pages); a shrink does not unmap the cut pages \
             from existing mappings (they read zeros rather than raising SIGBUS)",
        ),
    );
}

/// `MFD_CLOEXEC`.
const MFD_CLOEXEC: u32 = 0x01;
/// `MFD_ALLOW_SEALING`.
const MFD_ALLOW_SEALING: u32 = 0x02;
/// `MFD_HUGETLB`.
const MFD_HUGETLB: u32 = 0x04;
/// `MFD_NOEXEC_SEAL` (Linux 6.3).
const MFD_NOEXEC_SEAL: u32 = 0x08;
/// `MFD_EXEC` (Linux 6.3).
const MFD_EXEC: u32 = 0x10;
/// Every flag.
const MFD_ALL_FLAGS: u32 =
    MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
/// The huge page size field `MFD_HUGETLB` may carry (`MFD_HUGE_MASK << MFD_HUGE_SHIFT`).
const MFD_HUGE_BITS: u32 = 0x3f << 26;

fn sys_memfd_create(task: &mut Task, a: &SyscallArgs) -> KResult<u64> {
    let (name_ptr, flags) = (a.u(0), a.u32(1));
    // Linux's `sanitize_flags`: the size field only with MFD_HUGETLB, never both exec modes.
    let allowed = if flags & MFD_HUGETLB != 0 {
        MFD_ALL_FLAGS | MFD_HUGE_BITS
    } else {
        MFD_ALL_FLAGS
    };
    if flags & !allowed != 0 || (flags & MFD_EXEC != 0 && flags & MFD_NOEXEC_SEAL != 0) {
        return Err(Errno::EINVAL);
    }
    // One byte more than the limit tells an overlong name from one that fits exactly.
    let name = read_cstr_upto(task, name_ptr, MFD_NAME_MAX + 1)?;
    if name.len() > MFD_NAME_MAX {
        return Err(Errno::EINVAL);
    }
    if flags & MFD_HUGETLB != 0 {
        // No huge pages to back a hugetlbfs file with.
        return Err(Errno::EINVAL);
    }
    // `vm.memfd_noexec` is 0, as Linux's default: without either exec flag, MFD_EXEC.
    let cred = task.fs_cred();
    let opts = MemfdOptions {
        allow_sealing: flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL) != 0,
        noexec_seal: flags & MFD_NOEXEC_SEAL != 0,
        uid: cred.uid,
        gid: cred.gid,
    };
    let phys = task.mm().phys().clone();
    let file = new_memfd(phys, &name, opts);
    let fd = task.files().insert(file, flags & MFD_CLOEXEC != 0)?;
    Ok(fd as u64)
}

/// `F_ADD_SEALS`.
pub const F_ADD_SEALS: u32 = 1033;
/// `F_GET_SEALS`.
pub const F_GET_SEALS: u32 = 1034;

/// `fcntl`'s seal commands (Linux's `memfd_fcntl`): any file may be asked, only memfds (and
/// tmpfs files, sealed from birth) have seals; the others are `EINVAL`.
pub fn fcntl_seals(file: &OpenFile, cmd: u32, arg: u64) -> KResult<u64> {
    if cmd == F_GET_SEALS {
        return file.ops().seals().map(u64::from).ok_or(Errno::EINVAL);
    }
    // Adding seals needs a writable description before anything else is looked at.
    if !file.writable() {
        return Err(Errno::EPERM);
    }
    let seals = arg as u32;
    if seals & !F_ALL_SEALS != 0 {
        return Err(Errno::EINVAL);
    }
    file.ops().add_seals(seals).map(|_| 0)
}
