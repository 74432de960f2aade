//! `open`/`fcntl` flag values (x86-64 Linux numbering).

/// Access mode mask.
pub const O_ACCMODE: u32 = 0o3;
/// Read only.
pub const O_RDONLY: u32 = 0o0;
/// Write only.
pub const O_WRONLY: u32 = 0o1;
/// Read and write.
pub const O_RDWR: u32 = 0o2;
/// Create if missing.
pub const O_CREAT: u32 = 0o100;
/// With `O_CREAT`: fail if present.
pub const O_EXCL: u32 = 0o200;
/// Do not make the terminal the controlling one.
pub const O_NOCTTY: u32 = 0o400;
/// Truncate a regular file opened for writing.
pub const O_TRUNC: u32 = 0o1000;
/// Every write appends.
pub const O_APPEND: u32 = 0o2000;
/// Non-blocking I/O.
pub const O_NONBLOCK: u32 = 0o4000;
/// Synchronized data writes.
pub const O_DSYNC: u32 = 0o10000;
/// Signal-driven I/O.
pub const O_ASYNC: u32 = 0o20000;
/// Direct I/O (accepted, ignored).
pub const O_DIRECT: u32 = 0o40000;
/// Large-file offsets (always on for 64-bit).
pub const O_LARGEFILE: u32 = 0o100000;
/// Fail unless a directory.
pub const O_DIRECTORY: u32 = 0o200000;
/// Fail if the last component is a symlink.
pub const O_NOFOLLOW: u32 = 0o400000;
/// Do not update the access time.
pub const O_NOATIME: u32 = 0o1000000;
/// Close on exec.
pub const O_CLOEXEC: u32 = 0o2000000;
/// Synchronized writes.
pub const O_SYNC: u32 = 0o4010000;
/// A location-only descriptor.
pub const O_PATH: u32 = 0o10000000;
/// An unnamed temporary file in the given directory.
pub const O_TMPFILE: u32 = 0o20200000;

/// Status flags `F_SETFL` may change.
pub const SETFL_MASK: u32 = O_APPEND | O_ASYNC | O_DIRECT | O_NOATIME | O_NONBLOCK;
/// Every flag `open` accepts (others are silently ignored by `open`, rejected by `openat2`).
pub const VALID_OPEN_FLAGS: u32 = O_ACCMODE
    | O_CREAT
    | O_EXCL
    | O_NOCTTY
    | O_TRUNC
    | O_APPEND
    | O_NONBLOCK
    | O_DSYNC
    | O_ASYNC
    | O_DIRECT
    | O_LARGEFILE
    | O_DIRECTORY
    | O_NOFOLLOW
    | O_NOATIME
    | O_CLOEXEC
    | O_SYNC
    | O_PATH
    | O_TMPFILE;

/// `FD_CLOEXEC` (the only descriptor flag).
pub const FD_CLOEXEC: u32 = 1;

/// `SEEK_SET`.
pub const SEEK_SET: u32 = 0;
/// `SEEK_CUR`.
pub const SEEK_CUR: u32 = 1;
/// `SEEK_END`.
pub const SEEK_END: u32 = 2;
/// `SEEK_DATA`.
pub const SEEK_DATA: u32 = 3;
/// `SEEK_HOLE`.
pub const SEEK_HOLE: u32 = 4;

/// The largest single read or write Linux performs (`MAX_RW_COUNT`).
pub const MAX_RW_COUNT: usize = 0x7fff_f000;
