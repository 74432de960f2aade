//! Bad input: programs that cannot be run, and hostile syscall arguments. sbx answers with the
//! documented exit status (127 not found, 126 cannot execute) and a one-line reason on stderr,
//! or with the Linux errno; it never panics.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use sbx_tests::elf::{self, EM_386, EM_AARCH64, EM_ARM, EM_X86_64, ET_EXEC, ET_REL};
use sbx_tests::{prepare_program, program, ready, Case, Libc, Status, Transcript};
use tempfile::TempDir;

/// Where the bad files are mounted in the guest.
const BAD: &str = "/mnt/bad";

/// Writes `contents` as `name` (with `mode`) into a fresh directory.
fn bad_file(name: &str, contents: &[u8], mode: u32) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    fs::write(&path, contents).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
    dir
}

/// Runs `sbx run` on `program` (a guest path), with `dir` mounted read-only at /mnt/bad if given,
/// and checks what every refusal must look like: the expected status, nothing on stdout, a reason
/// on stderr, no panic. Returns the transcript (None after a skip).
fn refused(program: &str, dir: Option<&TempDir>, expected: i32) -> Option<Transcript> {
    if !ready() {
        return None;
    }
    let mut case = Case::guest(program);
    if let Some(dir) = dir {
        case = case.mount_ro(dir.path(), BAD);
    }
    let t = case.sbx();
    t.assert_no_panic();
    assert_eq!(
        t.status.guest_code(),
        Some(expected),
        "sbx run {program}: expected status {expected}:\n{t}"
    );
    assert!(
        matches!(t.status, Status::Exited(_)),
        "sbx itself must exit, not die:\n{t}"
    );
    assert!(
        t.stdout.is_empty(),
        "nothing may reach stdout when the program cannot run:\n{t}"
    );
    assert!(
        !t.stderr_str().trim().is_empty(),
        "sbx must say why it cannot run {program}:\n{t}"
    );
    assert!(
        t.stderr_str().lines().count() <= 3,
        "a short reason, not a wall of text:\n{t}"
    );
    Some(t)
}

fn stderr_mentions(t: &Transcript, any_of: &[&str]) {
    let err = t.stderr_str().to_lowercase();
    assert!(
        any_of.iter().any(|w| err.contains(w)),
        "stderr should mention one of {any_of:?}:\n{t}"
    );
}

#[test]
fn missing_program_is_127() {
    if let Some(t) = refused("/nonexistent/program", None, 127) {
        stderr_mentions(&t, &["not found", "no such file"]);
    }
}

#[test]
fn program_not_in_path_is_127() {
    if let Some(t) = refused("sbx-no-such-program-anywhere", None, 127) {
        stderr_mentions(&t, &["not found", "no such file"]);
    }
}

#[test]
fn directory_is_126() {
    refused("/usr", None, 126);
}

#[test]
fn text_file_without_shebang_is_126() {
    let dir = bad_file("notes.txt", b"this is not a program\njust text\n", 0o755);
    refused(&format!("{BAD}/notes.txt"), Some(&dir), 126);
}

#[test]
fn empty_file_is_126() {
    let dir = bad_file("empty", b"", 0o755);
    refused(&format!("{BAD}/empty"), Some(&dir), 126);
}

#[test]
fn elf32_i386_is_126() {
    let dir = bad_file("i386", &elf::elf32(EM_386, elf::I386_EXIT0), 0o755);
    if let Some(t) = refused(&format!("{BAD}/i386"), Some(&dir), 126) {
        stderr_mentions(&t, &["32-bit"]);
    }
}

#[test]
fn elf32_arm_is_126() {
    let dir = bad_file("arm", &elf::elf32(EM_ARM, elf::ARM_EXIT0), 0o755);
    refused(&format!("{BAD}/arm"), Some(&dir), 126);
}

#[test]
fn elf64_aarch64_is_126() {
    let dir = bad_file(
        "aarch64",
        &elf::elf64(EM_AARCH64, ET_EXEC, elf::AARCH64_EXIT0),
        0o755,
    );
    if let Some(t) = refused(&format!("{BAD}/aarch64"), Some(&dir), 126) {
        stderr_mentions(
            &t,
            &[
                "aarch64",
                "arm",
                "architecture",
                "machine",
                "x86-64",
                "x86_64",
            ],
        );
    }
}

#[test]
fn elf64_relocatable_object_is_126() {
    let dir = bad_file("object.o", &elf::elf64(EM_X86_64, ET_REL, &[]), 0o755);
    refused(&format!("{BAD}/object.o"), Some(&dir), 126);
}

#[test]
fn truncated_static_binaries_are_126() {
    let Some(hello) = program("hello", Libc::Glibc) else {
        return;
    };
    let full = fs::read(&hello).unwrap();
    for len in [100, 2000] {
        let dir = bad_file("truncated", &full[..len], 0o755);
        refused(&format!("{BAD}/truncated"), Some(&dir), 126);
    }
}

#[test]
fn non_executable_file_is_126() {
    let Some(hello) = program("hello", Libc::Glibc) else {
        return;
    };
    let dir = bad_file("hello-0644", &fs::read(&hello).unwrap(), 0o644);
    refused(&format!("{BAD}/hello-0644"), Some(&dir), 126);
    // The same bytes with the execute bit run fine: the refusal was about the mode.
    let dir = bad_file("hello-0755", &fs::read(&hello).unwrap(), 0o755);
    Case::guest(&format!("{BAD}/hello-0755"))
        .mount_ro(dir.path(), BAD)
        .assert_same();
}

#[test]
fn files_used_here_exist() {
    // Sanity of the fixtures themselves, without sbx or KVM.
    assert!(Path::new("/usr").is_dir());
    assert!(elf::elf64(EM_AARCH64, ET_EXEC, elf::AARCH64_EXIT0).starts_with(b"\x7fELF\x02"));
    assert!(elf::elf32(EM_386, elf::I386_EXIT0).starts_with(b"\x7fELF\x01"));
}

/// Hostile syscall arguments (wild pointers, huge lengths): Linux's errno, natively and under sbx.
mod efault {
    use super::*;

    #[test]
    fn glibc() {
        if let Some(case) = prepare_program("efault", Libc::Glibc) {
            case.assert_same();
        }
    }

    #[test]
    fn musl() {
        if let Some(case) = prepare_program("efault", Libc::Musl) {
            case.assert_same();
        }
    }
}
