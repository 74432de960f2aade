//! Inputs no one designed: real binaries on this machine, and a valid ELF with random bytes
//! changed. Errors are fine; panics are not.

use std::path::PathBuf;

use super::builder::*;
use crate::{
    build_initial_stack, choose_base, load, parse, ElfKind, ImageSink, MemorySink, StackArgs,
    PROT_READ, PROT_WRITE,
};

const MIB: u64 = 1024 * 1024;

/// Deterministic xorshift64, so a failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Parses, loads the result (as main program and as interpreter) into bounded sinks and
/// builds a stack for it. Returns whether parsing succeeded.
fn exercise(bytes: &[u8]) -> bool {
    let Ok(image) = parse(bytes) else {
        return false;
    };
    for is_interp in [false, true] {
        let mut sink = MemorySink::new(64 * MIB);
        let base = choose_base(&image, is_interp);
        if image.kind == ElfKind::Exec {
            assert_eq!(base, 0);
        }
        if let Ok(loaded) = load(&image, bytes, &mut sink, base) {
            assert!(loaded.lowest <= loaded.highest && loaded.highest <= loaded.brk_start);
            assert_eq!(loaded.brk_start % 4096, 0);
            let top = 0x7fff_ffff_f000;
            let mut stack = MemorySink::new(MIB);
            stack
                .map_zeroed(top - MIB, MIB, PROT_READ | PROT_WRITE)
                .expect("map stack");
            let args = StackArgs {
                argv: vec![b"x".to_vec()],
                envp: vec![],
                execfn: b"/x".to_vec(),
                random: [7; 16],
                hwcap: 0,
                hwcap2: 0,
                minsigstksz: 0,
                uid: 0,
                euid: 0,
                gid: 0,
                egid: 0,
                secure: false,
                program: loaded,
                interp_base: None,
                vdso: None,
                max_bytes: 1 << 17,
            };
            let rsp = build_initial_stack(&mut stack, top, &args).expect("stack");
            assert_eq!(rsp % 16, 0);
        }
    }
    true
}

#[test]
fn real_binaries_never_panic() {
    let Ok(dir) = std::fs::read_dir("/bin") else {
        return; // no /bin: nothing to check
    };
    let mut paths: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let mut elf_files = 0;
    let mut parsed = 0;
    for path in paths
        .into_iter()
        .filter(|p| p.metadata().map(|m| m.is_file()).unwrap_or(false))
        .take(200)
    {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        if bytes.starts_with(b"\x7fELF") {
            elf_files += 1;
        }
        match parse(&bytes) {
            Ok(image) => {
                parsed += 1;
                // A real image that fits the sink must load, as program and as interpreter.
                if image.max_vaddr - image.min_vaddr < 60 * MIB {
                    for is_interp in [false, true] {
                        let mut sink = MemorySink::new(64 * MIB);
                        let base = choose_base(&image, is_interp);
                        if let Err(e) = load(&image, &bytes, &mut sink, base) {
                            panic!("{}: {e}", path.display());
                        }
                    }
                }
            }
            Err(e) if bytes.starts_with(b"\x7fELF") => eprintln!("{}: {e}", path.display()),
            Err(_) => {}
        }
        exercise(&bytes);
    }
    eprintln!("/bin: {elf_files} ELF files, {parsed} parsed");
    // Every x86-64 executable in /bin should parse; at least one must, if there are any.
    if elf_files > 0 && cfg!(target_arch = "x86_64") {
        assert!(parsed > 0, "none of {elf_files} ELF files in /bin parsed");
    }
}

#[test]
fn real_interpreter_fits_its_region() {
    let Ok(bytes) = std::fs::read("/lib64/ld-linux-x86-64.so.2") else {
        return; // no glibc here
    };
    let image = parse(&bytes).expect("ld.so parses");
    assert_eq!(image.kind, ElfKind::Dyn);
    assert_eq!(image.interp, None);
    assert_eq!(choose_base(&image, true), crate::INTERP_BASE);
    let mut sink = MemorySink::new(64 * MIB);
    let loaded = load(&image, &bytes, &mut sink, crate::INTERP_BASE).expect("ld.so loads");
    assert!(loaded.brk_start <= crate::INTERP_CEILING);
    // ld.so's ELF header is in its first segment.
    assert_eq!(
        sink.read(loaded.lowest, 4).as_deref(),
        Some(&b"\x7fELF"[..])
    );
}

#[test]
fn mutated_elves_never_panic() {
    let seeds = [dynamic_pie().build(), static_exec().build()];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for i in 0..20_000 {
        let mut bytes = seeds[i % seeds.len()].clone();
        let headers = 64 + 4 * 56;
        for _ in 0..=rng.below(8) {
            // Mostly the headers, where the interesting fields are.
            let at = if rng.below(4) == 0 {
                rng.below(bytes.len() as u64)
            } else {
                rng.below(headers)
            } as usize;
            bytes[at] = match rng.below(4) {
                0 => 0,
                1 => 0xff,
                2 => bytes[at] ^ (1 << rng.below(8)),
                _ => rng.next() as u8,
            };
        }
        if rng.below(16) == 0 {
            bytes.truncate(rng.below(bytes.len() as u64) as usize);
        }
        if exercise(&bytes) {
            parsed += 1;
        }
    }
    // Some mutations hit bytes that do not matter; if none parsed, the test is not testing.
    assert!(parsed > 1000, "only {parsed} mutants parsed");
}

/// The seeds themselves pass `exercise`, so the mutation test starts from valid files.
#[test]
fn seeds_are_valid() {
    assert!(exercise(&dynamic_pie().build()));
    assert!(exercise(&static_exec().build()));
}
