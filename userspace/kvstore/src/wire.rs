// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The `do` path's own codec, used by [`crate::blocking::Client`].
//!
//! A request is written straight from the caller's borrowed fields into a reused buffer, and a
//! reply's attributes are read in place into the typed reply. The bytes are those of
//! [`crate::message`] (the tests below check both directions against it); what is skipped is
//! the intermediate `Vec<EntryAttr>` with its clones, allocations and generic walks, which cost
//! ~5,000 instructions per `echo`, as much as the kernel round trip itself (docs/bench.md).
//! Errors from the kernel are rare and take the generic path.

use netlink_packet_core::{NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_HEADER_SIZE};

use crate::{
    error::{Error, Result},
    message::{EntryAttr, KvstoreCmd},
    spec,
};

/// Size of `struct nlmsghdr`.
pub(crate) const NLMSG_HDRLEN: usize = 16;
/// Size of `struct genlmsghdr`.
pub(crate) const GENL_HDRLEN: usize = 4;

const fn align4(len: usize) -> usize {
    (len + 3) & !3
}

/// A request attribute, borrowed from the caller's request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AttrRef<'a> {
    /// Sent with its trailing NUL, as `EntryAttr::Key`.
    Key(&'a [u8]),
    Value(&'a [u8]),
    Flags(u32),
    Generation(u64),
    /// `put-mode` value.
    Mode(u32),
}

impl AttrRef<'_> {
    fn kind(self) -> u16 {
        match self {
            AttrRef::Key(_) => spec::ENTRY_KEY,
            AttrRef::Value(_) => spec::ENTRY_VALUE,
            AttrRef::Flags(_) => spec::ENTRY_FLAGS,
            AttrRef::Generation(_) => spec::ENTRY_GENERATION,
            AttrRef::Mode(_) => spec::ENTRY_MODE,
        }
    }

    fn value_len(self) -> usize {
        match self {
            AttrRef::Key(k) => k.len() + 1,
            AttrRef::Value(v) => v.len(),
            AttrRef::Flags(_) | AttrRef::Mode(_) => 4,
            AttrRef::Generation(_) => 8,
        }
    }

    /// The owned attribute, for the generic path.
    pub(crate) fn to_entry_attr(self) -> EntryAttr {
        match self {
            AttrRef::Key(k) => EntryAttr::Key(k.into()),
            AttrRef::Value(v) => EntryAttr::Value(v.to_vec()),
            AttrRef::Flags(f) => EntryAttr::Flags(f),
            AttrRef::Generation(g) => EntryAttr::Generation(g),
            AttrRef::Mode(m) => EntryAttr::Mode(m),
        }
    }

    /// Writes the attribute into `nla` (its aligned size, zeroed: the key's NUL and the
    /// padding are already there).
    fn write(self, nla: &mut [u8]) {
        let len = NLA_HEADER_SIZE + self.value_len();
        nla[..2].copy_from_slice(&(len as u16).to_ne_bytes());
        nla[2..4].copy_from_slice(&self.kind().to_ne_bytes());
        let value = &mut nla[NLA_HEADER_SIZE..len];
        match self {
            AttrRef::Key(k) => value[..k.len()].copy_from_slice(k),
            AttrRef::Value(v) => value.copy_from_slice(v),
            AttrRef::Flags(f) | AttrRef::Mode(f) => value.copy_from_slice(&f.to_ne_bytes()),
            AttrRef::Generation(g) => value.copy_from_slice(&g.to_ne_bytes()),
        }
    }
}

/// The attributes of one request, on the stack: at most four (an `echo` with every field, a
/// `put` with a mode).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttrList<'a> {
    items: [AttrRef<'a>; 4],
    len: usize,
}

