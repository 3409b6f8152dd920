//! `koa vm`: koa's Cannon MIPS64 fault proof VM with `cannon`'s command line.
//!
//! - `koa vm load-elf --path ELF --out prestate.bin.gz` builds the initial state of a program
//!   (`cannon load-elf`) and prints its hash (the absolute prestate).
//! - `koa vm witness --input STATE` prints a state's hash and step.
//! - `koa vm run --input STATE … -- <host command>` runs the state with op-challenger's
//!   `cannon run` flags, the host as a child process answering on fds 3–6 (`koa host --server`
//!   or kona-host's), writing proofs, snapshots and the final state in Cannon's formats.
//!
//! State files are Cannon's binary format, gzip-compressed when the name ends in `.gz`.
//! Cannon's JSON state format is not written or read (an error says so).

use std::{
    io::{self, IsTerminal, Write},
    os::{
        fd::{AsRawFd, OwnedFd, RawFd},
        unix::process::CommandExt,
    },
    path::{Path, PathBuf},
    process::{Child, Command, ExitCode, Stdio},
    time::Instant,
};

use alloy_primitives::{B256, hex};
use koa_preimage::{
    HintWriter, HintWriterClient, OracleReader, PipeChannel, PreimageKey, PreimageOracleClient,
    PreimageOracleError,
};
use koa_vm::{
    FaultProofVm, OracleError, PreimageOracle, StepWitness,
    cannon::{
        Cannon, CannonState, StateVersion,
        elf::{Elf, load_elf},
        file::{decode_state, encode_state, gunzip, gzip},
    },
};

use super::CliError;

/// `koa vm` subcommands.
#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: VmCommand,
}

#[derive(Debug, clap::Subcommand)]
enum VmCommand {
    /// Load an ELF into a Cannon state (the prestate), like `cannon load-elf`.
    LoadElf(LoadElfArgs),
    /// Print a state's hash (with the status byte) and step, like `cannon witness`.
    Witness(WitnessArgs),
    /// Run a state, like `cannon run`, with the host as a child on fds 3–6.
    Run(RunArgs),
}

#[derive(Debug, clap::Args)]
struct LoadElfArgs {
    /// The MIPS64 ELF.
    #[arg(long)]
    path: PathBuf,
    /// Where to write the state (`.bin` or `.bin.gz`).
    #[arg(long, default_value = "state.bin.gz")]
    out: PathBuf,
    /// The state version: `multithreaded64-5` (8) or `multithreaded64-4` (7).
    #[arg(long = "type", default_value = "multithreaded64-5")]
    vm_type: String,
    /// Write the ELF's symbols (`{"symbols":[{"name","start","size"}]}`) here.
    #[arg(long)]
    meta: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct WitnessArgs {
    /// The state file.
    #[arg(long)]
    input: PathBuf,
    /// Write the 188-byte witness here.
    #[arg(long)]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The state to start from.
    #[arg(long, default_value = "state.bin.gz")]
    input: PathBuf,
    /// Where to write the final state (empty: nowhere).
    #[arg(long, default_value = "out.bin.gz")]
    output: String,
    /// Steps to write a proof at: `never`, `always`, `=N`, `%N`.
    #[arg(long, default_value = "never")]
    proof_at: String,
    /// Proof file name, `%d` replaced by the step.
    #[arg(long, default_value = "proof-%d.json")]
    proof_fmt: String,
    /// Steps to write a state snapshot at.
    #[arg(long, default_value = "never")]
    snapshot_at: String,
    /// Snapshot file name, `%d` replaced by the step.
    #[arg(long, default_value = "state-%d.bin.gz")]
    snapshot_fmt: String,
    /// Steps to stop at (before executing them).
    #[arg(long, default_value = "never")]
    stop_at: String,
    /// Stop after the step that first fetches this preimage key (`0x…`, an `@offset` suffix is
    /// ignored).
    #[arg(long)]
    stop_at_preimage: Option<String>,
    /// The ELF's metadata (accepted for op-challenger's command line; unused).
    #[arg(long)]
    meta: Option<PathBuf>,
    /// Steps to log progress at.
    #[arg(long, default_value = "%100000000")]
    info_at: String,
    /// Write run statistics (JSON) here at the end.
    #[arg(long)]
    debug_info: Option<PathBuf>,
    /// The host command (after `--`), run with the hint and preimage pipes on fds 3–6.
    #[arg(last = true)]
    host: Vec<String>,
}

/// Runs `koa vm`.
pub(crate) fn run(args: Args) -> Result<ExitCode, CliError> {
    match args.command {
        VmCommand::LoadElf(args) => load_elf_command(args),
        VmCommand::Witness(args) => witness_command(args),
        VmCommand::Run(args) => run_command(args),
    }
}

fn bad(msg: impl Into<String>) -> CliError {
    CliError::BadInput(msg.into())
}

fn read_file(path: &Path) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|err| bad(format!("cannot read {}: {err}", path.display())))
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes)
        .map_err(|err| CliError::Internal(format!("cannot write {}: {err}", path.display())))
}

