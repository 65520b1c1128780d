// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The subset of the YNL genetlink spec format that genlkit generates code for.
//!
//! Parsing is strict: an unknown key anywhere is an error that names its line, so a spec that
//! uses a feature the generator does not implement is refused, never half-translated.
//! Semantic checks ([`Spec::validate`]) name the item they refuse.

use anyhow::{bail, Context, Result};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Spec {
    pub name: String,
    pub protocol: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub uapi_header: Option<String>,
    #[serde(default)]
    pub definitions: Vec<Definition>,
    pub attribute_sets: Vec<AttrSet>,
    pub operations: Operations,
    #[serde(default)]
    pub mcast_groups: Option<McastGroups>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Definition {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub entries: Vec<EnumEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum EnumEntry {
    Name(String),
    Full {
        name: String,
        #[serde(default)]
        doc: Option<String>,
    },
}

impl EnumEntry {
    pub fn name(&self) -> &str {
        match self {
            EnumEntry::Name(n) | EnumEntry::Full { name: n, .. } => n,
        }
    }
    pub fn doc(&self) -> Option<&str> {
        match self {
            EnumEntry::Name(_) => None,
            EnumEntry::Full { doc, .. } => doc.as_deref(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AttrSet {
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    pub attributes: Vec<Attr>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Attr {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub value: Option<u16>,
    #[serde(default)]
    pub checks: Checks,
    #[serde(default)]
    pub nested_attributes: Option<String>,
    #[serde(default)]
    pub r#enum: Option<String>,
    #[serde(default)]
    pub enum_as_flags: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Checks {
    pub min_len: Option<u32>,
    pub max_len: Option<u32>,
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Operations {
    pub list: Vec<Op>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Op {
    pub name: String,
    #[serde(default)]
    pub doc: Option<String>,
    #[serde(default)]
    pub attribute_set: Option<String>,
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub r#do: Option<OpMode>,
    #[serde(default)]
    pub dump: Option<OpMode>,
    #[serde(default)]
    pub notify: Option<String>,
    #[serde(default)]
    pub event: Option<Msg>,
    #[serde(default)]
    pub mcgrp: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OpMode {
    #[serde(default)]
    pub request: Option<Msg>,
    #[serde(default)]
    pub reply: Option<Msg>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Msg {
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
}

/// What an operation's kernel entry is allowed to run as.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Perm {
    Anyone,
    Admin,
    NetnsAdmin,
}

impl Spec {
    pub fn parse(text: &str, path: &str) -> Result<Self> {
        let spec: Spec = serde_yaml_ng::from_str(text)
            .with_context(|| format!("{path}: not a spec this generator supports"))?;
        spec.validate()
            .with_context(|| format!("{path}: unsupported or invalid spec"))?;
        Ok(spec)
    }

    fn validate(&self) -> Result<()> {
        if self.protocol != "genetlink" {
            bail!(
                "protocol `{}`: only `genetlink` is supported",
                self.protocol
            );
        }
        for d in &self.definitions {
            if d.kind != "flags" && d.kind != "enum" {
                bail!(
                    "definitions[{}]: type `{}` is not supported (flags, enum)",
                    d.name,
                    d.kind
                );
            }
        }
        for set in &self.attribute_sets {
            for (i, a) in set.attributes.iter().enumerate() {
                let item = format!("attribute-sets[{}].attributes[{}]", set.name, a.name);
                if let Some(v) = a.value {
                    if usize::from(v) != i + 1 {
                        bail!("{item}: explicit `value` {v} is not supported (attributes are numbered from 1)");
                    }
                }
                match a.kind.as_str() {
                    "u8" | "u16" | "u32" | "u64" | "string" | "binary" | "flag" | "pad" => {}
                    "nest" => {
                        let Some(n) = &a.nested_attributes else {
                            bail!("{item}: a nest needs `nested-attributes`");
                        };
                        self.set(n).with_context(|| item.clone())?;
                    }
                    other => bail!("{item}: type `{other}` is not supported"),
                }
                if let Some(e) = &a.r#enum {
                    let def = self.definition(e).with_context(|| item.clone())?;
                    if a.enum_as_flags != (def.kind == "flags") {
                        bail!("{item}: `enum-as-flags` must be set exactly for flags definitions");
                    }
                    if a.kind != "u32" {
                        bail!("{item}: an enum attribute must be u32");
                    }
                }
                let c = &a.checks;
                let ints = matches!(a.kind.as_str(), "u8" | "u16" | "u32" | "u64");
                if (c.min.is_some() || c.max.is_some()) && !ints {
                    bail!("{item}: checks min/max apply to integers only");
                }
                let type_max = match a.kind.as_str() {
                    "u8" => u64::from(u8::MAX),
                    "u16" => u64::from(u16::MAX),
                    "u32" => u64::from(u32::MAX),
                    _ => u64::MAX,
                };
                if c.min.is_some_and(|m| m > type_max) || c.max.is_some_and(|m| m > type_max) {
                    bail!("{item}: checks min/max exceed a {}", a.kind);
                }
                if c.min.unwrap_or(0) > c.max.unwrap_or(type_max) {
                    bail!("{item}: check min is above max");
                }
                if (c.min_len.is_some() || c.max_len.is_some())
                    && !matches!(a.kind.as_str(), "string" | "binary")
                {
                    bail!("{item}: checks min-len/max-len apply to string and binary only");
                }
                if c.max_len.is_some_and(|m| m > 65531) {
                    bail!("{item}: max-len over 65531 cannot be carried by a netlink attribute");
                }
            }
        }
        for op in &self.operations.list {
            let item = format!("operations[{}]", op.name);
            for f in &op.flags {
                if f != "admin-perm" && f != "uns-admin-perm" {
                    bail!("{item}: flag `{f}` is not supported (admin-perm, uns-admin-perm)");
                }
            }
            if op.is_notification() {
                if op.r#do.is_some() || op.dump.is_some() {
                    bail!("{item}: a notification has no do/dump");
                }
                if let Some(n) = &op.notify {
                    self.op(n).with_context(|| item.clone())?;
                }
                let g = op.mcgrp.as_deref().unwrap_or_default();
                if !self.groups().any(|x| x == g) {
                    bail!("{item}: mcgrp `{g}` is not in mcast-groups");
                }
                continue;
            }
            let set = op
                .attribute_set
                .as_deref()
                .with_context(|| format!("{item}: no attribute-set"))?;
            let set = self.set(set).with_context(|| item.clone())?;
            for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
                let Some(m) = m else { continue };
                for msg in [&m.request, &m.reply].into_iter().flatten() {
                    for a in &msg.attributes {
                        if !set.attributes.iter().any(|x| &x.name == a) {
                            bail!(
                                "{item}.{mode}: attribute `{a}` is not in set `{}`",
                                set.name
                            );
                        }
                    }
                }
            }
            if op.r#do.is_none() && op.dump.is_none() {
                bail!("{item}: neither do nor dump");
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

    /// Commands in ID order: `(id, op)`, starting at 1.
    pub fn cmds(&self) -> impl Iterator<Item = (u8, &Op)> {
        self.operations
            .list
            .iter()
            .enumerate()
            .map(|(i, op)| (i as u8 + 1, op))
    }

    /// The value of an entry of a flags or enum definition.
    pub fn entry_value(def: &Definition, index: usize) -> u64 {
        if def.kind == "flags" {
            1 << index
        } else {
            index as u64
        }
    }
}

impl AttrSet {
    /// Attributes in ID order: `(id, attr)`, starting at 1.
    pub fn attrs(&self) -> impl Iterator<Item = (u16, &Attr)> {
        self.attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (i as u16 + 1, a))
    }

    pub fn id(&self, name: &str) -> u16 {
        self.attrs()
            .find(|(_, a)| a.name == name)
            .map(|(id, _)| id)
            .expect("validated")
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
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
