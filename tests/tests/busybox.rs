//! Real programs no one here wrote: Debian's static busybox, `busybox APPLET args…`, natively and
//! under `sbx run --platform kvm`, byte for byte. Files come from host directories the tests
//! create (with fixed contents, modes and times) and mount into the guest with `-v`.

use std::ffi::CString;
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sbx_tests::{busybox, prepare, ready, Case};
use tempfile::TempDir;

/// A `busybox` case (with `applet` as first argument), or `None` after a skip.
fn applet(applet: &str) -> Option<Case> {
    let bb = busybox()?;
    Some(prepare(bb)?.arg(applet))
}

const WORDS: &str = "banana\napple\ncherry\nbanana split\ndate\nelderberry\nfig\ngrape\n\n\
                     kiwi\nlemon\nmango\nan apple a day\n";

/// 2021-03-04 05:06:07 UTC, and later times a day apart.
const T0: i64 = 1_614_834_367;

/// Sets the modification (and access) time of `path` without following symlinks.
fn set_mtime(path: &Path, secs: i64) {
    let c = CString::new(path.as_os_str().as_bytes()).unwrap();
    let t = libc::timespec {
        tv_sec: secs,
        tv_nsec: 0,
    };
    let times = [t, t];
    // SAFETY: `c` is a NUL-terminated path and `times` holds two timespecs, as utimensat wants.
    let r = unsafe {
        libc::utimensat(
            libc::AT_FDCWD,
            c.as_ptr(),
            times.as_ptr(),
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    assert_eq!(
        r,
        0,
        "utimensat {}: {}",
        path.display(),
        std::io::Error::last_os_error()
    );
}

fn write_file(path: &Path, contents: &[u8], mode: u32, mtime: i64) {
    fs::write(path, contents).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    set_mtime(path, mtime);
}

/// A directory tree with known contents, modes and times:
/// ```text
/// words.txt  nums.txt  big.bin (1 MiB)  empty  script.sh
/// sub/  a.txt  b.sh  empty  link -> a.txt  dir/  dir/inner.txt
/// ```
fn fixture() -> TempDir {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    write_file(&p.join("words.txt"), WORDS.as_bytes(), 0o644, T0);
    let nums: String = [42, 7, 1000, -3, 7, 15, 0, 99]
        .iter()
        .map(|n| format!("{n}\n"))
        .collect();
    write_file(&p.join("nums.txt"), nums.as_bytes(), 0o640, T0 + 86_400);
    let big: Vec<u8> = (0u32..1 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    write_file(&p.join("big.bin"), &big, 0o600, T0 + 2 * 86_400);
    write_file(&p.join("empty"), b"", 0o644, T0);
    write_file(&p.join("script.sh"), b"#!/bin/sh\necho hi\n", 0o755, T0);

    let sub = p.join("sub");
    fs::create_dir(&sub).unwrap();
    write_file(&sub.join("a.txt"), b"alpha\nbeta\n", 0o644, T0 + 3600);
    write_file(&sub.join("b.sh"), b"#!/bin/sh\nexit 0\n", 0o755, T0 + 7200);
    write_file(&sub.join("empty"), b"", 0o600, T0 + 10_800);
    std::os::unix::fs::symlink("a.txt", sub.join("link")).unwrap();
    set_mtime(&sub.join("link"), T0 + 14_400);
    let dir = sub.join("dir");
    fs::create_dir(&dir).unwrap();
    write_file(&dir.join("inner.txt"), b"inside\n", 0o644, T0 + 18_000);
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o750)).unwrap();
    set_mtime(&dir, T0 + 21_600);
    fs::set_permissions(&sub, fs::Permissions::from_mode(0o755)).unwrap();
    set_mtime(&sub, T0 + 25_200);
    fs::set_permissions(p, fs::Permissions::from_mode(0o755)).unwrap();
    set_mtime(p, T0 + 28_800);
    d
}

/// A busybox case with the fixture mounted read-only at /mnt/d and the working directory there.
fn in_fixture(name: &str) -> Option<(Case, TempDir)> {
    let case = applet(name)?;
    let d = fixture();
    Some((case.mount_ro(d.path(), "/mnt/d").workdir("/mnt/d"), d))
}

#[test]
fn echo() {
    let Some(case) = applet("echo") else { return };
    case.clone()
        .args(["hello", "two  words", "", "-n"])
        .assert_same();
    case.clone().args(["-n", "no newline"]).assert_same();
    case.args(["-e", "tab\\there\\nnewline \\x41"])
        .assert_same();
}

#[test]
fn cat() {
    let Some((case, _d)) = in_fixture("cat") else {
        return;
    };
    case.clone().arg("/mnt/d/words.txt").assert_same();
    case.clone()
        .args(["words.txt", "empty", "sub/a.txt"])
        .assert_same();
    case.clone().arg("big.bin").assert_same();
    case.clone().arg("missing").assert_same();
    case.stdin("from stdin\n").assert_same();
}

#[test]
fn ls_la() {
    let Some((case, _d)) = in_fixture("ls") else {
        return;
    };
    // `..` of /mnt/d/sub is the mount's root, whose metadata the test controls too.
    case.clone().args(["-la", "/mnt/d/sub"]).assert_same();
    case.clone().args(["-lan", "sub"]).assert_same();
    case.clone()
        .args(["-l", "--full-time", "sub/dir"])
        .assert_same();
    case.args(["-1", "/mnt/d"]).assert_same();
}

#[test]
fn wc() {
    let Some((case, _d)) = in_fixture("wc") else {
        return;
    };
    case.clone()
        .args(["words.txt", "nums.txt", "big.bin"])
        .assert_same();
    case.args(["-l"]).stdin(WORDS).assert_same();
}

#[test]
fn sort() {
    let Some((case, _d)) = in_fixture("sort") else {
        return;
    };
    case.clone().arg("words.txt").assert_same();
    case.clone().args(["-n", "-r", "nums.txt"]).assert_same();
    case.args(["-u", "-n", "-"])
        .stdin("3\n1\n3\n2\n")
        .assert_same();
}

#[test]
fn sha256sum() {
    let Some((case, _d)) = in_fixture("sha256sum") else {
        return;
    };
    case.clone()
        .args(["words.txt", "big.bin", "empty"])
        .assert_same();
    case.stdin(WORDS).assert_same();
}

#[test]
fn sed() {
    let Some((case, _d)) = in_fixture("sed") else {
        return;
    };
    case.clone()
        .args(["-e", "s/an/AN/g", "-e", "2d", "words.txt"])
        .assert_same();
    case.clone()
        .args(["-n", "/apple/p", "words.txt"])
        .assert_same();
    // sed -i writes a temporary file and renames it over the original: a writable mount.
    let Some(case) = applet("sed") else { return };
    let (native_dir, sbx_dir) = (fixture(), fixture());
    case.mount_each(native_dir.path(), sbx_dir.path(), "/mnt/rw")
        .args(["-i", "s/apple/APPLE/", "/mnt/rw/words.txt"])
        .assert_same();
    let native = fs::read_to_string(native_dir.path().join("words.txt")).unwrap();
    let sbx = fs::read_to_string(sbx_dir.path().join("words.txt")).unwrap();
    assert_eq!(native, sbx, "sed -i must leave the same file on the host");
    assert!(sbx.contains("APPLE"));
}

#[test]
fn grep() {
    let Some((case, _d)) = in_fixture("grep") else {
        return;
    };
    case.clone().args(["-n", "an", "words.txt"]).assert_same();
    case.clone()
        .args(["-c", "-i", "APPLE", "words.txt"])
        .assert_same();
    case.clone().args(["-r", "alpha", "."]).assert_same();
    // No match: exit status 1.
    let (native, _) = case.clone().args(["zzz", "words.txt"]).assert_same();
    assert_eq!(native.status.guest_code(), Some(1));
    // Missing file: exit status 2 and a message on stderr.
    case.args(["x", "missing"]).assert_same();
}

#[test]
fn find() {
    let Some((case, _d)) = in_fixture("find") else {
        return;
    };
    case.clone().arg(".").assert_same();
    case.clone()
        .args([".", "-name", "*.txt", "-type", "f"])
        .assert_same();
    case.args(["sub", "-type", "l"]).assert_same();
}

#[test]
fn head() {
    let Some((case, _d)) = in_fixture("head") else {
        return;
    };
    case.clone().args(["-n", "3", "words.txt"]).assert_same();
    case.clone().args(["-c", "100", "big.bin"]).assert_same();
    case.args(["-n", "2", "words.txt", "nums.txt"])
        .assert_same();
}

#[test]
fn tr() {
    let Some(case) = applet("tr") else { return };
    case.clone()
        .args(["a-z", "A-Z"])
        .stdin("hello world\n")
        .assert_same();
    case.args(["-d", "lo"]).stdin("hello world\n").assert_same();
}

#[test]
fn tar() {
    let Some(base) = applet("tar") else { return };
    let src = fixture();
    let (native_out, sbx_out) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let case = base.mount_ro(src.path(), "/mnt/src").mount_each(
        native_out.path(),
        sbx_out.path(),
        "/mnt/out",
    );

    case.clone()
        .args(["-cf", "/mnt/out/a.tar", "-C", "/mnt/src", "."])
        .assert_same();
    case.clone().args(["-tvf", "/mnt/out/a.tar"]).assert_same();
    for out in [&native_out, &sbx_out] {
        fs::create_dir(out.path().join("x")).unwrap();
    }
    case.clone()
        .args(["-xf", "/mnt/out/a.tar", "-C", "/mnt/out/x"])
        .assert_same();
    let native_tree = tree(&native_out.path().join("x"));
    let sbx_tree = tree(&sbx_out.path().join("x"));
    assert_eq!(
        native_tree.len(),
        tree(src.path()).len(),
        "native extraction is complete"
    );
    if native_tree != sbx_tree {
        let diff: Vec<String> = native_tree
            .iter()
            .zip(&sbx_tree)
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("  native {a}\n  sbx    {b}"))
            .collect();
        panic!(
            "the trees extracted natively and under sbx differ ({} vs {} entries):\n{}",
            native_tree.len(),
            sbx_tree.len(),
            diff.join("\n")
        );
    }
    // Listing the archive sbx wrote, natively, gives what listing the native archive gives.
    let native_listing = case.clone().args(["-tvf", "/mnt/out/a.tar"]).native();
    let sbx_archive_listing = Case::guest("/bin/busybox")
        .args(["tar", "-tvf"])
        .arg(sbx_out.path().join("a.tar").to_str().unwrap())
        .native();
    assert_eq!(
        native_listing.stdout_str(),
        sbx_archive_listing.stdout_str(),
        "tar -tv of the two archives"
    );
}

