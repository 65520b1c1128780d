// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! JSON with objects kept in order, read as serde_json reads it and written as Python's
//! `json.dumps` writes it (`", "` and `": "` separators, `ensure_ascii`): what `ynl
//! --output-json` prints, byte for byte.

use std::fmt::{self, Write};

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON value; an object is a list of pairs in the order they were read or inserted.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    /// Any integer of at most 128 bits (u64 and i64 values all fit).
    Int(i128),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Map),
}

/// An ordered JSON object. `insert` replaces a key's value in place, as a Python dict does.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Map(pub Vec<(String, Json)>);

impl Map {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn insert(&mut self, key: impl Into<String>, value: Json) {
        let key = key.into();
        match self.get_mut(&key) {
            Some(slot) => *slot = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &(String, Json)> {
        self.0.iter()
    }
}

impl Json {
    pub fn parse(text: &str) -> Result<Json, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn str(s: impl Into<String>) -> Json {
        Json::Str(s.into())
    }

    /// The JSON type's name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) => "an integer",
            Json::Float(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

impl fmt::Display for Json {
    /// Python's `json.dumps(value)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Json::Int(i) => write!(f, "{i}"),
            Json::Float(x) => {
                if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e16 {
                    write!(f, "{x:.1}")
                } else {
                    write!(f, "{x}")
                }
            }
            Json::Str(s) => write_str(f, s),
            Json::Array(items) => {
                f.write_char('[')?;
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_char(']')
            }
            Json::Object(map) => {
                f.write_char('{')?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_str(f, k)?;
                    write!(f, ": {v}")?;
                }
                f.write_char('}')
            }
        }
    }
}

/// A string as `json.dumps` writes it with `ensure_ascii`: printable ASCII as is, the
/// usual escapes, everything else `\uXXXX` (UTF-16 surrogate pairs past the BMP).
fn write_str(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            '\u{8}' => f.write_str("\\b")?,
            '\u{c}' => f.write_str("\\f")?,
            ' '..='~' => f.write_char(c)?,
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(f, "\\u{u:04x}")?;
                }
            }
        }
    }
    f.write_char('"')
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Json, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Json;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Json, E> {
                Ok(Json::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Json, E> {
                Ok(Json::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Json, E> {
                Ok(Json::Int(i.into()))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Json, E> {
                Ok(Json::Int(u.into()))
            }
            fn visit_i128<E>(self, i: i128) -> Result<Json, E> {
                Ok(Json::Int(i))
            }
            fn visit_u128<E: de::Error>(self, u: u128) -> Result<Json, E> {
                i128::try_from(u)
                    .map(Json::Int)
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_f64<E>(self, x: f64) -> Result<Json, E> {
                Ok(Json::Float(x))
            }
            fn visit_str<E>(self, s: &str) -> Result<Json, E> {
                Ok(Json::Str(s.to_owned()))
            }
            fn visit_string<E>(self, s: String) -> Result<Json, E> {
                Ok(Json::Str(s))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Json::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
                let mut m = Map::new();
                while let Some((k, v)) = map.next_entry::<String, Json>()? {
                    m.insert(k, v);
                }
                Ok(Json::Object(m))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_order_and_writes_like_python() {
        let j = Json::parse(r#"{"z": 1, "a": [true, null, "x"], "m": {"k": -5}}"#).unwrap();
        assert_eq!(
            j.to_string(),
            r#"{"z": 1, "a": [true, null, "x"], "m": {"k": -5}}"#
        );
    }

    #[test]
    fn big_integers_survive() {
        let j = Json::parse("[18446744073709551615, -9223372036854775808]").unwrap();
        assert_eq!(
            j.to_string(),
            "[18446744073709551615, -9223372036854775808]"
        );
    }

    #[test]
    fn strings_escape_as_ensure_ascii() {
        let s = Json::str("a\"b\\c\n\u{1}\u{7f}é😀");
        assert_eq!(
            s.to_string(),
            r#""a\"b\\c\n\u0001\u007f\u00e9\ud83d\ude00""#
        );
    }

    #[test]
    fn a_repeated_key_keeps_its_place() {
        let mut m = Map::new();
        m.insert("a", Json::Int(1));
        m.insert("b", Json::Int(2));
        m.insert("a", Json::Int(3));
        assert_eq!(Json::Object(m).to_string(), r#"{"a": 3, "b": 2}"#);
    }
}
