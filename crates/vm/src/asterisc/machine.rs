//! The Asterisc machine: a [`State`] with the caches a run needs, behind [`FaultProofVm`].

use super::{
    access::{NoProof, ProofRecorder},
    errors::StepError,
    state::State,
};
use crate::{FaultProofVm, PreimageOracle, PreimageWitness, StepWitness, VmError};
use alloc::{collections::VecDeque, format, vec::Vec};
use alloy_primitives::B256;

/// How many bytes of stdout and of stderr a machine keeps (the last ones written).
pub const MAX_OUTPUT: usize = 1 << 20;

/// The program's stdout and stderr, each bounded to its last [`MAX_OUTPUT`] bytes.
#[derive(Debug, Clone, Default)]
pub struct Output {
    /// Bytes written to fd 1.
    pub stdout: VecDeque<u8>,
    /// Bytes written to fd 2.
    pub stderr: VecDeque<u8>,
}

impl Output {
    pub(crate) fn push(&mut self, fd: u64, bytes: &[u8]) {
        let buffer = if fd == 1 {
            &mut self.stdout
        } else {
            &mut self.stderr
        };
        buffer.extend(bytes);
        let excess = buffer.len().saturating_sub(MAX_OUTPUT);
        buffer.drain(..excess);
    }

    /// Takes everything written so far.
    pub fn take(&mut self) -> (Vec<u8>, Vec<u8>) {
        (
            core::mem::take(&mut self.stdout).into(),
            core::mem::take(&mut self.stderr).into(),
        )
    }
}

/// An Asterisc RV64IMA machine.
#[derive(Debug, Clone)]
pub struct Machine {
    /// The machine state.
    pub state: State,
    /// What the program wrote to stdout and stderr.
    pub output: Output,
    /// The last preimage fetched (key, value with its 8-byte length prefix).
    pub(crate) preimage_cache: Option<(B256, Vec<u8>)>,
    /// The offset the current step read the preimage at, if it read one.
    pub(crate) preimage_read: Option<u64>,
}

impl Machine {
    /// A machine in `state`.
    pub fn new(state: State) -> Self {
        Self {
            state,
            output: Output::default(),
            preimage_cache: None,
            preimage_read: None,
        }
    }

    /// Executes one instruction (nothing once exited). On error the state is unchanged.
    #[inline]
    pub fn step_fast(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), StepError> {
        self.execute(oracle, &mut NoProof)
    }

    /// Runs until the program exits, a step fails or `max_steps` steps have run; returns the
    /// steps executed.
    pub fn run(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        max_steps: u64,
    ) -> Result<u64, StepError> {
        let start = self.state.step;
        while !self.state.exited && self.state.step - start < max_steps {
            self.execute(oracle, &mut NoProof)?;
        }
        Ok(self.state.step - start)
    }

    /// Executes one instruction and returns its witness: the pre-state, the memory proofs the
    /// step consumes (1,920 bytes each, in order) and the preimage it read, if any.
    pub fn step_proof(
        &mut self,
        oracle: &mut dyn PreimageOracle,
    ) -> Result<StepWitness, StepError> {
        let state = self.state.encode_witness();
        let state_hash = super::state::state_hash(&state);
        let mut recorder = ProofRecorder::default();
        self.preimage_read = None;
        self.execute(oracle, &mut recorder)?;
        let preimage = match (self.preimage_read.take(), &self.preimage_cache) {
            (Some(offset), Some((key, value))) => Some(PreimageWitness {
                key: *key,
                value: value.clone(),
                offset,
            }),
            _ => None,
        };
        Ok(StepWitness {
            state: state.to_vec(),
            state_hash,
            proof: recorder.proofs,
            preimage,
        })
    }
}

impl From<StepError> for VmError {
    fn from(err: StepError) -> Self {
        match err {
            StepError::UnknownOpcode { pc, instr, .. }
            | StepError::IllegalInstruction { pc, instr } => {
                Self::InvalidInstruction { pc, insn: instr }
            }
            StepError::UnsupportedSyscall { pc, number } => Self::UnsupportedSyscall { pc, number },
            StepError::Oracle(err) => Self::Oracle(err),
            other => match other.revert_code() {
                Some(code) => Self::Exception(format!("{other} (RISCV.sol reverts {code:#x})")),
                None => Self::Exception(format!("{other}")),
            },
        }
    }
}

impl FaultProofVm for Machine {
    fn step(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError> {
        Ok(self.step_fast(oracle)?)
    }

    fn step_with_proof(&mut self, oracle: &mut dyn PreimageOracle) -> Result<StepWitness, VmError> {
        Ok(self.step_proof(oracle)?)
    }

    fn exited(&self) -> bool {
        self.state.exited
    }

    fn exit_code(&self) -> u8 {
        self.state.exit_code
    }

    fn step_count(&self) -> u64 {
        self.state.step
    }

    fn pc(&self) -> u64 {
        self.state.pc
    }

    fn encode_state(&mut self) -> Vec<u8> {
        self.state.encode_witness().to_vec()
    }
}
