//! Protocol tests: both ends against each other, against hand-built wire bytes, with short
//! transfers, and with malformed or truncated traffic.

use crate::*;
use alloc::{collections::BTreeMap, string::String, vec, vec::Vec};
use alloy_primitives::{B256, address, keccak256};
use proptest::prelude::*;
use std::{sync::Mutex, thread};

/// One preimage per key type, keyed as the specification derives the key.
fn store() -> BTreeMap<PreimageKey, Vec<u8>> {
    let keccak_preimage: Vec<u8> = b"hello keccak".to_vec();
    let mut store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::new();
    store.insert(PreimageKey::local(1), B256::repeat_byte(0x11).to_vec());
    store.insert(PreimageKey::keccak256_of(&keccak_preimage), keccak_preimage);
    store.insert(
        PreimageKey::global_generic(
            B256::ZERO,
            address!("0000000000000000000000000000000000000042"),
        ),
        vec![3; 100],
    );
    store.insert(PreimageKey::sha256(B256::repeat_byte(0x44)), vec![4; 33]);
    store.insert(
        PreimageKey::blob(&[5; 48], B256::with_last_byte(9)),
        vec![5; 32],
    );
    store.insert(
        PreimageKey::precompile(
            address!("0000000000000000000000000000000000000001"),
            &[6; 128],
        ),
        [&[1u8][..], &[0xee; 32][..]].concat(),
    );
    // An empty preimage is legal.
    store.insert(PreimageKey::keccak256_of(b""), Vec::new());
    store
}

/// A hint router that records every hint.
#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl HintRouter for Recorder {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        self.0.lock().unwrap().push(hint.into());
        Ok(())
    }
}

#[test]
fn every_key_type_round_trips_with_short_transfers() {
    let store: BTreeMap<PreimageKey, Vec<u8>> = store();
    let covered: std::collections::BTreeSet<PreimageKeyType> =
        store.keys().map(PreimageKey::key_type).collect();
    assert_eq!(covered.len(), PreimageKeyType::ALL.len());
    // 1 byte, Cannon (8), Asterisc (32), and unlimited.
    for chunk in [1usize, 8, 32, usize::MAX] {
        let (client_end, server_end) = MemoryChannel::pair();
        let server_store: BTreeMap<PreimageKey, Vec<u8>> = store.clone();
        let server = thread::spawn(move || {
            OracleServer::new(ChunkedChannel::new(server_end, chunk)).serve(&server_store)
        });
        let reader = OracleReader::new(ChunkedChannel::new(client_end, chunk));
        for (key, preimage) in &store {
            assert_eq!(
                &reader.get(*key).unwrap(),
                preimage,
                "chunk {chunk} key {key:?}"
            );
            let mut exact: Vec<u8> = vec![0xff; preimage.len()];
            reader.get_exact(*key, &mut exact).unwrap();
            assert_eq!(&exact, preimage);
        }
        drop(reader);
        assert_eq!(server.join().unwrap(), Ok(()));
    }
}

#[test]
fn oracle_wire_format() {
    let (raw, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || OracleServer::new(server_end).serve(&store()));
    let key: PreimageKey = PreimageKey::keccak256_of(b"hello keccak");
    write_all(&raw, key.as_bytes()).unwrap();
    let mut response: [u8; 8 + 12] = [0; 20];
    assert_eq!(read_full(&raw, &mut response).unwrap(), 20);
    assert_eq!(&response[..8], &[0, 0, 0, 0, 0, 0, 0, 12]);
    assert_eq!(&response[8..], b"hello keccak");
    drop(raw);
    assert_eq!(server.join().unwrap(), Ok(()));
}

