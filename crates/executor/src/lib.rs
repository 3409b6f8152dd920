//! koa-executor.
#![no_std]
