//! Path-walk, mount, permission and escape tests over real host directories and tmpfs.

use std::fs;
use std::os::unix::fs::symlink;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use super::*;
use crate::fd::*;

/// A scratch host directory removed on drop.
pub(super) struct Scratch(pub(super) PathBuf);

impl Scratch {
    pub(super) fn new(tag: &str) -> Scratch {
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "sbx-vfs-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&p);
        fs::create_dir_all(&p).unwrap();
        Scratch(p)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A sandbox whose root is a tmpfs holding `/etc/passwd` = "sandbox passwd".
pub(super) fn sandbox() -> Vfs {
    let vfs = Vfs::new_tmpfs_root();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = Resolver::new(&vfs, &ctx, &root, Cx::default());
    r.mkdir(None, b"/etc", 0o755).unwrap();
    let f = r
        .open(
            None,
            b"/etc/passwd",
            OpenRequest {
                flags: O_CREAT | O_WRONLY,
                mode: 0o644,
            },
        )
        .unwrap();
    f.write(b"sandbox passwd").unwrap();
    vfs
}

pub(super) fn read_path(vfs: &Vfs, ctx: &FsContext, path: &[u8]) -> KResult<Vec<u8>> {
    let cred = Cred::root();
    let r = Resolver::new(vfs, ctx, &cred, Cx::default());
    let f = r.open(
        None,
        path,
        OpenRequest {
            flags: O_RDONLY,
            mode: 0,
        },
    )?;
    read_all(&f)
}

pub(super) fn resolver<'a>(vfs: &'a Vfs, ctx: &FsContext, cred: &'a Cred) -> Resolver<'a> {
    Resolver::new(vfs, ctx, cred, Cx::default())
}

fn list(vfs: &Vfs, ctx: &FsContext, path: &[u8]) -> Vec<Vec<u8>> {
    let cred = Cred::root();
    let f = resolver(vfs, ctx, &cred)
        .open(
            None,
            path,
            OpenRequest {
                flags: O_RDONLY | O_DIRECTORY,
                mode: 0,
            },
        )
        .unwrap();
    let buf = f.getdents(1 << 16, false, &Cx::default()).unwrap();
    let mut names = Vec::new();
    let mut i = 0;
    while i < buf.len() {
        let reclen = u16::from_ne_bytes([buf[i + 16], buf[i + 17]]) as usize;
        let name = &buf[i + 19..i + reclen];
        let end = name.iter().position(|&b| b == 0).unwrap_or(name.len());
        names.push(name[..end].to_vec());
        i += reclen;
    }
    names.sort();
    names
}

#[test]
fn host_mount_symlinks_and_dotdot_stay_in_the_sandbox() {
    let host = Scratch::new("escape");
    let inside = host.0.join("inside");
    let outside = host.0.join("outside");
    fs::create_dir_all(inside.join("sub")).unwrap();
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("secret"), b"host secret").unwrap();
    fs::write(inside.join("hello"), b"hi").unwrap();
    symlink("/etc/passwd", inside.join("abs")).unwrap();
    symlink("../../../../etc", inside.join("up")).unwrap();
    symlink("../outside/secret", inside.join("sibling")).unwrap();
    symlink("/", inside.join("root")).unwrap();
    symlink(&outside, inside.join("hostabs")).unwrap();

    let vfs = sandbox();
    // /mnt does not exist in the lower filesystem: the mount point still works.
    vfs.mount_host("/mnt/work", &inside, false).unwrap();
    let ctx = FsContext::new(&vfs);

    assert_eq!(read_path(&vfs, &ctx, b"/mnt/work/hello").unwrap(), b"hi");
    // An absolute symlink on the host resolves against the sandbox root.
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/abs").unwrap(),
        b"sandbox passwd"
    );
    // A relative symlink climbing out climbs the sandbox's namespace.
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/up/passwd").unwrap(),
        b"sandbox passwd"
    );
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/sub/../../../../../../etc/passwd").unwrap(),
        b"sandbox passwd"
    );
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/root/etc/passwd").unwrap(),
        b"sandbox passwd"
    );
    // The host directory next to the mounted one is not reachable by any route.
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/sibling").err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/../outside/secret").err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        read_path(&vfs, &ctx, b"/mnt/work/hostabs/secret").err(),
        Some(Errno::ENOENT)
    );

    // `..` from a mount root goes to the mount point's parent; canonical paths follow.
    let cred = Cred::root();
    let r = resolver(&vfs, &ctx, &cred);
    assert_eq!(
        r.resolve(None, b"/mnt/work/..", true).unwrap().path(),
        b"/mnt"
    );
    assert_eq!(
        r.resolve(None, b"/mnt/work/sub/../..", true)
            .unwrap()
            .path(),
        b"/mnt"
    );
    assert_eq!(r.resolve(None, b"/../../..", true).unwrap().path(), b"/");
    assert_eq!(
        r.resolve(None, b"/mnt/work/up", true).unwrap().path(),
        b"/etc"
    );
    // From a cwd inside the mount.
    let mut ctx2 = ctx.clone();
    ctx2.chdir(&vfs, b"/mnt/work/sub").unwrap();
    assert_eq!(ctx2.getcwd().unwrap(), b"/mnt/work/sub");
    assert_eq!(
        read_path(&vfs, &ctx2, b"../../../../etc/passwd").unwrap(),
        b"sandbox passwd"
    );
    // The overlay mount point shows up in listings.
    assert!(list(&vfs, &ctx, b"/").contains(&b"mnt".to_vec()));
    assert_eq!(
        list(&vfs, &ctx, b"/mnt"),
        vec![b".".to_vec(), b"..".to_vec(), b"work".to_vec()]
    );
    let names = list(&vfs, &ctx, b"/mnt/work");
    for n in [&b"hello"[..], b"abs", b"up", b"sub", b"sibling"] {
        assert!(
            names.contains(&n.to_vec()),
            "{:?}",
            String::from_utf8_lossy(n)
        );
    }
    // readlink shows the raw target; stat of the host file is the host's.
    assert_eq!(r.readlink(None, b"/mnt/work/abs").unwrap(), b"/etc/passwd");
    let (st, _) = r.stat(None, b"/mnt/work/hello", true).unwrap();
    let host_meta = fs::metadata(inside.join("hello")).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        (st.ino, st.dev, st.size, st.mode),
        (host_meta.ino(), host_meta.dev(), 2, host_meta.mode())
    );
    assert_eq!(st.mtime.nsec as i64, host_meta.mtime_nsec());
}

