//! `parse`: the valid shapes are described correctly, and each malformed shape is refused
//! with its own variant.

use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR};

use super::builder::*;
use crate::{parse, ElfKind, LoadError, Segment, PROT_EXEC, PROT_READ, PROT_WRITE};

fn refuse(bytes: &[u8]) -> LoadError {
    match parse(bytes) {
        Ok(image) => panic!("expected an error, parsed {image:?}"),
        Err(e) => {
            assert!(e.is_format_error(), "{e} should be a format error");
            assert!(!e.is_arg_list_too_long());
            assert!(!e.to_string().is_empty());
            e
        }
    }
}

#[test]
fn static_exec_is_described() {
    let image = parse(&static_exec().build()).expect("valid");
    assert_eq!(image.kind, ElfKind::Exec);
    assert_eq!(image.entry, 0x40_0200);
    assert_eq!(
        image.segments,
        vec![
            Segment {
                index: 0,
                vaddr: 0x40_0000,
                memsz: 0x1100,
                file_offset: 0,
                filesz: 0x1100,
                prot: PROT_READ | PROT_EXEC,
                align: 0x1000,
            },
            Segment {
                index: 1,
                vaddr: 0x40_1100,
                memsz: 0x2000,
                file_offset: 0x1100,
                filesz: 0x80,
                prot: PROT_READ | PROT_WRITE,
                align: 0x1000,
            },
        ]
    );
    assert_eq!(image.phdrs.file_offset, 64);
    assert_eq!(image.phdrs.count, 3);
    assert_eq!(image.phdrs.entsize, 56);
    // No PT_PHDR: computed from the text segment, which holds file offset 64.
    assert_eq!(image.phdr_vaddr, Some(0x40_0040));
    assert_eq!(image.interp, None);
    assert!(!image.exec_stack);
    assert_eq!(image.min_vaddr, 0x40_0000);
    assert_eq!(image.max_vaddr, 0x40_3100);
}

#[test]
fn pt_phdr_wins_over_the_computed_address() {
    let mut e = static_exec();
    e.phdrs.push(Ph {
        p_type: PT_PHDR,
        flags: PF_R,
        offset: 64,
        vaddr: 0x40_0040,
        filesz: 4 * 56,
        memsz: 4 * 56,
        align: 8,
    });
    // A different value than the computed one shows which source is used.
    e.phdrs[3].vaddr = 0x40_0080;
    assert_eq!(parse(&e.build()).unwrap().phdr_vaddr, Some(0x40_0080));
}

#[test]
fn phdrs_outside_every_segment_have_no_address() {
    let mut e = static_exec();
    // Move the text segment's file range past the program headers.
    e.phdrs[0].offset = 0x1000;
    e.phdrs[0].vaddr = 0x40_1000;
    e.phdrs[0].filesz = 0x100;
    e.phdrs[0].memsz = 0x100;
    e.entry = 0x40_1000;
    assert_eq!(parse(&e.build()).unwrap().phdr_vaddr, None);
}

#[test]
fn gnu_stack_flag_and_interp() {
    let mut e = dynamic_pie();
    for ph in e.phdrs.iter_mut().filter(|p| p.p_type == PT_GNU_STACK) {
        ph.flags = PF_R | PF_W | PF_X;
    }
    let image = parse(&e.build()).unwrap();
    assert_eq!(image.kind, ElfKind::Dyn);
    assert!(image.exec_stack);
    assert_eq!(image.interp.as_deref(), Some(&INTERP[..INTERP.len() - 1]));

    // Without PT_GNU_STACK the x86-64 default is a non-executable stack.
    e.phdrs.retain(|p| p.p_type != PT_GNU_STACK);
    assert!(!parse(&e.build()).unwrap().exec_stack);
}

#[test]
fn empty_load_segments_are_skipped() {
    let mut e = static_exec();
    e.phdrs.push(Ph::load(PF_R, 0, 0x50_0000, 0, 0));
    let image = parse(&e.build()).unwrap();
    assert_eq!(image.segments.len(), 2);
}

#[test]
fn segments_may_share_a_page_but_not_bytes() {
    // static_exec's data starts on the page where text ends: accepted (checked above).
    // Touching exactly (end == start) is fine too.
    let mut e = static_exec();
    e.phdrs[1].offset = 0x1100;
    e.phdrs[1].vaddr = 0x40_1100;
    assert!(parse(&e.build()).is_ok());
    // One byte of overlap is not.
    e.phdrs[0].memsz = 0x1101;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::OverlappingSegments {
            first: 0,
            first_end: 0x40_1101,
            second: 1,
            second_start: 0x40_1100,
        }
    ));
    // Order in the table does not matter.
    e.phdrs.swap(0, 1);
    assert!(matches!(
        refuse(&e.build()),
        LoadError::OverlappingSegments {
            first: 1,
            second: 0,
            ..
        }
    ));
    // A segment nested inside another.
    let mut e = static_exec();
    e.phdrs.push(Ph::load(PF_R, 0x100, 0x40_0100, 0x10, 0x10));
    assert!(matches!(
        refuse(&e.build()),
        LoadError::OverlappingSegments { .. }
    ));
}

