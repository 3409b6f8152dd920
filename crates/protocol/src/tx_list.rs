//! A block's transactions, EIP-2718 encoded, in one buffer.

use alloc::vec::Vec;
use alloy_primitives::{Bytes, hex};
use alloy_rlp::{BufMut, Decodable, Encodable, Header};
use core::{fmt, iter::FusedIterator, ops::Range};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de, ser::SerializeSeq};

/// EIP-2718 encoded transactions, back to back in one buffer, with where each one ends.
///
/// A batch carries its transactions as an RLP list of strings, so a transaction costs the
/// batcher as little as one byte (an RLP string of one byte below `0x80`), and a channel at
/// Fjord's RLP limit can carry 100,000,000 of them. As a `Vec<Bytes>` that is 32 bytes of
/// handle plus a heap block per transaction, several gigabytes, more than an FPVM heap holds;
/// here it is the transaction's bytes plus a 4-byte end offset, so such a batch costs about
/// five times the channel's size. Nothing that holds a list needs to know how large it is:
/// the executor reads transactions one by one and stops at the first it cannot include.
///
/// The buffer holds at most `u32::MAX` bytes ([`TxListTooLarge`] past that), far above
/// anything the protocol lets a block carry.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct TxList {
    /// The transactions' bytes, back to back.
    data: Vec<u8>,
    /// Where each transaction ends in `data`; the next one starts there.
    ends: Vec<u32>,
}

/// Transactions a decoded list has room for in front of its own, without growing its
/// buffers: a block's deposits go before its batch's transactions ([`TxList::prepend`]), and
/// growing a 400 MB offset buffer may mean copying it.
const DECODED_FRONT_ROOM_TXS: usize = 16;
/// Bytes a decoded list has room for in front of its own (see [`DECODED_FRONT_ROOM_TXS`]):
/// the L1 attributes deposit and a few user deposits.
const DECODED_FRONT_ROOM_BYTES: usize = 4096;

/// A transaction list would outgrow its `u32` offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a transaction list holds at most {} bytes", u32::MAX)]
pub struct TxListTooLarge;

impl TxList {
    /// An empty list.
    pub const fn new() -> Self {
        Self {
            data: Vec::new(),
            ends: Vec::new(),
        }
    }

    /// An empty list with room for `count` transactions of `bytes` bytes in all.
    pub fn with_capacity(count: usize, bytes: usize) -> Self {
        Self {
            data: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(count),
        }
    }

    /// The list of `txs`, in order.
    pub fn try_from_iter<T: AsRef<[u8]>>(
        txs: impl IntoIterator<Item = T>,
    ) -> Result<Self, TxListTooLarge> {
        let mut list: Self = Self::new();
        for tx in txs {
            list.push(tx.as_ref())?;
        }
        Ok(list)
    }

    /// Appends a transaction.
    pub fn push(&mut self, tx: &[u8]) -> Result<(), TxListTooLarge> {
        let end: u32 = u32::try_from(tx.len())
            .ok()
            .and_then(|len| self.end().checked_add(len))
            .ok_or(TxListTooLarge)?;
        self.data.extend_from_slice(tx);
        self.ends.push(end);
        Ok(())
    }

    /// Appends every transaction of `other`, in order.
    pub fn extend_from_list(&mut self, other: &Self) -> Result<(), TxListTooLarge> {
        let base: u32 = self.end();
        // Offsets only grow, so if the last one does not overflow, none does.
        if base.checked_add(other.end()).is_none() {
            return Err(TxListTooLarge);
        }
        self.data.extend_from_slice(&other.data);
        self.ends.extend(other.ends.iter().map(|end| end + base));
        Ok(())
    }

