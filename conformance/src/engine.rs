//! The engines a case runs under, and how one program is run natively or inside `sbx run`.
//!
//! Both runs see the same world: a fresh empty scratch directory as the working directory,
//! stdin from /dev/null and exactly the environment `sbx run` gives a guest by default.

use std::fmt;
use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::exec::{self, Output};

/// The guest's default `PATH` (as Docker sets it); native runs get the same.
pub const GUEST_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The whole environment of a run when the job adds nothing.
pub const DEFAULT_ENV: [(&str, &str); 3] =
    [("PATH", GUEST_PATH), ("HOME", "/root"), ("TERM", "xterm")];

/// Where the scratch directory is mounted in the guest (and its working directory).
pub const GUEST_SCRATCH: &str = "/scratch";

/// An sbx execution engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    /// Hardware virtualization through /dev/kvm.
    Kvm,
    /// The planned portable binary-translation engine.
    Bt,
}

impl Engine {
    /// Every engine, in report order.
    pub const ALL: [Engine; 2] = [Engine::Kvm, Engine::Bt];

    /// The name used on the command line (`--platform`) and in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Kvm => "kvm",
            Engine::Bt => "bt",
        }
    }

    /// Parses `--platform`: one engine or `all`.
    pub fn parse_platform(s: &str) -> Option<Vec<Engine>> {
        match s {
            "all" => Some(Engine::ALL.to_vec()),
            "kvm" => Some(vec![Engine::Kvm]),
            "bt" => Some(vec![Engine::Bt]),
            _ => None,
        }
    }

    /// Whether this engine can run here; otherwise why not.
    pub fn availability(self) -> Availability {
        match self {
            Engine::Kvm => match OpenOptions::new().read(true).write(true).open("/dev/kvm") {
                Ok(_) => Availability::Ready,
                Err(e) => Availability::Missing(format!("/dev/kvm is not usable ({e})")),
            },
            Engine::Bt => Availability::NotBuilt,
        }
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an engine can run on this machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Availability {
    /// It can.
    Ready,
    /// sbx does not have this engine yet: its cases are skipped, even in CI.
    NotBuilt,
    /// The machine lacks what it needs (a skip, loudly; a failure under `CI=true`).
    Missing(String),
}

impl Availability {
    /// The reason recorded on every skipped result, `None` when ready.
    pub fn skip_reason(&self) -> Option<String> {
        match self {
            Availability::Ready => None,
            Availability::NotBuilt => Some("engine not available".into()),
            Availability::Missing(why) => Some(format!("engine unavailable: {why}")),
        }
    }
}

/// A host directory mounted into the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Host directory.
    pub host: PathBuf,
    /// Absolute guest path.
    pub guest: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// One program to run: natively by its host path, in the guest by its guest path.
#[derive(Clone, Debug, Default)]
pub struct Invocation {
    /// Native: program (host path or a name looked up in the run's `PATH`) and arguments.
    pub native: Vec<String>,
    /// Guest: program (guest path or name) and arguments.
    pub guest: Vec<String>,
    /// Variables added to (or replacing in) [`DEFAULT_ENV`] natively.
    pub native_env: Vec<(String, String)>,
    /// The same for the guest.
    pub guest_env: Vec<(String, String)>,
    /// Directories the guest needs besides the scratch directory.
    pub mounts: Vec<Mount>,
}

/// Runs invocations natively or under an engine, each in a fresh scratch directory.
#[derive(Clone, Debug)]
pub struct Launcher {
    /// The `sbx` executable.
    pub sbx: PathBuf,
    /// Scratch directories are created (and removed) under this directory.
    pub scratch_root: PathBuf,
}

/// Why a run could not happen at all.
#[derive(Debug)]
pub struct LaunchError(pub String);

impl Launcher {
    /// Runs `inv` natively (`engine` = `None`) or under `engine`, killed after `timeout`.
    pub fn run(
        &self,
        inv: &Invocation,
        engine: Option<Engine>,
        timeout: Duration,
    ) -> Result<Output, LaunchError> {
        let scratch = Scratch::new(&self.scratch_root)?;
        let cmd = match engine {
            None => native_command(inv, scratch.path())?,
            Some(e) => self.guest_command(inv, e, scratch.path())?,
        };
        let shown = format!("{cmd:?}");
        exec::run(cmd, timeout).map_err(|e| LaunchError(format!("cannot run {shown}: {e}")))
    }

    fn guest_command(
        &self,
        inv: &Invocation,
        engine: Engine,
        scratch: &Path,
    ) -> Result<Command, LaunchError> {
        if inv.guest.is_empty() {
            return Err(LaunchError("empty guest command".into()));
        }
        let mut c = Command::new(&self.sbx);
        c.args(["run", "--platform", engine.as_str()]);
        let mut mounts = inv.mounts.clone();
        mounts.push(Mount {
            host: scratch.to_path_buf(),
            guest: GUEST_SCRATCH.into(),
            read_only: false,
        });
        for m in &mounts {
            let ro = if m.read_only { ":ro" } else { "" };
            c.arg("-v")
                .arg(format!("{}:{}{ro}", m.host.display(), m.guest));
        }
        for (k, v) in &inv.guest_env {
            c.arg("-e").arg(format!("{k}={v}"));
        }
        c.args(["-w", GUEST_SCRATCH, "--"]).args(&inv.guest);
        // sbx itself gets the same clean environment; the guest's comes from its defaults + -e.
        c.env_clear().envs(DEFAULT_ENV).current_dir(scratch);
        Ok(c)
    }
}

/// `env(1)`, which sets variables in the order given; `Command::envs` would sort them, and a
/// case that prints `environ` must see sbx's order (PATH, HOME, TERM, then additions).
const ENV_PROGRAM: &str = "/usr/bin/env";

fn native_command(inv: &Invocation, scratch: &Path) -> Result<Command, LaunchError> {
    if inv.native.is_empty() || inv.native[0].contains('=') {
        return Err(LaunchError(format!("bad native command {:?}", inv.native)));
    }
    let mut c = Command::new(ENV_PROGRAM);
    c.arg("-i");
    for (k, v) in ordered_env(&inv.native_env) {
        c.arg(format!("{k}={v}"));
    }
    c.args(&inv.native)
        .env_clear()
        .envs(DEFAULT_ENV)
        .current_dir(scratch);
    Ok(c)
}

/// [`DEFAULT_ENV`] with `extra` applied the way `sbx run -e` does: a variable that is already
/// there keeps its place and takes the new value; others are appended in order.
pub fn ordered_env(extra: &[(String, String)]) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = DEFAULT_ENV
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    for (k, v) in extra {
        match env.iter_mut().find(|(ek, _)| ek == k) {
            Some(slot) => slot.1 = v.clone(),
            None => env.push((k.clone(), v.clone())),
        }
    }
    env
}

