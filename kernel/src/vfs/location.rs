//! [`Location`]: a resolved place in the sandbox's namespace, and how its path is kept
//! current while directories move.

use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};

use super::node::{NodeRef, Stat, Whereabouts};
use super::{walk, Mount};
use crate::errno::KResult;

/// A resolved place in the sandbox's namespace: a node, the mount it was reached through,
/// and its canonical absolute path (what `getcwd` and `/proc/self/fd` show).
///
/// The node is the identity: a directory descriptor or working directory keeps naming the
/// same directory after it (or an ancestor) is renamed, as on Linux. The path is what was
/// last known; it is recomputed from the node (see [`Whereabouts`]) when a directory was
/// renamed somewhere in the sandbox since, and the recomputed path is shared by every clone
/// (the working directory, a descriptor and its `dup`s).
#[derive(Clone)]
pub struct Location {
    pub(super) mount: Arc<Mount>,
    pub(super) node: NodeRef,
    known: Arc<RwLock<KnownPath>>,
}

/// A location's path as last computed.
#[derive(Clone)]
struct KnownPath {
    /// Canonical absolute path.
    path: Arc<[u8]>,
    /// The sandbox's move generation (see [`Vfs::note_move`](super::Vfs::note_move)) the path
    /// was right at.
    gen: u64,
    /// Created without a name (`O_TMPFILE`) in this directory, with this inode number: the
    /// path is `dir/#<ino>`, always shown as deleted.
    unnamed: Option<Arc<(Location, u64)>>,
}

impl Location {
    /// A location whose path `path` was right at move generation `gen`.
    pub(crate) fn new(mount: Arc<Mount>, node: NodeRef, path: Arc<[u8]>, gen: u64) -> Location {
        Location {
            mount,
            node,
            known: Arc::new(RwLock::new(KnownPath {
                path,
                gen,
                unnamed: None,
            })),
        }
    }

    /// File `node` (inode number `ino`) created without a name in directory `dir`
    /// (`O_TMPFILE`): Linux shows it as `dir/#<ino> (deleted)`.
    pub(crate) fn unnamed(dir: &Location, node: NodeRef, ino: u64) -> Location {
        let path = walk::join(&dir.known_path(), format!("#{ino}").as_bytes());
        let loc = dir.derive(dir.mount.clone(), node, path);
        loc.known.write().unwrap_or_else(|e| e.into_inner()).unnamed =
            Some(Arc::new((dir.clone(), ino)));
        loc
    }

    /// A location reached from this one by a step of the walk: its path is as current as
    /// this one's.
    pub(crate) fn derive(&self, mount: Arc<Mount>, node: NodeRef, path: Arc<[u8]>) -> Location {
        let gen = self.known_state().gen;
        Location::new(mount, node, path, gen)
    }

    /// The node.
    pub fn node(&self) -> &NodeRef {
        &self.node
    }
    /// The mount.
    pub fn mount(&self) -> &Arc<Mount> {
        &self.mount
    }

    fn known_state(&self) -> KnownPath {
        self.known.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The path as last computed, without looking at the node (the walk's steps, which start
    /// from a [`refresh`](Self::refresh)ed location).
    pub(crate) fn known_path(&self) -> Arc<[u8]> {
        self.known_state().path
    }

    /// Recomputes the path when a directory was moved since it was last known.
    pub(crate) fn refresh(&self) {
        let gen = self.mount.moves.load(Ordering::Acquire);
        if self.known_state().gen != gen {
            self.recompute(gen);
        }
    }

    /// Asks the node where it is now (read the generation first: a move racing with this
    /// leaves the path marked stale). Returns whether the node was removed.
    fn recompute(&self, gen: u64) -> bool {
        if let Some(u) = self.known_state().unnamed {
            let (dir, ino) = &*u;
            let path = walk::join(&dir.path(), format!("#{ino}").as_bytes());
            let mut k = self.known.write().unwrap_or_else(|e| e.into_inner());
            k.path = path;
            k.gen = gen;
            return true;
        }
        let (rel, removed) = match self.node.whereabouts() {
            Whereabouts::Below(rel) => (Some(rel), false),
            Whereabouts::Removed(rel) => (rel, true),
            Whereabouts::Untracked | Whereabouts::Unreachable => (None, false),
        };
        let mut k = self.known.write().unwrap_or_else(|e| e.into_inner());
        if let Some(rel) = rel {
            k.path = if rel.is_empty() {
                Arc::from(self.mount.path.as_slice())
            } else {
                walk::join(&self.mount.path, &rel)
            };
        }
        k.gen = gen;
        removed
    }

    /// Canonical absolute path inside the sandbox, current.
    pub fn path(&self) -> Vec<u8> {
        self.refresh();
        self.known_path().to_vec()
    }

    /// The name `/proc` links show: the current path, with Linux's ` (deleted)` suffix once
    /// the node was removed.
    pub fn proc_path(&self) -> Vec<u8> {
        let gen = self.mount.moves.load(Ordering::Acquire);
        let removed = self.recompute(gen);
        let mut p = self.known_path().to_vec();
        if removed {
            p.extend_from_slice(b" (deleted)");
        }
        p
    }

    /// Whether it was created without a name (`O_TMPFILE`).
    pub fn is_unnamed(&self) -> bool {
        self.known_state().unnamed.is_some()
    }

    /// The sandbox's inotify registry.
    pub fn notify(&self) -> &Arc<super::notify::Notify> {
        &self.mount.notify
    }

    /// Whether the node is its mount's root.
    pub fn is_mount_root(&self) -> bool {
        self.node.same(&*self.mount.root)
    }
    /// Whether both name the same node through the same mount.
    pub fn same(&self, other: &Location) -> bool {
        self.mount.id == other.mount.id && self.node.same(&*other.node)
    }
    /// Fresh metadata.
    pub fn stat(&self) -> KResult<Stat> {
        self.node.stat()
    }
}
