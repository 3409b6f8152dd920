//! Payload attributes: the derivation pipeline's output, one per L2 block.
//!
//! [`OpPayloadAttributes`] (defined in `koa-protocol`, shared with the executor) mirrors the
//! engine API's `PayloadAttributesV3` extended with the OP Stack fields.

mod builder;

pub use builder::AttributesBuilder;

pub use koa_protocol::OpPayloadAttributes;

use crate::types::L2BlockInfo;

/// Payload attributes with the safe head they build on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttributesWithParent {
    /// The attributes.
    pub attributes: OpPayloadAttributes,
    /// The L2 block they build on.
    pub parent: L2BlockInfo,
    /// Whether the block was generated without a batch (deposit-only, window expired).
    pub is_deposit_only: bool,
}
