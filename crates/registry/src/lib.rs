//! koa-registry.
#![no_std]