#[test]
fn writes_through_a_host_mount_land_inside_it_only() {
    let host = Scratch::new("write");
    let inside = host.0.join("inside");
    fs::create_dir_all(&inside).unwrap();
    symlink("/etc/newfile", inside.join("dangling")).unwrap();
    let vfs = sandbox();
    vfs.mount_host("/work", &inside, false).unwrap();
    let ctx = FsContext::new(&vfs);
    let cred = Cred::root();
    let r = resolver(&vfs, &ctx, &cred);
    let f = r
        .open(
            None,
            b"/work/new",
            OpenRequest {
                flags: O_CREAT | O_EXCL | O_RDWR,
                mode: 0o600,
            },
        )
        .unwrap();
    assert_eq!(f.write(b"data").unwrap(), 4);
    assert_eq!(fs::read(inside.join("new")).unwrap(), b"data");
    assert_eq!(
        fs::metadata(inside.join("new"))
            .map(|m| std::os::unix::fs::PermissionsExt::mode(&m.permissions()) & 0o777)
            .unwrap(),
        0o600
    );
    // Creating through a dangling absolute symlink creates in the sandbox's /etc, not the host's.
    r.open(
        None,
        b"/work/dangling",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o644,
        },
    )
    .unwrap();
    assert!(r.stat(None, b"/etc/newfile", true).is_ok());
    assert!(!host.0.join("etc").exists());
    // mkdir, rename, link, unlink, rmdir on the host.
    r.mkdir(None, b"/work/d", 0o755).unwrap();
    r.rename(None, b"/work/new", None, b"/work/d/moved", 0)
        .unwrap();
    assert!(inside.join("d/moved").exists());
    let src = r.resolve(None, b"/work/d/moved", false).unwrap();
    r.link(&src, None, b"/work/hard").unwrap();
    assert_eq!(r.stat(None, b"/work/hard", true).unwrap().0.nlink, 2);
    assert_eq!(r.rmdir(None, b"/work/d").err(), Some(Errno::ENOTEMPTY));
    r.unlink(None, b"/work/d/moved").unwrap();
    r.rmdir(None, b"/work/d").unwrap();
    // Renames across mounts are EXDEV.
    assert_eq!(
        r.rename(None, b"/work/hard", None, b"/etc/hard", 0).err(),
        Some(Errno::EXDEV)
    );
    // Symlink creation stores the raw target on the host.
    r.symlink(b"/anything/at/all", None, b"/work/sl").unwrap();
    assert_eq!(
        fs::read_link(inside.join("sl")).unwrap(),
        PathBuf::from("/anything/at/all")
    );
}

