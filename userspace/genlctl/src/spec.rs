// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A YNL spec, read at run time: what genlctl needs of it to encode requests and decode
//! replies and notifications. Numbering follows the kernel's `pyynl/lib/nlspec.py`:
//! attributes from 1 (or `value`), enum entries from `value-start` (flags as bit numbers),
//! operations from 1 in the unified model, separately per direction in the directional one.

use std::collections::HashMap;

use serde_yaml_ng::{Mapping, Value};

/// A spec genlctl cannot use: the message says what and where.
#[derive(Debug)]
pub struct SpecError(pub String);

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Result<T> = std::result::Result<T, SpecError>;

fn err<T>(msg: impl Into<String>) -> Result<T> {
    Err(SpecError(msg.into()))
}

/// An `enum` or `flags` definition. Entry values are raw: the bit number for flags.
#[derive(Debug, Clone)]
pub struct EnumDef {
    pub is_flags: bool,
    pub entries: Vec<(String, u64)>,
}

impl EnumDef {
    pub fn name_of(&self, raw: u64) -> Option<&str> {
        self.entries
            .iter()
            .find(|(_, v)| *v == raw)
            .map(|(n, _)| n.as_str())
    }

    pub fn value_of(&self, name: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }
}

#[derive(Debug, Clone)]
pub struct Attr {
    pub name: String,
    pub value: u16,
    pub kind: String,
    pub multi: bool,
    pub enum_name: Option<String>,
    pub enum_as_flags: bool,
    pub big_endian: bool,
    pub nested: Option<String>,
    pub sub_type: Option<String>,
    pub display_hint: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AttrSet {
    pub name: String,
    pub attrs: Vec<Attr>,
}

impl AttrSet {
    pub fn by_name(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    pub fn by_value(&self, value: u16) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.value == value)
    }
}

/// One mode (`do` or `dump`) of an operation.
#[derive(Debug, Clone, Default)]
pub struct Mode {
    pub request: Vec<String>,
    pub reply: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Op {
    pub name: String,
    /// Command number of requests (None: the op sends none, e.g. a notification).
    pub req_value: Option<u8>,
    /// Command number of replies and notifications.
    pub rsp_value: Option<u8>,
    pub attr_set: Option<String>,
    pub do_: Option<Mode>,
    pub dump: Option<Mode>,
    pub is_async: bool,
    pub mcgrp: Option<String>,
    pub flags: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub version: u8,
    pub enums: HashMap<String, EnumDef>,
    pub attr_sets: Vec<AttrSet>,
    pub ops: Vec<Op>,
    pub mcast_groups: Vec<String>,
}

fn get<'a>(m: &'a Mapping, key: &str) -> Option<&'a Value> {
    m.get(Value::String(key.to_owned()))
}

fn get_str(m: &Mapping, key: &str) -> Option<String> {
    get(m, key).and_then(Value::as_str).map(str::to_owned)
}

fn get_u64(m: &Mapping, key: &str) -> Result<Option<u64>> {
    match get(m, key) {
        None => Ok(None),
        Some(v) => match v.as_u64() {
            Some(n) => Ok(Some(n)),
            None => err(format!("`{key}` is not a non-negative integer: {v:?}")),
        },
    }
}

fn get_bool(m: &Mapping, key: &str) -> bool {
    get(m, key).and_then(Value::as_bool).unwrap_or(false)
}

fn mapping<'a>(v: &'a Value, what: &str) -> Result<&'a Mapping> {
    v.as_mapping()
        .ok_or_else(|| SpecError(format!("{what} is not a mapping")))
}

fn list<'a>(m: &'a Mapping, key: &str) -> &'a [Value] {
    get(m, key)
        .and_then(Value::as_sequence)
        .map(|s| s.as_slice())
        .unwrap_or(&[])
}

