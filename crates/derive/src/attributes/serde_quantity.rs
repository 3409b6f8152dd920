//! `u64` as an engine API quantity: a `0x`-prefixed hex string without leading zeros.

use alloc::{format, string::String};
use serde::{Deserialize, Deserializer, Serializer, de::Error};

/// Serializes a quantity.
pub(crate) fn serialize<S: Serializer>(value: &u64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{value:#x}"))
}

/// Deserializes a quantity.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    let text = String::deserialize(deserializer)?;
    let digits = text
        .strip_prefix("0x")
        .ok_or_else(|| D::Error::custom("quantity without 0x"))?;
    u64::from_str_radix(digits, 16).map_err(D::Error::custom)
}

/// Optional quantities.
pub(crate) mod opt {
    use super::*;

    /// Serializes an optional quantity (only called for `Some`).
    pub(crate) fn serialize<S: Serializer>(
        value: &Option<u64>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Deserializes an optional quantity.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u64>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| {
            let digits = text
                .strip_prefix("0x")
                .ok_or_else(|| D::Error::custom("quantity without 0x"))?;
            u64::from_str_radix(digits, 16).map_err(D::Error::custom)
        })
        .transpose()
    }
}
