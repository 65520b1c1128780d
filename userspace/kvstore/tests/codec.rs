// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Host tests (no kernel) of the generated codec as kvstore uses it: round trips of every
//! attribute, the kernel's wire format, and what it does with bytes it does not expect.

use genl_client::attr::put_attr;
use kvstore::{client_gen as gen, spec, EntryFlags, Error, Key, PutMode};

fn every_attribute() -> gen::Entry {
    gen::Entry {
        key: Some(Key::from(b"some/key\xff")),
        value: Some(vec![0, 1, 2, 0xff, 0x80]),
        flags: Some(EntryFlags::TEXT | EntryFlags(0x40)),
        generation: Some(0x0102_0304_0506_0708),
        stats: Some(Box::new(gen::Stats {
            entries: Some(1),
            notify_dropped: Some(u64::MAX),
            memory: Some(7),
            ..Default::default()
        })),
        mode: Some(PutMode::Replace),
    }
}

#[test]
fn every_attribute_round_trips() {
    let e = every_attribute();
    assert_eq!(gen::Entry::decode(&e.encoded().unwrap()).unwrap(), e);
}

#[test]
fn wire_format_is_the_kernels() {
    let bytes = gen::Entry {
        key: Some("k".into()),
        flags: Some(EntryFlags::COMPRESSED),
        mode: Some(PutMode::Create),
        ..Default::default()
    }
    .encoded()
    .unwrap();
    let ne = |v: u32| v.to_ne_bytes();
    let mut want = vec![6, 0, spec::ENTRY_KEY as u8, 0, b'k', 0, 0, 0];
    want.extend([8, 0, spec::ENTRY_FLAGS as u8, 0]);
    want.extend(ne(2));
    want.extend([8, 0, spec::ENTRY_MODE as u8, 0]);
    want.extend(ne(spec::PUT_MODE_CREATE));
    assert_eq!(bytes, want);
    // The stats nest has NLA_F_NESTED set.
    let nest = gen::Entry {
        stats: Some(Box::default()),
        ..Default::default()
    }
    .encoded()
    .unwrap();
    assert_eq!(nest, [4, 0, spec::ENTRY_STATS as u8, 0x80]);
}

#[test]
fn unknown_attributes_are_skipped_and_unknown_flag_bits_kept() {
    let mut buf = Vec::new();
    put_attr(&mut buf, 200, &[1, 2, 3]);
    every_attribute().encode(&mut buf).unwrap();
    let e = gen::Entry::decode(&buf).unwrap();
    assert_eq!(e, every_attribute());
    assert_eq!(e.flags.unwrap().to_string(), "text,0x40");
}

#[test]
fn bad_bytes_are_errors_naming_the_attribute() {
    let mut buf = Vec::new();
    put_attr(&mut buf, spec::ENTRY_GENERATION, &[1, 2, 3, 4]);
    let e = gen::Entry::decode(&buf).unwrap_err();
    assert!(
        matches!(&e, Error::Malformed(m) if m.contains("generation")),
        "{e:?}"
    );

    // A mode the spec does not name is an error, never another mode.
    let mut buf = Vec::new();
    put_attr(&mut buf, spec::ENTRY_MODE, &9u32.to_ne_bytes());
    let e = gen::Entry::decode(&buf).unwrap_err();
    assert!(
        matches!(&e, Error::Malformed(m) if m.contains("mode") && m.contains('9')),
        "{e:?}"
    );

    let mut buf = every_attribute().encoded().unwrap();
    buf.truncate(buf.len() - 2);
    assert!(gen::Entry::decode(&buf).is_err());
}

#[test]
fn requests_the_kernel_would_misread_are_refused_by_name() {
    let e = gen::Entry {
        value: Some(vec![0; 70_000]),
        ..Default::default()
    }
    .encoded()
    .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidRequest(m) if m.contains("`value`") && m.contains("65531")),
        "{e}"
    );
    let e = gen::Entry {
        key: Some(Key::from(b"a\0b")),
        ..Default::default()
    }
    .encoded()
    .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidRequest(m) if m.contains("`key`") && m.contains("NUL")),
        "{e}"
    );
}

