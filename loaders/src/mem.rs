//! A bounded in-memory [`ImageSink`], for tests, fuzzing and tools that inspect a load
//! without a VM.

use std::collections::BTreeMap;

use crate::load::ImageSink;
use crate::PAGE_SIZE;

/// Why [`MemorySink`] refused an operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MemoryError {
    /// An address or length that must be page aligned is not.
    #[error("address {addr:#x} or length {len:#x} is not page aligned")]
    Unaligned {
        /// The address.
        addr: u64,
        /// The length.
        len: u64,
    },
    /// `addr + len` overflows.
    #[error("range {addr:#x}+{len:#x} overflows the address space")]
    Overflow {
        /// The address.
        addr: u64,
        /// The length.
        len: u64,
    },
    /// Mapping this would exceed the sink's byte limit.
    #[error(
        "mapping {len:#x} bytes at {addr:#x} would exceed the limit of {limit:#x} mapped bytes"
    )]
    LimitExceeded {
        /// The address.
        addr: u64,
        /// The length.
        len: u64,
        /// The sink's limit.
        limit: u64,
    },
    /// The range touches a page that is not mapped.
    #[error("address {addr:#x} is not mapped")]
    Unmapped {
        /// The first unmapped address.
        addr: u64,
    },
}

/// One mapped page. The data is allocated on first write, so mapping a large bss is cheap.
#[derive(Debug, Clone)]
struct Page {
    prot: u32,
    data: Option<Box<[u8]>>,
}

/// A sparse guest address space held in host memory, page by page, that refuses to map
/// more than a fixed number of bytes in total (so absurd segment sizes fail cleanly).
#[derive(Debug, Clone)]
pub struct MemorySink {
    pages: BTreeMap<u64, Page>,
    limit: u64,
}

impl MemorySink {
    /// An empty address space that will map at most `limit` bytes.
    pub fn new(limit: u64) -> Self {
        MemorySink {
            pages: BTreeMap::new(),
            limit,
        }
    }

    /// Total bytes currently mapped.
    pub fn mapped_bytes(&self) -> u64 {
        self.pages.len() as u64 * PAGE_SIZE
    }

    /// Protection of the page containing `addr`, if mapped.
    pub fn prot_at(&self, addr: u64) -> Option<u32> {
        self.pages.get(&(addr / PAGE_SIZE)).map(|p| p.prot)
    }

    /// Reads `len` bytes at `addr`, or `None` if any of them is unmapped.
    pub fn read(&self, addr: u64, len: usize) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(len);
        let mut at = addr;
        let end = addr.checked_add(len as u64)?;
        while at < end {
            let page = self.pages.get(&(at / PAGE_SIZE))?;
            let off = (at % PAGE_SIZE) as usize;
            let n = ((PAGE_SIZE - at % PAGE_SIZE).min(end - at)) as usize;
            match &page.data {
                Some(data) => out.extend_from_slice(data.get(off..off + n)?),
                None => out.resize(out.len() + n, 0),
            }
            at += n as u64;
        }
        Some(out)
    }

    /// Reads a little-endian u64 at `addr`.
    pub fn read_u64(&self, addr: u64) -> Option<u64> {
        let bytes = self.read(addr, 8)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// Reads a NUL-terminated string at `addr` (without the NUL), at most `max` bytes.
    pub fn read_cstr(&self, addr: u64, max: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        for i in 0..max as u64 {
            let b = *self.read(addr.checked_add(i)?, 1)?.first()?;
            if b == 0 {
                return Some(out);
            }
            out.push(b);
        }
        None
    }

    /// Checks a page-aligned range and returns its first and last-plus-one page numbers.
    fn page_range(addr: u64, len: u64) -> Result<(u64, u64), MemoryError> {
        if addr % PAGE_SIZE != 0 || len % PAGE_SIZE != 0 {
            return Err(MemoryError::Unaligned { addr, len });
        }
        let end = addr
            .checked_add(len)
            .ok_or(MemoryError::Overflow { addr, len })?;
        Ok((addr / PAGE_SIZE, end / PAGE_SIZE))
    }
}

impl ImageSink for MemorySink {
    type Error = MemoryError;

    fn map_zeroed(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), MemoryError> {
        let (first, last) = Self::page_range(addr, len)?;
        // Count only pages not mapped yet: replacing a mapping does not grow the total.
        // Checked before inserting anything, so a refused map changes nothing.
        let already = self.pages.range(first..last).count() as u64;
        let after = (self.pages.len() as u64 - already).saturating_add(last - first);
        if after.saturating_mul(PAGE_SIZE) > self.limit {
            return Err(MemoryError::LimitExceeded {
                addr,
                len,
                limit: self.limit,
            });
        }
        for page in first..last {
            self.pages.insert(page, Page { prot, data: None });
        }
        Ok(())
    }

    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError> {
        let end = addr
            .checked_add(data.len() as u64)
            .ok_or(MemoryError::Overflow {
                addr,
                len: data.len() as u64,
            })?;
        // Check first so that a failed write leaves memory untouched.
        let mut at = addr;
        while at < end {
            if !self.pages.contains_key(&(at / PAGE_SIZE)) {
                return Err(MemoryError::Unmapped { addr: at });
            }
            at = (at / PAGE_SIZE + 1).saturating_mul(PAGE_SIZE);
        }
        let mut at = addr;
        let mut rest = data;
        while !rest.is_empty() {
            let off = (at % PAGE_SIZE) as usize;
            let n = rest.len().min(PAGE_SIZE as usize - off);
            let (chunk, tail) = rest.split_at(n);
            if let Some(page) = self.pages.get_mut(&(at / PAGE_SIZE)) {
                let buf = page
                    .data
                    .get_or_insert_with(|| vec![0; PAGE_SIZE as usize].into_boxed_slice());
                if let Some(dst) = buf.get_mut(off..off + n) {
                    dst.copy_from_slice(chunk);
                }
            }
            rest = tail;
            at += n as u64;
        }
        Ok(())
    }

    fn protect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), MemoryError> {
        let (first, last) = Self::page_range(addr, len)?;
        if let Some(missing) = (first..last).find(|p| !self.pages.contains_key(p)) {
            return Err(MemoryError::Unmapped {
                addr: missing * PAGE_SIZE,
            });
        }
        for page in self.pages.range_mut(first..last) {
            page.1.prot = prot;
        }
        Ok(())
    }
}
