// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The kernel side: `kmod/<family>/nl_gen.rs`, for the genl layer.
//!
//! The policies are the ones the kernel's `ynl_gen_c.py --mode kernel` emits for the spec, attribute
//! by attribute (see [`attr_policy`]): the request attributes of each operation, and every
//! attribute of each set nested below them; [`policy_dump`] prints them in a form a test
//! compares with ynl-gen's C.

use std::collections::BTreeMap;
use std::fmt::Write;

use anyhow::{bail, Result};

use crate::model::{camel, snake, upper, Attr, AttrSet, Definition, IntOrName, Op, Perm, Spec};

/// A constant the kernel defines in a C header: a spec's `const` definition with `header:`,
/// whose `value` only stands in for the real one (netdev's `page-size`, value 0, is
/// `PAGE_SIZE` of `asm/page.h`). ynl-gen's C names the macro, so the policy has the value the
/// compiler sees; the tables name the Rust item with the same value, bindgen'd from the macro.
#[derive(Debug, PartialEq)]
pub struct KernelConst {
    /// The header the spec names.
    pub header: &'static str,
    /// The macro, as ynl-gen writes it: the definition's name in upper case.
    pub c_name: &'static str,
    /// The Rust item holding the macro's value.
    pub rust: &'static str,
}

/// The header constants the tables reach from Rust; a spec naming any other is refused.
pub const KERNEL_CONSTS: &[KernelConst] = &[
    KernelConst {
        header: "asm/page.h",
        c_name: "PAGE_SIZE",
        rust: "kernel::page::PAGE_SIZE",
    },
    KernelConst {
        header: "linux/err.h",
        c_name: "MAX_ERRNO",
        rust: "kernel::bindings::MAX_ERRNO",
    },
];

/// The kernel's constant a header definition `d` stands for, if the tables reach it.
fn kernel_const_of(d: &Definition) -> Option<&'static KernelConst> {
    let header = d.header.as_deref()?;
    KERNEL_CONSTS
        .iter()
        .find(|k| k.header == header && k.c_name == upper(&d.name))
}

/// The const definition a check's value names (by its name, or its C name), if any.
fn const_named<'a>(spec: &'a Spec, n: &str) -> Option<&'a Definition> {
    let c_name = |d: &Definition| format!("{}{}", d.name_prefix.as_deref().unwrap_or(""), d.name);
    spec.definitions
        .iter()
        .filter(|d| d.kind == "const")
        .find(|d| d.name == n || (d.name_prefix.is_some() && c_name(d) == n))
}

/// The kernel's constant a check's value names, when it names a header definition.
fn kernel_const(spec: &Spec, v: &IntOrName) -> Option<&'static KernelConst> {
    match v {
        IntOrName::Name(n) => const_named(spec, n).and_then(kernel_const_of),
        IntOrName::Int(_) => None,
    }
}

