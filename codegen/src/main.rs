// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! genlkit-codegen: generate a family's files from its spec.
//!
//! ```text
//! genlkit-codegen [--root DIR] [--check] [specs/NAME.yaml ...]
//! genlkit-codegen [--root DIR] new NAME
//! genlkit-codegen [--root DIR] --scaffold specs/NAME.yaml ...
//! genlkit-codegen --out DIR [--uapi-only | --kernel-only] [--scaffold [--layer PATH]] SPEC.yaml ...
//! genlkit-codegen --out DIR --client-only SPEC.yaml ...
//! genlkit-codegen --out DIR --kernel-only [--scaffold [--layer PATH]] --family-name NAME SPEC.yaml
//! genlkit-codegen --policy-dump SPEC.yaml
//! ```
//!
//! The first form regenerates (or, with `--check`, verifies) the files of each spec of a tree
//! (default: every `specs/*.yaml`); the tree is `--root`, else the first directory at or above
//! the current one that holds `specs/`. The second takes any spec file and writes its C uapi
//! header to `DIR/<uapi-header>` and its kernel tables to `DIR/<name>/nl_gen.rs` (or only the
//! one asked for), printing each path written; `--client-only` writes the userspace client's
//! files instead, `DIR/<name>/src/spec.rs` and `client_gen.rs`.
//!
//! `new NAME` starts family NAME in the tree: a spec, a module with working handlers and a
//! KUnit suite, its Kbuild entries, a guest test and a client crate, then what they generate
//! (see [`genlkit_codegen::new`]); it refuses, writing nothing, when NAME exists.
//!
//! `--scaffold` also writes the family's module to start from: `<name>/<module>.rs`, whose
//! every operation answers `EOPNOTSUPP` with an extack message, and `<name>/Kbuild`, beside
//! the tables (in the tree: `kmod/<name>/`, never over an existing file; with `--out`, reaching
//! the genl layer at `--layer PATH`, relative to `DIR/<name>`, by default `../genl`).
//! `--family-name NAME` registers the kernel tables (and names the module and its directory)
//! as family `NAME` instead of the spec's name, all else equal: a Rust twin of a family whose C
//! implementation is in the kernel, to load beside it (`tests/guest/47-policy-twins.py`).
//! `--policy-dump` prints the kernel tables' policies and ops as ynl-gen's C would define
//! them, one line each, for `tests/host/spec-corpus.sh` to compare.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

const USAGE: &str = "usage: genlkit-codegen [--root DIR] [--check] [specs/NAME.yaml ...]
       genlkit-codegen [--root DIR] new NAME
       genlkit-codegen [--root DIR] --scaffold specs/NAME.yaml ...
       genlkit-codegen --out DIR [--uapi-only | --kernel-only] [--scaffold [--layer PATH]] SPEC.yaml ...
       genlkit-codegen --out DIR --client-only SPEC.yaml ...
       genlkit-codegen --out DIR --kernel-only [--scaffold [--layer PATH]] --family-name NAME SPEC.yaml
       genlkit-codegen --policy-dump SPEC.yaml";

