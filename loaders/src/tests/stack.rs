//! The initial stack, decoded back from memory the way a C runtime reads it.

use super::builder::*;
use crate::auxv::*;
use crate::{
    arg_limit, build_initial_stack, layout_initial_stack, load, parse, ImageSink, LoadError,
    LoadedImage, MemoryError, MemorySink, StackArgs, PROT_READ, PROT_WRITE,
};

const STACK_TOP: u64 = 0x7fff_ffff_f000;
const STACK_SIZE: u64 = 0x10_0000;

fn program() -> LoadedImage {
    let bytes = static_exec().build();
    let image = parse(&bytes).unwrap();
    let mut sink = MemorySink::new(1 << 20);
    load(&image, &bytes, &mut sink, 0).unwrap()
}

fn args() -> StackArgs {
    StackArgs {
        argv: vec![b"prog".to_vec(), b"-x".to_vec(), b"hello world".to_vec()],
        envp: vec![b"A=1".to_vec(), b"PATH=/bin:/usr/bin".to_vec()],
        execfn: b"/bin/prog".to_vec(),
        random: core::array::from_fn(|i| i as u8 * 3 + 1),
        hwcap: 0x178b_fbff,
        hwcap2: 2,
        minsigstksz: 2048,
        uid: 1000,
        euid: 1001,
        gid: 100,
        egid: 101,
        secure: false,
        program: program(),
        interp_base: Some(0x7fff_f7dd_0000),
        vdso: Some(0x7fff_f7ff_d000),
        max_bytes: arg_limit(8 << 20),
    }
}

fn stack_sink() -> MemorySink {
    let mut sink = MemorySink::new(STACK_SIZE);
    sink.map_zeroed(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE)
        .unwrap();
    sink
}

/// What a C runtime sees at `rsp`.
#[derive(Debug)]
struct Decoded {
    argv: Vec<(u64, Vec<u8>)>,
    envp: Vec<(u64, Vec<u8>)>,
    auxv: Vec<(u64, u64)>,
    /// Address just past AT_NULL's value.
    auxv_end: u64,
}

fn decode(mem: &MemorySink, rsp: u64) -> Decoded {
    let word = |a: u64| mem.read_u64(a).expect("mapped");
    let string = |a: u64| mem.read_cstr(a, 1 << 17).expect("terminated string");
    let argc = word(rsp);
    let mut at = rsp + 8;
    let mut argv = Vec::new();
    for _ in 0..argc {
        let p = word(at);
        argv.push((p, string(p)));
        at += 8;
    }
    assert_eq!(word(at), 0, "argv is NULL-terminated");
    at += 8;
    let mut envp = Vec::new();
    loop {
        let p = word(at);
        at += 8;
        if p == 0 {
            break;
        }
        envp.push((p, string(p)));
    }
    let mut auxv = Vec::new();
    loop {
        let (k, v) = (word(at), word(at + 8));
        at += 16;
        auxv.push((k, v));
        if k == AT_NULL {
            break;
        }
    }
    Decoded {
        argv,
        envp,
        auxv,
        auxv_end: at,
    }
}

fn aux(d: &Decoded, key: u64) -> u64 {
    d.auxv
        .iter()
        .find(|(k, _)| *k == key)
        .expect("key present")
        .1
}

