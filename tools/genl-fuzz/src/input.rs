// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The fuzzer's input: a short sequence of Generic Netlink requests kept as structure (command,
//! dump or do, attributes as typed values and nests), plus the raw parts a well-formed message
//! lacks: header flags, version, the reserved field, a wrong `nlmsg_len`, bytes after the
//! attributes. Generated and changed from the family's spec ([`crate::spec`]); encoded to the
//! datagrams sent, one per request.

use std::hash::Hash;

use libafl::inputs::Input;
use libafl_bolts::rands::Rand;
use nlraw::{GENL_HDRLEN, NLA_F_NESTED, NLMSG_HDRLEN, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use serde::{Deserialize, Serialize};

use crate::spec::{FuzzSpec, Kind};

/// Requests per input, at most.
pub const MAX_MSGS: usize = 6;
/// Attributes per message or nest, at most, and nests' depth.
pub const MAX_ATTRS: usize = 10;
const MAX_DEPTH: usize = 3;

#[derive(Clone, Debug, Default, Serialize, Deserialize, Hash, PartialEq, Eq)]
pub struct GenlInput {
    pub msgs: Vec<Msg>,
    /// Bytes appended after the attributes of message `tail_at` (modulo the count): the raw part
    /// LibAFL's byte mutators work on.
    pub tail: Vec<u8>,
    pub tail_at: u8,
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash, PartialEq, Eq)]
pub struct Msg {
    pub cmd: u8,
    pub dump: bool,
    pub version: u8,
    /// ORed into `NLM_F_REQUEST | NLM_F_ACK` (and `NLM_F_DUMP`): never clears them.
    pub extra_flags: u16,
    pub reserved: u16,
    /// Added to the true `nlmsg_len`: a message that lies about its length.
    pub len_delta: i16,
    /// Fail the `fail_nth`-th slab allocation the request makes (fault injection, 0: none).
    pub fail_nth: u8,
    pub attrs: Vec<Attr>,
}

#[derive(Clone, Debug, Serialize, Deserialize, Hash, PartialEq, Eq)]
pub struct Attr {
    pub ty: u16,
    pub value: Value,
}

#[derive(Clone, Serialize, Deserialize, Hash, PartialEq, Eq)]
pub enum Value {
    Bytes(Vec<u8>),
    /// Sent with `NLA_F_NESTED` when `flagged`.
    Nest {
        attrs: Vec<Attr>,
        flagged: bool,
    },
}

impl Input for GenlInput {}

/// Bytes as hex, the first 64 of a longer value only (a finding's text stays readable).
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Bytes(b) => {
                let hex: String = b.iter().take(64).map(|x| format!("{x:02x}")).collect();
                if b.len() > 64 {
                    write!(f, "Bytes({hex}... {} bytes)", b.len())
                } else {
                    write!(f, "Bytes({hex})")
                }
            }
            Value::Nest { attrs, flagged } => f
                .debug_struct("Nest")
                .field("attrs", attrs)
                .field("flagged", flagged)
                .finish(),
        }
    }
}

impl GenlInput {
    pub fn tail_mut(&mut self) -> &mut Vec<u8> {
        &mut self.tail
    }

    pub fn tail(&self) -> &Vec<u8> {
        &self.tail
    }

    /// The datagrams, one per request, with `family` as the message type.
    pub fn encode(&self, family: u16) -> Vec<Vec<u8>> {
        let tail_at = usize::from(self.tail_at) % self.msgs.len().max(1);
        self.msgs
            .iter()
            .enumerate()
            .map(|(i, m)| m.encode(family, (i == tail_at).then_some(&self.tail[..])))
            .collect()
    }
}

impl Msg {
    /// Whether the kernel must answer it with exactly one ack, error or `NLMSG_DONE`: unless its
    /// length lies, when the core may drop it or read what follows as another message.
    pub fn answered(&self) -> bool {
        self.len_delta == 0
    }

    pub fn flags(&self) -> u16 {
        let dump = if self.dump { NLM_F_DUMP } else { 0 };
        NLM_F_REQUEST | NLM_F_ACK | dump | self.extra_flags
    }

