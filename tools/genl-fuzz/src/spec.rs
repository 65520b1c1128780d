// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! What the fuzzer knows of a family: its YNL spec reduced to numbers. Commands with their
//! request attributes, every attribute's wire type and checks, enum values, nests. Read at run
//! time, so any family is fuzzed from its spec with no code of its own.

use anyhow::{bail, Result};
use genlkit_codegen::model::{IntOrName, Spec, ValueType};

pub struct FuzzSpec {
    pub name: String,
    pub version: u8,
    pub ops: Vec<OpSpec>,
    /// Notifications: their command, set and attributes (in `OpSpec`, requests empty).
    pub notifications: Vec<OpSpec>,
    pub sets: Vec<SetSpec>,
}

pub struct OpSpec {
    pub name: String,
    pub cmd: u8,
    /// The attribute set of its messages (an index into `sets`).
    pub set: usize,
    pub do_request: Option<Vec<u16>>,
    pub dump_request: Option<Vec<u16>>,
    /// The IDs its replies may carry (do and dump), for the reply check.
    pub reply: Vec<u16>,
}

pub struct SetSpec {
    pub name: String,
    pub attrs: Vec<AttrSpec>,
}

pub struct AttrSpec {
    pub name: String,
    pub id: u16,
    pub kind: Kind,
}

#[derive(Clone)]
pub enum Kind {
    /// `width` bytes (`uint`/`sint`: 4 or 8, `variable`); `values`: an enum's or flags' values.
    Int {
        width: usize,
        signed: bool,
        variable: bool,
        big_endian: bool,
        min: Option<i128>,
        max: Option<i128>,
        values: Vec<u64>,
    },
    Flag,
    Str {
        min_len: Option<usize>,
        max_len: Option<usize>,
    },
    Binary {
        min_len: Option<usize>,
        max_len: Option<usize>,
    },
    Nest(usize),
    /// What the fuzzer sends as bytes only (structs, sub-messages, pad).
    Other,
}

impl FuzzSpec {
    pub fn load(path: &std::path::Path) -> Result<Self> {
        let spec = genlkit_codegen::load(path, &path.display().to_string())?;
        Self::from_spec(&spec)
    }

