//! Stopping `sbx run` from outside: `--timeout`, a forwarded SIGTERM, and repeated
//! interrupts at a guest that ignores them. Each must end sbx promptly with the shell's
//! status for the signal.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use sbx_tests::{busybox, require_kvm, sbx_bin};

/// A guest that spins in the shell without making syscalls, optionally ignoring SIGINT
/// and SIGTERM.
fn spinner(extra: &[&str], ignore: bool) -> Option<Child> {
    if !require_kvm() {
        return None;
    }
    let bb = busybox()?;
    let script = if ignore {
        "trap '' INT TERM; echo ready; while :; do :; done"
    } else {
        "echo ready; while :; do :; done"
    };
    let mut cmd = Command::new(sbx_bin());
    cmd.args(["run", "--platform", "kvm"])
        .args(extra)
        .arg("--")
        .arg(bb)
        .args(["sh", "-c", script])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn sbx");
    // Wait for "ready" so signals reach a guest that has set up its traps.
    let mut out = child.stdout.take().expect("stdout");
    let mut buf = [0u8; 6];
    std::io::Read::read_exact(&mut out, &mut buf).expect("guest says ready");
    assert_eq!(&buf, b"ready\n");
    Some(child)
}

/// Waits for `child` at most `limit`; kills it and fails if it is still running then.
fn finish(mut child: Child, limit: Duration) -> (i32, String) {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(st) = child.try_wait().expect("wait") {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut err);
            }
            return (st.code().unwrap_or(-1), err);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("sbx did not stop within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signal(child: &Child, sig: i32) {
    let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("pid");
    let sig = rustix::process::Signal::from_named_raw(sig).expect("signal");
    rustix::process::kill_process(pid, sig).expect("kill");
}

#[test]
fn timeout_kills_a_spinning_guest() {
    let Some(child) = spinner(&["--timeout", "0.5"], true) else {
        return;
    };
    let (code, err) = finish(child, Duration::from_secs(20));
    assert_eq!(code, 137, "SIGKILL status; stderr: {err}");
    assert!(err.contains("timed out"), "{err}");
}

#[test]
fn sigterm_is_forwarded() {
    let Some(child) = spinner(&[], false) else {
        return;
    };
    signal(&child, 15);
    let (code, err) = finish(child, Duration::from_secs(20));
    assert_eq!(code, 143, "SIGTERM status; stderr: {err}");
}

#[test]
fn third_interrupt_kills_a_guest_that_ignores_them() {
    let Some(child) = spinner(&[], true) else {
        return;
    };
    for _ in 0..3 {
        signal(&child, 2);
        std::thread::sleep(Duration::from_millis(100));
    }
    let (code, err) = finish(child, Duration::from_secs(20));
    assert_eq!(code, 137, "killed; stderr: {err}");
    assert!(err.contains("interrupted three times"), "{err}");
}