#[test]
fn client_writes_the_key_and_reads_exactly_the_response() {
    let (client_end, raw) = MemoryChannel::pair();
    let key: PreimageKey = PreimageKey::local(7);
    let server = thread::spawn(move || {
        let mut request: [u8; 32] = [0; 32];
        assert_eq!(read_full(&raw, &mut request).unwrap(), 32);
        // Response followed by bytes that do not belong to it.
        write_all(
            &raw,
            &[0, 0, 0, 0, 0, 0, 0, 3, 0xaa, 0xbb, 0xcc, 0xde, 0xad],
        )
        .unwrap();
        request
    });
    let reader = OracleReader::new(&client_end);
    assert_eq!(reader.get(key).unwrap(), vec![0xaa, 0xbb, 0xcc]);
    assert_eq!(server.join().unwrap(), key.to_bytes());
    // The trailing bytes are still unread: the client stopped at 8 + length.
    let mut rest: [u8; 2] = [0; 2];
    assert_eq!(read_full(&client_end, &mut rest).unwrap(), 2);
    assert_eq!(rest, [0xde, 0xad]);
}

#[test]
fn get_exact_rejects_wrong_length_and_stays_aligned() {
    let (client_end, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || OracleServer::new(server_end).serve(&store()));
    let reader = OracleReader::new(ChunkedChannel::new(client_end, 8));
    let key: PreimageKey = PreimageKey::keccak256_of(b"hello keccak");
    let mut short: [u8; 4] = [0; 4];
    assert_eq!(
        reader.get_exact(key, &mut short),
        Err(PreimageOracleError::LengthMismatch {
            key,
            expected: 4,
            actual: 12
        })
    );
    // The rejected response was drained, so the next request reads its own answer.
    assert_eq!(
        reader.get(PreimageKey::local(1)).unwrap(),
        B256::repeat_byte(0x11).to_vec()
    );
    drop(reader);
    assert_eq!(server.join().unwrap(), Ok(()));
}

#[test]
fn hint_wire_format_and_routing() {
    let (client_end, server_end) = MemoryChannel::pair();
    let recorder: std::sync::Arc<Recorder> = std::sync::Arc::default();
    let server_recorder = std::sync::Arc::clone(&recorder);
    let server = thread::spawn(move || {
        HintReader::new(ChunkedChannel::new(server_end, 8)).serve(&server_recorder)
    });
    let writer = HintWriter::new(ChunkedChannel::new(client_end, 1));
    writer.hint("l1-block-header 0xabcd").unwrap();
    writer.hint("").unwrap();
    drop(writer);
    assert_eq!(server.join().unwrap(), Ok(()));
    assert_eq!(
        *recorder.0.lock().unwrap(),
        vec![String::from("l1-block-header 0xabcd"), String::new()]
    );

    // Byte-level: 4-byte big-endian length, payload, then a single zero ack.
    let (raw, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || HintReader::new(server_end).serve(&NoopHintRouter));
    write_all(&raw, &[0, 0, 0, 5]).unwrap();
    write_all(&raw, b"hello").unwrap();
    let mut ack: [u8; 2] = [0xff; 2];
    assert_eq!(read_full(&raw, &mut ack[..1]).unwrap(), 1);
    assert_eq!(ack[0], 0);
    drop(raw);
    assert_eq!(server.join().unwrap(), Ok(()));
}

/// Runs `client` against a hint server and returns the server's result.
fn hint_server_result(client: impl FnOnce(&MemoryChannel)) -> Result<(), ServerError> {
    let (raw, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || {
        HintReader::new(server_end)
            .with_max_hint_len(1024)
            .serve(&NoopHintRouter)
    });
    client(&raw);
    drop(raw);
    server.join().unwrap()
}

/// Runs `client` against an oracle server and returns the server's result.
fn oracle_server_result(client: impl FnOnce(&MemoryChannel)) -> Result<(), ServerError> {
    let (raw, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || OracleServer::new(server_end).serve(&store()));
    client(&raw);
    drop(raw);
    server.join().unwrap()
}

#[test]
fn malformed_hints_are_typed_errors() {
    assert_eq!(
        hint_server_result(|raw| write_all(raw, &[0xff, 0xff, 0xff, 0xff]).unwrap()),
        Err(ServerError::HintTooLarge {
            len: u32::MAX,
            max: 1024
        })
    );
    assert_eq!(
        hint_server_result(|raw| write_all(raw, &[0, 0, 0, 10, b'a', b'b', b'c']).unwrap()),
        Err(ServerError::Truncated {
            expected: 14,
            received: 7
        })
    );
    assert_eq!(
        hint_server_result(|raw| write_all(raw, &[0, 0]).unwrap()),
        Err(ServerError::Truncated {
            expected: 4,
            received: 2
        })
    );
    assert_eq!(
        hint_server_result(|raw| write_all(raw, &[0, 0, 0, 2, 0xc3, 0x28]).unwrap()),
        Err(ServerError::HintNotUtf8)
    );
    assert_eq!(hint_server_result(|_| {}), Ok(()));
}