#[test]
fn read_only_mounts_give_erofs() {
    let host = Scratch::new("ro");
    fs::write(host.0.join("f"), b"x").unwrap();
    fs::create_dir(host.0.join("d")).unwrap();
    let vfs = sandbox();
    vfs.mount_host("/ro", &host.0, true).unwrap();
    let ctx = FsContext::new(&vfs);
    let cred = Cred::root();
    let r = resolver(&vfs, &ctx, &cred);
    assert_eq!(read_path(&vfs, &ctx, b"/ro/f").unwrap(), b"x");
    let open = |flags| {
        r.open(None, b"/ro/f", OpenRequest { flags, mode: 0o644 })
            .err()
    };
    assert_eq!(open(O_WRONLY), Some(Errno::EROFS));
    assert_eq!(open(O_RDWR), Some(Errno::EROFS));
    assert_eq!(open(O_RDONLY | O_TRUNC), Some(Errno::EROFS));
    assert_eq!(
        r.open(
            None,
            b"/ro/g",
            OpenRequest {
                flags: O_CREAT | O_WRONLY,
                mode: 0o644
            }
        )
        .err(),
        Some(Errno::EROFS)
    );
    assert_eq!(r.mkdir(None, b"/ro/e", 0o755).err(), Some(Errno::EROFS));
    // An existing name is EEXIST before EROFS, as Linux checks.
    assert_eq!(r.mkdir(None, b"/ro/d", 0o755).err(), Some(Errno::EEXIST));
    assert_eq!(r.unlink(None, b"/ro/f").err(), Some(Errno::EROFS));
    assert_eq!(r.rmdir(None, b"/ro/d").err(), Some(Errno::EROFS));
    assert_eq!(
        r.rename(None, b"/ro/f", None, b"/ro/g", 0).err(),
        Some(Errno::EROFS)
    );
    assert_eq!(r.symlink(b"x", None, b"/ro/s").err(), Some(Errno::EROFS));
    let f = r.resolve(None, b"/ro/f", true).unwrap();
    assert_eq!(r.chmod(&f, None, 0o777).err(), Some(Errno::EROFS));
    assert_eq!(r.chown(&f, None, Some(0), None).err(), Some(Errno::EROFS));
    assert_eq!(r.truncate(None, b"/ro/f", 0).err(), Some(Errno::EROFS));
    assert_eq!(
        r.utimes(&f, None, Some(TimeSet::Now), None).err(),
        Some(Errno::EROFS)
    );
    assert_eq!(r.access(None, b"/ro/f", 2, true).err(), Some(Errno::EROFS));
    assert!(r.access(None, b"/ro/f", 4, true).is_ok());
    assert_eq!(fs::read(host.0.join("f")).unwrap(), b"x");
    let sfs = r.statfs(&f).unwrap();
    assert_eq!(sfs.f_flags & 1, 1);
}

#[test]
fn tmpfs_through_the_vfs() {
    let vfs = sandbox();
    vfs.mount_tmpfs("/tmp", TmpfsOptions::default()).unwrap();
    let ctx = FsContext::new(&vfs);
    let cred = Cred::root();
    let r = resolver(&vfs, &ctx, &cred);
    let create = |p: &[u8]| {
        r.open(
            None,
            p,
            OpenRequest {
                flags: O_CREAT | O_EXCL | O_RDWR,
                mode: 0o666,
            },
        )
    };
    let f = create(b"/tmp/a").unwrap();
    assert_eq!(create(b"/tmp/a").err(), Some(Errno::EEXIST));
    // The umask (022) applies.
    assert_eq!(f.stat().unwrap().mode & 0o777, 0o644);
    f.write(b"hello world").unwrap();
    assert_eq!(f.seek(0, SEEK_SET).unwrap(), 0);
    let mut buf = [0u8; 5];
    assert_eq!(f.read(&mut buf).unwrap(), 5);
    assert_eq!(&buf, b"hello");
    assert_eq!(f.seek(-5, SEEK_END).unwrap(), 6);
    assert_eq!(f.seek(-100, SEEK_CUR).err(), Some(Errno::EINVAL));
    // Renames across mounts are EXDEV; inside tmpfs they work.
    assert_eq!(
        r.rename(None, b"/tmp/a", None, b"/etc/a", 0).err(),
        Some(Errno::EXDEV)
    );
    r.mkdir(None, b"/tmp/d", 0o777).unwrap();
    r.rename(None, b"/tmp/a", None, b"/tmp/d/b", 0).unwrap();
    assert_eq!(r.rmdir(None, b"/tmp/d").err(), Some(Errno::ENOTEMPTY));
    assert_eq!(
        r.rename(None, b"/tmp/d", None, b"/tmp/d/sub", 0).err(),
        Some(Errno::EINVAL)
    );
    assert_eq!(r.unlink(None, b"/tmp/d").err(), Some(Errno::EISDIR));
    assert_eq!(r.rmdir(None, b"/tmp/d/b").err(), Some(Errno::ENOTDIR));
    assert_eq!(r.rmdir(None, b"/tmp/d/.").err(), Some(Errno::EINVAL));
    assert_eq!(r.rmdir(None, b"/tmp").err(), Some(Errno::EBUSY));
    assert_eq!(r.unlink(None, b"/tmp/d/b/").err(), Some(Errno::ENOTDIR));
    let b = r.resolve(None, b"/tmp/d/b", true).unwrap();
    r.link(&b, None, b"/tmp/c").unwrap();
    assert_eq!(b.stat().unwrap().nlink, 2);
    r.unlink(None, b"/tmp/d/b").unwrap();
    assert_eq!(b.stat().unwrap().nlink, 1);
    // The open description still reads the data after its name is gone.
    assert_eq!(f.pread(0, &mut buf).unwrap(), 5);
    assert_eq!(
        list(&vfs, &ctx, b"/tmp"),
        vec![b".".to_vec(), b"..".to_vec(), b"c".to_vec(), b"d".to_vec()]
    );
    r.rmdir(None, b"/tmp/d").unwrap();
    // Paths through a file are ENOTDIR; trailing slash on a file too.
    assert_eq!(
        r.resolve(None, b"/tmp/c/x", true).err(),
        Some(Errno::ENOTDIR)
    );
    assert_eq!(
        r.resolve(None, b"/tmp/c/", true).err(),
        Some(Errno::ENOTDIR)
    );
    assert_eq!(
        r.open(
            None,
            b"/tmp/c",
            OpenRequest {
                flags: O_RDONLY | O_DIRECTORY,
                mode: 0
            }
        )
        .err(),
        Some(Errno::ENOTDIR)
    );
    assert_eq!(
        r.open(
            None,
            b"/tmp",
            OpenRequest {
                flags: O_WRONLY,
                mode: 0
            }
        )
        .err(),
        Some(Errno::EISDIR)
    );
    assert_eq!(
        r.open(
            None,
            b"/tmp/new/",
            OpenRequest {
                flags: O_CREAT | O_WRONLY,
                mode: 0
            }
        )
        .err(),
        Some(Errno::EISDIR)
    );
    // O_TRUNC empties.
    r.open(
        None,
        b"/tmp/c",
        OpenRequest {
            flags: O_WRONLY | O_TRUNC,
            mode: 0,
        },
    )
    .unwrap();
    assert_eq!(r.stat(None, b"/tmp/c", true).unwrap().0.size, 0);
}