/// A fresh, empty scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(root: &Path) -> Result<Scratch, LaunchError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let p = root.join(format!("run-{}-{n}", std::process::id()));
        // A leftover from a crashed earlier run with the same pid would not be empty.
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p)
            .map_err(|e| LaunchError(format!("cannot create {}: {e}", p.display())))?;
        Ok(Scratch(p))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms() {
        assert_eq!(
            Engine::parse_platform("all"),
            Some(vec![Engine::Kvm, Engine::Bt])
        );
        assert_eq!(Engine::parse_platform("bt"), Some(vec![Engine::Bt]));
        assert_eq!(Engine::parse_platform("qemu"), None);
        assert_eq!(Engine::Bt.availability(), Availability::NotBuilt);
        assert_eq!(
            Availability::NotBuilt.skip_reason().unwrap(),
            "engine not available"
        );
    }

    #[test]
    fn native_run_has_clean_env_and_empty_scratch_cwd() {
        let root = tempfile::tempdir().unwrap();
        let l = Launcher {
            sbx: "/nonexistent".into(),
            scratch_root: root.path().to_path_buf(),
        };
        let inv = Invocation {
            native: vec![
                "/bin/sh".into(),
                "-c".into(),
                "env | sort; ls -A; pwd".into(),
            ],
            native_env: vec![("EXTRA".into(), "1".into())],
            ..Invocation::default()
        };
        let o = l.run(&inv, None, Duration::from_secs(10)).unwrap();
        let text = String::from_utf8(o.stdout).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        // `sh` adds PWD (and maybe SHLVL/_); what we pass is exactly the default plus EXTRA.
        for want in [
            "EXTRA=1",
            "HOME=/root",
            "TERM=xterm",
            &format!("PATH={GUEST_PATH}"),
        ] {
            assert!(lines.contains(&want), "{text}");
        }
        let o = l
            .run(
                &Invocation {
                    native: vec!["/bin/cat".into(), "/proc/self/environ".into()],
                    native_env: vec![("PATH".into(), "/x".into()), ("Z".into(), "1".into())],
                    ..Invocation::default()
                },
                None,
                Duration::from_secs(10),
            )
            .unwrap();
        assert_eq!(o.stdout, b"PATH=/x\0HOME=/root\0TERM=xterm\0Z=1\0");
        assert!(!text.contains("CARGO"), "{text}");
        let cwd = lines.last().unwrap();
        assert!(cwd.starts_with(root.path().to_str().unwrap()), "{text}");
        // The scratch directory is gone afterwards.
        assert!(!Path::new(cwd).exists());
    }

    #[test]
    fn guest_command_line() {
        let l = Launcher {
            sbx: "/x/sbx".into(),
            scratch_root: "/tmp".into(),
        };
        let inv = Invocation {
            guest: vec!["/cases/fs/open".into()],
            guest_env: vec![("A".into(), "b".into())],
            mounts: vec![Mount {
                host: "/bin/glibc".into(),
                guest: "/cases".into(),
                read_only: true,
            }],
            ..Invocation::default()
        };
        let c = l
            .guest_command(&inv, Engine::Kvm, Path::new("/tmp/s1"))
            .unwrap();
        let args: Vec<String> = c
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "run",
                "--platform",
                "kvm",
                "-v",
                "/bin/glibc:/cases:ro",
                "-v",
                "/tmp/s1:/scratch",
                "-e",
                "A=b",
                "-w",
                "/scratch",
                "--",
                "/cases/fs/open"
            ]
        );
    }
}