fn is_json(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".json") || name.ends_with(".json.gz")
}

/// Reads a Cannon binary state file (gzip-compressed if it starts with the gzip magic).
pub(crate) fn read_state(path: &Path) -> Result<(StateVersion, CannonState), CliError> {
    if is_json(path) {
        return Err(bad(format!(
            "{}: Cannon's JSON state format is not supported; use .bin or .bin.gz",
            path.display()
        )));
    }
    let bytes = read_file(path)?;
    let raw = if bytes.starts_with(&[0x1F, 0x8B]) {
        gunzip(&bytes).map_err(|err| bad(format!("{}: {err}", path.display())))?
    } else {
        bytes
    };
    decode_state(&raw).map_err(|err| bad(format!("{}: {err}", path.display())))
}

fn write_state(path: &Path, state: &CannonState, version: StateVersion) -> Result<(), CliError> {
    if is_json(path) {
        return Err(bad(format!(
            "{}: Cannon's JSON state format is not supported; use .bin or .bin.gz",
            path.display()
        )));
    }
    let bytes = encode_state(state, version);
    let bytes = if path.to_string_lossy().ends_with(".gz") {
        gzip(&bytes)
    } else {
        bytes
    };
    write_file(path, &bytes)
}

fn load_elf_command(args: LoadElfArgs) -> Result<ExitCode, CliError> {
    let version = StateVersion::from_name(&args.vm_type).ok_or_else(|| {
        bad(format!(
            "unsupported --type {} (multithreaded64-5 or multithreaded64-4)",
            args.vm_type
        ))
    })?;
    let bytes = read_file(&args.path)?;
    let mut state =
        load_elf(&bytes).map_err(|err| bad(format!("{}: {err}", args.path.display())))?;
    if let Some(meta) = &args.meta {
        let elf = Elf::parse(&bytes).map_err(|err| bad(err.to_string()))?;
        let symbols = elf.symbols().map_err(|err| bad(err.to_string()))?;
        let json = serde_json::json!({
            "symbols": symbols.iter().map(|s| serde_json::json!({
                "name": s.name, "start": s.start, "size": s.size,
            })).collect::<Vec<_>>(),
        });
        write_file(meta, json.to_string().as_bytes())?;
    }
    write_state(&args.out, &state, version)?;
    let hash = state.state_hash();
    println!(
        "{}",
        serde_json::json!({ "pre": hash.to_string(), "step": 0, "version": version as u8 })
    );
    Ok(ExitCode::SUCCESS)
}

fn witness_command(args: WitnessArgs) -> Result<ExitCode, CliError> {
    let (_, mut state) = read_state(&args.input)?;
    let witness = state.encode_witness();
    if let Some(out) = &args.output {
        write_file(out, &witness)?;
    }
    let hash = koa_vm::cannon::witness_hash(&witness);
    println!(
        "{}",
        serde_json::json!({
            "post": hash.to_string(), "step": state.step, "exited": state.exited, "exit": state.exit_code,
        })
    );
    Ok(ExitCode::SUCCESS)
}

/// A step matcher of `cannon run`: `never`, `always`, `=N`, `%N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepMatcher {
    Never,
    Always,
    Exactly(u64),
    Every(u64),
}

impl StepMatcher {
    fn parse(flag: &str, value: &str) -> Result<Self, CliError> {
        let number = |s: &str| {
            s.parse::<u64>()
                .map_err(|_| bad(format!("--{flag} {value}: not never, always, =N or %N")))
        };
        match value {
            "never" | "" => Ok(Self::Never),
            "always" => Ok(Self::Always),
            _ if value.starts_with('=') => Ok(Self::Exactly(number(&value[1..])?)),
            _ if value.starts_with('%') => match number(&value[1..])? {
                0 => Err(bad(format!("--{flag} {value}: %0 matches nothing"))),
                n => Ok(Self::Every(n)),
            },
            _ => Err(bad(format!(
                "--{flag} {value}: not never, always, =N or %N"
            ))),
        }
    }

    const fn matches(self, step: u64) -> bool {
        match self {
            Self::Never => false,
            Self::Always => true,
            Self::Exactly(n) => step == n,
            Self::Every(n) => step.is_multiple_of(n),
        }
    }
}

