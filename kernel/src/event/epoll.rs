//! epoll instances: a set of interests in other open files, and a ready list fed by those
//! files' wait queues (gVisor's and Linux's model).
//!
//! An interest is keyed by (descriptor number, open file description), as in Linux, and holds
//! the description only weakly: when the description's last reference goes away, the interest
//! goes with it (it is pruned the next time the instance looks at it), while a `dup`ed
//! descriptor keeps it alive even after the original number is closed. Each interest registers
//! a waker with the watched file's wait queue; the waker puts the interest on the ready list
//! and notifies the instance's own queue, which `epoll_wait` sleeps on and which makes an
//! epoll instance itself pollable (and watchable by another instance).
//!
//! Lock order: an instance's state, then whatever polling a watched file takes (a watched
//! instance's state, a pipe's buffer). Wakers take an instance's state, so nothing may notify a
//! queue while holding one: descriptions upgraded under the lock are dropped after it.

use std::any::Any;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::{anon_inode_stat, readiness, POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_RDWR};
use crate::vfs::Stat;
use crate::wait::{WaitQueue, Wake};

/// `EPOLL_CTL_ADD`.
pub const EPOLL_CTL_ADD: i32 = 1;
/// `EPOLL_CTL_DEL`.
pub const EPOLL_CTL_DEL: i32 = 2;
/// `EPOLL_CTL_MOD`.
pub const EPOLL_CTL_MOD: i32 = 3;
/// `EPOLLEXCLUSIVE`: wake only one of several instances watching the same file.
pub const EPOLLEXCLUSIVE: u32 = 1 << 28;
/// `EPOLLWAKEUP`: needs `CAP_BLOCK_SUSPEND`, which a sandbox never has, so it is dropped.
pub const EPOLLWAKEUP: u32 = 1 << 29;
/// `EPOLLONESHOT`: disable the interest after one report, until `EPOLL_CTL_MOD`.
pub const EPOLLONESHOT: u32 = 1 << 30;
/// `EPOLLET`: report once per new notification instead of while ready.
pub const EPOLLET: u32 = 1 << 31;
/// `EPOLL_CLOEXEC` (same value as `O_CLOEXEC`).
pub const EPOLL_CLOEXEC: u32 = crate::fd::O_CLOEXEC;

/// Flag bits that are not events; a fired one-shot interest keeps only these.
const PRIVATE_BITS: u32 = EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
/// The only bits an `EPOLLEXCLUSIVE` interest may ask for.
const EXCLUSIVE_OK: u32 =
    POLLIN | POLLOUT | POLLERR | POLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
/// How many instances may watch each other in a chain, less one (Linux's `EP_MAX_NESTS`).
const MAX_NESTS: usize = 4;

/// (descriptor number, address of the open file description).
type Key = (i32, usize);

fn key_of(fd: i32, file: &Arc<OpenFile>) -> Key {
    (fd, Arc::as_ptr(file) as usize)
}

struct Interest {
    /// Weak, so that the interest does not keep the description open. While this exists the
    /// allocation cannot be reused, so the key's address stays unique.
    file: Weak<OpenFile>,
    /// Requested events (always with `POLLERR | POLLHUP`) and flag bits.
    events: u32,
    data: u64,
    /// Whether the key is on the ready list.
    ready: bool,
    /// Registered with the file's wait queue (which holds it weakly).
    _waker: Arc<dyn Wake>,
    /// The registration id, or `None` for a file without a queue (polled at every scan).
    registration: Option<u64>,
    /// The watched epoll instance, when the file is one (for the nesting checks). Weak, so
    /// that dropping an interest under the lock never runs an instance's destructor there.
    child: Option<Weak<Inner>>,
}

impl Interest {
    fn enabled(&self) -> bool {
        self.events & !PRIVATE_BITS != 0
    }
}

#[derive(Default)]
struct State {
    interests: BTreeMap<Key, Interest>,
    /// Interests that may be ready, in the order they became so.
    ready: VecDeque<Key>,
}

impl State {
    fn push_ready(&mut self, key: Key) {
        if let Some(it) = self.interests.get_mut(&key) {
            if !it.ready {
                it.ready = true;
                self.ready.push_back(key);
            }
        }
    }

