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
            // A subset has no enum of its own in C (ynl-gen's uapi has none): its IDs are
            // its parent's, checked there.
            let in_c = set.subset_of.is_none();
            for (id, a) in set.attrs() {
                let a = upper(&a.name);
                if in_c {
                    assert_eq!(
                        c[&format!("{fam}_A_{s}_{a}")],
                        u64::from(id),
                        "{spec_path}: C attr {s}.{a}"
                    );
                }
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
            if in_c {
                assert_eq!(c[&format!("{fam}_A_{s}_MAX")], kset["MAX"]);
            }
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
    // What only replies carry needs no policy: an indexed-array of u32 is refused in a request.
    let array = format!(
        "{BASE}      - name: a\n        type: u32\n      -\n        name: b\n        type: indexed-array\n        sub-type: u32\noperations:\n  list:\n    - name: op\n      attribute-set: s\n      do:\n        request:\n          attributes: [a]\n        reply:\n          attributes: [b]\n"
    );
    assert!(
        genlkit_codegen::kernel::emit(&Spec::parse(&array, "specs/bad.yaml").unwrap(), "x").is_ok()
    );
    let e = kernel_refused(&array.replace("attributes: [a]", "attributes: [a, b]"));
    assert!(
        e.contains("attribute-sets[s].attributes[b].sub-type (line 11)")
            && e.contains("NLA_INDEXED_ARRAY"),
        "{e}"
    );

    // An enum with gaps: ynl-gen validates it with a function.
    let sparse = "name: bad\nprotocol: genetlink\ndefinitions:\n  - name: e\n    type: enum\n    entries: [a, {name: b, value: 5}]\nattribute-sets:\n  - name: s\n    attributes:\n      - name: a\n        type: u8\n        enum: e\noperations:\n  list:\n    - name: op\n      attribute-set: s\n      do:\n        request:\n          attributes: [a]\n";
    let e = kernel_refused(sparse);
    assert!(
        e.contains("attribute-sets[s].attributes[a].enum (line 12)") && e.contains("gaps"),
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
    // Not spelt out: the nearest item around it that is.
    assert_eq!(
        spec.line_of(&["attribute-sets", "=s", "attributes", "=plain", "value"]),
        Some(22)
    );
    assert_eq!(spec.line_of(&["attribute-sets", "=t"]), Some(7));
    assert_eq!(spec.line_of(&["kernel-policy"]), None);
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
fn integer_checks_become_the_policies_ynl_gen_emits() {
    let spec = Spec::parse(RANGES, "specs/ranged.yaml").unwrap();
    let k = genlkit_codegen::kernel::emit(&spec, "specs/ranged.yaml").unwrap();
    for line in [
        // NLA_POLICY_RANGE, NLA_POLICY_MIN; an enum from 0: NLA_POLICY_MAX.
        "(s::SMALL, AttrPolicy::u8().range(1, 10)),",
        "(s::BIG, AttrPolicy::u64().min(5)),",
        "(s::MODE, AttrPolicy::u32().max(2)),",
        "(s::PLAIN, AttrPolicy::u32()),",
    ] {
        assert!(k.contains(line), "missing `{line}` in:\n{k}");
    }
    // Bounds outside an s16: NLA_POLICY_FULL_RANGE(_SIGNED), a missing one being 0, as ynl-gen
    // fills in the range; flags: NLA_POLICY_MASK; and the other types.
    let more = RANGES
        .replace(
            "      - name: plain\n        type: u32\n",
            "      - name: plain\n        type: u32\n      - name: wide\n        type: u32\n        checks:\n          max: 70000\n      - name: neg\n        type: s32\n        checks:\n          min: -40000\n      - name: bits\n        type: uint\n        enum: fl\n      - name: be\n        type: u16\n        byte-order: big-endian\n      - name: key\n        type: binary\n        checks:\n          exact-len: 32\n      - name: raw\n        type: string\n        checks:\n          unterminated-ok: true\n",
        )
        .replace(
            "    entries: [off, on, auto]\n",
            "    entries: [off, on, auto]\n  - name: fl\n    type: flags\n    entries: [x, y, z]\n",
        )
        .replace(
            "[small, big, mode, plain]",
            "[small, big, mode, plain, wide, neg, bits, be, key, raw]",
        )
        .replace("protocol: genetlink\n", "protocol: genetlink-legacy\n");
    let spec = Spec::parse(&more, "specs/ranged.yaml").unwrap();
    let k = genlkit_codegen::kernel::emit(&spec, "specs/ranged.yaml").unwrap();
    for line in [
        "(s::WIDE, AttrPolicy::u32_range::<0, 70000>()),",
        "(s::NEG, AttrPolicy::s32_range::<{ -40000 }, 0>()),",
        "(s::BITS, AttrPolicy::uint().mask(0x7)),",
        "(s::BE, AttrPolicy::be16()),",
        "(s::KEY, AttrPolicy::exact_len(32)),",
        "(s::RAW, AttrPolicy::string(0)),",
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

/// A genetlink-legacy spec with the naming and numbering features of the kernel's specs.
const LEGACY: &str = "# SPDX-License-Identifier: GPL-2.0
name: leg-fam
protocol: genetlink-legacy
c-family-name: leg-genl-name
c-version-name: leg-genl-version
version: 3
max-by-define: true
definitions:
  - name: max-len
    type: const
    value: 0x20
  - name: group-name
    type: const
    value: grp
  - name: elsewhere
    type: enum
    header: linux/other.h
    entries: [x]
  - name: kernel-only
    type: const
    scope: kernel
    value: 1
  - name: hdr
    type: struct
    members:
      - name: ifindex
        type: u32
  - name: colour
    type: enum
    value-start: 2
    render-max: true
    entries: [red, green, {name: blue, value: 7}]
  - name: opts
    type: flags
    enum-name:
    name-prefix: leg-opt-
    render-max: true
    entries: [a, b, {name: c, value: 5}]
  - name: state
    type: enum
    enum-name: leg-state
    enum-cnt-name: leg-state-count
    render-max: true
    entries: [off, on]
attribute-sets:
  - name: main
    name-prefix: leg-attr-
    attr-cnt-name: __leg-attr-after-last
    attr-max-name: leg-attr-last
    attributes:
      - name: unspec
        type: unused
        value: 0
      - name: id
        type: u32
      - name: list
        type: nest
        multi-attr: true
        nested-attributes: item
      - name: later
        type: u64
        value: 10
  - name: item
    attributes:
      - name: key
        type: string
  - name: part
    subset-of: main
    attributes:
      - name: id
operations:
  fixed-header: hdr
  list:
    - name: get
      doc: Get.
      attribute-set: main
      do:
        request:
          attributes: [id]
        reply:
          attributes: [id, list]
    - name: set
      doc: Set.
      value: 7
      attribute-set: main
      do:
        request:
          attributes: [id]
    - name: changed
      doc: Changed.
      notify: get
      mcgrp: events
mcast-groups:
  list:
    - name: events
      c-define-name: leg-events-group
";

/// The C header's constants, as libclang evaluates them.
fn c_consts(header: &str) -> BTreeMap<String, u64> {
    let c = bindgen::Builder::default()
        .header_contents("h.h", header)
        .prepend_enum_name(false)
        .generate()
        .unwrap_or_else(|e| panic!("bindgen: {e}\n{header}"))
        .to_string();
    rust_consts(&c, None)
}

#[test]
fn uapi_header_renders_the_kernel_specs_naming_and_numbering() {
    let spec = Spec::parse(LEGACY, "specs/leg.yaml").unwrap();
    let h = genlkit_codegen::uapi::emit(&spec, "specs/leg.yaml");
    assert!(
        h.starts_with("/* SPDX-License-Identifier: GPL-2.0 */"),
        "{h}"
    );
    for line in [
        "#define LEG_GENL_NAME\t\t\"leg-fam\"",
        "#define LEG_GENL_VERSION\t3",
        "#define LEG_FAM_MAX_LEN\t\t32",
        "#define LEG_FAM_GROUP_NAME\t\"grp\"",
        "enum leg_fam_colour {",
        "\tLEG_FAM_COLOUR_RED = 2,",
        "enum leg_state {",
        "#define LEG_ATTR_LAST (__LEG_ATTR_AFTER_LAST - 1)",
        "#define LEG_EVENTS_GROUP\t\"events\"",
        "#ifndef _UAPI_LINUX_LEG_FAM_H",
    ] {
        assert!(h.lines().any(|l| l == line), "missing `{line}` in:\n{h}");
    }
    for absent in ["ELSEWHERE", "KERNEL_ONLY", "hdr", "IFINDEX", "PART"] {
        assert!(!h.contains(absent), "`{absent}` in:\n{h}");
    }
    let c = c_consts(&h);
    for (name, value) in [
        ("LEG_FAM_COLOUR_RED", 2),
        ("LEG_FAM_COLOUR_GREEN", 3),
        ("LEG_FAM_COLOUR_BLUE", 7),
        ("__LEG_FAM_COLOUR_MAX", 8),
        ("LEG_FAM_COLOUR_MAX", 7),
        ("LEG_OPT_A", 1),
        ("LEG_OPT_B", 2),
        ("LEG_OPT_C", 32),
        ("LEG_OPT_MASK", 35),
        ("LEG_STATE_COUNT", 2),
        ("LEG_FAM_STATE_MAX", 1),
        ("LEG_ATTR_UNSPEC", 0),
        ("LEG_ATTR_ID", 1),
        ("LEG_ATTR_LIST", 2),
        ("LEG_ATTR_LATER", 10),
        ("__LEG_ATTR_AFTER_LAST", 11),
        ("LEG_FAM_A_ITEM_KEY", 1),
        ("LEG_FAM_CMD_GET", 1),
        ("LEG_FAM_CMD_SET", 7),
        ("LEG_FAM_CMD_CHANGED", 8),
        ("__LEG_FAM_CMD_MAX", 9),
    ] {
        assert_eq!(c.get(name), Some(&value), "{name} in:\n{h}");
    }
    // The kernel tables refuse what they lack, the first by item and line.
    let e = format!(
        "{:#}",
        genlkit_codegen::kernel::emit(&spec, "specs/leg.yaml").unwrap_err()
    );
    assert!(
        e.starts_with("operations.fixed-header (line 72): fixed-header"),
        "{e}"
    );
}

/// The directional model as ynl numbers it: requests and replies apart.
const DIRECTIONAL: &str = "name: dir
protocol: genetlink-legacy
attribute-sets:
  - name: a
    attributes:
      - name: x
        type: u32
operations:
  enum-model: directional
  list:
    - name: get
      doc: Get.
      attribute-set: a
      do:
        request:
          value: 3
          attributes: [x]
        reply:
          value: 1
          attributes: [x]
    - name: set
      doc: Set.
      attribute-set: a
      do:
        request:
          attributes: [x]
    - name: note
      doc: Note.
      notify: get
";

#[test]
fn directional_commands_keep_their_request_and_reply_ids() {
    let spec = Spec::parse(DIRECTIONAL, "specs/dir.yaml").unwrap();
    let c = c_consts(&genlkit_codegen::uapi::emit(&spec, "specs/dir.yaml"));
    for (name, value) in [
        ("DIR_MSG_USER_NONE", 0),
        ("DIR_CMD_GET", 3),
        ("DIR_CMD_SET", 4),
        ("DIR_CMD_USER_MAX", 4),
        ("DIR_CMD_GET_REPLY", 1),
        ("DIR_CMD_NOTE", 2),
        ("DIR_CMD_KERNEL_MAX", 2),
    ] {
        assert_eq!(c.get(name), Some(&value), "{name}");
    }
}

/// Names a spec declares twice (one C enum described in two places; sets sharing a prefix)
/// are declared once, and the header compiles.
const TWICE: &str = "name: tw
protocol: genetlink-c
definitions:
  - name: kind
    type: enum
    enum-name: tw-kind
    name-prefix: tw-kind-
    entries: [none, one, two]
attribute-sets:
  - name: main
    name-prefix: tw-a-
    attributes:
      - name: x
        type: u32
  - name: stats
    name-prefix: tw-a-
    attributes:
      - name: y
        type: u64
        value: 0
  - name: kinds
    enum-name: tw-kind
    name-prefix: tw-kind-
    attributes:
      - name: one
        type: flag
      - name: two
        type: flag
operations:
  list: []
";

#[test]
fn names_declared_twice_are_declared_once() {
    let spec = Spec::parse(TWICE, "specs/tw.yaml").unwrap();
    let h = genlkit_codegen::uapi::emit(&spec, "specs/tw.yaml");
    let c = c_consts(&h);
    for (name, value) in [
        ("TW_KIND_TWO", 2),
        ("TW_A_X", 1),
        ("TW_A_MAX", 1),
        ("TW_A_Y", 0),
        ("__TW_KIND_MAX", 3),
    ] {
        assert_eq!(c.get(name), Some(&value), "{name} in:\n{h}");
    }
    assert_eq!(h.matches("enum tw_kind {").count(), 1, "{h}");
    assert!(h.contains("/* __TW_A_MAX = 1: the name is taken */"), "{h}");
}

#[test]
fn the_tree_is_found_from_any_directory_in_it() {
    let root = root().canonicalize().unwrap();
    assert_eq!(
        genlkit_codegen::find_root(&root.join("kmod/genl")),
        Some(root.clone())
    );
    assert_eq!(genlkit_codegen::find_root(&root), Some(root));
}

/// A spec whose const `page-size` is `PAGE_SIZE` of `asm/page.h`, its value a stand-in, as
/// netdev's.
const PAGED: &str = "name: paged
protocol: genetlink
definitions:
  - name: page-size
    type: const
    value: 0
    header: asm/page.h
    scope: kernel
attribute-sets:
  - name: s
    attributes:
      - name: size
        type: u32
        checks:
          min: page-size
          max: u32-max
      - name: small
        type: u16
        checks:
          max: page-size
operations:
  list:
    - name: op
      attribute-set: s
      do:
        request:
          attributes: [size, small]
";

#[test]
fn header_constants_are_the_kernels_not_their_stand_in() {
    let spec = Spec::parse(PAGED, "specs/paged.yaml").unwrap();
    let k = genlkit_codegen::kernel::emit(&spec, "specs/paged.yaml").unwrap();
    for line in [
        "(s::SIZE, AttrPolicy::u32_range::<{ KernelBound::u32(kernel::page::PAGE_SIZE as i128) }, 4294967295>()),",
        "(s::SMALL, AttrPolicy::u16().max(KernelBound::s16(kernel::page::PAGE_SIZE as i128))),",
        "pub(crate) const PAGE_SIZE: u64 = kernel::page::PAGE_SIZE as u64;",
    ] {
        assert!(k.contains(line), "missing `{line}` in:\n{k}");
    }
    assert!(!k.contains("_range::<0,"), "{k}");
    // The policy dump names the macro, as ynl-gen's C does.
    let d = genlkit_codegen::kernel::policy_dump(&spec).unwrap();
    assert!(
        d.contains(" 1 NLA_U32 range_ptr min=PAGE_SIZE max=4294967295"),
        "{d}"
    );
    assert!(d.contains(" 2 NLA_U16 max min=0 max=PAGE_SIZE"), "{d}");

    // A header constant no Rust item is known to hold: refused, by item and line.
    let e = kernel_refused(&PAGED.replace("asm/page.h", "linux/mm.h"));
    assert!(
        e.contains("definitions[page-size].header (line 7)") && e.contains("linux/mm.h"),
        "{e}"
    );
    // As a length, too.
    let e = kernel_refused(&PAGED.replace(
        "type: u16\n        checks:\n          max:",
        "type: binary\n        checks:\n          max-len:",
    ));
    assert!(
        e.contains("attribute-sets[s].attributes[small].checks.max-len") && e.contains("C header"),
        "{e}"
    );
}

#[test]
fn a_string_min_len_is_checked_by_its_policy() {
    let spec = format!(
        "{BASE}      - name: name\n        type: string\n        checks:\n          min-len: 1\n          max-len: 15\n      - name: tag\n        type: string\n        checks:\n          min-len: 3\noperations:\n  list:\n    - name: op\n      attribute-set: s\n      do:\n        request:\n          attributes: [name, tag]\n"
    );
    let parsed = Spec::parse(&spec, "specs/bad.yaml").unwrap();
    let k = genlkit_codegen::kernel::emit(&parsed, "specs/bad.yaml").unwrap();
    for line in [
        "(s::NAME, AttrPolicy::nul_string(15).min_str_len::<SNameMinLen>()),",
        "(s::TAG, AttrPolicy::nul_string(0).min_str_len::<STagMinLen>()),",
        "impl StrMinLen for SNameMinLen {",
        "    const MSG: &'static core::ffi::CStr = c\"name must not be empty\";",
        "    const MSG: &'static core::ffi::CStr = c\"tag is shorter than 3 bytes\";",
    ] {
        assert!(k.contains(line), "missing `{line}` in:\n{k}");
    }
    // The controller reports it as ynl-gen's C defines it.
    let d = genlkit_codegen::kernel::policy_dump(&parsed).unwrap();
    assert!(d.contains(" 1 NLA_NUL_STRING none len=15\n"), "{d}");

    // A check the policy cannot enforce is refused, not dropped.
    for (from, to, item) in [
        (
            "type: string\n        checks:\n          min-len: 3",
            "type: u32\n        checks:\n          min-len: 3",
            "attributes[tag].checks.min-len (line 14)",
        ),
        (
            "min-len: 3",
            "min: 3",
            "attributes[tag].checks.min (line 14)",
        ),
        (
            "type: string\n        checks:\n          min-len: 3",
            "type: flag\n        checks:\n          max-len: 3",
            "attributes[tag].checks.max-len (line 14)",
        ),
        (
            "max-len: 15",
            "max-len: 15\n          exact-len: 4",
            "attributes[name].checks.exact-len",
        ),
    ] {
        let e = kernel_refused(&spec.replace(from, to));
        assert!(e.contains(item), "{item}: {e}");
    }
}
