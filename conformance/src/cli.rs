//! `sbx conformance`: discover, build, run, report, check the baseline.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::baseline::Baseline;
use crate::case::{self, Filter, Libc};
use crate::compile::{self, Build};
use crate::engine::{Availability, Engine, Invocation, Launcher, Mount};
use crate::error::{Error, Result};
use crate::judge::{Judge, Verdict};
use crate::notes::Notes;
use crate::report::{self, EngineInfo, Meta, Report, Source};
use crate::suite::{self, Job};
use crate::support::SupportTable;

/// Where cases are mounted in the guest.
pub const GUEST_CASES: &str = "/cases";
/// The default per-run timeout.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// Options of `sbx conformance`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ConformanceArgs {
    /// Engines to run under: kvm, bt or all (an unusable engine is skipped loudly; with CI=true
    /// it is an error).
    #[arg(long, default_value = "kvm")]
    pub platform: String,
    /// Only rows whose name (fs/open) or id (fs/open@musl) matches this glob; a bare family name
    /// selects the family. Repeatable.
    #[arg(long, value_name = "GLOB")]
    pub filter: Vec<String>,
    /// Parallel runs (default: available parallelism).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Write the JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
    /// Write the Markdown report here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// Write the HTML report (one self-contained file) here.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Fail (exit 1), naming each one, when a row this baseline lists no longer passes.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Rewrite this baseline from the run's passing rows.
    #[arg(long, value_name = "FILE")]
    pub update_baseline: Option<PathBuf>,
    /// Run an installed Linux Test Project (its runtest/syscalls) instead of the cases.
    #[arg(long, value_name = "DIR")]
    pub ltp: Option<PathBuf>,
    /// The cases directory (default: conformance/cases).
    #[arg(long, value_name = "DIR")]
    pub cases: Option<PathBuf>,
    /// Where binaries are cached and scratch directories made (default: target/conformance).
    #[arg(long, value_name = "DIR")]
    pub work_dir: Option<PathBuf>,
    /// Per-run timeout in seconds, unless a case's `// timeout:` says otherwise.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT_SECS)]
    pub timeout: u64,
    /// Build against glibc, musl, or all (those whose compiler is installed).
    #[arg(long, value_name = "LIBC", default_value = "all")]
    pub libc: String,
    /// Hand-written failure reasons (default: notes.json next to the cases directory).
    #[arg(long, value_name = "FILE")]
    pub notes: Option<PathBuf>,
}

/// Runs `sbx conformance`; `sbx` is the executable that runs guests. Returns the exit status:
/// 0, or 1 when `--baseline` found regressions.
pub fn main(args: &ConformanceArgs, sbx: &Path) -> Result<i32> {
    let started = Instant::now();
    let engines = engines(&args.platform)?;
    let filter = Filter::new(&args.filter)?;
    let support = SupportTable::from_sbx();
    let timeout = Duration::from_secs(args.timeout.max(1));
    let cases_dir = match &args.cases {
        Some(d) => d.clone(),
        None => default_cases_dir(),
    };
    let work_dir = match &args.work_dir {
        Some(d) => d.clone(),
        None => default_work_dir(&cases_dir),
    };
    std::fs::create_dir_all(&work_dir).map_err(|e| Error::io(&work_dir, e))?;
    // Native runs start in a scratch directory, so every path they get must be absolute.
    let work_dir = work_dir
        .canonicalize()
        .map_err(|e| Error::io(&work_dir, e))?;

    let (source, jobs) = match &args.ltp {
        Some(dir) => (
            Source::Ltp,
            crate::ltp::jobs(dir, &filter, timeout, &support)?,
        ),
        None => (
            Source::Cases,
            case_jobs(&cases_dir, &work_dir, &filter, timeout, &args.libc)?,
        ),
    };
    if jobs.is_empty() {
        eprintln!(
            "sbx conformance: no cases selected (cases: {})",
            cases_dir.display()
        );
    }

    let jobs_n = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let config = suite::Config {
        engines: engines.clone(),
        jobs: jobs_n.max(1),
        launcher: Launcher {
            sbx: sbx.to_path_buf(),
            scratch_root: work_dir.join("scratch"),
        },
        progress: true,
    };
    let mut rows = suite::run(&jobs, &config);
    // Updating the baseline retries too, so a flake does not silently drop a row.
    if let Some(path) = args.baseline.as_ref().or(args.update_baseline.as_ref()) {
        retry_baseline_failures(path, &jobs, &config, &mut rows)?;
    }
    let notes_path = args
        .notes
        .clone()
        .unwrap_or_else(|| cases_dir.join("../notes.json"));
    Notes::load(&notes_path)?.apply(&mut rows);
    let _ = std::fs::remove_dir(work_dir.join("scratch"));

    let meta = Meta {
        source,
        engines: engines
            .iter()
            .map(|(e, a)| EngineInfo::new(*e, a))
            .collect(),
        jobs: config.jobs,
        duration_s: started.elapsed().as_secs_f64(),
        finished: report::utc_now(),
    };
    let report = Report::new(meta, rows, &support);
    print!("{}", report::terminal::render(&report));
    write_out(args.json.as_deref(), &report::json::render(&report))?;
    write_out(args.markdown.as_deref(), &report::markdown::render(&report))?;
    write_out(args.html.as_deref(), &report::html::render(&report))?;

    let ran: Vec<&str> = engines
        .iter()
        .filter(|(_, a)| *a == Availability::Ready)
        .map(|(e, _)| e.as_str())
        .collect();
    let mut status = 0;
    if let Some(path) = &args.baseline {
        status = check_baseline(path, &report, &engines, &ran)?;
    }
    if let Some(path) = &args.update_baseline {
        let old = Baseline::load_or_default(path)?;
        let exists = |id: &str| match args.ltp {
            Some(_) => true,
            None => case_exists(&cases_dir, id),
        };
        let new = old.updated(&report.cases, &ran, exists);
        new.save(path)?;
        for (engine, ids) in &new.engines {
            let before = old.engines.get(engine).map_or(0, |s| s.len());
            println!(
                "baseline {}: {engine}: {} passing rows (was {before})",
                path.display(),
                ids.len()
            );
        }
    }
    Ok(status)
}

