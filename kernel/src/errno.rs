//! Linux errno values as the guest sees them (x86-64 numbering, independent of the host OS).

use std::fmt;

/// A Linux error number returned to the guest as `-errno`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub i32);

macro_rules! errnos {
    ($($name:ident = $val:expr),* $(,)?) => {
        impl Errno {
            $(
                #[doc = concat!("Linux `", stringify!($name), "`.")]
                pub const $name: Errno = Errno($val);
            )*
            /// The symbolic name (`"ENOENT"`), or `None` for unknown numbers.
            pub fn name(self) -> Option<&'static str> {
                match self.0 {
                    $($val => Some(stringify!($name)),)*
                    _ => None,
                }
            }
        }
    };
}

errnos! {
    EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7, ENOEXEC = 8,
    EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, ENOTBLK = 15,
    EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20, EISDIR = 21, EINVAL = 22,
    ENFILE = 23, EMFILE = 24, ENOTTY = 25, ETXTBSY = 26, EFBIG = 27, ENOSPC = 28, ESPIPE = 29,
    EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33, ERANGE = 34, EDEADLK = 35,
    ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38, ENOTEMPTY = 39, ELOOP = 40, ENOMSG = 42,
    EIDRM = 43, ENOSTR = 60, ENODATA = 61, ETIME = 62, ENOSR = 63, EREMOTE = 66, ENOLINK = 67,
    EPROTO = 71, EMULTIHOP = 72, EBADMSG = 74, EOVERFLOW = 75, EBADFD = 77, EILSEQ = 84,
    ERESTART = 85, EUSERS = 87, ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90,
    EPROTOTYPE = 91, ENOPROTOOPT = 92, EPROTONOSUPPORT = 93, ESOCKTNOSUPPORT = 94,
    EOPNOTSUPP = 95, EPFNOSUPPORT = 96, EAFNOSUPPORT = 97, EADDRINUSE = 98,
    EADDRNOTAVAIL = 99, ENETDOWN = 100, ENETUNREACH = 101, ENETRESET = 102,
    ECONNABORTED = 103, ECONNRESET = 104, ENOBUFS = 105, EISCONN = 106, ENOTCONN = 107,
    ESHUTDOWN = 108, ETOOMANYREFS = 109, ETIMEDOUT = 110, ECONNREFUSED = 111, EHOSTDOWN = 112,
    EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115, ESTALE = 116, EDQUOT = 122,
    ECANCELED = 125, EOWNERDEAD = 130, ENOTRECOVERABLE = 131,
    // Kernel-internal restart codes: never seen by a guest that is not being restarted.
    ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514, ERESTART_RESTARTBLOCK = 516,
}

impl Errno {
    /// `EWOULDBLOCK` is `EAGAIN` on Linux.
    pub const EWOULDBLOCK: Errno = Errno::EAGAIN;
    /// `ENOTSUP` is `EOPNOTSUPP` on Linux.
    pub const ENOTSUP: Errno = Errno::EOPNOTSUPP;

    /// The value placed in `rax`: `-errno` as an unsigned register.
    pub fn to_ret(self) -> u64 {
        (-(self.0 as i64)) as u64
    }

    /// Maps a host `std::io::Error` to the Linux errno the guest should see.
    ///
    /// Host errno numbers differ between operating systems, so we go through `ErrorKind`
    /// first and fall back to the raw number only on Linux hosts.
    pub fn from_io(err: &std::io::Error) -> Errno {
        #[cfg(target_os = "linux")]
        if let Some(raw) = err.raw_os_error() {
            return Errno(raw);
        }
        use std::io::ErrorKind as K;
        match err.kind() {
            K::NotFound => Errno::ENOENT,
            K::PermissionDenied => Errno::EACCES,
            K::AlreadyExists => Errno::EEXIST,
            K::InvalidInput => Errno::EINVAL,
            K::WouldBlock => Errno::EAGAIN,
            K::Interrupted => Errno::EINTR,
            K::BrokenPipe => Errno::EPIPE,
            K::OutOfMemory => Errno::ENOMEM,
            K::Unsupported => Errno::EOPNOTSUPP,
            K::NotADirectory => Errno::ENOTDIR,
            K::IsADirectory => Errno::EISDIR,
            K::DirectoryNotEmpty => Errno::ENOTEMPTY,
            K::ReadOnlyFilesystem => Errno::EROFS,
            K::CrossesDevices => Errno::EXDEV,
            K::InvalidFilename => Errno::ENAMETOOLONG,
            _ => Errno::EIO,
        }
    }
}

impl From<std::io::Error> for Errno {
    fn from(e: std::io::Error) -> Self {
        Errno::from_io(&e)
    }
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "Errno({})", self.0),
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl std::error::Error for Errno {}

/// Result type of kernel operations that fail with a guest-visible errno.
pub type KResult<T> = Result<T, Errno>;
