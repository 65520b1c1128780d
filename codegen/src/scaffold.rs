// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A family's module to start from (`--scaffold`): its crate root, whose every operation
//! answers `EOPNOTSUPP` with an extack message, and its `Kbuild`, so that the family builds
//! and loads at once, before any handler is written.

use std::fmt::Write;

use crate::kernel::op_hooks;
use crate::model::{camel, snake, Op, Spec};

/// The module's name: the family's, as an identifier (`dev-energymodel` → `dev_energymodel`).
pub fn module_name(spec: &Spec) -> String {
    snake(&spec.name)
}

/// `Kbuild` of the module.
pub fn kbuild(spec: &Spec) -> String {
    format!(
        "# SPDX-License-Identifier: GPL-2.0\n# {0}.rs is the crate root; genl/ (the safe layer) is \
         found from it by rustc.\nobj-m := {0}.o\n",
        module_name(spec)
    )
}

/// The crate root: `module!`, a `State` with nothing in it, and the ops trait implemented with
/// `EOPNOTSUPP` everywhere (hooks pass). `genl` is `layer` relative to the module's directory.
pub fn crate_root(spec: &Spec, spec_path: &str, layer: &str) -> String {
    let name = &spec.name;
    let module = module_name(spec);
    let ops_trait = format!("{}Ops", camel(name));
    let mut o = String::new();
    let _ = writeln!(o, "// SPDX-License-Identifier: GPL-2.0");
    let _ = writeln!(
        o,
        "// Generated from {spec_path} by genlkit-codegen --scaffold: the start of the family's"
    );
    let _ = writeln!(o, "// module, yours to edit (it is not regenerated).");
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "//! The `{name}` family: every operation answers `EOPNOTSUPP` until it is written."
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "#![deny(unsafe_code)] // family code is safe Rust: `unsafe` only in the genl layer"
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "#[path = \"{layer}/mod.rs\"]");
    let _ = writeln!(
        o,
        "#[allow(unsafe_code)] // the layer is where all of the module's `unsafe` lives"
    );
    let _ = writeln!(o, "mod genl;");
    let _ = writeln!(
        o,
        "// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted."
    );
    let _ = writeln!(o, "#[rustfmt::skip]");
    let _ = writeln!(o, "mod nl_gen;");
    let _ = writeln!(o);
    let dumps = spec
        .operations
        .list
        .iter()
        .any(|op| !op.is_notification() && op.dump.is_some());
    let any_op = spec.operations.list.iter().any(Op::has_handlers);
    let sock_priv = crate::kernel::spec_sock_priv(spec);
    let mut uses = vec!["Net", "PerNetState"];
    if any_op {
        uses.push("Request");
    }
    if sock_priv.is_some() {
        uses.push("SockPriv");
    }
    if dumps {
        uses.insert(0, "DumpWriter");
    }
    let _ = writeln!(o, "use genl::{{{}}};", uses.join(", "));
    let _ = writeln!(o, "use kernel::prelude::*;");
    let _ = writeln!(o, "use nl_gen::{ops_trait};");
    let _ = writeln!(o);
    let _ = writeln!(o, "module! {{");
    let _ = writeln!(o, "    type: genl::FamilyModule<State>,");
    let _ = writeln!(o, "    name: \"{module}\",");
    let _ = writeln!(o, "    authors: [\"genlkit-codegen\"],");
    let _ = writeln!(
        o,
        "    description: \"The {name} Generic Netlink family (scaffold: EOPNOTSUPP)\","
    );
    let _ = writeln!(o, "    license: \"GPL\",");
    let _ = writeln!(o, "}}");
    let _ = writeln!(o);
    let _ = writeln!(o, "/// Each network namespace's state: nothing yet.");
    let _ = writeln!(o, "struct State;");
    let _ = writeln!(o);
    let _ = writeln!(o, "impl PerNetState for State {{");
    let _ = writeln!(
        o,
        "    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {{"
    );
    let _ = writeln!(o, "        Ok::<_, Error>(State)");
    let _ = writeln!(o, "    }}");
    let _ = writeln!(o, "}}");
    let _ = writeln!(o);
    if let Some(t) = &sock_priv {
        let c = spec
            .kernel_family
            .as_ref()
            .and_then(|k| k.sock_priv.as_deref())
            .unwrap_or_default();
        let _ = writeln!(
            o,
            "/// Each socket's state (`sock-priv`, `{c}` in C): nothing yet."
        );
        let _ = writeln!(o, "struct {t};");
        let _ = writeln!(o);
        let _ = writeln!(o, "impl SockPriv for {t} {{");
        let _ = writeln!(o, "    fn init() -> impl PinInit<Self> {{");
        let _ = writeln!(o, "        {t}");
        let _ = writeln!(o, "    }}");
        let _ = writeln!(o, "}}");
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "impl {ops_trait} for State {{");
    let mut first = true;
    let mut sep = |o: &mut String| {
        if !first {
            let _ = writeln!(o);
        }
        first = false;
    };
    for (hook, kind) in op_hooks(spec) {
        sep(&mut o);
        if kind == "pre" {
            let _ = writeln!(
                o,
                "    fn {}(&self, _req: &Request<'_>) -> Result {{",
                crate::kernel::ident(&hook)
            );
            let _ = writeln!(o, "        Ok(())");
        } else {
            let _ = writeln!(
                o,
                "    fn {}(&self, _req: &Request<'_>) {{}}",
                crate::kernel::ident(&hook)
            );
            continue;
        }
        let _ = writeln!(o, "    }}");
    }
    for op in spec
        .operations
        .list
        .iter()
        .filter(|op| !op.is_notification())
    {
        let f = snake(&op.name);
        let cfg = op
            .config_cond
            .as_ref()
            .map(|c| format!("    #[cfg(CONFIG_{})]\n", crate::model::upper(c)))
            .unwrap_or_default();
        let msg = |mode: &str| format!("c\"{name}: {} {mode} is not implemented\"", op.name);
        if op.r#do.is_some() {
            sep(&mut o);
            let _ = write!(o, "{cfg}");
            let _ = writeln!(o, "    fn {f}_do(&self, req: &Request<'_>) -> Result {{");
            let _ = writeln!(o, "        Err(req.reject(EOPNOTSUPP, {}))", msg("do"));
            let _ = writeln!(o, "    }}");
        }
        if op.dump.is_some() {
            let cur = format!("{}DumpCursor", camel(&op.name));
            sep(&mut o);
            let _ = write!(o, "{cfg}");
            let _ = writeln!(o, "    type {cur} = ();");
            let _ = writeln!(o);
            let _ = write!(o, "{cfg}");
            let _ = writeln!(
                o,
                "    fn {f}_dump_start(&self, req: &Request<'_>) -> Result<()> {{"
            );
            let _ = writeln!(o, "        Err(req.reject(EOPNOTSUPP, {}))", msg("dump"));
            let _ = writeln!(o, "    }}");
            let _ = writeln!(o);
            let _ = write!(o, "{cfg}");
            let _ = writeln!(o, "    fn {f}_dump(");
            let _ = writeln!(o, "        &self,");
            let _ = writeln!(o, "        _req: &Request<'_>,");
            let _ = writeln!(o, "        _cursor: &mut (),");
            let _ = writeln!(o, "        _out: &mut DumpWriter<'_>,");
            let _ = writeln!(o, "    ) -> Result {{");
            let _ = writeln!(o, "        Ok(())");
            let _ = writeln!(o, "    }}");
        }
    }
    let _ = writeln!(o, "}}");
    o
}
