//! The sparse paged memory of both fault proof VMs and its binary merkle tree.
//!
//! Memory is the full 64-bit address space, allocated lazily in 4 KiB pages. Its commitment is
//! a binary merkle tree over 32-byte leaves: 2^59 leaves, 59 levels of `keccak256(left ++ right)`
//! above them, empty subtrees hashing to the usual zero-hash ladder (`Z[0] = 0x00…00`,
//! `Z[i] = keccak256(Z[i-1] ++ Z[i-1])`). A proof for an address is 60 words of 32 bytes: the
//! leaf containing the address, then its 59 siblings from the bottom up; bit `i` of
//! `address >> 5` says whether the node at height `i` is a right child.
//!
//! This is the tree Cannon's 64-bit memory commits to and `MIPS64Memory.sol` checks
//! (`MEM_PROOF_LEAF_COUNT = 60`), and it is the same tree and the same proof layout as
//! Asterisc's (`rvgo/fast/memory.go`, `ProofLen = 64 - 4`; `rvsol/src/RISCV.sol`
//! `getMemoryB32`): the tree is over raw bytes, so the machines' byte orders (Cannon
//! big-endian, Asterisc little-endian) do not enter it. Both machines use this module.
//!
//! The tree is cached: each page keeps its own 255 nodes (128 leaves, 7 levels) with a validity
//! bit each, and the 52 levels above the pages are kept per level for the pages that exist. A
//! write clears the bits of the leaf it touches and marks the page dirty; [`Memory::merkle_root`]
//! and [`Memory::merkle_proof`] rehash only what changed.

use alloc::{boxed::Box, vec, vec::Vec};
use alloy_primitives::{B256, keccak256, map::HashMap};

/// Bits of an address inside a page.
pub const PAGE_ADDR_BITS: u32 = 12;
/// Bytes per page (4 KiB).
pub const PAGE_SIZE: usize = 1 << PAGE_ADDR_BITS;
/// Mask of the in-page part of an address.
pub const PAGE_ADDR_MASK: u64 = PAGE_SIZE as u64 - 1;
/// Bits of a page index (`64 - 12`): the number of tree levels above a page's root.
pub const PAGE_KEY_BITS: u32 = 64 - PAGE_ADDR_BITS;
/// Bytes per merkle leaf.
pub const LEAF_SIZE: usize = 32;
/// Leaves per page (128).
const PAGE_LEAVES: usize = PAGE_SIZE / LEAF_SIZE;
/// Tree levels inside a page (`log2(128)`).
const PAGE_LEVELS: usize = 7;
/// Levels of the whole tree above the leaves (59).
pub const TREE_DEPTH: usize = PAGE_LEVELS + PAGE_KEY_BITS as usize;
/// Words in a memory proof: the leaf and its 59 siblings.
pub const MEMORY_PROOF_WORDS: usize = TREE_DEPTH + 1;
/// Bytes in a memory proof (1,920).
pub const MEMORY_PROOF_LEN: usize = MEMORY_PROOF_WORDS * 32;

/// A memory proof: the 32-byte leaf holding an address, then its 59 siblings, bottom up.
pub type MemoryProof = [u8; MEMORY_PROOF_LEN];

/// `keccak256(left ++ right)`.
#[inline]
pub fn hash_pair(left: &B256, right: &B256) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(left.as_slice());
    buf[32..].copy_from_slice(right.as_slice());
    keccak256(buf)
}

/// The root of an all-zero subtree of each height: `Z[0]` is a zero leaf, `Z[59]` the root of
/// empty memory.
pub fn zero_hashes() -> &'static [B256; TREE_DEPTH + 1] {
    static ZERO: spin::Once<[B256; TREE_DEPTH + 1]> = spin::Once::new();
    ZERO.call_once(|| {
        let mut out = [B256::ZERO; TREE_DEPTH + 1];
        for i in 1..=TREE_DEPTH {
            out[i] = hash_pair(&out[i - 1], &out[i - 1]);
        }
        out
    })
}

/// One 4 KiB page and the cached merkle nodes of its subtree.
#[derive(Clone)]
struct Page {
    data: [u8; PAGE_SIZE],
    /// Nodes by generalised index inside the page: 1 is the page root, 128..=255 the leaves.
    nodes: [B256; 2 * PAGE_LEAVES],
    /// Validity bit of each entry of `nodes`.
    valid: [u64; 4],
    /// Whether the levels above this page include its current root.
    in_tree: bool,
}

