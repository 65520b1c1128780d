// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The kernel side: `kmod/<family>/nl_gen.rs`, for the genl layer.

use std::fmt::Write;

use crate::model::{camel, snake, upper, Attr, AttrSet, Op, Perm, Spec};

pub fn emit(spec: &Spec, spec_path: &str) -> String {
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
    w(&mut o, "pub(crate) const FAMILY_VERSION: u32 = 1;");
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
        &format!(
            "    pub(crate) const MAX: u8 = {};",
            spec.operations.list.len()
        ),
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
            &format!("    pub(crate) const MAX: u16 = {};", set.attributes.len()),
        );
        for a in &set.attributes {
            for (what, v) in [("MIN_LEN", a.checks.min_len), ("MAX_LEN", a.checks.max_len)] {
                if let Some(v) = v {
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
            let v = Spec::entry_value(d, i);
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
        "AttrPolicy",
        "Family",
        "FamilyState",
        "MulticastGroup",
        "PerNetState",
        "Perm",
        "Policy",
        "Request",
        "SplitOp",
    ];
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
    o.replace("@IMPORTS@", &imports)
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
    let c = &a.checks;
    // Ranges exist for integers only: the layer has a typed constructor for each width.
    let int = |ty: &str| {
        if c.min.is_none() && c.max.is_none() {
            return format!("AttrPolicy::{ty}()");
        }
        let max = match ty {
            "u8" => u8::MAX as u64,
            "u16" => u16::MAX as u64,
            "u32" => u32::MAX as u64,
            _ => u64::MAX,
        };
        format!(
            "AttrPolicy::{ty}_range::<{}, {}>()",
            c.min.unwrap_or(0),
            c.max.unwrap_or(max)
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
        "string" => format!("AttrPolicy::nul_string({})", c.max_len.unwrap_or(0)),
        "binary" => format!(
            "AttrPolicy::binary({}, {})",
            c.min_len.unwrap_or(0),
            c.max_len.unwrap_or(0)
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
