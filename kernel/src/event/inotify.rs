//! inotify instances: a set of watches (by inode, see [`crate::vfs::notify`]) and a queue of
//! `struct inotify_event` records a `read` takes whole.
//!
//! Like Linux, an event identical to the last queued one is merged into it, the queue holds
//! at most [`MAX_QUEUED_EVENTS`] events and then one `IN_Q_OVERFLOW`, watch descriptors are
//! handed out cyclically from 1, and removing a watch (by `inotify_rm_watch`, `IN_ONESHOT`
//! or the inode's removal) queues `IN_IGNORED`.

use std::any::Any;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{anon_inode_stat, POLLIN, POLLRDNORM};
use crate::errno::{Errno, KResult};
use crate::fd::{FileOps, OpenFile, O_CLOEXEC, O_NONBLOCK, O_RDONLY};
use crate::vfs::notify::*;
use crate::vfs::{Node, Stat};
use crate::wait::WaitQueue;

/// `IN_NONBLOCK` (same value as `O_NONBLOCK`).
pub const IN_NONBLOCK: u32 = O_NONBLOCK;
/// `IN_CLOEXEC` (same value as `O_CLOEXEC`).
pub const IN_CLOEXEC: u32 = O_CLOEXEC;
/// Linux's default `max_queued_events`.
pub const MAX_QUEUED_EVENTS: usize = 16384;
/// `sizeof(struct inotify_event)` without the name.
pub const EVENT_HEADER: usize = 16;

/// Every bit `inotify_add_watch` knows (Linux's `ALL_INOTIFY_BITS`).
const ALL_INOTIFY_BITS: u32 = IN_ALL_EVENTS
    | IN_UNMOUNT
    | IN_Q_OVERFLOW
    | IN_IGNORED
    | IN_ONLYDIR
    | IN_DONT_FOLLOW
    | IN_EXCL_UNLINK
    | IN_MASK_ADD
    | IN_MASK_CREATE
    | IN_ISDIR
    | IN_ONESHOT;
/// The bits a watch keeps: the events and the flags that govern delivery.
const WATCH_BITS: u32 = IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK;

/// One queued event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Watch descriptor (-1 for `IN_Q_OVERFLOW`).
    pub wd: i32,
    /// `IN_*` bits.
    pub mask: u32,
    /// Ties a moved-from to its moved-to; 0 otherwise.
    pub cookie: u32,
    /// The entry's name for events about a watched directory's children.
    pub name: Option<Box<[u8]>>,
}

impl Event {
    /// `len`: the name with at least one NUL, padded to a multiple of the header size.
    fn name_len(&self) -> usize {
        match &self.name {
            Some(n) if !n.is_empty() => (n.len() + 1).div_ceil(EVENT_HEADER) * EVENT_HEADER,
            _ => 0,
        }
    }

    /// Bytes the record takes in a read.
    pub fn size(&self) -> usize {
        EVENT_HEADER + self.name_len()
    }

    /// Appends the `struct inotify_event` record.
    fn encode(&self, out: &mut Vec<u8>) {
        let len = self.name_len();
        out.extend_from_slice(&self.wd.to_ne_bytes());
        out.extend_from_slice(&self.mask.to_ne_bytes());
        out.extend_from_slice(&self.cookie.to_ne_bytes());
        out.extend_from_slice(&(len as u32).to_ne_bytes());
        let start = out.len();
        if let Some(n) = &self.name {
            out.extend_from_slice(n);
        }
        out.resize(start + len, 0);
    }
}

/// The event queue of one instance.
#[derive(Debug)]
pub struct EventQueue {
    events: VecDeque<Event>,
    bytes: usize,
    max: usize,
}

impl EventQueue {
    /// An empty queue holding at most `max` events before it overflows.
    pub fn new(max: usize) -> EventQueue {
        EventQueue {
            events: VecDeque::new(),
            bytes: 0,
            max,
        }
    }

