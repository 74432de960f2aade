//! CPU profiles: what the guest sees through CPUID, the auxiliary vector and XCR0.
//!
//! `host` passes through what the host CPU and KVM support, so glibc's ifuncs pick the fast
//! AVX2/AVX-512 code. `baseline` is x86-64 plus SSE2 only: what the BT engine implements, so the
//! same program can be compared instruction for instruction across engines.

use kvm_bindings::{kvm_cpuid_entry2, CpuId};

/// A named CPU profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CpuProfile {
    /// Everything the host and KVM support.
    #[default]
    Host,
    /// x86-64 baseline with SSE2.
    Baseline,
}

impl CpuProfile {
    /// Parses a profile name (`host`, `baseline`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "host" => Some(CpuProfile::Host),
            "baseline" => Some(CpuProfile::Baseline),
            _ => None,
        }
    }
}

/// XCR0 bits sbx will enable: x87, SSE, AVX, AVX-512 (opmask, ZMM_Hi256, Hi16_ZMM).
const XCR0_WANTED: u64 = 0b1110_0111;
/// XCR0 for the baseline profile: x87 and SSE.
const XCR0_BASELINE: u64 = 0b11;

/// Leaf 1 EDX bits of the baseline profile: FPU, TSC, CX8, CMOV, MMX, FXSR, SSE, SSE2 and the
/// architectural basics every x86-64 CPU has.
const BASELINE_1_EDX: u32 = (1 << 0)
    | (1 << 1)
    | (1 << 3)
    | (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 8)
    | (1 << 11)
    | (1 << 13)
    | (1 << 15)
    | (1 << 23)
    | (1 << 24)
    | (1 << 25)
    | (1 << 26);
/// Leaf 0x8000_0001 EDX of the baseline: SYSCALL, NX, LM.
const BASELINE_EXT_EDX: u32 = (1 << 11) | (1 << 20) | (1 << 29);
/// Leaf 0x8000_0001 ECX of the baseline: LAHF/SAHF.
const BASELINE_EXT_ECX: u32 = 1;

fn entry(cpuid: &CpuId, function: u32, index: u32) -> Option<kvm_cpuid_entry2> {
    cpuid
        .as_slice()
        .iter()
        .find(|e| e.function == function && e.index == index)
        .copied()
}

/// Applies `profile` to KVM's supported CPUID and returns the XCR0 to load.
pub fn apply(profile: CpuProfile, cpuid: &mut CpuId) -> u64 {
    let supported_xcr0 = entry(cpuid, 0xd, 0)
        .map(|e| (e.eax as u64) | ((e.edx as u64) << 32))
        .unwrap_or(3);
    let xsave = entry(cpuid, 1, 0).is_some_and(|e| e.ecx & (1 << 26) != 0);
    let xcr0 = match profile {
        CpuProfile::Host if xsave => supported_xcr0 & XCR0_WANTED,
        _ => XCR0_BASELINE & supported_xcr0.max(3),
    };
    for e in cpuid.as_mut_slice() {
        match (e.function, profile) {
            // Leaf 1: report CR4.OSXSAVE (we set it whenever XSAVE exists) and hide what the
            // baseline does not have.
            (1, CpuProfile::Host) if xsave => e.ecx |= 1 << 27,
            (1, CpuProfile::Baseline) => {
                e.edx &= BASELINE_1_EDX;
                // Keep only the hypervisor bit: no SSE3+, no XSAVE, no AVX.
                e.ecx &= 1 << 31;
            }
            (7, CpuProfile::Baseline) => {
                e.ebx = 0;
                e.ecx = 0;
                e.edx = 0;
            }
            (0xd, CpuProfile::Baseline) => {
                e.eax = 0;
                e.ebx = 0;
                e.ecx = 0;
                e.edx = 0;
            }
            (0x8000_0001, CpuProfile::Baseline) => {
                e.edx &= BASELINE_EXT_EDX;
                e.ecx &= BASELINE_EXT_ECX;
            }
            _ => {}
        }
        if e.function == 0xd && e.index == 0 && profile == CpuProfile::Host {
            // Advertise exactly the state components sbx enables.
            e.eax = (xcr0 & 0xffff_ffff) as u32;
            e.edx = (xcr0 >> 32) as u32;
        }
    }
    xcr0
}

/// `AT_HWCAP` on x86-64 is CPUID leaf 1 EDX.
pub fn hwcap(cpuid: &CpuId) -> u64 {
    entry(cpuid, 1, 0).map(|e| e.edx as u64).unwrap_or(0)
}

/// Bytes of XSAVE state for `xcr0` (CPUID 0xD.0 EBX reports it for the enabled set; we compute
/// it from the per-component offsets so it does not depend on the current XCR0).
pub fn xsave_size(cpuid: &CpuId, xcr0: u64) -> u32 {
    let mut size = 512 + 64;
    for bit in 2..63u32 {
        if xcr0 & (1 << bit) != 0 {
            if let Some(e) = entry(cpuid, 0xd, bit) {
                size = size.max(e.ebx + e.eax);
            }
        }
    }
    size
}
