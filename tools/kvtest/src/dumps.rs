// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvtest dumps`: how a dump ends, as the client library reports it. A dump must never pass
//! for the whole list when it is not:
//!
//! - `interrupted`: while a writer changes the store, some dumps end with
//!   [`Error::DumpInterrupted`] (the kernel's `NLM_F_DUMP_INTR`), and
//!   [`Client::list_consistent`] returns the whole list once the writer stops;
//! - `faults` (needs failslab set up for this thread, as `62-resources.py` does): each slab
//!   allocation the dump makes is failed in turn through `/proc/thread-self/fail-nth`. Every
//!   outcome is the whole list or an error; errors the kernel reports after some entries
//!   arrive in `NLMSG_DONE` (or cut the connection) and are counted. kvstore's rounds resume
//!   by a borrowed key and allocate nothing of their own, so with it the failures land before
//!   the first entry, or in skbs the core allocates again.
//!
//! Prints one `ok NAME` / `not ok NAME: why` line per check (tests/guest/run counts them).

use std::{
    io::Write,
    os::unix::fs::FileExt,
    sync::atomic::{AtomicBool, AtomicU64, Ordering},
    time::Duration,
};

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use futures::StreamExt;
use kvstore::{blocking, Client, Error, PutRequest};

#[derive(Clone, Copy, ValueEnum)]
pub enum Check {
    Interrupted,
    Faults,
}

#[derive(Args)]
pub struct DumpsArgs {
    /// Which check.
    #[arg(long, value_enum)]
    check: Check,
    /// The prefix `kvtest fill` wrote COUNT entries under.
    #[arg(long)]
    prefix: String,
    #[arg(long)]
    count: usize,
    /// Most dumps (interrupted) or allocations (faults) to try.
    #[arg(long, default_value_t = 60)]
    tries: u32,
}

fn report(name: &str, result: std::result::Result<String, String>) {
    match result {
        Ok(detail) => println!("ok {name} ({detail})"),
        Err(why) => println!("not ok {name}: {why}"),
    }
    std::io::stdout().flush().ok();
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Entries received before the stream ended, and how it ended; a dump that has not ended
/// after 60 s is reported as an error of its own.
fn dump(rt: &tokio::runtime::Runtime, client: &Client, prefix: &str) -> (usize, Option<Error>) {
    rt.block_on(async {
        let mut stream = std::pin::pin!(client.list(prefix.as_bytes()));
        let mut n = 0;
        loop {
            match tokio::time::timeout(Duration::from_secs(60), stream.next()).await {
                Err(_) => return (n, Some(Error::Malformed("hung: no reply for 60 s".into()))),
                Ok(None) => return (n, None),
                Ok(Some(Ok(_))) => n += 1,
                Ok(Some(Err(e))) => return (n, Some(e)),
            }
        }
    })
}

pub fn run(args: DumpsArgs) -> Result<()> {
    match args.check {
        Check::Interrupted => interrupted(&args),
        Check::Faults => faults(&args),
    }
}

fn interrupted(args: &DumpsArgs) -> Result<()> {
    let rt = runtime()?;
    let client = rt.block_on(Client::connect())?;
    let writer = blocking::Client::connect()?;
    let stop = AtomicBool::new(false);
    let writes = AtomicU64::new(0);
    let key = format!("{}~writer", args.prefix);
    let (mut whole, mut interrupted, mut wrong) = (0, 0, Vec::new());
    std::thread::scope(|s| -> Result<()> {
        let writer = s.spawn(|| -> Result<()> {
            while !stop.load(Ordering::Relaxed) {
                writer.put(&PutRequest::new(key.as_str(), "v"))?;
                writes.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        });
        for _ in 0..args.tries {
            match dump(&rt, &client, &args.prefix) {
                (n, None) if n == args.count || n == args.count + 1 => whole += 1,
                (_, Some(Error::DumpInterrupted)) => interrupted += 1,
                (n, e) => wrong.push(format!("{n} entries, {e:?}")),
            }
            if interrupted >= 3 {
                break;
            }
        }
        stop.store(true, Ordering::Relaxed);
        writer.join().expect("writer thread")?;
        Ok(())
    })?;
    let detail = format!(
        "{interrupted} interrupted, {whole} whole, {} writes",
        writes.load(Ordering::Relaxed)
    );
    report(
        "dumps: a dump the writer interrupted says so; none is short",
        if interrupted > 0 && wrong.is_empty() {
            Ok(detail)
        } else {
            Err(format!("{detail}; wrong: {wrong:?}"))
        },
    );
    let all = rt.block_on(client.list_consistent(args.prefix.as_bytes(), 3));
    report(
        "dumps: list_consistent gives the whole list once the store is quiet",
        match all {
            Ok(v) if v.len() == args.count + 1 => Ok(format!("{} entries", v.len())),
            Ok(v) => Err(format!("{} entries, expected {}", v.len(), args.count + 1)),
            Err(e) => Err(e.to_string()),
        },
    );
    Ok(())
}

fn faults(args: &DumpsArgs) -> Result<()> {
    let rt = runtime()?;
    let (mut whole, mut before, mut in_done, mut cut, mut wrong) = (0, 0, 0, 0, Vec::new());
    let mut reached_end = false;
    for nth in 1..=args.tries {
        // Connected first: only the dump's own allocations are counted.
        let client = rt.block_on(Client::connect())?;
        let fail_nth = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/proc/thread-self/fail-nth")
            .context("/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)")?;
        // procfs's fail-nth cannot seek: positional reads and writes, as pread/pwrite.
        fail_nth.write_at(nth.to_string().as_bytes(), 0)?;
        let outcome = dump(&rt, &client, &args.prefix);
        let mut left = [0u8; 16];
        let n = fail_nth.read_at(&mut left, 0)?;
        let left = String::from_utf8_lossy(&left[..n]).into_owned();
        fail_nth.write_at(b"0", 0)?;
        match outcome {
            (n, None) if n == args.count => whole += 1,
            (0, Some(_)) => before += 1,
            (_, Some(Error::Kernel(e))) if e.in_done => in_done += 1,
            // The kernel could not queue the next round (ENOBUFS): the dump is cut, and says so.
            (_, Some(Error::Io(e))) if e.raw_os_error() == Some(libc::ENOBUFS) => cut += 1,
            (n, e) => wrong.push(format!("fail-nth {nth}: {n} entries, {e:?}")),
        }
        // The dump made fewer than nth allocations: every one of them was tried.
        if left.trim() != "0" {
            reached_end = true;
            break;
        }
    }
    let detail = format!(
        "{whole} whole, {before} failed before an entry, {in_done} in NLMSG_DONE, {cut} cut"
    );
    report(
        "dumps: a dump failed at any allocation ends in an error, never as a short list",
        if wrong.is_empty() && reached_end {
            Ok(detail)
        } else {
            Err(format!(
                "{detail}; every allocation tried: {reached_end}; wrong: {wrong:?}"
            ))
        },
    );
    Ok(())
}
