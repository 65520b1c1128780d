// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The generated files are current, agree with each other, and the generator refuses what it
//! does not support.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use genlkit_codegen::{generate, model::upper, specs, Spec};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `pub const NAME: T = V;` (also `pub(crate)`) lines of a Rust file, optionally only inside
/// `mod <module> { ... }`.
fn rust_consts(text: &str, module: Option<&str>) -> BTreeMap<String, u64> {
    let mut out = BTreeMap::new();
    let mut inside = module.is_none();
    for line in text.lines() {
        let l = line.trim();
        if let Some(m) = module {
            if l == format!("pub(crate) mod {m} {{") {
                inside = true;
                continue;
            }
            if inside && line == "}" {
                inside = false;
            }
        }
        if !inside {
            continue;
        }
        let Some(rest) = l
            .strip_prefix("pub const ")
            .or_else(|| l.strip_prefix("pub(crate) const "))
        else {
            continue;
        };
        let (name, rest) = rest.split_once(':').unwrap();
        let value = rest
            .split_once('=')
            .unwrap()
            .1
            .trim()
            .trim_end_matches(';')
            .trim();
        let v = if let Some(h) = value.strip_prefix("0x") {
            u64::from_str_radix(h, 16)
        } else {
            value.parse()
        };
        if let Ok(v) = v {
            out.insert(name.trim().to_string(), v);
        }
    }
    out
}