impl<'a> AttrList<'a> {
    /// The attributes that are `Some`, in order.
    pub(crate) fn of(attrs: [Option<AttrRef<'a>>; 4]) -> Self {
        let mut list = AttrList {
            items: [AttrRef::Flags(0); 4],
            len: 0,
        };
        for attr in attrs.into_iter().flatten() {
            list.items[list.len] = attr;
            list.len += 1;
        }
        list
    }
}

impl<'a> std::ops::Deref for AttrList<'a> {
    type Target = [AttrRef<'a>];

    fn deref(&self) -> &[AttrRef<'a>] {
        &self.items[..self.len]
    }
}

/// Writes a whole request (`nlmsghdr`, `genlmsghdr`, attributes) into `buf`.
///
/// Fails, writing nothing the caller could send, if an attribute does not fit the 16-bit
/// `nla_len`.
pub(crate) fn encode_request(
    buf: &mut Vec<u8>,
    family: u16,
    cmd: KvstoreCmd,
    flags: u16,
    seq: u32,
    attrs: &[AttrRef<'_>],
) -> Result<()> {
    buf.clear();
    // Sized first, so that the buffer is resized (and zeroed) once.
    let mut len = NLMSG_HDRLEN + GENL_HDRLEN;
    for attr in attrs {
        let max = u16::MAX as usize - NLA_HEADER_SIZE;
        if attr.value_len() > max {
            return Err(Error::InvalidRequest(format!(
                "attribute `{}` is {} bytes; a netlink attribute holds at most {max}",
                attr.to_entry_attr().name(),
                attr.value_len()
            )));
        }
        if let AttrRef::Key(key) = attr {
            check_key(key)?;
        }
        len += align4(NLA_HEADER_SIZE + attr.value_len());
    }
    if len > u32::MAX as usize {
        return Err(Error::InvalidRequest(format!("a request of {len} bytes")));
    }
    buf.resize(len, 0); // nlmsg_pid 0: the kernel
    buf[..4].copy_from_slice(&(len as u32).to_ne_bytes());
    buf[4..6].copy_from_slice(&family.to_ne_bytes());
    buf[6..8].copy_from_slice(&flags.to_ne_bytes());
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    buf[16] = cmd.into();
    buf[17] = spec::FAMILY_VERSION;
    let mut at = NLMSG_HDRLEN + GENL_HDRLEN;
    for &attr in attrs {
        let next = at + align4(NLA_HEADER_SIZE + attr.value_len());
        attr.write(&mut buf[at..next]);
        at = next;
    }
    Ok(())
}

/// Refuses a key holding a NUL byte: the kernel would read the key only up to it, and act on
/// another entry than the one asked for.
pub(crate) fn check_key(key: &[u8]) -> Result<()> {
    match key.iter().position(|&b| b == 0) {
        Some(at) => Err(Error::InvalidRequest(format!(
            "the key holds a NUL byte (at offset {at}); a key is any bytes but NUL"
        ))),
        None => Ok(()),
    }
}

/// One netlink message of a received datagram.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawMessage<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    /// The whole message, header included.
    pub bytes: &'a [u8],
}

impl<'a> RawMessage<'a> {
    /// What follows the `nlmsghdr`.
    pub fn body(&self) -> &'a [u8] {
        &self.bytes[NLMSG_HDRLEN..]
    }
}

fn ne_u16(b: &[u8]) -> u16 {
    u16::from_ne_bytes([b[0], b[1]])
}

fn ne_u32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

/// The messages of a datagram, each header checked against the datagram's bounds.
pub(crate) fn messages(datagram: &[u8]) -> impl Iterator<Item = Result<RawMessage<'_>>> {
    let mut rest = datagram;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let len = if rest.len() >= NLMSG_HDRLEN {
            ne_u32(rest) as usize
        } else {
            0
        };
        if len < NLMSG_HDRLEN || len > rest.len() {
            let err = Error::Netlink(format!(
                "malformed netlink message: length {len} with {} bytes left",
                rest.len()
            ));
            rest = &[];
            return Some(Err(err));
        }
        let msg = RawMessage {
            ty: ne_u16(&rest[4..]),
            flags: ne_u16(&rest[6..]),
            seq: ne_u32(&rest[8..]),
            bytes: &rest[..len],
        };
        rest = &rest[align4(len).min(rest.len())..];
        Some(Ok(msg))
    })
}

/// The attributes of a payload as (type without the nested/byte-order bits, value), each
/// checked against the payload's bounds.
pub(crate) fn attributes(payload: &[u8]) -> impl Iterator<Item = Result<(u16, &[u8])>> {
    let mut rest = payload;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let len = if rest.len() >= NLA_HEADER_SIZE {
            ne_u16(rest) as usize
        } else {
            0
        };
        if len < NLA_HEADER_SIZE || len > rest.len() {
            let err = Error::Decode(format!(
                "malformed attribute: length {len} with {} bytes left",
                rest.len()
            ));
            rest = &[];
            return Some(Err(err));
        }
        let kind = ne_u16(&rest[2..]) & !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
        let value = &rest[NLA_HEADER_SIZE..len];
        rest = &rest[align4(len).min(rest.len())..];
        Some(Ok((kind, value)))
    })
}

