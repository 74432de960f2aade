//! `load` and `choose_base`: bytes land where they should, bss is zero, protections are
//! right, and the bias follows the documented policy.

use goblin::elf::program_header::{PF_R, PF_W, PF_X};

use super::builder::*;
use crate::{
    choose_base, load, parse, ImageSink, LoadError, LoadedImage, MemoryError, MemorySink,
    INTERP_BASE, INTERP_CEILING, PIE_BASE, PROT_EXEC, PROT_READ, PROT_WRITE,
};

const RW: u32 = PROT_READ | PROT_WRITE;
const RX: u32 = PROT_READ | PROT_EXEC;
const RWX: u32 = PROT_READ | PROT_WRITE | PROT_EXEC;
const MIB: u64 = 1024 * 1024;

/// What the loader asked of the sink, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Map(u64, u64, u32),
    Write(u64, usize),
    Protect(u64, u64, u32),
}

/// A sink that records every call and forwards it to a [`MemorySink`].
struct Recorder {
    mem: MemorySink,
    ops: Vec<Op>,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            mem: MemorySink::new(64 * MIB),
            ops: Vec::new(),
        }
    }
}

impl ImageSink for Recorder {
    type Error = MemoryError;
    fn map_zeroed(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), MemoryError> {
        self.ops.push(Op::Map(addr, len, prot));
        self.mem.map_zeroed(addr, len, prot)
    }
    fn write(&mut self, addr: u64, data: &[u8]) -> Result<(), MemoryError> {
        self.ops.push(Op::Write(addr, data.len()));
        self.mem.write(addr, data)
    }
    fn protect(&mut self, addr: u64, len: u64, prot: u32) -> Result<(), MemoryError> {
        self.ops.push(Op::Protect(addr, len, prot));
        self.mem.protect(addr, len, prot)
    }
}

fn load_file(bytes: &[u8], is_interp: bool) -> (LoadedImage, Recorder) {
    let image = parse(bytes).expect("valid ELF");
    let mut sink = Recorder::new();
    let base = choose_base(&image, is_interp);
    let loaded = load(&image, bytes, &mut sink, base).expect("loads");
    (loaded, sink)
}

#[test]
fn static_exec_loads_bytes_bss_and_prots() {
    let bytes = static_exec().build();
    let (loaded, sink) = load_file(&bytes, false);
    assert_eq!(
        loaded,
        LoadedImage {
            entry: 0x40_0200,
            phdr_addr: 0x40_0040,
            phnum: 3,
            phent: 56,
            base: 0,
            brk_start: 0x40_4000,
            lowest: 0x40_0000,
            highest: 0x40_3100,
        }
    );
    let mem = &sink.mem;
    // Text, headers included, then data, byte for byte.
    assert_eq!(mem.read(0x40_0000, 0x1100).unwrap(), &bytes[..0x1100]);
    assert_eq!(mem.read(0x40_1100, 0x80).unwrap(), &bytes[0x1100..0x1180]);
    // bss, and the rest of the last page, are zero.
    assert!(mem.read(0x40_1180, 0x2e80).unwrap().iter().all(|&b| b == 0));
    // Text is R+X; the page shared by text and data gets both; data/bss pages are R+W.
    assert_eq!(mem.prot_at(0x40_0000), Some(RX));
    assert_eq!(mem.prot_at(0x40_1000), Some(RWX));
    assert_eq!(mem.prot_at(0x40_2000), Some(RW));
    assert_eq!(mem.prot_at(0x40_3000), Some(RW));
    assert_eq!(mem.prot_at(0x40_4000), None);
    assert_eq!(mem.prot_at(0x3f_f000), None);
    assert_eq!(mem.mapped_bytes(), 0x4000);

    // Everything is mapped writable before any copy, and protected only after the copies.
    let first_protect = sink
        .ops
        .iter()
        .position(|o| matches!(o, Op::Protect(..)))
        .unwrap();
    let last_write = sink
        .ops
        .iter()
        .rposition(|o| matches!(o, Op::Write(..)))
        .unwrap();
    assert!(last_write < first_protect, "{:?}", sink.ops);
    for op in &sink.ops {
        if let Op::Map(_, _, prot) = op {
            assert_eq!(*prot, RW);
        }
    }
    assert_eq!(
        sink.ops,
        vec![
            Op::Map(0x40_0000, 0x1000, RW),
            Op::Map(0x40_1000, 0x1000, RW),
            Op::Map(0x40_2000, 0x2000, RW),
            Op::Write(0x40_0000, 0x1100),
            Op::Write(0x40_1100, 0x80),
            Op::Protect(0x40_0000, 0x1000, RX),
            Op::Protect(0x40_1000, 0x1000, RWX),
            Op::Protect(0x40_2000, 0x2000, RW),
        ]
    );
}

