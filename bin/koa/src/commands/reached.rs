//! Where a client got to: the output root it computed, the L2 block that root is of, and the
//! L1 block derivation stopped at — for the summary of `koa host`.
//!
//! In process the verdict says it. A child process or a VM tells the host only its exit code,
//! which stays the verdict; what it computed is read from its output, as the client's word:
//! koa's client prints a [`ClientReport`] line on stdout, kona-client logs "Successfully
//! validated L2 block" / "Failed to validate L2 block" with `number=` and `output_root=`.

use alloy_primitives::B256;
use koa_proof::{Verdict, report::ClientReport};

/// Who says where the client got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ReachedSource {
    /// The verdict of the program run in this process.
    InProcess,
    /// koa-client's report line on its stdout.
    ClientReport,
    /// kona-client's log line.
    KonaLog,
}

/// The block a verdict is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reached {
    pub(crate) output_root: B256,
    pub(crate) l2_block: u64,
    /// The L1 origin of that block (kona's log does not say it).
    pub(crate) l1_origin: Option<u64>,
    /// The L1 block derivation was reading when the client stopped.
    pub(crate) derivation_l1_block: Option<u64>,
    /// The L2 blocks the client derived and executed (kona's log does not say it).
    pub(crate) blocks_executed: Option<u64>,
    /// Who says so.
    pub(crate) source: ReachedSource,
}

impl Reached {
    /// What the in-process program's verdict says.
    pub(crate) fn of_verdict(verdict: &Verdict) -> Self {
        Self {
            output_root: verdict.computed_output_root,
            l2_block: verdict.safe_head.block_info.number,
            l1_origin: Some(verdict.safe_head.l1_origin.number),
            derivation_l1_block: verdict.derivation_l1_block,
            blocks_executed: Some(verdict.driver.blocks_executed),
            source: ReachedSource::InProcess,
        }
    }

    /// What a child's or a VM's output says: koa-client's last report, else kona-client's last
    /// validation line; `None` when neither is there.
    pub(crate) fn from_client_output(stdout: &[u8], stderr: &[u8]) -> Option<Self> {
        let text = |bytes: &[u8]| strip_ansi(&String::from_utf8_lossy(bytes));
        let (stdout, stderr) = (text(stdout), text(stderr));
        let report = ClientReport::find_last(&stdout).or_else(|| ClientReport::find_last(&stderr));
        if let Some(report) = report {
            return Some(Self {
                output_root: report.computed_output_root,
                l2_block: report.l2_block,
                l1_origin: Some(report.l1_origin),
                derivation_l1_block: report.derivation_l1_block,
                blocks_executed: Some(report.blocks_executed),
                source: ReachedSource::ClientReport,
            });
        }
        kona_validation_line(&stdout).or_else(|| kona_validation_line(&stderr))
    }
}

impl Reached {
    /// Whether this agrees with the verdict (the exit code): a claim is valid exactly when the
    /// computed root is the claimed one. A report that contradicts the exit code is a broken
    /// client's, so it is dropped (with a warning) rather than shown beside the verdict.
    pub(crate) fn agrees_with(&self, verdict: &Result<bool, String>, claimed: B256) -> bool {
        let Ok(valid) = verdict else { return true };
        let agrees = (self.output_root == claimed) == *valid;
        if !agrees {
            tracing::warn!(
                target: "koa::host",
                computed = %self.output_root,
                %claimed,
                valid,
                source = ?self.source,
                "the client's reported output root contradicts its exit code: not shown"
            );
        }
        agrees
    }
}

/// kona-client's last "… validate(d) L2 block" record, as `number=N output_root=0x…`.
///
/// On a terminal kona logs with tracing-subscriber, a line per record; its FPVM subscriber
/// (also what the native kona-client uses) writes `[INFO] client: message k=v, k=v` records
/// with no newline between them. So the record is what follows the last such message, up to
/// the end of the line or the next record's `[`.
fn kona_validation_line(text: &str) -> Option<Reached> {
    let (at, phrase) = ["validated L2 block", "validate L2 block"]
        .into_iter()
        .filter_map(|phrase| Some((text.rfind(phrase)?, phrase)))
        .max_by_key(|(at, _)| *at)?;
    let rest = &text[at + phrase.len()..];
    let record = &rest[..rest.find(['\n', '[']).unwrap_or(rest.len())];
    let field = |name: &str| {
        record
            .split(|c: char| c.is_whitespace() || c == ',')
            .find_map(|word| word.strip_prefix(name)?.strip_prefix('='))
            .map(|value| value.trim_matches('"'))
    };
    Some(Reached {
        output_root: field("output_root")?.parse().ok()?,
        l2_block: field("number")?.parse().ok()?,
        l1_origin: None,
        derivation_l1_block: None,
        blocks_executed: None,
        source: ReachedSource::KonaLog,
    })
}

