//! The devnet's batcher: packs sequenced L2 blocks into channels and posts their frames to
//! the batch inbox, as calldata or blobs.
//!
//! Channels rotate through every encoding the protocol has (zlib and brotli compression,
//! singular and span batches, calldata and blobs); some are split into several frames posted
//! in consecutive L1 blocks. Frames are posted in order and channels never interleave, which
//! is valid before and after Holocene.

use std::collections::VecDeque;

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip4844, TxEnvelope};
use alloy_primitives::{Address, Bytes, TxKind};
use koa_protocol::{
    RollupConfig,
    batch::{Batch, SingularBatch, span::SpanBatch},
    channel::CHANNEL_VERSION_BROTLI,
    frame::{ChannelId, Frame, encode_frames},
};

use crate::{
    DevnetError,
    blobs::BlobData,
    l1::{DEVNET_L1_CHAIN_ID, L1Tx},
    rng::{DevRng, TestKey},
};

/// How a channel is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// zlib (RFC 1950), every fork.
    Zlib,
    /// Brotli with the version byte, from Fjord.
    Brotli,
}

/// How a channel's frames reach L1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Carrier {
    /// EIP-1559 transaction calldata.
    Calldata,
    /// EIP-4844 blobs.
    Blobs,
}

/// One channel encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelKind {
    /// Compression.
    pub compression: Compression,
    /// Span batch (else singular batches).
    pub span: bool,
    /// Calldata or blobs.
    pub carrier: Carrier,
    /// Number of frames (one L1 block each for calldata; one blob each, all in one
    /// transaction, for blobs).
    pub frames: usize,
}

/// The rotation of channel encodings.
const ROTATION: [ChannelKind; 6] = [
    ChannelKind {
        compression: Compression::Zlib,
        span: false,
        carrier: Carrier::Calldata,
        frames: 1,
    },
    ChannelKind {
        compression: Compression::Brotli,
        span: true,
        carrier: Carrier::Calldata,
        frames: 3,
    },
    ChannelKind {
        compression: Compression::Zlib,
        span: true,
        carrier: Carrier::Blobs,
        frames: 1,
    },
    ChannelKind {
        compression: Compression::Brotli,
        span: false,
        carrier: Carrier::Calldata,
        frames: 2,
    },
    ChannelKind {
        compression: Compression::Zlib,
        span: true,
        carrier: Carrier::Calldata,
        frames: 1,
    },
    ChannelKind {
        compression: Compression::Brotli,
        span: true,
        carrier: Carrier::Blobs,
        frames: 2,
    },
];

/// A channel's frames waiting to be posted.
#[derive(Debug)]
struct PendingChannel {
    carrier: Carrier,
    frames: VecDeque<Frame>,
    /// The last L2 block the channel carries.
    last_block: u64,
}

/// The batcher.
#[derive(Debug)]
pub struct Batcher {
    key: TestKey,
    nonce: u64,
    rng: DevRng,
    /// The first L2 block not yet put into a channel.
    next_block: u64,
    /// Channels built so far.
    channels: usize,
    /// Channels posted as blobs so far.
    blob_channels: usize,
    /// Blobs posted so far (the bundled devnet keeps their number small).
    pub blobs_posted: usize,
    /// At most this many blob channels.
    max_blob_channels: usize,
    pending: Option<PendingChannel>,
}

impl Batcher {
    /// A batcher signing with `key`, starting at L2 block 1.
    pub fn new(seed: u64, key: TestKey, max_blob_channels: usize) -> Self {
        Self {
            key,
            nonce: 0,
            rng: DevRng::new(seed, "batcher"),
            next_block: 1,
            channels: 0,
            blob_channels: 0,
            blobs_posted: 0,
            max_blob_channels,
            pending: None,
        }
    }

    /// Switches to a new key (after a batcher `ConfigUpdate`).
    pub fn rotate_key(&mut self, key: TestKey) {
        self.key = key;
        self.nonce = 0;
    }

    /// Whether every block up to `last` is in a channel and every frame is posted.
    pub fn is_done(&self, last: u64) -> bool {
        self.pending.is_none() && self.next_block > last
    }

    /// The batcher transactions of the next L1 block (at most one), for L2 blocks
    /// `batches` (block `i` of the slice is L2 block `first + i`), and the last L2 block
    /// made safe by this transaction, if it completes a channel.
    ///
    /// Opens a new channel when none is pending and `open` is set.
    pub fn next_tx(
        &mut self,
        config: &RollupConfig,
        batches: &[(u64, SingularBatch, bool)],
        l1_base_fee: u64,
        open: bool,
    ) -> Result<Option<(L1Tx, Option<u64>)>, DevnetError> {
        if self.pending.is_none() && open {
            self.open_channel(config, batches)?;
        }
        let Some(pending) = &mut self.pending else {
            return Ok(None);
        };
        let (frames, carrier) = match pending.carrier {
            Carrier::Calldata => (
                vec![pending.frames.pop_front().expect("pending")],
                Carrier::Calldata,
            ),
            Carrier::Blobs => (pending.frames.drain(..).collect(), Carrier::Blobs),
        };
        let done = pending.frames.is_empty();
        let last_block = pending.last_block;
        if done {
            self.pending = None;
        }
        let tx = self.frames_tx(config, &frames, carrier, l1_base_fee)?;
        Ok(Some((tx, done.then_some(last_block))))
    }