fn format_step(fmt: &str, step: u64) -> PathBuf {
    PathBuf::from(fmt.replace("%d", &step.to_string()))
}

/// The host as a child process, answering the VM over pipes on its fds 3–6.
struct HostChild {
    child: Option<Child>,
    oracle: Option<OracleReader<PipeChannel>>,
    hints: Option<HintWriter<PipeChannel>>,
}

/// A descriptor duplicated to 10 or above, so that mapping onto 3–6 overwrites nothing.
fn dup_high(fd: OwnedFd) -> io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: F_DUPFD_CLOEXEC on a valid descriptor returns a new descriptor we own.
    let raw = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 10) };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

impl HostChild {
    fn none() -> Self {
        Self {
            child: None,
            oracle: None,
            hints: None,
        }
    }

    fn spawn(command: &[String]) -> Result<Self, CliError> {
        let internal =
            |err: io::Error| CliError::Internal(format!("cannot set up the host pipes: {err}"));
        // The host reads hints on 3 and answers on 4; reads keys on 5 and answers on 6.
        let (host_hint_read, vm_hint_write) = io::pipe().map_err(internal)?;
        let (vm_hint_read, host_hint_write) = io::pipe().map_err(internal)?;
        let (host_key_read, vm_key_write) = io::pipe().map_err(internal)?;
        let (vm_data_read, host_data_write) = io::pipe().map_err(internal)?;
        let ends: Vec<(OwnedFd, RawFd)> = vec![
            (dup_high(host_hint_read.into()).map_err(internal)?, 3),
            (dup_high(host_hint_write.into()).map_err(internal)?, 4),
            (dup_high(host_key_read.into()).map_err(internal)?, 5),
            (dup_high(host_data_write.into()).map_err(internal)?, 6),
        ];
        let mapping: Vec<(RawFd, RawFd)> =
            ends.iter().map(|(fd, t)| (fd.as_raw_fd(), *t)).collect();
        let mut cmd = Command::new(&command[0]);
        cmd.args(&command[1..]).stdin(Stdio::null());
        // SAFETY: only `dup2` (async-signal-safe) runs between fork and exec; the sources are
        // >= 10 and the targets 3–6, so no source is overwritten.
        unsafe {
            cmd.pre_exec(move || {
                for &(source, target) in &mapping {
                    if libc::dup2(source, target) < 0 {
                        return Err(io::Error::last_os_error());
                    }
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .map_err(|err| bad(format!("cannot start the host {:?}: {err}", command[0])))?;
        drop(ends);
        Ok(Self {
            child: Some(child),
            oracle: Some(OracleReader::new(PipeChannel::new(
                vm_data_read,
                vm_key_write,
            ))),
            hints: Some(HintWriter::new(PipeChannel::new(
                vm_hint_read,
                vm_hint_write,
            ))),
        })
    }

    /// Closes the pipes and waits for the host (killing it if it does not exit).
    fn finish(&mut self) {
        self.oracle = None;
        self.hints = None;
        if let Some(mut child) = self.child.take() {
            for _ in 0..50 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for HostChild {
    fn drop(&mut self) {
        self.finish();
    }
}

fn host_error(err: PreimageOracleError) -> OracleError {
    OracleError::Host(format!("the host failed to answer ({err}); did it exit?"))
}

impl PreimageOracle for HostChild {
    fn hint(&mut self, hint: &[u8]) -> Result<(), OracleError> {
        let Some(hints) = &self.hints else {
            return Ok(());
        };
        let hint = std::str::from_utf8(hint)
            .map_err(|_| OracleError::Host("a hint is not UTF-8".into()))?;
        hints.hint(hint).map_err(host_error)
    }

    fn get_preimage(&mut self, key: B256) -> Result<Vec<u8>, OracleError> {
        let Some(oracle) = &self.oracle else {
            return Err(OracleError::NotFound(key));
        };
        let preimage_key = PreimageKey::try_from(key.0)
            .map_err(|err| OracleError::Host(format!("key {key}: {err}")))?;
        oracle.get(preimage_key).map_err(host_error)
    }
}

fn write_proof(path: &Path, step: u64, witness: &StepWitness, post: B256) -> Result<(), CliError> {
    let mut json = serde_json::json!({
        "step": step,
        "pre": witness.state_hash.to_string(),
        "post": post.to_string(),
        "state-data": hex::encode_prefixed(&witness.state),
        "proof-data": hex::encode_prefixed(&witness.proof),
    });
    if let Some(p) = &witness.preimage {
        json["oracle-key"] = serde_json::Value::String(hex::encode_prefixed(p.key));
        json["oracle-value"] = serde_json::Value::String(hex::encode_prefixed(&p.value));
        json["oracle-offset"] = serde_json::Value::from(p.offset);
    }
    write_file(path, json.to_string().as_bytes())
}

fn run_command(args: RunArgs) -> Result<ExitCode, CliError> {
    let proof_at = StepMatcher::parse("proof-at", &args.proof_at)?;
    let snapshot_at = StepMatcher::parse("snapshot-at", &args.snapshot_at)?;
    let stop_at = StepMatcher::parse("stop-at", &args.stop_at)?;
    let info_at = StepMatcher::parse("info-at", &args.info_at)?;
    let stop_at_preimage = args
        .stop_at_preimage
        .as_deref()
        .map(|s| {
            let key = s.split('@').next().unwrap_or_default();
            key.parse::<B256>()
                .map_err(|_| bad(format!("--stop-at-preimage {s}: not a 32-byte key")))
        })
        .transpose()?;
    let (version, state) = read_state(&args.input)?;
    let _ = &args.meta;
    let mut host = if args.host.is_empty() {
        HostChild::none()
    } else {
        HostChild::spawn(&args.host)?
    };
    let mut vm = Cannon::new(state, version);
    let started = Instant::now();
    let terminal = io::stderr().is_terminal();
    let result = drive(
        &mut vm,
        &mut host,
        &args,
        [proof_at, snapshot_at, stop_at, info_at],
        stop_at_preimage,
        started,
        terminal,
    );
    host.finish();
    result?;
    if !args.output.is_empty() {
        write_state(Path::new(&args.output), &vm.state, version)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    if let Some(path) = &args.debug_info {
        let json = serde_json::json!({
            "total_steps": vm.state.step,
            "pages": vm.state.memory.page_count(),
            "memory_used": vm.state.memory.page_count() * 4096,
            "num_preimage_requests": vm.preimages_fetched(),
            "seconds": seconds,
        });
        write_file(path, json.to_string().as_bytes())?;
    }
    let hash = vm.state.state_hash();
    println!(
        "{}",
        serde_json::json!({
            "step": vm.state.step, "exited": vm.state.exited, "exit": vm.state.exit_code,
            "post": hash.to_string(), "seconds": seconds,
        })
    );
    Ok(ExitCode::SUCCESS)
}

fn drive(
    vm: &mut Cannon,
    host: &mut HostChild,
    args: &RunArgs,
    [proof_at, snapshot_at, stop_at, info_at]: [StepMatcher; 4],
    stop_at_preimage: Option<B256>,
    started: Instant,
    terminal: bool,
) -> Result<(), CliError> {
    let fail = |vm: &Cannon, err: koa_vm::VmError| {
        CliError::Internal(format!("step {} (pc {:#x}): {err}", vm.state.step, vm.pc()))
    };
    loop {
        let step = vm.state.step;
        if info_at.matches(step) {
            let rate = step as f64 / started.elapsed().as_secs_f64().max(1e-9);
            tracing::info!(target: "koa::vm", step, pc = format_args!("{:#x}", vm.pc()),
                pages = vm.state.memory.page_count(), preimages = vm.preimages_fetched(),
                steps_per_second = rate as u64, "running");
            if terminal {
                eprint!(
                    "\rstep {step}  {:.1} M steps/s  {} preimages  ",
                    rate / 1e6,
                    vm.preimages_fetched()
                );
                let _ = io::stderr().flush();
            }
        }
        if stop_at.matches(step) {
            break;
        }
        if snapshot_at.matches(step) {
            write_state(
                &format_step(&args.snapshot_fmt, step),
                &vm.state,
                vm.version(),
            )?;
        }
        if vm.state.exited {
            if proof_at.matches(step) {
                // Nothing left to prove: Cannon writes no proof past the exit either.
                tracing::info!(target: "koa::vm", step, "exited: no proof past the final step");
            }
            break;
        }
        if proof_at.matches(step) {
            let witness = vm.step_with_proof(host).map_err(|err| fail(vm, err))?;
            let post = vm.state.state_hash();
            write_proof(&format_step(&args.proof_fmt, step), step, &witness, post)?;
        } else {
            vm.step(host).map_err(|err| fail(vm, err))?;
        }
        if let (Some(key), Some((at, fetched))) = (stop_at_preimage, vm.last_preimage_fetch())
            && at == vm.state.step
            && fetched == key
        {
            break;
        }
    }
    if terminal {
        eprintln!();
    }
    Ok(())
}