    /// Drops interests whose description is gone (Linux removes them at the last close).
    fn prune(&mut self) {
        self.interests.retain(|_, it| it.file.strong_count() > 0);
        let interests = &self.interests;
        self.ready.retain(|k| interests.contains_key(k));
    }

    /// Queues every enabled interest on a file without a wait queue: nothing would notify
    /// for it, so each scan polls it.
    fn queue_polled(&mut self) {
        let keys: Vec<Key> = self
            .interests
            .iter()
            .filter(|(_, it)| it.registration.is_none() && it.enabled() && !it.ready)
            .map(|(k, _)| *k)
            .collect();
        for k in keys {
            self.push_ready(k);
        }
    }
}

struct Inner {
    state: Mutex<State>,
    /// Notified with `POLLIN` whenever an interest may have become ready.
    queue: WaitQueue,
    /// Instances watching this one, one entry per interest (for the nesting-depth check).
    parents: Mutex<Vec<Weak<Inner>>>,
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn parents(&self) -> MutexGuard<'_, Vec<Weak<Inner>>> {
        self.parents.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A watched file notified `events` for the interest `key`.
    fn interest_woken(&self, key: Key, events: u32) {
        {
            let mut st = self.lock();
            let Some(it) = st.interests.get(&key) else {
                return;
            };
            // A fired one-shot interest, or a notification for events nobody asked for.
            if !it.enabled() || (events != 0 && events & it.events == 0) {
                return;
            }
            st.push_ready(key);
        }
        self.queue.notify(POLLIN | POLLRDNORM);
    }

    /// How many levels of instances this one watches below it; `None` when `target` is among
    /// them or the chain is deeper than Linux allows.
    fn depth_below(self: &Arc<Inner>, target: &Arc<Inner>, level: usize) -> Option<usize> {
        if Arc::ptr_eq(self, target) || level > MAX_NESTS {
            return None;
        }
        let children: Vec<Arc<Inner>> = self
            .lock()
            .interests
            .values()
            .filter(|it| it.file.strong_count() > 0)
            .filter_map(|it| it.child.as_ref().and_then(Weak::upgrade))
            .collect();
        let mut depth = 0;
        for c in children {
            depth = depth.max(c.depth_below(target, level + 1)? + 1);
            if depth > MAX_NESTS {
                return None;
            }
        }
        Some(depth)
    }

    /// How many levels of instances watch this one.
    fn depth_above(&self, level: usize) -> usize {
        if level > MAX_NESTS {
            return level;
        }
        let parents: Vec<Arc<Inner>> = self.parents().iter().filter_map(Weak::upgrade).collect();
        parents
            .iter()
            .map(|p| p.depth_above(level + 1) + 1)
            .max()
            .unwrap_or(0)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Leave the watched files' queues now rather than at their next notification.
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        for it in st.interests.values() {
            if let (Some(id), Some(file)) = (it.registration, it.file.upgrade()) {
                if let Some(q) = file.ops().wait_queue() {
                    q.remove(id);
                }
            }
        }
    }
}

/// Puts its interest on the instance's ready list when the watched file notifies.
struct InterestWaker {
    ep: Weak<Inner>,
    key: Key,
}

impl Wake for InterestWaker {
    fn wake(&self, events: u32) {
        if let Some(ep) = self.ep.upgrade() {
            ep.interest_woken(self.key, events);
        }
    }
}

/// An epoll instance (the file kind behind an epoll descriptor).
pub struct Epoll {
    inner: Arc<Inner>,
}

impl Default for Epoll {
    fn default() -> Self {
        Epoll::new()
    }
}

impl Epoll {
    /// An instance with no interests.
    pub fn new() -> Epoll {
        Epoll {
            inner: Arc::new(Inner {
                state: Mutex::new(State::default()),
                queue: WaitQueue::new(),
                parents: Mutex::new(Vec::new()),
            }),
        }
    }

    /// A new instance as an open file description (`epoll_create1`; the caller handles
    /// `EPOLL_CLOEXEC`).
    pub fn new_file() -> Arc<OpenFile> {
        Arc::new(OpenFile::new(Arc::new(Epoll::new()), None, O_RDWR))
    }

    /// The instance behind `file`, if it is one.
    pub fn of(file: &OpenFile) -> Option<&Epoll> {
        file.ops().as_any().downcast_ref::<Epoll>()
    }

