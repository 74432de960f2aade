//! Verdicts: whether a run passed, and when not, a compact diff and a one-line reason.
//!
//! Suite cases are differential (the native run is the oracle: same stdout bytes, same exit
//! status); LTP tests judge themselves through their exit status.

use std::fmt::Write;

use serde::{Deserialize, Serialize};
use similar::TextDiff;

use crate::exec::{Output, Status};

/// Lines of stderr / output kept in a diff.
const TAIL_LINES: usize = 20;
/// Quoted output lines in a reason are cut to this many characters.
const QUOTE_CHARS: usize = 70;

/// One run's result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Matched the native run (natively: exited 0).
    Pass,
    /// Differed from the native run (natively: exited nonzero).
    Fail,
    /// Killed at the timeout.
    Timeout,
    /// Not counted against the engine: the case failed natively.
    Broken,
    /// Not run (engine not available, or the test reported it does not apply).
    Skip,
    /// Could not run at all (compile error, the program could not be started).
    Error,
}

impl Verdict {
    /// Every verdict, in report column order.
    pub const ALL: [Verdict; 6] = [
        Verdict::Pass,
        Verdict::Fail,
        Verdict::Timeout,
        Verdict::Broken,
        Verdict::Skip,
        Verdict::Error,
    ];

    /// The lowercase name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Timeout => "timeout",
            Verdict::Broken => "broken",
            Verdict::Skip => "skip",
            Verdict::Error => "error",
        }
    }
}

/// A verdict with its explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Judgement {
    /// The verdict.
    pub verdict: Verdict,
    /// One line saying why it is not a pass.
    pub reason: Option<String>,
    /// Evidence: a diff against the native run, or the run's output.
    pub diff: Option<String>,
}

impl Judgement {
    /// A pass.
    pub fn pass() -> Judgement {
        Judgement {
            verdict: Verdict::Pass,
            reason: None,
            diff: None,
        }
    }

    /// A verdict with a reason and no diff.
    pub fn because(verdict: Verdict, reason: impl Into<String>) -> Judgement {
        Judgement {
            verdict,
            reason: Some(reason.into()),
            diff: None,
        }
    }
}

/// How runs are judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judge {
    /// The engine must reproduce the native stdout and exit status.
    Differential,
    /// LTP exit codes: 0 pass, 32 (TCONF) skip, anything else fail.
    Ltp,
}

/// LTP's "test does not apply here" exit status.
pub const LTP_TCONF: i32 = 32;

impl Judge {
    /// Judges the native run.
    pub fn native(self, out: &Output) -> Judgement {
        let code = match out.status {
            Status::TimedOut => {
                let tail = output_tail("native", out);
                return Judgement {
                    diff: (!tail.is_empty()).then_some(tail),
                    ..Judgement::because(
                        Verdict::Timeout,
                        format!("timed out natively after {} s", out.elapsed.as_secs()),
                    )
                };
            }
            s => s.code().unwrap_or(-1),
        };
        match (self, code) {
            (_, 0) => Judgement::pass(),
            (Judge::Ltp, LTP_TCONF) => Judgement::because(
                Verdict::Skip,
                first_line_with(out, &["TCONF"]).unwrap_or_else(|| "TCONF".into()),
            ),
            (judge, _) => {
                let markers: &[&str] = match judge {
                    Judge::Differential => &["FAIL"],
                    Judge::Ltp => &["TFAIL", "TBROK"],
                };
                let mut reason = format!("{} natively", describe_status(out.status, judge));
                if let Some(line) = first_line_with(out, markers) {
                    let _ = write!(reason, ": {line}");
                }
                let tail = output_tail("native", out);
                Judgement {
                    diff: (!tail.is_empty()).then_some(tail),
                    ..Judgement::because(Verdict::Fail, reason)
                }
            }
        }
    }

    /// What every engine gets when the native run did not pass (so the engine is not run).
    pub fn without_native(self, native: &Judgement) -> Judgement {
        match native.verdict {
            Verdict::Skip => Judgement::because(Verdict::Skip, "does not apply natively (TCONF)"),
            _ => Judgement::because(
                Verdict::Broken,
                format!(
                    "broken natively: {}",
                    native.reason.as_deref().unwrap_or("did not pass")
                ),
            ),
        }
    }