#[test]
fn symlink_loops_and_limits() {
    let vfs = sandbox();
    let ctx = FsContext::new(&vfs);
    let cred = Cred::root();
    let r = resolver(&vfs, &ctx, &cred);
    r.symlink(b"loop2", None, b"/loop1").unwrap();
    r.symlink(b"loop1", None, b"/loop2").unwrap();
    assert_eq!(r.resolve(None, b"/loop1", true).err(), Some(Errno::ELOOP));
    assert!(r.resolve(None, b"/loop1", false).is_ok());
    // A chain of exactly 40 links resolves; 41 is ELOOP.
    r.mkdir(None, b"/chain", 0o755).unwrap();
    r.symlink(b"/etc/passwd", None, b"/chain/l0").unwrap();
    for i in 1..=40 {
        r.symlink(
            format!("/chain/l{}", i - 1).as_bytes(),
            None,
            format!("/chain/l{i}").as_bytes(),
        )
        .unwrap();
    }
    assert!(r.resolve(None, b"/chain/l39", true).is_ok());
    assert_eq!(
        r.resolve(None, b"/chain/l40", true).err(),
        Some(Errno::ELOOP)
    );
    // O_NOFOLLOW on a symlink is ELOOP; O_PATH|O_NOFOLLOW opens the link itself.
    assert_eq!(
        r.open(
            None,
            b"/chain/l0",
            OpenRequest {
                flags: O_RDONLY | O_NOFOLLOW,
                mode: 0
            }
        )
        .err(),
        Some(Errno::ELOOP)
    );
    let p = r
        .open(
            None,
            b"/chain/l0",
            OpenRequest {
                flags: O_PATH | O_NOFOLLOW,
                mode: 0,
            },
        )
        .unwrap();
    assert_eq!(p.stat().unwrap().kind(), FileKind::Symlink);
    assert_eq!(p.read(&mut [0u8; 4]).err(), Some(Errno::EBADF));
    // Name and path length limits.
    let long = vec![b'a'; 256];
    assert_eq!(
        r.resolve(None, &long, true).err(),
        Some(Errno::ENAMETOOLONG)
    );
    let deep: Vec<u8> = b"/a".repeat(2048);
    assert_eq!(
        r.resolve(None, &deep, true).err(),
        Some(Errno::ENAMETOOLONG)
    );
    assert_eq!(r.resolve(None, b"", true).err(), Some(Errno::ENOENT));
    assert_eq!(r.symlink(b"", None, b"/empty").err(), Some(Errno::ENOENT));
    // A dangling symlink with O_CREAT creates its target; with O_EXCL it is EEXIST.
    r.symlink(b"/etc/created", None, b"/dang").unwrap();
    assert_eq!(
        r.open(
            None,
            b"/dang",
            OpenRequest {
                flags: O_CREAT | O_EXCL | O_WRONLY,
                mode: 0o644
            }
        )
        .err(),
        Some(Errno::EEXIST)
    );
    r.open(
        None,
        b"/dang",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o644,
        },
    )
    .unwrap();
    assert!(r.stat(None, b"/etc/created", false).is_ok());
}

