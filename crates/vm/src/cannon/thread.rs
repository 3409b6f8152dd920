//! Cannon's thread state, its 298-byte encoding and the hash onion of a thread stack.

use alloy_primitives::{B256, keccak256};

/// Bytes of an encoded thread: 8 + 1 + 1 + 8 + 8 + 8 + 8 + 32 × 8.
pub const THREAD_WITNESS_LEN: usize = 298;

/// The commitment to an empty thread stack: `keccak256(bytes32(0) ++ bytes32(0))`.
pub const EMPTY_THREAD_ROOT: B256 =
    alloy_primitives::b256!("ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5");

/// The state of one thread: its identity, exit status and CPU registers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadState {
    /// Unique thread identifier.
    pub thread_id: u64,
    /// Exit code (meaningful once `exited`).
    pub exit_code: u8,
    /// Whether the thread has exited.
    pub exited: bool,
    /// Program counter.
    pub pc: u64,
    /// Next program counter (`pc + 4` unless `pc` is a branch delay slot).
    pub next_pc: u64,
    /// The LO special register.
    pub lo: u64,
    /// The HI special register.
    pub hi: u64,
    /// The 32 general-purpose registers (`registers[0]` is always 0).
    pub registers: [u64; 32],
}

impl ThreadState {
    /// A thread with all registers zero, starting at `pc`.
    pub const fn new(thread_id: u64, pc: u64) -> Self {
        Self {
            thread_id,
            exit_code: 0,
            exited: false,
            pc,
            next_pc: pc.wrapping_add(4),
            lo: 0,
            hi: 0,
            registers: [0; 32],
        }
    }

    /// The 298-byte packed encoding (big-endian words), as `MIPS64.sol` hashes it.
    pub fn encode(&self) -> [u8; THREAD_WITNESS_LEN] {
        let mut out = [0u8; THREAD_WITNESS_LEN];
        out[0..8].copy_from_slice(&self.thread_id.to_be_bytes());
        out[8] = self.exit_code;
        out[9] = self.exited as u8;
        out[10..18].copy_from_slice(&self.pc.to_be_bytes());
        out[18..26].copy_from_slice(&self.next_pc.to_be_bytes());
        out[26..34].copy_from_slice(&self.lo.to_be_bytes());
        out[34..42].copy_from_slice(&self.hi.to_be_bytes());
        for (i, reg) in self.registers.iter().enumerate() {
            out[42 + 8 * i..50 + 8 * i].copy_from_slice(&reg.to_be_bytes());
        }
        out
    }

    /// Decodes a 298-byte thread encoding; `None` if the length or the `exited` byte is wrong.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != THREAD_WITNESS_LEN || bytes[9] > 1 {
            return None;
        }
        let word = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
        let mut registers = [0u64; 32];
        for (i, reg) in registers.iter_mut().enumerate() {
            *reg = word(42 + 8 * i);
        }
        Some(Self {
            thread_id: word(0),
            exit_code: bytes[8],
            exited: bytes[9] == 1,
            pc: word(10),
            next_pc: word(18),
            lo: word(26),
            hi: word(34),
            registers,
        })
    }

    /// `keccak256` of the encoding.
    pub fn hash(&self) -> B256 {
        keccak256(self.encode())
    }
}

/// Pushes a thread onto a stack commitment: `keccak256(root ++ keccak256(thread))`.
pub fn push_thread_root(root: B256, thread: &ThreadState) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(root.as_slice());
    buf[32..].copy_from_slice(thread.hash().as_slice());
    keccak256(buf)
}

/// The commitment to a stack whose bottom is `threads[0]` and top the last element.
pub fn thread_stack_root(threads: &[ThreadState]) -> B256 {
    threads.iter().fold(EMPTY_THREAD_ROOT, |root, thread| {
        push_thread_root(root, thread)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_root_is_the_hash_of_two_zero_words() {
        assert_eq!(EMPTY_THREAD_ROOT, keccak256([0u8; 64]));
        assert_eq!(thread_stack_root(&[]), EMPTY_THREAD_ROOT);
    }

    #[test]
    fn encoding_layout_and_round_trip() {
        let mut t = ThreadState::new(7, 0x1000);
        t.exit_code = 3;
        t.exited = true;
        t.lo = 0x1111;
        t.hi = 0x2222;
        t.registers[1] = 0x0102_0304_0506_0708;
        t.registers[31] = u64::MAX;
        let enc = t.encode();
        assert_eq!(&enc[0..8], &7u64.to_be_bytes());
        assert_eq!(enc[8], 3);
        assert_eq!(enc[9], 1);
        assert_eq!(&enc[10..18], &0x1000u64.to_be_bytes());
        assert_eq!(&enc[18..26], &0x1004u64.to_be_bytes());
        assert_eq!(&enc[50..58], &[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(&enc[290..298], &[0xff; 8]);
        assert_eq!(ThreadState::decode(&enc), Some(t));
        let mut bad = enc;
        bad[9] = 2;
        assert_eq!(ThreadState::decode(&bad), None);
        assert_eq!(ThreadState::decode(&enc[..297]), None);
    }

    #[test]
    fn stack_root_is_the_hash_onion() {
        let a = ThreadState::new(0, 0x10);
        let b = ThreadState::new(1, 0x20);
        let c1 = keccak256(
            [
                EMPTY_THREAD_ROOT.as_slice(),
                keccak256(a.encode()).as_slice(),
            ]
            .concat(),
        );
        let c2 = keccak256([c1.as_slice(), keccak256(b.encode()).as_slice()].concat());
        assert_eq!(thread_stack_root(core::slice::from_ref(&a)), c1);
        assert_eq!(thread_stack_root(&[a, b]), c2);
    }
}