    /// Queues `ev`: merged into an identical last event, replaced by one `IN_Q_OVERFLOW`
    /// when the queue is full or `full` says so.
    pub fn push(&mut self, ev: Event, full: bool) {
        if full || self.events.len() >= self.max {
            if self.events.back().is_some_and(|e| e.mask == IN_Q_OVERFLOW) {
                return;
            }
            let ov = Event {
                wd: -1,
                mask: IN_Q_OVERFLOW,
                cookie: 0,
                name: None,
            };
            self.bytes += ov.size();
            self.events.push_back(ov);
            return;
        }
        if self.events.back() == Some(&ev) {
            return;
        }
        self.bytes += ev.size();
        self.events.push_back(ev);
    }

    /// Whether nothing is queued.
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    /// Bytes a read of everything would return (`FIONREAD`).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The records of as many whole events as fit in `count` bytes, without taking them:
    /// `EAGAIN` when empty, `EINVAL` when the first does not fit.
    pub fn peek(&self, count: usize) -> KResult<(Vec<u8>, usize)> {
        let first = self.events.front().ok_or(Errno::EAGAIN)?;
        if first.size() > count {
            return Err(Errno::EINVAL);
        }
        let mut out = Vec::new();
        let mut n = 0;
        for ev in &self.events {
            if out.len() + ev.size() > count {
                break;
            }
            ev.encode(&mut out);
            n += 1;
        }
        Ok((out, n))
    }

    /// Takes the events whose records lie entirely within the first `bytes` bytes.
    pub fn consume(&mut self, mut bytes: usize) {
        while let Some(ev) = self.events.front() {
            let s = ev.size();
            if s > bytes {
                break;
            }
            bytes -= s;
            self.bytes -= s;
            self.events.pop_front();
        }
    }
}

/// A watch of an instance.
struct Watch {
    key: NodeKey,
    mask: u32,
}

struct State {
    watches: BTreeMap<i32, Watch>,
    by_key: HashMap<NodeKey, i32>,
    /// The last descriptor handed out (descriptors go round from 1, as `idr_alloc_cyclic`).
    last_wd: i32,
    queue: EventQueue,
}

/// One inotify instance: its watches and its event queue.
pub struct Group {
    notify: Arc<Notify>,
    state: Mutex<State>,
    /// Notified with `POLLIN` when events are queued.
    wait: WaitQueue,
}

impl Group {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues an event for watch `wd` if its mask asks for it (`IN_IGNORED` always); an
    /// `IN_ONESHOT` watch then ends. `unlinked`: the subject lost its last name
    /// (`IN_EXCL_UNLINK` watches skip it).
    pub(crate) fn deliver(
        &self,
        wd: i32,
        mask: u32,
        cookie: u32,
        name: Option<&[u8]>,
        unlinked: bool,
    ) {
        let mut st = self.lock();
        let Some(w) = st.watches.get(&wd) else {
            return;
        };
        if mask & w.mask & IN_ALL_EVENTS == 0 || (unlinked && w.mask & IN_EXCL_UNLINK != 0) {
            return;
        }
        let oneshot = w.mask & IN_ONESHOT != 0;
        // inotify never reported IN_ISDIR with the self events.
        let mask = if mask & (IN_MOVE_SELF | IN_DELETE_SELF) != 0 {
            mask & !IN_ISDIR
        } else {
            mask
        };
        self.queue(
            &mut st,
            Event {
                wd,
                mask,
                cookie,
                name: name.map(Box::from),
            },
        );
        if oneshot {
            self.end_watch(&mut st, wd);
        }
        drop(st);
        self.wait.notify(POLLIN);
    }

    /// Ends watch `wd` (`inotify_rm_watch`; queues `IN_IGNORED`); `EINVAL` if there is none.
    pub fn remove_watch(&self, wd: i32) -> KResult<()> {
        let mut st = self.lock();
        if !st.watches.contains_key(&wd) {
            return Err(Errno::EINVAL);
        }
        self.end_watch(&mut st, wd);
        drop(st);
        self.wait.notify(POLLIN);
        Ok(())
    }

    fn end_watch(&self, st: &mut State, wd: i32) {
        if let Some(w) = st.watches.remove(&wd) {
            st.by_key.remove(&w.key);
            self.notify.unregister(w.key, self, wd);
            let ignored = Event {
                wd,
                mask: IN_IGNORED,
                cookie: 0,
                name: None,
            };
            self.queue(st, ignored);
        }
    }