    pub fn from_spec(spec: &Spec) -> Result<Self> {
        if spec.directional() || spec.operations.fixed_header.is_some() {
            bail!(
                "{}: fixed headers and the directional model are not fuzzed",
                spec.name
            );
        }
        let set_index = |n: &str| spec.attribute_sets.iter().position(|s| s.name == n);
        let resolve = |v: &Option<IntOrName>| -> Option<i128> {
            match v.as_ref()? {
                IntOrName::Int(i) => Some(*i as i128),
                IntOrName::Name(n) => spec
                    .definitions
                    .iter()
                    .find(|d| d.kind == "const" && &d.name == n)
                    .and_then(|d| d.value.as_ref())
                    .and_then(IntOrName::int)
                    .map(i128::from),
            }
        };
        let mut sets = Vec::new();
        for set in &spec.attribute_sets {
            let mut attrs = Vec::new();
            for (id, a) in set.attrs() {
                let e = genlkit_codegen::kernel::effective(spec, set, a);
                let len = |v: &Option<IntOrName>| resolve(v).and_then(|v| usize::try_from(v).ok());
                let kind = match spec.value_type(set, a) {
                    Some(ValueType::Int {
                        rust,
                        width,
                        big_endian,
                        variable,
                    }) => {
                        let values = e
                            .r#enum
                            .as_deref()
                            .and_then(|n| spec.definition(n).ok())
                            .map(|d| d.user_values().into_iter().map(|v| v as u64).collect())
                            .unwrap_or_default();
                        Kind::Int {
                            width,
                            signed: rust.starts_with('i'),
                            variable,
                            big_endian,
                            min: resolve(&e.checks.min),
                            max: resolve(&e.checks.max),
                            values,
                        }
                    }
                    Some(ValueType::Flag) => Kind::Flag,
                    Some(ValueType::Str { .. }) => Kind::Str {
                        min_len: len(&e.checks.min_len),
                        max_len: len(&e.checks.max_len),
                    },
                    Some(ValueType::Binary) => Kind::Binary {
                        min_len: len(&e.checks.min_len).or(len(&e.checks.exact_len)),
                        max_len: len(&e.checks.max_len).or(len(&e.checks.exact_len)),
                    },
                    Some(ValueType::Nest(n)) => match set_index(&n) {
                        Some(i) => Kind::Nest(i),
                        None => Kind::Other,
                    },
                    _ => Kind::Other,
                };
                attrs.push(AttrSpec {
                    name: a.name.clone(),
                    id,
                    kind,
                });
            }
            sets.push(SetSpec {
                name: set.name.clone(),
                attrs,
            });
        }
        let mut ops = Vec::new();
        let mut notifications = Vec::new();
        for (cmd, op) in spec.cmds() {
            if op.is_notification() {
                // `notify: OP` sends OP's do reply; `event` its own attributes.
                let of = op.notify.as_deref().and_then(|n| spec.op(n).ok());
                let set_name = op
                    .attribute_set
                    .as_deref()
                    .or(of.and_then(|o| o.attribute_set.as_deref()));
                let Some(set) = set_name.and_then(set_index) else {
                    continue;
                };
                let names: Vec<String> = match (&op.event, of) {
                    (Some(e), _) => e.attributes.clone(),
                    (None, Some(o)) => o
                        .r#do
                        .as_ref()
                        .and_then(|m| m.reply.as_ref())
                        .map(|r| r.attributes.clone())
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let reply = names
                    .iter()
                    .filter_map(|n| sets[set].attrs.iter().find(|a| &a.name == n))
                    .map(|a| a.id)
                    .collect();
                notifications.push(OpSpec {
                    name: op.name.clone(),
                    cmd,
                    set,
                    do_request: None,
                    dump_request: None,
                    reply,
                });
                continue;
            }
            if !op.has_handlers() {
                continue;
            }
            let Some(set) = op.attribute_set.as_deref().and_then(set_index) else {
                continue;
            };
            let ids = |names: &[String]| -> Vec<u16> {
                names
                    .iter()
                    .filter_map(|n| sets[set].attrs.iter().find(|a| &a.name == n))
                    .map(|a| a.id)
                    .collect()
            };
            let request = |m: &Option<genlkit_codegen::model::OpMode>| {
                m.as_ref().map(|m| {
                    m.request
                        .as_ref()
                        .map(|r| ids(&r.attributes))
                        .unwrap_or_default()
                })
            };
            let mut reply = Vec::new();
            for m in [&op.r#do, &op.dump].into_iter().flatten() {
                if let Some(r) = &m.reply {
                    reply.extend(ids(&r.attributes));
                }
            }
            ops.push(OpSpec {
                name: op.name.clone(),
                cmd,
                set,
                do_request: request(&op.r#do),
                dump_request: request(&op.dump),
                reply,
            });
        }
        if ops.is_empty() {
            bail!("{}: no operation with a handler to fuzz", spec.name);
        }
        Ok(Self {
            name: spec.name.clone(),
            version: u8::try_from(spec.version()).unwrap_or(1),
            ops,
            notifications,
            sets,
        })
    }

    pub fn op_by_cmd(&self, cmd: u8) -> Option<&OpSpec> {
        self.ops.iter().find(|o| o.cmd == cmd)
    }

    pub fn notification_by_cmd(&self, cmd: u8) -> Option<&OpSpec> {
        self.notifications.iter().find(|o| o.cmd == cmd)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use libafl_bolts::rands::StdRand;

    use super::*;
    use crate::input::Shaper;

    /// Every family of the tree, and the one `genlkit-codegen new` makes, is read, and the
    /// requests shaped from it encode to datagrams whose headers tell their true length.
    #[test]
    fn the_families_and_a_new_one_are_fuzzable() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut specs: Vec<FuzzSpec> = ["kvstore", "counters"]
            .iter()
            .map(|f| FuzzSpec::load(&root.join(format!("specs/{f}.yaml"))).unwrap())
            .collect();
        let new = genlkit_codegen::new::outputs(Path::new("/nonexistent"), "demo").unwrap();
        let text = &new
            .iter()
            .find(|o| o.path.ends_with("specs/demo.yaml"))
            .unwrap()
            .text;
        specs.push(FuzzSpec::from_spec(&Spec::parse(text, "demo.yaml").unwrap()).unwrap());
        for spec in &specs {
            assert!(!spec.ops.is_empty(), "{}", spec.name);
            let shaper = Shaper { spec };
            let mut rand = StdRand::with_seed(7);
            for _ in 0..200 {
                let input = shaper.input(&mut rand);
                for (d, m) in input.encode(0x42).iter().zip(&input.msgs) {
                    let len = u32::from_ne_bytes(d[0..4].try_into().unwrap()) as usize;
                    assert_eq!(len, d.len(), "{}: {m:?}", spec.name);
                    assert!(spec.op_by_cmd(d[16]).is_some());
                }
            }
        }
    }
}
