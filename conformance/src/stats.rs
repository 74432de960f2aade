//! Aggregates over result rows: per engine, per family, per syscall.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::judge::Verdict;
use crate::suite::Row;
use crate::support::{Level, SupportTable};

/// How many runs ended with each verdict.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passed.
    pub pass: usize,
    /// Failed.
    pub fail: usize,
    /// Timed out.
    pub timeout: usize,
    /// Broken natively (not counted against the engine).
    pub broken: usize,
    /// Skipped.
    pub skipped: usize,
    /// Could not run.
    pub error: usize,
    /// All of them.
    pub total: usize,
}

impl Counts {
    /// Counts one verdict.
    pub fn add(&mut self, v: Verdict) {
        match v {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail => self.fail += 1,
            Verdict::Timeout => self.timeout += 1,
            Verdict::Broken => self.broken += 1,
            Verdict::Skip => self.skipped += 1,
            Verdict::Error => self.error += 1,
        }
        self.total += 1;
    }

    /// The count for one verdict.
    pub fn get(&self, v: Verdict) -> usize {
        match v {
            Verdict::Pass => self.pass,
            Verdict::Fail => self.fail,
            Verdict::Timeout => self.timeout,
            Verdict::Broken => self.broken,
            Verdict::Skip => self.skipped,
            Verdict::Error => self.error,
        }
    }

    /// Runs that count against the engine: failed, timed out, or could not run.
    pub fn failures(&self) -> usize {
        self.fail + self.timeout + self.error
    }

    /// Runs that were judged (passes and failures; not broken, not skipped).
    pub fn judged(&self) -> usize {
        self.pass + self.failures()
    }

    /// Passes among judged runs, `None` when nothing was judged.
    pub fn pass_rate(&self) -> Option<f64> {
        let judged = self.judged();
        (judged > 0).then(|| self.pass as f64 / judged as f64)
    }
}

/// One family's (directory's) counts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FamilyStats {
    /// The family.
    pub family: String,
    /// Distinct cases.
    pub cases: usize,
    /// Per engine (and `native`).
    pub results: BTreeMap<String, Counts>,
}

/// One syscall's row of the matrix.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SyscallStats {
    /// The syscall.
    pub name: String,
    /// Its number, if it is one.
    pub nr: Option<u32>,
    /// sbx's support level.
    pub level: Level,
    /// The support note.
    pub note: String,
    /// Distinct cases that name it.
    pub cases: usize,
    /// Per engine (and `native`).
    pub results: BTreeMap<String, Counts>,
}

/// Every aggregate a report shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stats {
    /// `native` then the engines, in run order.
    pub columns: Vec<String>,
    /// Per engine.
    pub summary: BTreeMap<String, Counts>,
    /// Per family, most failures first.
    pub families: Vec<FamilyStats>,
    /// Per syscall named by a case, by name.
    pub syscalls: Vec<SyscallStats>,
    /// Implemented (full or partial) syscalls that no case names.
    pub uncovered: Vec<String>,
}

impl Stats {
    /// Aggregates `rows`; `columns` is `native` followed by the engines.
    pub fn new(rows: &[Row], columns: &[String], support: &SupportTable) -> Stats {
        let mut summary: BTreeMap<String, Counts> = BTreeMap::new();
        let mut families: BTreeMap<&str, (BTreeSet<&str>, BTreeMap<String, Counts>)> =
            BTreeMap::new();
        let mut syscalls: BTreeMap<&str, (BTreeSet<&str>, BTreeMap<String, Counts>)> =
            BTreeMap::new();
        for row in rows {
            let fam = families.entry(&row.family).or_default();
            fam.0.insert(&row.name);
            for name in &row.syscalls {
                syscalls.entry(name).or_default().0.insert(&row.name);
            }
            for (who, v) in &row.results {
                summary.entry(who.clone()).or_default().add(*v);
                fam.1.entry(who.clone()).or_default().add(*v);
                for name in &row.syscalls {
                    if let Some(s) = syscalls.get_mut(name.as_str()) {
                        s.1.entry(who.clone()).or_default().add(*v);
                    }
                }
            }
        }
        let engine_failures = |results: &BTreeMap<String, Counts>| -> usize {
            results
                .iter()
                .filter(|(k, _)| *k != crate::suite::NATIVE)
                .map(|(_, c)| c.failures())
                .sum()
        };
        let mut families: Vec<FamilyStats> = families
            .into_iter()
            .map(|(family, (cases, results))| FamilyStats {
                family: family.to_string(),
                cases: cases.len(),
                results,
            })
            .collect();
        families.sort_by(|a, b| {
            engine_failures(&b.results)
                .cmp(&engine_failures(&a.results))
                .then_with(|| a.family.cmp(&b.family))
        });
        let covered: BTreeSet<&str> = syscalls.keys().copied().collect();
        let syscalls = syscalls
            .into_iter()
            .map(|(name, (cases, results))| {
                let s = support.get(name);
                SyscallStats {
                    name: name.to_string(),
                    nr: s.map(|s| s.nr),
                    level: s.map_or(Level::Unknown, |s| s.level),
                    note: s.map(|s| s.note.clone()).unwrap_or_default(),
                    cases: cases.len(),
                    results,
                }
            })
            .collect();
        let uncovered = support
            .iter()
            .filter(|(name, s)| {
                matches!(s.level, Level::Full | Level::Partial) && !covered.contains(name)
            })
            .map(|(name, _)| name.to_string())
            .collect();
        Stats {
            columns: columns.to_vec(),
            summary,
            families,
            syscalls,
            uncovered,
        }
    }