#[test]
fn failing_router_is_reported() {
    struct Reject;
    impl HintRouter for Reject {
        fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
            Err(FetchError::UnsupportedHint(hint.into()))
        }
    }
    let (client_end, server_end) = MemoryChannel::pair();
    let server = thread::spawn(move || HintReader::new(server_end).serve(&Reject));
    let writer = HintWriter::new(client_end);
    // The server stops without acknowledging; the client sees the stream end, not a hang.
    assert_eq!(
        writer.hint("bogus"),
        Err(PreimageOracleError::UnexpectedEof {
            expected: 1,
            received: 0
        })
    );
    assert_eq!(
        server.join().unwrap(),
        Err(ServerError::Route(FetchError::UnsupportedHint(
            "bogus".into()
        )))
    );
}

#[test]
fn malformed_oracle_requests_are_typed_errors() {
    let mut zero_key: [u8; 32] = [0xab; 32];
    zero_key[0] = 0;
    assert_eq!(
        oracle_server_result(|raw| write_all(raw, &zero_key).unwrap()),
        Err(ServerError::InvalidKey(InvalidKeyType(0)))
    );
    let mut app_key: [u8; 32] = [0xab; 32];
    app_key[0] = 200;
    assert_eq!(
        oracle_server_result(|raw| write_all(raw, &app_key).unwrap()),
        Err(ServerError::InvalidKey(InvalidKeyType(200)))
    );
    assert_eq!(
        oracle_server_result(|raw| write_all(raw, &[2; 16]).unwrap()),
        Err(ServerError::Truncated {
            expected: 32,
            received: 16
        })
    );
    let unknown: PreimageKey = PreimageKey::keccak256(keccak256(b"not in the store"));
    assert_eq!(
        oracle_server_result(|raw| write_all(raw, unknown.as_bytes()).unwrap()),
        Err(ServerError::Fetch(FetchError::NotFound(unknown)))
    );
    assert_eq!(oracle_server_result(|_| {}), Ok(()));
}

#[test]
fn server_reports_a_client_that_went_away() {
    let (raw, server_end) = MemoryChannel::pair();
    write_all(&raw, PreimageKey::local(1).as_bytes()).unwrap();
    drop(raw);
    assert_eq!(
        OracleServer::new(server_end).serve(&store()),
        Err(ServerError::Channel(ChannelError::Closed))
    );
}

#[test]
fn client_reports_truncated_responses() {
    for (response, expected, received) in [
        (&[0u8, 0, 0][..], 8u64, 3u64),
        (&[0, 0, 0, 0, 0, 0, 0, 4, 1, 2][..], 12, 10),
    ] {
        let (client_end, raw) = MemoryChannel::pair();
        let server = thread::spawn(move || {
            let mut request: [u8; 32] = [0; 32];
            read_full(&raw, &mut request).unwrap();
            write_all(&raw, response).unwrap();
        });
        let reader = OracleReader::new(client_end);
        assert_eq!(
            reader.get(PreimageKey::local(1)),
            Err(PreimageOracleError::UnexpectedEof { expected, received })
        );
        server.join().unwrap();
    }
}

/// A host that announces the largest allowed preimage and sends three bytes gets a truncation
/// error; the client used to allocate (and zero) the whole announced length first.
#[test]
fn client_allocates_for_bytes_received_not_bytes_announced() {
    let announced: u64 = MAX_PREIMAGE_LEN;
    let (client_end, raw) = MemoryChannel::pair();
    let server = thread::spawn(move || {
        let mut request: [u8; 32] = [0; 32];
        read_full(&raw, &mut request).unwrap();
        write_all(&raw, &announced.to_be_bytes()).unwrap();
        write_all(&raw, &[1, 2, 3]).unwrap();
    });
    assert_eq!(
        OracleReader::new(client_end).get(PreimageKey::local(1)),
        Err(PreimageOracleError::UnexpectedEof {
            expected: 8 + announced,
            received: 8 + 3,
        })
    );
    server.join().unwrap();
}

