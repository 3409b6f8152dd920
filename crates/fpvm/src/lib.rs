//! koa-fpvm.
#![no_std]
