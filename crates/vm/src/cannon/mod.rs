//! Cannon multithreaded MIPS64 machine (in progress).
