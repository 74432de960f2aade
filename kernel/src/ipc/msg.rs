//! System V message queues: typed messages, a byte limit per queue (`msg_qbytes`), and
//! senders and receivers that sleep on the queue's wait queue until it changes.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use super::{ipcget, lock, Caller, Perm, Registry, ACC_READ, ACC_WRITE};
use crate::errno::{Errno, KResult};
use crate::mm::Charge;
use crate::task::Task;
use crate::wait::WaitQueue;

/// `MSGMNI`: the most queues.
pub const MSGMNI: usize = 32000;
/// `MSGMAX`: the largest message.
pub const MSGMAX: usize = 8192;
/// `MSGMNB`: a new queue's byte limit.
pub const MSGMNB: u64 = 16384;
/// `MSG_NOERROR`: truncate a message too big for the buffer.
pub const MSG_NOERROR: i32 = 0o10000;
/// `MSG_EXCEPT`: receive the first message of another type.
pub const MSG_EXCEPT: i32 = 0o20000;
/// `MSG_COPY`: copy the message at an index, leaving it queued.
pub const MSG_COPY: i32 = 0o40000;

struct Message {
    mtype: i64,
    text: Vec<u8>,
    /// What the message costs the sandbox's memory until it is received.
    _charge: Option<Charge>,
}

/// What a queued message's bookkeeping costs beyond its text (charged with it).
const MSG_OVERHEAD: u64 = 64;

struct QueueState {
    msgs: VecDeque<Message>,
    cbytes: u64,
    qbytes: u64,
    stime: i64,
    rtime: i64,
    ctime: i64,
    lspid: i32,
    lrpid: i32,
    removed: bool,
}

/// One message queue.
pub struct MsgQueue {
    state: Mutex<QueueState>,
    /// Notified on every send, receive, limit change and removal.
    pub queue: WaitQueue,
}

/// What `IPC_STAT` reports of a queue.
#[derive(Clone, Copy, Debug, Default)]
pub struct MsgStat {
    /// Owner, mode and key.
    pub perm: Perm,
    /// Last send.
    pub stime: i64,
    /// Last receive.
    pub rtime: i64,
    /// Last change.
    pub ctime: i64,
    /// Bytes queued.
    pub cbytes: u64,
    /// Messages queued.
    pub qnum: u64,
    /// Byte limit.
    pub qbytes: u64,
    /// Last sender.
    pub lspid: i32,
    /// Last receiver.
    pub lrpid: i32,
}

/// How `msgrcv` picks a message (Linux's `convert_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Search {
    Any,
    Equal(i64),
    NotEqual(i64),
    LessEqual(i64),
    Number(i64),
}

impl Search {
    fn new(msgtyp: i64, flags: i32) -> Search {
        if flags & MSG_COPY != 0 {
            Search::Number(msgtyp)
        } else if msgtyp == 0 {
            Search::Any
        } else if msgtyp < 0 {
            Search::LessEqual(msgtyp.checked_neg().unwrap_or(i64::MAX))
        } else if flags & MSG_EXCEPT != 0 {
            Search::NotEqual(msgtyp)
        } else {
            Search::Equal(msgtyp)
        }
    }

    /// The index of the message to take.
    fn find(self, msgs: &VecDeque<Message>) -> Option<usize> {
        match self {
            Search::Any => (!msgs.is_empty()).then_some(0),
            Search::Equal(t) => msgs.iter().position(|m| m.mtype == t),
            Search::NotEqual(t) => msgs.iter().position(|m| m.mtype != t),
            // The first message of the lowest type not above `t`.
            Search::LessEqual(t) => msgs
                .iter()
                .enumerate()
                .filter(|(_, m)| m.mtype <= t)
                .min_by_key(|(i, m)| (m.mtype, *i))
                .map(|(i, _)| i),
            Search::Number(n) => usize::try_from(n).ok().filter(|&n| n < msgs.len()),
        }
    }
}

impl MsgQueue {
    fn new(now: i64) -> MsgQueue {
        MsgQueue {
            state: Mutex::new(QueueState {
                msgs: VecDeque::new(),
                cbytes: 0,
                qbytes: MSGMNB,
                stime: 0,
                rtime: 0,
                ctime: now,
                lspid: 0,
                lrpid: 0,
                removed: false,
            }),
            queue: WaitQueue::new(),
        }
    }

