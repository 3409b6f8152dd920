//! The host side: answering preimage requests and receiving hints.
//!
//! Both servers read untrusted bytes from the program. Every malformed or truncated message
//! becomes a [`ServerError`]; a stream that ends exactly at a message boundary is a normal
//! shutdown ([`Served::Closed`]).

use crate::{
    InvalidKeyType, PreimageKey,
    channel::{Channel, ChannelError, read_full, write_all},
    client::{HINT_LENGTH_PREFIX, PREIMAGE_LENGTH_PREFIX},
};
use alloc::{collections::BTreeMap, string::String, vec::Vec};

/// The default upper bound on the length of a single hint (16 MiB).
pub const DEFAULT_MAX_HINT_LEN: u32 = 16 << 20;

/// A hint's payload is read in pieces of this size, so memory follows the bytes that actually
/// arrive rather than the length the (untrusted) program announces.
const HINT_READ_CHUNK: usize = 64 << 10;

/// A failure of a preimage source or hint handler.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    /// No preimage is known for the key.
    #[error("no preimage for key {0}")]
    NotFound(PreimageKey),
    /// The hint is not understood.
    #[error("unsupported hint: {0}")]
    UnsupportedHint(String),
    /// The backend failed.
    #[error("preimage backend failed: {0}")]
    Backend(String),
}

/// A failure of the host side of the oracle or hint protocol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServerError {
    /// The underlying channel failed.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// The client closed the stream in the middle of a message.
    #[error("client closed the stream after {received} of {expected} bytes of a message")]
    Truncated {
        /// Bytes the message should have had (for a hint: prefix plus announced payload).
        expected: u64,
        /// Bytes actually received.
        received: u64,
    },
    /// The client requested a key with an unknown type byte.
    #[error(transparent)]
    InvalidKey(#[from] InvalidKeyType),
    /// The announced hint length exceeds the server's limit.
    #[error("hint of {len} bytes exceeds the limit of {max} bytes")]
    HintTooLarge {
        /// The announced length.
        len: u32,
        /// The configured limit.
        max: u32,
    },
    /// The hint payload is not UTF-8.
    #[error("hint is not valid UTF-8")]
    HintNotUtf8,
    /// The preimage source failed.
    #[error("fetching a preimage failed: {0}")]
    Fetch(FetchError),
    /// The hint router failed.
    #[error("routing a hint failed: {0}")]
    Route(FetchError),
}

/// The outcome of serving one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Served {
    /// One request was answered.
    Message,
    /// The client closed the stream at a message boundary.
    Closed,
}

/// A source of preimages for the [`OracleServer`].
pub trait PreimageFetcher {
    /// Returns the preimage of `key`.
    fn get_preimage(&self, key: PreimageKey) -> Result<Vec<u8>, FetchError>;
}

/// A handler for hints received by the [`HintReader`].
pub trait HintRouter {
    /// Acts on `hint` (e.g. fetches the data it names) before the hint is acknowledged.
    fn route_hint(&self, hint: &str) -> Result<(), FetchError>;
}

impl<T: PreimageFetcher + ?Sized> PreimageFetcher for &T {
    fn get_preimage(&self, key: PreimageKey) -> Result<Vec<u8>, FetchError> {
        (**self).get_preimage(key)
    }
}

impl<T: PreimageFetcher + ?Sized> PreimageFetcher for alloc::sync::Arc<T> {
    fn get_preimage(&self, key: PreimageKey) -> Result<Vec<u8>, FetchError> {
        (**self).get_preimage(key)
    }
}

impl PreimageFetcher for BTreeMap<PreimageKey, Vec<u8>> {
    fn get_preimage(&self, key: PreimageKey) -> Result<Vec<u8>, FetchError> {
        self.get(&key).cloned().ok_or(FetchError::NotFound(key))
    }
}

impl<T: HintRouter + ?Sized> HintRouter for &T {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        (**self).route_hint(hint)
    }
}

impl<T: HintRouter + ?Sized> HintRouter for alloc::sync::Arc<T> {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        (**self).route_hint(hint)
    }
}

/// A router that accepts and ignores every hint (the on-chain behaviour).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopHintRouter;

impl HintRouter for NoopHintRouter {
    fn route_hint(&self, _hint: &str) -> Result<(), FetchError> {
        Ok(())
    }
}

