// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The userspace side, typed: `userspace/<family>/src/client_gen.rs`, a client of the family on the
//! `genl-client` runtime.
//!
//! - one struct per attribute set, every attribute an `Option` (a `multi-attr` a `Vec`, a flag a
//!   `bool`), with `encode` and `decode` (attributes the spec does not know are skipped, as
//!   ynl does; one that does not parse is an error naming it);
//! - `Client`: `connect`, one method per op (a do returns the reply's set, a dump a `Vec` of
//!   them), `subscribe` to a multicast group and `notifications` as a `Notification` enum.

use crate::kernel::{doc, effective, ident, w};
use crate::model::{camel, snake, upper, Attr, AttrSet, Spec, ValueType};

/// How an attribute is held and put on the wire.
enum Ty {
    /// Integer: Rust type, width in bytes, big-endian, variable width (`uint`/`sint`).
    Int(&'static str, usize, bool, bool),
    Flag,
    Str,
    Bytes,
    Nest(String),
}

fn ty(spec: &Spec, set: &AttrSet, a: &Attr) -> Option<Ty> {
    Some(match spec.value_type(set, a)? {
        ValueType::Int {
            rust,
            width,
            big_endian,
            variable,
        } => Ty::Int(rust, width, big_endian, variable),
        ValueType::Flag => Ty::Flag,
        ValueType::Str { .. } => Ty::Str,
        ValueType::Nest(n) => Ty::Nest(n),
        ValueType::Binary | ValueType::Other => Ty::Bytes,
    })
}

fn struct_name(set: &str) -> String {
    camel(set)
}

/// Whether set `name` reaches itself through nests: its field then holds a `Box`.
fn recursive(spec: &Spec, from: &str, to: &str, seen: &mut Vec<String>) -> bool {
    let Ok(set) = spec.set(from) else {
        return false;
    };
    for a in &set.attributes {
        if let Some(Ty::Nest(n)) = ty(spec, set, a) {
            if n == to {
                return true;
            }
            if !seen.contains(&n) {
                seen.push(n.clone());
                if recursive(spec, &n, to, seen) {
                    return true;
                }
            }
        }
    }
    false
}

/// A field of a set's struct: its attribute, how it is held, whether it repeats
/// (`multi-attr`: a `Vec`) and whether it is boxed (a nest that reaches its own set).
struct Field<'s> {
    a: &'s Attr,
    t: Ty,
    multi: bool,
    boxed: bool,
}

fn field_type(f: &Field) -> String {
    let inner = match &f.t {
        Ty::Int(r, ..) => r.to_string(),
        Ty::Flag => return "bool".into(),
        Ty::Str => "String".into(),
        Ty::Bytes => "Vec<u8>".into(),
        Ty::Nest(n) => struct_name(n),
    };
    if f.multi {
        format!("Vec<{inner}>")
    } else if f.boxed {
        format!("Option<Box<{inner}>>")
    } else {
        format!("Option<{inner}>")
    }
}