/// Parses `--platform` and checks each engine; an unusable one is a loud skip, or an error
/// under `CI=true`.
fn engines(platform: &str) -> Result<Vec<(Engine, Availability)>> {
    let engines = Engine::parse_platform(platform).ok_or_else(|| {
        Error::Usage(format!(
            "unknown platform {platform:?} (expected kvm, bt or all)"
        ))
    })?;
    let mut out = Vec::new();
    for e in engines {
        let a = e.availability();
        if let Availability::Missing(why) = &a {
            if crate::in_ci() {
                return Err(Error::EngineUnavailable {
                    engine: e.to_string(),
                    why: why.clone(),
                });
            }
            let _ = std::io::stderr().write_all(
                format!(
                    "\n!!!!!!!!!! SKIP engine {e}: {why}\n\
                     !!!!!!!!!! (every run under {e} is skipped; with CI=true this is an error)\n\n"
                )
                .as_bytes(),
            );
        }
        out.push((e, a));
    }
    Ok(out)
}

/// One job per selected case and libc.
fn case_jobs(
    cases_dir: &Path,
    work_dir: &Path,
    filter: &Filter,
    timeout: Duration,
    libc: &str,
) -> Result<Vec<Job>> {
    let wanted: Vec<Libc> = match libc {
        "all" => Libc::ALL.to_vec(),
        l => vec![Libc::parse(l).ok_or_else(|| {
            Error::Usage(format!("unknown libc {l:?} (expected glibc, musl or all)"))
        })?],
    };
    let available = compile::available_libcs();
    for l in &wanted {
        if !available.contains(l) {
            eprintln!(
                "sbx conformance: {} not found: the {l} builds are left out (apt-get install {})",
                l.compiler(),
                if *l == Libc::Musl {
                    "musl-tools"
                } else {
                    "build-essential"
                }
            );
        }
    }
    let libcs: Vec<Libc> = wanted
        .into_iter()
        .filter(|l| available.contains(l))
        .collect();
    let cases_dir = cases_dir
        .canonicalize()
        .map_err(|e| Error::io(cases_dir, e))?;
    let harness = cases_dir.join("harness.h");
    let deps: Vec<PathBuf> = harness.is_file().then_some(harness).into_iter().collect();
    let mut jobs = Vec::new();
    for case in case::discover(&cases_dir)? {
        for libc in case.libcs(&libcs) {
            let (name, id) = (case.full_name(), case.id(libc));
            if !filter.matches(&name, &id) {
                continue;
            }
            let bin_dir = work_dir.join("bin").join(libc.as_str());
            let rel = format!("{}/{}", case.family, case.name);
            let output = bin_dir.join(&rel);
            jobs.push(Job {
                id,
                name,
                family: case.family.clone(),
                libc: Some(libc),
                syscalls: case.header.syscalls.clone(),
                timeout: case.header.timeout.unwrap_or(timeout),
                build: Some(Build {
                    source: case.source.clone(),
                    include_dir: cases_dir.clone(),
                    deps: deps.clone(),
                    libc,
                    output: output.clone(),
                }),
                invocation: Invocation {
                    native: vec![output.display().to_string()],
                    guest: vec![format!("{GUEST_CASES}/{rel}")],
                    mounts: vec![Mount {
                        host: bin_dir,
                        guest: GUEST_CASES.into(),
                        read_only: true,
                    }],
                    ..Invocation::default()
                },
                judge: Judge::Differential,
            });
        }
    }
    Ok(jobs)
}

