// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The C uapi header, for C users (libnl, libmnl, the kernel's YNL C library): the header the
//! kernel's `tools/net/ynl/pyynl/ynl_gen_c.py --mode uapi` renders, line for line, but for the
//! lines that say what generated it. It departs from ynl-gen only where ynl-gen's header is
//! wrong or where ynl-gen fails:
//! - the directional model's enums carry each command's real request and reply IDs (ynl-gen
//!   drops an ID whose request and reply differ);
//! - a name declared twice (as in specs that describe one C enum in several places, or whose
//!   sets share a prefix) is declared once: a repeat with the same value is left out, one with
//!   another value is left as a comment, an enum tag taken is dropped, so the header compiles;
//! - an enum with no name but with docs gets a plain comment (ynl-gen fails on it).

use std::collections::{HashMap, HashSet};

use crate::model::{AttrSet, Definition, Spec};

/// `some-name` as `SOME_NAME`, as ynl-gen's `c_upper`.
fn c_upper(name: &str) -> String {
    name.to_uppercase().replace('-', "_")
}

/// `some-name` as `some_name`, as ynl-gen's `c_lower`.
fn c_lower(name: &str) -> String {
    name.to_lowercase().replace('-', "_")
}

/// ynl-gen's `CodeWriter`, the part the uapi header uses; and the names declared so far.
#[derive(Default)]
struct Cw {
    out: String,
    ind: usize,
    nl: bool,
    /// Enumerators and defines declared, with their values.
    names: HashMap<String, String>,
    tags: HashSet<String>,
}

/// One line of an enum's body.
enum Item {
    /// `NAME,` or `NAME = value,` (always the latter when `explicit`); no comma if `last`.
    Entry {
        name: String,
        value: i128,
        explicit: bool,
        last: bool,
    },
    /// `NAME = (CNT - 1)`, the enum's last line.
    Max {
        name: String,
        cnt: String,
        value: i128,
    },
    Blank,
    Private,
}

/// What to do with a name about to be declared.
enum Decl {
    New,
    /// Declared already with this very value: leave it out.
    Same,
    /// Declared already with another value: leave it as a comment.
    Clash,
}

impl Cw {
    fn p(&mut self, line: &str) {
        if self.nl {
            self.out.push('\n');
            self.nl = false;
        }
        let ind = if line.starts_with('#') {
            0
        } else if line.ends_with(':') {
            self.ind.saturating_sub(1)
        } else {
            self.ind
        };
        for _ in 0..ind {
            self.out.push('\t');
        }
        self.out.push_str(line);
        self.out.push('\n');
    }

    fn nl(&mut self) {
        self.nl = true;
    }

    fn block_start(&mut self, line: &str) {
        if line.is_empty() {
            self.p("{");
        } else {
            self.p(&format!("{line} {{"));
        }
        self.ind += 1;
    }

    fn block_end(&mut self, line: &str) {
        self.ind -= 1;
        self.nl = false;
        self.p(&format!("}}{line}"));
    }

    /// A doc comment line, wrapped before column 79; continuation lines indented unless
    /// `indent` is false.
    fn write_doc_line(&mut self, doc: &str, indent: bool) {
        let mut line = String::from(" *");
        for word in doc.split_whitespace() {
            if line.len() + word.len() >= 79 {
                self.p(&line);
                line = String::from(" *");
                if indent {
                    line.push_str("  ");
                }
            }
            line.push(' ');
            line.push_str(word);
        }
        self.p(&line);
    }

    /// `#define NAME<tabs>VALUE` lines, the values aligned on a tab stop.
    fn writes_defines(&mut self, defines: &[(String, String)]) {
        let longest = defines.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let longest = (longest + 8) / 8 * 8;
        for (name, value) in defines {
            let tabs = (longest - name.len()).div_ceil(8);
            self.p(&format!("#define {name}{}{value}", "\t".repeat(tabs)));
        }
    }

    fn declare(&mut self, name: &str, value: &str) -> Decl {
        match self.names.get(name) {
            None => {
                self.names.insert(name.to_string(), value.to_string());
                Decl::New
            }
            Some(v) if v == value => Decl::Same,
            Some(_) => Decl::Clash,
        }
    }

