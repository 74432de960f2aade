//! Starting guest threads: each runs on its own host thread and vCPU.

use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use crate::engine::EngineError;
use crate::errno::{Errno, KResult};
use crate::task::Task;
use crate::Kernel;

/// The host threads of a sandbox and the first engine failure any of them hit.
#[derive(Default)]
pub struct HostThreads {
    handles: Mutex<Vec<JoinHandle<()>>>,
    error: Mutex<Option<String>>,
}

impl HostThreads {
    fn handles(&self) -> MutexGuard<'_, Vec<JoinHandle<()>>> {
        self.handles.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Joins every host thread started so far (and those they started), so nothing of the
    /// sandbox outlives it.
    pub fn join_all(&self) {
        loop {
            let batch: Vec<_> = std::mem::take(&mut *self.handles());
            if batch.is_empty() {
                return;
            }
            for h in batch {
                let _ = h.join();
            }
        }
    }

    /// The first engine failure, if any thread had one.
    pub fn error(&self) -> Option<String> {
        self.error.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn record(&self, e: &EngineError) {
        let mut slot = self.error.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(e.to_string());
        }
    }
}

/// Registers `task`'s thread and starts it on a new host thread with a vCPU of its own.
/// `EAGAIN` when the host or the engine has no room for another thread.
pub fn start_thread(kernel: &Arc<Kernel>, task: Task) -> KResult<()> {
    let (vcpu, kicker) = kernel.machine.new_vcpu().map_err(|_| Errno::EAGAIN)?;
    task.thread.set_kicker(Some(kicker));
    kernel.procs.add_thread(&task.thread, &task.process)?;
    let k = kernel.clone();
    let tid = task.tid;
    let slot = Arc::new(Mutex::new(Some((task, vcpu))));
    let slot2 = slot.clone();
    let spawned = std::thread::Builder::new()
        .name(format!("sbx-tid-{tid}"))
        .stack_size(2 << 20)
        .spawn(move || {
            let taken = slot2.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some((mut task, mut vcpu)) = taken {
                if let Err(e) = task.run(vcpu.as_mut()) {
                    k.host_threads.record(&e);
                }
            }
        });
    match spawned {
        Ok(h) => {
            kernel.host_threads.handles().push(h);
            Ok(())
        }
        Err(_) => {
            // The task never ran: unregister it as an exit would.
            if let Some((mut task, _)) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
                task.exit_status = Some(crate::task::ExitStatus::Exited(0));
                crate::exit::exit_thread(&mut task);
            }
            Err(Errno::EAGAIN)
        }
    }
}
