//! Terminal behaviour: the program runs on a pseudo-terminal (util-linux `script`), natively
//! and under sbx, and the test types Ctrl-C; the transcripts must match.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sbx_tests::{program, require_kvm, sbx_bin, skip, Libc};

/// Runs `shell_cmd` under `script` on a fresh pty; once its output contains `ready`, types ^C.
/// Returns the output (what the terminal showed) and whether it finished in time.
fn on_pty(shell_cmd: &str) -> (String, bool) {
    let mut child = Command::new("script")
        .args(["-qefc", shell_cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn script");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel::<Vec<u8>>();
    let reader = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut out = Vec::new();
    let mut typed = false;
    let mut finished = false;
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(chunk) => out.extend_from_slice(&chunk),
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                finished = true;
                break;
            }
        }
        if !typed && String::from_utf8_lossy(&out).contains("ready") {
            // Give the program a moment to block in waitpid/pause, as a person would.
            std::thread::sleep(Duration::from_millis(200));
            stdin.write_all(b"\x03").expect("type ^C");
            stdin.flush().ok();
            typed = true;
        }
    }
    if !finished {
        let _ = child.kill();
    }
    let _ = child.wait();
    drop(stdin);
    let _ = reader.join();
    (String::from_utf8_lossy(&out).into_owned(), finished)
}

fn have_script() -> bool {
    let ok = Command::new("script")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !ok {
        skip("util-linux `script` is not installed (apt-get install bsdutils)");
    }
    ok
}

fn ctrl_c_reaches_the_foreground_group(libc: Libc) {
    if !require_kvm() || !have_script() {
        return;
    }
    let Some(prog) = program("job_control", libc) else {
        return;
    };
    let prog = prog.display().to_string();
    let (native, native_done) = on_pty(&prog);
    assert!(native_done, "native run did not finish:\n{native}");
    assert!(
        native.contains("child: got SIGINT"),
        "the native run (the oracle) is not what this test expects:\n{native}"
    );
    let sbx = format!("{} run --platform kvm -- {prog}", sbx_bin().display());
    let (sandboxed, sbx_done) = on_pty(&sbx);
    assert!(sbx_done, "sbx run did not finish:\n{sandboxed}");
    assert_eq!(
        native, sandboxed,
        "native (left) vs sbx (right) on a terminal"
    );
}

#[test]
fn ctrl_c_reaches_the_foreground_group_glibc() {
    ctrl_c_reaches_the_foreground_group(Libc::Glibc);
}

#[test]
fn ctrl_c_reaches_the_foreground_group_musl() {
    ctrl_c_reaches_the_foreground_group(Libc::Musl);
}
