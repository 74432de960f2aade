//! Feeds arbitrary bytes to the ELF parser, then loads whatever it accepts into a bounded
//! in-memory address space (as a main program and as an interpreter) and builds an initial
//! stack for it. Errors are expected; a panic, hang or runaway allocation is a bug.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sbx_loaders::{
    build_initial_stack, choose_base, load, parse, ImageSink, MemorySink, StackArgs, PROT_READ,
    PROT_WRITE,
};

/// Mapping limit of the fake address space: absurd segment sizes must fail cleanly.
const LIMIT: u64 = 64 * 1024 * 1024;
const STACK_TOP: u64 = 0x7fff_ffff_f000;
const STACK_SIZE: u64 = 1024 * 1024;

fuzz_target!(|data: &[u8]| {
    let Ok(image) = parse(data) else {
        return;
    };
    for is_interp in [false, true] {
        let mut sink = MemorySink::new(LIMIT);
        let base = choose_base(&image, is_interp);
        let Ok(loaded) = load(&image, data, &mut sink, base) else {
            continue;
        };
        assert!(loaded.lowest <= loaded.highest && loaded.highest <= loaded.brk_start);

        let mut stack = MemorySink::new(STACK_SIZE);
        if stack
            .map_zeroed(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE)
            .is_err()
        {
            return;
        }
        let args = StackArgs {
            argv: vec![b"fuzz".to_vec()],
            envp: vec![b"A=1".to_vec()],
            execfn: b"/fuzz".to_vec(),
            random: [0; 16],
            hwcap: 0,
            hwcap2: 0,
            minsigstksz: 2048,
            uid: 0,
            euid: 0,
            gid: 0,
            egid: 0,
            secure: false,
            program: loaded,
            interp_base: None,
            vdso: None,
            max_bytes: 128 * 1024,
        };
        let rsp = build_initial_stack(&mut stack, STACK_TOP, &args).expect("small stack fits");
        assert_eq!(rsp % 16, 0);
    }
});
