//! Block references the pipeline passes around (from `koa-protocol`).

pub use koa_protocol::{BlockInfo, L2BlockInfo};