#[test]
fn client_reads_preimages_larger_than_one_allocation_step() {
    let preimage: Vec<u8> = (0..(5u32 << 19)).map(|i| i as u8).collect();
    let (client_end, server_end) = MemoryChannel::pair();
    let mut store = BTreeMap::new();
    store.insert(PreimageKey::local(1), preimage.clone());
    let server = thread::spawn(move || OracleServer::new(server_end).serve(&store));
    let reader = OracleReader::new(client_end);
    assert_eq!(reader.get(PreimageKey::local(1)), Ok(preimage));
    drop(reader);
    server.join().unwrap().unwrap();
}

/// Found by the `preimage_client` fuzz target: `get_exact` skipping a response whose announced
/// length is near `u64::MAX` overflowed computing the message length (a panic in debug builds).
#[test]
fn get_exact_skips_a_huge_announced_length_without_overflow() {
    let (client_end, raw) = MemoryChannel::pair();
    let server = thread::spawn(move || {
        let mut request: [u8; 32] = [0; 32];
        read_full(&raw, &mut request).unwrap();
        write_all(&raw, &u64::MAX.to_be_bytes()).unwrap();
        // The client may already have refused the length and closed its end.
        let _ = write_all(&raw, &[1, 2, 3]);
    });
    let mut buf = [0u8; 4];
    assert!(matches!(
        OracleReader::new(client_end).get_exact(PreimageKey::local(1), &mut buf),
        Err(PreimageOracleError::TooLarge {
            length: u64::MAX,
            ..
        })
    ));
    server.join().unwrap();
}

#[test]
fn client_rejects_unallocatable_lengths() {
    let (client_end, raw) = MemoryChannel::pair();
    let server = thread::spawn(move || {
        let mut request: [u8; 32] = [0; 32];
        read_full(&raw, &mut request).unwrap();
        write_all(&raw, &u64::MAX.to_be_bytes()).unwrap();
    });
    assert_eq!(
        OracleReader::new(client_end).get(PreimageKey::local(1)),
        Err(PreimageOracleError::TooLarge {
            key: PreimageKey::local(1),
            length: u64::MAX,
            max: MAX_PREIMAGE_LEN
        })
    );
    server.join().unwrap();
}

#[test]
fn os_pipes_carry_both_protocols() {
    let (client_oracle, server_oracle) = PipeChannel::pair().unwrap();
    let (client_hint, server_hint) = PipeChannel::pair().unwrap();
    let oracle = thread::spawn(move || OracleServer::new(server_oracle).serve(&store()));
    let hints = thread::spawn(move || HintReader::new(server_hint).serve(&NoopHintRouter));
    let reader = OracleReader::new(ChunkedChannel::new(client_oracle, 32));
    let writer = HintWriter::new(client_hint);
    for (key, preimage) in store() {
        writer.hint(&std::format!("fetch {key}")).unwrap();
        assert_eq!(reader.get(key).unwrap(), preimage);
    }
    // Dropping the client ends closes the pipes; both servers end cleanly.
    drop((reader, writer));
    assert_eq!(oracle.join().unwrap(), Ok(()));
    assert_eq!(hints.join().unwrap(), Ok(()));
}

proptest! {
    #[test]
    fn arbitrary_preimages_round_trip(
        preimage in proptest::collection::vec(any::<u8>(), 0..2048),
        client_chunk in 1usize..64,
        server_chunk in 1usize..64,
    ) {
        let key: PreimageKey = PreimageKey::keccak256_of(&preimage);
        let mut store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::new();
        store.insert(key, preimage.clone());
        let (client_end, server_end) = MemoryChannel::pair();
        let server = thread::spawn(move || {
            OracleServer::new(ChunkedChannel::new(server_end, server_chunk)).serve(&store)
        });
        let reader = OracleReader::new(ChunkedChannel::new(client_end, client_chunk));
        prop_assert_eq!(reader.get(key).unwrap(), preimage);
        drop(reader);
        prop_assert_eq!(server.join().unwrap(), Ok(()));
    }
}

