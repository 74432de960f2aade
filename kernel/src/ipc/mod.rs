//! System V IPC: shared memory segments, semaphore sets and message queues, in one IPC
//! namespace per sandbox (nothing is shared with the host or other sandboxes).
//!
//! Each family keeps its objects in a [`Registry`], which hands out ids the way Linux does
//! (`index + seq * 32768`, the lowest free index and a per-family sequence number, so a
//! reused slot gets a new id) and holds each object's [`Perm`]. Objects carry their own lock
//! for the state operations change; the registry lock is taken first and only briefly, as
//! Linux's per-family `rwsem` and per-object spinlock.

pub mod msg;
pub mod sem;
pub mod shm;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use crate::errno::{Errno, KResult};
use crate::mm::{Charge, PhysMemory};

/// `IPC_PRIVATE`: a key that always makes a new object.
pub const IPC_PRIVATE: i32 = 0;
/// `IPC_CREAT`.
pub const IPC_CREAT: i32 = 0o1000;
/// `IPC_EXCL`.
pub const IPC_EXCL: i32 = 0o2000;
/// `IPC_NOWAIT`.
pub const IPC_NOWAIT: i32 = 0o4000;
/// `IPC_RMID`.
pub const IPC_RMID: i32 = 0;
/// `IPC_SET`.
pub const IPC_SET: i32 = 1;
/// `IPC_STAT`.
pub const IPC_STAT: i32 = 2;
/// `IPC_INFO`.
pub const IPC_INFO: i32 = 3;
/// Linux's `IPCMNI`: the multiplier of the sequence number in an id.
pub const IPCMNI: i32 = 32768;
/// Linux's `IPCID_SEQ_MAX` (without `ipcmni_extend`): sequence numbers wrap after it.
const SEQ_MAX: u32 = (i32::MAX >> 15) as u32;
/// The permission bits of a mode (`S_IRWXUGO`).
pub const S_IRWXUGO: u32 = 0o777;
/// Read access (`S_IRUGO`), as `ipcperms` is asked.
pub const ACC_READ: u32 = 0o444;
/// Write access (`S_IWUGO`).
pub const ACC_WRITE: u32 = 0o222;
/// Execute access (`S_IXUGO`, `SHM_EXEC`).
pub const ACC_EXEC: u32 = 0o111;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Who makes an IPC call: the identity permission checks use and the pid objects record.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    /// The caller's process id (`cpid`, `lpid`, `sempid`, `lspid`...).
    pub pid: i32,
    /// Effective uid.
    pub euid: u32,
    /// Effective gid.
    pub egid: u32,
    /// Supplementary groups.
    pub groups: Vec<u32>,
    /// `CAP_IPC_OWNER`: permission bits are not checked.
    pub ipc_owner: bool,
    /// `CAP_SYS_ADMIN`: may change or remove objects it does not own.
    pub sys_admin: bool,
    /// `CAP_IPC_LOCK`: may lock segments it does not own.
    pub ipc_lock: bool,
    /// `CAP_SYS_RESOURCE`: may raise a queue's byte limit past `MSGMNB`.
    pub sys_resource: bool,
    /// Seconds since the epoch (the sandbox clock), for the objects' times.
    pub now: i64,
    /// Where the host memory the call keeps for the guest is charged.
    pub budget: Budget,
}

/// Where sbx charges the host memory it keeps for IPC objects (semaphore values, undo
/// adjustments, queued messages): the sandbox's memory limit, as Linux charges that kernel
/// memory to the container. Unit tests run without one.
#[derive(Clone, Default)]
pub struct Budget(Option<Arc<PhysMemory>>);

impl Budget {
    /// Charges to `phys`'s limit.
    pub fn new(phys: Arc<PhysMemory>) -> Budget {
        Budget(Some(phys))
    }

    /// Charges `bytes`; `ENOMEM` when the sandbox's memory is full.
    pub fn charge(&self, bytes: u64) -> KResult<Option<Charge>> {
        self.0.as_ref().map(|p| p.charge(bytes)).transpose()
    }
}

impl std::fmt::Debug for Budget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Budget"
        } else {
            "Budget(none)"
        })
    }
}

impl Caller {
    fn in_group(&self, gid: u32) -> bool {
        self.egid == gid || self.groups.contains(&gid)
    }
}

