// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Host tests of the pure parts: encoding, decoding, and decoding what is cut short or garbled.

use super::*;

/// Attributes of every payload length up to a few words, so every padding case is covered.
fn sample_attrs() -> Vec<(u16, Vec<u8>)> {
    (0..10u16)
        .map(|i| (i + 1, (0..i as u8).map(|b| b.wrapping_mul(37)).collect()))
        .collect()
}

#[test]
fn attributes_round_trip() {
    let sample = sample_attrs();
    let mut buf = Vec::new();
    for (ty, payload) in &sample {
        put_attr(&mut buf, *ty, payload);
        assert_eq!(buf.len() % 4, 0, "every attribute ends aligned");
    }
    let decoded: Vec<(u16, Vec<u8>)> = attrs(&buf).map(|(t, v)| (t, v.to_vec())).collect();
    assert_eq!(decoded, sample);
}

#[test]
fn strings_and_integers_round_trip() {
    let mut buf = Vec::new();
    put_str(&mut buf, 1, b"kvstore");
    put_attr(&mut buf, 2, &7u32.to_ne_bytes());
    put_attr(&mut buf, 3, &u64::MAX.to_ne_bytes());
    let a: Vec<_> = attrs(&buf).collect();
    assert_eq!(a[0], (1, &b"kvstore\0"[..]));
    assert_eq!(str_of(a[0].1), b"kvstore");
    assert_eq!(u32_of(a[1].1), Some(7));
    assert_eq!(u64_of(a[2].1), Some(u64::MAX));
    assert_eq!(u32_of(a[2].1), None, "a wrong length is no value");
    assert_eq!(u64_of(a[1].1), None);
}

#[test]
fn type_flags_are_masked_and_nesting_decodes() {
    let mut inner = Vec::new();
    put_attr(&mut inner, 2, &9u32.to_ne_bytes());
    let mut buf = Vec::new();
    put_attr(&mut buf, 5 | NLA_F_NESTED, &inner);
    put_attr(&mut buf, 6 | NLA_F_NET_BYTEORDER, &[1, 2]);
    let a: Vec<_> = attrs(&buf).collect();
    assert_eq!(a[0].0, 5);
    assert_eq!(a[1], (6, &[1u8, 2][..]));
    assert_eq!(attrs(a[0].1).next(), Some((2, &9u32.to_ne_bytes()[..])));
}

#[test]
fn builder_matches_genl_msg_and_batches() {
    let mut a = Vec::new();
    put_str(&mut a, 1, b"key");
    put_attr(&mut a, 2, b"value");
    let one = genl_msg(0x20, NLM_F_REQUEST | NLM_F_ACK, 5, 3, 1, &a);
    let mut b = Builder::new();
    b.msg(0x20, NLM_F_REQUEST | NLM_F_ACK, 5, 3, 1)
        .str(1, "key")
        .attr(2, b"value");
    assert_eq!(b.buf, one);

    b.msg(0x20, NLM_F_REQUEST, 6, 4, 1).u32(3, 1).u64(4, 2);
    let msgs: Vec<_> = messages(&b.buf).collect();
    assert_eq!(msgs.len(), 2);
    assert_eq!(
        (msgs[0].ty, msgs[0].flags, msgs[0].seq),
        (0x20, NLM_F_REQUEST | NLM_F_ACK, 5)
    );
    assert_eq!(msgs[0].genl_cmd(), Some(3));
    assert_eq!(
        msgs[0].genl_attrs().collect::<Vec<_>>(),
        attrs(&a).collect::<Vec<_>>()
    );
    assert_eq!((msgs[1].seq, msgs[1].genl_cmd()), (6, Some(4)));
    assert_eq!(
        msgs[1].genl_attrs().filter_map(|(_, v)| u64_of(v)).next(),
        Some(2)
    );
}

#[test]
fn set_seq_changes_only_the_sequence_number() {
    let mut req = getfamily_request("kvstore", 0, 0);
    let before = req.clone();
    set_seq(&mut req, 0x0102_0304);
    let m = messages(&req).next().unwrap();
    assert_eq!(m.seq, 0x0102_0304);
    assert_eq!(req[..8], before[..8]);
    assert_eq!(req[12..], before[12..]);
}

