//! Discretionary access control: mode bits against the caller's identity, with root's
//! bypasses as Linux grants them (`CAP_DAC_OVERRIDE`, `CAP_FOWNER`, `CAP_CHOWN`).

use super::node::{Stat, S_IFDIR, S_IFMT, S_ISGID, S_ISVTX};
use crate::errno::{Errno, KResult};
use crate::task::Creds;

/// Read permission.
pub const MAY_READ: u32 = 4;
/// Write permission.
pub const MAY_WRITE: u32 = 2;
/// Execute / search permission.
pub const MAY_EXEC: u32 = 1;

/// The identity a filesystem operation is checked against.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cred {
    /// Filesystem uid (the effective uid).
    pub uid: u32,
    /// Filesystem gid (the effective gid).
    pub gid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
}

impl Cred {
    /// Root (uid 0, gid 0).
    pub fn root() -> Cred {
        Cred::default()
    }

    /// The effective identity of a process.
    pub fn effective(creds: &Creds, groups: &[u32]) -> Cred {
        Cred {
            uid: creds.euid,
            gid: creds.egid,
            groups: groups.to_vec(),
        }
    }

    /// The real identity (`access(2)` checks with it).
    pub fn real(creds: &Creds, groups: &[u32]) -> Cred {
        Cred {
            uid: creds.uid,
            gid: creds.gid,
            groups: groups.to_vec(),
        }
    }

    /// Whether the caller has root's file capabilities.
    pub fn is_root(&self) -> bool {
        self.uid == 0
    }

    /// Whether the caller is in group `gid`.
    pub fn in_group(&self, gid: u32) -> bool {
        self.gid == gid || self.groups.contains(&gid)
    }

    /// Whether the caller owns a node (or may act as its owner).
    pub fn owns(&self, st: &Stat) -> bool {
        self.is_root() || self.uid == st.uid
    }
}

/// Checks `want` (`MAY_*` bits) against a node's mode; `EACCES` when denied.
pub fn check(cred: &Cred, st: &Stat, want: u32) -> KResult<()> {
    if cred.is_root() {
        // Root reads and writes anything; it may execute only what has some execute bit,
        // and search any directory.
        let is_dir = st.mode & S_IFMT == S_IFDIR;
        if want & MAY_EXEC == 0 || is_dir || st.mode & 0o111 != 0 {
            return Ok(());
        }
        return Err(Errno::EACCES);
    }
    let bits = if cred.uid == st.uid {
        (st.mode >> 6) & 7
    } else if cred.in_group(st.gid) {
        (st.mode >> 3) & 7
    } else {
        st.mode & 7
    };
    if bits & want == want {
        Ok(())
    } else {
        Err(Errno::EACCES)
    }
}

