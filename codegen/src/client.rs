// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The userspace side, typed: `userspace/<family>/src/client_gen.rs`, a client of the family on the
//! `genl-client` runtime.
//!
//! - a type per `enum` definition (a Rust enum) and per `flags` definition (a bit set), by
//!   spec name with `FromStr` and `Display`;
//! - one struct per attribute set, every attribute an `Option` (a `multi-attr` a `Vec`, a flag a
//!   `bool`, a string an `NlString`: bytes, as the kernel takes them), with `encode` and
//!   `decode` (attributes the spec does not know are skipped, as ynl does; one that does not
//!   parse is an error naming it) and serde by spec names;
//! - `<Set>Ref<'a>`: the set read in place, each accessor walking its attributes (the zero-copy
//!   path: `<op>_ref` for a do's reply, `<op>_dump_each` for a dump's);
//! - `NAMES`: the attribute names the runtime names errors with;
//! - `Client` (blocking) and `AsyncClient` (tokio): `connect`, one method per op (a do returns
//!   the reply's set, a dump an iterator of them, or a `Vec` awaited), `subscribe` to a
//!   multicast group and `notifications` as a `Notification` enum.

use crate::kernel::{doc, effective, ident, w};
use crate::model::{camel, snake, upper, Attr, AttrSet, Definition, Spec, ValueType};

/// How an attribute is held and put on the wire.
enum Ty {
    /// Integer: Rust type, width in bytes, big-endian, variable width (`uint`/`sint`).
    Int(&'static str, usize, bool, bool),
    /// An integer whose values an `enum` definition names: the Rust type, and the integer's.
    Enum(String, Box<Ty>),
    /// An integer whose bits a `flags` definition (or an `enum-as-flags`) names: the Rust
    /// type, the integer it holds, and the attribute's integer.
    Flags(String, &'static str, Box<Ty>),
    Flag,
    Str,
    Bytes,
    Nest(String),
}

/// The Rust type of an enum definition, and of the bit set of its values when some attribute
/// takes it `enum-as-flags`.
fn enum_type(d: &Definition, as_flags: bool) -> String {
    if as_flags && d.kind == "enum" {
        format!("{}Flags", camel(&d.name))
    } else {
        camel(&d.name)
    }
}

fn ty(spec: &Spec, set: &AttrSet, a: &Attr) -> Option<Ty> {
    Some(match spec.value_type(set, a)? {
        ValueType::Int {
            rust,
            width,
            big_endian,
            variable,
        } => {
            let int = Ty::Int(rust, width, big_endian, variable);
            let e = effective(spec, set, a);
            match e.r#enum.as_deref().and_then(|n| spec.definition(n).ok()) {
                Some(d) if d.kind == "flags" || e.enum_as_flags => {
                    Ty::Flags(enum_type(d, true), flags_int(spec, d), Box::new(int))
                }
                Some(d) if d.kind == "enum" => Ty::Enum(enum_type(d, false), Box::new(int)),
                _ => int,
            }
        }
        ValueType::Flag => Ty::Flag,
        ValueType::Str { .. } => Ty::Str,
        ValueType::Nest(n) => Ty::Nest(n),
        ValueType::Binary | ValueType::Other => Ty::Bytes,
    })
}

/// A doc paragraph after a title line.
fn doc_para(o: &mut String, d: Option<&str>) {
    if d.is_some() {
        w(o, "///");
        doc(o, "", d);
    }
}

fn struct_name(set: &str) -> String {
    camel(set)
}

/// An enum entry's variant: its name in camel case, `_` first if it starts with a digit.
fn variant(name: &str) -> String {
    let c = camel(name);
    if c.starts_with(|ch: char| ch.is_ascii_digit()) {
        format!("_{c}")
    } else {
        c
    }
}

/// A field of a set's struct: its attribute, how it is held, whether it repeats
/// (`multi-attr`: a `Vec`) and whether it is boxed (a nest).
struct Field<'s> {
    a: &'s Attr,
    t: Ty,
    multi: bool,
    boxed: bool,
}

fn fields<'s>(spec: &'s Spec, set: &'s AttrSet) -> Vec<Field<'s>> {
    set.attributes
        .iter()
        .filter_map(|a| {
            let t = ty(spec, set, a)?;
            let multi = effective(spec, set, a).multi_attr == Some(true);
            // A nest is boxed, so that a set's struct stays small (it is moved as a reply is
            // decoded) and a set may reach itself.
            let boxed = !multi && matches!(&t, Ty::Nest(_));
            Some(Field { a, t, multi, boxed })
        })
        .collect()
}

