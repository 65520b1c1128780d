// SPDX-License-Identifier: GPL-2.0

//! Keys for a family's state.

use kernel::prelude::*;

/// A string of at most `N` bytes, held inline: the key of a tree whose items a `string`
/// attribute with `max-len: N` names, so that the item needs no allocation of its own.
///
/// Ordered as its bytes are, a prefix first (`"a" < "ab" < "b"`), as a dump lists them.
///
/// # Invariants
///
/// `len <= N`, and `bytes[len..]` are zero.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct StrKey<const N: usize> {
    // Compared first: zero-padded, so a prefix compares below its extensions but for the
    // length, compared next.
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> StrKey<N> {
    /// `s` as a key; `EINVAL` when it is longer than `N` bytes (a policy's `max-len` refuses
    /// such a string before a handler sees it).
    pub fn new(s: &[u8]) -> Result<Self> {
        let mut bytes = [0; N];
        bytes.get_mut(..s.len()).ok_or(EINVAL)?.copy_from_slice(s);
        // INVARIANT: `s.len() <= N`, checked just above; the rest of `bytes` stays zero.
        Ok(Self {
            bytes,
            len: s.len(),
        })
    }

    /// The string's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

#[kernel::macros::kunit_tests(genlkit_key)]
mod tests {
    use super::*;

    #[test]
    fn str_keys_order_bytewise_a_prefix_first() {
        let k = |s: &[u8]| StrKey::<4>::new(s).unwrap();
        assert!(k(b"") < k(b"a") && k(b"a") < k(b"ab") && k(b"ab") < k(b"b"));
        assert!(k(b"a") < k(b"a\0"));
        assert_eq!(k(b"abcd").as_bytes(), b"abcd");
        assert_eq!(StrKey::<4>::new(b"abcde").err(), Some(EINVAL));
    }
}