/// An object's owner, creator, mode and key (Linux's `kern_ipc_perm`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perm {
    /// The key it was made with (`IPC_PRIVATE` once a segment is marked destroyed).
    pub key: i32,
    /// Owner uid.
    pub uid: u32,
    /// Owner gid.
    pub gid: u32,
    /// Creator uid.
    pub cuid: u32,
    /// Creator gid.
    pub cgid: u32,
    /// Permission bits, plus `SHM_DEST`/`SHM_LOCKED` for segments.
    pub mode: u32,
    /// The sequence number in the id.
    pub seq: u32,
}

impl Perm {
    /// A new object's permissions: `flags`' mode bits, owned and created by `c`.
    pub fn new(key: i32, flags: i32, c: &Caller) -> Perm {
        Perm {
            key,
            uid: c.euid,
            gid: c.egid,
            cuid: c.euid,
            cgid: c.egid,
            mode: flags as u32 & S_IRWXUGO,
            seq: 0,
        }
    }

    /// Linux's `ipcperms`: whether `c` has the access `flags` asks for (any of the
    /// owner/group/other triplets of `flags`, as `shmget`'s mode argument or `ACC_*`).
    pub fn allows(&self, c: &Caller, flags: u32) -> bool {
        let requested = ((flags >> 6) | (flags >> 3) | flags) & 0o7;
        let mut granted = self.mode;
        if c.euid == self.cuid || c.euid == self.uid {
            granted >>= 6;
        } else if c.in_group(self.cgid) || c.in_group(self.gid) {
            granted >>= 3;
        }
        requested & !granted & 0o7 == 0 || c.ipc_owner
    }

    /// [`Perm::allows`] as an errno (`EACCES`).
    pub fn check(&self, c: &Caller, flags: u32) -> KResult<()> {
        if self.allows(c, flags) {
            Ok(())
        } else {
            Err(Errno::EACCES)
        }
    }

    /// Linux's `ipcctl_obtain_check`: only the owner, the creator or `CAP_SYS_ADMIN` may
    /// change or remove an object (`EPERM`).
    pub fn check_owner(&self, c: &Caller) -> KResult<()> {
        if c.euid == self.cuid || c.euid == self.uid || c.sys_admin {
            Ok(())
        } else {
            Err(Errno::EPERM)
        }
    }

    /// `IPC_SET`'s change: new owner and permission bits; other mode bits stay.
    pub fn set(&mut self, uid: u32, gid: u32, mode: u32) {
        self.uid = uid;
        self.gid = gid;
        self.mode = (self.mode & !S_IRWXUGO) | (mode & S_IRWXUGO);
    }
}

/// How the registry holds an object: strongly while it is live; a segment marked destroyed
/// while attached is held weakly, so that it goes with its last attach.
enum Held<T> {
    Strong(Arc<T>),
    Weak(Weak<T>),
}

struct Slot<T> {
    perm: Perm,
    obj: Held<T>,
}

/// One family's objects by index (Linux's `ipc_ids`).
pub struct Registry<T> {
    limit: usize,
    seq: u32,
    slots: BTreeMap<i32, Slot<T>>,
}

/// The id of the object at `idx` with sequence number `seq`.
fn build_id(idx: i32, seq: u32) -> i32 {
    (seq as i32) * IPCMNI + idx
}

impl<T> Registry<T> {
    /// An empty registry of at most `limit` objects (`SHMMNI`, `SEMMNI`, `MSGMNI`).
    pub fn new(limit: usize) -> Registry<T> {
        Registry {
            limit,
            seq: 0,
            slots: BTreeMap::new(),
        }
    }

    /// Forgets objects that went away on their own (destroyed segments whose last attach
    /// is gone).
    fn prune(&mut self) {
        self.slots.retain(|_, s| match &s.obj {
            Held::Strong(_) => true,
            Held::Weak(w) => w.strong_count() > 0,
        });
    }

    fn upgrade(slot: &Slot<T>) -> Option<Arc<T>> {
        match &slot.obj {
            Held::Strong(a) => Some(a.clone()),
            Held::Weak(w) => w.upgrade(),
        }
    }

    /// The index of the live object made with `key` (never for `IPC_PRIVATE`).
    pub fn find_key(&mut self, key: i32) -> Option<i32> {
        self.prune();
        if key == IPC_PRIVATE {
            return None;
        }
        self.slots
            .iter()
            .find(|(_, s)| s.perm.key == key)
            .map(|(&i, _)| i)
    }