fn value_type(t: &Ty) -> String {
    match t {
        Ty::Int(r, ..) => r.to_string(),
        Ty::Enum(n, _) | Ty::Flags(n, ..) => n.clone(),
        Ty::Flag => "bool".into(),
        Ty::Str => "NlString".into(),
        Ty::Bytes => "Vec<u8>".into(),
        Ty::Nest(n) => struct_name(n),
    }
}

fn field_type(f: &Field) -> String {
    let inner = value_type(&f.t);
    if matches!(f.t, Ty::Flag) {
        inner
    } else if f.multi {
        format!("Vec<{inner}>")
    } else if f.boxed {
        format!("Option<Box<{inner}>>")
    } else {
        format!("Option<{inner}>")
    }
}

/// The integer definition `d`'s bit set holds: `u64` when a bit or an attribute that takes
/// it needs 64 bits, else `u32`.
fn flags_int(spec: &Spec, d: &Definition) -> &'static str {
    // A flags' entries, and an enum's taken as flags, are bit numbers.
    let wide_bit = d.values().iter().any(|v| *v >= 32);
    let wide_attr = spec.attribute_sets.iter().any(|s| {
        s.attributes.iter().any(|a| {
            let e = effective(spec, s, a);
            e.r#enum.as_deref() == Some(d.name.as_str())
                && matches!(spec.value_type(s, a), Some(ValueType::Int { width: 8, .. }))
        })
    });
    if wide_bit || wide_attr {
        "u64"
    } else {
        "u32"
    }
}

/// `expr` as type `to`, from type `from`: a cast only where they differ.
fn cast(expr: &str, from: &str, to: &str) -> String {
    if from == to {
        expr.to_owned()
    } else {
        format!("({expr}) as {to}")
    }
}

/// The expression that appends value `v` (a reference) of attribute `a` (constant `c`).
fn put(t: &Ty, c: &str, name: &str, v: &str) -> String {
    match t {
        Ty::Int(_, _, big, var) => {
            let bytes = if *big { "to_be_bytes" } else { "to_ne_bytes" };
            if *var {
                format!("put_var(out, {c}, *{v} as i128)")
            } else {
                format!("put_attr(out, {c}, &{v}.{bytes}())")
            }
        }
        Ty::Enum(_, int) | Ty::Flags(_, _, int) => {
            let Ty::Int(r, _, big, var) = **int else {
                unreachable!()
            };
            let (raw, from) = match t {
                Ty::Flags(_, held, _) => (format!("{v}.0"), *held),
                _ => (format!("{v}.value()"), "u32"),
            };
            let bytes = if big { "to_be_bytes" } else { "to_ne_bytes" };
            if var {
                format!("put_var(out, {c}, {raw} as i128)")
            } else {
                format!("put_attr(out, {c}, &({}).{bytes}())", cast(&raw, from, r))
            }
        }
        Ty::Str => format!("put_str(out, {c}, \"{name}\", {v}.as_bytes())?"),
        Ty::Bytes => format!("put_bytes(out, {c}, \"{name}\", {v})?"),
        Ty::Nest(_) => format!("put_nest(out, {c}, \"{name}\", |out| {v}.encode(out))?"),
        Ty::Flag => unreachable!(),
    }
}

/// The expression that reads a value of attribute `name` from `a.payload`.
fn get(t: &Ty, name: &str, p: &str) -> String {
    match t {
        Ty::Int(r, n, big, var) => {
            if *var {
                let signed = r.starts_with('i');
                format!("get_var({p}, \"{name}\", {signed})? as {r}")
            } else {
                let from = if *big {
                    "from_be_bytes"
                } else {
                    "from_ne_bytes"
                };
                format!("{r}::{from}(fixed::<{n}>({p}, \"{name}\")?)")
            }
        }
        Ty::Enum(e, int) => {
            let Ty::Int(r, ..) = **int else {
                unreachable!()
            };
            let raw = cast(&get(int, name, p), r, "u32");
            format!("get_enum({raw}, \"{name}\", {e}::from_value)?")
        }
        Ty::Flags(f, held, int) => {
            let Ty::Int(r, ..) = **int else {
                unreachable!()
            };
            format!("{f}({})", cast(&get(int, name, p), r, held))
        }
        Ty::Flag => "true".into(),
        Ty::Str => format!("get_str({p})"),
        Ty::Bytes => format!("{p}.to_vec()"),
        Ty::Nest(n) => format!("{}::decode({p})?", struct_name(n)),
    }
}

