//! The virtual filesystem: a mount table over filesystems (host directories through cap-std,
//! tmpfs, `/dev`, `/proc`), the path walk, and the per-process root/cwd/umask.
//!
//! Mount points are an overlay keyed by canonical guest path: a mount at `/mnt/work` works
//! even when the lower filesystem has no `/mnt` (the walk synthesizes empty directories for
//! the missing ancestors). Every path the guest gives is resolved here, component by
//! component, in the sandbox's namespace: `..` never climbs above the process root, and
//! symlinks (even absolute ones found on host mounts) are re-walked from the sandbox root.

pub mod abi;
mod devfs;
mod dirfile;
mod host;
mod location;
pub mod lock;
pub mod memfd;
mod node;
pub mod notify;
mod ops;
pub mod perm;
mod procfs;
mod tmpfs;
mod walk;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

pub use location::Location;
pub use node::*;
pub use ops::{
    read_all, AttrTarget, OpenRequest, Resolver, RESOLVE_BENEATH, RESOLVE_CACHED, RESOLVE_IN_ROOT,
    RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV,
};
pub use perm::Cred;
pub use procfs::process_dir_pid;
pub use tmpfs::TmpfsOptions;
pub use walk::{Last, Parent, MAXSYMLINKS, NAME_MAX, PATH_MAX};

use crate::errno::{Errno, KResult};
use crate::mm::PageCaches;

/// Errors building the mount table (host side, before any guest runs).
#[derive(Debug, thiserror::Error)]
pub enum VfsError {
    /// A guest mount path must be absolute and free of `.`/`..`.
    #[error("invalid guest mount path {0:?}: must be absolute, without . or ..")]
    BadGuestPath(String),
    /// The host directory could not be opened.
    #[error("cannot open host directory {path}: {source}")]
    HostDir {
        /// The host path.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

/// One mounted filesystem.
pub struct Mount {
    id: u64,
    path: Vec<u8>,
    root: NodeRef,
    read_only: bool,
    fs_name: &'static str,
    /// The sandbox's move generation, shared by all its mounts (see [`Vfs::note_move`]).
    moves: Arc<AtomicU64>,
    /// The sandbox's watch registry, shared by all its mounts.
    pub(crate) notify: Arc<notify::Notify>,
}

impl Mount {
    /// Mount id (`statx`'s `stx_mnt_id`).
    pub fn id(&self) -> u64 {
        self.id
    }
    /// Canonical guest path of the mount point.
    pub fn path(&self) -> &[u8] {
        &self.path
    }
    /// Whether every modification gives `EROFS`.
    pub fn read_only(&self) -> bool {
        self.read_only
    }
    /// Filesystem type name (`tmpfs`, `hostfs`, `devtmpfs`, `proc`).
    pub fn fs_name(&self) -> &'static str {
        self.fs_name
    }
    /// The root node.
    pub fn root(&self) -> &NodeRef {
        &self.root
    }
}

/// The sandbox's mount table.
pub struct Vfs {
    mounts: RwLock<BTreeMap<Vec<u8>, Arc<Mount>>>,
    next_id: AtomicU64,
    /// Counts directory renames: a location's path computed at an older count may be stale.
    moves: Arc<AtomicU64>,
    /// Advisory file locks (`flock`, `fcntl` record locks) of the whole sandbox.
    pub locks: lock::LockTable,
    /// Page caches of host files mapped `MAP_SHARED`, shared by all host mounts (two mounts
    /// of one host directory reach the same files), keyed by host `(st_dev, st_ino)`.
    host_caches: Arc<PageCaches>,
    /// inotify watches of the sandbox, by inode.
    notify: Arc<notify::Notify>,
}

/// Normalizes an absolute guest path: collapses `//` and trailing `/`; rejects `.`/`..`.
fn normalize_mount_path(path: &[u8]) -> Result<Vec<u8>, VfsError> {
    let bad = || VfsError::BadGuestPath(String::from_utf8_lossy(path).into_owned());
    if path.first() != Some(&b'/') {
        return Err(bad());
    }
    let mut out = Vec::new();
    for c in path.split(|&b| b == b'/').filter(|c| !c.is_empty()) {
        if c == b"." || c == b".." || c.len() > NAME_MAX || c.contains(&0) {
            return Err(bad());
        }
        out.push(b'/');
        out.extend_from_slice(c);
    }
    if out.is_empty() {
        out.push(b'/');
    }
    Ok(out)
}

impl Vfs {
    /// A mount table whose root is `root`.
    pub fn with_root(root: NodeRef, read_only: bool, fs_name: &'static str) -> Vfs {
        Vfs::build(root, read_only, fs_name, Arc::default())
    }

