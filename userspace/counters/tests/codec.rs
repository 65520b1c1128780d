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
    counter().encode(&mut buf).unwrap();
    assert_eq!(Counter::decode(&buf).unwrap(), counter());
}

#[test]
fn wire_format_is_the_kernels() {
    let mut buf = Vec::new();
    Counter {
        name: Some("rx".into()),
        ..Default::default()
    }
    .encode(&mut buf)
    .unwrap();
    // nla_len 7 ("rx" and its NUL), the name's type, padded to 8.
    assert_eq!(buf, [7, 0, spec::COUNTER_NAME as u8, 0, b'r', b'x', 0, 0]);
    let mut buf = Vec::new();
    Counter {
        item: vec![Item::default()],
        ..Default::default()
    }
    .encode(&mut buf)
    .unwrap();
    // An empty nest, NLA_F_NESTED set.
    assert_eq!(buf, [4, 0, spec::COUNTER_ITEM as u8, 0x80]);
}

#[test]
fn unknown_attributes_are_skipped() {
    let mut buf = Vec::new();
    put_attr(&mut buf, 200, &[1, 2, 3]);
    counter().encode(&mut buf).unwrap();
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
    put_attr(&mut buf, spec::COUNTER_NAME, b"ok\0");
    buf.truncate(buf.len() - 2); // the attribute now runs past the end
    assert!(Counter::decode(&buf).is_err());
}

#[test]
fn strings_are_bytes_as_the_kernel_takes_them() {
    // The kernel checks no encoding: a name that is not UTF-8 is read, not refused.
    let mut buf = Vec::new();
    put_attr(&mut buf, spec::COUNTER_NAME, &[b'x', 0xff, 0]);
    let c = Counter::decode(&buf).unwrap();
    assert_eq!(c.name.as_ref().unwrap().as_bytes(), b"x\xff");
    assert_eq!(c.name.unwrap().to_string(), "x\\xff");

    // A NUL inside would make the kernel act on a shorter name: refused, by the spec's name.
    let e = Counter {
        item: vec![Item {
            name: Some("a\0b".into()),
            ..Default::default()
        }],
        ..Default::default()
    }
    .encoded()
    .unwrap_err();
    assert!(
        matches!(&e, NlError::InvalidRequest(m) if m.contains("`name`") && m.contains("NUL")),
        "{e:?}"
    );
}

#[test]
fn serde_uses_the_spec_names() {
    let json = serde_json::to_string(&counter()).unwrap();
    assert_eq!(
        json,
        r#"{"name":"rx","value":18446744073709551615,"delta":3,"item":[{"name":"a","delta":1},{"name":"b","value":7}]}"#
    );
    assert_eq!(serde_json::from_str::<Counter>(&json).unwrap(), counter());
    let e = serde_json::from_str::<Counter>(r#"{"nmae":"x"}"#).unwrap_err();
    assert!(e.to_string().contains("unknown field `nmae`"), "{e}");
    let c: Counter = serde_json::from_str(r#"{"sock-adds":2}"#).unwrap();
    assert_eq!(c.sock_adds, Some(2));
}

#[test]
fn errors_are_named_through_nests() {
    use genl_client::{Extack, KernelError};
    let req = counter().encoded().unwrap();
    // The second item's header: after the name (8), value (12), delta (12), the first item.
    let first = 8 + 12 + 12;
    let first_len = 4 + 8 + 12;
    let mut e = KernelError::new(
        22,
        Extack {
            miss_type: Some(spec::ITEM_NAME as u32),
            miss_nest: Some((20 + first + first_len) as u32),
            ..Default::default()
        },
    );
    counters::NAMES.name_error(&mut e, spec::CMD_ADD_BATCH, &req, 20);
    assert_eq!(
        (e.attribute.as_deref(), e.missing),
        (Some("item.name"), true)
    );
}

#[test]
fn repeated_nests_read_in_place() {
    let bytes = counter().encoded().unwrap();
    let names: Vec<Vec<u8>> = counters::CounterRef(&bytes)
        .item()
        .map(|i| i.unwrap().name().unwrap().unwrap().to_vec())
        .collect();
    assert_eq!(names, [b"a".to_vec(), b"b".to_vec()]);
}

/// The generated `CountersMessage` is what the `genetlink` crate carries: framed by
/// netlink-packet-core and -generic, its attributes the generated codec's.
#[test]
fn messages_plug_into_the_rust_netlink_crates() {
    use counters::CountersMessage;
    use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
    use netlink_packet_generic::{GenlFamily, GenlMessage};

    assert_eq!(CountersMessage::family_name(), "counters");
    let mut genl = GenlMessage::from_payload(CountersMessage::new(
        spec::CMD_ADD_BATCH,
        counter().encoded().unwrap(),
    ));
    genl.set_resolved_family_id(0x1234);
    let mut nl = NetlinkMessage::from(genl);
    nl.finalize();
    let mut bytes = vec![0; nl.buffer_len()];
    nl.serialize(&mut bytes);
    let back = NetlinkMessage::<GenlMessage<CountersMessage>>::deserialize(&bytes).unwrap();
    let NetlinkPayload::InnerMessage(genl) = back.payload else {
        panic!("{back:?}")
    };
    assert_eq!(genl.payload.cmd, spec::CMD_ADD_BATCH);
    assert_eq!(genl.header.version, spec::FAMILY_VERSION);
    assert_eq!(Counter::decode(&genl.payload.attrs).unwrap(), counter());
}
