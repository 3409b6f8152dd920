//! The core of koa's fault proof program, `no_std` + `alloc` and synchronous.
//!
//! - [`hint`]: the one [`Hint`] type the client sends and the host parses, with kona's names
//!   and payload layouts so that existing hosts interoperate.
//!
//! Boot info, the oracle-backed providers and the driver follow (issue 11).
#![cfg_attr(not(any(feature = "std", test)), no_std)]

extern crate alloc;

pub mod hint;

pub use hint::{Hint, HintParseError, HintType};
