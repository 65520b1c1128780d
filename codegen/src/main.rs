// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `genlkit-codegen [--check] [SPEC...]`: regenerate (or, with `--check`, verify) the files
//! generated from each spec (default: every `specs/*.yaml`), from the repository root.

use std::path::PathBuf;

use anyhow::{bail, Result};

fn main() -> Result<()> {
    let mut check = false;
    let mut specs = Vec::new();
    for a in std::env::args().skip(1) {
        match a.as_str() {
            "--check" => check = true,
            "-h" | "--help" => {
                println!("usage: genlkit-codegen [--check] [specs/NAME.yaml ...]");
                return Ok(());
            }
            _ => specs.push(a),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    if specs.is_empty() {
        specs = genlkit_codegen::specs(&root)?;
    }
    let mut stale = Vec::new();
    for spec in &specs {
        for out in genlkit_codegen::generate(&root, spec)? {
            let rel = out
                .path
                .strip_prefix(&root)
                .unwrap_or(&out.path)
                .display()
                .to_string();
            let current = std::fs::read_to_string(&out.path).unwrap_or_default();
            if current == out.text {
                continue;
            }
            if check {
                stale.push(rel);
            } else {
                if let Some(dir) = out.path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                std::fs::write(&out.path, &out.text)?;
                println!("wrote {rel}");
            }
        }
    }
    if !stale.is_empty() {
        bail!(
            "generated files differ from their specs (run genlkit-codegen): {}",
            stale.join(", ")
        );
    }
    Ok(())
}
