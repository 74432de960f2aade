//! Byte-exact x86-64 Linux layouts of the structures the file syscalls exchange with the guest.
//! Everything here is `#[repr(C)]` + `Pod`, so copies to and from guest memory are plain bytes.

use bytemuck::{Pod, Zeroable};

/// `struct stat` as the x86-64 kernel writes it (`arch/x86/include/uapi/asm/stat.h`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct LinuxStat {
    /// Device of the filesystem (`new_encode_dev` form).
    pub st_dev: u64,
    /// Inode number.
    pub st_ino: u64,
    /// Hard link count.
    pub st_nlink: u64,
    /// Type and permission bits.
    pub st_mode: u32,
    /// Owner.
    pub st_uid: u32,
    /// Group.
    pub st_gid: u32,
    /// Padding the kernel zeroes.
    pub pad0: u32,
    /// Device number for device files.
    pub st_rdev: u64,
    /// Size in bytes.
    pub st_size: i64,
    /// Preferred I/O size.
    pub st_blksize: i64,
    /// Allocated 512-byte blocks.
    pub st_blocks: i64,
    /// Access time, seconds.
    pub st_atime: i64,
    /// Access time, nanoseconds.
    pub st_atime_nsec: i64,
    /// Modification time, seconds.
    pub st_mtime: i64,
    /// Modification time, nanoseconds.
    pub st_mtime_nsec: i64,
    /// Status change time, seconds.
    pub st_ctime: i64,
    /// Status change time, nanoseconds.
    pub st_ctime_nsec: i64,
    /// Reserved.
    pub unused: [i64; 3],
}

/// `struct statx_timestamp`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct StatxTimestamp {
    /// Seconds since the epoch.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: u32,
    /// Reserved.
    pub reserved: i32,
}

/// `struct statx` (256 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Statx {
    /// Which fields are filled (`STATX_*`).
    pub stx_mask: u32,
    /// Preferred I/O size.
    pub stx_blksize: u32,
    /// `STATX_ATTR_*` flags.
    pub stx_attributes: u64,
    /// Hard link count.
    pub stx_nlink: u32,
    /// Owner.
    pub stx_uid: u32,
    /// Group.
    pub stx_gid: u32,
    /// Type and permission bits.
    pub stx_mode: u16,
    /// Reserved.
    pub spare0: u16,
    /// Inode number.
    pub stx_ino: u64,
    /// Size in bytes.
    pub stx_size: u64,
    /// Allocated 512-byte blocks.
    pub stx_blocks: u64,
    /// Which `stx_attributes` bits are supported.
    pub stx_attributes_mask: u64,
    /// Access time.
    pub stx_atime: StatxTimestamp,
    /// Birth time.
    pub stx_btime: StatxTimestamp,
    /// Status change time.
    pub stx_ctime: StatxTimestamp,
    /// Modification time.
    pub stx_mtime: StatxTimestamp,
    /// Device number (major) of device files.
    pub stx_rdev_major: u32,
    /// Device number (minor) of device files.
    pub stx_rdev_minor: u32,
    /// Filesystem device (major).
    pub stx_dev_major: u32,
    /// Filesystem device (minor).
    pub stx_dev_minor: u32,
    /// Mount id.
    pub stx_mnt_id: u64,
    /// Direct I/O memory alignment.
    pub stx_dio_mem_align: u32,
    /// Direct I/O offset alignment.
    pub stx_dio_offset_align: u32,
    /// Subvolume id.
    pub stx_subvol: u64,
    /// Atomic write minimum unit.
    pub stx_atomic_write_unit_min: u32,
    /// Atomic write maximum unit.
    pub stx_atomic_write_unit_max: u32,
    /// Atomic write maximum segments.
    pub stx_atomic_write_segments_max: u32,
    /// Reserved.
    pub spare1: u32,
    /// Reserved.
    pub spare3: [u64; 9],
}