    /// Adds an object: its id, or `ENOSPC` when the family is full.
    pub fn insert(&mut self, mut perm: Perm, obj: Arc<T>) -> KResult<i32> {
        self.prune();
        if self.slots.len() >= self.limit {
            return Err(Errno::ENOSPC);
        }
        let mut idx = 0;
        for &i in self.slots.keys() {
            if i != idx {
                break;
            }
            idx += 1;
        }
        if idx >= IPCMNI {
            return Err(Errno::ENOSPC);
        }
        perm.seq = self.seq;
        self.seq = if self.seq >= SEQ_MAX { 0 } else { self.seq + 1 };
        self.slots.insert(
            idx,
            Slot {
                perm,
                obj: Held::Strong(obj),
            },
        );
        Ok(build_id(idx, perm.seq))
    }

    /// The index of `id`, checked against its sequence number (`EINVAL` for an id that
    /// names nothing, as Linux's `ipc_obtain_object_check`).
    fn index_of(&mut self, id: i32) -> KResult<i32> {
        if id < 0 {
            return Err(Errno::EINVAL);
        }
        self.prune();
        let idx = id % IPCMNI;
        match self.slots.get(&idx) {
            Some(s) if build_id(idx, s.perm.seq) == id => Ok(idx),
            _ => Err(Errno::EINVAL),
        }
    }

    /// The object with `id` and its permissions.
    pub fn get(&mut self, id: i32) -> KResult<(Arc<T>, Perm)> {
        let idx = self.index_of(id)?;
        self.get_index(idx).map(|(o, p, _)| (o, p))
    }

    /// The object at index `idx` (`*_STAT`), its permissions and its id.
    pub fn get_index(&mut self, idx: i32) -> KResult<(Arc<T>, Perm, i32)> {
        self.prune();
        let slot = self.slots.get(&idx).ok_or(Errno::EINVAL)?;
        let obj = Self::upgrade(slot).ok_or(Errno::EINVAL)?;
        Ok((obj, slot.perm, build_id(idx, slot.perm.seq)))
    }

    /// Changes the permissions of `id`.
    pub fn update(&mut self, id: i32, f: impl FnOnce(&mut Perm)) -> KResult<()> {
        let idx = self.index_of(id)?;
        let slot = self.slots.get_mut(&idx).ok_or(Errno::EINVAL)?;
        f(&mut slot.perm);
        Ok(())
    }

    /// Removes `id` from the namespace.
    pub fn remove(&mut self, id: i32) -> KResult<()> {
        let idx = self.index_of(id)?;
        self.slots.remove(&idx);
        Ok(())
    }

    /// Keeps `id` visible but lets it go with the last outside reference (a destroyed
    /// segment that is still attached).
    pub fn hold_weakly(&mut self, id: i32) -> KResult<()> {
        let idx = self.index_of(id)?;
        let slot = self.slots.get_mut(&idx).ok_or(Errno::EINVAL)?;
        if let Held::Strong(a) = &slot.obj {
            slot.obj = Held::Weak(Arc::downgrade(a));
        }
        Ok(())
    }

    /// How many objects exist.
    pub fn in_use(&mut self) -> usize {
        self.prune();
        self.slots.len()
    }

    /// The highest index in use, or 0 when there is none (what `IPC_INFO` returns).
    pub fn max_index(&mut self) -> i32 {
        self.prune();
        self.slots.keys().next_back().copied().unwrap_or(0)
    }

    /// Every live object.
    pub fn objects(&mut self) -> Vec<Arc<T>> {
        self.prune();
        self.slots.values().filter_map(Self::upgrade).collect()
    }
}

/// Which object a `get` call asks for: `shmget`/`semget`/`msgget`'s common part (Linux's
/// `ipcget`). `make` creates the object when needed; `check` is the family's extra check of
/// an existing one (a size or a count); both run with the registry locked.
pub fn ipcget<T>(
    reg: &mut Registry<T>,
    key: i32,
    flags: i32,
    c: &Caller,
    check: impl FnOnce(&T) -> KResult<()>,
    make: impl FnOnce(&mut Registry<T>) -> KResult<Arc<T>>,
) -> KResult<i32> {
    let existing = if key == IPC_PRIVATE {
        None
    } else {
        reg.find_key(key)
    };
    match existing {
        None if key != IPC_PRIVATE && flags & IPC_CREAT == 0 => Err(Errno::ENOENT),
        None => {
            let obj = make(reg)?;
            reg.insert(Perm::new(key, flags, c), obj)
        }
        Some(_) if flags & IPC_CREAT != 0 && flags & IPC_EXCL != 0 => Err(Errno::EEXIST),
        Some(idx) => {
            let (obj, perm, id) = reg.get_index(idx)?;
            check(&obj)?;
            perm.check(c, flags as u32)?;
            Ok(id)
        }
    }
}

