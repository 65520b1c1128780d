// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Attributes as bytes: walking them (`nla_for_each_attr`, checked) and appending them.

pub const NLA_F_NESTED: u16 = 0x8000;
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// Attributes that do not parse: one runs past the end, or bytes are left over.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrError(pub String);

impl std::fmt::Display for AttrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AttrError {}

/// One attribute as it sits in a message.
#[derive(Debug, Clone, Copy)]
pub struct RawAttr<'a> {
    /// The type with the nested/byte-order bits cleared.
    pub kind: u16,
    pub nested: bool,
    pub payload: &'a [u8],
    /// Where its header starts, from the start of the buffer walked.
    pub offset: usize,
    /// Its length with padding.
    pub full_len: usize,
}

/// The attributes in `buf`; an attribute running past the end is an error.
pub fn attrs(buf: &[u8]) -> Result<Vec<RawAttr<'_>>, AttrError> {
    let mut out = Vec::new();
    let mut off = 0;
    while off < buf.len() {
        if buf.len() - off < 4 {
            return Err(AttrError(format!(
                "{} stray bytes after the attributes",
                buf.len() - off
            )));
        }
        let len = u16::from_ne_bytes([buf[off], buf[off + 1]]) as usize;
        let ty = u16::from_ne_bytes([buf[off + 2], buf[off + 3]]);
        if len < 4 || off + len > buf.len() {
            return Err(AttrError(format!(
                "attribute type {} has a bad length {len}",
                ty & NLA_TYPE_MASK
            )));
        }
        out.push(RawAttr {
            kind: ty & NLA_TYPE_MASK,
            nested: ty & NLA_F_NESTED != 0,
            payload: &buf[off + 4..off + len],
            offset: off,
            full_len: (len + 3) & !3,
        });
        off += (len + 3) & !3;
    }
    Ok(out)
}

/// Appends an attribute of type `ty` (flags included) with `payload`, padded to 4 bytes.
pub fn put_attr(out: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    out.extend_from_slice(&((payload.len() + 4) as u16).to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(payload);
    out.resize((out.len() + 3) & !3, 0);
}