fn set_struct(o: &mut String, spec: &Spec, set: &AttrSet) {
    let name = struct_name(&set.name);
    let c = |a: &Attr| format!("spec::{}_{}", upper(&set.name), upper(&a.name));
    w(o, &format!("/// Attribute set `{}`.", set.name));
    doc_para(o, set.doc.as_deref());
    w(
        o,
        "#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]",
    );
    w(o, "#[serde(default, deny_unknown_fields)]");
    w(o, &format!("pub struct {name} {{"));
    let fields = fields(spec, set);
    for f in &fields {
        doc(o, "    ", effective(spec, set, f.a).doc.as_deref());
        let skip = if matches!(f.t, Ty::Flag) {
            "std::ops::Not::not"
        } else if f.multi {
            "Vec::is_empty"
        } else {
            "Option::is_none"
        };
        w(
            o,
            &format!(
                "    #[serde(rename = \"{}\", skip_serializing_if = \"{skip}\")]",
                f.a.name
            ),
        );
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
    w(o, "    pub fn encoded(&self) -> Result<Vec<u8>> {");
    w(o, "        let mut out = Vec::new();");
    w(o, "        self.encode(&mut out)?;");
    w(o, "        Ok(out)");
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// Appends the attributes that are set; one that cannot be sent (a string with a",
    );
    w(
        o,
        "    /// NUL, a value over 64 KiB) is an error naming it.",
    );
    if fields.is_empty() {
        w(
            o,
            "    #[allow(unused_variables)] // a set with no attribute a client can hold",
        );
    }
    w(
        o,
        "    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {",
    );
    for Field { a, t, multi, .. } in &fields {
        let f = ident(&a.name);
        match t {
            Ty::Flag => {
                w(o, &format!("        if self.{f} {{"));
                w(o, &format!("            put_attr(out, {}, &[]);", c(a)));
                w(o, "        }");
            }
            _ if *multi => {
                w(o, &format!("        for v in &self.{f} {{"));
                w(o, &format!("            {};", put(t, &c(a), &a.name, "v")));
                w(o, "        }");
            }
            _ => {
                w(o, &format!("        if let Some(v) = &self.{f} {{"));
                w(o, &format!("            {};", put(t, &c(a), &a.name, "v")));
                w(o, "        }");
            }
        }
    }
    w(o, "        Ok(())");
    w(o, "    }");
    w(o, "");
    w(o, "    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps");
    w(o, "    /// its last value unless it is a `multi-attr`.");
    if fields.is_empty() {
        w(
            o,
            "    #[allow(unused_mut)] // a set with no attribute a client can hold",
        );
    }
    w(o, "    pub fn decode(buf: &[u8]) -> Result<Self> {");
    w(o, "        let mut me = Self::default();");
    w(o, "        for a in iter_attrs(buf) {");
    w(o, "            let a = a.map_err(malformed)?;");
    w(o, "            match a.kind {");
    for Field { a, t, multi, boxed } in &fields {
        let f = ident(&a.name);
        let get = get(t, &a.name, "a.payload");
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

/// `<Set>Ref<'a>`: the set read in place, each accessor walking the attributes it was made
/// from; nothing is copied or allocated (the zero-copy path: a do's reply in the connection's
/// buffer, a dump's replies as they are read).
fn set_view(o: &mut String, spec: &Spec, set: &AttrSet) {
    let name = struct_name(&set.name);
    let c = |a: &Attr| format!("spec::{}_{}", upper(&set.name), upper(&a.name));
    w(
        o,
        &format!(
            "/// Attribute set `{}`, read in place: each accessor walks the attributes, nothing",
            set.name
        ),
    );
    w(
        o,
        &format!("/// is copied. [`{name}Ref::to_owned`] decodes the whole [`{name}`]."),
    );
    w(o, "#[derive(Clone, Copy, Debug)]");
    w(o, &format!("pub struct {name}Ref<'a>(pub &'a [u8]);"));
    w(o, "");
    w(o, &format!("impl<'a> {name}Ref<'a> {{"));
    w(
        o,
        &format!("    /// The whole set, owned: [`{name}::decode`]."),
    );
    w(
        o,
        &format!("    pub fn to_owned(&self) -> Result<{name}> {{"),
    );
    w(o, &format!("        {name}::decode(self.0)"));
    w(o, "    }");
    for f in fields(spec, set) {
        let (a, t) = (f.a, &f.t);
        let m = ident(&a.name);
        let ty = c(a);
        w(o, "");
        doc(
            o,
            "    ",
            effective(spec, set, a)
                .doc
                .as_deref()
                .or(Some(&format!("`{}`.", a.name))),
        );
        match t {
            _ if f.multi => {
                let (item, map) = match t {
                    Ty::Str => ("&'a [u8]".to_owned(), "Ok(str_bytes(p))".to_owned()),
                    Ty::Bytes => ("&'a [u8]".to_owned(), "Ok(p)".to_owned()),
                    Ty::Nest(n) => (
                        format!("{}Ref<'a>", struct_name(n)),
                        format!("Ok({}Ref(p))", struct_name(n)),
                    ),
                    Ty::Flag => ("bool".to_owned(), "Ok(true)".to_owned()),
                    _ => (value_type(t), format!("Ok({})", get(t, &a.name, "p"))),
                };
                w(
                    o,
                    &format!(
                        "    pub fn {m}(&self) -> impl Iterator<Item = Result<{item}>> + 'a {{"
                    ),
                );
                w(
                    o,
                    &format!("        all_attrs(self.0, {ty}).map(|p| -> Result<{item}> {{"),
                );
                w(o, "            let p = p?;");
                w(o, &format!("            {map}"));
                w(o, "        })");
                w(o, "    }");
            }
            Ty::Flag => {
                w(o, &format!("    pub fn {m}(&self) -> Result<bool> {{"));
                w(
                    o,
                    &format!("        Ok(find_attr(self.0, {ty})?.is_some())"),
                );
                w(o, "    }");
            }
            _ => {
                let (ret, val) = match t {
                    Ty::Str => ("&'a [u8]".to_owned(), "str_bytes(p)".to_owned()),
                    Ty::Bytes => ("&'a [u8]".to_owned(), "p".to_owned()),
                    Ty::Nest(n) => (
                        format!("{}Ref<'a>", struct_name(n)),
                        format!("{}Ref(p)", struct_name(n)),
                    ),
                    _ => (value_type(t), get(t, &a.name, "p")),
                };
                w(
                    o,
                    &format!("    pub fn {m}(&self) -> Result<Option<{ret}>> {{"),
                );
                w(
                    o,
                    &format!("        let Some(p) = find_attr(self.0, {ty})? else {{"),
                );
                w(o, "            return Ok(None);");
                w(o, "        };");
                w(o, &format!("        Ok(Some({val}))"));
                w(o, "    }");
            }
        }
    }
    w(o, "}");
    w(o, "");
}

/// A Rust enum for an `enum` definition.
fn enum_def(o: &mut String, d: &Definition) {
    let t = enum_type(d, false);
    let values = d.user_values();
    w(o, &format!("/// Enum `{}`.", d.name));
    doc_para(o, d.doc.as_deref());
    w(
        o,
        "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]",
    );
    w(o, &format!("pub enum {t} {{"));
    for e in &d.entries {
        doc(o, "    ", e.doc());
        w(o, &format!("    #[serde(rename = \"{}\")]", e.name()));
        w(o, &format!("    {},", variant(e.name())));
    }
    w(o, "}");
    w(o, "");
    w(o, &format!("impl {t} {{"));
    w(o, "    /// Every value, in the spec's order.");
    let all: Vec<String> = d
        .entries
        .iter()
        .map(|e| format!("{t}::{}", variant(e.name())))
        .collect();
    w(
        o,
        &format!("    pub const ALL: &[{t}] = &[{}];", all.join(", ")),
    );
    w(o, "");
    w(o, "    /// The value on the wire.");
    w(o, "    pub const fn value(self) -> u32 {");
    w(o, "        match self {");
    for (e, v) in d.entries.iter().zip(&values) {
        w(
            o,
            &format!("            {t}::{} => {v},", variant(e.name())),
        );
    }
    w(o, "        }");
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// The variant of a value on the wire, if the spec names it.",
    );
    w(o, "    pub const fn from_value(v: u32) -> Option<Self> {");
    w(o, "        match v {");
    for (e, v) in d.entries.iter().zip(&values) {
        w(
            o,
            &format!("            {v} => Some({t}::{}),", variant(e.name())),
        );
    }
    w(o, "            _ => None,");
    w(o, "        }");
    w(o, "    }");
    w(o, "");
    w(o, "    /// The spec's name of the value.");
    w(o, "    pub const fn name(self) -> &'static str {");
    w(o, "        match self {");
    for e in &d.entries {
        w(
            o,
            &format!(
                "            {t}::{} => \"{}\",",
                variant(e.name()),
                e.name()
            ),
        );
    }
    w(o, "        }");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl std::fmt::Display for {t} {{"));
    w(
        o,
        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {",
    );
    w(o, "        f.write_str(self.name())");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl std::str::FromStr for {t} {{"));
    w(o, "    type Err = String;");
    w(o, "");
    w(o, "    /// By the spec's name.");
    w(
        o,
        "    fn from_str(s: &str) -> std::result::Result<Self, String> {",
    );
    w(
        o,
        "        Self::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| {",
    );
    let known: Vec<&str> = d.entries.iter().map(|e| e.name()).collect();
    w(
        o,
        &format!(
            "            format!(\"unknown {} `{{s}}` (known: {})\")",
            d.name,
            known.join(", ")
        ),
    );
    w(o, "        })");
    w(o, "    }");
    w(o, "}");
    w(o, "");
}

/// A bit set for a `flags` definition, or an `enum` some attribute takes `enum-as-flags`.
fn flags_def(o: &mut String, spec: &Spec, d: &Definition) {
    let t = enum_type(d, true);
    let bits: Vec<u64> = if d.kind == "flags" {
        d.user_values().iter().map(|v| *v as u64).collect()
    } else {
        d.values().iter().map(|v| 1u64 << v).collect()
    };
    let int = flags_int(spec, d);
    w(
        o,
        &format!(
            "/// Flags `{}`: a set of its bits; bits the spec does not name are kept.",
            d.name
        ),
    );
    doc_para(o, d.doc.as_deref());
    w(
        o,
        "#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]",
    );
    w(o, &format!("pub struct {t}(pub {int});"));
    w(o, "");
    w(o, &format!("impl {t} {{"));
    if !d.entries.iter().any(|e| upper(e.name()) == "NONE") {
        w(o, "    pub const NONE: Self = Self(0);");
    }
    for (e, b) in d.entries.iter().zip(&bits) {
        doc(o, "    ", e.doc());
        w(
            o,
            &format!("    pub const {}: Self = Self({b:#x});", upper(e.name())),
        );
    }
    w(o, "    /// Every bit the spec names, with its name.");
    let named: Vec<String> = d
        .entries
        .iter()
        .map(|e| format!("(Self::{}, \"{}\")", upper(e.name()), e.name()))
        .collect();
    w(
        o,
        &format!(
            "    pub const NAMED: &[(Self, &str)] = &[{}];",
            named.join(", ")
        ),
    );
    w(o, "");
    w(o, "    /// Whether all bits of `other` are set.");
    w(o, "    pub const fn contains(self, other: Self) -> bool {");
    w(o, "        self.0 & other.0 == other.0");
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// The names of the bits set; bits the spec does not name, as one hex number.",
    );
    w(o, "    pub fn names(self) -> Vec<String> {");
    w(o, "        let mut rest = self.0;");
    w(o, "        let mut out = Vec::new();");
    w(o, "        for (bit, name) in Self::NAMED {");
    w(o, "            if self.contains(*bit) {");
    w(o, "                out.push(name.to_string());");
    w(o, "                rest &= !bit.0;");
    w(o, "            }");
    w(o, "        }");
    w(o, "        if rest != 0 {");
    w(o, "            out.push(format!(\"{rest:#x}\"));");
    w(o, "        }");
    w(o, "        out");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl std::ops::BitOr for {t} {{"));
    w(o, "    type Output = Self;");
    w(o, "    fn bitor(self, rhs: Self) -> Self {");
    w(o, "        Self(self.0 | rhs.0)");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl std::fmt::Display for {t} {{"));
    w(o, "    /// `a,b`, or `none`.");
    w(
        o,
        "    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {",
    );
    w(o, "        match self.names() {");
    w(o, "            n if n.is_empty() => f.write_str(\"none\"),");
    w(o, "            n => f.write_str(&n.join(\",\")),");
    w(o, "        }");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl std::str::FromStr for {t} {{"));
    w(o, "    type Err = String;");
    w(o, "");
    w(
        o,
        "    /// Names or numbers (`12`, `0xc`) joined by commas, or `none`.",
    );
    w(
        o,
        "    fn from_str(s: &str) -> std::result::Result<Self, String> {",
    );
    w(o, "        let mut v = Self(0);");
    w(o, "        for word in s.split(',').map(str::trim).filter(|w| !w.is_empty() && *w != \"none\") {");
    w(
        o,
        "            let bits = match Self::NAMED.iter().find(|(_, n)| *n == word) {",
    );
    w(o, "                Some((bit, _)) => bit.0,");
    w(
        o,
        "                None => match word.strip_prefix(\"0x\") {",
    );
    w(
        o,
        &format!("                    Some(hex) => {int}::from_str_radix(hex, 16),"),
    );
    w(o, "                    None => word.parse(),");
    w(o, "                }");
    let known: Vec<&str> = d.entries.iter().map(|e| e.name()).collect();
    w(
        o,
        &format!(
            "                .map_err(|_| format!(\"unknown {} flag `{{word}}` (known: {})\"))?,",
            d.name,
            known.join(", ")
        ),
    );
    w(o, "            };");
    w(o, "            v.0 |= bits;");
    w(o, "        }");
    w(o, "        Ok(v)");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl serde::Serialize for {t} {{"));
    w(o, "    /// As the names of its bits, as ynl prints flags.");
    w(o, "    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {");
    w(o, "        s.collect_seq(self.names())");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    w(o, &format!("impl<'de> serde::Deserialize<'de> for {t} {{"));
    w(
        o,
        "    /// From the names of its bits (or numbers), or one number.",
    );
    w(o, "    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {");
    w(o, "        #[derive(serde::Deserialize)]");
    w(o, "        #[serde(untagged)]");
    w(o, "        enum Repr {");
    w(o, &format!("            Bits({int}),"));
    w(o, "            Names(Vec<String>),");
    w(o, "        }");
    w(o, "        match Repr::deserialize(d)? {");
    w(o, "            Repr::Bits(b) => Ok(Self(b)),");
    w(
        o,
        "            Repr::Names(n) => n.join(\",\").parse().map_err(serde::de::Error::custom),",
    );
    w(o, "        }");
    w(o, "    }");
    w(o, "}");
    w(o, "");
}

/// Which definitions get a Rust type: `(definition, as flags)`.
fn enum_defs(spec: &Spec) -> Vec<(&Definition, bool)> {
    let mut out = Vec::new();
    for d in &spec.definitions {
        match d.kind.as_str() {
            "flags" => out.push((d, true)),
            "enum" => {
                out.push((d, false));
                let as_flags = spec.attribute_sets.iter().any(|s| {
                    s.attributes.iter().any(|a| {
                        let e = effective(spec, s, a);
                        e.enum_as_flags && e.r#enum.as_deref() == Some(d.name.as_str())
                    })
                });
                if as_flags {
                    out.push((d, true));
                }
            }
            _ => {}
        }
    }
    out
}

/// `NAMES`: every set's attributes by type, name and nested set, and each op's set.
fn names_table(o: &mut String, spec: &Spec) {
    let index = |n: &str| spec.attribute_sets.iter().position(|s| s.name == n);
    w(
        o,
        "/// The family's attribute names: what errors are named with.",
    );
    w(o, "pub static NAMES: FamilyNames = FamilyNames {");
    w(o, "    sets: &[");
    for set in &spec.attribute_sets {
        let attrs: Vec<String> = set
            .attrs()
            .map(|(id, a)| {
                let nested = match spec.value_type(set, a) {
                    Some(ValueType::Nest(n)) => {
                        index(&n).map_or("None".into(), |i| format!("Some({i})"))
                    }
                    _ => "None".into(),
                };
                format!("({id}, \"{}\", {nested})", a.name)
            })
            .collect();
        w(
            o,
            &format!(
                "        SetNames {{ name: \"{}\", attrs: &[{}] }},",
                set.name,
                attrs.join(", ")
            ),
        );
    }
    w(o, "    ],");
    let ops: Vec<String> = spec
        .operations
        .list
        .iter()
        .filter_map(|op| {
            let set = index(op.attribute_set.as_deref()?)?;
            Some(format!("({}, {set})", op.req_value?))
        })
        .collect();
    w(o, &format!("    ops: &[{}],", ops.join(", ")));
    w(o, "};");
    w(o, "");
}

/// `Client` or, with `asy`, `AsyncClient`: the same methods, awaited.
fn client(o: &mut String, spec: &Spec, asy: bool) {
    let (name, conn, aw, afn) = if asy {
        ("AsyncClient", "AsyncFamilyConn", ".await", "async fn")
    } else {
        ("Client", "FamilyConn", "", "fn")
    };
    if asy {
        w(
            o,
            &format!(
                "/// An asynchronous connection to the `{}` family, on tokio.",
                spec.name
            ),
        );
    } else {
        w(
            o,
            &format!("/// A connection to the `{}` family.", spec.name),
        );
    }
    w(o, "#[derive(Debug)]");
    w(o, &format!("pub struct {name}({conn});"));
    w(o, "");
    w(o, &format!("impl {name} {{"));
    w(
        o,
        "    /// Connects and resolves the family; `NlError::NotLoaded` when it is not registered.",
    );
    w(o, &format!("    pub {afn} connect() -> Result<Self> {{"));
    w(
        o,
        &format!(
            "        Ok({name}({conn}::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION){aw}?.with_names(&NAMES)))"
        ),
    );
    w(o, "    }");
    w(o, "");
    w(o, "    /// The family's ID.");
    w(o, "    pub fn family_id(&self) -> u16 {");
    w(o, "        self.0.id()");
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// The connection, for what the typed methods do not cover.",
    );
    w(o, &format!("    pub fn conn(&mut self) -> &mut {conn} {{"));
    w(o, "        &mut self.0");
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
            if mode == "dump" && !asy {
                w(o, "    ///");
                w(o, "    /// The replies are read as the iterator is; it ends with the kernel's error, or with");
                w(o, "    /// `NlError::DumpInterrupted` after every reply when the objects changed meanwhile.");
            }
            let (arg, enc) = if takes {
                (format!(", req: &{t}"), "|out| req.encode(out)")
            } else {
                (String::new(), "|_| Ok(())")
            };
            let (ret, body) = match (mode, m.reply.is_some()) {
                ("dump", _) if asy => (
                    format!("Result<Vec<{t}>>"),
                    format!("self.0.dump({cmd}, {enc}, {t}::decode).await"),
                ),
                ("dump", _) => (
                    format!("Dump<'_, {t}>"),
                    format!("self.0.dump({cmd}, {enc}, {t}::decode)"),
                ),
                (_, true) => (
                    format!("Result<{t}>"),
                    format!("self.0.do_reply({cmd}, {enc}, {t}::decode){aw}"),
                ),
                _ => (
                    "Result<()>".into(),
                    format!("self.0.do_ack({cmd}, {enc}){aw}"),
                ),
            };
            w(
                o,
                &format!("    pub {afn} {method}(&mut self{arg}) -> {ret} {{"),
            );
            w(o, &format!("        {body}"));
            w(o, "    }");
            if asy {
                continue;
            }
            // The zero-copy forms: the reply read in place, each dump reply handed over in place.
            match (mode, m.reply.is_some()) {
                ("dump", _) => {
                    w(o, "");
                    w(o, &format!("    /// `{}` dump, each reply read in place by `f` as it arrives (nothing copied); the", op.name));
                    w(o, "    /// result as the iterator's end.");
                    w(o, &format!("    pub fn {method}_each(&mut self{arg}, mut f: impl FnMut({t}Ref<'_>) -> Result<()>) -> Result<()> {{"));
                    w(o, &format!("        self.0.exchange({cmd}, Expect::Dump, {enc}, |_, a| f({t}Ref(a)))"));
                    w(o, "    }");
                }
                (_, true) => {
                    w(o, "");
                    w(o, &format!("    /// `{}` do, the reply read in place: borrowed from the connection's buffer until its", op.name));
                    w(o, "    /// next request (nothing copied).");
                    w(
                        o,
                        &format!(
                            "    pub fn {method}_ref(&mut self{arg}) -> Result<{t}Ref<'_>> {{"
                        ),
                    );
                    w(
                        o,
                        &format!("        self.0.do_in_place({cmd}, {enc}).map({t}Ref)"),
                    );
                    w(o, "    }");
                }
                _ => {}
            }
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
    if asy {
        w(
            o,
            "    /// The notifications of the next datagram, awaited.",
        );
        w(
            o,
            "    pub async fn notifications(&mut self) -> Result<Vec<Notification>> {",
        );
        w(
            o,
            "        self.0.notices().await?.into_iter().map(Notification::from_notice).collect()",
        );
    } else {
        w(o, "    /// The notifications of the next datagram, waiting up to `deadline` (`None`: it passed).");
        w(o, "    pub fn notifications(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<Notification>>> {");
        w(
            o,
            "        let Some(notices) = self.0.notices(deadline)? else {",
        );
        w(o, "            return Ok(None);");
        w(o, "        };");
        w(o, "        notices.into_iter().map(Notification::from_notice).collect::<Result<_>>().map(Some)");
    }
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
    if let Some(d) = &spec.doc {
        for l in d.trim().lines() {
            w(o, format!("//! {}", l.trim_end()).trim_end());
        }
        w(o, "//!");
    }
    w(
        o,
        &format!("//! Generated from {spec_path} by genlkit-codegen; do not edit."),
    );
    w(o, "");
    w(o, "use std::time::Instant;");
    w(o, "");
    w(o, "use genl_client::attr::{iter_attrs, put_attr};");
    w(o, "#[allow(unused_imports)] // what the spec's types need");
    w(
        o,
        "use genl_client::typed::{all_attrs, find_attr, fixed, get_enum, get_str, get_var, malformed, put_bytes, put_nest, put_str, put_var, str_bytes};",
    );
    w(o, "#[allow(unused_imports)] // what the spec's ops need");
    w(o, "use genl_client::{AsyncFamilyConn, Dump, Expect, FamilyConn, FamilyInfo, FamilyNames, Notice, NlString, Result, SetNames};");
    w(o, "");
    w(o, "use crate::spec;");
    w(o, "");
    for (d, as_flags) in enum_defs(spec) {
        if as_flags {
            flags_def(o, spec, d);
        } else {
            enum_def(o, d);
        }
    }
    for set in &spec.attribute_sets {
        set_struct(o, spec, set);
        set_view(o, spec, set);
    }
    names_table(o, spec);
    let fam = camel(&spec.name);
    w(
        o,
        &format!(
            "/// The family, for the rust-netlink crates: [`{fam}Message`] is how `genetlink`'s"
        ),
    );
    w(
        o,
        "/// connection carries its messages (netlink-packet-generic's `GenlFamily`).",
    );
    w(o, "#[derive(Clone, Copy, Debug, PartialEq, Eq)]");
    w(o, &format!("pub struct {fam}Family;"));
    w(o, "");
    w(
        o,
        &format!("impl genl_client::FamilySpec for {fam}Family {{"),
    );
    w(o, "    const NAME: &'static str = spec::FAMILY_NAME;");
    w(o, "    const VERSION: u8 = spec::FAMILY_VERSION;");
    w(o, "}");
    w(o, "");
    w(
        o,
        "/// A message of the family: its command and attributes (the sets' `encode` and `decode`",
    );
    w(o, "/// write and read them).");
    w(
        o,
        &format!("pub type {fam}Message = genl_client::FamilyMessage<{fam}Family>;"),
    );
    w(o, "");

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
    w(
        o,
        "/// What a subscriber receives: a notification of the family, or news of its socket or",
    );
    w(o, "/// of the family itself.");
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
    w(
        o,
        "    /// The socket's receive queue overflowed (ENOBUFS): notifications were lost.",
    );
    w(o, "    Overflow,");
    w(o, "    /// The family left (its module was unloaded).");
    w(o, "    FamilyGone,");
    w(o, "    /// The family is back, its groups joined again: what happened meanwhile was not seen.");
    w(o, "    FamilyBack(FamilyInfo),");
    w(o, "}");
    w(o, "");
    w(o, "impl Notification {");
    w(
        o,
        "    /// Decodes a message of the family, by its command.",
    );
    w(
        o,
        "    pub fn decode(cmd: u8, attrs: &[u8]) -> Result<Self> {",
    );
    w(o, "        Ok(match cmd {");
    for (op, id, set) in &ntfs {
        w(
            o,
            &format!(
                "            {id} => Notification::{}({}::decode(attrs)?),",
                camel(&op.name),
                struct_name(set)
            ),
        );
    }
    w(
        o,
        "            _ => Notification::Unknown(cmd, attrs.to_vec()),",
    );
    w(o, "        })");
    w(o, "    }");
    w(o, "");
    w(
        o,
        "    /// What a subscriber received, as the family's notification or news.",
    );
    w(o, "    pub fn from_notice(n: Notice) -> Result<Self> {");
    w(o, "        Ok(match n {");
    w(
        o,
        "            Notice::Message(cmd, attrs) => Notification::decode(cmd, &attrs)?,",
    );
    w(o, "            Notice::Overflow => Notification::Overflow,");
    w(
        o,
        "            Notice::FamilyGone => Notification::FamilyGone,",
    );
    w(
        o,
        "            Notice::FamilyBack(info) => Notification::FamilyBack(info),",
    );
    w(o, "        })");
    w(o, "    }");
    w(o, "}");
    w(o, "");
    client(o, spec, false);
    client(o, spec, true);
    std::mem::take(o)
}