    /// `#define` lines of names not declared yet (see [`Cw::declare`]).
    fn defines(&mut self, defines: &[(String, String)]) {
        let mut keep = Vec::new();
        for (name, value) in defines {
            match self.declare(name, value) {
                Decl::New => keep.push((name.clone(), value.clone())),
                Decl::Same => {}
                Decl::Clash => self.p(&format!("/* {name} {value}: the name is taken */")),
            }
        }
        self.writes_defines(&keep);
    }

    /// An enum: `enum TAG {` (`tag` empty: no tag) and its items, leaving out (or as comments)
    /// the names already declared, the tag if taken, and the whole enum if nothing is left.
    fn write_enum(&mut self, tag: &str, items: Vec<Item>) {
        let mut lines: Vec<Option<String>> = Vec::new(); // None: a blank line
        let mut val: i128 = 0;
        let mut dropped_cnt = HashSet::new();
        let mut kept = 0;
        for item in items {
            match item {
                Item::Entry {
                    name,
                    value,
                    explicit,
                    last,
                } => {
                    let comma = if last { "" } else { "," };
                    match self.declare(&name, &value.to_string()) {
                        Decl::New => {
                            kept += 1;
                            if explicit || value != val {
                                lines.push(Some(format!("{name} = {value}{comma}")));
                            } else {
                                lines.push(Some(format!("{name}{comma}")));
                            }
                            val = value + 1;
                        }
                        Decl::Same => {}
                        Decl::Clash => {
                            dropped_cnt.insert(name.clone());
                            lines.push(Some(format!("/* {name} = {value}: the name is taken */")));
                        }
                    }
                }
                Item::Max { name, cnt, value } => match self.declare(&name, &value.to_string()) {
                    Decl::New => {
                        kept += 1;
                        if dropped_cnt.contains(&cnt) {
                            lines.push(Some(format!("{name} = {value}")));
                        } else {
                            lines.push(Some(format!("{name} = ({cnt} - 1)")));
                        }
                    }
                    Decl::Same => {}
                    Decl::Clash => {
                        lines.push(Some(format!("/* {name} = {value}: the name is taken */")))
                    }
                },
                Item::Blank => lines.push(None),
                Item::Private => lines.push(Some("/* private: */".into())),
            }
        }
        let tag = if tag.is_empty() || self.tags.insert(tag.to_string()) {
            tag.to_string()
        } else {
            self.p(&format!("/* enum {tag}: declared above */"));
            String::new()
        };
        if kept == 0 {
            let what = if tag.is_empty() { "enum" } else { &tag };
            self.p(&format!("/* {what}: every name declared above */"));
            return;
        }
        self.block_start(&if tag.is_empty() {
            "enum".to_string()
        } else {
            format!("enum {tag}")
        });
        for l in lines {
            match l {
                Some(l) => self.p(&l),
                None => self.nl(),
            }
        }
        self.block_end(";");
    }
}

/// The tag of an enum: `enum_name` when the spec has it (none when it is empty), else
/// `<family>_<default>` when there is a default, else none.
fn enum_tag(family: &str, enum_name: &Option<Option<String>>, default: Option<&str>) -> String {
    match (enum_name, default) {
        (Some(Some(n)), _) if !n.is_empty() => c_lower(n),
        (Some(_), _) | (None, None) => String::new(),
        (None, Some(d)) => format!("{}_{}", c_lower(family), c_lower(d)),
    }
}

/// A quoted C string.
fn quoted(s: &str) -> String {
    format!("\"{s}\"")
}

/// The prefix of an attribute set's enumerators (ynl-gen's `AttrSet.name_prefix`).
fn set_prefix(spec: &Spec, set: &AttrSet) -> String {
    if let Some(parent) = &set.subset_of {
        return set_prefix(spec, spec.set(parent).expect("validated"));
    }
    c_upper(&match &set.name_prefix {
        Some(p) => p.clone(),
        None if set.name == spec.name => format!("{}-a-", spec.ident_name()),
        None => format!("{}-a-{}-", spec.ident_name(), set.name),
    })
}

