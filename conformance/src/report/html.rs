//! The report as one self-contained HTML page (inline CSS, no scripts, no external assets):
//! totals per engine, families, the per-syscall matrix, and every failure with its diff.

use std::fmt::Write;

use super::{percent, Report};
use crate::judge::Verdict;
use crate::stats::Counts;
use crate::suite::{Row, NATIVE};

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --pass:#2f9e44; --fail:#e03131; --timeout:#f08c00; --broken:#868e96; --skip:#ced4da;
        --error:#9c36b5; --ink:#212529; --muted:#6c757d; --line:#e9ecef; --bg:#f8f9fa; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
       color:var(--ink); background:var(--bg); }
header { background:#1b1f3b; color:#fff; padding:28px 40px; }
header h1 { margin:0; font-size:26px; letter-spacing:.5px; }
header p { margin:6px 0 0; color:#c5c9e8; }
main { max-width:1200px; margin:0 auto; padding:24px 40px 60px; }
h2 { margin:36px 0 12px; font-size:20px; border-bottom:2px solid var(--line); padding-bottom:6px; }
.cards { display:flex; flex-wrap:wrap; gap:16px; }
.card { background:#fff; border-radius:10px; padding:16px 20px; min-width:250px; flex:1;
        box-shadow:0 1px 3px rgba(0,0,0,.08); }
.card h3 { margin:0; font-size:14px; text-transform:uppercase; color:var(--muted); }
.card .big { font-size:40px; font-weight:700; line-height:1.1; margin:6px 0; }
.card .sub { color:var(--muted); font-size:13px; }
.bar { display:flex; height:10px; border-radius:5px; overflow:hidden; background:var(--line);
       margin:10px 0 6px; }
.bar span { display:block; height:100%; }
.bar.small { height:8px; margin:2px 0; min-width:120px; }
.pass { background:var(--pass); } .fail { background:var(--fail); }
.timeout { background:var(--timeout); } .broken { background:var(--broken); }
.skip { background:var(--skip); } .error { background:var(--error); }
.legend { font-size:12px; color:var(--muted); }
.legend i { display:inline-block; width:10px; height:10px; border-radius:2px; margin:0 4px 0 10px; }
table { border-collapse:collapse; width:100%; background:#fff; border-radius:8px; overflow:hidden;
        box-shadow:0 1px 3px rgba(0,0,0,.06); }
th, td { padding:6px 10px; border-bottom:1px solid var(--line); text-align:left; vertical-align:middle; }
th { background:#f1f3f5; font-size:12px; text-transform:uppercase; color:var(--muted); }
td.num, th.num { text-align:right; font-variant-numeric:tabular-nums; }
td.rate { text-align:center; font-variant-numeric:tabular-nums; font-size:13px; min-width:80px; }
code, pre { font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; font-size:13px; }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; }
.lv-full { background:#d3f9d8; color:#2b8a3e; } .lv-partial { background:#fff3bf; color:#946200; }
.lv-unimplemented { background:#ffe3e3; color:#c92a2a; } .lv-unknown { background:#e9ecef; color:#495057; }
.note { color:var(--muted); font-size:12px; }
details.case { background:#fff; border-radius:8px; margin:8px 0; box-shadow:0 1px 2px rgba(0,0,0,.06); }
details.case summary { cursor:pointer; padding:8px 14px; }
details.case summary code { font-weight:600; }
details.case .reason { color:#495057; }
.v { display:inline-block; padding:0 6px; border-radius:4px; color:#fff; font-size:12px; margin:0 6px; }
pre.diff { margin:0; padding:10px 14px; background:#fbfbfc; border-top:1px solid var(--line);
           overflow-x:auto; white-space:pre; }
pre.diff .add { color:#2b8a3e; background:#ebfbee; display:block; }
pre.diff .del { color:#c92a2a; background:#fff5f5; display:block; }
pre.diff .hunk { color:#1971c2; display:block; }
.chips code { display:inline-block; background:#fff; border:1px solid var(--line); border-radius:4px;
              padding:0 6px; margin:2px; }
.ok { color:var(--pass); font-weight:600; }
footer { color:var(--muted); font-size:12px; margin-top:40px; }
"#;

/// The HTML report.
pub fn render(report: &Report) -> String {
    let s = &report.stats;
    let engines: Vec<&str> = s.engines().collect();
    let mut h = String::new();
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>sbx conformance</title><style>{CSS}</style></head><body>\n\
         <header><h1>sbx conformance</h1><p>{} runs of {} {} &middot; {:.1} s with {} jobs \
         &middot; finished {} UTC</p></header>\n<main>\n",
        report.cases.len(),
        report.case_count(),
        match report.meta.source {
            super::Source::Cases => "cases (one run per case and libc)",
            super::Source::Ltp => "LTP tests",
        },
        report.meta.duration_s,
        report.meta.jobs,
        esc(&report.meta.finished)
    );

    // Totals.
    h.push_str("<h2>Totals</h2>\n<div class=\"cards\">\n");
    for col in &s.columns {
        let c = s.summary.get(col).copied().unwrap_or_default();
        let status = report
            .meta
            .engines
            .iter()
            .find(|e| &e.name == col)
            .map_or("oracle: the host kernel", |e| e.status.as_str());
        let _ = writeln!(
            h,
            "<div class=\"card\"><h3>{}</h3><div class=\"big\">{}</div>\
             <div class=\"sub\">{} of {} judged runs pass</div>{}{}\
             <div class=\"sub\">{}</div></div>",
            esc(col),
            percent(c.pass_rate()),
            c.pass,
            c.judged(),
            stacked_bar(&c, ""),
            counts_line(&c),
            esc(status)
        );
    }
    h.push_str("</div>\n");
    h.push_str(&legend());

    // Families.
    h.push_str("<h2>Families <span class=\"note\">most failures first</span></h2>\n<table><tr><th>family</th><th class=\"num\">cases</th>");
    for e in &engines {
        let _ = write!(h, "<th>{}</th>", esc(e));
    }
    h.push_str("</tr>\n");
    for f in &s.families {
        let _ = write!(
            h,
            "<tr><td><b>{}</b></td><td class=\"num\">{}</td>",
            esc(&f.family),
            f.cases
        );
        for e in &engines {
            let c = f.results.get(*e).copied().unwrap_or_default();
            let _ = write!(
                h,
                "<td>{}<span class=\"note\">{}</span></td>",
                stacked_bar(&c, " small"),
                family_counts(&c)
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    // Failures.
    for e in &engines {
        let rows: Vec<&Row> = report.failures(e).collect();
        let _ = writeln!(
            h,
            "<h2>Failing under {} <span class=\"note\">{}</span></h2>",
            esc(e),
            rows.len()
        );
        let status = report
            .meta
            .engines
            .iter()
            .find(|i| i.name == *e)
            .map_or("ran", |i| i.status.as_str());
        if status != "ran" {
            let _ = writeln!(h, "<p class=\"note\">Not run: {}.</p>", esc(status));
        } else if rows.is_empty() {
            h.push_str("<p class=\"ok\">Every judged run passes.</p>\n");
        }
        for r in rows {
            case_details(&mut h, r, e);
        }
    }
    let broken: Vec<&Row> = report.broken().collect();
    if !broken.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Broken natively <span class=\"note\">{} &middot; these fail on the host kernel \
             too, so they count against no engine; fix the case</span></h2>",
            broken.len()
        );
        for r in broken {
            case_details(&mut h, r, NATIVE);
        }
    }

    // Syscall matrix.
    h.push_str(
        "<h2>Syscalls <span class=\"note\">support level from sbx's syscall table; \
         cells: pass rate of the judged runs of cases that name the syscall</span></h2>\n\
         <table><tr><th class=\"num\">nr</th><th>syscall</th><th>support</th><th class=\"num\">cases</th>",
    );
    for e in &engines {
        let _ = write!(h, "<th>{}</th>", esc(e));
    }
    h.push_str("</tr>\n");
    for sc in &s.syscalls {
        let _ = write!(
            h,
            "<tr><td class=\"num note\">{}</td><td><code>{}</code></td>\
             <td><span class=\"badge lv-{lv}\">{lv}</span> <span class=\"note\">{}</span></td>\
             <td class=\"num\">{}</td>",
            sc.nr.map_or(String::new(), |n| n.to_string()),
            esc(&sc.name),
            esc(&sc.note),
            sc.cases,
            lv = sc.level.as_str(),
        );
        for e in &engines {
            let c = sc.results.get(*e).copied().unwrap_or_default();
            h.push_str(&rate_cell(&c));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    if !s.uncovered.is_empty() {
        let _ = write!(
            h,
            "<h2>Implemented syscalls without a case <span class=\"note\">{}</span></h2>\n<p class=\"chips\">",
            s.uncovered.len()
        );
        for n in &s.uncovered {
            let _ = write!(h, "<code>{}</code>", esc(n));
        }
        h.push_str("</p>\n");
    }
    h.push_str(
        "<footer>Generated by <code>sbx conformance</code>. Each case runs natively first (the \
         oracle), then under each engine; a run passes when its stdout bytes and exit status \
         match the native run.</footer>\n</main></body></html>\n",
    );
    h
}

fn stacked_bar(c: &Counts, class: &str) -> String {
    let mut s = format!("<div class=\"bar{class}\">");
    if c.total > 0 {
        for v in Verdict::ALL {
            let n = c.get(v);
            if n > 0 {
                let _ = write!(
                    s,
                    "<span class=\"{}\" style=\"width:{:.2}%\" title=\"{n} {}\"></span>",
                    v.as_str(),
                    n as f64 * 100.0 / c.total as f64,
                    v.as_str()
                );
            }
        }
    }
    s.push_str("</div>");
    s
}

fn counts_line(c: &Counts) -> String {
    let parts: Vec<String> = Verdict::ALL
        .iter()
        .filter(|v| c.get(**v) > 0)
        .map(|v| format!("{} {}", c.get(*v), v.as_str()))
        .collect();
    format!("<div class=\"sub\">{}</div>", parts.join(" &middot; "))
}

/// `3 pass · 1 fail · 1 broken`, or just `5 skipped` for an engine that did not run.
fn family_counts(c: &Counts) -> String {
    if c.total > 0 && c.skipped == c.total {
        return format!("{} skipped", c.skipped);
    }
    let mut s = format!("{} pass &middot; {} fail", c.pass, c.failures());
    if c.broken > 0 {
        let _ = write!(s, " &middot; {} broken", c.broken);
    }
    s
}

fn legend() -> String {
    let mut s = String::from("<p class=\"legend\">");
    for v in Verdict::ALL {
        let _ = write!(s, "<i class=\"{0}\"></i>{0}", v.as_str());
    }
    s.push_str("</p>\n");
    s
}

/// A matrix cell coloured from red (0%) to green (100%); grey when nothing was judged.
fn rate_cell(c: &Counts) -> String {
    match c.pass_rate() {
        None => {
            let why = if c.total == 0 {
                String::new()
            } else if c.skipped == c.total {
                "skipped".to_string()
            } else {
                format!("{} broken", c.broken + c.skipped)
            };
            format!("<td class=\"rate note\">{why}</td>")
        }
        Some(r) => format!(
            "<td class=\"rate\" style=\"background:hsl({:.0},65%,85%)\" title=\"{} of {} pass\">\
             {} <span class=\"note\">{}/{}</span></td>",
            r * 120.0,
            c.pass,
            c.judged(),
            percent(Some(r)),
            c.pass,
            c.judged()
        ),
    }
}

fn case_details(h: &mut String, r: &Row, who: &str) {
    let verdict = r.verdict(who).map_or("?", |v| v.as_str());
    let reason = r.reason.get(who).map_or("", String::as_str);
    let syscalls = r.syscalls.join(", ");
    let _ = write!(
        h,
        "<details class=\"case\"><summary><code>{}</code><span class=\"v {verdict}\">{verdict}</span>\
         <span class=\"reason\">{}</span> <span class=\"note\">{}</span></summary>",
        esc(&r.id),
        esc(reason),
        esc(&syscalls)
    );
    if let Some(d) = r.diff.get(who) {
        h.push_str("<pre class=\"diff\">");
        for line in d.lines() {
            let class = if line.starts_with("+++") || line.starts_with("---") {
                "hunk"
            } else if line.starts_with('+') {
                "add"
            } else if line.starts_with('-') {
                "del"
            } else if line.starts_with("@@") {
                "hunk"
            } else {
                ""
            };
            if class.is_empty() {
                let _ = writeln!(h, "{}", esc(line));
            } else {
                // Block-level spans already end the line.
                let _ = write!(h, "<span class=\"{class}\">{}</span>", esc(line));
            }
        }
        h.push_str("</pre>");
    }
    h.push_str("</details>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_contained_and_escaped() {
        let page = render(&super::super::tests::sample());
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.ends_with("</html>\n"));
        // No external assets or scripts.
        for bad in ["<script", "<link", "src=", "http://", "https://", "@import"] {
            assert!(!page.contains(bad), "{bad}");
        }
        assert!(page.contains("<h2>Failing under kvm <span class=\"note\">1</span></h2>"));
        assert!(page.contains("<code>fs/open@musl</code>"));
        // Case text is escaped.
        assert!(page.contains("got &quot;&lt;FAIL&gt;&quot;"));
        assert!(page.contains("<span class=\"add\">+&lt;FAIL&gt; &amp; co</span>"));
        assert!(page.contains("<span class=\"del\">-close = 0</span>"));
        assert!(page.contains("<code>proc/&lt;wait&gt;@glibc</code>"));
        assert!(!page.contains("<wait>"));
        // The matrix has a row per named syscall with its support badge.
        assert!(page.contains("<code>openat</code>"));
        assert!(page.contains("class=\"badge lv-"));
        // bt judged nothing: no rates, no claim that everything passes.
        assert!(page.contains("<p class=\"note\">Not run: engine not available.</p>"));
        assert!(page.contains("<td class=\"rate note\">skipped</td>"));
    }

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
    }
}
