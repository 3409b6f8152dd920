//! Preimage keys: a 32-byte value whose first byte is the key type.
//!
//! See the fault-proof specification, section "Preimage key types". For every global key type
//! the type byte replaces the first byte of a 32-byte hash; local keys carry a dispute-specific
//! identifier (by convention a big-endian `u64` index in the last 8 bytes).

use alloy_primitives::{Address, B256, keccak256};
use core::fmt;

/// The type of a [`PreimageKey`], stored in its first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum PreimageKeyType {
    /// Type `1`: information local to the dispute (bootstrap inputs).
    Local = 1,
    /// Type `2`: `keccak256(data)` with the first byte replaced.
    Keccak256 = 2,
    /// Type `3`: `keccak256(x ++ sender)` with the first byte replaced.
    GlobalGeneric = 3,
    /// Type `4`: `sha256(data)` with the first byte replaced.
    Sha256 = 4,
    /// Type `5`: EIP-4844 point evaluation, `keccak256(commitment ++ z)` with the first byte
    /// replaced.
    Blob = 5,
    /// Type `6`: precompile result, `keccak256(address ++ input)` with the first byte replaced.
    Precompile = 6,
}

impl PreimageKeyType {
    /// Every key type defined by the specification, in type-byte order.
    pub const ALL: [Self; 6] = [
        Self::Local,
        Self::Keccak256,
        Self::GlobalGeneric,
        Self::Sha256,
        Self::Blob,
        Self::Precompile,
    ];

    /// The type byte.
    pub const fn as_u8(self) -> u8 {
        self as u8
    }
}

impl TryFrom<u8> for PreimageKeyType {
    type Error = InvalidKeyType;

    fn try_from(value: u8) -> Result<Self, Self::Error> {
        match value {
            1 => Ok(Self::Local),
            2 => Ok(Self::Keccak256),
            3 => Ok(Self::GlobalGeneric),
            4 => Ok(Self::Sha256),
            5 => Ok(Self::Blob),
            6 => Ok(Self::Precompile),
            other => Err(InvalidKeyType(other)),
        }
    }
}

/// A key whose type byte is not one of the types koa serves (`0` is illegal, `7..=255` are
/// reserved or application-defined).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("invalid preimage key type {0}")]
pub struct InvalidKeyType(pub u8);

/// A type-prefixed 32-byte preimage key.
///
/// The invariant `bytes[0] == key_type as u8` always holds, so every value of this type is a
/// valid key on the wire.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PreimageKey {
    key_type: PreimageKeyType,
    bytes: [u8; 32],
}

impl PreimageKey {
    /// Builds a key of type `key_type` from a 32-byte hash (or local identifier), replacing its
    /// first byte with the type byte.
    pub const fn new(hash: [u8; 32], key_type: PreimageKeyType) -> Self {
        let mut bytes: [u8; 32] = hash;
        bytes[0] = key_type.as_u8();
        Self { key_type, bytes }
    }

    /// A local key for bootstrap input `index`: the index is stored big-endian in the last
    /// 8 bytes, as op-program does.
    pub const fn local(index: u64) -> Self {
        let mut bytes: [u8; 32] = [0; 32];
        let be: [u8; 8] = index.to_be_bytes();
        let mut i: usize = 0;
        while i < 8 {
            bytes[24 + i] = be[i];
            i += 1;
        }
        Self::new(bytes, PreimageKeyType::Local)
    }

    /// A keccak256 key for a preimage whose keccak256 hash is `hash`.
    pub const fn keccak256(hash: B256) -> Self {
        Self::new(hash.0, PreimageKeyType::Keccak256)
    }

    /// The keccak256 key of `data`.
    pub fn keccak256_of(data: &[u8]) -> Self {
        Self::keccak256(keccak256(data))
    }

    /// A SHA2-256 key for a preimage whose SHA-256 hash is `hash`.
    pub const fn sha256(hash: B256) -> Self {
        Self::new(hash.0, PreimageKeyType::Sha256)
    }

