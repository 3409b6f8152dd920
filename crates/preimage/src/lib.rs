//! koa-preimage.
#![no_std]
