//! The runner's fd plumbing, exercised natively with `/bin/sh` as the program (no qemu needed).

use koa_host::{ClientRunner, RunError, RunOutcome, Vm};
use koa_preimage::{FetchError, HintRouter, NoopHintRouter, PreimageKey, ServerError};
use std::{collections::BTreeMap, sync::Mutex, time::Duration};

/// Runs `script` under `/bin/sh -c` against `store`.
fn run_script(
    script: &str,
    store: &BTreeMap<PreimageKey, Vec<u8>>,
    router: &(impl HintRouter + Sync),
) -> RunOutcome {
    ClientRunner::new(Vm::Native, "/bin/sh")
        .args(["-c", script])
        .timeout(Duration::from_secs(60))
        .run(store, router)
        .expect("run /bin/sh")
}

/// `printf` escapes for a key, for use in a shell script.
fn printf_escaped(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:03o}")).collect()
}

#[derive(Default)]
struct Recorder(Mutex<Vec<String>>);

impl HintRouter for Recorder {
    fn route_hint(&self, hint: &str) -> Result<(), FetchError> {
        self.0.lock().unwrap().push(hint.into());
        Ok(())
    }
}

#[test]
fn child_fds_3_to_6_reach_the_servers() {
    let key: PreimageKey = PreimageKey::local(1);
    let store: BTreeMap<PreimageKey, Vec<u8>> = BTreeMap::from([(key, b"abc".to_vec())]);
    // Hint "hi" on fd 4, ack on fd 3; key on fd 6, `8-byte length ++ "abc"` on fd 5.
    let script: String = format!(
        "printf '\\000\\000\\000\\002hi' >&4 && \
         [ \"$(head -c 1 <&3 | od -An -tx1 | tr -d ' \\n')\" = 00 ] && \
         printf '{}' >&6 && \
         [ \"$(head -c 11 <&5 | od -An -tx1 | tr -d ' \\n')\" = 0000000000000003616263 ] && \
         echo ok",
        printf_escaped(key.as_bytes())
    );
    let router: Recorder = Recorder::default();
    let outcome: RunOutcome = run_script(&script, &store, &router);
    assert!(outcome.succeeded(), "{}", outcome.summary());
    assert_eq!(outcome.stdout, b"ok\n");
    assert_eq!(*router.0.lock().unwrap(), vec![String::from("hi")]);
}

#[test]
fn servers_end_cleanly_when_the_child_exits_without_traffic() {
    let outcome: RunOutcome = run_script("exit 7", &BTreeMap::new(), &NoopHintRouter);
    assert_eq!(outcome.exit_code(), Some(7));
    assert_eq!(outcome.oracle, Ok(()));
    assert_eq!(outcome.hints, Ok(()));
}

#[test]
fn malformed_traffic_is_a_typed_error_not_a_hang() {
    // Half a key, then exit: the oracle server reports truncation.
    let outcome: RunOutcome = run_script(
        "printf '\\002\\002\\002' >&6; exit 0",
        &BTreeMap::new(),
        &NoopHintRouter,
    );
    assert_eq!(
        outcome.oracle,
        Err(ServerError::Truncated {
            expected: 32,
            received: 3
        })
    );
    assert!(!outcome.succeeded());

    // An unknown key type while the child waits for the answer: the server stops, the child's
    // read sees end-of-stream, and everything finishes.
    let script: String = format!(
        "printf '{}' >&6; n=$(head -c 8 <&5 | wc -c); [ \"$n\" -eq 0 ] && exit 3",
        printf_escaped(&[0u8; 32])
    );
    let outcome: RunOutcome = run_script(&script, &BTreeMap::new(), &NoopHintRouter);
    assert_eq!(outcome.exit_code(), Some(3), "{}", outcome.summary());
    assert!(matches!(outcome.oracle, Err(ServerError::InvalidKey(_))));

    // A hint whose length prefix promises more than is sent.
    let outcome: RunOutcome = run_script(
        "printf '\\000\\000\\000\\011abc' >&4; exit 0",
        &BTreeMap::new(),
        &NoopHintRouter,
    );
    assert_eq!(
        outcome.hints,
        Err(ServerError::Truncated {
            expected: 13,
            received: 7
        })
    );
}

#[test]
fn a_hung_program_is_killed_at_the_timeout() {
    let result: Result<RunOutcome, RunError> = ClientRunner::new(Vm::Native, "/bin/sh")
        .args(["-c", "exec sleep 60"])
        .timeout(Duration::from_millis(200))
        .run(&BTreeMap::<PreimageKey, Vec<u8>>::new(), &NoopHintRouter);
    assert!(matches!(result, Err(RunError::Timeout(_))), "{result:?}");
}

#[test]
fn a_missing_emulator_is_a_spawn_error() {
    let result: Result<RunOutcome, RunError> = ClientRunner::new(Vm::Riscv64, "/nonexistent.elf")
        .emulator("/nonexistent/qemu-riscv64")
        .run(&BTreeMap::<PreimageKey, Vec<u8>>::new(), &NoopHintRouter);
    assert!(matches!(result, Err(RunError::Spawn { .. })), "{result:?}");
}

#[test]
fn captured_output_keeps_only_the_last_bytes() {
    use koa_host::MAX_CAPTURED_OUTPUT;
    // 3 MiB of `a`, then a last line on each stream: the tail is kept, the rest counted.
    let total: usize = 3 << 20;
    let script: String = format!(
        "head -c {total} /dev/zero | tr '\\000' a; echo END; \
         head -c {total} /dev/zero | tr '\\000' b >&2; echo ERR >&2"
    );
    let outcome: RunOutcome = run_script(&script, &BTreeMap::new(), &NoopHintRouter);
    assert!(outcome.succeeded(), "{}", outcome.summary());
    assert_eq!(outcome.stdout.len(), MAX_CAPTURED_OUTPUT);
    assert!(outcome.stdout.ends_with(b"aaaEND\n"));
    assert_eq!(
        outcome.stdout_dropped,
        (total + 4 - MAX_CAPTURED_OUTPUT) as u64
    );
    assert_eq!(outcome.stderr.len(), MAX_CAPTURED_OUTPUT);
    assert!(outcome.stderr.ends_with(b"bbbERR\n"));
    assert_eq!(
        outcome.stderr_dropped,
        (total + 4 - MAX_CAPTURED_OUTPUT) as u64
    );
}
