//! A process's descriptor table: small integers → open file descriptions, with the
//! per-descriptor close-on-exec flag.

use std::sync::Arc;

use super::file::OpenFile;
use crate::errno::{Errno, KResult};

/// `RLIMIT_NOFILE`'s default soft limit.
pub const DEFAULT_NOFILE: u32 = 1024;
/// The most descriptors a table ever holds (Linux's `fs.nr_open` default), whatever the rlimit.
pub const MAX_NOFILE: u32 = 1 << 20;

#[derive(Clone)]
struct Slot {
    file: Arc<OpenFile>,
    cloexec: bool,
}

/// A descriptor table. `Clone` gives `fork`'s copy (the descriptions are shared).
#[derive(Clone)]
pub struct FdTable {
    slots: Vec<Option<Slot>>,
    limit: u32,
}

impl Default for FdTable {
    fn default() -> Self {
        FdTable {
            slots: Vec::new(),
            limit: DEFAULT_NOFILE,
        }
    }
}

impl FdTable {
    /// An empty table with the default limit.
    pub fn new() -> FdTable {
        FdTable::default()
    }

    /// A table with 0/1/2 connected to sbx's own stdin/stdout/stderr.
    pub fn with_stdio() -> FdTable {
        let mut t = FdTable::new();
        for (fd, file) in crate::tty::stdio_files() {
            if let Some(file) = file {
                // Cannot fail: the table is empty and fds 0..3 are below any limit.
                let _ = t.install(fd, file, false);
            }
        }
        t
    }