#[test]
fn too_short_and_not_elf() {
    assert!(matches!(refuse(b""), LoadError::TooShort { len: 0 }));
    assert!(matches!(refuse(b"\x7fEL"), LoadError::TooShort { len: 3 }));
    assert!(matches!(
        refuse(b"#!/bin/sh\necho hi\n"),
        LoadError::NotElf {
            magic: [b'#', b'!', b'/', b'b']
        }
    ));
    let mut bytes = static_exec().build();
    bytes[0] = 0x7e;
    assert!(matches!(refuse(&bytes), LoadError::NotElf { .. }));
}

#[test]
fn truncated_files_are_refused_at_every_length() {
    let bytes = static_exec().build();
    let phdrs_end = 64 + 3 * 56;
    for len in 0..bytes.len() {
        let e = refuse(&bytes[..len]);
        let ok = match len {
            0..=3 => matches!(e, LoadError::TooShort { .. }),
            4..=63 => matches!(e, LoadError::TruncatedHeader { len: l } if l == len),
            _ if len < phdrs_end => matches!(e, LoadError::PhdrsOutOfFile { .. }),
            _ => matches!(e, LoadError::SegmentBeyondEof { .. }),
        };
        assert!(ok, "length {len}: unexpected {e:?}");
    }
    assert!(parse(&bytes).is_ok());
}

#[test]
fn class_32_is_named_in_the_message() {
    let mut e = static_exec();
    e.ident[4] = 1;
    let err = refuse(&e.build());
    assert!(matches!(err, LoadError::Elf32));
    let msg = err.to_string();
    assert!(msg.contains("32-bit"), "{msg}");
    assert!(msg.contains("x86-64"), "{msg}");
    // Even a 32-bit file shorter than an ELF64 header gets the better message.
    assert!(matches!(refuse(&e.build()[..52]), LoadError::Elf32));

    e.ident[4] = 7;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::BadClass { class: 7 }
    ));
}

#[test]
fn wrong_endianness() {
    let mut e = static_exec();
    e.ident[5] = 2;
    let err = refuse(&e.build());
    assert!(matches!(err, LoadError::BigEndian));
    assert!(err.to_string().contains("big-endian"));
    e.ident[5] = 0;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::BadEndianness { data: 0 }
    ));
}

#[test]
fn wrong_machine_is_named() {
    for (machine, name) in [
        (40u16, "ARM"),
        (183, "AArch64"),
        (3, "i386"),
        (243, "RISC-V"),
    ] {
        let mut e = static_exec();
        e.machine = machine;
        let err = refuse(&e.build());
        assert!(
            matches!(err, LoadError::WrongMachine { machine: m, .. } if m == machine),
            "{err:?}"
        );
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn wrong_type() {
    for (t, name) in [
        (0u16, "no file type"),
        (1, "relocatable"),
        (4, "core dump"),
        (0xfe00, "unknown"),
    ] {
        let mut e = static_exec();
        e.e_type = t;
        let err = refuse(&e.build());
        assert!(matches!(err, LoadError::WrongType { e_type, .. } if e_type == t));
        assert!(err.to_string().contains(name), "{err}");
    }
}

#[test]
fn program_header_table_checks() {
    let mut e = static_exec();
    e.phentsize = 32;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::BadPhentsize { phentsize: 32 }
    ));

    let mut e = static_exec();
    e.phnum = Some(0);
    assert!(matches!(refuse(&e.build()), LoadError::NoProgramHeaders));

    // 1170 * 56 = 65520 bytes is the most Linux accepts; 1171 is refused.
    let mut e = static_exec();
    e.phnum = Some(1171);
    assert!(matches!(
        refuse(&e.build()),
        LoadError::TooManyProgramHeaders { phnum: 1171 }
    ));
    e.phnum = Some(0xffff);
    assert!(matches!(
        refuse(&e.build()),
        LoadError::TooManyProgramHeaders { .. }
    ));
    // 1170 passes the count check and then fails because the table is not in the file.
    e.phnum = Some(1170);
    assert!(matches!(
        refuse(&e.build()),
        LoadError::PhdrsOutOfFile { .. }
    ));

    let mut e = static_exec();
    e.phoff = u64::MAX - 8;
    e.payload.clear();
    e.phdrs.clear();
    e.phnum = Some(1);
    assert!(matches!(
        refuse(&e.build()),
        LoadError::PhdrsOutOfFile { .. }
    ));
}

#[test]
fn filesz_larger_than_memsz() {
    let mut e = static_exec();
    e.phdrs[1].memsz = 0x40;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::FileszExceedsMemsz {
            index: 1,
            filesz: 0x80,
            memsz: 0x40
        }
    ));
}

#[test]
fn segment_beyond_eof() {
    let mut e = static_exec();
    e.phdrs[1].filesz = 0x81;
    e.phdrs[1].memsz = 0x2000;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::SegmentBeyondEof { index: 1, .. }
    ));
    // An offset so large that offset + filesz wraps.
    let mut e = static_exec();
    e.phdrs[1].offset = u64::MAX - 0xf7f; // congruent with the vaddr modulo 4 KiB
    assert!(matches!(
        refuse(&e.build()),
        LoadError::SegmentBeyondEof { index: 1, .. }
    ));
}