    fn build(
        root: NodeRef,
        read_only: bool,
        fs_name: &'static str,
        host_caches: Arc<PageCaches>,
    ) -> Vfs {
        let vfs = Vfs {
            mounts: RwLock::new(BTreeMap::new()),
            next_id: AtomicU64::new(1),
            moves: Arc::new(AtomicU64::new(0)),
            locks: lock::LockTable::new(),
            host_caches,
            notify: Arc::default(),
        };
        vfs.insert(b"/".to_vec(), root, read_only, fs_name);
        vfs
    }

    /// The default sandbox: host `/` read-only at the root, tmpfs at `/tmp`, `/dev` (with a
    /// tmpfs `/dev/shm`), a synthetic `/proc`, and an empty read-only `/sys`.
    pub fn new_default() -> Result<Vfs, VfsError> {
        let caches = Arc::new(PageCaches::default());
        let root =
            host::mount_host_dir(Path::new("/"), true, caches.clone()).map_err(|source| {
                VfsError::HostDir {
                    path: "/".into(),
                    source,
                }
            })?;
        let vfs = Vfs::build(root, true, "hostfs", caches);
        vfs.mount_tmpfs("/tmp", TmpfsOptions::default())?;
        vfs.mount_dev("/dev")?;
        vfs.mount_tmpfs("/dev/shm", TmpfsOptions::default())?;
        vfs.mount_proc("/proc")?;
        // The host's /sys describes the host; the sandbox shows an empty one.
        vfs.mount_node(
            "/sys",
            tmpfs::new_tmpfs(TmpfsOptions {
                root_mode: 0o555,
                ..TmpfsOptions::default()
            }),
            true,
            "sysfs",
        )?;
        Ok(vfs)
    }

    /// An empty in-memory root (tests and embedders that bring their own layout).
    pub fn new_tmpfs_root() -> Vfs {
        let root = tmpfs::new_tmpfs(TmpfsOptions {
            root_mode: 0o755,
            ..TmpfsOptions::default()
        });
        Vfs::with_root(root, false, "tmpfs")
    }

    /// Mounts host directory `host_dir` at `guest_path` (`-v HOST:GUEST[:ro]`). The mount
    /// point need not exist in the lower filesystem.
    pub fn mount_host(
        &self,
        guest_path: impl AsRef<[u8]>,
        host_dir: &Path,
        read_only: bool,
    ) -> Result<(), VfsError> {
        let node = host::mount_host_dir(host_dir, read_only, self.host_caches.clone()).map_err(
            |source| VfsError::HostDir {
                path: host_dir.display().to_string(),
                source,
            },
        )?;
        self.mount_node(guest_path, node, read_only, "hostfs")
    }

    /// Mounts a fresh tmpfs at `guest_path`.
    pub fn mount_tmpfs(
        &self,
        guest_path: impl AsRef<[u8]>,
        opts: TmpfsOptions,
    ) -> Result<(), VfsError> {
        self.mount_node(guest_path, tmpfs::new_tmpfs(opts), false, "tmpfs")
    }

    /// Mounts the device directory (`null`, `zero`, `tty`, ...) at `guest_path`.
    pub fn mount_dev(&self, guest_path: impl AsRef<[u8]>) -> Result<(), VfsError> {
        self.mount_node(guest_path, devfs::new_devfs(), false, "devtmpfs")
    }