/// The spec features the kernel tables implement: refuses any other, naming the item and its
/// line (the first one found, and how many more there are).
pub fn check(spec: &Spec) -> Result<()> {
    let mut refused = Vec::new();
    let mut refuse = |path: &[&str], what: String| {
        let line = spec
            .line_of(path)
            .map(|l| format!(" (line {l})"))
            .unwrap_or_default();
        let item = path
            .iter()
            .fold(String::new(), |acc, step| match step.strip_prefix('=') {
                Some(name) => format!("{acc}[{name}]"),
                None if acc.is_empty() => step.to_string(),
                None => format!("{acc}.{step}"),
            });
        refused.push(format!("{item}{line}: {what}"));
    };

    if let Some(p) = &spec.kernel_policy {
        if !matches!(p.as_str(), "split" | "global" | "per-op") {
            refuse(
                &["kernel-policy"],
                format!("kernel-policy `{p}` is not split, global or per-op"),
            );
        }
    }
    if let Some(sp) = spec
        .kernel_family
        .as_ref()
        .and_then(|k| k.sock_priv.as_deref())
    {
        if sock_priv_type(sp).is_none() {
            refuse(
                &["kernel-family", "sock-priv"],
                format!("sock-priv `{sp}` is not a C type name (`struct NAME` or `NAME`)"),
            );
        }
    }
    for d in spec.definitions.iter().filter(|d| d.kind == "const") {
        if let (Some(h), None) = (&d.header, kernel_const_of(d)) {
            let name = format!("={}", d.name);
            refuse(
                &["definitions", &name, "header"],
                format!(
                    "const `{}` is `{}` of the C header {h}, whose value the spec only stands \
                     in for: the tables know no Rust item holding it (known: {})",
                    d.name,
                    upper(&d.name),
                    KERNEL_CONSTS
                        .iter()
                        .map(|k| format!("{} of {}", k.c_name, k.header))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
    }
    let ops = &spec.operations;
    if spec.directional() {
        refuse(
            &["operations", "enum-model"],
            "enum-model directional (replies numbered apart from their requests): the genl \
             layer replies with the request's command"
                .into(),
        );
    }
    if ops.async_prefix.is_some() || ops.async_enum.is_some() {
        let k = if ops.async_prefix.is_some() {
            "async-prefix"
        } else {
            "async-enum"
        };
        refuse(
            &["operations", k],
            format!(
                "{k} (notifications numbered in an enum of their own) is not implemented for \
                 the kernel tables"
            ),
        );
    }
    let fixed = "a fixed header ahead of the attributes (the family's hdrsize): the genl layer \
                 parses none";
    if ops.fixed_header.is_some() {
        refuse(
            &["operations", "fixed-header"],
            format!("fixed-header: {fixed}"),
        );
    }
    let mut hooks: BTreeMap<String, (&str, String)> = BTreeMap::new();
    for op in &ops.list {
        let name = format!("={}", op.name);
        let at = ["operations", "list", &name];
        let key = |k: &'static str| [&at[..], &[k]].concat();
        if op.fixed_header.is_some() {
            refuse(&key("fixed-header"), format!("fixed-header: {fixed}"));
        }
        if op.is_notification() && (op.r#do.is_some() || op.dump.is_some()) {
            refuse(&at, "a notification with do or dump".into());
        }
        let split = matches!(spec.kernel_policy.as_deref(), None | Some("split"));
        if split
            && op.dont_validate.iter().any(|x| x == "dump")
            && op.dump.as_ref().is_some_and(|m| m.request.is_some())
        {
            refuse(
                &key("dont-validate"),
                "dont-validate dump on a split dump with a request: ynl-gen's C split op keeps \
                 its policy, which the core applies; the layer gives an unvalidated dump none, \
                 as the core gives a legacy op's (genl_cmd_full_to_split)"
                    .into(),
            );
        }
        for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
            let Some(m) = m else { continue };
            for (when, hook) in [("pre", &m.pre), ("post", &m.post)] {
                let Some(hook) = hook else { continue };
                // One trait method per hook name: a name is one kind of hook.
                let kind = if when == "pre" { "pre" } else { "post" };
                match hooks.get(hook) {
                    Some((k, first)) if *k != kind => refuse(
                        &[&at[..], &[mode, when]].concat(),
                        format!("hook `{hook}` is a {kind} hook here and a {k} hook of {first}"),
                    ),
                    _ => {
                        hooks.insert(hook.clone(), (kind, format!("`{}` {mode}", op.name)));
                    }
                }
            }
        }
    }
    for g in spec.mcast_groups.iter().flat_map(|g| &g.list) {
        if !g.flags.is_empty() {
            let name = format!("={}", g.name);
            refuse(
                &["mcast-groups", "list", &name, "flags"],
                "multicast group flags (GENL_MCAST_CAP_*): the layer's groups carry none".into(),
            );
        }
    }
    // The policies: every attribute they hold must have one.
    if let Err(e) = policies(spec) {
        for r in e {
            refuse(
                &r.path.iter().map(String::as_str).collect::<Vec<_>>(),
                r.what,
            );
        }
    }
    match refused.len() {
        0 => Ok(()),
        1 => bail!("{}", refused[0]),
        n => bail!("{} (and {} more)", refused[0], n - 1),
    }
}

/// A refusal found while building the policies: the item's path (as for [`Spec::line_of`])
/// and why.
struct Refusal {
    path: Vec<String>,
    what: String,
}

/// One `struct nla_policy`, as the `NLA_POLICY_*` macro of `include/net/netlink.h` ynl-gen
/// uses for it builds it.
#[derive(Debug, Clone, PartialEq)]
pub enum Pol {
    /// `{ .type = TYPE, }`, or with `.len = len` (a string's maximum length).
    Plain { ty: &'static str, len: u64 },
    /// `NLA_POLICY_MIN/MAX/RANGE(TYPE, ...)` (and `NLA_POLICY_EXACT_LEN/MIN_LEN/MAX_LEN` on
    /// `NLA_BINARY`): the bounds inline, as `s16`.
    Bounds {
        ty: &'static str,
        min: Option<i64>,
        max: Option<i64>,
        sym: Syms,
    },
    /// `NLA_POLICY_FULL_RANGE(TYPE, &range)` (`_SIGNED` for signed types).
    FullRange {
        ty: &'static str,
        min: i128,
        max: i128,
        sym: Syms,
    },
    /// `NLA_POLICY_MASK(TYPE, mask)`.
    Mask { ty: &'static str, mask: u64 },
    /// `NLA_POLICY_BITFIELD32(valid)`.
    Bitfield32 { valid: u64 },
    /// `NLA_POLICY_NESTED(set)` or `NLA_POLICY_NESTED_ARRAY(set)`.
    Nested { set: String, array: bool },
    /// `{ .type = TYPE, .len = len }`, as ynl-gen's for a string, and genlkit's own check of
    /// its `min-len` (`min` bytes before the NUL), a validation function of the layer's
    /// (`AttrPolicy::min_str_len`), by a type the tables define for attribute `attr` of `set`.
    StrMin {
        ty: &'static str,
        len: u64,
        min: u64,
        set: String,
        attr: String,
    },
    /// genlkit's own: binary of `min..=max` bytes (`{ .type = NLA_BINARY, .len = max }` with
    /// `NLA_VALIDATE_MIN` for `min`), where ynl-gen has no single macro (both `min-len` and
    /// `max-len`, or a `max-len` over `i16::MAX`).
    BinaryLen { min: u64, max: u64 },
}

/// The kernel's constants a policy's minimum and maximum are, when a check names one (its
/// number in the policy is then the spec's stand-in, which only chooses the form).
pub type Syms = [Option<&'static KernelConst>; 2];

/// No bound is a kernel's constant.
const NO_SYM: Syms = [None, None];

/// A policy table: its Rust name, ynl-gen's C name, the set whose constants index it, its
/// entries and its size (maxattr + 1).
pub struct PolicyTable {
    pub name: String,
    pub c_name: String,
    pub set: String,
    pub entries: Vec<(String, u16, Pol)>,
    pub len: u16,
    what: String,
}

/// All the family's policies: the nested sets' (sorted by name), then the global one or the
/// operations', in the order of the ops table.
struct Policies {
    nested: Vec<PolicyTable>,
    ops: Vec<PolicyTable>,
    /// `(op, mode)` → index in `ops`.
    of_op: BTreeMap<(String, &'static str), usize>,
}

/// An attribute as its set has it: in a subset, the attribute of the set it is a subset of with
/// the subset's own keys over it (as ynl does).
pub fn effective(spec: &Spec, set: &AttrSet, a: &Attr) -> Attr {
    let Some(parent) = set.subset_of.as_deref().and_then(|p| spec.set(p).ok()) else {
        return a.clone();
    };
    let Some(p) = parent.attributes.iter().find(|x| x.name == a.name) else {
        return a.clone();
    };
    let mut m = p.clone();
    if !a.kind.is_empty() {
        m.kind = a.kind.clone();
    }
    macro_rules! over {
        ($($f:ident),*) => { $( if a.$f.is_some() { m.$f = a.$f.clone(); } )* };
    }
    over!(
        doc,
        byte_order,
        multi_attr,
        nested_attributes,
        r#enum,
        sub_type,
        display_hint,
        r#struct
    );
    if a.checks != Default::default() {
        m.checks = a.checks.clone();
    }
    m.enum_as_flags |= a.enum_as_flags;
    m
}

/// The integer value of a definition of type `const`, or of a limit name (`u32-max`).
pub(crate) fn limit(spec: &Spec, v: &IntOrName) -> Option<i128> {
    match v {
        IntOrName::Int(i) => Some((*i).into()),
        IntOrName::Name(n) => {
            // A const by its name, or by its C name (`name-prefix` and name: ynl-gen writes an
            // unknown name as a C macro, which the uapi header defines so). A header's const
            // gives its stand-in value, which ynl-gen chooses the policy's form by.
            if let Some(d) = const_named(spec, n) {
                return d.value.as_ref().and_then(IntOrName::int).map(i128::from);
            }
            // ynl-gen's `limit_to_number`: `u8-min` .. `s64-max`.
            let (sign, rest) = n.split_at_checked(1)?;
            let (width, end) = rest.split_once('-')?;
            let width: u32 = width.parse().ok()?;
            if !matches!(width, 8 | 16 | 32 | 64) || !matches!(sign, "u" | "s") {
                return None;
            }
            match (sign, end) {
                ("u", "min") => Some(0),
                ("u", "max") => Some((1i128 << width) - 1),
                ("s", "max") => Some((1i128 << (width - 1)) - 1),
                ("s", "min") => Some(-(1i128 << (width - 1))),
                _ => None,
            }
        }
    }
}

/// An enum's raw values, low and high, if they are contiguous (ynl-gen's `value_range`).
fn value_range(d: &Definition) -> Option<(i64, i64)> {
    let v = d.values();
    let (lo, hi) = (*v.iter().min()?, *v.iter().max()?);
    (hi - lo + 1 == v.len() as i64).then_some((lo, hi))
}

/// The policy of one attribute, as ynl-gen's `attr_policy` of its type class renders it; `None`
/// for a `pad` or `unused`, which have none.
fn attr_policy(spec: &Spec, a: &Attr, at: &[String]) -> Result<Option<Pol>, Refusal> {
    let refuse = |k: &[&str], what: String| Refusal {
        path: at
            .iter()
            .cloned()
            .chain(k.iter().map(|s| s.to_string()))
            .collect(),
        what,
    };
    let c = &a.checks;
    let get = |k: &'static str, v: &Option<IntOrName>| -> Result<Option<i128>, Refusal> {
        match v {
            None => Ok(None),
            Some(v) if k.ends_with("-len") && kernel_const(spec, v).is_some() => Err(refuse(
                &["checks", k],
                format!(
                    "check {k} names a constant of a C header: the tables take such a constant \
                     as an integer's min or max only"
                ),
            )),
            Some(v) => limit(spec, v).map(Some).ok_or_else(|| {
                refuse(
                    &["checks", k],
                    format!("check {k} `{v:?}` names no const definition or limit"),
                )
            }),
        }
    };
    if !a.type_value.is_empty() {
        return Err(refuse(
            &["type-value"],
            "type-value (nests keyed by their attribute type) has no kernel policy in ynl-gen"
                .into(),
        ));
    }
    let kind = a.kind.as_str();
    // Every check the spec gives must be enforced: one the type's policy has no place for
    // (ynl-gen would drop it silently) is refused.
    let allowed: &[&str] = match kind {
        "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64" | "uint" | "sint" => {
            &["flags-mask", "min", "max"]
        }
        "string" => &["min-len", "max-len", "exact-len", "unterminated-ok"],
        "binary" => &["min-len", "max-len", "exact-len"],
        _ => &[],
    };
    for (k, given) in [
        ("flags-mask", c.flags_mask.is_some()),
        ("min", c.min.is_some()),
        ("max", c.max.is_some()),
        ("min-len", c.min_len.is_some()),
        ("max-len", c.max_len.is_some()),
        ("exact-len", c.exact_len.is_some()),
        ("unterminated-ok", c.unterminated_ok == Some(true)),
    ] {
        if given && !allowed.contains(&k) {
            return Err(refuse(
                &["checks", k],
                format!("check {k} on a {kind}: its policy cannot enforce it"),
            ));
        }
    }
    let big = a.byte_order.as_deref() == Some("big-endian");
    let pol = match kind {
        "pad" | "unused" => return Ok(None),
        "u8" | "u16" | "u32" | "u64" | "s8" | "s16" | "s32" | "s64" | "uint" | "sint" => {
            let ty: &'static str = match (kind, big) {
                ("u16", true) => "NLA_BE16",
                ("u32", true) => "NLA_BE32",
                ("u8", _) => "NLA_U8",
                ("u16", _) => "NLA_U16",
                ("u32", _) => "NLA_U32",
                ("u64", _) => "NLA_U64",
                ("s8", _) => "NLA_S8",
                ("s16", _) => "NLA_S16",
                ("s32", _) => "NLA_S32",
                ("s64", _) => "NLA_S64",
                ("uint", _) => "NLA_UINT",
                _ => "NLA_SINT",
            };
            let signed = kind.starts_with('s');
            let (mut min, mut max) = (get("min", &c.min)?, get("max", &c.max)?);
            let def = match &a.r#enum {
                Some(e) => Some(
                    spec.definition(e)
                        .map_err(|e| refuse(&["enum"], e.to_string()))?,
                ),
                None => None,
            };
            let bitfield = a.enum_as_flags || def.is_some_and(|d| d.kind == "flags");
            if let (Some(d), false) = (def, bitfield) {
                let Some((lo, hi)) = value_range(d) else {
                    return Err(refuse(
                        &["enum"],
                        format!(
                            "enum `{}` has gaps: ynl-gen validates it with a function \
                             (NLA_POLICY_VALIDATE_FN), which the tables do not generate",
                            d.name
                        ),
                    ));
                };
                if min.is_none() && (lo != 0 || signed) {
                    min = Some(lo.into());
                }
                if max.is_none() {
                    max = Some(hi.into());
                }
            }
            if let Some(m) = &c.flags_mask {
                if !bitfield {
                    let d = spec
                        .definition(m)
                        .map_err(|e| refuse(&["checks", "flags-mask"], e.to_string()))?;
                    // ynl-gen: one bit per entry, from bit 0.
                    let n = d.entries.len() as u32;
                    let mask = if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
                    return mask_pol(ty, mask, &refuse);
                }
            }
            if bitfield {
                let d = def.expect("enum-as-flags needs an enum");
                let mask = d.values().iter().fold(0u64, |m, v| m | (1u64 << v));
                return mask_pol(ty, mask, &refuse);
            }
            // A bound the spec names a header's constant for: the kernel's value, in Rust as
            // in ynl-gen's C (the stand-in only chooses the form, as in ynl-gen).
            let sym = [&c.min, &c.max].map(|v| v.as_ref().and_then(|v| kernel_const(spec, v)));
            let lo = min.unwrap_or(0).min(max.unwrap_or(0));
            let hi = min.unwrap_or(0).max(max.unwrap_or(0));
            if lo < 0 && !signed {
                return Err(refuse(
                    &["checks"],
                    "a negative bound on an unsigned type".into(),
                ));
            }
            if lo < -32768 || hi > 32767 {
                // ynl-gen fills in the range's members the spec gives; the others stay 0.
                let (min, max) = (min.unwrap_or(0), max.unwrap_or(0));
                if min > max {
                    return Err(refuse(
                        &["checks"],
                        format!(
                            "ynl-gen renders this range as {min}..={max} (a missing bound is \
                             0), which accepts nothing"
                        ),
                    ));
                }
                Pol::FullRange { ty, min, max, sym }
            } else if min.is_none() && max.is_none() {
                Pol::Plain { ty, len: 0 }
            } else {
                Pol::Bounds {
                    ty,
                    min: min.map(|v| v as i64),
                    max: max.map(|v| v as i64),
                    sym,
                }
            }
        }
        "flag" => Pol::Plain {
            ty: "NLA_FLAG",
            len: 0,
        },
        "string" => {
            if let Some(n) = get("exact-len", &c.exact_len)? {
                if c.min_len.is_some() || c.max_len.is_some() {
                    return Err(refuse(
                        &["checks", "exact-len"],
                        "exact-len with min-len or max-len".into(),
                    ));
                }
                exact_len(n, &refuse)?
            } else {
                // A multi-attr string is NLA_STRING: ynl-gen's multi-attr class renders the
                // policy of its type without the string class's NUL choice.
                let ty = if c.unterminated_ok == Some(true) || a.multi_attr == Some(true) {
                    "NLA_STRING"
                } else {
                    "NLA_NUL_STRING"
                };
                let len = get("max-len", &c.max_len)?.unwrap_or(0);
                if !(0..=65531).contains(&len) {
                    return Err(refuse(
                        &["checks", "max-len"],
                        "max-len over 65531 cannot be carried by a netlink attribute".into(),
                    ));
                }
                // ynl-gen drops a string's `min-len` (the core has no minimum for a string's
                // length): the layer checks it with a validation function of its policy, which
                // leaves the type and maximum the controller reports as ynl-gen's.
                match get("min-len", &c.min_len)? {
                    None | Some(0) => Pol::Plain {
                        ty,
                        len: len as u64,
                    },
                    Some(min) if min < 0 || (len > 0 && min > len) => {
                        return Err(refuse(
                            &["checks", "min-len"],
                            format!("min-len {min} out of 0..=max-len ({len})"),
                        ))
                    }
                    Some(min) => Pol::StrMin {
                        ty,
                        len: len as u64,
                        min: min as u64,
                        set: at
                            .get(1)
                            .map(|s| s.trim_start_matches('=').to_string())
                            .unwrap_or_default(),
                        attr: a.name.clone(),
                    },
                }
            }
        }
        "binary" => {
            let (exact, min, max) = (
                get("exact-len", &c.exact_len)?,
                get("min-len", &c.min_len)?,
                get("max-len", &c.max_len)?,
            );
            match (exact, min, max) {
                (Some(n), None, None) => exact_len(n, &refuse)?,
                (Some(_), _, _) => {
                    return Err(refuse(
                        &["checks", "exact-len"],
                        "exact-len with min-len or max-len".into(),
                    ))
                }
                (None, None, None) => Pol::Plain {
                    ty: "NLA_BINARY",
                    len: 0,
                },
                (None, Some(n), None) if (0..=32767).contains(&n) => Pol::Bounds {
                    ty: "NLA_BINARY",
                    min: Some(n as i64),
                    max: None,
                    sym: NO_SYM,
                },
                (None, None, Some(n)) if (0..=32767).contains(&n) => Pol::Bounds {
                    ty: "NLA_BINARY",
                    min: None,
                    max: Some(n as i64),
                    sym: NO_SYM,
                },
                (None, min, max) => {
                    let (min, max) = (min.unwrap_or(0), max.unwrap_or(0));
                    if !(0..=32767).contains(&min) || !(0..=65531).contains(&max) {
                        return Err(refuse(
                            &["checks"],
                            "a binary length bound out of a netlink attribute's".into(),
                        ));
                    }
                    Pol::BinaryLen {
                        min: min as u64,
                        max: max as u64,
                    }
                }
            }
        }
        "bitfield32" => {
            let Some(d) = &a.r#enum else {
                return Err(refuse(&["type"], "a bitfield32 without an enum".into()));
            };
            let d = spec
                .definition(d)
                .map_err(|e| refuse(&["enum"], e.to_string()))?;
            let valid = d.values().iter().fold(0u64, |m, v| m | (1u64 << v));
            if valid > u32::MAX.into() {
                return Err(refuse(&["enum"], "a bitfield32 mask over 32 bits".into()));
            }
            Pol::Bitfield32 { valid }
        }
        "nest" => Pol::Nested {
            set: a.nested_attributes.clone().expect("validated"),
            array: false,
        },
        "indexed-array" if a.sub_type.as_deref() == Some("nest") => Pol::Nested {
            set: a.nested_attributes.clone().expect("validated"),
            array: true,
        },
        "indexed-array" => {
            return Err(refuse(
                &["sub-type"],
                format!(
                    "an indexed-array of {} in a request: ynl-gen renders its policy as \
                     NLA_INDEXED_ARRAY, which the kernel does not have",
                    a.sub_type.as_deref().unwrap_or("?")
                ),
            ))
        }
        "sub-message" => {
            return Err(refuse(
                &["type"],
                "a sub-message in a request (its policy depends on a selector attribute) is \
                 not implemented for the kernel tables"
                    .into(),
            ))
        }
        other => {
            return Err(refuse(
                &["type"],
                format!("type `{other}` has no kernel policy in ynl-gen"),
            ))
        }
    };
    Ok(Some(pol))
}

fn mask_pol<F: Fn(&[&str], String) -> Refusal>(
    ty: &'static str,
    mask: u64,
    refuse: &F,
) -> Result<Option<Pol>, Refusal> {
    if mask > u32::MAX.into() {
        return Err(refuse(
            &["enum"],
            "a mask over 32 bits (the policy's mask is a u32)".into(),
        ));
    }
    Ok(Some(Pol::Mask { ty, mask }))
}

fn exact_len<F: Fn(&[&str], String) -> Refusal>(n: i128, refuse: &F) -> Result<Pol, Refusal> {
    if !(0..=32767).contains(&n) {
        return Err(refuse(
            &["checks", "exact-len"],
            "exact-len over 32767 (NLA_POLICY_EXACT_LEN's bounds are s16)".into(),
        ));
    }
    Ok(Pol::Bounds {
        ty: "NLA_BINARY",
        min: Some(n as i64),
        max: Some(n as i64),
        sym: NO_SYM,
    })
}

/// The policy of a set's attributes `names`; `None` for `names` in no policy (`pad`, `unused`).
fn table(
    spec: &Spec,
    set: &AttrSet,
    names: &[&str],
    refused: &mut Vec<Refusal>,
) -> Vec<(String, u16, Pol)> {
    let mut v = Vec::new();
    for n in names {
        let a = set
            .attributes
            .iter()
            .find(|a| &a.name == n)
            .expect("validated");
        let at = vec![
            "attribute-sets".to_string(),
            format!("={}", set.name),
            "attributes".into(),
            format!("={n}"),
        ];
        match attr_policy(spec, &effective(spec, set, a), &at) {
            Ok(Some(p)) => v.push((n.to_string(), a.id, p)),
            Ok(None) => {}
            Err(r) => refused.push(r),
        }
    }
    v
}

/// ynl-gen's C name for the policy of attribute set `set` of `family` (snake case): the family's
/// own set's is `<family>_nl_policy`.
fn set_policy_c_name(family: &str, set: &str) -> String {
    if snake(set) == family {
        format!("{family}_nl_policy")
    } else {
        format!("{family}_{}_nl_policy", snake(set))
    }
}

/// The family's policies, as ynl-gen's kernel mode makes them: the sets nested (at any depth)
/// under request attributes get a policy of all their attributes (ynl-gen's "pure nested
/// structs" with `request`); each do and dump with a request, a policy of its attributes
/// (`kernel-policy: split`); or one policy of every request attribute for the family
/// (`global`); or one per operation, its do's request (`per-op`).
fn policies(spec: &Spec) -> Result<Policies, Vec<Refusal>> {
    let mut refused = Vec::new();
    let family = snake(&spec.name);
    // Root sets: an op's set and the attributes any request of it names.
    let mut roots: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for op in &spec.operations.list {
        let Some(s) = op.attribute_set.as_deref() else {
            continue;
        };
        let e = roots.entry(s).or_default();
        for m in [&op.r#do, &op.dump].into_iter().flatten() {
            for a in m.request.iter().flat_map(|r| &r.attributes) {
                if !e.contains(&a.as_str()) {
                    e.push(a);
                }
            }
        }
    }
    // Nested sets under request attributes, breadth first.
    let mut queue: Vec<(String, String)> = Vec::new();
    for (s, attrs) in &roots {
        let set = spec.set(s).expect("validated");
        for a in set
            .attributes
            .iter()
            .filter(|a| attrs.contains(&a.name.as_str()))
        {
            if let Some(n) = effective(spec, set, a).nested_attributes {
                queue.push((n, s.to_string()));
            }
        }
    }
    let mut nested_sets: Vec<String> = Vec::new();
    while let Some((n, _)) = (!queue.is_empty()).then(|| queue.remove(0)) {
        if nested_sets.contains(&n) {
            continue;
        }
        let set = spec.set(&n).expect("validated");
        for a in &set.attributes {
            if let Some(m) = effective(spec, set, a).nested_attributes {
                queue.push((m, n.clone()));
            }
        }
        nested_sets.push(n);
    }
    nested_sets.sort();
    let mut nested = Vec::new();
    for n in &nested_sets {
        let set = spec.set(n).expect("validated");
        let names: Vec<&str> = set.attributes.iter().map(|a| a.name.as_str()).collect();
        nested.push(PolicyTable {
            name: format!("{}_NEST_POLICY", upper(n)),
            c_name: set_policy_c_name(&family, n),
            set: n.clone(),
            entries: table(spec, set, &names, &mut refused),
            // ynl-gen: the set's highest attribute, `pad` and `unused` included.
            len: set.max_id() + 1,
            what: format!("Nest `{n}`"),
        });
    }
    let mut ops = Vec::new();
    let mut of_op = BTreeMap::new();
    let kp = spec.kernel_policy.as_deref().unwrap_or("split");
    let op_list: Vec<&Op> = spec
        .operations
        .list
        .iter()
        .filter(|o| o.has_handlers())
        .collect();
    match kp {
        "global" => {
            let mut set_name = None;
            let mut wanted: Vec<&str> = Vec::new();
            for op in &op_list {
                let s = op.attribute_set.as_deref().expect("validated");
                if set_name.is_some_and(|n| n != s) {
                    refused.push(Refusal {
                        path: vec!["operations".into(), "list".into(), format!("={}", op.name)],
                        what: "a global policy for ops of different attribute sets".into(),
                    });
                }
                set_name = Some(s);
                for m in [&op.r#do, &op.dump].into_iter().flatten() {
                    wanted.extend(
                        m.request
                            .iter()
                            .flat_map(|r| r.attributes.iter())
                            .map(String::as_str),
                    );
                }
            }
            if let Some(s) = set_name {
                let set = spec.set(s).expect("validated");
                let names: Vec<&str> = set
                    .attributes
                    .iter()
                    .map(|a| a.name.as_str())
                    .filter(|a| wanted.contains(a))
                    .collect();
                let len = names.iter().map(|a| set.id(a)).max().unwrap_or(0) + 1;
                ops.push(PolicyTable {
                    name: "GLOBAL_POLICY".into(),
                    c_name: set_policy_c_name(&family, s),
                    set: s.into(),
                    entries: table(spec, set, &names, &mut refused),
                    len,
                    what: format!(
                        "Every request's attributes (global policy): `[{}]`",
                        names.join(", ")
                    ),
                });
                for op in &op_list {
                    for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
                        if m.is_some() {
                            of_op.insert((op.name.clone(), mode), 0);
                        }
                    }
                }
            }
        }
        _ => {
            for op in &op_list {
                let s = op.attribute_set.as_deref().expect("validated");
                let set = spec.set(s).expect("validated");
                if kp == "per-op" {
                    let Some(req) = op.r#do.as_ref().and_then(|m| m.request.as_ref()) else {
                        refused.push(Refusal {
                            path: vec!["operations".into(), "list".into(), format!("={}", op.name)],
                            what: "a per-op policy is its do's request, and this op has none"
                                .into(),
                        });
                        continue;
                    };
                    let names: Vec<&str> = req.attributes.iter().map(String::as_str).collect();
                    let len = names.iter().map(|a| set.id(a)).max().unwrap_or(0) + 1;
                    of_op.insert((op.name.clone(), "do"), ops.len());
                    if op.dump.is_some() {
                        of_op.insert((op.name.clone(), "dump"), ops.len());
                    }
                    ops.push(PolicyTable {
                        name: format!("{}_POLICY", upper(&op.name)),
                        c_name: format!("{family}_{}_nl_policy", snake(&op.name)),
                        set: s.into(),
                        entries: table(spec, set, &names, &mut refused),
                        len,
                        what: format!(
                            "`{}` request (per-op policy): `[{}]`",
                            op.name,
                            names.join(", ")
                        ),
                    });
                    continue;
                }
                let dual = op.r#do.as_ref().is_some_and(|m| m.request.is_some())
                    && op.dump.as_ref().is_some_and(|m| m.request.is_some());
                for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
                    let Some(m) = m else { continue };
                    // An op with no request has no policy: the core gives it a reject-all
                    // one; ours is empty, to the same effect.
                    let names: Vec<&str> = m
                        .request
                        .iter()
                        .flat_map(|r| r.attributes.iter())
                        .map(String::as_str)
                        .collect();
                    let len = names.iter().map(|a| set.id(a)).max().unwrap_or(0) + 1;
                    of_op.insert((op.name.clone(), mode), ops.len());
                    ops.push(PolicyTable {
                        name: policy_name(op, mode),
                        c_name: if m.request.is_none() {
                            String::new()
                        } else if dual {
                            format!("{family}_{}_{mode}_nl_policy", snake(&op.name))
                        } else {
                            format!("{family}_{}_nl_policy", snake(&op.name))
                        },
                        set: s.into(),
                        entries: table(spec, set, &names, &mut refused),
                        len,
                        what: format!("`{}` {mode} request: `[{}]`", op.name, names.join(", ")),
                    });
                }
            }
        }
    }
    if refused.is_empty() {
        Ok(Policies { nested, ops, of_op })
    } else {
        Err(refused)
    }
}

