//! The summary printed at the end of a run: per-engine counts, the families with the most
//! failures, and one line per failing or broken row.

use std::fmt::Write;

use super::{percent, Report};
use crate::suite::NATIVE;

/// At most this many failure lines per engine (the reports have all of them).
pub const MAX_FAILURE_LINES: usize = 60;
/// Families listed under "most failures".
pub const TOP_FAMILIES: usize = 5;

/// The summary as plain text.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.stats;
    let _ = writeln!(
        out,
        "sbx conformance: {} runs of {} {} in {:.1} s ({} jobs)",
        report.cases.len(),
        report.case_count(),
        match report.meta.source {
            super::Source::Cases => "cases",
            super::Source::Ltp => "LTP tests",
        },
        report.meta.duration_s,
        report.meta.jobs
    );
    let _ = writeln!(
        out,
        "\n{:<8} {:>6} {:>6} {:>8} {:>7} {:>8} {:>6} {:>6}",
        "engine", "pass", "fail", "timeout", "broken", "skipped", "error", "rate"
    );
    for col in &s.columns {
        let c = s.summary.get(col).copied().unwrap_or_default();
        let _ = writeln!(
            out,
            "{col:<8} {:>6} {:>6} {:>8} {:>7} {:>8} {:>6} {:>6}",
            c.pass,
            c.fail,
            c.timeout,
            c.broken,
            c.skipped,
            c.error,
            percent(c.pass_rate())
        );
    }
    for e in &report.meta.engines {
        if e.status != "ran" {
            let _ = writeln!(out, "({}: every run skipped: {})", e.name, e.status);
        }
    }

    let failing: Vec<_> = s
        .families
        .iter()
        .filter_map(|f| {
            let per: Vec<String> = s
                .engines()
                .filter_map(|e| {
                    let n = f.results.get(e).map_or(0, |c| c.failures());
                    (n > 0).then(|| format!("{e} {n}"))
                })
                .collect();
            (!per.is_empty()).then_some((f, per))
        })
        .take(TOP_FAMILIES)
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(out, "\nfamilies with the most failures:");
        for (f, per) in failing {
            let runs = f.results.get(NATIVE).map_or(0, |c| c.total);
            let _ = writeln!(
                out,
                "  {:<12} {} ({} cases, {runs} runs)",
                f.family,
                per.join(", "),
                f.cases
            );
        }
    }

    let width = report
        .cases
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(0)
        .min(40);
    for engine in s.engines() {
        let rows: Vec<_> = report.failures(engine).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\nfailing under {engine}:");
        for r in rows.iter().take(MAX_FAILURE_LINES) {
            let verdict = r.verdict(engine).map_or("?", |v| v.as_str());
            let reason = r.reason.get(engine).map_or("", String::as_str);
            let _ = writeln!(out, "  {:<width$} {verdict:<7} {reason}", r.id);
        }
        if rows.len() > MAX_FAILURE_LINES {
            let _ = writeln!(
                out,
                "  ... and {} more (see --json / --html)",
                rows.len() - MAX_FAILURE_LINES
            );
        }
    }
    let broken: Vec<_> = report.broken().collect();
    if !broken.is_empty() {
        let _ = writeln!(
            out,
            "\nbroken natively (not counted against any engine; fix the case):"
        );
        for r in &broken {
            let reason = r.reason.get(NATIVE).map_or("", String::as_str);
            let _ = writeln!(out, "  {:<width$} {reason}", r.id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines() {
        let text = render(&super::super::tests::sample());
        assert!(text.starts_with("sbx conformance: 3 runs of 2 cases in 1.5 s (2 jobs)\n"));
        let kvm = text.lines().find(|l| l.starts_with("kvm ")).unwrap();
        let cols: Vec<&str> = kvm.split_whitespace().collect();
        assert_eq!(cols, ["kvm", "1", "1", "0", "1", "0", "0", "50%"]);
        assert!(text.contains("(bt: every run skipped: engine not available)"));
        assert!(text.contains("families with the most failures:\n  fs "));
        assert!(text.contains("failing under kvm:\n  fs/open@musl"));
        assert!(text.contains("broken natively"));
        assert!(text.contains("exit status 1 natively"));
    }
}
