// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed values to and from attribute payloads: what the generated per-family clients
//! (`client_gen.rs`) encode and decode with, shared rather than copied into each.

use crate::attr::{put_attr, AttrError, NLA_F_NESTED};
use crate::{NlError, Result};

/// An attribute walk that failed, as the client reports it.
pub fn malformed(e: AttrError) -> NlError {
    NlError::Malformed(e.0)
}

/// A fixed-size payload; another size is an error naming the attribute.
pub fn fixed<const N: usize>(payload: &[u8], name: &str) -> Result<[u8; N]> {
    payload.try_into().map_err(|_| {
        NlError::Malformed(format!(
            "attribute {name}: {} bytes, not {N}",
            payload.len()
        ))
    })
}

/// A `uint` or `sint`: 4 or 8 bytes.
pub fn get_var(payload: &[u8], name: &str, signed: bool) -> Result<i128> {
    Ok(match (payload.len(), signed) {
        (4, false) => u32::from_ne_bytes(fixed(payload, name)?).into(),
        (4, true) => i32::from_ne_bytes(fixed(payload, name)?).into(),
        (_, false) => u64::from_ne_bytes(fixed(payload, name)?).into(),
        (_, true) => i64::from_ne_bytes(fixed(payload, name)?).into(),
    })
}

/// A string without its NUL; not UTF-8 is an error, never a lossy copy.
pub fn get_str(payload: &[u8], name: &str) -> Result<String> {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    String::from_utf8(payload[..end].to_vec())
        .map_err(|_| NlError::Malformed(format!("attribute {name}: not UTF-8")))
}

/// Appends a string attribute, NUL-terminated (`NLA_NUL_STRING`).
pub fn put_str(out: &mut Vec<u8>, ty: u16, s: &str) {
    let mut v = Vec::with_capacity(s.len() + 1);
    v.extend_from_slice(s.as_bytes());
    v.push(0);
    put_attr(out, ty, &v);
}

/// `nla_put_uint` / `nla_put_sint`: 4 bytes when the value fits, else 8.
pub fn put_var(out: &mut Vec<u8>, ty: u16, v: i128) {
    match (u32::try_from(v), i32::try_from(v)) {
        (Ok(u), _) => put_attr(out, ty, &u.to_ne_bytes()),
        (_, Ok(i)) => put_attr(out, ty, &i.to_ne_bytes()),
        _ => put_attr(out, ty, &(v as u64).to_ne_bytes()),
    }
}

/// Appends a nested attribute (`NLA_F_NESTED` set) whose attributes `fill` appends.
pub fn put_nest(out: &mut Vec<u8>, ty: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    fill(&mut inner);
    put_attr(out, ty | NLA_F_NESTED, &inner);
}
