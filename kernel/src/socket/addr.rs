//! `AF_UNIX` addresses: filesystem paths, abstract names, and the `sockaddr_un` encoding.

use crate::errno::{Errno, KResult};

/// `AF_UNIX`.
const AF_UNIX: u16 = 1;
/// `offsetof(struct sockaddr_un, sun_path)`.
pub const SUN_PATH_OFFSET: usize = 2;
/// `sizeof(struct sockaddr_un)`.
pub const SOCKADDR_UN_SIZE: usize = 110;
/// `sizeof(struct sockaddr_storage)`: the most any socket call copies in or out.
pub const SOCKADDR_STORAGE_SIZE: usize = 128;

/// The name a socket is bound to, or the one it connects to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnixAddr {
    /// A filesystem path, as the guest spelled it (no NUL).
    Path(Vec<u8>),
    /// An abstract name: the bytes after the leading NUL (they may contain NULs).
    Abstract(Vec<u8>),
}

impl UnixAddr {
    /// Parses a `sockaddr_un` of `raw.len()` bytes as `connect`, `sendto` and a naming `bind`
    /// do (`unix_validate_addr`): `EINVAL` unless the length is in `3..=110` and the family
    /// is `AF_UNIX`. A path ends at its first NUL; an abstract name takes all the bytes.
    pub fn parse(raw: &[u8]) -> KResult<UnixAddr> {
        if raw.len() <= SUN_PATH_OFFSET || raw.len() > SOCKADDR_UN_SIZE {
            return Err(Errno::EINVAL);
        }
        if family(raw) != Some(AF_UNIX) {
            return Err(Errno::EINVAL);
        }
        let path = &raw[SUN_PATH_OFFSET..];
        if path[0] == 0 {
            return Ok(UnixAddr::Abstract(path[1..].to_vec()));
        }
        let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
        Ok(UnixAddr::Path(path[..end].to_vec()))
    }

    /// The `sockaddr_un` bytes `getsockname` and friends report: family, then the path with
    /// its NUL (`strlen + 3` bytes, as Linux stores it) or the NUL and the abstract name.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = AF_UNIX.to_ne_bytes().to_vec();
        match self {
            UnixAddr::Path(p) => {
                out.extend_from_slice(p);
                out.push(0);
            }
            UnixAddr::Abstract(n) => {
                out.push(0);
                out.extend_from_slice(n);
            }
        }
        out
    }
}

/// The family field of a raw address (`None` when shorter than the field).
pub fn family(raw: &[u8]) -> Option<u16> {
    Some(u16::from_ne_bytes([*raw.first()?, *raw.get(1)?]))
}

/// What an unnamed socket reports as its name: the family alone.
pub fn unnamed() -> Vec<u8> {
    AF_UNIX.to_ne_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(path: &[u8]) -> Vec<u8> {
        let mut v = vec![1, 0];
        v.extend_from_slice(path);
        v
    }

    #[test]
    fn paths_end_at_the_first_nul() {
        assert_eq!(
            UnixAddr::parse(&raw(b"sock\0junk")),
            Ok(UnixAddr::Path(b"sock".to_vec()))
        );
        // Not NUL-terminated within the length: the whole rest is the path.
        assert_eq!(
            UnixAddr::parse(&raw(b"abc")),
            Ok(UnixAddr::Path(b"abc".to_vec()))
        );
        assert_eq!(UnixAddr::Path(b"abc".to_vec()).to_bytes(), raw(b"abc\0"));
    }

    #[test]
    fn abstract_names_keep_every_byte() {
        let a = UnixAddr::parse(&raw(b"\0x\0y")).unwrap();
        assert_eq!(a, UnixAddr::Abstract(b"x\0y".to_vec()));
        assert_eq!(a.to_bytes(), raw(b"\0x\0y"));
    }

    #[test]
    fn bad_lengths_and_families_are_einval() {
        assert_eq!(UnixAddr::parse(&[1, 0]), Err(Errno::EINVAL));
        assert_eq!(UnixAddr::parse(&[1]), Err(Errno::EINVAL));
        assert_eq!(UnixAddr::parse(&[2, 0, b'a']), Err(Errno::EINVAL));
        assert_eq!(UnixAddr::parse(&[1u8; 111]), Err(Errno::EINVAL));
        assert!(UnixAddr::parse(&raw(&[b'a'; 108])).is_ok());
    }
}
