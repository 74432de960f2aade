//! `sbx conformance --ltp DIR`: the Linux Test Project's syscall tests through the same runner.
//!
//! `DIR/runtest/syscalls` lists the tests, one per line: `tag command args...` (`#` starts a
//! comment). The binaries live in `DIR/testcases/bin`, which goes first on `PATH`, natively and
//! in the guest (where DIR is mounted read-only at [`GUEST_LTP`]). Each test judges itself
//! through its exit status (see [`Judge::Ltp`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::case::Filter;
use crate::engine::{Invocation, Mount, GUEST_PATH};
use crate::error::{Error, Result};
use crate::judge::Judge;
use crate::suite::Job;
use crate::support::SupportTable;

/// Where the LTP directory is mounted in the guest.
pub const GUEST_LTP: &str = "/ltp";
/// The family every LTP row belongs to.
pub const FAMILY: &str = "ltp";

/// One line of a runtest file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LtpTest {
    /// The test's tag (`open01`).
    pub tag: String,
    /// The command line after the tag.
    pub command: String,
}

impl LtpTest {
    /// The argv to run: split on whitespace, or `/bin/sh -c LINE` when the line needs a shell.
    pub fn argv(&self) -> Vec<String> {
        const SHELL: &[char] = &[
            ';', '|', '&', '<', '>', '$', '`', '\'', '"', '(', ')', '*', '?', '\\', '[', '~',
        ];
        if self.command.contains(SHELL) {
            vec!["/bin/sh".into(), "-c".into(), self.command.clone()]
        } else {
            self.command.split_whitespace().map(str::to_owned).collect()
        }
    }
}

/// Parses a runtest file: `tag command args...` lines; blank lines and `#` comments skipped.
pub fn parse_runtest(text: &str) -> Vec<LtpTest> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            let (tag, command) = l.split_once(char::is_whitespace)?;
            let command = command.trim();
            (!command.is_empty()).then(|| LtpTest {
                tag: tag.to_string(),
                command: command.to_string(),
            })
        })
        .collect()
}

/// The syscall a tag is about, when its name says so: `open01` → `open`,
/// `epoll_create1_01` → `epoll_create1`.
pub fn syscall_of(tag: &str, support: &SupportTable) -> Option<String> {
    let base = tag
        .trim_end_matches(|c: char| c.is_ascii_digit())
        .trim_end_matches('_');
    support.get(base).map(|_| base.to_string())
}

/// One job per selected test of `dir`'s `runtest/syscalls`.
pub fn jobs(
    dir: &Path,
    filter: &Filter,
    timeout: Duration,
    support: &SupportTable,
) -> Result<Vec<Job>> {
    let dir = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let runtest = dir.join("runtest/syscalls");
    let text = std::fs::read_to_string(&runtest).map_err(|e| Error::io(&runtest, e))?;
    let bin = dir.join("testcases/bin");
    if !bin.is_dir() {
        return Err(Error::Usage(format!(
            "{} is not a directory: is {} an installed LTP?",
            bin.display(),
            dir.display()
        )));
    }
    Ok(parse_runtest(&text)
        .into_iter()
        .filter(|t| {
            let name = format!("{FAMILY}/{}", t.tag);
            filter.matches(&name, &name)
        })
        .map(|t| job(&dir, &bin, &t, timeout, support))
        .collect())
}

fn job(dir: &Path, bin: &Path, t: &LtpTest, timeout: Duration, support: &SupportTable) -> Job {
    let name = format!("{FAMILY}/{}", t.tag);
    let argv = t.argv();
    let path_with = |first: &Path| format!("{}:{GUEST_PATH}", first.display());
    let guest_bin = PathBuf::from(GUEST_LTP).join("testcases/bin");
    Job {
        id: name.clone(),
        name,
        family: FAMILY.into(),
        libc: None,
        syscalls: syscall_of(&t.tag, support).into_iter().collect(),
        timeout,
        build: None,
        invocation: Invocation {
            native: argv.clone(),
            guest: argv,
            native_env: vec![
                ("PATH".into(), path_with(bin)),
                ("LTPROOT".into(), dir.display().to_string()),
            ],
            guest_env: vec![
                ("PATH".into(), path_with(&guest_bin)),
                ("LTPROOT".into(), GUEST_LTP.into()),
            ],
            mounts: vec![Mount {
                host: dir.to_path_buf(),
                guest: GUEST_LTP.into(),
                read_only: true,
            }],
        },
        judge: Judge::Ltp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtest_lines() {
        let tests = parse_runtest(
            "# comment\n\nopen01 open01\n  open02\topen02 -i 2 \nabort01\nsh01 cd /tmp && true\n",
        );
        assert_eq!(tests.len(), 3);
        assert_eq!(tests[0].argv(), ["open01"]);
        assert_eq!(tests[1].tag, "open02");
        assert_eq!(tests[1].argv(), ["open02", "-i", "2"]);
        assert_eq!(tests[2].argv(), ["/bin/sh", "-c", "cd /tmp && true"]);
    }

    #[test]
    fn tags_name_syscalls() {
        let s = SupportTable::from_sbx();
        assert_eq!(syscall_of("open01", &s).as_deref(), Some("open"));
        assert_eq!(
            syscall_of("epoll_create1_01", &s).as_deref(),
            Some("epoll_create1")
        );
        assert_eq!(
            syscall_of("clock_gettime03", &s).as_deref(),
            Some("clock_gettime")
        );
        assert_eq!(syscall_of("abort01", &s), None);
    }

    #[test]
    fn jobs_put_testcases_bin_on_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("runtest")).unwrap();
        std::fs::create_dir_all(dir.path().join("testcases/bin")).unwrap();
        std::fs::write(
            dir.path().join("runtest/syscalls"),
            "read01 read01\nwrite01 write01 -x\n",
        )
        .unwrap();
        let s = SupportTable::from_sbx();
        let f = Filter::new(&["ltp/write*".into()]).unwrap();
        let jobs = jobs(dir.path(), &f, Duration::from_secs(5), &s).unwrap();
        assert_eq!(jobs.len(), 1);
        let j = &jobs[0];
        assert_eq!((j.id.as_str(), j.family.as_str()), ("ltp/write01", "ltp"));
        assert_eq!(j.syscalls, ["write"]);
        assert_eq!(j.invocation.guest, ["write01", "-x"]);
        let real = dir.path().canonicalize().unwrap();
        assert_eq!(
            j.invocation.native_env[0].1,
            format!("{}/testcases/bin:{GUEST_PATH}", real.display())
        );
        assert_eq!(
            j.invocation.guest_env[0].1,
            format!("/ltp/testcases/bin:{GUEST_PATH}")
        );
        assert_eq!(j.invocation.mounts[0].guest, "/ltp");
        assert!(super::jobs(&dir.path().join("nope"), &f, Duration::from_secs(1), &s).is_err());
    }
}
