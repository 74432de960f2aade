//! Criterion benchmarks, native vs sbx (`cargo bench -p sbx-bench`):
//!
//! - `getppid/*`: one getppid round trip, measured as the difference between a long and a short
//!   run of `getppid_loop` so that process start-up cancels out;
//! - `startup/*`: one whole run of a static program that returns 0 at once.
//!
//! The sbx benchmarks are left out, with a note, when the sbx binary or /dev/kvm is missing.
//! Benchmarks measure; they never assert.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use sbx_bench::{
    kvm_usable, locate_sbx, loop_difference, native_command, sbx_command, time_run, GETPPID_LOOP,
    TRUE,
};

/// The short run that the long one is compared against.
const BASE_N: u64 = 1_000;

fn sbx() -> Option<PathBuf> {
    let found = kvm_usable().and_then(|()| locate_sbx(None));
    match found {
        Ok(p) => Some(p),
        Err(e) => {
            eprintln!("note: skipping the sbx benchmarks: {e:#}");
            None
        }
    }
}

/// The fewest calls one measurement makes, so that the calls, not the jitter of process
/// start-up, dominate the difference (as in the `sbx-bench` harness).
const MIN_CALLS: u64 = 200_000;

/// Times `iters` getppid calls: a run of `BASE_N + n` minus a run of `BASE_N`, with
/// `n = max(iters, MIN_CALLS)`, scaled back to `iters` calls.
fn getppid_calls(make: &dyn Fn(&[String]) -> Command, iters: u64) -> Duration {
    let n = iters.max(MIN_CALLS);
    let run = |len: u64| time_run(&mut make(&[len.to_string()]));
    let d = loop_difference(run, BASE_N, BASE_N + n).expect("getppid_loop failed");
    // Never zero: criterion rejects a zero measurement, and jitter can eat a short difference.
    let scaled = d.as_nanos() * u128::from(iters) / u128::from(n);
    Duration::from_nanos(u64::try_from(scaled).unwrap_or(u64::MAX).max(1))
}

fn getppid(c: &mut Criterion) {
    let mut g = c.benchmark_group("getppid");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let native = |args: &[String]| native_command(GETPPID_LOOP, args);
    g.bench_function("native", |b| {
        b.iter_custom(|iters| getppid_calls(&native, iters))
    });
    if let Some(sbx) = sbx() {
        let sandboxed = move |args: &[String]| sbx_command(&sbx, GETPPID_LOOP, args);
        g.bench_function("sbx-kvm", |b| {
            b.iter_custom(|iters| getppid_calls(&sandboxed, iters))
        });
    }
    g.finish();
}

fn startup(c: &mut Criterion) {
    let mut g = c.benchmark_group("startup");
    g.sample_size(20);
    g.bench_function("native", |b| {
        b.iter(|| time_run(&mut native_command(TRUE, &[])).expect("true failed"))
    });
    if let Some(sbx) = sbx() {
        g.bench_function("sbx-kvm", |b| {
            b.iter(|| time_run(&mut sbx_command(&sbx, TRUE, &[])).expect("sbx run true failed"))
        });
    }
    g.finish();
}

criterion_group!(benches, getppid, startup);
criterion_main!(benches);
