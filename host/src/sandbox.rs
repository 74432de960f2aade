//! Building and running a sandbox: the embedding API behind `sbx run`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sbx_kernel::engine::{EngineError, Machine, Regs};
use sbx_kernel::fd::FdTable;
use sbx_kernel::futex::FutexTable;
use sbx_kernel::mm::Mm;
use sbx_kernel::process::{send_to_process, ProcTable};
use sbx_kernel::signal::{SigInfo, Signal};
use sbx_kernel::spawn::{start_thread, HostThreads};
use sbx_kernel::task::{ExitStatus, Process, ProcessState, Task, Thread};
use sbx_kernel::vfs::{FsContext, Vfs};
use sbx_kernel::wait::{Waiter, Wake};
use sbx_kernel::{Errno, Kernel};

/// Which engine runs guest code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Platform {
    /// KVM when available (the only engine so far).
    #[default]
    Auto,
    /// KVM.
    Kvm,
}

/// A host directory mounted into the sandbox.
#[derive(Clone, Debug)]
pub struct Mount {
    /// Host directory.
    pub host: PathBuf,
    /// Absolute guest path.
    pub guest: String,
    /// Mounted read-only.
    pub read_only: bool,
}

/// Why a sandbox could not run the program (each maps to docker's exit code).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The program does not exist in the sandbox (exit 127).
    #[error("{0}: no such file or directory")]
    NotFound(String),
    /// The program exists but cannot be executed (exit 126).
    #[error("{path}: cannot execute: {reason}")]
    NotExecutable {
        /// The program path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The engine is unavailable or failed (exit 125).
    #[error("{0}")]
    Engine(#[from] EngineError),
    /// Bad configuration (exit 125).
    #[error("{0}")]
    Config(String),
}

impl SandboxError {
    /// The exit status `sbx run` reports for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            SandboxError::NotFound(_) => 127,
            SandboxError::NotExecutable { .. } => 126,
            SandboxError::Engine(_) | SandboxError::Config(_) => 125,
        }
    }
}

/// Configuration of one sandbox.
#[derive(Clone, Debug)]
pub struct SandboxBuilder {
    platform: Platform,
    mounts: Vec<Mount>,
    env: Vec<(String, String)>,
    workdir: String,
    strace: bool,
    memory: u64,
    cpu: crate::kvm::CpuProfile,
    hostname: String,
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            platform: Platform::Auto,
            mounts: Vec::new(),
            env: Vec::new(),
            workdir: "/".into(),
            strace: false,
            memory: 2 << 30,
            cpu: crate::kvm::CpuProfile::Host,
            hostname: "sbx".into(),
        }
    }
}

