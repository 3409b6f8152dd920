//! The client's one-line report of a single-chain verdict, printed on stdout.
//!
//! A host that runs the client as a child process or on a VM learns the verdict from the exit
//! code alone; this line tells it (and the operator reading the log) what the client computed:
//! the output root, the L2 block it is of, and the L1 block derivation stopped at. It is
//! `key=value` words after a fixed prefix, so its [`FromStr`] reads it back exactly.
//! A host shows it as the client's word and never judges by it: the exit code is the verdict.

use alloc::string::String;
use alloy_primitives::B256;
use core::{fmt, str::FromStr};

use crate::Verdict;

/// The prefix of the report line.
pub const REPORT_PREFIX: &str = "koa-client:";

/// What the single-chain program decided and where it got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientReport {
    /// Whether the claim holds.
    pub valid: bool,
    /// The claimed L2 block number.
    pub claimed_block: u64,
    /// The claimed output root.
    pub claimed_output_root: B256,
    /// The output root the program computed.
    pub computed_output_root: B256,
    /// The L2 block the computed root is of.
    pub l2_block: u64,
    /// That block's L1 origin.
    pub l1_origin: u64,
    /// The L1 block derivation was reading when the program stopped (`None`: nothing derived).
    pub derivation_l1_block: Option<u64>,
    /// Blocks executed.
    pub blocks_executed: u64,
    /// Preimages read from the host.
    pub preimages: u64,
    /// Bytes read from the host.
    pub bytes: u64,
}

impl From<&Verdict> for ClientReport {
    fn from(verdict: &Verdict) -> Self {
        Self {
            valid: verdict.valid,
            claimed_block: verdict.claimed_block_number,
            claimed_output_root: verdict.claimed_output_root,
            computed_output_root: verdict.computed_output_root,
            l2_block: verdict.safe_head.block_info.number,
            l1_origin: verdict.safe_head.l1_origin.number,
            derivation_l1_block: verdict.derivation_l1_block,
            blocks_executed: verdict.driver.blocks_executed,
            preimages: verdict.oracle.preimages,
            bytes: verdict.oracle.bytes,
        }
    }
}

impl fmt::Display for ClientReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{REPORT_PREFIX} verdict={} claimed_block={} claimed_output_root={} \
             computed_output_root={} l2_block={} l1_origin={} derivation_l1_block={} \
             blocks_executed={} preimages={} bytes={}",
            if self.valid { "valid" } else { "invalid" },
            self.claimed_block,
            self.claimed_output_root,
            self.computed_output_root,
            self.l2_block,
            self.l1_origin,
            self.derivation_l1_block
                .map_or_else(|| String::from("none"), |n| alloc::format!("{n}")),
            self.blocks_executed,
            self.preimages,
            self.bytes,
        )
    }
}

/// A line that is not a [`ClientReport`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportParseError {
    /// The line does not start with [`REPORT_PREFIX`].
    #[error("not a koa-client report")]
    NotAReport,
    /// A word is missing, repeated, unknown or not a number or hash.
    #[error("bad report field {0:?}")]
    BadField(String),
}

impl ClientReport {
    /// The last report among `lines` (a client's captured stdout), if any parses.
    pub fn find_last(lines: &str) -> Option<Self> {
        lines.lines().rev().find_map(|line| line.parse().ok())
    }
}

impl FromStr for ClientReport {
    type Err = ReportParseError;

    fn from_str(line: &str) -> Result<Self, Self::Err> {
        let rest = line
            .trim()
            .strip_prefix(REPORT_PREFIX)
            .ok_or(ReportParseError::NotAReport)?;
        let mut fields: [Option<&str>; 10] = [None; 10];
        const KEYS: [&str; 10] = [
            "verdict",
            "claimed_block",
            "claimed_output_root",
            "computed_output_root",
            "l2_block",
            "l1_origin",
            "derivation_l1_block",
            "blocks_executed",
            "preimages",
            "bytes",
        ];
        for word in rest.split_whitespace() {
            let bad = || ReportParseError::BadField(String::from(word));
            let (key, value) = word.split_once('=').ok_or_else(bad)?;
            let index = KEYS.iter().position(|k| *k == key).ok_or_else(bad)?;
            if fields[index].replace(value).is_some() {
                return Err(bad());
            }
        }
        let field = |index: usize| {
            fields[index].ok_or_else(|| ReportParseError::BadField(String::from(KEYS[index])))
        };
        let bad = |index: usize| ReportParseError::BadField(String::from(KEYS[index]));
        let number = |index: usize| field(index)?.parse::<u64>().map_err(|_| bad(index));
        let hash = |index: usize| field(index)?.parse::<B256>().map_err(|_| bad(index));
        Ok(Self {
            valid: match field(0)? {
                "valid" => true,
                "invalid" => false,
                _ => return Err(bad(0)),
            },
            claimed_block: number(1)?,
            claimed_output_root: hash(2)?,
            computed_output_root: hash(3)?,
            l2_block: number(4)?,
            l1_origin: number(5)?,
            derivation_l1_block: match field(6)? {
                "none" => None,
                _ => Some(number(6)?),
            },
            blocks_executed: number(7)?,
            preimages: number(8)?,
            bytes: number(9)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::b256;

    fn report() -> ClientReport {
        ClientReport {
            valid: false,
            claimed_block: 240,
            claimed_output_root: b256!(
                "0x1111111111111111111111111111111111111111111111111111111111111111"
            ),
            computed_output_root: b256!(
                "0x2222222222222222222222222222222222222222222222222222222222222222"
            ),
            l2_block: 239,
            l1_origin: 95,
            derivation_l1_block: Some(97),
            blocks_executed: 11,
            preimages: 13_828,
            bytes: 4_200_000,
        }
    }

    #[test]
    fn a_report_reads_back_as_written() {
        let mut r = report();
        assert_eq!(r.to_string().parse::<ClientReport>(), Ok(r));
        r.derivation_l1_block = None;
        r.valid = true;
        assert_eq!(r.to_string().parse::<ClientReport>(), Ok(r));
    }

    #[test]
    fn the_last_report_among_other_lines_is_found() {
        let mut second = report();
        second.l2_block = 240;
        let out = alloc::format!("{}\nsome log line\n{second}\ntrailing words\n", report());
        assert_eq!(ClientReport::find_last(&out), Some(second));
        assert_eq!(ClientReport::find_last("valid claim\n"), None);
    }

    #[test]
    fn a_damaged_report_is_refused() {
        let line = report().to_string();
        for (from, to) in [
            ("verdict=invalid", "verdict=maybe"),
            ("l2_block=239", "l2_block=-1"),
            ("l2_block=239", "l2_block=239 l2_block=239"),
            ("bytes=4200000", ""),
            ("bytes=4200000", "bytes=4200000 extra=1"),
            ("computed_output_root=0x22", "computed_output_root=0xzz"),
        ] {
            let damaged = line.replacen(from, to, 1);
            assert!(damaged.parse::<ClientReport>().is_err(), "{damaged}");
        }
        assert_eq!(
            "valid claim: block 1".parse::<ClientReport>(),
            Err(ReportParseError::NotAReport)
        );
    }
}
