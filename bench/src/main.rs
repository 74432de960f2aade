//! `sbx-bench`: native vs sbx, side by side with the KVM path-cost probe, in one run.
//!
//! ```text
//! cargo build --release -p sbx-host
//! cargo run -p sbx-bench --release -- all        # or: syscall | startup
//! ```

use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use sbx_bench::{
    kvm_usable, locate_sbx, loop_difference, median, native_command, percentile,
    probe_syscall_exit_ns, sbx_command, time_run, BIG_N, FORK_WAIT, FUTEX_PINGPONG, GETPPID_LOOP,
    PIPE_PINGPONG, PROBE, SMALL_N, TRUE,
};

/// Targets the numbers are read against (reported, never asserted).
const TARGET_RATIO: f64 = 1.3;
const TARGET_STARTUP_MS: f64 = 10.0;

#[derive(Parser)]
#[command(about = "Native vs sbx: syscall round trip and start-up, beside the KVM path-cost probe")]
struct Cli {
    #[command(subcommand)]
    what: What,
    /// The sbx binary (default: $SBX_BIN, else `sbx` next to this executable).
    #[arg(long, global = true)]
    sbx: Option<PathBuf>,
    /// Iterations for the probe (its own default is 100000).
    #[arg(long, global = true, default_value_t = 100_000)]
    probe_iterations: u64,
    /// Repeats of each getppid measurement (the median is reported).
    #[arg(long, global = true, default_value_t = 5)]
    repeats: usize,
    /// Runs of `true` for the start-up measurement.
    #[arg(long, global = true, default_value_t = 30)]
    startup_runs: usize,
}

