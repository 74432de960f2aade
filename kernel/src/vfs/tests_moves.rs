//! Directory descriptors and working directories after renames: they keep naming the same
//! directory (as on Linux), their paths follow, and a directory moved out of its mount
//! leads nowhere outside it.

use std::fs;

use super::tests::{read_path, resolver, sandbox, Scratch};
use super::*;

fn mkdirs(r: &Resolver, paths: &[&str]) {
    for p in paths {
        r.mkdir(None, p.as_bytes(), 0o755).unwrap();
    }
}

fn create(r: &Resolver, at: Option<&Location>, path: &[u8]) {
    r.open(
        at,
        path,
        OpenRequest {
            flags: crate::fd::O_CREAT | crate::fd::O_WRONLY,
            mode: 0o644,
        },
    )
    .unwrap();
}

/// The moves every filesystem must follow, under `base` (a host mount or a tmpfs).
fn follow_moves(vfs: &Vfs, base: &str) {
    let cred = Cred::root();
    let mut ctx = FsContext::new(vfs);
    let r = resolver(vfs, &ctx, &cred);
    let at = |p: &str| format!("{base}/{p}");
    mkdirs(&r, &[&at("p1"), &at("p2"), &at("p1/d")]);
    create(&r, None, at("p2/marker").as_bytes());
    let d = r.dir_target(None, at("p1/d").as_bytes()).unwrap();
    create(&r, Some(&d), b"f");
    let f = r.resolve(Some(&d), b"f", true).unwrap();
    let tmp = r
        .open(
            Some(&d),
            b".",
            OpenRequest {
                flags: crate::fd::O_TMPFILE | crate::fd::O_RDWR,
                mode: 0o600,
            },
        )
        .unwrap();

    // Move the directory to another parent: the descriptor follows it.
    r.rename(None, at("p1/d").as_bytes(), None, at("p2/d").as_bytes(), 0)
        .unwrap();
    assert_eq!(d.path(), at("p2/d").as_bytes());
    // Files below it too (what /proc/self/fd shows).
    assert_eq!(f.proc_path(), at("p2/d/f").as_bytes());
    let ino = tmp.stat().unwrap().ino;
    assert_eq!(
        tmp.describe(),
        format!("{base}/p2/d/#{ino} (deleted)").into_bytes()
    );
    assert!(r.resolve(Some(&d), b"f", true).is_ok());
    assert_eq!(
        r.resolve(Some(&d), b"f", true).unwrap().path(),
        at("p2/d/f").as_bytes()
    );
    // `..` is the new parent.
    assert!(r.resolve(Some(&d), b"../marker", true).is_ok());
    assert_eq!(
        r.resolve(Some(&d), b"..", true).unwrap().path(),
        at("p2").as_bytes()
    );
    r.mkdir(Some(&d), b"sub", 0o755).unwrap();
    assert!(r.resolve(None, at("p2/d/sub").as_bytes(), true).is_ok());
    r.rmdir(Some(&d), b"sub").unwrap();
    create(&r, Some(&d), b"g");
    r.unlink(Some(&d), b"g").unwrap();
    assert_eq!(
        r.resolve(None, at("p2/d/g").as_bytes(), true).err(),
        Some(Errno::ENOENT)
    );

    // The working directory too, when an ancestor moves.
    ctx.cwd = d.clone();
    assert_eq!(ctx.getcwd().unwrap(), at("p2/d").as_bytes());
    r.rename(None, at("p2").as_bytes(), None, at("p3").as_bytes(), 0)
        .unwrap();
    assert_eq!(ctx.getcwd().unwrap(), at("p3/d").as_bytes());
    let r2 = resolver(vfs, &ctx, &cred);
    assert_eq!(
        r2.resolve(None, b"f", true).unwrap().path(),
        at("p3/d/f").as_bytes()
    );
    assert_eq!(
        r2.resolve(None, b"../..", true).unwrap().path(),
        base.as_bytes()
    );
    assert_eq!(d.proc_path(), at("p3/d").as_bytes());

    // Removed (right after another move): getcwd says ENOENT, /proc shows where it was,
    // marked deleted.
    r.rename(None, at("p3").as_bytes(), None, at("p4").as_bytes(), 0)
        .unwrap();
    r.unlink(None, at("p4/d/f").as_bytes()).unwrap();
    r.rmdir(None, at("p4/d").as_bytes()).unwrap();
    assert_eq!(ctx.getcwd().err(), Some(Errno::ENOENT));
    let mut want = at("p4/d").into_bytes();
    want.extend_from_slice(b" (deleted)");
    assert_eq!(d.proc_path(), want);
    assert_eq!(
        r.mkdir(Some(&d), b"again", 0o755).err(),
        Some(Errno::ENOENT)
    );
}

#[test]
fn directory_handles_follow_renames_on_tmpfs() {
    let vfs = sandbox();
    vfs.mount_tmpfs("/t", TmpfsOptions::default()).unwrap();
    follow_moves(&vfs, "/t");
    // The sandbox root's own tmpfs too.
    follow_moves(&vfs, "/etc");
}

#[test]
fn directory_handles_follow_renames_on_host_mounts() {
    let host = Scratch::new("moves");
    let vfs = sandbox();
    vfs.mount_host("/w", &host.0, false).unwrap();
    follow_moves(&vfs, "/w");
    // A host mount below a directory of another filesystem.
    fs::create_dir(host.0.join("deeper")).unwrap();
    follow_moves(&vfs, "/w/deeper");
}