impl Page {
    fn zeroed() -> Box<Self> {
        Box::new(Self {
            data: [0; PAGE_SIZE],
            nodes: [B256::ZERO; 2 * PAGE_LEAVES],
            valid: [0; 4],
            in_tree: false,
        })
    }

    #[inline]
    fn is_valid(&self, gindex: usize) -> bool {
        self.valid[gindex >> 6] & (1 << (gindex & 63)) != 0
    }

    /// Clears the cached nodes on the path of the leaves covering `offset..offset + len`.
    #[inline]
    fn invalidate(&mut self, offset: usize, len: usize) {
        let first = offset / LEAF_SIZE;
        let last = (offset + len.max(1) - 1) / LEAF_SIZE;
        for leaf in first..=last {
            let mut g = PAGE_LEAVES + leaf;
            while g > 0 {
                self.valid[g >> 6] &= !(1 << (g & 63));
                g >>= 1;
            }
        }
    }

    /// The node at generalised index `gindex` of this page's subtree.
    fn node(&mut self, gindex: usize) -> B256 {
        if self.is_valid(gindex) {
            return self.nodes[gindex];
        }
        let value = if gindex >= PAGE_LEAVES {
            let start = (gindex - PAGE_LEAVES) * LEAF_SIZE;
            B256::from_slice(&self.data[start..start + LEAF_SIZE])
        } else {
            let left = self.node(2 * gindex);
            let right = self.node(2 * gindex + 1);
            hash_pair(&left, &right)
        };
        self.nodes[gindex] = value;
        self.valid[gindex >> 6] |= 1 << (gindex & 63);
        value
    }
}

/// Which slot of the two-entry page cache a lookup may replace.
const CACHE_SLOTS: usize = 2;

/// The sparse paged memory of a fault proof VM with its merkle tree.
#[derive(Clone)]
pub struct Memory {
    /// Page storage; `index` maps a page index to its slot here.
    pages: Vec<Box<Page>>,
    /// Page index → slot in `pages`.
    index: HashMap<u64, usize>,
    /// The last pages looked up: (page index, slot), `u64::MAX` when empty.
    cache: [(u64, usize); CACHE_SLOTS],
    /// Tree levels above the pages: `upper[d]` maps `page_index >> d` to the node covering
    /// `2^d` pages, for the subtrees that hold at least one page (`upper[52]` holds the root).
    upper: Vec<HashMap<u64, B256>>,
    /// Pages written (or allocated) since their root was last folded into `upper`.
    dirty: Vec<u64>,
}

impl Default for Memory {
    fn default() -> Self {
        Self::new()
    }
}

impl core::fmt::Debug for Memory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Memory")
            .field("pages", &self.pages.len())
            .finish_non_exhaustive()
    }
}

impl Memory {
    /// Empty memory: every byte is zero and the root is `Z[59]`.
    pub fn new() -> Self {
        Self {
            pages: Vec::new(),
            index: HashMap::default(),
            cache: [(u64::MAX, 0); CACHE_SLOTS],
            upper: vec![HashMap::default(); PAGE_KEY_BITS as usize + 1],
            dirty: Vec::new(),
        }
    }

    /// Number of allocated pages.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// The allocated pages as (page index, contents), sorted by page index.
    pub fn pages(&self) -> Vec<(u64, &[u8; PAGE_SIZE])> {
        let mut out: Vec<_> = self
            .index
            .iter()
            .map(|(&key, &slot)| (key, &self.pages[slot].data))
            .collect();
        out.sort_unstable_by_key(|(key, _)| *key);
        out
    }

    #[inline]
    fn lookup(&mut self, page_index: u64) -> Option<usize> {
        if self.cache[0].0 == page_index {
            return Some(self.cache[0].1);
        }
        if self.cache[1].0 == page_index {
            self.cache.swap(0, 1);
            return Some(self.cache[0].1);
        }
        let slot = *self.index.get(&page_index)?;
        self.cache[1] = self.cache[0];
        self.cache[0] = (page_index, slot);
        Some(slot)
    }

    /// The slot of page `page_index`, allocating a zero page if it does not exist.
    #[inline]
    fn slot_or_alloc(&mut self, page_index: u64) -> usize {
        match self.lookup(page_index) {
            Some(slot) => slot,
            None => self.alloc_page(page_index),
        }
    }

