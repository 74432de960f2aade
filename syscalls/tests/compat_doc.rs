//! `docs/syscalls.md` is generated from the syscall table; this test fails when it is stale.
//!
//! Regenerate it with `cargo run -p sbx-host -- syscalls --markdown > docs/syscalls.md`, or
//! run this test with `SBX_BLESS=1` to rewrite the file in place.

use std::path::PathBuf;

use sbx_syscalls::{build_table, compat};

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/syscalls.md")
}

#[test]
fn syscalls_doc_is_current() {
    let want = compat::markdown(&build_table());
    let path = doc_path();
    if std::env::var_os("SBX_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let first_diff = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
        panic!(
            "docs/syscalls.md is out of date with the syscall table (first difference at line {}).\n\
             Regenerate it with:\n    {}\n\
             or: SBX_BLESS=1 cargo test -p sbx-syscalls --test compat_doc",
            first_diff + 1,
            compat::REGENERATE
        );
    }
}
