//! The KVM engine: one VM per sandbox, one vCPU per guest thread, the program in ring 3 on page
//! tables the kernel builds, and exactly one exit per syscall.
//!
//! It uses only what behaves the same under hardware KVM and under PVM (a software hypervisor
//! with shadow paging): the syscall stub exits with `out` and sbx resumes the program by setting
//! its registers through `KVM_CAP_SYNC_REGS` (no `sysretq`); exceptions reach ring-0 IDT gates
//! that exit the same way and `iretq` back; page-table entries that stop being valid are
//! rewritten by the guest itself before the program runs again, because a shadow MMU only sees
//! writes the guest makes.

mod cpuid;
mod gates;
mod layout;
mod vcpu;

use std::sync::{Arc, Mutex};

use kvm_bindings::{kvm_userspace_memory_region, CpuId, KVM_MAX_CPUID_ENTRIES};
use kvm_ioctls::{Kvm, VmFd};
use sbx_kernel::engine::{CpuFacts, EngineError, Machine, NewVcpu};
use sbx_kernel::mm::{
    AddressSpaceTemplate, EnginePage, PhysMemory, PTE_A, PTE_D, PTE_P, PTE_PS, PTE_RW, RESERVED_LOW,
};

pub use cpuid::CpuProfile;
use layout::*;

/// A sandbox's KVM virtual machine.
pub struct KvmMachine {
    vm: VmFd,
    phys: Arc<PhysMemory>,
    cpuid: CpuId,
    xcr0: u64,
    facts: CpuFacts,
    fault_resume: u64,
    /// vCPUs of finished threads, ready for new ones.
    pool: Arc<Mutex<Vec<vcpu::KvmVcpu>>>,
    next_id: Mutex<u64>,
    /// How many vCPUs this VM may have: the layout's room, or KVM's limit if lower.
    max_vcpus: u64,
    /// A fresh vCPU's FPU state, which new threads without a parent state start from.
    initial_fpu: Mutex<Option<Vec<u8>>>,
}

/// Why `/dev/kvm` cannot be used, in one line a user can act on.
pub fn explain_open_error(err: &kvm_ioctls::Error) -> String {
    match err.errno() {
        libc::ENOENT => "/dev/kvm does not exist: this host has no KVM (enable virtualization and load kvm_intel or kvm_amd)".into(),
        libc::EACCES | libc::EPERM => {
            let group = kvm_group().unwrap_or_else(|| "kvm".into());
            format!("permission denied opening /dev/kvm: add your user to the '{group}' group (sudo usermod -aG {group} $USER) and log in again")
        }
        e => format!("cannot open /dev/kvm: {}", std::io::Error::from_raw_os_error(e)),
    }
}

/// The group that owns `/dev/kvm`, by name when the group database has it.
fn kvm_group() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let gid = std::fs::metadata("/dev/kvm").ok()?.gid();
    let groups = std::fs::read_to_string("/etc/group").ok()?;
    groups.lines().find_map(|l| {
        let mut f = l.split(':');
        let name = f.next()?;
        f.next()?;
        (f.next()?.parse::<u32>().ok()? == gid).then(|| name.to_string())
    })
}

fn host_err(what: &str, e: impl std::fmt::Display) -> EngineError {
    EngineError::Host(format!("{what}: {e}"))
}

impl KvmMachine {
    /// Creates a VM whose programs may use up to `memory` bytes of guest memory.
    pub fn new(memory: u64, profile: CpuProfile) -> Result<Self, EngineError> {
        let kvm = Kvm::new().map_err(|e| EngineError::Unavailable(explain_open_error(&e)))?;
        let vm = kvm.create_vm().map_err(|e| host_err("KVM_CREATE_VM", e))?;
        // Page tables take about 1/512 of what they map; leave generous room for them.
        let size = (memory + memory / 64 + RESERVED_LOW).min(MAX_PHYS);
        let phys = Arc::new(
            PhysMemory::new(size, size - RESERVED_LOW).map_err(|e| host_err("guest memory", e))?,
        );
        let region = kvm_userspace_memory_region {
            slot: 0,
            flags: 0,
            guest_phys_addr: 0,
            memory_size: phys.size(),
            userspace_addr: phys.host_base() as u64,
        };
        // SAFETY: the region is our own mapping, which lives as long as `phys`; the VM is
        // dropped before `phys` (field order) so KVM never sees the mapping after munmap.
        unsafe { vm.set_user_memory_region(region) }
            .map_err(|e| host_err("KVM_SET_USER_MEMORY_REGION", e))?;
        let mut cpuid = kvm
            .get_supported_cpuid(KVM_MAX_CPUID_ENTRIES)
            .map_err(|e| host_err("KVM_GET_SUPPORTED_CPUID", e))?;
        let xcr0 = cpuid::apply(profile, &mut cpuid);
        let xsave_size = cpuid::xsave_size(&cpuid, xcr0);
        let facts = CpuFacts {
            hwcap: cpuid::hwcap(&cpuid),
            hwcap2: 0,
            minsigstksz: (xsave_size as u64 + 0x300 + 15) & !15,
            xsave_size,
        };
        let gates = gates::gate_code().map_err(|e| host_err("assembling gate code", e))?;
        let entry = gates::entry_page().map_err(|e| host_err("assembling entry page", e))?;
        Self::write_kernel_area(&phys, &gates, &entry)?;
        Ok(KvmMachine {
            vm,
            phys,
            cpuid,
            xcr0,
            facts,
            fault_resume: gates.fault_resume,
            pool: Arc::new(Mutex::new(Vec::new())),
            next_id: Mutex::new(0),
            max_vcpus: MAX_VCPUS.min(kvm.get_max_vcpus() as u64),
            initial_fpu: Mutex::new(None),
        })
    }

