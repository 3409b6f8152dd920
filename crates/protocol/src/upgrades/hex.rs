//! Compile-time decoding of the embedded `.hex` bytecode files.
//!
//! The upgrade bytecode ships as hex text (`crates/protocol/upgrades/upgrade-bytecode/*.hex`).
//! The `bytecode!` macro decodes it while compiling, so the client carries the
//! binary form only, never decodes at run time, and a malformed file is a build error rather
//! than a run-time failure.

/// The number of bytes `src` decodes to: hex digits after an optional `0x` prefix, with
/// surrounding ASCII whitespace ignored.
///
/// Only meant for `const` evaluation: a malformed file stops compilation.
pub(crate) const fn decoded_len(src: &[u8]) -> usize {
    let (start, end) = hex_bounds(src);
    assert!(
        (end - start) % 2 == 0,
        "upgrade bytecode: odd number of hex digits"
    );
    (end - start) / 2
}

/// Decodes `src` (see [`decoded_len`] for the accepted form) into exactly `N` bytes.
///
/// Only meant for `const` evaluation: a malformed file stops compilation.
pub(crate) const fn decode<const N: usize>(src: &[u8]) -> [u8; N] {
    let (start, end) = hex_bounds(src);
    assert!(
        end - start == 2 * N,
        "upgrade bytecode: length does not match"
    );
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        let high = nibble(src[start + 2 * i]);
        let low = nibble(src[start + 2 * i + 1]);
        out[i] = (high << 4) | low;
        i += 1;
    }
    out
}

/// The range of `src` holding hex digits: whitespace trimmed, `0x` prefix skipped.
const fn hex_bounds(src: &[u8]) -> (usize, usize) {
    let mut start = 0;
    let mut end = src.len();
    while start < end && src[start].is_ascii_whitespace() {
        start += 1;
    }
    while end > start && src[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    if end - start >= 2 && src[start] == b'0' && (src[start + 1] == b'x' || src[start + 1] == b'X')
    {
        start += 2;
    }
    (start, end)
}

/// The value of one hex digit.
const fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        b'A'..=b'F' => digit - b'A' + 10,
        _ => panic!("upgrade bytecode: not a hex digit"),
    }
}

/// Declares a `static` byte slice holding a file of `upgrades/upgrade-bytecode/`, decoded
/// from hex at compile time.
macro_rules! bytecode {
    ($(#[$meta:meta])* $vis:vis static $name:ident = $file:literal;) => {
        $(#[$meta])*
        $vis static $name: &[u8] = {
            const HEX: &[u8] = include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/upgrades/upgrade-bytecode/",
                $file
            ));
            const BYTES: [u8; $crate::upgrades::hex::decoded_len(HEX)] =
                $crate::upgrades::hex::decode(HEX);
            &BYTES
        };
    };
}

pub(crate) use bytecode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_prefixed_and_padded_hex() {
        const SRC: &[u8] = b" 0x00ff1Ab2\n";
        const OUT: [u8; decoded_len(SRC)] = decode(SRC);
        assert_eq!(OUT, [0x00, 0xff, 0x1a, 0xb2]);
    }

    #[test]
    fn decodes_bare_hex() {
        assert_eq!(decoded_len(b"6080\n"), 2);
        assert_eq!(decode::<2>(b"6080\n"), [0x60, 0x80]);
        assert_eq!(decoded_len(b"\n"), 0);
    }
}
