//! A bounds-checked reader over a byte slice.

use super::SpanBatchError;

/// Reads fixed-size fields from a byte slice; every read is checked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    remaining: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub(crate) const fn new(input: &'a [u8]) -> Self {
        Self { remaining: input }
    }

    /// Bytes not yet read.
    pub(crate) const fn remaining(&self) -> &'a [u8] {
        self.remaining
    }

    /// Number of bytes not yet read.
    pub(crate) const fn len(&self) -> usize {
        self.remaining.len()
    }

    pub(crate) fn read_byte(&mut self, field: &'static str) -> Result<u8, SpanBatchError> {
        let (&byte, rest) = self
            .remaining
            .split_first()
            .ok_or(SpanBatchError::UnexpectedEnd(field))?;
        self.remaining = rest;
        Ok(byte)
    }

    pub(crate) fn read_slice(
        &mut self,
        len: usize,
        field: &'static str,
    ) -> Result<&'a [u8], SpanBatchError> {
        if len > self.remaining.len() {
            return Err(SpanBatchError::UnexpectedEnd(field));
        }
        let (head, rest) = self.remaining.split_at(len);
        self.remaining = rest;
        Ok(head)
    }

    pub(crate) fn read_array<const N: usize>(
        &mut self,
        field: &'static str,
    ) -> Result<&'a [u8; N], SpanBatchError> {
        let (head, rest) = self
            .remaining
            .split_first_chunk::<N>()
            .ok_or(SpanBatchError::UnexpectedEnd(field))?;
        self.remaining = rest;
        Ok(head)
    }

    /// Advances past `len` bytes that were inspected through [`Self::remaining`].
    pub(crate) fn skip(&mut self, len: usize, field: &'static str) -> Result<(), SpanBatchError> {
        self.read_slice(len, field).map(|_| ())
    }
}
