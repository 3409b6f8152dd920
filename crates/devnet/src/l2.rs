//! The devnet's L2 chain: blocks built by koa's stateless executor.

use alloy_consensus::{Header, Sealed};
use alloy_primitives::{B256, Bytes};
use koa_derive::types::L2BlockInfo;
use koa_executor::{OpPayloadAttributes, StatelessExecutor};
use koa_mpt::NoopTrieHinter;
use koa_protocol::{OutputRoot, RollupConfig};
use op_alloy_consensus::OpReceiptEnvelope;

use crate::{DevnetError, store::PreimageStore, tries::ordered_trie};

/// An L2 block of the devnet.
#[derive(Debug, Clone)]
pub struct L2Block {
    /// The sealed header.
    pub header: Sealed<Header>,
    /// Its transactions, EIP-2718 encoded.
    pub transactions: Vec<Bytes>,
    /// Its receipts (empty for genesis).
    pub receipts: Vec<OpReceiptEnvelope>,
    /// Its L1 origin and sequence number.
    pub info: L2BlockInfo,
    /// The storage root of the L2ToL1MessagePasser after the block.
    pub message_passer_storage_root: B256,
    /// The attributes it was built from (`None` for genesis).
    pub attributes: Option<OpPayloadAttributes>,
}

impl L2Block {
    /// The block's output root.
    pub fn output(&self) -> OutputRoot {
        OutputRoot {
            state_root: self.header.state_root,
            message_passer_storage_root: self.message_passer_storage_root,
            block_hash: self.header.hash(),
        }
    }
}

/// Executes `attributes` on top of `parent` with the state in `store`, and adds the new
/// block's header, transaction trie, state nodes, code and output root preimage to `store`.
pub fn execute_block(
    config: &RollupConfig,
    parent: &L2Block,
    attributes: OpPayloadAttributes,
    store: &mut PreimageStore,
) -> Result<L2Block, DevnetError> {
    let number = parent.header.number + 1;
    let executor = StatelessExecutor::new(config, &*store, NoopTrieHinter);
    let mut outcome = executor
        .execute(parent.header.inner(), parent.header.hash(), &attributes)
        .map_err(|e| DevnetError::Execution { number, source: e })?;
    let message_passer_storage_root =
        outcome
            .message_passer_storage_root()
            .map_err(|e| DevnetError::Execution {
                number,
                source: e.into(),
            })?;
    let mut new_nodes = Vec::new();
    outcome
        .state
        .for_each_preimage(&mut |hash, node| new_nodes.push((hash, node)));
    let header = outcome.header;
    let receipts = outcome.receipts;
    drop(outcome.state);
    for (hash, node) in new_nodes {
        store.insert_keccak(hash, node);
    }
    store.add_keccak(alloy_rlp::encode(header.inner()).into());
    let transactions: Vec<Bytes> = attributes.transactions.to_vec();
    let transactions_root = ordered_trie(&transactions, store);
    debug_assert_eq!(transactions_root, header.transactions_root);
    let first = attributes
        .transactions
        .first()
        .map(|mut tx| {
            <op_alloy_consensus::OpTxEnvelope as alloy_eips::eip2718::Decodable2718>::decode_2718(
                &mut tx,
            )
        })
        .transpose()
        .map_err(|e| DevnetError::Invariant(format!("L2 block {number}: first tx: {e}")))?;
    let info =
        L2BlockInfo::from_header_and_first_tx(config, &header, header.hash(), first.as_ref())
            .map_err(|e| DevnetError::Invariant(format!("L2 block {number}: {e}")))?;
    let block = L2Block {
        header,
        transactions,
        receipts,
        info,
        message_passer_storage_root,
        attributes: Some(attributes),
    };
    store.add_keccak(Bytes::copy_from_slice(&block.output().encode()));
    Ok(block)
}
