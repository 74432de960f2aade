//! A finished run as one [`Report`], and its renderings: terminal summary, JSON, Markdown, HTML.

pub mod html;
pub mod json;
pub mod markdown;
pub mod terminal;

use serde::Serialize;

use crate::engine::{Availability, Engine};
use crate::judge::Verdict;
use crate::stats::Stats;
use crate::suite::{Row, NATIVE};
use crate::support::SupportTable;

/// What kind of tests a report covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The conformance cases.
    Cases,
    /// An LTP installation.
    Ltp,
}

/// An engine that was asked for, and whether it ran.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EngineInfo {
    /// `kvm`, `bt`.
    pub name: String,
    /// `ran`, or why every result under it is a skip.
    pub status: String,
}

impl EngineInfo {
    /// The info for `engine` with `availability`.
    pub fn new(engine: Engine, availability: &Availability) -> EngineInfo {
        EngineInfo {
            name: engine.as_str().into(),
            status: availability.skip_reason().unwrap_or_else(|| "ran".into()),
        }
    }
}

/// Facts about the run itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Meta {
    /// Cases or LTP.
    pub source: Source,
    /// The engines asked for.
    pub engines: Vec<EngineInfo>,
    /// Parallel workers.
    pub jobs: usize,
    /// Wall time of the whole run.
    pub duration_s: f64,
    /// When it finished (UTC, `YYYY-MM-DD HH:MM:SS`).
    pub finished: String,
}

/// A finished run: metadata, aggregates and every row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// About the run.
    pub meta: Meta,
    /// Aggregates (flattened: `summary`, `families`, `syscalls`, ...).
    #[serde(flatten)]
    pub stats: Stats,
    /// One row per case and libc (or LTP test).
    pub cases: Vec<Row>,
}

impl Report {
    /// Aggregates `rows` into a report.
    pub fn new(meta: Meta, rows: Vec<Row>, support: &SupportTable) -> Report {
        let mut columns = vec![NATIVE.to_string()];
        columns.extend(meta.engines.iter().map(|e| e.name.clone()));
        let stats = Stats::new(&rows, &columns, support);
        Report {
            meta,
            stats,
            cases: rows,
        }
    }

    /// Distinct case names.
    pub fn case_count(&self) -> usize {
        let mut names: Vec<&str> = self.cases.iter().map(|r| r.name.as_str()).collect();
        names.dedup();
        names.len()
    }

    /// Rows that failed under `engine` (fail, timeout or error), in row order.
    pub fn failures<'a>(&'a self, engine: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
        self.cases.iter().filter(move |r| {
            matches!(
                r.verdict(engine),
                Some(Verdict::Fail | Verdict::Timeout | Verdict::Error)
            )
        })
    }

    /// Rows that did not pass natively.
    pub fn broken(&self) -> impl Iterator<Item = &Row> {
        self.cases.iter().filter(|r| {
            matches!(
                r.verdict(NATIVE),
                Some(Verdict::Fail | Verdict::Timeout | Verdict::Error)
            )
        })
    }
}

/// The current UTC time as `YYYY-MM-DD HH:MM:SS`.
pub fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    utc(secs)
}

/// `secs` since the epoch as `YYYY-MM-DD HH:MM:SS` (UTC).
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A rate as a whole percentage, `-` when nothing was judged.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or("-".into(), |r| format!("{:.0}%", (r * 100.0).floor()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20");
    }

    #[test]
    fn percent_rounds_down() {
        assert_eq!(percent(Some(0.999)), "99%");
        assert_eq!(percent(Some(1.0)), "100%");
        assert_eq!(percent(None), "-");
    }

    /// A small report with a pass, a failure with a diff, a broken case and a skipped engine.
    pub(crate) fn sample() -> Report {
        use Verdict::*;
        let mk = |id: &str, syscalls: &[&str], results: &[(&str, Verdict)]| {
            let name = id.split('@').next().unwrap_or(id);
            Row {
                id: id.into(),
                name: name.into(),
                family: name.split('/').next().unwrap_or(name).into(),
                libc: crate::case::Libc::parse(id.rsplit('@').next().unwrap_or("")),
                syscalls: syscalls.iter().map(|s| s.to_string()).collect(),
                results: results.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
                reason: BTreeMap::new(),
                diff: BTreeMap::new(),
                time_ms: BTreeMap::new(),
            }
        };
        let mut rows = vec![
            mk(
                "fs/open@glibc",
                &["openat", "close"],
                &[(NATIVE, Pass), ("kvm", Pass), ("bt", Skip)],
            ),
            mk(
                "fs/open@musl",
                &["openat", "close"],
                &[(NATIVE, Pass), ("kvm", Fail), ("bt", Skip)],
            ),
            mk(
                "proc/<wait>@glibc",
                &["wait4"],
                &[(NATIVE, Fail), ("kvm", Broken), ("bt", Skip)],
            ),
        ];
        rows[1].reason.insert(
            "kvm".into(),
            r#"line 2: want "close = 0", got "<FAIL>""#.into(),
        );
        rows[1].diff.insert(
            "kvm".into(),
            "--- native\n+++ kvm\n@@ -1,2 +1,2 @@\n open: ok\n-close = 0\n+<FAIL> & co\n".into(),
        );
        rows[2]
            .reason
            .insert(NATIVE.into(), "exit status 1 natively".into());
        let meta = Meta {
            source: Source::Cases,
            engines: vec![
                EngineInfo {
                    name: "kvm".into(),
                    status: "ran".into(),
                },
                EngineInfo {
                    name: "bt".into(),
                    status: "engine not available".into(),
                },
            ],
            jobs: 2,
            duration_s: 1.5,
            finished: "2024-01-01 00:00:00".into(),
        };
        Report::new(meta, rows, &SupportTable::from_sbx())
    }

    #[test]
    fn failures_and_broken() {
        let r = sample();
        let f: Vec<&str> = r.failures("kvm").map(|r| r.id.as_str()).collect();
        assert_eq!(f, ["fs/open@musl"]);
        let b: Vec<&str> = r.broken().map(|r| r.id.as_str()).collect();
        assert_eq!(b, ["proc/<wait>@glibc"]);
        assert_eq!(r.case_count(), 2);
    }
}