/// Default environment, as docker gives a container.
const DEFAULT_ENV: [(&str, &str); 3] = [
    (
        "PATH",
        "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    ),
    ("HOME", "/root"),
    ("TERM", "xterm"),
];

impl SandboxBuilder {
    /// Chooses the engine.
    pub fn platform(mut self, p: Platform) -> Self {
        self.platform = p;
        self
    }
    /// Adds a host directory mount.
    pub fn mount(mut self, m: Mount) -> Self {
        self.mounts.push(m);
        self
    }
    /// Sets an environment variable (replacing a default of the same name).
    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
        self
    }
    /// Sets the working directory inside the sandbox.
    pub fn workdir(mut self, dir: &str) -> Self {
        self.workdir = dir.into();
        self
    }
    /// Prints one line per syscall on stderr.
    pub fn strace(mut self, on: bool) -> Self {
        self.strace = on;
        self
    }
    /// Limits guest memory (bytes).
    pub fn memory(mut self, bytes: u64) -> Self {
        self.memory = bytes;
        self
    }
    /// Chooses the CPU profile.
    pub fn cpu(mut self, cpu: crate::kvm::CpuProfile) -> Self {
        self.cpu = cpu;
        self
    }

    fn environment(&self) -> Vec<Vec<u8>> {
        let mut env: Vec<(String, String)> = DEFAULT_ENV
            .iter()
            .filter(|(k, _)| !self.env.iter().any(|(e, _)| e == k))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.extend(self.env.iter().cloned());
        env.into_iter()
            .map(|(k, v)| format!("{k}={v}").into_bytes())
            .collect()
    }

    /// Runs `program` with `args` (argv[1..]) and waits for the sandbox to finish.
    pub fn run(&self, program: &str, args: &[String]) -> Result<ExitStatus, SandboxError> {
        self.spawn(program, args)?.wait()
    }

    /// Starts `program` with `args` (argv[1..]) as the sandbox's first process (pid 1) and
    /// returns a handle to signal, kill or wait for the sandbox.
    pub fn spawn(&self, program: &str, args: &[String]) -> Result<RunningSandbox, SandboxError> {
        let machine: Arc<dyn Machine> = match self.platform {
            Platform::Auto | Platform::Kvm => {
                Arc::new(crate::kvm::KvmMachine::new(self.memory, self.cpu)?)
            }
        };
        let vfs = Vfs::new_default().map_err(|e| SandboxError::Config(e.to_string()))?;
        for m in &self.mounts {
            vfs.mount_host(m.guest.as_bytes(), &m.host, m.read_only)
                .map_err(|e| {
                    SandboxError::Config(format!("mount {} -> {}: {e}", m.host.display(), m.guest))
                })?;
        }
        let kernel = Arc::new(Kernel {
            machine: machine.clone(),
            vfs: Arc::new(vfs),
            table: Arc::new(sbx_syscalls::build_table()),
            strace: self.strace,
            boot: Instant::now(),
            hostname: self.hostname.clone().into_bytes(),
            procs: ProcTable::default(),
            futexes: FutexTable::default(),
            host_threads: HostThreads::default(),
            timers: Default::default(),
            tty: Default::default(),
            ipc: Default::default(),
        });
        let pid = kernel
            .procs
            .alloc_id()
            .map_err(|e| SandboxError::Config(format!("process table: {e}")))?;
        let process = Process::new(pid, 0, ProcessState::initial(pid));
        let thread = Thread::new(pid, 0);
        let mm = Mm::new(machine.phys().clone(), machine.template())
            .map_err(|e| SandboxError::Config(format!("address space: {e}")))?;
        let mut fs = FsContext::new(&kernel.vfs);
        fs.chdir(&kernel.vfs, self.workdir.as_bytes())
            .map_err(|e| {
                SandboxError::Config(format!("working directory {}: {e}", self.workdir))
            })?;
        let mut task = Task::new(
            kernel.clone(),
            process.clone(),
            thread.clone(),
            mm.into_shared(),
            Arc::new(Mutex::new(FdTable::with_stdio())),
            Arc::new(Mutex::new(fs)),
            Regs::default(),
        );
        let env = self.environment();
        let path = self.find_program(&task, program, &env)?;
        let mut argv = vec![program.as_bytes().to_vec()];
        argv.extend(args.iter().map(|a| a.as_bytes().to_vec()));
        if let Err(e) = sbx_syscalls::exec::execve(&mut task, &path, argv, env) {
            return Err(exec_error(&task, program, &path, e));
        }
        kernel.procs.add_process(&process);
        process.state().threads.push(thread);
        start_thread(&kernel, task).map_err(|e| {
            SandboxError::Engine(EngineError::Host(format!("starting the first thread: {e}")))
        })?;
        Ok(RunningSandbox {
            kernel,
            init: process,
        })
    }

    /// Resolves a bare command name through the guest's PATH, as docker does.
    fn find_program(
        &self,
        task: &Task,
        program: &str,
        env: &[Vec<u8>],
    ) -> Result<Vec<u8>, SandboxError> {
        if program.contains('/') {
            return Ok(program.as_bytes().to_vec());
        }
        let path = env
            .iter()
            .find_map(|e| e.strip_prefix(b"PATH="))
            .unwrap_or(b"");
        let cred = task.fs_cred();
        for dir in path.split(|b| *b == b':').filter(|d| !d.is_empty()) {
            let mut candidate = dir.to_vec();
            candidate.push(b'/');
            candidate.extend_from_slice(program.as_bytes());
            let fs = task.fs();
            if task.kernel.vfs.open_exec(&fs, &cred, &candidate).is_ok() {
                return Ok(candidate);
            }
        }
        Err(SandboxError::NotFound(program.into()))
    }
}