    /// Engines only (the columns without `native`).
    pub fn engines(&self) -> impl Iterator<Item = &str> {
        self.columns
            .iter()
            .map(String::as_str)
            .filter(|c| *c != crate::suite::NATIVE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::NATIVE;
    use crate::support::SyscallSupport;

    pub(crate) fn row(id: &str, syscalls: &[&str], results: &[(&str, Verdict)]) -> Row {
        let name = id.split('@').next().unwrap();
        Row {
            id: id.into(),
            name: name.into(),
            family: name.split('/').next().unwrap().into(),
            libc: None,
            syscalls: syscalls.iter().map(|s| s.to_string()).collect(),
            results: results.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            reason: BTreeMap::new(),
            diff: BTreeMap::new(),
            time_ms: BTreeMap::new(),
        }
    }

    fn support() -> SupportTable {
        let s = |nr, level| SyscallSupport {
            nr,
            level,
            note: String::new(),
        };
        SupportTable::from_entries([
            ("read".to_string(), s(0, Level::Full)),
            ("write".to_string(), s(1, Level::Partial)),
            ("fork".to_string(), s(57, Level::Unimplemented)),
            ("close".to_string(), s(3, Level::Full)),
        ])
    }

    #[test]
    fn aggregates() {
        use Verdict::*;
        let rows = [
            row("fs/a@glibc", &["read"], &[(NATIVE, Pass), ("kvm", Pass)]),
            row("fs/a@musl", &["read"], &[(NATIVE, Pass), ("kvm", Fail)]),
            row(
                "io/b@glibc",
                &["read", "write"],
                &[(NATIVE, Fail), ("kvm", Broken)],
            ),
            row(
                "io/c@glibc",
                &["fork", "bogus"],
                &[(NATIVE, Pass), ("kvm", Timeout)],
            ),
            row("io/d@glibc", &["write"], &[(NATIVE, Pass), ("kvm", Fail)]),
        ];
        let cols = vec![NATIVE.to_string(), "kvm".to_string()];
        let s = Stats::new(&rows, &cols, &support());
        let kvm = s.summary["kvm"];
        assert_eq!(
            (kvm.pass, kvm.fail, kvm.timeout, kvm.broken, kvm.total),
            (1, 2, 1, 1, 5)
        );
        assert_eq!(s.summary[NATIVE].fail, 1);
        assert_eq!(kvm.pass_rate(), Some(0.25));
        // io has two engine failures, fs one: io first.
        assert_eq!(s.families[0].family, "io");
        assert_eq!(s.families[0].cases, 3);
        assert_eq!(s.families[1].cases, 1);
        let names: Vec<&str> = s.syscalls.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["bogus", "fork", "read", "write"]);
        let read = &s.syscalls[2];
        assert_eq!((read.cases, read.level, read.nr), (2, Level::Full, Some(0)));
        assert_eq!(read.results["kvm"].pass_rate(), Some(0.5));
        assert_eq!(s.syscalls[0].level, Level::Unknown);
        assert_eq!(s.uncovered, ["close"]);
        assert_eq!(s.engines().collect::<Vec<_>>(), ["kvm"]);
    }
}