    /// Inserts every transaction of `front` before this list's, in place: the list is not
    /// copied (it may be a batch's 100 MB), only moved up in its buffers.
    pub fn prepend(&mut self, front: &Self) -> Result<(), TxListTooLarge> {
        let shift: u32 = front.end();
        if self.end().checked_add(shift).is_none() {
            return Err(TxListTooLarge);
        }
        // Exactly the room needed: `splice` alone would reserve amortized, doubling the
        // buffers.
        self.data.reserve_exact(front.data.len());
        self.ends.reserve_exact(front.ends.len());
        self.data.splice(0..0, front.data.iter().copied());
        for end in &mut self.ends {
            *end += shift;
        }
        self.ends.splice(0..0, front.ends.iter().copied());
        Ok(())
    }

    /// Where the last transaction ends: the buffer's length.
    fn end(&self) -> u32 {
        self.ends.last().copied().unwrap_or(0)
    }

    /// The transactions `keep` accepts, in order, as a new list.
    #[must_use]
    pub fn retained(&self, mut keep: impl FnMut(&[u8]) -> bool) -> Self {
        let mut out: Self = Self::new();
        for tx in self.iter().filter(|tx| keep(tx)) {
            out.data.extend_from_slice(tx);
            // A subset of this list's bytes: within `u32`, as this list's are.
            out.ends.push(out.data.len() as u32);
        }
        out
    }

    /// Removes every transaction.
    pub fn clear(&mut self) {
        self.data.clear();
        self.ends.clear();
    }

    /// Number of transactions.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the list has no transaction.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The transactions' bytes in all.
    pub fn byte_len(&self) -> usize {
        self.data.len()
    }

    /// The transaction at `index`.
    pub fn get(&self, index: usize) -> Option<&[u8]> {
        let range: Range<usize> = self.range(index)?;
        self.data.get(range)
    }

    /// The first transaction.
    pub fn first(&self) -> Option<&[u8]> {
        self.get(0)
    }

    /// The transactions, in order.
    pub fn iter(&self) -> TxListIter<'_> {
        TxListIter {
            list: self,
            front: 0,
            back: self.len(),
        }
    }

    /// The transactions as a vector of their own buffers.
    pub fn to_vec(&self) -> Vec<Bytes> {
        self.iter().map(Bytes::copy_from_slice).collect()
    }

    /// Where transaction `index` lies in `data`.
    fn range(&self, index: usize) -> Option<Range<usize>> {
        let end: usize = *self.ends.get(index)? as usize;
        let start: usize = match index.checked_sub(1) {
            Some(previous) => self.ends[previous] as usize,
            None => 0,
        };
        Some(start..end)
    }
}

/// Like a list of [`Bytes`]: hex strings.
impl fmt::Debug for TxList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.iter().map(hex::encode_prefixed))
            .finish()
    }
}

impl TryFrom<Vec<Bytes>> for TxList {
    type Error = TxListTooLarge;

    fn try_from(txs: Vec<Bytes>) -> Result<Self, Self::Error> {
        Self::try_from_iter(txs)
    }
}

/// The transactions of a [`TxList`], in order.
#[derive(Debug, Clone)]
pub struct TxListIter<'a> {
    list: &'a TxList,
    /// Index of the next transaction from the front.
    front: usize,
    /// One past the index of the next transaction from the back.
    back: usize,
}

impl<'a> Iterator for TxListIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        let tx: &[u8] = self.list.get(self.front)?;
        self.front += 1;
        Some(tx)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left: usize = self.back - self.front;
        (left, Some(left))
    }

    fn nth(&mut self, n: usize) -> Option<Self::Item> {
        self.front = self.front.saturating_add(n).min(self.back);
        self.next()
    }

    fn last(mut self) -> Option<Self::Item> {
        self.next_back()
    }

    fn count(self) -> usize {
        self.back - self.front
    }
}

impl DoubleEndedIterator for TxListIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.list.get(self.back)
    }
}

impl ExactSizeIterator for TxListIter<'_> {}

impl FusedIterator for TxListIter<'_> {}

impl<'a> IntoIterator for &'a TxList {
    type Item = &'a [u8];
    type IntoIter = TxListIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// The RLP list of the transactions as strings (a batch's `transaction_list`).
impl Encodable for TxList {
    fn encode(&self, out: &mut dyn BufMut) {
        Header {
            list: true,
            payload_length: self.payload_length(),
        }
        .encode(out);
        for tx in self {
            tx.encode(out);
        }
    }