    /// The queue `epoll_wait` sleeps on.
    pub fn queue(&self) -> &WaitQueue {
        &self.inner.queue
    }

    /// Whether some interest is in a file without a wait queue, so waiting must re-scan
    /// periodically.
    pub fn has_polled_interests(&self) -> bool {
        let mut st = self.inner.lock();
        st.prune();
        st.interests.values().any(|it| it.registration.is_none())
    }

    /// Number of live interests.
    pub fn len(&self) -> usize {
        let mut st = self.inner.lock();
        st.prune();
        st.interests.len()
    }

    /// Whether there are no live interests.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `epoll_ctl(op, fd, {events, data})` for the description `file` open at `fd`. The
    /// caller has checked that both descriptors are open, that `file` can be watched (`EPERM`)
    /// and that it is not this instance's own description (`EINVAL`).
    pub fn ctl(
        &self,
        op: i32,
        fd: i32,
        file: &Arc<OpenFile>,
        events: u32,
        data: u64,
    ) -> KResult<()> {
        let has_event = op != EPOLL_CTL_DEL;
        let target = Epoll::of(file);
        if has_event && events & EPOLLEXCLUSIVE != 0 {
            if op == EPOLL_CTL_MOD {
                return Err(Errno::EINVAL);
            }
            if op == EPOLL_CTL_ADD && (target.is_some() || events & !EXCLUSIVE_OK != 0) {
                return Err(Errno::EINVAL);
            }
        }
        if op == EPOLL_CTL_ADD {
            if let Some(t) = target {
                self.check_nesting(t)?;
            }
        }
        // The interest always reports errors and hang-ups; wake-locks are never granted.
        let events = (events | POLLERR | POLLHUP) & !EPOLLWAKEUP;
        match op {
            EPOLL_CTL_ADD => self.add(fd, file, events, data),
            EPOLL_CTL_DEL => self.del(fd, file),
            EPOLL_CTL_MOD => self.modify(fd, file, events, data),
            _ => Err(Errno::EINVAL),
        }
    }

    /// `ELOOP` when watching `target` would close a cycle or nest instances too deeply.
    fn check_nesting(&self, target: &Epoll) -> KResult<()> {
        let below = target
            .inner
            .depth_below(&self.inner, 0)
            .ok_or(Errno::ELOOP)?;
        if below + 1 + self.inner.depth_above(0) > MAX_NESTS {
            return Err(Errno::ELOOP);
        }
        Ok(())
    }

    fn add(&self, fd: i32, file: &Arc<OpenFile>, events: u32, data: u64) -> KResult<()> {
        let key = key_of(fd, file);
        let ready = {
            let mut st = self.inner.lock();
            st.prune();
            if st.interests.contains_key(&key) {
                return Err(Errno::EEXIST);
            }
            let waker: Arc<dyn Wake> = Arc::new(InterestWaker {
                ep: Arc::downgrade(&self.inner),
                key,
            });
            // Register before polling, so a change in between is not missed.
            let registration = file.ops().wait_queue().map(|q| q.add(&waker, !0));
            let child = Epoll::of(file).map(|t| {
                t.inner.parents().push(Arc::downgrade(&self.inner));
                Arc::downgrade(&t.inner)
            });
            st.interests.insert(
                key,
                Interest {
                    file: Arc::downgrade(file),
                    events,
                    data,
                    ready: false,
                    _waker: waker,
                    registration,
                    child,
                },
            );
            let ready = readiness(file) & events != 0;
            if ready {
                st.push_ready(key);
            }
            ready
        };
        if ready {
            self.inner.queue.notify(POLLIN | POLLRDNORM);
        }
        Ok(())
    }

    fn del(&self, fd: i32, file: &Arc<OpenFile>) -> KResult<()> {
        let removed = {
            let mut st = self.inner.lock();
            st.prune();
            let key = key_of(fd, file);
            let it = st.interests.remove(&key).ok_or(Errno::ENOENT)?;
            st.ready.retain(|k| *k != key);
            it
        };
        if let (Some(id), Some(q)) = (removed.registration, file.ops().wait_queue()) {
            q.remove(id);
        }
        if let Some(c) = removed.child.as_ref().and_then(Weak::upgrade) {
            let mut parents = c.parents();
            let me = Arc::downgrade(&self.inner);
            if let Some(i) = parents.iter().position(|p| p.ptr_eq(&me)) {
                parents.remove(i);
            }
        }
        Ok(())
    }