#[test]
fn serde_speaks_the_spec_names() {
    let e = gen::Entry {
        key: Some("k".into()),
        flags: Some(EntryFlags::TEXT | EntryFlags::COMPRESSED),
        mode: Some(PutMode::Create),
        ..Default::default()
    };
    let json = serde_json::to_string(&e).unwrap();
    assert_eq!(
        json,
        r#"{"key":"k","flags":["text","compressed"],"mode":"create"}"#
    );
    assert_eq!(serde_json::from_str::<gen::Entry>(&json).unwrap(), e);
    let other: gen::Entry = serde_json::from_str(r#"{"key":[107,255],"flags":3}"#).unwrap();
    assert_eq!(other.key.unwrap(), Key::from(b"k\xff"));
    assert_eq!(other.flags, Some(EntryFlags(3)));
}

/// The asynchronous client's futures and streams can move between threads (`tokio::spawn`).
#[allow(dead_code)]
fn async_calls_are_send(c: &kvstore::Client, echo: &kvstore::Echo) {
    fn send<T: Send>(_: T) {}
    send(c.echo(echo));
    send(c.get("k"));
    send(c.list(b"p"));
    send(c.list_consistent(b"p", 3));
    send(c.subscribe(Default::default()));
}

#[test]
fn a_set_read_in_place_reads_what_decoding_does() {
    let e = every_attribute();
    let bytes = e.encoded().unwrap();
    let r = gen::EntryRef(&bytes);
    assert_eq!(r.key().unwrap(), Some(&b"some/key\xff"[..]));
    assert_eq!(r.value().unwrap(), Some(&[0, 1, 2, 0xff, 0x80][..]));
    assert_eq!(r.flags().unwrap(), e.flags);
    assert_eq!(r.generation().unwrap(), e.generation);
    assert_eq!(r.mode().unwrap(), e.mode);
    assert_eq!(r.stats().unwrap().unwrap().memory().unwrap(), Some(7));
    assert_eq!(r.to_owned().unwrap(), e);
    let mut bad = Vec::new();
    put_attr(&mut bad, spec::ENTRY_GENERATION, &[1, 2, 3]);
    let err = gen::EntryRef(&bad).generation().unwrap_err();
    assert!(
        matches!(&err, Error::Malformed(m) if m.contains("generation")),
        "{err:?}"
    );
}

/// What the runtime's codec costs per echo, without a kernel: the request written as
/// `FamilyConn` writes it, a reply read in place as `echo_ref` reads it, 100k times. Counted
/// with callgrind (docs/bench.md):
/// `cargo test --release -p kvstore --test codec --no-run`, then
/// `valgrind --tool=callgrind target/release/deps/codec-* cost_probe --ignored --test-threads 1`.
#[test]
#[ignore]
fn cost_probe() {
    use genl_client::exchange::{write_request, Exchange, Expect};
    let req = gen::Entry {
        key: Some("b00000000".into()),
        value: Some(vec![1; 8]),
        flags: Some(EntryFlags(0)),
        generation: Some(1),
        ..Default::default()
    };
    let attrs = req.encoded().unwrap();
    let mut reply = ((20 + attrs.len()) as u32).to_ne_bytes().to_vec();
    reply.extend(0x20u16.to_ne_bytes());
    reply.extend([0; 10]);
    reply.extend([spec::CMD_ECHO, 1, 0, 0]);
    reply.extend(&attrs);
    let (mut tx, mut sum) = (Vec::new(), 0);
    for seq in 0..100_000u32 {
        write_request(
            &mut tx,
            0x20,
            spec::CMD_ECHO,
            1,
            Expect::Reply,
            seq,
            |o| req.encode(o),
            None,
        )
        .unwrap();
        reply[8..12].copy_from_slice(&seq.to_ne_bytes());
        let mut ex = Exchange::new(seq, Expect::Reply);
        ex.feed(&reply, &mut |_, _| Ok(())).unwrap();
        sum += gen::EntryRef(&reply[ex.last_reply().unwrap()])
            .generation()
            .unwrap()
            .unwrap();
    }
    assert_eq!(sum, 100_000);
}