    /// Queues `ev`, within the sandbox's budget of queued bytes.
    fn queue(&self, st: &mut State, ev: Event) {
        let before = st.queue.bytes();
        let full = !self.notify.has_room(ev.size());
        st.queue.push(ev, full);
        self.notify.account(before, st.queue.bytes());
    }

    /// `inotify_add_watch` on `node` (already resolved and permission-checked): a new watch,
    /// or the existing watch of the same inode updated. Returns the descriptor.
    pub fn add_watch(self: &Arc<Self>, node: &dyn Node, mask: u32) -> KResult<i32> {
        let (key, _) = NodeKey::of(node).ok_or(Errno::ENOENT)?;
        let mut st = self.lock();
        if let Some(&wd) = st.by_key.get(&key) {
            if mask & IN_MASK_CREATE != 0 {
                return Err(Errno::EEXIST);
            }
            if let Some(w) = st.watches.get_mut(&wd) {
                w.mask = if mask & IN_MASK_ADD != 0 {
                    w.mask | (mask & WATCH_BITS)
                } else {
                    mask & WATCH_BITS
                };
            }
            return Ok(wd);
        }
        let wd = next_wd(&st);
        if !self.notify.register(key, Arc::downgrade(self), wd) {
            return Err(Errno::ENOSPC);
        }
        st.last_wd = wd;
        st.by_key.insert(key, wd);
        st.watches.insert(
            wd,
            Watch {
                key,
                mask: mask & WATCH_BITS,
            },
        );
        Ok(wd)
    }
}