    /// Mounts the synthetic `/proc` at `guest_path`.
    pub fn mount_proc(&self, guest_path: impl AsRef<[u8]>) -> Result<(), VfsError> {
        self.mount_node(guest_path, procfs::new_procfs(), false, "proc")
    }

    /// Mounts `root` at `guest_path`. Ancestors of the path that are symlinks in the
    /// filesystems below are resolved first (as Docker does), so the walk meets the mount.
    pub fn mount_node(
        &self,
        guest_path: impl AsRef<[u8]>,
        root: NodeRef,
        read_only: bool,
        fs_name: &'static str,
    ) -> Result<(), VfsError> {
        let path = normalize_mount_path(guest_path.as_ref())?;
        let path = self.canonical_mount_path(&path);
        self.insert(path, root, read_only, fs_name);
        Ok(())
    }

    fn insert(&self, path: Vec<u8>, root: NodeRef, read_only: bool, fs_name: &'static str) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let m = Arc::new(Mount {
            id,
            path: path.clone(),
            root,
            read_only,
            fs_name,
            moves: self.moves.clone(),
            notify: self.notify.clone(),
        });
        self.mounts
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path, m);
    }

    /// Resolves the existing prefix of `path` (following symlinks, as root) and appends the
    /// rest literally.
    fn canonical_mount_path(&self, path: &[u8]) -> Vec<u8> {
        let comps: Vec<&[u8]> = path
            .split(|&b| b == b'/')
            .filter(|c| !c.is_empty())
            .collect();
        let cred = Cred::root();
        let ctx = FsContext::new(self);
        let r = Resolver::new(self, &ctx, &cred, Cx::default());
        for keep in (0..=comps.len()).rev() {
            let prefix: Vec<u8> = comps[..keep]
                .iter()
                .flat_map(|c| [b"/".as_slice(), c].concat())
                .collect();
            let prefix = if prefix.is_empty() {
                b"/".to_vec()
            } else {
                prefix
            };
            if let Ok(loc) = r.resolve(None, &prefix, true) {
                let mut out = loc.path();
                for c in &comps[keep..] {
                    if out.last() != Some(&b'/') {
                        out.push(b'/');
                    }
                    out.extend_from_slice(c);
                }
                return out;
            }
        }
        path.to_vec()
    }

    /// The mount whose mount point is exactly `path`.
    pub fn mount_at(&self, path: &[u8]) -> Option<Arc<Mount>> {
        self.mounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned()
    }

    /// The root mount.
    pub fn root_mount(&self) -> Arc<Mount> {
        match self.mount_at(b"/") {
            Some(m) => m,
            // `with_root` always inserts "/", and nothing removes it.
            None => unreachable!("vfs without a root mount"),
        }
    }

    /// Whether some mount point lies strictly below `path`.
    pub fn has_mount_below(&self, path: &[u8]) -> bool {
        let mut prefix = path.to_vec();
        if prefix.last() != Some(&b'/') {
            prefix.push(b'/');
        }
        let mounts = self.mounts.read().unwrap_or_else(|e| e.into_inner());
        mounts
            .range(prefix.clone()..)
            .next()
            .is_some_and(|(k, _)| k.starts_with(&prefix))
    }

    /// Names of mount points directly inside directory `path` (shown by `getdents`).
    pub fn mount_names_in(&self, path: &[u8]) -> Vec<Vec<u8>> {
        let mut prefix = path.to_vec();
        if prefix.last() != Some(&b'/') {
            prefix.push(b'/');
        }
        let mounts = self.mounts.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<Vec<u8>> = Vec::new();
        for (k, _) in mounts.range(prefix.clone()..) {
            if !k.starts_with(&prefix) {
                break;
            }
            let rest = &k[prefix.len()..];
            let first = rest.split(|&b| b == b'/').next().unwrap_or(rest);
            if !first.is_empty() && out.last().map(|l| l.as_slice()) != Some(first) {
                out.push(first.to_vec());
            }
        }
        out.dedup();
        out
    }

    /// Whether `path` is a mount point or has one below it (rename/rmdir give `EBUSY`).
    pub fn busy(&self, path: &[u8]) -> bool {
        self.mount_at(path).is_some() || self.has_mount_below(path)
    }

    /// All mounts, by path (for `/proc/mounts`).
    pub fn mounts(&self) -> Vec<Arc<Mount>> {
        self.mounts
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .cloned()
            .collect()
    }

    /// The sandbox's inotify watch registry.
    pub fn notify(&self) -> &Arc<notify::Notify> {
        &self.notify
    }

    /// Records that a directory moved: paths of locations below it may have changed.
    pub(crate) fn note_move(&self) {
        self.moves.fetch_add(1, Ordering::AcqRel);
    }

    /// The sandbox root.
    pub fn root(&self) -> Location {
        let m = self.root_mount();
        let gen = self.moves.load(Ordering::Acquire);
        let root = m.root.clone();
        Location::new(m, root, Arc::from(&b"/"[..]), gen)
    }

    /// Resolves `path` for `execve` and reads the whole file: `EACCES` unless it is a regular
    /// file with execute permission for `cred` (a directory too, as Linux), `ENOENT`/
    /// `ENOTDIR`/`ELOOP`/`ENAMETOOLONG` for bad paths. Returns the bytes and the canonical
    /// path (for `/proc/self/exe` and `AT_EXECFN`-style uses).
    pub fn open_exec(
        &self,
        ctx: &FsContext,
        cred: &Cred,
        path: &[u8],
    ) -> KResult<(Vec<u8>, Vec<u8>)> {
        self.open_exec_as(ctx, cred, Cx::default(), path)
    }

    /// [`Vfs::open_exec`] for the process `cx` names, so that `/proc/self` paths (an
    /// `fexecve` of a memfd through `/proc/self/fd/N`) resolve.
    pub fn open_exec_as(
        &self,
        ctx: &FsContext,
        cred: &Cred,
        cx: Cx<'_>,
        path: &[u8],
    ) -> KResult<(Vec<u8>, Vec<u8>)> {
        let r = Resolver::new(self, ctx, cred, cx);
        let (file, path) = r.open_exec(None, path)?;
        Ok((ops::read_all(&file)?, path))
    }
}

