//! The engine's guest code: the syscall stub, the exception gates and the flush trampoline,
//! assembled with iced-x86 so each instruction reads as what it is.

use iced_x86::code_asm::*;
use iced_x86::BlockEncoderOptions;

use super::layout::*;

/// Vectors whose exceptions push an error code.
fn has_error_code(v: u32) -> bool {
    matches!(v, 8 | 10 | 11 | 12 | 13 | 14 | 17 | 21 | 29 | 30)
}

/// Assembled gate code and the entry address of each of the 32 exception vectors.
pub struct GateCode {
    /// Bytes to place at `GATE_CODE`.
    pub bytes: Vec<u8>,
    /// Kernel-virtual entry of vector `i`.
    pub entries: [u64; 32],
    /// Kernel-virtual address just after the fault `out`: where a parked fault resumes.
    pub fault_resume: u64,
}

/// The user-visible entry page: `out SYSCALL_PORT, al` at the start, `int3` at
/// `FLUSH_TRAMPOLINE`.
pub fn entry_page() -> Result<Vec<u8>, IcedError> {
    let mut a = CodeAssembler::new(64)?;
    a.out(SYSCALL_PORT as i32, al)?;
    a.ud2()?;
    let mut page = a.assemble(SYSCALL_STUB)?;
    page.resize((FLUSH_TRAMPOLINE - SYSCALL_STUB) as usize, 0xcc);
    page.push(0xcc); // int3: the flush trampoline
    page.extend_from_slice(&[0x0f, 0x0b]); // ud2: never reached, the gate returns elsewhere
    page.resize((FLUSH_CONTINUE - SYSCALL_STUB) as usize, 0xcc);
    page.extend_from_slice(&[0xe6, FLUSH_CONTINUE_PORT as u8, 0x0f, 0x0b]); // out imm8, al; ud2
    Ok(page)
}

/// The exception gates.
///
/// Every vector but #BP pushes `(vector, error code)` and exits through `FAULT_PORT`; the host
/// reads the frame, rewrites it to where the program must continue, and the gate `iretq`s.
/// #BP at the flush trampoline instead rewrites the first bytes of each listed page-table page
/// with their own value (so a shadow MMU sees the write), reloads CR3, and returns to the resume point stored
/// in the vCPU block; any other #BP is an ordinary breakpoint and exits like the rest.
pub fn gate_code() -> Result<GateCode, IcedError> {
    let base = KERNEL_BASE + GATE_CODE;
    let mut a = CodeAssembler::new(64)?;
    let mut common = a.create_label();
    let mut fault_resume = a.create_label();
    let mut labels = Vec::new();
    for v in 0..32u32 {
        let mut l = a.create_label();
        a.set_label(&mut l)?;
        labels.push(l);
        if v == 3 {
            let mut not_flush = a.create_label();
            let mut pages = a.create_label();
            let mut done = a.create_label();
            a.cmp(qword_ptr(rsp), (FLUSH_TRAMPOLINE + 1) as i32)?;
            a.jne(not_flush)?;
            a.push(rax)?;
            a.push(rbx)?;
            a.push(rdx)?;
            a.push(rsi)?;
            a.push(rdi)?;
            // The vCPU block is the 64 KiB-aligned region holding this stack.
            a.mov(rsi, rsp)?;
            a.and(rsi, -(VCPU_BLOCK as i32))?;
            a.mov(rdx, qword_ptr(rsi + BLOCK_FLUSH as i32))?;
            a.lea(rsi, qword_ptr(rsi + BLOCK_FLUSH_ENTRIES as i32))?;
            a.set_label(&mut pages)?;
            a.test(rdx, rdx)?;
            a.je(done)?;
            // A 2-byte rewrite is "misaligned" to KVM's shadow MMU, which then drops every
            // shadow page derived from this table page instead of patching one entry. It is a
            // locked compare-and-exchange of the word with itself: sbx may be changing that
            // entry from another host thread right now, and a plain read-then-write could put
            // back a stale value over the new one.
            let mut same = a.create_label();
            a.mov(rdi, qword_ptr(rsi))?;
            a.set_label(&mut same)?;
            a.mov(ax, word_ptr(rdi))?;
            a.mov(bx, ax)?;
            a.lock().cmpxchg(word_ptr(rdi), bx)?;
            a.jne(same)?;
            a.add(rsi, 8)?;
            a.dec(rdx)?;
            a.jmp(pages)?;
            a.set_label(&mut done)?;
            a.mov(rax, cr3)?;
            a.mov(cr3, rax)?;
            // Resume point: header words 1 and 2 of the flush area.
            a.mov(rsi, rsp)?;
            a.and(rsi, -(VCPU_BLOCK as i32))?;
            a.mov(rax, qword_ptr(rsi + (BLOCK_FLUSH + 8) as i32))?;
            a.mov(qword_ptr(rsp + 40), rax)?;
            a.mov(rax, qword_ptr(rsi + (BLOCK_FLUSH + 16) as i32))?;
            a.mov(qword_ptr(rsp + 56), rax)?;
            a.pop(rdi)?;
            a.pop(rsi)?;
            a.pop(rdx)?;
            a.pop(rbx)?;
            a.pop(rax)?;
            a.iretq()?;
            a.set_label(&mut not_flush)?;
            a.push(0)?;
            a.push(3)?;
            a.jmp(common)?;
        } else {
            if !has_error_code(v) {
                a.push(0)?;
            }
            a.push(v as i32)?;
            a.jmp(common)?;
        }
    }
    a.set_label(&mut common)?;
    a.out(FAULT_PORT as i32, al)?;
    a.set_label(&mut fault_resume)?;
    a.add(rsp, 16)?;
    a.iretq()?;
    let result = a.assemble_options(base, BlockEncoderOptions::RETURN_NEW_INSTRUCTION_OFFSETS)?;
    let mut entries = [0u64; 32];
    for (i, l) in labels.iter().enumerate() {
        entries[i] = result.label_ip(l)?;
    }
    let fault_resume = result.label_ip(&fault_resume)?;
    Ok(GateCode {
        bytes: result.inner.code_buffer,
        entries,
        fault_resume,
    })
}
