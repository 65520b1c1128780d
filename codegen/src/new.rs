// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `genlkit-codegen new NAME`: a new family in the tree, built and tested at once.
//!
//! It writes a spec to start from (`specs/NAME.yaml`: a `do` with a nested config and a range
//! check, a `dump`, a notification on a group), the family's module (`kmod/NAME/NAME.rs`:
//! working handlers on the generated readers and writers, and a KUnit suite), its `Kbuild`
//! and its entry in `kmod/Kbuild`, a guest test (`tests/guest/48-NAME.py`), and the Rust client
//! crate (`userspace/NAME/`, whose code is all generated); then the generated files. What it
//! writes is the author's from then on: regenerating after a spec change rewrites only the
//! generated files, and the handler trait names what the module lacks.

use std::path::Path;

use anyhow::{bail, Result};

use crate::model::camel;
use crate::Output;

const SPEC: &str = include_str!("../templates/new/spec.yaml");
const MODULE: &str = include_str!("../templates/new/module.rs");
const KBUILD: &str = include_str!("../templates/new/Kbuild");
const GUEST_TEST: &str = include_str!("../templates/new/guest_test.py");
const CARGO_TOML: &str = include_str!("../templates/new/Cargo.toml");
const LIB_RS: &str = include_str!("../templates/new/lib.rs");

/// Names a new family cannot take: the tree's crates and directories, and what the layer and
/// Rust reserve.
const TAKEN: &[&str] = &[
    "genl",
    "genl_client",
    "genlctl",
    "kvctl",
    "kvtest",
    "kvbench",
    "nlraw",
    "codegen",
    "core",
    "std",
    "alloc",
    "kernel",
    "self",
    "super",
    "crate",
    "test",
    "tests",
];

/// Checks `name`: a family, module, crate and Python name alike.
pub fn check_name(name: &str) -> Result<()> {
    let ok = name.len() <= 15
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        bail!(
            "family name `{name}`: 1 to 15 of a-z, 0-9 and `_`, starting with a letter \
             (GENL_NAMSIZ is 16; the name is also the module's and the crate's)"
        );
    }
    if TAKEN.contains(&name) || crate::kernel::ident(name).starts_with("r#") {
        bail!("family name `{name}` is taken (by the tree or by Rust)");
    }
    Ok(())
}

/// The files of family `name`, and the `kmod/Kbuild` that lists it; an error, writing nothing,
/// when any of them (or another family file of that name) exists.
pub fn outputs(root: &Path, name: &str) -> Result<Vec<Output>> {
    check_name(name)?;
    let fill = |t: &str| t.replace("@name@", name).replace("@Name@", &camel(name));
    let files = [
        (format!("specs/{name}.yaml"), fill(SPEC)),
        (format!("kmod/{name}/{name}.rs"), fill(MODULE)),
        (format!("kmod/{name}/Kbuild"), fill(KBUILD)),
        (format!("tests/guest/48-{name}.py"), fill(GUEST_TEST)),
        (format!("userspace/{name}/Cargo.toml"), fill(CARGO_TOML)),
        (format!("userspace/{name}/src/lib.rs"), fill(LIB_RS)),
    ];
    let mut exists: Vec<String> = [
        format!("specs/{name}.yaml"),
        format!("kmod/{name}"),
        format!("userspace/{name}"),
        format!("include/uapi/linux/{name}.h"),
    ]
    .into_iter()
    .filter(|p| root.join(p).exists())
    .collect();
    if let Ok(dir) = std::fs::read_dir(root.join("tests/guest")) {
        for e in dir.flatten() {
            let f = e.file_name().to_string_lossy().into_owned();
            let stem = f.rsplit_once('.').map_or(f.as_str(), |(s, _)| s);
            if stem.split_once('-').is_some_and(|(_, n)| n == name) {
                exists.push(format!("tests/guest/{f}"));
            }
        }
    }
    if !exists.is_empty() {
        exists.sort();
        bail!(
            "family `{name}` exists already ({}): nothing written",
            exists.join(", ")
        );
    }
    let kbuild_path = root.join("kmod/Kbuild");
    let kbuild = std::fs::read_to_string(&kbuild_path).unwrap_or_default();
    let mut lines: Vec<String> = kbuild.lines().map(str::to_owned).collect();
    match lines.iter_mut().rev().find(|l| l.starts_with("obj-m +=")) {
        Some(l) => l.push_str(&format!(" {name}/")),
        None => lines.push(format!("obj-m += {name}/")),
    }
    let mut out: Vec<Output> = files
        .into_iter()
        .map(|(path, text)| Output {
            path: root.join(path),
            text,
        })
        .collect();
    out.push(Output {
        path: kbuild_path,
        text: lines.join("\n") + "\n",
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        for bad in [
            "",
            "Abc",
            "1x",
            "a-b",
            "a_very_long_name",
            "genl",
            "type",
            "self",
        ] {
            assert!(check_name(bad).is_err(), "{bad:?} accepted");
        }
        for good in ["demo", "my_fam2", "x"] {
            check_name(good).unwrap();
        }
    }

    /// The template spec is one the tables accept, and names its family.
    #[test]
    fn the_template_spec_generates() {
        let text = SPEC.replace("@name@", "demo");
        let spec = crate::Spec::parse(&text, "specs/demo.yaml").unwrap();
        assert_eq!(spec.name, "demo");
        crate::kernel::emit(&spec, "specs/demo.yaml").unwrap();
    }
}
