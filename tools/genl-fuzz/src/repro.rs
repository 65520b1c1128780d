// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Reproducers: requests as sent, in a file any tool can replay.
//!
//! The format: two text lines (`genl-fuzz reproducer 2`, `family NAME`) and an empty line,
//! then one record per request: its length (`u32`, little-endian), a flags byte (bit 0: it
//! must get exactly one answer), the slab allocation of it to fail (a byte, 0 for none), and
//! the datagram. Its message type and sequence number are set when it is sent (the family's
//! ID is the running kernel's). Records append, so a run's history is one such file too.

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
};

use anyhow::{bail, Context, Result};

use crate::input::GenlInput;

const MAGIC: &str = "genl-fuzz reproducer 2";

#[derive(Default)]
pub struct Repro {
    pub family: String,
    pub datagrams: Vec<Vec<u8>>,
    pub answered: Vec<bool>,
    pub fail_nth: Vec<u8>,
}

pub fn header(family: &str) -> Vec<u8> {
    format!("{MAGIC}\nfamily {family}\n\n").into_bytes()
}

/// The records of an input's requests.
pub fn records(datagrams: &[Vec<u8>], input: &GenlInput) -> Vec<u8> {
    let mut b = Vec::new();
    for (d, m) in datagrams.iter().zip(&input.msgs) {
        b.extend_from_slice(&(d.len() as u32).to_le_bytes());
        b.extend_from_slice(&[u8::from(m.answered()), m.fail_nth]);
        b.extend_from_slice(d);
    }
    b
}

/// A run's history: every request sent, appended as it goes (unbuffered, so that it is whole
/// when the kernel kills the task).
pub struct History {
    file: fs::File,
    pub path: PathBuf,
}

impl History {
    pub fn create(path: PathBuf, family: &str) -> Result<Self> {
        let mut file =
            fs::File::create(&path).with_context(|| format!("creating {}", path.display()))?;
        file.write_all(&header(family))?;
        Ok(Self { file, path })
    }

    pub fn append(&mut self, datagrams: &[Vec<u8>], input: &GenlInput) -> Result<()> {
        self.file.write_all(&records(datagrams, input))?;
        Ok(())
    }
}

/// Saves a finding: `finding-N.genl` (its input), `finding-N.with-history.genl` (every
/// request the run sent, ending with it: a finding may need the state earlier ones made) and
/// `finding-N.txt` (what broke, the input as structure, the commands that replay it).
pub fn save_finding(
    dir: &Path,
    family: &str,
    datagrams: &[Vec<u8>],
    input: &GenlInput,
    history: Option<&Path>,
    why: &str,
) -> Result<PathBuf> {
    let n = (1..)
        .find(|n| !dir.join(format!("finding-{n}.genl")).exists())
        .unwrap();
    let path = dir.join(format!("finding-{n}.genl"));
    let mut b = header(family);
    b.extend(records(datagrams, input));
    fs::write(&path, b)?;
    let replay = |p: &Path| {
        format!(
            "genl-fuzz replay --spec specs/{family}.yaml {}",
            p.display()
        )
    };
    let mut how = replay(&path);
    if let Some(h) = history {
        // The history already ends with this input: it was appended before it ran.
        let saved = dir.join(format!("finding-{n}.with-history.genl"));
        fs::copy(h, &saved)?;
        how = format!("{how}\nwith the state the run had made: {}", replay(&saved));
    }
    let text = format!("{why}\n\nreplay, on a freshly loaded module: {how}\n\ninput: {input:#?}\n");
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
        bail!("{}: not a genl-fuzz reproducer ({MAGIC})", path.display());
    }
    let mut r = Repro::default();
    for l in lines {
        match l.split_once(' ') {
            Some(("family", f)) => r.family = f.to_owned(),
            _ => bail!("{}: unknown header line {l:?}", path.display()),
        }
    }
    if r.family.is_empty() {
        bail!("{}: no family line", path.display());
    }
    let mut rest = &b[end + 2..];
    while !rest.is_empty() {
        let Some((head, tail)) = rest.split_first_chunk::<6>() else {
            bail!("{}: a record cut short", path.display());
        };
        let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
        if tail.len() < len {
            bail!("{}: a datagram cut short", path.display());
        }
        r.answered.push(head[4] & 1 != 0);
        r.fail_nth.push(head[5]);
        r.datagrams.push(tail[..len].to_vec());
        rest = &tail[len..];
    }
    Ok(r)
}