    /// Judges an engine's run against the (passing) native run.
    pub fn engine(self, engine: &str, native: &Output, out: &Output) -> Judgement {
        if out.status == Status::TimedOut {
            let evidence = match self {
                // What it printed before it hung, against what it should have printed.
                Judge::Differential => diff(engine, native, out),
                Judge::Ltp => output_tail(engine, out),
            };
            return Judgement {
                diff: (!evidence.is_empty()).then_some(evidence),
                ..Judgement::because(
                    Verdict::Timeout,
                    format!("timed out after {} s", out.elapsed.as_secs()),
                )
            };
        }
        match self {
            Judge::Differential => {
                if out.status.code() == native.status.code() && out.stdout == native.stdout {
                    return Judgement::pass();
                }
                Judgement {
                    verdict: Verdict::Fail,
                    reason: Some(reason(native, out)),
                    diff: Some(diff(engine, native, out)),
                }
            }
            Judge::Ltp => match out.status.code() {
                Some(0) => Judgement::pass(),
                Some(LTP_TCONF) => Judgement::because(
                    Verdict::Skip,
                    first_line_with(out, &["TCONF"]).unwrap_or_else(|| "TCONF".into()),
                ),
                _ => {
                    let mut reason = format!("{} vs 0", describe_status(out.status, self));
                    if let Some(line) =
                        first_line_with(out, &["TFAIL", "TBROK"]).or_else(|| last_line(&out.stderr))
                    {
                        let _ = write!(reason, ": {line}");
                    }
                    let tail = output_tail(engine, out);
                    Judgement {
                        diff: (!tail.is_empty()).then_some(tail),
                        ..Judgement::because(Verdict::Fail, reason)
                    }
                }
            },
        }
    }
}

/// The name of signal `n` (`SIGSEGV`), or `signal N`.
pub fn signal_name(n: i32) -> String {
    const NAMES: [&str; 32] = [
        "",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    usize::try_from(n)
        .ok()
        .and_then(|i| NAMES.get(i))
        .filter(|s| !s.is_empty())
        .map_or_else(|| format!("signal {n}"), |s| (*s).to_string())
}

/// An exit code with its meaning: `139 (SIGSEGV)`, `125 (sbx error)`, `2 (TBROK)` for LTP.
fn describe_code(code: i32, judge: Judge) -> String {
    if code > 128 && code < 128 + 65 {
        return format!("{code} ({})", signal_name(code - 128));
    }
    if judge == Judge::Ltp {
        let bits: Vec<&str> = [(1, "TFAIL"), (2, "TBROK"), (4, "TWARN"), (32, "TCONF")]
            .iter()
            .filter(|(b, _)| code & b != 0)
            .map(|(_, n)| *n)
            .collect();
        if !bits.is_empty() && code < 64 {
            return format!("{code} ({})", bits.join("|"));
        }
    }
    match code {
        125 => "125 (sbx error)".into(),
        126 => "126 (cannot execute)".into(),
        127 => "127 (not found)".into(),
        _ => code.to_string(),
    }
}

fn describe_status(s: Status, judge: Judge) -> String {
    match s.code() {
        Some(c) => format!("exit status {}", describe_code(c, judge)),
        None => "timed out".into(),
    }
}

/// One line saying how the engine's run differs from the native one.
pub fn reason(native: &Output, out: &Output) -> String {
    let (want, got) = (native.status.code(), out.status.code());
    let status = || {
        format!(
            "exit status {} vs {}",
            got.map_or("?".into(), |c| describe_code(c, Judge::Differential)),
            want.map_or("?".into(), |c| c.to_string())
        )
    };
    let with_stderr = |mut s: String| {
        if let Some(line) = last_line(&out.stderr) {
            let _ = write!(s, ": {line}");
        }
        s
    };
    // A crash or an sbx error explains everything after it; say that first.
    if want != got && got.is_some_and(|c| c > 128 || (125..=127).contains(&c)) {
        return with_stderr(status());
    }
    if native.stdout != out.stdout {
        return first_difference(&native.stdout, &out.stdout);
    }
    with_stderr(status())
}

/// `line N: want "...", got "..."` for the first line where the outputs differ.
fn first_difference(want: &[u8], got: &[u8]) -> String {
    let want = String::from_utf8_lossy(want);
    let got = String::from_utf8_lossy(got);
    let mut w = want.split_inclusive('\n');
    let mut g = got.split_inclusive('\n');
    let mut n = 1;
    loop {
        match (w.next(), g.next()) {
            (Some(a), Some(b)) if a == b => n += 1,
            (None, None) => return "output differs".into(),
            (a, b) => {
                let show = |l: Option<&str>| match l {
                    None => "end of output".to_string(),
                    Some(l) if !l.ends_with('\n') => format!("{} (no newline)", quote(l)),
                    Some(l) => quote(l.trim_end_matches('\n')),
                };
                return format!("line {n}: want {}, got {}", show(a), show(b));
            }
        }
    }
}

/// `s` quoted with escapes, cut to [`QUOTE_CHARS`].
fn quote(s: &str) -> String {
    if s.chars().count() > QUOTE_CHARS {
        let cut: String = s.chars().take(QUOTE_CHARS).collect();
        format!("{cut:?}…")
    } else {
        format!("{s:?}")
    }
}

fn last_line(bytes: &[u8]) -> Option<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(|l| cut(l.trim()))
}

