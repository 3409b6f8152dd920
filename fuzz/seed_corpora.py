#!/usr/bin/env python3
"""Seeds fuzz/corpus/<target>/ from the real chain data in testdata/.

Each seed is shaped as its target reads its input (selector bytes included), so the fuzzers
start from a real batcher transaction, channel, span batch, blob, L1 info deposit, header
extraData and L2 transactions instead of from nothing. Needs python3 and the zstd CLI.
Usage: python3 fuzz/seed_corpora.py  (from anywhere; existing seeds are overwritten)
"""

import hashlib
import json
import pathlib
import subprocess
import zlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
TESTDATA = ROOT / "testdata"
CORPUS = ROOT / "fuzz" / "corpus"


def unzstd(path):
    return subprocess.run(["zstd", "-dc", str(path)], check=True, capture_output=True).stdout


def seed(target, data):
    directory = CORPUS / target
    directory.mkdir(parents=True, exist_ok=True)
    (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)


def rlp_item(data, offset=0):
    """Returns (payload, is_list, end) of the RLP item at offset."""
    prefix = data[offset]
    if prefix < 0x80:
        return data[offset : offset + 1], False, offset + 1
    if prefix < 0xB8:
        length = prefix - 0x80
        return data[offset + 1 : offset + 1 + length], False, offset + 1 + length
    if prefix < 0xC0:
        size = prefix - 0xB7
        length = int.from_bytes(data[offset + 1 : offset + 1 + size], "big")
        start = offset + 1 + size
        return data[start : start + length], False, start + length
    if prefix < 0xF8:
        length = prefix - 0xC0
        return data[offset + 1 : offset + 1 + length], True, offset + 1 + length
    size = prefix - 0xF7
    length = int.from_bytes(data[offset + 1 : offset + 1 + size], "big")
    start = offset + 1 + size
    return data[start : start + length], True, start + length


def rlp_list(payload):
    items, offset = [], 0
    while offset < len(payload):
        item, _, offset = rlp_item(payload, offset)
        items.append(item)
    return items


def main():
    derivation = TESTDATA / "derivation"
    batcher_tx = (derivation / "op-mainnet-batcher-tx.bin").read_bytes()
    channel = bytes.fromhex(unzstd(derivation / "channel-zlib.hex.zst").decode().strip())
    span_batch = (derivation / "span-batch.bin").read_bytes()

    # A type-2 transaction: 0x02 ‖ rlp([chain_id, nonce, tip, fee, gas, to, value, data, ...]).
    payload, _, _ = rlp_item(batcher_tx, 1)
    calldata = rlp_list(payload)[7]
    frames = calldata[1:]  # after the derivation version byte

    seed("frame_parser", frames)
    seed("channel_reader", channel)
    seed("batch_decoder", span_batch)
    seed("batch_decoder", bytes([1]) + span_batch)
    seed("channel_stages", calldata)
    # The batch queue reads decompressed channel data: a stream of RLP batches.
    batches = zlib.decompress(channel)[:64 * 1024]
    seed("batch_queue", bytes([0]) + batches)
    seed("batch_queue", bytes([1]) + batches)
    for selector in range(8):
        seed("batcher_tx_filter", bytes([selector]) + batcher_tx)
    seed("executor_tx", batcher_tx)

    sidecars = json.loads(unzstd(TESTDATA / "blobs" / "goerli-beacon-blob-sidecars.json.zst"))
    for sidecar in sidecars["data"]:
        blob = bytes.fromhex(sidecar["blob"].removeprefix("0x"))
        seed("blob_decode", bytes([0]) + blob)

    for fixture in sorted((TESTDATA / "execution").glob("*/fixture.json")):
        block = json.loads(fixture.read_text())
        txs = [bytes.fromhex(tx.removeprefix("0x")) for tx in block["payload_attributes"]["transactions"]]
        for tx in txs:
            seed("executor_tx", tx)
        # The first transaction is the L1 info deposit: 0x7e ‖ rlp([source, from, to, mint,
        # value, gas, is_system, data]).
        deposit, _, _ = rlp_item(txs[0], 1)
        seed("l1_info", bytes([0xFF]) + rlp_list(deposit)[7])
        extra = bytes.fromhex(block["parent_header"]["extraData"].removeprefix("0x"))
        seed("extra_data", bytes([1 if len(extra) == 9 else 2 if len(extra) == 17 else 0]) + extra)

    for target in sorted(p.name for p in CORPUS.iterdir()):
        print(f"{target}: {len(list((CORPUS / target).iterdir()))} seeds")


if __name__ == "__main__":
    main()
