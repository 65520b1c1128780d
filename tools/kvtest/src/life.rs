// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Helpers of the lifecycle and privilege tests: `kvtest privs` tries every operation and
//! prints what the kernel said; `kvtest hold-dump` keeps a dump open midway so that the test can
//! try to unload the module under it.

use std::{path::PathBuf, time::Duration};

use anyhow::{bail, Context, Result};
use kvstore::spec::*;

use nlraw::{NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};

use crate::nl;

#[derive(clap::Args)]
pub struct PrivsArgs {
    /// The key to put, get and delete.
    #[arg(long, default_value = "privs/key")]
    pub key: String,
}

/// Prints one line per operation: `OP ok` or `OP ERRNO: extack message`.
pub fn privs(args: PrivsArgs) -> Result<()> {
    let sock = nl::open_socket(1 << 20, Duration::from_secs(10))?;
    let fam = nl::resolve(&sock).context("resolving kvstore")?;
    let mut buf = nl::recv_buf();
    let mut seq = 0;
    let mut key = Vec::new();
    nlraw::put_str(&mut key, ENTRY_KEY, args.key.as_bytes());
    let mut put = key.clone();
    nlraw::put_attr(&mut put, ENTRY_VALUE, b"privs");
    let ops: [(&str, u8, u16, &[u8]); 6] = [
        ("echo", CMD_ECHO, 0, &put),
        ("put", CMD_PUT, 0, &put), // no `mode`: upsert
        ("get", CMD_GET, 0, &key),
        ("dump", CMD_GET, NLM_F_DUMP, &[]),
        ("del", CMD_DEL, 0, &key),
        ("stats", CMD_STATS, 0, &[]),
    ];
    for (name, cmd, flags, attrs) in ops {
        seq += 1;
        let m = nlraw::genl_msg(
            fam.id,
            NLM_F_REQUEST | NLM_F_ACK | flags,
            seq,
            cmd,
            FAMILY_VERSION,
            attrs,
        );
        match nl::request(&sock, &mut buf, &m, seq)? {
            Ok(_) => println!("{name} ok"),
            Err(e) => println!(
                "{name} {}: {}",
                nl::errno_name(e.errno),
                e.msg.as_deref().unwrap_or("(no message)")
            ),
        }
    }
    match sock.join(fam.notify_group) {
        Ok(()) => println!("monitor ok"),
        Err(e) => println!(
            "monitor {}",
            e.raw_os_error().map_or("error".into(), nl::errno_name)
        ),
    }
    Ok(())
}

#[derive(clap::Args)]
pub struct HoldDumpArgs {
    /// Created once the first round of the dump has arrived; the dump is held until the file
    /// is removed, then read to the end.
    #[arg(long)]
    pub ready_file: PathBuf,
    /// Give up holding after this many seconds.
    #[arg(long, default_value_t = 120)]
    pub seconds: u64,
    /// Dump only keys under this prefix.
    #[arg(long)]
    pub prefix: Option<String>,
}

pub fn hold_dump(args: HoldDumpArgs) -> Result<()> {
    // A small receive buffer: the kernel fills one round and waits for us to read it.
    let sock = nl::open_socket(1, Duration::from_secs(30))?;
    let fam = nl::resolve(&sock).context("resolving kvstore")?;
    let mut attrs = Vec::new();
    if let Some(p) = &args.prefix {
        nlraw::put_str(&mut attrs, ENTRY_KEY, p.as_bytes());
    }
    let m = nlraw::genl_msg(
        fam.id,
        NLM_F_REQUEST | NLM_F_DUMP,
        7,
        CMD_GET,
        FAMILY_VERSION,
        &attrs,
    );
    sock.send(&m)?;
    let mut buf = nl::recv_buf();
    let mut entries = 0u64;
    let mut done = false;
    let mut count = |datagram: &[u8], done: &mut bool| {
        for m in nlraw::messages(datagram) {
            match m.ty {
                nlraw::NLMSG_DONE | nlraw::NLMSG_ERROR => *done = true,
                _ => entries += 1,
            }
        }
    };
    count(sock.recv(&mut buf)?, &mut done);
    if done {
        bail!("the dump ended in its first round: fill the store first");
    }
    std::fs::write(&args.ready_file, b"holding\n")?;
    eprintln!("hold-dump: holding a dump after its first round");
    let start = std::time::Instant::now();
    while args.ready_file.exists() && start.elapsed() < Duration::from_secs(args.seconds) {
        std::thread::sleep(Duration::from_millis(50));
    }
    while !done {
        count(sock.recv(&mut buf)?, &mut done);
    }
    println!("hold-dump: dump completed with {entries} entries");
    Ok(())
}