#[derive(Subcommand, Clone, Copy, PartialEq, Eq)]
enum What {
    /// The probe's table, then getppid round trips natively and under sbx.
    Syscall,
    /// Start-up of `sbx run` on a program that returns at once, and native beside it.
    Startup,
    /// fork+exit+wait, pipe ping-pong between processes, futex wake between threads.
    Process,
    /// All of the above.
    All,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let sbx = locate_sbx(cli.sbx.as_deref());
    let kvm = kvm_usable();
    let mut failed = false;
    if let Err(e) = &kvm {
        println!("note: {e:#}: the probe and the sbx measurements will fail");
    }
    if let Err(e) = &sbx {
        println!("note: {e:#}");
    }
    if matches!(cli.what, What::Syscall | What::All) {
        failed |= syscall(&cli, sbx.as_ref().ok()).is_err();
    }
    if matches!(cli.what, What::Startup | What::All) {
        failed |= startup(&cli, sbx.as_ref().ok()).is_err();
    }
    if matches!(cli.what, What::Process | What::All) {
        failed |= process(&cli, sbx.as_ref().ok()).is_err();
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Prints `label: value` or `label: FAILED: error`, and passes the result on.
fn report<T>(label: &str, r: Result<T>, show: impl FnOnce(&T) -> String) -> Result<T> {
    match &r {
        Ok(v) => println!("{label:<28} {}", show(v)),
        Err(e) => println!("{label:<28} FAILED: {e:#}"),
    }
    r
}

fn syscall(cli: &Cli, sbx: Option<&PathBuf>) -> Result<()> {
    println!(
        "== KVM path-cost probe: {PROBE} {} ==",
        cli.probe_iterations
    );
    let probe = run_probe(cli.probe_iterations);
    match &probe {
        Ok(table) => print!("{table}"),
        Err(e) => println!("probe FAILED: {e:#}"),
    }
    let probe_ns = probe.as_ref().ok().and_then(|t| probe_syscall_exit_ns(t));

    println!();
    println!(
        "== getppid round trip: (t(N={BIG_N}) - t(N={SMALL_N})) / {}, median of {} ==",
        BIG_N - SMALL_N,
        cli.repeats
    );
    let native = report(
        "native",
        per_syscall_ns(cli.repeats, |n| {
            time_run(&mut native_command(GETPPID_LOOP, &[n.to_string()]))
        }),
        |ns| format!("{ns:>10.0} ns per call"),
    );
    let sandboxed = report(
        "sbx run --platform kvm",
        match sbx {
            Some(sbx) => per_syscall_ns(cli.repeats, |n| {
                time_run(&mut sbx_command(sbx, GETPPID_LOOP, &[n.to_string()]))
            }),
            None => Err(anyhow::anyhow!("no sbx binary")),
        },
        |ns| format!("{ns:>10.0} ns per call"),
    );
    match probe_ns {
        Some(p) => println!("{:<28} {p:>10.0} ns per round trip", "probe syscall-exit"),
        None => println!("{:<28} (not available)", "probe syscall-exit"),
    }
    if let (Ok(s), Some(p)) = (&sandboxed, probe_ns) {
        let ratio = s / p;
        let verdict = if ratio <= TARGET_RATIO {
            "within target"
        } else {
            "ABOVE target"
        };
        println!(
            "{:<28} {ratio:>10.2}   (target <= {TARGET_RATIO}: {verdict})",
            "sbx / probe syscall-exit"
        );
    }
    if let (Ok(s), Ok(n)) = (&sandboxed, &native) {
        println!("{:<28} {:>10.1}x", "sbx / native", s / n.max(1.0));
    }
    if probe.is_err() || native.is_err() || sandboxed.is_err() {
        bail!("some syscall measurements failed");
    }
    Ok(())
}

fn run_probe(iterations: u64) -> Result<String> {
    let out = Command::new(PROBE)
        .arg(iterations.to_string())
        .output()
        .context("running the probe")?;
    let table = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        bail!(
            "probe exited with {}: {}{}",
            out.status,
            table,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(table)
}

/// Median over `repeats` of the per-call cost in ns, each from one small and one big loop run.
fn per_syscall_ns(repeats: usize, mut run: impl FnMut(u64) -> Result<Duration>) -> Result<f64> {
    let mut samples = Vec::with_capacity(repeats);
    for _ in 0..repeats.max(1) {
        let d = loop_difference(&mut run, SMALL_N, BIG_N)?;
        samples.push(d.as_nanos() as f64 / (BIG_N - SMALL_N) as f64);
    }
    Ok(median(&samples))
}

/// One process benchmark: per-operation cost natively and under sbx, from the difference of a
/// small and a big run (start-up cancels out), median of `repeats`.
fn process(cli: &Cli, sbx: Option<&PathBuf>) -> Result<()> {
    let benches = [
        ("fork + exit + wait", FORK_WAIT, 20u64, 420u64),
        ("pipe ping-pong round trip", PIPE_PINGPONG, 100, 4100),
        ("futex wake handoff", FUTEX_PINGPONG, 100, 4100),
    ];
    println!();
    println!(
        "== processes and threads: (t(big) - t(small)) / (big - small), median of {} ==",
        cli.repeats
    );
    let mut failed = false;
    for (label, program, small, big) in benches {
        let per_op = |run: &mut dyn FnMut(u64) -> Result<Duration>| -> Result<f64> {
            let mut samples = Vec::new();
            for _ in 0..cli.repeats.max(1) {
                let d = loop_difference(&mut *run, small, big)?;
                samples.push(d.as_nanos() as f64 / (big - small) as f64);
            }
            Ok(median(&samples))
        };
        let native = per_op(&mut |n| time_run(&mut native_command(program, &[n.to_string()])));
        let sandboxed = match sbx {
            Some(sbx) => {
                per_op(&mut |n| time_run(&mut sbx_command(sbx, program, &[n.to_string()])))
            }
            None => Err(anyhow::anyhow!("no sbx binary")),
        };
        let show = |r: &Result<f64>| match r {
            Ok(ns) => format!("{:>10.1} us", ns / 1000.0),
            Err(e) => format!("FAILED: {e:#}"),
        };
        print!(
            "{label:<28} native {}   sbx {}",
            show(&native),
            show(&sandboxed)
        );
        match (&native, &sandboxed) {
            (Ok(n), Ok(s)) => println!("   sbx/native {:>6.1}x", s / n.max(1.0)),
            _ => {
                println!();
                failed = true;
            }
        }
    }
    if failed {
        bail!("some process measurements failed");
    }
    Ok(())
}

fn startup(cli: &Cli, sbx: Option<&PathBuf>) -> Result<()> {
    println!();
    println!(
        "== start-up: a static program that returns 0 at once, {} runs ==",
        cli.startup_runs
    );
    let native = report(
        "native",
        startup_ms(cli.startup_runs, || {
            time_run(&mut native_command(TRUE, &[]))
        }),
        |(m, p)| format!("median {m:>7.2} ms   p90 {p:>7.2} ms"),
    );
    let sandboxed = report(
        "sbx run --platform kvm",
        match sbx {
            Some(sbx) => startup_ms(cli.startup_runs, || {
                time_run(&mut sbx_command(sbx, TRUE, &[]))
            }),
            None => Err(anyhow::anyhow!("no sbx binary")),
        },
        |(m, p)| {
            let verdict = if *m <= TARGET_STARTUP_MS {
                "within target"
            } else {
                "ABOVE target"
            };
            format!("median {m:>7.2} ms   p90 {p:>7.2} ms   (target median <= {TARGET_STARTUP_MS} ms: {verdict})")
        },
    );
    if native.is_err() || sandboxed.is_err() {
        bail!("some start-up measurements failed");
    }
    Ok(())
}

/// (median, p90) in milliseconds over `runs` runs, after one unmeasured warm-up run.
fn startup_ms(runs: usize, mut run: impl FnMut() -> Result<Duration>) -> Result<(f64, f64)> {
    run()?;
    let mut ms = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        ms.push(run()?.as_secs_f64() * 1e3);
    }
    Ok((median(&ms), percentile(&ms, 90.0)))
}
