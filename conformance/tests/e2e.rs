//! End to end: `sbx conformance` over the fixture cases (tests/fixtures/cases) and over a fake
//! LTP directory built from tiny static C programs, natively and under KVM.
//!
//! Runs under the `bt` engine (always skipped, since it does not exist yet) work on any
//! machine and check the native half; runs under `kvm` need /dev/kvm and the sbx binary
//! (`cargo build -p sbx-host`), and skip loudly without KVM unless `CI=true`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use sbx_conformance::baseline::Baseline;
use sbx_conformance::ConformanceArgs;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cases")
}

fn musl() -> bool {
    sbx_conformance::compile::in_path("musl-gcc")
}

/// Prints a loud SKIP line, or panics under `CI=true`.
fn skip(reason: &str) {
    if sbx_conformance::in_ci() {
        panic!("{reason} (CI=true, so a missing prerequisite is a failure, not a skip)");
    }
    let _ = std::io::stderr().write_all(
        format!(
            "\n!!!!!!!!!! SKIP {}: {reason}\n!!!!!!!!!! (this test did NOT run; with CI=true it would fail)\n\n",
            std::thread::current().name().unwrap_or("?")
        )
        .as_bytes(),
    );
}

/// The sbx binary when KVM can be used, else `None` after [`skip`].
fn kvm_sbx() -> Option<PathBuf> {
    if let Err(e) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
    {
        skip(&format!("/dev/kvm is not usable ({e})"));
        return None;
    }
    let sbx = match std::env::var_os("SBX_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            let exe = std::env::current_exe().expect("current_exe");
            let mut dir = exe.parent().expect("test dir").to_path_buf();
            if dir.ends_with("deps") {
                dir.pop();
            }
            dir.join("sbx")
        }
    };
    assert!(
        sbx.is_file(),
        "{} missing: build it first (cargo build -p sbx-host) or set SBX_BIN",
        sbx.display()
    );
    Some(sbx)
}

struct Run {
    status: i32,
    json: Value,
}

fn run(args: ConformanceArgs, sbx: &Path, work: &Path) -> Run {
    let json = work.join("report.json");
    let args = ConformanceArgs {
        json: Some(json.clone()),
        work_dir: Some(work.join("work")),
        jobs: Some(2),
        ..args
    };
    let status = sbx_conformance::main(&args, sbx).expect("sbx conformance");
    let json = serde_json::from_slice(&std::fs::read(&json).expect("report")).expect("json");
    Run { status, json }
}

fn cases_args(platform: &str) -> ConformanceArgs {
    ConformanceArgs {
        platform: platform.into(),
        cases: Some(fixtures()),
        timeout: 30,
        libc: "all".into(),
        ..ConformanceArgs::default()
    }
}

fn case<'a>(json: &'a Value, id: &str) -> &'a Value {
    json["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no row {id} in {json:#}"))
}