/// `struct statfs` on x86-64 (120 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct LinuxStatfs {
    /// Filesystem magic (`TMPFS_MAGIC`, ...).
    pub f_type: i64,
    /// Block size.
    pub f_bsize: i64,
    /// Total blocks.
    pub f_blocks: u64,
    /// Free blocks.
    pub f_bfree: u64,
    /// Blocks available to unprivileged users.
    pub f_bavail: u64,
    /// Total inodes.
    pub f_files: u64,
    /// Free inodes.
    pub f_ffree: u64,
    /// Filesystem id.
    pub f_fsid: [i32; 2],
    /// Maximum name length.
    pub f_namelen: i64,
    /// Fragment size.
    pub f_frsize: i64,
    /// Mount flags (`ST_RDONLY`, ...).
    pub f_flags: i64,
    /// Reserved.
    pub f_spare: [i64; 4],
}

/// The kernel's `struct termios` used by `TCGETS`/`TCSETS` (36 bytes, not glibc's).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct KernelTermios {
    /// Input modes.
    pub c_iflag: u32,
    /// Output modes.
    pub c_oflag: u32,
    /// Control modes (including the `CBAUD` speed bits).
    pub c_cflag: u32,
    /// Local modes.
    pub c_lflag: u32,
    /// Line discipline.
    pub c_line: u8,
    /// Control characters.
    pub c_cc: [u8; 19],
}

/// `struct winsize`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Winsize {
    /// Rows.
    pub ws_row: u16,
    /// Columns.
    pub ws_col: u16,
    /// Width in pixels.
    pub ws_xpixel: u16,
    /// Height in pixels.
    pub ws_ypixel: u16,
}

/// `struct timespec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct LinuxTimespec {
    /// Seconds.
    pub tv_sec: i64,
    /// Nanoseconds.
    pub tv_nsec: i64,
}

/// `struct timeval`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct LinuxTimeval {
    /// Seconds.
    pub tv_sec: i64,
    /// Microseconds.
    pub tv_usec: i64,
}

/// `struct utimbuf`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Utimbuf {
    /// Access time, seconds.
    pub actime: i64,
    /// Modification time, seconds.
    pub modtime: i64,
}

/// `struct iovec`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Iovec {
    /// Buffer address.
    pub base: u64,
    /// Buffer length.
    pub len: u64,
}

/// `struct open_how` (`openat2`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct OpenHow {
    /// `O_*` flags.
    pub flags: u64,
    /// Creation mode.
    pub mode: u64,
    /// `RESOLVE_*` flags.
    pub resolve: u64,
}

/// `struct flock` (for `F_GETLK`/`F_SETLK`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Flock {
    /// `F_RDLCK`, `F_WRLCK` or `F_UNLCK`.
    pub l_type: i16,
    /// `SEEK_SET`, `SEEK_CUR` or `SEEK_END`.
    pub l_whence: i16,
    /// Padding.
    pub pad: u32,
    /// Start offset.
    pub l_start: i64,
    /// Length (0 = to end of file).
    pub l_len: i64,
    /// Owner pid (`F_GETLK`).
    pub l_pid: i32,
    /// Padding.
    pub pad2: u32,
}

/// Size of the fixed part of `struct linux_dirent64` (ino, off, reclen, type).
pub const DIRENT64_HEADER: usize = 19;

/// Appends one `struct linux_dirent64` record to `out` if it fits in `cap` bytes total.
/// Returns false (appending nothing) when it does not fit.
pub fn push_dirent64(
    out: &mut Vec<u8>,
    cap: usize,
    ino: u64,
    off: i64,
    dtype: u8,
    name: &[u8],
) -> bool {
    let reclen = (DIRENT64_HEADER + name.len() + 1).next_multiple_of(8);
    if out.len() + reclen > cap || reclen > u16::MAX as usize {
        return false;
    }
    let start = out.len();
    out.extend_from_slice(&ino.to_ne_bytes());
    out.extend_from_slice(&off.to_ne_bytes());
    out.extend_from_slice(&(reclen as u16).to_ne_bytes());
    out.push(dtype);
    out.extend_from_slice(name);
    out.resize(start + reclen, 0);
    true
}