/// A kvstore message's command and attribute bytes (after the `genlmsghdr`).
pub(crate) fn genl_payload(body: &[u8]) -> Result<(KvstoreCmd, &[u8])> {
    if body.len() < GENL_HDRLEN {
        return Err(Error::Decode(format!(
            "genetlink message of {} bytes",
            body.len()
        )));
    }
    let cmd = KvstoreCmd::try_from(body[0])?;
    Ok((cmd, &body[GENL_HDRLEN..]))
}

#[cfg(test)]
mod tests {
    use netlink_packet_core::{NetlinkMessage, NLM_F_ACK, NLM_F_REQUEST};
    use netlink_packet_generic::GenlMessage;

    use super::*;
    use crate::message::KvstoreMessage;

    fn generic_encoding(
        family: u16,
        cmd: KvstoreCmd,
        flags: u16,
        seq: u32,
        attrs: Vec<EntryAttr>,
    ) -> Vec<u8> {
        let mut genl = GenlMessage::from_payload(KvstoreMessage::new(cmd, attrs));
        genl.set_resolved_family_id(family);
        let mut nl = NetlinkMessage::from(genl);
        nl.header.flags = flags;
        nl.header.sequence_number = seq;
        nl.finalize();
        let mut buf = vec![0; nl.buffer_len()];
        nl.serialize(&mut buf);
        buf
    }

    const SAMPLE: [AttrRef<'static>; 4] = [
        AttrRef::Key(b"b00000001"), // 10 bytes with the NUL: padded
        AttrRef::Value(&[1, 2, 3]), // padded
        AttrRef::Flags(3),
        AttrRef::Generation(0x0102_0304_0506_0708),
    ];

    #[test]
    fn encodes_as_the_generic_path() {
        let mut buf = vec![0xaa; 7]; // stale bytes must go
        encode_request(
            &mut buf,
            0x1d,
            KvstoreCmd::Echo,
            NLM_F_REQUEST | NLM_F_ACK,
            9,
            &SAMPLE,
        )
        .unwrap();
        let owned = SAMPLE.iter().map(|a| a.to_entry_attr()).collect();
        assert_eq!(
            buf,
            generic_encoding(0x1d, KvstoreCmd::Echo, NLM_F_REQUEST | NLM_F_ACK, 9, owned)
        );
    }

    #[test]
    fn put_mode_is_encoded_as_the_generic_path() {
        let put = [
            AttrRef::Key(b"k"),
            AttrRef::Value(b"v"),
            AttrRef::Flags(0),
            AttrRef::Mode(spec::PUT_MODE_REPLACE),
        ];
        let mut buf = Vec::new();
        encode_request(&mut buf, 0x1d, KvstoreCmd::Put, NLM_F_REQUEST, 3, &put).unwrap();
        let owned = put.iter().map(|a| a.to_entry_attr()).collect();
        assert_eq!(
            buf,
            generic_encoding(0x1d, KvstoreCmd::Put, NLM_F_REQUEST, 3, owned)
        );
        // The mode attribute, last: type 7, the value 2 in host order.
        let mode = &buf[buf.len() - 8..];
        assert_eq!(mode[..4], [8, 0, 7, 0]);
        assert_eq!(mode[4..], 2u32.to_ne_bytes());
    }

    #[test]
    fn keys_are_bytes_and_hold_no_nul() {
        let key = [AttrRef::Key(b"k\xff\xfe")];
        let mut buf = Vec::new();
        encode_request(&mut buf, 0x1d, KvstoreCmd::Get, NLM_F_REQUEST, 4, &key).unwrap();
        let owned = key.iter().map(|a| a.to_entry_attr()).collect();
        assert_eq!(
            buf,
            generic_encoding(0x1d, KvstoreCmd::Get, NLM_F_REQUEST, 4, owned)
        );
        assert_eq!(
            buf[NLMSG_HDRLEN + GENL_HDRLEN..],
            [8, 0, 1, 0, b'k', 0xff, 0xfe, 0]
        );
        let err = encode_request(&mut buf, 1, KvstoreCmd::Get, 0, 1, &[AttrRef::Key(b"a\0b")])
            .unwrap_err();
        assert!(err.to_string().contains("NUL byte (at offset 1)"), "{err}");
    }

