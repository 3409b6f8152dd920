//! The Cannon state transition: one step of the multithreaded MIPS64 machine, as
//! `MIPS64.sol`'s `step` computes it, with the proofs a step needs.

use alloc::{boxed::Box, format, vec::Vec};
use alloy_primitives::{B256, keccak256};

use super::{
    StateVersion,
    arch::*,
    instructions::{
        execute, hilo, select_subword, sign_extend, sign_extend_immediate, update_subword,
    },
    state::{CannonState, LL_STATUS_ACTIVE_32_BIT, LL_STATUS_ACTIVE_64_BIT, LL_STATUS_NONE},
    syscalls::*,
    thread::{THREAD_WITNESS_LEN, ThreadState, thread_stack_root},
};
use crate::{
    FaultProofVm, OracleError, PreimageOracle, PreimageWitness, StepWitness, VmError,
    memory::{MEMORY_PROOF_LEN, MemoryProof},
};

/// Bytes of a Cannon step proof: the thread witness (thread + inner stack root) and three
/// memory proofs (instruction, first data access, second data access).
pub const STEP_PROOF_LEN: usize = THREAD_WITNESS_LEN + 32 + 3 * MEMORY_PROOF_LEN;

/// The largest hint write read from memory at once. A program writing more in one syscall is
/// told it wrote everything (as Cannon does) but only this much is kept for the hint.
pub const MAX_HINT_WRITE: u64 = 64 << 20;

/// What a step being proven touched.
#[derive(Default)]
struct Tracker {
    /// The address and proof of the first data access (before the access).
    first: Option<(u64, Box<MemoryProof>)>,
    /// The proof of the second data access (after the first write).
    second: Option<Box<MemoryProof>>,
    /// The preimage read.
    preimage: Option<PreimageWitness>,
}

/// Where program output (stdout, stderr) goes. Output does not affect the state.
pub trait OutputSink {
    /// Bytes the program wrote on `fd` (1 or 2).
    fn write(&mut self, fd: u64, bytes: &[u8]);
}

/// Discards program output.
#[derive(Debug, Default, Clone, Copy)]
pub struct DiscardOutput;

impl OutputSink for DiscardOutput {
    fn write(&mut self, _fd: u64, _bytes: &[u8]) {}
}

/// The Cannon multithreaded MIPS64 machine.
pub struct Cannon {
    /// The machine state.
    pub state: CannonState,
    version: StateVersion,
    /// The last preimage fetched: its key and the value with its 8-byte length prefix.
    preimage: Option<(B256, Vec<u8>)>,
    tracker: Option<Tracker>,
    output: Box<dyn OutputSink>,
    /// Preimages read (new keys fetched) so far.
    preimages_fetched: u64,
    /// The step at which the last new preimage was fetched, with its key.
    last_preimage_fetch: Option<(u64, B256)>,
}

impl core::fmt::Debug for Cannon {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Cannon")
            .field("version", &self.version)
            .field("step", &self.state.step)
            .field("exited", &self.state.exited)
            .finish_non_exhaustive()
    }
}

impl Cannon {
    /// A machine over `state` at state version `version`.
    pub fn new(state: CannonState, version: StateVersion) -> Self {
        Self {
            state,
            version,
            preimage: None,
            tracker: None,
            output: Box::new(DiscardOutput),
            preimages_fetched: 0,
            last_preimage_fetch: None,
        }
    }

    /// Sends program output (fds 1 and 2) to `sink`.
    pub fn set_output(&mut self, sink: Box<dyn OutputSink>) {
        self.output = sink;
    }

    /// The state version the machine implements.
    pub const fn version(&self) -> StateVersion {
        self.version
    }

    /// Number of distinct preimages fetched from the host so far.
    pub const fn preimages_fetched(&self) -> u64 {
        self.preimages_fetched
    }

    /// The step and key of the last preimage fetched from the host.
    pub const fn last_preimage_fetch(&self) -> Option<(u64, B256)> {
        self.last_preimage_fetch
    }

    /// Runs until the program exits or `max_steps` more steps have run; returns the steps run.
    pub fn run(&mut self, oracle: &mut dyn PreimageOracle, max_steps: u64) -> Result<u64, VmError> {
        let start = self.state.step;
        let mut n = 0;
        while n < max_steps && !self.state.exited {
            self.step_once(oracle)?;
            n += 1;
        }
        Ok(self.state.step - start)
    }

