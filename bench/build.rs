//! Compiles the C side of the benchmarks with gcc: the KVM path-cost probe (a host program) and
//! the static guest programs (`getppid_loop`, `true`, and the process benchmarks). Their paths
//! reach the crate as `SBX_BENCH_*` variables.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR"));
    let jobs = [
        (
            "SBX_BENCH_PROBE",
            "probes/kvm-path-costs.c",
            "kvm-path-costs",
            false,
        ),
        (
            "SBX_BENCH_GETPPID_LOOP",
            "programs/getppid_loop.c",
            "getppid_loop",
            true,
        ),
        ("SBX_BENCH_TRUE", "programs/true.c", "true", true),
        (
            "SBX_BENCH_FORK_WAIT",
            "programs/fork_wait.c",
            "fork_wait",
            true,
        ),
        (
            "SBX_BENCH_PIPE_PINGPONG",
            "programs/pipe_pingpong.c",
            "pipe_pingpong",
            true,
        ),
        (
            "SBX_BENCH_FUTEX_PINGPONG",
            "programs/futex_pingpong.c",
            "futex_pingpong",
            true,
        ),
    ];
    for (var, src, name, static_) in jobs {
        println!("cargo:rerun-if-changed={src}");
        let bin = out.join(name);
        let mut cmd = Command::new("gcc");
        if static_ {
            cmd.arg("-static");
        }
        cmd.args(["-O2", "-Wall", "-o"]).arg(&bin).arg(src);
        let output = cmd.output().unwrap_or_else(|e| {
            panic!("running gcc for {src}: {e} (install it: apt-get install build-essential, or run scripts/test.sh)")
        });
        if !output.status.success() {
            panic!(
                "gcc failed on {src} ({}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        println!("cargo:rustc-env={var}={}", bin.display());
    }
}
