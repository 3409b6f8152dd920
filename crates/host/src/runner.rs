//! Runs an FPVM program as a child process with its preimage file descriptors served by the
//! host: under `qemu-riscv64` / `qemu-mips64` (Debian `qemu-user`) or natively.
//!
//! The child gets fds 3 (hint read), 4 (hint write), 5 (preimage read) and 6 (preimage write),
//! each one end of an OS pipe. The host serves the oracle and hint protocols on two threads.
//! The host closes its copies of the child's ends right after spawning, so when the child exits
//! both servers see end-of-stream and finish; when a server fails it drops its ends, so the child
//! sees end-of-stream (or `EPIPE`) instead of blocking forever.

use koa_preimage::{
    HintReader, HintRouter, OracleServer, PipeChannel, PreimageFetcher, ServerError,
};
use std::{
    io::{self, Read},
    os::{
        fd::{AsRawFd, FromRawFd, OwnedFd, RawFd},
        unix::process::{CommandExt, ExitStatusExt},
    },
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    thread,
    time::{Duration, Instant},
};

/// How long a program may run unless [`ClientRunner::timeout`] says otherwise: a proof of a
/// large range under qemu takes minutes, a hung one never ends.
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// How much of each of the child's output streams [`RunOutcome`] keeps: the last bytes, where
/// a failing program's last words are. The rest is read and dropped, so a chatty program
/// neither blocks on a full pipe nor fills the host's memory.
pub const MAX_CAPTURED_OUTPUT: usize = 1 << 20;

/// Where the program runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vm {
    /// A RISC-V 64 ELF (Asterisc) under `qemu-riscv64`.
    Riscv64,
    /// A big-endian MIPS64 ELF (Cannon) under `qemu-mips64`.
    Mips64,
    /// A host executable, run directly.
    Native,
}

impl Vm {
    /// The `qemu-user` emulator for this VM, if any.
    pub const fn qemu(self) -> Option<&'static str> {
        match self {
            Self::Riscv64 => Some("qemu-riscv64"),
            Self::Mips64 => Some("qemu-mips64"),
            Self::Native => None,
        }
    }
}

/// Why a program could not be run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Creating pipes or duplicating descriptors failed.
    #[error("setting up the preimage pipes failed: {0}")]
    Pipes(io::Error),
    /// The child could not be started (e.g. the emulator is not installed).
    #[error("starting {program} failed")]
    Spawn {
        /// The executable that failed to start.
        program: PathBuf,
        /// The OS error.
        source: io::Error,
    },
    /// Waiting for the child failed.
    #[error("waiting for the child failed: {0}")]
    Wait(io::Error),
    /// The child ran longer than the configured limit and was killed.
    #[error("the program did not finish within {0:?} and was killed")]
    Timeout(Duration),
    /// A server thread panicked.
    #[error("the {0} server thread panicked")]
    ServerPanicked(&'static str),
}

/// How a run ended.
#[derive(Debug)]
pub struct RunOutcome {
    /// The child's exit status.
    pub status: ExitStatus,
    /// The last [`MAX_CAPTURED_OUTPUT`] bytes the child wrote to stdout.
    pub stdout: Vec<u8>,
    /// The last [`MAX_CAPTURED_OUTPUT`] bytes the child wrote to stderr.
    pub stderr: Vec<u8>,
    /// How many earlier bytes of stdout were dropped.
    pub stdout_dropped: u64,
    /// How many earlier bytes of stderr were dropped.
    pub stderr_dropped: u64,
    /// How the oracle server ended: `Ok` if the child closed the stream at a message boundary.
    pub oracle: Result<(), ServerError>,
    /// How the hint server ended.
    pub hints: Result<(), ServerError>,
}

impl RunOutcome {
    /// The exit code, or `None` if the child was killed by a signal.
    pub fn exit_code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Whether the program exited with code 0 and both servers shut down cleanly.
    pub fn succeeded(&self) -> bool {
        self.status.success() && self.oracle.is_ok() && self.hints.is_ok()
    }

