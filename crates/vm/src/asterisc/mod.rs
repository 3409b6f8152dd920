//! Asterisc RISC-V machine (in progress).