    #[test]
    fn oversized_attribute_is_refused() {
        let big = vec![0; 65532];
        let mut buf = Vec::new();
        let err = encode_request(&mut buf, 1, KvstoreCmd::Put, 0, 1, &[AttrRef::Value(&big)])
            .unwrap_err();
        assert!(
            err.to_string().contains("attribute `value` is 65532 bytes"),
            "{err}"
        );
        assert!(buf.is_empty());
    }

    #[test]
    fn decodes_what_the_generic_path_encodes() {
        let owned: Vec<EntryAttr> = SAMPLE.iter().map(|a| a.to_entry_attr()).collect();
        let mut datagram = generic_encoding(0x1d, KvstoreCmd::Echo, 0, 5, owned.clone());
        datagram.extend(generic_encoding(0x1d, KvstoreCmd::Get, 0, 6, vec![]));
        let msgs: Vec<_> = messages(&datagram).collect::<Result<_>>().unwrap();
        assert_eq!(
            msgs.iter().map(|m| (m.ty, m.seq)).collect::<Vec<_>>(),
            [(0x1d, 5), (0x1d, 6)]
        );
        let (cmd, payload) = genl_payload(msgs[0].body()).unwrap();
        assert_eq!(cmd, KvstoreCmd::Echo);
        let attrs: Vec<_> = attributes(payload).collect::<Result<_>>().unwrap();
        assert_eq!(attrs.len(), 4);
        assert_eq!(attrs[0], (spec::ENTRY_KEY, &b"b00000001\0"[..]));
        assert_eq!(attrs[1], (spec::ENTRY_VALUE, &[1u8, 2, 3][..]));
        assert_eq!(
            attrs[3],
            (
                spec::ENTRY_GENERATION,
                &0x0102_0304_0506_0708u64.to_ne_bytes()[..]
            )
        );
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        let full = generic_encoding(
            0x1d,
            KvstoreCmd::Echo,
            0,
            5,
            SAMPLE.iter().map(|a| a.to_entry_attr()).collect(),
        );
        for cut in 0..full.len() {
            let _ = messages(&full[..cut]).count();
            // A message whose length field lies: claims more than there is.
            let lying = &full[..cut.max(NLMSG_HDRLEN)];
            assert!(messages(lying).any(|m| m.is_err()) || lying.len() == full.len());
            let _ =
                attributes(&full[NLMSG_HDRLEN + GENL_HDRLEN..cut.max(NLMSG_HDRLEN + GENL_HDRLEN)])
                    .collect::<Vec<_>>();
        }
        assert!(attributes(&[8, 0, 1, 0, 0]).next().unwrap().is_err());
        assert!(attributes(&[2, 0, 1, 0]).next().unwrap().is_err());
    }
}

/// A profiling aid, not a test: the instructions one `echo` costs this codec, counted with
/// `N=1000 valgrind --tool=callgrind <kvstore unit-test binary> --ignored --exact
/// wire::cost_probe::echo_codec_loop` at two values of N (docs/bench.md).
#[cfg(test)]
mod cost_probe {
    use super::*;
    use crate::types::{Echo, EntryFlags, FromReply};

    #[test]
    #[ignore]
    fn echo_codec_loop() {
        let n: usize = std::env::var("N").map(|v| v.parse().unwrap()).unwrap_or(1);
        let req = Echo {
            key: Some("b00000000".into()),
            value: Some(vec![1; 8]),
            flags: Some(EntryFlags(0)),
            generation: Some(1),
        };
        let mut tx = Vec::new();
        let mut rx = Vec::new();
        encode_request(&mut rx, 30, KvstoreCmd::Echo, 0, 7, &req.attr_refs()).unwrap();
        let mut sum = 0;
        for _ in 0..n {
            encode_request(
                &mut tx,
                30,
                KvstoreCmd::Echo,
                1,
                7,
                &std::hint::black_box(&req).attr_refs(),
            )
            .unwrap();
            for m in messages(std::hint::black_box(&rx)) {
                let m = m.unwrap();
                let (cmd, p) = genl_payload(m.body()).unwrap();
                sum += Echo::from_payload(cmd, p).unwrap().generation.unwrap();
            }
        }
        assert_eq!(sum, n as u64);
    }
}