/// The C enumerator of an attribute.
pub fn attr_name(spec: &Spec, set: &AttrSet, attr: &str) -> String {
    let a = set.attributes.iter().find(|a| a.name == attr);
    match a.and_then(|a| a.name_prefix.as_ref()) {
        Some(p) => c_upper(&format!("{p}{attr}")),
        None => c_upper(&format!("{}{attr}", set_prefix(spec, set))),
    }
}

/// The prefix of a definition's entries.
fn def_prefix(spec: &Spec, d: &Definition) -> String {
    d.name_prefix
        .clone()
        .unwrap_or_else(|| format!("{}-{}-", spec.ident_name(), d.name))
}

/// The C enumerator of an entry of an enum or flags definition.
pub fn entry_name(spec: &Spec, d: &Definition, entry: &str) -> String {
    c_upper(&format!("{}{entry}", def_prefix(spec, d)))
}

/// The prefix of the commands' enumerators.
fn op_prefix(spec: &Spec) -> String {
    c_upper(
        &spec
            .operations
            .name_prefix
            .clone()
            .unwrap_or_else(|| format!("{}-cmd-", spec.name)),
    )
}

/// The C enumerator of a command (or, with `async-prefix`, of a notification).
pub fn cmd_name(spec: &Spec, op: &crate::model::Op) -> String {
    match &spec.operations.async_prefix {
        Some(p) if op.is_notification() => c_upper(&format!("{p}{}", op.name)),
        _ => format!("{}{}", op_prefix(spec), c_upper(&op.name)),
    }
}

/// The names of the family name and version defines.
pub fn family_defines(spec: &Spec) -> (String, String) {
    (
        c_upper(
            &spec
                .c_family_name
                .clone()
                .unwrap_or_else(|| format!("{}_FAMILY_NAME", spec.name)),
        ),
        c_upper(
            &spec
                .c_version_name
                .clone()
                .unwrap_or_else(|| format!("{}_FAMILY_VERSION", spec.name)),
        ),
    )
}

