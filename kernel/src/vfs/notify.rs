//! Filesystem change notification (Linux's fsnotify, as inotify sees it): the sandbox's
//! registry of watched inodes and the hooks the VFS calls after each operation.
//!
//! Watches are keyed by inode identity ([`NodeKey`]), not by path, so a watch follows its
//! inode through renames and two mounts of one host directory share it. Each hook first
//! checks an atomic count of watches, so a sandbox without watches pays one load per
//! operation. The hooks run after the operation succeeded, with no VFS lock held; each
//! watching instance ([`Group`]) takes its own lock to queue the event.
//!
//! Only changes made through the sandbox's VFS are seen: host processes writing a mounted
//! directory generate nothing.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::node::{FileKind, Node};
use super::Location;
use crate::event::inotify::Group;

/// `IN_ACCESS`: file was read.
pub const IN_ACCESS: u32 = 0x1;
/// `IN_MODIFY`: file was written or truncated.
pub const IN_MODIFY: u32 = 0x2;
/// `IN_ATTRIB`: metadata (mode, owner, times, link count) changed.
pub const IN_ATTRIB: u32 = 0x4;
/// `IN_CLOSE_WRITE`: a description opened for writing was closed.
pub const IN_CLOSE_WRITE: u32 = 0x8;
/// `IN_CLOSE_NOWRITE`: a description not opened for writing was closed.
pub const IN_CLOSE_NOWRITE: u32 = 0x10;
/// `IN_OPEN`: file was opened.
pub const IN_OPEN: u32 = 0x20;
/// `IN_MOVED_FROM`: an entry left the watched directory.
pub const IN_MOVED_FROM: u32 = 0x40;
/// `IN_MOVED_TO`: an entry arrived in the watched directory.
pub const IN_MOVED_TO: u32 = 0x80;
/// `IN_CREATE`: an entry was created in the watched directory.
pub const IN_CREATE: u32 = 0x100;
/// `IN_DELETE`: an entry was removed from the watched directory.
pub const IN_DELETE: u32 = 0x200;
/// `IN_DELETE_SELF`: the watched inode was removed.
pub const IN_DELETE_SELF: u32 = 0x400;
/// `IN_MOVE_SELF`: the watched inode was renamed.
pub const IN_MOVE_SELF: u32 = 0x800;
/// `IN_UNMOUNT`: the filesystem was unmounted (never generated: nothing unmounts).
pub const IN_UNMOUNT: u32 = 0x2000;
/// `IN_Q_OVERFLOW`: events were dropped.
pub const IN_Q_OVERFLOW: u32 = 0x4000;
/// `IN_IGNORED`: the watch was removed.
pub const IN_IGNORED: u32 = 0x8000;
/// `IN_ONLYDIR`: watch only a directory.
pub const IN_ONLYDIR: u32 = 0x0100_0000;
/// `IN_DONT_FOLLOW`: do not follow a final symlink.
pub const IN_DONT_FOLLOW: u32 = 0x0200_0000;
/// `IN_EXCL_UNLINK`: no events for children after they were unlinked.
pub const IN_EXCL_UNLINK: u32 = 0x0400_0000;
/// `IN_MASK_CREATE`: fail with `EEXIST` if the inode is already watched.
pub const IN_MASK_CREATE: u32 = 0x1000_0000;
/// `IN_MASK_ADD`: add to an existing watch's mask instead of replacing it.
pub const IN_MASK_ADD: u32 = 0x2000_0000;
/// `IN_ISDIR`: the subject of the event is a directory.
pub const IN_ISDIR: u32 = 0x4000_0000;
/// `IN_ONESHOT`: remove the watch after its first event.
pub const IN_ONESHOT: u32 = 0x8000_0000;
/// Every event a watch can ask for.
pub const IN_ALL_EVENTS: u32 = 0xfff;

/// Watches a sandbox may hold (Linux's `max_user_watches`, counted per sandbox).
pub const MAX_WATCHES: usize = 65536;
/// Inotify instances a sandbox may hold (Linux's `max_user_instances`, per sandbox).
pub const MAX_INSTANCES: usize = 128;

