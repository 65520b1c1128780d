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

/// The attributes in `buf`, walked without allocating; an attribute running past the end is
/// an error, after which the walk ends.
#[inline]
pub fn iter_attrs(buf: &[u8]) -> AttrIter<'_> {
    AttrIter { buf, off: 0 }
}

/// See [`iter_attrs`].
#[derive(Clone, Debug)]
pub struct AttrIter<'a> {
    buf: &'a [u8],
    off: usize,
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Result<RawAttr<'a>, AttrError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let (buf, off) = (self.buf, self.off);
        let rest = buf.get(off..).filter(|r| !r.is_empty())?;
        let (len, ty) = match rest {
            [l0, l1, t0, t1, ..] => (
                u16::from_ne_bytes([*l0, *l1]) as usize,
                u16::from_ne_bytes([*t0, *t1]),
            ),
            _ => return Some(Err(self.stray())),
        };
        if len < 4 || len > rest.len() {
            return Some(Err(self.bad_length(ty, len)));
        }
        let full_len = (len + 3) & !3;
        self.off = off + full_len;
        Some(Ok(RawAttr {
            kind: ty & NLA_TYPE_MASK,
            nested: ty & NLA_F_NESTED != 0,
            payload: &rest[4..len],
            offset: off,
            full_len,
        }))
    }
}

impl AttrIter<'_> {
    /// Ends the walk with bytes too few for a header.
    #[cold]
    fn stray(&mut self) -> AttrError {
        let left = self.buf.len() - self.off;
        self.off = self.buf.len();
        AttrError(format!("{left} stray bytes after the attributes"))
    }

    /// Ends the walk with an attribute whose length does not fit.
    #[cold]
    fn bad_length(&mut self, ty: u16, len: usize) -> AttrError {
        self.off = self.buf.len();
        AttrError(format!(
            "attribute type {} has a bad length {len}",
            ty & NLA_TYPE_MASK
        ))
    }
}

/// The attributes in `buf`; an attribute running past the end is an error.
pub fn attrs(buf: &[u8]) -> Result<Vec<RawAttr<'_>>, AttrError> {
    iter_attrs(buf).collect()
}

/// The largest payload an attribute holds: `nla_len` is 16 bits and counts the header.
pub const MAX_PAYLOAD: usize = u16::MAX as usize - 4;

/// Appends an attribute of type `ty` (flags included) with `payload`, padded to 4 bytes.
///
/// A payload over [`MAX_PAYLOAD`] is written with a length of 0, which no walk accepts: the
/// request is then refused before it is sent ([`check_request`]) instead of going out with a
/// wrapped length.
#[inline] // across crates, so that a payload of known size is copied without a call
pub fn put_attr(out: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    let len = if payload.len() > MAX_PAYLOAD {
        0
    } else {
        (payload.len() + 4) as u16
    };
    out.reserve(payload.len() + 8);
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(payload);
    out.extend_from_slice(&[0; 3][..(4 - payload.len() % 4) % 4]);
}

/// Refuses request attributes that do not walk: one put over [`MAX_PAYLOAD`] (or inside a
/// nest that is) shows here as a bad length.
pub fn check_request(attrs: &[u8], name: impl Fn(u16) -> String) -> Result<(), String> {
    let mut off = 0;
    while off + 4 <= attrs.len() {
        let len = u16::from_ne_bytes([attrs[off], attrs[off + 1]]) as usize;
        let ty = u16::from_ne_bytes([attrs[off + 2], attrs[off + 3]]) & NLA_TYPE_MASK;
        if len < 4 {
            return Err(format!(
                "attribute `{}` is over {MAX_PAYLOAD} bytes, the most a netlink attribute holds",
                name(ty)
            ));
        }
        off += (len + 3) & !3;
    }
    Ok(())
}