pub fn emit(spec: &Spec, spec_path: &str) -> String {
    let ident = spec.ident_name();
    let header = spec.uapi_header();
    let header_name = match header
        .strip_prefix("linux/")
        .and_then(|h| h.strip_suffix(".h"))
    {
        Some(h) => h.to_string(),
        None => ident.clone(),
    };
    let guard = format!("_UAPI_LINUX_{}_H", c_upper(&header_name)).replace('/', "_");
    let max_by_define = spec.max_by_define.unwrap_or(false);
    let license = spec
        .license
        .as_deref()
        .unwrap_or("((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)");

    let mut cw = Cw::default();
    cw.p(&format!("/* SPDX-License-Identifier: {license} */"));
    cw.p("/* Do not edit directly, auto-generated from: */");
    cw.p(&format!("/*\t{spec_path} */"));
    cw.p("/* by genlkit-codegen */");
    cw.nl();
    cw.p(&format!("#ifndef {guard}"));
    cw.p(&format!("#define {guard}"));
    cw.nl();

    let (fam_key, ver_key) = family_defines(spec);
    cw.defines(&[
        (fam_key, quoted(&spec.name)),
        (ver_key, spec.version().to_string()),
    ]);
    cw.nl();

    // Definitions: consts gathered into define blocks, enums and flags as enums.
    let mut defines = Vec::new();
    for d in &spec.definitions {
        if d.header.is_some() || d.scope.as_deref().unwrap_or("uapi") != "uapi" {
            continue;
        }
        if d.kind != "const" {
            cw.defines(&defines);
            defines.clear();
            cw.nl();
        }
        match d.kind.as_str() {
            "enum" | "flags" => emit_enum(&mut cw, spec, d),
            "const" => {
                let pfx = d.name_prefix.clone().unwrap_or_else(|| format!("{ident}-"));
                let value = match d.value.as_ref().expect("validated") {
                    crate::model::IntOrName::Int(v) => v.to_string(),
                    crate::model::IntOrName::Name(s) => quoted(s),
                };
                defines.push((c_upper(&format!("{pfx}{}", d.name)), value));
            }
            _ => {} // structs: the uapi header has none (as ynl-gen's)
        }
    }
    if !defines.is_empty() {
        cw.defines(&defines);
        cw.nl();
    }

    // Attribute sets (a subset shares the enum of the set it is part of).
    for set in spec.attribute_sets.iter().filter(|s| s.subset_of.is_none()) {
        let pfx = set_prefix(spec, set);
        let max_name = c_upper(
            &set.attr_max_name
                .clone()
                .unwrap_or_else(|| format!("{pfx}max")),
        );
        let cnt_name = c_upper(
            &set.attr_cnt_name
                .clone()
                .unwrap_or_else(|| format!("__{pfx}max")),
        );
        let mut items = Vec::new();
        let mut next = 0i128;
        for (id, a) in set.attrs() {
            items.push(entry(attr_name(spec, set, &a.name), id.into(), false));
            next = i128::from(id) + 1;
        }
        if !set.attributes.is_empty() {
            items.push(Item::Blank);
        }
        enum_end(
            &mut cw,
            tag_of(&set.enum_name),
            items,
            &cnt_name,
            &max_name,
            next,
            max_by_define,
        );
    }

    // Commands.
    let separate_ntf = spec.operations.async_prefix.is_some();
    let op_pfx = op_prefix(spec);
    if !spec.directional() {
        let max_name = c_upper(
            &spec
                .cmd_max_name
                .clone()
                .unwrap_or_else(|| format!("{op_pfx}MAX")),
        );
        let cnt_name = c_upper(
            &spec
                .cmd_cnt_name
                .clone()
                .unwrap_or_else(|| format!("__{op_pfx}MAX")),
        );
        let mut items = Vec::new();
        let mut next = 0i128;
        for (id, op) in spec.cmds() {
            if separate_ntf && op.is_notification() {
                continue;
            }
            items.push(entry(cmd_name(spec, op), id.into(), false));
            next = i128::from(id) + 1;
        }
        items.push(Item::Blank);
        enum_end(
            &mut cw,
            tag_of(&spec.operations.enum_name),
            items,
            &cnt_name,
            &max_name,
            next,
            max_by_define,
        );
    } else {
        // Requests, then replies and notifications, each in an enum from 0 (NONE).
        for dir in ["USER", "KERNEL"] {
            let max_name = format!("{op_pfx}{dir}_MAX");
            let cnt_name = format!("__{op_pfx}{dir}_CNT");
            let mut items = vec![entry(
                c_upper(&format!("{}_MSG_{dir}_NONE", spec.name)),
                0,
                true,
            )];
            let mut next = 1i128;
            // ynl-gen's count leaves NONE out: the first command is always `= N`.
            let mut ynl_next = 0i128;
            for op in &spec.operations.list {
                let name = cmd_name(spec, op);
                let replies = op.r#do.as_ref().is_some_and(|d| d.reply.is_some());
                let (name, value) = if dir == "USER" && op.r#do.is_some() && op.event.is_none() {
                    (name, op.req_value)
                } else if dir == "KERNEL" && op.is_notification() {
                    (name, op.rsp_value)
                } else if dir == "KERNEL" && replies {
                    (format!("{name}_REPLY"), op.rsp_value)
                } else {
                    continue;
                };
                // Always known here: a do's request, a reply, a notification.
                let value = i128::from(value.unwrap_or(0));
                items.push(entry(name, value, value != ynl_next));
                (next, ynl_next) = (value + 1, value + 1);
            }
            items.push(Item::Blank);
            enum_end(
                &mut cw,
                String::new(),
                items,
                &cnt_name,
                &max_name,
                next,
                max_by_define,
            );
        }
    }
    if separate_ntf {
        // As ynl-gen: the notifications' own enum, from 0 unless they say otherwise.
        let mut items = Vec::new();
        let mut next = 0i128;
        for op in spec.operations.list.iter().filter(|o| o.is_notification()) {
            let value = op.value.map_or(next, i128::from);
            items.push(entry(cmd_name(spec, op), value, op.value.is_some()));
            next = value + 1;
        }
        cw.write_enum(&tag_of(&spec.operations.async_enum), items);
        cw.nl();
    }

    // Multicast groups.
    let groups: Vec<_> = spec
        .mcast_groups
        .iter()
        .flat_map(|g| &g.list)
        .map(|g| {
            let name = g
                .c_define_name
                .clone()
                .unwrap_or_else(|| format!("{ident}-mcgrp-{}", g.name));
            (c_upper(&name), quoted(&g.name))
        })
        .collect();
    cw.nl();
    if !groups.is_empty() {
        cw.defines(&groups);
        cw.nl();
    }
    cw.p(&format!("#endif /* {guard} */"));
    cw.out
}

