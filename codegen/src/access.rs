// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The handler's side of `nl_gen.rs`: typed readers of each request and attribute set, typed
//! writers of each attribute set, and the size of each message the family sends.
//!
//! - `<Op><Mode>Request<'a>`: one accessor per attribute of the op's request, returning a
//!   `genl::Field` (`get`, `required`, `all`, `reject`); a nest reads as the nested set's
//!   `<Set>Attrs<'a>`, whose missing attributes are reported with the nest (`MISS_NEST`).
//! - `<Set>Writer<W>`: one `put` per attribute of the set, with the set's `pad` for 64-bit
//!   values; a nest opens the nested set's writer on a `genl::Nest`, closed by `end`.
//! - `size::*`: the room of each reply, dump entry and notification with every attribute of
//!   its spec list once (`nla_total_size`), for `Request::reply` and `Family::notification`;
//!   none for a message whose size the spec does not bound (a string without `max-len`, a
//!   `multi-attr`), said in a comment.

use std::fmt::Write;

use crate::kernel::{doc, effective, ident, konst, limit, w};
use crate::model::{camel, upper, Attr, AttrSet, Op, Spec, ValueType};

/// How an attribute reads and writes, by its type.
enum Kind {
    /// An integer: its Rust type, the `Attr` reader, and how it is put.
    Int {
        rust: &'static str,
        read: &'static str,
        put: Put,
    },
    Str {
        unterminated: bool,
    },
    Binary,
    Flag,
    Nest(String),
    /// Anything else: read as the attribute, written as bytes.
    Raw,
}