/// Every entry under `root`, sorted: relative path, type, mode, contents or link target, and the
/// mtime of regular files.
fn tree(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        let mut entries: Vec<PathBuf> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let meta = fs::symlink_metadata(&path).unwrap();
            let rel = path.strip_prefix(root).unwrap().display().to_string();
            let mtime = std::os::unix::fs::MetadataExt::mtime(&meta);
            let mode = meta.permissions().mode() & 0o7777;
            let what = if meta.file_type().is_symlink() {
                format!("symlink -> {}", fs::read_link(&path).unwrap().display())
            } else if meta.is_dir() {
                "dir".to_owned()
            } else {
                let data = fs::read(&path).unwrap();
                let sum = data
                    .iter()
                    .fold(0u64, |s, &b| s.wrapping_mul(131).wrapping_add(u64::from(b)));
                format!("file {} bytes, checksum {sum:x}", data.len())
            };
            // busybox tar restores the mtimes of files only: a directory's changes as entries are
            // extracted into it, and a symlink's is never set. Those are "now", so not compared.
            let (mode, mtime) = if meta.file_type().is_symlink() {
                (String::new(), String::new())
            } else if meta.is_dir() {
                (format!(" mode {mode:o}"), String::new())
            } else {
                (format!(" mode {mode:o}"), format!(" mtime {mtime}"))
            };
            out.push(format!("{rel}: {what}{mode}{mtime}"));
            if meta.is_dir() {
                walk(root, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn date_year() {
    let Some(case) = applet("date") else { return };
    case.arg("+%Y").assert_same();
}

#[test]
fn program_found_through_guest_path() {
    // No path: sbx looks `busybox` up in the guest's PATH, as execvp would.
    if busybox().is_none() || !ready() {
        return;
    }
    Case::guest("busybox")
        .args(["echo", "found via PATH"])
        .assert_same();
}

#[test]
fn read_only_mount_refuses_writes() {
    let Some(case) = applet("touch") else { return };
    let d = fixture();
    let t = case
        .mount_ro(d.path(), "/mnt/ro")
        .arg("/mnt/ro/new-file")
        .sbx();
    t.assert_no_panic();
    assert!(
        !d.path().join("new-file").exists(),
        "a :ro mount let the guest create a host file:\n{t}"
    );
    assert_eq!(
        t.status.guest_code(),
        Some(1),
        "touch on a read-only mount fails:\n{t}"
    );
    assert!(
        t.stderr_str().contains("Read-only file system"),
        "EROFS expected:\n{t}"
    );
}

#[test]
fn host_root_is_not_writable() {
    let Some(case) = applet("touch") else { return };
    // A directory of the host that the guest sees through its read-only root (not under /tmp,
    // which is the guest's own tmpfs).
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let target = dir.path().join("written-by-guest");
    let t = case.arg(target.to_str().unwrap()).sbx();
    t.assert_no_panic();
    assert!(
        !target.exists(),
        "the guest wrote through the read-only root onto the host:\n{t}"
    );
}