#[test]
fn permissions_for_unprivileged_callers() {
    let vfs = sandbox();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = resolver(&vfs, &ctx, &root);
    r.mkdir(None, b"/private", 0o700).unwrap();
    r.open(
        None,
        b"/private/f",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o644,
        },
    )
    .unwrap();
    r.open(
        None,
        b"/secret",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o600,
        },
    )
    .unwrap();
    let user = Cred {
        uid: 1000,
        gid: 1000,
        groups: vec![],
    };
    let u = resolver(&vfs, &ctx, &user);
    assert_eq!(
        u.resolve(None, b"/private/f", true).err(),
        Some(Errno::EACCES)
    );
    assert_eq!(
        u.open(
            None,
            b"/secret",
            OpenRequest {
                flags: O_RDONLY,
                mode: 0
            }
        )
        .err(),
        Some(Errno::EACCES)
    );
    assert_eq!(u.mkdir(None, b"/mine", 0o755).err(), Some(Errno::EACCES));
    assert_eq!(
        u.access(None, b"/secret", 4, true).err(),
        Some(Errno::EACCES)
    );
    assert!(u.access(None, b"/secret", 0, true).is_ok());
    let s = u.resolve(None, b"/secret", true).unwrap();
    assert_eq!(u.chmod(&s, None, 0o777).err(), Some(Errno::EPERM));
    assert_eq!(
        u.chown(&s, None, Some(1000), None).err(),
        Some(Errno::EPERM)
    );
    assert_eq!(
        u.utimes(&s, None, Some(TimeSet::Now), None).err(),
        Some(Errno::EACCES)
    );
    assert_eq!(u.link(&s, None, b"/tmp-link").err(), Some(Errno::EACCES));
    // Root hands the file over; the new owner may chmod it, and created files are theirs.
    r.chown(&s, None, Some(1000), Some(1000)).unwrap();
    u.chmod(&s, None, 0o640).unwrap();
    assert_eq!(s.stat().unwrap().mode & 0o7777, 0o640);
    r.mkdir(None, b"/home", 0o777).unwrap();
    // mkdir applied the umask; open it up.
    let home = r.resolve(None, b"/home", true).unwrap();
    assert_eq!(home.stat().unwrap().mode & 0o777, 0o755);
    r.chmod(&home, None, 0o1777).unwrap();
    u.open(
        None,
        b"/home/x",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o600,
        },
    )
    .unwrap();
    let st = r.stat(None, b"/home/x", true).unwrap().0;
    assert_eq!((st.uid, st.gid), (1000, 1000));
}

#[test]
fn exec_open_checks() {
    let vfs = sandbox();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = resolver(&vfs, &ctx, &root);
    let f = r
        .open(
            None,
            b"/prog",
            OpenRequest {
                flags: O_CREAT | O_WRONLY,
                mode: 0o755,
            },
        )
        .unwrap();
    f.write(b"\x7fELF...").unwrap();
    r.open(
        None,
        b"/data",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o644,
        },
    )
    .unwrap();
    r.symlink(b"prog", None, b"/link").unwrap();
    let (bytes, path) = vfs.open_exec(&ctx, &root, b"/link").unwrap();
    assert_eq!(bytes, b"\x7fELF...");
    assert_eq!(path, b"/prog");
    assert_eq!(
        vfs.open_exec(&ctx, &root, b"/data").err(),
        Some(Errno::EACCES)
    );
    assert_eq!(
        vfs.open_exec(&ctx, &root, b"/etc").err(),
        Some(Errno::EACCES)
    );
    assert_eq!(
        vfs.open_exec(&ctx, &root, b"/nope").err(),
        Some(Errno::ENOENT)
    );
    assert_eq!(
        vfs.open_exec(&ctx, &root, b"/prog/x").err(),
        Some(Errno::ENOTDIR)
    );
    let user = Cred {
        uid: 1000,
        gid: 1000,
        groups: vec![],
    };
    r.open(
        None,
        b"/owner-only",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o700,
        },
    )
    .unwrap();
    assert_eq!(
        vfs.open_exec(&ctx, &user, b"/owner-only").err(),
        Some(Errno::EACCES)
    );
    assert!(vfs.open_exec(&ctx, &user, b"/prog").is_ok());
}