    fn length(&self) -> usize {
        let payload_length: usize = self.payload_length();
        alloy_rlp::length_of_length(payload_length) + payload_length
    }
}

impl TxList {
    /// The RLP payload length of the list: each transaction as an RLP string.
    fn payload_length(&self) -> usize {
        self.iter().map(Encodable::length).sum()
    }
}

/// Decodes an RLP list of strings, with the checks alloy's `Vec<Bytes>` decoding makes
/// (canonical headers, no nested list), into buffers sized before they are filled (with room
/// for a block's deposits in front, [`DECODED_FRONT_ROOM_TXS`]).
impl Decodable for TxList {
    fn decode(buf: &mut &[u8]) -> alloy_rlp::Result<Self> {
        let payload: &[u8] = Header::decode_bytes(buf, true)?;
        // A first pass checks every item and counts them, so that the second copies into
        // buffers of the exact size: no doubling of a list that may be 100,000,000 long.
        let mut count: usize = 0;
        let mut bytes: usize = 0;
        let mut items: &[u8] = payload;
        while !items.is_empty() {
            bytes += Header::decode_bytes(&mut items, false)?.len();
            count += 1;
        }
        if u32::try_from(bytes).is_err() {
            return Err(alloy_rlp::Error::Overflow);
        }
        let mut list: Self = Self::with_capacity(
            count + DECODED_FRONT_ROOM_TXS,
            bytes + DECODED_FRONT_ROOM_BYTES,
        );
        let mut items: &[u8] = payload;
        while !items.is_empty() {
            let tx: &[u8] = Header::decode_bytes(&mut items, false)?;
            list.push(tx).map_err(|_| alloy_rlp::Error::Overflow)?;
        }
        Ok(list)
    }
}

/// A byte string as [`Bytes`] serializes it: `0x`-prefixed hex where the format is
/// human-readable, raw bytes elsewhere.
struct HexBytes<'a>(&'a [u8]);

impl Serialize for HexBytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.serialize_str(&hex::encode_prefixed(self.0))
        } else {
            serializer.serialize_bytes(self.0)
        }
    }
}

/// The same form as a `Vec<Bytes>`: a sequence of hex strings in JSON.
impl Serialize for TxList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.len()))?;
        for tx in self {
            seq.serialize_element(&HexBytes(tx))?;
        }
        seq.end()
    }
}