/// A server that answers each request (a 32-byte key) with the next of `responses`, then
/// closes the stream.
fn scripted_server(responses: Vec<Vec<u8>>) -> MemoryChannel {
    let (client_end, server_end) = MemoryChannel::pair();
    thread::spawn(move || {
        for response in responses {
            let mut request: [u8; 32] = [0; 32];
            if read_full(&server_end, &mut request).unwrap_or(0) < 32 {
                return;
            }
            let _ = write_all(&server_end, &response);
        }
    });
    client_end
}

/// A response announcing `length` bytes followed by `body`.
fn response(length: u64, body: &[u8]) -> Vec<u8> {
    [&length.to_be_bytes()[..], body].concat()
}

#[test]
fn announced_lengths_over_the_protocol_limit_are_refused_unread() {
    let key: PreimageKey = PreimageKey::keccak256_of(b"anything");
    let too_long: u64 = MAX_PREIMAGE_LEN + 1;
    for length in [too_long, u64::MAX] {
        let reader = OracleReader::new(scripted_server(vec![response(length, &[1, 2, 3])]));
        assert_eq!(
            reader.get(key),
            Err(PreimageOracleError::TooLarge {
                key,
                length,
                max: MAX_PREIMAGE_LEN
            })
        );
        // `get_exact` with a wrong-sized buffer no longer tries to skip `length` bytes.
        let reader = OracleReader::new(scripted_server(vec![response(length, &[1, 2, 3])]));
        let mut buf: [u8; 32] = [0; 32];
        assert_eq!(
            reader.get_exact(key, &mut buf),
            Err(PreimageOracleError::TooLarge {
                key,
                length,
                max: MAX_PREIMAGE_LEN
            })
        );
    }
    // At the limit the length is accepted and the body read (here: a truncated body).
    let reader = OracleReader::new(scripted_server(vec![response(
        MAX_PREIMAGE_LEN,
        &[1, 2, 3],
    )]));
    assert_eq!(
        reader.get(key),
        Err(PreimageOracleError::UnexpectedEof {
            expected: PREIMAGE_LENGTH_PREFIX as u64 + MAX_PREIMAGE_LEN,
            received: PREIMAGE_LENGTH_PREFIX as u64 + 3
        })
    );
}

#[test]
fn a_length_mismatch_within_the_limit_skips_the_preimage() {
    let key: PreimageKey = PreimageKey::keccak256_of(b"anything");
    let reader = OracleReader::new(scripted_server(vec![
        response(5, b"hello"),
        response(2, b"ok"),
    ]));
    let mut buf: [u8; 2] = [0; 2];
    assert_eq!(
        reader.get_exact(key, &mut buf),
        Err(PreimageOracleError::LengthMismatch {
            key,
            expected: 2,
            actual: 5
        })
    );
    // The stream stayed aligned: the next response reads cleanly.
    reader.get_exact(key, &mut buf).unwrap();
    assert_eq!(&buf, b"ok");
}

#[test]
fn long_hints_arriving_in_pieces_are_read_whole() {
    // Longer than one read chunk and not a multiple of it.
    let hint: String = "l2-code "
        .chars()
        .chain(core::iter::repeat_n('a', 200_001))
        .collect();
    let (client_end, server_end) = MemoryChannel::pair();
    let recorder: std::sync::Arc<Recorder> = std::sync::Arc::default();
    let server_recorder = recorder.clone();
    let server = thread::spawn(move || {
        HintReader::new(ChunkedChannel::new(server_end, 7919)).serve(&server_recorder)
    });
    let writer = HintWriter::new(client_end);
    writer.hint(&hint).unwrap();
    drop(writer);
    assert_eq!(server.join().unwrap(), Ok(()));
    assert_eq!(*recorder.0.lock().unwrap(), vec![hint]);
}