    fn encode(&self, family: u16, tail: Option<&[u8]>) -> Vec<u8> {
        let mut b = vec![0; NLMSG_HDRLEN];
        b.extend_from_slice(&[self.cmd, self.version]);
        b.extend_from_slice(&self.reserved.to_ne_bytes());
        debug_assert_eq!(b.len(), NLMSG_HDRLEN + GENL_HDRLEN);
        put_attrs(&mut b, &self.attrs);
        if let Some(t) = tail {
            b.extend_from_slice(t);
        }
        let len = (b.len() as i64 + i64::from(self.len_delta)).clamp(0, u32::MAX.into()) as u32;
        b[0..4].copy_from_slice(&len.to_ne_bytes());
        b[4..6].copy_from_slice(&family.to_ne_bytes());
        b[6..8].copy_from_slice(&self.flags().to_ne_bytes());
        // The sequence number (bytes 8..12) is set by the sender.
        b
    }
}

fn put_attrs(b: &mut Vec<u8>, attrs: &[Attr]) {
    for a in attrs {
        let start = b.len();
        b.extend_from_slice(&[0; 4]);
        let ty = match &a.value {
            Value::Bytes(v) => {
                b.extend_from_slice(&v[..v.len().min(usize::from(u16::MAX) - 4)]);
                a.ty
            }
            Value::Nest { attrs, flagged } => {
                put_attrs(b, attrs);
                a.ty | if *flagged { NLA_F_NESTED } else { 0 }
            }
        };
        // A nest that outgrows `nla_len` is sent with the length wrapped: malformed, as wanted.
        let len = (b.len() - start) as u16;
        b[start..start + 2].copy_from_slice(&len.to_ne_bytes());
        b[start + 2..start + 4].copy_from_slice(&ty.to_ne_bytes());
        b.resize(b.len().next_multiple_of(4), 0);
    }
}

/// Generation and change, from the spec.
pub struct Shaper<'s> {
    pub spec: &'s FuzzSpec,
}

/// Strings drawn from a few, so that one request finds what another made (a key put, then got).
const WORDS: [&[u8]; 6] = [b"k", b"key", b"key-1", b"a", b"", b"\xff\xfe"];

impl<'s> Shaper<'s> {
    pub fn input<R: Rand>(&self, r: &mut R) -> GenlInput {
        let n = 1 + r.below_or_zero(3);
        GenlInput {
            msgs: (0..n).map(|_| self.msg(r)).collect(),
            tail: Vec::new(),
            tail_at: 0,
        }
    }

    /// A request of one of the spec's operations, its request's attributes filled in (most of
    /// them) with values the checks allow (mostly).
    pub fn msg<R: Rand>(&self, r: &mut R) -> Msg {
        let op = &self.spec.ops[r.below_or_zero(self.spec.ops.len())];
        let dump = match (&op.do_request, &op.dump_request) {
            (Some(_), Some(_)) => r.coinflip(0.5),
            (None, Some(_)) => true,
            _ => false,
        };
        let ids = if dump {
            &op.dump_request
        } else {
            &op.do_request
        };
        let mut attrs = Vec::new();
        for &id in ids.as_deref().unwrap_or(&[]) {
            if r.coinflip(0.85) {
                attrs.push(self.attr(op.set, id, r, 0));
            }
        }
        Msg {
            cmd: op.cmd,
            dump,
            version: self.spec.version,
            extra_flags: 0,
            reserved: 0,
            len_delta: 0,
            fail_nth: 0,
            attrs,
        }
    }