impl<'de> Deserialize<'de> for TxList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TxListVisitor;

        impl<'de> de::Visitor<'de> for TxListVisitor {
            type Value = TxList;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a sequence of hex-encoded transactions")
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<TxList, A::Error> {
                let mut list: TxList = TxList::new();
                while let Some(tx) = seq.next_element::<Bytes>()? {
                    list.push(&tx).map_err(de::Error::custom)?;
                }
                Ok(list)
            }
        }

        deserializer.deserialize_seq(TxListVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn sample() -> Vec<Bytes> {
        vec![
            Bytes::from_static(&[0x02, 0xc0]),
            Bytes::new(),
            Bytes::from_static(&[0x7f]),
            Bytes::from(vec![0xab; 300]),
        ]
    }

    #[test]
    fn holds_its_transactions_in_order() {
        let txs: Vec<Bytes> = sample();
        let list: TxList = TxList::try_from(txs.clone()).unwrap();
        assert_eq!(list.len(), 4);
        assert_eq!(list.byte_len(), 2 + 1 + 300);
        assert_eq!(list.to_vec(), txs);
        assert_eq!(list.get(1), Some(&[][..]));
        assert_eq!(list.get(4), None);
        assert_eq!(list.first(), Some(&[0x02, 0xc0][..]));
        let backwards: Vec<&[u8]> = list.iter().rev().collect();
        assert_eq!(
            backwards,
            txs.iter().rev().map(|tx| &tx[..]).collect::<Vec<_>>()
        );
        assert_eq!(list.iter().len(), 4);
        assert_eq!(list.iter().nth(3), Some(&[0xab; 300][..]));
        assert_eq!(list.iter().nth(4), None);
        assert_eq!(list.iter().last(), Some(&[0xab; 300][..]));
        assert_eq!(list.iter().skip(1).count(), 3);
        let mut both_ends: TxListIter<'_> = list.iter();
        assert_eq!(both_ends.nth(1), Some(&[][..]));
        assert_eq!(both_ends.next_back(), Some(&[0xab; 300][..]));
        assert_eq!(both_ends.next(), Some(&[0x7f][..]));
        assert_eq!(both_ends.next(), None);
        assert!(TxList::new().is_empty());
        assert_eq!(TxList::new().first(), None);
    }

    #[test]
    fn retained_keeps_the_accepted_transactions_in_order() {
        let list: TxList = TxList::try_from(sample()).unwrap();
        let short: TxList = list.retained(|tx| tx.len() < 3);
        assert_eq!(short.to_vec(), sample()[..3]);
        assert_eq!(short.byte_len(), 3);
        assert!(list.retained(|_| false).is_empty());
        assert_eq!(list.retained(|_| true), list);
    }

    #[test]
    fn prepending_keeps_both_lists_in_order() {
        let front: TxList = TxList::try_from_iter([[0x7eu8, 0x01], [0x7e, 0x02]]).unwrap();
        let mut list: TxList = TxList::try_from(sample()).unwrap();
        list.prepend(&front).unwrap();
        let mut expected: Vec<Bytes> = front.to_vec();
        expected.extend(sample());
        assert_eq!(list.to_vec(), expected);
        assert_eq!(list.byte_len(), 4 + 303);
        let mut empty: TxList = TxList::new();
        empty.prepend(&front).unwrap();
        assert_eq!(empty, front);
        list.prepend(&TxList::new()).unwrap();
        assert_eq!(list.to_vec(), expected);
    }

    #[test]
    fn extending_keeps_both_lists_in_order() {
        let mut list: TxList = TxList::try_from_iter([[0x01u8]]).unwrap();
        list.extend_from_list(&TxList::try_from(sample()).unwrap())
            .unwrap();
        let mut expected: Vec<Bytes> = vec![Bytes::from_static(&[0x01])];
        expected.extend(sample());
        assert_eq!(list.to_vec(), expected);
    }

    #[test]
    fn rlp_is_the_same_as_a_list_of_bytes() {
        let txs: Vec<Bytes> = sample();
        let list: TxList = TxList::try_from(txs.clone()).unwrap();
        let mut ours: Vec<u8> = Vec::new();
        list.encode(&mut ours);
        assert_eq!(ours, alloy_rlp::encode(&txs));
        assert_eq!(list.length(), ours.len());
        assert_eq!(TxList::decode(&mut ours.as_slice()).unwrap(), list);
        let empty: Vec<u8> = alloy_rlp::encode(TxList::new());
        assert_eq!(empty, [0xc0]);
    }

    #[test]
    fn rlp_decoding_refuses_what_a_list_of_bytes_refuses() {
        let cases: [&[u8]; 6] = [
            // A string, not a list.
            &[0x82, 0x01, 0x02],
            // An item that is a list.
            &[0xc1, 0xc0],
            // A single byte below 0x80 given a length prefix.
            &[0xc2, 0x81, 0x05],
            // Truncated: the list announces more than there is.
            &[0xc3, 0x82, 0x01],
            // An item running past the list's end.
            &[0xc2, 0x82, 0x01, 0x02],
            // Nothing.
            &[],
        ];
        for case in cases {
            let ours: alloy_rlp::Result<TxList> = TxList::decode(&mut &case[..]);
            let theirs: alloy_rlp::Result<Vec<Bytes>> = Vec::<Bytes>::decode(&mut &case[..]);
            assert!(ours.is_err(), "{case:x?} decoded");
            assert_eq!(ours.unwrap_err(), theirs.unwrap_err(), "{case:x?}");
        }
    }

    /// Decodes `input` both ways: the outcome, and what is left of the input.
    fn decode_both(input: &[u8]) -> [(alloy_rlp::Result<Vec<Bytes>>, usize); 2] {
        let mut ours: &[u8] = input;
        let ours_result = TxList::decode(&mut ours).map(|list| list.to_vec());
        let mut theirs: &[u8] = input;
        let theirs_result = Vec::<Bytes>::decode(&mut theirs);
        [(ours_result, ours.len()), (theirs_result, theirs.len())]
    }

    proptest::proptest! {
        /// On arbitrary bytes, and on real lists cut short, grown or with a byte changed,
        /// decoding accepts, refuses and consumes exactly as alloy's `Vec<Bytes>` does.
        #[test]
        fn rlp_decoding_agrees_with_a_list_of_bytes(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..48),
            txs in proptest::collection::vec(
                proptest::collection::vec(proptest::prelude::any::<u8>(), 0..70),
                0..6,
            ),
            at in proptest::prelude::any::<usize>(),
            byte in proptest::prelude::any::<u8>(),
        ) {
            let [ours, theirs] = decode_both(&noise);
            proptest::prop_assert_eq!(ours, theirs);
            let list: Vec<u8> = alloy_rlp::encode(txs.iter().map(|tx| Bytes::from(tx.clone())).collect::<Vec<_>>());
            let mut changed: Vec<u8> = list.clone();
            let index: usize = at % changed.len();
            changed[index] = byte;
            let mut grown: Vec<u8> = list.clone();
            grown.push(byte);
            for input in [&list[..], &list[..at % list.len()], &changed, &grown] {
                let [ours, theirs] = decode_both(input);
                proptest::prop_assert_eq!(ours, theirs, "{:x?}", input);
            }
        }
    }

    #[test]
    fn json_is_the_same_as_a_list_of_bytes() {
        let txs: Vec<Bytes> = sample();
        let list: TxList = TxList::try_from(txs.clone()).unwrap();
        let json: String = serde_json::to_string(&list).unwrap();
        assert_eq!(json, serde_json::to_string(&txs).unwrap());
        assert_eq!(serde_json::from_str::<TxList>(&json).unwrap(), list);
        assert!(serde_json::from_str::<TxList>(r#"["0x0g"]"#).is_err());
        assert!(serde_json::from_str::<TxList>(r#""0x00""#).is_err());
    }

    #[test]
    fn a_list_past_u32_offsets_is_refused() {
        // Offsets as if the buffer held `u32::MAX - 1` bytes: the arithmetic needs only them.
        let nearly_full = || TxList {
            data: Vec::new(),
            ends: vec![u32::MAX - 1],
        };
        let mut list: TxList = nearly_full();
        assert_eq!(list.push(&[0x01]), Ok(()));
        assert_eq!(list.ends, [u32::MAX - 1, u32::MAX]);
        assert_eq!(list.push(&[]), Ok(()));
        assert_eq!(list.push(&[0x02]), Err(TxListTooLarge));
        assert_eq!(list.len(), 3, "a refused transaction is not added");

        let two: TxList = TxList::try_from_iter([[0x01u8], [0x02]]).unwrap();
        let mut list: TxList = nearly_full();
        assert_eq!(list.extend_from_list(&two), Err(TxListTooLarge));
        assert_eq!(list.len(), 1, "nothing is added");
        let one: TxList = TxList::try_from_iter([[0x01u8]]).unwrap();
        assert_eq!(list.extend_from_list(&one), Ok(()));
        assert_eq!(list.ends, [u32::MAX - 1, u32::MAX]);

        let mut list: TxList = nearly_full();
        assert_eq!(list.prepend(&two), Err(TxListTooLarge));
        assert_eq!(list.ends, [u32::MAX - 1], "nothing is moved");
    }
}
