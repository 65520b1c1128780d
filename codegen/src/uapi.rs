// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The C uapi header, in the shape the kernel's ynl-gen gives it, for C users (libnl, libmnl,
//! the kernel's YNL C library).

use crate::model::{upper, Spec};

pub fn emit(spec: &Spec, spec_path: &str) -> String {
    let fam = upper(&spec.name);
    let guard = format!("_UAPI_LINUX_{fam}_H");
    let mut o = String::new();
    let mut w = |l: &str| {
        o.push_str(l);
        o.push('\n');
    };
    w("/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */");
    w("/* Do not edit directly, auto-generated from: */");
    w(&format!("/*\t{spec_path} */"));
    w("/* by genlkit-codegen */");
    w("");
    w(&format!("#ifndef {guard}"));
    w(&format!("#define {guard}"));
    w("");
    w(&format!("#define {fam}_FAMILY_NAME\t\"{}\"", spec.name));
    w(&format!("#define {fam}_FAMILY_VERSION\t1"));
    w("");
    for d in spec
        .definitions
        .iter()
        .filter(|d| d.kind == "enum" || d.kind == "flags")
    {
        if let Some(doc) = &d.doc {
            w(&format!("/* {}: {} */", d.name, doc.trim()));
        }
        w(&format!(
            "enum {}_{} {{",
            spec.name.replace('-', "_"),
            d.name.replace('-', "_")
        ));
        for (i, e) in d.entries.iter().enumerate() {
            w(&format!(
                "\t{fam}_{}_{} = {},",
                upper(&d.name),
                upper(e.name()),
                d.entry_value(i)
            ));
        }
        w("};");
        w("");
    }
    for set in &spec.attribute_sets {
        let p = format!("{fam}_A_{}", upper(&set.name));
        w("enum {");
        for (id, a) in set.attrs() {
            if id == 1 {
                w(&format!("\t{p}_{} = 1,", upper(&a.name)));
            } else {
                w(&format!("\t{p}_{},", upper(&a.name)));
            }
        }
        w("");
        w(&format!("\t__{p}_MAX,"));
        w(&format!("\t{p}_MAX = (__{p}_MAX - 1)"));
        w("};");
        w("");
    }
    w("enum {");
    for (id, op) in spec.cmds() {
        if id == 1 {
            w(&format!("\t{fam}_CMD_{} = 1,", upper(&op.name)));
        } else {
            w(&format!("\t{fam}_CMD_{},", upper(&op.name)));
        }
    }
    w("");
    w(&format!("\t__{fam}_CMD_MAX,"));
    w(&format!("\t{fam}_CMD_MAX = (__{fam}_CMD_MAX - 1)"));
    w("};");
    w("");
    for g in spec.groups() {
        w(&format!("#define {fam}_MCGRP_{}\t\"{g}\"", upper(g)));
    }
    w("");
    w(&format!("#endif /* {guard} */"));
    o
}
