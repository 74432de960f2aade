//! The pipe as a filesystem node: where a `/proc/self/fd/N` link to a pipe end leads. Like
//! Linux's pipe inode it stats as the FIFO and opens like one, except that an anonymous
//! pipe never waits for a partner and never refuses a writer (`fifo_open`'s `is_pipe`).

use std::any::Any;
use std::sync::Arc;

use super::{Pipe, PipeEnd};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, O_ACCMODE, O_DIRECT, O_RDONLY, O_RDWR, O_WRONLY};
use crate::vfs::{Cx, Node, NodeRef, SetAttr, Stat, StatFs};

/// `PIPEFS_MAGIC`.
const PIPEFS_MAGIC: i64 = 0x5049_5045;

/// What `fstatfs` reports for pipes and other anonymous files (Linux's pipefs).
pub(crate) fn pipefs_statfs() -> StatFs {
    StatFs {
        fs_type: PIPEFS_MAGIC,
        bsize: 4096,
        namelen: 255,
        ..StatFs::default()
    }
}

/// A pipe reached by path.
pub(crate) struct PipeNode(pub(super) Arc<Pipe>);

impl Node for PipeNode {
    fn stat(&self) -> KResult<Stat> {
        Ok(self.0.stat())
    }
    fn lookup(&self, _cx: &Cx, _name: &[u8]) -> KResult<NodeRef> {
        Err(Errno::ENOTDIR)
    }
    fn parent(&self) -> Option<NodeRef> {
        None
    }
    /// A new end of the same pipe with the access mode asked for.
    fn open(&self, _cx: &Cx, flags: u32) -> KResult<Arc<dyn FileOps>> {
        // A FIFO cannot do direct I/O at open (packet mode is F_SETFL's business).
        if flags & O_DIRECT != 0 {
            return Err(Errno::EINVAL);
        }
        let (read, write) = match flags & O_ACCMODE {
            O_RDONLY => (true, false),
            O_WRONLY => (false, true),
            O_RDWR => (true, true),
            _ => return Err(Errno::EINVAL),
        };
        Ok(Arc::new(PipeEnd::attach(self.0.clone(), read, write)))
    }
    /// Accepted and ignored, like `fchmod` of a pipe end.
    fn setattr(&self, _attr: &SetAttr) -> KResult<()> {
        Ok(())
    }
    fn statfs(&self) -> KResult<StatFs> {
        Ok(pipefs_statfs())
    }
    fn same(&self, other: &dyn Node) -> bool {
        other
            .as_any()
            .downcast_ref::<PipeNode>()
            .is_some_and(|o| Arc::ptr_eq(&o.0, &self.0))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}
