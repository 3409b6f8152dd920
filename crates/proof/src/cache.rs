//! The program's preimage cache: bounded, so a long proof cannot run out of heap.
//!
//! A proof over many L2 blocks reads far more state than the FPVM heap holds, but most of it
//! is read again only by the next block or two (a block's post-state is the next one's
//! pre-state). The cache keeps two generations: entries go into the young one, a hit in the
//! old one moves the entry back to the young one, and once the young generation holds its
//! byte budget the old one is dropped and the young one becomes old. That is an approximate
//! LRU with constant-time operations and at most twice the budget in memory. An entry that
//! falls out is simply fetched from the host again, and checked again.
//!
//! Preimages the program produced itself (executed block headers) are pinned: the host may
//! not be able to serve them, and they are small.
//!
//! The cache also remembers the hints sent since the young generation began, so a hint that
//! covers several preimages is sent once; they count against the same budget and are
//! forgotten when the generation turns over (a hint sent again is harmless).

use alloc::{collections::BTreeSet, string::String};
use alloy_primitives::{Bytes, map::HashMap};
use koa_preimage::PreimageKey;

/// The default byte budget of one generation: the cache holds at most twice this.
pub const DEFAULT_GENERATION_BUDGET: usize = 256 << 20;

/// Bookkeeping cost charged per entry on top of its bytes (key, map slot, `Bytes` header).
const ENTRY_OVERHEAD: usize = 96;

/// What an entry of `bytes` counts against a generation's budget.
fn cost(bytes: &Bytes) -> usize {
    bytes.len().saturating_add(ENTRY_OVERHEAD)
}

/// A two-generation cache of preimages by key, with pinned entries that never leave.
#[derive(Debug)]
pub struct PreimageCache {
    young: HashMap<PreimageKey, Bytes>,
    old: HashMap<PreimageKey, Bytes>,
    pinned: HashMap<PreimageKey, Bytes>,
    /// Hints sent since the young generation began, by wire form.
    hints: BTreeSet<String>,
    /// Bytes the young generation and `hints` hold, per [`cost`].
    young_bytes: usize,
    generation_budget: usize,
    generations: u64,
}

impl Default for PreimageCache {
    fn default() -> Self {
        Self::with_generation_budget(DEFAULT_GENERATION_BUDGET)
    }
}

impl PreimageCache {
    /// A cache whose young generation turns old once it holds `budget` bytes.
    pub fn with_generation_budget(budget: usize) -> Self {
        Self {
            young: HashMap::default(),
            old: HashMap::default(),
            pinned: HashMap::default(),
            hints: BTreeSet::new(),
            young_bytes: 0,
            generation_budget: budget,
            generations: 0,
        }
    }

    /// The preimage of `key`, if held; a hit in the old generation makes it young again.
    pub fn get(&mut self, key: &PreimageKey) -> Option<Bytes> {
        if let Some(bytes) = self.pinned.get(key).or_else(|| self.young.get(key)) {
            return Some(bytes.clone());
        }
        let bytes = self.old.remove(key)?;
        self.insert(*key, bytes.clone());
        Some(bytes)
    }

    /// Holds `bytes` under `key`, dropping the old generation if the young one is full.
    pub fn insert(&mut self, key: PreimageKey, bytes: Bytes) {
        if self.pinned.contains_key(&key) {
            return;
        }
        self.remove_young(&key);
        let cost: usize = cost(&bytes);
        self.young.insert(key, bytes);
        self.charge(cost);
    }

    /// Whether the hint `wire` is new since the young generation began; remembers it.
    pub fn first_hint(&mut self, wire: &str) -> bool {
        if self.hints.contains(wire) {
            return false;
        }
        self.hints.insert(String::from(wire));
        self.charge(wire.len().saturating_add(ENTRY_OVERHEAD));
        true
    }

    /// Counts `cost` bytes against the young generation, turning it old once it is full (and
    /// forgetting the hints sent during it).
    fn charge(&mut self, cost: usize) {
        self.young_bytes = self.young_bytes.saturating_add(cost);
        if self.young_bytes >= self.generation_budget {
            self.old = core::mem::take(&mut self.young);
            self.hints.clear();
            self.young_bytes = 0;
            self.generations += 1;
        }
    }

    /// Holds `bytes` under `key` for the rest of the run.
    pub fn pin(&mut self, key: PreimageKey, bytes: Bytes) {
        self.remove(&key);
        self.pinned.insert(key, bytes);
    }

