// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Human and JSON rendering.
//!
//! Keys and values are bytes. Text output shows printable UTF-8 as it is and anything else in
//! the `hex:` form that arguments accept (`bytes.rs`); JSON gives each a string and its
//! encoding, `utf8` or `hex`.

use kvstore::{Entry, EntryFlags};
use serde_json::{json, Value};

use crate::bytes::HEX_PREFIX;

/// A value as text if it is printable UTF-8, else `hex:` and its bytes. Text that itself
/// begins with `hex:` is printed in the hex form too, so that it reads back as the same bytes.
pub fn safe_value(value: &[u8]) -> String {
    match printable(value) {
        Some(s) if !s.starts_with(HEX_PREFIX) => s.to_owned(),
        _ => format!("{HEX_PREFIX}{}", hex(value)),
    }
}

/// A key as [`safe_value`] prints a value, and in the hex form also when it holds a tab:
/// `list` separates its columns with tabs.
pub fn safe_key(key: &[u8]) -> String {
    if key.contains(&b'\t') {
        format!("{HEX_PREFIX}{}", hex(key))
    } else {
        safe_value(key)
    }
}

fn printable(value: &[u8]) -> Option<&str> {
    let s = std::str::from_utf8(value).ok()?;
    s.chars().all(|c| !c.is_control() || c == '\t').then_some(s)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `"value"` and `"encoding"` members for JSON.
pub fn json_value(value: &[u8]) -> (Value, &'static str) {
    match printable(value) {
        Some(s) => (json!(s), "utf8"),
        None => (json!(hex(value)), "hex"),
    }
}

/// Sets the `"key"` and `"key_encoding"` members of a JSON object, as [`json_value`] encodes.
pub fn set_json_key(object: &mut Value, key: &[u8]) {
    let (key, encoding) = json_value(key);
    object["key"] = key;
    object["key_encoding"] = json!(encoding);
}

pub fn json_flags(flags: EntryFlags) -> Value {
    json!(flags.names())
}

pub fn entry_json(e: &Entry) -> Value {
    let (value, encoding) = json_value(&e.value);
    let mut j = json!({ "value": value, "encoding": encoding, "flags": json_flags(e.flags) });
    set_json_key(&mut j, &e.key);
    j
}

/// One `list` line: `KEY<TAB>VALUE`, plus `<TAB>[flags]` if any flag is set.
pub fn entry_line(e: &Entry) -> String {
    let mut line = format!("{}\t{}", safe_key(&e.key), safe_value(&e.value));
    if e.flags != EntryFlags::NONE {
        line.push_str(&format!("\t[{}]", e.flags));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::parse_bytes;

    #[test]
    fn values_are_printed_safely() {
        assert_eq!(safe_value(b"hello world"), "hello world");
        assert_eq!(safe_value(b"a\x00b"), "hex:610062");
        assert_eq!(safe_value(&[0xff, 0xfe]), "hex:fffe");
        assert_eq!(safe_value(b"line\nbreak"), "hex:6c696e650a627265616b");
        assert_eq!(safe_value(b"tab\there"), "tab\there");
        assert_eq!(safe_value(b""), "");
    }

    #[test]
    fn keys_are_printed_safely() {
        assert_eq!(safe_key("caf\u{e9}/1".as_bytes()), "caf\u{e9}/1");
        assert_eq!(safe_key(b"k\xff"), "hex:6bff");
        assert_eq!(safe_key(b"a\tb"), "hex:610962");
        assert_eq!(safe_key(b"hex:41"), "hex:6865783a3431");
    }

    #[test]
    fn what_is_printed_reads_back_as_the_same_bytes() {
        for bytes in [
            &b"plain"[..],
            b"\xff\xfe",
            b"hex:41",
            b"hex:",
            b"a\tb",
            b"",
            "\u{e9}t\u{e9}".as_bytes(),
        ] {
            assert_eq!(parse_bytes(safe_key(bytes).as_bytes()).unwrap(), bytes);
            assert_eq!(parse_bytes(safe_value(bytes).as_bytes()).unwrap(), bytes);
        }
    }

    #[test]
    fn entry_lines() {
        let e = Entry {
            key: "k".into(),
            value: b"v".to_vec(),
            flags: EntryFlags::TEXT,
        };
        assert_eq!(entry_line(&e), "k\tv\t[text]");
        let j = entry_json(&Entry {
            key: "b".into(),
            value: vec![1],
            flags: EntryFlags::NONE,
        });
        assert_eq!(
            j,
            json!({"key": "b", "key_encoding": "utf8", "value": "01", "encoding": "hex", "flags": []})
        );
        let j = entry_json(&Entry {
            key: b"\xff".into(),
            value: b"v".to_vec(),
            flags: EntryFlags::NONE,
        });
        assert_eq!(
            j,
            json!({"key": "ff", "key_encoding": "hex", "value": "v", "encoding": "utf8", "flags": []})
        );
    }
}
