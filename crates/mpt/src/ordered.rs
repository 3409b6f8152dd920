//! Ordered-list tries: transaction, receipt and withdrawal roots, keyed by `rlp(index)`.

use alloc::vec::Vec;
use alloy_primitives::{B256, Bytes};
use alloy_rlp::Decodable;
use alloy_trie::{EMPTY_ROOT_HASH, HashBuilder, Nibbles};

use crate::{LeafWalker, TrieError, TrieProvider};

/// The key of item `index` in an ordered-list trie: the nibbles of `rlp(index)`.
pub fn ordered_list_key(index: usize) -> Nibbles {
    Nibbles::unpack(alloy_rlp::encode_fixed_size(&(index as u64)))
}

/// The root of the ordered-list trie whose values are the already-encoded `items`
/// (for example EIP-2718 transaction envelopes or encoded receipts).
pub fn ordered_trie_root<T: AsRef<[u8]>>(items: &[T]) -> B256 {
    ordered_trie_root_with_encoder(items, |item, out| out.extend_from_slice(item.as_ref()))
}

/// The root of the ordered-list trie whose values are `items`, each encoded by `encode`.
pub fn ordered_trie_root_with_encoder<T, F>(items: &[T], mut encode: F) -> B256
where
    F: FnMut(&T, &mut Vec<u8>),
{
    if items.is_empty() {
        return EMPTY_ROOT_HASH;
    }
    let mut builder = HashBuilder::default();
    let mut value: Vec<u8> = Vec::new();
    for index in key_sorted_indices(items.len()) {
        value.clear();
        if let Some(item) = items.get(index) {
            encode(item, &mut value);
            builder.add_leaf(ordered_list_key(index), &value);
        }
    }
    builder.root()
}

/// The indices `0..len` in the byte order of their keys `rlp(index)`, which is the order a
/// [`HashBuilder`] needs: `rlp(1..=127)` are the single bytes `0x01..=0x7f`, `rlp(0)` is `0x80`,
/// and `rlp(128..)` start with `0x81` and up, ascending with the index.
fn key_sorted_indices(len: usize) -> impl Iterator<Item = usize> {
    (1..len.min(128))
        .chain((len > 0).then_some(0))
        .chain(128..len)
}

/// Reads an ordered list back from the trie committed to by `root`: the values of keys
/// `rlp(0)..rlp(n-1)`, in index order.
///
/// Fails with [`TrieError::InvalidOrderedList`] when a key is not a canonical `rlp(index)` or
/// the indices are not exactly `0..n`.
pub fn read_ordered_list<P: TrieProvider + ?Sized>(
    root: B256,
    provider: &P,
) -> Result<Vec<Bytes>, TrieError> {
    let mut entries: Vec<(u64, Bytes)> = Vec::new();
    for leaf in LeafWalker::new(root, provider) {
        let (key, value) = leaf?;
        if key.len() % 2 != 0 {
            return Err(TrieError::InvalidOrderedList(
                "key has an odd number of nibbles",
            ));
        }
        let key_bytes = key.pack();
        let mut buf: &[u8] = &key_bytes;
        let index = u64::decode(&mut buf)
            .map_err(|_| TrieError::InvalidOrderedList("key is not a canonical rlp integer"))?;
        if !buf.is_empty() {
            return Err(TrieError::InvalidOrderedList("key has trailing bytes"));
        }
        entries.push((index, value));
    }
    entries.sort_unstable_by_key(|(index, _)| *index);
    for (position, (index, _)) in entries.iter().enumerate() {
        if *index != position as u64 {
            return Err(TrieError::InvalidOrderedList(
                "indices are not contiguous from zero",
            ));
        }
    }
    Ok(entries.into_iter().map(|(_, value)| value).collect())
}
