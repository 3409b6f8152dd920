//! Span batch bitlists: big-endian integers, left-padded with zeroes to whole bytes.

use super::{MAX_SPAN_BATCH_ELEMENT_COUNT, SpanBatchError, cursor::Cursor};
use alloc::{vec, vec::Vec};

/// A bitlist of a known length, stored as its wire bytes (a big-endian integer whose bit `i`
/// is element `i`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpanBatchBits {
    bytes: Vec<u8>,
    len: usize,
}

impl SpanBatchBits {
    /// Builds a bitlist from its elements.
    pub fn from_bools(bits: &[bool]) -> Self {
        let mut bytes = vec![0u8; bits.len().div_ceil(8)];
        let byte_count = bytes.len();
        for (index, _) in bits.iter().enumerate().filter(|(_, bit)| **bit) {
            if let Some(byte) = bytes.get_mut(byte_count - 1 - index / 8) {
                *byte |= 1 << (index % 8);
            }
        }
        Self {
            bytes,
            len: bits.len(),
        }
    }

    /// Number of elements.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether the list has no elements.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Element `index`; `false` past the end.
    pub fn get(&self, index: usize) -> bool {
        if index >= self.len {
            return false;
        }
        let byte_index = self.bytes.len() - 1 - index / 8;
        self.bytes
            .get(byte_index)
            .is_some_and(|byte| byte & (1 << (index % 8)) != 0)
    }

    /// Number of set elements.
    pub fn count_ones(&self) -> usize {
        self.bytes
            .iter()
            .map(|byte| byte.count_ones() as usize)
            .sum()
    }

    /// Iterates over the elements in order.
    pub fn iter(&self) -> impl Iterator<Item = bool> + '_ {
        (0..self.len).map(|index| self.get(index))
    }

    /// The wire bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Reads a bitlist of `len` elements; bits above `len` must be zero.
    pub(crate) fn decode(
        cursor: &mut Cursor<'_>,
        len: u64,
        field: &'static str,
    ) -> Result<Self, SpanBatchError> {
        let byte_len = len.div_ceil(8);
        if byte_len > MAX_SPAN_BATCH_ELEMENT_COUNT {
            return Err(SpanBatchError::TooManyElements(field));
        }
        let bytes = cursor.read_slice(byte_len as usize, field)?;
        let len = len as usize;
        if let Some(&top) = bytes.first() {
            let used_in_top = len - (bytes.len() - 1) * 8;
            if used_in_top < 8 && top >> used_in_top != 0 {
                return Err(SpanBatchError::BitlistOverflow(field));
            }
        }
        Ok(Self {
            bytes: bytes.to_vec(),
            len,
        })
    }

    /// Appends the wire bytes.
    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_endian_layout() {
        let bits = [
            true, false, false, false, false, false, false, false, false, true,
        ];
        let list = SpanBatchBits::from_bools(&bits);
        // Bit 0 and bit 9 set: 0b10_0000_0001 = 0x0201.
        assert_eq!(list.as_bytes(), &[0x02, 0x01]);
        assert_eq!(list.iter().collect::<Vec<_>>(), bits);
        assert_eq!(list.count_ones(), 2);

        let decoded = SpanBatchBits::decode(&mut Cursor::new(&[0x02, 0x01]), 10, "t").unwrap();
        assert_eq!(decoded, list);
        // Bit 10 set: too long for a 10-element list.
        assert_eq!(
            SpanBatchBits::decode(&mut Cursor::new(&[0x04, 0x01]), 10, "t"),
            Err(SpanBatchError::BitlistOverflow("t"))
        );
        assert_eq!(
            SpanBatchBits::decode(&mut Cursor::new(&[0x01]), 10, "t"),
            Err(SpanBatchError::UnexpectedEnd("t"))
        );
        assert_eq!(
            SpanBatchBits::decode(&mut Cursor::new(&[]), 0, "t")
                .unwrap()
                .len(),
            0
        );
    }
}