    /// Builds a channel of every block from `next_block` in `batches`.
    fn open_channel(
        &mut self,
        config: &RollupConfig,
        batches: &[(u64, SingularBatch, bool)],
    ) -> Result<(), DevnetError> {
        let todo: Vec<&(u64, SingularBatch, bool)> = batches
            .iter()
            .filter(|(n, _, _)| *n >= self.next_block)
            .collect();
        let (Some(first), Some(last)) = (todo.first(), todo.last()) else {
            return Ok(());
        };
        let mut kind = ROTATION[self.channels % ROTATION.len()];
        if kind.carrier == Carrier::Blobs {
            if self.blob_channels < self.max_blob_channels {
                self.blob_channels += 1;
            } else {
                kind.carrier = Carrier::Calldata;
            }
        }
        self.channels += 1;
        let mut rlp: Vec<u8> = Vec::new();
        let singular: Vec<SingularBatch> = todo.iter().map(|(_, b, _)| b.clone()).collect();
        if kind.span {
            let span = SpanBatch::from_singular_batches(&singular, first.2)
                .map_err(|e| DevnetError::Invariant(format!("span batch: {e}")))?;
            let raw = span
                .to_raw(config.genesis.l2_time, config.l2_chain_id)
                .map_err(|e| DevnetError::Invariant(format!("span batch: {e}")))?;
            Batch::Span(Box::new(raw)).encode_for_channel(&mut rlp);
        } else {
            for batch in singular {
                Batch::Singular(batch).encode_for_channel(&mut rlp);
            }
        }
        let compressed = match kind.compression {
            Compression::Zlib => miniz_oxide::deflate::compress_to_vec_zlib(&rlp, 9),
            Compression::Brotli => {
                let mut out = vec![CHANNEL_VERSION_BROTLI];
                let mut writer = brotli::CompressorWriter::new(&mut out, 4096, 9, 22);
                std::io::Write::write_all(&mut writer, &rlp)
                    .map_err(|e| DevnetError::Invariant(format!("brotli: {e}")))?;
                drop(writer);
                out
            }
        };
        let id = ChannelId::new(self.rng.bytes(16).try_into().expect("16 bytes"));
        let count = kind.frames.clamp(1, compressed.len().max(1));
        let chunk = compressed.len().div_ceil(count).max(1);
        let chunks: Vec<&[u8]> = compressed.chunks(chunk).collect();
        let frames = chunks
            .iter()
            .enumerate()
            .map(|(i, data)| {
                Frame::new(
                    id,
                    i as u16,
                    Bytes::copy_from_slice(data),
                    i + 1 == chunks.len(),
                )
            })
            .collect();
        self.next_block = last.0 + 1;
        self.pending = Some(PendingChannel {
            carrier: kind.carrier,
            frames,
            last_block: last.0,
        });
        Ok(())
    }

    /// A batcher transaction carrying `frames`.
    fn frames_tx(
        &mut self,
        config: &RollupConfig,
        frames: &[Frame],
        carrier: Carrier,
        l1_base_fee: u64,
    ) -> Result<L1Tx, DevnetError> {
        let max_fee_per_gas = u128::from(l1_base_fee) * 2 + 1_000_000_000;
        let nonce = self.nonce;
        self.nonce += 1;
        match carrier {
            Carrier::Calldata => {
                let input = encode_frames(frames);
                Ok(self.sign_1559(config.batch_inbox_address, nonce, max_fee_per_gas, input))
            }
            Carrier::Blobs => {
                let blobs = frames
                    .iter()
                    .map(|frame| BlobData::encode(&encode_frames([frame])))
                    .collect::<Result<Vec<_>, _>>()?;
                self.blobs_posted += blobs.len();
                let tx = TxEip4844 {
                    chain_id: DEVNET_L1_CHAIN_ID,
                    nonce,
                    gas_limit: 21_000,
                    max_fee_per_gas,
                    max_priority_fee_per_gas: 1_000_000_000,
                    to: config.batch_inbox_address,
                    value: Default::default(),
                    access_list: Default::default(),
                    blob_versioned_hashes: blobs.iter().map(|b| b.versioned_hash).collect(),
                    max_fee_per_blob_gas: 1_000_000_000,
                    input: Bytes::new(),
                };
                let signature = self.key.sign_hash(&tx.signature_hash());
                Ok(L1Tx {
                    tx: TxEnvelope::Eip4844(tx.into_signed(signature).into()),
                    logs: Vec::new(),
                    blobs,
                })
            }
        }
    }

    /// A calldata transaction to the inbox from the batcher with arbitrary `input` (noise:
    /// a malformed frame).
    pub fn raw_tx(&mut self, config: &RollupConfig, input: Vec<u8>, l1_base_fee: u64) -> L1Tx {
        let nonce = self.nonce;
        self.nonce += 1;
        let max_fee_per_gas = u128::from(l1_base_fee) * 2 + 1_000_000_000;
        self.sign_1559(config.batch_inbox_address, nonce, max_fee_per_gas, input)
    }

    fn sign_1559(&self, to: Address, nonce: u64, max_fee_per_gas: u128, input: Vec<u8>) -> L1Tx {
        sign_1559(&self.key, to, nonce, max_fee_per_gas, input)
    }
}

/// An L1 EIP-1559 transaction from `key` to `to` with `input`, no logs, no blobs.
pub fn sign_1559(
    key: &TestKey,
    to: Address,
    nonce: u64,
    max_fee_per_gas: u128,
    input: Vec<u8>,
) -> L1Tx {
    let gas_limit = 21_000 + 40 * input.len() as u64;
    let tx = TxEip1559 {
        chain_id: DEVNET_L1_CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas,
        max_priority_fee_per_gas: 1_000_000_000,
        to: TxKind::Call(to),
        value: Default::default(),
        access_list: Default::default(),
        input: input.into(),
    };
    let signature = key.sign_hash(&tx.signature_hash());
    L1Tx {
        tx: TxEnvelope::Eip1559(tx.into_signed(signature)),
        logs: Vec::new(),
        blobs: Vec::new(),
    }
}