    fn live(&self) -> KResult<MutexGuard<'_, QueueState>> {
        let st = lock(&self.state);
        if st.removed {
            return Err(Errno::EIDRM);
        }
        Ok(st)
    }

    fn try_send(&self, mtype: i64, text: &[u8], c: &Caller) -> KResult<bool> {
        let mut st = self.live()?;
        let len = text.len() as u64;
        if st.cbytes + len > st.qbytes || st.msgs.len() as u64 + 1 > st.qbytes {
            return Ok(false);
        }
        // A full sandbox memory fails the send (Linux's ENOMEM from the message allocation).
        let charge = c.budget.charge(len + MSG_OVERHEAD)?;
        st.msgs.push_back(Message {
            mtype,
            text: text.to_vec(),
            _charge: charge,
        });
        st.cbytes += len;
        st.stime = c.now;
        st.lspid = c.pid;
        Ok(true)
    }

    fn try_receive(
        &self,
        search: Search,
        bufsz: usize,
        noerror: bool,
        copy: bool,
        c: &Caller,
    ) -> KResult<Option<(i64, Vec<u8>)>> {
        let mut st = self.live()?;
        let Some(i) = search.find(&st.msgs) else {
            return Ok(None);
        };
        if st.msgs[i].text.len() > bufsz && !noerror {
            return Err(Errno::E2BIG);
        }
        if copy {
            let m = &st.msgs[i];
            return Ok(Some((m.mtype, m.text[..m.text.len().min(bufsz)].to_vec())));
        }
        let Some(mut m) = st.msgs.remove(i) else {
            return Ok(None);
        };
        st.cbytes -= m.text.len() as u64;
        st.rtime = c.now;
        st.lrpid = c.pid;
        m.text.truncate(bufsz);
        Ok(Some((m.mtype, m.text)))
    }

    /// The queue's `IPC_STAT` with `perm`.
    pub fn stat(&self, perm: Perm) -> MsgStat {
        let st = lock(&self.state);
        MsgStat {
            perm,
            stime: st.stime,
            rtime: st.rtime,
            ctime: st.ctime,
            cbytes: st.cbytes,
            qnum: st.msgs.len() as u64,
            qbytes: st.qbytes,
            lspid: st.lspid,
            lrpid: st.lrpid,
        }
    }

    fn counts(&self) -> (u64, u64) {
        let st = lock(&self.state);
        (st.msgs.len() as u64, st.cbytes)
    }
}

fn unblocked<T>(r: KResult<KResult<T>>) -> KResult<T> {
    match r {
        Ok(r) => r,
        // Never restarted after a handler, as Linux (`ERESTARTNOHAND`).
        Err(Errno::ERESTARTSYS) => Err(Errno::ERESTARTNOHAND),
        Err(e) => Err(e),
    }
}

/// `msgsnd` on a looked-up queue: waits while the queue is full unless `nowait` (`EAGAIN`).
pub fn send(
    task: &mut Task,
    q: &Arc<MsgQueue>,
    mtype: i64,
    text: &[u8],
    nowait: bool,
    c: &Caller,
) -> KResult<()> {
    let r = task.block_on(&[(&q.queue, !0)], None, |_| {
        match q.try_send(mtype, text, c) {
            Ok(true) => Ok(Ok(())),
            Ok(false) if nowait => Ok(Err(Errno::EAGAIN)),
            Ok(false) => Err(Errno::EAGAIN),
            Err(e) => Ok(Err(e)),
        }
    });
    let r = unblocked(r);
    if r.is_ok() {
        q.queue.notify(!0);
    }
    r
}

/// `msgrcv` on a looked-up queue: the message's type and (possibly truncated) text. Waits
/// for a matching message unless `IPC_NOWAIT` (`ENOMSG`); `E2BIG` for a message longer than
/// `bufsz` without `MSG_NOERROR`.
pub fn receive(
    task: &mut Task,
    q: &Arc<MsgQueue>,
    msgtyp: i64,
    bufsz: usize,
    flags: i32,
    c: &Caller,
) -> KResult<(i64, Vec<u8>)> {
    let search = Search::new(msgtyp, flags);
    let copy = flags & MSG_COPY != 0;
    let (noerror, nowait) = (flags & MSG_NOERROR != 0, flags & super::IPC_NOWAIT != 0);
    let r = task.block_on(&[(&q.queue, !0)], None, |_| {
        match q.try_receive(search, bufsz, noerror, copy, c) {
            Ok(Some(m)) => Ok(Ok(m)),
            Ok(None) if nowait => Ok(Err(Errno::ENOMSG)),
            Ok(None) => Err(Errno::EAGAIN),
            Err(e) => Ok(Err(e)),
        }
    });
    let r = unblocked(r);
    if r.is_ok() && !copy {
        q.queue.notify(!0);
    }
    r
}

/// `msgget`: the id of the queue `key` names, made when `flags` say so.
pub fn get(reg: &mut Registry<MsgQueue>, key: i32, flags: i32, c: &Caller) -> KResult<i32> {
    ipcget(
        reg,
        key,
        flags,
        c,
        |_| Ok(()),
        |_| Ok(Arc::new(MsgQueue::new(c.now))),
    )
}