    pub fn attr<R: Rand>(&self, set: usize, id: u16, r: &mut R, depth: usize) -> Attr {
        let kind = self.spec.sets[set]
            .attrs
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.kind.clone())
            .unwrap_or(Kind::Other);
        Attr {
            ty: id,
            value: self.value(&kind, r, depth),
        }
    }

    /// Any attribute of `set`, or now and then one it does not define.
    pub fn any_attr<R: Rand>(&self, set: usize, r: &mut R, depth: usize) -> Attr {
        let attrs = &self.spec.sets[set].attrs;
        if attrs.is_empty() || r.coinflip(0.08) {
            let max = attrs.iter().map(|a| a.id).max().unwrap_or(0);
            let ty = match r.below_or_zero(3) {
                0 => 0,
                1 => max + 1 + r.below_or_zero(2) as u16,
                _ => r.next() as u16 & 0x3fff,
            };
            let len = r.below_or_zero(12);
            return Attr {
                ty,
                value: Value::Bytes((0..len).map(|_| r.next() as u8).collect()),
            };
        }
        let id = attrs[r.below_or_zero(attrs.len())].id;
        self.attr(set, id, r, depth)
    }

    pub fn value<R: Rand>(&self, kind: &Kind, r: &mut R, depth: usize) -> Value {
        match kind {
            Kind::Int { .. } => Value::Bytes(int_value(kind, r)),
            Kind::Flag => Value::Bytes(Vec::new()),
            Kind::Str { min_len, max_len } => {
                let mut s = match r.below_or_zero(8) {
                    0 => vec![b'x'; max_len.unwrap_or(64)],
                    1 => vec![b'y'; max_len.map_or(65, |m| m + 1)],
                    2 => vec![b'z'; min_len.unwrap_or(1).saturating_sub(1)],
                    3 => (0..r.below_or_zero(24))
                        .map(|_| b'a' + r.below_or_zero(26) as u8)
                        .collect(),
                    _ => WORDS[r.below_or_zero(WORDS.len())].to_vec(),
                };
                match r.below_or_zero(20) {
                    // No NUL, or one inside with more after it: what C string handling trips on.
                    0 => {}
                    1 => s.extend_from_slice(b"\0A\0"),
                    2 => s.extend_from_slice(b"\0A"),
                    _ => s.push(0),
                }
                Value::Bytes(s)
            }
            Kind::Binary { min_len, max_len } => {
                let len = match r.below_or_zero(4) {
                    0 => max_len.unwrap_or(64),
                    1 => max_len.map_or(65, |m| m + 1),
                    2 => min_len.unwrap_or(0),
                    _ => r.below_or_zero(max_len.unwrap_or(32) + 1),
                };
                let fill = r.next() as u8;
                Value::Bytes(vec![fill; len])
            }
            Kind::Nest(set) => {
                let n = if depth >= MAX_DEPTH {
                    0
                } else {
                    r.below_or_zero(4)
                };
                Value::Nest {
                    attrs: (0..n).map(|_| self.any_attr(*set, r, depth + 1)).collect(),
                    flagged: !r.coinflip(0.1),
                }
            }
            Kind::Other => Value::Bytes((0..r.below_or_zero(16)).map(|_| r.next() as u8).collect()),
        }
    }

    /// The set a message's attributes are of: its operation's, or the first operation's for a
    /// command the spec does not have.
    pub fn set_of(&self, m: &Msg) -> usize {
        self.spec.op_by_cmd(m.cmd).unwrap_or(&self.spec.ops[0]).set
    }

    /// The kind of attribute `ty` of `set` (`Other` when undefined).
    pub fn kind(&self, set: usize, ty: u16) -> Kind {
        self.spec.sets[set]
            .attrs
            .iter()
            .find(|a| a.id == ty)
            .map(|a| a.kind.clone())
            .unwrap_or(Kind::Other)
    }
}

/// An integer for `kind`: in range, at a bound or past it, one of the enum's values, or any.
fn int_value<R: Rand>(kind: &Kind, r: &mut R) -> Vec<u8> {
    let Kind::Int {
        width,
        signed,
        variable,
        big_endian,
        min,
        max,
        values,
    } = kind
    else {
        unreachable!()
    };
    let width = if *variable && r.coinflip(0.5) {
        4
    } else {
        *width
    };
    let bits = width as u32 * 8;
    let (tmin, tmax): (i128, i128) = if *signed {
        (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)
    } else {
        (0, (1i128 << bits) - 1)
    };
    let lo = min.unwrap_or(tmin);
    let hi = max.unwrap_or(tmax);
    let v: i128 = match r.below_or_zero(9) {
        0 | 1 if !values.is_empty() => values[r.below_or_zero(values.len())] as i128,
        0 => lo,
        1 => hi,
        2 => lo - 1,
        3 => hi + 1,
        4 => 0,
        5 => tmax,
        6 => r.next() as i128,
        _ if hi >= lo => lo + (r.next() as i128).rem_euclid(hi - lo + 1),
        _ => lo,
    };
    let v = v as u64;
    let bytes = v.to_le_bytes();
    let mut out = if *big_endian {
        v.to_be_bytes()[8 - width..].to_vec()
    } else if cfg!(target_endian = "little") {
        bytes[..width].to_vec()
    } else {
        v.to_be_bytes()[8 - width..].to_vec()
    };
    out.truncate(width);
    out
}
