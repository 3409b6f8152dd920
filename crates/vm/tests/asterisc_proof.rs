//! Asterisc step proofs: the witness and memory proofs koa's machine produces at a step are
//! replayed by an independent verifier written from `RISCV.sol`'s `step` (tests/asterisc/
//! verifier.rs), which must reach the machine's post-state from the witness alone — for every
//! instruction group, system calls, a preimage key write and a preimage read.

#[path = "asterisc/common.rs"]
mod common;
#[path = "asterisc/verifier.rs"]
mod verifier;

use common::*;
use koa_vm::{
    FaultProofVm,
    asterisc::{Machine, StepError},
    memory::MEMORY_PROOF_LEN,
};

const DATA: u64 = 0x2_0000;

/// Steps `m` once with a proof, replays the witness in the verifier and checks that both reach
/// the same post-state; returns the number of memory proofs used.
fn prove_and_verify(m: &mut Machine, oracle: &mut TestOracle) -> usize {
    let pre_hash = m.state_hash();
    let witness = m.step_proof(oracle).expect("step with proof");
    assert_eq!(
        witness.state_hash, pre_hash,
        "witness hash is the pre-state hash"
    );
    assert_eq!(verifier::state_hash(&witness.state), pre_hash);
    assert_eq!(witness.proof.len() % MEMORY_PROOF_LEN, 0);
    let mut preimages = verifier::Preimages::new();
    if let Some(p) = &witness.preimage {
        // The witness carries the length-prefixed value; the oracle contract stores the raw one.
        let len = u64::from_be_bytes(p.value[..8].try_into().unwrap());
        assert_eq!(len as usize, p.value.len() - 8);
        assert_eq!(
            oracle.preimages.get(&p.key).map(Vec::as_slice),
            Some(&p.value[8..])
        );
        preimages.insert(p.key, p.value[8..].to_vec());
    }
    let post = verifier::step(&witness.state, &witness.proof, &preimages)
        .unwrap_or_else(|revert| panic!("verifier reverted {:#x}", revert.0));
    assert_eq!(
        post,
        m.encode_state(),
        "verifier post-state == machine post-state"
    );
    assert_eq!(verifier::state_hash(&post), m.state_hash());
    // A corrupted proof is rejected.
    if !witness.proof.is_empty() {
        let mut bad = witness.proof.clone();
        bad[40] ^= 1;
        assert!(verifier::step(&witness.state, &bad, &preimages).is_err());
    }
    witness.proof.len() / MEMORY_PROOF_LEN
}

fn one(instr: u32, regs: &[(u32, u64)]) -> usize {
    let mut m = machine(&[instr], regs);
    m.state.memory.write(DATA, &(0u8..64).collect::<Vec<u8>>());
    prove_and_verify(&mut m, &mut TestOracle::default())
}

#[test]
fn proofs_integer_groups() {
    let regs = [(A1, 0x8000_0000_0000_0005_u64), (A2, 0xffff_ffff_0000_0003)];
    for instr in [
        i(0x13, A0, 0, A1, -5),
        i(0x13, A0, 5, A1, 0x400 | 7),
        i(0x1b, A0, 5, A1, 0x400 | 3),
        r(0x33, A0, 0, A1, A2, 0x20),
        r(0x33, A0, 5, A1, A2, 0x20),
        r(0x3b, A0, 1, A1, A2, 0),
        u(0x37, A0, 0xfedcb),
        u(0x17, A0, 0x7),
        // M
        r(0x33, A0, 1, A1, A2, 1),
        r(0x33, A0, 2, A1, A2, 1),
        r(0x33, A0, 4, A1, A2, 1),
        r(0x33, A0, 7, A1, A2, 1),
        r(0x3b, A0, 4, A1, A2, 1),
        r(0x3b, A0, 6, A1, A2, 1),
    ] {
        assert_eq!(
            one(instr, &regs),
            1,
            "{instr:#x}: only the instruction's leaf"
        );
    }
}

