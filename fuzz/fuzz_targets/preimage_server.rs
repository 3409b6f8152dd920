//! Fuzzes the oracle and hint servers against a client that sends arbitrary bytes: no request
//! panics them, a known key is answered with exactly its length-prefixed preimage, and every
//! well-formed hint is routed and acknowledged.
#![no_main]

use std::{cell::RefCell, collections::BTreeMap};

use koa_fuzz::ScriptedChannel;
use koa_preimage::{
    FetchError, HintReader, HintRouter, OracleServer, PreimageKey, Served, ServerError,
};
use libfuzzer_sys::fuzz_target;

/// Records the hints it routes; rejects hints that start with `!`.
#[derive(Default)]
struct Recorder(RefCell<Vec<String>>);

impl HintRouter for Recorder {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        if hint.starts_with('!') {
            return Err(FetchError::UnsupportedHint(hint.to_string()));
        }
        self.0.borrow_mut().push(hint.to_string());
        Ok(())
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (chunks, incoming) = rest.split_at(usize::from(mode >> 5).min(rest.len()));
    let channel = ScriptedChannel::new(incoming, chunks);
    if mode & 1 == 0 {
        let known = PreimageKey::keccak256_of(b"koa");
        let mut store = BTreeMap::new();
        store.insert(known, b"koa".to_vec());
        store.insert(PreimageKey::local(1), vec![0x11; 32]);
        let server = OracleServer::new(&channel);
        let mut answered = Vec::new();
        loop {
            let start = channel.consumed();
            match server.next_request(&store) {
                Ok(Served::Closed) => break,
                Ok(Served::Message) => {
                    let key: [u8; 32] = incoming[start..start + 32].try_into().unwrap();
                    let key = PreimageKey::try_from(key).expect("served key is valid");
                    let preimage = &store[&key];
                    answered.extend_from_slice(&(preimage.len() as u64).to_be_bytes());
                    answered.extend_from_slice(preimage);
                }
                Err(ServerError::Fetch(FetchError::NotFound(key))) => {
                    assert!(!store.contains_key(&key));
                    break;
                }
                Err(_) => break,
            }
        }
        assert_eq!(*channel.written.borrow(), answered);
    } else {
        let router = Recorder::default();
        let reader = HintReader::new(&channel).with_max_hint_len(256);
        let mut acks = 0;
        loop {
            let start = channel.consumed();
            match reader.next_hint(&router) {
                Ok(Served::Closed) => break,
                Ok(Served::Message) => {
                    acks += 1;
                    let len = u32::from_be_bytes(incoming[start..start + 4].try_into().unwrap());
                    let hint = &incoming[start + 4..start + 4 + len as usize];
                    assert_eq!(router.0.borrow().last().unwrap().as_bytes(), hint);
                }
                Err(_) => break,
            }
        }
        assert_eq!(router.0.borrow().len(), acks);
        assert_eq!(*channel.written.borrow(), vec![0u8; acks]);
    }
});
