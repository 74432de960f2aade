//! Shared by the `sbx-bench` harness and the criterion benches: where the programs and the sbx
//! binary are, how one run is timed, and the arithmetic (medians, per-syscall cost).
//!
//! Benchmarks measure; they never assert timings.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// The KVM path-cost probe (a host program; prints its own table).
pub const PROBE: &str = env!("SBX_BENCH_PROBE");
/// Static guest program: `getppid_loop N` makes N getppid calls.
pub const GETPPID_LOOP: &str = env!("SBX_BENCH_GETPPID_LOOP");
/// Static guest program that returns 0 at once.
pub const TRUE: &str = env!("SBX_BENCH_TRUE");
/// Static program: `fork_wait N` forks, exits and reaps N children.
pub const FORK_WAIT: &str = env!("SBX_BENCH_FORK_WAIT");
/// Static program: `pipe_pingpong N` bounces a byte between two processes N times.
pub const PIPE_PINGPONG: &str = env!("SBX_BENCH_PIPE_PINGPONG");
/// Static program: `futex_pingpong N` hands a futex token between two threads N times.
pub const FUTEX_PINGPONG: &str = env!("SBX_BENCH_FUTEX_PINGPONG");

/// Loop lengths whose time difference gives the per-syscall cost with start-up cancelled.
pub const SMALL_N: u64 = 1_000;
pub const BIG_N: u64 = 201_000;

/// The guest's default environment (sbx gives a guest only this); native runs get the same.
const GUEST_ENV: [(&str, &str); 3] = [
    (
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    ("HOME", "/root"),
    ("TERM", "xterm"),
];

/// Where a program under `/tmp` on the host is mounted for the guest (whose `/tmp` is its own).
const GUEST_MOUNT: &str = "/mnt/sbx-bench";

/// Whether `/dev/kvm` can be opened read-write, and if not, why.
pub fn kvm_usable() -> Result<()> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .map(drop)
        .context("/dev/kvm is not usable")
}

/// The sbx binary: `explicit` if given, else `$SBX_BIN`, else `sbx` in the cargo profile
/// directory of the running executable (`target/release/sbx` for `cargo run --release` and
/// `cargo bench`).
pub fn locate_sbx(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = explicit
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("SBX_BIN").map(PathBuf::from))
    {
        if !p.is_file() {
            bail!("the sbx binary given ({}) does not exist", p.display());
        }
        return Ok(p);
    }
    let exe = std::env::current_exe().context("current_exe")?;
    let mut dir = exe
        .parent()
        .context("executable has no directory")?
        .to_path_buf();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.pop();
    }
    let sbx = dir.join("sbx");
    if !sbx.is_file() {
        let profile = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("release");
        let flag = if profile == "debug" {
            String::new()
        } else {
            " --release".to_owned()
        };
        bail!(
            "the sbx binary was not found at {}: build it with `cargo build{flag} -p sbx-host` \
             (or pass --sbx PATH / set SBX_BIN)",
            sbx.display()
        );
    }
    Ok(sbx)
}

/// `program args…` run natively with the guest's environment.
pub fn native_command(program: &str, args: &[String]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args).env_clear().envs(GUEST_ENV).current_dir("/");
    cmd
}

/// `sbx run --platform kvm -- program args…`; a program under `/tmp` is mounted read-only at
/// /mnt/sbx-bench first, since the guest's `/tmp` is its own tmpfs.
pub fn sbx_command(sbx: &Path, program: &str, args: &[String]) -> Command {
    let mut cmd = Command::new(sbx);
    cmd.args(["run", "--platform", "kvm"]);
    let path = Path::new(program);
    let guest_program = match (path.starts_with("/tmp"), path.parent(), path.file_name()) {
        (true, Some(dir), Some(file)) => {
            cmd.arg("-v")
                .arg(format!("{}:{GUEST_MOUNT}:ro", dir.display()));
            format!("{GUEST_MOUNT}/{}", file.to_string_lossy())
        }
        _ => program.to_owned(),
    };
    cmd.arg("--").arg(guest_program).args(args).current_dir("/");
    cmd
}

/// Wall-clock time of one run of `cmd` (spawn to exit), which must exit with status 0.
pub fn time_run(cmd: &mut Command) -> Result<Duration> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("spawning {cmd:?}"))?;
    let output = child.wait_with_output()?;
    let elapsed = start.elapsed();
    if !output.status.success() {
        bail!(
            "{cmd:?} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(elapsed)
}

/// The time of `BIG_N - SMALL_N` getppid calls: `run(BIG_N) - run(SMALL_N)`, so that process
/// start-up and exit cancel out. `run(n)` times one `getppid_loop n`.
pub fn loop_difference(
    mut run: impl FnMut(u64) -> Result<Duration>,
    small: u64,
    big: u64,
) -> Result<Duration> {
    let t_small = run(small)?;
    let t_big = run(big)?;
    Ok(t_big.saturating_sub(t_small))
}

/// The median of `values` (which must not be empty).
pub fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// The `p`th percentile of `values` by nearest rank (which must not be empty).
pub fn percentile(values: &[f64], p: f64) -> f64 {
    assert!(!values.is_empty(), "percentile of nothing");
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// The `syscall-exit` line of the probe's table: nanoseconds per round trip.
pub fn probe_syscall_exit_ns(table: &str) -> Option<f64> {
    table.lines().find_map(|line| {
        let mut words = line.split_whitespace();
        (words.next()? == "syscall-exit").then_some(())?;
        words.next()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v = [5.0, 1.0, 4.0, 2.0, 3.0];
        assert_eq!(median(&v), 3.0);
        assert_eq!(percentile(&v, 90.0), 5.0);
        assert_eq!(percentile(&v, 0.0), 1.0);
        assert_eq!(median(&[7.0]), 7.0);
    }

    #[test]
    fn parses_the_probe_table() {
        let table =
            "first-touch          5016 ns per page first touched (second pass 98 ns per page)\n\
                     kernel-exit         10563 ns per round trip   (CPL at first exit: 0)\n\
                     syscall-exit        29007 ns per round trip   (CPL at first exit: 3)\n\
                     syscall-inguest      1343 ns per round trip   (CPL at first exit: -1)\n";
        assert_eq!(probe_syscall_exit_ns(table), Some(29007.0));
        assert_eq!(
            probe_syscall_exit_ns("syscall-exit  fails: exit reason 8 after 0 exits"),
            None
        );
    }

    #[test]
    fn commands() {
        let cmd = sbx_command(Path::new("/x/sbx"), "/tmp/out/true", &["1".to_owned()]);
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "run",
                "--platform",
                "kvm",
                "-v",
                "/tmp/out:/mnt/sbx-bench:ro",
                "--",
                "/mnt/sbx-bench/true",
                "1"
            ]
        );
        let cmd = sbx_command(Path::new("/x/sbx"), "/work/t/true", &[]);
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["run", "--platform", "kvm", "--", "/work/t/true"]);
    }

    #[test]
    fn native_programs_run() {
        time_run(&mut native_command(TRUE, &[])).unwrap();
        let d = loop_difference(
            |n| time_run(&mut native_command(GETPPID_LOOP, &[n.to_string()])),
            10,
            20_000,
        );
        assert!(d.is_ok(), "{d:?}");
    }
}
