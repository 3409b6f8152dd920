//! [`UnboundedUint`]: an unsigned integer of any size, as go-ethereum's RLP reads a `*big.Int`.

use alloy_primitives::{Bytes, U256};
use alloy_rlp::{BufMut, Decodable, Encodable, Header};

/// An unsigned integer of any size, held as its minimal big-endian bytes.
///
/// op-node decodes the `value` and fee fields of legacy, EIP-2930 and EIP-1559 span batch
/// `tx_data`s into Go `*big.Int`s, which go-ethereum's RLP accepts at any length, and writes
/// them back unchanged into the rebuilt transaction. This type carries such a field exactly:
/// it does no arithmetic, it only keeps the bytes and their canonical RLP form.
///
/// RLP decoding enforces go-ethereum's canonical integer rules: the value is an RLP string
/// (not a list) with no leading zero byte (so `0x00` is invalid and zero is `0x80`), and a
/// value below `0x80` must be the single byte itself, not `0x81 0xNN`. Encoding is the same
/// minimal form, so decoding and re-encoding reproduce the input.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct UnboundedUint(Bytes);

impl UnboundedUint {
    /// Zero.
    pub const ZERO: Self = Self(Bytes::new());

    /// The integer whose big-endian bytes are `bytes` (leading zeros are dropped).
    pub fn from_be_slice(bytes: &[u8]) -> Self {
        let first_non_zero = bytes
            .iter()
            .position(|&byte| byte != 0)
            .unwrap_or(bytes.len());
        Self(Bytes::copy_from_slice(
            bytes.get(first_non_zero..).unwrap_or_default(),
        ))
    }

    /// The minimal big-endian bytes: empty for zero, otherwise starting with a non-zero byte.
    pub fn as_be_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Whether the value is zero.
    pub fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    /// The value as a [`U256`], or `None` if it needs more than 256 bits.
    pub fn to_u256(&self) -> Option<U256> {
        U256::try_from_be_slice(&self.0)
    }

    /// The value as a `u128`, or `None` if it needs more than 128 bits.
    pub fn to_u128(&self) -> Option<u128> {
        let mut word = [0u8; 16];
        let offset = word.len().checked_sub(self.0.len())?;
        word.get_mut(offset..)?.copy_from_slice(&self.0);
        Some(u128::from_be_bytes(word))
    }
}

impl From<U256> for UnboundedUint {
    fn from(value: U256) -> Self {
        Self::from_be_slice(&value.to_be_bytes::<32>())
    }
}

impl From<u128> for UnboundedUint {
    fn from(value: u128) -> Self {
        Self::from_be_slice(&value.to_be_bytes())
    }
}

impl From<u64> for UnboundedUint {
    fn from(value: u64) -> Self {
        Self::from_be_slice(&value.to_be_bytes())
    }
}

impl Encodable for UnboundedUint {
    fn encode(&self, out: &mut dyn BufMut) {
        // The minimal bytes as an RLP string: a lone byte below 0x80 is its own encoding and
        // zero (no bytes) is 0x80, exactly as go-ethereum writes a `*big.Int`.
        self.as_be_bytes().encode(out);
    }

    fn length(&self) -> usize {
        self.as_be_bytes().length()
    }
}

