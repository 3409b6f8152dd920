//! ELF loading (in progress).
