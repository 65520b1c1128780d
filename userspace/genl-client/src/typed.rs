// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed values to and from attribute payloads: what the generated per-family clients
//! (`client_gen.rs`) encode and decode with, shared rather than copied into each. Every
//! error names the attribute by its spec name.

use crate::attr::{put_attr, AttrError, MAX_PAYLOAD, NLA_F_NESTED};
use crate::string::NlString;
use crate::{NlError, Result};

/// An attribute walk that failed, as the client reports it.
pub fn malformed(e: AttrError) -> NlError {
    NlError::Malformed(e.0)
}

/// A fixed-size payload; another size is an error naming the attribute.
#[inline]
pub fn fixed<const N: usize>(payload: &[u8], name: &str) -> Result<[u8; N]> {
    payload.try_into().map_err(|_| {
        NlError::Malformed(format!(
            "attribute {name}: {} bytes, not {N}",
            payload.len()
        ))
    })
}

/// A `uint` or `sint`: 4 or 8 bytes.
#[inline]
pub fn get_var(payload: &[u8], name: &str, signed: bool) -> Result<i128> {
    Ok(match (payload.len(), signed) {
        (4, false) => u32::from_ne_bytes(fixed(payload, name)?).into(),
        (4, true) => i32::from_ne_bytes(fixed(payload, name)?).into(),
        (_, false) => u64::from_ne_bytes(fixed(payload, name)?).into(),
        (_, true) => i64::from_ne_bytes(fixed(payload, name)?).into(),
    })
}

/// A string without its terminating NUL, as bytes (the kernel checks no encoding).
#[inline]
pub fn get_str(payload: &[u8]) -> NlString {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    NlString::from(&payload[..end])
}

/// An enum attribute's value as the spec's type: a value the spec does not name is an
/// error naming the attribute and the value, never a wrong variant.
#[inline]
pub fn get_enum<T>(v: u32, name: &str, from: fn(u32) -> Option<T>) -> Result<T> {
    from(v).ok_or_else(|| {
        NlError::Malformed(format!(
            "attribute {name}: {v} is none of its enum's values"
        ))
    })
}

fn oversize(name: &str, len: usize) -> NlError {
    NlError::InvalidRequest(format!(
        "attribute `{name}` is {len} bytes; a netlink attribute holds at most {MAX_PAYLOAD}"
    ))
}

/// Appends a binary attribute; over 64 KiB is an error naming it.
#[inline]
pub fn put_bytes(out: &mut Vec<u8>, ty: u16, name: &str, v: &[u8]) -> Result<()> {
    if v.len() > MAX_PAYLOAD {
        return Err(oversize(name, v.len()));
    }
    put_attr(out, ty, v);
    Ok(())
}

/// Appends a string attribute, NUL-terminated (`NLA_NUL_STRING`). A NUL inside is an error:
/// the kernel would read the string only up to it, and act on another value than the one
/// asked for.
#[inline]
pub fn put_str(out: &mut Vec<u8>, ty: u16, name: &str, s: &[u8]) -> Result<()> {
    if has_nul(s) {
        let at = s.iter().position(|&b| b == 0).unwrap_or_default();
        return Err(NlError::InvalidRequest(format!(
            "attribute `{name}` holds a NUL byte (at offset {at}); a netlink string cannot"
        )));
    }
    if s.len() + 1 > MAX_PAYLOAD {
        return Err(oversize(name, s.len() + 1));
    }
    out.reserve(s.len() + 8);
    out.extend_from_slice(&((s.len() + 5) as u16).to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(s);
    // The NUL, then the padding.
    out.extend_from_slice(&[0; 4][..4 - s.len() % 4]);
    Ok(())
}

/// `nla_put_uint` / `nla_put_sint`: 4 bytes when the value fits, else 8.
#[inline]
pub fn put_var(out: &mut Vec<u8>, ty: u16, v: i128) {
    match (u32::try_from(v), i32::try_from(v)) {
        (Ok(u), _) => put_attr(out, ty, &u.to_ne_bytes()),
        (_, Ok(i)) => put_attr(out, ty, &i.to_ne_bytes()),
        _ => put_attr(out, ty, &(v as u64).to_ne_bytes()),
    }
}

/// Appends a nested attribute (`NLA_F_NESTED` set) whose attributes `fill` appends, in
/// place; over 64 KiB is an error naming it.
#[inline]
pub fn put_nest(
    out: &mut Vec<u8>,
    ty: u16,
    name: &str,
    fill: impl FnOnce(&mut Vec<u8>) -> Result<()>,
) -> Result<()> {
    let start = out.len();
    out.extend_from_slice(&[0, 0]);
    out.extend_from_slice(&(ty | NLA_F_NESTED).to_ne_bytes());
    fill(out)?;
    let len = out.len() - start;
    if len > u16::MAX as usize {
        return Err(oversize(name, len - 4));
    }
    out[start..start + 2].copy_from_slice(&(len as u16).to_ne_bytes());
    Ok(())
}

/// The payload of attribute `ty` in `buf`, read in place: the first one, as `nla_find()`
/// reads it (the walk stops there); attributes before it that do not walk are an error.
#[inline]
pub fn find_attr(buf: &[u8], ty: u16) -> Result<Option<&[u8]>> {
    for a in crate::attr::iter_attrs(buf) {
        let a = a.map_err(malformed)?;
        if a.kind == ty {
            return Ok(Some(a.payload));
        }
    }
    Ok(None)
}

/// The payloads of every attribute `ty` in `buf` (a `multi-attr`), read in place.
#[inline]
pub fn all_attrs(buf: &[u8], ty: u16) -> impl Iterator<Item = Result<&[u8]>> {
    crate::attr::iter_attrs(buf).filter_map(move |a| match a {
        Ok(a) if a.kind == ty => Some(Ok(a.payload)),
        Ok(_) => None,
        Err(e) => Some(Err(malformed(e))),
    })
}

/// A string's bytes without its NUL, in place.
#[inline]
pub fn str_bytes(payload: &[u8]) -> &[u8] {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    &payload[..end]
}

/// Whether `s` holds a NUL byte, 8 bytes at a time (a string is checked on every request).
#[inline]
fn has_nul(s: &[u8]) -> bool {
    const LO: u64 = u64::from_ne_bytes([0x01; 8]);
    const HI: u64 = u64::from_ne_bytes([0x80; 8]);
    let mut words = s.chunks_exact(8);
    // A byte of `w` is zero iff its bit 7 is set in `(w - LO) & !w & HI` (exact for the lowest
    // zero byte, so the test "some byte is zero" is exact).
    let zero = |w: u64| w.wrapping_sub(LO) & !w & HI != 0;
    words
        .by_ref()
        .any(|c| zero(u64::from_ne_bytes(c.try_into().unwrap())))
        || words.remainder().contains(&0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_nul_is_found_wherever_it_is() {
        for len in 0..24 {
            let clean = vec![0xffu8; len];
            assert!(!has_nul(&clean), "{len}");
            for at in 0..len {
                let mut s = clean.clone();
                s[at] = 0;
                assert!(has_nul(&s), "{len} {at}");
            }
        }
        assert!(!has_nul(b"\x01\x80\x7f\xfe\x81abc\x01"));
    }
}
