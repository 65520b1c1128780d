// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Attributes to JSON and back, by the spec's attribute sets, as the kernel's YNL library
//! (`pyynl/lib/ynl.py`) does it: the same JSON for the same bytes (as `ynl --output-json`
//! prints it, with `--process-unknown` for attributes the spec does not know) and the same
//! bytes for the same JSON.

use std::net::{Ipv4Addr, Ipv6Addr};

use genl_client::attr::{attrs, put_attr, AttrError, RawAttr, NLA_F_NESTED};

use crate::json::{Json, Map};
use crate::spec::{Attr, AttrSet, EnumDef, Spec};

/// What could not be encoded or decoded, naming the attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct CodecError(pub String);

impl std::fmt::Display for CodecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<AttrError> for CodecError {
    fn from(e: AttrError) -> Self {
        CodecError(e.0)
    }
}

type Result<T> = std::result::Result<T, CodecError>;

fn fail<T>(msg: impl Into<String>) -> Result<T> {
    Err(CodecError(msg.into()))
}

fn hex(bytes: &[u8], sep: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(sep)
}

/// Python's `bytes.fromhex`: pairs of hex digits, whitespace allowed between them.
fn from_hex(s: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return None;
    }
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).ok()?, 16).ok())
        .collect()
}

/// (width in bytes, signed) of a fixed-width integer type.
fn int_type(kind: &str) -> Option<(usize, bool)> {
    Some(match kind {
        "u8" => (1, false),
        "u16" => (2, false),
        "u32" => (4, false),
        "u64" => (8, false),
        "s8" => (1, true),
        "s16" => (2, true),
        "s32" => (4, true),
        "s64" => (8, true),
        _ => return None,
    })
}

fn read_int(raw: &[u8], signed: bool, big_endian: bool) -> i128 {
    let mut b = [0u8; 16];
    let n = raw.len();
    if big_endian {
        for (i, x) in raw.iter().rev().enumerate() {
            b[i] = *x;
        }
    } else if cfg!(target_endian = "little") {
        b[..n].copy_from_slice(raw);
    } else {
        for (i, x) in raw.iter().rev().enumerate() {
            b[i] = *x;
        }
    }
    let v = i128::from_le_bytes(b);
    if signed && n < 16 && raw_sign(&b, n) {
        v - (1i128 << (8 * n))
    } else {
        v
    }
}

fn raw_sign(le: &[u8; 16], n: usize) -> bool {
    n > 0 && le[n - 1] & 0x80 != 0
}

fn write_int(v: i128, width: usize, big_endian: bool) -> Vec<u8> {
    let le = v.to_le_bytes();
    let mut out = le[..width].to_vec();
    if big_endian || cfg!(target_endian = "big") {
        out.reverse();
    }
    out
}

fn in_range(v: i128, width: usize, signed: bool) -> bool {
    let bits = 8 * width as u32;
    if signed {
        v >= -(1i128 << (bits - 1)) && v < (1i128 << (bits - 1))
    } else {
        v >= 0 && v < (1i128 << bits)
    }
}

fn is_flags<'a>(spec: &'a Spec, a: &Attr) -> Option<(bool, &'a EnumDef)> {
    let e = spec.enums.get(a.enum_name.as_deref()?)?;
    Some((e.is_flags || a.enum_as_flags, e))
}

// ---- decoding ---------------------------------------------------------------------------------

fn enum_name(e: &EnumDef, raw: u64) -> String {
    e.name_of(raw)
        .map(str::to_owned)
        .unwrap_or_else(|| format!("Unknown({raw})"))
}

/// An integer as ynl shows it: an enum's name, a set of flag names (sorted, as ynl's JSON
/// encoder sorts a set), or the number, formatted per its display hint.
fn show_int(spec: &Spec, a: &Attr, v: i128) -> Json {
    if let Some((flags, e)) = is_flags(spec, a) {
        if flags {
            let mut names: Vec<String> = (0..64)
                .filter(|i| v >= 0 && (v >> i) & 1 == 1)
                .map(|i| enum_name(e, i))
                .collect();
            names.sort();
            names.dedup();
            return Json::Array(names.into_iter().map(Json::Str).collect());
        }
        return Json::Str(enum_name(e, v as u64));
    }
    match a.display_hint.as_deref() {
        Some("hex") => Json::Str(if v < 0 {
            format!("-{:#x}", -v)
        } else {
            format!("{v:#x}")
        }),
        Some("ipv4") | Some("ipv4-or-v6") if (0..=u32::MAX as i128).contains(&v) => {
            Json::Str(Ipv4Addr::from(v as u32).to_string())
        }
        _ => Json::Int(v),
    }
}

