//! Case discovery (`cases/<family>/<name>.c`) and the `// key: value` header each case starts with.
//!
//! ```c
//! // syscalls: openat, close        (required: what the case exercises)
//! // libc: musl                     (optional: build only against this libc)
//! // timeout: 60                    (optional: seconds per run, default 30)
//! ```

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The longest per-run timeout a header may ask for.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(600);

/// A C library a case is linked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Libc {
    /// GNU libc, `gcc -static`.
    Glibc,
    /// musl, `musl-gcc -static`.
    Musl,
}

impl Libc {
    /// Both, in report order.
    pub const ALL: [Libc; 2] = [Libc::Glibc, Libc::Musl];

    /// The lowercase name used in ids and paths.
    pub fn as_str(self) -> &'static str {
        match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        }
    }

    /// The compiler driver that builds static binaries against this libc.
    pub fn compiler(self) -> &'static str {
        match self {
            Libc::Glibc => "gcc",
            Libc::Musl => "musl-gcc",
        }
    }

    /// Parses `glibc` or `musl`.
    pub fn parse(s: &str) -> Option<Libc> {
        match s {
            "glibc" => Some(Libc::Glibc),
            "musl" => Some(Libc::Musl),
            _ => None,
        }
    }
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A case's parsed header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Header {
    /// The syscalls the case exercises, in header order.
    pub syscalls: Vec<String>,
    /// Build only against this libc (both when `None`).
    pub libc: Option<Libc>,
    /// Per-run timeout (the suite default when `None`).
    pub timeout: Option<Duration>,
}

impl Header {
    /// Parses the header: the `// key: value` lines among the comment lines and blank lines the
    /// file starts with. Other comments are free text; the first code line ends the header.
    pub fn parse(text: &str) -> Result<Header, String> {
        let mut header = Header::default();
        let mut seen_syscalls = false;
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let Some(comment) = line.strip_prefix("//") else {
                break;
            };
            let Some((key, value)) = comment.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim(), value.trim());
            match key {
                "syscalls" => {
                    if seen_syscalls {
                        return Err("`// syscalls:` appears twice".into());
                    }
                    seen_syscalls = true;
                    header.syscalls = parse_syscalls(value)?;
                }
                "libc" => {
                    if header.libc.is_some() {
                        return Err("`// libc:` appears twice".into());
                    }
                    header.libc =
                        Some(Libc::parse(value).ok_or_else(|| {
                            format!("`// libc: {value}`: expected glibc or musl")
                        })?);
                }
                "timeout" => {
                    if header.timeout.is_some() {
                        return Err("`// timeout:` appears twice".into());
                    }
                    header.timeout = Some(parse_timeout(value)?);
                }
                // Free text such as "// Note: ..." is not a header key.
                _ => {}
            }
        }
        if !seen_syscalls {
            return Err("missing `// syscalls: name, ...` header line".into());
        }
        Ok(header)
    }
}

fn parse_syscalls(value: &str) -> Result<Vec<String>, String> {
    let mut names = Vec::new();
    for name in value.split(',').map(str::trim) {
        if name.is_empty() {
            return Err(format!("`// syscalls: {value}`: empty name"));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(format!("`// syscalls:`: {name:?} is not a syscall name"));
        }
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    Ok(names)
}

fn parse_timeout(value: &str) -> Result<Duration, String> {
    let secs: u64 = value
        .parse()
        .map_err(|_| format!("`// timeout: {value}`: expected whole seconds"))?;
    let t = Duration::from_secs(secs);
    if secs == 0 || t > MAX_TIMEOUT {
        return Err(format!(
            "`// timeout: {value}`: must be 1..={}",
            MAX_TIMEOUT.as_secs()
        ));
    }
    Ok(t)
}

/// One case: a C source file and its header.
#[derive(Clone, Debug)]
pub struct Case {
    /// The directory it lives in (`fs`, `proc`, ...).
    pub family: String,
    /// The file name without `.c`.
    pub name: String,
    /// The source file.
    pub source: PathBuf,
    /// Its header.
    pub header: Header,
}

impl Case {
    /// `family/name`, the case's name in reports and in `notes.json`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.family, self.name)
    }

    /// `family/name@libc`, one result row's id (the unit of `baseline.json`).
    pub fn id(&self, libc: Libc) -> String {
        format!("{}/{}@{libc}", self.family, self.name)
    }

    /// The libcs this case is built against, of those `available`.
    pub fn libcs(&self, available: &[Libc]) -> Vec<Libc> {
        available
            .iter()
            .copied()
            .filter(|l| self.header.libc.is_none_or(|only| only == *l))
            .collect()
    }
}

fn valid_component(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// Finds every `dir/<family>/<name>.c`, sorted by family then name, with parsed headers.
/// Every malformed header is reported at once, so one run shows all of them.
pub fn discover(dir: &Path) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    let mut problems = Vec::new();
    for family_dir in sorted_entries(dir)? {
        if !family_dir.is_dir() {
            continue;
        }
        let Some(family) = file_name(&family_dir) else {
            continue;
        };
        for source in sorted_entries(&family_dir)? {
            if source.extension().is_none_or(|e| e != "c") || !source.is_file() {
                continue;
            }
            let Some(name) = source
                .file_stem()
                .and_then(|s| s.to_str())
                .map(str::to_owned)
            else {
                continue;
            };
            if !valid_component(&family) || !valid_component(&name) {
                problems.push(format!(
                    "{}: case paths use only letters, digits, '_', '-' and '.'",
                    source.display()
                ));
                continue;
            }
            let text = std::fs::read_to_string(&source).map_err(|e| Error::io(&source, e))?;
            match Header::parse(&text) {
                Ok(header) => cases.push(Case {
                    family: family.clone(),
                    name,
                    source,
                    header,
                }),
                Err(message) => problems.push(format!("{}: {message}", source.display())),
            }
        }
    }
    if !problems.is_empty() {
        return Err(Error::Header {
            path: dir.to_path_buf(),
            message: format!("bad cases:\n  {}", problems.join("\n  ")),
        });
    }
    Ok(cases)
}

