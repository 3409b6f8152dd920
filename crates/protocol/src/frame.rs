//! Channel frames and the batcher transaction wire format.
//!
//! A batcher transaction's data is `version_byte ++ frame ...`; only
//! [`DERIVATION_VERSION_0`] carries frames. Each frame is
//!
//! ```text
//! frame = channel_id (16) ++ frame_number (u16 BE) ++ frame_data_length (u32 BE) ++ frame_data ++ is_last (u8)
//! ```
//!
//! Per the derivation spec, an unknown version byte makes the whole transaction invalid, and
//! if any one frame fails to parse, *all* frames of that transaction are rejected:
//! [`parse_frames`] therefore returns either every frame or an error.

use alloc::vec::Vec;
use alloy_primitives::{Bytes, hex};
use core::fmt;

/// The derivation version byte that prefixes frame data in a batcher transaction.
pub const DERIVATION_VERSION_0: u8 = 0;

/// Size of a channel id in bytes.
pub const CHANNEL_ID_LENGTH: usize = 16;

/// Fixed per-frame encoding overhead: `16 (channel id) + 2 (number) + 4 (length) + 1 (is_last)`.
pub const FRAME_HEADER_OVERHEAD: usize = CHANNEL_ID_LENGTH + 2 + 4 + 1;

/// Maximum `frame_data_length` accepted by the frame parser (spec: "capped to 1,000,000 bytes").
pub const MAX_FRAME_DATA_LENGTH: usize = 1_000_000;

/// Identifier of a channel: 16 opaque bytes chosen by the batcher.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ChannelId(pub [u8; CHANNEL_ID_LENGTH]);

impl ChannelId {
    /// Creates a channel id from its 16 bytes.
    pub const fn new(bytes: [u8; CHANNEL_ID_LENGTH]) -> Self {
        Self(bytes)
    }

    /// The id's bytes.
    pub const fn as_bytes(&self) -> &[u8; CHANNEL_ID_LENGTH] {
        &self.0
    }
}

impl From<[u8; CHANNEL_ID_LENGTH]> for ChannelId {
    fn from(bytes: [u8; CHANNEL_ID_LENGTH]) -> Self {
        Self(bytes)
    }
}

impl fmt::Debug for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChannelId({})", hex::encode(self.0))
    }
}

impl fmt::Display for ChannelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

/// Errors from decoding a frame or a batcher transaction's frames.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The batcher transaction carries no data at all.
    #[error("batcher transaction data is empty")]
    EmptyData,
    /// The derivation version byte is not [`DERIVATION_VERSION_0`].
    #[error("unsupported derivation version {0}")]
    UnsupportedVersion(u8),
    /// The version byte is followed by no frame.
    #[error("batcher transaction contains no frames")]
    NoFrames,
    /// The input ends inside a frame.
    #[error("frame truncated: needed {needed} bytes, {available} available")]
    Truncated {
        /// Bytes the frame needs from its start.
        needed: usize,
        /// Bytes available from its start.
        available: usize,
    },
    /// `frame_data_length` exceeds [`MAX_FRAME_DATA_LENGTH`].
    #[error("frame data length {0} exceeds the maximum of {MAX_FRAME_DATA_LENGTH}")]
    DataTooLarge(u32),
    /// The `is_last` byte is neither 0 nor 1.
    #[error("invalid is_last byte {0}")]
    InvalidIsLast(u8),
}

/// One frame of a channel.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Frame {
    /// The channel this frame belongs to.
    pub id: ChannelId,
    /// Index of this frame within its channel.
    pub number: u16,
    /// The channel bytes carried by this frame.
    pub data: Bytes,
    /// Whether this is the channel's closing frame.
    pub is_last: bool,
}

impl Frame {
    /// Creates a frame.
    pub fn new(id: ChannelId, number: u16, data: Bytes, is_last: bool) -> Self {
        Self {
            id,
            number,
            data,
            is_last,
        }
    }

    /// Length of this frame's encoding.
    pub fn encoded_len(&self) -> usize {
        FRAME_HEADER_OVERHEAD + self.data.len()
    }

