//! The guest thread running on this host thread (Linux's `current`), for the few file kinds
//! whose behaviour depends on who uses them rather than on who opened them: a signalfd reads
//! and polls the signals of the thread that reads or polls it. Every guest thread runs on a
//! host thread of its own (`spawn.rs`), so a thread-local names it exactly.

use std::cell::RefCell;
use std::sync::Arc;

use crate::process::{Process, Thread};

thread_local! {
    static CURRENT: RefCell<Option<(Arc<Process>, Arc<Thread>)>> = const { RefCell::new(None) };
}

/// Marks a guest thread as running on this host thread until dropped.
pub struct CurrentGuard {
    previous: Option<(Arc<Process>, Arc<Thread>)>,
}

impl Drop for CurrentGuard {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

/// Makes thread `t` of process `p` the current one on this host thread (the run loop and
/// unit tests); the returned guard puts back what was there before.
pub fn enter(p: &Arc<Process>, t: &Arc<Thread>) -> CurrentGuard {
    let previous = CURRENT.with(|c| c.borrow_mut().replace((p.clone(), t.clone())));
    CurrentGuard { previous }
}

/// The current guest thread and its process; `None` on a host thread that runs none (the
/// timer service, host-side callers).
pub fn current() -> Option<(Arc<Process>, Arc<Thread>)> {
    CURRENT.with(|c| c.borrow().clone())
}