    /// Writes the IDT, gate code, entry page and the kernel direct map.
    fn write_kernel_area(
        phys: &PhysMemory,
        gates: &gates::GateCode,
        entry: &[u8],
    ) -> Result<(), EngineError> {
        let w = |pa: u64, data: &[u8]| {
            phys.write(pa, data)
                .map_err(|e| host_err("writing the kernel area", e))
        };
        w(GATE_CODE, &gates.bytes)?;
        w(ENTRY_PAGE, entry)?;
        for (v, &handler) in gates.entries.iter().enumerate() {
            // #BP and #OF may be raised from ring 3 with int3/into, like Linux's gates.
            let dpl: u64 = if v == 3 || v == 4 { 3 } else { 0 };
            let lo = (handler & 0xffff)
                | ((KERNEL_CS as u64) << 16)
                | ((0x8e | (dpl << 5)) << 40)
                | (((handler >> 16) & 0xffff) << 48);
            phys.write_u64(IDT + v as u64 * 16, lo);
            phys.write_u64(IDT + v as u64 * 16 + 8, handler >> 32);
        }
        // Direct map: PML4[256] -> PDPT -> one PD per GiB of 2 MiB pages, supervisor-only.
        let table = PTE_P | PTE_RW | PTE_A;
        phys.write_u64(KERNEL_PML4 + 256 * 8, DIRECT_PDPT | table);
        let gib = phys.size().div_ceil(1 << 30);
        for g in 0..gib {
            let pd = DIRECT_PD + g * 0x1000;
            phys.write_u64(DIRECT_PDPT + g * 8, pd | table);
            for i in 0..512u64 {
                let pa = (g << 30) + (i << 21);
                if pa < phys.size() {
                    phys.write_u64(pd + i * 8, pa | table | PTE_D | PTE_PS);
                }
            }
        }
        Ok(())
    }

    fn alloc_id(&self) -> Result<u64, EngineError> {
        let mut next = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
        if *next >= self.max_vcpus {
            return Err(EngineError::Host(format!(
                "more than {} threads running at once",
                self.max_vcpus
            )));
        }
        *next += 1;
        Ok(*next - 1)
    }
}

impl Machine for KvmMachine {
    fn name(&self) -> &'static str {
        "kvm"
    }

    fn phys(&self) -> &Arc<PhysMemory> {
        &self.phys
    }

    fn template(&self) -> AddressSpaceTemplate {
        AddressSpaceTemplate {
            kernel_root: KERNEL_PML4,
            pages: vec![EnginePage {
                va: ENTRY_PAGE,
                pa: ENTRY_PAGE,
            }],
        }
    }

    fn new_vcpu(&self) -> Result<NewVcpu, EngineError> {
        use sbx_kernel::engine::Vcpu;
        let pooled = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut v = match pooled {
            Some(mut v) => {
                // A previous thread's FPU state must not leak into the next one.
                let init = self
                    .initial_fpu
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone();
                if let Some(init) = init {
                    v.set_fpu_state(&init)?;
                }
                v
            }
            None => {
                let id = self.alloc_id()?;
                let (mut v, _) = vcpu::KvmVcpu::new(self, id)?;
                let mut init = self.initial_fpu.lock().unwrap_or_else(|e| e.into_inner());
                if init.is_none() {
                    *init = Some(v.fpu_state()?);
                }
                v
            }
        };
        v.reset();
        let kicker = v.kicker();
        Ok((
            Box::new(vcpu::PooledVcpu::new(v, self.pool.clone())),
            kicker,
        ))
    }

    fn cpu_facts(&self) -> CpuFacts {
        self.facts
    }
}
