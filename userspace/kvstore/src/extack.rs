// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Extended ack (`NETLINK_EXT_ACK`) parsing of NLMSG_ERROR payloads.

use netlink_packet_core::{
    parse_string, parse_u32, ErrorMessage, NlasIterator, NLA_HEADER_SIZE, NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
};
use netlink_packet_generic::constants::GENL_HDRLEN;

use crate::message::EntryAttr;

/// `NLMSGERR_ATTR_MSG`: human-readable error text.
pub const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: offset of the offending attribute in the request.
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_MISS_TYPE`: type of a missing required attribute.
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;

const NLMSG_HDRLEN: usize = 16;

/// The extended ack of an NLMSG_ERROR message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extack {
    pub message: Option<String>,
    pub offset: Option<u32>,
    pub missing_type: Option<u32>,
}

impl Extack {
    /// Parses the TLVs that follow the echoed request in `err`.
    ///
    /// `nlmsg_flags` are the flags of the NLMSG_ERROR message's own header:
    /// `NLM_F_CAPPED` says only the request's header was echoed and
    /// `NLM_F_ACK_TLVS` says TLVs follow. Malformed TLVs are ignored: the
    /// errno is what matters and must not be lost to a parsing problem.
    pub fn parse(err: &ErrorMessage, nlmsg_flags: u16) -> Self {
        let ext = Extack::default();
        if nlmsg_flags & NLM_F_ACK_TLVS == 0 || err.header.len() < NLMSG_HDRLEN {
            return ext;
        }
        let start = if nlmsg_flags & NLM_F_CAPPED != 0 {
            NLMSG_HDRLEN
        } else {
            let len = u32::from_ne_bytes(err.header[..4].try_into().expect("4 bytes")) as usize;
            (len + 3) & !3
        };
        match err.header.get(start..) {
            Some(tlvs) => Self::parse_tlvs(tlvs),
            None => ext,
        }
    }

    /// Parses the TLVs that follow the errno of an `NLMSG_DONE` (`netlink_dump_done()`
    /// puts the extack message there, flagged `NLM_F_ACK_TLVS`).
    pub fn parse_done(tlvs: &[u8], nlmsg_flags: u16) -> Self {
        if nlmsg_flags & NLM_F_ACK_TLVS == 0 {
            return Extack::default();
        }
        Self::parse_tlvs(tlvs)
    }

    fn parse_tlvs(tlvs: &[u8]) -> Self {
        let mut ext = Extack::default();
        for nla in NlasIterator::new(tlvs).map_while(Result::ok) {
            match nla.kind() {
                NLMSGERR_ATTR_MSG => ext.message = parse_string(nla.value()).ok(),
                NLMSGERR_ATTR_OFFS => ext.offset = parse_u32(nla.value()).ok(),
                NLMSGERR_ATTR_MISS_TYPE => ext.missing_type = parse_u32(nla.value()).ok(),
                _ => {}
            }
        }
        ext
    }
}

/// Maps an extack offset (from the start of the request's nlmsghdr) back to
/// the name of the request attribute it points into.
pub fn attr_at_offset(attrs: &[EntryAttr], offset: u32) -> Option<&'static str> {
    let offset = offset as usize;
    let mut pos = NLMSG_HDRLEN + GENL_HDRLEN;
    for attr in attrs {
        let len = netlink_packet_core::Emitable::buffer_len(attr);
        if offset >= pos && offset < pos + len.max(NLA_HEADER_SIZE) {
            return Some(attr.name());
        }
        pos += len;
    }
    None
}

/// Name of an `entry` attribute type reported as missing.
pub fn entry_attr_name(kind: u32) -> Option<&'static str> {
    crate::spec::ENTRY_ATTR_NAMES
        .get(kind as usize)
        .copied()
        .filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::num::NonZeroI32;

    fn tlv(kind: u16, value: &[u8]) -> Vec<u8> {
        let mut v = Vec::new();
        v.extend_from_slice(&((value.len() + 4) as u16).to_ne_bytes());
        v.extend_from_slice(&kind.to_ne_bytes());
        v.extend_from_slice(value);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    #[test]
    fn done_extack_needs_ack_tlvs() {
        let tlvs = [
            tlv(NLMSGERR_ATTR_MSG, b"cannot resume the dump\0"),
            tlv(99, b"xx"),
        ]
        .concat();
        let ext = Extack::parse_done(&tlvs, NLM_F_ACK_TLVS);
        assert_eq!(ext.message.as_deref(), Some("cannot resume the dump"));
        assert_eq!(Extack::parse_done(&tlvs, 0), Extack::default());
        assert_eq!(
            Extack::parse_done(&[1, 2], NLM_F_ACK_TLVS),
            Extack::default()
        );
    }

    fn error_message(capped: bool) -> (ErrorMessage, u16) {
        // Echoed request: 16-byte header claiming a 28-byte message.
        let mut payload = vec![0u8; 16];
        payload[..4].copy_from_slice(&28u32.to_ne_bytes());
        if !capped {
            payload.extend_from_slice(&[0u8; 12]);
        }
        payload.extend(tlv(NLMSGERR_ATTR_MSG, b"key too long\0"));
        payload.extend(tlv(NLMSGERR_ATTR_OFFS, &20u32.to_ne_bytes()));
        let mut err = ErrorMessage::default();
        err.code = NonZeroI32::new(-22);
        err.header = payload;
        let flags = NLM_F_ACK_TLVS | if capped { NLM_F_CAPPED } else { 0 };
        (err, flags)
    }

    #[test]
    fn parses_capped_and_uncapped() {
        for capped in [true, false] {
            let (err, flags) = error_message(capped);
            let ext = Extack::parse(&err, flags);
            assert_eq!(ext.message.as_deref(), Some("key too long"));
            assert_eq!(ext.offset, Some(20));
        }
    }

    #[test]
    fn no_tlvs_flag_means_no_extack() {
        let (err, _) = error_message(true);
        assert_eq!(Extack::parse(&err, NLM_F_CAPPED), Extack::default());
    }

    #[test]
    fn truncated_tlvs_are_tolerated() {
        let (mut err, flags) = error_message(true);
        err.header.truncate(err.header.len() - 3);
        let ext = Extack::parse(&err, flags);
        assert_eq!(ext.message.as_deref(), Some("key too long"));
        assert_eq!(ext.offset, None);
    }

    #[test]
    fn maps_offsets_to_attributes() {
        let attrs = vec![
            EntryAttr::Key("abc".into()),          // at 20, 8 bytes
            EntryAttr::Value(vec![1, 2, 3, 4, 5]), // at 28, 12 bytes
            EntryAttr::Flags(4),                   // at 40
        ];
        assert_eq!(attr_at_offset(&attrs, 20), Some("key"));
        assert_eq!(attr_at_offset(&attrs, 28), Some("value"));
        assert_eq!(attr_at_offset(&attrs, 44), Some("flags"));
        assert_eq!(attr_at_offset(&attrs, 48), None);
        assert_eq!(attr_at_offset(&attrs, 4), None);
    }
}
