// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Host tests (no kernel): encode/decode round-trips of every attribute and
//! message, and rejection of truncated or malformed replies.

use genetlink::message::RawGenlMessage;
use kvstore::{
    DelReply, Echo, Entry, EntryAttr, EntryFlags, Event, Key, KvstoreCmd, KvstoreMessage, PutReply,
    Stats, StatsAttr, StatsReply,
};
use netlink_packet_core::{
    DefaultNla, Emitable, NetlinkDeserializable, NetlinkHeader, NetlinkMessage, NetlinkPayload,
    NlaBuffer, Parseable, ParseableParametrized,
};
use netlink_packet_generic::{GenlHeader, GenlMessage};

const FAMILY_ID: u16 = 0x1234;

fn all_stats() -> Vec<StatsAttr> {
    vec![
        StatsAttr::Entries(1),
        StatsAttr::Bytes(2),
        StatsAttr::MaxEntries(3),
        StatsAttr::MaxBytes(4),
        StatsAttr::EchoCount(5),
        StatsAttr::PutCount(6),
        StatsAttr::GetCount(7),
        StatsAttr::DelCount(8),
        StatsAttr::DumpCount(9),
        StatsAttr::StatsCount(10),
        StatsAttr::NotifySent(11),
        StatsAttr::NotifyDropped(u64::MAX),
        StatsAttr::Memory(7),
    ]
}

fn all_entry_attrs() -> Vec<EntryAttr> {
    vec![
        EntryAttr::Key("some/key".into()),
        EntryAttr::Value(vec![0, 1, 2, 0xff, 0x80]),
        EntryAttr::Flags(3),
        EntryAttr::Generation(0x0102_0304_0506_0708),
        EntryAttr::Stats(all_stats()),
        EntryAttr::Mode(2),
    ]
}

/// Emits `msg` as a complete netlink message and parses it back.
fn wire_round_trip(msg: &KvstoreMessage) -> (Vec<u8>, KvstoreMessage) {
    let mut genl = GenlMessage::from_payload(msg.clone());
    genl.set_resolved_family_id(FAMILY_ID);
    let mut nl = NetlinkMessage::from(genl);
    nl.finalize();
    let mut buf = vec![0u8; nl.buffer_len()];
    nl.serialize(&mut buf);
    let parsed = NetlinkMessage::<GenlMessage<KvstoreMessage>>::deserialize(&buf).expect("parse");
    assert_eq!(parsed.header.message_type, FAMILY_ID);
    match parsed.payload {
        NetlinkPayload::InnerMessage(g) => {
            assert_eq!(g.header.cmd, u8::from(msg.cmd));
            assert_eq!(g.header.version, 1);
            (buf, g.payload)
        }
        other => panic!("unexpected payload {other:?}"),
    }
}

fn emit_attr<T: Emitable>(attr: &T) -> Vec<u8> {
    let mut buf = vec![0u8; attr.buffer_len()];
    attr.emit(&mut buf);
    buf
}

#[test]
fn every_entry_attribute_round_trips() {
    for attr in all_entry_attrs() {
        let buf = emit_attr(&attr);
        assert_eq!(buf.len() % 4, 0);
        let parsed = EntryAttr::parse(&NlaBuffer::new_checked(&buf[..]).unwrap()).unwrap();
        assert_eq!(parsed, attr);
    }
}

#[test]
fn every_stats_attribute_round_trips() {
    for attr in all_stats() {
        let buf = emit_attr(&attr);
        assert_eq!(buf.len(), 12);
        let parsed = StatsAttr::parse(&NlaBuffer::new_checked(&buf[..]).unwrap()).unwrap();
        assert_eq!(parsed, attr);
    }
}

#[test]
fn key_is_sent_nul_terminated() {
    let buf = emit_attr(&EntryAttr::Key("abc".into()));
    assert_eq!(buf, [8, 0, 1, 0, b'a', b'b', b'c', 0]);
}

#[test]
fn key_without_nul_is_accepted() {
    let buf = [7u8, 0, 1, 0, b'a', b'b', b'c', 0];
    let parsed = EntryAttr::parse(&NlaBuffer::new_checked(&buf[..]).unwrap()).unwrap();
    assert_eq!(parsed, EntryAttr::Key("abc".into()));
}

#[test]
fn stats_nest_carries_nested_flag() {
    let buf = emit_attr(&EntryAttr::Stats(vec![StatsAttr::Entries(1)]));
    let kind = u16::from_ne_bytes([buf[2], buf[3]]);
    assert_eq!(kind, 5 | 0x8000);
}

