//! Path operations with Linux's checks and errno order: open, stat, access, mkdir, mknod,
//! symlink, link, unlink, rmdir, rename, readlink, chmod, chown, truncate, utimes, chdir,
//! statfs, and exec's open. Each resolves through the walk, then checks read-only mounts
//! and permissions, then asks the filesystem.

use std::sync::Arc;

use super::abi::LinuxStatfs;
use super::dirfile::{DirFile, PathOnly};
use super::node::*;
use super::notify::{self, NodeKey, IN_ACCESS, IN_ATTRIB, IN_CREATE, IN_DELETE, IN_MODIFY};
use super::perm::{self, Cred, MAY_EXEC, MAY_READ, MAY_WRITE};
use super::walk::{Last, Parent};
use super::{FsContext, Location, Vfs};
use crate::errno::{Errno, KResult};
use crate::fd::*;

/// `openat2`'s `RESOLVE_NO_XDEV`.
pub const RESOLVE_NO_XDEV: u64 = 0x01;
/// `RESOLVE_NO_MAGICLINKS`.
pub const RESOLVE_NO_MAGICLINKS: u64 = 0x02;
/// `RESOLVE_NO_SYMLINKS`.
pub const RESOLVE_NO_SYMLINKS: u64 = 0x04;
/// `RESOLVE_BENEATH`.
pub const RESOLVE_BENEATH: u64 = 0x08;
/// `RESOLVE_IN_ROOT`.
pub const RESOLVE_IN_ROOT: u64 = 0x10;
/// `RESOLVE_CACHED`.
pub const RESOLVE_CACHED: u64 = 0x20;

/// What `open` was asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct OpenRequest {
    /// `O_*` flags.
    pub flags: u32,
    /// Mode for a created file (before the umask).
    pub mode: u32,
}

/// Resolves and operates on paths for one caller: its root, cwd, umask and identity.
pub struct Resolver<'a> {
    pub(crate) vfs: &'a Vfs,
    pub(crate) root: Location,
    pub(crate) cwd: Location,
    pub(crate) umask: u32,
    pub(crate) cred: &'a Cred,
    pub(crate) cx: Cx<'a>,
    /// `RESOLVE_*` restrictions (`openat2`).
    pub(crate) resolve: u64,
}

/// Reads a whole file (exec images), refusing absurd sizes.
pub fn read_all(file: &OpenFile) -> KResult<Vec<u8>> {
    // Executables are read whole into sbx's memory: bound what a guest can make it hold.
    const MAX_IMAGE: u64 = 512 << 20;
    let size = file.stat()?.size;
    if size > MAX_IMAGE {
        return Err(Errno::ENOMEM);
    }
    let mut out = vec![0u8; size as usize];
    let mut done = 0;
    while done < out.len() {
        let n = file.pread(done as u64, &mut out[done..])?;
        if n == 0 {
            break;
        }
        done += n;
    }
    out.truncate(done);
    Ok(out)
}

/// What an attribute change (`chmod`, `chown`, `utimes`) applies to: a place in the
/// namespace, maybe with the open file of the `f*` variants, or an open file alone (an
/// anonymous kind such as a memfd).
#[derive(Clone, Copy)]
pub enum AttrTarget<'t> {
    /// A resolved location; `file` is the descriptor's open file when there is one.
    Loc(&'t Location, Option<&'t OpenFile>),
    /// An open file without a location.
    Anon(&'t OpenFile),
}

impl AttrTarget<'_> {
    /// An anonymous file that keeps no attributes: the change is accepted and ignored.
    fn ignored(&self) -> bool {
        matches!(self, AttrTarget::Anon(f) if !f.ops().keeps_attrs())
    }

    /// Fresh metadata: from the open handle when there is one.
    fn stat(&self) -> KResult<Stat> {
        match self {
            AttrTarget::Loc(_, Some(f)) | AttrTarget::Anon(f) => f.stat(),
            AttrTarget::Loc(loc, None) => loc.node.stat(),
        }
    }

    /// `EROFS` on a read-only mount (anonymous files are on none).
    fn writable_mount(&self) -> KResult<()> {
        match self {
            AttrTarget::Loc(loc, _) => Resolver::writable_mount(loc),
            AttrTarget::Anon(_) => Ok(()),
        }
    }

    /// Reports a change (`IN_*` bits) to the watches of a target in the namespace.
    fn notify(&self, mask: u32) {
        if let AttrTarget::Loc(loc, _) = self {
            loc.notify().file_event(loc, mask);
        }
    }

    /// Applies `attr` through the open handle if its kind can, else through the node;
    /// anonymous kinds that keep no attributes (pipes, sockets, stdio) ignore it.
    fn apply(&self, attr: &SetAttr) -> KResult<()> {
        let file = match self {
            AttrTarget::Loc(_, f) => *f,
            AttrTarget::Anon(f) => Some(*f),
        };
        if let Some(r) = file.and_then(|f| f.ops().setattr(attr)) {
            return r;
        }
        match self {
            AttrTarget::Loc(loc, _) => loc.node.setattr(attr),
            AttrTarget::Anon(_) => Ok(()),
        }
    }
}