fn cut(s: &str) -> String {
    if s.chars().count() > 2 * QUOTE_CHARS {
        let c: String = s.chars().take(2 * QUOTE_CHARS).collect();
        format!("{c}…")
    } else {
        s.to_string()
    }
}

/// The first stdout-then-stderr line containing one of `markers`.
fn first_line_with(out: &Output, markers: &[&str]) -> Option<String> {
    [&out.stdout, &out.stderr].into_iter().find_map(|b| {
        String::from_utf8_lossy(b)
            .lines()
            .find(|l| markers.iter().any(|m| l.contains(m)))
            .map(|l| cut(l.trim()))
    })
}

/// A unified diff of native vs engine stdout, the two statuses, and the engine's stderr tail.
pub fn diff(engine: &str, native: &Output, out: &Output) -> String {
    let want = String::from_utf8_lossy(&native.stdout);
    let got = String::from_utf8_lossy(&out.stdout);
    let mut text = String::new();
    if want != got {
        let _ = write!(
            text,
            "{}",
            TextDiff::from_lines(&want, &got)
                .unified_diff()
                .context_radius(2)
                .missing_newline_hint(true)
                .header("native", engine)
        );
    }
    let code = |s: Status| {
        s.code()
            .map_or("timeout".into(), |c| describe_code(c, Judge::Differential))
    };
    let _ = writeln!(
        text,
        "exit status: native {}, {engine} {}",
        code(native.status),
        code(out.status)
    );
    push_tail(&mut text, &format!("{engine} stderr"), &out.stderr);
    text
}

/// The end of a run's stdout and stderr, for runs with nothing to compare against.
fn output_tail(who: &str, out: &Output) -> String {
    let mut text = String::new();
    push_tail(&mut text, &format!("{who} stdout"), &out.stdout);
    push_tail(&mut text, &format!("{who} stderr"), &out.stderr);
    text
}