    /// Forgets `key` (a preimage that failed its check).
    pub fn remove(&mut self, key: &PreimageKey) {
        self.remove_young(key);
        self.old.remove(key);
    }

    /// Takes `key` out of the young generation and its bytes out of the generation's count.
    fn remove_young(&mut self, key: &PreimageKey) {
        if let Some(bytes) = self.young.remove(key) {
            self.young_bytes = self.young_bytes.saturating_sub(cost(&bytes));
        }
    }

    /// How many times the young generation has turned old: each time, the entries of the
    /// previous old generation that were not read again were dropped.
    pub const fn generations(&self) -> u64 {
        self.generations
    }

    /// Entries held, pinned ones included.
    pub fn len(&self) -> usize {
        self.young.len() + self.old.len() + self.pinned.len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::B256;

    fn key(n: u8) -> PreimageKey {
        PreimageKey::keccak256(B256::repeat_byte(n))
    }

    fn value(len: usize) -> Bytes {
        Bytes::from(alloc::vec![7u8; len])
    }

    #[test]
    fn holds_at_most_two_generations() {
        // Each entry costs 100 + overhead; three fill a generation.
        let mut cache = PreimageCache::with_generation_budget(3 * (100 + ENTRY_OVERHEAD));
        for n in 0..9 {
            cache.insert(key(n), value(100));
        }
        assert_eq!(cache.generations(), 3);
        // The last full generation (6, 7, 8) is old now; 0..6 are gone.
        assert!(cache.get(&key(0)).is_none());
        assert!(cache.get(&key(5)).is_none());
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.get(&key(8)), Some(value(100)));
    }

    #[test]
    fn a_hit_in_the_old_generation_keeps_the_entry() {
        let mut cache = PreimageCache::with_generation_budget(2 * (100 + ENTRY_OVERHEAD));
        cache.insert(key(1), value(100));
        cache.insert(key(2), value(100)); // generation 1: {1, 2} old
        assert_eq!(cache.generations(), 1);
        assert!(cache.get(&key(1)).is_some()); // back to young
        cache.insert(key(3), value(100)); // generation 2: {1, 3} old, 2 dropped
        assert_eq!(cache.generations(), 2);
        assert!(cache.get(&key(1)).is_some());
        assert!(cache.get(&key(2)).is_none());
        assert!(cache.get(&key(3)).is_some());
    }

    #[test]
    fn pinned_entries_never_leave() {
        let mut cache = PreimageCache::with_generation_budget(100 + ENTRY_OVERHEAD);
        cache.pin(key(0), value(10));
        for n in 1..50 {
            cache.insert(key(n), value(100));
        }
        cache.insert(key(0), value(1)); // a fetched copy does not replace the pinned one
        assert!(cache.generations() >= 48);
        assert_eq!(cache.get(&key(0)), Some(value(10)));
    }

    #[test]
    fn removed_and_pinned_entries_leave_the_young_generation_s_count() {
        let mut cache = PreimageCache::with_generation_budget(2 * (100 + ENTRY_OVERHEAD));
        cache.insert(key(1), value(100));
        cache.remove(&key(1));
        cache.insert(key(2), value(100));
        cache.pin(key(2), value(100));
        cache.insert(key(3), value(100));
        assert_eq!(
            cache.generations(),
            0,
            "one entry counted, the budget is two"
        );
        cache.insert(key(4), value(100));
        assert_eq!(cache.generations(), 1);
    }

    #[test]
    fn hints_are_remembered_within_a_generation_and_count_against_it() {
        let mut cache = PreimageCache::with_generation_budget(2 * (100 + ENTRY_OVERHEAD));
        let hint: String = "h".repeat(100);
        assert!(cache.first_hint(&hint));
        assert!(!cache.first_hint(&hint));
        cache.insert(key(1), value(100));
        assert_eq!(cache.generations(), 1, "the hint filled half the budget");
        assert!(cache.first_hint(&hint), "forgotten with the generation");
    }

    #[test]
    fn removed_entries_are_gone_from_both_generations() {
        let mut cache = PreimageCache::with_generation_budget(1 << 20);
        cache.insert(key(1), value(10));
        cache.remove(&key(1));
        assert!(cache.get(&key(1)).is_none());
        assert!(cache.is_empty());
    }
}