    /// Allocates page `page_index` (zeroed) unless it exists; returns its slot.
    fn alloc_page(&mut self, page_index: u64) -> usize {
        if let Some(&slot) = self.index.get(&page_index) {
            return slot;
        }
        let slot = self.pages.len();
        self.pages.push(Page::zeroed());
        self.index.insert(page_index, slot);
        self.dirty.push(page_index);
        self.cache[1] = self.cache[0];
        self.cache[0] = (page_index, slot);
        slot
    }

    /// Replaces (or creates) page `page_index` with `data`.
    pub fn set_page(&mut self, page_index: u64, data: &[u8; PAGE_SIZE]) {
        let slot = self.alloc_page(page_index);
        self.write_in_page(slot, page_index, 0, data);
    }

    #[inline]
    fn write_in_page(&mut self, slot: usize, page_index: u64, offset: usize, bytes: &[u8]) {
        let page = &mut self.pages[slot];
        page.data[offset..offset + bytes.len()].copy_from_slice(bytes);
        page.invalidate(offset, bytes.len());
        if page.in_tree {
            page.in_tree = false;
            self.dirty.push(page_index);
        }
    }

    /// Reads `buf.len()` bytes at `addr` (any alignment, may cross pages; wraps at 2^64).
    /// Unallocated memory reads as zero.
    pub fn read(&mut self, mut addr: u64, buf: &mut [u8]) {
        let mut done = 0;
        while done < buf.len() {
            let offset = (addr & PAGE_ADDR_MASK) as usize;
            let n = (PAGE_SIZE - offset).min(buf.len() - done);
            match self.lookup(addr >> PAGE_ADDR_BITS) {
                Some(slot) => {
                    buf[done..done + n].copy_from_slice(&self.pages[slot].data[offset..offset + n])
                }
                None => buf[done..done + n].fill(0),
            }
            done += n;
            addr = addr.wrapping_add(n as u64);
        }
    }

    /// Writes `bytes` at `addr` (any alignment, may cross pages; wraps at 2^64), allocating
    /// pages as needed.
    pub fn write(&mut self, mut addr: u64, bytes: &[u8]) {
        let mut done = 0;
        while done < bytes.len() {
            let offset = (addr & PAGE_ADDR_MASK) as usize;
            let n = (PAGE_SIZE - offset).min(bytes.len() - done);
            let page_index = addr >> PAGE_ADDR_BITS;
            let slot = self.slot_or_alloc(page_index);
            self.write_in_page(slot, page_index, offset, &bytes[done..done + n]);
            done += n;
            addr = addr.wrapping_add(n as u64);
        }
    }

    /// The 8 bytes of the naturally aligned doubleword at `addr & !7`.
    #[inline]
    pub fn read_doubleword(&mut self, addr: u64) -> [u8; 8] {
        let addr = addr & !7;
        match self.lookup(addr >> PAGE_ADDR_BITS) {
            Some(slot) => {
                let offset = (addr & PAGE_ADDR_MASK) as usize;
                let mut out = [0; 8];
                out.copy_from_slice(&self.pages[slot].data[offset..offset + 8]);
                out
            }
            None => [0; 8],
        }
    }

    /// Writes the naturally aligned doubleword at `addr & !7`.
    #[inline]
    pub fn write_doubleword(&mut self, addr: u64, bytes: [u8; 8]) {
        let addr = addr & !7;
        let page_index = addr >> PAGE_ADDR_BITS;
        let slot = self.slot_or_alloc(page_index);
        self.write_in_page(slot, page_index, (addr & PAGE_ADDR_MASK) as usize, &bytes);
    }

    /// The big-endian doubleword at `addr & !7` (Cannon's byte order).
    #[inline]
    pub fn read_u64_be(&mut self, addr: u64) -> u64 {
        u64::from_be_bytes(self.read_doubleword(addr))
    }

    /// Writes `value` big-endian at `addr & !7` (Cannon's byte order).
    #[inline]
    pub fn write_u64_be(&mut self, addr: u64, value: u64) {
        self.write_doubleword(addr, value.to_be_bytes());
    }

