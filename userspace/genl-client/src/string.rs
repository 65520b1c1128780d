// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Netlink strings: bytes, not text.

use std::{borrow::Borrow, fmt, ops::Deref};

/// The value of a `string` attribute: bytes without a NUL.
///
/// A `string` is NUL-terminated on the wire, but the kernel (`NLA_STRING`, `NLA_NUL_STRING`)
/// takes whatever bytes precede the NUL: the value need not be UTF-8, and another client may
/// well have sent one that is not. So it is bytes here too, and one such value cannot make a
/// whole dump or notification undecodable. [`NlString::to_str`] gives the text of a UTF-8
/// value; `Display` shows a UTF-8 value as it is and escapes each byte of one that is not as
/// `\xNN`; `Debug` quotes it as a `str` would be. Values order bytewise, as the kernel's
/// `memcmp` does.
///
/// Serialized (serde) as a string when it is UTF-8, else as its bytes.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NlString(Vec<u8>);

impl NlString {
    /// A string of these bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        NlString(bytes.into())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The value as text, if it is UTF-8.
    pub fn to_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }
}

impl Deref for NlString {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for NlString {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Lets a map keyed by [`NlString`] be searched with a `&[u8]`.
impl Borrow<[u8]> for NlString {
    fn borrow(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for NlString {
    fn from(bytes: Vec<u8>) -> Self {
        NlString(bytes)
    }
}

impl From<&[u8]> for NlString {
    fn from(bytes: &[u8]) -> Self {
        NlString(bytes.to_vec())
    }
}

impl<const N: usize> From<&[u8; N]> for NlString {
    fn from(bytes: &[u8; N]) -> Self {
        NlString(bytes.to_vec())
    }
}

impl From<String> for NlString {
    fn from(s: String) -> Self {
        NlString(s.into_bytes())
    }
}

impl From<&str> for NlString {
    fn from(s: &str) -> Self {
        NlString(s.as_bytes().to_vec())
    }
}

impl From<&String> for NlString {
    fn from(s: &String) -> Self {
        NlString::from(s.as_str())
    }
}

impl From<NlString> for Vec<u8> {
    fn from(s: NlString) -> Self {
        s.0
    }
}

impl PartialEq<[u8]> for NlString {
    fn eq(&self, other: &[u8]) -> bool {
        self.0 == other
    }
}

impl PartialEq<str> for NlString {
    fn eq(&self, other: &str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl PartialEq<&str> for NlString {
    fn eq(&self, other: &&str) -> bool {
        self.0 == other.as_bytes()
    }
}

impl fmt::Display for NlString {
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

impl fmt::Debug for NlString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"")?;
        for chunk in self.0.utf8_chunks() {
            write!(f, "{}", chunk.valid().escape_debug())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        f.write_str("\"")
    }
}

impl serde::Serialize for NlString {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.to_str() {
            Some(text) => s.serialize_str(text),
            None => s.collect_seq(&self.0),
        }
    }
}

impl<'de> serde::Deserialize<'de> for NlString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NlString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, or its bytes")
            }
            fn visit_str<E>(self, v: &str) -> Result<NlString, E> {
                Ok(v.into())
            }
            fn visit_bytes<E>(self, v: &[u8]) -> Result<NlString, E> {
                Ok(v.into())
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<NlString, A::Error> {
                let mut out = Vec::new();
                while let Some(b) = seq.next_element::<u8>()? {
                    out.push(b);
                }
                Ok(out.into())
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_shows_as_text_the_rest_escaped() {
        assert_eq!(NlString::from("caf\u{e9}/1").to_string(), "caf\u{e9}/1");
        assert_eq!(NlString::from(b"a\xffb\xfe").to_string(), "a\\xffb\\xfe");
        assert_eq!(NlString::from(b"\xff").to_str(), None);
        assert_eq!(NlString::from("k").to_str(), Some("k"));
        assert_eq!(
            format!("{:?}", NlString::from(b"k\"\xff")),
            "\"k\\\"\\xff\""
        );
    }

    #[test]
    fn order_is_bytewise_and_text_compares() {
        let mut v = vec![
            NlString::from(b"\xff"),
            NlString::from("b"),
            NlString::from("a\u{e9}"),
        ];
        v.sort();
        assert_eq!(
            v,
            [
                NlString::from("a\u{e9}"),
                NlString::from("b"),
                NlString::from(b"\xff")
            ]
        );
        let s = NlString::from("k");
        assert!(s == "k" && s == *"k" && s == *b"k".as_slice());
    }
}