/// Deleting or renaming `victim` out of directory `dir`: write+search on the directory, and
/// in a sticky directory ownership of the file or the directory.
pub fn check_delete(cred: &Cred, dir: &Stat, victim: &Stat) -> KResult<()> {
    check(cred, dir, MAY_WRITE | MAY_EXEC)?;
    if dir.mode & S_ISVTX != 0 && !cred.is_root() && cred.uid != dir.uid && cred.uid != victim.uid {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// `chmod`: only the owner (or root). A non-root caller outside the file's group loses setgid.
pub fn chmod_mode(cred: &Cred, st: &Stat, mode: u32) -> KResult<u32> {
    if !cred.owns(st) {
        return Err(Errno::EPERM);
    }
    let mut mode = mode & 0o7777;
    if !cred.is_root() && !cred.in_group(st.gid) {
        mode &= !S_ISGID;
    }
    Ok(mode)
}

/// `chown`: root may do anything; the owner may only change the group to one of its own.
pub fn check_chown(cred: &Cred, st: &Stat, uid: Option<u32>, gid: Option<u32>) -> KResult<()> {
    if cred.is_root() {
        return Ok(());
    }
    let uid_ok = uid.is_none_or(|u| u == st.uid);
    let gid_ok = gid.is_none_or(|g| g == st.gid || (cred.uid == st.uid && cred.in_group(g)));
    if uid_ok && gid_ok && (uid.is_none() && gid.is_none() || cred.uid == st.uid) {
        Ok(())
    } else {
        Err(Errno::EPERM)
    }
}

/// `utimensat` with explicit times needs ownership; "now" needs ownership or write access.
pub fn check_utimes(cred: &Cred, st: &Stat, explicit: bool) -> KResult<()> {
    if cred.owns(st) {
        return Ok(());
    }
    if explicit {
        return Err(Errno::EPERM);
    }
    check(cred, st, MAY_WRITE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::node::S_IFREG;

    fn st(mode: u32, uid: u32, gid: u32) -> Stat {
        Stat {
            mode,
            uid,
            gid,
            ..Stat::default()
        }
    }

    #[test]
    fn owner_group_other_bits() {
        let user = Cred {
            uid: 1000,
            gid: 1000,
            groups: vec![27],
        };
        let f = st(S_IFREG | 0o640, 1000, 50);
        assert!(check(&user, &f, MAY_READ | MAY_WRITE).is_ok());
        assert_eq!(check(&user, &f, MAY_EXEC), Err(Errno::EACCES));
        let g = st(S_IFREG | 0o040, 0, 27);
        assert!(check(&user, &g, MAY_READ).is_ok());
        let o = st(S_IFREG | 0o604, 0, 0);
        assert!(check(&user, &o, MAY_READ).is_ok());
        assert_eq!(check(&user, &o, MAY_WRITE), Err(Errno::EACCES));
        // The owner class applies even when it grants less than "other".
        let deny_owner = st(S_IFREG | 0o007, 1000, 0);
        assert_eq!(check(&user, &deny_owner, MAY_READ), Err(Errno::EACCES));
    }

    #[test]
    fn root_bypasses_except_exec_without_x() {
        let root = Cred::root();
        assert!(check(&root, &st(S_IFREG, 5, 5), MAY_READ | MAY_WRITE).is_ok());
        assert_eq!(
            check(&root, &st(S_IFREG | 0o644, 5, 5), MAY_EXEC),
            Err(Errno::EACCES)
        );
        assert!(check(&root, &st(S_IFREG | 0o100, 5, 5), MAY_EXEC).is_ok());
        assert!(check(&root, &st(S_IFDIR, 5, 5), MAY_EXEC).is_ok());
    }

    #[test]
    fn sticky_directories_protect_other_users_files() {
        let user = Cred {
            uid: 1000,
            gid: 1000,
            groups: vec![],
        };
        let tmp = st(S_IFDIR | 0o1777, 0, 0);
        assert_eq!(
            check_delete(&user, &tmp, &st(S_IFREG | 0o644, 1001, 1001)),
            Err(Errno::EPERM)
        );
        assert!(check_delete(&user, &tmp, &st(S_IFREG | 0o644, 1000, 1000)).is_ok());
        assert!(check_delete(&Cred::root(), &tmp, &st(S_IFREG, 1001, 1001)).is_ok());
    }

    #[test]
    fn chown_rules() {
        let user = Cred {
            uid: 1000,
            gid: 1000,
            groups: vec![27],
        };
        let f = st(S_IFREG | 0o644, 1000, 1000);
        assert!(check_chown(&user, &f, None, Some(27)).is_ok());
        assert_eq!(check_chown(&user, &f, Some(0), None), Err(Errno::EPERM));
        assert_eq!(check_chown(&user, &f, None, Some(0)), Err(Errno::EPERM));
        assert!(check_chown(&user, &f, Some(1000), Some(1000)).is_ok());
        assert!(check_chown(&Cred::root(), &f, Some(0), Some(0)).is_ok());
        let other = st(S_IFREG | 0o644, 1, 1);
        assert_eq!(check_chown(&user, &other, Some(1), None), Err(Errno::EPERM));
    }
}
