//! Unsigned base-128 varints (protobuf / Go `encoding/binary` `Uvarint`).

use super::{SpanBatchError, cursor::Cursor};
use alloc::vec::Vec;

/// Maximum encoded length of a `u64` varint.
pub(crate) const MAX_VARINT_LEN_64: usize = 10;

/// Reads a uvarint with the exact acceptance rules of Go's `binary.ReadUvarint`: at most ten
/// bytes, the tenth at most `1`; non-minimal encodings (redundant `0x80` groups) are accepted.
pub(crate) fn read_uvarint(
    cursor: &mut Cursor<'_>,
    field: &'static str,
) -> Result<u64, SpanBatchError> {
    let mut value: u64 = 0;
    let mut shift: u32 = 0;
    for index in 0..MAX_VARINT_LEN_64 {
        let byte = cursor.read_byte(field)?;
        if byte < 0x80 {
            if index == MAX_VARINT_LEN_64 - 1 && byte > 1 {
                return Err(SpanBatchError::VarintOverflow(field));
            }
            return Ok(value | (u64::from(byte) << shift));
        }
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    Err(SpanBatchError::VarintOverflow(field))
}

/// Appends `value` as a minimal uvarint.
pub(crate) fn write_uvarint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn read(bytes: &[u8]) -> Result<u64, SpanBatchError> {
        read_uvarint(&mut Cursor::new(bytes), "test")
    }

    #[test]
    fn matches_go_uvarint() {
        for value in [0u64, 1, 127, 128, 300, 1 << 35, u64::MAX] {
            let mut out = vec![];
            write_uvarint(&mut out, value);
            assert_eq!(read(&out), Ok(value));
        }
        let mut max = vec![];
        write_uvarint(&mut max, u64::MAX);
        assert_eq!(max.len(), 10);
        assert_eq!(*max.last().unwrap(), 1);
        // Tenth byte above 1 overflows; eleven bytes overflow.
        let mut over = max.clone();
        *over.last_mut().unwrap() = 2;
        assert_eq!(read(&over), Err(SpanBatchError::VarintOverflow("test")));
        assert_eq!(
            read(&[0x80; 11]),
            Err(SpanBatchError::VarintOverflow("test"))
        );
        // Non-minimal encodings are accepted, as Go does.
        assert_eq!(read(&[0x81, 0x00]), Ok(1));
        assert!(matches!(
            read(&[0x80]),
            Err(SpanBatchError::UnexpectedEnd(_))
        ));
    }
}