#[test]
fn static_pie_gets_the_pie_base() {
    let bytes = static_pie().build();
    let image = parse(&bytes).unwrap();
    assert_eq!(choose_base(&image, false), PIE_BASE);
    let (loaded, sink) = load_file(&bytes, false);
    assert_eq!(loaded.base, PIE_BASE);
    assert_eq!(loaded.entry, PIE_BASE + 0x200);
    assert_eq!(loaded.phdr_addr, PIE_BASE + 0x40);
    assert_eq!(loaded.lowest, PIE_BASE);
    assert_eq!(loaded.highest, PIE_BASE + 0x3100);
    assert_eq!(loaded.brk_start, PIE_BASE + 0x4000);
    assert_eq!(sink.mem.read(PIE_BASE, 0x1100).unwrap(), &bytes[..0x1100]);
    assert_eq!(
        sink.mem.read(PIE_BASE + 0x1100, 0x80).unwrap(),
        &bytes[0x1100..0x1180]
    );
    assert_eq!(sink.mem.prot_at(PIE_BASE + 0x1000), Some(RWX));
}

#[test]
fn pie_with_high_first_vaddr_still_starts_at_the_pie_base() {
    let mut e = static_pie();
    for ph in e.phdrs.iter_mut().filter(|p| p.memsz > 0) {
        ph.vaddr += 0x1_0000;
    }
    e.entry += 0x1_0000;
    let image = parse(&e.build()).unwrap();
    let base = choose_base(&image, false);
    assert_eq!(base, PIE_BASE - 0x1_0000);
    let (loaded, _) = load_file(&e.build(), false);
    assert_eq!(loaded.lowest, PIE_BASE);
}

#[test]
fn huge_alignment_is_honoured() {
    let mut e = static_pie();
    for ph in e.phdrs.iter_mut().filter(|p| p.memsz > 0) {
        ph.align = 0x20_0000;
        ph.vaddr = ph.offset; // congruent modulo 2 MiB
    }
    let image = parse(&e.build()).unwrap();
    let base = choose_base(&image, false);
    assert_eq!(base % 0x20_0000, 0);
    assert!(base <= PIE_BASE && PIE_BASE - base < 0x20_0000);
    let interp_base = choose_base(&image, true);
    assert_eq!(interp_base % 0x20_0000, 0);
}

#[test]
fn interpreter_goes_below_the_ceiling() {
    let bytes = dynamic_pie().build();
    let image = parse(&bytes).unwrap();
    assert_eq!(choose_base(&image, true), INTERP_BASE);
    let (loaded, _) = load_file(&bytes, true);
    assert_eq!(loaded.base, INTERP_BASE);
    assert!(loaded.brk_start <= INTERP_CEILING);

    // A 4 MiB interpreter does not fit above INTERP_BASE: it is moved down to end at the
    // ceiling.
    let mut e = dynamic_pie();
    let last = e.phdrs.iter_mut().filter(|p| p.memsz > 0).last().unwrap();
    last.memsz = 4 * MIB;
    let image = parse(&e.build()).unwrap();
    let base = choose_base(&image, true);
    assert!(base < INTERP_BASE);
    assert_eq!(base % 0x1000, 0);
    let end = base + image.max_vaddr.next_multiple_of(0x1000);
    assert!(
        end <= INTERP_CEILING && INTERP_CEILING - end < 0x1000,
        "{end:#x}"
    );
}

#[test]
fn exec_ignores_the_interp_flag() {
    let image = parse(&static_exec().build()).unwrap();
    assert_eq!(choose_base(&image, true), 0);
    assert_eq!(choose_base(&image, false), 0);
}