/// `text` without ANSI escape sequences (`ESC [ … letter`): a log written for a terminal.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            if chars.next() == Some('[') {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    const ROOT: B256 = b256!("0x6a9f4bb2c1e0de8a5b0e3b8f8d8d0d58a1f8b7d0e5c3c1b0a9f8e7d6c5b4a392");

    #[test]
    fn koa_clients_report_is_read_from_stdout() {
        let report = ClientReport {
            valid: true,
            claimed_block: 240,
            claimed_output_root: ROOT,
            computed_output_root: ROOT,
            l2_block: 240,
            l1_origin: 95,
            derivation_l1_block: Some(98),
            blocks_executed: 12,
            preimages: 100,
            bytes: 1000,
        };
        let stdout = format!("noise\n{report}\n");
        let reached = Reached::from_client_output(stdout.as_bytes(), b"").expect("a report");
        assert_eq!(
            reached,
            Reached {
                output_root: ROOT,
                l2_block: 240,
                l1_origin: Some(95),
                derivation_l1_block: Some(98),
                blocks_executed: Some(12),
                source: ReachedSource::ClientReport,
            }
        );
    }

    #[test]
    fn kona_clients_log_line_is_read_through_its_colours() {
        // tracing-subscriber's terminal format: field names italic, `=` dimmed.
        let line = format!(
            "2026-01-01T00:00:00Z \u{1b}[32m INFO\u{1b}[0m \u{1b}[2mclient\u{1b}[0m: Successfully \
             validated L2 block \u{1b}[3mnumber\u{1b}[0m\u{1b}[2m=\u{1b}[0m240 \
             \u{1b}[3moutput_root\u{1b}[0m\u{1b}[2m=\u{1b}[0m{ROOT}\n"
        );
        let reached = Reached::from_client_output(b"", line.as_bytes()).expect("kona's line");
        assert_eq!((reached.output_root, reached.l2_block), (ROOT, 240));
        assert_eq!(reached.source, ReachedSource::KonaLog);
        assert_eq!(reached.l1_origin, None);
    }

    #[test]
    fn kona_clients_fpvm_records_are_read_without_newlines() {
        // kona-std-fpvm's subscriber: `[LEVEL] target: message k=v, k=v`, records run together.
        let log = format!(
            "[INFO] block_builder: Computed output root parent_block_number=300, \
             output_root={ROOT}[INFO] client: Derivation complete, reached L2 safe head.[INFO] \
             client: Successfully validated L2 block number=300, output_root={ROOT}"
        );
        let reached = Reached::from_client_output(log.as_bytes(), b"").expect("kona's record");
        assert_eq!((reached.output_root, reached.l2_block), (ROOT, 300));
        let failed = format!(
            "[ERROR] client: Failed to validate L2 block number=299, output_root={ROOT}, \
             claimed_output_root=0x{}[INFO] other: number=7",
            "ab".repeat(32)
        );
        let reached = Reached::from_client_output(failed.as_bytes(), b"").expect("kona's record");
        assert_eq!((reached.output_root, reached.l2_block), (ROOT, 299));
    }

    #[test]
    fn output_without_a_report_reaches_nothing() {
        assert_eq!(
            Reached::from_client_output(b"valid\n", b"INFO number=3 output_root=0x12\n"),
            None
        );
        let truncated = format!("Failed to validate L2 block number=240 output_root={ROOT}");
        let truncated = &truncated[..truncated.len() - 4];
        assert_eq!(Reached::from_client_output(b"", truncated.as_bytes()), None);
    }
}
