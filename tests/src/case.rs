//! One program, run natively and under sbx with the same inputs, and the comparison of the two.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::environment::{sbx_bin, DEFAULT_ENV};

/// Where the harness mounts the directory of a test program that the guest cannot see at its host
/// path (the guest's `/tmp` is its own tmpfs, so a build under `/tmp` is invisible there).
const PROGRAMS_MOUNT: &str = "/mnt/sbx-programs";

/// How long one run may take before it is killed and reported as hung.
fn default_timeout() -> Duration {
    let secs = std::env::var("SBX_TEST_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}

/// A guest path and the host directories that stand for it on each side.
#[derive(Clone, Debug)]
struct PathMap {
    /// Absolute guest path (a mount point, or a guest directory such as `/tmp`).
    guest: String,
    /// What the guest path becomes in the native run.
    native: PathBuf,
    /// The host directory mounted there with `-v` under sbx; `None`: no mount, the guest's own.
    sbx: Option<PathBuf>,
    read_only: bool,
}

/// A program run, described once in guest terms and run both natively and under sbx.
///
/// Paths are written as the guest sees them. For the native run every absolute path (program,
/// arguments, working directory) under a mapped guest path is rewritten to the host directory
/// standing for it, and `argv[0]` is set to the guest program path, so both runs see the same
/// argv. Both runs get the environment sbx gives a guest: only `PATH`, `HOME`, `TERM` plus the
/// [`env`](Case::env) given here (as `-e`).
#[derive(Clone, Debug)]
pub struct Case {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    maps: Vec<PathMap>,
    workdir: String,
    stdin: Vec<u8>,
    compare_stderr: bool,
    timeout: Duration,
}

impl Case {
    /// A case for the host program at `host_program` (absolute). The guest sees the host's root
    /// read-only, so the program keeps its path, unless it is under `/tmp`: then its directory is
    /// mounted read-only at `/mnt/sbx-programs`.
    pub fn new(host_program: impl AsRef<Path>) -> Case {
        let path = host_program.as_ref();
        let as_str = path.to_str().expect("program path must be UTF-8");
        let mut case = Case::guest(as_str);
        if path.is_absolute() && path.starts_with("/tmp") {
            let dir = path.parent().expect("program has a directory");
            let file = path
                .file_name()
                .expect("program has a file name")
                .to_str()
                .unwrap();
            case.maps.push(PathMap {
                guest: PROGRAMS_MOUNT.to_owned(),
                native: dir.to_path_buf(),
                sbx: Some(dir.to_path_buf()),
                read_only: true,
            });
            case.program = format!("{PROGRAMS_MOUNT}/{file}");
        }
        case
    }

    /// A case for a program named by its guest path, or by a bare name looked up in `PATH`.
    pub fn guest(program: &str) -> Case {
        Case {
            program: program.to_owned(),
            args: Vec::new(),
            env: Vec::new(),
            maps: Vec::new(),
            workdir: "/".to_owned(),
            stdin: Vec::new(),
            compare_stderr: true,
            timeout: default_timeout(),
        }
    }

    /// The program as the guest names it.
    pub fn program(&self) -> &str {
        &self.program
    }

    pub fn arg(mut self, arg: impl Into<String>) -> Case {
        self.args.push(arg.into());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Case
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets a guest environment variable (`-e KEY=VALUE`; overrides the defaults).
    pub fn env(mut self, key: &str, value: &str) -> Case {
        self.env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Mounts host directory `host` at `guest`, read-write, for both runs (the native run uses
    /// `host` itself). Only for directories the program does not change, or changes the same way.
    pub fn mount(self, host: impl AsRef<Path>, guest: &str) -> Case {
        self.map(guest, host.as_ref(), Some(host.as_ref()), false)
    }

    /// Mounts host directory `host` read-only at `guest` (`-v host:guest:ro`).
    pub fn mount_ro(self, host: impl AsRef<Path>, guest: &str) -> Case {
        self.map(guest, host.as_ref(), Some(host.as_ref()), true)
    }

    /// A writable `guest` directory that is `native_dir` in the native run and `sbx_dir`
    /// (mounted with `-v`) under sbx, so that each run starts from its own copy.
    pub fn mount_each(
        self,
        native_dir: impl AsRef<Path>,
        sbx_dir: impl AsRef<Path>,
        guest: &str,
    ) -> Case {
        self.map(guest, native_dir.as_ref(), Some(sbx_dir.as_ref()), false)
    }

    /// Makes the guest's own directory `guest` (e.g. its tmpfs `/tmp`) stand for host directory
    /// `native_dir` in the native run. Nothing is mounted under sbx.
    pub fn guest_dir_as(self, guest: &str, native_dir: impl AsRef<Path>) -> Case {
        self.map(guest, native_dir.as_ref(), None, false)
    }

    fn map(mut self, guest: &str, native: &Path, sbx: Option<&Path>, read_only: bool) -> Case {
        assert!(
            guest.starts_with('/'),
            "guest path {guest:?} must be absolute"
        );
        self.maps.push(PathMap {
            guest: guest.trim_end_matches('/').to_owned(),
            native: native.to_path_buf(),
            sbx: sbx.map(Path::to_path_buf),
            read_only,
        });
        self
    }

    /// The guest's working directory (`-w`); `/` unless set.
    pub fn workdir(mut self, guest_dir: &str) -> Case {
        self.workdir = guest_dir.to_owned();
        self
    }

    /// Bytes fed to the program's stdin (otherwise stdin is `/dev/null`).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Case {
        self.stdin = bytes.into();
        self
    }

    /// Do not compare stderr (for programs whose stderr is not deterministic).
    pub fn ignore_stderr(mut self) -> Case {
        self.compare_stderr = false;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Case {
        self.timeout = timeout;
        self
    }

    /// Rewrites a guest path to the host path the native run uses for it.
    fn to_native(&self, guest: &str) -> String {
        let best = self
            .maps
            .iter()
            .filter(|m| {
                guest == m.guest
                    || guest
                        .strip_prefix(&m.guest)
                        .is_some_and(|r| r.starts_with('/'))
            })
            .max_by_key(|m| m.guest.len());
        match best {
            Some(m) => format!("{}{}", m.native.display(), &guest[m.guest.len()..]),
            None => guest.to_owned(),
        }
    }

    fn native_env(&self) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = DEFAULT_ENV
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        for (k, v) in &self.env {
            env.insert(k.clone(), v.clone());
        }
        env
    }

    /// The arguments given to `sbx` (after the binary's own name).
    pub fn sbx_args(&self) -> Vec<String> {
        let mut args: Vec<String> = vec!["run".into(), "--platform".into(), "kvm".into()];
        for m in &self.maps {
            if let Some(host) = &m.sbx {
                let ro = if m.read_only { ":ro" } else { "" };
                args.push("-v".into());
                args.push(format!("{}:{}{ro}", host.display(), m.guest));
            }
        }
        for (k, v) in &self.env {
            args.push("-e".into());
            args.push(format!("{k}={v}"));
        }
        args.push("-w".into());
        args.push(self.workdir.clone());
        args.push("--".into());
        args.push(self.program.clone());
        args.extend(self.args.iter().cloned());
        args
    }

    /// Runs the program natively: the oracle.
    pub fn native(&self) -> Transcript {
        let program = self.to_native(&self.program);
        let args: Vec<String> = self.args.iter().map(|a| self.to_native(a)).collect();
        let cwd = self.to_native(&self.workdir);
        let env = self.native_env();
        let mut cmd = Command::new(&program);
        cmd.arg0(&self.program)
            .args(&args)
            .env_clear()
            .envs(&env)
            .current_dir(&cwd);
        let mut shown = format!("cd {} && env -i", quote(&cwd));
        for (k, v) in &env {
            shown.push_str(&format!(" {}", quote(&format!("{k}={v}"))));
        }
        shown.push_str(&format!(" {}", quote(&program)));
        for a in &args {
            shown.push_str(&format!(" {}", quote(a)));
        }
        if program != self.program {
            shown.push_str(&format!("   (argv[0] = {})", quote(&self.program)));
        }
        run(cmd, &self.stdin, self.timeout, shown)
    }

    /// Runs the program under `sbx run --platform kvm`.
    pub fn sbx(&self) -> Transcript {
        let bin = sbx_bin();
        let args = self.sbx_args();
        let mut cmd = Command::new(&bin);
        cmd.args(&args).current_dir("/");
        let mut shown = quote(&bin.display().to_string());
        for a in &args {
            shown.push_str(&format!(" {}", quote(a)));
        }
        run(cmd, &self.stdin, self.timeout, shown)
    }

    /// Runs natively and under sbx and panics with a readable report unless stdout, the exit
    /// status and (unless [`ignore_stderr`](Case::ignore_stderr)) stderr are identical.
    /// Returns both transcripts for further checks.
    pub fn assert_same(&self) -> (Transcript, Transcript) {
        let native = self.native();
        if native.status.guest_code().is_none() {
            panic!("the native run (the oracle) did not complete; this is a test bug:\n{native}");
        }
        let sbx = self.sbx();
        sbx.assert_no_panic();
        if let Some(report) = compare(&native, &sbx, self.compare_stderr) {
            panic!("{report}");
        }
        (native, sbx)
    }
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Exited with this status.
    Exited(i32),
    /// Killed by this signal (for a native run: the guest status is 128 + signal).
    Signaled(i32),
    /// Still running after the timeout; killed.
    TimedOut(Duration),
    /// Could not be started.
    NotStarted(String),
}

impl Status {
    /// The status a shell (and sbx) reports: the exit code, or 128 + the signal number.
    pub fn guest_code(&self) -> Option<i32> {
        match self {
            Status::Exited(c) => Some(*c),
            Status::Signaled(s) => Some(128 + s),
            _ => None,
        }
    }

    fn from_exit(status: ExitStatus) -> Status {
        match (status.code(), status.signal()) {
            (Some(c), _) => Status::Exited(c),
            (None, Some(s)) => Status::Signaled(s),
            (None, None) => Status::NotStarted(format!("unknown wait status {status:?}")),
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Status::Exited(c) if *c > 128 && *c < 128 + 65 => {
                write!(
                    f,
                    "exit status {c} (as if killed by {})",
                    signal_name(c - 128)
                )
            }
            Status::Exited(c) => write!(f, "exit status {c}"),
            Status::Signaled(s) => write!(f, "killed by {} (status {})", signal_name(*s), 128 + s),
            Status::TimedOut(d) => write!(f, "TIMED OUT after {d:?} (killed; hang?)"),
            Status::NotStarted(e) => write!(f, "could not start: {e}"),
        }
    }
}

fn signal_name(sig: i32) -> String {
    let name = match sig {
        1 => "SIGHUP",
        2 => "SIGINT",
        3 => "SIGQUIT",
        4 => "SIGILL",
        5 => "SIGTRAP",
        6 => "SIGABRT",
        7 => "SIGBUS",
        8 => "SIGFPE",
        9 => "SIGKILL",
        11 => "SIGSEGV",
        13 => "SIGPIPE",
        14 => "SIGALRM",
        15 => "SIGTERM",
        24 => "SIGXCPU",
        25 => "SIGXFSZ",
        31 => "SIGSYS",
        _ => return format!("signal {sig}"),
    };
    name.to_owned()
}

/// What one run printed and how it ended.
#[derive(Clone, Debug)]
pub struct Transcript {
    /// The command line, shell-quoted, to reproduce the run by hand.
    pub command: String,
    pub status: Status,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Transcript {
    pub fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// Panics if sbx panicked: whatever a guest does, sbx must not.
    pub fn assert_no_panic(&self) {
        if self.stderr_str().contains("panicked") {
            panic!("sbx panicked (it never may, whatever the guest does):\n{self}");
        }
    }
}

const SHOW_LIMIT: usize = 6000;

/// Makes control characters visible (`\x00`), so binary output cannot mangle the report.
fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out
}

fn clip(bytes: &[u8]) -> String {
    let s = printable(&String::from_utf8_lossy(bytes));
    if s.len() <= SHOW_LIMIT {
        return s;
    }
    let mut cut = SHOW_LIMIT;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}\n[... {} more bytes]", &s[..cut], s.len() - cut)
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  $ {}", self.command)?;
        writeln!(f, "  {} after {:.1?}", self.status, self.elapsed)?;
        for (name, bytes) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if bytes.is_empty() {
                writeln!(f, "  --- {name}: (empty)")?;
            } else {
                writeln!(f, "  --- {name} ({} bytes):", bytes.len())?;
                for line in clip(bytes).lines() {
                    writeln!(f, "  | {line}")?;
                }
            }
        }
        Ok(())
    }
}

/// `None` if the sbx run matches the native one, else a report: both commands, the statuses and
/// a unified diff (native → sbx) of each stream that differs.
fn compare(native: &Transcript, sbx: &Transcript, compare_stderr: bool) -> Option<String> {
    let expected = native.status.guest_code();
    let status_ok = matches!(sbx.status, Status::Exited(c) if Some(c) == expected);
    let stdout_ok = native.stdout == sbx.stdout;
    let stderr_ok = !compare_stderr || native.stderr == sbx.stderr;
    if status_ok && stdout_ok && stderr_ok {
        return None;
    }
    let mut r =
        String::from("\n==================== sbx differs from native ====================\n");
    r.push_str(&format!(
        "native: $ {}\nsbx:    $ {}\n\n",
        native.command, sbx.command
    ));
    if status_ok {
        r.push_str(&format!(
            "status: same (native {}; sbx {})\n",
            native.status, sbx.status
        ));
    } else {
        r.push_str(&format!(
            "status: native {}\n        sbx    {}\n",
            native.status, sbx.status
        ));
        if let Status::Signaled(_) = sbx.status {
            r.push_str("        (the sbx process itself was killed by a signal: a crash in sbx, not in the guest)\n");
        }
    }
    for (name, ok, a, b) in [
        ("stdout", stdout_ok, &native.stdout, &sbx.stdout),
        ("stderr", stderr_ok, &native.stderr, &sbx.stderr),
    ] {
        if ok {
            r.push_str(&format!("{name}: same ({} bytes)\n", a.len()));
            continue;
        }
        r.push_str(&format!(
            "{name}: differs (native {} bytes, sbx {} bytes); diff native -> sbx:\n",
            a.len(),
            b.len()
        ));
        r.push_str(&diff(a, b));
    }
    if !compare_stderr && !sbx.stderr.is_empty() {
        r.push_str(&format!(
            "sbx stderr (not compared):\n{}\n",
            clip(&sbx.stderr)
        ));
    }
    r.push_str("=================================================================\n");
    Some(r)
}

fn diff(a: &[u8], b: &[u8]) -> String {
    let a = String::from_utf8_lossy(a);
    let b = String::from_utf8_lossy(b);
    let text = similar::TextDiff::from_lines(a.as_ref(), b.as_ref())
        .unified_diff()
        .context_radius(3)
        .header("native", "sbx")
        .to_string();
    let text = if text.is_empty() {
        // Same text after lossy decoding: the difference is in invalid UTF-8 bytes.
        "  (the streams differ only in bytes that are not valid UTF-8)\n".to_owned()
    } else {
        text
    };
    let lines: Vec<&str> = text.lines().collect();
    let mut out = String::new();
    for line in lines.iter().take(200) {
        out.push_str("  ");
        out.push_str(&printable(line));
        out.push('\n');
    }
    if lines.len() > 200 {
        out.push_str(&format!("  [... {} more diff lines]\n", lines.len() - 200));
    }
    if !a.ends_with('\n') || !b.ends_with('\n') {
        out.push_str(&format!(
            "  (ends with newline: native {}, sbx {})\n",
            a.ends_with('\n') || a.is_empty(),
            b.ends_with('\n') || b.is_empty()
        ));
    }
    out
}

fn quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-_./=:+,@%".contains(&c));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Spawns `cmd` with `stdin` fed to it and both outputs captured; kills it after `timeout`.
fn run(mut cmd: Command, stdin: &[u8], timeout: Duration, command: String) -> Transcript {
    cmd.stdin(if stdin.is_empty() {
        Stdio::null()
    } else {
        Stdio::piped()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    // SAFETY: the closure runs in the forked child before exec and only calls the
    // async-signal-safe getrlimit/setrlimit. No core files: crashing guests are part of the tests.
    unsafe {
        cmd.pre_exec(|| {
            let mut lim = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::getrlimit(libc::RLIMIT_CORE, &mut lim) == 0 {
                lim.rlim_cur = 0;
                libc::setrlimit(libc::RLIMIT_CORE, &lim);
            }
            Ok(())
        });
    }
    let start = Instant::now();
    // A fixture written just now may still be open for writing in a child another test thread
    // forked meanwhile (until that child execs): exec then fails with ETXTBSY for a moment.
    let mut spawned = cmd.spawn();
    for _ in 0..100 {
        match &spawned {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) => {
                thread::sleep(Duration::from_millis(10));
                spawned = cmd.spawn();
            }
            _ => break,
        }
    }
    let mut child: Child = match spawned {
        Ok(child) => child,
        Err(e) => {
            return Transcript {
                command,
                status: Status::NotStarted(e.to_string()),
                stdout: Vec::new(),
                stderr: Vec::new(),
                elapsed: start.elapsed(),
            }
        }
    };
    let writer = child.stdin.take().map(|mut pipe| {
        let data = stdin.to_vec();
        // A program that does not read its stdin closes the pipe: EPIPE is fine.
        thread::spawn(move || drop(pipe.write_all(&data)))
    });
    let stdout = drain(child.stdout.take().expect("stdout is piped"));
    let stderr = drain(child.stderr.take().expect("stderr is piped"));
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Status::from_exit(status),
            Ok(None) if start.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                break Status::TimedOut(timeout);
            }
            Ok(None) => thread::sleep(Duration::from_millis(1)),
            Err(e) => break Status::NotStarted(format!("wait failed: {e}")),
        }
    };
    let elapsed = start.elapsed();
    if let Some(w) = writer {
        let _ = w.join();
    }
    Transcript {
        command,
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
        elapsed,
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn native_paths_follow_the_longest_mapping() {
        let case = Case::guest("/mnt/work/prog")
            .mount("/host/a", "/mnt/work")
            .mount_each("/host/native", "/host/sbx", "/mnt/work/sub")
            .guest_dir_as("/tmp", "/host/fresh");
        assert_eq!(case.to_native("/mnt/work/prog"), "/host/a/prog");
        assert_eq!(case.to_native("/mnt/work"), "/host/a");
        assert_eq!(case.to_native("/mnt/work/sub/x"), "/host/native/x");
        assert_eq!(case.to_native("/mnt/workshop"), "/mnt/workshop");
        assert_eq!(case.to_native("/tmp"), "/host/fresh");
        assert_eq!(case.to_native("/tmpx"), "/tmpx");
        assert_eq!(case.to_native("relative"), "relative");
    }

    #[test]
    fn sbx_command_line() {
        let case = Case::guest("/bin/prog")
            .mount_ro("/h/ro", "/mnt/ro")
            .mount_each("/h/n", "/h/s", "/mnt/rw")
            .guest_dir_as("/tmp", "/h/t")
            .env("A", "b c")
            .workdir("/mnt/rw")
            .args(["-x", "--", "y"]);
        assert_eq!(
            case.sbx_args(),
            [
                "run",
                "--platform",
                "kvm",
                "-v",
                "/h/ro:/mnt/ro:ro",
                "-v",
                "/h/s:/mnt/rw",
                "-e",
                "A=b c",
                "-w",
                "/mnt/rw",
                "--",
                "/bin/prog",
                "-x",
                "--",
                "y"
            ]
        );
    }

    #[test]
    fn programs_under_tmp_are_mounted() {
        let case = Case::new("/tmp/build/out/hello-glibc");
        assert_eq!(case.program(), "/mnt/sbx-programs/hello-glibc");
        assert_eq!(case.to_native(case.program()), "/tmp/build/out/hello-glibc");
        assert!(case
            .sbx_args()
            .contains(&"/tmp/build/out:/mnt/sbx-programs:ro".to_owned()));
        assert_eq!(Case::new("/work/t/hello").program(), "/work/t/hello");
    }

    #[test]
    fn native_run_and_compare() {
        let case =
            Case::guest("/bin/sh").args(["-c", "echo \"$HOME $TERM $#\"; kill -SEGV $$", "x"]);
        let t = case.native();
        assert_eq!(t.status, Status::Signaled(11));
        assert_eq!(t.status.guest_code(), Some(139));
        assert_eq!(t.stdout_str(), "/root xterm 0\n");
        let same = Transcript {
            status: Status::Exited(139),
            ..t.clone()
        };
        assert!(compare(&t, &same, true).is_none());
        let other = Transcript {
            stdout: b"/root xterm 1\n".to_vec(),
            ..same
        };
        let report = compare(&t, &other, true).expect("differs");
        assert!(
            report.contains("-/root xterm 0") && report.contains("+/root xterm 1"),
            "{report}"
        );
    }

    #[test]
    fn reports_show_control_characters() {
        assert_eq!(printable("a\u{0}b\u{1b}[31m\tc\n"), "a\\x00b\\x1b[31m\tc\n");
        let d = diff(b"same\nx\n", b"same\n\x00\xff\n");
        assert!(d.contains("+\\x00\u{fffd}"), "{d}");
    }

    #[test]
    fn timeouts_kill() {
        let t = Case::guest("/bin/sleep")
            .arg("10")
            .timeout(Duration::from_millis(200))
            .native();
        assert!(matches!(t.status, Status::TimedOut(_)), "{t}");
    }

    #[test]
    fn stdin_is_fed() {
        let t = Case::guest("/bin/cat").stdin("some input\n").native();
        assert_eq!(t.stdout_str(), "some input\n");
    }
}
