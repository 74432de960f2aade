//! The parallel runner: each job is built (if it is a case), run natively, then under every
//! requested engine; `--jobs` workers take jobs in order, with a progress bar on a terminal.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::case::Libc;
use crate::compile::{Build, Built};
use crate::engine::{Availability, Engine, Invocation, Launcher};
use crate::judge::{Judge, Judgement, Verdict};

/// The key of the native run in a row's maps.
pub const NATIVE: &str = "native";

/// Everything needed to produce one result row.
#[derive(Clone, Debug)]
pub struct Job {
    /// The row's unique id (`fs/open@musl`, `ltp/open01`): the unit of `baseline.json`.
    pub id: String,
    /// The case's name (`fs/open`).
    pub name: String,
    /// The case's family (`fs`).
    pub family: String,
    /// The libc it is linked with (none for LTP tests).
    pub libc: Option<Libc>,
    /// The syscalls it exercises.
    pub syscalls: Vec<String>,
    /// Per-run timeout.
    pub timeout: Duration,
    /// The build that must succeed first.
    pub build: Option<Build>,
    /// How to run it.
    pub invocation: Invocation,
    /// How to judge its runs.
    pub judge: Judge,
}

/// One result row: a case with one libc, or one LTP test.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// See [`Job::id`].
    pub id: String,
    /// See [`Job::name`].
    pub name: String,
    /// See [`Job::family`].
    pub family: String,
    /// See [`Job::libc`].
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub libc: Option<Libc>,
    /// See [`Job::syscalls`].
    pub syscalls: Vec<String>,
    /// `native` and each engine → verdict.
    pub results: BTreeMap<String, Verdict>,
    /// Why a run did not pass (for each such run).
    #[serde(default)]
    pub reason: BTreeMap<String, String>,
    /// The evidence for each run that did not pass.
    #[serde(default)]
    pub diff: BTreeMap<String, String>,
    /// Wall time of each run, in milliseconds.
    #[serde(default)]
    pub time_ms: BTreeMap<String, u64>,
}

impl Row {
    fn new(job: &Job) -> Row {
        Row {
            id: job.id.clone(),
            name: job.name.clone(),
            family: job.family.clone(),
            libc: job.libc,
            syscalls: job.syscalls.clone(),
            results: BTreeMap::new(),
            reason: BTreeMap::new(),
            diff: BTreeMap::new(),
            time_ms: BTreeMap::new(),
        }
    }

    fn record(&mut self, who: &str, j: Judgement) {
        self.results.insert(who.into(), j.verdict);
        if let Some(r) = j.reason {
            self.reason.insert(who.into(), r);
        }
        if let Some(d) = j.diff {
            self.diff.insert(who.into(), d);
        }
    }

    /// The verdict under `who` (`native` or an engine), if it was run.
    pub fn verdict(&self, who: &str) -> Option<Verdict> {
        self.results.get(who).copied()
    }
}

/// How a suite run is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The engines to run under, with whether each can run here.
    pub engines: Vec<(Engine, Availability)>,
    /// Parallel workers.
    pub jobs: usize,
    /// Runs programs natively and under sbx.
    pub launcher: Launcher,
    /// Show a progress bar (only drawn when stderr is a terminal).
    pub progress: bool,
}

/// Runs every job, `config.jobs` at a time; rows come back in job order.
pub fn run(jobs: &[Job], config: &Config) -> Vec<Row> {
    let bar = if config.progress {
        ProgressBar::with_draw_target(Some(jobs.len() as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:32.cyan/blue}] {pos}/{len} {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let next = AtomicUsize::new(0);
    let slots: Mutex<Vec<Option<Row>>> = Mutex::new(vec![None; jobs.len()]);
    let tally = Mutex::new(Tally::default());
    let workers = config.jobs.clamp(1, jobs.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let row = run_job(job, config);
                if let Ok(mut t) = tally.lock() {
                    t.add(&row);
                    bar.set_message(t.line(job));
                }
                if let Ok(mut slots) = slots.lock() {
                    slots[i] = Some(row);
                }
                bar.inc(1);
            });
        }
    });
    bar.finish_and_clear();
    slots
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

/// Running pass/fail counts for the progress bar's message.
#[derive(Default)]
struct Tally {
    pass: usize,
    fail: usize,
    broken: usize,
}

impl Tally {
    fn add(&mut self, row: &Row) {
        for (who, v) in &row.results {
            match (who.as_str(), v) {
                (NATIVE, _) => {}
                (_, Verdict::Pass) => self.pass += 1,
                (_, Verdict::Fail | Verdict::Timeout | Verdict::Error) => self.fail += 1,
                (_, Verdict::Broken) => self.broken += 1,
                (_, Verdict::Skip) => {}
            }
        }
    }

    fn line(&self, last: &Job) -> String {
        format!(
            "{} pass, {} fail, {} broken  {}",
            self.pass, self.fail, self.broken, last.id
        )
    }
}

/// Builds, runs natively, then under each engine.
pub fn run_job(job: &Job, config: &Config) -> Row {
    let mut row = Row::new(job);
    let native = match build(job) {
        Err(j) => {
            row.record(NATIVE, j.clone());
            Err(j)
        }
        Ok(()) => match config.launcher.run(&job.invocation, None, job.timeout) {
            Err(e) => {
                let j = Judgement::because(Verdict::Error, e.0);
                row.record(NATIVE, j.clone());
                Err(j)
            }
            Ok(out) => {
                row.time_ms.insert(NATIVE.into(), millis(out.elapsed));
                let j = job.judge.native(&out);
                row.record(NATIVE, j.clone());
                if j.verdict == Verdict::Pass {
                    Ok(out)
                } else {
                    Err(j)
                }
            }
        },
    };
    for (engine, availability) in &config.engines {
        let name = engine.as_str();
        if let Some(why) = availability.skip_reason() {
            row.record(name, Judgement::because(Verdict::Skip, why));
            continue;
        }
        let native_out = match &native {
            Ok(out) => out,
            Err(j) => {
                row.record(name, job.judge.without_native(j));
                continue;
            }
        };
        let j = match config
            .launcher
            .run(&job.invocation, Some(*engine), job.timeout)
        {
            Err(e) => Judgement::because(Verdict::Error, e.0),
            Ok(out) => {
                row.time_ms.insert(name.into(), millis(out.elapsed));
                job.judge.engine(name, native_out, &out)
            }
        };
        row.record(name, j);
    }
    row
}

/// Builds the job's binary when it has one; a failed build is the native run's judgement.
fn build(job: &Job) -> Result<(), Judgement> {
    let Some(b) = &job.build else { return Ok(()) };
    let failed = |reason: String, text: String| Judgement {
        verdict: Verdict::Error,
        reason: Some(reason),
        diff: (!text.is_empty()).then_some(text),
    };
    match b.ensure() {
        Ok(Built::Cached | Built::Compiled) => Ok(()),
        Ok(Built::Failed(text)) => {
            let first = text
                .lines()
                .find(|l| l.contains("error"))
                .or_else(|| text.lines().next())
                .unwrap_or("")
                .trim()
                .to_string();
            Err(failed(
                format!("{} failed: {first}", b.libc.compiler()),
                text,
            ))
        }
        Err(e) => Err(failed(format!("cannot build: {e}"), String::new())),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