/// Looks up `id` (or the queue at index `id` when `by_index`), checking `acc` access (none
/// when 0): the queue, its permissions and its id.
pub fn lookup(
    reg: &mut Registry<MsgQueue>,
    id: i32,
    by_index: bool,
    acc: u32,
    c: &Caller,
) -> KResult<(Arc<MsgQueue>, Perm, i32)> {
    let (q, perm, id) = if by_index {
        reg.get_index(id)?
    } else {
        let (q, p) = reg.get(id)?;
        (q, p, id)
    };
    if acc != 0 {
        perm.check(c, acc)?;
    }
    Ok((q, perm, id))
}

/// Looks up `id` for sending (`write`) or receiving.
pub fn lookup_for(
    reg: &mut Registry<MsgQueue>,
    id: i32,
    write: bool,
    c: &Caller,
) -> KResult<Arc<MsgQueue>> {
    lookup(reg, id, false, if write { ACC_WRITE } else { ACC_READ }, c).map(|(q, _, _)| q)
}

/// `IPC_RMID`: removes the queue, waking its waiters with `EIDRM`.
pub fn remove(reg: &mut Registry<MsgQueue>, id: i32, c: &Caller) -> KResult<()> {
    let (q, perm) = reg.get(id)?;
    perm.check_owner(c)?;
    reg.remove(id)?;
    {
        let mut st = lock(&q.state);
        st.removed = true;
        st.msgs.clear();
        st.cbytes = 0;
    }
    q.queue.notify(!0);
    Ok(())
}

/// `IPC_SET`: owner, mode bits and byte limit (past `MSGMNB` only with
/// `CAP_SYS_RESOURCE`: `EPERM`). Blocked senders look again.
pub fn set(
    reg: &mut Registry<MsgQueue>,
    id: i32,
    (uid, gid, mode): (u32, u32, u32),
    qbytes: u64,
    c: &Caller,
) -> KResult<()> {
    let (q, perm) = reg.get(id)?;
    perm.check_owner(c)?;
    if qbytes > MSGMNB && !c.sys_resource {
        return Err(Errno::EPERM);
    }
    reg.update(id, |p| p.set(uid, gid, mode))?;
    {
        let mut st = lock(&q.state);
        st.qbytes = qbytes;
        st.ctime = c.now;
    }
    q.queue.notify(!0);
    Ok(())
}

/// `MSG_INFO`'s usage numbers: queues, messages and bytes in existence.
pub fn usage(reg: &mut Registry<MsgQueue>) -> (usize, u64, u64) {
    let qs = reg.objects();
    let (msgs, bytes) = qs
        .iter()
        .map(|q| q.counts())
        .fold((0, 0), |(a, b), (m, n)| (a + m, b + n));
    (qs.len(), msgs, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue_with(types: &[i64]) -> MsgQueue {
        let q = MsgQueue::new(0);
        for (i, &t) in types.iter().enumerate() {
            assert!(q.try_send(t, &[i as u8; 3], &Caller::default()).unwrap());
        }
        q
    }

    #[test]
    fn typed_searches() {
        let q = queue_with(&[5, 3, 7, 3, 1]);
        let msgs = &lock(&q.state).msgs;
        assert_eq!(Search::new(0, 0).find(msgs), Some(0));
        assert_eq!(Search::new(3, 0).find(msgs), Some(1));
        assert_eq!(Search::new(5, MSG_EXCEPT).find(msgs), Some(1));
        assert_eq!(Search::new(-4, 0).find(msgs), Some(4));
        // The lowest type wins; among equals the first queued.
        assert_eq!(Search::new(-3, 0).find(msgs), Some(4));
        let q2 = queue_with(&[5, 3, 7, 3]);
        assert_eq!(Search::new(-6, 0).find(&lock(&q2.state).msgs), Some(1));
        assert_eq!(Search::new(i64::MIN, 0).find(msgs), Some(4));
        assert_eq!(Search::new(9, 0).find(msgs), None);
        assert_eq!(Search::new(2, MSG_COPY).find(msgs), Some(2));
        assert_eq!(Search::new(5, MSG_COPY).find(msgs), None);
    }

    #[test]
    fn limits_truncation_and_copies() {
        let q = MsgQueue::new(0);
        let c = Caller::default();
        assert!(q.try_send(1, &[1; 16000], &c).unwrap());
        assert!(!q.try_send(1, &[1; 385], &c).unwrap());
        assert_eq!(
            q.try_receive(Search::Any, 10, false, false, &c).err(),
            Some(Errno::E2BIG)
        );
        let (_, copy) = q
            .try_receive(Search::Number(0), 10, true, true, &c)
            .unwrap()
            .unwrap();
        assert_eq!(copy.len(), 10);
        assert_eq!(q.counts(), (1, 16000));
        let (t, m) = q
            .try_receive(Search::Any, 10, true, false, &c)
            .unwrap()
            .unwrap();
        assert_eq!((t, m.len()), (1, 10));
        assert_eq!(q.counts(), (0, 0));
    }
}
