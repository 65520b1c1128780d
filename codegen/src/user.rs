// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The userspace side: `userspace/<family>/src/spec.rs`, plain constants for the client.

use crate::model::{upper, IntOrName, Spec};

pub fn emit(spec: &Spec, spec_path: &str) -> String {
    let mut o = String::new();
    let mut w = |l: &str| {
        o.push_str(l);
        o.push('\n');
    };
    w("// SPDX-License-Identifier: GPL-2.0-only OR MIT");
    w(&format!(
        "//! Numbers of the `{}` Generic Netlink family.",
        spec.name
    ));
    w("//!");
    w(&format!(
        "//! Generated from {spec_path} by genlkit-codegen; do not edit."
    ));
    w("");
    w("/// Family name registered with the generic netlink controller.");
    w(&format!("pub const FAMILY_NAME: &str = \"{}\";", spec.name));
    w("/// Family version.");
    w(&format!(
        "pub const FAMILY_VERSION: u8 = {};",
        spec.version()
    ));
    w("");
    for g in spec.groups() {
        w(&format!("/// Multicast group `{g}`."));
        w(&format!("pub const MCGRP_{}: &str = \"{g}\";", upper(g)));
    }
    w("");
    for d in &spec.definitions {
        w(&format!("// definitions: {} ({})", d.name, d.kind));
        let mut names = Vec::new();
        for (i, e) in d.entries.iter().enumerate() {
            if let Some(doc) = e.doc() {
                for l in doc.trim().lines() {
                    w(format!("/// {}", l.trim_end()).trim_end());
                }
            }
            let n = format!("{}_{}", upper(&d.name), upper(e.name()));
            w(&format!("pub const {n}: u32 = {:#x};", d.entry_value(i)));
            names.push(n);
        }
        if d.kind == "flags" {
            w("/// All flag bits the family defines.");
            w(&format!(
                "pub const {}_MASK: u32 = {};",
                upper(&d.name),
                names.join(" | ")
            ));
        }
        w("");
    }
    w("// operations");
    for (id, op) in spec.cmds() {
        w(&format!("pub const CMD_{}: u8 = {id};", upper(&op.name)));
    }
    w("");
    for set in &spec.attribute_sets {
        w(&format!("// attribute-set: {}", set.name));
        for (id, a) in set.attrs() {
            w(&format!(
                "pub const {}_{}: u16 = {id};",
                upper(&set.name),
                upper(&a.name)
            ));
        }
        for a in &set.attributes {
            for (what, v) in [
                ("MIN_LEN", &a.checks.min_len),
                ("MAX_LEN", &a.checks.max_len),
            ] {
                if let Some(v) = v.as_ref().and_then(IntOrName::int) {
                    w(&format!(
                        "/// `{}` check `{}`.",
                        a.name,
                        what.to_lowercase().replace('_', "-")
                    ));
                    w(&format!(
                        "pub const {}_{}_{what}: usize = {v};",
                        upper(&set.name),
                        upper(&a.name)
                    ));
                }
            }
        }
        w("");
    }
    w("/// Command names, indexed by ID (index 0 is unused).");
    w("pub const CMD_NAMES: &[&str] = &[");
    w("    \"\",");
    for op in &spec.operations.list {
        w(&format!("    \"{}\",", op.name));
    }
    w("];");
    for set in &spec.attribute_sets {
        w("");
        w(&format!(
            "/// `{}` attribute names, indexed by ID (index 0 is unused).",
            set.name
        ));
        w(&format!(
            "pub const {}_ATTR_NAMES: &[&str] = &[",
            upper(&set.name)
        ));
        w("    \"\",");
        for a in &set.attributes {
            w(&format!("    \"{}\",", a.name));
        }
        w("];");
    }
    o
}
