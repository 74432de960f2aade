//! A tiny ELF64 writer for tests: header, program headers, and payload bytes at offsets.

use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD};

pub const EHDR: usize = 64;
pub const PHDR: usize = 56;

/// One program header.
#[derive(Debug, Clone, Copy)]
pub struct Ph {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

impl Ph {
    pub fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Ph {
        Ph {
            p_type: PT_LOAD,
            flags,
            offset,
            vaddr,
            filesz,
            memsz,
            align: 0x1000,
        }
    }
}

/// An ELF file under construction. Defaults describe a valid little-endian x86-64 ET_EXEC
/// with the program headers right after the ELF header.
#[derive(Debug, Clone)]
pub struct Elf {
    pub ident: [u8; 16],
    pub e_type: u16,
    pub machine: u16,
    pub entry: u64,
    pub phoff: u64,
    pub phentsize: u16,
    /// Overrides the program header count written in the header.
    pub phnum: Option<u16>,
    pub phdrs: Vec<Ph>,
    /// Bytes placed at file offsets (after headers are written, so they may overwrite them).
    pub payload: Vec<(usize, Vec<u8>)>,
    /// Minimum file length (zero-padded).
    pub len: usize,
}

impl Elf {
    pub fn new() -> Elf {
        let mut ident = [0u8; 16];
        ident[..4].copy_from_slice(b"\x7fELF");
        ident[4] = 2; // ELFCLASS64
        ident[5] = 1; // ELFDATA2LSB
        ident[6] = 1; // EV_CURRENT
        Elf {
            ident,
            e_type: 2,
            machine: 62,
            entry: 0,
            phoff: EHDR as u64,
            phentsize: PHDR as u16,
            phnum: None,
            phdrs: Vec::new(),
            payload: Vec::new(),
            len: 0,
        }
    }

    pub fn build(&self) -> Vec<u8> {
        let phnum = self.phnum.unwrap_or(self.phdrs.len() as u16);
        let ph_end = if self.phdrs.is_empty() {
            0
        } else {
            self.phoff as usize + self.phdrs.len() * PHDR
        };
        let payload_end = self
            .payload
            .iter()
            .map(|(o, b)| o + b.len())
            .max()
            .unwrap_or(0);
        let mut out = vec![0u8; EHDR.max(ph_end).max(payload_end).max(self.len)];
        let mut h = Vec::with_capacity(EHDR);
        h.extend_from_slice(&self.ident);
        h.extend_from_slice(&self.e_type.to_le_bytes());
        h.extend_from_slice(&self.machine.to_le_bytes());
        h.extend_from_slice(&1u32.to_le_bytes());
        h.extend_from_slice(&self.entry.to_le_bytes());
        h.extend_from_slice(&self.phoff.to_le_bytes());
        h.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
        h.extend_from_slice(&0u32.to_le_bytes()); // e_flags
        h.extend_from_slice(&(EHDR as u16).to_le_bytes());
        h.extend_from_slice(&self.phentsize.to_le_bytes());
        h.extend_from_slice(&phnum.to_le_bytes());
        h.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
        h.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
        h.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
        assert_eq!(h.len(), EHDR);
        out[..EHDR].copy_from_slice(&h);
        for (i, ph) in self.phdrs.iter().enumerate() {
            let mut p = Vec::with_capacity(PHDR);
            p.extend_from_slice(&ph.p_type.to_le_bytes());
            p.extend_from_slice(&ph.flags.to_le_bytes());
            p.extend_from_slice(&ph.offset.to_le_bytes());
            p.extend_from_slice(&ph.vaddr.to_le_bytes());
            p.extend_from_slice(&ph.vaddr.to_le_bytes()); // p_paddr
            p.extend_from_slice(&ph.filesz.to_le_bytes());
            p.extend_from_slice(&ph.memsz.to_le_bytes());
            p.extend_from_slice(&ph.align.to_le_bytes());
            let at = self.phoff as usize + i * PHDR;
            out[at..at + PHDR].copy_from_slice(&p);
        }
        for (off, bytes) in &self.payload {
            out[*off..off + bytes.len()].copy_from_slice(bytes);
        }
        out
    }
}

/// A recognisable byte pattern, different for each `seed`, so misplaced copies show.
pub fn pattern(seed: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 1)
        .collect()
}

pub const TEXT_VADDR: u64 = 0x40_0000;
pub const DATA_OFF: u64 = 0x1100;
pub const DATA_FILESZ: u64 = 0x80;
pub const DATA_MEMSZ: u64 = 0x2000;
pub const INTERP: &[u8] = b"/lib64/ld-linux-x86-64.so.2\0";
pub const INTERP_OFF: usize = 0x180;

/// A valid static executable shaped like ld.bfd output:
///
/// - text: file [0, 0x1100) at 0x400000, R+X, including the headers;
/// - data: file [0x1100, 0x1180) at 0x401100 (sharing page 0x401000 with text), R+W, with
///   bss up to 0x403100;
/// - PT_GNU_STACK, non-executable.
pub fn static_exec() -> Elf {
    let mut e = Elf::new();
    e.entry = TEXT_VADDR + 0x200;
    e.phdrs = vec![
        Ph::load(PF_R | PF_X, 0, TEXT_VADDR, DATA_OFF, DATA_OFF),
        Ph::load(
            PF_R | PF_W,
            DATA_OFF,
            TEXT_VADDR + DATA_OFF,
            DATA_FILESZ,
            DATA_MEMSZ,
        ),
        Ph {
            p_type: PT_GNU_STACK,
            flags: PF_R | PF_W,
            offset: 0,
            vaddr: 0,
            filesz: 0,
            memsz: 0,
            align: 16,
        },
    ];
    e.payload = vec![
        (0x200, pattern(1, DATA_OFF as usize - 0x200)),
        (DATA_OFF as usize, pattern(2, DATA_FILESZ as usize)),
    ];
    e
}

/// The same layout linked at 0 as ET_DYN (a static-PIE).
pub fn static_pie() -> Elf {
    let mut e = static_exec();
    e.e_type = 3;
    e.entry = 0x200;
    for ph in e.phdrs.iter_mut().filter(|p| p.p_type == PT_LOAD) {
        ph.vaddr -= TEXT_VADDR;
    }
    e
}

/// A PIE with a PT_INTERP (inside the text segment, as linkers place it).
pub fn dynamic_pie() -> Elf {
    let mut e = static_pie();
    e.phdrs.insert(
        0,
        Ph {
            p_type: PT_INTERP,
            flags: PF_R,
            offset: INTERP_OFF as u64,
            vaddr: INTERP_OFF as u64,
            filesz: INTERP.len() as u64,
            memsz: INTERP.len() as u64,
            align: 1,
        },
    );
    e.payload.push((INTERP_OFF, INTERP.to_vec()));
    e
}