#[test]
fn native_half_and_unavailable_engine() {
    let work = tempfile::tempdir().unwrap();
    let r = run(cases_args("bt"), Path::new("/nonexistent/sbx"), work.path());
    assert_eq!(r.status, 0);
    let j = &r.json;
    let files = case(j, "basic/files@glibc");
    assert_eq!(files["name"], "basic/files");
    assert_eq!(files["libc"], "glibc");
    assert_eq!(files["syscalls"][0], "openat");
    assert_eq!(files["results"]["native"], "pass");
    assert_eq!(files["results"]["bt"], "skip");
    assert_eq!(files["reason"]["bt"], "engine not available");
    let broken = case(j, "basic/broken@glibc");
    assert_eq!(broken["results"]["native"], "fail");
    assert_eq!(
        broken["reason"]["native"],
        "exit status 1 natively: FAIL basic/broken.c:7: 1 + 1 = 2 (-), want 3"
    );
    // `// libc: glibc` builds only that one; `// libc: musl` only the other.
    let ids: Vec<&str> = j["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert!(!ids.contains(&"basic/broken@musl"));
    assert!(!ids.contains(&"diverge/hang@glibc"));
    assert_eq!(ids.contains(&"diverge/hang@musl"), musl());
    assert_eq!(j["summary"]["bt"]["skipped"], ids.len());
    assert_eq!(j["summary"]["native"]["fail"], 1);

    // A second run reuses every binary.
    let key = work.path().join("work/bin/glibc/basic/files.key");
    let before = std::fs::metadata(&key).unwrap().modified().unwrap();
    let r2 = run(
        ConformanceArgs {
            filter: vec!["basic/files".into()],
            ..cases_args("bt")
        },
        Path::new("/nonexistent/sbx"),
        work.path(),
    );
    assert_eq!(
        r2.json["cases"].as_array().unwrap().len(),
        1 + usize::from(musl())
    );
    assert_eq!(std::fs::metadata(&key).unwrap().modified().unwrap(), before);
}

#[test]
fn fixtures_under_kvm_with_baseline() {
    let Some(sbx) = kvm_sbx() else { return };
    let work = tempfile::tempdir().unwrap();
    let html = work.path().join("report.html");
    let r = run(
        ConformanceArgs {
            html: Some(html.clone()),
            ..cases_args("all")
        },
        &sbx,
        work.path(),
    );
    let j = &r.json;
    for id in ["basic/files@glibc", "basic/env@glibc"] {
        assert_eq!(case(j, id)["results"]["kvm"], "pass", "{:#}", case(j, id));
    }
    let pid1 = case(j, "diverge/pid1@glibc");
    assert_eq!(pid1["results"]["kvm"], "fail");
    assert_eq!(
        pid1["reason"]["kvm"],
        r#"line 1: want "pid is 1: no", got "pid is 1: yes""#
    );
    assert!(pid1["diff"]["kvm"]
        .as_str()
        .unwrap()
        .contains("-pid is 1: no\n+pid is 1: yes\n"));
    assert_eq!(case(j, "basic/broken@glibc")["results"]["kvm"], "broken");
    assert_eq!(case(j, "basic/files@glibc")["results"]["bt"], "skip");
    if musl() {
        let hang = case(j, "diverge/hang@musl");
        assert_eq!(hang["results"]["native"], "pass");
        assert_eq!(hang["results"]["kvm"], "timeout");
    }
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("diverge/pid1@glibc"));

    // The baseline: regenerate, check (clean), then claim a failing row passes (regression).
    let baseline = work.path().join("baseline.json");
    let quick = || ConformanceArgs {
        filter: vec!["basic".into(), "diverge/pid1".into()],
        ..cases_args("all")
    };
    let r = run(
        ConformanceArgs {
            update_baseline: Some(baseline.clone()),
            ..quick()
        },
        &sbx,
        work.path(),
    );
    assert_eq!(r.status, 0);
    let b = Baseline::load(&baseline).unwrap();
    let kvm: Vec<&str> = b.engines["kvm"].iter().map(String::as_str).collect();
    let mut want = vec!["basic/env@glibc", "basic/files@glibc"];
    if musl() {
        want = vec![
            "basic/env@glibc",
            "basic/env@musl",
            "basic/files@glibc",
            "basic/files@musl",
        ];
    }
    assert_eq!(kvm, want);
    assert!(!b.engines.contains_key("bt"), "bt did not run: {b:?}");
    let check = |b: &Path| {
        run(
            ConformanceArgs {
                baseline: Some(b.to_path_buf()),
                ..quick()
            },
            &sbx,
            work.path(),
        )
        .status
    };
    assert_eq!(check(&baseline), 0);
    let mut bad = b.clone();
    bad.engines
        .get_mut("kvm")
        .unwrap()
        .insert("diverge/pid1@glibc".into());
    let bad_path = work.path().join("bad.json");
    bad.save(&bad_path).unwrap();
    assert_eq!(check(&bad_path), 1);
}