    /// The descriptor limit (`RLIMIT_NOFILE` soft value): new descriptors must be below it.
    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Sets the limit (called when `RLIMIT_NOFILE` changes); existing descriptors stay.
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit.min(MAX_NOFILE as u64) as u32;
    }

    /// The description behind `fd` (`EBADF` if closed or out of range).
    pub fn get(&self, fd: i32) -> KResult<Arc<OpenFile>> {
        self.slot(fd).map(|s| s.file.clone()).ok_or(Errno::EBADF)
    }

    fn slot(&self, fd: i32) -> Option<&Slot> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get(i))
            .and_then(|s| s.as_ref())
    }

    /// Whether `fd` has close-on-exec set.
    pub fn cloexec(&self, fd: i32) -> KResult<bool> {
        self.slot(fd).map(|s| s.cloexec).ok_or(Errno::EBADF)
    }

    /// Sets or clears close-on-exec on `fd`.
    pub fn set_cloexec(&mut self, fd: i32, on: bool) -> KResult<()> {
        let slot = usize::try_from(fd)
            .ok()
            .and_then(|i| self.slots.get_mut(i))
            .and_then(|s| s.as_mut());
        slot.map(|s| s.cloexec = on).ok_or(Errno::EBADF)
    }

    /// Whether a new descriptor can be allocated (`open` checks before creating anything).
    pub fn has_room(&self) -> bool {
        let free = self
            .slots
            .iter()
            .position(|s| s.is_none())
            .unwrap_or(self.slots.len());
        free < self.limit as usize
    }

    /// Installs `file` at the lowest free descriptor (`EMFILE` at the limit).
    pub fn insert(&mut self, file: Arc<OpenFile>, cloexec: bool) -> KResult<i32> {
        self.insert_from(0, file, cloexec)
    }

    /// Installs `file` at the lowest free descriptor `>= min` (`F_DUPFD`): `EINVAL` if `min`
    /// is at or past the limit, `EMFILE` if nothing is free below it.
    pub fn insert_from(&mut self, min: u32, file: Arc<OpenFile>, cloexec: bool) -> KResult<i32> {
        if min >= self.limit {
            return Err(Errno::EINVAL);
        }
        let start = min as usize;
        let free = self
            .slots
            .iter()
            .enumerate()
            .skip(start)
            .find(|(_, s)| s.is_none())
            .map(|(i, _)| i);
        let fd = free.unwrap_or(self.slots.len().max(start));
        if fd >= self.limit as usize {
            return Err(Errno::EMFILE);
        }
        if self.slots.len() <= fd {
            self.slots.resize(fd + 1, None);
        }
        self.slots[fd] = Some(Slot { file, cloexec });
        Ok(fd as i32)
    }

    /// Installs `file` at exactly `fd` (`dup2`), returning what was there so the caller can
    /// drop it outside any lock. `EBADF` if `fd` is negative or not below the limit.
    pub fn install(
        &mut self,
        fd: i32,
        file: Arc<OpenFile>,
        cloexec: bool,
    ) -> KResult<Option<Arc<OpenFile>>> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        if i >= self.limit as usize {
            return Err(Errno::EBADF);
        }
        if self.slots.len() <= i {
            self.slots.resize(i + 1, None);
        }
        Ok(self.slots[i]
            .replace(Slot { file, cloexec })
            .map(|s| s.file))
    }

    /// Closes `fd`, returning its description (`EBADF` if not open).
    pub fn remove(&mut self, fd: i32) -> KResult<Arc<OpenFile>> {
        let i = usize::try_from(fd).map_err(|_| Errno::EBADF)?;
        let slot = self
            .slots
            .get_mut(i)
            .and_then(|s| s.take())
            .ok_or(Errno::EBADF)?;
        self.shrink();
        Ok(slot.file)
    }

    fn shrink(&mut self) {
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
    }

    /// `close_range`: closes (or with `cloexec_only` marks close-on-exec) every open descriptor
    /// in `[first, last]`; returns the closed descriptions.
    pub fn close_range(&mut self, first: u32, last: u32, cloexec_only: bool) -> Vec<Arc<OpenFile>> {
        let mut closed = Vec::new();
        let end = (last as usize).saturating_add(1).min(self.slots.len());
        for i in (first as usize)..end {
            if cloexec_only {
                if let Some(s) = self.slots[i].as_mut() {
                    s.cloexec = true;
                }
            } else if let Some(s) = self.slots[i].take() {
                closed.push(s.file);
            }
        }
        self.shrink();
        closed
    }

    /// `execve`: closes every close-on-exec descriptor; returns the closed descriptions.
    pub fn close_on_exec(&mut self) -> Vec<Arc<OpenFile>> {
        let mut closed = Vec::new();
        for slot in self.slots.iter_mut() {
            if slot.as_ref().is_some_and(|s| s.cloexec) {
                if let Some(s) = slot.take() {
                    closed.push(s.file);
                }
            }
        }
        self.shrink();
        closed
    }

    /// Open descriptors, ascending.
    pub fn fds(&self) -> Vec<i32> {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| i as i32)
            .collect()
    }

    /// Number of open descriptors.
    pub fn len(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Whether no descriptor is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fd::{FileOps, O_RDONLY};
    use crate::vfs::Stat;

    struct Dummy;
    impl FileOps for Dummy {
        fn describe(&self) -> String {
            "dummy".into()
        }
        fn stat(&self) -> KResult<Stat> {
            Ok(Stat::default())
        }
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
    }

    fn file() -> Arc<OpenFile> {
        Arc::new(OpenFile::new(Arc::new(Dummy), None, O_RDONLY))
    }

    #[test]
    fn lowest_free_descriptor_is_reused() {
        let mut t = FdTable::new();
        assert_eq!(t.insert(file(), false), Ok(0));
        assert_eq!(t.insert(file(), false), Ok(1));
        assert_eq!(t.insert(file(), false), Ok(2));
        t.remove(1).unwrap();
        assert_eq!(t.insert(file(), false), Ok(1));
        assert_eq!(t.insert(file(), false), Ok(3));
        assert_eq!(t.insert_from(10, file(), false), Ok(10));
        assert_eq!(t.insert_from(4, file(), false), Ok(4));
        assert_eq!(t.fds(), vec![0, 1, 2, 3, 4, 10]);
        assert_eq!(t.remove(7).err(), Some(Errno::EBADF));
        assert_eq!(t.get(-1).err(), Some(Errno::EBADF));
    }

    #[test]
    fn cloexec_is_per_descriptor_and_exec_closes() {
        let mut t = FdTable::new();
        let f = file();
        let a = t.insert(f.clone(), true).unwrap();
        let b = t.insert(f, false).unwrap();
        assert_eq!(t.cloexec(a), Ok(true));
        assert_eq!(t.cloexec(b), Ok(false));
        t.set_cloexec(b, true).unwrap();
        t.set_cloexec(a, false).unwrap();
        let closed = t.close_on_exec();
        assert_eq!(closed.len(), 1);
        assert!(t.get(a).is_ok());
        assert!(t.get(b).is_err());
    }

    #[test]
    fn limit_gives_emfile_and_dup2_ebadf() {
        let mut t = FdTable::new();
        t.set_limit(3);
        for _ in 0..3 {
            t.insert(file(), false).unwrap();
        }
        assert_eq!(t.insert(file(), false), Err(Errno::EMFILE));
        assert_eq!(t.insert_from(3, file(), false), Err(Errno::EINVAL));
        assert_eq!(t.install(3, file(), false).err(), Some(Errno::EBADF));
        assert_eq!(t.install(-1, file(), false).err(), Some(Errno::EBADF));
        // Replacing an open descriptor hands back the old description.
        assert!(t.install(1, file(), true).unwrap().is_some());
        assert_eq!(t.cloexec(1), Ok(true));
    }

    #[test]
    fn default_limit_is_1024() {
        let mut t = FdTable::new();
        for i in 0..1024 {
            assert_eq!(t.insert(file(), false), Ok(i));
        }
        assert_eq!(t.insert(file(), false), Err(Errno::EMFILE));
    }

    #[test]
    fn close_range_closes_or_marks() {
        let mut t = FdTable::new();
        for _ in 0..6 {
            t.insert(file(), false).unwrap();
        }
        assert_eq!(t.close_range(4, u32::MAX, true).len(), 0);
        assert_eq!(t.cloexec(5), Ok(true));
        assert_eq!(t.close_range(1, 2, false).len(), 2);
        assert_eq!(t.fds(), vec![0, 3, 4, 5]);
        assert_eq!(t.close_range(3, u32::MAX, false).len(), 3);
        assert_eq!(t.fds(), vec![0]);
    }
}
