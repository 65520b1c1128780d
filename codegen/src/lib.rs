// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! genlkit-codegen: a family's YNL spec in, its generated files out.
//!
//! For `specs/<name>.yaml` the files are, by convention:
//! - `kmod/<name>/nl_gen.rs`: numbers, policies, split ops and the handler trait (genl layer);
//! - `include/uapi/<uapi-header>` (`linux/<name>.h` by default): the C uapi header;
//! - `userspace/<name>/src/spec.rs` and `client_gen.rs`: the client's numbers and its typed
//!   client (on `genl-client`), when `userspace/<name>/` exists.
//!
//! Any Generic Netlink spec parses and gets its C uapi header ([`uapi_output`]); the kernel
//! tables refuse, naming the item and its line, the features they do not implement
//! ([`kernel::check`]).

pub mod access;
pub mod client;
pub mod kernel;
pub mod model;
pub mod new;
pub mod scaffold;
pub mod uapi;
pub mod user;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

pub use model::Spec;

/// One file to write: where, and what.
pub struct Output {
    pub path: PathBuf,
    pub text: String,
}

/// Reads and parses the spec at `path`; `shown` is the path messages and generated files name.
pub fn load(path: &Path, shown: &str) -> Result<Spec> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {shown}"))?;
    Spec::parse(&text, shown)
}

/// Parses `spec_path` (relative to `root`) and renders every file it generates in the tree.
pub fn generate(root: &Path, spec_path: &str) -> Result<Vec<Output>> {
    let spec = load(&root.join(spec_path), spec_path)?;
    let mut out = vec![
        kernel_output(&spec, spec_path, &root.join("kmod"))?,
        uapi_output(&spec, spec_path, &root.join("include/uapi")),
    ];
    let crate_dir = root.join(format!("userspace/{}", spec.name));
    if crate_dir.is_dir() {
        out.extend(client_outputs(&spec, spec_path, &crate_dir));
    }
    Ok(out)
}

/// The userspace client's files, in the crate at `dir`: `src/spec.rs` (the numbers) and
/// `src/client_gen.rs` (the typed client).
pub fn client_outputs(spec: &Spec, spec_path: &str, dir: &Path) -> [Output; 2] {
    [
        Output {
            path: dir.join("src/spec.rs"),
            text: user::emit(spec, spec_path),
        },
        Output {
            path: dir.join("src/client_gen.rs"),
            text: client::emit(spec, spec_path),
        },
    ]
}

/// The C uapi header, at `dir/<uapi-header>` (`dir/linux/<name>.h` by default).
pub fn uapi_output(spec: &Spec, spec_path: &str, dir: &Path) -> Output {
    Output {
        path: dir.join(spec.uapi_header()),
        text: uapi::emit(spec, spec_path),
    }
}

/// The kernel tables, at `dir/<name>/nl_gen.rs`, or the refusal of a feature they lack.
pub fn kernel_output(spec: &Spec, spec_path: &str, dir: &Path) -> Result<Output> {
    Ok(Output {
        path: dir.join(&spec.name).join("nl_gen.rs"),
        text: kernel::emit(spec, spec_path)
            .with_context(|| format!("{spec_path}: kernel tables"))?,
    })
}

/// The scaffold of the family's module, beside its tables: `dir/<name>/<module>.rs` (its crate
/// root, every op answering `EOPNOTSUPP`) and `dir/<name>/Kbuild`; `layer` is the genl layer's
/// directory relative to `dir/<name>`.
pub fn scaffold_outputs(spec: &Spec, spec_path: &str, dir: &Path, layer: &str) -> Vec<Output> {
    let d = dir.join(&spec.name);
    vec![
        Output {
            path: d.join(format!("{}.rs", scaffold::module_name(spec))),
            text: scaffold::crate_root(spec, spec_path, layer),
        },
        Output {
            path: d.join("Kbuild"),
            text: scaffold::kbuild(spec),
        },
    ]
}

/// Names the family `name` instead of the spec's name, for its kernel tables and scaffold (the
/// registered family, the module and its directory); everything else stays the spec's. `name`
/// must fit `GENL_NAMSIZ` (15 bytes) and be letters, digits, `-` and `_`.
pub fn rename_family(spec: &mut Spec, name: &str) -> Result<()> {
    if name.is_empty()
        || name.len() > 15
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        anyhow::bail!(
            "family name `{name}`: 1 to 15 letters, digits, `-` or `_` (GENL_NAMSIZ is 16)"
        );
    }
    spec.name = name.to_string();
    Ok(())
}

/// Every spec under `root/specs`, as paths relative to `root`.
pub fn specs(root: &Path) -> Result<Vec<String>> {
    let mut v: Vec<String> = std::fs::read_dir(root.join("specs"))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("specs/{n}"))
        .collect();
    v.sort();
    Ok(v)
}

/// The repository root at or above `dir`: the first directory holding `specs/`.
pub fn find_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| d.join("specs").is_dir())
        .map(Path::to_path_buf)
}