    /// The little-endian doubleword at `addr & !7` (Asterisc's byte order).
    #[inline]
    pub fn read_u64_le(&mut self, addr: u64) -> u64 {
        u64::from_le_bytes(self.read_doubleword(addr))
    }

    /// Writes `value` little-endian at `addr & !7` (Asterisc's byte order).
    #[inline]
    pub fn write_u64_le(&mut self, addr: u64, value: u64) {
        self.write_doubleword(addr, value.to_le_bytes());
    }

    /// Folds the roots of dirty pages into the levels above the pages.
    fn update_upper(&mut self) {
        if self.dirty.is_empty() {
            return;
        }
        let zero = zero_hashes();
        let mut keys = core::mem::take(&mut self.dirty);
        keys.sort_unstable();
        keys.dedup();
        for &key in &keys {
            let slot = self.index[&key];
            let page = &mut self.pages[slot];
            let root = page.node(1);
            page.in_tree = true;
            self.upper[0].insert(key, root);
        }
        for d in 1..=PAGE_KEY_BITS as usize {
            for key in keys.iter_mut() {
                *key >>= 1;
            }
            keys.dedup();
            let (below, above) = self.upper.split_at_mut(d);
            let below = &below[d - 1];
            let empty = zero[PAGE_LEVELS + d - 1];
            for &key in &keys {
                let left = below.get(&(key << 1)).copied().unwrap_or(empty);
                let right = below.get(&((key << 1) | 1)).copied().unwrap_or(empty);
                above[0].insert(key, hash_pair(&left, &right));
            }
        }
    }

    /// The merkle root of all memory.
    pub fn merkle_root(&mut self) -> B256 {
        if self.pages.is_empty() {
            return zero_hashes()[TREE_DEPTH];
        }
        self.update_upper();
        self.upper[PAGE_KEY_BITS as usize][&0]
    }

    /// The proof of the 32-byte leaf holding `addr`: the leaf, then its 59 siblings.
    pub fn merkle_proof(&mut self, addr: u64) -> MemoryProof {
        self.update_upper();
        let zero = zero_hashes();
        let mut out = [0u8; MEMORY_PROOF_LEN];
        let page_index = addr >> PAGE_ADDR_BITS;
        let leaf = ((addr & PAGE_ADDR_MASK) as usize) / LEAF_SIZE;
        match self.lookup(page_index) {
            Some(slot) => {
                let page = &mut self.pages[slot];
                let mut g = PAGE_LEAVES + leaf;
                out[..32].copy_from_slice(page.node(g).as_slice());
                for level in 0..PAGE_LEVELS {
                    let sibling = page.node(g ^ 1);
                    out[32 * (level + 1)..32 * (level + 2)].copy_from_slice(sibling.as_slice());
                    g >>= 1;
                }
            }
            None => {
                for level in 0..PAGE_LEVELS {
                    out[32 * (level + 1)..32 * (level + 2)].copy_from_slice(zero[level].as_slice());
                }
            }
        }
        for d in 0..PAGE_KEY_BITS as usize {
            let sibling_key = (page_index >> d) ^ 1;
            let sibling = self.upper[d]
                .get(&sibling_key)
                .copied()
                .unwrap_or(zero[PAGE_LEVELS + d]);
            let at = 32 * (PAGE_LEVELS + d + 1);
            out[at..at + 32].copy_from_slice(sibling.as_slice());
        }
        out
    }
}