    /// A one-line description for logs and test failures.
    pub fn summary(&self) -> String {
        let end: String = match (self.status.code(), self.status.signal()) {
            (Some(code), _) => format!("exit code {code}"),
            (None, Some(signal)) => format!("killed by signal {signal}"),
            (None, None) => "unknown exit status".into(),
        };
        format!(
            "{end}; oracle server: {:?}; hint server: {:?}; stderr: {:?}",
            self.oracle,
            self.hints,
            String::from_utf8_lossy(&self.stderr).trim_end()
        )
    }
}

/// A program to run against the host's preimage server.
#[derive(Debug, Clone)]
pub struct ClientRunner {
    program: PathBuf,
    vm: Vm,
    emulator: Option<PathBuf>,
    args: Vec<String>,
    timeout: Duration,
}

/// The descriptor numbers the child sees, in the order the pipes are created.
const CHILD_HINT_READ: RawFd = 3;
const CHILD_HINT_WRITE: RawFd = 4;
const CHILD_PREIMAGE_READ: RawFd = 5;
const CHILD_PREIMAGE_WRITE: RawFd = 6;

/// Host and child ends of the four pipes.
struct Plumbing {
    host_hints: PipeChannel,
    host_oracle: PipeChannel,
    /// `(child-side descriptor, number it must have in the child)`.
    child_ends: Vec<(OwnedFd, RawFd)>,
}