fn main() -> Result<()> {
    let mut check = false;
    let mut root = None;
    let mut out = None;
    let (mut uapi, mut kernel) = (true, true);
    let (mut scaffold, mut layer, mut dump) = (false, None, false);
    let mut family_name = None;
    let mut client_only = false;
    let mut specs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--root" => root = Some(PathBuf::from(args.next().context(USAGE)?)),
            "--out" => out = Some(PathBuf::from(args.next().context(USAGE)?)),
            "--uapi-only" => kernel = false,
            "--kernel-only" => uapi = false,
            "--client-only" => client_only = true,
            "--scaffold" => scaffold = true,
            "--layer" => layer = Some(args.next().context(USAGE)?),
            "--policy-dump" => dump = true,
            "--family-name" => family_name = Some(args.next().context(USAGE)?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ if a.starts_with('-') => bail!("unknown option {a}\n{USAGE}"),
            _ => specs.push(a),
        }
    }
    if dump {
        if check || root.is_some() || out.is_some() || scaffold || specs.len() != 1 {
            bail!("{USAGE}");
        }
        let spec = genlkit_codegen::load(Path::new(&specs[0]), &specs[0])?;
        print!(
            "{}",
            genlkit_codegen::kernel::policy_dump(&spec)
                .with_context(|| format!("{}: kernel tables", specs[0]))?
        );
        return Ok(());
    }
    if layer.is_some() && (out.is_none() || !scaffold) {
        bail!("--layer goes with --out and --scaffold\n{USAGE}");
    }
    if family_name.is_some() && (out.is_none() || uapi || specs.len() != 1) {
        bail!("--family-name goes with --out, --kernel-only and one spec\n{USAGE}");
    }
    if client_only {
        let (Some(dir), true, true, false) = (&out, uapi && kernel, !specs.is_empty(), scaffold)
        else {
            bail!("--client-only goes with --out and specs, alone\n{USAGE}");
        };
        for path in &specs {
            let spec = genlkit_codegen::load(Path::new(path), path)?;
            // What the kernel tables refuse (fixed headers, …) the client would send wrong.
            genlkit_codegen::kernel_output(&spec, path, dir)
                .with_context(|| format!("{path}: the client"))?;
            for out in genlkit_codegen::client_outputs(&spec, path, &dir.join(&spec.name)) {
                write(&out.path, &out.text)?;
                println!("wrote {}", out.path.display());
            }
        }
        return Ok(());
    }
    if let Some(dir) = out {
        if check || root.is_some() || !(uapi || kernel) || specs.is_empty() {
            bail!("{USAGE}");
        }
        let layer = layer.as_deref().unwrap_or("../genl");
        let names = Names {
            family: family_name,
        };
        return out_of_tree(
            &dir,
            &specs,
            uapi,
            kernel,
            scaffold.then_some(layer),
            &names,
        );
    }
    if !(uapi && kernel) {
        bail!("--uapi-only and --kernel-only go with --out\n{USAGE}");
    }
    let root = match root {
        Some(r) => r,
        None => {
            let cwd = std::env::current_dir()?;
            genlkit_codegen::find_root(&cwd).with_context(|| {
                format!(
                    "no directory with specs/ at or above {} (use --root DIR)",
                    cwd.display()
                )
            })?
        }
    };
    if specs.first().map(String::as_str) == Some("new") {
        let [_, name] = &specs[..] else {
            bail!("new takes one family name\n{USAGE}");
        };
        if check || scaffold {
            bail!("{USAGE}");
        }
        let outs = genlkit_codegen::new::outputs(&root, name)?;
        for out in &outs {
            write(&out.path, &out.text)?;
            let rel = out.path.strip_prefix(&root).unwrap_or(&out.path);
            println!("wrote {}", rel.display());
        }
        let test = root.join(format!("tests/guest/48-{name}.py"));
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&test, std::fs::Permissions::from_mode(0o755))?;
        specs = vec![format!("specs/{name}.yaml")];
    }
    if scaffold {
        if check || specs.is_empty() {
            bail!("--scaffold names the specs whose modules to start\n{USAGE}");
        }
        for spec_path in &specs {
            let spec = genlkit_codegen::load(&root.join(spec_path), spec_path)?;
            for out in
                genlkit_codegen::scaffold_outputs(&spec, spec_path, &root.join("kmod"), "../genl")
            {
                let rel = out.path.strip_prefix(&root).unwrap_or(&out.path).display();
                if out.path.exists() {
                    println!("kept {rel} (it exists)");
                } else {
                    write(&out.path, &out.text)?;
                    println!("wrote {rel}");
                }
            }
        }
    }
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
                write(&out.path, &out.text)?;
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

/// What `--out` names otherwise than the spec does.
struct Names {
    /// `--family-name`: the family (and module) name for the kernel tables.
    family: Option<String>,
}

/// `--out DIR`: each spec's header and tables, wherever the spec is.
fn out_of_tree(
    dir: &Path,
    specs: &[String],
    uapi: bool,
    kernel: bool,
    scaffold: Option<&str>,
    names: &Names,
) -> Result<()> {
    for path in specs {
        let mut spec = genlkit_codegen::load(Path::new(path), path)?;
        if let Some(name) = &names.family {
            genlkit_codegen::rename_family(&mut spec, name)?;
        }
        if uapi {
            let out = genlkit_codegen::uapi_output(&spec, path, dir);
            write(&out.path, &out.text)?;
            println!("wrote {}", out.path.display());
        }
        if kernel {
            let out = genlkit_codegen::kernel_output(&spec, path, dir)?;
            write(&out.path, &out.text)?;
            println!("wrote {}", out.path.display());
            if let Some(layer) = scaffold {
                for out in genlkit_codegen::scaffold_outputs(&spec, path, dir, layer) {
                    write(&out.path, &out.text)?;
                    println!("wrote {}", out.path.display());
                }
            }
        }
    }
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}
