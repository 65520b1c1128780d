// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Reproducers: the datagrams of an input, as sent, in a file any tool can replay.
//!
//! The format: text lines (`genl-fuzz reproducer 1`, `family NAME`, `answered 1 0 ...`: per
//! datagram, whether it must get exactly one answer; `fail-nth 0 3 ...`: per datagram, which
//! slab allocation of it fails, 0 for none), an empty line, then each datagram as a
//! little-endian `u32` length and its bytes. The datagrams' message type and sequence number
//! are set when sent (the family's ID is the running kernel's).

use std::{
    fs,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context, Result};

use crate::input::GenlInput;

const MAGIC: &str = "genl-fuzz reproducer 1";

pub struct Repro {
    pub family: String,
    pub datagrams: Vec<Vec<u8>>,
    pub answered: Vec<bool>,
    pub fail_nth: Vec<u8>,
}

fn encode(family: &str, datagrams: &[Vec<u8>], input: &GenlInput) -> Vec<u8> {
    let join = |v: Vec<String>| v.join(" ");
    let answered = join(
        input
            .msgs
            .iter()
            .map(|m| u8::from(m.answered()).to_string())
            .collect(),
    );
    let fail_nth = join(input.msgs.iter().map(|m| m.fail_nth.to_string()).collect());
    let mut b = format!("{MAGIC}\nfamily {family}\nanswered {answered}\nfail-nth {fail_nth}\n\n")
        .into_bytes();
    for d in datagrams {
        b.extend_from_slice(&(d.len() as u32).to_le_bytes());
        b.extend_from_slice(d);
    }
    b
}

/// Writes the input about to run (overwritten by each execution).
pub fn write(path: &Path, family: &str, datagrams: &[Vec<u8>], input: &GenlInput) -> Result<()> {
    fs::write(path, encode(family, datagrams, input))?;
    Ok(())
}

/// Saves a finding: `finding-N.genl` (the reproducer) and `finding-N.txt` (what broke, the
/// input as structure, the command that replays it).
pub fn save_finding(
    dir: &Path,
    family: &str,
    datagrams: &[Vec<u8>],
    input: &GenlInput,
    why: &str,
) -> Result<PathBuf> {
    let n = (1..)
        .find(|n| !dir.join(format!("finding-{n}.genl")).exists())
        .unwrap();
    let path = dir.join(format!("finding-{n}.genl"));
    write(&path, family, datagrams, input)?;
    let text = format!(
        "{why}\n\nreplay: genl-fuzz replay --spec specs/{family}.yaml {}\n\ninput: {input:#?}\n",
        path.display()
    );
    fs::write(dir.join(format!("finding-{n}.txt")), text)?;
    Ok(path)
}

pub fn read(path: &Path) -> Result<Repro> {
    let b = fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let end = b
        .windows(2)
        .position(|w| w == b"\n\n")
        .context("no end of the header")?;
    let head = std::str::from_utf8(&b[..end]).context("header is not text")?;
    let mut lines = head.lines();
    if lines.next() != Some(MAGIC) {
        bail!("{}: not a genl-fuzz reproducer", path.display());
    }
    let (mut family, mut answered, mut fail_nth) = (None, Vec::new(), Vec::new());
    for l in lines {
        match l.split_once(' ') {
            Some(("family", f)) => family = Some(f.to_owned()),
            Some(("answered", a)) => answered = a.split(' ').map(|x| x == "1").collect(),
            Some(("fail-nth", a)) => {
                fail_nth = a.split(' ').map(|x| x.parse().unwrap_or(0)).collect()
            }
            _ => bail!("{}: unknown header line {l:?}", path.display()),
        }
    }
    let mut rest = &b[end + 2..];
    let mut datagrams = Vec::new();
    while !rest.is_empty() {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            bail!("{}: a datagram's length cut short", path.display());
        };
        let len = u32::from_le_bytes(*len) as usize;
        if tail.len() < len {
            bail!("{}: a datagram cut short", path.display());
        }
        datagrams.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    answered.resize(datagrams.len(), false);
    fail_nth.resize(datagrams.len(), 0);
    Ok(Repro {
        family: family.context("no family line")?,
        datagrams,
        answered,
        fail_nth,
    })
}