    /// The global generic key `0x03 ++ keccak256(x ++ sender)[1:]`, with `sender` left-padded
    /// to 32 bytes.
    pub fn global_generic(x: B256, sender: Address) -> Self {
        let mut input: [u8; 64] = [0; 64];
        input[..32].copy_from_slice(x.as_slice());
        input[44..].copy_from_slice(sender.as_slice());
        Self::new(keccak256(input).0, PreimageKeyType::GlobalGeneric)
    }

    /// The EIP-4844 point-evaluation key `0x05 ++ keccak256(commitment ++ z)[1:]`, where `z` is
    /// the big-endian 32-byte evaluation point (the field element's root of unity).
    pub fn blob(commitment: &[u8; 48], z: B256) -> Self {
        let mut input: [u8; 80] = [0; 80];
        input[..48].copy_from_slice(commitment);
        input[48..].copy_from_slice(z.as_slice());
        Self::new(keccak256(input).0, PreimageKeyType::Blob)
    }

    /// The precompile key `0x06 ++ keccak256(address ++ input)[1:]`.
    pub fn precompile(address: Address, input: &[u8]) -> Self {
        let mut hasher = alloy_primitives::Keccak256::new();
        hasher.update(address.as_slice());
        hasher.update(input);
        Self::new(hasher.finalize().0, PreimageKeyType::Precompile)
    }

    /// The precompile key of the current fault-proof protocol (kona, op-program's
    /// `l1-precompile-v2`), which also commits to the gas the call is run with:
    /// `0x06 ++ keccak256(address ++ required_gas (u64 BE) ++ input)[1:]`.
    pub fn precompile_call(address: Address, required_gas: u64, input: &[u8]) -> Self {
        let mut hasher = alloy_primitives::Keccak256::new();
        hasher.update(address.as_slice());
        hasher.update(required_gas.to_be_bytes());
        hasher.update(input);
        Self::new(hasher.finalize().0, PreimageKeyType::Precompile)
    }

    /// The key type.
    pub const fn key_type(&self) -> PreimageKeyType {
        self.key_type
    }

    /// The 31 bytes after the type byte (the hash tail or local identifier).
    pub fn key_data(&self) -> &[u8] {
        &self.bytes[1..]
    }

    /// Whether `hash` (a full 32-byte hash) matches this key, ignoring the type byte.
    pub fn matches_hash(&self, hash: &B256) -> bool {
        self.bytes[1..] == hash.0[1..]
    }

    /// The 32 bytes sent on the wire.
    pub const fn to_bytes(self) -> [u8; 32] {
        self.bytes
    }

    /// The 32 bytes sent on the wire, borrowed.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.bytes
    }
}

impl TryFrom<[u8; 32]> for PreimageKey {
    type Error = InvalidKeyType;

    fn try_from(bytes: [u8; 32]) -> Result<Self, Self::Error> {
        let key_type: PreimageKeyType = PreimageKeyType::try_from(bytes[0])?;
        Ok(Self::new(bytes, key_type))
    }
}

impl From<PreimageKey> for [u8; 32] {
    fn from(key: PreimageKey) -> Self {
        key.bytes
    }
}

impl From<PreimageKey> for B256 {
    fn from(key: PreimageKey) -> Self {
        Self::new(key.bytes)
    }
}

impl fmt::Display for PreimageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&B256::new(self.bytes), f)
    }
}