#[test]
fn bad_bases_are_refused_before_mapping() {
    let bytes = static_exec().build();
    let image = parse(&bytes).unwrap();
    let mut sink = Recorder::new();
    let err = load(&image, &bytes, &mut sink, 0x1000).unwrap_err();
    assert!(matches!(err, LoadError::BadBase { base: 0x1000, .. }));
    assert!(!err.is_format_error());

    let bytes = static_pie().build();
    let image = parse(&bytes).unwrap();
    let err = load(&image, &bytes, &mut sink, PIE_BASE + 1).unwrap_err();
    assert!(matches!(err, LoadError::BadBase { .. }));

    // A bias that pushes the image above the user limit.
    let err = load(&image, &bytes, &mut sink, 0x7fff_ffff_e000).unwrap_err();
    assert!(matches!(err, LoadError::ImageDoesNotFit { .. }), "{err:?}");
    let err = load(&image, &bytes, &mut sink, !0xfff).unwrap_err();
    assert!(matches!(err, LoadError::ImageDoesNotFit { .. }), "{err:?}");
    assert!(sink.ops.is_empty(), "{:?}", sink.ops);
}

#[test]
fn load_rechecks_the_file() {
    // The image was parsed from one file and is loaded with a shorter one.
    let bytes = static_exec().build();
    let image = parse(&bytes).unwrap();
    let mut sink = Recorder::new();
    let err = load(&image, &bytes[..0x1000], &mut sink, 0).unwrap_err();
    assert!(matches!(err, LoadError::SegmentBeyondEof { index: 0, .. }));
    assert!(sink.ops.is_empty());
}

#[test]
fn sink_errors_come_back_typed() {
    let bytes = static_exec().build();
    let image = parse(&bytes).unwrap();
    let mut sink = MemorySink::new(0x2000);
    let err = load(&image, &bytes, &mut sink, 0).unwrap_err();
    assert!(!err.is_format_error());
    assert!(matches!(
        err.sink_error::<MemoryError>(),
        Some(MemoryError::LimitExceeded { .. })
    ));
    assert!(err.sink_error::<std::io::Error>().is_none());
    assert!(err.to_string().contains("exceed"), "{err}");
}

#[test]
fn three_segments_in_one_page_get_the_union() {
    let mut e = Elf::new();
    e.entry = 0x40_0000;
    e.phdrs = vec![
        Ph::load(PF_R, 0, 0x40_0000, 0x100, 0x100),
        Ph::load(PF_X, 0x100, 0x40_0100, 0x100, 0x100),
        Ph::load(PF_W, 0x200, 0x40_0200, 0x10, 0x1000),
    ];
    e.payload = vec![(0x100, pattern(7, 0x110))];
    let bytes = e.build();
    let (loaded, sink) = load_file(&bytes, false);
    assert_eq!(sink.mem.prot_at(0x40_0000), Some(RWX));
    assert_eq!(sink.mem.prot_at(0x40_1000), Some(PROT_WRITE));
    assert_eq!(loaded.brk_start, 0x40_2000);
    assert_eq!(sink.mem.read(0x40_0000, 0x210).unwrap(), &bytes[..0x210]);
    assert!(sink
        .mem
        .read(0x40_0210, 0x1df0)
        .unwrap()
        .iter()
        .all(|&b| b == 0));
}

#[test]
fn gaps_between_segments_stay_unmapped() {
    let mut e = static_exec();
    e.phdrs[1].vaddr += 0x10_0000;
    let bytes = e.build();
    let (loaded, sink) = load_file(&bytes, false);
    assert_eq!(sink.mem.prot_at(0x40_1000), Some(RX));
    assert_eq!(sink.mem.prot_at(0x40_2000), None);
    assert_eq!(sink.mem.prot_at(0x50_1000), Some(RW));
    assert_eq!(loaded.brk_start, 0x50_4000);
    // The shared page's tail past the text is zero, not data.
    assert!(sink
        .mem
        .read(0x40_1100, 0xf00)
        .unwrap()
        .iter()
        .all(|&b| b == 0));
}
