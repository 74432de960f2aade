//! The syscall table's type and dispatch. `syscalls/` fills the table; the kernel only runs it.

use crate::errno::{Errno, KResult};
use crate::task::Task;

/// The six argument registers of a syscall (rdi, rsi, rdx, r10, r8, r9).
#[derive(Clone, Copy, Debug, Default)]
pub struct SyscallArgs {
    /// Syscall number (rax at entry).
    pub nr: u64,
    /// Arguments in ABI order.
    pub args: [u64; 6],
}

impl SyscallArgs {
    /// Argument `i` as an unsigned 64-bit value.
    pub fn u(&self, i: usize) -> u64 {
        self.args[i]
    }
    /// Argument `i` truncated to a C `int`.
    pub fn i32(&self, i: usize) -> i32 {
        self.args[i] as i32
    }
    /// Argument `i` truncated to an `unsigned int`.
    pub fn u32(&self, i: usize) -> u32 {
        self.args[i] as u32
    }
}

/// A syscall handler: returns the value for `rax` or an errno.
pub type Handler = fn(&mut Task, &SyscallArgs) -> KResult<u64>;

/// How much of a syscall sbx implements (drives the generated compatibility table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Support {
    /// Implemented as Linux documents it.
    Full,
    /// Implemented with the noted gaps.
    Partial(&'static str),
    /// Returns `ENOSYS`, for the noted reason.
    Unimplemented(&'static str),
}

/// One entry of the table.
#[derive(Clone, Copy, Debug)]
pub struct SyscallEntry {
    /// The x86-64 syscall number.
    pub nr: u32,
    /// The syscall's name.
    pub name: &'static str,
    /// The handler, `None` when unimplemented.
    pub handler: Option<Handler>,
    /// Support level and note.
    pub support: Support,
}

/// The syscall table: number → entry.
#[derive(Default)]
pub struct SyscallTable {
    entries: Vec<Option<SyscallEntry>>,
}

impl SyscallTable {
    /// Installs or replaces an entry.
    pub fn set(&mut self, entry: SyscallEntry) {
        let nr = entry.nr as usize;
        if self.entries.len() <= nr {
            self.entries.resize(nr + 1, None);
        }
        self.entries[nr] = Some(entry);
    }

    /// The entry for `nr`.
    pub fn get(&self, nr: u64) -> Option<&SyscallEntry> {
        usize::try_from(nr)
            .ok()
            .and_then(|n| self.entries.get(n))
            .and_then(|e| e.as_ref())
    }

    /// All entries in number order.
    pub fn entries(&self) -> impl Iterator<Item = &SyscallEntry> {
        self.entries.iter().flatten()
    }

    /// Runs the handler for `args.nr`; unknown and unimplemented numbers give `ENOSYS`.
    pub fn dispatch(&self, task: &mut Task, args: &SyscallArgs) -> KResult<u64> {
        match self.get(args.nr).and_then(|e| e.handler) {
            Some(h) => h(task, args),
            None => Err(Errno::ENOSYS),
        }
    }
}