    fn modify(&self, fd: i32, file: &Arc<OpenFile>, events: u32, data: u64) -> KResult<()> {
        let ready = {
            let mut st = self.inner.lock();
            st.prune();
            let key = key_of(fd, file);
            let it = st.interests.get_mut(&key).ok_or(Errno::ENOENT)?;
            if it.events & EPOLLEXCLUSIVE != 0 {
                return Err(Errno::EINVAL);
            }
            it.events = events;
            it.data = data;
            // Re-arms: if the file is ready for the new events, report it (even for EPOLLET).
            let ready = readiness(file) & events != 0;
            if ready {
                st.push_ready(key);
            }
            ready
        };
        if ready {
            self.inner.queue.notify(POLLIN | POLLRDNORM);
        }
        Ok(())
    }

    /// Collects up to `max` ready events, as `epoll_wait` does: each candidate on the ready
    /// list is polled again; a ready one is handed to `deliver(index, revents, data)`, which
    /// copies it out and returns false if it could not. Level-triggered interests stay ready
    /// (behind the ones not yet looked at), edge-triggered ones wait for the next notification,
    /// one-shot ones are disabled. Returns the count, `EFAULT` if the first copy failed, and
    /// `EAGAIN` when nothing is ready.
    pub fn collect(
        &self,
        max: usize,
        deliver: &mut dyn FnMut(usize, u32, u64) -> bool,
    ) -> KResult<usize> {
        let mut hold: Vec<Arc<OpenFile>> = Vec::new();
        let result = {
            let mut st = self.inner.lock();
            st.prune();
            st.queue_polled();
            let mut pending = std::mem::take(&mut st.ready);
            let mut again = Vec::new();
            let mut n = 0;
            let mut fault = false;
            while n < max {
                let Some(key) = pending.pop_front() else {
                    break;
                };
                let Some(it) = st.interests.get_mut(&key) else {
                    continue;
                };
                it.ready = false;
                let Some(file) = it.file.upgrade() else {
                    continue; // pruned at the next look
                };
                let revents = readiness(&file) & it.events;
                hold.push(file);
                if revents == 0 {
                    continue;
                }
                if !deliver(n, revents, it.data) {
                    it.ready = true;
                    pending.push_front(key);
                    fault = true;
                    break;
                }
                n += 1;
                if it.events & EPOLLONESHOT != 0 {
                    it.events &= PRIVATE_BITS;
                } else if it.events & EPOLLET == 0 {
                    it.ready = true;
                    again.push(key);
                }
            }
            // Not yet looked at first, then the level-triggered ones just reported: a small
            // `maxevents` walks round all ready interests, as in Linux.
            pending.extend(again);
            st.ready = pending;
            match n {
                0 if fault => Err(Errno::EFAULT),
                0 => Err(Errno::EAGAIN),
                n => Ok(n),
            }
        };
        drop(hold);
        result
    }

    /// Whether some interest is ready (what polling the instance itself reports); candidates
    /// found not ready leave the ready list, as in Linux.
    fn any_ready(&self) -> bool {
        let mut hold: Vec<Arc<OpenFile>> = Vec::new();
        let found = {
            let mut st = self.inner.lock();
            st.prune();
            st.queue_polled();
            let mut found = false;
            while let Some(&key) = st.ready.front() {
                let Some(it) = st.interests.get(&key) else {
                    st.ready.pop_front();
                    continue;
                };
                if let Some(file) = it.file.upgrade() {
                    let ready = readiness(&file) & it.events != 0;
                    hold.push(file);
                    if ready {
                        found = true;
                        break;
                    }
                }
                st.ready.pop_front();
                if let Some(it) = st.interests.get_mut(&key) {
                    it.ready = false;
                }
            }
            found
        };
        drop(hold);
        found
    }
}

impl FileOps for Epoll {
    fn describe(&self) -> String {
        "anon_inode:[eventpoll]".into()
    }

    fn stat(&self) -> KResult<Stat> {
        Ok(anon_inode_stat())
    }

