//! The report as Markdown (GitHub-flavoured): summary, families, failures with reasons and
//! diffs, and the per-syscall matrix.

use std::fmt::Write;

use super::{percent, Report};
use crate::suite::NATIVE;

/// Escapes text for a table cell (a bare `|` ends a cell, a newline ends the row).
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
}

/// The Markdown report.
pub fn render(report: &Report) -> String {
    let s = &report.stats;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# sbx conformance\n\n{} runs of {} cases, {:.1} s with {} jobs, finished {} UTC.\n",
        report.cases.len(),
        report.case_count(),
        report.meta.duration_s,
        report.meta.jobs,
        report.meta.finished
    );

    let _ = writeln!(
        out,
        "| engine | pass | fail | timeout | broken | skipped | error | pass rate |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|"
    );
    for col in &s.columns {
        let c = s.summary.get(col).copied().unwrap_or_default();
        let _ = writeln!(
            out,
            "| {col} | {} | {} | {} | {} | {} | {} | {} |",
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
            let _ = writeln!(
                out,
                "\n*{}*: every run skipped ({}).",
                e.name,
                cell(&e.status)
            );
        }
    }

    let engines: Vec<&str> = s.engines().collect();
    let _ = writeln!(out, "\n## Families (most failures first)\n");
    let _ = write!(out, "| family | cases |");
    for e in &engines {
        let _ = write!(out, " {e} pass | {e} fail |");
    }
    let _ = write!(out, "\n|---|---:|");
    for _ in &engines {
        let _ = write!(out, "---:|---:|");
    }
    out.push('\n');
    for f in &s.families {
        let _ = write!(out, "| {} | {} |", cell(&f.family), f.cases);
        for e in &engines {
            let c = f.results.get(*e).copied().unwrap_or_default();
            let _ = write!(out, " {} | {} |", c.pass, c.failures());
        }
        out.push('\n');
    }

    for e in &engines {
        let rows: Vec<_> = report.failures(e).collect();
        if rows.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n## Failing under {e} ({})\n", rows.len());
        for r in rows {
            let verdict = r.verdict(e).map_or("?", |v| v.as_str());
            let reason = r.reason.get(*e).map_or("", String::as_str);
            let _ = writeln!(out, "- **{}** ({verdict}): {}", cell(&r.id), cell(reason));
            if let Some(d) = r.diff.get(*e) {
                let _ = writeln!(
                    out,
                    "  <details><summary>diff</summary>\n\n  ```diff\n{}  ```\n  </details>",
                    indent(d)
                );
            }
        }
    }
    let broken: Vec<_> = report.broken().collect();
    if !broken.is_empty() {
        let _ = writeln!(out, "\n## Broken natively ({})\n", broken.len());
        for r in broken {
            let reason = r.reason.get(NATIVE).map_or("", String::as_str);
            let _ = writeln!(out, "- **{}**: {}", cell(&r.id), cell(reason));
        }
    }

    let _ = writeln!(out, "\n## Syscalls\n");
    let _ = write!(out, "| syscall | support | cases |");
    for e in &engines {
        let _ = write!(out, " {e} |");
    }
    let _ = write!(out, "\n|---|---|---:|");
    for _ in &engines {
        out.push_str("---:|");
    }
    out.push('\n');
    for sc in &s.syscalls {
        let _ = write!(
            out,
            "| `{}` | {} | {} |",
            cell(&sc.name),
            sc.level.as_str(),
            sc.cases
        );
        for e in &engines {
            let c = sc.results.get(*e).copied().unwrap_or_default();
            let _ = write!(out, " {} |", percent(c.pass_rate()));
        }
        out.push('\n');
    }
    if !s.uncovered.is_empty() {
        let _ = writeln!(
            out,
            "\nImplemented syscalls without a case ({}): {}",
            s.uncovered.len(),
            s.uncovered
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections() {
        let md = render(&super::super::tests::sample());
        assert!(md.starts_with("# sbx conformance\n"));
        assert!(md.contains("| kvm | 1 | 1 | 0 | 1 | 0 | 0 | 50% |"));
        assert!(md.contains("## Failing under kvm (1)"));
        assert!(
            md.contains(r#"- **fs/open@musl** (fail): line 2: want "close = 0", got "&lt;FAIL>""#)
        );
        assert!(md.contains("```diff\n  --- native\n"));
        assert!(md.contains("## Broken natively (1)\n\n- **proc/&lt;wait>@glibc**"));
        assert!(md.contains("| `openat` |"));
        assert!(md.contains("Implemented syscalls without a case"));
    }
}
