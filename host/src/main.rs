//! The `sbx` command line.

use std::process::ExitCode;
use std::sync::{mpsc, Arc, Weak};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use sbx_host::kvm::CpuProfile;
use sbx_host::{Mount, Platform, RunningSandbox, Sandbox, SandboxError};

/// sbx: run unmodified Linux x86-64 programs in a sandbox with its own kernel.
#[derive(Parser)]
#[command(name = "sbx", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a program in a new sandbox (like `docker run` for one binary).
    Run(RunArgs),
    /// Print the syscall compatibility table.
    Syscalls {
        /// Markdown instead of plain text (this is docs/syscalls.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Run the syscall conformance suite natively and under each engine, and compare.
    Conformance(sbx_conformance::ConformanceArgs),
}

#[derive(clap::Args)]
struct RunArgs {
    /// Execution engine: auto or kvm.
    #[arg(long, default_value = "auto")]
    platform: String,
    /// Mount a host directory: HOST:GUEST[:ro].
    #[arg(short = 'v', long = "volume", value_name = "HOST:GUEST[:ro]")]
    volumes: Vec<String>,
    /// Set an environment variable: KEY=VALUE.
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    env: Vec<String>,
    /// Working directory inside the sandbox.
    #[arg(short = 'w', long = "workdir", default_value = "/")]
    workdir: String,
    /// Print one strace-like line per syscall on stderr.
    #[arg(long)]
    strace: bool,
    /// Memory limit (e.g. 512m, 2g).
    #[arg(short = 'm', long, default_value = "2g")]
    memory: String,
    /// CPU profile the guest sees: host or baseline.
    #[arg(long, default_value = "host")]
    cpu: String,
    /// Kill the sandbox after this many seconds (its status is then 137, SIGKILL).
    #[arg(long, value_name = "SECS")]
    timeout: Option<f64>,
    /// The program to run, then its arguments.
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

fn parse_size(s: &str) -> Result<u64> {
    let s = s.trim().to_ascii_lowercase();
    let (num, mult) = match s.chars().last() {
        Some('k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('m') => (&s[..s.len() - 1], 1 << 20),
        Some('g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s.as_str(), 1),
    };
    let n: u64 = num.parse().with_context(|| format!("bad size {s:?}"))?;
    n.checked_mul(mult)
        .filter(|v| *v >= 16 << 20)
        .with_context(|| format!("memory limit {s:?} must be at least 16m"))
}

fn parse_volume(v: &str) -> Result<Mount> {
    let parts: Vec<&str> = v.split(':').collect();
    let (host, guest, read_only) = match parts.as_slice() {
        [h, g] => (*h, *g, false),
        [h, g, "ro"] => (*h, *g, true),
        [h, g, "rw"] => (*h, *g, false),
        _ => bail!("bad volume {v:?}: expected HOST:GUEST[:ro]"),
    };
    if !guest.starts_with('/') {
        bail!("bad volume {v:?}: the guest path must be absolute");
    }
    let host =
        std::fs::canonicalize(host).with_context(|| format!("volume {v:?}: host path {host:?}"))?;
    if !host.is_dir() {
        bail!("volume {v:?}: {} is not a directory", host.display());
    }
    Ok(Mount {
        host,
        guest: guest.to_string(),
        read_only,
    })
}

fn run(args: RunArgs) -> Result<i32> {
    let platform = match args.platform.as_str() {
        "auto" => Platform::Auto,
        "kvm" => Platform::Kvm,
        p => bail!("unknown platform {p:?} (expected auto or kvm)"),
    };
    let cpu = CpuProfile::parse(&args.cpu).with_context(|| {
        format!(
            "unknown CPU profile {:?} (expected host or baseline)",
            args.cpu
        )
    })?;
    let mut b = Sandbox::builder()
        .platform(platform)
        .strace(args.strace)
        .workdir(&args.workdir)
        .memory(parse_size(&args.memory)?)
        .cpu(cpu);
    for v in &args.volumes {
        b = b.mount(parse_volume(v)?);
    }
    for e in &args.env {
        match e.split_once('=') {
            Some((k, v)) => b = b.env(k, v),
            None => match std::env::var(e) {
                Ok(v) => b = b.env(e, &v),
                Err(_) => continue,
            },
        }
    }
    let (program, rest) = args.command.split_first().context("no program given")?;
    let timeout = match args.timeout {
        Some(t) if t.is_finite() && t > 0.0 => Some(Duration::from_secs_f64(t)),
        Some(t) => bail!("bad --timeout {t}: must be a positive number of seconds"),
        None => None,
    };
    // The handlers go in before the guest starts, so a signal that arrives while it starts
    // (say, right after its first output) is forwarded rather than killing sbx itself.
    let (forwarder, give_sandbox) = match forward_signals() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("sbx: {e}");
            return Ok(SandboxError::exit_code(&e));
        }
    };
    let result = b.spawn(program, rest).and_then(|sandbox| {
        let sandbox = Arc::new(sandbox);
        // The forwarding thread only ends early if this process is already exiting.
        let _ = give_sandbox.send(Arc::downgrade(&sandbox));
        if !sandbox.wait_until(timeout.map(|t| Instant::now() + t)) {
            eprintln!(
                "sbx: timed out after {:?}; killing the sandbox",
                timeout.unwrap_or_default()
            );
            sandbox.kill();
            give_up_unless_stopped(&sandbox);
        }
        sandbox.finish()
    });
    forwarder.close();
    match result {
        Ok(status) => Ok(status.shell_code()),
        Err(e) => {
            eprintln!("sbx: {e}");
            Ok(SandboxError::exit_code(&e))
        }
    }
}

/// How long a killed sandbox may take to stop before sbx exits without it.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// After a kill: waits a moment for the sandbox to stop, and if it does not (a guest thread
/// stuck in sbx's own kernel), exits the process rather than hang with it.
fn give_up_unless_stopped(sandbox: &RunningSandbox) {
    if !sandbox.wait_until(Some(Instant::now() + STOP_GRACE)) {
        eprintln!("sbx: the sandbox did not stop within {STOP_GRACE:?} of being killed; exiting");
        std::process::exit(137);
    }
}

/// Forwards the terminal's signals to the guest (Ctrl-C becomes SIGINT in the sandbox), as
/// `docker run` does. The third interrupt or termination request kills the sandbox, as a
/// user pressing Ctrl-C repeatedly at a program that ignores it expects. Signals that arrive
/// before the sandbox is sent on the returned channel wait for it. The returned handle stops
/// the forwarding thread.
fn forward_signals() -> Result<
    (
        signal_hook::iterator::Handle,
        mpsc::Sender<Weak<RunningSandbox>>,
    ),
    SandboxError,
> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGQUIT, SIGHUP])
        .map_err(|e| SandboxError::Config(format!("installing signal handlers: {e}")))?;
    let handle = signals.handle();
    let (give_sandbox, sandbox) = mpsc::channel::<Weak<RunningSandbox>>();
    std::thread::spawn(move || {
        // No sandbox (it failed to start): nothing to forward to.
        let Ok(target) = sandbox.recv() else { return };
        let mut stops = 0;
        for sig in signals.forever() {
            let Some(s) = target.upgrade() else { break };
            s.signal(sig);
            if sig == SIGINT || sig == SIGTERM {
                stops += 1;
                if stops == 3 {
                    eprintln!("sbx: interrupted three times; killing the sandbox");
                    s.kill();
                    give_up_unless_stopped(&s);
                }
            }
        }
    });
    Ok((handle, give_sandbox))
}

/// `sbx conformance`: guests run through this same executable (`sbx run`).
fn conformance(args: &sbx_conformance::ConformanceArgs) -> Result<i32> {
    let sbx = std::env::current_exe().context("cannot find the sbx executable")?;
    Ok(sbx_conformance::main(args, &sbx)?)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Syscalls { markdown } => {
            let table = sbx_syscalls::build_table();
            if markdown {
                print!("{}", sbx_syscalls::compat::markdown(&table));
            } else {
                print!("{}", sbx_syscalls::compat::terminal(&table));
            }
            Ok(0)
        }
        Command::Conformance(args) => conformance(&args),
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("sbx: {e:#}");
            ExitCode::from(125)
        }
    }
}