    fn stream_seek(&self, _off: i64, whence: u32) -> KResult<u64> {
        super::noop_llseek(whence)
    }

    fn poll(&self, events: u32) -> u32 {
        if self.any_ready() {
            (POLLIN | POLLRDNORM) & events
        } else {
            0
        }
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.inner.queue)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::eventfd::EventFd;
    use crate::pipe::new_pipe;

    fn eventfd(init: u64) -> Arc<OpenFile> {
        Arc::new(OpenFile::new(
            Arc::new(EventFd::new(init, false)),
            None,
            O_RDWR,
        ))
    }

    fn wait(ep: &Epoll, max: usize) -> Vec<(u32, u64)> {
        let mut out = Vec::new();
        let r = ep.collect(max, &mut |_, ev, data| {
            out.push((ev, data));
            true
        });
        match r {
            Ok(n) => assert_eq!(n, out.len()),
            Err(e) => assert_eq!(e, Errno::EAGAIN),
        }
        out
    }

    fn write8(f: &OpenFile, v: u64) {
        assert_eq!(f.write(&v.to_ne_bytes()), Ok(8));
    }

    fn read8(f: &OpenFile) -> KResult<u64> {
        let mut b = [0u8; 8];
        f.read(&mut b)?;
        Ok(u64::from_ne_bytes(b))
    }