impl fmt::Debug for PreimageKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PreimageKey({:?}, {})",
            self.key_type,
            B256::new(self.bytes)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::{address, b256, hex};

    #[test]
    fn type_bytes_match_spec() {
        let bytes: [u8; 6] = PreimageKeyType::ALL.map(PreimageKeyType::as_u8);
        assert_eq!(bytes, [1, 2, 3, 4, 5, 6]);
        for key_type in PreimageKeyType::ALL {
            assert_eq!(PreimageKeyType::try_from(key_type.as_u8()), Ok(key_type));
        }
        for invalid in [0u8, 7, 128, 129, 255] {
            assert_eq!(
                PreimageKeyType::try_from(invalid),
                Err(InvalidKeyType(invalid))
            );
        }
    }

    #[test]
    fn local_key_layout() {
        let key: PreimageKey = PreimageKey::local(0x0102_0304_0506_0708);
        let mut expected: [u8; 32] = [0; 32];
        expected[0] = 1;
        expected[24..].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(key.to_bytes(), expected);
        assert_eq!(key.key_type(), PreimageKeyType::Local);
        // op-program's L1 head local key (index 1).
        assert_eq!(
            B256::from(PreimageKey::local(1)),
            b256!("0100000000000000000000000000000000000000000000000000000000000001")
        );
    }

    #[test]
    fn keccak_key_replaces_first_byte() {
        // keccak256("") = c5d2...a470
        let key: PreimageKey = PreimageKey::keccak256_of(b"");
        assert_eq!(
            B256::from(key),
            b256!("02d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        );
        assert!(key.matches_hash(&keccak256(b"")));
        assert!(!key.matches_hash(&keccak256(b"x")));
    }

    #[test]
    fn sha256_key_replaces_first_byte() {
        // sha256("abc") = ba7816bf...15ad
        let hash: B256 = b256!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let key: PreimageKey = PreimageKey::sha256(hash);
        assert_eq!(
            B256::from(key),
            b256!("047816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );
        assert_eq!(key.key_type(), PreimageKeyType::Sha256);
    }

    #[test]
    fn global_generic_key_hashes_x_and_padded_sender() {
        let x: B256 = B256::repeat_byte(0xab);
        let sender: Address = address!("00000000000000000000000000000000000000ff");
        let mut input: [u8; 64] = [0; 64];
        input[..32].copy_from_slice(&[0xab; 32]);
        input[63] = 0xff;
        let key: PreimageKey = PreimageKey::global_generic(x, sender);
        assert!(key.matches_hash(&keccak256(input)));
        assert_eq!(key.as_bytes()[0], 3);
    }

    #[test]
    fn blob_key_hashes_commitment_and_z() {
        let commitment: [u8; 48] = [0x11; 48];
        let z: B256 = B256::with_last_byte(7);
        let mut input: alloc::vec::Vec<u8> = commitment.to_vec();
        input.extend_from_slice(z.as_slice());
        let key: PreimageKey = PreimageKey::blob(&commitment, z);
        assert!(key.matches_hash(&keccak256(&input)));
        assert_eq!(key.key_type(), PreimageKeyType::Blob);
    }

    #[test]
    fn precompile_call_key_hashes_address_gas_and_input() {
        let address = Address::with_last_byte(1);
        let input = [7u8; 5];
        let key = PreimageKey::precompile_call(address, 3_000, &input);
        let mut data = address.to_vec();
        data.extend_from_slice(&3_000u64.to_be_bytes());
        data.extend_from_slice(&input);
        let hash = keccak256(&data);
        assert_eq!(key.key_type(), PreimageKeyType::Precompile);
        assert!(key.matches_hash(&hash));
        assert_eq!(key.as_bytes()[0], 6);
        assert_ne!(key, PreimageKey::precompile_call(address, 3_001, &input));
    }

    #[test]
    fn precompile_key_hashes_address_and_input() {
        let address: Address = address!("0000000000000000000000000000000000000001");
        let input: [u8; 3] = [1, 2, 3];
        let concatenated: alloc::vec::Vec<u8> = [address.as_slice(), &input[..]].concat();
        let key: PreimageKey = PreimageKey::precompile(address, &input);
        assert!(key.matches_hash(&keccak256(&concatenated)));
        assert_eq!(key.key_type(), PreimageKeyType::Precompile);
    }

    #[test]
    fn wire_bytes_round_trip_and_reject_unknown_types() {
        for key_type in PreimageKeyType::ALL {
            let key: PreimageKey = PreimageKey::new([0x5a; 32], key_type);
            assert_eq!(PreimageKey::try_from(key.to_bytes()), Ok(key));
        }
        let mut zero: [u8; 32] =
            hex!("00ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff");
        assert_eq!(PreimageKey::try_from(zero), Err(InvalidKeyType(0)));
        zero[0] = 0x81;
        assert_eq!(PreimageKey::try_from(zero), Err(InvalidKeyType(0x81)));
    }
}