#[test]
fn dotdot_at_the_sandbox_root_stays_there() {
    let vfs = sandbox();
    let cred = Cred::root();
    let ctx = FsContext::new(&vfs);
    let r = resolver(&vfs, &ctx, &cred);
    let root = r.dir_target(None, b"/").unwrap();
    let up = r.resolve(Some(&root), b"../../..", true).unwrap();
    assert_eq!(up.path(), b"/");
    assert!(up.same(&root));
    assert_eq!(
        read_path(&vfs, &ctx, b"/../../etc/passwd").unwrap(),
        b"sandbox passwd"
    );
}

#[test]
fn a_directory_moved_out_of_its_mount_leads_nowhere_outside() {
    // Host: outer/{secret, inner/d}; the sandbox mounts outer at /outer and outer/inner at
    // /inner, so a rename through /outer can move d out of /inner's tree.
    let host = Scratch::new("moveout");
    let outer = host.0.join("outer");
    fs::create_dir_all(outer.join("inner/d")).unwrap();
    fs::write(outer.join("secret"), b"outer secret").unwrap();
    fs::write(host.0.join("hostfile"), b"host file").unwrap();
    let vfs = sandbox();
    vfs.mount_host("/outer", &outer, false).unwrap();
    vfs.mount_host("/inner", &outer.join("inner"), false)
        .unwrap();
    let cred = Cred::root();
    let ctx = FsContext::new(&vfs);
    let r = resolver(&vfs, &ctx, &cred);
    let d = r.dir_target(None, b"/inner/d").unwrap();
    create(&r, Some(&d), b"mine");
    r.rename(None, b"/outer/inner/d", None, b"/outer/d", 0)
        .unwrap();

    // Still the same directory below...
    assert!(r.resolve(Some(&d), b"mine", true).is_ok());
    // ...but `..` does not lead to outer's host directory, which /inner does not show: it
    // goes up by the last path known inside /inner, staying in the sandbox's namespace.
    assert_eq!(d.path(), b"/inner/d");
    let up = r.resolve(Some(&d), b"..", true).unwrap();
    assert_eq!(up.path(), b"/inner");
    assert!(up.is_mount_root());
    assert_eq!(
        r.resolve(Some(&d), b"../secret", true).err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        read_path(&vfs, &ctx, b"/inner/../../../etc/passwd").unwrap(),
        b"sandbox passwd"
    );
    let mut cwd_ctx = ctx.clone();
    cwd_ctx.cwd = d.clone();
    assert_eq!(
        read_path(&vfs, &cwd_ctx, b"../../../../../etc/passwd").unwrap(),
        b"sandbox passwd"
    );
    assert_eq!(
        read_path(&vfs, &cwd_ctx, b"../../hostfile").err(),
        Some(Errno::ENOENT)
    );
    // The node itself refuses to name a parent outside its mount.
    assert!(d.node().parent().is_none());

    // Moved by the host, entirely out of both mounts: the same.
    fs::create_dir(host.0.join("away")).unwrap();
    fs::rename(outer.join("d"), host.0.join("away/d")).unwrap();
    assert!(r.resolve(Some(&d), b"mine", true).is_ok());
    assert!(d.node().parent().is_none());
    assert_eq!(d.proc_path(), b"/inner/d");
    assert_eq!(
        r.resolve(Some(&d), b"../hostfile", true).err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        r.resolve(Some(&d), b"../../hostfile", true).err(),
        Some(Errno::ENOENT)
    );
}

#[test]
fn symlinks_in_a_moved_directory_resolve_from_where_it_is() {
    let host = Scratch::new("movelink");
    let vfs = sandbox();
    vfs.mount_host("/w", &host.0, false).unwrap();
    let cred = Cred::root();
    let ctx = FsContext::new(&vfs);
    let r = resolver(&vfs, &ctx, &cred);
    mkdirs(&r, &["/w/a", "/w/b", "/w/a/d"]);
    create(&r, None, b"/w/b/target");
    r.symlink(b"../target", None, b"/w/a/d/link").unwrap();
    let d = r.dir_target(None, b"/w/a/d").unwrap();
    assert_eq!(
        r.resolve(Some(&d), b"link", true).err(),
        Some(Errno::ENOENT)
    );
    r.rename(None, b"/w/a/d", None, b"/w/b/d", 0).unwrap();
    assert_eq!(
        r.resolve(Some(&d), b"link", true).unwrap().path(),
        b"/w/b/target"
    );
    // A symlink climbing out of the mount from there stays in the sandbox.
    r.symlink(b"../../../../../etc/passwd", Some(&d), b"up")
        .unwrap();
    let passwd = r.resolve(Some(&d), b"up", true).unwrap();
    assert_eq!(passwd.path(), b"/etc/passwd");
}

#[test]
fn a_host_mount_may_be_named_through_a_symlink() {
    let host = Scratch::new("mountlink");
    fs::create_dir(host.0.join("real")).unwrap();
    fs::write(host.0.join("real/file"), b"real").unwrap();
    std::os::unix::fs::symlink(host.0.join("real"), host.0.join("link")).unwrap();
    let vfs = sandbox();
    vfs.mount_host("/m", &host.0.join("link"), true).unwrap();
    let ctx = FsContext::new(&vfs);
    assert_eq!(read_path(&vfs, &ctx, b"/m/file").unwrap(), b"real");
}