fn is_dir(st: &Stat) -> bool {
    st.kind() == FileKind::Directory
}

impl<'a> Resolver<'a> {
    /// A resolver for a process with filesystem context `ctx`.
    pub fn new(vfs: &'a Vfs, ctx: &FsContext, cred: &'a Cred, cx: Cx<'a>) -> Resolver<'a> {
        // `..` stops at the root by identity and by path: keep the path current.
        ctx.root.refresh();
        Resolver {
            vfs,
            root: ctx.root.clone(),
            cwd: ctx.cwd.clone(),
            umask: ctx.umask & 0o777,
            cred,
            cx,
            resolve: 0,
        }
    }

    /// The same resolver with `openat2`'s `RESOLVE_*` restrictions relative to `dir`:
    /// `IN_ROOT` and `BENEATH` make `dir` the root (`BENEATH` failing with `EXDEV` where
    /// `IN_ROOT` would clamp), `NO_XDEV` forbids leaving `dir`'s mount, `NO_SYMLINKS` and
    /// `NO_MAGICLINKS` refuse links with `ELOOP`. `EINVAL` for unknown bits or both roots.
    pub fn restricted(&self, dir: Location, resolve: u64) -> KResult<Resolver<'a>> {
        let known = RESOLVE_NO_XDEV
            | RESOLVE_NO_MAGICLINKS
            | RESOLVE_NO_SYMLINKS
            | RESOLVE_BENEATH
            | RESOLVE_IN_ROOT
            | RESOLVE_CACHED;
        if resolve & !known != 0
            || (resolve & RESOLVE_BENEATH != 0 && resolve & RESOLVE_IN_ROOT != 0)
        {
            return Err(Errno::EINVAL);
        }
        dir.refresh();
        let root = if resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT) != 0 {
            dir.clone()
        } else {
            self.root.clone()
        };
        Ok(Resolver {
            vfs: self.vfs,
            root,
            cwd: dir,
            umask: self.umask,
            cred: self.cred,
            cx: self.cx,
            resolve,
        })
    }

    fn start(&self, at: Option<&Location>) -> Location {
        at.cloned().unwrap_or_else(|| self.cwd.clone())
    }

    /// Resolves `path` relative to `at` (the cwd when `None`).
    pub fn resolve(&self, at: Option<&Location>, path: &[u8], follow: bool) -> KResult<Location> {
        let mut links = 0;
        self.walk(self.start(at), path, follow, &mut links)
    }

    /// Resolves all but the last component.
    pub fn resolve_parent(&self, at: Option<&Location>, path: &[u8]) -> KResult<Parent> {
        let mut links = 0;
        self.walk_parent(self.start(at), path, &mut links)
    }

    fn writable_mount(loc: &Location) -> KResult<()> {
        if loc.mount.read_only {
            Err(Errno::EROFS)
        } else {
            Ok(())
        }
    }

    /// Write + search on a directory whose entries change.
    fn may_modify(&self, dir: &Location) -> KResult<()> {
        perm::check(self.cred, &dir.node.meta()?, MAY_WRITE | MAY_EXEC)
    }

    /// The child `name` of `dir`, or `None` when absent.
    fn lookup_opt(&self, dir: &Location, name: &[u8]) -> KResult<Option<Location>> {
        match self.step(dir, name) {
            Ok(l) => Ok(Some(l)),
            Err(Errno::ENOENT) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn new_attr(&self, dir: &Location, mode: u32) -> KResult<NewAttr> {
        let d = dir.node.meta()?;
        // A setgid directory passes its group down (and, to subdirectories, the bit).
        let gid = if d.mode & S_ISGID != 0 {
            d.gid
        } else {
            self.cred.gid
        };
        Ok(NewAttr {
            mode,
            uid: self.cred.uid,
            gid,
        })
    }

    // ---- open ---------------------------------------------------------------------------

    /// `openat`: resolves, creates if asked, checks permissions and opens.
    pub fn open(
        &self,
        at: Option<&Location>,
        path: &[u8],
        req: OpenRequest,
    ) -> KResult<Arc<OpenFile>> {
        let flags = req.flags;
        if flags & O_TMPFILE == O_TMPFILE {
            return self.open_tmpfile(at, path, req);
        }
        if flags & O_PATH != 0 {
            let loc = self.resolve(at, path, flags & O_NOFOLLOW == 0)?;
            if flags & O_DIRECTORY != 0 && loc.node.meta()?.kind() != FileKind::Directory {
                return Err(Errno::ENOTDIR);
            }
            let ops: Arc<dyn FileOps> = Arc::new(PathOnly(loc.clone()));
            return Ok(Arc::new(OpenFile::new(
                ops,
                Some(loc),
                O_PATH | (flags & (O_NONBLOCK | O_DIRECTORY | O_NOFOLLOW)),
            )));
        }
        if flags & O_CREAT == 0 {
            let loc = self.resolve(at, path, flags & O_NOFOLLOW == 0)?;
            if loc.node.meta()?.kind() == FileKind::Symlink {
                // Linux checks O_DIRECTORY before refusing to open the link itself.
                if flags & O_DIRECTORY != 0 {
                    return Err(Errno::ENOTDIR);
                }
                return Err(Errno::ELOOP);
            }
            return self.open_location(loc, flags);
        }
        // O_CREAT: walk to the parent, then follow a symlinked last component ourselves so
        // that a dangling link creates its target (as Linux does).
        let mut links = 0;
        let mut start = self.start(at);
        let mut path = path.to_vec();
        loop {
            let p = self.walk_parent(start.clone(), &path, &mut links)?;
            let name = match &p.last {
                Last::Name(n) => n.clone(),
                // `.`, `..` or `/` exist and are directories: O_EXCL's EEXIST comes first.
                _ if flags & O_EXCL != 0 => return Err(Errno::EEXIST),
                _ => return Err(Errno::EISDIR),
            };
            match self.lookup_opt(&p.dir, &name)? {
                Some(existing) => {
                    if flags & O_EXCL != 0 {
                        return Err(Errno::EEXIST);
                    }
                    let st = existing.node.meta()?;
                    if st.kind() == FileKind::Symlink {
                        if flags & O_NOFOLLOW != 0 {
                            return Err(Errno::ELOOP);
                        }
                        links += 1;
                        if links > super::MAXSYMLINKS {
                            return Err(Errno::ELOOP);
                        }
                        if existing.node.magic(&self.cx).is_some() {
                            let loc = self.resolve(Some(&p.dir), &name, true)?;
                            return self.open_location(loc, flags);
                        }
                        let target = existing.node.readlink(&self.cx)?;
                        if target.is_empty() {
                            return Err(Errno::ENOENT);
                        }
                        start = if target[0] == b'/' {
                            self.root.clone()
                        } else {
                            p.dir.clone()
                        };
                        path = target;
                        continue;
                    }
                    if is_dir(&st) {
                        return Err(Errno::EISDIR);
                    }
                    if p.trailing_slash {
                        return Err(Errno::ENOTDIR);
                    }
                    return self.open_location(existing, flags);
                }
                None => {
                    if p.trailing_slash {
                        return Err(Errno::EISDIR);
                    }
                    Self::writable_mount(&p.dir)?;
                    self.may_modify(&p.dir)?;
                    let attr = self.new_attr(&p.dir, req.mode & !self.umask & 0o7777)?;
                    let node = p.dir.node.create(&name, NewNode::Regular, attr)?;
                    self.vfs
                        .notify()
                        .entry_event(&**p.dir.node(), IN_CREATE, &name, false, 0);
                    let path = super::walk::join(&p.dir.known_path(), &name);
                    let loc = p.dir.derive(p.dir.mount.clone(), node, path);
                    // The creator may use the file whatever mode it gave it.
                    let ops = loc.node.open(&self.cx, flags)?;
                    return Ok(Arc::new(OpenFile::new(ops, Some(loc), flags)));
                }
            }
        }
    }

    /// Opens an already-resolved location with `open`'s permission and type checks.
    pub fn open_location(&self, loc: Location, flags: u32) -> KResult<Arc<OpenFile>> {
        let st = loc.node.meta()?;
        let acc = flags & O_ACCMODE;
        if acc == 3 {
            return Err(Errno::EINVAL);
        }
        let wants_write = acc == O_WRONLY || acc == O_RDWR || flags & O_TRUNC != 0;
        let kind = st.kind();
        if flags & O_DIRECTORY != 0 && kind != FileKind::Directory {
            return Err(Errno::ENOTDIR);
        }
        if kind == FileKind::Directory && wants_write {
            return Err(Errno::EISDIR);
        }
        if wants_write
            && matches!(
                kind,
                FileKind::Regular | FileKind::Directory | FileKind::Symlink
            )
        {
            Self::writable_mount(&loc)?;
        }
        let mut want = 0;
        if acc == O_RDONLY || acc == O_RDWR {
            want |= MAY_READ;
        }
        if wants_write {
            want |= MAY_WRITE;
        }
        perm::check(self.cred, &st, want)?;
        let ops: Arc<dyn FileOps> = if kind == FileKind::Directory {
            let mounts = self.vfs.mount_names_in(&loc.known_path());
            Arc::new(DirFile::new(loc.clone(), mounts))
        } else {
            loc.node.open(&self.cx, flags)?
        };
        // The description exists (and IN_OPEN is reported) before the truncation's
        // IN_MODIFY, as in Linux's do_open.
        let file = Arc::new(OpenFile::new(ops, Some(loc), flags));
        // Linux truncates even for O_RDONLY (the permission check above asked for write);
        // a read-only handle cannot, so the node does it.
        if flags & O_TRUNC != 0 && kind == FileKind::Regular {
            let loc = file.location().ok_or(Errno::EBADF)?;
            if acc == O_RDONLY {
                loc.node.setattr(&SetAttr {
                    size: Some(0),
                    ..SetAttr::default()
                })?;
            } else {
                file.ops().truncate(0)?;
            }
            loc.notify().file_event(loc, IN_MODIFY);
        }
        Ok(file)
    }

    /// `O_TMPFILE` (partial): an unnamed regular file in directory `path`, made by creating
    /// and unlinking a private name.
    fn open_tmpfile(
        &self,
        at: Option<&Location>,
        path: &[u8],
        req: OpenRequest,
    ) -> KResult<Arc<OpenFile>> {
        let acc = req.flags & O_ACCMODE;
        if acc != O_WRONLY && acc != O_RDWR {
            return Err(Errno::EINVAL);
        }
        let dir = self.resolve(at, path, true)?;
        if !is_dir(&dir.node.meta()?) {
            return Err(Errno::ENOTDIR);
        }
        Self::writable_mount(&dir)?;
        self.may_modify(&dir)?;
        let attr = self.new_attr(&dir, req.mode & !self.umask & 0o7777)?;
        let mut rnd = [0u8; 8];
        let _ = getrandom::fill(&mut rnd);
        let name = format!(".sbx-tmpfile-{:016x}", u64::from_ne_bytes(rnd)).into_bytes();
        let node = dir.node.create(&name, NewNode::Regular, attr)?;
        let ops = node.open(&self.cx, req.flags & !O_TMPFILE)?;
        let ino = ops.stat()?.ino;
        dir.node.unlink(&name, false)?;
        let loc = Location::unnamed(&dir, node, ino);
        Ok(Arc::new(OpenFile::new(
            ops,
            Some(loc),
            (req.flags & !O_TMPFILE) | O_LARGEFILE,
        )))
    }

    /// `execve`'s open: a regular file with execute permission (`EACCES` otherwise, for
    /// directories too). Returns the open file and its canonical path.
    pub fn open_exec(
        &self,
        at: Option<&Location>,
        path: &[u8],
    ) -> KResult<(Arc<OpenFile>, Vec<u8>)> {
        let loc = self.resolve(at, path, true)?;
        self.open_exec_loc(loc)
    }

    /// Opens the file at `loc` for `execve` (what `execveat(fd, "", AT_EMPTY_PATH)` runs):
    /// the same checks as [`Resolver::open_exec`].
    pub fn open_exec_loc(&self, loc: Location) -> KResult<(Arc<OpenFile>, Vec<u8>)> {
        let st = loc.node.meta()?;
        if st.kind() != FileKind::Regular {
            return Err(Errno::EACCES);
        }
        perm::check(self.cred, &st, MAY_EXEC)?;
        let ops = loc.node.open(&self.cx, O_RDONLY)?;
        let p = loc.path();
        Ok((Arc::new(OpenFile::new(ops, Some(loc), O_RDONLY)), p))
    }

    // ---- metadata -----------------------------------------------------------------------

    /// `stat`/`lstat`: fresh metadata of what `path` names, and where it is.
    pub fn stat(
        &self,
        at: Option<&Location>,
        path: &[u8],
        follow: bool,
    ) -> KResult<(Stat, Location)> {
        let loc = self.resolve(at, path, follow)?;
        Ok((loc.node.stat()?, loc))
    }

    /// `faccessat`: `mode` is `F_OK` (0) or a mix of `R_OK` (4), `W_OK` (2), `X_OK` (1).
    pub fn access(
        &self,
        at: Option<&Location>,
        path: &[u8],
        mode: u32,
        follow: bool,
    ) -> KResult<()> {
        if mode & !7 != 0 {
            return Err(Errno::EINVAL);
        }
        let loc = self.resolve(at, path, follow)?;
        self.access_location(&loc, mode)
    }

    /// `faccessat` on an already-resolved location.
    pub fn access_location(&self, loc: &Location, mode: u32) -> KResult<()> {
        if mode & !7 != 0 {
            return Err(Errno::EINVAL);
        }
        if mode == 0 {
            return Ok(());
        }
        let st = loc.node.meta()?;
        if mode & MAY_WRITE != 0
            && matches!(
                st.kind(),
                FileKind::Regular | FileKind::Directory | FileKind::Symlink
            )
        {
            Self::writable_mount(loc)?;
        }
        perm::check(self.cred, &st, mode)
    }

    /// `readlink`: the target of a symlink (`EINVAL` for anything else).
    pub fn readlink(&self, at: Option<&Location>, path: &[u8]) -> KResult<Vec<u8>> {
        let loc = self.resolve(at, path, false)?;
        Self::readlink_at(self, &loc)
    }

    /// The target of the symlink at `loc` (magic links show their target's name).
    pub fn readlink_at(&self, loc: &Location) -> KResult<Vec<u8>> {
        if loc.node.meta()?.kind() != FileKind::Symlink {
            return Err(Errno::EINVAL);
        }
        if let Some(m) = loc.node.magic(&self.cx) {
            return Ok(match m {
                MagicTarget::File(f) => f.describe(),
                MagicTarget::Path(p) => p,
                MagicTarget::Location(l) => l.proc_path(),
            });
        }
        loc.node.readlink(&self.cx)
    }

    /// `chmod` of a resolved location; `file` is the open file of the `f*` variants (its
    /// handle is used where the kind supports it, following renames on host mounts).
    pub fn chmod(&self, loc: &Location, file: Option<&OpenFile>, mode: u32) -> KResult<()> {
        self.chmod_target(AttrTarget::Loc(loc, file), mode)
    }

    /// `chmod` of any attribute target (`fchmod` of an anonymous file too).
    pub fn chmod_target(&self, t: AttrTarget<'_>, mode: u32) -> KResult<()> {
        if t.ignored() {
            return Ok(());
        }
        let st = t.stat()?;
        if st.kind() == FileKind::Symlink {
            return Err(Errno::EOPNOTSUPP);
        }
        t.writable_mount()?;
        let mode = perm::chmod_mode(self.cred, &st, mode)?;
        t.apply(&SetAttr {
            mode: Some(mode),
            ..SetAttr::default()
        })?;
        t.notify(IN_ATTRIB);
        Ok(())
    }

    /// `chown` of a resolved location (`None` = leave unchanged, as -1).
    pub fn chown(
        &self,
        loc: &Location,
        file: Option<&OpenFile>,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> KResult<()> {
        self.chown_target(AttrTarget::Loc(loc, file), uid, gid)
    }

    /// `chown` of any attribute target.
    pub fn chown_target(
        &self,
        t: AttrTarget<'_>,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> KResult<()> {
        if t.ignored() {
            return Ok(());
        }
        let st = t.stat()?;
        t.writable_mount()?;
        perm::check_chown(self.cred, &st, uid, gid)?;
        t.apply(&SetAttr {
            uid,
            gid,
            ..SetAttr::default()
        })?;
        // Ownership changes strip set-id bits from non-directories (group-exec setgid only).
        if (uid.is_some() || gid.is_some())
            && !matches!(st.kind(), FileKind::Directory | FileKind::Symlink)
        {
            let mut mode = st.mode & 0o7777;
            mode &= !S_ISUID;
            if mode & 0o010 != 0 {
                mode &= !S_ISGID;
            }
            if mode != st.mode & 0o7777 {
                t.apply(&SetAttr {
                    mode: Some(mode),
                    ..SetAttr::default()
                })?;
            }
        }
        if uid.is_some() || gid.is_some() {
            t.notify(IN_ATTRIB);
        }
        Ok(())
    }

    /// `truncate` of a path: needs write permission on a regular file.
    pub fn truncate(&self, at: Option<&Location>, path: &[u8], len: u64) -> KResult<()> {
        let loc = self.resolve(at, path, true)?;
        let st = loc.node.meta()?;
        match st.kind() {
            FileKind::Directory => return Err(Errno::EISDIR),
            FileKind::Regular => {}
            _ => return Err(Errno::EINVAL),
        }
        Self::writable_mount(&loc)?;
        perm::check(self.cred, &st, MAY_WRITE)?;
        loc.node.setattr(&SetAttr {
            size: Some(len),
            ..SetAttr::default()
        })?;
        loc.notify().file_event(&loc, IN_MODIFY);
        Ok(())
    }

    /// `utimensat` of a resolved location (`None` = `UTIME_OMIT`).
    pub fn utimes(
        &self,
        loc: &Location,
        file: Option<&OpenFile>,
        atime: Option<TimeSet>,
        mtime: Option<TimeSet>,
    ) -> KResult<()> {
        self.utimes_target(AttrTarget::Loc(loc, file), atime, mtime)
    }

    /// `utimensat` of any attribute target (`futimens` of an anonymous file too).
    pub fn utimes_target(
        &self,
        t: AttrTarget<'_>,
        atime: Option<TimeSet>,
        mtime: Option<TimeSet>,
    ) -> KResult<()> {
        if (atime.is_none() && mtime.is_none()) || t.ignored() {
            return Ok(());
        }
        let st = t.stat()?;
        t.writable_mount()?;
        let explicit =
            matches!(atime, Some(TimeSet::At(_))) || matches!(mtime, Some(TimeSet::At(_)));
        perm::check_utimes(self.cred, &st, explicit)?;
        t.apply(&SetAttr {
            atime,
            mtime,
            ..SetAttr::default()
        })?;
        // Linux's fsnotify_change: both times are a utime call, one alone an access or a
        // modification.
        t.notify(match (atime.is_some(), mtime.is_some()) {
            (true, true) => IN_ATTRIB,
            (true, false) => IN_ACCESS,
            _ => IN_MODIFY,
        });
        Ok(())
    }

    /// `chdir`/`chroot`'s target: a directory the caller may search.
    pub fn dir_target(&self, at: Option<&Location>, path: &[u8]) -> KResult<Location> {
        let loc = self.resolve(at, path, true)?;
        Self::check_dir_target(self, &loc)?;
        Ok(loc)
    }

    /// Checks that `loc` is a directory the caller may search (`fchdir`).
    pub fn check_dir_target(&self, loc: &Location) -> KResult<()> {
        let st = loc.node.meta()?;
        if !is_dir(&st) {
            return Err(Errno::ENOTDIR);
        }
        perm::check(self.cred, &st, MAY_EXEC)
    }

    /// `statfs` of a resolved location.
    pub fn statfs(&self, loc: &Location) -> KResult<LinuxStatfs> {
        let fs = loc.node.statfs()?;
        let dev = loc.node.stat().map(|s| s.dev).unwrap_or(0);
        Ok(fs.to_linux(dev, loc.mount.read_only))
    }

    // ---- namespace changes --------------------------------------------------------------

    /// Resolves the parent for a create (`EEXIST` for `.`/`..`/`/`), checks that the name is
    /// free and the mount writable: returns the directory and the name.
    fn prepare_create(
        &self,
        at: Option<&Location>,
        path: &[u8],
        want_dir: bool,
    ) -> KResult<(Location, Vec<u8>)> {
        let p = self.resolve_parent(at, path)?;
        let Last::Name(name) = p.last else {
            return Err(Errno::EEXIST);
        };
        if self.lookup_opt(&p.dir, &name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        Self::writable_mount(&p.dir)?;
        if p.trailing_slash && !want_dir {
            return Err(Errno::ENOENT);
        }
        self.may_modify(&p.dir)?;
        Ok((p.dir, name))
    }

    /// `mkdirat`.
    pub fn mkdir(&self, at: Option<&Location>, path: &[u8], mode: u32) -> KResult<()> {
        let (dir, name) = self.prepare_create(at, path, true)?;
        let mut attr = self.new_attr(&dir, mode & !self.umask & 0o1777)?;
        if dir.node.meta()?.mode & S_ISGID != 0 {
            attr.mode |= S_ISGID;
        }
        dir.node.create(&name, NewNode::Directory, attr)?;
        self.created(&dir, &name, true);
        Ok(())
    }

    /// Reports a new entry `name` in `dir`.
    fn created(&self, dir: &Location, name: &[u8], is_dir: bool) {
        self.vfs
            .notify()
            .entry_event(&**dir.node(), IN_CREATE, name, is_dir, 0);
    }

    /// `mknodat`: regular files and FIFOs (`EPERM` for devices, as without `CAP_MKNOD`).
    pub fn mknod(&self, at: Option<&Location>, path: &[u8], mode: u32) -> KResult<()> {
        let what = match mode & S_IFMT {
            0 | S_IFREG => NewNode::Regular,
            S_IFIFO => NewNode::Fifo,
            S_IFCHR | S_IFBLK | S_IFSOCK => return Err(Errno::EPERM),
            S_IFDIR => return Err(Errno::EPERM),
            _ => return Err(Errno::EINVAL),
        };
        let (dir, name) = self.prepare_create(at, path, false)?;
        let attr = self.new_attr(&dir, mode & !self.umask & 0o7777)?;
        dir.node.create(&name, what, attr)?;
        self.created(&dir, &name, false);
        Ok(())
    }

    /// `bind` of an `AF_UNIX` socket to `path`: creates a socket node (mode `mode` less the
    /// umask; `EEXIST` when the name exists) and returns where it landed, so the socket layer
    /// can recognise the node when `connect` resolves the path.
    pub fn mksock(&self, at: Option<&Location>, path: &[u8], mode: u32) -> KResult<Location> {
        let (dir, name) = self.prepare_create(at, path, false)?;
        let attr = self.new_attr(&dir, mode & !self.umask & 0o7777)?;
        let node = dir.node.create(&name, NewNode::Socket, attr)?;
        self.created(&dir, &name, false);
        let path = super::walk::join(&dir.known_path(), &name);
        Ok(dir.derive(dir.mount.clone(), node, path))
    }

    /// `symlinkat`.
    pub fn symlink(&self, target: &[u8], at: Option<&Location>, path: &[u8]) -> KResult<()> {
        if target.is_empty() {
            return Err(Errno::ENOENT);
        }
        if target.len() > super::PATH_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        let (dir, name) = self.prepare_create(at, path, false)?;
        let attr = self.new_attr(&dir, 0o777)?;
        dir.node
            .create(&name, NewNode::Symlink(target.to_vec()), attr)?;
        self.created(&dir, &name, false);
        Ok(())
    }

    /// `linkat`: a new name for the node at `src`.
    pub fn link(&self, src: &Location, at: Option<&Location>, path: &[u8]) -> KResult<()> {
        let st = src.node.meta()?;
        if is_dir(&st) {
            return Err(Errno::EPERM);
        }
        let p = self.resolve_parent(at, path)?;
        let Last::Name(name) = p.last else {
            return Err(Errno::EEXIST);
        };
        if self.lookup_opt(&p.dir, &name)?.is_some() {
            return Err(Errno::EEXIST);
        }
        if p.trailing_slash {
            return Err(Errno::ENOENT);
        }
        if src.mount.id != p.dir.mount.id {
            return Err(Errno::EXDEV);
        }
        Self::writable_mount(&p.dir)?;
        self.may_modify(&p.dir)?;
        // fs.protected_hardlinks: only owners, or those who may read and write a plain file.
        if !self.cred.owns(&st) {
            let plain = st.kind() == FileKind::Regular
                && st.mode & S_ISUID == 0
                && st.mode & (S_ISGID | 0o010) != (S_ISGID | 0o010);
            if !plain || perm::check(self.cred, &st, MAY_READ | MAY_WRITE).is_err() {
                return Err(Errno::EPERM);
            }
        }
        p.dir.node.link(&**src.node(), &name)?;
        self.vfs.notify().inode_event(&**src.node(), IN_ATTRIB);
        self.created(&p.dir, &name, false);
        Ok(())
    }

    /// `unlinkat` without `AT_REMOVEDIR`.
    pub fn unlink(&self, at: Option<&Location>, path: &[u8]) -> KResult<()> {
        let p = self.resolve_parent(at, path)?;
        let Last::Name(name) = p.last else {
            return Err(Errno::EISDIR);
        };
        Self::writable_mount(&p.dir)?;
        let victim = self.step(&p.dir, &name)?;
        let vst = victim.node.meta()?;
        if p.trailing_slash {
            return Err(if is_dir(&vst) {
                Errno::EISDIR
            } else {
                Errno::ENOTDIR
            });
        }
        if victim.mount.id != p.dir.mount.id || self.vfs.busy(&victim.known_path()) {
            return Err(Errno::EBUSY);
        }
        if is_dir(&vst) {
            return Err(Errno::EISDIR);
        }
        perm::check_delete(self.cred, &p.dir.node.meta()?, &vst)?;
        p.dir.node.unlink(&name, false)?;
        // Linux: the link count change, the inode's end if that was its last name, then
        // the directory's entry.
        let n = self.vfs.notify();
        if n.active() {
            n.inode_event(&**victim.node(), IN_ATTRIB);
            if vst.nlink <= 1 {
                n.removed(NodeKey::of(&**victim.node()).map(|k| k.0));
            }
            n.entry_event(&**p.dir.node(), IN_DELETE, &name, false, 0);
        }
        Ok(())
    }

    /// `rmdir` / `unlinkat(AT_REMOVEDIR)`.
    pub fn rmdir(&self, at: Option<&Location>, path: &[u8]) -> KResult<()> {
        let p = self.resolve_parent(at, path)?;
        let name = match p.last {
            Last::Name(n) => n,
            Last::Dot => return Err(Errno::EINVAL),
            Last::DotDot => return Err(Errno::ENOTEMPTY),
            Last::Root => return Err(Errno::EBUSY),
        };
        Self::writable_mount(&p.dir)?;
        let victim = self.step(&p.dir, &name)?;
        let vst = victim.node.meta()?;
        if !is_dir(&vst) {
            return Err(Errno::ENOTDIR);
        }
        if victim.mount.id != p.dir.mount.id
            || self.vfs.busy(&victim.known_path())
            || victim.same(&self.root)
            || victim.known_path() == self.root.known_path()
        {
            return Err(Errno::EBUSY);
        }
        perm::check_delete(self.cred, &p.dir.node.meta()?, &vst)?;
        p.dir.node.unlink(&name, true)?;
        let n = self.vfs.notify();
        if n.active() {
            n.removed(NodeKey::of(&**victim.node()).map(|k| k.0));
            n.entry_event(&**p.dir.node(), IN_DELETE, &name, true, 0);
        }
        Ok(())
    }

    /// Reports a rename that happened (Linux's `fsnotify_move`, twice for an exchange), and
    /// the end of an inode it replaced.
    #[allow(clippy::too_many_arguments)]
    fn notify_rename(
        &self,
        old_dir: &Location,
        old: &[u8],
        new_dir: &Location,
        new: &[u8],
        src: &Location,
        sst: &Stat,
        dst: &Option<Location>,
        dst_st: &Option<Stat>,
        flags: u32,
    ) {
        let n = self.vfs.notify();
        let exchange = flags & RENAME_EXCHANGE != 0;
        n.moved(notify::Move {
            old_dir: &**old_dir.node(),
            old,
            new_dir: &**new_dir.node(),
            new,
            src: &**src.node(),
            is_dir: is_dir(sst),
            replaced: dst.as_ref().filter(|_| !exchange).map(|d| &**d.node()),
        });
        if let (Some(d), Some(dst_st)) = (dst, dst_st) {
            if exchange {
                n.moved(notify::Move {
                    old_dir: &**new_dir.node(),
                    old: new,
                    new_dir: &**old_dir.node(),
                    new: old,
                    src: &**d.node(),
                    is_dir: is_dir(dst_st),
                    replaced: None,
                });
            } else if is_dir(dst_st) || dst_st.nlink <= 1 {
                n.removed(NodeKey::of(&**d.node()).map(|k| k.0));
            }
        }
    }

    /// `renameat2`.
    pub fn rename(
        &self,
        old_at: Option<&Location>,
        old: &[u8],
        new_at: Option<&Location>,
        new: &[u8],
        flags: u32,
    ) -> KResult<()> {
        if flags & !(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT) != 0
            || flags & RENAME_WHITEOUT != 0
            || (flags & RENAME_NOREPLACE != 0 && flags & RENAME_EXCHANGE != 0)
        {
            return Err(Errno::EINVAL);
        }
        let op = self.resolve_parent(old_at, old)?;
        let np = self.resolve_parent(new_at, new)?;
        if op.dir.mount.id != np.dir.mount.id {
            return Err(Errno::EXDEV);
        }
        let Last::Name(oname) = op.last else {
            return Err(Errno::EBUSY);
        };
        let Last::Name(nname) = np.last else {
            return Err(if flags & RENAME_NOREPLACE != 0 {
                Errno::EEXIST
            } else {
                Errno::EBUSY
            });
        };
        Self::writable_mount(&op.dir)?;
        let src = self.step(&op.dir, &oname)?;
        let sst = src.node.meta()?;
        let dst = self.lookup_opt(&np.dir, &nname)?;
        let dst_st = match &dst {
            Some(d) => Some(d.node.meta()?),
            None => None,
        };
        if (op.trailing_slash || np.trailing_slash) && !is_dir(&sst) {
            return Err(Errno::ENOTDIR);
        }
        if flags & RENAME_EXCHANGE != 0 && dst.is_none() {
            return Err(Errno::ENOENT);
        }
        if flags & RENAME_NOREPLACE != 0 && dst.is_some() {
            return Err(Errno::EEXIST);
        }
        let src_path = src.known_path();
        if src.mount.id != op.dir.mount.id || self.vfs.busy(&src_path) {
            return Err(Errno::EBUSY);
        }
        if let Some(d) = &dst {
            if d.mount.id != np.dir.mount.id || self.vfs.busy(&d.known_path()) {
                return Err(Errno::EBUSY);
            }
        }
        // Permission: delete from the old directory, add to (and maybe delete from) the new.
        let odst = op.dir.node.meta()?;
        let ndst = np.dir.node.meta()?;
        perm::check_delete(self.cred, &odst, &sst)?;
        match &dst_st {
            Some(d) => perm::check_delete(self.cred, &ndst, d)?,
            None => perm::check(self.cred, &ndst, MAY_WRITE | MAY_EXEC)?,
        }
        // A directory changing parents rewrites its "..": it must be writable.
        if is_dir(&sst) && !op.dir.same(&np.dir) {
            perm::check(self.cred, &sst, MAY_WRITE)?;
        }
        // Renaming a directory into its own subtree (by path; the filesystem re-checks by
        // identity) is EINVAL; its own ancestor as the target is ENOTEMPTY.
        let under = |a: &[u8], b: &[u8]| {
            b.starts_with(a) && (b.len() == a.len() || b.get(a.len()) == Some(&b'/'))
        };
        let new_path = super::walk::join(&np.dir.known_path(), &nname);
        if is_dir(&sst) && under(&src_path, &new_path) && *src_path != *new_path {
            return Err(Errno::EINVAL);
        }
        let dst_is_dir = dst_st.as_ref().is_some_and(is_dir);
        if let Some(d) = &dst {
            let d_path = d.known_path();
            if under(&d_path, &src_path) && d_path != src_path && flags & RENAME_EXCHANGE == 0 {
                return Err(Errno::ENOTEMPTY);
            }
        }
        op.dir
            .node
            .rename(&oname, &**np.dir.node(), &nname, flags)?;
        let same = dst.as_ref().is_some_and(|d| d.node.same(&*src.node));
        if self.vfs.notify().active() && !same {
            self.notify_rename(
                &op.dir, &oname, &np.dir, &nname, &src, &sst, &dst, &dst_st, flags,
            );
        }
        // Moving a directory moves every path below it: open directories and working
        // directories there recompute theirs when next used.
        if is_dir(&sst) || (flags & RENAME_EXCHANGE != 0 && dst_is_dir) {
            self.vfs.note_move();
        }
        Ok(())
    }
}