fn entry(name: String, value: i128, explicit: bool) -> Item {
    Item::Entry {
        name,
        value,
        explicit,
        last: false,
    }
}

/// The tag of an enum with no default one.
fn tag_of(enum_name: &Option<Option<String>>) -> String {
    enum_tag("", enum_name, None)
}

/// Ends the enum with its count and max (`cnt` is the count's value), as enumerators or, with
/// `max-by-define`, the max as a define; writes it.
fn enum_end(
    cw: &mut Cw,
    tag: String,
    mut items: Vec<Item>,
    cnt_name: &str,
    max_name: &str,
    cnt: i128,
    max_by_define: bool,
) {
    items.push(Item::Entry {
        name: cnt_name.to_string(),
        value: cnt,
        explicit: false,
        last: max_by_define,
    });
    if !max_by_define {
        items.push(Item::Max {
            name: max_name.to_string(),
            cnt: cnt_name.to_string(),
            value: cnt - 1,
        });
    }
    cw.write_enum(&tag, items);
    if max_by_define {
        let value = format!("({cnt_name} - 1)");
        match cw.declare(max_name, &value) {
            Decl::New => cw.p(&format!("#define {max_name} {value}")),
            Decl::Same => {}
            Decl::Clash => cw.p(&format!("/* {max_name} {value}: the name is taken */")),
        }
    }
    cw.nl();
}

fn emit_enum(cw: &mut Cw, spec: &Spec, d: &Definition) {
    let ident = spec.ident_name();
    let pfx = def_prefix(spec, d);
    // kernel-doc when entries have docs (`enum NAME - doc`, `@ENTRY: doc`), else a comment.
    let entry_doc = d
        .entries
        .iter()
        .any(|e| e.doc().is_some_and(|d| !d.is_empty()));
    if d.doc.is_some() || entry_doc {
        let enum_name = match &d.enum_name {
            Some(Some(n)) if !n.is_empty() => Some(format!("enum {}", c_lower(n))),
            Some(_) => None,
            None => Some(format!("enum {}", c_lower(&format!("{ident}-{}", d.name)))),
        };
        match (&enum_name, entry_doc) {
            (Some(n), true) => {
                cw.p("/**");
                let doc = d
                    .doc
                    .as_ref()
                    .map(|d| format!(" - {d}"))
                    .unwrap_or_default();
                cw.write_doc_line(&format!("{n}{doc}"), true);
            }
            _ => {
                cw.p("/*");
                if let Some(doc) = &d.doc {
                    cw.write_doc_line(doc, false);
                }
            }
        }
        for e in &d.entries {
            if let Some(doc) = e.doc().filter(|d| !d.is_empty()) {
                cw.write_doc_line(&format!("@{}: {doc}", entry_name(spec, d, e.name())), true);
            }
        }
        cw.p(" */");
    }
    let raw = d.values();
    let user = d.user_values();
    let mut items: Vec<Item> = d
        .entries
        .iter()
        .zip(&user)
        .map(|(e, v)| entry(entry_name(spec, d, e.name()), *v, d.kind == "flags"))
        .collect();
    if d.render_max {
        items.push(Item::Blank);
        items.push(Item::Private);
        if d.kind == "flags" {
            let mask: i128 = user.iter().sum();
            items.push(entry(c_upper(&format!("{pfx}mask")), mask, true));
        } else {
            let cnt = c_upper(
                &d.enum_cnt_name
                    .clone()
                    .unwrap_or_else(|| format!("__{pfx}max")),
            );
            let next = raw.last().map_or(0, |v| i128::from(*v) + 1);
            items.push(entry(cnt.clone(), next, false));
            items.push(Item::Max {
                name: c_upper(&format!("{pfx}max")),
                cnt,
                value: next - 1,
            });
        }
    }
    cw.write_enum(&enum_tag(&ident, &d.enum_name, Some(&d.name)), items);
    cw.nl();
}
