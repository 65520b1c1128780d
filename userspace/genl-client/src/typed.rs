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

/// A string without its NUL, as bytes (the kernel checks no encoding).
pub fn get_str(payload: &[u8]) -> NlString {
    let end = payload
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(payload.len());
    NlString::from(&payload[..end])
}

/// An enum attribute's value as the spec's type: a value the spec does not name is an
/// error naming the attribute and the value, never a wrong variant.
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
pub fn put_str(out: &mut Vec<u8>, ty: u16, name: &str, s: &[u8]) -> Result<()> {
    if let Some(at) = s.iter().position(|&b| b == 0) {
        return Err(NlError::InvalidRequest(format!(
            "attribute `{name}` holds a NUL byte (at offset {at}); a netlink string cannot"
        )));
    }
    if s.len() + 1 > MAX_PAYLOAD {
        return Err(oversize(name, s.len() + 1));
    }
    let start = out.len();
    out.extend_from_slice(&((s.len() + 5) as u16).to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(s);
    out.push(0);
    out.resize(start + ((s.len() + 5 + 3) & !3), 0);
    Ok(())
}

/// `nla_put_uint` / `nla_put_sint`: 4 bytes when the value fits, else 8.
pub fn put_var(out: &mut Vec<u8>, ty: u16, v: i128) {
    match (u32::try_from(v), i32::try_from(v)) {
        (Ok(u), _) => put_attr(out, ty, &u.to_ne_bytes()),
        (_, Ok(i)) => put_attr(out, ty, &i.to_ne_bytes()),
        _ => put_attr(out, ty, &(v as u64).to_ne_bytes()),
    }
}

/// Appends a nested attribute (`NLA_F_NESTED` set) whose attributes `fill` appends, in
/// place; over 64 KiB is an error naming it.
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