/// Duplicates `fd` to a close-on-exec descriptor numbered 10 or higher, so that `dup2` onto 3..=6
/// in the child can never overwrite another source descriptor.
fn dup_high(fd: OwnedFd) -> io::Result<OwnedFd> {
    // SAFETY: `fcntl(F_DUPFD_CLOEXEC)` on a valid descriptor has no memory effects.
    let raw: RawFd = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a freshly duplicated descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

impl Plumbing {
    fn new() -> io::Result<Self> {
        let (child_hint_read, host_hint_write) = io::pipe()?;
        let (host_hint_read, child_hint_write) = io::pipe()?;
        let (child_preimage_read, host_preimage_write) = io::pipe()?;
        let (host_preimage_read, child_preimage_write) = io::pipe()?;
        Ok(Self {
            host_hints: PipeChannel::new(host_hint_read, host_hint_write),
            host_oracle: PipeChannel::new(host_preimage_read, host_preimage_write),
            child_ends: vec![
                (dup_high(child_hint_read.into())?, CHILD_HINT_READ),
                (dup_high(child_hint_write.into())?, CHILD_HINT_WRITE),
                (dup_high(child_preimage_read.into())?, CHILD_PREIMAGE_READ),
                (dup_high(child_preimage_write.into())?, CHILD_PREIMAGE_WRITE),
            ],
        })
    }
}

impl ClientRunner {
    /// Runs `program` on `vm`.
    pub fn new(vm: Vm, program: impl Into<PathBuf>) -> Self {
        Self {
            program: program.into(),
            vm,
            emulator: None,
            args: Vec::new(),
            timeout: DEFAULT_RUN_TIMEOUT,
        }
    }

    /// Uses `emulator` instead of the default `qemu-*` from `PATH`.
    pub fn emulator(mut self, emulator: impl Into<PathBuf>) -> Self {
        self.emulator = Some(emulator.into());
        self
    }

    /// Passes `args` to the program.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Kills the program if it runs longer than `timeout` (a safety net against hangs;
    /// [`DEFAULT_RUN_TIMEOUT`] unless set).
    pub const fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The program path.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The command line: the emulator (if any), the program, its arguments.
    fn command(&self) -> Command {
        let emulator: Option<PathBuf> = self
            .emulator
            .clone()
            .or_else(|| self.vm.qemu().map(PathBuf::from));
        let mut command: Command = match emulator {
            Some(emulator) => {
                let mut command: Command = Command::new(emulator);
                command.arg(&self.program);
                command
            }
            None => Command::new(&self.program),
        };
        command
            .args(&self.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command
    }

    /// Runs the program to completion, serving preimages from `fetcher` and hints to `router`.
    pub fn run<F, R>(&self, fetcher: &F, router: &R) -> Result<RunOutcome, RunError>
    where
        F: PreimageFetcher + Sync + ?Sized,
        R: HintRouter + Sync + ?Sized,
    {
        let Plumbing {
            host_hints,
            host_oracle,
            child_ends,
        } = Plumbing::new().map_err(RunError::Pipes)?;
        let mut command: Command = self.command();
        let mapping: Vec<(RawFd, RawFd)> = child_ends
            .iter()
            .map(|(fd, target)| (fd.as_raw_fd(), *target))
            .collect();
        // SAFETY: the closure only calls `dup2`, which is async-signal-safe, and allocates
        // nothing. Sources are >= 10 and targets are 3..=6, so no source is overwritten; `dup2`
        // clears close-on-exec on the targets while the sources close at exec.
        unsafe {
            command.pre_exec(move || {
                for &(source, target) in &mapping {
                    if libc::dup2(source, target) < 0 {
                        return Err(io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let spawned: io::Result<Child> = command.spawn();
        // The child has its copies now; ours must go so the servers see EOF when it exits.
        drop(child_ends);
        let mut child: Child = spawned.map_err(|source| RunError::Spawn {
            program: PathBuf::from(command.get_program()),
            source,
        })?;
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();

        thread::scope(|scope| {
            let oracle = scope.spawn(move || OracleServer::new(host_oracle).serve(fetcher));
            let hints = scope.spawn(move || HintReader::new(host_hints).serve(router));
            let stdout = scope.spawn(move || drain(stdout));
            let stderr = scope.spawn(move || drain(stderr));
            let status: Result<ExitStatus, RunError> = self.wait(&mut child);
            // Once the child is gone (or killed), every pipe end it held is closed, so the
            // threads below finish.
            let oracle = oracle
                .join()
                .map_err(|_| RunError::ServerPanicked("oracle"))?;
            let hints = hints.join().map_err(|_| RunError::ServerPanicked("hint"))?;
            let (stdout, stdout_dropped) = stdout.join().unwrap_or_default();
            let (stderr, stderr_dropped) = stderr.join().unwrap_or_default();
            let status: ExitStatus = status?;
            if let Err(error) = &oracle {
                tracing::warn!(target: "koa::host", error = error as &dyn std::error::Error, "oracle server stopped with an error");
            }
            if let Err(error) = &hints {
                tracing::warn!(target: "koa::host", error = error as &dyn std::error::Error, "hint server stopped with an error");
            }
            Ok(RunOutcome {
                status,
                stdout,
                stderr,
                stdout_dropped,
                stderr_dropped,
                oracle,
                hints,
            })
        })
    }

    /// Waits for the child, killing it after the timeout.
    ///
    /// Whenever this returns an error the child has been killed: the server and output threads
    /// only finish once the child's pipe ends are closed, so a child left running would hang
    /// the run.
    fn wait(&self, child: &mut Child) -> Result<ExitStatus, RunError> {
        let deadline: Option<Instant> = Instant::now().checked_add(self.timeout);
        loop {
            match child.try_wait() {
                Ok(Some(status)) => return Ok(status),
                Ok(None) => {}
                Err(error) => {
                    kill(child);
                    return Err(RunError::Wait(error));
                }
            }
            if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                kill(child);
                return Err(RunError::Timeout(self.timeout));
            }
            thread::sleep(Duration::from_millis(5));
        }
    }
}

/// Kills the child and reaps it if it can; killing closes its pipe ends, which releases the
/// server and output threads.
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.try_wait();
}

/// Reads a child's output stream to the end, keeping its last [`MAX_CAPTURED_OUTPUT`] bytes;
/// returns them and how many bytes before them were dropped.
fn drain(stream: Option<impl Read>) -> (Vec<u8>, u64) {
    let Some(mut stream) = stream else {
        return (Vec::new(), 0);
    };
    let mut kept: Vec<u8> = Vec::new();
    let mut dropped: u64 = 0;
    let mut buf: Vec<u8> = vec![0; 64 << 10];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => kept.extend_from_slice(&buf[..n]),
            Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
            Err(_) => break,
        }
        // Trim only once twice the limit has built up, so trimming stays linear overall.
        if kept.len() > 2 * MAX_CAPTURED_OUTPUT {
            let excess: usize = kept.len() - MAX_CAPTURED_OUTPUT;
            kept.drain(..excess);
            dropped += excess as u64;
        }
    }
    if kept.len() > MAX_CAPTURED_OUTPUT {
        let excess: usize = kept.len() - MAX_CAPTURED_OUTPUT;
        kept.drain(..excess);
        dropped += excess as u64;
    }
    (kept, dropped)
}
