//! Byte-exact x86-64 layouts of the structures the socket syscalls exchange with the guest
//! (`include/uapi/linux/socket.h`, `include/linux/socket.h`).

use bytemuck::{Pod, Zeroable};

/// `struct user_msghdr` (56 bytes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Msghdr {
    /// Address buffer (`msg_name`).
    pub name: u64,
    /// Its length (`int`).
    pub namelen: i32,
    /// Padding.
    pub pad0: u32,
    /// The `iovec` array.
    pub iov: u64,
    /// Entries in it.
    pub iovlen: u64,
    /// Ancillary data buffer.
    pub control: u64,
    /// Its length.
    pub controllen: u64,
    /// Flags on return from `recvmsg`.
    pub flags: i32,
    /// Padding.
    pub pad1: u32,
}

/// `struct mmsghdr` (`sendmmsg`/`recvmmsg`): a header and the byte count of its message.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Mmsghdr {
    /// The message.
    pub hdr: Msghdr,
    /// Bytes sent or received.
    pub len: u32,
    /// Padding.
    pub pad: u32,
}

/// `struct cmsghdr` (16 bytes; data follows, 8-byte aligned).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Cmsghdr {
    /// Header plus data length.
    pub len: u64,
    /// Originating protocol (`SOL_SOCKET`).
    pub level: i32,
    /// Type (`SCM_RIGHTS`, `SCM_CREDENTIALS`).
    pub ty: i32,
}

/// `struct ucred`: a process's identity as `SCM_CREDENTIALS` and `SO_PEERCRED` report it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct Ucred {
    /// Process id (inside the sandbox).
    pub pid: i32,
    /// User id.
    pub uid: u32,
    /// Group id.
    pub gid: u32,
}

/// `struct linger`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Linger {
    /// Linger active.
    pub onoff: i32,
    /// Seconds to linger.
    pub linger: i32,
}

/// Size of [`Cmsghdr`].
pub const CMSG_HDR: usize = std::mem::size_of::<Cmsghdr>();

/// `CMSG_ALIGN`: ancillary items are aligned to `long`.
pub const fn cmsg_align(len: usize) -> usize {
    (len + 7) & !7
}

/// `CMSG_LEN`: header plus `len` data bytes.
pub const fn cmsg_len(len: usize) -> usize {
    CMSG_HDR + len
}

/// `CMSG_SPACE`: what an item with `len` data bytes occupies, padding included.
pub const fn cmsg_space(len: usize) -> usize {
    CMSG_HDR + cmsg_align(len)
}