#[test]
fn proofs_control_flow_and_system() {
    for (instr, regs) in [
        (b(1, A1, A2, -8), vec![(A1, 1), (A2, 2)]),
        (b(7, A1, A2, 64), vec![(A1, 1), (A2, 2)]),
        (jal(RA, 0x400), vec![]),
        (i(0x67, RA, 0, A1, 8), vec![(A1, 0x4_0000)]),
        (0xf140_2573, vec![(A0, 3)]), // csrrs
        (0x0ff0_000f, vec![]),        // fence
        (0x0010_0073, vec![]),        // ebreak
    ] {
        assert_eq!(one(instr, &regs), 1);
    }
}

#[test]
fn proofs_loads_stores() {
    // Aligned loads need one data proof, straddling ones two.
    assert_eq!(one(i(0x03, A0, 3, A1, 8), &[(A1, DATA)]), 2);
    assert_eq!(one(i(0x03, A0, 2, A1, 30), &[(A1, DATA)]), 3);
    assert_eq!(one(i(0x03, A0, 1, A1, -1), &[(A1, DATA)]), 3); // straddles below DATA
    // Stores: the right leaf's proof is taken after the left leaf is written.
    assert_eq!(one(s(3, A1, A2, 0), &[(A1, DATA + 8), (A2, u64::MAX)]), 2);
    assert_eq!(
        one(
            s(3, A1, A2, 0),
            &[(A1, DATA + 28), (A2, 0x0102_0304_0506_0708)]
        ),
        3
    );
    assert_eq!(one(s(1, A1, A2, 63), &[(A1, DATA), (A2, 0xabcd)]), 3);
    // A store into a page that does not exist yet.
    assert_eq!(one(s(2, A1, A2, 0), &[(A1, 0x9_0000_0000), (A2, 7)]), 2);
}

#[test]
fn proofs_atomics() {
    let regs = [(A1, DATA + 8), (A2, 0x42)];
    for instr in [
        amo(0x00, false, A0, A1, A2),
        amo(0x10, true, A0, A1, A2),
        amo(0x1c, true, A0, A1, A2),
        amo(0x02, false, A0, A1, 0),
    ] {
        assert_eq!(one(instr, &regs), 2);
    }
    // lr then a successful sc, each proven.
    let mut m = machine(
        &[amo(0x02, true, A0, A1, 0), amo(0x03, true, A3, A1, A2)],
        &regs,
    );
    let mut oracle = TestOracle::default();
    assert_eq!(prove_and_verify(&mut m, &mut oracle), 2);
    assert_eq!(prove_and_verify(&mut m, &mut oracle), 2);
    assert_eq!(m.state.registers[A3 as usize], 0);
    // sc without a reservation reads no memory.
    assert_eq!(one(amo(0x03, false, A3, A1, A2), &regs), 1);
}

#[test]
fn proofs_syscalls() {
    // mmap, brk, exit, clock_gettime (a straddling 16-byte store), getrlimit, write to stdout,
    // a hint write.
    let cases: Vec<(Vec<(u32, u64)>, usize)> = vec![
        (
            vec![(A7, 222), (A0, 0), (A1, 100), (A3, 0x22), (A4, u64::MAX)],
            1,
        ),
        (vec![(A7, 214)], 1),
        (vec![(A7, 93), (A0, 1)], 1),
        (vec![(A7, 113), (A1, DATA + 20)], 3),
        (vec![(A7, 163), (A0, 7), (A1, DATA + 32)], 2),
        (vec![(A7, 64), (A0, 1), (A1, DATA), (A2, 10)], 1),
        (vec![(A7, 64), (A0, 4), (A1, DATA), (A2, 10)], 1),
        (vec![(A7, 25), (A0, 4), (A1, 3)], 1),
        (vec![(A7, 124)], 1),
    ];
    for (regs, proofs) in cases {
        assert_eq!(one(ECALL, &regs), proofs, "{regs:?}");
    }
}