fn show_bytes(raw: &[u8], hint: Option<&str>) -> Json {
    match hint {
        Some("mac") => Json::Str(hex(raw, ":")),
        Some("hex") => Json::Str(hex(raw, " ")),
        Some("ipv4") | Some("ipv6") | Some("ipv4-or-v6") if raw.len() == 4 => {
            Json::Str(Ipv4Addr::from(<[u8; 4]>::try_from(raw).unwrap()).to_string())
        }
        Some("ipv6") | Some("ipv4-or-v6") if raw.len() == 16 => {
            Json::Str(Ipv6Addr::from(<[u8; 16]>::try_from(raw).unwrap()).to_string())
        }
        Some("uuid") if raw.len() == 16 => {
            let h = hex(raw, "");
            Json::Str(format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            ))
        }
        // ynl's JSON encoder writes bytes as hex.
        _ => Json::Str(hex(raw, "")),
    }
}

fn scalar(a: &Attr, kind: &str, raw: &[u8]) -> Result<i128> {
    let (width, signed) = int_type(kind).expect("an integer type");
    if raw.len() != width {
        return fail(format!(
            "attribute {}: {kind} needs {width} bytes, got {}",
            a.name,
            raw.len()
        ));
    }
    Ok(read_int(raw, signed, a.big_endian))
}

fn decode_unknown(r: &RawAttr) -> Result<Json> {
    if r.nested {
        Ok(Json::Object(decode(&Spec::empty(), None, r.payload)?))
    } else {
        Ok(Json::Str(hex(r.payload, "")))
    }
}

/// ynl's `_rsp_add`: a spec'd attribute that repeats without `multi-attr` keeps its last value;
/// a repeated unknown one becomes a list (and, as in ynl, a third occurrence replaces it).
fn rsp_add(rsp: &mut Map, name: &str, multi: Option<bool>, v: Json) {
    let multi = match multi {
        Some(m) => m,
        None => match rsp.get_mut(name) {
            Some(prev) if !matches!(prev, Json::Array(_)) => {
                let p = std::mem::replace(prev, Json::Null);
                *prev = Json::Array(vec![p]);
                true
            }
            _ => false,
        },
    };
    if !multi {
        rsp.insert(name, v);
    } else if let Some(Json::Array(items)) = rsp.get_mut(name) {
        items.push(v);
    } else {
        rsp.insert(name, Json::Array(vec![v]));
    }
}