enum Put {
    /// `put_u8`, `put_u16`, `put_u32`.
    Native(&'static str),
    /// `put_bytes` of `to_{ne,be}_bytes()`.
    Bytes(&'static str),
    /// `put_u64` with the set's pad (cast from a signed type when `true`).
    U64(bool),
    Uint,
    Sint,
}

fn kind(spec: &Spec, set: &AttrSet, a: &Attr) -> Kind {
    let int = |rust, read, put| Kind::Int { rust, read, put };
    match spec.value_type(set, a) {
        Some(ValueType::Int {
            rust,
            width,
            big_endian,
            variable,
        }) => match (rust, width, big_endian, variable) {
            (_, _, _, true) if rust.starts_with('u') => int(rust, "genl::Attr::uint", Put::Uint),
            (_, _, _, true) => int(rust, "genl::Attr::sint", Put::Sint),
            ("u8", ..) => int(rust, "genl::Attr::u8", Put::Native("put_u8")),
            ("u16", _, false, _) => int(rust, "genl::Attr::u16", Put::Native("put_u16")),
            ("u32", _, false, _) => int(rust, "genl::Attr::u32", Put::Native("put_u32")),
            ("u64", _, false, _) => int(rust, "genl::Attr::u64", Put::U64(false)),
            ("u16", _, true, _) => int(rust, "genl::Attr::be16", Put::Bytes("to_be_bytes")),
            ("u32", _, true, _) => int(rust, "genl::Attr::be32", Put::Bytes("to_be_bytes")),
            ("u64", _, true, _) => int(rust, "genl::Attr::be64", Put::Bytes("to_be_bytes")),
            ("i8", ..) => int(rust, "genl::Attr::i8", Put::Bytes("to_ne_bytes")),
            ("i16", _, false, _) => int(rust, "genl::Attr::i16", Put::Bytes("to_ne_bytes")),
            ("i32", _, false, _) => int(rust, "genl::Attr::i32", Put::Bytes("to_ne_bytes")),
            ("i64", _, false, _) => int(rust, "genl::Attr::i64", Put::U64(true)),
            // A big-endian signed integer: the layer has no reader for it.
            _ => Kind::Raw,
        },
        Some(ValueType::Str { unterminated }) => Kind::Str { unterminated },
        Some(ValueType::Binary) => Kind::Binary,
        Some(ValueType::Flag) => Kind::Flag,
        Some(ValueType::Nest(n)) => Kind::Nest(n),
        Some(ValueType::Other) | None => Kind::Raw,
    }
}

/// Attributes that are not data: no accessor, no writer.
fn skipped(spec: &Spec, set: &AttrSet, a: &Attr) -> bool {
    spec.value_type(set, a).is_none()
}

fn reader_type(set: &str) -> String {
    format!("{}Attrs", camel(set))
}

fn writer_type(set: &str) -> String {
    format!("{}Writer", camel(set))
}

/// A method's name for an attribute: its name, kept clear of the wrappers' own methods.
fn method(name: &str) -> String {
    let m = ident(name);
    if matches!(m.as_str(), "new" | "end" | "attrs") {
        format!("{m}_attr")
    } else {
        m
    }
}

/// One accessor: `fn name(&self) -> Field<'a, T>` (or `bool` for a flag).
fn accessor(o: &mut String, spec: &Spec, set: &AttrSet, a: &Attr) {
    let e = effective(spec, set, a);
    let c = format!("{}::{}", ident(&set.name), konst(&a.name));
    let multi = if e.multi_attr == Some(true) {
        " Repeated (`multi-attr`): read with `all`."
    } else {
        ""
    };
    w(
        o,
        &format!("    /// `{}` ({}).{multi}", a.name, spec.attr_kind(set, a)),
    );
    if e.doc.is_some() {
        w(o, "    ///");
        doc(o, "    ", e.doc.as_deref());
    }
    let m = method(&a.name);
    let (ty, read) = match kind(spec, set, a) {
        Kind::Flag => {
            w(o, &format!("    pub(crate) fn {m}(&self) -> bool {{"));
            w(o, &format!("        self.0.get({c}).is_some()"));
            w(o, "    }");
            return;
        }
        Kind::Int { rust, read, .. } => (rust.to_string(), read.to_string()),
        Kind::Str {
            unterminated: false,
        } => ("&'a [u8]".into(), "genl::Attr::str_bytes".into()),
        Kind::Str { unterminated: true } => (
            "&'a [u8]".into(),
            "genl::Attr::str_bytes_unterminated".into(),
        ),
        Kind::Binary => ("&'a [u8]".into(), "|a| Ok(a.bytes())".into()),
        Kind::Nest(n) => {
            let t = reader_type(&n);
            (format!("{t}<'a>"), format!("|a| Ok({t}(a.nested()))"))
        }
        Kind::Raw => ("genl::Attr<'a>".into(), "|a| Ok(*a)".into()),
    };
    w(
        o,
        &format!("    pub(crate) fn {m}(&self) -> genl::Field<'a, {ty}> {{"),
    );
    let call = format!("        genl::Field::new(self.0, {c}, {read})");
    match read.strip_prefix("|a| ") {
        // Wrapped as rustfmt would.
        Some(body) if call.len() > 100 => {
            w(o, &format!("        genl::Field::new(self.0, {c}, |a| {{"));
            w(o, &format!("            {body}"));
            w(o, "        })");
        }
        _ => w(o, &call),
    }
    w(o, "    }");
}

/// The attributes of a set named in a list (an op's request), in list order.
fn listed<'s>(set: &'s AttrSet, names: &[String]) -> Vec<&'s Attr> {
    names
        .iter()
        .filter_map(|n| set.attributes.iter().find(|a| &a.name == n))
        .collect()
}

/// The sets a request reaches through nests, each once.
fn nested_sets<'s>(spec: &'s Spec, set: &'s AttrSet, attrs: &[&Attr], out: &mut Vec<&'s AttrSet>) {
    for a in attrs {
        if let Kind::Nest(n) = kind(spec, set, a) {
            let Ok(inner) = spec.set(&n) else { continue };
            if out.iter().any(|s| s.name == inner.name) {
                continue;
            }
            out.push(inner);
            let all: Vec<&Attr> = inner.attributes.iter().collect();
            nested_sets(spec, inner, &all, out);
        }
    }
}