/// An `NLMSG_ERROR` answering `request`, with an extack message.
fn error_reply(errno: i32, request: &[u8], capped: bool, msg: &str) -> Vec<u8> {
    let mut body = (-errno).to_ne_bytes().to_vec();
    body.extend_from_slice(if capped {
        &request[..NLMSG_HDRLEN]
    } else {
        request
    });
    pad4(&mut body);
    put_str(&mut body, NLMSGERR_ATTR_MSG, msg.as_bytes());
    put_attr(&mut body, 2, &0u32.to_ne_bytes()); // NLMSGERR_ATTR_OFFS
    let flags = NLM_F_ACK_TLVS | if capped { NLM_F_CAPPED } else { 0 };
    let mut m = Vec::new();
    m.extend_from_slice(&((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
    m.extend_from_slice(&NLMSG_ERROR.to_ne_bytes());
    m.extend_from_slice(&flags.to_ne_bytes());
    m.extend_from_slice(&9u32.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(&body);
    m
}

#[test]
fn errors_and_extack_messages_decode() {
    let mut a = Vec::new();
    put_str(&mut a, 1, b"k");
    let request = genl_msg(0x20, NLM_F_REQUEST | NLM_F_ACK, 9, 2, 1, &a);
    for capped in [false, true] {
        let reply = error_reply(libc::EINVAL, &request, capped, "key too long");
        let m = messages(&reply).next().unwrap();
        assert_eq!(m.error(), Some(-libc::EINVAL));
        assert_eq!(
            m.extack_msg().as_deref(),
            Some("key too long"),
            "capped: {capped}"
        );
    }
    let request_only = genl_msg(0x20, NLM_F_REQUEST, 1, 2, 1, &[]);
    assert_eq!(
        messages(&request_only).next().unwrap().error(),
        None,
        "not an error message"
    );
}

#[test]
fn family_reply_decodes() {
    let mut group = Vec::new();
    put_str(&mut group, CTRL_ATTR_MCAST_GRP_NAME, b"notify");
    put_attr(&mut group, CTRL_ATTR_MCAST_GRP_ID, &12u32.to_ne_bytes());
    let mut groups = Vec::new();
    put_attr(&mut groups, 1 | NLA_F_NESTED, &group);
    let mut a = Vec::new();
    put_attr(&mut a, CTRL_ATTR_FAMILY_ID, &0x24u16.to_ne_bytes());
    put_str(&mut a, CTRL_ATTR_FAMILY_NAME, b"kvstore");
    put_attr(&mut a, CTRL_ATTR_MCAST_GROUPS | NLA_F_NESTED, &groups);
    let reply = genl_msg(GENL_ID_CTRL, 0, 1, 1, CTRL_VERSION, &a);
    let fam = Family::from_attrs(messages(&reply).next().unwrap().genl_attrs());
    assert_eq!(
        fam,
        Family {
            id: 0x24,
            groups: vec![("notify".into(), 12)]
        }
    );
    assert_eq!(fam.group("notify"), Some(12));
    assert_eq!(fam.group("other"), None);
}

/// Walks everything a datagram offers, as a tool would.
fn decode_all(datagram: &[u8]) -> usize {
    let mut seen = 0;
    for m in messages(datagram) {
        seen += 1;
        let _ = (m.error(), m.extack_msg(), m.genl_cmd());
        for (_, v) in m.genl_attrs() {
            seen += attrs(v).count() + str_of(v).len();
            let _ = (u32_of(v), u64_of(v));
        }
        let _ = Family::from_attrs(m.genl_attrs());
    }
    seen
}

#[test]
fn truncated_input_ends_the_walk_without_panicking() {
    let mut request = Builder::new();
    // The key gets padding, the value none: every cut short of the end loses an attribute.
    request
        .msg(0x20, NLM_F_REQUEST | NLM_F_ACK, 9, 2, 1)
        .str(1, "a key")
        .attr(2, &[7; 12]);
    let mut datagram = request.buf.clone();
    datagram.extend_from_slice(&error_reply(
        libc::ENOENT,
        &request.buf,
        false,
        "no such key",
    ));
    let whole = messages(&datagram).count();
    assert_eq!(whole, 2);
    for cut in 0..datagram.len() {
        let part = &datagram[..cut];
        decode_all(part);
        assert!(
            messages(part).count() < whole,
            "a cut message is not returned (cut at {cut})"
        );
    }
    for cut in 0..request.buf.len() - NLMSG_HDRLEN - GENL_HDRLEN {
        let attrs_part = &request.buf[NLMSG_HDRLEN + GENL_HDRLEN..][..cut];
        assert!(
            attrs(attrs_part).count() < 2,
            "a cut attribute is not returned (cut at {cut})"
        );
    }
}

#[test]
fn garbled_lengths_end_the_walk_without_panicking() {
    let mut reply = error_reply(
        libc::EPERM,
        &genl_msg(0x20, NLM_F_REQUEST, 1, 2, 1, &[]),
        false,
        "no",
    );
    // An error whose echoed request claims to be huge: the TLVs are out of reach.
    let huge = u32::MAX.to_ne_bytes();
    reply[NLMSG_HDRLEN + 4..NLMSG_HDRLEN + 8].copy_from_slice(&huge);
    assert_eq!(messages(&reply).next().unwrap().extack_msg(), None);
    // Message and attribute lengths below their header's size, or past the end.
    for bad_len in [0u32, 3, 15, 1 << 20] {
        let mut d = reply.clone();
        d[..4].copy_from_slice(&bad_len.to_ne_bytes());
        decode_all(&d);
        assert_eq!(messages(&d).count(), 0, "length {bad_len}");
    }
    for bad_len in [0u16, 3, 0xffff] {
        let mut a = Vec::new();
        put_attr(&mut a, 1, b"payload");
        a[..2].copy_from_slice(&bad_len.to_ne_bytes());
        assert_eq!(attrs(&a).count(), 0, "length {bad_len}");
    }
    // A payload too long for the 16-bit length: encoded anyway, decoded as far as it says.
    let mut a = Vec::new();
    put_attr(&mut a, 1, &vec![0xa5; 70_000]);
    let (_, first) = attrs(&a).next().unwrap();
    assert_eq!(first.len(), u16::MAX as usize - 4);
    decode_all(&genl_msg(0x20, 0, 1, 1, 1, &a));
}
