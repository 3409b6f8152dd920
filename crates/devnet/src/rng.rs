//! Deterministic randomness and test keys, all derived from the devnet seed.
//!
//! Every choice the generator makes comes from a [`DevRng`] labelled by its purpose, so
//! changing one part of the plan does not shift the random stream of another.

use alloy_primitives::{Address, B256, Signature, keccak256};
use k256::ecdsa::SigningKey;

/// A keccak256 counter-mode stream: `keccak256(seed ‖ label ‖ counter)`.
#[derive(Debug, Clone)]
pub(crate) struct DevRng {
    key: B256,
    counter: u64,
}

impl DevRng {
    /// The stream for `label` under `seed`.
    pub(crate) fn new(seed: u64, label: &str) -> Self {
        let key = keccak256([&seed.to_be_bytes()[..], label.as_bytes()].concat());
        Self { key, counter: 0 }
    }

    /// The next 32 random bytes.
    pub(crate) fn next_b256(&mut self) -> B256 {
        self.counter += 1;
        keccak256([self.key.as_slice(), &self.counter.to_be_bytes()].concat())
    }

    /// The next random `u64`.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let word = self.next_b256();
        u64::from_be_bytes(word[..8].try_into().expect("8 bytes"))
    }

    /// A random number in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True with probability `percent`/100.
    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// `len` random bytes.
    pub(crate) fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 32);
        while out.len() < len {
            out.extend_from_slice(self.next_b256().as_slice());
        }
        out.truncate(len);
        out
    }
}

/// A secp256k1 key of the devnet with its address.
#[derive(Clone)]
pub struct TestKey {
    signing: SigningKey,
    /// The key's Ethereum address.
    pub address: Address,
}

impl core::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "TestKey({})", self.address)
    }
}

impl TestKey {
    /// The key named `label` under `seed`: `keccak256("koa devnet key" ‖ seed ‖ label)`,
    /// re-hashed in the (negligible) case it is not a valid scalar.
    pub fn derive(seed: u64, label: &str) -> Self {
        let mut material = keccak256(
            [
                b"koa devnet key".as_slice(),
                &seed.to_be_bytes(),
                label.as_bytes(),
            ]
            .concat(),
        );
        loop {
            if let Ok(signing) = SigningKey::from_slice(material.as_slice()) {
                let address = Address::from_public_key(signing.verifying_key());
                return Self { signing, address };
            }
            material = keccak256(material);
        }
    }

    /// Signs a 32-byte hash (a transaction's or an authorization's signature hash).
    pub fn sign_hash(&self, hash: &B256) -> Signature {
        let (signature, recovery) = self
            .signing
            .sign_prehash_recoverable(hash.as_slice())
            .expect("signing a 32-byte prehash cannot fail");
        Signature::from_signature_and_parity(signature, recovery.is_y_odd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_and_keys_are_deterministic_and_distinct() {
        let mut a = DevRng::new(1, "x");
        let mut b = DevRng::new(1, "x");
        let mut c = DevRng::new(1, "y");
        let mut d = DevRng::new(2, "x");
        let (va, vb, vc, vd) = (a.next_u64(), b.next_u64(), c.next_u64(), d.next_u64());
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        assert_ne!(va, vd);
        assert_ne!(a.next_u64(), va, "the stream moves on");
        assert_eq!(a.bytes(70).len(), 70);

        let key = TestKey::derive(7, "alice");
        assert_eq!(key.address, TestKey::derive(7, "alice").address);
        assert_ne!(key.address, TestKey::derive(7, "bob").address);
        let hash = keccak256(b"message");
        let signature = key.sign_hash(&hash);
        assert_eq!(
            signature.recover_address_from_prehash(&hash).unwrap(),
            key.address
        );
    }
}
