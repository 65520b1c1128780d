// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The YNL Generic Netlink spec format: `genetlink`, `genetlink-c` and `genetlink-legacy`
//! (the kernel's `Documentation/netlink/genetlink*.yaml` schemas), in full.
//!
//! Parsing is strict about the format: an unknown key anywhere is an error that names its
//! line, and so is a key the spec's `protocol` does not allow; a reference to something the
//! spec does not define is an error that names the item. Every valid spec parses. What a
//! generator cannot render is for that generator to refuse ([`crate::kernel::check`] names
//! the item and its line); the C uapi header renders every valid spec.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Deserializer};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spec {
    pub name: String,
    #[serde(default = "genetlink")]
    pub protocol: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub uapi_header: Option<String>,
    // genetlink-c
    #[serde(default)]
    pub c_family_name: Option<String>,
    #[serde(default)]
    pub c_version_name: Option<String>,
    #[serde(default)]
    pub max_by_define: Option<bool>,
    #[serde(default)]
    pub cmd_max_name: Option<String>,
    #[serde(default)]
    pub cmd_cnt_name: Option<String>,
    // genetlink-legacy
    #[serde(default)]
    pub kernel_policy: Option<String>,
    #[serde(default)]
    pub version: Option<u32>,

    #[serde(default)]
    pub definitions: Vec<Definition>,
    pub attribute_sets: Vec<AttrSet>,
    pub operations: Operations,
    #[serde(default)]
    pub mcast_groups: Option<McastGroups>,
    #[serde(default)]
    pub kernel_family: Option<KernelFamily>,

    /// The license of the spec's first line (`# SPDX-License-Identifier: ...`), if any.
    #[serde(skip)]
    pub license: Option<String>,
    /// The spec's text, to find an item's line for messages ([`Spec::line_of`]).
    #[serde(skip)]
    pub text: String,
}

fn genetlink() -> String {
    "genetlink".into()
}

/// A key that may be absent, null or a value: `enum-name:` (null) means "no name".
fn nullable<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// An integer, or the name of a constant (`len-or-define`, `len-or-limit`, a const's value).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum IntOrName {
    Int(i64),
    Name(String),
}