/// Readers: one per op request with attributes, and one per set those reach through nests.
fn readers(o: &mut String, spec: &Spec) {
    let mut sets: Vec<&AttrSet> = Vec::new();
    for op in spec.operations.list.iter().filter(|op| op.has_handlers()) {
        let Some(set) = op.attribute_set.as_deref().and_then(|s| spec.set(s).ok()) else {
            continue;
        };
        for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
            let Some(names) = m.as_ref().and_then(|m| m.request.as_ref()) else {
                continue;
            };
            let attrs: Vec<&Attr> = listed(set, &names.attributes)
                .into_iter()
                .filter(|a| !skipped(spec, set, a))
                .collect();
            if attrs.is_empty() {
                continue;
            }
            let t = format!("{}{}Request", camel(&op.name), camel(mode));
            let list: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
            w(
                o,
                &format!(
                    "/// The attributes of the `{}` {mode} request: `[{}]`.",
                    op.name,
                    list.join(", ")
                ),
            );
            w(o, "#[derive(Clone, Copy)]");
            w(
                o,
                &format!("pub(crate) struct {t}<'a>(pub(crate) genl::Attrs<'a>);"),
            );
            w(o, "");
            w(o, &format!("impl<'a> {t}<'a> {{"));
            w(o, "    /// The attributes of `req`.");
            w(o, "    pub(crate) fn new(req: &Request<'a>) -> Self {");
            w(o, "        Self(req.attrs())");
            w(o, "    }");
            for a in &attrs {
                w(o, "");
                accessor(o, spec, set, a);
            }
            w(o, "}");
            w(o, "");
            nested_sets(spec, set, &attrs, &mut sets);
        }
    }
    for set in sets {
        let t = reader_type(&set.name);
        w(
            o,
            &format!("/// The attributes of a `{}` nest in a request.", set.name),
        );
        w(o, "#[derive(Clone, Copy)]");
        w(
            o,
            &format!("pub(crate) struct {t}<'a>(pub(crate) genl::Attrs<'a>);"),
        );
        w(o, "");
        w(o, &format!("impl<'a> {t}<'a> {{"));
        let mut first = true;
        for a in set.attributes.iter().filter(|a| !skipped(spec, set, a)) {
            if !first {
                w(o, "");
            }
            first = false;
            accessor(o, spec, set, a);
        }
        w(o, "}");
        w(o, "");
    }
}

