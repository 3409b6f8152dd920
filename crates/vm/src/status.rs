//! The VM status carried in the high byte of a state hash.

use alloy_primitives::B256;

/// The status of a fault proof VM, as the dispute game reads it from a state hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum VmStatus {
    /// Exited with code 0: the claim is valid.
    Valid = 0,
    /// Exited with code 1: the claim is invalid.
    Invalid = 1,
    /// Exited with any other code.
    Panic = 2,
    /// Still running.
    Unfinished = 3,
}

impl VmStatus {
    /// The status of a machine with the given exit flag and code.
    pub const fn new(exited: bool, exit_code: u8) -> Self {
        match (exited, exit_code) {
            (false, _) => Self::Unfinished,
            (true, 0) => Self::Valid,
            (true, 1) => Self::Invalid,
            (true, _) => Self::Panic,
        }
    }

    /// `hash` with its high byte replaced by this status.
    pub fn stamp(self, hash: B256) -> B256 {
        let mut out = hash;
        out[0] = self as u8;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_from_exit_and_stamp() {
        assert_eq!(VmStatus::new(false, 0), VmStatus::Unfinished);
        assert_eq!(VmStatus::new(false, 7), VmStatus::Unfinished);
        assert_eq!(VmStatus::new(true, 0), VmStatus::Valid);
        assert_eq!(VmStatus::new(true, 1), VmStatus::Invalid);
        assert_eq!(VmStatus::new(true, 2), VmStatus::Panic);
        assert_eq!(VmStatus::new(true, 255), VmStatus::Panic);
        let h = B256::repeat_byte(0xff);
        let stamped = VmStatus::Unfinished.stamp(h);
        assert_eq!(stamped[0], 3);
        assert_eq!(stamped[1..], h[1..]);
    }
}
