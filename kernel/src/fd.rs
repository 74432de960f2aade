//! Open file descriptions and per-process descriptor tables.
//! (Placeholder shape; the VFS work fills this in.)

/// A process's descriptor table.
#[derive(Default)]
pub struct FdTable {}