/// The root a memory proof for `addr` commits to (its leaf folded with its siblings).
pub fn proof_root(addr: u64, proof: &MemoryProof) -> B256 {
    let path = addr >> 5;
    let mut node = B256::from_slice(&proof[..32]);
    for i in 0..TREE_DEPTH {
        let sibling = B256::from_slice(&proof[32 * (i + 1)..32 * (i + 2)]);
        node = if (path >> i) & 1 == 0 {
            hash_pair(&node, &sibling)
        } else {
            hash_pair(&sibling, &node)
        };
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The root computed from scratch, without any cache: every page hashed, then all levels.
    fn naive_root(memory: &Memory) -> B256 {
        let zero = zero_hashes();
        let mut level: Vec<(u64, B256)> = memory
            .pages()
            .into_iter()
            .map(|(key, data)| {
                let mut nodes: Vec<B256> =
                    data.chunks(32).map(B256::from_slice).collect::<Vec<_>>();
                while nodes.len() > 1 {
                    nodes = nodes.chunks(2).map(|p| hash_pair(&p[0], &p[1])).collect();
                }
                (key, nodes[0])
            })
            .collect();
        for d in 0..PAGE_KEY_BITS as usize {
            let empty = zero[PAGE_LEVELS + d];
            let mut next: Vec<(u64, B256)> = Vec::new();
            let mut i = 0;
            while i < level.len() {
                let (key, node) = level[i];
                let (left, right, step) = if key & 1 == 0 {
                    match level.get(i + 1) {
                        Some(&(k2, n2)) if k2 == key + 1 => (node, n2, 2),
                        _ => (node, empty, 1),
                    }
                } else {
                    (empty, node, 1)
                };
                next.push((key >> 1, hash_pair(&left, &right)));
                i += step;
            }
            level = next;
        }
        level.first().map(|(_, n)| *n).unwrap_or(zero[TREE_DEPTH])
    }

    #[test]
    fn empty_root_is_the_zero_ladder() {
        let mut memory = Memory::new();
        let zero = zero_hashes();
        assert_eq!(memory.merkle_root(), zero[59]);
        assert_eq!(zero[1], keccak256([0u8; 64]));
        // A zero page allocated by a zero write leaves the root unchanged.
        memory.write(0x1234_5678, &[0; 16]);
        assert_eq!(memory.merkle_root(), zero[59]);
    }

    #[test]
    fn root_tracks_writes_and_matches_a_naive_merkleisation() {
        let mut memory = Memory::new();
        let addrs = [
            0u64,
            8,
            0x1000,
            0xfff,
            0x7fff_ffff_fff8,
            u64::MAX - 7,
            0x4000_0000_0000,
        ];
        for (i, &addr) in addrs.iter().enumerate() {
            memory.write(addr, &(i as u64 + 1).to_be_bytes());
            assert_eq!(
                memory.merkle_root(),
                naive_root(&memory),
                "after write {i} at {addr:#x}"
            );
        }
        // Overwriting an existing leaf changes the root again, and back.
        let before = memory.merkle_root();
        memory.write_u64_be(8, 0xdead_beef);
        let changed = memory.merkle_root();
        assert_ne!(before, changed);
        assert_eq!(changed, naive_root(&memory));
        memory.write_u64_be(8, 2);
        assert_eq!(memory.merkle_root(), before);
    }

    #[test]
    fn proofs_fold_to_the_root_for_present_and_absent_pages() {
        let mut memory = Memory::new();
        memory.write(0x10_0000, &[0xab; 100]);
        memory.write(0x7fff_0000_1000, b"hello, world");
        let root = memory.merkle_root();
        for addr in [
            0x10_0000u64,
            0x10_0040,
            0x7fff_0000_1004,
            0,
            0xdead_0000,
            u64::MAX,
        ] {
            let proof = memory.merkle_proof(addr);
            assert_eq!(proof_root(addr, &proof), root, "proof for {addr:#x}");
            let mut leaf = [0u8; 32];
            memory.read(addr & !31, &mut leaf);
            assert_eq!(&proof[..32], &leaf, "leaf for {addr:#x}");
        }
        // A proof with a wrong leaf folds to another root.
        let mut proof = memory.merkle_proof(0x10_0000);
        proof[0] ^= 1;
        assert_ne!(proof_root(0x10_0000, &proof), root);
    }

    #[test]
    fn unaligned_access_across_pages_and_doublewords() {
        let mut memory = Memory::new();
        memory.write(0xffd, &[1, 2, 3, 4, 5, 6]);
        let mut buf = [0u8; 8];
        memory.read(0xffc, &mut buf);
        assert_eq!(buf, [0, 1, 2, 3, 4, 5, 6, 0]);
        assert_eq!(memory.page_count(), 2);
        assert_eq!(memory.read_u64_be(0x1000), 0x0405_0600_0000_0000);
        assert_eq!(memory.read_u64_le(0x1003), 0x0000_0000_0006_0504);
        memory.write_u64_le(0x2005, 0x0102_0304_0506_0708);
        assert_eq!(memory.read_doubleword(0x2000), [8, 7, 6, 5, 4, 3, 2, 1]);
        // Unallocated memory reads zero and allocates nothing.
        assert_eq!(memory.read_u64_be(0x9999_0000), 0);
        assert_eq!(memory.page_count(), 3);
    }
}
