//! Printing an error with its causes.
//!
//! koa's error types follow one rule: a cause is kept typed as the error's
//! [`source`](core::error::Error::source) and is *not* repeated in the error's own message.
//! Whoever prints an error for a person prints the whole chain once, with [`ErrorChain`].

use core::{error::Error, fmt};

/// Displays an error followed by each of its causes: `outer: cause: root cause`.
#[derive(Clone, Copy)]
pub struct ErrorChain<'a>(pub &'a (dyn Error + 'static));

impl fmt::Display for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl fmt::Debug for ErrorChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;

    use super::ErrorChain;
    use crate::config::RollupConfigLoadError;

    #[test]
    fn prints_every_cause_once() {
        let err = crate::RollupConfig::from_json("{").unwrap_err();
        let chain = ErrorChain(&err).to_string();
        assert!(matches!(err, RollupConfigLoadError::Json(_)), "{err:?}");
        // The outer message, then serde_json's, each exactly once.
        assert!(chain.starts_with("invalid rollup config JSON: "), "{chain}");
        assert_eq!(chain.matches("EOF").count(), 1, "{chain}");
    }
}