impl Decodable for UnboundedUint {
    fn decode(buf: &mut &[u8]) -> alloy_rlp::Result<Self> {
        // `decode_bytes` rejects lists, non-canonical lengths and `0x81 0xNN` with NN < 0x80.
        let bytes = Header::decode_bytes(buf, false)?;
        if bytes.first() == Some(&0) {
            return Err(alloy_rlp::Error::LeadingZero);
        }
        Ok(Self(Bytes::copy_from_slice(bytes)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{vec, vec::Vec};

    fn decode(input: &[u8]) -> alloy_rlp::Result<UnboundedUint> {
        let mut buf = input;
        let value = UnboundedUint::decode(&mut buf)?;
        assert!(buf.is_empty(), "trailing input");
        Ok(value)
    }

    fn encode(value: &UnboundedUint) -> Vec<u8> {
        let mut out = Vec::new();
        value.encode(&mut out);
        assert_eq!(out.len(), value.length());
        out
    }

    #[test]
    fn small_values_use_rlp_integer_forms() {
        assert_eq!(encode(&UnboundedUint::ZERO), [0x80]);
        assert_eq!(encode(&UnboundedUint::from(1u64)), [0x01]);
        assert_eq!(encode(&UnboundedUint::from(0x7fu64)), [0x7f]);
        assert_eq!(encode(&UnboundedUint::from(0x80u64)), [0x81, 0x80]);
        assert_eq!(encode(&UnboundedUint::from(0x0400u64)), [0x82, 0x04, 0x00]);
        assert_eq!(decode(&[0x80]), Ok(UnboundedUint::ZERO));
        assert_eq!(decode(&[0x05]), Ok(UnboundedUint::from(5u64)));
        assert_eq!(decode(&[0x81, 0x80]), Ok(UnboundedUint::from(0x80u64)));
    }

    #[test]
    fn values_beyond_256_bits_round_trip() {
        // 2^400: 0x01 followed by 50 zero bytes, a 51-byte string (short form).
        let mut be = vec![0u8; 51];
        be[0] = 1;
        let value = UnboundedUint::from_be_slice(&be);
        let mut expected = vec![0x80 + 51];
        expected.extend_from_slice(&be);
        assert_eq!(encode(&value), expected);
        assert_eq!(decode(&expected), Ok(value.clone()));
        assert_eq!(value.to_u256(), None);
        assert_eq!(value.to_u128(), None);

        // 70 bytes: long-form string header `0xb8 70`.
        let be = vec![0xffu8; 70];
        let value = UnboundedUint::from_be_slice(&be);
        let mut expected = vec![0xb8, 70];
        expected.extend_from_slice(&be);
        assert_eq!(encode(&value), expected);
        assert_eq!(decode(&expected), Ok(value));
    }

    #[test]
    fn non_canonical_encodings_are_rejected() {
        // A single byte below 0x80 wrapped in a string header.
        assert_eq!(
            decode(&[0x81, 0x05]),
            Err(alloy_rlp::Error::NonCanonicalSingleByte)
        );
        // Leading zero bytes, including zero written as 0x00.
        assert_eq!(decode(&[0x00]), Err(alloy_rlp::Error::LeadingZero));
        assert_eq!(
            decode(&[0x82, 0x00, 0x80]),
            Err(alloy_rlp::Error::LeadingZero)
        );
        // A long-form header for a short string.
        assert_eq!(
            decode(&[0xb8, 0x02, 0x01, 0x02]),
            Err(alloy_rlp::Error::NonCanonicalSize)
        );
        // A list is not an integer.
        assert_eq!(decode(&[0xc0]), Err(alloy_rlp::Error::UnexpectedList));
        assert_eq!(decode(&[0x83, 0x01]), Err(alloy_rlp::Error::InputTooShort));
    }

    #[test]
    fn conversions_agree_with_fixed_width_types() {
        for value in [
            0u128,
            1,
            0x7f,
            0x80,
            0xffff,
            u64::MAX as u128 + 1,
            u128::MAX,
        ] {
            let unbounded = UnboundedUint::from(value);
            assert_eq!(unbounded.to_u128(), Some(value));
            assert_eq!(unbounded.to_u256(), Some(U256::from(value)));
            assert_eq!(unbounded, UnboundedUint::from(U256::from(value)));
            assert_eq!(encode(&unbounded), alloy_rlp::encode(value));
            assert_eq!(unbounded.is_zero(), value == 0);
        }
        assert_eq!(UnboundedUint::from(U256::MAX).to_u128(), None);
        assert_eq!(UnboundedUint::from(U256::MAX).to_u256(), Some(U256::MAX));
        assert_eq!(UnboundedUint::from_be_slice(&[0, 0, 7]).as_be_bytes(), [7]);
        assert!(UnboundedUint::from_be_slice(&[0, 0]).is_zero());
    }
}