#[test]
fn pad_and_unknown_attributes_are_kept_apart() {
    let pad = emit_attr(&EntryAttr::Pad(vec![]));
    assert_eq!(
        EntryAttr::parse(&NlaBuffer::new_checked(&pad[..]).unwrap()).unwrap(),
        EntryAttr::Pad(vec![])
    );
    let unknown = emit_attr(&DefaultNla::new(42, vec![1, 2, 3, 4]));
    let parsed = EntryAttr::parse(&NlaBuffer::new_checked(&unknown[..]).unwrap()).unwrap();
    assert!(matches!(parsed, EntryAttr::Other(_)));
    let stats_pad = emit_attr(&StatsAttr::Pad(vec![]));
    assert_eq!(
        StatsAttr::parse(&NlaBuffer::new_checked(&stats_pad[..]).unwrap()).unwrap(),
        StatsAttr::Pad(vec![])
    );
}

#[test]
fn every_message_round_trips() {
    for cmd in [
        KvstoreCmd::Echo,
        KvstoreCmd::Put,
        KvstoreCmd::Get,
        KvstoreCmd::Del,
        KvstoreCmd::Stats,
        KvstoreCmd::NewNtf,
        KvstoreCmd::DelNtf,
    ] {
        let msg = KvstoreMessage::new(cmd, all_entry_attrs());
        let (_, parsed) = wire_round_trip(&msg);
        assert_eq!(parsed, msg, "{cmd}");
        assert_eq!(KvstoreCmd::try_from(u8::from(cmd)).unwrap(), cmd);
    }
}

#[test]
fn typed_replies_decode() {
    let attrs = all_entry_attrs();
    let entry = Entry::try_from(KvstoreMessage::new(KvstoreCmd::Get, attrs.clone())).unwrap();
    assert_eq!(entry.key, "some/key");
    assert_eq!(entry.flags, EntryFlags::TEXT | EntryFlags::COMPRESSED);

    let put = PutReply::try_from(KvstoreMessage::new(KvstoreCmd::Put, attrs.clone())).unwrap();
    assert_eq!(put.generation, 0x0102_0304_0506_0708);
    assert_eq!(put.entry, entry);

    let del = DelReply::try_from(KvstoreMessage::new(KvstoreCmd::Del, attrs.clone())).unwrap();
    assert_eq!(del.key, "some/key");

    let echo = Echo::try_from(KvstoreMessage::new(KvstoreCmd::Echo, attrs.clone())).unwrap();
    assert_eq!(echo.value.as_deref(), Some(&[0, 1, 2, 0xff, 0x80][..]));

    let stats =
        StatsReply::try_from(KvstoreMessage::new(KvstoreCmd::Stats, attrs.clone())).unwrap();
    assert_eq!(stats.stats.notify_dropped, u64::MAX);
    assert_eq!(stats.stats.memory, 7);
    assert_eq!(stats.stats.dump_count, 9);

    // Typed -> message -> wire -> message -> typed.
    let reply = StatsReply {
        generation: 7,
        stats: Stats {
            entries: 3,
            put_count: 9,
            ..Default::default()
        },
    };
    let (_, parsed) = wire_round_trip(&KvstoreMessage::from(&reply));
    assert_eq!(StatsReply::try_from(parsed).unwrap(), reply);

    let ev = PutReply {
        entry: Entry {
            key: "k".into(),
            value: b"v".to_vec(),
            flags: EntryFlags::TEXT,
        },
        generation: 5,
    };
    let (_, parsed) = wire_round_trip(&KvstoreMessage::from(&ev));
    assert_eq!(Event::try_from(parsed).unwrap(), Event::New(ev));

    let del_ntf = KvstoreMessage::new(
        KvstoreCmd::DelNtf,
        vec![EntryAttr::Key("k".into()), EntryAttr::Generation(6)],
    );
    let (_, parsed) = wire_round_trip(&del_ntf);
    assert_eq!(
        Event::try_from(parsed).unwrap(),
        Event::Del(DelReply {
            key: "k".into(),
            generation: 6
        })
    );
}

#[test]
fn raw_genl_path_decodes_like_genetlink_does() {
    // What the subscription sees: a RawGenlMessage parsed on demand.
    let msg = KvstoreMessage::new(KvstoreCmd::NewNtf, all_entry_attrs());
    let (buf, _) = wire_round_trip(&msg);
    let header =
        NetlinkHeader::parse(&netlink_packet_core::NetlinkBuffer::new_checked(&buf[..]).unwrap())
            .unwrap();
    let raw = RawGenlMessage::deserialize(&header, &buf[16..]).unwrap();
    assert_eq!(raw.family_id, FAMILY_ID);
    assert_eq!(
        raw.parse_into_genlmsg::<KvstoreMessage>().unwrap().payload,
        msg
    );
}

