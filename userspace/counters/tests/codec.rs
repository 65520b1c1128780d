// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The generated codec, without a kernel: round trips, and what it does with bytes it does not
//! expect.

use counters::{spec, Counter, Item, NlError};
use genl_client::attr::put_attr;

fn counter() -> Counter {
    Counter {
        name: Some("rx".into()),
        value: Some(u64::MAX),
        delta: Some(3),
        sock_adds: None,
        item: vec![
            Item {
                name: Some("a".into()),
                delta: Some(1),
                ..Default::default()
            },
            Item {
                name: Some("b".into()),
                value: Some(7),
                ..Default::default()
            },
        ],
    }
}

#[test]
fn round_trip() {
    let mut buf = Vec::new();
    counter().encode(&mut buf);
    assert_eq!(Counter::decode(&buf).unwrap(), counter());
}

#[test]
fn wire_format_is_the_kernels() {
    let mut buf = Vec::new();
    Counter {
        name: Some("rx".into()),
        ..Default::default()
    }
    .encode(&mut buf);
    // nla_len 7 ("rx" and its NUL), the name's type, padded to 8.
    assert_eq!(buf, [7, 0, spec::COUNTER_NAME as u8, 0, b'r', b'x', 0, 0]);
    let mut buf = Vec::new();
    Counter {
        item: vec![Item::default()],
        ..Default::default()
    }
    .encode(&mut buf);
    // An empty nest, NLA_F_NESTED set.
    assert_eq!(buf, [4, 0, spec::COUNTER_ITEM as u8, 0x80]);
}

#[test]
fn unknown_attributes_are_skipped() {
    let mut buf = Vec::new();
    put_attr(&mut buf, 200, &[1, 2, 3]);
    counter().encode(&mut buf);
    put_attr(&mut buf, spec::COUNTER_PAD, &[]);
    assert_eq!(Counter::decode(&buf).unwrap(), counter());
}

#[test]
fn bad_bytes_are_errors_naming_the_attribute() {
    let mut buf = Vec::new();
    put_attr(&mut buf, spec::COUNTER_VALUE, &[1, 2, 3, 4]);
    let e = Counter::decode(&buf).unwrap_err();
    assert!(
        matches!(&e, NlError::Malformed(m) if m.contains("value")),
        "{e:?}"
    );

    let mut buf = Vec::new();
    put_attr(&mut buf, spec::COUNTER_NAME, &[0xff, 0xfe, 0]);
    let e = Counter::decode(&buf).unwrap_err();
    assert!(
        matches!(&e, NlError::Malformed(m) if m.contains("name") && m.contains("UTF-8")),
        "{e:?}"
    );

    let mut buf = Vec::new();
    put_attr(&mut buf, spec::COUNTER_NAME, b"ok\0");
    buf.truncate(buf.len() - 2); // the attribute now runs past the end
    assert!(Counter::decode(&buf).is_err());
}
