//! Runs one process with a timeout and captures its output.
//!
//! The child leads its own process group, so a timeout (or a case that leaves children behind)
//! is cleaned up by killing the whole group. The group is killed while the leader is still an
//! unreaped zombie, so its id cannot have been reused by then.

use std::io::Read;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// At most this much of each stream is kept; the rest is read and dropped, so a runaway case
/// neither blocks on a full pipe nor eats memory.
pub const CAPTURE_LIMIT: usize = 4 << 20;

/// How long to wait for the output pipes to close after the group was killed (a process that
/// left the group could hold them open forever).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exited with this code.
    Exited(i32),
    /// Killed by this signal.
    Signaled(i32),
    /// Still running at the deadline; killed.
    TimedOut,
}

impl Status {
    /// The status as a shell reports it: the code, or 128+N for signal N (which is also what
    /// `sbx run` exits with when signal N killed the guest). `None` for a timeout.
    pub fn code(self) -> Option<i32> {
        match self {
            Status::Exited(c) => Some(c),
            Status::Signaled(s) => Some(128 + s),
            Status::TimedOut => None,
        }
    }
}

/// What one run produced.
#[derive(Clone, Debug)]
pub struct Output {
    /// Standard output (at most [`CAPTURE_LIMIT`] bytes).
    pub stdout: Vec<u8>,
    /// Standard error (at most [`CAPTURE_LIMIT`] bytes).
    pub stderr: Vec<u8>,
    /// How it ended.
    pub status: Status,
    /// Wall time until it ended or was killed.
    pub elapsed: Duration,
}

/// Runs `cmd` with stdin from /dev/null, stdout and stderr captured, in a new process group,
/// killing the group after `timeout`.
pub fn run(mut cmd: Command, timeout: Duration) -> std::io::Result<Output> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let stdout = child.stdout.take().map(reader);
    let stderr = child.stderr.take().map(reader);
    let status = wait(&mut child, timeout)?;
    let elapsed = start.elapsed();
    let collect = |rx: Option<mpsc::Receiver<Vec<u8>>>| {
        rx.and_then(|rx| rx.recv_timeout(DRAIN_GRACE).ok())
            .unwrap_or_default()
    };
    Ok(Output {
        stdout: collect(stdout),
        stderr: collect(stderr),
        status,
        elapsed,
    })
}

/// Reads a stream to its end on a thread; the receiver gets the captured bytes.
fn reader(mut stream: impl Read + Send + 'static) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 16 << 10];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = CAPTURE_LIMIT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        let _ = tx.send(kept);
    });
    rx
}

/// Waits for the child to exit (without reaping it) up to `timeout`, kills its process group,
/// then reaps it.
fn wait(child: &mut Child, timeout: Duration) -> std::io::Result<Status> {
    let pid = rustix::process::Pid::from_raw(child.id() as i32)
        .ok_or_else(|| std::io::Error::other("child has no pid"))?;
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(wait_exited_nowait(pid));
    });
    let timed_out = match rx.recv_timeout(timeout) {
        Ok(r) => {
            r?;
            false
        }
        Err(_) => true,
    };
    // The leader is not reaped yet, so its pid still names its group and no other.
    let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    let status = child.wait()?;
    if timed_out {
        return Ok(Status::TimedOut);
    }
    use std::os::unix::process::ExitStatusExt;
    Ok(match (status.code(), status.signal()) {
        (Some(c), _) => Status::Exited(c),
        (None, Some(s)) => Status::Signaled(s),
        (None, None) => Status::Exited(-1),
    })
}

/// Blocks until `pid` has exited, leaving it a zombie (`WNOWAIT`).
fn wait_exited_nowait(pid: rustix::process::Pid) -> std::io::Result<()> {
    use rustix::process::{waitid, WaitId, WaitIdOptions};
    loop {
        match waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
        ) {
            Ok(_) => return Ok(()),
            Err(rustix::io::Errno::INTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Output {
        let mut c = Command::new("/bin/sh");
        c.args(["-c", script]);
        run(c, timeout).unwrap()
    }

    #[test]
    fn captures_output_and_status() {
        let o = sh("echo out; echo err >&2; exit 3", Duration::from_secs(10));
        assert_eq!(o.stdout, b"out\n");
        assert_eq!(o.stderr, b"err\n");
        assert_eq!(o.status, Status::Exited(3));
        assert_eq!(o.status.code(), Some(3));
    }

    #[test]
    fn signal_is_128_plus_n() {
        let o = sh("kill -SEGV $$", Duration::from_secs(10));
        assert_eq!(o.status, Status::Signaled(11));
        assert_eq!(o.status.code(), Some(139));
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("pid");
        // A grandchild in the same group that would outlive the shell.
        let script = format!("sleep 100 & echo $! > {}; wait", marker.display());
        let start = Instant::now();
        let o = sh(&script, Duration::from_millis(300));
        assert_eq!(o.status, Status::TimedOut);
        assert!(start.elapsed() < Duration::from_secs(5));
        let pid: i32 = std::fs::read_to_string(&marker)
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        // The grandchild is gone (it was reparented and reaped by init, or is a zombie at most).
        std::thread::sleep(Duration::from_millis(100));
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        assert!(
            stat.is_empty() || stat.contains(") Z "),
            "sleep {pid} survived: {stat}"
        );
    }

    #[test]
    fn leftover_children_are_killed_after_a_normal_exit() {
        let o = sh("sleep 100 & echo started", Duration::from_secs(10));
        // Without the group kill the sleep would hold stdout open until DRAIN_GRACE.
        assert_eq!(o.stdout, b"started\n");
        assert_eq!(o.status, Status::Exited(0));
        assert!(o.elapsed < Duration::from_secs(2));
    }
}
