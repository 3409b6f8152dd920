//! koa-mpt.
#![no_std]