#[test]
fn linux_layout() {
    let a = args();
    let mut mem = stack_sink();
    let rsp = build_initial_stack(&mut mem, STACK_TOP, &a).unwrap();
    assert_eq!(rsp % 16, 0);
    let d = decode(&mem, rsp);

    let strings = |v: &[(u64, Vec<u8>)]| v.iter().map(|s| s.1.clone()).collect::<Vec<_>>();
    assert_eq!(strings(&d.argv), a.argv);
    assert_eq!(strings(&d.envp), a.envp);

    let keys: Vec<u64> = d.auxv.iter().map(|p| p.0).collect();
    assert_eq!(
        keys,
        vec![
            AT_SYSINFO_EHDR,
            AT_MINSIGSTKSZ,
            AT_HWCAP,
            AT_PAGESZ,
            AT_CLKTCK,
            AT_PHDR,
            AT_PHENT,
            AT_PHNUM,
            AT_BASE,
            AT_FLAGS,
            AT_ENTRY,
            AT_UID,
            AT_EUID,
            AT_GID,
            AT_EGID,
            AT_SECURE,
            AT_RANDOM,
            AT_HWCAP2,
            AT_EXECFN,
            AT_PLATFORM,
            AT_NULL,
        ]
    );
    assert_eq!(aux(&d, AT_SYSINFO_EHDR), 0x7fff_f7ff_d000);
    assert_eq!(aux(&d, AT_MINSIGSTKSZ), 2048);
    assert_eq!(aux(&d, AT_HWCAP), 0x178b_fbff);
    assert_eq!(aux(&d, AT_PAGESZ), 4096);
    assert_eq!(aux(&d, AT_CLKTCK), 100);
    assert_eq!(aux(&d, AT_PHDR), 0x40_0040);
    assert_eq!(aux(&d, AT_PHENT), 56);
    assert_eq!(aux(&d, AT_PHNUM), 3);
    assert_eq!(aux(&d, AT_BASE), 0x7fff_f7dd_0000);
    assert_eq!(aux(&d, AT_FLAGS), 0);
    assert_eq!(aux(&d, AT_ENTRY), 0x40_0200);
    assert_eq!(aux(&d, AT_UID), 1000);
    assert_eq!(aux(&d, AT_EUID), 1001);
    assert_eq!(aux(&d, AT_GID), 100);
    assert_eq!(aux(&d, AT_EGID), 101);
    assert_eq!(aux(&d, AT_SECURE), 0);
    assert_eq!(aux(&d, AT_HWCAP2), 2);
    assert_eq!(aux(&d, AT_NULL), 0);

    let random = aux(&d, AT_RANDOM);
    assert_eq!(mem.read(random, 16).unwrap(), a.random);
    let platform = aux(&d, AT_PLATFORM);
    assert_eq!(mem.read(platform, 7).unwrap(), b"x86_64\0");
    let execfn = aux(&d, AT_EXECFN);
    assert_eq!(mem.read_cstr(execfn, 64).unwrap(), a.execfn);

    // Top down: 8 zero bytes, execfn, envp strings, argv strings, (align 16) platform,
    // random, padding, auxv.
    assert_eq!(mem.read(STACK_TOP - 8, 8).unwrap(), [0; 8]);
    assert_eq!(execfn + a.execfn.len() as u64 + 1, STACK_TOP - 8);
    let env_end = d.envp.last().map(|(p, s)| p + s.len() as u64 + 1).unwrap();
    assert_eq!(env_end, execfn);
    for pair in d.envp.windows(2).chain(d.argv.windows(2)) {
        assert_eq!(
            pair[0].0 + pair[0].1.len() as u64 + 1,
            pair[1].0,
            "contiguous"
        );
    }
    let arg_end = d.argv.last().map(|(p, s)| p + s.len() as u64 + 1).unwrap();
    assert_eq!(arg_end, d.envp[0].0);
    let arg_start = d.argv[0].0;
    assert_eq!(platform + 7, arg_start & !15);
    assert_eq!(random + 16, platform);
    assert!(
        d.auxv_end <= random && random - d.auxv_end < 16,
        "only alignment padding"
    );
    assert!(mem
        .read(d.auxv_end, (random - d.auxv_end) as usize)
        .unwrap()
        .iter()
        .all(|&b| b == 0));

    // The layout reports what /proc needs.
    let layout = layout_initial_stack(STACK_TOP, &a).unwrap();
    assert_eq!(layout.rsp, rsp);
    assert_eq!(layout.arg_start, arg_start);
    assert_eq!(layout.arg_end, arg_end);
    assert_eq!(layout.env_start, arg_end);
    assert_eq!(layout.env_end, env_end);
    assert_eq!(layout.auxv, d.auxv);
    assert_eq!(
        layout.bytes,
        mem.read(rsp, (STACK_TOP - rsp) as usize).unwrap()
    );
}

#[test]
fn rsp_is_aligned_for_every_count() {
    for argc in 0..5 {
        for envc in 0..5 {
            for extra in 0..17 {
                for vdso in [None, Some(0x7fff_f7ff_d000)] {
                    let mut a = args();
                    a.argv = (0..argc).map(|i| vec![b'a'; i + extra]).collect();
                    a.envp = (0..envc).map(|i| vec![b'e'; i * 3 + 1]).collect();
                    a.execfn = vec![b'f'; extra];
                    a.vdso = vdso;
                    a.interp_base = None;
                    let mut mem = stack_sink();
                    let rsp = build_initial_stack(&mut mem, STACK_TOP, &a).unwrap();
                    assert_eq!(rsp % 16, 0);
                    let d = decode(&mem, rsp);
                    // Linux gives an empty argv one empty string.
                    let want_argv = if argc == 0 {
                        vec![Vec::new()]
                    } else {
                        a.argv.clone()
                    };
                    let got: Vec<_> = d.argv.iter().map(|s| s.1.clone()).collect();
                    assert_eq!(got, want_argv);
                    assert_eq!(d.envp.len(), envc);
                    assert_eq!(d.auxv.len(), 20 + usize::from(vdso.is_some()));
                    assert_eq!(d.auxv[0].0 == AT_SYSINFO_EHDR, vdso.is_some());
                    assert_eq!(aux(&d, AT_BASE), 0);
                    let random = aux(&d, AT_RANDOM);
                    assert!(random - d.auxv_end < 16);
                }
            }
        }
    }
}