fn set_struct(o: &mut String, spec: &Spec, set: &AttrSet) {
    let name = struct_name(&set.name);
    let c = |a: &Attr| format!("spec::{}_{}", upper(&set.name), upper(&a.name));
    w(o, &format!("/// Attribute set `{}`.", set.name));
    doc(o, "", set.doc.as_deref());
    w(o, "#[derive(Clone, Debug, Default, PartialEq, Eq)]");
    w(o, &format!("pub struct {name} {{"));
    let fields: Vec<Field> = set
        .attributes
        .iter()
        .filter_map(|a| {
            let t = ty(spec, set, a)?;
            let multi = effective(spec, set, a).multi_attr == Some(true);
            let boxed = !multi
                && matches!(&t, Ty::Nest(n) if recursive(spec, n, &set.name, &mut Vec::new()));
            Some(Field { a, t, multi, boxed })
        })
        .collect();
    for f in &fields {
        doc(o, "    ", effective(spec, set, f.a).doc.as_deref());
        w(
            o,
            &format!("    pub {}: {},", ident(&f.a.name), field_type(f)),
        );
    }
    w(o, "}");
    w(o, "");
    w(o, &format!("impl {name} {{"));
    w(
        o,
        "    /// The attributes that are set, as a request carries them.",
    );
    w(o, "    pub fn encoded(&self) -> Vec<u8> {");
    w(o, "        let mut out = Vec::new();");
    w(o, "        self.encode(&mut out);");
    w(o, "        out");
    w(o, "    }");
    w(o, "");
    w(o, "    /// Appends the attributes that are set.");
    w(o, "    pub fn encode(&self, out: &mut Vec<u8>) {");
    for Field { a, t, multi, .. } in &fields {
        let f = ident(&a.name);
        let put = |v: &str| -> String {
            match t {
                Ty::Int(_, _, big, var) => {
                    let bytes = if *big { "to_be_bytes" } else { "to_ne_bytes" };
                    if *var {
                        format!("put_var(out, {}, *{v} as i128)", c(a))
                    } else {
                        format!("put_attr(out, {}, &{v}.{bytes}())", c(a))
                    }
                }
                Ty::Str => format!("put_str(out, {}, {v})", c(a)),
                Ty::Bytes => format!("put_attr(out, {}, {v})", c(a)),
                Ty::Nest(_) => format!("put_nest(out, {}, |out| {v}.encode(out))", c(a)),
                Ty::Flag => unreachable!(),
            }
        };
        match t {
            Ty::Flag => {
                w(o, &format!("        if self.{f} {{"));
                w(o, &format!("            put_attr(out, {}, &[]);", c(a)));
                w(o, "        }");
            }
            _ if *multi => {
                w(o, &format!("        for v in &self.{f} {{"));
                w(o, &format!("            {};", put("v")));
                w(o, "        }");
            }
            _ => {
                w(o, &format!("        if let Some(v) = &self.{f} {{"));
                w(o, &format!("            {};", put("v")));
                w(o, "        }");
            }
        }
    }
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps",
    );
    w(o, "    /// its last value unless it is a `multi-attr`.");
    w(o, "    pub fn decode(buf: &[u8]) -> Result<Self> {");
    w(o, "        let mut me = Self::default();");
    w(o, "        for a in attrs(buf).map_err(malformed)? {");
    w(o, "            match a.kind {");
    for Field { a, t, multi, boxed } in &fields {
        let f = ident(&a.name);
        let name = &a.name;
        let get = match t {
            Ty::Int(r, n, big, var) => {
                if *var {
                    let signed = r.starts_with('i');
                    format!("get_var(a.payload, \"{name}\", {signed})? as {r}")
                } else {
                    let from = if *big {
                        "from_be_bytes"
                    } else {
                        "from_ne_bytes"
                    };
                    format!("{r}::{from}(fixed::<{n}>(a.payload, \"{name}\")?)")
                }
            }
            Ty::Flag => "true".into(),
            Ty::Str => format!("get_str(a.payload, \"{name}\")?"),
            Ty::Bytes => "a.payload.to_vec()".into(),
            Ty::Nest(n) => format!("{}::decode(a.payload)?", struct_name(n)),
        };
        let store = match t {
            Ty::Flag => format!("me.{f} = true"),
            _ if *multi => format!("me.{f}.push({get})"),
            _ if *boxed => format!("me.{f} = Some(Box::new({get}))"),
            _ => format!("me.{f} = Some({get})"),
        };
        w(o, &format!("                {} => {store},", c(a)));
    }
    w(o, "                _ => {}");
    w(o, "            }");
    w(o, "        }");
    w(o, "        Ok(me)");
    w(o, "    }");
    w(o, "}");
    w(o, "");
}