#[test]
fn proofs_preimage_key_and_read() {
    let data: Vec<u8> = (0..70u8).map(|b| b.wrapping_mul(7)).collect();
    let (mut oracle, key) = TestOracle::with_keccak(&data);
    // write(6, key, 32), then read(5, buf, n) until the preimage is consumed, each step proven.
    let mut m = machine(
        &[ECALL; 16],
        &[(A7, 64), (A0, 6), (A1, DATA + 0x100), (A2, 32)],
    );
    m.state.memory.write(DATA + 0x100, key.as_slice());
    assert_eq!(prove_and_verify(&mut m, &mut oracle), 2);
    assert_eq!(m.state.preimage_key, key.0);
    let mut buf = DATA + 0x203; // unaligned: the first read gets 29 bytes
    let mut total = 0;
    while total < 78 {
        m.state.registers[A7 as usize] = 63;
        m.state.registers[A0 as usize] = 5;
        m.state.registers[A1 as usize] = buf;
        m.state.registers[A2 as usize] = 64;
        let proofs = {
            let pre_offset = m.state.preimage_offset;
            let n = prove_and_verify(&mut m, &mut oracle);
            let read = m.state.registers[A0 as usize];
            assert_eq!(m.state.preimage_offset, pre_offset + read);
            total += read;
            buf += read;
            n
        };
        assert_eq!(proofs, 2);
    }
    assert_eq!(total, 78);
    let mut back = vec![0u8; 78];
    m.state.memory.read(DATA + 0x203, &mut back);
    assert_eq!(&back[..8], &70u64.to_be_bytes());
    assert_eq!(&back[8..], &data[..]);
    // The witness of a read names the preimage and offset.
    m.state.preimage_offset = 40;
    m.state.registers[A7 as usize] = 63;
    m.state.registers[A0 as usize] = 5;
    let witness = m.step_proof(&mut oracle).unwrap();
    let p = witness.preimage.expect("preimage witness");
    assert_eq!((p.key, p.offset), (key, 40));
}

#[test]
fn proof_at_a_step_of_a_loop() {
    // t0 = 10; loop: sd t0, 0(a1); addi a1, a1, 13; addi t0, t0, -1; bne t0, zero, loop; exit(t0)
    let code = [
        i(0x13, T0, 0, ZERO, 10),
        s(3, A1, T0, 0),
        i(0x13, A1, 0, A1, 13),
        i(0x13, T0, 0, T0, -1),
        b(1, T0, ZERO, -12),
        i(0x13, A7, 0, ZERO, 93),
        i(0x13, A0, 0, T0, 0),
        ECALL,
    ];
    let mut oracle = TestOracle::default();
    let mut reference = machine(&code, &[(A1, DATA)]);
    let steps = reference.run(&mut oracle, 1000).unwrap();
    assert_eq!(steps, 1 + 4 * 10 + 3);
    assert!(reference.exited());
    assert_eq!(reference.exit_code(), 0);
    // At every step, the proof from a fresh run replays to the fast run's state.
    for at in 0..=steps {
        let mut m = machine(&code, &[(A1, DATA)]);
        m.run(&mut oracle, at).unwrap();
        prove_and_verify(&mut m, &mut oracle);
    }
    // Past the exit the step changes nothing and its proof still verifies.
    let before = reference.state_hash();
    prove_and_verify(&mut reference, &mut oracle);
    assert_eq!(reference.state_hash(), before);
}

#[test]
fn failing_step_has_no_proof() {
    let mut m = machine(&[0x0000_0043], &[]);
    let err = m.step_proof(&mut TestOracle::default()).unwrap_err();
    assert!(matches!(err, StepError::UnknownOpcode { .. }));
    let state = m.encode_state();
    // The verifier agrees that the contract reverts, with the same code.
    let proof = m.state.memory.merkle_proof(BASE);
    let revert = verifier::step(&state, &proof, &verifier::Preimages::new()).unwrap_err();
    assert_eq!(Some(revert.0), err.revert_code());
}