impl IntOrName {
    pub fn int(&self) -> Option<i64> {
        match self {
            IntOrName::Int(v) => Some(*v),
            IntOrName::Name(_) => None,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Definition {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    /// A header (for C) that already defines it: not rendered in the uapi header.
    #[serde(default)]
    pub header: Option<String>,
    /// `uapi` (default), `kernel` or `user`: where ynl-gen renders it.
    #[serde(default)]
    pub scope: Option<String>,
    /// A const's value.
    #[serde(default)]
    pub value: Option<IntOrName>,
    /// An enum's or flags' first (raw) value.
    #[serde(default)]
    pub value_start: Option<IntOrName>,
    #[serde(default)]
    pub entries: Vec<EnumEntry>,
    #[serde(default)]
    pub render_max: bool,
    // genetlink-c
    #[serde(default, deserialize_with = "nullable")]
    pub enum_name: Option<Option<String>>,
    #[serde(default)]
    pub name_prefix: Option<String>,
    #[serde(default)]
    pub enum_cnt_name: Option<String>,
    // genetlink-legacy
    #[serde(default)]
    pub members: Vec<Member>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum EnumEntry {
    Name(String),
    Full(FullEntry),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FullEntry {
    pub name: String,
    #[serde(default)]
    pub value: Option<i64>,
    #[serde(default)]
    pub doc: Option<String>,
}

impl EnumEntry {
    pub fn name(&self) -> &str {
        match self {
            EnumEntry::Name(n) | EnumEntry::Full(FullEntry { name: n, .. }) => n,
        }
    }
    pub fn doc(&self) -> Option<&str> {
        match self {
            EnumEntry::Name(_) => None,
            EnumEntry::Full(e) => e.doc.as_deref(),
        }
    }
    pub fn value(&self) -> Option<i64> {
        match self {
            EnumEntry::Name(_) => None,
            EnumEntry::Full(e) => e.value,
        }
    }
}

/// A member of a `struct` definition (genetlink-legacy).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Member {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub len: Option<IntOrName>,
    #[serde(default)]
    pub byte_order: Option<String>,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub r#enum: Option<String>,
    #[serde(default)]
    pub display_hint: Option<String>,
    #[serde(default)]
    pub r#struct: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AttrSet {
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub name_prefix: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub enum_name: Option<Option<String>>,
    /// A set whose attributes are some of another's (same IDs, names and types).
    #[serde(default)]
    pub subset_of: Option<String>,
    // genetlink-c
    #[serde(default)]
    pub attr_cnt_name: Option<String>,
    #[serde(default)]
    pub attr_max_name: Option<String>,
    #[serde(default)]
    pub header: Option<String>,
    pub attributes: Vec<Attr>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Attr {
    pub name: String,
    /// The type; in a subset, taken from the set it is a subset of when absent.
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub doc: Option<String>,
    /// The explicit ID; see [`Attr::id`] for the one in use.
    #[serde(default)]
    pub value: Option<u64>,
    #[serde(default)]
    pub type_value: Vec<String>,
    #[serde(default)]
    pub byte_order: Option<String>,
    #[serde(default)]
    pub multi_attr: Option<bool>,
    #[serde(default)]
    pub nested_attributes: Option<String>,
    #[serde(default)]
    pub r#enum: Option<String>,
    #[serde(default)]
    pub enum_as_flags: bool,
    #[serde(default)]
    pub checks: Checks,
    #[serde(default)]
    pub sub_type: Option<String>,
    #[serde(default)]
    pub display_hint: Option<String>,
    // genetlink-c
    #[serde(default)]
    pub name_prefix: Option<String>,
    // genetlink-legacy
    #[serde(default)]
    pub r#struct: Option<String>,

    /// The attribute's ID (its own set's numbering, or the one it is a subset of).
    #[serde(skip)]
    pub id: u16,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Checks {
    #[serde(default)]
    pub flags_mask: Option<String>,
    #[serde(default)]
    pub min: Option<IntOrName>,
    #[serde(default)]
    pub max: Option<IntOrName>,
    #[serde(default)]
    pub min_len: Option<IntOrName>,
    #[serde(default)]
    pub max_len: Option<IntOrName>,
    #[serde(default)]
    pub exact_len: Option<IntOrName>,
    #[serde(default)]
    pub unterminated_ok: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Operations {
    /// `unified` (default): one enum of commands; `directional`: requests and replies
    /// numbered apart (genetlink-legacy).
    #[serde(default)]
    pub enum_model: Option<String>,
    #[serde(default)]
    pub name_prefix: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub enum_name: Option<Option<String>>,
    /// Notifications in an enum of their own, with this prefix.
    #[serde(default)]
    pub async_prefix: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    pub async_enum: Option<Option<String>>,
    #[serde(default)]
    pub fixed_header: Option<String>,
    pub list: Vec<Op>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Op {
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    /// The explicit ID; see [`Op::req_value`] for the one in use.
    #[serde(default)]
    pub value: Option<u64>,
    #[serde(default)]
    pub attribute_set: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub dont_validate: Vec<String>,
    #[serde(default)]
    pub config_cond: Option<String>,
    #[serde(default)]
    pub fixed_header: Option<String>,
    #[serde(default)]
    pub r#do: Option<OpMode>,
    #[serde(default)]
    pub dump: Option<OpMode>,
    #[serde(default)]
    pub notify: Option<String>,
    #[serde(default)]
    pub event: Option<Event>,
    #[serde(default)]
    pub mcgrp: Option<String>,

    /// The command's ID in requests (user to kernel), if it has requests.
    #[serde(skip)]
    pub req_value: Option<u8>,
    /// The command's ID in replies and notifications (kernel to user), if it sends any.
    #[serde(skip)]
    pub rsp_value: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OpMode {
    #[serde(default)]
    pub request: Option<Msg>,
    #[serde(default)]
    pub reply: Option<Msg>,
    #[serde(default)]
    pub pre: Option<String>,
    #[serde(default)]
    pub post: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Msg {
    #[serde(default)]
    pub attributes: Vec<String>,
    /// The message's own ID (directional enum model).
    #[serde(default)]
    pub value: Option<u64>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Event {
    #[serde(default)]
    pub attributes: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct McastGroups {
    pub list: Vec<McastGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct McastGroup {
    pub name: String,
    #[serde(default)]
    pub c_define_name: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct KernelFamily {
    #[serde(default)]
    pub headers: Vec<String>,
    #[serde(default)]
    pub sock_priv: Option<String>,
}

/// What an operation's kernel entry is allowed to run as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Perm {
    Anyone,
    Admin,
    NetnsAdmin,
}

/// How far along `genetlink` < `genetlink-c` < `genetlink-legacy` a protocol is.
fn level(protocol: &str) -> u8 {
    match protocol {
        "genetlink" => 0,
        "genetlink-c" => 1,
        _ => 2,
    }
}

impl Spec {
    pub fn parse(text: &str, path: &str) -> Result<Self> {
        let mut spec: Spec = serde_yaml_ng::from_str(text)
            .with_context(|| format!("{path}: not a valid Generic Netlink spec"))?;
        spec.text = text.to_string();
        spec.license = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# SPDX-License-Identifier: "))
            .map(|l| l.trim().to_string());
        spec.validate()
            .with_context(|| format!("{path}: invalid spec"))?;
        Ok(spec)
    }

    /// The family version (`version`, default 1).
    pub fn version(&self) -> u32 {
        self.version.unwrap_or(1)
    }

    /// `some-name` as `some_name`: the family's name as an identifier.
    pub fn ident_name(&self) -> String {
        snake(&self.name)
    }

    /// The uapi header, as included: `uapi-header`, or `linux/<name>.h`.
    pub fn uapi_header(&self) -> String {
        self.uapi_header
            .clone()
            .unwrap_or_else(|| format!("linux/{}.h", self.ident_name()))
    }

    /// Whether replies and notifications are numbered apart from requests.
    pub fn directional(&self) -> bool {
        self.operations.enum_model.as_deref() == Some("directional")
    }

    /// Checks what the schema cannot: the protocol's keys, references, values; and numbers
    /// the attributes and commands.
    fn validate(&mut self) -> Result<()> {
        match self.protocol.as_str() {
            "genetlink" | "genetlink-c" | "genetlink-legacy" => {}
            "netlink-raw" => bail!(
                "protocol `netlink-raw`: only Generic Netlink specs (genetlink, genetlink-c, genetlink-legacy) are supported"
            ),
            other => bail!("protocol `{other}` is not a Generic Netlink protocol"),
        }
        self.check_protocol_keys()?;
        self.check_enumerated_values()?;

        let mut names = std::collections::HashSet::new();
        for d in &self.definitions {
            let item = format!("definitions[{}]", d.name);
            if !names.insert(d.name.as_str()) {
                bail!("{item}: defined twice");
            }
            match d.kind.as_str() {
                "const" => {
                    if d.value.is_none() {
                        bail!("{item}: a const needs a `value`");
                    }
                }
                "enum" | "flags" => {
                    if let Some(IntOrName::Name(n)) = &d.value_start {
                        bail!("{item}: value-start `{n}` is not a number");
                    }
                    let mut seen = std::collections::HashSet::new();
                    for (e, v) in d.entries.iter().zip(d.values()) {
                        if d.kind == "flags" && !(0..64).contains(&v) {
                            bail!("{item}: flag `{}` is bit {v}, outside 0..63", e.name());
                        }
                        if !seen.insert(e.name()) {
                            bail!("{item}: entry `{}` is listed twice", e.name());
                        }
                    }
                }
                "struct" => {
                    for m in &d.members {
                        for r in [&m.r#enum, &m.r#struct].into_iter().flatten() {
                            self.definition(r)
                                .with_context(|| format!("{item}.members[{}]", m.name))?;
                        }
                    }
                }
                other => bail!("{item}: type `{other}` is not one of const, enum, flags, struct"),
            }
        }

        // Number the attributes: from 1, an explicit `value` moves the count; a subset's
        // attributes keep the numbers of the set they are a subset of.
        let mut ids: Vec<Vec<u16>> = Vec::new();
        for set in &self.attribute_sets {
            let mut next = 1u64;
            let mut v = Vec::new();
            for a in set.attributes.iter().filter(|_| set.subset_of.is_none()) {
                let item = format!("attribute-sets[{}].attributes[{}]", set.name, a.name);
                if a.kind.is_empty() {
                    bail!("{item}: no `type`");
                }
                let id = a.value.unwrap_or(next);
                next = id + 1;
                v.push(
                    u16::try_from(id)
                        .ok()
                        .filter(|&id| id < 1 << 14)
                        .with_context(|| {
                            format!("{item}: value {id} is not an attribute type (0 to 16383)")
                        })?,
                );
            }
            ids.push(v);
        }
        for (i, set) in self.attribute_sets.iter().enumerate() {
            let Some(parent) = &set.subset_of else {
                continue;
            };
            for a in &set.attributes {
                let item = format!("attribute-sets[{}].attributes[{}]", set.name, a.name);
                if a.value.is_some() {
                    bail!("{item}: a subset's attribute takes its value from `{parent}`");
                }
                let p = self
                    .attribute_sets
                    .iter()
                    .position(|s| &s.name == parent)
                    .with_context(|| format!("{item}: attribute set `{parent}` is not defined"))?;
                if self.attribute_sets[p].subset_of.is_some() {
                    bail!("{item}: `{parent}` is itself a subset");
                }
                let pa = self.attribute_sets[p]
                    .attributes
                    .iter()
                    .position(|x| x.name == a.name)
                    .with_context(|| {
                        format!("{item}: `{}` is not an attribute of `{parent}`", a.name)
                    })?;
                let id = ids[p][pa];
                ids[i].push(id);
            }
        }
        for (set, ids) in self.attribute_sets.iter_mut().zip(ids) {
            for (a, id) in set.attributes.iter_mut().zip(ids) {
                a.id = id;
            }
        }

        let mut names = std::collections::HashSet::new();
        for set in &self.attribute_sets {
            if !names.insert(set.name.as_str()) {
                bail!("attribute-sets[{}]: defined twice", set.name);
            }
            let mut attrs = std::collections::HashSet::new();
            for a in &set.attributes {
                let item = format!("attribute-sets[{}].attributes[{}]", set.name, a.name);
                // A subset may repeat one (devlink's does): it names the same attribute.
                if !attrs.insert(a.name.as_str()) && set.subset_of.is_none() {
                    bail!("{item}: listed twice");
                }
                let kind = self.attr_kind(set, a);
                if let Some(n) = &a.nested_attributes {
                    self.set(n).with_context(|| item.clone())?;
                }
                if matches!(kind, "nest" | "indexed-array" | "nest-type-value")
                    && a.nested_attributes.is_none()
                    && a.sub_type.as_deref().is_none_or(|t| t == "nest")
                    && set.subset_of.is_none()
                {
                    bail!("{item}: a {kind} needs `nested-attributes`");
                }
                for r in [&a.r#enum, &a.r#struct].into_iter().flatten() {
                    self.definition(r).with_context(|| item.clone())?;
                }
                self.validate_checks(&item, kind, &a.checks)?;
            }
        }

        self.number_ops()?;
        let mut names = std::collections::HashSet::new();
        for op in &self.operations.list {
            let item = format!("operations[{}]", op.name);
            if !names.insert(op.name.as_str()) {
                bail!("{item}: listed twice");
            }
            if let Some(n) = &op.notify {
                let target = self.op(n).with_context(|| item.clone())?;
                if target.is_notification() {
                    bail!("{item}: notify names `{n}`, itself a notification");
                }
            }
            if let Some(g) = &op.mcgrp {
                if !self.groups().any(|x| x == g) {
                    bail!("{item}: mcgrp `{g}` is not in mcast-groups");
                }
            }
            let set = match (&op.attribute_set, &op.notify) {
                (Some(s), _) => Some(self.set(s).with_context(|| item.clone())?),
                (None, Some(n)) => self
                    .op(n)?
                    .attribute_set
                    .as_deref()
                    .map(|s| self.set(s))
                    .transpose()?,
                (None, None) => None,
            };
            if set.is_none() && (op.r#do.is_some() || op.dump.is_some() || op.event.is_some()) {
                bail!("{item}: no attribute-set");
            }
            let mut msgs: Vec<(String, &Vec<String>)> = Vec::new();
            for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
                let Some(m) = m else { continue };
                for (dir, msg) in [("request", &m.request), ("reply", &m.reply)] {
                    if let Some(msg) = msg {
                        msgs.push((format!("{mode}.{dir}"), &msg.attributes));
                    }
                }
            }
            if let Some(e) = &op.event {
                msgs.push(("event".into(), &e.attributes));
            }
            for (what, attrs) in msgs {
                let set = set.expect("checked above");
                for a in attrs {
                    if !set.attributes.iter().any(|x| &x.name == a) {
                        bail!(
                            "{item}.{what}: attribute `{a}` is not in set `{}`",
                            set.name
                        );
                    }
                }
            }
        }
        let mut names = std::collections::HashSet::new();
        for g in self.groups() {
            if !names.insert(g) {
                bail!("mcast-groups[{g}]: listed twice");
            }
        }
        Ok(())
    }

    /// Keys of `genetlink-c` or `genetlink-legacy` in a spec of a lower protocol: refused, as
    /// the schema of the spec's protocol refuses them.
    fn check_protocol_keys(&self) -> Result<()> {
        let mut used: Vec<(String, u8)> = Vec::new();
        let mut note = |present: bool, key: String, lvl: u8| {
            if present {
                used.push((key, lvl));
            }
        };
        note(self.c_family_name.is_some(), "c-family-name".into(), 1);
        note(self.c_version_name.is_some(), "c-version-name".into(), 1);
        note(self.max_by_define.is_some(), "max-by-define".into(), 1);
        note(self.cmd_max_name.is_some(), "cmd-max-name".into(), 1);
        note(self.cmd_cnt_name.is_some(), "cmd-cnt-name".into(), 1);
        note(self.kernel_policy.is_some(), "kernel-policy".into(), 2);
        note(self.version.is_some(), "version".into(), 2);
        for d in &self.definitions {
            let item = format!("definitions[{}]", d.name);
            note(d.enum_name.is_some(), format!("{item}.enum-name"), 1);
            note(d.name_prefix.is_some(), format!("{item}.name-prefix"), 1);
            note(
                d.enum_cnt_name.is_some(),
                format!("{item}.enum-cnt-name"),
                1,
            );
            note(d.kind == "struct", format!("{item}: type struct"), 2);
            note(!d.members.is_empty(), format!("{item}.members"), 2);
        }
        for s in &self.attribute_sets {
            let item = format!("attribute-sets[{}]", s.name);
            note(
                s.attr_cnt_name.is_some(),
                format!("{item}.attr-cnt-name"),
                1,
            );
            note(
                s.attr_max_name.is_some(),
                format!("{item}.attr-max-name"),
                1,
            );
            note(s.header.is_some(), format!("{item}.header"), 1);
            note(
                s.enum_name == Some(None),
                format!("{item}.enum-name (empty)"),
                1,
            );
            for a in &s.attributes {
                let item = format!("{item}.attributes[{}]", a.name);
                note(a.name_prefix.is_some(), format!("{item}.name-prefix"), 1);
                note(a.r#struct.is_some(), format!("{item}.struct"), 2);
                note(
                    a.kind == "bitfield32",
                    format!("{item}: type bitfield32"),
                    2,
                );
                note(
                    a.checks.unterminated_ok.is_some(),
                    format!("{item}.checks.unterminated-ok"),
                    1,
                );
            }
        }
        let ops = &self.operations;
        note(
            ops.enum_model.as_deref() == Some("directional"),
            "operations.enum-model: directional".into(),
            2,
        );
        note(
            ops.enum_name == Some(None),
            "operations.enum-name (empty)".into(),
            1,
        );
        note(
            ops.async_enum == Some(None),
            "operations.async-enum (empty)".into(),
            1,
        );
        note(
            ops.fixed_header.is_some(),
            "operations.fixed-header".into(),
            2,
        );
        for op in &ops.list {
            let item = format!("operations[{}]", op.name);
            note(op.fixed_header.is_some(), format!("{item}.fixed-header"), 2);
            for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
                for (dir, msg) in m
                    .iter()
                    .flat_map(|m| [("request", &m.request), ("reply", &m.reply)])
                {
                    note(
                        msg.as_ref().is_some_and(|m| m.value.is_some()),
                        format!("{item}.{mode}.{dir}.value"),
                        2,
                    );
                }
            }
        }
        for g in self.mcast_groups.iter().flat_map(|g| &g.list) {
            note(
                g.c_define_name.is_some(),
                format!("mcast-groups[{}].c-define-name", g.name),
                1,
            );
        }
        let have = level(&self.protocol);
        if let Some((key, lvl)) = used.iter().find(|(_, lvl)| *lvl > have) {
            let needs = if *lvl == 1 {
                "genetlink-c or genetlink-legacy"
            } else {
                "genetlink-legacy"
            };
            bail!(
                "{key}: not part of protocol `{}` (it needs {needs})",
                self.protocol
            );
        }
        Ok(())
    }

    /// Keys whose values the schema enumerates: one of them.
    fn check_enumerated_values(&self) -> Result<()> {
        const ATTR_TYPES: &[&str] = &[
            "unused",
            "pad",
            "flag",
            "binary",
            "bitfield32",
            "uint",
            "sint",
            "u8",
            "u16",
            "u32",
            "u64",
            "s8",
            "s16",
            "s32",
            "s64",
            "string",
            "nest",
            "indexed-array",
            "nest-type-value",
        ];
        const MEMBER_TYPES: &[&str] = &[
            "u8", "u16", "u32", "u64", "s8", "s16", "s32", "s64", "string", "binary",
        ];
        const BYTE_ORDERS: &[&str] = &["little-endian", "big-endian"];
        const HINTS: &[&str] = &["hex", "mac", "fddi", "ipv4", "ipv6", "ipv4-or-v6", "uuid"];
        const FLAGS: &[&str] = &["admin-perm", "uns-admin-perm"];
        let one_of = |item: String, value: Option<&str>, allowed: &[&str]| match value {
            Some(v) if !allowed.contains(&v) => {
                bail!("{item}: `{v}` is not one of {}", allowed.join(", "))
            }
            _ => Ok(()),
        };
        one_of(
            "kernel-policy".into(),
            self.kernel_policy.as_deref(),
            &["split", "per-op", "global"],
        )?;
        for d in &self.definitions {
            let item = format!("definitions[{}]", d.name);
            one_of(
                format!("{item}.scope"),
                d.scope.as_deref(),
                &["uapi", "kernel", "user"],
            )?;
            for m in &d.members {
                let item = format!("{item}.members[{}]", m.name);
                one_of(format!("{item}.type"), Some(&m.kind), MEMBER_TYPES)?;
                one_of(
                    format!("{item}.byte-order"),
                    m.byte_order.as_deref(),
                    BYTE_ORDERS,
                )?;
                one_of(
                    format!("{item}.display-hint"),
                    m.display_hint.as_deref(),
                    HINTS,
                )?;
            }
        }
        for set in &self.attribute_sets {
            for a in &set.attributes {
                let item = format!("attribute-sets[{}].attributes[{}]", set.name, a.name);
                let kind = Some(a.kind.as_str()).filter(|k| !k.is_empty());
                one_of(format!("{item}.type"), kind, ATTR_TYPES)?;
                one_of(
                    format!("{item}.sub-type"),
                    a.sub_type.as_deref(),
                    ATTR_TYPES,
                )?;
                one_of(
                    format!("{item}.byte-order"),
                    a.byte_order.as_deref(),
                    BYTE_ORDERS,
                )?;
                one_of(
                    format!("{item}.display-hint"),
                    a.display_hint.as_deref(),
                    HINTS,
                )?;
            }
        }
        for op in &self.operations.list {
            let item = format!("operations[{}]", op.name);
            for f in &op.flags {
                one_of(format!("{item}.flags"), Some(f), FLAGS)?;
            }
            for f in &op.dont_validate {
                one_of(
                    format!("{item}.dont-validate"),
                    Some(f),
                    &["strict", "dump", "dump-strict"],
                )?;
            }
        }
        for g in self.mcast_groups.iter().flat_map(|g| &g.list) {
            for f in &g.flags {
                one_of(format!("mcast-groups[{}].flags", g.name), Some(f), FLAGS)?;
            }
        }
        Ok(())
    }

    fn validate_checks(&self, item: &str, kind: &str, c: &Checks) -> Result<()> {
        // Integer bounds that name no constant must fit the type and be in order.
        let range: Option<(i128, i128)> = match kind {
            "u8" => Some((0, u8::MAX.into())),
            "u16" => Some((0, u16::MAX.into())),
            "u32" => Some((0, u32::MAX.into())),
            "u64" | "uint" => Some((0, u64::MAX.into())),
            "s8" => Some((i8::MIN.into(), i8::MAX.into())),
            "s16" => Some((i16::MIN.into(), i16::MAX.into())),
            "s32" => Some((i32::MIN.into(), i32::MAX.into())),
            "s64" | "sint" => Some((i64::MIN.into(), i64::MAX.into())),
            _ => None,
        };
        let (min, max) = (
            c.min.as_ref().and_then(IntOrName::int).map(i128::from),
            c.max.as_ref().and_then(IntOrName::int).map(i128::from),
        );
        if let Some((lo, hi)) = range {
            if min.is_some_and(|m| m < lo || m > hi) || max.is_some_and(|m| m < lo || m > hi) {
                bail!("{item}: checks min/max exceed a {kind}");
            }
        }
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                bail!("{item}: check min is above max");
            }
        }
        let (min_len, max_len) = (
            c.min_len.as_ref().and_then(IntOrName::int),
            c.max_len.as_ref().and_then(IntOrName::int),
        );
        if let (Some(lo), Some(hi)) = (min_len, max_len) {
            if lo > hi {
                bail!("{item}: check min-len is above max-len");
            }
        }
        Ok(())
    }

    /// What an attribute holds, as the generated readers, writers and clients carry it; `None`
    /// for what holds no data (`pad`, `unused`, an attribute without a type).
    pub fn value_type(&self, set: &AttrSet, a: &Attr) -> Option<ValueType> {
        let e = crate::kernel::effective(self, set, a);
        let big_endian = e.byte_order.as_deref() == Some("big-endian");
        let int = |rust, width: usize, variable: bool| ValueType::Int {
            rust,
            width,
            big_endian: big_endian && width > 1 && !variable,
            variable,
        };
        Some(match self.attr_kind(set, a) {
            "u8" => int("u8", 1, false),
            "u16" => int("u16", 2, false),
            "u32" => int("u32", 4, false),
            "u64" => int("u64", 8, false),
            "s8" => int("i8", 1, false),
            "s16" => int("i16", 2, false),
            "s32" => int("i32", 4, false),
            "s64" => int("i64", 8, false),
            "uint" => int("u64", 8, true),
            "sint" => int("i64", 8, true),
            "flag" => ValueType::Flag,
            "string" => ValueType::Str {
                unterminated: e.checks.unterminated_ok == Some(true),
            },
            "binary" if e.r#struct.is_none() && e.sub_type.is_none() => ValueType::Binary,
            "nest" => match &e.nested_attributes {
                Some(n) if self.set(n).is_ok() => ValueType::Nest(n.clone()),
                _ => ValueType::Other,
            },
            "pad" | "unused" | "" => return None,
            _ => ValueType::Other,
        })
    }

    /// Whether some attribute nests set `name`.
    pub fn is_nested(&self, name: &str) -> bool {
        self.attribute_sets.iter().any(|s| {
            s.attributes
                .iter()
                .any(|a| matches!(self.value_type(s, a), Some(ValueType::Nest(n)) if n == name))
        })
    }

    /// An attribute's type: its own, or in a subset, the one of the set it is a subset of.
    pub fn attr_kind<'a>(&'a self, set: &'a AttrSet, a: &'a Attr) -> &'a str {
        if !a.kind.is_empty() {
            return &a.kind;
        }
        set.subset_of
            .as_deref()
            .and_then(|p| self.set(p).ok())
            .and_then(|p| p.attributes.iter().find(|x| x.name == a.name))
            .map(|x| x.kind.as_str())
            .unwrap_or("")
    }

    /// Numbers the commands as ynl does: `unified`, one count from 1 that an explicit `value`
    /// moves; `directional`, requests and replies (and notifications) counted apart, moved by
    /// the `value` of a request, a reply or a notification.
    fn number_ops(&mut self) -> Result<()> {
        let directional = match self.operations.enum_model.as_deref() {
            None | Some("unified") => false,
            Some("directional") => true,
            Some(other) => bail!("operations.enum-model `{other}` is not unified or directional"),
        };
        let u8_of = |item: &str, v: u64| {
            u8::try_from(v).with_context(|| format!("{item}: command ID {v} exceeds 255"))
        };
        let (mut req, mut rsp) = (1u64, 1u64);
        for op in &mut self.operations.list {
            let item = format!("operations[{}]", op.name);
            if !directional {
                if let Some(v) = op.value {
                    req = v;
                }
                let v = u8_of(&item, req)?;
                (op.req_value, op.rsp_value) = (Some(v), Some(v));
                req += 1;
                continue;
            }
            if op.is_notification() {
                if let Some(v) = op.value {
                    rsp = v;
                }
                (op.req_value, op.rsp_value) = (None, Some(u8_of(&item, rsp)?));
                rsp += 1;
            } else if let Some(m) = op.r#do.as_ref().or(op.dump.as_ref()) {
                if op.value.is_some() {
                    bail!("{item}: in the directional model a command's values are its request's and reply's");
                }
                if let Some(v) = m.request.as_ref().and_then(|r| r.value) {
                    req = v;
                }
                if let Some(v) = m.reply.as_ref().and_then(|r| r.value) {
                    rsp = v;
                }
                op.req_value = Some(u8_of(&item, req)?);
                req += 1;
                op.rsp_value = None;
                if m.reply.is_some() {
                    op.rsp_value = Some(u8_of(&item, rsp)?);
                    rsp += 1;
                }
            } else {
                bail!(
                    "{item}: in the directional model an operation needs do, dump, notify or event"
                );
            }
        }
        Ok(())
    }

    pub fn set(&self, name: &str) -> Result<&AttrSet> {
        self.attribute_sets
            .iter()
            .find(|s| s.name == name)
            .with_context(|| format!("attribute set `{name}` is not defined"))
    }

    pub fn definition(&self, name: &str) -> Result<&Definition> {
        self.definitions
            .iter()
            .find(|d| d.name == name)
            .with_context(|| format!("definition `{name}` is not defined"))
    }

    pub fn op(&self, name: &str) -> Result<&Op> {
        self.operations
            .list
            .iter()
            .find(|o| o.name == name)
            .with_context(|| format!("operation `{name}` is not defined"))
    }

    pub fn groups(&self) -> impl Iterator<Item = &str> {
        self.mcast_groups
            .iter()
            .flat_map(|g| g.list.iter().map(|g| g.name.as_str()))
    }

    /// Commands in list order with their (request) IDs: `(id, op)`. Notifications have the
    /// ID they are sent with; in the directional model, see [`Op::req_value`] and
    /// [`Op::rsp_value`].
    pub fn cmds(&self) -> impl Iterator<Item = (u8, &Op)> {
        self.operations
            .list
            .iter()
            .map(|op| (op.req_value.or(op.rsp_value).unwrap_or(0), op))
    }

    /// The highest command ID.
    pub fn max_cmd(&self) -> u8 {
        self.cmds().map(|(id, _)| id).max().unwrap_or(0)
    }

    /// The 1-based line of an item in the spec's text, for messages: `path` steps through
    /// mapping keys (`"attribute-sets"`) and list items by name (`"=entry"`), as in
    /// `["attribute-sets", "=entry", "attributes", "=key", "checks"]`. An item the text does
    /// not spell out (a key left to its default) is at the line of the nearest one around it
    /// that it does; `None` when not even the first step is found. Best effort: a block-style
    /// spec is expected.
    pub fn line_of(&self, path: &[&str]) -> Option<usize> {
        line_of(&self.text, path)
    }
}

/// One line of YAML text, as [`line_of`] sees it.
struct Line<'a> {
    /// Column of the first character; `None` for a blank or comment line.
    first: Option<usize>,
    /// Column and text of the content after any `- ` list markers.
    col: usize,
    content: &'a str,
}

impl<'a> Line<'a> {
    fn new(l: &'a str) -> Self {
        let t = l.trim_start();
        if t.is_empty() || t.starts_with('#') {
            return Line {
                first: None,
                col: 0,
                content: "",
            };
        }
        let first = l.len() - t.len();
        let mut rest = t;
        while let Some(r) = rest
            .strip_prefix("- ")
            .or(if rest == "-" { Some("") } else { None })
        {
            rest = r.trim_start();
        }
        Line {
            first: Some(first),
            col: l.len() - rest.len(),
            content: rest,
        }
    }

    /// `key` if the content is `key: ...` or `key:`.
    fn key(&self) -> Option<&'a str> {
        let (k, rest) = self.content.split_once(':')?;
        (rest.is_empty() || rest.starts_with(' ')).then_some(k.trim())
    }

    fn value(&self) -> &'a str {
        let v = self.content.split_once(':').map_or("", |(_, v)| v);
        let v = v.split(" #").next().unwrap_or("").trim();
        v.trim_matches(|c| c == '\'' || c == '"')
    }
}

fn line_of(text: &str, path: &[&str]) -> Option<usize> {
    let lines: Vec<Line> = text.lines().map(Line::new).collect();
    // The current block: lines [from, to), whose keys sit at column `col`.
    let (mut from, mut to, mut col) = (0, lines.len(), 0);
    let mut found = None;
    for step in path {
        if let Some(name) = step.strip_prefix('=') {
            // A list item by name: the items' keys are the shallowest in the block.
            let item_col = (from..to)
                .filter(|&j| lines[j].first.is_some() && lines[j].key().is_some())
                .map(|j| lines[j].col)
                .min();
            let Some(item_col) = item_col else { break };
            let Some(i) = (from..to).find(|&j| {
                lines[j].col == item_col
                    && lines[j].key() == Some("name")
                    && lines[j].value() == name
            }) else {
                break;
            };
            // The item spans from its `- ` line to the next line left of its keys.
            let mut start = i;
            while start > from && lines[i].first.is_some_and(|f| f >= item_col) {
                let p = &lines[start - 1];
                match p.first {
                    None => start -= 1,
                    Some(f) if f >= item_col => start -= 1,
                    Some(_) if p.col == item_col && !p.content.is_empty() => {
                        start -= 1;
                        break;
                    }
                    Some(_) => break,
                }
            }
            let mut end = i + 1;
            while end < to && lines[end].first.is_none_or(|f| f >= item_col) {
                end += 1;
            }
            (from, to, col) = (start, end, item_col);
            found = Some(i);
        } else {
            let Some(i) = (from..to).find(|&j| lines[j].col == col && lines[j].key() == Some(step))
            else {
                break;
            };
            let key_col = lines[i].col;
            // The value block: deeper lines, or a list at the key's own column.
            let mut end = i + 1;
            while end < to
                && lines[end]
                    .first
                    .is_none_or(|f| f > key_col || (f == key_col && lines[end].col > key_col))
            {
                end += 1;
            }
            let inner = (i + 1..end)
                .filter_map(|j| lines[j].first.map(|_| lines[j].col))
                .min()
                .unwrap_or(key_col + 2);
            (from, to, col) = (i + 1, end, inner);
            found = Some(i);
        }
    }
    found.map(|i| i + 1)
}

impl Definition {
    /// The raw value of each entry of an enum or flags: from `value-start` (default 0), one
    /// more than the entry before, or the entry's own `value`.
    pub fn values(&self) -> Vec<i64> {
        let mut next = self
            .value_start
            .as_ref()
            .and_then(IntOrName::int)
            .unwrap_or(0);
        self.entries
            .iter()
            .map(|e| {
                let v = e.value().unwrap_or(next);
                next = v + 1;
                v
            })
            .collect()
    }

    /// The value each entry stands for: the raw value of an enum's entry, the bit
    /// (`1 << raw`) of a flags' entry.
    pub fn user_values(&self) -> Vec<i128> {
        self.values()
            .into_iter()
            .map(|v| {
                if self.kind == "flags" {
                    1i128 << v
                } else {
                    v.into()
                }
            })
            .collect()
    }

    /// The value entry `index` stands for (see [`Definition::user_values`]), as a `u64`.
    pub fn entry_value(&self, index: usize) -> u64 {
        self.user_values()[index] as u64
    }
}

impl AttrSet {
    /// Attributes with their IDs: `(id, attr)`, in list order.
    pub fn attrs(&self) -> impl Iterator<Item = (u16, &Attr)> {
        self.attributes.iter().map(|a| (a.id, a))
    }

    pub fn id(&self, name: &str) -> u16 {
        self.attrs()
            .find(|(_, a)| a.name == name)
            .map(|(id, _)| id)
            .expect("validated")
    }

    /// The highest attribute ID.
    pub fn max_id(&self) -> u16 {
        self.attrs().map(|(id, _)| id).max().unwrap_or(0)
    }

    pub fn pad(&self) -> Option<u16> {
        self.attrs()
            .find(|(_, a)| a.kind == "pad")
            .map(|(id, _)| id)
    }
}

impl Op {
    pub fn is_notification(&self) -> bool {
        self.notify.is_some() || self.event.is_some()
    }

    /// A request the family serves: a `do` or a `dump`, so a handler in the ops trait.
    pub fn has_handlers(&self) -> bool {
        !self.is_notification() && (self.r#do.is_some() || self.dump.is_some())
    }

    pub fn perm(&self) -> Perm {
        if self.flags.iter().any(|f| f == "uns-admin-perm") {
            Perm::NetnsAdmin
        } else if self.flags.iter().any(|f| f == "admin-perm") {
            Perm::Admin
        } else {
            Perm::Anyone
        }
    }
}

/// What an attribute holds, by its spec type ([`Spec::value_type`]).
#[derive(Clone, Debug, PartialEq)]
pub enum ValueType {
    /// An integer: its Rust type and width in bytes (`uint`/`sint`: `variable`, 4 or 8 on the
    /// wire, held as 64 bits); `big_endian` for `byte-order: big-endian` (not for one byte).
    Int {
        rust: &'static str,
        width: usize,
        big_endian: bool,
        variable: bool,
    },
    Flag,
    Str {
        unterminated: bool,
    },
    /// Plain bytes (a `binary` without `struct` or `sub-type`).
    Binary,
    /// A nest of the named set.
    Nest(String),
    /// Anything else (`bitfield32`, `indexed-array`, `struct` binaries, ...), carried as bytes.
    Other,
}

/// `some-name` as `SOME_NAME`.
pub fn upper(name: &str) -> String {
    name.replace('-', "_").to_uppercase()
}

/// `some-name` as `some_name`.
pub fn snake(name: &str) -> String {
    name.replace('-', "_")
}

/// `some-name` as `SomeName`.
pub fn camel(name: &str) -> String {
    name.split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