    fn thread(&mut self) -> &mut ThreadState {
        self.state
            .active_stack_mut()
            .last_mut()
            .expect("the active stack is checked non-empty")
    }

    /// The step with its exceptions, then the contract's post-state check.
    fn step_once(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError> {
        if self.state.exited {
            return Ok(());
        }
        self.transition(oracle)?;
        if self.state.active_stack().is_empty() {
            return Err(VmError::EmptyThreadStack);
        }
        Ok(())
    }

    fn transition(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError> {
        if self.state.active_stack().is_empty() {
            return Err(VmError::EmptyThreadStack);
        }
        self.state.step += 1;
        if self.thread().exited {
            self.pop_thread();
            return Ok(());
        }
        if self.state.steps_since_last_context_switch >= SCHED_QUANTUM {
            self.preempt_thread();
            return Ok(());
        }
        self.state.steps_since_last_context_switch += 1;

        let pc = self.thread().pc;
        if pc & 3 != 0 {
            return Err(VmError::Exception(format!("misaligned pc {pc:#x}")));
        }
        let insn = select_subword(
            pc,
            self.state.memory.read_u64_be(pc & ADDRESS_MASK),
            4,
            false,
        ) as u32;
        let opcode = insn >> 26;
        let fun = insn & 0x3F;
        let result = if opcode == 0 && fun == 0xC {
            self.syscall(oracle)
        } else if matches!(opcode, 0x30 | 0x38 | 0x34 | 0x3C) {
            self.rmw(insn, opcode);
            Ok(())
        } else {
            self.core(insn, opcode, fun)
        };
        result.map_err(|err| match err {
            VmError::InvalidInstruction { insn, .. } => VmError::InvalidInstruction { pc, insn },
            VmError::UnsupportedSyscall { number, .. } => {
                VmError::UnsupportedSyscall { pc, number }
            }
            VmError::BranchInDelaySlot { .. } => VmError::BranchInDelaySlot { pc },
            other => other,
        })
    }

    // --- threads -------------------------------------------------------------------------

    /// Removes the exited active thread; flips direction if its stack is now empty.
    fn pop_thread(&mut self) {
        self.state.active_stack_mut().pop();
        if self.state.active_stack().is_empty() {
            self.state.traverse_right = !self.state.traverse_right;
        }
        self.state.steps_since_last_context_switch = 0;
    }

    /// Moves the active thread to the other stack; flips direction if its stack is now empty.
    fn preempt_thread(&mut self) {
        let thread = self
            .state
            .active_stack_mut()
            .pop()
            .expect("non-empty active stack");
        self.state.inactive_stack_mut().push(thread);
        if self.state.active_stack().is_empty() {
            self.state.traverse_right = !self.state.traverse_right;
        }
        self.state.steps_since_last_context_switch = 0;
    }

    // --- memory --------------------------------------------------------------------------

    /// Records the proof of a data access (the first one of the step; a second access to the
    /// same word keeps it).
    #[inline]
    fn track(&mut self, addr: u64) {
        if let Some(tracker) = &mut self.tracker
            && tracker.first.is_none()
        {
            tracker.first = Some((addr, Box::new(self.state.memory.merkle_proof(addr))));
        }
    }

    /// Records the proof of the second data access (`clock_gettime`'s nanoseconds).
    fn track_second(&mut self, addr: u64) {
        if let Some(tracker) = &mut self.tracker
            && tracker.second.is_none()
        {
            tracker.second = Some(Box::new(self.state.memory.merkle_proof(addr)));
        }
    }

    #[inline]
    fn load(&mut self, addr: u64) -> u64 {
        self.track(addr);
        self.state.memory.read_u64_be(addr)
    }

    /// Writes a doubleword and clears a reservation on it (`handleMemoryUpdate`).
    #[inline]
    fn store(&mut self, addr: u64, value: u64) {
        self.state.memory.write_u64_be(addr, value);
        self.memory_updated(addr);
    }

    #[inline]
    fn memory_updated(&mut self, addr: u64) {
        if addr == self.state.ll_address & ADDRESS_MASK {
            self.clear_reservation();
        }
    }

    fn clear_reservation(&mut self) {
        self.state.ll_reservation_status = LL_STATUS_NONE;
        self.state.ll_address = 0;
        self.state.ll_owner_thread = 0;
    }

    // --- instructions --------------------------------------------------------------------

    /// Advances past a non-branch instruction, writing `value` to `reg` if `cond`.
    #[inline]
    fn write_rd(&mut self, reg: usize, value: u64, cond: bool) {
        let thread = self.thread();
        if reg != 0 && cond {
            thread.registers[reg] = value;
        }
        thread.pc = thread.next_pc;
        thread.next_pc = thread.next_pc.wrapping_add(4);
    }

    fn jump(&mut self, link: usize, dest: u64) -> Result<(), VmError> {
        let thread = self.thread();
        if thread.next_pc != thread.pc.wrapping_add(4) {
            return Err(VmError::BranchInDelaySlot { pc: thread.pc });
        }
        let prev = thread.pc;
        thread.pc = thread.next_pc;
        thread.next_pc = dest;
        if link != 0 {
            thread.registers[link] = prev.wrapping_add(8);
        }
        Ok(())
    }

    fn branch(&mut self, opcode: u32, insn: u32, rt_reg: usize, rs: u64) -> Result<(), VmError> {
        let thread = self.thread();
        if thread.next_pc != thread.pc.wrapping_add(4) {
            return Err(VmError::BranchInDelaySlot { pc: thread.pc });
        }
        let taken = match opcode {
            4 => rs == thread.registers[rt_reg],
            5 => rs != thread.registers[rt_reg],
            6 => (rs as i64) <= 0,
            7 => (rs as i64) > 0,
            _ => match (insn >> 16) & 0x1F {
                0x00 => (rs as i64) < 0,
                0x01 => (rs as i64) >= 0,
                0x10 => {
                    thread.registers[REG_RA] = thread.pc.wrapping_add(8);
                    (rs as i64) < 0
                }
                0x11 => {
                    thread.registers[REG_RA] = thread.pc.wrapping_add(8);
                    (rs as i64) >= 0
                }
                // Any other REGIMM rt: no condition holds, the branch is not taken.
                _ => false,
            },
        };
        let prev = thread.pc;
        thread.pc = thread.next_pc;
        thread.next_pc = if taken {
            prev.wrapping_add(4)
                .wrapping_add(sign_extend_immediate(insn) << 2)
        } else {
            thread.next_pc.wrapping_add(4)
        };
        Ok(())
    }

    /// Everything but syscalls and ll/sc (`execMipsCoreStepLogic`).
    fn core(&mut self, insn: u32, opcode: u32, fun: u32) -> Result<(), VmError> {
        if opcode == 2 || opcode == 3 {
            let next_pc = self.thread().next_pc;
            let target =
                (next_pc & sign_extend(0xF000_0000, 32)) | (((insn & 0x03FF_FFFF) << 2) as u64);
            return self.jump(if opcode == 3 { REG_RA } else { 0 }, target);
        }
        let rt_reg = ((insn >> 16) & 0x1F) as usize;
        let regs = &self.thread().registers;
        let mut rs = regs[((insn >> 21) & 0x1F) as usize];
        let mut rt = 0;
        let mut rd_reg = rt_reg;
        if opcode == 0x27 || opcode == 0x1A || opcode == 0x1B {
            rt = regs[rt_reg];
        } else if opcode == 0 || opcode == 0x1C {
            rt = regs[rt_reg];
            rd_reg = ((insn >> 11) & 0x1F) as usize;
        } else if opcode < 0x20 {
            rt = if matches!(opcode, 0xC..=0xE) {
                (insn & 0xFFFF) as u64
            } else {
                sign_extend_immediate(insn)
            };
        } else if opcode >= 0x28 || opcode == 0x22 || opcode == 0x26 {
            rt = regs[rt_reg];
        }

        if (4..8).contains(&opcode) || opcode == 1 {
            return self.branch(opcode, insn, rt_reg, rs);
        }

        let mut store_addr = None;
        let mut mem = 0;
        if opcode >= 0x20 || opcode == 0x1A || opcode == 0x1B {
            rs = rs.wrapping_add(sign_extend_immediate(insn));
            let addr = rs & ADDRESS_MASK;
            mem = self.load(addr);
            if opcode >= 0x28 && opcode != 0x37 {
                store_addr = Some(addr);
                rd_reg = 0;
            }
        }

        let value = execute(insn, opcode, fun, rs, rt, mem)?;

        if opcode == 0 && (8..0x20).contains(&fun) {
            match fun {
                8 => return self.jump(0, rs),
                9 => return self.jump(rd_reg, rs),
                0xA => {
                    self.write_rd(rd_reg, rs, rt == 0);
                    return Ok(());
                }
                0xB => {
                    self.write_rd(rd_reg, rs, rt != 0);
                    return Ok(());
                }
                0x10..=0x1F => {
                    let thread = self.thread();
                    let (mut hi, mut lo) = (thread.hi, thread.lo);
                    let value = hilo(fun, rs, rt, &mut hi, &mut lo)?;
                    thread.hi = hi;
                    thread.lo = lo;
                    self.write_rd(rd_reg, value, true);
                    return Ok(());
                }
                // sync (0xF) falls through and writes rs to rd, as the contract does.
                _ => {}
            }
        }

        if let Some(addr) = store_addr {
            self.store(addr, value);
        }
        self.write_rd(rd_reg, value, true);
        Ok(())
    }

    /// `ll`, `sc`, `lld`, `scd` (`handleRMWOps`).
    fn rmw(&mut self, insn: u32, opcode: u32) {
        let thread = self.thread();
        let base = thread.registers[((insn >> 21) & 0x1F) as usize];
        let rt_reg = ((insn >> 16) & 0x1F) as usize;
        let rt = thread.registers[rt_reg];
        let thread_id = thread.thread_id;
        let addr = base.wrapping_add(sign_extend_immediate(insn));
        let (target, len) = if opcode == 0x34 || opcode == 0x3C {
            (LL_STATUS_ACTIVE_64_BIT, 8)
        } else {
            (LL_STATUS_ACTIVE_32_BIT, 4)
        };
        let ret = if opcode == 0x30 || opcode == 0x34 {
            let mem = self.load(addr & ADDRESS_MASK);
            let value = select_subword(addr, mem, len, true);
            self.state.ll_reservation_status = target;
            self.state.ll_address = addr;
            self.state.ll_owner_thread = thread_id;
            value
        } else if self.state.ll_reservation_status == target
            && self.state.ll_owner_thread == thread_id
            && self.state.ll_address == addr
        {
            self.clear_reservation();
            let eff = addr & ADDRESS_MASK;
            let mem = self.load(eff);
            self.state
                .memory
                .write_u64_be(eff, update_subword(addr, mem, len, rt));
            1
        } else {
            0
        };
        self.write_rd(rt_reg, ret, true);
    }

    // --- syscalls ------------------------------------------------------------------------

    /// Writes the syscall results and advances the pc (`handleSyscallUpdates`).
    fn syscall_return(&mut self, v0: u64, v1: u64) {
        let thread = self.thread();
        thread.registers[REG_V0] = v0;
        thread.registers[REG_A3] = v1;
        thread.pc = thread.next_pc;
        thread.next_pc = thread.next_pc.wrapping_add(4);
    }

    fn syscall_yield(&mut self) {
        self.syscall_return(0, 0);
        self.preempt_thread();
    }

    fn syscall(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError> {
        let regs = self.thread().registers;
        let (number, a0, a1, a2) = (regs[REG_V0], regs[REG_A0], regs[REG_A1], regs[REG_A2]);
        let (mut v0, mut v1) = (0u64, 0u64);
        match number {
            SYS_MMAP => {
                let mut size = a1;
                if size & 0xFFF != 0 {
                    size = size.wrapping_add(0x1000 - (size & 0xFFF));
                }
                if a0 == 0 {
                    let heap = self.state.heap;
                    let new_heap = heap.wrapping_add(size);
                    if new_heap > HEAP_END || new_heap < heap || size < a1 {
                        (v0, v1) = (EINVAL, SYS_ERROR_SIGNAL);
                    } else {
                        v0 = heap;
                        self.state.heap = new_heap;
                    }
                } else {
                    v0 = a0;
                }
            }
            SYS_BRK => v0 = PROGRAM_BREAK,
            SYS_CLONE => {
                if a0 != VALID_CLONE_FLAGS {
                    self.state.exited = true;
                    self.state.exit_code = crate::VmStatus::Panic as u8;
                    return Ok(());
                }
                let parent = self.thread().clone();
                let mut child = parent.clone();
                child.thread_id = self.state.next_thread_id;
                child.exit_code = 0;
                child.exited = false;
                child.pc = parent.next_pc;
                child.next_pc = parent.next_pc.wrapping_add(4);
                child.registers[REG_SP] = a1;
                child.registers[REG_V0] = 0;
                child.registers[REG_A3] = 0;
                self.state.next_thread_id = self.state.next_thread_id.wrapping_add(1);
                self.syscall_return(child.thread_id, 0);
                self.state.active_stack_mut().push(child);
                self.state.steps_since_last_context_switch = 0;
                return Ok(());
            }
            SYS_EXIT_GROUP => {
                self.state.exited = true;
                self.state.exit_code = a0 as u8;
                return Ok(());
            }
            SYS_READ => (v0, v1) = self.sys_read(oracle, a0, a1, a2)?,
            SYS_WRITE => (v0, v1) = self.sys_write(oracle, a0, a1, a2)?,
            SYS_FCNTL => (v0, v1) = fcntl(a0, a1),
            SYS_GETTID => v0 = self.thread().thread_id,
            SYS_EXIT => {
                let last =
                    self.state.inactive_stack().is_empty() && self.state.active_stack().len() == 1;
                let thread = self.thread();
                thread.exited = true;
                thread.exit_code = a0 as u8;
                if last {
                    self.state.exited = true;
                    self.state.exit_code = a0 as u8;
                }
                return Ok(());
            }
            SYS_FUTEX => {
                let addr = a0 & !3;
                match a1 {
                    FUTEX_WAIT_PRIVATE => {
                        let mem = self.load(addr & ADDRESS_MASK);
                        let value = select_subword(addr, mem, 4, false) as u32;
                        if value != a2 as u32 {
                            (v0, v1) = (EAGAIN, SYS_ERROR_SIGNAL);
                        } else {
                            self.syscall_yield();
                            return Ok(());
                        }
                    }
                    FUTEX_WAKE_PRIVATE => {
                        self.syscall_yield();
                        return Ok(());
                    }
                    _ => (v0, v1) = (EINVAL, SYS_ERROR_SIGNAL),
                }
            }
            SYS_SCHED_YIELD | SYS_NANOSLEEP => {
                self.syscall_yield();
                return Ok(());
            }
            SYS_OPEN => (v0, v1) = (EBADF, SYS_ERROR_SIGNAL),
            SYS_CLOCK_GETTIME => {
                if a0 == CLOCK_REALTIME || a0 == CLOCK_MONOTONIC {
                    // The contract reports zero for CLOCK_REALTIME; only CLOCK_MONOTONIC counts
                    // steps. (The specification describes the step clock for both.)
                    let (secs, nsecs) = if a0 == CLOCK_MONOTONIC {
                        let step = self.state.step;
                        (step / HZ, (step % HZ) * (1_000_000_000 / HZ))
                    } else {
                        (0, 0)
                    };
                    let addr = a1 & ADDRESS_MASK;
                    self.track(addr);
                    self.store(addr, secs);
                    let addr2 = addr.wrapping_add(8);
                    self.track_second(addr2);
                    self.store(addr2, nsecs);
                } else {
                    (v0, v1) = (EINVAL, SYS_ERROR_SIGNAL);
                }
            }
            SYS_GETPID => {}
            SYS_GETRANDOM => {
                if self.version.working_getrandom() {
                    let addr = a0 & ADDRESS_MASK;
                    let mem = self.load(addr);
                    let random = splitmix64(self.state.step);
                    let index = a0 - addr;
                    let count = a1.min(8 - index);
                    let mut mask = if count == 8 {
                        u64::MAX
                    } else {
                        (1u64 << (count * 8)) - 1
                    };
                    mask = if count == 0 {
                        0
                    } else {
                        mask << ((8 - count) * 8)
                    };
                    mask >>= index * 8;
                    self.store(addr, (mem & !mask) | (random & mask));
                    v0 = count;
                }
            }
            SYS_EVENTFD2 => {
                if a1 & EFD_NONBLOCK == 0 {
                    (v0, v1) = (EINVAL, SYS_ERROR_SIGNAL);
                } else {
                    v0 = FD_EVENTFD;
                }
            }
            n if NOOP_SYSCALLS.contains(&n) => {}
            _ => return Err(VmError::UnsupportedSyscall { pc: 0, number }),
        }
        self.syscall_return(v0, v1);
        Ok(())
    }

    fn sys_read(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        fd: u64,
        addr: u64,
        count: u64,
    ) -> Result<(u64, u64), VmError> {
        Ok(match fd {
            FD_STDIN => (0, 0),
            FD_PREIMAGE_READ => {
                let eff = addr & ADDRESS_MASK;
                let mem = self.load(eff);
                let key = self.state.preimage_key;
                let offset = self.state.preimage_offset;
                let (chunk, available) = self.read_preimage(oracle, key, offset)?;
                let alignment = addr & EXT_MASK;
                let len = available.min(8 - alignment).min(count);
                let mut bytes = mem.to_be_bytes();
                bytes[alignment as usize..(alignment + len) as usize]
                    .copy_from_slice(&chunk[..len as usize]);
                self.store(eff, u64::from_be_bytes(bytes));
                self.state.preimage_offset = offset.wrapping_add(len);
                (len, 0)
            }
            FD_HINT_READ => (count, 0),
            FD_EVENTFD => (EAGAIN, SYS_ERROR_SIGNAL),
            _ => (EBADF, SYS_ERROR_SIGNAL),
        })
    }

    /// Up to 32 bytes of the length-prefixed preimage of `key` at `offset`, and how many.
    fn read_preimage(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        key: B256,
        offset: u64,
    ) -> Result<([u8; 32], u64), VmError> {
        if self
            .preimage
            .as_ref()
            .is_none_or(|(cached, _)| *cached != key)
        {
            let data = oracle.get_preimage(key)?;
            if key[0] == 2 {
                let mut hash = keccak256(&data);
                hash[0] = 2;
                if hash != key {
                    return Err(OracleError::Mismatch(key).into());
                }
            }
            let mut value = Vec::with_capacity(8 + data.len());
            value.extend_from_slice(&(data.len() as u64).to_be_bytes());
            value.extend_from_slice(&data);
            self.preimage = Some((key, value));
            self.preimages_fetched += 1;
            self.last_preimage_fetch = Some((self.state.step, key));
        }
        let (_, value) = self.preimage.as_ref().expect("cached above");
        let len = value.len() as u64;
        if offset >= len {
            return Err(VmError::PreimageOffsetOutOfBounds { key, offset, len });
        }
        let mut chunk = [0u8; 32];
        let n = (len - offset).min(32);
        chunk[..n as usize].copy_from_slice(&value[offset as usize..(offset + n) as usize]);
        if let Some(tracker) = &mut self.tracker {
            tracker.preimage = Some(PreimageWitness {
                key,
                value: value.clone(),
                offset,
            });
        }
        Ok((chunk, n))
    }

    fn sys_write(
        &mut self,
        oracle: &mut dyn PreimageOracle,
        fd: u64,
        addr: u64,
        count: u64,
    ) -> Result<(u64, u64), VmError> {
        Ok(match fd {
            FD_STDOUT | FD_STDERR => {
                let mut bytes = alloc::vec![0u8; count.min(MAX_HINT_WRITE) as usize];
                self.state.memory.read(addr, &mut bytes);
                self.output.write(fd, &bytes);
                (count, 0)
            }
            FD_HINT_WRITE => {
                let mut bytes = alloc::vec![0u8; count.min(MAX_HINT_WRITE) as usize];
                self.state.memory.read(addr, &mut bytes);
                self.state.last_hint.extend_from_slice(&bytes);
                self.process_hints(oracle)?;
                (count, 0)
            }
            FD_PREIMAGE_WRITE => {
                let eff = addr & ADDRESS_MASK;
                let mem = self.load(eff);
                let alignment = (addr & EXT_MASK) as usize;
                let len = count.min(8 - alignment as u64) as usize;
                let bytes = mem.to_be_bytes();
                let mut key = [0u8; 32];
                key[..32 - len].copy_from_slice(&self.state.preimage_key[len..]);
                key[32 - len..].copy_from_slice(&bytes[alignment..alignment + len]);
                self.state.preimage_key = B256::from(key);
                self.state.preimage_offset = 0;
                (len as u64, 0)
            }
            FD_EVENTFD => (EAGAIN, SYS_ERROR_SIGNAL),
            _ => (EBADF, SYS_ERROR_SIGNAL),
        })
    }

    /// Sends every complete hint (4-byte big-endian length, then the hint) to the host.
    fn process_hints(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError> {
        let mut start = 0;
        let buf = &self.state.last_hint;
        while buf.len() - start >= 4 {
            let len =
                u32::from_be_bytes(buf[start..start + 4].try_into().expect("4 bytes")) as usize;
            if buf.len() - start - 4 < len {
                break;
            }
            oracle.hint(&buf[start + 4..start + 4 + len])?;
            start += 4 + len;
        }
        self.state.last_hint.drain(..start);
        Ok(())
    }

    // --- proofs --------------------------------------------------------------------------

    /// The thread witness: the active thread's encoding and the root of the rest of its stack.
    pub fn thread_witness(&self) -> Result<[u8; THREAD_WITNESS_LEN + 32], VmError> {
        let stack = self.state.active_stack();
        let (top, rest) = stack.split_last().ok_or(VmError::EmptyThreadStack)?;
        let mut out = [0u8; THREAD_WITNESS_LEN + 32];
        out[..THREAD_WITNESS_LEN].copy_from_slice(&top.encode());
        out[THREAD_WITNESS_LEN..].copy_from_slice(thread_stack_root(rest).as_slice());
        Ok(out)
    }
}

/// `fcntl` with `F_GETFD` (1) and `F_GETFL` (3) on the known descriptors.
const fn fcntl(fd: u64, cmd: u64) -> (u64, u64) {
    match cmd {
        1 => match fd {
            FD_STDIN | FD_STDOUT | FD_STDERR | FD_HINT_READ | FD_HINT_WRITE | FD_PREIMAGE_READ
            | FD_PREIMAGE_WRITE => (0, 0),
            _ => (EBADF, SYS_ERROR_SIGNAL),
        },
        3 => match fd {
            FD_STDIN | FD_PREIMAGE_READ | FD_HINT_READ => (0, 0),
            FD_STDOUT | FD_STDERR | FD_PREIMAGE_WRITE | FD_HINT_WRITE => (1, 0),
            _ => (EBADF, SYS_ERROR_SIGNAL),
        },
        _ => (EINVAL, SYS_ERROR_SIGNAL),
    }
}

impl FaultProofVm for Cannon {
    fn step(&mut self, oracle: &mut dyn PreimageOracle) -> Result<(), VmError> {
        self.step_once(oracle)
    }

    fn step_with_proof(&mut self, oracle: &mut dyn PreimageOracle) -> Result<StepWitness, VmError> {
        if self.state.exited {
            return Err(VmError::Exited {
                step: self.state.step,
            });
        }
        let state = self.state.encode_witness();
        let state_hash = super::state::witness_hash(&state);
        let thread_witness = self.thread_witness()?;
        let pc = self.state.active_thread().map(|t| t.pc).unwrap_or_default();
        let insn_proof = self.state.memory.merkle_proof(pc & ADDRESS_MASK);
        self.tracker = Some(Tracker::default());
        let result = self.step_once(oracle);
        let tracker = self.tracker.take().unwrap_or_default();
        result?;
        let mut proof = Vec::with_capacity(STEP_PROOF_LEN);
        proof.extend_from_slice(&thread_witness);
        proof.extend_from_slice(&insn_proof);
        match &tracker.first {
            Some((_, p)) => proof.extend_from_slice(&p[..]),
            None => proof.extend_from_slice(&[0u8; MEMORY_PROOF_LEN]),
        }
        match &tracker.second {
            Some(p) => proof.extend_from_slice(&p[..]),
            None => proof.extend_from_slice(&[0u8; MEMORY_PROOF_LEN]),
        }
        Ok(StepWitness {
            state: state.to_vec(),
            state_hash,
            proof,
            preimage: tracker.preimage,
        })
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
        self.state.active_thread().map(|t| t.pc).unwrap_or_default()
    }

    fn encode_state(&mut self) -> Vec<u8> {
        self.state.encode_witness().to_vec()
    }
}