/// `userspace/<name>/src/client_gen.rs`.
pub fn emit(spec: &Spec, spec_path: &str) -> String {
    let mut o = String::new();
    let o = &mut o;
    w(o, "// SPDX-License-Identifier: GPL-2.0-only OR MIT");
    w(
        o,
        &format!(
            "//! Typed client of the `{}` Generic Netlink family, on `genl-client`.",
            spec.name
        ),
    );
    w(o, "//!");
    w(
        o,
        &format!("//! Generated from {spec_path} by genlkit-codegen; do not edit."),
    );
    w(o, "");
    w(o, "use std::time::Instant;");
    w(o, "");
    w(o, "use genl_client::attr::{attrs, put_attr};");
    w(o, "#[allow(unused_imports)] // what the spec's types need");
    w(
        o,
        "use genl_client::typed::{fixed, get_str, get_var, malformed, put_nest, put_str, put_var};",
    );
    w(o, "use genl_client::{FamilyConn, Result};");
    w(o, "");
    w(o, "use crate::spec;");
    w(o, "");
    for set in &spec.attribute_sets {
        set_struct(o, spec, set);
    }

    // Notifications.
    let ntfs: Vec<_> = spec
        .operations
        .list
        .iter()
        .filter(|op| op.is_notification())
        .filter_map(|op| {
            // A `notify` carries the do reply of the op it names, in that op's set.
            let set = op.attribute_set.as_deref().or_else(|| {
                let of = spec.op(op.notify.as_deref()?).ok()?;
                of.attribute_set.as_deref()
            })?;
            Some((op, op.rsp_value?, set))
        })
        .collect();
    w(o, "/// A notification of the family.");
    w(o, "#[derive(Clone, Debug, PartialEq, Eq)]");
    w(o, "pub enum Notification {");
    for (op, _, set) in &ntfs {
        doc(o, "    ", op.doc.as_deref());
        w(
            o,
            &format!("    {}({}),", camel(&op.name), struct_name(set)),
        );
    }
    w(
        o,
        "    /// A command this client does not know, with its attributes.",
    );
    w(o, "    Unknown(u8, Vec<u8>),");
    w(o, "}");
    w(o, "");
    w(o, "impl Notification {");
    w(
        o,
        "    fn decode(cmd: u8, attrs: Vec<u8>) -> Result<Self> {",
    );
    w(o, "        Ok(match cmd {");
    for (op, id, set) in &ntfs {
        w(
            o,
            &format!(
                "            {id} => Notification::{}({}::decode(&attrs)?),",
                camel(&op.name),
                struct_name(set)
            ),
        );
    }
    w(o, "            _ => Notification::Unknown(cmd, attrs),");
    w(o, "        })");
    w(o, "    }");
    w(o, "}");
    w(o, "");

    // The client.
    w(
        o,
        &format!("/// A connection to the `{}` family.", spec.name),
    );
    w(o, "pub struct Client(FamilyConn);");
    w(o, "");
    w(o, "impl Client {");
    w(
        o,
        "    /// Connects and resolves the family; `NlError::NotLoaded` when it is not registered.",
    );
    w(o, "    pub fn connect() -> Result<Self> {");
    w(
        o,
        "        FamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION).map(Client)",
    );
    w(o, "    }");
    w(o, "");
    w(o, "    /// The family's ID.");
    w(o, "    pub fn family_id(&self) -> u16 {");
    w(o, "        self.0.id()");
    w(o, "    }");
    for op in spec.operations.list.iter().filter(|op| op.has_handlers()) {
        let Some(set) = op.attribute_set.as_deref() else {
            continue;
        };
        let Some(cmd) = op.req_value else { continue };
        let t = struct_name(set);
        for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
            let Some(m) = m else { continue };
            let takes = m.request.as_ref().is_some_and(|r| !r.attributes.is_empty());
            let method = if mode == "do" {
                ident(&op.name)
            } else {
                format!("{}_dump", snake(&op.name))
            };
            w(o, "");
            w(o, &format!("    /// `{}` {mode}.", op.name));
            if let Some(d) = &op.doc {
                w(o, "    ///");
                doc(o, "    ", Some(d));
            }
            let list = |r: Option<&crate::model::Msg>| {
                r.map(|r| r.attributes.join(", ")).unwrap_or_default()
            };
            w(o, "    ///");
            w(
                o,
                &format!(
                    "    /// Request: `[{}]`; reply: `[{}]`.",
                    list(m.request.as_ref()),
                    list(m.reply.as_ref())
                ),
            );
            let (arg, attrs) = if takes {
                (format!(", req: &{t}"), "&req.encoded()")
            } else {
                (String::new(), "&[]")
            };
            let (ret, body) = match (mode, m.reply.is_some()) {
                ("dump", _) => (
                    format!("Vec<{t}>"),
                    format!(
                        "self.0.dump({cmd}, {attrs})?.iter().map(|a| {t}::decode(a)).collect()"
                    ),
                ),
                (_, true) => (
                    t.clone(),
                    format!("{t}::decode(&self.0.do_reply({cmd}, {attrs})?)"),
                ),
                _ => ("()".into(), format!("self.0.do_ack({cmd}, {attrs})")),
            };
            w(
                o,
                &format!("    pub fn {method}(&mut self{arg}) -> Result<{ret}> {{"),
            );
            w(o, &format!("        {body}"));
            w(o, "    }");
        }
    }
    w(o, "");
    w(
        o,
        "    /// Joins multicast group `group` (by its spec name).",
    );
    w(
        o,
        "    pub fn subscribe(&mut self, group: &str) -> Result<()> {",
    );
    w(o, "        self.0.subscribe(group)");
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// The notifications of the next datagram, waiting up to `deadline` (`None`: it passed).",
    );
    w(
        o,
        "    pub fn notifications(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<Notification>>> {",
    );
    w(
        o,
        "        let Some(msgs) = self.0.notifications(deadline)? else {",
    );
    w(o, "            return Ok(None);");
    w(o, "        };");
    w(o, "        msgs.into_iter()");
    w(
        o,
        "            .map(|(cmd, a)| Notification::decode(cmd, a))",
    );
    w(o, "            .collect::<Result<_>>()");
    w(o, "            .map(Some)");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    std::mem::take(o)
}