/// ynl-gen's `GENL_DONT_VALIDATE_*` for one mode of an op: a do keeps `strict`, a dump `dump`
/// and `dump-strict`.
fn dont_validate(op: &Op, mode: &str) -> Vec<&'static str> {
    op.dont_validate
        .iter()
        .filter_map(|x| match (mode, x.as_str()) {
            ("do", "strict") => Some("STRICT"),
            ("dump", "dump") => Some("DUMP"),
            ("dump", "dump-strict") => Some("DUMP_STRICT"),
            _ => None,
        })
        .collect()
}

/// The `#[cfg]` of an op with `config-cond` (ynl-gen's `#ifdef CONFIG_...`).
fn cfg(op: &Op) -> Option<String> {
    op.config_cond
        .as_ref()
        .map(|c| format!("#[cfg(CONFIG_{})]", upper(c)))
}

/// The `pre` and `post` hooks of the ops, each once, in spec order: `(name, "pre" | "post")`.
pub fn op_hooks(spec: &Spec) -> Vec<(String, &'static str)> {
    let mut hooks: Vec<(String, &'static str)> = Vec::new();
    for op in &spec.operations.list {
        for m in [&op.r#do, &op.dump].into_iter().flatten() {
            for (kind, h) in [("pre", &m.pre), ("post", &m.post)] {
                if let Some(h) = h {
                    if !hooks.iter().any(|(n, _)| n == h) {
                        hooks.push((h.clone(), kind));
                    }
                }
            }
        }
    }
    hooks
}

/// An identifier for a name: `-` as `_`, a leading digit behind `_`, a keyword raw.
pub fn ident(name: &str) -> String {
    let s = snake(name);
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    };
    const KW: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "static", "struct", "super", "trait", "true", "type", "unsafe", "use", "where",
        "while", "async", "await", "dyn", "abstract", "become", "box", "do", "final", "macro",
        "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
    ];
    if KW.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// The name of a constant the generator adds to a module (`MAX`, `MASK`): `HIGHEST` or
