//! Fuzzes the oracle and hint clients against a host that answers with arbitrary bytes: no
//! answer panics them or makes them allocate more than the host sends, and a preimage they
//! return is exactly the bytes the host framed as one.
#![no_main]

use koa_fuzz::ScriptedChannel;
use koa_preimage::{
    HintWriter, HintWriterClient, OracleReader, PreimageKey, PreimageOracleClient,
    PreimageOracleError,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // [script length][script: one op per byte][chunk sizes length][chunk sizes][host bytes]
    let Some((&script_len, rest)) = data.split_first() else {
        return;
    };
    let (script, rest) = rest.split_at(usize::from(script_len % 16).min(rest.len()));
    let Some((&chunks_len, rest)) = rest.split_first() else {
        return;
    };
    let (chunks, host) = rest.split_at(usize::from(chunks_len % 8).min(rest.len()));

    let channel = ScriptedChannel::new(host, chunks);
    let oracle = OracleReader::new(&channel);
    let hints = HintWriter::new(&channel);
    let key = PreimageKey::keccak256_of(b"koa");
    for &op in script {
        let start = channel.consumed();
        let result = match op % 3 {
            0 => oracle.get(key).map(|preimage| {
                // The response is the 8-byte length and exactly that many bytes.
                let len = u64::from_be_bytes(host[start..start + 8].try_into().unwrap());
                assert_eq!(preimage.len() as u64, len);
                assert_eq!(preimage, &host[start + 8..start + 8 + preimage.len()]);
                assert_eq!(channel.consumed(), start + 8 + preimage.len());
            }),
            1 => {
                let mut buf = vec![0u8; usize::from(op >> 2)];
                let got = oracle.get_exact(key, &mut buf);
                if got.is_ok() {
                    assert_eq!(buf, &host[start + 8..start + 8 + buf.len()]);
                }
                if let Err(PreimageOracleError::LengthMismatch { actual, .. }) = &got {
                    // The mismatching response was read to its end, keeping the stream aligned.
                    assert_eq!(channel.consumed() as u64, start as u64 + 8 + actual);
                }
                got
            }
            _ => hints.hint("l1-block-header 0x00").map(|()| {
                assert_eq!(channel.consumed(), start + 1);
            }),
        };
        if result.is_err() {
            break;
        }
    }
});