fn push_tail(text: &mut String, title: &str, bytes: &[u8]) {
    let s = String::from_utf8_lossy(bytes);
    let lines: Vec<&str> = s.lines().collect();
    if lines.is_empty() {
        return;
    }
    let skip = lines.len().saturating_sub(TAIL_LINES);
    let _ = writeln!(text, "{title}:");
    if skip > 0 {
        let _ = writeln!(text, "  [... {skip} earlier lines]");
    }
    for l in &lines[skip..] {
        let _ = writeln!(text, "  {l}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn out(stdout: &str, status: Status) -> Output {
        Output {
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
            status,
            elapsed: Duration::from_millis(5),
        }
    }

    const NATIVE: &str = "open: ok\nread = 3\nclose(fd) = 0\n";

    #[test]
    fn identical_runs_pass() {
        let n = out(NATIVE, Status::Exited(0));
        let j = Judge::Differential.engine("kvm", &n, &n.clone());
        assert_eq!(j, Judgement::pass());
    }

    #[test]
    fn first_differing_line_is_the_reason() {
        let n = out(NATIVE, Status::Exited(0));
        let e = out(
            "open: ok\nread = 3\nFAIL c.c:9: close(fd) -> -1 ENOSYS\n",
            Status::Exited(1),
        );
        let j = Judge::Differential.engine("kvm", &n, &e);
        assert_eq!(j.verdict, Verdict::Fail);
        assert_eq!(
            j.reason.unwrap(),
            r#"line 3: want "close(fd) = 0", got "FAIL c.c:9: close(fd) -> -1 ENOSYS""#
        );
        let d = j.diff.unwrap();
        assert!(d.contains("--- native\n+++ kvm\n"), "{d}");
        assert!(d.contains("-close(fd) = 0\n+FAIL"), "{d}");
        assert!(d.contains("exit status: native 0, kvm 1\n"), "{d}");
    }

    #[test]
    fn a_crash_is_the_reason_even_when_output_differs() {
        let n = out(NATIVE, Status::Exited(0));
        let mut e = out("open: ok\n", Status::Exited(139));
        e.stderr = b"\n".to_vec();
        let j = Judge::Differential.engine("kvm", &n, &e);
        assert_eq!(j.reason.unwrap(), "exit status 139 (SIGSEGV) vs 0");
        let mut e = out("", Status::Exited(125));
        e.stderr = b"sbx: cannot start\n".to_vec();
        let j = Judge::Differential.engine("kvm", &n, &e);
        assert_eq!(
            j.reason.unwrap(),
            "exit status 125 (sbx error) vs 0: sbx: cannot start"
        );
        assert!(j
            .diff
            .unwrap()
            .contains("kvm stderr:\n  sbx: cannot start\n"));
    }

    #[test]
    fn missing_lines_and_status_only() {
        let n = out(NATIVE, Status::Exited(0));
        let e = out("open: ok\nread = 3\n", Status::Exited(0));
        assert_eq!(
            Judge::Differential.engine("kvm", &n, &e).reason.unwrap(),
            r#"line 3: want "close(fd) = 0", got end of output"#
        );
        let e = out(NATIVE, Status::Exited(1));
        assert_eq!(
            Judge::Differential.engine("kvm", &n, &e).reason.unwrap(),
            "exit status 1 vs 0"
        );
        let e = out("open: ok\nread = 3\nclose(fd) = 0", Status::Exited(0));
        assert_eq!(
            Judge::Differential.engine("kvm", &n, &e).reason.unwrap(),
            r#"line 3: want "close(fd) = 0", got "close(fd) = 0" (no newline)"#
        );
    }

    #[test]
    fn long_lines_are_cut() {
        let long = "x".repeat(200);
        let n = out(&format!("{long}\n"), Status::Exited(0));
        let e = out("y\n", Status::Exited(0));
        let r = Judge::Differential.engine("kvm", &n, &e).reason.unwrap();
        assert!(r.len() < 100 && r.contains('…'), "{r}");
    }

    #[test]
    fn timeouts() {
        let n = out(NATIVE, Status::Exited(0));
        let e = out("open: ok\n", Status::TimedOut);
        let j = Judge::Differential.engine("kvm", &n, &e);
        assert_eq!(j.verdict, Verdict::Timeout);
        let d = j.diff.unwrap();
        assert!(
            d.contains("-read = 3\n") && d.contains("kvm timeout"),
            "{d}"
        );
        let j = Judge::Differential.native(&out("", Status::TimedOut));
        assert_eq!(j.diff, None);
        let j = Judge::Differential.native(&e);
        assert_eq!(j.verdict, Verdict::Timeout);
        let b = Judge::Differential.without_native(&j);
        assert_eq!(b.verdict, Verdict::Broken);
        assert!(b.reason.unwrap().starts_with("broken natively: timed out"));
    }

    #[test]
    fn native_failure_names_the_fail_line() {
        let n = out("a: ok\nFAIL c.c:3: b: no\n", Status::Exited(1));
        let j = Judge::Differential.native(&n);
        assert_eq!(j.verdict, Verdict::Fail);
        assert_eq!(
            j.reason.unwrap(),
            "exit status 1 natively: FAIL c.c:3: b: no"
        );
    }

    #[test]
    fn ltp_exit_codes() {
        let pass = out("t TPASS\n", Status::Exited(0));
        let conf = out("t TCONF: no such feature\n", Status::Exited(32));
        let fail = out("t TFAIL: wrong\n", Status::Exited(1));
        let brok = out("", Status::Exited(2));
        let l = Judge::Ltp;
        assert_eq!(l.native(&pass).verdict, Verdict::Pass);
        assert_eq!(l.native(&conf).verdict, Verdict::Skip);
        assert_eq!(l.without_native(&l.native(&conf)).verdict, Verdict::Skip);
        assert_eq!(l.native(&fail).verdict, Verdict::Fail);
        assert_eq!(l.without_native(&l.native(&fail)).verdict, Verdict::Broken);
        assert_eq!(l.engine("kvm", &pass, &pass).verdict, Verdict::Pass);
        // Output is not compared for LTP: only the exit status counts.
        assert_eq!(
            l.engine("kvm", &pass, &out("other\n", Status::Exited(0)))
                .verdict,
            Verdict::Pass
        );
        let c = l.engine("kvm", &pass, &conf);
        assert_eq!(c.verdict, Verdict::Skip);
        assert_eq!(c.reason.unwrap(), "t TCONF: no such feature");
        let f = l.engine("kvm", &pass, &fail);
        assert_eq!(f.verdict, Verdict::Fail);
        assert_eq!(
            f.reason.unwrap(),
            "exit status 1 (TFAIL) vs 0: t TFAIL: wrong"
        );
        let b = l.engine("kvm", &pass, &brok);
        assert_eq!(b.reason.unwrap(), "exit status 2 (TBROK) vs 0");
        let s = l.engine("kvm", &pass, &out("", Status::Exited(139)));
        assert_eq!(s.reason.unwrap(), "exit status 139 (SIGSEGV) vs 0");
    }

    #[test]
    fn signal_names() {
        assert_eq!(signal_name(11), "SIGSEGV");
        assert_eq!(signal_name(31), "SIGSYS");
        assert_eq!(signal_name(40), "signal 40");
        assert_eq!(signal_name(0), "signal 0");
    }
}
