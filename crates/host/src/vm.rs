//! Running an FPVM build of the client on koa's own fault proof VMs, in process: the machine's
//! preimage oracle calls the host's preimage fetcher and hint router directly (no pipes), so a
//! run counts every step exactly as the on-chain VM would.

use std::{fmt, time::Instant};

use alloy_primitives::B256;
use koa_preimage::{FetchError, HintRouter, PreimageFetcher, PreimageKey};
use koa_vm::{
    FaultProofVm, OracleError, PreimageOracle, VmError, asterisc,
    cannon::{Cannon, OutputSink, StateVersion, elf::load_elf},
};

/// The keys of the host answering a VM: a [`PreimageFetcher`] and a [`HintRouter`].
pub struct HostOracle<'a, F: ?Sized, R: ?Sized> {
    fetcher: &'a F,
    router: &'a R,
    /// Hints routed.
    pub hints: u64,
    /// Preimages fetched (each request the machine makes).
    pub preimages: u64,
}

impl<'a, F: ?Sized, R: ?Sized> HostOracle<'a, F, R> {
    /// An oracle answering from `fetcher` and routing hints to `router`.
    pub const fn new(fetcher: &'a F, router: &'a R) -> Self {
        Self {
            fetcher,
            router,
            hints: 0,
            preimages: 0,
        }
    }
}

impl<F: PreimageFetcher + ?Sized, R: HintRouter + ?Sized> PreimageOracle for HostOracle<'_, F, R> {
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        let hint = std::str::from_utf8(hint)
            .map_err(|_| OracleError::Host("the program sent a hint that is not UTF-8".into()))?;
        self.hints += 1;
        self.router
            .route_hint(hint)
            .map_err(|err| OracleError::Host(err.to_string()))
    }

    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        self.preimages += 1;
        let preimage_key = PreimageKey::try_from(key.0)
            .map_err(|err| OracleError::Host(format!("invalid preimage key {key}: {err}")))?;
        self.fetcher
            .get_preimage(preimage_key)
            .map_err(|err| match err {
                FetchError::NotFound(_) => OracleError::NotFound(key),
                other => OracleError::Host(other.to_string()),
            })
    }
}

/// The last bytes the program wrote to stdout and to stderr (for the log, the summary and
/// error messages).
#[derive(Default)]
struct Output {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

/// The most of each stream kept from a VM run.
const OUTPUT_LIMIT: usize = 1 << 20;

impl Output {
    fn take(shared: &std::sync::Mutex<Self>) -> Self {
        std::mem::take(&mut *shared.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

struct SharedOutput(std::sync::Arc<std::sync::Mutex<Output>>);

impl OutputSink for SharedOutput {
    fn write(&mut self, fd: u64, bytes: &[u8]) {
        let mut out = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let stream = match fd {
            1 => &mut out.stdout,
            2 => &mut out.stderr,
            _ => return,
        };
        stream.extend_from_slice(bytes);
        if stream.len() > OUTPUT_LIMIT {
            let cut = stream.len() - OUTPUT_LIMIT;
            stream.drain(..cut);
        }
    }
}

/// Which of koa's VMs runs the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultProofVmKind {
    /// Cannon's multithreaded MIPS64 at state version 8.
    Cannon,
    /// Asterisc's RV64IMA.
    Asterisc,
}

/// How a VM run ended.
#[derive(Debug, Clone)]
pub struct VmRun {
    /// The program's exit code.
    pub exit_code: u8,
    /// Steps executed.
    pub steps: u64,
    /// Distinct preimages the VM fetched.
    pub preimages: u64,
    /// Hints routed.
    pub hints: u64,
    /// The prestate hash (the ELF loaded).
    pub prestate_hash: B256,
    /// The final state hash.
    pub state_hash: B256,
    /// The program's stdout (its last MiB).
    pub stdout: Vec<u8>,
    /// The program's stderr (its last MiB).
    pub stderr: Vec<u8>,
    /// Seconds spent stepping.
    pub seconds: f64,
}

/// Why a VM run did not reach the program's exit.
#[derive(Debug)]
pub enum VmRunError {
    /// The ELF cannot be loaded.
    Load(VmError),
    /// A step raised an exception or the host failed.
    Step {
        /// The step that failed.
        step: u64,
        /// The program counter of the step.
        pc: u64,
        /// Why.
        error: VmError,
        /// The program's stderr so far.
        stderr: Vec<u8>,
    },
    /// The step limit was reached.
    StepLimit(u64),
}

impl fmt::Display for VmRunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Load(err) => write!(f, "cannot load the ELF: {err}"),
            Self::Step {
                step, pc, error, ..
            } => {
                write!(f, "the VM stopped at step {step} (pc {pc:#x}): {error}")
            }
            Self::StepLimit(n) => write!(f, "the program did not exit within {n} steps"),
        }
    }
}