    #[test]
    fn level_triggered_reports_while_ready() {
        let ep = Epoll::new();
        let e = eventfd(0);
        ep.ctl(EPOLL_CTL_ADD, 5, &e, POLLIN, 7).unwrap();
        assert!(wait(&ep, 8).is_empty());
        write8(&e, 2);
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 7)]);
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 7)]);
        read8(&e).unwrap();
        assert!(wait(&ep, 8).is_empty());
    }

    #[test]
    fn edge_triggered_reports_once_per_notification() {
        let ep = Epoll::new();
        let (r, w) = new_pipe(0);
        ep.ctl(EPOLL_CTL_ADD, 3, &r, POLLIN | EPOLLET, 1).unwrap();
        assert!(wait(&ep, 8).is_empty());
        assert_eq!(w.write(b"ab"), Ok(2));
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 1)]);
        assert!(wait(&ep, 8).is_empty(), "still readable, but no new event");
        assert_eq!(w.write(b"c"), Ok(1));
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 1)]);
        // Closing the writer is a new event: hang-up, with the data still there.
        drop(w);
        assert_eq!(wait(&ep, 8), vec![(POLLIN | POLLHUP, 1)]);
    }

    #[test]
    fn oneshot_disables_until_modified() {
        let ep = Epoll::new();
        let e = eventfd(1);
        ep.ctl(EPOLL_CTL_ADD, 4, &e, POLLIN | EPOLLONESHOT, 9)
            .unwrap();
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 9)]);
        assert!(wait(&ep, 8).is_empty());
        write8(&e, 1);
        assert!(wait(&ep, 8).is_empty(), "disabled until MOD");
        ep.ctl(EPOLL_CTL_MOD, 4, &e, POLLIN | EPOLLONESHOT, 10)
            .unwrap();
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 10)]);
    }

    #[test]
    fn interest_goes_with_the_last_reference() {
        let ep = Epoll::new();
        let e = eventfd(1);
        ep.ctl(EPOLL_CTL_ADD, 4, &e, POLLIN, 1).unwrap();
        let dup = e.clone();
        drop(e);
        // A duplicate keeps the description, so the interest stays.
        assert_eq!(wait(&ep, 8), vec![(POLLIN, 1)]);
        drop(dup);
        assert!(wait(&ep, 8).is_empty());
        assert!(ep.is_empty());
    }

    #[test]
    fn ctl_errors() {
        let ep = Epoll::new();
        let e = eventfd(0);
        assert_eq!(ep.ctl(EPOLL_CTL_DEL, 4, &e, 0, 0), Err(Errno::ENOENT));
        assert_eq!(ep.ctl(EPOLL_CTL_MOD, 4, &e, POLLIN, 0), Err(Errno::ENOENT));
        ep.ctl(EPOLL_CTL_ADD, 4, &e, POLLIN, 0).unwrap();
        assert_eq!(ep.ctl(EPOLL_CTL_ADD, 4, &e, POLLIN, 0), Err(Errno::EEXIST));
        // Another number for the same description is another interest.
        ep.ctl(EPOLL_CTL_ADD, 5, &e, POLLIN, 0).unwrap();
        assert_eq!(ep.ctl(9, 4, &e, POLLIN, 0), Err(Errno::EINVAL));
        ep.ctl(EPOLL_CTL_DEL, 4, &e, 0, 0).unwrap();
        assert_eq!(ep.len(), 1);
        let x = eventfd(0);
        assert_eq!(
            ep.ctl(
                EPOLL_CTL_ADD,
                6,
                &x,
                POLLIN | POLLPRI_BIT | EPOLLEXCLUSIVE,
                0
            ),
            Err(Errno::EINVAL)
        );
        ep.ctl(EPOLL_CTL_ADD, 6, &x, POLLIN | EPOLLEXCLUSIVE, 0)
            .unwrap();
        assert_eq!(ep.ctl(EPOLL_CTL_MOD, 6, &x, POLLIN, 0), Err(Errno::EINVAL));
    }

    const POLLPRI_BIT: u32 = crate::event::POLLPRI;

    #[test]
    fn nested_instances_propagate_and_refuse_loops() {
        let outer_file = Epoll::new_file();
        let inner_file = Epoll::new_file();
        let outer = Epoll::of(&outer_file).unwrap();
        let inner = Epoll::of(&inner_file).unwrap();
        let e = eventfd(0);
        inner.ctl(EPOLL_CTL_ADD, 3, &e, POLLIN, 1).unwrap();
        outer
            .ctl(EPOLL_CTL_ADD, 4, &inner_file, POLLIN | EPOLLET, 2)
            .unwrap();
        assert!(wait(outer, 8).is_empty());
        assert_eq!(inner_file.ops().poll(POLLIN), 0);
        write8(&e, 1);
        assert_eq!(inner_file.ops().poll(POLLIN), POLLIN);
        assert_eq!(wait(outer, 8), vec![(POLLIN, 2)]);
        assert_eq!(
            inner.ctl(EPOLL_CTL_ADD, 5, &outer_file, POLLIN, 0),
            Err(Errno::ELOOP)
        );
        // A chain of five instances is allowed, a sixth is not.
        let chain: Vec<Arc<OpenFile>> = (0..6).map(|_| Epoll::new_file()).collect();
        for i in 1..5 {
            Epoll::of(&chain[i])
                .unwrap()
                .ctl(EPOLL_CTL_ADD, 10, &chain[i - 1], POLLIN, 0)
                .unwrap();
        }
        assert_eq!(
            Epoll::of(&chain[5])
                .unwrap()
                .ctl(EPOLL_CTL_ADD, 10, &chain[4], POLLIN, 0),
            Err(Errno::ELOOP)
        );
        // And the depth above counts too: watching from below the top of the chain.
        assert_eq!(
            Epoll::of(&chain[0])
                .unwrap()
                .ctl(EPOLL_CTL_ADD, 11, &chain[5], POLLIN, 0),
            Err(Errno::ELOOP)
        );
    }

    #[test]
    fn small_maxevents_round_robins() {
        let ep = Epoll::new();
        let a = eventfd(1);
        let b = eventfd(1);
        ep.ctl(EPOLL_CTL_ADD, 1, &a, POLLIN, 1).unwrap();
        ep.ctl(EPOLL_CTL_ADD, 2, &b, POLLIN, 2).unwrap();
        assert_eq!(wait(&ep, 1), vec![(POLLIN, 1)]);
        assert_eq!(wait(&ep, 1), vec![(POLLIN, 2)]);
        assert_eq!(wait(&ep, 1), vec![(POLLIN, 1)]);
    }

    #[test]
    fn failed_copy_keeps_the_event() {
        let ep = Epoll::new();
        let a = eventfd(1);
        ep.ctl(EPOLL_CTL_ADD, 1, &a, POLLIN | EPOLLONESHOT, 1)
            .unwrap();
        assert_eq!(ep.collect(4, &mut |_, _, _| false), Err(Errno::EFAULT));
        assert_eq!(wait(&ep, 4), vec![(POLLIN, 1)]);
    }
}
