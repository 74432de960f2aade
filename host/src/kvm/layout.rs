//! Where the KVM engine keeps its own structures, in guest-physical and guest-virtual memory.
//!
//! Guest-physical `[0, RESERVED_LOW)` belongs to the engine. Everything the CPU reaches at ring 0
//! (IDT, GDT, TSS, gate code, kernel stacks, flush lists) is used through a supervisor-only
//! direct map of all guest-physical memory at `KERNEL_BASE`. The one exception is the syscall
//! entry page: under PVM the `syscall` instruction lands in the stub at CPL 3, which cannot
//! fetch from the upper half, so the stub lives in a user-readable low page below
//! `mmap_min_addr`, where no program can map anything.

use sbx_kernel::mm::RESERVED_LOW;

/// Base of the supervisor-only direct map of guest-physical memory (PML4 slot 256).
pub const KERNEL_BASE: u64 = 0xffff_8000_0000_0000;
/// Guest-physical (and guest-virtual, identity) address of the user-visible entry page.
pub const ENTRY_PAGE: u64 = 0xf000;
/// `LSTAR`: the syscall stub (`out SYSCALL_PORT, al`).
pub const SYSCALL_STUB: u64 = ENTRY_PAGE;
/// The `int3` that makes the guest re-announce changed page-table entries and flush its TLB.
pub const FLUSH_TRAMPOLINE: u64 = ENTRY_PAGE + 0x10;

/// Where a batch of flushes that is not the last returns: `out FLUSH_CONTINUE_PORT, al`.
pub const FLUSH_CONTINUE: u64 = ENTRY_PAGE + 0x20;

/// Port written by the syscall stub.
pub const SYSCALL_PORT: u16 = 0x10;
/// Port written by the exception gates.
pub const FAULT_PORT: u16 = 0x11;
/// Port written when a flush batch is done and another follows.
pub const FLUSH_CONTINUE_PORT: u16 = 0x12;

/// IDT (256 gates).
pub const IDT: u64 = 0x1000;
/// Gate code (supervisor).
pub const GATE_CODE: u64 = 0x2000;
/// Template PML4 whose upper half every address space copies.
pub const KERNEL_PML4: u64 = 0x3000;
/// PDPT of the direct map.
pub const DIRECT_PDPT: u64 = 0x4000;
/// First PD of the direct map (2 MiB pages); one PD page per GiB.
pub const DIRECT_PD: u64 = 0x5000;
/// Most guest-physical memory the direct map can cover (one PD page per GiB up to `VCPU_AREA`).
pub const MAX_PHYS: u64 = ((VCPU_AREA - DIRECT_PD) / 0x1000) << 30;

/// Start of the per-vCPU blocks.
pub const VCPU_AREA: u64 = 0x10_0000;
/// Size of one per-vCPU block (64 KiB aligned so gate code finds it from its stack pointer).
pub const VCPU_BLOCK: u64 = 0x1_0000;
/// How many vCPUs fit in the reserved area.
pub const MAX_VCPUS: u64 = (RESERVED_LOW - VCPU_AREA) / VCPU_BLOCK;

/// Offset in a vCPU block: GDT.
pub const BLOCK_GDT: u64 = 0;
/// Offset in a vCPU block: TSS.
pub const BLOCK_TSS: u64 = 0x800;
/// Offset in a vCPU block: flush header `[count, resume rip, resume rflags, 0]`.
pub const BLOCK_FLUSH: u64 = 0x1000;
/// Offset in a vCPU block: first flush entry (kernel-virtual address of a table page).
pub const BLOCK_FLUSH_ENTRIES: u64 = 0x1020;
/// Flush entries that fit (the list spans eight pages).
pub const FLUSH_CAPACITY: usize = ((0x9000 - 0x20) / 8) as usize;
/// Offset in a vCPU block: top of the ring-0 stack (`TSS.RSP0`).
pub const BLOCK_STACK_TOP: u64 = VCPU_BLOCK;

/// Linux's selectors (kernel data 0x18 is in the GDT but never loaded): kernel code.
pub const KERNEL_CS: u16 = 0x10;
/// 32-bit user code (unused, present so `STAR` matches Linux).
pub const USER32_CS: u16 = 0x23;
/// User data.
pub const USER_SS: u16 = 0x2b;
/// 64-bit user code.
pub const USER_CS: u16 = 0x33;
/// TSS selector.
pub const TSS_SEL: u16 = 0x40;

/// Guest-physical base of vCPU `id`'s block.
pub fn vcpu_block(id: u64) -> u64 {
    VCPU_AREA + id * VCPU_BLOCK
}
