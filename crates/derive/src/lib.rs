//! The OP Stack derivation pipeline: L1 data to L2 payload attributes.
//!
//! Data sources sit behind traits ([`traits`]); everything else is synchronous, pure code
//! that a fault proof client, a zkVM guest or a rollup node can drive step by step.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;
