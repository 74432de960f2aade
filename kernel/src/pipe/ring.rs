//! The pipe's ring of page-sized buffers, filled and drained by Linux's rules (`fs/pipe.c`).
//! Capacity is counted in slots, not bytes, which is what decides how much a write moves:
//! a write first tops up the last page with the sub-page remainder of its length, then takes
//! a fresh page per 4 KiB; `O_DIRECT` writes make each page a packet that one read takes
//! whole (dropping what does not fit in the reader's buffer).

use std::collections::VecDeque;

use crate::errno::{Errno, KResult};

/// One slot's page.
pub(super) const PAGE_SIZE: usize = 4096;

/// One occupied slot: bytes `start..page.len()` of a page are unread.
struct Buf {
    page: Vec<u8>,
    start: usize,
    /// Later writes may append to the page (Linux's `PIPE_BUF_FLAG_CAN_MERGE`).
    merge: bool,
    /// A packet (`PIPE_BUF_FLAG_PACKET`): a read that reaches it ends with it.
    packet: bool,
}

impl Buf {
    fn len(&self) -> usize {
        self.page.len() - self.start
    }
}

/// What one read did.
pub(super) struct Drained {
    /// Bytes delivered.
    pub bytes: usize,
    /// A slot was freed in a ring that was full: writers may go on.
    pub made_room: bool,
}

/// The buffers of one pipe.
pub(super) struct Ring {
    bufs: VecDeque<Buf>,
    /// Slots the ring may use (Linux's `max_usage`).
    slots: usize,
    /// A page kept from the last freed slot, so steady traffic does not allocate.
    spare: Option<Vec<u8>>,
}

impl Ring {
    /// An empty ring of `slots` slots.
    pub fn new(slots: usize) -> Ring {
        Ring {
            bufs: VecDeque::new(),
            slots,
            spare: None,
        }
    }

    /// No data queued.
    pub fn is_empty(&self) -> bool {
        self.bufs.is_empty()
    }

    /// Every slot taken: a write can only top up the last page.
    pub fn is_full(&self) -> bool {
        self.bufs.len() >= self.slots
    }

    /// Bytes queued (`FIONREAD`).
    pub fn bytes(&self) -> usize {
        self.bufs.iter().map(Buf::len).sum()
    }

    /// The slot count.
    pub fn slots(&self) -> usize {
        self.slots
    }

    /// Changes the slot count; `EBUSY` if fewer than the slots now occupied.
    pub fn resize(&mut self, slots: usize) -> KResult<()> {
        if slots < self.bufs.len() {
            return Err(Errno::EBUSY);
        }
        self.slots = slots;
        Ok(())
    }

    fn new_page(&mut self) -> Vec<u8> {
        match self.spare.take() {
            Some(mut p) => {
                p.clear();
                p
            }
            None => Vec::with_capacity(PAGE_SIZE),
        }
    }

    /// Takes up to `count` bytes from the front into `sink` (which returns how much it took;
    /// fewer means the reader's buffer faulted). A packet ends the read; data a fault left
    /// behind stays queued, and a fault before anything was delivered is `EFAULT`.
    pub fn read(&mut self, count: usize, sink: &mut dyn FnMut(&[u8]) -> usize) -> KResult<Drained> {
        let mut out = Drained {
            bytes: 0,
            made_room: false,
        };
        let mut left = count;
        while left > 0 {
            let full = self.is_full();
            let Some(buf) = self.bufs.front_mut() else {
                break;
            };
            let chars = buf.len().min(left);
            if sink(&buf.page[buf.start..buf.start + chars]) < chars {
                // Like Linux, the slot is left as it was, even the part that was copied.
                if out.bytes == 0 {
                    return Err(Errno::EFAULT);
                }
                break;
            }
            out.bytes += chars;
            buf.start += chars;
            left -= chars;
            if buf.packet {
                // The rest of the packet is dropped and the read ends here.
                buf.start = buf.page.len();
                left = 0;
            }
            if buf.len() == 0 {
                out.made_room |= full;
                if let Some(b) = self.bufs.pop_front() {
                    self.spare = Some(b.page);
                }
            }
        }
        Ok(out)
    }

    /// Appends up to `count` bytes pulled from `source` (called with the offset into the
    /// write and a buffer to fill; returns how much it could), as packets when `packet`.
    /// Returns the bytes queued: 0 when the ring is full. A fault loses the page being
    /// filled; with nothing queued before it, or while topping up the last page, it is
    /// `EFAULT`.
    pub fn write(
        &mut self,
        count: usize,
        packet: bool,
        source: &mut dyn FnMut(u64, &mut [u8]) -> usize,
    ) -> KResult<usize> {
        let mut done = 0;
        // The sub-page remainder of the length goes into the last page if it fits there
        // whole (packet or not: Linux looks only at the page's merge flag).
        let chars = count % PAGE_SIZE;
        if chars != 0 {
            if let Some(last) = self.bufs.back_mut() {
                let end = last.page.len();
                if last.merge && end + chars <= PAGE_SIZE {
                    last.page.resize(end + chars, 0);
                    if source(0, &mut last.page[end..]) < chars {
                        last.page.truncate(end);
                        return Err(Errno::EFAULT);
                    }
                    done = chars;
                }
            }
        }
        while done < count && !self.is_full() {
            let n = (count - done).min(PAGE_SIZE);
            let mut page = self.new_page();
            page.resize(n, 0);
            if source(done as u64, &mut page) < n {
                self.spare = Some(page);
                if done == 0 {
                    return Err(Errno::EFAULT);
                }
                break;
            }
            self.bufs.push_back(Buf {
                page,
                start: 0,
                merge: !packet,
                packet,
            });
            done += n;
        }
        Ok(done)
    }