/// Appends one legacy `struct linux_dirent` record (type in the last byte) if it fits.
pub fn push_dirent(
    out: &mut Vec<u8>,
    cap: usize,
    ino: u64,
    off: i64,
    dtype: u8,
    name: &[u8],
) -> bool {
    // ino(8) off(8) reclen(2) name NUL ... type(1)
    let reclen = (18 + name.len() + 2).next_multiple_of(8);
    if out.len() + reclen > cap || reclen > u16::MAX as usize {
        return false;
    }
    let start = out.len();
    out.extend_from_slice(&ino.to_ne_bytes());
    out.extend_from_slice(&off.to_ne_bytes());
    out.extend_from_slice(&(reclen as u16).to_ne_bytes());
    out.extend_from_slice(name);
    out.resize(start + reclen, 0);
    out[start + reclen - 1] = dtype;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn layouts_match_x86_64_linux() {
        assert_eq!(size_of::<LinuxStat>(), 144);
        assert_eq!(offset_of!(LinuxStat, st_mode), 24);
        assert_eq!(offset_of!(LinuxStat, st_rdev), 40);
        assert_eq!(offset_of!(LinuxStat, st_size), 48);
        assert_eq!(offset_of!(LinuxStat, st_atime), 72);
        assert_eq!(offset_of!(LinuxStat, st_mtime), 88);
        assert_eq!(offset_of!(LinuxStat, st_ctime), 104);
        assert_eq!(size_of::<Statx>(), 256);
        assert_eq!(offset_of!(Statx, stx_mode), 28);
        assert_eq!(offset_of!(Statx, stx_ino), 32);
        assert_eq!(offset_of!(Statx, stx_atime), 64);
        assert_eq!(offset_of!(Statx, stx_btime), 80);
        assert_eq!(offset_of!(Statx, stx_ctime), 96);
        assert_eq!(offset_of!(Statx, stx_mtime), 112);
        assert_eq!(offset_of!(Statx, stx_rdev_major), 128);
        assert_eq!(offset_of!(Statx, stx_mnt_id), 144);
        assert_eq!(size_of::<LinuxStatfs>(), 120);
        assert_eq!(offset_of!(LinuxStatfs, f_fsid), 56);
        assert_eq!(offset_of!(LinuxStatfs, f_namelen), 64);
        assert_eq!(size_of::<KernelTermios>(), 36);
        assert_eq!(size_of::<Winsize>(), 8);
        assert_eq!(size_of::<OpenHow>(), 24);
        assert_eq!(size_of::<Flock>(), 32);
    }

    #[test]
    fn dirent64_records_are_aligned_and_sized() {
        let mut out = Vec::new();
        assert!(push_dirent64(&mut out, 64, 7, 1, 4, b"a"));
        assert_eq!(out.len(), 24);
        assert_eq!(u16::from_ne_bytes([out[16], out[17]]), 24);
        assert_eq!(out[18], 4);
        assert_eq!(&out[19..21], b"a\0");
        // The next record (name of 5 bytes: 19+6 = 25 -> 32) does not fit in 64-24 = 40? It does.
        assert!(push_dirent64(&mut out, 64, 8, 2, 8, b"hello"));
        assert_eq!(out.len(), 56);
        assert!(!push_dirent64(&mut out, 64, 9, 3, 8, b"x"));
        assert_eq!(out.len(), 56);
    }

    #[test]
    fn legacy_dirent_puts_type_last() {
        let mut out = Vec::new();
        assert!(push_dirent(&mut out, 64, 1, 1, 4, b"ab"));
        assert_eq!(out.len(), 24);
        assert_eq!(out[23], 4);
        assert_eq!(&out[18..21], b"ab\0");
    }
}