/// `ALL_BITS` instead when the spec names one of the module's own constants so.
fn extra<'a>(mut names: impl Iterator<Item = &'a str>, name: &str) -> &'static str {
    let clash = names.any(|n| konst(n) == name);
    match (name, clash) {
        ("MAX", false) => "MAX",
        ("MAX", true) => "HIGHEST",
        (_, false) => "MASK",
        (_, true) => "ALL_BITS",
    }
}

/// A constant's name for a spec name.
pub(crate) fn konst(name: &str) -> String {
    let s = upper(name);
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// The module names of the sets and definitions: a definition whose name a set, `cmd`,
/// `group` or `consts` takes gets `_def` behind it.
fn def_mod(spec: &Spec, d: &Definition) -> String {
    let m = ident(&d.name);
    let taken = spec.attribute_sets.iter().any(|s| ident(&s.name) == m)
        || matches!(m.as_str(), "cmd" | "group" | "consts");
    if taken {
        format!("{}_def", snake(&d.name))
    } else {
        m
    }
}

/// The Rust expression of a policy entry.
fn render_pol(p: &Pol) -> String {
    let ctor = |ty: &str| -> String {
        let t = ty.trim_start_matches("NLA_").to_lowercase();
        format!("AttrPolicy::{t}()")
    };
    match p {
        Pol::Plain {
            ty: "NLA_NUL_STRING",
            len,
        } => format!("AttrPolicy::nul_string({len})"),
        Pol::Plain {
            ty: "NLA_STRING",
            len,
        } => format!("AttrPolicy::string({len})"),
        Pol::Plain {
            ty: "NLA_BINARY", ..
        } => "AttrPolicy::binary(0, 0)".into(),
        Pol::Plain { ty, .. } => ctor(ty),
        Pol::Bounds {
            ty: "NLA_BINARY",
            min,
            max,
            ..
        } => match (min, max) {
            (Some(a), Some(b)) if a == b => format!("AttrPolicy::exact_len({a})"),
            (Some(a), None) => format!("AttrPolicy::min_len({a})"),
            (None, Some(b)) => format!("AttrPolicy::max_len({b})"),
            _ => unreachable!("ynl-gen has no such binary policy"),
        },
        Pol::Bounds { ty, min, max, sym } => {
            // The inline bounds are `s16`.
            let b = |v: &Option<i64>, i: usize| match sym[i] {
                Some(k) => format!("KernelBound::s16({} as i128)", k.rust),
                None => v.map(|v| v.to_string()).unwrap_or_default(),
            };
            match (min, max) {
                (Some(_), Some(_)) => format!("{}.range({}, {})", ctor(ty), b(min, 0), b(max, 1)),
                (Some(_), None) => format!("{}.min({})", ctor(ty), b(min, 0)),
                (None, Some(_)) => format!("{}.max({})", ctor(ty), b(max, 1)),
                (None, None) => ctor(ty),
            }
        }
        Pol::FullRange { ty, min, max, sym } => {
            let t = ty.trim_start_matches("NLA_").to_lowercase();
            // The range's bounds have the type's own Rust type.
            let bound_ty = match t.as_str() {
                "uint" => "u64",
                "sint" => "s64",
                "be16" => "u16",
                "be32" => "u32",
                t => t,
            };
            let fmt = |v: i128, i: usize| match (sym[i], v) {
                (Some(k), _) => format!("{{ KernelBound::{bound_ty}({} as i128) }}", k.rust),
                (None, v) if v == i64::MIN.into() => "{ i64::MIN }".to_string(),
                (None, v) if v == u64::MAX.into() => "{ u64::MAX }".to_string(),
                (None, v) if v < 0 => format!("{{ {v} }}"),
                (None, v) => v.to_string(),
            };
            format!(
                "AttrPolicy::{t}_range::<{}, {}>()",
                fmt(*min, 0),
                fmt(*max, 1)
            )
        }
        Pol::Mask { ty, mask } => format!("{}.mask({mask:#x})", ctor(ty)),
        Pol::Bitfield32 { valid } => format!("AttrPolicy::bitfield32({valid:#x})"),
        Pol::Nested { set, array } => format!(
            "AttrPolicy::{}(&{}_NEST_POLICY)",
            if *array { "nested_array" } else { "nested" },
            upper(set)
        ),
        Pol::BinaryLen { min, max } => format!("AttrPolicy::binary({min}, {max})"),
        Pol::StrMin { ty, len, .. } => format!(
            "{}.min_str_len::<{}>()",
            render_pol(&Pol::Plain { ty, len: *len }),
            str_min_type(p)
        ),
    }
}

/// The type the tables define for the `min-len` of a string (`Pol::StrMin`), and its
/// definition: `<Set><Attr>MinLen`, implementing the layer's `StrMinLen`.
fn str_min_type(p: &Pol) -> String {
    match p {
        Pol::StrMin { set, attr, .. } => format!("{}{}MinLen", camel(set), camel(attr)),
        _ => unreachable!("only a string's min-len has a type"),
    }
}

fn render_str_min(o: &mut String, p: &Pol) {
    let Pol::StrMin { min, attr, .. } = p else {
        return;
    };
    let ty = str_min_type(p);
    let msg = if *min == 1 {
        format!("{attr} must not be empty")
    } else {
        format!("{attr} is shorter than {min} bytes")
    };
    w(
        o,
        &format!("/// `{attr}` check `min-len` ({min}): its policy rejects a shorter string with EINVAL."),
    );
    w(o, &format!("pub(crate) struct {ty};"));
    w(o, "");
    w(o, &format!("impl StrMinLen for {ty} {{"));
    w(o, &format!("    const MIN: usize = {min};"));
    w(
        o,
        &format!("    const MSG: &'static core::ffi::CStr = c\"{msg}\";"),
    );
    w(o, "}");
    w(o, "");
}

/// The policies as ynl-gen's C would define them, one line each, for a test to compare with
/// ynl-gen's output: `policy C_NAME LEN`, then ` ATTR-ID TYPE validation fields` per entry,
/// then `op CMD do|dump policy=C_NAME maxattr=N flags=... validate=... pre=.. post=..`.
pub fn policy_dump(spec: &Spec) -> Result<String> {
    check(spec)?;
    let p = policies(spec).map_err(|_| anyhow::anyhow!("refused"))?;
    let mut o = String::new();
    let c_name = |set: &str| -> String {
        p.nested
            .iter()
            .find(|t| t.set == set)
            .map(|t| t.c_name.clone())
            .unwrap_or_default()
    };
    let mut tables: Vec<&PolicyTable> = p
        .nested
        .iter()
        .chain(p.ops.iter().filter(|t| !t.c_name.is_empty()))
        .collect();
    tables.sort_by(|a, b| a.c_name.cmp(&b.c_name));
    let mut seen = Vec::new();
    for t in tables {
        if seen.contains(&t.c_name) {
            continue;
        }
        seen.push(t.c_name.clone());
        let _ = writeln!(o, "policy {} {}", t.c_name, t.len);
        let mut entries = t.entries.clone();
        entries.sort_by_key(|e| e.1);
        for (_, id, pol) in entries {
            let f = match pol {
                Pol::Plain { ty, len } => format!("{ty} none len={len}"),
                // A kernel's constant by its C name: its value is the compiler's.
                Pol::Bounds { ty, min, max, sym } => {
                    let v = match (min, max) {
                        (Some(_), Some(_)) => "range",
                        (Some(_), None) => "min",
                        _ => "max",
                    };
                    let b = |v: Option<i64>, i: usize| match sym[i] {
                        Some(k) => k.c_name.to_string(),
                        None => v.unwrap_or(0).to_string(),
                    };
                    format!("{ty} {v} min={} max={}", b(min, 0), b(max, 1))
                }
                Pol::FullRange { ty, min, max, sym } => {
                    let b = |v: i128, i: usize| match sym[i] {
                        Some(k) => k.c_name.to_string(),
                        None => v.to_string(),
                    };
                    format!("{ty} range_ptr min={} max={}", b(min, 0), b(max, 1))
                }
                Pol::Mask { ty, mask } => format!("{ty} mask mask={mask:#x}"),
                Pol::Bitfield32 { valid } => format!("NLA_BITFIELD32 none valid={valid:#x}"),
                Pol::Nested { set, array } => format!(
                    "{} none len={} nested={}",
                    if array {
                        "NLA_NESTED_ARRAY"
                    } else {
                        "NLA_NESTED"
                    },
                    spec.set(&set).map(|s| s.max_id()).unwrap_or(0),
                    c_name(&set)
                ),
                Pol::BinaryLen { min, max } => format!("NLA_BINARY genlkit min={min} len={max}"),
                // The check of `min-len` is a function the controller does not report: the
                // policy is ynl-gen's.
                Pol::StrMin { ty, len, .. } => format!("{ty} none len={len}"),
            };
            let _ = writeln!(o, " {id} {f}");
        }
    }
    let mut cmds: Vec<(u8, &Op)> = spec.cmds().filter(|(_, o)| !o.is_notification()).collect();
    cmds.sort_by_key(|(id, _)| *id);
    for (id, op) in cmds {
        for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
            let Some(m) = m else { continue };
            let t = &p.ops[p.of_op[&(op.name.clone(), mode)]];
            // A dump left unvalidated has no policy (the layer's `SplitOp::dont_validate`, as
            // the core's genl_cmd_full_to_split).
            let unvalidated = mode == "dump" && dont_validate(op, mode).contains(&"DUMP");
            let (pol, max) = if t.c_name.is_empty() || unvalidated {
                ("-".to_string(), 0)
            } else {
                (t.c_name.clone(), t.len - 1)
            };
            let mut flags = match op.perm() {
                Perm::Anyone => vec![],
                Perm::Admin => vec!["GENL_ADMIN_PERM"],
                Perm::NetnsAdmin => vec!["GENL_UNS_ADMIN_PERM"],
            };
            flags.push(if mode == "do" {
                "GENL_CMD_CAP_DO"
            } else {
                "GENL_CMD_CAP_DUMP"
            });
            let validate: Vec<String> = dont_validate(op, mode)
                .iter()
                .map(|v| format!("GENL_DONT_VALIDATE_{v}"))
                .collect();
            let _ = writeln!(
                o,
                "op {id} {mode} policy={pol} maxattr={max} flags={} validate={} pre={} post={}",
                flags.join("|"),
                if validate.is_empty() {
                    "-".into()
                } else {
                    validate.join("|")
                },
                m.pre.as_deref().map(snake).unwrap_or("-".into()),
                m.post.as_deref().map(snake).unwrap_or("-".into()),
            );
        }
    }
    Ok(o)
}