#[test]
fn too_many_arguments_is_e2big() {
    let mut a = args();
    let strings: u64 = a
        .argv
        .iter()
        .chain(&a.envp)
        .map(|s| s.len() as u64 + 1)
        .sum::<u64>()
        + a.execfn.len() as u64
        + 1;
    let pointers = (a.argv.len() + a.envp.len()) as u64 * 8;
    a.max_bytes = strings + pointers;
    let mut mem = stack_sink();
    assert!(
        build_initial_stack(&mut mem, STACK_TOP, &a).is_ok(),
        "exactly at the limit"
    );
    a.max_bytes -= 1;
    let err = build_initial_stack(&mut mem, STACK_TOP, &a).unwrap_err();
    assert!(matches!(err, LoadError::ArgListTooLong { .. }), "{err:?}");
    assert!(err.is_arg_list_too_long());
    assert!(!err.is_format_error());

    // Pointers alone can exhaust the limit.
    a.argv = vec![Vec::new(); 100];
    a.max_bytes = 800;
    assert!(matches!(
        layout_initial_stack(STACK_TOP, &a),
        Err(LoadError::ArgListTooLong { .. })
    ));

    // One string over MAX_ARG_STRLEN (128 KiB with its NUL) is refused whatever the limit.
    let mut a = args();
    a.max_bytes = u64::MAX;
    a.envp.push(vec![b'x'; 128 * 1024]);
    let err = layout_initial_stack(STACK_TOP, &a).unwrap_err();
    assert!(matches!(err, LoadError::ArgStringTooLong { len } if len == 128 * 1024 + 1));
    assert!(err.is_arg_list_too_long());
    a.envp.last_mut().unwrap().pop();
    assert!(layout_initial_stack(STACK_TOP, &a).is_ok());
}

#[test]
fn arg_limit_matches_linux() {
    assert_eq!(arg_limit(8 << 20), 2 << 20);
    assert_eq!(arg_limit(u64::MAX), 6 << 20);
    assert_eq!(arg_limit(0), 128 << 10);
}

#[test]
fn stack_problems_are_errors_not_panics() {
    let a = args();
    assert!(matches!(
        layout_initial_stack(0x100, &a),
        Err(LoadError::StackTopTooLow { .. })
    ));
    // Stack not mapped: the sink's error comes back.
    let mut mem = MemorySink::new(1 << 20);
    let err = build_initial_stack(&mut mem, STACK_TOP, &a).unwrap_err();
    assert!(matches!(
        err.sink_error::<MemoryError>(),
        Some(MemoryError::Unmapped { .. })
    ));
}

/// Addresses observed on Linux 6.18 x86-64 for
/// `env -i A=1 PATH=/bin:/usr/bin setarch -R /tmp/stk/dump -x "hello world"` (a static
/// program that dumps its stack). Linux also pushed AT_RSEQ_FEATURE_SIZE and AT_RSEQ_ALIGN,
/// two auxv pairs more than we write, so its rsp was 0x7fffffffede0; every address above
/// the auxv is independent of that and must match exactly.
#[test]
fn matches_a_native_linux_dump() {
    let mut a = args();
    a.argv = vec![
        b"/tmp/stk/dump".to_vec(),
        b"-x".to_vec(),
        b"hello world".to_vec(),
    ];
    a.envp = vec![b"A=1".to_vec(), b"PATH=/bin:/usr/bin".to_vec()];
    a.execfn = b"/tmp/stk/dump".to_vec();
    let mut mem = stack_sink();
    let rsp = build_initial_stack(&mut mem, STACK_TOP, &a).unwrap();
    let d = decode(&mem, rsp);
    let ptrs = |v: &[(u64, Vec<u8>)]| v.iter().map(|s| s.0).collect::<Vec<_>>();
    assert_eq!(
        ptrs(&d.argv),
        [0x7fff_ffff_efb6, 0x7fff_ffff_efc4, 0x7fff_ffff_efc7]
    );
    assert_eq!(ptrs(&d.envp), [0x7fff_ffff_efd3, 0x7fff_ffff_efd7]);
    assert_eq!(aux(&d, AT_EXECFN), 0x7fff_ffff_efea);
    assert_eq!(aux(&d, AT_PLATFORM), 0x7fff_ffff_efa9);
    assert_eq!(aux(&d, AT_RANDOM), 0x7fff_ffff_ef99);
    // Linux's formula with 21 pairs instead of 23: 0x7fffffffede0 + 2 * 16.
    assert_eq!(rsp, 0x7fff_ffff_ee00);
}
