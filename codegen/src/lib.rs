// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! genlkit-codegen: a family's YNL spec in, its generated files out.
//!
//! For `specs/<name>.yaml` the files are, by convention:
//! - `kmod/<name>/nl_gen.rs`: numbers, policies, split ops and the handler trait (genl layer);
//! - `include/uapi/<uapi-header>` (`linux/<name>.h` by default): the C uapi header;
//! - `userspace/<name>/src/spec.rs`: the client's numbers, when `userspace/<name>/` exists.

pub mod kernel;
pub mod model;
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

/// Parses `spec_path` (relative to `root`) and renders every file it generates.
pub fn generate(root: &Path, spec_path: &str) -> Result<Vec<Output>> {
    let text = std::fs::read_to_string(root.join(spec_path))
        .with_context(|| format!("reading {spec_path}"))?;
    let spec = Spec::parse(&text, spec_path)?;
    let mut out = vec![
        Output {
            path: root.join(format!("kmod/{}/nl_gen.rs", spec.name)),
            text: kernel::emit(&spec, spec_path)
                .with_context(|| format!("{spec_path}: kernel tables"))?,
        },
        Output {
            path: root.join("include/uapi").join(spec.uapi_header()),
            text: uapi::emit(&spec, spec_path),
        },
    ];
    if root.join(format!("userspace/{}", spec.name)).is_dir() {
        out.push(Output {
            path: root.join(format!("userspace/{}/src/spec.rs", spec.name)),
            text: user::emit(&spec, spec_path),
        });
    }
    Ok(out)
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