fn parse_payload(cmd: u8, payload: &[u8]) -> Result<KvstoreMessage, String> {
    KvstoreMessage::parse_with_param(payload, GenlHeader { cmd, version: 1 })
        .map_err(|e| e.to_string())
}

#[test]
fn truncated_replies_are_rejected() {
    let msg = KvstoreMessage::new(KvstoreCmd::Put, all_entry_attrs());
    let mut payload = vec![0u8; msg.buffer_len()];
    msg.emit(&mut payload);
    // Every cut inside an attribute must fail; a cut at an attribute's end
    // (with or without its alignment padding) leaves a shorter valid message.
    let mut ends = Vec::new();
    let mut start = 0;
    for a in &msg.attrs {
        use netlink_packet_core::Nla;
        ends.extend(start + 4 + a.value_len()..=start + a.buffer_len());
        start += a.buffer_len();
    }
    for cut in 1..payload.len() {
        let res = parse_payload(2, &payload[..cut]);
        if ends.contains(&cut) {
            assert!(res.is_ok(), "cut at boundary {cut}");
        } else {
            let err = res.expect_err(&format!("cut at {cut} must fail"));
            assert!(err.contains("malformed kvstore `put` message"), "{err}");
        }
    }
}

/// The kernel takes any bytes but NUL for a key: one that is not UTF-8 decodes as its bytes,
/// in a reply, a dump entry and a notification alike.
#[test]
fn keys_need_not_be_utf8() {
    let key = [8u8, 0, 1, 0, 0xff, 0xfe, b'a', 0];
    let generation = [12u8, 0, 4, 0, 7, 0, 0, 0, 0, 0, 0, 0];
    let payload = [&key[..], &generation[..]].concat();
    let parse = |cmd| parse_payload(cmd, &payload).unwrap();
    let entry = Entry::try_from(parse(3)).unwrap();
    assert_eq!(entry.key, Key::from(b"\xff\xfea"));
    assert_eq!(entry.key.to_string(), "\\xff\\xfea");
    let Event::Del(del) = Event::try_from(parse(7)).unwrap() else {
        panic!("not a del-ntf")
    };
    assert_eq!((del.key.as_bytes(), del.generation), (&b"\xff\xfea"[..], 7));
}

#[test]
fn malformed_attributes_are_rejected() {
    // generation with 4 bytes instead of 8
    let bad_gen = [8u8, 0, 4, 0, 1, 0, 0, 0];
    let err = parse_payload(2, &bad_gen).unwrap_err();
    assert!(err.contains("generation"), "{err}");
    // flags with 2 bytes
    let bad_flags = [6u8, 0, 3, 0, 1, 0, 0, 0];
    assert!(parse_payload(2, &bad_flags).unwrap_err().contains("flags"));
    // a NUL inside the key
    let bad_key = [8u8, 0, 1, 0, b'a', 0, b'b', 0];
    assert!(parse_payload(3, &bad_key)
        .unwrap_err()
        .contains("embedded NUL"));
    // nla_len smaller than the header
    let bad_len = [2u8, 0, 1, 0];
    assert!(parse_payload(3, &bad_len).is_err());
    // a stats counter of the wrong size inside the nest
    let bad_nest = [12u8, 0, 0x05, 0x80, 8, 0, 1, 0, 1, 0, 0, 0];
    let err = parse_payload(5, &bad_nest).unwrap_err();
    assert!(err.contains("entries"), "{err}");
    // unknown command
    assert!(parse_payload(99, &[])
        .unwrap_err()
        .contains("unknown kvstore command"));
}

#[test]
fn replies_missing_attributes_are_rejected() {
    let only_key = KvstoreMessage::new(KvstoreCmd::Put, vec![EntryAttr::Key("k".into())]);
    let err = PutReply::try_from(only_key).unwrap_err();
    assert!(
        err.to_string().contains("lacks attribute `generation`"),
        "{err}"
    );
    let no_key = KvstoreMessage::new(KvstoreCmd::Get, vec![EntryAttr::Value(vec![1])]);
    assert!(Entry::try_from(no_key)
        .unwrap_err()
        .to_string()
        .contains("`key`"));
}
