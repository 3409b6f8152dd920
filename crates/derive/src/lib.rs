//! The OP Stack derivation pipeline: L1 data to L2 payload attributes.
//!
//! Data sources sit behind traits ([`traits`]); everything else is synchronous, pure code
//! that a fault proof client, a zkVM guest or a rollup node can drive step by step.
//!
//! Stages, outermost first ([`stages`]): L1 traversal and retrieval ([`sources`] for calldata
//! and blobs), frame queue, channel bank (Holocene: channel assembler), channel reader, batch
//! queue (Holocene: batch stage), and the attributes builder ([`attributes`]).
//! [`pipeline::DerivationPipeline`] wires them together.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod attributes;
pub mod error;
pub mod pipeline;
pub mod sources;
pub mod stages;
pub mod traits;
pub mod types;

#[cfg(any(test, feature = "test-utils"))]
pub mod test_utils;

pub use attributes::{AttributesWithParent, OpPayloadAttributes};
pub use error::{PipelineError, PipelineErrorKind, PipelineResult};
pub use pipeline::{DerivationPipeline, StepResult};
pub use traits::{BlobProvider, ChainProvider, L2ChainProvider, ProviderError};
pub use types::{BlockInfo, L2BlockInfo};
