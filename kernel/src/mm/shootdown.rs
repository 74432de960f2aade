//! Keeping every vCPU that runs an address space in step with its page tables (Linux's TLB
//! shootdown).
//!
//! Threads of one process (and a `vfork` child) run on vCPUs of their own but share one `Mm`.
//! A change that takes a translation away (`munmap`, `mprotect`, `mremap`) lists the table
//! pages it touched; before the changing thread runs guest code again it [`publishes`] them:
//! every vCPU of the address space gets them on its own list, to re-announce (under PVM) or
//! flush (hardware KVM) the next time it enters the guest, and every *other* vCPU that is in
//! the guest right now is kicked out and waited for. Frames the change freed are only
//! returned to the allocator after that, so no vCPU can still reach a frame that has been
//! handed to someone else.
//!
//! [`publishes`]: MmCpus::publish

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::Duration;

use crate::engine::KickSlot;

/// One vCPU's view of the address space it runs.
pub struct MmCpu {
    /// Table pages to re-announce before it runs guest code again.
    pending: Mutex<Vec<u64>>,
    /// Running guest code (between [`MmCpu::enter`] and [`MmCpu::leave`]).
    in_guest: AtomicBool,
    /// How many times it has left the guest.
    exits: AtomicU64,
    /// Stops its vCPU: the thread's own slot.
    kicker: Arc<KickSlot>,
}

impl MmCpu {
    /// A vCPU record with nothing pending, stopped through `kicker`.
    pub fn new(kicker: Arc<KickSlot>) -> Arc<MmCpu> {
        Arc::new(MmCpu {
            pending: Mutex::default(),
            in_guest: AtomicBool::new(false),
            exits: AtomicU64::new(0),
            kicker,
        })
    }

    fn lock_pending(&self) -> MutexGuard<'_, Vec<u64>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The vCPU is about to run guest code: marks it so, then takes the table pages it must
    /// re-announce first (sorted, without duplicates). Call with the `Mm` locked, after
    /// [`MmCpus::publish`]; the order (mark, then take) is what makes a concurrent publish
    /// either reach this list or see the mark.
    pub fn enter(&self) -> Vec<u64> {
        self.in_guest.store(true, Ordering::SeqCst);
        let mut pages = std::mem::take(&mut *self.lock_pending());
        pages.sort_unstable();
        pages.dedup();
        pages
    }

    /// The vCPU has left the guest.
    pub fn leave(&self) {
        self.in_guest.store(false, Ordering::SeqCst);
        self.exits.fetch_add(1, Ordering::SeqCst);
    }

    fn kick(&self) {
        self.kicker.kick();
    }
}

/// The vCPUs running one address space.
#[derive(Default)]
pub struct MmCpus {
    list: Vec<Weak<MmCpu>>,
}

impl MmCpus {
    /// Adds a vCPU (a thread starts running this address space).
    pub fn attach(&mut self, cpu: &Arc<MmCpu>) {
        self.list.retain(|w| w.strong_count() > 0);
        if !self
            .list
            .iter()
            .any(|w| std::ptr::eq(w.as_ptr(), Arc::as_ptr(cpu)))
        {
            self.list.push(Arc::downgrade(cpu));
        }
    }

    /// Whether more than one vCPU runs the address space (so freed frames must wait for a
    /// shootdown).
    pub fn shared(&self) -> bool {
        self.list.iter().filter(|w| w.strong_count() > 0).count() > 1
    }

    /// Hands `pages` to every vCPU and waits until every vCPU other than `me` that was
    /// running guest code has left it (it re-announces them before it runs again).
    pub fn publish(&mut self, pages: &[u64], me: Option<&MmCpu>) {
        self.list.retain(|w| w.strong_count() > 0);
        let cpus: Vec<Arc<MmCpu>> = self.list.iter().filter_map(Weak::upgrade).collect();
        let mut waits = Vec::new();
        for cpu in &cpus {
            cpu.lock_pending().extend_from_slice(pages);
            let is_me = me.is_some_and(|m| std::ptr::eq(m, Arc::as_ptr(cpu)));
            if !is_me && cpu.in_guest.load(Ordering::SeqCst) {
                let seen = cpu.exits.load(Ordering::SeqCst);
                cpu.kick();
                waits.push((cpu, seen));
            }
        }
        for (cpu, seen) in waits {
            let mut spins = 0u32;
            while cpu.in_guest.load(Ordering::SeqCst) && cpu.exits.load(Ordering::SeqCst) == seen {
                // A kicked vCPU leaves within microseconds; sleep only if it takes longer. A
                // kick that lands while the vCPU runs engine code (the flush trampoline) is
                // absorbed there, so keep kicking until it is out.
                spins += 1;
                if spins < 200 {
                    std::hint::spin_loop();
                } else {
                    std::thread::sleep(Duration::from_micros(20));
                    if spins % 8 == 0 {
                        cpu.kick();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::VcpuKicker;

    struct CountKicks(AtomicU64);
    impl VcpuKicker for CountKicks {
        fn kick(&self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn publish_reaches_every_cpu_and_waits_only_for_others_in_the_guest() {
        let slot = |k: Option<Arc<CountKicks>>| {
            let s = Arc::new(KickSlot::default());
            s.set(k.map(|k| k as Arc<dyn VcpuKicker>));
            s
        };
        let kicks = Arc::new(CountKicks(AtomicU64::new(0)));
        let idle_kicks = Arc::new(CountKicks(AtomicU64::new(0)));
        let me = MmCpu::new(slot(None));
        let other = MmCpu::new(slot(Some(kicks.clone())));
        let idle = MmCpu::new(slot(Some(idle_kicks.clone())));
        let mut cpus = MmCpus::default();
        for c in [&me, &other, &idle] {
            cpus.attach(c);
        }
        cpus.attach(&me);
        assert!(cpus.shared());
        assert!(me.enter().is_empty());
        assert!(other.enter().is_empty());
        // `other` is in the guest: the publisher waits until it leaves.
        let o2 = other.clone();
        let leaver = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            o2.leave();
        });
        cpus.publish(&[0x5000, 0x3000, 0x5000], Some(&me));
        leaver.join().unwrap();
        // The vCPU in the guest is kicked (again while it stays there); the idle one never.
        assert!(kicks.0.load(Ordering::SeqCst) >= 1);
        assert_eq!(idle_kicks.0.load(Ordering::SeqCst), 0);
        for c in [&me, &other, &idle] {
            assert_eq!(c.enter(), [0x3000, 0x5000]);
            c.leave();
        }
        drop((other, idle));
        assert!(!cpus.shared());
    }
}