impl std::error::Error for VmRunError {}

/// Loads `elf` into a prestate and runs it on `kind` to its exit (or `max_steps`).
pub fn run_vm<F, R>(
    kind: FaultProofVmKind,
    elf: &[u8],
    fetcher: &F,
    router: &R,
    max_steps: u64,
) -> Result<VmRun, VmRunError>
where
    F: PreimageFetcher + ?Sized,
    R: HintRouter + ?Sized,
{
    match kind {
        FaultProofVmKind::Cannon => run_cannon(elf, fetcher, router, max_steps),
        FaultProofVmKind::Asterisc => run_asterisc(elf, fetcher, router, max_steps),
    }
}

/// Steps run between checks of the step limit.
const CHUNK: u64 = 1 << 24;

/// Runs `machine` in chunks of [`CHUNK`] steps (`run_chunk`, the machine's fast path) until it
/// exits or `max_steps` have run; the seconds spent. On a failed step, `stderr` takes what the
/// program wrote for the error.
fn drive<M: FaultProofVm, O>(
    machine: &mut M,
    oracle: &mut O,
    max_steps: u64,
    mut run_chunk: impl FnMut(&mut M, &mut O, u64) -> Result<(), VmError>,
    stderr: impl FnOnce(&mut M) -> Vec<u8>,
) -> Result<f64, VmRunError> {
    let started = Instant::now();
    while !machine.exited() {
        let done = machine.step_count();
        if done >= max_steps {
            return Err(VmRunError::StepLimit(max_steps));
        }
        if let Err(error) = run_chunk(machine, oracle, CHUNK.min(max_steps - done)) {
            return Err(VmRunError::Step {
                step: machine.step_count(),
                pc: machine.pc(),
                error,
                stderr: stderr(machine),
            });
        }
        tracing::debug!(target: "koa::vm", steps = machine.step_count(), "running");
    }
    Ok(started.elapsed().as_secs_f64())
}

fn run_cannon<F, R>(
    elf: &[u8],
    fetcher: &F,
    router: &R,
    max_steps: u64,
) -> Result<VmRun, VmRunError>
where
    F: PreimageFetcher + ?Sized,
    R: HintRouter + ?Sized,
{
    let mut state = load_elf(elf).map_err(VmRunError::Load)?;
    let prestate_hash = state.state_hash();
    let mut machine = Cannon::new(state, StateVersion::DEFAULT);
    let output = std::sync::Arc::new(std::sync::Mutex::new(Output::default()));
    machine.set_output(Box::new(SharedOutput(std::sync::Arc::clone(&output))));
    let mut oracle = HostOracle::new(fetcher, router);
    let seconds = drive(
        &mut machine,
        &mut oracle,
        max_steps,
        |m, o, n| m.run(o, n).map(drop),
        |_| Output::take(&output).stderr,
    )?;
    let state_hash = machine.state_hash();
    let Output { stdout, stderr } = Output::take(&output);
    Ok(VmRun {
        exit_code: machine.exit_code(),
        steps: machine.step_count(),
        preimages: machine.preimages_fetched(),
        hints: oracle.hints,
        prestate_hash,
        state_hash,
        stdout,
        stderr,
        seconds,
    })
}

fn run_asterisc<F, R>(
    elf: &[u8],
    fetcher: &F,
    router: &R,
    max_steps: u64,
) -> Result<VmRun, VmRunError>
where
    F: PreimageFetcher + ?Sized,
    R: HintRouter + ?Sized,
{
    let mut machine = asterisc::Machine::from_elf(elf)
        .map_err(|err| VmRunError::Load(VmError::InvalidProgram(err.to_string())))?;
    let prestate_hash = machine.state.state_hash();
    let mut oracle = HostOracle::new(fetcher, router);
    let seconds = drive(
        &mut machine,
        &mut oracle,
        max_steps,
        |m, o, n| m.run(o, n).map(drop).map_err(VmError::from),
        |m| m.output.take().1,
    )?;
    let (stdout, stderr) = machine.output.take();
    Ok(VmRun {
        exit_code: machine.state.exit_code,
        steps: machine.state.step,
        preimages: oracle.preimages,
        hints: oracle.hints,
        prestate_hash,
        state_hash: machine.state.state_hash(),
        stdout,
        stderr,
        seconds,
    })
}