/// The Rust type the crate root defines for a spec's `sock-priv` C type, named as ynl-gen's C
/// names it (`struct netdev_nl_sock` → `NetdevNlSock`); `None` for what is no C type name.
pub fn sock_priv_type(c_type: &str) -> Option<String> {
    let name = c_type.trim();
    let name = name.strip_prefix("struct ").unwrap_or(name).trim();
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then(|| camel(name))
}

/// The spec's per-socket state type, when it has one (`kernel-family` `sock-priv`).
pub fn spec_sock_priv(spec: &Spec) -> Option<String> {
    spec.kernel_family
        .as_ref()
        .and_then(|k| k.sock_priv.as_deref())
        .and_then(sock_priv_type)
}

/// Renders `nl_gen.rs`; refuses, by [`check`], a spec that uses features it does not implement.
pub fn emit(spec: &Spec, spec_path: &str) -> Result<String> {
    check(spec)?;
    let p = policies(spec).map_err(|_| anyhow::anyhow!("refused"))?;
    let mut o = String::new();
    let ops_trait = format!("{}Ops", camel(&spec.name));
    w(&mut o, "// SPDX-License-Identifier: GPL-2.0");
    w(
        &mut o,
        &format!("// Generated from {spec_path} by genlkit-codegen; do not edit."),
    );
    w(&mut o, "");
    w(
        &mut o,
        &format!(
            "//! The `{}` family's numbers, policies, handler trait, split-ops table and family.",
            spec.name
        ),
    );
    w(&mut o, "");
    w(&mut o, "#![allow(dead_code)]");
    w(&mut o, "");
    w(&mut o, "@IMPORTS@");
    let sock_priv = spec_sock_priv(spec);
    match &sock_priv {
        Some(t) => w(&mut o, &format!("use crate::{{{t}, State}};")),
        None => w(&mut o, "use crate::State;"),
    }
    w(&mut o, "");
    w(&mut o, "/// The family name, NUL-terminated.");
    w(
        &mut o,
        &format!(
            "pub(crate) const FAMILY_NAME: &[u8] = b\"{}\\0\";",
            spec.name
        ),
    );
    w(&mut o, "/// The family version.");
    w(
        &mut o,
        &format!("pub(crate) const FAMILY_VERSION: u32 = {};", spec.version()),
    );
    w(&mut o, "");

    // Commands.
    w(&mut o, "/// Commands (`operations`).");
    w(&mut o, "pub(crate) mod cmd {");
    for (id, op) in spec.cmds() {
        doc(&mut o, "    ", op.doc.as_deref());
        w(
            &mut o,
            &format!("    pub(crate) const {}: u8 = {id};", konst(&op.name)),
        );
    }
    w(&mut o, "    /// The highest command.");
    w(
        &mut o,
        &format!("    pub(crate) const MAX: u8 = {};", spec.max_cmd()),
    );
    w(&mut o, "}");
    w(&mut o, "");

    // Constants.
    let consts: Vec<_> = spec
        .definitions
        .iter()
        .filter(|d| d.kind == "const")
        .collect();
    if !consts.is_empty() {
        w(&mut o, "/// Constants (`definitions` of type `const`).");
        w(&mut o, "pub(crate) mod consts {");
        for d in consts {
            doc(&mut o, "    ", d.doc.as_deref());
            if let Some(k) = kernel_const_of(d) {
                w(
                    &mut o,
                    &format!(
                        "    /// The kernel's `{}` (`{}`), which the spec's value stands in for.",
                        k.c_name, k.header
                    ),
                );
                w(
                    &mut o,
                    &format!(
                        "    pub(crate) const {}: u64 = {} as u64;",
                        konst(&d.name),
                        k.rust
                    ),
                );
                continue;
            }
            match d.value.as_ref().expect("validated") {
                IntOrName::Int(v) if *v < 0 => w(
                    &mut o,
                    &format!("    pub(crate) const {}: i64 = {v};", konst(&d.name)),
                ),
                IntOrName::Int(v) => w(
                    &mut o,
                    &format!("    pub(crate) const {}: u64 = {v};", konst(&d.name)),
                ),
                IntOrName::Name(s) => w(
                    &mut o,
                    &format!("    pub(crate) const {}: &str = {s:?};", konst(&d.name)),
                ),
            }
        }
        w(&mut o, "}");
        w(&mut o, "");
    }

    // Attribute sets, with their checks as constants for handlers.
    for set in &spec.attribute_sets {
        match &set.subset_of {
            Some(p) => w(
                &mut o,
                &format!("/// Attribute set `{}`, a subset of `{p}`.", set.name),
            ),
            None => w(&mut o, &format!("/// Attribute set `{}`.", set.name)),
        }
        w(&mut o, &format!("pub(crate) mod {} {{", ident(&set.name)));
        for (id, a) in set.attrs() {
            doc(&mut o, "    ", a.doc.as_deref());
            w(
                &mut o,
                &format!("    pub(crate) const {}: u16 = {id};", konst(&a.name)),
            );
        }
        w(&mut o, "    /// The highest attribute.");
        w(
            &mut o,
            &format!(
                "    pub(crate) const {}: u16 = {};",
                extra(set.attributes.iter().map(|a| a.name.as_str()), "MAX"),
                set.max_id()
            ),
        );
        for a in &set.attributes {
            let a = effective(spec, set, a);
            for (what, v) in [
                ("MIN_LEN", &a.checks.min_len),
                ("MAX_LEN", &a.checks.max_len),
            ] {
                if let Some(v) = v.as_ref().and_then(|v| limit(spec, v)) {
                    w(
                        &mut o,
                        &format!(
                            "    /// `{}` check `{}`.",
                            a.name,
                            what.to_lowercase().replace('_', "-")
                        ),
                    );
                    w(
                        &mut o,
                        &format!(
                            "    pub(crate) const {}_{what}: usize = {v};",
                            konst(&a.name)
                        ),
                    );
                }
            }
        }
        w(&mut o, "}");
        w(&mut o, "");
    }

    // Enums and flags.
    for d in spec
        .definitions
        .iter()
        .filter(|d| matches!(d.kind.as_str(), "enum" | "flags"))
    {
        w(
            &mut o,
            &format!(
                "/// {} `{}`.",
                if d.kind == "flags" { "Flags" } else { "Enum" },
                d.name
            ),
        );
        doc(&mut o, "", d.doc.as_deref());
        w(&mut o, &format!("pub(crate) mod {} {{", def_mod(spec, d)));
        let mut mask = 0u64;
        let values = d.user_values();
        let ty = if values.iter().any(|&v| v < 0) {
            "i64"
        } else if values.iter().all(|&v| v <= u32::MAX.into()) {
            "u32"
        } else {
            "u64"
        };
        for (e, v) in d.entries.iter().zip(&values) {
            mask |= *v as u64;
            doc(&mut o, "    ", e.doc());
            let v = if *v < 0 {
                v.to_string()
            } else {
                format!("{v:#x}")
            };
            w(
                &mut o,
                &format!("    pub(crate) const {}: {ty} = {v};", konst(e.name())),
            );
        }
        let names = d.entries.iter().map(|e| e.name());
        if d.kind == "flags" {
            w(&mut o, "    /// Every defined bit.");
            w(
                &mut o,
                &format!(
                    "    pub(crate) const {}: {ty} = {mask:#x};",
                    extra(names, "MASK")
                ),
            );
        } else {
            w(&mut o, "    /// The highest value.");
            w(
                &mut o,
                &format!(
                    "    pub(crate) const {}: {ty} = {};",
                    extra(names, "MAX"),
                    values.iter().max().copied().unwrap_or(0)
                ),
            );
        }
        w(&mut o, "}");
        w(&mut o, "");
    }

    crate::access::emit(&mut o, spec);

    // Multicast groups.
    w(&mut o, "/// Multicast groups, as indices into [`MCGRPS`].");
    w(&mut o, "pub(crate) mod group {");
    for (i, g) in spec.groups().enumerate() {
        w(
            &mut o,
            &format!("    pub(crate) const {}: u32 = {i};", konst(g)),
        );
    }
    w(&mut o, "}");
    w(&mut o, "");
    let groups: Vec<_> = spec.groups().collect();
    w(&mut o, "/// Multicast groups (`mcast-groups`).");
    w(
        &mut o,
        &format!(
            "pub(crate) static MCGRPS: [MulticastGroup; {}] = [",
            groups.len()
        ),
    );
    for g in &groups {
        w(&mut o, &format!("    MulticastGroup::const_new(c\"{g}\"),"));
    }
    w(&mut o, "];");
    w(&mut o, "");

    // The types of strings' `min-len`, once per attribute; then the policies: the nested
    // sets', then the ops' (or the global one).
    let mut str_mins: Vec<String> = Vec::new();
    for (_, _, pol) in p.nested.iter().chain(&p.ops).flat_map(|t| &t.entries) {
        if matches!(pol, Pol::StrMin { .. }) && !str_mins.contains(&str_min_type(pol)) {
            str_mins.push(str_min_type(pol));
            render_str_min(&mut o, pol);
        }
    }
    for t in p.nested.iter().chain(&p.ops) {
        render_table(&mut o, spec, t);
    }

    let hooks = op_hooks(spec);
    let ops_list: Vec<&Op> = spec
        .operations
        .list
        .iter()
        .filter(|o| o.has_handlers())
        .collect();

    // The handler trait.
    w(
        &mut o,
        &format!(
            "/// The `{}` family's operations, served by the state of the request's namespace:",
            spec.name
        ),
    );
    w(
        &mut o,
        "/// implement this on the type the crate root names `State`, which also implements",
    );
    w(&mut o, "/// [`PerNetState`].");
    if let Some(t) = spec_sock_priv(spec) {
        w(&mut o, "///");
        w(
            &mut o,
            &format!(
                "/// The sender's socket has a `{t}` (`sock-priv`), the crate root's `genl::SockPriv`:"
            ),
        );
        w(
            &mut o,
            "/// `req.sock_priv::<State>()` creates it on first use, the socket's close drops it.",
        );
    }
    w(
        &mut o,
        &format!("pub(crate) trait {ops_trait}: PerNetState {{"),
    );
    for (h, kind) in &hooks {
        let users: Vec<String> = spec
            .operations
            .list
            .iter()
            .flat_map(|op| {
                [("do", &op.r#do), ("dump", &op.dump)]
                    .into_iter()
                    .filter_map(move |(mode, m)| {
                        let m = m.as_ref()?;
                        (m.pre.as_ref() == Some(h) || m.post.as_ref() == Some(h))
                            .then(|| format!("`{}` {mode}", op.name))
                    })
            })
            .collect();
        if *kind == "pre" {
            w(
                &mut o,
                &format!(
                    "    /// Hook `{h}`: runs before the handler of {}; an error is the request's answer.",
                    users.join(", ")
                ),
            );
            w(
                &mut o,
                &format!("    fn {}(&self, req: &Request<'_>) -> Result;", ident(h)),
            );
        } else {
            w(
                &mut o,
                &format!(
                    "    /// Hook `{h}`: runs after the handler of {} (a dump's: when it ends), once its pre hook succeeded.",
                    users.join(", ")
                ),
            );
            w(
                &mut o,
                &format!("    fn {}(&self, req: &Request<'_>);", ident(h)),
            );
        }
    }
    for op in &ops_list {
        let f = snake(&op.name);
        let cfg = cfg(op);
        if op.r#do.is_some() {
            doc_op(&mut o, op, "do");
            if let Some(c) = &cfg {
                w(&mut o, &format!("    {c}"));
            }
            w(
                &mut o,
                &format!("    fn {f}_do(&self, req: &Request<'_>) -> Result;"),
            );
        }
        if op.dump.is_some() {
            let cur = format!("{}DumpCursor", camel(&op.name));
            w(
                &mut o,
                &format!("    /// Where a `{}` dump stands between rounds.", op.name),
            );
            if let Some(c) = &cfg {
                w(&mut o, &format!("    {c}"));
            }
            w(&mut o, &format!("    type {cur}: Send;"));
            w(
                &mut o,
                &format!(
                    "    /// `min_dump_alloc` of a `{}` dump: room for its largest entry.",
                    op.name
                ),
            );
            if let Some(c) = &cfg {
                w(&mut o, &format!("    {c}"));
            }
            w(
                &mut o,
                &format!("    const {}_DUMP_MIN_ALLOC: u32 = 0;", upper(&op.name)),
            );
            w(&mut o, &format!("    /// Starts a `{}` dump.", op.name));
            if let Some(c) = &cfg {
                w(&mut o, &format!("    {c}"));
            }
            w(
                &mut o,
                &format!("    fn {f}_dump_start(&self, req: &Request<'_>) -> Result<Self::{cur}>;"),
            );
            doc_op(&mut o, op, "dump");
            w(
                &mut o,
                "    /// Moves `cursor` past each entry kept; `EMSGSIZE` from `out` is passed on.",
            );
            if let Some(c) = &cfg {
                w(&mut o, &format!("    {c}"));
            }
            w(&mut o, &format!("    fn {f}_dump("));
            w(&mut o, "        &self,");
            w(&mut o, "        req: &Request<'_>,");
            w(&mut o, &format!("        cursor: &mut Self::{cur},"));
            w(&mut o, "        out: &mut DumpWriter<'_>,");
            w(&mut o, "    ) -> Result;");
        }
    }
    w(&mut o, "}");
    w(&mut o, "");

    // Per-op adapters from the trait to DoIt/DumpIt.
    let mut entries = Vec::new();
    let mut ops_sorted: Vec<(u8, &Op)> = spec
        .cmds()
        .filter(|(_, o)| ops_list.iter().any(|x| x.name == o.name))
        .collect();
    ops_sorted.sort_by_key(|(id, _)| *id);
    for (_, op) in ops_sorted {
        let f = snake(&op.name);
        let perm = match op.perm() {
            Perm::Anyone => "Perm::Anyone",
            Perm::Admin => "Perm::Admin",
            Perm::NetnsAdmin => "Perm::NetnsAdmin",
        };
        let cfg = cfg(op);
        let cfg_line = |o: &mut String| {
            if let Some(c) = &cfg {
                w(o, c);
            }
        };
        let dv = |mode: &str| {
            let v = dont_validate(op, mode);
            if v.is_empty() {
                String::new()
            } else {
                let mut s = format!("DontValidate::{}", v[0]);
                for x in &v[1..] {
                    s = format!("{s}.and(DontValidate::{x})");
                }
                format!(".dont_validate({s})")
            }
        };
        if let Some(m) = &op.r#do {
            let ty = format!("{}Do", camel(&op.name));
            let t = &p.ops[p.of_op[&(op.name.clone(), "do")]];
            w(&mut o, &format!("/// The `{}` do.", op.name));
            cfg_line(&mut o);
            w(&mut o, &format!("struct {ty};"));
            w(&mut o, "");
            cfg_line(&mut o);
            w(&mut o, &format!("impl DoIt for {ty} {{"));
            w(&mut o, "    type State = State;");
            w(
                &mut o,
                "    fn doit(state: &State, req: &Request<'_>) -> Result {",
            );
            match (&m.pre, &m.post) {
                (None, None) => w(&mut o, &format!("        state.{f}_do(req)")),
                (pre, post) => {
                    if let Some(pre) = pre {
                        w(&mut o, &format!("        state.{}(req)?;", ident(pre)));
                    }
                    match post {
                        Some(post) => {
                            w(&mut o, &format!("        let ret = state.{f}_do(req);"));
                            w(&mut o, &format!("        state.{}(req);", ident(post)));
                            w(&mut o, "        ret");
                        }
                        None => w(&mut o, &format!("        state.{f}_do(req)")),
                    }
                }
            }
            w(&mut o, "    }");
            w(&mut o, "}");
            w(&mut o, "");
            entries.push((
                cfg.clone(),
                format!(
                    "SplitOp::doit::<{ty}, {}>(cmd::{}, &{}, {perm}){}",
                    t.len,
                    konst(&op.name),
                    t.name,
                    dv("do")
                ),
            ));
        }
        if let Some(m) = &op.dump {
            let ty = format!("{}Dump", camel(&op.name));
            let cur = format!("{}DumpCursor", camel(&op.name));
            let t = &p.ops[p.of_op[&(op.name.clone(), "dump")]];
            w(&mut o, &format!("/// The `{}` dump.", op.name));
            cfg_line(&mut o);
            w(&mut o, &format!("struct {ty};"));
            w(&mut o, "");
            cfg_line(&mut o);
            w(&mut o, &format!("impl DumpIt for {ty} {{"));
            w(&mut o, "    type State = State;");
            w(
                &mut o,
                &format!("    type Cursor = <State as {ops_trait}>::{cur};"),
            );
            w(
                &mut o,
                &format!(
                    "    const MIN_DUMP_ALLOC: u32 = State::{}_DUMP_MIN_ALLOC;",
                    upper(&op.name)
                ),
            );
            w(
                &mut o,
                "    fn start(state: &State, req: &Request<'_>) -> Result<Self::Cursor> {",
            );
            match (&m.pre, &m.post) {
                (Some(pre), Some(post)) => {
                    w(&mut o, &format!("        state.{}(req)?;", ident(pre)));
                    w(
                        &mut o,
                        &format!(
                            "        state.{f}_dump_start(req).inspect_err(|_| state.{}(req))",
                            ident(post)
                        ),
                    );
                }
                (Some(pre), None) => {
                    w(&mut o, &format!("        state.{}(req)?;", ident(pre)));
                    w(&mut o, &format!("        state.{f}_dump_start(req)"));
                }
                _ => w(&mut o, &format!("        state.{f}_dump_start(req)")),
            }
            w(&mut o, "    }");
            w(&mut o, "    fn dumpit(");
            w(&mut o, "        state: &State,");
            w(&mut o, "        req: &Request<'_>,");
            w(&mut o, "        cursor: &mut Self::Cursor,");
            w(&mut o, "        out: &mut DumpWriter<'_>,");
            w(&mut o, "    ) -> Result {");
            w(&mut o, &format!("        state.{f}_dump(req, cursor, out)"));
            w(&mut o, "    }");
            if let Some(post) = &m.post {
                w(&mut o, "    fn done(state: &State, req: &Request<'_>) {");
                w(&mut o, &format!("        state.{}(req)", ident(post)));
                w(&mut o, "    }");
            }
            w(&mut o, "}");
            w(&mut o, "");
            entries.push((
                cfg.clone(),
                format!(
                    "SplitOp::dumpit::<{ty}, {}>(cmd::{}, &{}, {perm}){}",
                    t.len,
                    konst(&op.name),
                    t.name,
                    dv("dump")
                ),
            ));
        }
    }
    w(
        &mut o,
        "/// The split-ops table (`genl_split_ops`), sorted by command, do before dump.",
    );
    let any_cfg = entries.iter().any(|(c, _)| c.is_some());
    if any_cfg {
        // Entries under `#[cfg]`: a slice, whose length follows them.
        w(&mut o, "pub(crate) static OPS: &[SplitOp<State>] = &[");
    } else {
        w(
            &mut o,
            &format!(
                "pub(crate) static OPS: [SplitOp<State>; {}] = [",
                entries.len()
            ),
        );
    }
    for (c, e) in &entries {
        if let Some(c) = c {
            w(&mut o, &format!("    {c}"));
        }
        w(&mut o, &format!("    {e},"));
    }
    w(&mut o, "];");
    w(&mut o, "");
    w(
        &mut o,
        &format!(
            "/// The `{}` family (`genl_family`): registered, with every namespace's [`State`], by",
            spec.name
        ),
    );
    w(&mut o, "/// the module, `genl::FamilyModule<State>`.");
    if let Some(t) = &sock_priv {
        w(
            &mut o,
            &format!("/// Each socket using it has a [`{t}`] (`sock-priv`)."),
        );
    }
    w(
        &mut o,
        &format!(
            "pub(crate) static FAMILY: Family<State> = Family::{}(",
            if sock_priv.is_some() {
                "const_new_sock_priv"
            } else {
                "const_new"
            }
        ),
    );
    w(
        &mut o,
        "    kernel::module::this_module::<crate::LocalModule>(),",
    );
    w(&mut o, "    FAMILY_NAME,");
    w(&mut o, "    FAMILY_VERSION,");
    w(&mut o, if any_cfg { "    OPS," } else { "    &OPS," });
    w(&mut o, "    &MCGRPS,");
    w(&mut o, ");");
    w(&mut o, "");
    w(&mut o, "impl FamilyState for State {");
    w(&mut o, "    const FAMILY: &'static Family<Self> = &FAMILY;");
    w(&mut o, "}");
    if let Some(t) = &sock_priv {
        w(&mut o, "");
        w(&mut o, "impl SockPrivFamily for State {");
        w(&mut o, &format!("    type SockPriv = {t};"));
        w(&mut o, "}");
    }
    // Import what the body uses, so that the file compiles warning-free for any spec.
    let mut names = vec![
        "Family",
        "FamilyState",
        "MulticastGroup",
        "PerNetState",
        "SplitOp",
    ];
    for (name, used) in [
        ("AttrPolicy", "AttrPolicy::"),
        ("KernelBound", "KernelBound::"),
        ("StrMinLen", "impl StrMinLen"),
        ("DontValidate", "DontValidate::"),
        ("Perm", "Perm::"),
        ("Policy", ": Policy<"),
        ("Request", "Request<"),
    ] {
        if o.contains(used) && !names.contains(&name) {
            names.push(name);
        }
    }
    if o.contains("SockPrivFamily for") {
        names.push("SockPrivFamily");
    }
    if o.contains("DoIt for") {
        names.push("DoIt");
    }
    if o.contains("DumpIt for") {
        names.extend(["DumpIt", "DumpWriter"]);
    }
    names.sort_unstable();
    let one_line = format!("use crate::genl::{{{}}};", names.join(", "));
    let imports = if one_line.len() <= 100 {
        one_line
    } else {
        // As rustfmt would wrap it.
        let mut lines = vec!["use crate::genl::{".to_string()];
        let mut cur = String::from("   ");
        for n in names {
            if cur.len() + n.len() + 2 > 100 {
                lines.push(cur);
                cur = String::from("   ");
            }
            cur.push_str(&format!(" {n},"));
        }
        lines.push(cur);
        lines.push("};".into());
        lines.join("\n")
    };
    // The layer by its name too, for the readers' and writers' items: a set's types (a set
    // `attr` has an `AttrWriter`) cannot clash with it.
    let imports = if o.contains("genl::") {
        format!("use crate::genl;\n{imports}")
    } else {
        imports
    };
    // The prelude for `Result` (a family without ops uses none of it).
    let imports = if o.contains("Result") {
        format!("use kernel::prelude::*;\n\n{imports}")
    } else {
        imports
    };
    Ok(o.replace("@IMPORTS@", &imports))
}

