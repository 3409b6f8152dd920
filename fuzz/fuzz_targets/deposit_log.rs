//! Fuzzes `TransactionDeposited` log decoding: no log panics the decoder, and a decoded deposit
//! carries exactly what the log says (its opaque data re-packs to the log's payload).
#![no_main]

use alloy_primitives::{Address, B256, TxKind, U256};
use koa_protocol::deposits::{DEPOSIT_EVENT_TOPIC, DEPOSIT_EVENT_VERSION_0, decode_deposit_log};
use libfuzzer_sys::{arbitrary::Unstructured, fuzz_target};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(shape) = u.arbitrary::<u8>() else {
        return;
    };
    let word = |u: &mut Unstructured<'_>| -> B256 {
        B256::new(u.arbitrary::<[u8; 32]>().unwrap_or_default())
    };
    // Mostly well-formed topics, so the fuzzer reaches the data checks.
    let mut topics = Vec::new();
    let topic_count = if shape & 0x80 == 0 {
        4
    } else {
        usize::from(shape & 7)
    };
    for i in 0..topic_count {
        topics.push(match i {
            0 if shape & 1 == 0 => DEPOSIT_EVENT_TOPIC,
            3 if shape & 2 == 0 => DEPOSIT_EVENT_VERSION_0,
            1 | 2 if shape & 4 == 0 => {
                B256::left_padding_from(u.arbitrary::<[u8; 20]>().unwrap_or_default().as_slice())
            }
            _ => word(&mut u),
        });
    }
    let payload = u.take_rest();
    // Mostly a canonical ABI `bytes` header around the payload.
    let log = koa_fuzz::event_log(topics.clone(), payload, shape & 8 == 0);
    let Ok(deposit) = decode_deposit_log(&log, B256::ZERO, 7) else {
        return;
    };
    assert_eq!(deposit.from, Address::from_word(topics[1]));
    assert!(!deposit.is_system_transaction);
    // The opaque data: mint ‖ value ‖ gas limit ‖ isCreation ‖ input.
    let mut opaque = Vec::new();
    opaque.extend_from_slice(&U256::from(deposit.mint).to_be_bytes::<32>());
    opaque.extend_from_slice(&deposit.value.to_be_bytes::<32>());
    opaque.extend_from_slice(&deposit.gas_limit.to_be_bytes());
    let is_creation = log.data.data[64 + 72];
    opaque.push(is_creation);
    opaque.extend_from_slice(&deposit.input);
    assert_eq!(opaque, log.data.data[64..64 + opaque.len()]);
    if shape & 8 == 0 {
        assert_eq!(opaque, payload);
    }
    match deposit.to {
        TxKind::Create => assert_ne!(is_creation, 0),
        TxKind::Call(to) => {
            assert_eq!(is_creation, 0);
            assert_eq!(to, Address::from_word(topics[2]));
        }
    }
});
