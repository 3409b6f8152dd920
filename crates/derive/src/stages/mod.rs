//! The derivation stages, outermost (L1) first.

pub mod batch_queue;
pub mod batch_validity;
pub mod channel_bank;
pub mod frame_queue;
pub mod l1;

pub use batch_queue::{BatchQueue, BatchSource, DerivedBatch};
pub use batch_validity::{BatchValidity, SpanCheck, check_singular_batch, check_span_batch};
pub use channel_bank::{BankRead, ChannelAssembler, ChannelBank};
pub use frame_queue::FrameQueue;
pub use l1::{L1Source, L1Stages};