/// Reads one fixed-size part of a message that starts `offset` bytes into the message.
///
/// Returns `Ok(false)` only when the stream ended before the first byte of a message (a clean
/// shutdown); any other short read is a truncated message.
fn read_part<C: Channel + ?Sized>(
    channel: &C,
    buf: &mut [u8],
    offset: u64,
    message_len: u64,
) -> Result<bool, ServerError> {
    let received: usize = read_full(channel, buf)?;
    if received == buf.len() {
        return Ok(true);
    }
    if received == 0 && offset == 0 {
        return Ok(false);
    }
    Err(ServerError::Truncated {
        expected: message_len,
        received: offset.saturating_add(received as u64),
    })
}

/// The oracle server over a [`Channel`]: reads 32-byte keys and answers with length-prefixed
/// preimages.
#[derive(Debug, Clone)]
pub struct OracleServer<C> {
    channel: C,
}

impl<C: Channel> OracleServer<C> {
    /// Creates a server over `channel`.
    pub const fn new(channel: C) -> Self {
        Self { channel }
    }

    /// Answers one request.
    pub fn next_request<F: PreimageFetcher + ?Sized>(
        &self,
        fetcher: &F,
    ) -> Result<Served, ServerError> {
        let mut key_bytes: [u8; 32] = [0; 32];
        if !read_part(&self.channel, &mut key_bytes, 0, 32)? {
            return Ok(Served::Closed);
        }
        let key: PreimageKey = PreimageKey::try_from(key_bytes)?;
        let preimage: Vec<u8> = fetcher.get_preimage(key).map_err(ServerError::Fetch)?;
        tracing::trace!(target: "preimage::server", %key, len = preimage.len(), "serving preimage");
        let prefix: [u8; PREIMAGE_LENGTH_PREFIX] = (preimage.len() as u64).to_be_bytes();
        write_all(&self.channel, &prefix)?;
        write_all(&self.channel, &preimage)?;
        Ok(Served::Message)
    }

    /// Answers requests until the client closes the stream.
    pub fn serve<F: PreimageFetcher + ?Sized>(&self, fetcher: &F) -> Result<(), ServerError> {
        while self.next_request(fetcher)? == Served::Message {}
        Ok(())
    }
}

/// The hint server over a [`Channel`]: reads length-prefixed hints, routes them, and
/// acknowledges each with a zero byte.
#[derive(Debug, Clone)]
pub struct HintReader<C> {
    channel: C,
    max_hint_len: u32,
}

impl<C: Channel> HintReader<C> {
    /// Creates a hint reader over `channel` accepting hints up to [`DEFAULT_MAX_HINT_LEN`].
    pub const fn new(channel: C) -> Self {
        Self {
            channel,
            max_hint_len: DEFAULT_MAX_HINT_LEN,
        }
    }

    /// Sets the largest accepted hint length.
    pub const fn with_max_hint_len(mut self, max_hint_len: u32) -> Self {
        self.max_hint_len = max_hint_len;
        self
    }

    /// Receives, routes and acknowledges one hint.
    pub fn next_hint<R: HintRouter + ?Sized>(&self, router: &R) -> Result<Served, ServerError> {
        let mut prefix: [u8; HINT_LENGTH_PREFIX] = [0; HINT_LENGTH_PREFIX];
        if !read_part(&self.channel, &mut prefix, 0, HINT_LENGTH_PREFIX as u64)? {
            return Ok(Served::Closed);
        }
        let len: u32 = u32::from_be_bytes(prefix);
        if len > self.max_hint_len {
            return Err(ServerError::HintTooLarge {
                len,
                max: self.max_hint_len,
            });
        }
        let total: usize = len as usize;
        let mut payload: Vec<u8> = Vec::with_capacity(total.min(HINT_READ_CHUNK));
        while payload.len() < total {
            let start: usize = payload.len();
            let chunk: usize = (total - start).min(HINT_READ_CHUNK);
            payload.resize(start + chunk, 0);
            read_part(
                &self.channel,
                &mut payload[start..],
                (HINT_LENGTH_PREFIX + start) as u64,
                HINT_LENGTH_PREFIX as u64 + u64::from(len),
            )?;
        }
        let hint: &str = core::str::from_utf8(&payload).map_err(|_| ServerError::HintNotUtf8)?;
        tracing::trace!(target: "preimage::server", hint, "routing hint");
        router.route_hint(hint).map_err(ServerError::Route)?;
        write_all(&self.channel, &[0])?;
        Ok(Served::Message)
    }

    /// Handles hints until the client closes the stream.
    pub fn serve<R: HintRouter + ?Sized>(&self, router: &R) -> Result<(), ServerError> {
        while self.next_hint(router)? == Served::Message {}
        Ok(())
    }
}
