//! Static builds of cases, cached: a binary is rebuilt only when the compiler, its flags, the
//! case's source or the harness changed (a content hash, so a fresh checkout with new mtimes
//! still hits the cache).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::case::Libc;
use crate::error::{Error, Result};

/// The flags every case is built with (besides `-o` and `-I`).
pub const CFLAGS: &[&str] = &["-static", "-O1", "-Wall", "-pthread"];
/// Libraries linked after the source.
pub const LIBS: &[&str] = &["-lm"];

/// Whether `program` is an executable found on `PATH`.
pub fn in_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|dir| {
            let p = dir.join(program);
            std::fs::metadata(&p).is_ok_and(|m| m.is_file())
        })
    })
}

/// The libcs whose compiler is installed: glibc (gcc) always expected, musl when `musl-gcc`
/// exists.
pub fn available_libcs() -> Vec<Libc> {
    Libc::ALL
        .into_iter()
        .filter(|l| in_path(l.compiler()))
        .collect()
}

/// One static build: `source` (which includes files from `include_dir`) into `output`.
#[derive(Clone, Debug)]
pub struct Build {
    /// The case's source.
    pub source: PathBuf,
    /// Passed as `-I`; the harness lives here.
    pub include_dir: PathBuf,
    /// Files the source includes whose changes must trigger a rebuild (the harness).
    pub deps: Vec<PathBuf>,
    /// The libc (and so the compiler).
    pub libc: Libc,
    /// Where the binary goes.
    pub output: PathBuf,
}

/// What [`Build::ensure`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Built {
    /// The cached binary was up to date.
    Cached,
    /// The compiler ran and succeeded.
    Compiled,
    /// The compiler failed; its output.
    Failed(String),
}

impl Build {
    /// The cache key: a hash of the command and every input file's bytes.
    pub fn key(&self) -> Result<String> {
        let mut h = Fnv::new();
        h.write(self.libc.compiler().as_bytes());
        h.write(self.include_dir.as_os_str().as_encoded_bytes());
        for f in CFLAGS.iter().chain(LIBS) {
            h.write(f.as_bytes());
        }
        for p in std::iter::once(&self.source).chain(&self.deps) {
            let bytes = std::fs::read(p).map_err(|e| Error::io(p, e))?;
            h.write(&(bytes.len() as u64).to_le_bytes());
            h.write(&bytes);
        }
        Ok(format!("{:016x}", h.finish()))
    }

    fn key_file(&self) -> PathBuf {
        let mut name = self.output.clone().into_os_string();
        name.push(".key");
        PathBuf::from(name)
    }

    /// Builds the binary unless the cached one matches the key. The binary is written under a
    /// temporary name and renamed, so a concurrent reader never sees half a file.
    pub fn ensure(&self) -> Result<Built> {
        let key = self.key()?;
        let key_file = self.key_file();
        if self.output.is_file() && std::fs::read_to_string(&key_file).is_ok_and(|k| k == key) {
            return Ok(Built::Cached);
        }
        let dir = self.output.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut tmp = self.output.clone().into_os_string();
        tmp.push(format!(".tmp{}", std::process::id()));
        let tmp = PathBuf::from(tmp);
        let mut prefix_map = std::ffi::OsString::from("-fmacro-prefix-map=");
        prefix_map.push(self.include_dir.as_os_str());
        prefix_map.push("/=");
        let out = Command::new(self.libc.compiler())
            .args(CFLAGS)
            .arg("-I")
            .arg(&self.include_dir)
            // `__FILE__` in FAIL lines reads `fs/open.c`, not a path of this machine.
            .arg(prefix_map)
            .arg("-o")
            .arg(&tmp)
            .arg(&self.source)
            .args(LIBS)
            .stdin(Stdio::null())
            .output();
        let out = match out {
            Ok(o) => o,
            Err(e) => {
                return Ok(Built::Failed(format!(
                    "cannot run {}: {e}",
                    self.libc.compiler()
                )))
            }
        };
        if !out.status.success() {
            let _ = std::fs::remove_file(&tmp);
            let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
            text.push_str(&String::from_utf8_lossy(&out.stderr));
            return Ok(Built::Failed(text));
        }
        std::fs::rename(&tmp, &self.output).map_err(|e| Error::io(&self.output, e))?;
        let mut f = std::fs::File::create(&key_file).map_err(|e| Error::io(&key_file, e))?;
        f.write_all(key.as_bytes())
            .map_err(|e| Error::io(&key_file, e))?;
        Ok(Built::Compiled)
    }
}

/// FNV-1a, 64-bit: stable across Rust versions (unlike `DefaultHasher`), enough for a cache key.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") hash differently.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_once_then_caches_until_an_input_changes() {
        let dir = tempfile::tempdir().unwrap();
        let src = dir.path().join("c.c");
        let hdr = dir.path().join("h.h");
        std::fs::write(&hdr, "#define V 3\n").unwrap();
        std::fs::write(&src, "#include \"h.h\"\nint main(void) { return V; }\n").unwrap();
        let b = Build {
            source: src.clone(),
            include_dir: dir.path().to_path_buf(),
            deps: vec![hdr.clone()],
            libc: Libc::Glibc,
            output: dir.path().join("out/c"),
        };
        assert_eq!(b.ensure().unwrap(), Built::Compiled);
        let status = Command::new(&b.output).status().unwrap();
        assert_eq!(status.code(), Some(3));
        assert_eq!(b.ensure().unwrap(), Built::Cached);
        std::fs::write(&hdr, "#define V 4\n").unwrap();
        assert_eq!(b.ensure().unwrap(), Built::Compiled);
        assert_eq!(Command::new(&b.output).status().unwrap().code(), Some(4));
        std::fs::write(&src, "int main(void) { return nope; }\n").unwrap();
        match b.ensure().unwrap() {
            Built::Failed(text) => assert!(text.contains("nope"), "{text}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn fnv_separates_fields() {
        let mut a = Fnv::new();
        a.write(b"ab");
        a.write(b"c");
        let mut b = Fnv::new();
        b.write(b"a");
        b.write(b"bc");
        assert_ne!(a.finish(), b.finish());
    }
}