fn names(m: Option<&Value>) -> Vec<String> {
    m.and_then(Value::as_mapping)
        .map(|m| {
            list(m, "attributes")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn mode(v: Option<&Value>) -> Option<Mode> {
    let m = v?.as_mapping();
    Some(Mode {
        request: names(m.and_then(|m| get(m, "request"))),
        reply: m.and_then(|m| get(m, "reply")).map(|r| names(Some(r))),
    })
}

impl Spec {
    /// A spec with nothing in it: decodes every attribute as unknown.
    pub fn empty() -> Spec {
        Spec {
            name: String::new(),
            version: 1,
            enums: HashMap::new(),
            attr_sets: Vec::new(),
            ops: Vec::new(),
            mcast_groups: Vec::new(),
        }
    }

    /// Reads the spec at `path`.
    pub fn load(path: &str) -> Result<Spec> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SpecError(format!("cannot read {path}: {e}")))?;
        Spec::parse(&text).map_err(|e| SpecError(format!("{path}: {e}")))
    }

    pub fn parse(text: &str) -> Result<Spec> {
        let root: Value =
            serde_yaml_ng::from_str(text).map_err(|e| SpecError(format!("not YAML: {e}")))?;
        let root = mapping(&root, "the spec")?;
        let name = get_str(root, "name").ok_or_else(|| SpecError("no `name`".into()))?;
        let protocol = get_str(root, "protocol").unwrap_or_else(|| "genetlink".into());
        if protocol == "netlink-raw" {
            return err("netlink-raw specs are not Generic Netlink");
        }
        let version = get_u64(root, "version")?.unwrap_or(1) as u8;

        let mut enums = HashMap::new();
        for d in list(root, "definitions") {
            let d = mapping(d, "a definition")?;
            let kind = get_str(d, "type").unwrap_or_default();
            if kind != "enum" && kind != "flags" {
                continue;
            }
            let dname = get_str(d, "name").unwrap_or_default();
            let mut next = get_u64(d, "value-start")?.unwrap_or(0);
            let mut entries = Vec::new();
            for e in list(d, "entries") {
                let (ename, value) = match e {
                    Value::String(s) => (s.clone(), None),
                    Value::Mapping(m) => {
                        (get_str(m, "name").unwrap_or_default(), get_u64(m, "value")?)
                    }
                    _ => return err(format!("definition {dname}: bad entry {e:?}")),
                };
                let v = value.unwrap_or(next);
                entries.push((ename, v));
                next = v + 1;
            }
            enums.insert(
                dname,
                EnumDef {
                    is_flags: kind == "flags",
                    entries,
                },
            );
        }

        let mut attr_sets: Vec<AttrSet> = Vec::new();
        for s in list(root, "attribute-sets") {
            let s = mapping(s, "an attribute set")?;
            let sname = get_str(s, "name").unwrap_or_default();
            let subset_of = get_str(s, "subset-of");
            let mut set = AttrSet {
                name: sname.clone(),
                attrs: Vec::new(),
            };
            let mut next: u64 = 1;
            for a in list(s, "attributes") {
                let a = mapping(a, "an attribute")?;
                let aname = get_str(a, "name").unwrap_or_default();
                let base = match &subset_of {
                    Some(parent) => Some(
                        attr_sets
                            .iter()
                            .find(|p| &p.name == parent)
                            .and_then(|p| p.by_name(&aname))
                            .cloned()
                            .ok_or_else(|| {
                                SpecError(format!(
                                    "attribute set {sname}: {aname} is not in {parent}"
                                ))
                            })?,
                    ),
                    None => None,
                };
                let value = match (&base, get_u64(a, "value")?) {
                    (Some(b), _) => b.value as u64,
                    (None, Some(v)) => v,
                    (None, None) => next,
                };
                next = value + 1;
                let value = u16::try_from(value)
                    .map_err(|_| SpecError(format!("attribute {sname}.{aname}: value {value}")))?;
                let pick = |key: &str, from_base: Option<String>| get_str(a, key).or(from_base);
                let kind = pick("type", base.as_ref().map(|b| b.kind.clone()))
                    .ok_or_else(|| SpecError(format!("attribute {sname}.{aname} has no type")))?;
                set.attrs.push(Attr {
                    name: aname,
                    value,
                    kind,
                    multi: get_bool(a, "multi-attr") || base.as_ref().is_some_and(|b| b.multi),
                    enum_name: pick("enum", base.as_ref().and_then(|b| b.enum_name.clone())),
                    enum_as_flags: get_bool(a, "enum-as-flags")
                        || base.as_ref().is_some_and(|b| b.enum_as_flags),
                    big_endian: pick(
                        "byte-order",
                        base.as_ref()
                            .and_then(|b| b.big_endian.then(|| "big-endian".to_owned())),
                    )
                    .as_deref()
                        == Some("big-endian"),
                    nested: pick(
                        "nested-attributes",
                        base.as_ref().and_then(|b| b.nested.clone()),
                    ),
                    sub_type: pick("sub-type", base.as_ref().and_then(|b| b.sub_type.clone())),
                    display_hint: pick(
                        "display-hint",
                        base.as_ref().and_then(|b| b.display_hint.clone()),
                    ),
                });
            }
            attr_sets.push(set);
        }

        let ops_root = get(root, "operations")
            .map(|o| mapping(o, "operations"))
            .transpose()?;
        if ops_root.is_some_and(|o| get(o, "fixed-header").is_some()) {
            return err("fixed headers (`fixed-header`) are not supported");
        }
        let directional =
            ops_root.and_then(|o| get_str(o, "msg-id-model")).as_deref() == Some("directional");
        let mut ops = Vec::new();
        let (mut req_val, mut rsp_val) = (1u64, 1u64);
        for o in ops_root.map(|o| list(o, "list")).unwrap_or(&[]) {
            let o = mapping(o, "an operation")?;
            let oname = get_str(o, "name").unwrap_or_default();
            if get(o, "fixed-header").is_some() {
                return err(format!(
                    "operation {oname}: fixed headers are not supported"
                ));
            }
            let do_ = mode(get(o, "do"));
            let dump = mode(get(o, "dump"));
            let is_async = get(o, "notify").is_some() || get(o, "event").is_some();
            let (req, rsp);
            if !directional {
                let v = get_u64(o, "value")?.unwrap_or(req_val);
                req_val = v + 1;
                (req, rsp) = (Some(v), Some(v));
            } else if is_async {
                if let Some(v) = get_u64(o, "value")? {
                    rsp_val = v;
                }
                (req, rsp) = (None, Some(rsp_val));
                rsp_val += 1;
            } else {
                let m = get(o, "do")
                    .or_else(|| get(o, "dump"))
                    .and_then(Value::as_mapping);
                let sub = |k: &str| -> Result<Option<u64>> {
                    match m.and_then(|m| get(m, k)).and_then(Value::as_mapping) {
                        Some(x) => get_u64(x, "value"),
                        None => Ok(None),
                    }
                };
                if let Some(v) = sub("request")? {
                    req_val = v;
                }
                if let Some(v) = sub("reply")? {
                    rsp_val = v;
                }
                let has_reply = m.is_some_and(|m| get(m, "reply").is_some());
                req = Some(req_val);
                rsp = has_reply.then_some(rsp_val);
                req_val += 1;
                if has_reply {
                    rsp_val += 1;
                }
            }
            let to_u8 = |v: Option<u64>| -> Result<Option<u8>> {
                v.map(|v| {
                    u8::try_from(v).map_err(|_| SpecError(format!("operation {oname}: value {v}")))
                })
                .transpose()
            };
            ops.push(Op {
                name: oname.clone(),
                req_value: to_u8(req)?,
                rsp_value: to_u8(rsp)?,
                attr_set: get_str(o, "attribute-set"),
                do_,
                dump,
                is_async,
                mcgrp: get_str(o, "mcgrp"),
                flags: list(o, "flags")
                    .iter()
                    .filter_map(|f| f.as_str().map(str::to_owned))
                    .collect(),
            });
            if let Some(target) = get_str(o, "notify") {
                // A notification without its own attribute set uses its target's.
                let last = ops.len() - 1;
                if ops[last].attr_set.is_none() {
                    ops[last].attr_set = ops
                        .iter()
                        .find(|t| t.name == target)
                        .and_then(|t| t.attr_set.clone());
                }
            }
        }
        let mcast_groups = get(root, "mcast-groups")
            .and_then(Value::as_mapping)
            .map(|m| {
                list(m, "list")
                    .iter()
                    .filter_map(|g| g.as_mapping().and_then(|g| get_str(g, "name")))
                    .collect()
            })
            .unwrap_or_default();

        let spec = Spec {
            name,
            version,
            enums,
            attr_sets,
            ops,
            mcast_groups,
        };
        spec.check()?;
        Ok(spec)
    }

    /// Every reference resolves: attribute sets of ops, nests, enums.
    fn check(&self) -> Result<()> {
        for op in &self.ops {
            if let Some(s) = &op.attr_set {
                if self.attr_set(s).is_none() {
                    return err(format!("operation {}: no attribute set {s}", op.name));
                }
            }
        }
        for set in &self.attr_sets {
            for a in &set.attrs {
                if let Some(n) = &a.nested {
                    if self.attr_set(n).is_none() {
                        return err(format!(
                            "attribute {}.{}: no attribute set {n}",
                            set.name, a.name
                        ));
                    }
                }
                if let Some(e) = &a.enum_name {
                    if !self.enums.contains_key(e) {
                        return err(format!("attribute {}.{}: no enum {e}", set.name, a.name));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn attr_set(&self, name: &str) -> Option<&AttrSet> {
        self.attr_sets.iter().find(|s| s.name == name)
    }

    pub fn op(&self, name: &str) -> Option<&Op> {
        self.ops.iter().find(|o| o.name == name)
    }

    /// The op a reply or notification with command `cmd` belongs to.
    pub fn op_by_rsp(&self, cmd: u8) -> Option<&Op> {
        self.ops.iter().find(|o| o.rsp_value == Some(cmd))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo_spec(name: &str) -> Spec {
        Spec::load(&format!(
            "{}/../../specs/{name}.yaml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn numbers_follow_nlspec() {
        let s = repo_spec("kvstore");
        let entry = s.attr_set("entry").unwrap();
        assert_eq!(entry.by_name("key").unwrap().value, 1);
        assert_eq!(entry.by_name("mode").unwrap().value, 7);
        assert_eq!(s.op("stats").unwrap().req_value, Some(5));
        assert_eq!(s.op("del-ntf").unwrap().rsp_value, Some(7));
        assert_eq!(s.op("del-ntf").unwrap().attr_set.as_deref(), Some("entry"));
        let flags = &s.enums["entry-flags"];
        assert!(flags.is_flags);
        assert_eq!(flags.value_of("compressed"), Some(1));
        assert_eq!(s.enums["put-mode"].value_of("replace"), Some(2));
        assert_eq!(s.mcast_groups, ["notify"]);
    }

    #[test]
    fn directional_ids_and_subsets() {
        let s = Spec::parse(
            "name: t\nprotocol: genetlink-legacy\nattribute-sets:\n  - name: a\n    attributes:\n      - {name: x, type: u32, value: 5}\n      - {name: y, type: u8}\n  - name: b\n    subset-of: a\n    attributes:\n      - {name: y}\noperations:\n  msg-id-model: directional\n  list:\n    - name: one\n      attribute-set: a\n      do:\n        request: {value: 3, attributes: [x]}\n        reply: {value: 9, attributes: [x]}\n    - name: two\n      attribute-set: a\n      do:\n        request: {attributes: [x]}\n    - name: ev\n      attribute-set: a\n      event: {attributes: [x]}\n",
        )
        .unwrap();
        assert_eq!(s.attr_set("b").unwrap().by_name("y").unwrap().value, 6);
        assert_eq!(s.attr_set("b").unwrap().by_name("y").unwrap().kind, "u8");
        let one = s.op("one").unwrap();
        assert_eq!((one.req_value, one.rsp_value), (Some(3), Some(9)));
        let two = s.op("two").unwrap();
        assert_eq!((two.req_value, two.rsp_value), (Some(4), None));
        assert_eq!(s.op("ev").unwrap().rsp_value, Some(10));
    }
}
