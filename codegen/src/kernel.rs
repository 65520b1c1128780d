// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The kernel side: `kmod/<family>/nl_gen.rs`, for the genl layer.

use std::fmt::Write;

use anyhow::{bail, Result};

use crate::model::{camel, snake, upper, Attr, AttrSet, IntOrName, Op, Perm, Spec};

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
    let no = |feature: &str| format!("{feature} is not implemented for the kernel tables");

    if let Some(p) = &spec.kernel_policy {
        if p != "split" {
            refuse(&["kernel-policy"], no(&format!("kernel-policy `{p}`")));
        }
    }
    if let Some(k) = &spec.kernel_family {
        if !k.headers.is_empty() {
            refuse(&["kernel-family", "headers"], no("kernel-family headers"));
        }
        if k.sock_priv.is_some() {
            refuse(
                &["kernel-family", "sock-priv"],
                no("kernel-family sock-priv"),
            );
        }
    }
    for d in &spec.definitions {
        let at = ["definitions", &format!("={}", d.name)];
        match d.kind.as_str() {
            "enum" | "flags" => {
                if d.value_start.is_some() {
                    refuse(&[&at[..], &["value-start"]].concat(), no("value-start"));
                }
                for e in &d.entries {
                    if e.value().is_some() {
                        let e = format!("={}", e.name());
                        refuse(
                            &[&at[..], &["entries", &e, "value"]].concat(),
                            no("an entry's explicit value"),
                        );
                    }
                }
            }
            other => refuse(&at, no(&format!("a definition of type `{other}`"))),
        }
    }
    for set in &spec.attribute_sets {
        let at = ["attribute-sets", &format!("={}", set.name)];
        if set.subset_of.is_some() {
            refuse(&[&at[..], &["subset-of"]].concat(), no("subset-of"));
            continue;
        }
        for (i, a) in set.attributes.iter().enumerate() {
            let name = format!("={}", a.name);
            let at = [&at[..], &["attributes", &name]].concat();
            let key = |k: &'static str| [&at[..], &[k]].concat();
            if usize::from(a.id) != i + 1 {
                refuse(
                    &key("value"),
                    format!(
                        "value {}: attributes are numbered from 1, one after the other",
                        a.id
                    ),
                );
            }
            match a.kind.as_str() {
                "u8" | "u16" | "u32" | "u64" | "string" | "binary" | "flag" | "pad" | "nest" => {}
                other => refuse(&key("type"), no(&format!("type `{other}`"))),
            }
            if a.multi_attr == Some(true) {
                refuse(&key("multi-attr"), no("multi-attr"));
            }
            for (k, present) in [
                ("type-value", !a.type_value.is_empty()),
                ("byte-order", a.byte_order.is_some()),
                ("sub-type", a.sub_type.is_some()),
                ("struct", a.r#struct.is_some()),
            ] {
                if present {
                    refuse(&key(k), no(k));
                }
            }
            if let Some(e) = &a.r#enum {
                let def = spec.definition(e)?;
                if a.enum_as_flags != (def.kind == "flags") {
                    let what = if a.enum_as_flags {
                        "`enum-as-flags` on an enum definition"
                    } else {
                        "a flags definition without `enum-as-flags`"
                    };
                    refuse(&key("enum"), no(what));
                }
                if a.kind != "u32" {
                    refuse(
                        &key("enum"),
                        format!("an enum attribute must be u32, not {}", a.kind),
                    );
                }
            }
            let c = &a.checks;
            let ints = matches!(a.kind.as_str(), "u8" | "u16" | "u32" | "u64");
            let checks = [&at[..], &["checks"]].concat();
            let check = |k: &'static str| [&checks[..], &[k]].concat();
            for (k, v) in [
                ("min", &c.min),
                ("max", &c.max),
                ("min-len", &c.min_len),
                ("max-len", &c.max_len),
            ] {
                if let Some(IntOrName::Name(n)) = v {
                    refuse(&check(k), no(&format!("a check by name (`{n}`)")));
                }
            }
            if (c.min.is_some() || c.max.is_some()) && !ints {
                refuse(
                    &checks,
                    format!(
                        "checks min/max on a {}: {}",
                        a.kind,
                        no("a range on other than u8..u64")
                    ),
                );
            }
            if (c.min_len.is_some() || c.max_len.is_some())
                && !matches!(a.kind.as_str(), "string" | "binary")
            {
                refuse(
                    &checks,
                    format!(
                        "checks min-len/max-len on a {}: they apply to string and binary only",
                        a.kind
                    ),
                );
            }
            if c.max_len
                .as_ref()
                .and_then(IntOrName::int)
                .is_some_and(|m| m > 65531)
            {
                refuse(
                    &check("max-len"),
                    "max-len over 65531 cannot be carried by a netlink attribute".into(),
                );
            }
            for (k, present) in [
                ("flags-mask", c.flags_mask.is_some()),
                ("exact-len", c.exact_len.is_some()),
                ("unterminated-ok", c.unterminated_ok.is_some()),
            ] {
                if present {
                    refuse(&check(k), no(&format!("check {k}")));
                }
            }
        }
    }
    let ops = &spec.operations;
    if spec.directional() {
        refuse(&["operations", "enum-model"], no("enum-model directional"));
    }
    for (k, present) in [
        ("async-prefix", ops.async_prefix.is_some()),
        ("async-enum", ops.async_enum.is_some()),
        ("fixed-header", ops.fixed_header.is_some()),
    ] {
        if present {
            refuse(&["operations", k], no(k));
        }
    }
    for (i, op) in ops.list.iter().enumerate() {
        let name = format!("={}", op.name);
        let at = ["operations", "list", &name];
        let key = |k: &'static str| [&at[..], &[k]].concat();
        if op.req_value != Some(i as u8 + 1) && !spec.directional() {
            refuse(
                &key("value"),
                format!(
                    "value {}: commands are numbered from 1, one after the other",
                    op.req_value.unwrap_or(0)
                ),
            );
        }
        for (k, present) in [
            ("dont-validate", !op.dont_validate.is_empty()),
            ("config-cond", op.config_cond.is_some()),
            ("fixed-header", op.fixed_header.is_some()),
        ] {
            if present {
                refuse(&key(k), no(k));
            }
        }
        if op.is_notification() {
            if op.r#do.is_some() || op.dump.is_some() {
                refuse(&at, "a notification with do or dump".into());
            }
            if op.mcgrp.is_none() {
                refuse(&at, "a notification without mcgrp".into());
            }
            continue;
        }
        if op.r#do.is_none() && op.dump.is_none() {
            refuse(
                &at,
                no("an operation with neither do nor dump (a reserved ID)"),
            );
        }
        for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
            let Some(m) = m else { continue };
            for (k, present) in [("pre", m.pre.is_some()), ("post", m.post.is_some())] {
                if present {
                    refuse(&[&at[..], &[mode, k]].concat(), no(&format!("a {k} hook")));
                }
            }
        }
    }
    for g in spec.mcast_groups.iter().flat_map(|g| &g.list) {
        if !g.flags.is_empty() {
            let name = format!("={}", g.name);
            refuse(
                &["mcast-groups", "list", &name, "flags"],
                no("multicast group flags"),
            );
        }
    }
    match refused.len() {
        0 => Ok(()),
        1 => bail!("{}", refused[0]),
        n => bail!("{} (and {} more)", refused[0], n - 1),
    }
}