    /// `tee`'s copy: duplicates up to `len` queued bytes into `out`, one slot per slot while
    /// `out` has free slots. The copies are never merged into (Linux shares the pages).
    pub fn copy_to(&self, out: &mut Ring, len: usize) -> usize {
        let mut done = 0;
        for buf in &self.bufs {
            if done == len || out.is_full() {
                break;
            }
            let n = buf.len().min(len - done);
            let mut page = out.new_page();
            page.extend_from_slice(&buf.page[buf.start..buf.start + n]);
            out.bufs.push_back(Buf {
                page,
                start: 0,
                merge: false,
                packet: buf.packet,
            });
            done += n;
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(r: &mut Ring, data: &[u8], packet: bool) -> KResult<usize> {
        r.write(data.len(), packet, &mut |off, dst| {
            let off = off as usize;
            dst.copy_from_slice(&data[off..off + dst.len()]);
            dst.len()
        })
    }

    fn take(r: &mut Ring, count: usize) -> Vec<u8> {
        let mut out = Vec::new();
        r.read(count, &mut |d| {
            out.extend_from_slice(d);
            d.len()
        })
        .unwrap();
        out
    }

    #[test]
    fn small_writes_merge_into_one_page() {
        let mut r = Ring::new(16);
        for _ in 0..64 {
            assert_eq!(put(&mut r, &[1; 1024], false), Ok(1024));
        }
        assert!(r.is_full());
        assert_eq!(put(&mut r, &[1; 1], false), Ok(0));
        assert_eq!(r.bytes(), 65536);
    }

    #[test]
    fn a_large_write_takes_whole_pages() {
        let mut r = Ring::new(16);
        assert_eq!(put(&mut r, &[1], false), Ok(1));
        // 65536 has no sub-page remainder: nothing merges, 15 fresh pages.
        assert_eq!(put(&mut r, &[2; 65536], false), Ok(61440));
        assert_eq!(take(&mut r, 70000).len(), 61441);
        assert_eq!(put(&mut r, &[1; 100], false), Ok(100));
        // 904 bytes top up the first page, then one fresh page.
        assert_eq!(put(&mut r, &[1; 5000], false), Ok(5000));
        assert_eq!(put(&mut r, &[1; 70000], false), Ok(57344));
    }

    #[test]
    fn packets_are_read_one_at_a_time() {
        let mut r = Ring::new(16);
        put(&mut r, b"one", true).unwrap();
        put(&mut r, b"two!", true).unwrap();
        assert_eq!(take(&mut r, 100), b"one");
        assert_eq!(take(&mut r, 2), b"tw");
        assert!(r.is_empty());
        assert_eq!(put(&mut r, &[7; 6000], true), Ok(6000));
        assert_eq!(take(&mut r, 8192).len(), 4096);
        assert_eq!(take(&mut r, 8192).len(), 1904);
    }

    #[test]
    fn a_packet_merges_into_a_plain_page() {
        let mut r = Ring::new(16);
        put(&mut r, b"ab", false).unwrap();
        put(&mut r, b"cd", true).unwrap();
        put(&mut r, b"ef", true).unwrap();
        assert_eq!(take(&mut r, 100), b"abcdef");
    }

    #[test]
    fn a_fault_leaves_the_data() {
        let mut r = Ring::new(16);
        put(&mut r, b"hello", false).unwrap();
        assert_eq!(r.read(5, &mut |_| 0).err(), Some(Errno::EFAULT));
        assert_eq!(take(&mut r, 5), b"hello");
        assert_eq!(r.write(5, false, &mut |_, _| 0), Err(Errno::EFAULT));
        assert!(r.is_empty());
    }

    #[test]
    fn resize_refuses_below_occupancy() {
        let mut r = Ring::new(16);
        put(&mut r, &[0; 3 * 4096], false).unwrap();
        assert_eq!(r.resize(2), Err(Errno::EBUSY));
        assert_eq!(r.resize(3), Ok(()));
        assert!(r.is_full());
    }

    #[test]
    fn tee_copies_are_not_merged_into() {
        let (mut a, mut b) = (Ring::new(16), Ring::new(1));
        put(&mut a, b"12", false).unwrap();
        assert_eq!(a.copy_to(&mut b, 100), 2);
        assert_eq!(a.bytes(), 2);
        assert_eq!(put(&mut b, b"3", false), Ok(0));
    }
}
