//! A sandbox leaves nothing behind in the host process: after `wait` (or a kill, or a
//! timeout) every host thread it started has been joined and every descriptor it opened
//! (vCPUs, the VM, pipes, host files) is closed. Runs the embedding API in-process.

use std::path::Path;
use std::time::{Duration, Instant};

use sbx_host::Sandbox;

fn count(dir: &str) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

/// Host threads and descriptors of this test process.
fn footprint() -> (usize, usize) {
    (count("/proc/self/task"), count("/proc/self/fd"))
}

fn kvm_ready() -> bool {
    if std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok()
        && Path::new("/bin/busybox").exists()
    {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "/dev/kvm or /bin/busybox missing under CI=true"
    );
    eprintln!("!!!!!!!!!! SKIP teardown: /dev/kvm or /bin/busybox is not usable here");
    false
}

const SCRIPT: &str = "for i in 1 2 3 4 5 6; do (sleep 0.05; echo $i > /dev/null) & done; \
                      sleep 30 & exec 7</dev/null; echo done";

#[test]
fn nothing_left_after_sandboxes_end() {
    if !kvm_ready() {
        return;
    }
    // Warm up once: lazily created process-wide state (signal handlers, the kick signal)
    // is not a leak.
    let args = |s: &str| vec!["-c".to_string(), s.to_string()];
    let _ = Sandbox::builder().run("/bin/busybox", &["true".into()]);
    let before = footprint();

    // A script that exits while a background child still sleeps: the pid-namespace rule
    // kills the child, and wait returns only once its thread is gone.
    let status = Sandbox::builder()
        .run(
            "/bin/busybox",
            &[vec!["sh".to_string()], args(SCRIPT)].concat(),
        )
        .expect("sandbox runs");
    assert_eq!(status.shell_code(), 0);
    assert_eq!(footprint(), before, "threads/fds after a normal exit");

    // Killing a running sandbox from outside.
    let running = Sandbox::builder()
        .spawn(
            "/bin/busybox",
            &[vec!["sh".to_string()], args("sleep 30 & sleep 30")].concat(),
        )
        .expect("sandbox starts");
    std::thread::sleep(Duration::from_millis(200));
    running.kill();
    let status = running.wait().expect("sandbox ends");
    assert_eq!(status.shell_code(), 128 + 9);
    assert_eq!(footprint(), before, "threads/fds after a kill");

    // A deadline that passes, then dropping the handle without waiting.
    let running = Sandbox::builder()
        .spawn("/bin/busybox", &["sleep".into(), "30".into()])
        .expect("sandbox starts");
    assert!(!running.wait_until(Some(Instant::now() + Duration::from_millis(100))));
    drop(running);
    assert_eq!(
        footprint(),
        before,
        "threads/fds after dropping a running sandbox"
    );
}
