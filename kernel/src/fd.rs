//! Open file descriptions ([`OpenFile`] over a [`FileOps`] kind) and per-process descriptor
//! tables ([`FdTable`]).

mod file;
mod flags;
mod table;

pub use file::{DirSink, FileOps, OpenFile, POLLERR, POLLHUP, POLLIN, POLLOUT};
pub use flags::*;
pub use table::{FdTable, DEFAULT_NOFILE, MAX_NOFILE};