/// Turns an exec failure of the first program into a user-facing error, naming the ELF
/// problem when the file was refused as a format error.
fn exec_error(task: &Task, program: &str, resolved: &[u8], e: Errno) -> SandboxError {
    let path = program.to_string();
    match e {
        Errno::ENOENT | Errno::ENOTDIR => SandboxError::NotFound(path),
        Errno::ENOEXEC => {
            let cred = task.fs_cred();
            let detail = {
                let fs = task.fs();
                task.kernel.vfs.open_exec(&fs, &cred, resolved).ok()
            };
            let reason = match detail.map(|(bytes, _)| sbx_loaders::parse(&bytes)) {
                Some(Err(err)) => err.to_string(),
                _ => "exec format error (sbx runs x86-64 Linux ELF programs and #! scripts)".into(),
            };
            SandboxError::NotExecutable { path, reason }
        }
        Errno::EACCES => SandboxError::NotExecutable {
            path,
            reason: "permission denied".into(),
        },
        other => SandboxError::NotExecutable {
            path,
            reason: format!("{other}"),
        },
    }
}

/// A sandbox whose first process is running.
pub struct RunningSandbox {
    kernel: Arc<Kernel>,
    init: Arc<Process>,
}

impl RunningSandbox {
    /// Sends `sig` to the terminal's foreground process group (what Ctrl-C at a terminal
    /// does): the first process's group unless a shell moved another job to the foreground.
    pub fn signal(&self, sig: i32) {
        let Some(sig) = Signal::new(sig) else {
            return;
        };
        let pgid = self.kernel.tty.foreground();
        let info = SigInfo::from_sender(sig, sbx_kernel::signal::SI_KERNEL, 0, 0);
        for p in self.kernel.procs.processes() {
            if p.state().pgid == pgid {
                send_to_process(&self.kernel.procs, &p, info);
            }
        }
    }

    /// Kills every process of the sandbox (SIGKILL).
    pub fn kill(&self) {
        self.kernel.procs.kill_all();
    }

    /// Waits until every guest thread has ended, at most until `deadline`; returns false when
    /// the deadline came first.
    pub fn wait_until(&self, deadline: Option<Instant>) -> bool {
        let waiter = Waiter::new();
        let target: Arc<dyn Wake> = waiter.clone();
        let _reg = self.kernel.procs.all_gone.register(&target, !0);
        loop {
            waiter.reset();
            if self.kernel.procs.live_threads() == 0 {
                return true;
            }
            if !waiter.wait(deadline) && self.kernel.procs.live_threads() != 0 {
                return false;
            }
        }
    }

    /// Waits for the sandbox to end and returns its first process's status. Every host thread
    /// the sandbox used has been joined when this returns.
    pub fn wait(self) -> Result<ExitStatus, SandboxError> {
        self.finish()
    }

    /// Like [`RunningSandbox::wait`], for a shared handle.
    pub fn finish(&self) -> Result<ExitStatus, SandboxError> {
        self.wait_until(None);
        self.kernel.host_threads.join_all();
        self.kernel.timers.shutdown();
        if let Some(e) = self.kernel.host_threads.error() {
            return Err(SandboxError::Engine(EngineError::Host(e)));
        }
        let status = self.init.state().zombie;
        Ok(status.unwrap_or(ExitStatus::Signaled {
            signal: Signal::SIGKILL.0,
            core: false,
        }))
    }
}

impl Drop for RunningSandbox {
    fn drop(&mut self) {
        // A handle dropped without waiting still tears the sandbox down completely.
        if self.kernel.procs.live_threads() != 0 {
            self.kernel.procs.kill_all();
            self.wait_until(None);
        }
        self.kernel.host_threads.join_all();
        self.kernel.timers.shutdown();
    }
}

/// A fresh sandbox configuration.
pub struct Sandbox;

impl Sandbox {
    /// Starts building a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }
}