/// Renders `nl_gen.rs`; refuses, by [`check`], a spec that uses features it does not implement.
pub fn emit(spec: &Spec, spec_path: &str) -> Result<String> {
    check(spec)?;
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
    w(&mut o, "use kernel::prelude::*;");
    w(&mut o, "");
    w(&mut o, "@IMPORTS@");
    w(&mut o, "use crate::State;");
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
            &format!("    pub(crate) const {}: u8 = {id};", upper(&op.name)),
        );
    }
    w(&mut o, "    /// The highest command.");
    w(
        &mut o,
        &format!("    pub(crate) const MAX: u8 = {};", spec.max_cmd()),
    );
    w(&mut o, "}");
    w(&mut o, "");

    // Attribute sets, with their checks as constants for handlers.
    for set in &spec.attribute_sets {
        w(&mut o, &format!("/// Attribute set `{}`.", set.name));
        w(&mut o, &format!("pub(crate) mod {} {{", snake(&set.name)));
        for (id, a) in set.attrs() {
            doc(&mut o, "    ", a.doc.as_deref());
            w(
                &mut o,
                &format!("    pub(crate) const {}: u16 = {id};", upper(&a.name)),
            );
        }
        w(&mut o, "    /// The highest attribute.");
        w(
            &mut o,
            &format!("    pub(crate) const MAX: u16 = {};", set.max_id()),
        );
        for a in &set.attributes {
            for (what, v) in [
                ("MIN_LEN", &a.checks.min_len),
                ("MAX_LEN", &a.checks.max_len),
            ] {
                if let Some(v) = v.as_ref().and_then(IntOrName::int) {
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
                            upper(&a.name)
                        ),
                    );
                }
            }
        }
        w(&mut o, "}");
        w(&mut o, "");
    }

    // Definitions.
    for d in &spec.definitions {
        w(
            &mut o,
            &format!(
                "/// {} `{}`.",
                if d.kind == "flags" { "Flags" } else { "Enum" },
                d.name
            ),
        );
        doc(&mut o, "", d.doc.as_deref());
        w(&mut o, &format!("pub(crate) mod {} {{", snake(&d.name)));
        let mut mask = 0u64;
        for (i, e) in d.entries.iter().enumerate() {
            let v = d.entry_value(i);
            mask |= v;
            doc(&mut o, "    ", e.doc());
            w(
                &mut o,
                &format!("    pub(crate) const {}: u32 = {v:#x};", upper(e.name())),
            );
        }
        if d.kind == "flags" {
            w(&mut o, "    /// Every defined bit.");
            w(
                &mut o,
                &format!("    pub(crate) const MASK: u32 = {mask:#x};"),
            );
        } else {
            w(&mut o, "    /// The highest value.");
            w(
                &mut o,
                &format!(
                    "    pub(crate) const MAX: u32 = {};",
                    d.entries.len().saturating_sub(1)
                ),
            );
        }
        w(&mut o, "}");
        w(&mut o, "");
    }

    // Multicast groups.
    w(&mut o, "/// Multicast groups, as indices into [`MCGRPS`].");
    w(&mut o, "pub(crate) mod group {");
    for (i, g) in spec.groups().enumerate() {
        w(
            &mut o,
            &format!("    pub(crate) const {}: u32 = {i};", upper(g)),
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

    // Nest policies used by requests.
    let mut nest_policies = Vec::new();
    for op in spec.operations.list.iter().filter(|o| !o.is_notification()) {
        let set = spec.set(op.attribute_set.as_deref().unwrap()).unwrap();
        for m in [&op.r#do, &op.dump].into_iter().flatten() {
            for name in m.request.iter().flat_map(|r| r.attributes.iter()) {
                let a = set.attributes.iter().find(|a| &a.name == name).unwrap();
                if let Some(n) = &a.nested_attributes {
                    if !nest_policies.contains(n) {
                        nest_policies.push(n.clone());
                    }
                }
            }
        }
    }
    for n in &nest_policies {
        let set = spec.set(n).unwrap();
        let names: Vec<_> = set
            .attributes
            .iter()
            .filter(|a| a.kind != "pad")
            .map(|a| a.name.clone())
            .collect();
        policy(
            &mut o,
            set,
            &format!("{}_NEST_POLICY", upper(n)),
            &format!("Nest `{n}`"),
            &names,
        );
    }

    // Per-op request policies.
    for op in spec.operations.list.iter().filter(|o| !o.is_notification()) {
        let set = spec.set(op.attribute_set.as_deref().unwrap()).unwrap();
        for (mode, m) in [("do", &op.r#do), ("dump", &op.dump)] {
            let Some(m) = m else { continue };
            let names = m
                .request
                .as_ref()
                .map(|r| r.attributes.clone())
                .unwrap_or_default();
            let what = format!("`{}` {mode} request: `[{}]`", op.name, names.join(", "));
            policy(&mut o, set, &policy_name(op, mode), &what, &names);
        }
    }

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
    w(
        &mut o,
        &format!("pub(crate) trait {ops_trait}: PerNetState {{"),
    );
    for op in spec.operations.list.iter().filter(|o| !o.is_notification()) {
        let f = snake(&op.name);
        if op.r#do.is_some() {
            doc_op(&mut o, op, "do");
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
            w(&mut o, &format!("    type {cur}: Send;"));
            w(
                &mut o,
                &format!(
                    "    /// `min_dump_alloc` of a `{}` dump: room for its largest entry.",
                    op.name
                ),
            );
            w(
                &mut o,
                &format!("    const {}_DUMP_MIN_ALLOC: u32 = 0;", upper(&op.name)),
            );
            w(&mut o, &format!("    /// Starts a `{}` dump.", op.name));
            w(
                &mut o,
                &format!("    fn {f}_dump_start(&self, req: &Request<'_>) -> Result<Self::{cur}>;"),
            );
            doc_op(&mut o, op, "dump");
            w(
                &mut o,
                "    /// Moves `cursor` past each entry kept; `EMSGSIZE` from `out` is passed on.",
            );
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
    for (_, op) in spec.cmds().filter(|(_, o)| !o.is_notification()) {
        let f = snake(&op.name);
        let perm = match op.perm() {
            Perm::Anyone => "Perm::Anyone",
            Perm::Admin => "Perm::Admin",
            Perm::NetnsAdmin => "Perm::NetnsAdmin",
        };
        let set = spec.set(op.attribute_set.as_deref().unwrap()).unwrap();
        if let Some(op_do) = &op.r#do {
            let ty = format!("{}Do", camel(&op.name));
            w(&mut o, &format!("/// The `{}` do.", op.name));
            w(&mut o, &format!("struct {ty};"));
            w(&mut o, "");
            w(&mut o, &format!("impl DoIt for {ty} {{"));
            w(&mut o, "    type State = State;");
            w(
                &mut o,
                "    fn doit(state: &State, req: &Request<'_>) -> Result {",
            );
            w(&mut o, &format!("        state.{f}_do(req)"));
            w(&mut o, "    }");
            w(&mut o, "}");
            w(&mut o, "");
            let n = policy_len(set, op_do.request.as_ref());
            entries.push(format!(
                "SplitOp::doit::<{ty}, {n}>(cmd::{}, &{}, {perm})",
                upper(&op.name),
                policy_name(op, "do")
            ));
        }
        if let Some(op_dump) = &op.dump {
            let ty = format!("{}Dump", camel(&op.name));
            let cur = format!("{}DumpCursor", camel(&op.name));
            w(&mut o, &format!("/// The `{}` dump.", op.name));
            w(&mut o, &format!("struct {ty};"));
            w(&mut o, "");
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
            w(&mut o, &format!("        state.{f}_dump_start(req)"));
            w(&mut o, "    }");
            w(&mut o, "    fn dumpit(");
            w(&mut o, "        state: &State,");
            w(&mut o, "        req: &Request<'_>,");
            w(&mut o, "        cursor: &mut Self::Cursor,");
            w(&mut o, "        out: &mut DumpWriter<'_>,");
            w(&mut o, "    ) -> Result {");
            w(&mut o, &format!("        state.{f}_dump(req, cursor, out)"));
            w(&mut o, "    }");
            w(&mut o, "}");
            w(&mut o, "");
            let n = policy_len(set, op_dump.request.as_ref());
            entries.push(format!(
                "SplitOp::dumpit::<{ty}, {n}>(cmd::{}, &{}, {perm})",
                upper(&op.name),
                policy_name(op, "dump")
            ));
        }
    }
    w(
        &mut o,
        "/// The split-ops table (`genl_split_ops`), sorted by command, do before dump.",
    );
    w(
        &mut o,
        &format!(
            "pub(crate) static OPS: [SplitOp<State>; {}] = [",
            entries.len()
        ),
    );
    for e in &entries {
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
    w(
        &mut o,
        "pub(crate) static FAMILY: Family<State> = Family::const_new(",
    );
    w(
        &mut o,
        "    kernel::module::this_module::<crate::LocalModule>(),",
    );
    w(&mut o, "    FAMILY_NAME,");
    w(&mut o, "    FAMILY_VERSION,");
    w(&mut o, "    &OPS,");
    w(&mut o, "    &MCGRPS,");
    w(&mut o, ");");
    w(&mut o, "");
    w(&mut o, "impl FamilyState for State {");
    w(&mut o, "    const FAMILY: &'static Family<Self> = &FAMILY;");
    w(&mut o, "}");
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
        ("Perm", "Perm::"),
        ("Policy", ": Policy<"),
        ("Request", "Request<"),
    ] {
        if o.contains(used) {
            names.push(name);
        }
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
    Ok(o.replace("@IMPORTS@", &imports))
}

fn w(o: &mut String, line: &str) {
    o.push_str(line);
    o.push('\n');
}

fn doc(o: &mut String, indent: &str, doc: Option<&str>) {
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

/// `N` of `Policy<N>`: the highest requested attribute plus one.
fn policy_len(set: &AttrSet, req: Option<&crate::model::Msg>) -> u16 {
    req.map(|r| r.attributes.iter().map(|a| set.id(a)).max().unwrap_or(0))
        .unwrap_or(0)
        + 1
}

fn attr_policy(a: &Attr) -> String {
    // Checked (`check`): the bounds are numbers.
    let num = |v: &Option<IntOrName>| v.as_ref().and_then(IntOrName::int).map(|v| v as u64);
    let c = &a.checks;
    let (min, max, min_len, max_len) = (num(&c.min), num(&c.max), num(&c.min_len), num(&c.max_len));
    // Ranges exist for integers only: the layer has a typed constructor for each width.
    let int = |ty: &str| {
        if min.is_none() && max.is_none() {
            return format!("AttrPolicy::{ty}()");
        }
        let type_max = match ty {
            "u8" => u8::MAX as u64,
            "u16" => u16::MAX as u64,
            "u32" => u32::MAX as u64,
            _ => u64::MAX,
        };
        format!(
            "AttrPolicy::{ty}_range::<{}, {}>()",
            min.unwrap_or(0),
            max.unwrap_or(type_max)
        )
    };
    match a.kind.as_str() {
        "u32" if a.r#enum.is_some() => {
            let def = snake(a.r#enum.as_deref().unwrap());
            if a.enum_as_flags {
                format!("AttrPolicy::u32_mask({def}::MASK)")
            } else {
                format!("AttrPolicy::u32_range::<0, {{ {def}::MAX }}>()")
            }
        }
        "u8" | "u16" | "u32" | "u64" => int(&a.kind),
        // The core has no minimum for strings (nor has ynl-gen): `MIN_LEN` is for handlers.
        "string" => format!("AttrPolicy::nul_string({})", max_len.unwrap_or(0)),
        "binary" => format!(
            "AttrPolicy::binary({}, {})",
            min_len.unwrap_or(0),
            max_len.unwrap_or(0)
        ),
        "flag" => "AttrPolicy::flag()".into(),
        "nest" => {
            format!(
                "AttrPolicy::nested(&{}_NEST_POLICY)",
                upper(a.nested_attributes.as_deref().unwrap())
            )
        }
        other => unreachable!("validated: {other}"),
    }
}

fn policy(o: &mut String, set: &AttrSet, name: &str, what: &str, attrs: &[String]) {
    let n = attrs.iter().map(|a| set.id(a)).max().unwrap_or(0) + 1;
    w(o, &format!("/// {what}."));
    if attrs.is_empty() {
        w(
            o,
            &format!("pub(crate) static {name}: Policy<1> = Policy::new(&[]);"),
        );
        w(o, "");
        return;
    }
    w(
        o,
        &format!("pub(crate) static {name}: Policy<{n}> = Policy::new(&["),
    );
    for a in attrs {
        let attr = set.attributes.iter().find(|x| &x.name == a).unwrap();
        w(
            o,
            &format!(
                "    ({}::{}, {}),",
                snake(&set.name),
                upper(a),
                attr_policy(attr)
            ),
        );
    }
    w(o, "]);");
    w(o, "");
}
