// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Human and JSON rendering.

use kvstore::{Entry, EntryFlags};
use serde_json::{json, Value};

/// A value as text if it is printable UTF-8, else `hex:` and its bytes.
pub fn safe_value(value: &[u8]) -> String {
    match printable(value) {
        Some(s) => s.to_owned(),
        None => format!("hex:{}", hex(value)),
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

pub fn json_flags(flags: EntryFlags) -> Value {
    json!(flags.names())
}

pub fn entry_json(e: &Entry) -> Value {
    let (value, encoding) = json_value(&e.value);
    json!({ "key": e.key, "value": value, "encoding": encoding, "flags": json_flags(e.flags) })
}

/// One `list` line: `KEY<TAB>VALUE`, plus `<TAB>[flags]` if any flag is set.
pub fn entry_line(e: &Entry) -> String {
    let mut line = format!("{}\t{}", e.key, safe_value(&e.value));
    if e.flags != EntryFlags::NONE {
        line.push_str(&format!("\t[{}]", e.flags));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_printed_safely() {
        assert_eq!(safe_value(b"hello world"), "hello world");
        assert_eq!(safe_value(b"a\x00b"), "hex:610062");
        assert_eq!(safe_value(&[0xff, 0xfe]), "hex:fffe");
        assert_eq!(safe_value(b"line\nbreak"), "hex:6c696e650a627265616b");
        assert_eq!(safe_value(b""), "");
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
            json!({"key": "b", "value": "01", "encoding": "hex", "flags": []})
        );
    }
}
