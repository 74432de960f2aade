//! Path resolution: component by component, with `.`/`..`, mount crossing, symlinks
//! (`ELOOP` after 40) and `/proc` magic links, always inside the sandbox's namespace.

use std::any::Any;
use std::sync::Arc;

use super::node::*;
use super::ops::{
    Resolver, RESOLVE_BENEATH, RESOLVE_NO_MAGICLINKS, RESOLVE_NO_SYMLINKS, RESOLVE_NO_XDEV,
};
use super::perm::{self, MAY_EXEC};
use super::Location;
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile};

/// Longest path accepted, without the NUL (Linux `PATH_MAX` is 4096 with it).
pub const PATH_MAX: usize = 4095;
/// Longest component.
pub const NAME_MAX: usize = 255;
/// Symlinks followed in one resolution before `ELOOP` (Linux's `MAXSYMLINKS`).
pub const MAXSYMLINKS: u32 = 40;

/// The last component of a path resolved to its parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Last {
    /// A normal name.
    Name(Vec<u8>),
    /// `.`
    Dot,
    /// `..`
    DotDot,
    /// The path was `/` (or only slashes).
    Root,
}

/// A path resolved up to (not including) its last component.
pub struct Parent {
    /// The directory holding the last component (for `Dot`/`DotDot`/`Root`: the directory
    /// the path names, resolved).
    pub dir: Location,
    /// The last component.
    pub last: Last,
    /// The path ended with `/` (the last component must be a directory).
    pub trailing_slash: bool,
}

fn components(path: &[u8]) -> impl DoubleEndedIterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

/// Checks a guest path's length limits (`ENOENT` for empty, `ENAMETOOLONG` for long).
pub fn check_path(path: &[u8]) -> KResult<()> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    if path.len() > PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    if components(path).any(|c| c.len() > NAME_MAX) {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(())
}

/// Joins a canonical directory path and a name.
pub(crate) fn join(dir: &[u8], name: &[u8]) -> Arc<[u8]> {
    let mut p = Vec::with_capacity(dir.len() + 1 + name.len());
    p.extend_from_slice(dir);
    if p.last() != Some(&b'/') {
        p.push(b'/');
    }
    p.extend_from_slice(name);
    Arc::from(p)
}

/// The parent of a canonical path (`/` for `/`).
pub(crate) fn parent_path(path: &[u8]) -> &[u8] {
    match path.iter().rposition(|&b| b == b'/') {
        Some(0) | None => b"/",
        Some(i) => &path[..i],
    }
}

/// A directory that exists only because a mount point lies below it.
struct VirtualDir;

