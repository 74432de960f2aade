//! Differential tests: each program from tests/programs/, linked with glibc and with musl, runs
//! natively (the oracle) and under `sbx run --platform kvm`; stdout, stderr and the exit status
//! must be identical.

use std::fs;
use std::path::Path;

use sbx_tests::{prepare_program, Libc};

/// For each function `name(Libc)` below, a module `name` with the tests `glibc` and `musl`.
macro_rules! for_each_libc {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            use super::*;
            #[test]
            fn glibc() {
                super::$name(Libc::Glibc);
            }
            #[test]
            fn musl() {
                super::$name(Libc::Musl);
            }
        }
    )*};
}

for_each_libc!(
    hello, argv_env, fileio, mmap, getrandom, clock, float, exitcode, segfault, abort, threads,
    signals,
);

fn threads(libc: Libc) {
    plain("threads", libc);
}

fn signals(libc: Libc) {
    plain("signals", libc);
}

/// Programs whose whole check is the comparison.
fn plain(name: &str, libc: Libc) {
    if let Some(case) = prepare_program(name, libc) {
        case.assert_same();
    }
}

fn hello(libc: Libc) {
    plain("hello", libc);
}

fn mmap(libc: Libc) {
    plain("mmap", libc);
}

fn getrandom(libc: Libc) {
    plain("getrandom", libc);
}

fn clock(libc: Libc) {
    plain("clock", libc);
}

fn float(libc: Libc) {
    plain("float", libc);
}

fn argv_env(libc: Libc) {
    let Some(case) = prepare_program("argv_env", libc) else {
        return;
    };
    case.clone().assert_same();
    // Awkward arguments, including ones that look like sbx options.
    case.clone()
        .args([
            "one",
            "two words",
            "",
            "--platform",
            "-e",
            "X=1",
            "--",
            "ünïcödé",
            "tab\there",
        ])
        .assert_same();
    // -e adds variables and overrides the defaults.
    case.clone()
        .env("FOO", "bar")
        .env("EMPTY", "")
        .env("HOME", "/nonexistent")
        .env("WITH_EQ", "a=b")
        .assert_same();
    // -w sets the working directory.
    case.workdir("/usr").assert_same();
}

fn fileio(libc: Libc) {
    let Some(case) = prepare_program("fileio", libc) else {
        return;
    };
    // In a host directory mounted read-write: each side gets a fresh, empty directory.
    let native_dir = tempfile::tempdir().unwrap();
    let sbx_dir = tempfile::tempdir().unwrap();
    case.clone()
        .mount_each(native_dir.path(), sbx_dir.path(), "/mnt/work")
        .arg("/mnt/work")
        .assert_same();
    let result = sbx_dir.path().join("fileio.result");
    assert_eq!(
        fs::read_to_string(&result).ok().as_deref(),
        Some("ok\n"),
        "the guest's writes must reach the host mount ({})",
        result.display()
    );
    assert!(
        !sbx_dir.path().join("fileio.d").exists(),
        "the guest removed fileio.d; the host must not see it"
    );

    // In the guest's own tmpfs /tmp, against a fresh host directory natively.
    let host_leak = Path::new("/tmp/fileio.result");
    let leaked_before = host_leak.exists();
    let fresh = tempfile::tempdir().unwrap();
    case.guest_dir_as("/tmp", fresh.path())
        .arg("/tmp")
        .assert_same();
    if !leaked_before {
        assert!(
            !host_leak.exists(),
            "the guest's /tmp must be its own, but /tmp/fileio.result appeared on the host"
        );
    }
}

fn exitcode(libc: Libc) {
    let Some(case) = prepare_program("exitcode", libc) else {
        return;
    };
    for (arg, expected) in [("0", 0), ("3", 3), ("255", 255), ("256", 0)] {
        let (native, _) = case.clone().arg(arg).assert_same();
        assert_eq!(
            native.status.guest_code(),
            Some(expected),
            "native oracle for exit({arg})"
        );
    }
}

fn segfault(libc: Libc) {
    let Some(case) = prepare_program("segfault", libc) else {
        return;
    };
    let (native, _) = case.assert_same();
    assert_eq!(
        native.status.guest_code(),
        Some(139),
        "native oracle: killed by SIGSEGV"
    );
}

fn abort(libc: Libc) {
    let Some(case) = prepare_program("abort", libc) else {
        return;
    };
    let (native, _) = case.assert_same();
    assert_eq!(
        native.status.guest_code(),
        Some(134),
        "native oracle: killed by SIGABRT"
    );
}