fn file_name(p: &Path) -> Option<String> {
    p.file_name().and_then(|s| s.to_str()).map(str::to_owned)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

/// `--filter` globs, matched against a row's name (`fs/open`) and id (`fs/open@musl`).
#[derive(Debug)]
pub struct Filter {
    set: Option<GlobSet>,
}

impl Filter {
    /// A filter from globs; no globs matches everything. A glob without `/` matches a whole
    /// family too (`fs` = `fs/*`), which is what one usually means.
    pub fn new(globs: &[String]) -> Result<Filter> {
        if globs.is_empty() {
            return Ok(Filter { set: None });
        }
        let mut b = GlobSetBuilder::new();
        for g in globs {
            b.add(Glob::new(g)?);
            if !g.contains('/') {
                b.add(Glob::new(&format!("{g}/*"))?);
            }
        }
        Ok(Filter {
            set: Some(b.build()?),
        })
    }

    /// Whether the row named `name` with id `id` is selected.
    pub fn matches(&self, name: &str, id: &str) -> bool {
        self.set
            .as_ref()
            .is_none_or(|s| s.is_match(name) || s.is_match(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_with_all_keys() {
        let h = Header::parse(
            "// syscalls: openat, close ,read\n// Checks reads.\n// libc: musl\n// timeout: 60\n\
             #include \"../harness.h\"\n// syscalls: ignored after code\n",
        )
        .unwrap();
        assert_eq!(h.syscalls, ["openat", "close", "read"]);
        assert_eq!(h.libc, Some(Libc::Musl));
        assert_eq!(h.timeout, Some(Duration::from_secs(60)));
    }

    #[test]
    fn header_defaults_and_free_text() {
        let h = Header::parse("\n// A note: not a key.\n\n// syscalls: getpid\nint x;\n").unwrap();
        assert_eq!(h.syscalls, ["getpid"]);
        assert_eq!(h.libc, None);
        assert_eq!(h.timeout, None);
    }

    #[test]
    fn header_errors() {
        let err = |t: &str| Header::parse(t).unwrap_err();
        assert!(err("int main;\n// syscalls: read\n").contains("missing"));
        assert!(err("// syscalls: read,\n").contains("empty name"));
        assert!(err("// syscalls: Read\n").contains("not a syscall name"));
        assert!(err("// syscalls: read\n// syscalls: write\n").contains("twice"));
        assert!(err("// syscalls: read\n// libc: uclibc\n").contains("glibc or musl"));
        assert!(err("// syscalls: read\n// timeout: 0\n").contains("1..="));
        assert!(err("// syscalls: read\n// timeout: 5s\n").contains("whole seconds"));
        assert!(err("// syscalls: read\n// timeout: 601\n").contains("1..="));
    }

    #[test]
    fn duplicate_syscalls_are_merged() {
        let h = Header::parse("// syscalls: read, read, write\n").unwrap();
        assert_eq!(h.syscalls, ["read", "write"]);
    }

    #[test]
    fn discover_sorts_and_reports_every_bad_header() {
        let dir = tempfile::tempdir().unwrap();
        let write = |rel: &str, text: &str| {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        };
        write("harness.h", "");
        write("zz/b.c", "// syscalls: read\n");
        write("aa/z.c", "// syscalls: write\n// libc: glibc\n");
        write("aa/a.c", "// syscalls: close\n");
        write("aa/notes.txt", "");
        let cases = discover(dir.path()).unwrap();
        let names: Vec<String> = cases.iter().map(Case::full_name).collect();
        assert_eq!(names, ["aa/a", "aa/z", "zz/b"]);
        assert_eq!(cases[1].libcs(&Libc::ALL), [Libc::Glibc]);
        assert_eq!(cases[0].libcs(&Libc::ALL), Libc::ALL);
        assert_eq!(cases[0].id(Libc::Musl), "aa/a@musl");

        write("aa/bad1.c", "int main;\n");
        write("zz/bad2.c", "// syscalls: ,\n");
        let msg = discover(dir.path()).unwrap_err().to_string();
        assert!(msg.contains("bad1.c") && msg.contains("bad2.c"), "{msg}");
    }

    #[test]
    fn filter_globs() {
        let all = Filter::new(&[]).unwrap();
        assert!(all.matches("fs/open", "fs/open@glibc"));
        let f = Filter::new(&["fs".into(), "proc/wait*@musl".into()]).unwrap();
        assert!(f.matches("fs/open", "fs/open@glibc"));
        assert!(!f.matches("proc/fork", "proc/fork@glibc"));
        assert!(f.matches("proc/waitpid", "proc/waitpid@musl"));
        assert!(!f.matches("proc/waitpid", "proc/waitpid@glibc"));
        assert!(Filter::new(&["[".into()]).is_err());
    }
}
