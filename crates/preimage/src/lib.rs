//! The preimage oracle ABI of the OP Stack fault proof.
//!
//! - [`PreimageKey`]: every key type of the fault-proof specification.
//! - [`Channel`]: a byte stream with short reads and writes, the transport of both protocols.
//! - Client side ([`OracleReader`], [`HintWriter`]) for the program, behind the
//!   [`PreimageOracleClient`] and [`HintWriterClient`] traits.
//! - Server side ([`OracleServer`], [`HintReader`]) for the host, answering through the
//!   [`PreimageFetcher`] and [`HintRouter`] traits.
//! - With `std`: native channels over OS pipes and in process.
//! - [`archive`]: the preimage archive file format (witness files, the bundled devnet).
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

pub mod archive;
mod channel;
mod client;
mod key;
#[cfg(any(feature = "std", test))]
mod native;
mod server;
#[cfg(test)]
mod tests;

pub use archive::{ArchiveError, PreimageArchive, encode_archive};
pub use channel::{Channel, ChannelError, ChunkedChannel, read_full, write_all};
pub use client::{
    HINT_LENGTH_PREFIX, HintWriter, HintWriterClient, MAX_PREIMAGE_LEN, OracleReader,
    PREIMAGE_LENGTH_PREFIX, PreimageOracleClient, PreimageOracleError,
};
pub use key::{InvalidKeyType, PreimageKey, PreimageKeyType};
#[cfg(any(feature = "std", test))]
pub use native::{MemoryChannel, PipeChannel};
pub use server::{
    DEFAULT_MAX_HINT_LEN, FetchError, HintReader, HintRouter, NoopHintRouter, OracleServer,
    PreimageFetcher, Served, ServerError,
};