#[test]
fn generated_files_are_current() {
    let root = root();
    let mut stale = Vec::new();
    for spec in specs(&root).unwrap() {
        for out in generate(&root, &spec).unwrap() {
            let current = std::fs::read_to_string(&out.path).unwrap_or_default();
            if current != out.text {
                stale.push(out.path.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale generated files (run `cargo run -p genlkit-codegen`): {stale:?}"
    );
}

#[test]
fn uapi_header_agrees_with_the_rust_tables() {
    let root = root();
    for spec_path in specs(&root).unwrap() {
        let spec = Spec::parse(
            &std::fs::read_to_string(root.join(&spec_path)).unwrap(),
            &spec_path,
        )
        .unwrap();
        let header = root.join("include/uapi").join(spec.uapi_header());
        let c = bindgen::Builder::default()
            .header(header.to_str().unwrap())
            .prepend_enum_name(false)
            .generate()
            .unwrap_or_else(|e| panic!("bindgen {}: {e}", header.display()))
            .to_string();
        let c = rust_consts(&c, None);
        let kernel =
            std::fs::read_to_string(root.join(format!("kmod/{}/nl_gen.rs", spec.name))).unwrap();
        let user_path = root.join(format!("userspace/{}/src/spec.rs", spec.name));
        let user = std::fs::read_to_string(&user_path)
            .ok()
            .map(|t| rust_consts(&t, None));
        let fam = upper(&spec.name);
        let mut checked = 0;

        let kcmd = rust_consts(&kernel, Some("cmd"));
        for (id, op) in spec.cmds() {
            let name = upper(&op.name);
            assert_eq!(
                c[&format!("{fam}_CMD_{name}")],
                u64::from(id),
                "{spec_path}: C command {name}"
            );
            assert_eq!(
                kcmd[&name],
                u64::from(id),
                "{spec_path}: kernel command {name}"
            );
            if let Some(u) = &user {
                assert_eq!(
                    u[&format!("CMD_{name}")],
                    u64::from(id),
                    "{spec_path}: user command {name}"
                );
            }
            checked += 1;
        }
        assert_eq!(c[&format!("{fam}_CMD_MAX")], kcmd["MAX"]);
        for set in &spec.attribute_sets {
            let kset = rust_consts(&kernel, Some(&set.name.replace('-', "_")));
            let s = upper(&set.name);
            for (id, a) in set.attrs() {
                let a = upper(&a.name);
                assert_eq!(
                    c[&format!("{fam}_A_{s}_{a}")],
                    u64::from(id),
                    "{spec_path}: C attr {s}.{a}"
                );
                assert_eq!(kset[&a], u64::from(id), "{spec_path}: kernel attr {s}.{a}");
                if let Some(u) = &user {
                    assert_eq!(
                        u[&format!("{s}_{a}")],
                        u64::from(id),
                        "{spec_path}: user attr {s}.{a}"
                    );
                }
                checked += 1;
            }
            assert_eq!(c[&format!("{fam}_A_{s}_MAX")], kset["MAX"]);
        }
        for d in &spec.definitions {
            let kdef = rust_consts(&kernel, Some(&d.name.replace('-', "_")));
            let dn = upper(&d.name);
            for (i, e) in d.entries.iter().enumerate() {
                let e = upper(e.name());
                let v = d.entry_value(i);
                assert_eq!(c[&format!("{fam}_{dn}_{e}")], v, "{spec_path}: C {dn}.{e}");
                assert_eq!(kdef[&e], v, "{spec_path}: kernel {dn}.{e}");
                if let Some(u) = &user {
                    assert_eq!(u[&format!("{dn}_{e}")], v, "{spec_path}: user {dn}.{e}");
                }
                checked += 1;
            }
        }
        assert!(checked > 0, "{spec_path}: nothing checked");
    }
}

/// Why parsing refuses a spec.
fn refused(yaml: &str) -> String {
    format!("{:#}", Spec::parse(yaml, "specs/bad.yaml").unwrap_err())
}

/// Why the kernel tables refuse a spec that parses.
fn kernel_refused(yaml: &str) -> String {
    let spec = Spec::parse(yaml, "specs/bad.yaml").unwrap();
    format!(
        "{:#}",
        genlkit_codegen::kernel::emit(&spec, "specs/bad.yaml").unwrap_err()
    )
}

const BASE: &str =
    "name: bad\nprotocol: genetlink\nattribute-sets:\n  - name: s\n    attributes:\n";

#[test]
fn invalid_specs_are_refused_at_parse_by_name_or_line() {
    let unknown_key = format!(
        "{BASE}      - name: a\n        type: u32\n        multi-atr: true\noperations:\n  list: []\n"
    );
    let e = refused(&unknown_key);
    assert!(e.contains("multi-atr") && e.contains("line 8"), "{e}");

    let bad_attr = format!(
        "{BASE}      - name: a\n        type: u32\noperations:\n  list:\n    - name: op\n      attribute-set: s\n      do:\n        request:\n          attributes: [b]\n"
    );
    let e = refused(&bad_attr);
    assert!(e.contains("operations[op].do") && e.contains("`b`"), "{e}");

    let raw = "name: bad\nprotocol: netlink-raw\nattribute-sets: []\noperations:\n  list: []\n";
    assert!(refused(raw).contains("netlink-raw"));

    // A key of a higher protocol than the spec's.
    let legacy = "name: bad\nprotocol: genetlink-c\nversion: 2\nattribute-sets: []\noperations:\n  list: []\n";
    let e = refused(legacy);
    assert!(
        e.contains("version") && e.contains("genetlink-legacy"),
        "{e}"
    );

    let subset = format!(
        "{BASE}      - name: a\n        type: u32\n  - name: t\n    subset-of: s\n    attributes:\n      - name: b\noperations:\n  list: []\n"
    );
    let e = refused(&subset);
    assert!(e.contains("attribute-sets[t].attributes[b]"), "{e}");
}

#[test]
fn unsupported_features_are_refused_for_the_kernel_tables_by_item_and_line() {
    let multi = format!(
        "{BASE}      - name: a\n        type: u32\n        multi-attr: true\noperations:\n  list: []\n"
    );
    let e = kernel_refused(&multi);
    assert!(
        e.contains("attribute-sets[s].attributes[a].multi-attr (line 8)")
            && e.contains("not implemented for the kernel tables"),
        "{e}"
    );

    let array = format!(
        "{BASE}      - name: a\n        type: u32\n      -\n        name: b\n        type: indexed-array\n        sub-type: u32\noperations:\n  list: []\n"
    );
    let e = kernel_refused(&array);
    assert!(
        e.contains("attribute-sets[s].attributes[b].type (line 10)")
            && e.contains("indexed-array")
            && e.contains("and 1 more"),
        "{e}"
    );

    let value = format!(
        "{BASE}      - name: a\n        type: u32\n        value: 5\noperations:\n  list: []\n"
    );
    let e = kernel_refused(&value);
    assert!(
        e.contains("attributes[a].value (line 8)") && e.contains("value 5"),
        "{e}"
    );

    let directional = format!(
        "{BASE}      - name: a\n        type: u32\noperations:\n  enum-model: directional\n  list: []\n"
    )
    .replace("genetlink\n", "genetlink-legacy\n");
    let e = kernel_refused(&directional);
    assert!(e.contains("operations.enum-model (line 9)"), "{e}");
}

#[test]
fn items_are_found_on_their_lines() {
    let spec = Spec::parse(RANGES, "specs/ranged.yaml").unwrap();
    for (path, line) in [
        (&["definitions", "=mode"][..], 4),
        (&["definitions", "=mode", "entries"], 6),
        (
            &[
                "attribute-sets",
                "=s",
                "attributes",
                "=big",
                "checks",
                "min",
            ],
            18,
        ),
        (&["attribute-sets", "=s", "attributes", "=plain"], 22),
        (&["operations", "list", "=op", "do", "request"], 29),
    ] {
        assert_eq!(spec.line_of(path), Some(line), "{path:?}");
    }
    assert_eq!(spec.line_of(&["attribute-sets", "=t"]), None);
}

const RANGES: &str = "name: ranged
protocol: genetlink
definitions:
  - name: mode
    type: enum
    entries: [off, on, auto]
attribute-sets:
  - name: s
    attributes:
      - name: small
        type: u8
        checks:
          min: 1
          max: 10
      - name: big
        type: u64
        checks:
          min: 5
      - name: mode
        type: u32
        enum: mode
      - name: plain
        type: u32
operations:
  list:
    - name: op
      attribute-set: s
      do:
        request:
          attributes: [small, big, mode, plain]
";

#[test]
fn integer_checks_become_typed_ranges() {
    let spec = Spec::parse(RANGES, "specs/ranged.yaml").unwrap();
    let k = genlkit_codegen::kernel::emit(&spec, "specs/ranged.yaml").unwrap();
    for line in [
        "(s::SMALL, AttrPolicy::u8_range::<1, 10>()),",
        "(s::BIG, AttrPolicy::u64_range::<5, 18446744073709551615>()),",
        "(s::MODE, AttrPolicy::u32_range::<0, { mode::MAX }>()),",
        "(s::PLAIN, AttrPolicy::u32()),",
    ] {
        assert!(k.contains(line), "missing `{line}` in:\n{k}");
    }
}

#[test]
fn integer_checks_out_of_the_type_are_refused() {
    let over = RANGES.replace("max: 10", "max: 300");
    assert!(refused(&over).contains("exceed a u8"), "{}", refused(&over));
    let inverted = RANGES.replace("min: 1\n", "min: 11\n");
    assert!(
        refused(&inverted).contains("min is above max"),
        "{}",
        refused(&inverted)
    );
}