/// Bytes of event records all instances of a sandbox may hold queued (a guest must not grow
/// sbx's heap by hundreds of megabytes through `MAX_INSTANCES` full queues); past it, new
/// events overflow as if their own queue were full.
pub const MAX_QUEUED_BYTES: usize = 32 << 20;

/// The identity of an inode: filesystem kind, device and inode number. Two handles to one
/// inode (two lookups, two mounts of one host directory) have the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeKey(std::any::TypeId, u64, u64);

impl NodeKey {
    /// The key of `node` and whether it is a directory, from its (cached) metadata.
    pub fn of(node: &dyn Node) -> Option<(NodeKey, bool)> {
        let st = node.meta().ok()?;
        let any: &dyn Any = node.as_any();
        Some((
            NodeKey(any.type_id(), st.dev, st.ino),
            st.kind() == FileKind::Directory,
        ))
    }
}

/// A watch as the registry knows it: which instance, which descriptor.
struct WatchRef {
    group: Weak<Group>,
    wd: i32,
}

/// The sandbox's watch registry (one per [`Vfs`](super::Vfs), shared by its mounts).
#[derive(Default)]
pub struct Notify {
    /// Watches in the whole sandbox: zero means every hook returns at once.
    watches: AtomicUsize,
    instances: AtomicUsize,
    /// Bytes queued in all instances (see [`MAX_QUEUED_BYTES`]).
    queued: AtomicUsize,
    table: Mutex<HashMap<NodeKey, Vec<WatchRef>>>,
    cookie: AtomicU32,
}

impl Notify {
    fn table(&self) -> MutexGuard<'_, HashMap<NodeKey, Vec<WatchRef>>> {
        self.table.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether any watch exists.
    pub fn active(&self) -> bool {
        self.watches.load(Ordering::Acquire) != 0
    }