/// A fake LTP installation: runtest/syscalls and static binaries in testcases/bin.
fn fake_ltp(dir: &Path) {
    let bin = dir.join("testcases/bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all(dir.join("runtest")).unwrap();
    // The guest is pid 1; a native run never is. LTP exit codes: 0 pass, 1 TFAIL, 2 TBROK,
    // 32 TCONF.
    let programs = [
        (
            "args01",
            "int main(int c, char **v) { return c == 3 && !strcmp(v[1], \"-x\") && \
             !strcmp(v[2], \"7\") ? 0 : 1; }",
        ),
        (
            "conf01",
            "int main(void) { puts(\"conf01 TCONF: nope\"); return 32; }",
        ),
        (
            "broken01",
            "int main(void) { puts(\"broken01 TBROK: setup\"); return 2; }",
        ),
        (
            "getpid01",
            "int main(void) { if (getpid() == 1) { puts(\"getpid01 TFAIL: pid 1\"); return 1; } \
             return 0; }",
        ),
        (
            "getppid01",
            "int main(void) { return getpid() == 1 ? 32 : 0; }",
        ),
        (
            "path01",
            "int main(void) { return getenv(\"LTPROOT\") ? 0 : 2; }",
        ),
    ];
    for (name, body) in programs {
        let src = dir.join(format!("{name}.c"));
        std::fs::write(
            &src,
            format!("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n#include <unistd.h>\n{body}\n"),
        )
        .unwrap();
        let out = Command::new("gcc")
            .args(["-static", "-O1", "-o"])
            .arg(bin.join(name))
            .arg(&src)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    std::fs::write(
        dir.join("runtest/syscalls"),
        "# fake LTP\n\nargs01 args01 -x 7\nconf01 conf01\nbroken01 broken01\n\
         getpid01 getpid01\ngetppid01 getppid01\npath01 path01\n",
    )
    .unwrap();
}

fn ltp_args(dir: &Path, platform: &str) -> ConformanceArgs {
    ConformanceArgs {
        platform: platform.into(),
        ltp: Some(dir.to_path_buf()),
        timeout: 30,
        libc: "all".into(),
        ..ConformanceArgs::default()
    }
}

#[test]
fn ltp_natively() {
    let ltp = tempfile::tempdir().unwrap();
    fake_ltp(ltp.path());
    let work = tempfile::tempdir().unwrap();
    let r = run(
        ltp_args(ltp.path(), "bt"),
        Path::new("/nonexistent"),
        work.path(),
    );
    let native = |id: &str| case(&r.json, id)["results"]["native"].clone();
    assert_eq!(native("ltp/args01"), "pass");
    assert_eq!(native("ltp/conf01"), "skip");
    assert_eq!(native("ltp/broken01"), "fail");
    assert_eq!(native("ltp/getpid01"), "pass");
    assert_eq!(native("ltp/path01"), "pass");
    assert_eq!(case(&r.json, "ltp/getpid01")["syscalls"][0], "getpid");
    assert_eq!(r.json["meta"]["source"], "ltp");
    assert_eq!(r.json["cases"].as_array().unwrap().len(), 6);
}

#[test]
fn ltp_under_kvm() {
    let Some(sbx) = kvm_sbx() else { return };
    let ltp = tempfile::tempdir().unwrap();
    fake_ltp(ltp.path());
    let work = tempfile::tempdir().unwrap();
    let r = run(ltp_args(ltp.path(), "kvm"), &sbx, work.path());
    let kvm = |id: &str| case(&r.json, id)["results"]["kvm"].clone();
    assert_eq!(kvm("ltp/args01"), "pass");
    assert_eq!(kvm("ltp/path01"), "pass");
    assert_eq!(kvm("ltp/conf01"), "skip");
    assert_eq!(kvm("ltp/broken01"), "broken");
    assert_eq!(kvm("ltp/getpid01"), "fail");
    assert_eq!(
        case(&r.json, "ltp/getpid01")["reason"]["kvm"],
        "exit status 1 (TFAIL) vs 0: getpid01 TFAIL: pid 1"
    );
    assert_eq!(kvm("ltp/getppid01"), "skip");
    assert_eq!(r.json["summary"]["kvm"]["pass"], 2);
}
