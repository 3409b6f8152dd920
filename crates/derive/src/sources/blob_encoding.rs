//! The OP Stack blob encoding: up to 130044 bytes of data packed into a blob's 4096 field
//! elements (Ecotone derivation spec, "Blob Encoding").
//!
//! The blob is read in 1024 rounds of 4 field elements. Each field element contributes its low
//! 31 bytes verbatim plus 6 bits of its first byte; the four 6-bit chunks of a round form 3
//! more bytes, so a round yields `4 * 31 + 3 = 127` bytes. The first field element carries the
//! version (byte 1, must be 0) and the data length (bytes 2..5, big-endian `u24`).

use alloc::vec::Vec;
use alloy_eips::eip4844::{BYTES_PER_BLOB, Blob};

/// The only blob encoding version.
pub const BLOB_ENCODING_VERSION: u8 = 0;
/// Field elements per blob.
const FIELD_ELEMENTS: usize = 4096;
/// Rounds of 4 field elements.
const ROUNDS: usize = FIELD_ELEMENTS / 4;
/// The most data one blob can carry: `(4 * 31 + 3) * 1024 - 4`.
pub const MAX_BLOB_DATA_SIZE: usize = (4 * 31 + 3) * ROUNDS - 4;

/// Why a blob does not hold validly encoded data. The pipeline skips such blobs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum BlobDecodeError {
    /// Byte 1 is not [`BLOB_ENCODING_VERSION`].
    #[error("unsupported blob encoding version {0}")]
    InvalidVersion(u8),
    /// The encoded length exceeds [`MAX_BLOB_DATA_SIZE`].
    #[error("blob data length {0} exceeds the maximum")]
    InvalidLength(usize),
    /// A field element uses one of its two highest bits.
    #[error("field element {0} has its high-order bits set")]
    InvalidFieldElement(usize),
    /// Bytes past the encoded length are not zero.
    #[error("non-zero data past the encoded length (at byte {0})")]
    ExtraneousData(usize),
    /// Data longer than a blob can carry was offered for encoding.
    #[error("{0} bytes do not fit in a blob")]
    TooLarge(usize),
}

/// Decodes the data an OP Stack blob carries.
pub fn decode_blob(blob: &Blob) -> Result<Vec<u8>, BlobDecodeError> {
    let b: &[u8; BYTES_PER_BLOB] = blob;
    if b[1] != BLOB_ENCODING_VERSION {
        return Err(BlobDecodeError::InvalidVersion(b[1]));
    }
    let output_len = (usize::from(b[2]) << 16) | (usize::from(b[3]) << 8) | usize::from(b[4]);
    if output_len > MAX_BLOB_DATA_SIZE {
        return Err(BlobDecodeError::InvalidLength(output_len));
    }
    let mut output = alloc::vec![0u8; MAX_BLOB_DATA_SIZE];
    output[..27].copy_from_slice(&b[5..32]);
    let mut encoded = [b[0], 0, 0, 0];
    let mut opos = 28usize;
    let mut ipos = 32usize;
    for slot in encoded.iter_mut().skip(1) {
        *slot = decode_field_element(b, &mut output, &mut opos, &mut ipos)?;
    }
    opos = reassemble(opos, encoded, &mut output);
    let mut round = 1;
    while round < ROUNDS && opos < output_len {
        for slot in &mut encoded {
            *slot = decode_field_element(b, &mut output, &mut opos, &mut ipos)?;
        }
        opos = reassemble(opos, encoded, &mut output);
        round += 1;
    }
    if let Some(offset) = output[output_len..].iter().position(|byte| *byte != 0) {
        return Err(BlobDecodeError::ExtraneousData(output_len + offset));
    }
    output.truncate(output_len);
    if let Some(offset) = b[ipos..].iter().position(|byte| *byte != 0) {
        return Err(BlobDecodeError::ExtraneousData(ipos + offset));
    }
    Ok(output)
}

/// Copies the low 31 bytes of the field element at `ipos` to `output[opos..]` and returns its
/// first byte (whose two high bits must be clear).
fn decode_field_element(
    b: &[u8; BYTES_PER_BLOB],
    output: &mut [u8],
    opos: &mut usize,
    ipos: &mut usize,
) -> Result<u8, BlobDecodeError> {
    let first = b[*ipos];
    if first & 0b1100_0000 != 0 {
        return Err(BlobDecodeError::InvalidFieldElement(*ipos / 32));
    }
    output[*opos..*opos + 31].copy_from_slice(&b[*ipos + 1..*ipos + 32]);
    *opos += 32;
    *ipos += 32;
    Ok(first)
}

/// Rebuilds the three bytes spread over a round's four 6-bit chunks and writes them into the
/// gaps left between the 31-byte runs. Returns the next output position.
fn reassemble(opos: usize, encoded: [u8; 4], output: &mut [u8]) -> usize {
    let opos = opos - 1;
    let x = (encoded[0] & 0b0011_1111) | ((encoded[1] & 0b0011_0000) << 2);
    let y = (encoded[1] & 0b0000_1111) | ((encoded[3] & 0b0000_1111) << 4);
    let z = (encoded[2] & 0b0011_1111) | ((encoded[3] & 0b0011_0000) << 2);
    output[opos - 32] = z;
    output[opos - 64] = y;
    output[opos - 96] = x;
    opos
}