    /// Counts a new instance; `false` at the limit.
    pub(crate) fn add_instance(&self) -> bool {
        self.instances
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_INSTANCES).then_some(n + 1)
            })
            .is_ok()
    }

    /// Forgets an instance.
    pub(crate) fn drop_instance(&self) {
        self.instances.fetch_sub(1, Ordering::AcqRel);
    }

    /// Whether `bytes` more event bytes fit in the sandbox's budget.
    pub(crate) fn has_room(&self, bytes: usize) -> bool {
        self.queued.load(Ordering::Acquire) + bytes <= MAX_QUEUED_BYTES
    }

    /// Bytes queued in all instances.
    #[cfg(test)]
    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::Acquire)
    }

    /// Accounts for a change in the bytes an instance holds queued.
    pub(crate) fn account(&self, before: usize, after: usize) {
        if after >= before {
            self.queued.fetch_add(after - before, Ordering::AcqRel);
        } else {
            self.queued.fetch_sub(before - after, Ordering::AcqRel);
        }
    }

    /// Records watch `wd` of `group` on `key`; `false` at the watch limit.
    pub(crate) fn register(&self, key: NodeKey, group: Weak<Group>, wd: i32) -> bool {
        let mut t = self.table();
        if self.watches.load(Ordering::Acquire) >= MAX_WATCHES {
            return false;
        }
        t.entry(key).or_default().push(WatchRef { group, wd });
        self.watches.fetch_add(1, Ordering::AcqRel);
        true
    }

    /// Forgets watch `wd` of the group at `group` on `key`.
    pub(crate) fn unregister(&self, key: NodeKey, group: *const Group, wd: i32) {
        let mut t = self.table();
        if let Some(list) = t.get_mut(&key) {
            let before = list.len();
            list.retain(|w| !(w.wd == wd && w.group.as_ptr() == group));
            let gone = before - list.len();
            if list.is_empty() {
                t.remove(&key);
            }
            self.watches.fetch_sub(gone, Ordering::AcqRel);
        }
    }

    /// The instances watching `key`, with their descriptors.
    fn watchers(&self, key: &NodeKey) -> Vec<(Arc<Group>, i32)> {
        let t = self.table();
        t.get(key)
            .map(|l| {
                l.iter()
                    .filter_map(|w| Some((w.group.upgrade()?, w.wd)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A fresh non-zero cookie tying an `IN_MOVED_FROM` to its `IN_MOVED_TO`.
    fn next_cookie(&self) -> u32 {
        loop {
            let c = self.cookie.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
            if c != 0 {
                return c;
            }
        }
    }

    fn send(&self, key: &NodeKey, mask: u32, cookie: u32, name: Option<&[u8]>, unlinked: bool) {
        for (g, wd) in self.watchers(key) {
            g.deliver(wd, mask, cookie, name, unlinked);
        }
    }

    /// An event about `node` itself (link count, move, ...): its own watches only.
    pub fn inode_event(&self, node: &dyn Node, mask: u32) {
        if !self.active() {
            return;
        }
        if let Some((key, dir)) = NodeKey::of(node) {
            self.send(&key, mask | isdir(dir), 0, None, false);
        }
    }

    /// An event about entry `name` of directory `dir` (create, delete, moves).
    pub fn entry_event(&self, dir: &dyn Node, mask: u32, name: &[u8], is_dir: bool, cookie: u32) {
        if !self.active() {
            return;
        }
        if let Some((key, _)) = NodeKey::of(dir) {
            self.send(&key, mask | isdir(is_dir), cookie, Some(name), false);
        }
    }

    /// An event about the file at `loc` (open, access, modify, attributes, close): first to
    /// the directory it was reached in, with its name, then to the file's own watches.
    pub fn file_event(&self, loc: &Location, mask: u32) {
        if !self.active() {
            return;
        }
        let node = &**loc.node();
        let Some((key, dir)) = NodeKey::of(node) else {
            return;
        };
        let mask = mask | isdir(dir);
        let unlinked = node.stat().map(|s| s.nlink == 0).unwrap_or(true);
        if !loc.is_unnamed() && !loc.is_mount_root() {
            if let Some((parent, name)) = node.entry() {
                if let Some((pkey, _)) = NodeKey::of(&*parent) {
                    self.send(&pkey, mask, 0, Some(&name), unlinked);
                }
            }
        }
        self.send(&key, mask, 0, None, unlinked);
    }

    /// `node` lost its last name: `IN_DELETE_SELF` to its watches, which then end
    /// (`IN_IGNORED`). `key` is the node's key taken before the removal.
    pub fn removed(&self, key: Option<NodeKey>) {
        if !self.active() {
            return;
        }
        let Some(key) = key else {
            return;
        };
        let watchers = self.watchers(&key);
        for (g, wd) in &watchers {
            g.deliver(*wd, IN_DELETE_SELF, 0, None, false);
        }
        for (g, wd) in &watchers {
            // An IN_ONESHOT watch already ended with its IN_DELETE_SELF.
            let _ = g.remove_watch(*wd);
        }
    }

    /// A rename of `src` (a directory when `is_dir`) from `old` in `old_dir` to `new` in
    /// `new_dir`: the moved-from/moved-to pair with one cookie, then `IN_MOVE_SELF`.
    pub fn moved(&self, m: Move<'_>) {
        if !self.active() {
            return;
        }
        let cookie = self.next_cookie();
        self.entry_event(m.old_dir, IN_MOVED_FROM, m.old, m.is_dir, cookie);
        self.entry_event(m.new_dir, IN_MOVED_TO, m.new, m.is_dir, cookie);
        if let Some(t) = m.replaced {
            self.inode_event(t, IN_ATTRIB);
        }
        self.inode_event(m.src, IN_MOVE_SELF);
    }
}

/// One rename as [`Notify::moved`] reports it.
pub struct Move<'a> {
    /// The directory the entry left.
    pub old_dir: &'a dyn Node,
    /// Its old name.
    pub old: &'a [u8],
    /// The directory it arrived in.
    pub new_dir: &'a dyn Node,
    /// Its new name.
    pub new: &'a [u8],
    /// The moved inode.
    pub src: &'a dyn Node,
    /// Whether it is a directory.
    pub is_dir: bool,
    /// The inode the rename replaced, if any (its link count drops).
    pub replaced: Option<&'a dyn Node>,
}

fn isdir(dir: bool) -> u32 {
    if dir {
        IN_ISDIR
    } else {
        0
    }
}
