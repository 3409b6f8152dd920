//! Nibble path helpers that never panic on untrusted lengths.

use alloy_trie::Nibbles;

use crate::TrieError;

/// The longest path a trie over 32-byte keys can hold.
pub(crate) const MAX_NIBBLES: usize = 64;

/// `a ++ b`, or [`TrieError::InvalidPath`] when the result would exceed 64 nibbles.
#[inline]
pub(crate) fn join(a: &Nibbles, b: &Nibbles) -> Result<Nibbles, TrieError> {
    let len = a.len() + b.len();
    if len > MAX_NIBBLES {
        return Err(TrieError::InvalidPath { len });
    }
    Ok(a.join(b))
}

/// `a ++ [nibble]`, or [`TrieError::InvalidPath`] when the result would exceed 64 nibbles.
#[inline]
pub(crate) fn push(a: &Nibbles, nibble: u8) -> Result<Nibbles, TrieError> {
    let len = a.len() + 1;
    if len > MAX_NIBBLES {
        return Err(TrieError::InvalidPath { len });
    }
    let mut out = *a;
    out.push_unchecked(nibble & 0x0f);
    Ok(out)
}