/// The next free descriptor after the last one handed out, wrapping to 1.
fn next_wd(st: &State) -> i32 {
    let mut wd = st.last_wd;
    loop {
        wd = if wd == i32::MAX { 1 } else { wd + 1 };
        if !st.watches.contains_key(&wd) {
            return wd;
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let me: *const Group = self;
        let st = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        let watches = std::mem::take(&mut st.watches);
        let queued = st.queue.bytes();
        for (wd, w) in watches {
            self.notify.unregister(w.key, me, wd);
        }
        self.notify.account(queued, 0);
        self.notify.drop_instance();
    }
}

/// The inotify file kind.
pub struct Inotify(Arc<Group>);

impl Inotify {
    /// The instance behind `file`, if it is an inotify descriptor.
    pub fn of(file: &OpenFile) -> Option<&Arc<Group>> {
        file.ops().as_any().downcast_ref::<Inotify>().map(|i| &i.0)
    }
}

/// Opens an inotify instance (`inotify_init1`; the caller handles `IN_CLOEXEC`): `EINVAL`
/// for unknown flags, `EMFILE` at the sandbox's instance limit.
pub fn new_inotify(notify: &Arc<Notify>, flags: u32) -> KResult<Arc<OpenFile>> {
    if flags & !(IN_NONBLOCK | IN_CLOEXEC) != 0 {
        return Err(Errno::EINVAL);
    }
    if !notify.add_instance() {
        return Err(Errno::EMFILE);
    }
    let group = Arc::new(Group {
        notify: notify.clone(),
        state: Mutex::new(State {
            watches: BTreeMap::new(),
            by_key: HashMap::new(),
            last_wd: 0,
            queue: EventQueue::new(MAX_QUEUED_EVENTS),
        }),
        wait: WaitQueue::new(),
    });
    Ok(Arc::new(OpenFile::new(
        Arc::new(Inotify(group)),
        None,
        O_RDONLY | (flags & IN_NONBLOCK),
    )))
}

/// Checks `inotify_add_watch`'s mask before anything else, as Linux does: `EINVAL` for
/// unknown bits, no known bit, or both `IN_MASK_ADD` and `IN_MASK_CREATE`.
pub fn check_watch_mask(mask: u32) -> KResult<()> {
    if (mask & IN_MASK_ADD != 0 && mask & IN_MASK_CREATE != 0)
        || mask & ALL_INOTIFY_BITS == 0
        || mask & !ALL_INOTIFY_BITS != 0
    {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

impl FileOps for Inotify {
    fn describe(&self) -> String {
        "anon_inode:inotify".into()
    }

    fn stat(&self) -> KResult<Stat> {
        Ok(anon_inode_stat())
    }

    fn stream_seek(&self, _off: i64, whence: u32) -> KResult<u64> {
        super::noop_llseek(whence)
    }

    fn read(&self, buf: &mut [u8], _nonblock: bool) -> KResult<usize> {
        let mut off = 0;
        self.stream_read_to(buf.len(), &mut |d| {
            buf[off..off + d.len()].copy_from_slice(d);
            off += d.len();
            d.len()
        })
        .unwrap_or(Err(Errno::EINVAL))
    }

    fn stream_read_to(
        &self,
        count: usize,
        sink: &mut dyn FnMut(&[u8]) -> usize,
    ) -> Option<KResult<usize>> {
        // Never waits here: the syscall layer sleeps on the queue.
        let mut st = self.0.lock();
        let (bytes, _) = match st.queue.peek(count) {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let took = sink(&bytes);
        // Events copied whole are gone; a fault part-way keeps the rest queued.
        let before = st.queue.bytes();
        st.queue.consume(took);
        self.0.notify.account(before, st.queue.bytes());
        Some(if took == 0 {
            Err(Errno::EFAULT)
        } else {
            Ok(took)
        })
    }

    fn readable_bytes(&self) -> KResult<u64> {
        Ok(self.0.lock().queue.bytes() as u64)
    }

    fn poll(&self, events: u32) -> u32 {
        if self.0.lock().queue.is_empty() {
            0
        } else {
            (POLLIN | POLLRDNORM) & events
        }
    }

    fn wait_queue(&self) -> Option<&WaitQueue> {
        Some(&self.0.wait)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(wd: i32, mask: u32, name: Option<&str>) -> Event {
        Event {
            wd,
            mask,
            cookie: 0,
            name: name.map(|n| Box::from(n.as_bytes())),
        }
    }

    #[test]
    fn record_layout_pads_names_to_16() {
        let mut q = EventQueue::new(10);
        q.push(ev(1, IN_CREATE, Some("abc")), false);
        q.push(ev(2, IN_MODIFY, None), false);
        q.push(ev(1, IN_DELETE, Some("0123456789abcdef")), false);
        assert_eq!(q.bytes(), 32 + 16 + 48);
        let (b, n) = q.peek(1000).unwrap();
        assert_eq!(n, 3);
        assert_eq!(b.len(), 96);
        assert_eq!(&b[0..4], &1i32.to_ne_bytes());
        assert_eq!(&b[4..8], &IN_CREATE.to_ne_bytes());
        assert_eq!(&b[12..16], &16u32.to_ne_bytes());
        assert_eq!(&b[16..20], b"abc\0");
        assert!(b[19..32].iter().all(|&c| c == 0));
        assert_eq!(&b[44..48], &0u32.to_ne_bytes());
        // A 16-byte name needs a NUL: 32 bytes of name.
        assert_eq!(&b[60..64], &32u32.to_ne_bytes());
    }

    #[test]
    fn identical_consecutive_events_merge() {
        let mut q = EventQueue::new(10);
        q.push(ev(1, IN_MODIFY, Some("f")), false);
        q.push(ev(1, IN_MODIFY, Some("f")), false);
        q.push(ev(1, IN_MODIFY, Some("g")), false);
        q.push(ev(1, IN_MODIFY, Some("f")), false);
        let (_, n) = q.peek(1000).unwrap();
        assert_eq!(n, 3);
        let mut q = EventQueue::new(10);
        q.push(
            Event {
                cookie: 5,
                ..ev(1, IN_MOVED_FROM, Some("a"))
            },
            false,
        );
        q.push(
            Event {
                cookie: 6,
                ..ev(1, IN_MOVED_FROM, Some("a"))
            },
            false,
        );
        assert_eq!(q.peek(1000).unwrap().1, 2);
        // A full budget overflows even a short queue.
        q.push(ev(1, IN_CREATE, None), true);
        q.push(ev(1, IN_DELETE, None), true);
        let (b, n) = q.peek(1000).unwrap();
        assert_eq!(n, 3);
        assert_eq!(&b[68..72], &IN_Q_OVERFLOW.to_ne_bytes());
    }

    #[test]
    fn overflow_queues_one_marker() {
        let mut q = EventQueue::new(2);
        q.push(ev(1, IN_OPEN, None), false);
        q.push(ev(1, IN_ACCESS, None), false);
        q.push(ev(1, IN_MODIFY, None), false);
        q.push(ev(1, IN_CLOSE_WRITE, None), false);
        let (b, n) = q.peek(1000).unwrap();
        assert_eq!(n, 3);
        assert_eq!(&b[32..36], &(-1i32).to_ne_bytes());
        assert_eq!(&b[36..40], &IN_Q_OVERFLOW.to_ne_bytes());
        q.consume(48);
        assert!(q.is_empty());
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn read_sizes() {
        let mut q = EventQueue::new(10);
        assert_eq!(q.peek(100).unwrap_err(), Errno::EAGAIN);
        q.push(ev(1, IN_CREATE, Some("name")), false);
        q.push(ev(1, IN_DELETE, None), false);
        assert_eq!(q.peek(31).unwrap_err(), Errno::EINVAL);
        assert_eq!(q.peek(0).unwrap_err(), Errno::EINVAL);
        let (b, n) = q.peek(40).unwrap();
        assert_eq!((b.len(), n), (32, 1));
        q.consume(32);
        let (b, n) = q.peek(16).unwrap();
        assert_eq!((b.len(), n), (16, 1));
        // A partial take keeps the event.
        q.consume(8);
        assert_eq!(q.bytes(), 16);
    }

    #[test]
    fn watch_masks() {
        assert_eq!(check_watch_mask(0), Err(Errno::EINVAL));
        assert_eq!(check_watch_mask(0x0800_0000), Err(Errno::EINVAL));
        assert_eq!(
            check_watch_mask(IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            check_watch_mask(IN_MODIFY | 0x0800_0000),
            Err(Errno::EINVAL)
        );
        assert_eq!(check_watch_mask(IN_MODIFY | IN_ONESHOT), Ok(()));
    }

    #[test]
    fn watches_by_inode() {
        use crate::vfs::{Cred, Cx, FsContext, Resolver, Vfs};
        let vfs = Vfs::new_tmpfs_root();
        let ctx = FsContext::new(&vfs);
        let cred = Cred::root();
        let r = Resolver::new(&vfs, &ctx, &cred, Cx::default());
        r.mkdir(None, b"/d", 0o755).unwrap();
        let file = new_inotify(vfs.notify(), 0).unwrap();
        let g = Inotify::of(&file).unwrap().clone();
        let d = r.resolve(None, b"/d", true).unwrap();
        let wd = g.add_watch(&**d.node(), IN_CREATE | IN_DELETE).unwrap();
        assert_eq!(wd, 1);
        assert_eq!(g.add_watch(&**d.node(), IN_CREATE), Ok(1));
        assert_eq!(
            g.add_watch(&**d.node(), IN_CREATE | IN_MASK_CREATE),
            Err(Errno::EEXIST)
        );
        r.mkdir(None, b"/d/sub", 0o755).unwrap();
        r.rmdir(None, b"/d/sub").unwrap();
        let ops = file.ops();
        // Only IN_CREATE is watched now (the second add replaced the mask).
        assert_eq!(ops.readable_bytes(), Ok(32));
        g.remove_watch(1).unwrap();
        assert_eq!(g.remove_watch(1), Err(Errno::EINVAL));
        assert_eq!(ops.readable_bytes(), Ok(48));
        let mut buf = [0u8; 64];
        assert_eq!(ops.read(&mut buf, true), Ok(48));
        assert_eq!(&buf[4..8], &(IN_CREATE | IN_ISDIR).to_ne_bytes());
        assert_eq!(&buf[16..20], b"sub\0");
        assert_eq!(&buf[36..40], &IN_IGNORED.to_ne_bytes());
        assert!(!vfs.notify().active());
        assert_eq!(vfs.notify().queued(), 0);
        // Descriptors are not reused at once.
        assert_eq!(g.add_watch(&**d.node(), IN_CREATE), Ok(2));
        r.mkdir(None, b"/d/other", 0o755).unwrap();
        assert_eq!(vfs.notify().queued(), 32);
        drop(g);
        drop(file);
        assert!(!vfs.notify().active());
        assert_eq!(vfs.notify().queued(), 0);
    }
}
