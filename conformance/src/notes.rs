//! `conformance/notes.json`: hand-written reasons that replace the derived one-line reason of a
//! known failure (`{"fs/open": "O_TMPFILE is not implemented"}`; a key may name one row,
//! `fs/open@musl`, or be `fs/open@musl:kvm` for one engine).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::judge::Verdict;
use crate::suite::{Row, NATIVE};

/// The notes, by key.
#[derive(Clone, Debug, Default)]
pub struct Notes(BTreeMap<String, String>);

impl Notes {
    /// Reads `path`; a missing file is no notes.
    pub fn load(path: &Path) -> Result<Notes> {
        match std::fs::read(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Notes::default()),
            Err(e) => Err(Error::io(path, e)),
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Notes)
                .map_err(|source| Error::Json {
                    path: path.to_path_buf(),
                    source,
                }),
        }
    }

    /// Notes from pairs (for tests).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Notes {
        Notes(
            pairs
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    /// The note for `row` under engine `engine`, most specific key first.
    pub fn get(&self, row: &Row, engine: &str) -> Option<&str> {
        [
            format!("{}:{engine}", row.id),
            row.id.clone(),
            row.name.clone(),
        ]
        .iter()
        .find_map(|k| self.0.get(k))
        .map(String::as_str)
    }

    /// Replaces the reason of every failed or timed-out engine run that has a note.
    pub fn apply(&self, rows: &mut [Row]) {
        if self.0.is_empty() {
            return;
        }
        for row in rows {
            let engines: Vec<String> = row
                .results
                .iter()
                .filter(|(k, v)| *k != NATIVE && matches!(v, Verdict::Fail | Verdict::Timeout))
                .map(|(k, _)| k.clone())
                .collect();
            for engine in engines {
                if let Some(note) = self.get(row, &engine) {
                    let note = note.to_string();
                    row.reason.insert(engine, note);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn row() -> Row {
        let results = [
            (NATIVE.to_string(), Verdict::Pass),
            ("kvm".to_string(), Verdict::Fail),
            ("bt".to_string(), Verdict::Skip),
        ];
        let reason = [
            ("kvm".to_string(), "derived".to_string()),
            ("bt".to_string(), "engine not available".to_string()),
        ];
        Row {
            id: "fs/open@musl".into(),
            name: "fs/open".into(),
            family: "fs".into(),
            libc: None,
            syscalls: vec![],
            results: results.into_iter().collect(),
            reason: reason.into_iter().collect(),
            diff: BTreeMap::new(),
            time_ms: BTreeMap::new(),
        }
    }

    #[test]
    fn most_specific_note_wins_and_only_failures_change() {
        let mut rows = [row()];
        Notes::from_pairs([("fs/open", "by name"), ("fs/open@glibc", "other libc")])
            .apply(&mut rows);
        assert_eq!(rows[0].reason["kvm"], "by name");
        assert_eq!(rows[0].reason["bt"], "engine not available");
        let mut rows = [row()];
        Notes::from_pairs([("fs/open", "by name"), ("fs/open@musl:kvm", "exact")]).apply(&mut rows);
        assert_eq!(rows[0].reason["kvm"], "exact");
    }

    #[test]
    fn load() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notes.json");
        assert!(Notes::load(&p).unwrap().0.is_empty());
        std::fs::write(&p, r#"{"fs/open": "known"}"#).unwrap();
        assert_eq!(Notes::load(&p).unwrap().0["fs/open"], "known");
        std::fs::write(&p, "[1]").unwrap();
        assert!(matches!(Notes::load(&p), Err(Error::Json { .. })));
    }
}