/// The attributes in `buf`, decoded by `set` (None: none is known).
pub fn decode(spec: &Spec, set: Option<&AttrSet>, buf: &[u8]) -> Result<Map> {
    let mut rsp = Map::new();
    for r in attrs(buf)? {
        let Some(a) = set.and_then(|s| s.by_value(r.kind)) else {
            rsp_add(
                &mut rsp,
                &format!("UnknownAttr({})", r.kind),
                None,
                decode_unknown(&r)?,
            );
            continue;
        };
        let raw = r.payload;
        let v = match a.kind.as_str() {
            "pad" | "unused" => continue,
            "nest" => {
                let sub = a.nested.as_deref().and_then(|n| spec.attr_set(n));
                Json::Object(decode(spec, sub, raw)?)
            }
            "string" => {
                let s = &raw[..raw.len().saturating_sub(1)];
                Json::Str(String::from_utf8_lossy(s).into_owned())
            }
            "binary" => match a
                .sub_type
                .as_deref()
                .and_then(|t| int_type(t).map(|w| (t, w)))
            {
                Some((t, (width, signed))) => {
                    if raw.len() % width != 0 {
                        return fail(format!(
                            "attribute {}: {} bytes is no array of {t}",
                            a.name,
                            raw.len()
                        ));
                    }
                    Json::Array(
                        raw.chunks(width)
                            .map(|c| show_int(spec, a, read_int(c, signed, false)))
                            .collect(),
                    )
                }
                None => show_bytes(raw, a.display_hint.as_deref()),
            },
            "flag" => Json::Bool(true),
            "uint" | "sint" => {
                if raw.len() != 4 && raw.len() != 8 {
                    return fail(format!(
                        "attribute {}: {} needs 4 or 8 bytes, got {}",
                        a.name,
                        a.kind,
                        raw.len()
                    ));
                }
                let v = read_int(raw, a.kind == "sint", a.big_endian);
                if a.enum_name.is_some() {
                    show_int(spec, a, v)
                } else {
                    Json::Int(v)
                }
            }
            k if int_type(k).is_some() => show_int(spec, a, scalar(a, k, raw)?),
            "indexed-array" => decode_array(spec, a, raw)?,
            "bitfield32" => {
                if raw.len() != 8 {
                    return fail(format!("attribute {}: bitfield32 needs 8 bytes", a.name));
                }
                let value = read_int(&raw[..4], false, false);
                let selector = read_int(&raw[4..], false, false);
                let mut m = Map::new();
                m.insert("value", show_int(spec, a, value));
                m.insert("selector", show_int(spec, a, selector));
                Json::Object(m)
            }
            other => decode_unknown(&r).map_err(|_| {
                CodecError(format!(
                    "attribute {}: type {other} is not supported",
                    a.name
                ))
            })?,
        };
        rsp_add(&mut rsp, &a.name, Some(a.multi), v);
    }
    Ok(rsp)
}

fn decode_array(spec: &Spec, a: &Attr, raw: &[u8]) -> Result<Json> {
    let mut items = Vec::new();
    for item in attrs(raw)? {
        let sub = a.sub_type.as_deref().unwrap_or("");
        items.push(match sub {
            "nest" => {
                let set = a.nested.as_deref().and_then(|n| spec.attr_set(n));
                let mut m = Map::new();
                m.insert(
                    item.kind.to_string(),
                    Json::Object(decode(spec, set, item.payload)?),
                );
                Json::Object(m)
            }
            "binary" => show_bytes(item.payload, a.display_hint.as_deref()),
            k if int_type(k).is_some() => show_int(spec, a, scalar(a, k, item.payload)?),
            other => {
                return fail(format!(
                    "attribute {}: sub-type {other} is not supported",
                    a.name
                ))
            }
        });
    }
    Ok(Json::Array(items))
}

// ---- encoding ---------------------------------------------------------------------------------

/// Python's `int(value)`: integers, booleans, floats (truncated) and decimal strings.
fn as_int(v: &Json) -> Option<i128> {
    match v {
        Json::Int(i) => Some(*i),
        Json::Bool(b) => Some(*b as i128),
        Json::Float(x) if x.is_finite() => Some(x.trunc() as i128),
        Json::Str(s) => s.trim().replace('_', "").parse().ok(),
        _ => None,
    }
}

