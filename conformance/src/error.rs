//! The suite's error type.

use std::path::PathBuf;

/// Why the suite could not run (a failing case is a result, never an error).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A case's `// key: value` header is missing or malformed.
    #[error("{}: {message}", path.display())]
    Header {
        /// The case's source file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A JSON file (baseline, notes) is malformed.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A `--filter` pattern is not a valid glob.
    #[error("bad --filter pattern: {0}")]
    Glob(#[from] globset::Error),
    /// A command-line value makes no sense.
    #[error("{0}")]
    Usage(String),
    /// An engine that was asked for cannot run here, and `CI=true` makes that fatal.
    #[error("engine {engine} is not usable: {why} (CI=true, so this is a failure, not a skip)")]
    EngineUnavailable {
        /// The engine's name.
        engine: String,
        /// Why it cannot run.
        why: String,
    },
}

impl Error {
    /// An [`Error::Io`] for `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The suite's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
