//! Blocking a task: the one loop every blocking syscall uses, so each of them is interruptible
//! by signals and honours deadlines the same way.

use std::sync::Arc;
use std::time::Instant;

use crate::errno::{Errno, KResult};
use crate::task::Task;
use crate::wait::{WaitQueue, Wake};

impl Task {
    /// Runs `op` until it returns something other than `EAGAIN`, sleeping on `queues` (each
    /// with its event mask) between attempts.
    ///
    /// Returns `ETIMEDOUT` when `deadline` passes first and `ERESTARTSYS` when a signal is
    /// pending for the task (the signal code turns that into a restart or `EINTR`; callers that
    /// must never restart map it to `ERESTARTNOHAND` or `EINTR`).
    pub fn block_on<T>(
        &mut self,
        queues: &[(&WaitQueue, u32)],
        deadline: Option<Instant>,
        mut op: impl FnMut(&mut Task) -> KResult<T>,
    ) -> KResult<T> {
        match op(self) {
            Err(Errno::EAGAIN) => {}
            other => return other,
        }
        let waiter = self.thread.waiter.clone();
        let target: Arc<dyn Wake> = waiter.clone();
        let _registrations: Vec<_> = queues
            .iter()
            .map(|(q, m)| q.register(&target, *m))
            .collect();
        loop {
            waiter.reset();
            match op(self) {
                Err(Errno::EAGAIN) => {}
                other => return other,
            }
            if self.signal_pending() {
                return Err(Errno::ERESTARTSYS);
            }
            if !waiter.wait(deadline) {
                // One last look: the event may have raced with the deadline.
                return match op(self) {
                    Err(Errno::EAGAIN) => Err(Errno::ETIMEDOUT),
                    other => other,
                };
            }
        }
    }

    /// Sleeps until `deadline` (or forever when `None`); `ERESTARTSYS` when a signal arrives
    /// first.
    pub fn sleep_until(&mut self, deadline: Option<Instant>) -> KResult<()> {
        match self.block_on(&[], deadline, |_| Err::<(), _>(Errno::EAGAIN)) {
            Err(Errno::ETIMEDOUT) => Ok(()),
            other => other,
        }
    }

    /// Whether a signal that would interrupt a blocking call is pending and unblocked, or
    /// the thread must leave (group exit, SIGKILL, exec by another thread).
    pub fn signal_pending(&self) -> bool {
        if self
            .thread
            .must_exit
            .load(std::sync::atomic::Ordering::Acquire)
        {
            return true;
        }
        let st = self.process.state();
        crate::process::has_deliverable(&st, &self.thread) || st.stopped.is_some()
    }
}