impl Node for VirtualDir {
    fn stat(&self) -> KResult<Stat> {
        Ok(Stat {
            mode: S_IFDIR | 0o755,
            nlink: 2,
            blksize: 4096,
            dev: makedev(0, 1),
            ino: 1,
            ..Stat::default()
        })
    }
    fn lookup(&self, _cx: &Cx, _name: &[u8]) -> KResult<NodeRef> {
        Err(Errno::ENOENT)
    }
    fn parent(&self) -> Option<NodeRef> {
        None
    }
    fn readdir(&self, _cx: &Cx) -> KResult<Vec<DirEntry>> {
        Ok(Vec::new())
    }
    fn open(&self, _cx: &Cx, _flags: u32) -> KResult<Arc<dyn FileOps>> {
        Err(Errno::EISDIR)
    }
    fn statfs(&self) -> KResult<StatFs> {
        Ok(StatFs {
            fs_type: TMPFS_MAGIC,
            bsize: 4096,
            namelen: 255,
            ..StatFs::default()
        })
    }
    fn same(&self, other: &dyn Node) -> bool {
        other.as_any().is::<VirtualDir>()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// What following `/proc/self/fd/N` to an anonymous file (stdio, socket) reaches: opening it
/// opens the same object again. (Pipes lead to their pipe instead: `pipe::proc_node`.)
pub(crate) struct AnonFileNode(pub(crate) Arc<OpenFile>);

impl Node for AnonFileNode {
    fn stat(&self) -> KResult<Stat> {
        self.0.stat()
    }
    fn lookup(&self, _cx: &Cx, _name: &[u8]) -> KResult<NodeRef> {
        Err(Errno::ENOTDIR)
    }
    fn parent(&self) -> Option<NodeRef> {
        None
    }
    fn open(&self, _cx: &Cx, _flags: u32) -> KResult<Arc<dyn FileOps>> {
        Ok(self.0.ops().clone())
    }
    /// Kinds that keep their own attributes (memfd) take path-based changes too.
    fn setattr(&self, attr: &SetAttr) -> KResult<()> {
        self.0.ops().setattr(attr).unwrap_or(Err(Errno::EPERM))
    }
    fn statfs(&self) -> KResult<StatFs> {
        Ok(crate::pipe::pipefs_statfs())
    }
    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<AnonFileNode>()
            .is_some_and(|o| Arc::ptr_eq(&o.0, &self.0))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Resolver<'_> {
    /// Checks that `dir` is a directory the caller may search.
    fn search(&self, dir: &Location) -> KResult<()> {
        let st = dir.node.meta()?;
        if st.kind() != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        perm::check(self.cred, &st, MAY_EXEC)
    }

    /// One step down: the mount table first, then the filesystem.
    pub(crate) fn step(&self, dir: &Location, name: &[u8]) -> KResult<Location> {
        let path = join(&dir.known_path(), name);
        if let Some(m) = self.vfs.mount_at(&path) {
            let root = m.root.clone();
            return Ok(dir.derive(m, root, path));
        }
        match dir.node.lookup(&self.cx, name) {
            Ok(node) => Ok(dir.derive(dir.mount.clone(), node, path)),
            Err(Errno::ENOENT) if self.vfs.has_mount_below(&path) => {
                Ok(dir.derive(dir.mount.clone(), Arc::new(VirtualDir), path))
            }
            Err(e) => Err(e),
        }
    }

    /// `..` from `dir`: stays at the process root and the sandbox root; from a mount's root
    /// goes to the parent of the mount point.
    fn dotdot(&self, dir: Location, links: &mut u32) -> KResult<Location> {
        let path = dir.known_path();
        if dir.same(&self.root) || path == self.root.known_path() || &*path == b"/" {
            if self.resolve & RESOLVE_BENEATH != 0 {
                return Err(Errno::EXDEV);
            }
            return Ok(dir);
        }
        if !dir.is_mount_root() {
            // The directory's own parent, wherever it was moved: the filesystem answers only
            // with a parent inside the same mounted tree.
            if let Some(parent) = dir.node.parent() {
                let mount = dir.mount.clone();
                return Ok(dir.derive(mount, parent, Arc::from(parent_path(&path))));
            }
        }
        // A mount root (or a synthesized directory): the parent by canonical path, which is
        // made of real directories, walked from the sandbox root.
        let parent = parent_path(&path).to_vec();
        // The shared symlink count bounds the recursion if the lower filesystem has since
        // grown symlinks along that path.
        self.walk(self.vfs.root(), &parent, true, links)
    }

    /// Where a magic link leads.
    fn follow_magic(
        &self,
        at: &Location,
        target: MagicTarget,
        links: &mut u32,
    ) -> KResult<Location> {
        match target {
            MagicTarget::File(file) => match file.location() {
                Some(loc) => {
                    loc.refresh();
                    Ok(loc.clone())
                }
                None => {
                    let path = Arc::from(file.describe());
                    // A pipe end leads to the pipe (reopened like a FIFO), not to the end.
                    let node = crate::pipe::proc_node(&file)
                        .unwrap_or_else(|| Arc::new(AnonFileNode(file)));
                    Ok(at.derive(at.mount.clone(), node, path))
                }
            },
            MagicTarget::Path(p) => self.walk(self.root.clone(), &p, true, links),
            MagicTarget::Location(l) => {
                l.refresh();
                Ok(l)
            }
        }
    }

    /// Resolves `path` from `start` (absolute paths from the process root). The last
    /// component is followed if it is a symlink only when `follow` (or the path ends in `/`).
    pub(crate) fn walk(
        &self,
        start: Location,
        path: &[u8],
        follow: bool,
        links: &mut u32,
    ) -> KResult<Location> {
        check_path(path)?;
        let beneath = self.resolve & RESOLVE_BENEATH != 0;
        if beneath && path.first() == Some(&b'/') {
            return Err(Errno::EXDEV);
        }
        let mut cur = if path.first() == Some(&b'/') {
            self.root.clone()
        } else {
            start
        };
        // A directory descriptor or the cwd may have moved since its path was computed.
        cur.refresh();
        let home_mount = cur.mount.id;
        let must_be_dir = path.last() == Some(&b'/');
        // Pending components, next on top.
        let mut stack: Vec<Vec<u8>> = components(path).rev().map(|c| c.to_vec()).collect();
        while let Some(comp) = stack.pop() {
            self.search(&cur)?;
            match comp.as_slice() {
                b"." => continue,
                b".." => {
                    cur = self.dotdot(cur, links)?;
                    if self.resolve & RESOLVE_NO_XDEV != 0 && cur.mount.id != home_mount {
                        return Err(Errno::EXDEV);
                    }
                    continue;
                }
                _ => {}
            }
            let is_last = stack.is_empty();
            let child = self.step(&cur, &comp)?;
            if self.resolve & RESOLVE_NO_XDEV != 0 && child.mount.id != home_mount {
                return Err(Errno::EXDEV);
            }
            let st = child.node.meta()?;
            if st.kind() == FileKind::Symlink && (!is_last || follow || must_be_dir) {
                *links += 1;
                if *links > MAXSYMLINKS || self.resolve & RESOLVE_NO_SYMLINKS != 0 {
                    return Err(Errno::ELOOP);
                }
                if let Some(target) = child.node.magic(&self.cx) {
                    if self.resolve & RESOLVE_NO_MAGICLINKS != 0 {
                        return Err(Errno::ELOOP);
                    }
                    cur = self.follow_magic(&child, target, links)?;
                    if self.resolve & RESOLVE_NO_XDEV != 0 && cur.mount.id != home_mount {
                        return Err(Errno::EXDEV);
                    }
                    continue;
                }
                let target = child.node.readlink(&self.cx)?;
                if target.is_empty() {
                    return Err(Errno::ENOENT);
                }
                if target.len() > PATH_MAX {
                    return Err(Errno::ENAMETOOLONG);
                }
                if target[0] == b'/' {
                    if beneath {
                        return Err(Errno::EXDEV);
                    }
                    cur = self.root.clone();
                }
                if target.last() == Some(&b'/') && is_last {
                    // "link -> dir/" demands a directory like a trailing slash does.
                    stack.push(b".".to_vec());
                }
                stack.extend(components(&target).rev().map(|c| c.to_vec()));
                continue;
            }
            cur = child;
        }
        if must_be_dir && cur.node.meta()?.kind() != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        Ok(cur)
    }

    /// Resolves all but the last component of `path` (following symlinks on the way).
    pub(crate) fn walk_parent(
        &self,
        start: Location,
        path: &[u8],
        links: &mut u32,
    ) -> KResult<Parent> {
        check_path(path)?;
        let trailing_slash = path.last() == Some(&b'/');
        let mut comps: Vec<&[u8]> = components(path).collect();
        let Some(last) = comps.pop() else {
            // Only slashes: the root itself.
            return Ok(Parent {
                dir: self.root.clone(),
                last: Last::Root,
                trailing_slash,
            });
        };
        let cut = last.as_ptr() as usize - path.as_ptr() as usize;
        let head = &path[..cut];
        let dir = if head.is_empty() {
            start.refresh();
            start
        } else {
            // The head ends with '/', so every one of its components is followed.
            self.walk(start, head, true, links)?
        };
        self.search(&dir)?;
        let last = match last {
            b"." => Last::Dot,
            b".." => Last::DotDot,
            n => Last::Name(n.to_vec()),
        };
        Ok(Parent {
            dir,
            last,
            trailing_slash,
        })
    }
}