/// Per-process filesystem context: root (`chroot`), working directory and umask.
#[derive(Clone)]
pub struct FsContext {
    /// The process root: `..` and absolute symlinks stop here.
    pub root: Location,
    /// The working directory.
    pub cwd: Location,
    /// The file mode creation mask.
    pub umask: u32,
}

impl FsContext {
    /// Root and cwd at the sandbox root, umask 022.
    pub fn new(vfs: &Vfs) -> FsContext {
        let root = vfs.root();
        FsContext {
            cwd: root.clone(),
            root,
            umask: 0o022,
        }
    }

    /// Changes the working directory to `path` (resolved as root; host-side setup of the
    /// first process's `--workdir`).
    pub fn chdir(&mut self, vfs: &Vfs, path: &[u8]) -> KResult<()> {
        let cred = Cred::root();
        let r = Resolver::new(vfs, self, &cred, Cx::default());
        self.cwd = r.dir_target(None, path)?;
        Ok(())
    }

    /// `getcwd`: the working directory as seen from the process root; `ENOENT` if it was
    /// removed. A cwd outside the root (after `chroot` without `chdir`) is shown with
    /// Linux's `(unreachable)` prefix.
    pub fn getcwd(&self) -> KResult<Vec<u8>> {
        let st = self.cwd.node.stat()?;
        if st.nlink == 0 && st.kind() == FileKind::Directory {
            return Err(Errno::ENOENT);
        }
        let cwd = self.cwd.path();
        let root = self.root.path();
        let (cwd, root) = (cwd.as_slice(), root.as_slice());
        if root == b"/" {
            return Ok(cwd.to_vec());
        }
        if cwd == root {
            return Ok(b"/".to_vec());
        }
        if cwd.starts_with(root) && cwd.get(root.len()) == Some(&b'/') {
            return Ok(cwd[root.len()..].to_vec());
        }
        let mut out = b"(unreachable)".to_vec();
        out.extend_from_slice(cwd);
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_moves;