/// Writers: one per attribute set.
fn writers(o: &mut String, spec: &Spec) {
    for set in &spec.attribute_sets {
        let t = writer_type(&set.name);
        let pad = match set
            .attributes
            .iter()
            .find(|a| spec.attr_kind(set, a) == "pad")
        {
            Some(p) => format!("{}::{}", ident(&set.name), konst(&p.name)),
            // `nla_put_uint` pads with type 0; so does a set that names no pad.
            None => "0".into(),
        };
        w(
            o,
            &format!(
                "/// Writes attribute set `{}` into a reply, a dump entry, a notification or a nest.",
                set.name
            ),
        );
        w(
            o,
            &format!("pub(crate) struct {t}<W: genl::AttrWriter>(pub(crate) W);"),
        );
        w(o, "");
        w(o, &format!("impl<W: genl::AttrWriter> {t}<W> {{"));
        let mut first = true;
        for a in set.attributes.iter().filter(|a| !skipped(spec, set, a)) {
            if !first {
                w(o, "");
            }
            first = false;
            let c = format!("{}::{}", ident(&set.name), konst(&a.name));
            let m = method(&a.name);
            let e = effective(spec, set, a);
            w(
                o,
                &format!("    /// Puts `{}` ({}).", a.name, spec.attr_kind(set, a)),
            );
            if e.doc.is_some() {
                w(o, "    ///");
                doc(o, "    ", e.doc.as_deref());
            }
            match kind(spec, set, a) {
                Kind::Int { rust, put, .. } => {
                    w(
                        o,
                        &format!("    pub(crate) fn {m}(&mut self, v: {rust}) -> Result {{"),
                    );
                    let body = match put {
                        Put::Native(f) => format!("self.0.{f}({c}, v)"),
                        Put::Bytes(f) => format!("self.0.put_bytes({c}, &v.{f}())"),
                        Put::U64(false) => format!("self.0.put_u64({c}, v, {pad})"),
                        // CAST: the same bits, read back as `i64`.
                        Put::U64(true) => format!("self.0.put_u64({c}, v as u64, {pad})"),
                        Put::Uint => format!("self.0.put_uint({c}, v, {pad})"),
                        Put::Sint => format!("self.0.put_sint({c}, v, {pad})"),
                    };
                    w(o, &format!("        {body}"));
                }
                Kind::Str { .. } => {
                    w(
                        o,
                        &format!("    pub(crate) fn {m}(&mut self, v: &[u8]) -> Result {{"),
                    );
                    w(o, &format!("        self.0.put_str({c}, v)"));
                }
                Kind::Flag => {
                    w(
                        o,
                        "    /// Present when `on`, as the reader's `bool` reads it.",
                    );
                    w(
                        o,
                        &format!("    pub(crate) fn {m}(&mut self, on: bool) -> Result {{"),
                    );
                    w(o, "        if on {");
                    w(o, &format!("            self.0.put_flag({c})"));
                    w(o, "        } else {");
                    w(o, "            Ok(())");
                    w(o, "        }");
                }
                Kind::Nest(n) => {
                    let inner = writer_type(&n);
                    w(
                        o,
                        &format!(
                            "    pub(crate) fn {m}(&mut self) -> Result<{inner}<genl::Nest<'_>>> {{"
                        ),
                    );
                    w(o, &format!("        Ok({inner}(self.0.nest({c})?))"));
                }
                Kind::Binary | Kind::Raw => {
                    w(
                        o,
                        &format!("    pub(crate) fn {m}(&mut self, v: &[u8]) -> Result {{"),
                    );
                    w(o, &format!("        self.0.put_bytes({c}, v)"));
                }
            }
            w(o, "    }");
        }
        w(o, "}");
        w(o, "");
        if !spec.is_nested(&set.name) {
            continue;
        }
        w(o, &format!("impl {t}<genl::Nest<'_>> {{"));
        w(o, "    /// Closes the nest (`nla_nest_end`).");
        w(o, "    pub(crate) fn end(self) -> Result {");
        w(o, "        self.0.end()");
        w(o, "    }");
        w(o, "}");
        w(o, "");
    }
}

/// The room an attribute takes, as a const expression; `Err` with why when the spec does not
/// bound it. `seen`: the nests being sized, to stop at a recursive one.
fn attr_size(
    spec: &Spec,
    set: &AttrSet,
    a: &Attr,
    seen: &mut Vec<String>,
) -> Result<String, String> {
    let e = effective(spec, set, a);
    if e.multi_attr == Some(true) {
        return Err(format!("`{}` is repeated (`multi-attr`)", a.name));
    }
    let bound = |what: &str| -> Result<i128, String> {
        e.checks
            .exact_len
            .as_ref()
            .or(e.checks.max_len.as_ref())
            .and_then(|v| limit(spec, v))
            .ok_or_else(|| format!("`{}` is a {what} without `max-len`", a.name))
    };
    Ok(match kind(spec, set, a) {
        Kind::Int { rust, put, .. } => match put {
            Put::U64(_) | Put::Uint | Put::Sint => "nla_total_size_64bit(8)".into(),
            _ => {
                let n = rust
                    .trim_start_matches(['u', 'i'])
                    .parse::<usize>()
                    .unwrap_or(64)
                    / 8;
                format!("nla_total_size({n})")
            }
        },
        Kind::Str { .. } => format!("nla_total_size({})", bound("string")? + 1),
        Kind::Binary => format!("nla_total_size({})", bound("binary")?),
        Kind::Flag => "nla_total_size(0)".into(),
        Kind::Nest(n) => {
            if seen.contains(&n) {
                return Err(format!("`{}` nests `{n}` within itself", a.name));
            }
            let inner = spec.set(&n).expect("checked");
            seen.push(n.clone());
            let all: Vec<&Attr> = inner.attributes.iter().collect();
            let sum = sum_sizes(spec, inner, &all, seen);
            seen.pop();
            format!("nla_total_size({})", sum?)
        }
        Kind::Raw if spec.attr_kind(set, a) == "bitfield32" => "nla_total_size(8)".into(),
        Kind::Raw => {
            return Err(format!(
                "`{}` is a {} attribute",
                a.name,
                spec.attr_kind(set, a)
            ))
        }
    })
}