    /// Appends this frame's encoding to `out`.
    ///
    /// Frames whose data is longer than `u32::MAX` cannot be represented; the caller is
    /// expected to respect [`MAX_FRAME_DATA_LENGTH`] (the length is checked in debug builds).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        debug_assert!(
            u32::try_from(self.data.len()).is_ok(),
            "frame data too long"
        );
        out.reserve(self.encoded_len());
        out.extend_from_slice(&self.id.0);
        out.extend_from_slice(&self.number.to_be_bytes());
        out.extend_from_slice(&(self.data.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.data);
        out.push(u8::from(self.is_last));
    }

    /// This frame's encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut out);
        out
    }

    /// Decodes one frame from the start of `input`, returning it and the number of bytes read.
    pub fn decode(input: &[u8]) -> Result<(Self, usize), FrameError> {
        let truncated = |needed: usize| FrameError::Truncated {
            needed,
            available: input.len(),
        };
        let header_len = FRAME_HEADER_OVERHEAD - 1;
        let Some((id_bytes, rest)) = input.split_first_chunk::<CHANNEL_ID_LENGTH>() else {
            return Err(truncated(FRAME_HEADER_OVERHEAD));
        };
        let Some((number_bytes, rest)) = rest.split_first_chunk::<2>() else {
            return Err(truncated(FRAME_HEADER_OVERHEAD));
        };
        let Some((length_bytes, rest)) = rest.split_first_chunk::<4>() else {
            return Err(truncated(FRAME_HEADER_OVERHEAD));
        };

        let data_len = u32::from_be_bytes(*length_bytes);
        if data_len as usize > MAX_FRAME_DATA_LENGTH {
            return Err(FrameError::DataTooLarge(data_len));
        }
        let data_len = data_len as usize;
        let needed = header_len + data_len + 1;
        let (Some(data), Some(&is_last_byte)) = (rest.get(..data_len), rest.get(data_len)) else {
            return Err(truncated(needed));
        };
        let is_last = match is_last_byte {
            0 => false,
            1 => true,
            other => return Err(FrameError::InvalidIsLast(other)),
        };
        let frame = Self {
            id: ChannelId(*id_bytes),
            number: u16::from_be_bytes(*number_bytes),
            data: Bytes::copy_from_slice(data),
            is_last,
        };
        Ok((frame, needed))
    }
}

/// Parses every frame of a batcher transaction's data (`version_byte ++ frame ...`).
///
/// Returns all frames, or an error if the data is empty, the version is unknown, no frame
/// follows the version byte, or any frame is malformed (in which case the spec rejects every
/// frame of the transaction).
pub fn parse_frames(data: &[u8]) -> Result<Vec<Frame>, FrameError> {
    let (&version, mut rest) = data.split_first().ok_or(FrameError::EmptyData)?;
    if version != DERIVATION_VERSION_0 {
        return Err(FrameError::UnsupportedVersion(version));
    }
    let mut frames = Vec::new();
    while !rest.is_empty() {
        let (frame, consumed) = Frame::decode(rest)?;
        frames.push(frame);
        rest = rest.get(consumed..).unwrap_or_default();
    }
    if frames.is_empty() {
        return Err(FrameError::NoFrames);
    }
    Ok(frames)
}

/// Encodes frames as batcher transaction data: [`DERIVATION_VERSION_0`] followed by each frame.
pub fn encode_frames<'a>(frames: impl IntoIterator<Item = &'a Frame>) -> Vec<u8> {
    let mut out = alloc::vec![DERIVATION_VERSION_0];
    for frame in frames {
        frame.encode_into(&mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn sample() -> Frame {
        Frame::new(ChannelId([7; 16]), 3, Bytes::from_static(b"hello"), true)
    }

    #[test]
    fn encodes_the_spec_layout() {
        let encoded = sample().encode();
        assert_eq!(encoded.len(), FRAME_HEADER_OVERHEAD + 5);
        assert_eq!(&encoded[..16], &[7; 16]);
        assert_eq!(&encoded[16..18], &[0, 3]);
        assert_eq!(&encoded[18..22], &[0, 0, 0, 5]);
        assert_eq!(&encoded[22..27], b"hello");
        assert_eq!(encoded[27], 1);
    }

    #[test]
    fn round_trips_and_rejects_bad_input() {
        let frame = sample();
        let mut data = vec![DERIVATION_VERSION_0];
        frame.encode_into(&mut data);
        frame.encode_into(&mut data);
        assert_eq!(
            parse_frames(&data).unwrap(),
            vec![frame.clone(), frame.clone()]
        );

        assert_eq!(parse_frames(&[]), Err(FrameError::EmptyData));
        assert_eq!(parse_frames(&[0]), Err(FrameError::NoFrames));
        assert_eq!(
            parse_frames(&[1, 2, 3]),
            Err(FrameError::UnsupportedVersion(1))
        );

        // One trailing byte after two good frames rejects all of them.
        let mut trailing = data.clone();
        trailing.push(0);
        assert!(matches!(
            parse_frames(&trailing),
            Err(FrameError::Truncated { .. })
        ));

        let mut bad_last = data.clone();
        *bad_last.last_mut().unwrap() = 2;
        assert_eq!(parse_frames(&bad_last), Err(FrameError::InvalidIsLast(2)));

        let mut too_big = frame.encode();
        too_big[18..22].copy_from_slice(&1_000_001u32.to_be_bytes());
        assert_eq!(
            Frame::decode(&too_big),
            Err(FrameError::DataTooLarge(1_000_001))
        );
    }
}
