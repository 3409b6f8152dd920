//! Program entry: exit codes, the panic handler, and the `entry!` macro.

use crate::{
    eprintln,
    syscall::{self},
};
use core::fmt::Display;

/// The exit code of a panicking program.
pub const PANIC_EXIT_CODE: u8 = 2;

/// The exit code of a program whose `main` returned an error: a program failure, `2` in
/// op-challenger's convention (`1` means "the claim is invalid" and must never stand for a
/// failure).
pub const FAILURE_EXIT_CODE: u8 = 2;

/// A value `main` may return, converted into the program's exit code (the no_std counterpart of
/// `std::process::Termination`).
pub trait Termination {
    /// Reports `self` (errors go to stderr) and returns the exit code.
    fn report(self) -> u8;
}

impl Termination for () {
    fn report(self) -> u8 {
        0
    }
}

impl<E: Display> Termination for Result<(), E> {
    fn report(self) -> u8 {
        match self {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("error: {error}");
                FAILURE_EXIT_CODE
            }
        }
    }
}

/// Exits with the code `status` reports.
pub fn exit_with(status: impl Termination) -> ! {
    syscall::exit(status.report())
}

/// Writes the panic message to stderr and exits with [`PANIC_EXIT_CODE`].
pub fn handle_panic(info: &core::panic::PanicInfo<'_>) -> ! {
    match info.location() {
        Some(location) => eprintln!("panic at {location}: {}", info.message()),
        None => eprintln!("panic: {}", info.message()),
    }
    syscall::exit(PANIC_EXIT_CODE)
}

unsafe extern "C" {
    /// Defined by the [`entry!`](crate::entry) macro in the program crate.
    fn __koa_fpvm_main() -> !;
}

/// The ELF entry point: aligns the stack to 16 bytes and calls the `__koa_fpvm_main` that the
/// `entry!` macro defines.
///
/// A naked `#[no_mangle]` function (rather than `global_asm!`) so that it is an exported symbol
/// that survives LTO, and so that programs need no unstable feature for MIPS64 assembly.
///
/// # Safety
/// Only the VM (or kernel) may call this, once, at process start.
#[cfg(all(target_arch = "riscv64", target_os = "none", not(test)))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        ".option push",
        ".option norvc",
        "andi sp, sp, -16",
        "call {main}",
        ".option pop",
        main = sym __koa_fpvm_main,
    )
}

/// The ELF entry point: aligns the stack to 16 bytes and calls the `__koa_fpvm_main` that the
/// `entry!` macro defines (through `$t9`, as the n64 calling convention expects).
///
/// # Safety
/// Only the VM (or kernel) may call this, once, at process start.
#[cfg(all(target_arch = "mips64", target_os = "none", not(test)))]
#[unsafe(naked)]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn _start() -> ! {
    core::arch::naked_asm!(
        ".set push",
        ".set noreorder",
        "daddiu $8, $0, -16",
        "and $29, $29, $8",
        "dla $25, {main}",
        "jalr $25",
        "nop",
        ".set pop",
        main = sym __koa_fpvm_main,
    )
}

/// Declares the program entry point of an FPVM binary (`#![no_std]`, `#![no_main]`).
///
/// Emits `__koa_fpvm_main` (called by this crate's `_start`; calls `main`), the global
/// allocator (the static `__KOA_FPVM_HEAP`, an [`FpvmHeap`] with [`DEFAULT_HEAP_SIZE`] or
/// `heap = <bytes>`, whose `stats()` the program may report), and the panic handler (message
/// to stderr, exit code 2). `main` returns `()`, `Result<(), E: Display>` or any
/// [`Termination`]; the program exits 0 on success and [`FAILURE_EXIT_CODE`] (2) on error.
///
/// ```ignore
/// #![cfg_attr(not(test), no_std, no_main)]
/// koa_fpvm::entry!(main);
/// fn main() -> Result<(), MyError> { Ok(()) }
/// ```
///
/// [`FpvmHeap`]: crate::heap::FpvmHeap
/// [`DEFAULT_HEAP_SIZE`]: crate::heap::DEFAULT_HEAP_SIZE
#[macro_export]
macro_rules! entry {
    ($main:path) => {
        $crate::entry!($main, heap = $crate::heap::DEFAULT_HEAP_SIZE);
    };
    ($main:path, heap = $size:expr) => {
        #[cfg(not(test))]
        #[global_allocator]
        static __KOA_FPVM_HEAP: $crate::heap::FpvmHeap = $crate::heap::FpvmHeap::new($size);

        #[cfg(not(test))]
        #[panic_handler]
        fn __koa_fpvm_panic(info: &::core::panic::PanicInfo<'_>) -> ! {
            $crate::entry::handle_panic(info)
        }

        /// Called by `_start`.
        #[cfg(not(test))]
        #[unsafe(no_mangle)]
        extern "C" fn __koa_fpvm_main() -> ! {
            $crate::entry::exit_with($main())
        }
    };
}