/// The sandbox's IPC namespace.
pub struct IpcNamespace {
    /// Shared memory segments.
    pub shm: Mutex<shm::ShmIds>,
    /// Semaphore sets.
    pub sem: Mutex<Registry<sem::SemSet>>,
    /// Message queues.
    pub msg: Mutex<Registry<msg::MsgQueue>>,
}

impl Default for IpcNamespace {
    fn default() -> Self {
        IpcNamespace {
            shm: Mutex::new(shm::ShmIds::default()),
            sem: Mutex::new(Registry::new(sem::SEMMNI)),
            msg: Mutex::new(Registry::new(msg::MSGMNI)),
        }
    }
}

impl IpcNamespace {
    /// An empty namespace.
    pub fn new() -> IpcNamespace {
        IpcNamespace::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Caller {
        Caller::default()
    }

    #[test]
    fn ids_reuse_slots_with_new_sequence_numbers() {
        let mut r: Registry<u32> = Registry::new(4);
        let c = root();
        let a = r.insert(Perm::new(0, 0o600, &c), Arc::new(1)).unwrap();
        let b = r.insert(Perm::new(0, 0o600, &c), Arc::new(2)).unwrap();
        assert_eq!((a % IPCMNI, b % IPCMNI), (0, 1));
        assert_ne!(a / IPCMNI, b / IPCMNI);
        r.remove(a).unwrap();
        assert_eq!(r.get(a).err(), Some(Errno::EINVAL));
        let c2 = r.insert(Perm::new(0, 0o600, &c), Arc::new(3)).unwrap();
        assert_eq!(c2 % IPCMNI, 0);
        assert_ne!(c2, a);
        assert_eq!(*r.get(c2).unwrap().0, 3);
        assert_eq!(r.get(-1).err(), Some(Errno::EINVAL));
        assert_eq!(r.max_index(), 1);
        r.insert(Perm::new(0, 0, &c), Arc::new(4)).unwrap();
        r.insert(Perm::new(0, 0, &c), Arc::new(5)).unwrap();
        assert_eq!(
            r.insert(Perm::new(0, 0, &c), Arc::new(6)).err(),
            Some(Errno::ENOSPC)
        );
    }

    #[test]
    fn ipcget_keys_flags_and_permissions() {
        let mut r: Registry<u32> = Registry::new(8);
        let owner = Caller {
            euid: 1000,
            egid: 1000,
            ..Caller::default()
        };
        let other = Caller {
            euid: 2000,
            egid: 2000,
            ..Caller::default()
        };
        let ok = |_: &u32| Ok(());
        let mk = |_: &mut Registry<u32>| Ok(Arc::new(7));
        assert_eq!(
            ipcget(&mut r, 42, 0, &owner, ok, mk).err(),
            Some(Errno::ENOENT)
        );
        let id = ipcget(&mut r, 42, IPC_CREAT | 0o640, &owner, ok, mk).unwrap();
        assert_eq!(ipcget(&mut r, 42, 0, &owner, ok, mk), Ok(id));
        assert_eq!(
            ipcget(&mut r, 42, IPC_CREAT | IPC_EXCL, &owner, ok, mk).err(),
            Some(Errno::EEXIST)
        );
        assert_eq!(
            ipcget(&mut r, 42, 0o400, &other, ok, mk).err(),
            Some(Errno::EACCES)
        );
        assert_eq!(ipcget(&mut r, 42, 0, &other, ok, mk), Ok(id));
        let bad = |_: &u32| Err(Errno::EINVAL);
        assert_eq!(
            ipcget(&mut r, 42, 0, &owner, bad, mk).err(),
            Some(Errno::EINVAL)
        );
        // IPC_PRIVATE always makes a new object.
        let p = ipcget(&mut r, IPC_PRIVATE, 0, &owner, ok, mk).unwrap();
        assert_ne!(p, id);
        let (_, perm) = r.get(id).unwrap();
        assert_eq!(perm.check_owner(&other).err(), Some(Errno::EPERM));
        assert!(perm.check_owner(&owner).is_ok());
    }

    #[test]
    fn weakly_held_objects_go_with_their_last_reference() {
        let mut r: Registry<u32> = Registry::new(8);
        let obj = Arc::new(1);
        let id = r.insert(Perm::new(5, 0, &root()), obj.clone()).unwrap();
        r.hold_weakly(id).unwrap();
        assert!(r.get(id).is_ok());
        drop(obj);
        assert_eq!(r.get(id).err(), Some(Errno::EINVAL));
        assert_eq!(r.in_use(), 0);
    }
}