/// Encodes `data` into a blob (the batcher's side; used to build test inputs).
pub fn encode_blob(data: &[u8]) -> Result<Blob, BlobDecodeError> {
    if data.len() > MAX_BLOB_DATA_SIZE {
        return Err(BlobDecodeError::TooLarge(data.len()));
    }
    let mut blob = Blob::ZERO;
    let out: &mut [u8; BYTES_PER_BLOB] = &mut blob;
    let mut read = 0usize;
    let mut write = 0usize;
    let mut buf = [0u8; 31];
    let read31 = |buf: &mut [u8; 31], read: &mut usize| {
        let rest = data.get(*read..).unwrap_or_default();
        let n = rest.len().min(31);
        buf[..n].copy_from_slice(&rest[..n]);
        buf[n..].fill(0);
        *read += n;
    };
    let read1 = |read: &mut usize| {
        let byte = data.get(*read).copied().unwrap_or(0);
        *read += 1;
        byte
    };
    let mut round = 0;
    while round < ROUNDS && read < data.len() {
        if round == 0 {
            buf[0] = BLOB_ENCODING_VERSION;
            let len = data.len() as u32;
            buf[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
            let n = data.len().min(27);
            buf[4..4 + n].copy_from_slice(&data[..n]);
            buf[4 + n..].fill(0);
            read += n;
        } else {
            read31(&mut buf, &mut read);
        }
        let x = read1(&mut read);
        out[write] = x & 0b0011_1111;
        out[write + 1..write + 32].copy_from_slice(&buf);
        write += 32;

        read31(&mut buf, &mut read);
        let y = read1(&mut read);
        out[write] = (y & 0b0000_1111) | ((x & 0b1100_0000) >> 2);
        out[write + 1..write + 32].copy_from_slice(&buf);
        write += 32;

        read31(&mut buf, &mut read);
        let z = read1(&mut read);
        out[write] = z & 0b0011_1111;
        out[write + 1..write + 32].copy_from_slice(&buf);
        write += 32;

        read31(&mut buf, &mut read);
        out[write] = ((z & 0b1100_0000) >> 2) | ((y & 0b1111_0000) >> 4);
        out[write + 1..write + 32].copy_from_slice(&buf);
        write += 32;
        round += 1;
    }
    Ok(blob)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 131 + 7) as u8).collect()
    }

    #[test]
    fn round_trips_lengths_across_round_boundaries() {
        for len in [
            0,
            1,
            26,
            27,
            28,
            123,
            124,
            127,
            128,
            1000,
            130_043,
            MAX_BLOB_DATA_SIZE,
        ] {
            let data = pattern(len);
            let blob = encode_blob(&data).unwrap();
            assert_eq!(decode_blob(&blob).unwrap(), data, "length {len}");
        }
    }

    #[test]
    fn spec_version_byte_must_be_zero() {
        let mut blob = encode_blob(&pattern(10)).unwrap();
        blob[1] = 1;
        assert_eq!(decode_blob(&blob), Err(BlobDecodeError::InvalidVersion(1)));
    }

    #[test]
    fn spec_length_is_bounded_by_max_blob_data_size() {
        let mut blob = Blob::ZERO;
        let len = (MAX_BLOB_DATA_SIZE + 1) as u32;
        blob[2..5].copy_from_slice(&len.to_be_bytes()[1..]);
        assert_eq!(
            decode_blob(&blob),
            Err(BlobDecodeError::InvalidLength(MAX_BLOB_DATA_SIZE + 1))
        );
    }

    #[test]
    fn spec_field_element_high_bits_must_be_clear() {
        let mut blob = encode_blob(&pattern(200)).unwrap();
        blob[32] |= 0b1000_0000;
        assert_eq!(
            decode_blob(&blob),
            Err(BlobDecodeError::InvalidFieldElement(1))
        );
    }

    #[test]
    fn spec_bytes_past_the_length_must_be_zero() {
        // Inside the last decoded round, past the declared length.
        let mut blob = encode_blob(&pattern(40)).unwrap();
        blob[32 * 3 + 10] = 1;
        assert!(matches!(
            decode_blob(&blob),
            Err(BlobDecodeError::ExtraneousData(_))
        ));
        // In a round the decoder never reads.
        let mut blob = encode_blob(&pattern(40)).unwrap();
        blob[BYTES_PER_BLOB - 1] = 1;
        assert_eq!(
            decode_blob(&blob),
            Err(BlobDecodeError::ExtraneousData(BYTES_PER_BLOB - 1))
        );
    }

    #[test]
    fn encode_rejects_oversized_data() {
        assert_eq!(
            encode_blob(&pattern(MAX_BLOB_DATA_SIZE + 1)),
            Err(BlobDecodeError::TooLarge(MAX_BLOB_DATA_SIZE + 1))
        );
    }
}