fn sum_sizes(
    spec: &Spec,
    set: &AttrSet,
    attrs: &[&Attr],
    seen: &mut Vec<String>,
) -> Result<String, String> {
    let mut terms: Vec<String> = Vec::new();
    for a in attrs.iter().filter(|a| !skipped(spec, set, a)) {
        terms.push(attr_size(spec, set, a, seen)?);
    }
    Ok(if terms.is_empty() {
        "0".into()
    } else {
        terms.join(" + ")
    })
}

/// The messages the family sends: `(const name, what, set, attribute names)`.
fn sent(spec: &Spec) -> Vec<(String, String, &AttrSet, Vec<String>)> {
    let mut v = Vec::new();
    let set_of = |op: &Op| op.attribute_set.as_deref().and_then(|s| spec.set(s).ok());
    for op in &spec.operations.list {
        if op.has_handlers() {
            let Some(set) = set_of(op) else { continue };
            for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
                if let Some(r) = m.as_ref().and_then(|m| m.reply.as_ref()) {
                    v.push((
                        format!("{}_{}_REPLY", upper(&op.name), mode.to_uppercase()),
                        format!("`{}` {mode} reply", op.name),
                        set,
                        r.attributes.clone(),
                    ));
                }
            }
        } else if let Some(ev) = &op.event {
            let Some(set) = set_of(op) else { continue };
            v.push((
                konst(&op.name),
                format!("`{}` event", op.name),
                set,
                ev.attributes.clone(),
            ));
        } else if let Some(of) = &op.notify {
            // A notification carries what the op it names replies to a `do` with.
            let Ok(src) = spec.op(of) else { continue };
            let Some(set) = set_of(src).or_else(|| set_of(op)) else {
                continue;
            };
            let Some(r) = src.r#do.as_ref().and_then(|m| m.reply.as_ref()) else {
                continue;
            };
            v.push((
                konst(&op.name),
                format!("`{}` notification (`{of}`'s do reply)", op.name),
                set,
                r.attributes.clone(),
            ));
        }
    }
    v
}

/// `pub(crate) const NAME: usize = EXPR;`, wrapped as rustfmt would.
fn size_const(o: &mut String, name: &str, expr: &str) {
    let line = format!("    pub(crate) const {name}: usize = {expr};");
    if line.len() <= 100 {
        w(o, &line);
    } else if expr.len() + 9 <= 100 {
        w(o, &format!("    pub(crate) const {name}: usize ="));
        w(o, &format!("        {expr};"));
    } else {
        w(o, &format!("    pub(crate) const {name}: usize ="));
        let _ = writeln!(o, "        {};", top_level_terms(expr).join("\n        + "));
    }
}