fn int_value(spec: &Spec, a: &Attr, v: &Json) -> Result<i128> {
    if let Some(i) = as_int(v) {
        return Ok(i);
    }
    if let Some((flags, e)) = is_flags(spec, a) {
        let one = |n: &Json| -> Result<u64> {
            let name = match n {
                Json::Str(s) => s,
                other => {
                    return fail(format!(
                        "attribute {}: {} is no name of {}",
                        a.name,
                        other,
                        a.enum_name.as_deref().unwrap_or("")
                    ))
                }
            };
            e.value_of(name).ok_or_else(|| {
                CodecError(format!(
                    "attribute {}: {name:?} is not in {} ({})",
                    a.name,
                    a.enum_name.as_deref().unwrap_or(""),
                    e.entries
                        .iter()
                        .map(|(n, _)| n.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        };
        if flags {
            let list = match v {
                Json::Array(items) => items.clone(),
                other => vec![other.clone()],
            };
            let mut bits: i128 = 0;
            for n in &list {
                bits |= 1i128 << one(n)?;
            }
            return Ok(bits);
        }
        return Ok(one(v)? as i128);
    }
    if let (Some("hex"), Json::Str(s)) = (a.display_hint.as_deref(), v) {
        if let Ok(i) = i128::from_str_radix(s.trim_start_matches("0x"), 16) {
            return Ok(i);
        }
    }
    if let (Some("ipv4" | "ipv4-or-v6"), Json::Str(s)) = (a.display_hint.as_deref(), v) {
        if let Ok(ip) = s.parse::<Ipv4Addr>() {
            return Ok(u32::from(ip) as i128);
        }
    }
    fail(format!(
        "attribute {}: expected an integer, got {}",
        a.name,
        v.kind()
    ))
}

fn bytes_value(a: &Attr, v: &Json) -> Result<Vec<u8>> {
    match v {
        Json::Null => Ok(Vec::new()),
        Json::Str(s) => {
            let parsed = match a.display_hint.as_deref() {
                Some("mac") if s.contains(':') => s
                    .split(':')
                    .map(|p| u8::from_str_radix(p, 16).ok())
                    .collect(),
                Some("ipv4" | "ipv6" | "ipv4-or-v6") => {
                    s.parse::<std::net::IpAddr>().ok().map(|ip| match ip {
                        std::net::IpAddr::V4(x) => x.octets().to_vec(),
                        std::net::IpAddr::V6(x) => x.octets().to_vec(),
                    })
                }
                _ => from_hex(s),
            };
            parsed
                .ok_or_else(|| CodecError(format!("attribute {}: {s:?} is not hex bytes", a.name)))
        }
        Json::Array(items) => match a.sub_type.as_deref().and_then(int_type) {
            Some((width, signed)) => {
                let mut out = Vec::new();
                for x in items {
                    let i = as_int(x).ok_or_else(|| {
                        CodecError(format!(
                            "attribute {}: array items must be integers",
                            a.name
                        ))
                    })?;
                    if !in_range(i, width, signed) {
                        return fail(format!("attribute {}: {i} is out of range", a.name));
                    }
                    out.extend(write_int(i, width, false));
                }
                Ok(out)
            }
            None => fail(format!(
                "attribute {}: expected a hex string, got an array",
                a.name
            )),
        },
        other => fail(format!(
            "attribute {}: expected a hex string, got {}",
            a.name,
            other.kind()
        )),
    }
}

/// The attribute set a nest-typed attribute holds, for encoding into it.
fn nested_set<'s>(spec: &'s Spec, a: &Attr) -> Result<&'s AttrSet> {
    a.nested
        .as_deref()
        .and_then(|n| spec.attr_set(n))
        .ok_or_else(|| CodecError(format!("attribute {}: no nested attribute set", a.name)))
}

fn encode_one(spec: &Spec, set: &AttrSet, a: &Attr, v: &Json, out: &mut Vec<u8>) -> Result<()> {
    let payload = match a.kind.as_str() {
        "nest" => {
            let sub = nested_set(spec, a)?;
            let Json::Object(m) = v else {
                return fail(format!(
                    "attribute {}: expected an object, got {}",
                    a.name,
                    v.kind()
                ));
            };
            let mut inner = Vec::new();
            encode_into(spec, sub, m, &mut inner)?;
            put_attr(out, a.value | NLA_F_NESTED, &inner);
            return Ok(());
        }
        "indexed-array" if a.sub_type.as_deref() == Some("nest") => {
            let sub = nested_set(spec, a)?;
            let Json::Array(items) = v else {
                return fail(format!(
                    "attribute {}: expected an array, got {}",
                    a.name,
                    v.kind()
                ));
            };
            let mut inner = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let Json::Object(m) = item else {
                    return fail(format!("attribute {}: items must be objects", a.name));
                };
                let mut one = Vec::new();
                encode_into(spec, sub, m, &mut one)?;
                put_attr(&mut inner, i as u16 | NLA_F_NESTED, &one);
            }
            put_attr(out, a.value | NLA_F_NESTED, &inner);
            return Ok(());
        }
        "flag" => {
            let set_ = match v {
                Json::Bool(b) => *b,
                Json::Null => false,
                Json::Int(i) => *i != 0,
                Json::Str(s) => !s.is_empty(),
                Json::Array(x) => !x.is_empty(),
                Json::Object(m) => !m.0.is_empty(),
                Json::Float(x) => *x != 0.0,
            };
            if !set_ {
                return Ok(());
            }
            Vec::new()
        }
        "string" => {
            let s = match v {
                Json::Str(s) => s.clone(),
                Json::Int(_) | Json::Float(_) | Json::Bool(_) => v.to_string(),
                other => {
                    return fail(format!(
                        "attribute {}: expected a string, got {}",
                        a.name,
                        other.kind()
                    ))
                }
            };
            let mut b = s.into_bytes();
            b.push(0);
            b
        }
        "binary" => bytes_value(a, v)?,
        "uint" | "sint" => {
            let i = int_value(spec, a, v)?;
            let signed = a.kind == "sint";
            let width = if in_range(i, 4, signed) { 4 } else { 8 };
            if !in_range(i, width, signed) {
                return fail(format!(
                    "attribute {}: {i} is out of range for {}",
                    a.name, a.kind
                ));
            }
            write_int(i, width, a.big_endian)
        }
        "bitfield32" => {
            let Json::Object(m) = v else {
                return fail(format!(
                    "attribute {}: expected {{\"value\", \"selector\"}}",
                    a.name
                ));
            };
            let mut b = Vec::new();
            for k in ["value", "selector"] {
                let x = int_value(spec, a, m.get(k).unwrap_or(&Json::Int(0)))?;
                if !in_range(x, 4, false) {
                    return fail(format!("attribute {}: {k} {x} is out of range", a.name));
                }
                b.extend(write_int(x, 4, false));
            }
            b
        }
        k => match int_type(k) {
            Some((width, signed)) => {
                let i = int_value(spec, a, v)?;
                if !in_range(i, width, signed) {
                    return fail(format!("attribute {}: {i} is out of range for {k}", a.name));
                }
                write_int(i, width, a.big_endian)
            }
            None => {
                return fail(format!(
                    "attribute {}.{}: type {k} cannot be sent",
                    set.name, a.name
                ))
            }
        },
    };
    put_attr(out, a.value, &payload);
    Ok(())
}

fn encode_into(spec: &Spec, set: &AttrSet, vals: &Map, out: &mut Vec<u8>) -> Result<()> {
    for (name, v) in vals.iter() {
        let a = set.by_name(name).ok_or_else(|| {
            CodecError(format!(
                "attribute set {} has no attribute {name:?} (it has: {})",
                set.name,
                set.attrs
                    .iter()
                    .filter(|a| a.kind != "pad" && a.kind != "unused")
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        match v {
            Json::Array(items) if a.multi => {
                for item in items {
                    encode_one(spec, set, a, item, out)?;
                }
            }
            _ => encode_one(spec, set, a, v, out)?,
        }
    }
    Ok(())
}

/// The attributes `vals` names, in their order, by `set`.
pub fn encode(spec: &Spec, set: &AttrSet, vals: &Map) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    encode_into(spec, set, vals, &mut out)?;
    Ok(out)
}

/// The attribute at `target` (an offset into `buf`, the request's attributes), as a path
/// of names (`["stats", "entries"]`), as ynl's `_decode_extack_path` finds it.
pub fn path_at(spec: &Spec, set: &AttrSet, buf: &[u8], target: usize) -> Option<Vec<String>> {
    for r in attrs(buf).ok()? {
        let a = set.by_value(r.kind)?;
        if r.offset == target {
            return Some(vec![a.name.clone()]);
        }
        if r.offset > target || r.offset + r.full_len <= target {
            continue;
        }
        let sub = spec.attr_set(a.nested.as_deref()?)?;
        let mut path = path_at(spec, sub, r.payload, target - r.offset - 4)?;
        path.insert(0, a.name.clone());
        return Some(path);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
name: t
definitions:
  - {type: enum, name: color, entries: [red, green, blue]}
  - {type: flags, name: opts, entries: [a, b, c]}
attribute-sets:
  - name: main
    attributes:
      - {name: u8, type: u8}
      - {name: u16, type: u16}
      - {name: u32, type: u32}
      - {name: u64, type: u64}
      - {name: s8, type: s8}
      - {name: s16, type: s16}
      - {name: s32, type: s32}
      - {name: s64, type: s64}
      - {name: uint, type: uint}
      - {name: sint, type: sint}
      - {name: flag, type: flag}
      - {name: str, type: string}
      - {name: bin, type: binary}
      - {name: be16, type: u16, byte-order: big-endian}
      - {name: color, type: u32, enum: color}
      - {name: opts, type: u32, enum: opts}
      - {name: many, type: u32, multi-attr: true}
      - {name: inner, type: nest, nested-attributes: inner}
      - {name: pad, type: pad}
      - {name: arr, type: binary, sub-type: u16}
  - name: inner
    attributes:
      - {name: x, type: u32}
      - {name: deeper, type: nest, nested-attributes: inner}
"#;

    fn spec() -> Spec {
        Spec::parse(SPEC).unwrap()
    }

    fn round_trip(json: &str) -> String {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let Json::Object(m) = Json::parse(json).unwrap() else {
            panic!()
        };
        let bytes = encode(&s, set, &m).unwrap();
        Json::Object(decode(&s, Some(set), &bytes).unwrap()).to_string()
    }

    #[test]
    fn every_integer_type_round_trips_at_its_limits() {
        for (k, lo, hi) in [
            ("u8", "0", "255"),
            ("u16", "0", "65535"),
            ("u32", "0", "4294967295"),
            ("u64", "0", "18446744073709551615"),
            ("s8", "-128", "127"),
            ("s16", "-32768", "32767"),
            ("s32", "-2147483648", "2147483647"),
            ("s64", "-9223372036854775808", "9223372036854775807"),
            ("uint", "0", "18446744073709551615"),
            ("sint", "-9223372036854775808", "9223372036854775807"),
            ("be16", "1", "65534"),
        ] {
            for v in [lo, hi] {
                let j = format!(r#"{{"{k}": {v}}}"#);
                assert_eq!(round_trip(&j), j);
            }
        }
    }

    #[test]
    fn out_of_range_is_refused() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        for j in [
            r#"{"u8": 256}"#,
            r#"{"s8": -129}"#,
            r#"{"u64": -1}"#,
            r#"{"u32": "x"}"#,
        ] {
            let Json::Object(m) = Json::parse(j).unwrap() else {
                panic!()
            };
            assert!(encode(&s, set, &m).is_err(), "{j}");
        }
    }

    #[test]
    fn widths_and_byte_order_on_the_wire() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let enc = |j: &str| {
            let Json::Object(m) = Json::parse(j).unwrap() else {
                panic!()
            };
            encode(&s, set, &m).unwrap()
        };
        assert_eq!(enc(r#"{"uint": 5}"#).len(), 8);
        assert_eq!(enc(r#"{"uint": 4294967296}"#).len(), 12);
        assert_eq!(enc(r#"{"sint": -2147483648}"#).len(), 8);
        assert_eq!(enc(r#"{"sint": 2147483648}"#).len(), 12);
        assert_eq!(&enc(r#"{"be16": 258}"#)[4..6], &[1, 2]);
        assert_eq!(enc(r#"{"str": "ab"}"#), [7, 0, 12, 0, b'a', b'b', 0, 0]);
        assert_eq!(enc(r#"{"flag": true}"#), [4, 0, 11, 0]);
        assert_eq!(enc(r#"{"flag": false}"#), Vec::<u8>::new());
    }

    #[test]
    fn strings_binaries_flags() {
        assert_eq!(
            round_trip(r#"{"str": "hello", "bin": "00ff10"}"#),
            r#"{"str": "hello", "bin": "00ff10"}"#
        );
        assert_eq!(round_trip(r#"{"bin": ""}"#), r#"{"bin": ""}"#);
        assert_eq!(round_trip(r#"{"flag": true}"#), r#"{"flag": true}"#);
        assert_eq!(
            round_trip(r#"{"arr": [1, 65535]}"#),
            r#"{"arr": [1, 65535]}"#
        );
    }

    #[test]
    fn enums_by_name_or_number_flags_sorted() {
        assert_eq!(round_trip(r#"{"color": "blue"}"#), r#"{"color": "blue"}"#);
        assert_eq!(round_trip(r#"{"color": 1}"#), r#"{"color": "green"}"#);
        assert_eq!(round_trip(r#"{"color": 7}"#), r#"{"color": "Unknown(7)"}"#);
        assert_eq!(
            round_trip(r#"{"opts": ["c", "a"]}"#),
            r#"{"opts": ["a", "c"]}"#
        );
        assert_eq!(round_trip(r#"{"opts": "b"}"#), r#"{"opts": ["b"]}"#);
        assert_eq!(round_trip(r#"{"opts": 3}"#), r#"{"opts": ["a", "b"]}"#);
        assert_eq!(round_trip(r#"{"opts": 0}"#), r#"{"opts": []}"#);
    }

    #[test]
    fn multi_attr_and_nests() {
        assert_eq!(
            round_trip(r#"{"many": [1, 2, 3]}"#),
            r#"{"many": [1, 2, 3]}"#
        );
        assert_eq!(round_trip(r#"{"many": 4}"#), r#"{"many": [4]}"#);
        let j = r#"{"u8": 1, "inner": {"x": 2, "deeper": {"x": 3}}, "u16": 4}"#;
        assert_eq!(round_trip(j), j);
    }

    #[test]
    fn unknown_attributes_are_tolerated_as_ynl_shows_them() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let mut buf = Vec::new();
        put_attr(&mut buf, 1, &[7]);
        put_attr(&mut buf, 99, &[0xab, 0xcd]);
        put_attr(&mut buf, 99, &[0xef]);
        let mut nest = Vec::new();
        put_attr(&mut nest, 3, &[1]);
        put_attr(&mut buf, 98 | NLA_F_NESTED, &nest);
        put_attr(&mut buf, 19, &[0; 4]); // pad: skipped
        assert_eq!(
            Json::Object(decode(&s, Some(set), &buf).unwrap()).to_string(),
            r#"{"u8": 7, "UnknownAttr(99)": ["abcd", "ef"], "UnknownAttr(98)": {"UnknownAttr(3)": "01"}}"#
        );
    }

    #[test]
    fn a_repeated_single_attribute_keeps_the_last() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let mut buf = Vec::new();
        put_attr(&mut buf, 3, &1u32.to_ne_bytes());
        put_attr(&mut buf, 3, &2u32.to_ne_bytes());
        assert_eq!(
            Json::Object(decode(&s, Some(set), &buf).unwrap()).to_string(),
            r#"{"u32": 2}"#
        );
    }

    #[test]
    fn a_wrong_length_is_an_error_naming_the_attribute() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let mut buf = Vec::new();
        put_attr(&mut buf, 3, &[1, 2]);
        assert!(decode(&s, Some(set), &buf).unwrap_err().0.contains("u32"));
        assert!(decode(&s, Some(set), &[8, 0, 1]).is_err());
    }

    #[test]
    fn unknown_request_attribute_is_refused() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let Json::Object(m) = Json::parse(r#"{"nope": 1}"#).unwrap() else {
            panic!()
        };
        assert!(encode(&s, set, &m).unwrap_err().0.contains("nope"));
    }

    #[test]
    fn extack_offsets_map_to_paths() {
        let s = spec();
        let set = s.attr_set("main").unwrap();
        let Json::Object(m) =
            Json::parse(r#"{"u8": 1, "inner": {"x": 2, "deeper": {"x": 3}}}"#).unwrap()
        else {
            panic!()
        };
        let b = encode(&s, set, &m).unwrap();
        assert_eq!(path_at(&s, set, &b, 0), Some(vec!["u8".into()]));
        assert_eq!(path_at(&s, set, &b, 8), Some(vec!["inner".into()]));
        assert_eq!(
            path_at(&s, set, &b, 12),
            Some(vec!["inner".into(), "x".into()])
        );
        assert_eq!(
            path_at(&s, set, &b, 24),
            Some(vec!["inner".into(), "deeper".into(), "x".into()])
        );
        assert_eq!(path_at(&s, set, &b, 2), None);
    }
}
