//! The virtual filesystem. (Placeholder shape; the VFS work fills this in.)

/// The sandbox's mount table and filesystems.
#[derive(Default)]
pub struct Vfs {}

/// Per-process filesystem context: root, working directory, umask.
#[derive(Default)]
pub struct FsContext {}