#[test]
fn chroot_and_getcwd() {
    let vfs = sandbox();
    let root = Cred::root();
    let mut ctx = FsContext::new(&vfs);
    let r = resolver(&vfs, &ctx, &root);
    r.mkdir(None, b"/jail", 0o755).unwrap();
    r.mkdir(None, b"/jail/etc", 0o755).unwrap();
    r.symlink(b"/etc", None, b"/jail/abs").unwrap();
    ctx.root = r.dir_target(None, b"/jail").unwrap();
    ctx.cwd = ctx.root.clone();
    let r = resolver(&vfs, &ctx, &root);
    assert_eq!(ctx.getcwd().unwrap(), b"/");
    assert_eq!(
        r.resolve(None, b"/../../etc", true).unwrap().path(),
        b"/jail/etc"
    );
    assert_eq!(r.resolve(None, b"abs", true).unwrap().path(), b"/jail/etc");
    assert_eq!(
        r.resolve(None, b"/etc/passwd", true).err(),
        Some(Errno::ENOENT)
    );
    ctx.cwd = r.dir_target(None, b"etc").unwrap();
    assert_eq!(ctx.getcwd().unwrap(), b"/etc");
    // A removed cwd is ENOENT for getcwd.
    let r = resolver(&vfs, &ctx, &root);
    r.rmdir(None, b"/etc").unwrap();
    assert_eq!(ctx.getcwd().err(), Some(Errno::ENOENT));
}

#[test]
fn openat2_restrictions() {
    let vfs = sandbox();
    vfs.mount_tmpfs("/tmp", TmpfsOptions::default()).unwrap();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = resolver(&vfs, &ctx, &root);
    r.mkdir(None, b"/base", 0o755).unwrap();
    r.symlink(b"/etc", None, b"/base/abs").unwrap();
    r.symlink(b"../tmp", None, b"/base/rel").unwrap();
    let base = r.resolve(None, b"/base", true).unwrap();
    let beneath = r.restricted(base.clone(), RESOLVE_BENEATH).unwrap();
    assert_eq!(beneath.resolve(None, b"..", true).err(), Some(Errno::EXDEV));
    assert_eq!(
        beneath.resolve(None, b"abs", true).err(),
        Some(Errno::EXDEV)
    );
    assert_eq!(
        beneath.resolve(None, b"/etc", true).err(),
        Some(Errno::EXDEV)
    );
    let in_root = r.restricted(base.clone(), RESOLVE_IN_ROOT).unwrap();
    assert_eq!(
        in_root.resolve(None, b"../..", true).unwrap().path(),
        b"/base"
    );
    assert_eq!(
        in_root.resolve(None, b"abs", true).err(),
        Some(Errno::ENOENT)
    );
    let nosym = r.restricted(base.clone(), RESOLVE_NO_SYMLINKS).unwrap();
    assert_eq!(nosym.resolve(None, b"abs", true).err(), Some(Errno::ELOOP));
    let noxdev = r.restricted(base.clone(), RESOLVE_NO_XDEV).unwrap();
    assert_eq!(noxdev.resolve(None, b"rel", true).err(), Some(Errno::EXDEV));
    assert_eq!(r.restricted(base, 1 << 40).err(), Some(Errno::EINVAL));
}

#[test]
fn dev_nodes() {
    let vfs = sandbox();
    vfs.mount_dev("/dev").unwrap();
    vfs.mount_tmpfs("/dev/shm", TmpfsOptions::default())
        .unwrap();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = resolver(&vfs, &ctx, &root);
    let open = |p: &[u8], flags| r.open(None, p, OpenRequest { flags, mode: 0 }).unwrap();
    let null = open(b"/dev/null", O_RDWR);
    assert_eq!(null.read(&mut [0u8; 8]).unwrap(), 0);
    assert_eq!(null.write(b"abc").unwrap(), 3);
    assert_eq!(null.seek(100, SEEK_SET).unwrap(), 0);
    let zero = open(b"/dev/zero", O_RDONLY);
    let mut buf = [1u8; 16];
    assert_eq!(zero.read(&mut buf).unwrap(), 16);
    assert_eq!(buf, [0u8; 16]);
    assert!(zero.mmap_source(false, 1, &phys()).is_ok());
    assert_eq!(
        open(b"/dev/full", O_WRONLY).write(b"x").err(),
        Some(Errno::ENOSPC)
    );
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    open(b"/dev/urandom", O_RDONLY).read(&mut a).unwrap();
    open(b"/dev/random", O_RDONLY).read(&mut b).unwrap();
    assert_ne!(a, b);
    let st = r.stat(None, b"/dev/null", true).unwrap().0;
    assert_eq!(st.kind(), FileKind::CharDev);
    assert_eq!((dev_major(st.rdev), dev_minor(st.rdev)), (1, 3));
    assert_eq!(r.readlink(None, b"/dev/stdin").unwrap(), b"/proc/self/fd/0");
    // /dev/shm is a writable tmpfs.
    r.open(
        None,
        b"/dev/shm/seg",
        OpenRequest {
            flags: O_CREAT | O_RDWR,
            mode: 0o600,
        },
    )
    .unwrap();
    assert!(list(&vfs, &ctx, b"/dev").contains(&b"shm".to_vec()));
    // Device nodes are not mappable, except /dev/zero.
    assert_eq!(
        null.mmap_source(false, 1, &phys()).err(),
        Some(Errno::ENODEV)
    );
}

