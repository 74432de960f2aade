//! Each syscall's support level, from the live syscall table (the same source as
//! docs/syscalls.md), so reports can show a case's results next to what sbx claims.

use std::collections::BTreeMap;

use sbx_kernel::syscall::Support;
use serde::Serialize;

/// How much of a syscall sbx implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// As Linux documents it.
    Full,
    /// With noted gaps.
    Partial,
    /// `ENOSYS`.
    Unimplemented,
    /// Not an x86-64 syscall name (a header typo, or a libc function name).
    Unknown,
}

impl Level {
    /// The lowercase word.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Full => "full",
            Level::Partial => "partial",
            Level::Unimplemented => "unimplemented",
            Level::Unknown => "unknown",
        }
    }
}

/// One syscall's level and note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyscallSupport {
    /// The syscall number.
    pub nr: u32,
    /// The level.
    pub level: Level,
    /// What differs from Linux, or why it is missing ("" for full support).
    pub note: String,
}

/// Name → support, for every x86-64 syscall.
#[derive(Clone, Debug, Default)]
pub struct SupportTable(BTreeMap<String, SyscallSupport>);

impl SupportTable {
    /// The table sbx dispatches through.
    pub fn from_sbx() -> SupportTable {
        let table = sbx_syscalls::build_table();
        SupportTable(
            table
                .entries()
                .map(|e| {
                    let (level, note) = match e.support {
                        Support::Full => (Level::Full, ""),
                        Support::Partial(n) => (Level::Partial, n),
                        Support::Unimplemented(n) => (Level::Unimplemented, n),
                    };
                    (
                        e.name.to_string(),
                        SyscallSupport {
                            nr: e.nr,
                            level,
                            note: note.to_string(),
                        },
                    )
                })
                .collect(),
        )
    }

    /// A table from explicit entries (for tests).
    pub fn from_entries(entries: impl IntoIterator<Item = (String, SyscallSupport)>) -> Self {
        SupportTable(entries.into_iter().collect())
    }

    /// The support of `name`, if it is a syscall.
    pub fn get(&self, name: &str) -> Option<&SyscallSupport> {
        self.0.get(name)
    }

    /// The level of `name` ([`Level::Unknown`] when it is not a syscall).
    pub fn level(&self, name: &str) -> Level {
        self.get(name).map_or(Level::Unknown, |s| s.level)
    }

    /// Every syscall, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SyscallSupport)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbx_table_has_every_syscall() {
        let t = SupportTable::from_sbx();
        assert_eq!(t.get("read").unwrap().nr, 0);
        assert_ne!(t.level("read"), Level::Unknown);
        assert_eq!(t.level("printf"), Level::Unknown);
        assert!(t.iter().count() > 300);
    }
}
