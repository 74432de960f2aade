//! Hand-made ELF files for the bad-input tests, and a small reader to tell static from dynamic.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

pub const EM_386: u16 = 3;
pub const EM_ARM: u16 = 40;
pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;
pub const ET_REL: u16 = 1;
pub const ET_EXEC: u16 = 2;

const PT_LOAD: u32 = 1;
const PT_INTERP: u32 = 3;

/// A minimal 64-bit little-endian ELF executable for `machine`: one PT_LOAD segment mapping the
/// whole file at 0x400000, entry just after the headers, `code` there.
pub fn elf64(machine: u16, e_type: u16, code: &[u8]) -> Vec<u8> {
    const EHSIZE: u64 = 64;
    const PHSIZE: u64 = 56;
    let base = 0x40_0000u64;
    let with_phdr = e_type == ET_EXEC;
    let code_off = EHSIZE + if with_phdr { PHSIZE } else { 0 };
    let total = code_off + code.len() as u64;
    let mut f = ident(2);
    f.extend(e_type.to_le_bytes());
    f.extend(machine.to_le_bytes());
    f.extend(1u32.to_le_bytes()); // e_version
    f.extend((if with_phdr { base + code_off } else { 0 }).to_le_bytes()); // e_entry
    f.extend((if with_phdr { EHSIZE } else { 0 }).to_le_bytes()); // e_phoff
    f.extend(0u64.to_le_bytes()); // e_shoff
    f.extend(0u32.to_le_bytes()); // e_flags
    f.extend((EHSIZE as u16).to_le_bytes());
    f.extend((PHSIZE as u16).to_le_bytes());
    f.extend(u16::from(with_phdr).to_le_bytes()); // e_phnum
    f.extend([0u8; 6]); // e_shentsize, e_shnum, e_shstrndx
    assert_eq!(f.len() as u64, EHSIZE);
    if with_phdr {
        f.extend(PT_LOAD.to_le_bytes());
        f.extend(5u32.to_le_bytes()); // PF_R | PF_X
        f.extend(0u64.to_le_bytes()); // p_offset
        f.extend(base.to_le_bytes()); // p_vaddr
        f.extend(base.to_le_bytes()); // p_paddr
        f.extend(total.to_le_bytes()); // p_filesz
        f.extend(total.to_le_bytes()); // p_memsz
        f.extend(0x1000u64.to_le_bytes()); // p_align
    }
    f.extend(code);
    f
}

/// A minimal 32-bit little-endian ELF executable for `machine` (one PT_LOAD at 0x8048000).
pub fn elf32(machine: u16, code: &[u8]) -> Vec<u8> {
    const EHSIZE: u32 = 52;
    const PHSIZE: u32 = 32;
    let base = 0x804_8000u32;
    let code_off = EHSIZE + PHSIZE;
    let total = code_off + code.len() as u32;
    let mut f = ident(1);
    f.extend(ET_EXEC.to_le_bytes());
    f.extend(machine.to_le_bytes());
    f.extend(1u32.to_le_bytes()); // e_version
    f.extend((base + code_off).to_le_bytes()); // e_entry
    f.extend(EHSIZE.to_le_bytes()); // e_phoff
    f.extend(0u32.to_le_bytes()); // e_shoff
    f.extend(0u32.to_le_bytes()); // e_flags
    f.extend((EHSIZE as u16).to_le_bytes());
    f.extend((PHSIZE as u16).to_le_bytes());
    f.extend(1u16.to_le_bytes()); // e_phnum
    f.extend([0u8; 6]);
    assert_eq!(f.len() as u32, EHSIZE);
    for word in [PT_LOAD, 0, base, base, total, total, 5, 0x1000] {
        f.extend(word.to_le_bytes());
    }
    f.extend(code);
    f
}

fn ident(class: u8) -> Vec<u8> {
    let mut id = vec![
        0x7f, b'E', b'L', b'F', class, 1, /* little endian */
        1, /* EV_CURRENT */
    ];
    id.resize(16, 0);
    id
}

/// i386 code for `exit(0)`: `xor ebx, ebx; mov eax, 1; int 0x80`.
pub const I386_EXIT0: &[u8] = &[0x31, 0xdb, 0xb8, 0x01, 0, 0, 0, 0xcd, 0x80];
/// AArch64 code for `exit(0)`: `mov x0, #0; mov x8, #93; svc #0`.
pub const AARCH64_EXIT0: &[u8] = &[
    0x00, 0x00, 0x80, 0xd2, 0xa8, 0x0b, 0x80, 0xd2, 0x01, 0x00, 0x00, 0xd4,
];
/// ARM (A32) code for `exit(0)`: `mov r0, #0; mov r7, #1; svc #0`.
pub const ARM_EXIT0: &[u8] = &[
    0x00, 0x00, 0xa0, 0xe3, 0x01, 0x70, 0xa0, 0xe3, 0x00, 0x00, 0x00, 0xef,
];

/// True if `path` is a 64-bit little-endian x86-64 ELF with no PT_INTERP (statically linked).
pub fn is_static_x86_64(path: &Path) -> io::Result<bool> {
    let mut data = Vec::new();
    File::open(path)?.take(1 << 16).read_to_end(&mut data)?;
    let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
    let u32_at = |o: usize| {
        data.get(o..o + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
    };
    let u64_at = |o: usize| {
        data.get(o..o + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap()))
    };
    if data.len() < 64 || &data[..4] != b"\x7fELF" || data[4] != 2 || data[5] != 1 {
        return Ok(false);
    }
    if u16_at(18) != Some(EM_X86_64) {
        return Ok(false);
    }
    let (Some(phoff), Some(phentsize), Some(phnum)) = (u64_at(32), u16_at(54), u16_at(56)) else {
        return Ok(false);
    };
    for i in 0..usize::from(phnum) {
        let off = phoff as usize + i * usize::from(phentsize);
        match u32_at(off) {
            Some(PT_INTERP) => return Ok(false),
            Some(_) => {}
            None => return Ok(false), // program headers beyond what we read: not a sane static binary
        }
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert_eq!(
            elf64(EM_AARCH64, ET_EXEC, AARCH64_EXIT0).len(),
            64 + 56 + 12
        );
        assert_eq!(elf64(EM_X86_64, ET_REL, &[]).len(), 64);
        assert_eq!(elf32(EM_386, I386_EXIT0).len(), 52 + 32 + 9);
    }

    #[test]
    fn static_detection() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a");
        std::fs::write(&f, elf64(EM_X86_64, ET_EXEC, &[0xf4])).unwrap();
        assert!(is_static_x86_64(&f).unwrap());
        std::fs::write(&f, elf64(EM_AARCH64, ET_EXEC, AARCH64_EXIT0)).unwrap();
        assert!(!is_static_x86_64(&f).unwrap());
        std::fs::write(&f, b"#!/bin/sh\n").unwrap();
        assert!(!is_static_x86_64(&f).unwrap());
        // /bin/sh on a Debian host is dynamically linked.
        if Path::new("/bin/sh").exists() {
            assert!(!is_static_x86_64(Path::new("/bin/sh")).unwrap());
        }
    }
}