#[test]
fn mount_paths_are_validated() {
    let vfs = Vfs::new_tmpfs_root();
    assert!(vfs
        .mount_tmpfs("relative", TmpfsOptions::default())
        .is_err());
    assert!(vfs.mount_tmpfs("/a/../b", TmpfsOptions::default()).is_err());
    assert!(vfs.mount_tmpfs("//x//y/", TmpfsOptions::default()).is_ok());
    assert!(vfs.mount_at(b"/x/y").is_some());
    assert!(vfs
        .mount_host("/h", std::path::Path::new("/definitely/not/here"), true)
        .is_err());
}

#[test]
fn dotdot_from_a_mount_root_cannot_recurse_forever() {
    let vfs = sandbox();
    let root = Cred::root();
    let ctx = FsContext::new(&vfs);
    let r = resolver(&vfs, &ctx, &root);
    r.mkdir(None, b"/a", 0o755).unwrap();
    r.mkdir(None, b"/a/b", 0o755).unwrap();
    vfs.mount_tmpfs("/a/b/m", TmpfsOptions::default()).unwrap();
    let mut ctx2 = ctx.clone();
    ctx2.chdir(&vfs, b"/a/b/m").unwrap();
    // The VFS refuses to move a mount point's parent (EBUSY), but a host filesystem can
    // change under it: swap the parent for a symlink leading back through `..`, behind
    // the VFS's back.
    assert_eq!(
        r.rename(None, b"/a/b", None, b"/a/old", 0).err(),
        Some(Errno::EBUSY)
    );
    let a = r.resolve(None, b"/a", true).unwrap();
    a.node().rename(b"b", &**a.node(), b"old", 0).unwrap();
    let attr = NewAttr {
        mode: 0o777,
        uid: 0,
        gid: 0,
    };
    a.node()
        .create(b"b", NewNode::Symlink(b"/a/b/m/..".to_vec()), attr)
        .unwrap();
    let r2 = resolver(&vfs, &ctx2, &root);
    assert_eq!(r2.resolve(None, b"..", true).err(), Some(Errno::ELOOP));
    assert_eq!(
        r2.resolve(None, b"../../../..", true).err(),
        Some(Errno::ELOOP)
    );
}

#[test]
fn mount_points_cannot_be_removed_or_renamed() {
    let vfs = sandbox();
    vfs.mount_tmpfs("/etc/m", TmpfsOptions::default()).unwrap();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = resolver(&vfs, &ctx, &root);
    assert_eq!(r.rmdir(None, b"/etc/m").err(), Some(Errno::EBUSY));
    assert_eq!(
        r.rename(None, b"/etc/m", None, b"/etc/n", 0).err(),
        Some(Errno::EBUSY)
    );
    assert_eq!(
        r.rename(None, b"/etc", None, b"/etc2", 0).err(),
        Some(Errno::EBUSY)
    );
    assert_eq!(r.unlink(None, b"/etc/m").err(), Some(Errno::EBUSY));
    // The mount shadows whatever the lower filesystem has there.
    r.open(
        None,
        b"/etc/m/x",
        OpenRequest {
            flags: O_CREAT | O_WRONLY,
            mode: 0o644,
        },
    )
    .unwrap();
    assert_eq!(
        list(&vfs, &ctx, b"/etc/m"),
        vec![b".".to_vec(), b"..".to_vec(), b"x".to_vec()]
    );
}

/// Opens `path` read-write (creating it) in `vfs` as root.
fn open_rw(vfs: &Vfs, path: &[u8]) -> Arc<OpenFile> {
    let ctx = FsContext::new(vfs);
    let cred = Cred::root();
    resolver(vfs, &ctx, &cred)
        .open(
            None,
            path,
            OpenRequest {
                flags: O_CREAT | O_RDWR,
                mode: 0o644,
            },
        )
        .unwrap()
}

