//! `conformance/baseline.json`: per engine, the sorted ids of the rows that pass. CI checks a
//! run against it (`--baseline`) and fails naming every row that stopped passing;
//! `--update-baseline` rewrites it from a run (deterministically: sorted, one id per line).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::judge::Verdict;
use crate::suite::Row;

/// What the file says about itself.
pub const ABOUT: &str = "Rows (case@libc) that pass, per engine. CI fails when one stops passing. \
    Regenerate: target/debug/sbx conformance --platform all --update-baseline conformance/baseline.json";

/// The baseline file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// [`ABOUT`].
    #[serde(default)]
    pub about: String,
    /// Engine → sorted ids of passing rows.
    pub engines: BTreeMap<String, BTreeSet<String>>,
}

/// A row that the baseline says passes under an engine, but did not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Regression {
    /// The row's id.
    pub id: String,
    /// The engine.
    pub engine: String,
    /// What it got instead of a pass.
    pub verdict: Verdict,
    /// Why.
    pub reason: String,
}

/// The result of checking a run against the baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Check {
    /// Rows that stopped passing.
    pub regressions: Vec<Regression>,
    /// Baseline rows this run did not include (filtered out, or removed), per engine.
    pub not_run: usize,
    /// Rows that pass but are not in the baseline yet (update it to lock them in).
    pub new_passes: usize,
    /// Listed rows that could not be judged because the case is broken natively on this
    /// machine (no oracle): reported loudly, not counted as regressions, since the machine
    /// (a container without a session, say) and not the engine changed.
    pub unchecked: Vec<Regression>,
}

impl Baseline {
    /// Reads the file.
    pub fn load(path: &Path) -> Result<Baseline> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        serde_json::from_slice(&bytes).map_err(|source| Error::Json {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Reads the file, or an empty baseline if there is none.
    pub fn load_or_default(path: &Path) -> Result<Baseline> {
        if path.exists() {
            Baseline::load(path)
        } else {
            Ok(Baseline::default())
        }
    }

    /// The file's text: pretty JSON, sorted, newline-terminated.
    pub fn render(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the file.
    pub fn save(&self, path: &Path) -> Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(path, self.render()).map_err(|e| Error::io(path, e))
    }

    /// Checks `rows` for every engine in `ran` (engines that could not run are not checked).
    pub fn check(&self, rows: &[Row], ran: &[&str]) -> Check {
        let by_id: BTreeMap<&str, &Row> = rows.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut check = Check::default();
        for engine in ran {
            let expected = self.engines.get(*engine);
            for id in expected.into_iter().flatten() {
                let Some(row) = by_id.get(id.as_str()) else {
                    check.not_run += 1;
                    continue;
                };
                let verdict = row.verdict(engine);
                if verdict == Some(Verdict::Pass) {
                    continue;
                }
                let r = Regression {
                    id: id.clone(),
                    engine: engine.to_string(),
                    verdict: verdict.unwrap_or(Verdict::Skip),
                    reason: row.reason.get(*engine).cloned().unwrap_or_default(),
                };
                if verdict == Some(Verdict::Broken) {
                    check.unchecked.push(r);
                } else {
                    check.regressions.push(r);
                }
            }
            check.new_passes += rows
                .iter()
                .filter(|r| r.verdict(engine) == Some(Verdict::Pass))
                .filter(|r| expected.is_none_or(|e| !e.contains(&r.id)))
                .count();
        }
        check
    }

    /// The baseline after a run: for each engine in `ran`, the rows that passed now, plus the
    /// old entries this run did not include as long as `still_exists` says their case does.
    /// Engines that did not run keep their old entries.
    pub fn updated(
        &self,
        rows: &[Row],
        ran: &[&str],
        still_exists: impl Fn(&str) -> bool,
    ) -> Baseline {
        let run_ids: BTreeSet<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let mut engines = self.engines.clone();
        for engine in ran {
            let old = self.engines.get(*engine);
            let mut ids: BTreeSet<String> = old
                .into_iter()
                .flatten()
                .filter(|id| !run_ids.contains(id.as_str()) && still_exists(id))
                .cloned()
                .collect();
            ids.extend(
                rows.iter()
                    .filter(|r| r.verdict(engine) == Some(Verdict::Pass))
                    .map(|r| r.id.clone()),
            );
            engines.insert(engine.to_string(), ids);
        }
        Baseline {
            about: ABOUT.into(),
            engines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::NATIVE;
    use Verdict::*;

    fn row(id: &str, kvm: Verdict) -> Row {
        let mut r = Row {
            id: id.into(),
            name: id.split('@').next().unwrap().into(),
            family: "f".into(),
            libc: None,
            syscalls: vec![],
            results: [(NATIVE.to_string(), Pass), ("kvm".to_string(), kvm)]
                .into_iter()
                .collect(),
            reason: BTreeMap::new(),
            diff: BTreeMap::new(),
            time_ms: BTreeMap::new(),
        };
        if kvm != Pass {
            r.reason
                .insert("kvm".into(), format!("{} reason", kvm.as_str()));
        }
        r
    }

    fn base(ids: &[&str]) -> Baseline {
        Baseline {
            about: ABOUT.into(),
            engines: [(
                "kvm".to_string(),
                ids.iter().map(|s| s.to_string()).collect(),
            )]
            .into_iter()
            .collect(),
        }
    }

    #[test]
    fn regressions_are_named() {
        let b = base(&["f/a@glibc", "f/b@glibc", "f/c@glibc", "f/gone@glibc"]);
        let rows = [
            row("f/a@glibc", Pass),
            row("f/b@glibc", Fail),
            row("f/c@glibc", Broken),
            row("f/new@glibc", Pass),
        ];
        let c = b.check(&rows, &["kvm"]);
        assert_eq!(c.not_run, 1);
        assert_eq!(c.new_passes, 1);
        let got: Vec<(&str, Verdict, &str)> = c
            .regressions
            .iter()
            .map(|r| (r.id.as_str(), r.verdict, r.reason.as_str()))
            .collect();
        assert_eq!(got, [("f/b@glibc", Fail, "fail reason")]);
        // Broken natively: no oracle here, so not judged, but named.
        let unchecked: Vec<&str> = c.unchecked.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(unchecked, ["f/c@glibc"]);
        // An engine that did not run is not checked.
        assert_eq!(b.check(&rows, &[]), Check::default());
    }

    #[test]
    fn update_is_sorted_and_keeps_unrun_existing_cases() {
        let old = base(&["f/kept@glibc", "f/removed@glibc", "f/b@glibc"]);
        let rows = [
            row("f/z@glibc", Pass),
            row("f/b@glibc", Fail),
            row("f/a@musl", Pass),
        ];
        let new = old.updated(&rows, &["kvm"], |id| id != "f/removed@glibc");
        let ids: Vec<&str> = new.engines["kvm"].iter().map(String::as_str).collect();
        assert_eq!(ids, ["f/a@musl", "f/kept@glibc", "f/z@glibc"]);
        // Engines that did not run keep their entries.
        let same = old.updated(&rows, &[], |_| true);
        assert_eq!(same.engines, old.engines);
        // Rendering is deterministic and round-trips.
        let text = new.render();
        assert!(text.ends_with("]\n  }\n}\n"), "{text}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/baseline.json");
        new.save(&p).unwrap();
        assert_eq!(Baseline::load(&p).unwrap(), new);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), text);
        assert_eq!(new.updated(&rows, &["kvm"], |_| true).render(), text);
    }
}
