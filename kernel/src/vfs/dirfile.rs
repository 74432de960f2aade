//! An open directory: `getdents` over a listing taken at open (and again after a rewind),
//! with `.`, `..` and the mount points that sit directly inside it.

use std::any::Any;
use std::sync::Mutex;

use super::node::{Cx, DirEntry, FileKind, Stat};
use super::Location;
use crate::errno::{Errno, KResult};
use crate::fd::{DirSink, FileOps};

struct Listing {
    entries: Vec<DirEntry>,
    /// Some entries were handed out: a later read from position 0 is a rewind.
    consumed: bool,
}

/// The file kind of an open directory.
///
/// Directory listings are taken at the first `getdents` (and again after a rewind), with the
/// reader's view, so `/proc/self/fd` includes the descriptor being read.
pub(crate) struct DirFile {
    loc: Location,
    mounts: Vec<Vec<u8>>,
    listing: Mutex<Option<Listing>>,
}

impl DirFile {
    /// Opens `loc` (a directory); `mounts` are the mount points directly inside it.
    pub(crate) fn new(loc: Location, mounts: Vec<Vec<u8>>) -> DirFile {
        DirFile {
            loc,
            mounts,
            listing: Mutex::new(None),
        }
    }

    fn list(loc: &Location, mounts: &[Vec<u8>], cx: &Cx) -> KResult<Vec<DirEntry>> {
        let st = loc.node.stat()?;
        let mut entries = vec![
            DirEntry {
                ino: st.ino,
                kind: FileKind::Directory,
                name: b".".to_vec(),
            },
            DirEntry {
                ino: st.ino,
                kind: FileKind::Directory,
                name: b"..".to_vec(),
            },
        ];
        let own = loc.node.readdir(cx)?;
        for m in mounts {
            if !own.iter().any(|e| &e.name == m) {
                entries.push(DirEntry {
                    ino: 1,
                    kind: FileKind::Directory,
                    name: m.clone(),
                });
            }
        }
        entries.extend(own.into_iter().map(|mut e| {
            // A mount point shows as the directory it is, whatever lies below it.
            if mounts.contains(&e.name) {
                e.kind = FileKind::Directory;
            }
            e
        }));
        Ok(entries)
    }
}

impl FileOps for DirFile {
    fn describe(&self) -> String {
        String::from_utf8_lossy(&self.loc.path()).into_owned()
    }
    fn stat(&self) -> KResult<Stat> {
        self.loc.node.stat()
    }
    fn seekable(&self) -> bool {
        true
    }
    /// Directory changes are applied at once (tmpfs) or by the host: nothing to flush.
    fn sync(&self) -> KResult<()> {
        Ok(())
    }
    fn read_at(&self, _off: u64, _buf: &mut [u8]) -> KResult<usize> {
        Err(Errno::EISDIR)
    }
    fn write_at(&self, _off: u64, _data: &[u8]) -> KResult<usize> {
        Err(Errno::EISDIR)
    }
    fn truncate(&self, _len: u64) -> KResult<()> {
        Err(Errno::EISDIR)
    }
    fn getdents(&self, pos: u64, cx: &Cx, sink: &mut DirSink<'_>) -> KResult<u64> {
        let mut guard = self.listing.lock().unwrap_or_else(|e| e.into_inner());
        let stale = match guard.as_ref() {
            None => true,
            Some(l) => pos == 0 && l.consumed,
        };
        if stale {
            *guard = Some(Listing {
                entries: Self::list(&self.loc, &self.mounts, cx)?,
                consumed: false,
            });
        }
        let Some(l) = guard.as_mut() else {
            return Ok(pos);
        };
        let mut pos = pos;
        let mut taken = 0;
        while let Some(e) = usize::try_from(pos).ok().and_then(|i| l.entries.get(i)) {
            if !sink(e.ino, pos as i64 + 1, e.kind.dtype(), &e.name) {
                if taken == 0 {
                    // Not even one entry fits the buffer: Linux says EINVAL.
                    return Err(Errno::EINVAL);
                }
                break;
            }
            taken += 1;
            pos += 1;
        }
        if taken > 0 {
            l.consumed = true;
        }
        Ok(pos)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An `O_PATH` descriptor: a location and nothing else.
pub(crate) struct PathOnly(pub(crate) Location);

impl FileOps for PathOnly {
    fn describe(&self) -> String {
        String::from_utf8_lossy(&self.0.path()).into_owned()
    }
    fn stat(&self) -> KResult<Stat> {
        self.0.node.stat()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