/// The terms of a sum, split at its own `+` only, not at those inside parentheses.
fn top_level_terms(expr: &str) -> Vec<&str> {
    let (mut terms, mut depth, mut start) = (Vec::new(), 0i32, 0);
    for (i, c) in expr.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            '+' if depth == 0 => {
                terms.push(expr[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(expr[start..].trim());
    terms
}

fn sizes(o: &mut String, spec: &Spec) {
    let msgs = sent(spec);
    if msgs.is_empty() {
        return;
    }
    w(
        o,
        "/// The room of each message the family sends, with each attribute of its spec list once",
    );
    w(
        o,
        "/// (`nla_total_size`): what to pass to `Request::reply` and `Family::notification`.",
    );
    w(o, &format!("pub(crate) mod {} {{", size_mod(spec)));
    w(o, "    #[allow(unused_imports)]");
    w(
        o,
        "    use crate::genl::{nla_total_size, nla_total_size_64bit};",
    );
    for (name, what, set, names) in msgs {
        let attrs = listed(set, &names);
        let list: Vec<&str> = attrs.iter().map(|a| a.name.as_str()).collect();
        w(o, "");
        match sum_sizes(spec, set, &attrs, &mut Vec::new()) {
            Ok(expr) => {
                w(o, &format!("    /// {what}: `[{}]`.", list.join(", ")));
                size_const(o, &name, &expr);
            }
            Err(why) => {
                w(
                    o,
                    &format!("    // {what}: no size, the spec does not bound it: {why}."),
                );
            }
        }
    }
    // The nests, for messages that repeat them: room for one with each attribute of its set.
    for set in &spec.attribute_sets {
        if !spec.is_nested(&set.name) {
            continue;
        }
        let all: Vec<&Attr> = set.attributes.iter().collect();
        if let Ok(expr) = sum_sizes(spec, set, &all, &mut vec![set.name.clone()]) {
            w(o, "");
            w(
                o,
                &format!(
                    "    /// One `{}` nest with each attribute of its set once.",
                    set.name
                ),
            );
            size_const(
                o,
                &format!("{}_NEST", konst(&set.name)),
                &format!("nla_total_size({expr})"),
            );
        }
    }
    w(o, "}");
    w(o, "");
}

/// The sizes' module: `size`, or `msg_size` when a set or definition is called `size`.
pub fn size_mod(spec: &Spec) -> &'static str {
    let taken = spec.attribute_sets.iter().any(|s| ident(&s.name) == "size")
        || spec.definitions.iter().any(|d| ident(&d.name) == "size");
    if taken {
        "msg_size"
    } else {
        "size"
    }
}

/// One function per notification sent to a group: `notify_<op>(net, |msg| fill(msg))`, built
/// only when someone listens, its room `size::<OP>` (or `payload` bytes when the spec does not
/// bound it).
fn notifiers(o: &mut String, spec: &Spec) {
    let sized: Vec<String> = sent(spec)
        .into_iter()
        .filter(|(_, _, set, names)| {
            sum_sizes(spec, set, &listed(set, names), &mut Vec::new()).is_ok()
        })
        .map(|(name, ..)| name)
        .collect();
    for op in spec
        .operations
        .list
        .iter()
        .filter(|op| op.is_notification())
    {
        let Some(g) = op.mcgrp.as_deref() else {
            continue;
        };
        let c = konst(&op.name);
        let (param, payload) = if sized.contains(&c) {
            (String::new(), format!("{}::{c}", size_mod(spec)))
        } else {
            (", payload: usize".to_string(), "payload".to_string())
        };
        w(
            o,
            &format!(
                "/// Notifies `{g}` in `net` with a `{}` that `fill` writes, if anyone listens",
                op.name
            ),
        );
        w(
            o,
            "/// (best effort, see `Family::notify_listeners`): call it under the lock that orders",
        );
        w(o, "/// the changes.");
        w(
            o,
            &format!("pub(crate) fn notify_{}(", crate::model::snake(&op.name)),
        );
        w(o, "    net: genl::Net<'_>,");
        if !param.is_empty() {
            w(o, "    payload: usize,");
        }
        w(o, "    fill: impl FnOnce(&mut genl::Message) -> Result,");
        w(o, ") {");
        w(
            o,
            &format!(
                "    FAMILY.notify_listeners(net, group::{}, cmd::{c}, {payload}, fill)",
                konst(g)
            ),
        );
        w(o, "}");
        w(o, "");
    }
}

/// Readers, writers, sizes and notifiers, in that order.
pub fn emit(o: &mut String, spec: &Spec) {
    readers(o, spec);
    writers(o, spec);
    sizes(o, spec);
    notifiers(o, spec);
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"
name: t
protocol: genetlink
attribute-sets:
  -
    name: main
    attributes:
      - {name: name, type: string, checks: {max-len: 15}}
      - {name: big, type: u64}
      - {name: pad, type: pad}
      - {name: port, type: u16, byte-order: big-endian}
      - {name: cfg, type: nest, nested-attributes: cfg}
      - {name: tags, type: u32, multi-attr: true}
      - {name: blob, type: binary}
  -
    name: cfg
    attributes:
      - {name: on, type: flag}
      - {name: level, type: s32}
operations:
  list:
    -
      name: set
      attribute-set: main
      do:
        request: {attributes: [name, cfg, tags]}
        reply: {attributes: [name, big, port, cfg]}
    -
      name: list
      attribute-set: main
      dump:
        reply: {attributes: [name, tags]}
    -
      name: blob-ntf
      attribute-set: main
      event: {attributes: [blob]}
"#;

    fn generated() -> String {
        let spec = Spec::parse(SPEC, "t.yaml").unwrap();
        let mut o = String::new();
        emit(&mut o, &spec);
        o
    }

    /// Sizes: `nla_total_size` of each attribute, a string's NUL and a nest's header counted;
    /// none for a message the spec does not bound, with the reason.
    #[test]
    fn sizes_follow_the_spec() {
        let o = generated();
        assert!(
            o.contains(
                "    pub(crate) const SET_DO_REPLY: usize =\n        nla_total_size(16)\n        \
                 + nla_total_size_64bit(8)\n        + nla_total_size(2)\n        \
                 + nla_total_size(nla_total_size(0) + nla_total_size(4));\n"
            ),
            "{o}"
        );
        assert!(o.contains("// `list` dump reply: no size, the spec does not bound it: `tags` is repeated (`multi-attr`)."), "{o}");
        assert!(o.contains("// `blob-ntf` event: no size, the spec does not bound it: `blob` is a binary without `max-len`."), "{o}");
        assert!(o.contains("pub(crate) const CFG_NEST: usize = nla_total_size(nla_total_size(0) + nla_total_size(4));"), "{o}");
    }

    /// Readers by type, the request's attributes only; writers for every attribute of a set.
    #[test]
    fn readers_and_writers_by_type() {
        let o = generated();
        for want in [
            "pub(crate) struct SetDoRequest<'a>(pub(crate) genl::Attrs<'a>);",
            "genl::Field::new(self.0, main::NAME, genl::Attr::str_bytes)",
            "genl::Field::new(self.0, main::CFG, |a| Ok(CfgAttrs(a.nested())))",
            "genl::Field::new(self.0, main::TAGS, genl::Attr::u32)",
            "pub(crate) fn on(&self) -> bool {",
            "genl::Field::new(self.0, cfg::LEVEL, genl::Attr::i32)",
            "self.0.put_u64(main::BIG, v, main::PAD)",
            "self.0.put_bytes(main::PORT, &v.to_be_bytes())",
            "pub(crate) fn cfg(&mut self) -> Result<CfgWriter<genl::Nest<'_>>> {",
            "impl CfgWriter<genl::Nest<'_>> {",
        ] {
            assert!(o.contains(want), "missing {want:?} in:\n{o}");
        }
        // `set`'s request names neither `big` nor `port`; no op reads a `main` nest.
        let request = &o[o.find("impl<'a> SetDoRequest").unwrap()..];
        let request = &request[..request.find("\n}\n").unwrap()];
        assert!(!request.contains("fn big(") && !request.contains("fn port("));
        assert!(!o.contains("struct MainAttrs"));
        assert!(!o.contains("impl MainWriter<genl::Nest<'_>>"));
    }
}