#[test]
fn vaddr_overflow_and_kernel_half() {
    let mut e = static_exec();
    e.phdrs[1].vaddr = 0xffff_ffff_ffff_f100;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::SegmentOverflow { index: 1, .. }
    ));

    let mut e = static_exec();
    e.phdrs[1].vaddr = 0xffff_8000_0000_1100;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::SegmentAboveUserLimit { index: 1, .. }
    ));

    // Ends one byte past the user limit.
    let mut e = static_exec();
    e.phdrs[1].vaddr = 0x7fff_ffff_d100;
    e.phdrs[1].memsz = 0x1f01;
    let err = refuse(&e.build());
    assert!(
        matches!(err, LoadError::SegmentAboveUserLimit { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("0x7ffffffff000"), "{err}");
    // Ending exactly at the limit is allowed.
    e.phdrs[1].memsz = 0x1f00;
    assert!(parse(&e.build()).is_ok());

    let mut e = static_exec();
    e.entry = 0xffff_ffff_8000_0000;
    assert!(matches!(refuse(&e.build()), LoadError::BadEntry { .. }));
}

#[test]
fn misaligned_segments() {
    // Page offsets disagree.
    let mut e = static_exec();
    e.phdrs[1].vaddr = 0x40_1108;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::MisalignedSegment {
            index: 1,
            align: 0x1000,
            ..
        }
    ));
    // Same page offset, but p_align = 2 MiB is violated.
    let mut e = static_exec();
    e.phdrs[1].vaddr = 0x40_2100;
    e.phdrs[1].align = 0x20_0000;
    assert!(matches!(
        refuse(&e.build()),
        LoadError::MisalignedSegment {
            index: 1,
            align: 0x20_0000,
            ..
        }
    ));
    // p_align 0 or 1 still requires page congruence (Linux mmaps the file).
    for align in [0, 1] {
        let mut e = static_exec();
        e.phdrs[1].align = align;
        assert!(parse(&e.build()).is_ok());
        e.phdrs[1].vaddr = 0x40_1101;
        assert!(matches!(
            refuse(&e.build()),
            LoadError::MisalignedSegment { align: 0x1000, .. }
        ));
    }
}

#[test]
fn no_load_segment() {
    let mut e = static_exec();
    e.phdrs.retain(|p| p.p_type != PT_LOAD);
    assert!(matches!(refuse(&e.build()), LoadError::NoLoadSegments));
    // Only empty PT_LOADs count as none.
    let mut e = static_exec();
    for p in e.phdrs.iter_mut().filter(|p| p.p_type == PT_LOAD) {
        p.filesz = 0;
        p.memsz = 0;
    }
    assert!(matches!(refuse(&e.build()), LoadError::NoLoadSegments));
}

#[test]
fn bad_interp() {
    let interp = |f: &dyn Fn(&mut Ph)| {
        let mut e = dynamic_pie();
        let ph = e.phdrs.iter_mut().find(|p| p.p_type == PT_INTERP).unwrap();
        f(ph);
        refuse(&e.build())
    };
    assert!(matches!(
        interp(&|p| p.filesz = 1),
        LoadError::InterpBadSize { size: 1 }
    ));
    assert!(matches!(
        interp(&|p| p.filesz = 0),
        LoadError::InterpBadSize { size: 0 }
    ));
    assert!(matches!(
        interp(&|p| p.filesz = 4097),
        LoadError::InterpBadSize { size: 4097 }
    ));
    // Drop the NUL.
    assert!(matches!(
        interp(&|p| p.filesz -= 1),
        LoadError::InterpNotTerminated
    ));
    assert!(matches!(
        interp(&|p| p.offset = 0x1170),
        LoadError::InterpBeyondEof { .. }
    ));
    assert!(matches!(
        interp(&|p| p.offset = u64::MAX - 4),
        LoadError::InterpBeyondEof { .. }
    ));
    // Point at zero bytes: a path that is empty.
    assert!(matches!(
        interp(&|p| p.offset = 0x140),
        LoadError::InterpEmpty
    ));

    // An embedded NUL ends the path, as in Linux; a second PT_INTERP is ignored.
    let mut e = dynamic_pie();
    e.payload.push((INTERP_OFF + 5, vec![0]));
    let mut second = e.phdrs[0];
    second.offset = 0x1000; // not NUL terminated, but never looked at
    e.phdrs.push(second);
    assert_eq!(
        parse(&e.build()).unwrap().interp.as_deref(),
        Some(&b"/lib6"[..])
    );
}

#[test]
fn pt_phdr_in_kernel_half() {
    let mut e = static_exec();
    e.phdrs.push(Ph {
        p_type: PT_PHDR,
        flags: PF_R,
        offset: 64,
        vaddr: 0xffff_8000_0000_0000,
        filesz: 0,
        memsz: 0,
        align: 8,
    });
    assert!(matches!(
        refuse(&e.build()),
        LoadError::BadPhdrSegment { .. }
    ));
}
