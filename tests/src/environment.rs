//! What the tests need from the machine: KVM, the sbx binary, the compiled test programs, busybox.

use std::fmt;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::case::Case;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/programs.rs"));
}

/// The guest's default `PATH` (as Docker sets it).
pub const GUEST_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The whole environment a guest gets when no `-e` is given; native runs get the same.
pub const DEFAULT_ENV: [(&str, &str); 3] =
    [("PATH", GUEST_PATH), ("HOME", "/root"), ("TERM", "xterm")];

/// The C library a test program was linked with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Libc {
    Glibc,
    Musl,
}

impl fmt::Display for Libc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Libc::Glibc => "glibc",
            Libc::Musl => "musl",
        })
    }
}

/// True when running in CI (`CI=true`): missing prerequisites are failures there, not skips.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

fn current_test() -> String {
    std::thread::current()
        .name()
        .unwrap_or("<unnamed test>")
        .to_owned()
}

/// Reports a missing prerequisite: a loud SKIP line on stderr, or a panic when `CI=true`.
/// The caller returns from the test afterwards.
pub fn skip(reason: &str) {
    let test = current_test();
    if in_ci() {
        panic!("{test}: {reason}\n(CI=true, so a missing prerequisite is a failure, not a skip)");
    }
    // Straight to the stderr file descriptor: libtest captures `eprintln!` of passing tests, and
    // a skip must be seen. scripts/test.sh counts these lines.
    let line = format!(
        "\n!!!!!!!!!! SKIP {test}: {reason}\n\
         !!!!!!!!!! (this test did NOT run; with CI=true it would fail)\n\n"
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// Whether `/dev/kvm` can be opened read-write, and if not, why.
pub fn kvm_usable() -> Result<(), String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .map(drop)
        .map_err(|e| format!("/dev/kvm is not usable ({e})"))
}

/// True if KVM is usable; otherwise [`skip`]s (which panics under `CI=true`) and returns false.
pub fn require_kvm() -> bool {
    match kvm_usable() {
        Ok(()) => true,
        Err(why) => {
            skip(&why);
            false
        }
    }
}

/// The `sbx` binary under test: `$SBX_BIN` if set, else `target/<profile>/sbx` next to the test
/// executable (which lives in `target/<profile>/deps/`). Panics with a clear message if missing.
pub fn sbx_bin() -> PathBuf {
    let path = match std::env::var_os("SBX_BIN") {
        Some(p) => PathBuf::from(p),
        None => {
            let exe = std::env::current_exe().expect("current_exe");
            let mut dir = exe
                .parent()
                .expect("test executable has a directory")
                .to_path_buf();
            if dir.file_name().is_some_and(|n| n == "deps") {
                dir.pop();
            }
            dir.join("sbx")
        }
    };
    if !path.is_file() {
        panic!(
            "the sbx binary was not found at {}.\n\
             Build it first with `cargo build -p sbx-host` (scripts/test.sh builds the whole \
             workspace before testing), or point SBX_BIN at it.",
            path.display()
        );
    }
    path
}

/// The host path of test program `name` (a file `tests/programs/NAME.c`) built against `libc`.
/// `None` (after [`skip`]) if that libc's compiler was not installed at build time.
pub fn program(name: &str, libc: Libc) -> Option<PathBuf> {
    if libc == Libc::Musl && !generated::MUSL_BUILT {
        skip(
            "musl-gcc was not installed when sbx-tests was built \
             (apt-get install musl-tools, then `touch tests/build.rs`)",
        );
        return None;
    }
    let libc_name = libc.to_string();
    let found = generated::PROGRAMS
        .iter()
        .find(|(n, l, _)| *n == name && *l == libc_name);
    match found {
        Some((_, _, path)) => Some(PathBuf::from(path)),
        None => panic!("no test program {name}-{libc}: is there a tests/programs/{name}.c?"),
    }
}

/// `/bin/busybox`, checked to be the static build (Debian's busybox-static); `None` after [`skip`].
pub fn busybox() -> Option<PathBuf> {
    let path = Path::new("/bin/busybox");
    if !path.is_file() {
        skip("/bin/busybox is missing (apt-get install busybox-static)");
        return None;
    }
    match crate::elf::is_static_x86_64(path) {
        Ok(true) => Some(path.to_path_buf()),
        Ok(false) => {
            skip("/bin/busybox is not a static x86-64 binary (apt-get install busybox-static)");
            None
        }
        Err(e) => {
            skip(&format!("cannot read /bin/busybox: {e}"));
            None
        }
    }
}

/// Whether a test that runs sbx can go on: false (after [`skip`]) without KVM; panics if the sbx
/// binary has not been built.
pub fn ready() -> bool {
    if !require_kvm() {
        return false;
    }
    sbx_bin();
    true
}

/// The usual start of a test: [`ready`], then a [`Case`] for the host program at `path`.
pub fn prepare(path: impl AsRef<Path>) -> Option<Case> {
    ready().then(|| Case::new(path))
}

/// [`prepare`] for one of the compiled test programs.
pub fn prepare_program(name: &str, libc: Libc) -> Option<Case> {
    if !ready() {
        return None;
    }
    program(name, libc).map(Case::new)
}