#[test]
fn tmpfs_holes_seek_and_punch() {
    let vfs = sandbox();
    let f = open_rw(&vfs, b"/sparse");
    f.pwrite(0, &[b'a'; 4096]).unwrap();
    f.pwrite(3 * 4096, &[b'b'; 100]).unwrap();
    assert_eq!(f.seek(0, SEEK_HOLE), Ok(4096));
    assert_eq!(f.seek(4096, SEEK_DATA), Ok(3 * 4096));
    assert_eq!(f.seek(3 * 4096 + 10, SEEK_HOLE), Ok(3 * 4096 + 100));
    assert_eq!(f.seek(3 * 4096 + 100, SEEK_DATA), Err(Errno::ENXIO));
    // Punching the first page frees it and keeps the size.
    f.ops().allocate(3, 0, 4096).unwrap();
    assert_eq!(f.seek(0, SEEK_DATA), Ok(3 * 4096));
    assert_eq!(f.stat().unwrap().size, 3 * 4096 + 100);
    // A partial punch zeroes bytes inside a kept page.
    f.ops().allocate(3, 3 * 4096 + 10, 20).unwrap();
    let mut buf = [0xffu8; 40];
    f.pread(3 * 4096, &mut buf).unwrap();
    assert_eq!(&buf[..10], &[b'b'; 10]);
    assert_eq!(&buf[10..30], &[0; 20]);
    assert_eq!(&buf[30..], &[b'b'; 10]);
    // Zero-range is not a tmpfs mode.
    assert_eq!(f.ops().allocate(0x10, 0, 1), Err(Errno::EOPNOTSUPP));
}

#[test]
fn only_storage_kinds_fsync() {
    let vfs = sandbox();
    assert_eq!(open_rw(&vfs, b"/f").ops().sync(), Ok(()));
    let (r, w) = crate::pipe::new_pipe(0);
    assert_eq!(r.ops().sync(), Err(Errno::EINVAL));
    assert_eq!(w.ops().sync(), Err(Errno::EINVAL));
}

pub(super) fn phys() -> Arc<crate::mm::PhysMemory> {
    Arc::new(crate::mm::PhysMemory::new(64 << 20, 8 << 20).unwrap())
}

/// A host file and a tmpfs file mapped `MAP_SHARED` through one descriptor: stores through
/// the mapping are read through another at once, writes show in the mapping, truncation
/// moves the end the mapping sees, and the last mapping's end writes the stores back.
#[test]
fn shared_mappings_go_through_the_page_cache() {
    use crate::mm::{SharedPage, PAGE_SIZE, PROT_READ, PROT_WRITE};
    let host = Scratch::new("pagecache");
    let vfs = sandbox();
    vfs.mount_host("/h", &host.0, false).unwrap();
    vfs.mount_tmpfs("/t", TmpfsOptions::default()).unwrap();
    let ctx = FsContext::new(&vfs);
    let root = Cred::root();
    let r = resolver(&vfs, &ctx, &root);
    let phys = phys();
    for path in [b"/h/f".as_slice(), b"/t/f"] {
        let open = |flags| {
            r.open(None, path, OpenRequest { flags, mode: 0o644 })
                .unwrap()
        };
        let rw = open(O_CREAT | O_RDWR);
        rw.truncate(2 * PAGE_SIZE).unwrap();
        let map = rw.mmap_source(true, PROT_READ | PROT_WRITE, &phys).unwrap();
        let SharedPage::Frame(f) = map.shared_page(0, true).unwrap() else {
            panic!("no frame");
        };
        phys.write(f + 10, b"store").unwrap();
        let ro = open(O_RDONLY);
        let mut buf = [0u8; 5];
        ro.pread(10, &mut buf).unwrap();
        assert_eq!(&buf, b"store");
        ro.pread(10, &mut buf).unwrap();
        rw.pwrite(20, b"write").unwrap();
        phys.read(f + 20, &mut buf).unwrap();
        assert_eq!(&buf, b"write");
        // A private mapping made now starts from the cached page.
        let private = ro.mmap_source(false, PROT_READ, &phys).unwrap();
        private.read_at(10, &mut buf).unwrap();
        assert_eq!(&buf, b"store");
        r.truncate(None, path, 100).unwrap();
        assert_eq!(
            map.shared_page(PAGE_SIZE, true).unwrap(),
            SharedPage::PastEof
        );
        // The mapping's reference goes (munmap), then the mapping.
        phys.free_frames(&[f]);
        drop((map, private));
        if path.starts_with(b"/h") {
            let data = fs::read(host.0.join("f")).unwrap();
            assert_eq!(data.len(), 100);
            assert_eq!(&data[10..25], b"store\0\0\0\0\0write");
        }
        let mut all = vec![0u8; 200];
        assert_eq!(ro.pread(0, &mut all).unwrap(), 100);
        assert_eq!(&all[10..25], b"store\0\0\0\0\0write");
    }
    assert_eq!(phys.frames_in_use(), 0);
}