pub(crate) fn w(o: &mut String, line: &str) {
    o.push_str(line);
    o.push('\n');
}

pub(crate) fn doc(o: &mut String, indent: &str, doc: Option<&str>) {
    if let Some(d) = doc {
        for l in d.trim().lines() {
            let _ = writeln!(o, "{indent}/// {}", l.trim_end());
        }
    }
}

fn doc_op(o: &mut String, op: &Op, mode: &str) {
    w(o, &format!("    /// `{}` {mode}.", op.name));
    if let Some(d) = &op.doc {
        w(o, "    ///");
        doc(o, "    ", Some(d));
    }
}

fn policy_name(op: &Op, mode: &str) -> String {
    format!("{}_{}_POLICY", upper(&op.name), mode.to_uppercase())
}

fn render_table(o: &mut String, spec: &Spec, t: &PolicyTable) {
    w(o, &format!("/// {}.", t.what));
    if t.entries.is_empty() && t.len == 1 {
        w(
            o,
            &format!(
                "pub(crate) static {}: Policy<1> = Policy::new(&[]);",
                t.name
            ),
        );
        w(o, "");
        return;
    }
    let set = spec.set(&t.set).expect("validated");
    w(
        o,
        &format!(
            "pub(crate) static {}: Policy<{}> = Policy::new(&[",
            t.name, t.len
        ),
    );
    for (a, _, pol) in &t.entries {
        w(
            o,
            &format!(
                "    ({}::{}, {}),",
                ident(&set.name),
                konst(a),
                render_pol(pol)
            ),
        );
    }
    w(o, "]);");
    w(o, "");
}