/// Whether the case a baseline id (`family/name@libc`) names still has its source file.
fn case_exists(cases_dir: &Path, id: &str) -> bool {
    let name = id.split('@').next().unwrap_or(id);
    cases_dir.join(format!("{name}.c")).is_file()
}

/// Runs once more every row the baseline lists as passing that did not pass, so a rare
/// flake (a loaded machine, a race in a case) does not fail CI by itself; a row that passes
/// the second time is kept as passing but named loudly as flaky. A real regression fails
/// twice.
fn retry_baseline_failures(
    path: &Path,
    jobs: &[Job],
    config: &suite::Config,
    rows: &mut [suite::Row],
) -> Result<()> {
    let baseline = Baseline::load_or_default(path)?;
    let quiet = suite::Config {
        progress: false,
        ..config.clone()
    };
    for row in rows.iter_mut() {
        let failed: Vec<String> = baseline
            .engines
            .iter()
            .filter(|(engine, ids)| {
                ids.contains(&row.id)
                    && matches!(
                        row.verdict(engine),
                        Some(v) if v != Verdict::Pass && v != Verdict::Broken && v != Verdict::Skip
                    )
            })
            .map(|(engine, _)| engine.clone())
            .collect();
        if failed.is_empty() {
            continue;
        }
        let Some(job) = jobs.iter().find(|j| j.id == row.id) else {
            continue;
        };
        let again = suite::run_job(job, &quiet);
        if failed
            .iter()
            .all(|e| again.verdict(e) == Some(Verdict::Pass))
        {
            for e in &failed {
                eprintln!(
                    "!!!!!!!!!! FLAKY {} under {}: {} the first time, passed on a second run",
                    row.id,
                    e,
                    row.reason.get(e).map_or("failed", String::as_str)
                );
            }
            *row = again;
        }
    }
    Ok(())
}

fn check_baseline(
    path: &Path,
    report: &Report,
    engines: &[(Engine, Availability)],
    ran: &[&str],
) -> Result<i32> {
    let baseline = Baseline::load(path)?;
    for (e, a) in engines {
        if let Availability::Missing(why) = a {
            if baseline
                .engines
                .get(e.as_str())
                .is_some_and(|s| !s.is_empty())
            {
                eprintln!("!!!!!!!!!! baseline NOT checked for {e}: {why}");
            }
        }
    }
    let check = baseline.check(&report.cases, ran);
    for u in &check.unchecked {
        eprintln!(
            "!!!!!!!!!! baseline row {} under {} NOT checked: the case is broken natively on this machine ({})",
            u.id, u.engine, u.reason
        );
    }
    let listed: usize = ran
        .iter()
        .filter_map(|e| baseline.engines.get(*e))
        .map(|s| s.len())
        .sum();
    if check.regressions.is_empty() {
        println!(
            "\nbaseline {}: all {} listed rows still pass ({} not in this run, {} new passes{})",
            path.display(),
            listed - check.not_run,
            check.not_run,
            check.new_passes,
            if check.new_passes > 0 {
                "; lock them in with --update-baseline"
            } else {
                ""
            }
        );
        return Ok(0);
    }
    println!(
        "\nbaseline {}: {} REGRESSIONS (listed as passing, now not):",
        path.display(),
        check.regressions.len()
    );
    for r in &check.regressions {
        println!(
            "  REGRESSION {} under {}: {}: {}",
            r.id,
            r.engine,
            r.verdict.as_str(),
            r.reason
        );
    }
    println!(
        "(if a regression is intended, update the baseline: sbx conformance --platform all \
         --update-baseline {})",
        path.display()
    );
    Ok(1)
}

fn write_out(path: Option<&Path>, text: &str) -> Result<()> {
    let Some(path) = path else { return Ok(()) };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    std::fs::write(path, text).map_err(|e| Error::io(path, e))?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// `conformance/cases` under the current directory when it exists (the usual case: run from
/// the repository root), else the cases of the source tree sbx was built from.
fn default_cases_dir() -> PathBuf {
    let here = PathBuf::from("conformance/cases");
    if here.is_dir() {
        return here;
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

/// `target/conformance` of the workspace the cases live in, or a directory under the system
/// temporary directory when the cases are not in a workspace.
fn default_work_dir(cases_dir: &Path) -> PathBuf {
    let root = cases_dir.join("../..");
    if root.join("Cargo.toml").is_file() {
        root.join("target/conformance")
    } else {
        std::env::temp_dir().join("sbx-conformance")
    }
}
