//! The names sockets are reachable by: abstract names and socket nodes in the VFS, per sandbox.
//!
//! Linux keeps these per network namespace. A sandbox is one namespace, so each [`Kernel`]
//! gets its own [`Namespace`]: sockets of one sandbox never see another's, even when two
//! sandboxes share a host directory.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::addr::UnixAddr;
use super::unix::UnixSocket;
use super::SockType;
use crate::errno::{Errno, KResult};
use crate::vfs::perm::{self, MAY_WRITE};
use crate::vfs::{FileKind, Location, Resolver};
use crate::Kernel;

/// Identity of a socket node: `(st_dev, st_ino)`.
type NodeKey = (u64, u64);
/// An abstract name within one socket type.
type AbstractKey = (SockType, Vec<u8>);

/// The bindings of one sandbox.
#[derive(Default)]
pub struct Namespace {
    /// Abstract names, per socket type (Linux hashes the type into the lookup, so a stream
    /// and a datagram socket may hold the same abstract name).
    names: Mutex<HashMap<AbstractKey, Weak<UnixSocket>>>,
    /// Socket nodes created by `bind`, by node identity.
    nodes: Mutex<HashMap<NodeKey, Weak<UnixSocket>>>,
    /// Where the next autobind name search starts.
    next_auto: AtomicU32,
}

/// What a bound socket holds so its name can be released.
pub(crate) enum Binding {
    /// An abstract name.
    Abstract(SockType, Vec<u8>),
    /// A socket node; the location keeps the node reachable while the socket lives.
    Node { key: NodeKey, _loc: Location },
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether a registry entry still names a live socket.
fn live(w: &Weak<UnixSocket>) -> Option<Arc<UnixSocket>> {
    w.upgrade().filter(|s| !s.is_released())
}

/// Autobind names are five hex digits: 2^20 of them.
const AUTOBIND_NAMES: u32 = 1 << 20;

type NsTable = Vec<(Weak<Kernel>, Arc<Namespace>)>;

// One namespace per live kernel. A side table rather than a `Kernel` field so sockets need no
// change to the kernel's construction; the weak key lets dead kernels' entries go.
static TABLE: Mutex<NsTable> = Mutex::new(Vec::new());

impl Namespace {
    /// An empty namespace (tests; kernels use [`Namespace::of`]).
    pub fn new() -> Arc<Namespace> {
        Arc::new(Namespace {
            next_auto: AtomicU32::new(getrandom::u32().unwrap_or(0) % AUTOBIND_NAMES),
            ..Namespace::default()
        })
    }

    /// The namespace of the sandbox `kernel` runs.
    pub fn of(kernel: &Arc<Kernel>) -> Arc<Namespace> {
        let mut t = lock(&TABLE);
        if let Some((_, ns)) = t
            .iter()
            .find(|(k, _)| std::ptr::eq(k.as_ptr(), Arc::as_ptr(kernel)) && k.strong_count() > 0)
        {
            return ns.clone();
        }
        t.retain(|(k, _)| k.strong_count() > 0);
        let ns = Namespace::new();
        t.push((Arc::downgrade(kernel), ns.clone()));
        ns
    }

    /// Claims abstract `name` for `sock` (`EADDRINUSE` when a live socket of the type has it).
    pub(crate) fn bind_abstract(
        &self,
        ty: SockType,
        name: Vec<u8>,
        sock: &Arc<UnixSocket>,
    ) -> KResult<Binding> {
        let mut names = lock(&self.names);
        let key = (ty, name);
        if names.get(&key).and_then(live).is_some() {
            return Err(Errno::EADDRINUSE);
        }
        names.insert(key.clone(), Arc::downgrade(sock));
        Ok(Binding::Abstract(key.0, key.1))
    }

    /// Picks a free five-hex-digit abstract name for `sock` (`ENOSPC` when all are taken).
    pub(crate) fn autobind(
        &self,
        ty: SockType,
        sock: &Arc<UnixSocket>,
    ) -> KResult<(Binding, UnixAddr)> {
        let start = self.next_auto.fetch_add(1, Ordering::Relaxed);
        let mut names = lock(&self.names);
        for i in 0..AUTOBIND_NAMES {
            let n = start.wrapping_add(i) % AUTOBIND_NAMES;
            let name = format!("{n:05x}").into_bytes();
            let key = (ty, name);
            if names.get(&key).and_then(live).is_none() {
                names.insert(key.clone(), Arc::downgrade(sock));
                return Ok((
                    Binding::Abstract(ty, key.1.clone()),
                    UnixAddr::Abstract(key.1),
                ));
            }
        }
        Err(Errno::ENOSPC)
    }

    /// Records that the socket node at `loc` (just created by `bind`) belongs to `sock`.
    pub(crate) fn bind_node(&self, loc: Location, sock: &Arc<UnixSocket>) -> KResult<Binding> {
        let st = loc.stat()?;
        let key = (st.dev, st.ino);
        // A node number the host reused after an unlink replaces the stale entry.
        lock(&self.nodes).insert(key, Arc::downgrade(sock));
        Ok(Binding::Node { key, _loc: loc })
    }

    /// Drops `sock`'s binding (only if the entry is still its own).
    pub(crate) fn unbind(&self, b: &Binding, sock: &UnixSocket) {
        let mine = |w: &Weak<UnixSocket>| std::ptr::eq(w.as_ptr(), sock);
        match b {
            Binding::Abstract(ty, name) => {
                let mut names = lock(&self.names);
                let key = (*ty, name.clone());
                if names.get(&key).is_some_and(mine) {
                    names.remove(&key);
                }
            }
            Binding::Node { key, .. } => {
                let mut nodes = lock(&self.nodes);
                if nodes.get(key).is_some_and(mine) {
                    nodes.remove(key);
                }
            }
        }
    }

    /// The socket of type `ty` reachable at `addr`, as `connect` and `sendto` find it: a path
    /// is resolved (following symlinks) by `r` and needs write permission (`EACCES`); a node
    /// that is not a socket, or that no live socket is bound to, is `ECONNREFUSED`; a socket
    /// of another type `EPROTOTYPE`. An abstract name no socket of the type holds is
    /// `ECONNREFUSED`.
    pub fn find(&self, r: &Resolver, addr: &UnixAddr, ty: SockType) -> KResult<Arc<UnixSocket>> {
        match addr {
            UnixAddr::Abstract(name) => lock(&self.names)
                .get(&(ty, name.clone()))
                .and_then(live)
                .ok_or(Errno::ECONNREFUSED),
            UnixAddr::Path(path) => {
                let loc = r.resolve(None, path, true)?;
                let st = loc.stat()?;
                perm::check(r.cred, &st, MAY_WRITE)?;
                if st.kind() != FileKind::Socket {
                    return Err(Errno::ECONNREFUSED);
                }
                let sock = lock(&self.nodes)
                    .get(&(st.dev, st.ino))
                    .and_then(live)
                    .ok_or(Errno::ECONNREFUSED)?;
                if sock.ty() != ty {
                    return Err(Errno::EPROTOTYPE);
                }
                Ok(sock)
            }
        }
    }
}
