//! Where an in-process run of the program is, for the progress line on a terminal: the phase
//! and the last L2 block executed, read from the program's own `proof` and `proof::driver`
//! events whatever the log filter shows.

use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

use tracing::{Event, Subscriber, field::Field};
use tracing_subscriber::{filter::Targets, layer::Context};

/// The phase: 0 booting, 1 deriving and executing, 2 judged.
static PHASE: AtomicU8 = AtomicU8::new(0);
/// The claimed L2 block number (`u64::MAX`: not known yet).
static TARGET: AtomicU64 = AtomicU64::new(u64::MAX);
/// The first and the last L2 block executed (`u64::MAX`: none yet).
static FIRST: AtomicU64 = AtomicU64::new(u64::MAX);
static LAST: AtomicU64 = AtomicU64::new(u64::MAX);

/// The progress line's text, e.g. `L2 block 47 (2 of 3), deriving and executing`.
pub(crate) fn describe() -> String {
    let phase = match PHASE.load(Ordering::Relaxed) {
        0 => "booting",
        1 => "deriving and executing",
        _ => "judged",
    };
    let target = TARGET.load(Ordering::Relaxed);
    let (first, last) = (FIRST.load(Ordering::Relaxed), LAST.load(Ordering::Relaxed));
    match (last, target) {
        (u64::MAX, u64::MAX) => phase.to_string(),
        (u64::MAX, target) => format!("L2 block ? of claim block {target}, {phase}"),
        (last, target) => {
            let done = last + 1 - first;
            let total = target.saturating_add(1).saturating_sub(first).max(done);
            format!("L2 block {last} ({done} of {total}), {phase}")
        }
    }
}

/// Records the program's progress events.
pub(crate) struct ProgressLayer;

impl ProgressLayer {
    /// The events it reads.
    pub(crate) fn targets() -> Targets {
        Targets::new()
            .with_target("proof", tracing::Level::INFO)
            .with_target("proof::driver", tracing::Level::INFO)
    }
}

#[derive(Default)]
struct Numbers {
    message: String,
    number: Option<u64>,
    claimed_block: Option<u64>,
}

impl tracing::field::Visit for Numbers {
    fn record_u64(&mut self, field: &Field, value: u64) {
        match field.name() {
            "number" => self.number = Some(value),
            "claimed_block" => self.claimed_block = Some(value),
            _ => {}
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_string();
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message = format!("{value:?}");
        }
    }
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for ProgressLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut numbers = Numbers::default();
        event.record(&mut numbers);
        match numbers.message.as_str() {
            "judging claim" => {
                if let Some(target) = numbers.claimed_block {
                    TARGET.store(target, Ordering::Relaxed);
                }
                PHASE.store(1, Ordering::Relaxed);
            }
            "executed block" => {
                if let Some(number) = numbers.number {
                    let _ = FIRST.compare_exchange(
                        u64::MAX,
                        number,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                    LAST.store(number, Ordering::Relaxed);
                }
            }
            "verdict" => PHASE.store(2, Ordering::Relaxed),
            _ => {}
        }
    }
}
