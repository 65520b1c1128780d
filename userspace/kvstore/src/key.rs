// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Entry keys: bytes, not text.

use std::{borrow::Borrow, fmt, ops::Deref};

/// An entry's key: the spec allows 1 to 255 bytes, any but NUL.
///
/// The `key` attribute is a `string`, NUL-terminated on the wire, but the kernel takes whatever
/// bytes precede the NUL: a key need not be UTF-8, and another client may well have stored one
/// that is not. So a key is bytes here too, and one such key cannot make a whole dump or
/// notification undecodable. [`Key::to_str`] gives the text of a UTF-8 key; `Display` shows a
/// UTF-8 key as it is and escapes each byte of one that is not as `\xNN`.
///
/// Keys order as the kernel orders them: bytewise.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key(Vec<u8>);

impl Key {
    /// A key of these bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Key(bytes.into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The key as text, if it is UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl Deref for Key {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Key {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Lets a map keyed by [`Key`] be searched with a `&[u8]`.
impl Borrow<[u8]> for Key {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Key {
    fn from(bytes: Vec<u8>) -> Self {
        Key(bytes)
    }
}

impl From<&[u8]> for Key {
    fn from(bytes: &[u8]) -> Self {
        Key(bytes.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for Key {
    fn from(bytes: &[u8; N]) -> Self {
        Key(bytes.to_vec())
    }
}

impl From<String> for Key {
    fn from(s: String) -> Self {
        Key(s.into_bytes())
    }
}

impl From<&str> for Key {
    fn from(s: &str) -> Self {
        Key(s.as_bytes().to_vec())
    }
}

impl From<&String> for Key {
    fn from(s: &String) -> Self {
        Key::from(s.as_str())
    }
}

impl From<Key> for Vec<u8> {
    fn from(key: Key) -> Self {
        key.0
    }
}

impl PartialEq<[u8]> for Key {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

impl PartialEq<str> for Key {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for Key {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(\"{}\")", self.0.escape_ascii())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_keys_show_as_text_others_escaped() {
        assert_eq!(Key::from("caf\u{e9}/1").to_string(), "caf\u{e9}/1");
        assert_eq!(Key::from(b"a\xffb\xfe").to_string(), "a\\xffb\\xfe");
        assert_eq!(Key::from(b"\xff").to_str(), None);
        assert_eq!(Key::from("k").to_str(), Some("k"));
        assert_eq!(format!("{:?}", Key::from(b"k\xff")), "Key(\"k\\xff\")");
    }

    #[test]
    fn keys_order_bytewise_and_compare_with_text() {
        let mut keys = vec![Key::from(b"\xff"), Key::from("b"), Key::from("a\u{e9}")];
        keys.sort();
        assert_eq!(
            keys,
            [Key::from("a\u{e9}"), Key::from("b"), Key::from(b"\xff")]
        );
        let key = Key::from("k");
        assert!(key == "k" && key == *"k" && key == *b"k".as_slice());
        assert!(Key::from(b"pre/\xff").starts_with(b"pre/"));
    }
}
