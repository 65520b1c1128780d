// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvtest`: drives kvstore over a raw generic netlink socket, many requests per `sendmsg`,
//! for what the client library is too polite for: loading a million entries and checking that
//! a dump of them arrives whole.

use anyhow::{bail, Result};
use clap::{Parser, Subcommand};
use genl_client::exchange::{messages, write_request, Expect, Msg};
use kvstore::{client_gen as gen, spec};
use netlink_packet_core::{NLMSG_DONE, NLMSG_ERROR, NLM_F_DUMP_INTR};
use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};

mod clients;
mod dumps;
mod fuzz;
mod life;
mod nl;
mod stress;

#[derive(Parser)]
#[command(about = "Bulk load and dump checks for kvstore (test tool)")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Put COUNT entries PREFIX00000000.. with BATCH requests per sendmsg.
    Fill {
        #[arg(long)]
        count: u32,
        #[arg(long)]
        prefix: String,
        #[arg(long, default_value_t = 256)]
        batch: u32,
        #[arg(long, default_value_t = 8)]
        value_len: usize,
        /// Sockets putting in parallel, each its share of the keys.
        #[arg(long, default_value_t = 2)]
        threads: u32,
    },
    /// Dump entries under PREFIX and check they are exactly the COUNT that `fill` wrote, in
    /// order, each once, with the values `fill` gave them.
    DumpCheck {
        #[arg(long)]
        count: u32,
        #[arg(long)]
        prefix: String,
        #[arg(long, default_value_t = 8)]
        value_len: usize,
    },
    /// Send seeded, mutated kvstore messages from several threads and namespaces.
    Fuzz(fuzz::FuzzArgs),
    /// Writers, readers, dumpers and a monitor at once, checking the store's invariants.
    Stress(stress::StressArgs),
    /// Try every operation; print what the kernel answered to each.
    Privs(life::PrivsArgs),
    /// Keep a dump open after its first round until a file is removed.
    HoldDump(life::HoldDumpArgs),
    /// The same requests through the blocking and the async client: kernel answers and errors
    /// must match (prints ok/not ok lines).
    Clients(clients::ClientsArgs),
    /// How dumps end through the client library: interrupted by a writer, or failed by
    /// injected allocation failures (prints ok/not ok lines).
    Dumps(dumps::DumpsArgs),
}

fn key(prefix: &str, i: u32) -> String {
    format!("{prefix}{i:08}")
}

fn value(i: u32, len: usize) -> Vec<u8> {
    i.to_le_bytes().iter().copied().cycle().take(len).collect()
}

/// A socket that sends requests in batches, on the client runtime's codec: requests written
/// by `write_request` with the generated `entry` codec, replies read in place.
struct Raw {
    sock: Socket,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
}

impl Raw {
    fn open() -> Result<Self> {
        let family = kvstore::blocking::Client::connect()?.family_id();
        let mut sock = Socket::new(NETLINK_GENERIC)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        sock.set_ext_ack(true)?;
        // Replies to a whole batch must fit while we are still sending.
        sock.set_rx_buf_sz(8 << 20)?;
        Ok(Self {
            sock,
            family,
            seq: 0,
            buf: Vec::with_capacity(1 << 20),
        })
    }

    /// Appends a request of `entry`'s attributes to `out`.
    fn encode(
        &mut self,
        out: &mut Vec<u8>,
        cmd: u8,
        entry: &gen::Entry,
        expect: Expect,
    ) -> Result<()> {
        self.seq += 1;
        let mut one = Vec::new();
        write_request(
            &mut one,
            self.family,
            cmd,
            spec::FAMILY_VERSION,
            expect,
            self.seq,
            |o| entry.encode(o),
            None,
        )?;
        out.extend_from_slice(&one);
        Ok(())
    }

    /// One datagram: its messages are read with `messages`.
    fn recv(&mut self) -> Result<&[u8]> {
        self.buf.clear();
        let n = self.sock.recv(&mut self.buf, libc::MSG_TRUNC)?;
        if n > self.buf.len() {
            bail!("datagram of {n} bytes truncated to {}", self.buf.len());
        }
        Ok(&self.buf)
    }
}

/// A reply's errno, if it is an error (`NLMSG_ERROR` with a nonzero code).
fn error_of(m: &Msg) -> Option<std::io::Error> {
    let code = i32::from_ne_bytes(m.body.get(..4)?.try_into().ok()?);
    (m.ty == NLMSG_ERROR && code != 0).then(|| std::io::Error::from_raw_os_error(-code))
}

fn fill(count: u32, prefix: &str, batch: u32, value_len: usize, threads: u32) -> Result<()> {
    let threads = threads.max(1);
    let per = count.div_ceil(threads);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let (from, to) = ((t * per).min(count), ((t + 1) * per).min(count));
                s.spawn(move || fill_range(from, to, prefix, batch, value_len))
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("fill thread panicked"))
    })?;
    println!("filled {count} entries under '{prefix}'");
    Ok(())
}

fn fill_range(from: u32, to: u32, prefix: &str, batch: u32, value_len: usize) -> Result<()> {
    let mut raw = Raw::open()?;
    let mut sent = from;
    let mut out = Vec::new();
    while sent < to {
        let n = batch.min(to - sent);
        out.clear();
        for i in sent..sent + n {
            // No `mode` attribute: upsert.
            let entry = gen::Entry {
                key: Some(key(prefix, i).into()),
                value: Some(value(i, value_len)),
                ..Default::default()
            };
            raw.encode(&mut out, spec::CMD_PUT, &entry, Expect::Reply)?;
        }
        raw.sock.send(&out, 0)?;
        let mut replies = 0;
        while replies < n {
            let family = raw.family;
            for msg in messages(raw.recv()?) {
                let msg = msg?;
                if let Some(e) = error_of(&msg) {
                    bail!("put #{} failed: {e}", msg.seq);
                }
                if msg.ty != family {
                    bail!("unexpected reply of type {}", msg.ty);
                }
                replies += 1;
            }
        }
        sent += n;
    }
    Ok(())
}

fn dump_check(count: u32, prefix: &str, value_len: usize) -> Result<()> {
    let mut raw = Raw::open()?;
    let mut out = Vec::new();
    let req = gen::Entry {
        key: Some(prefix.into()),
        ..Default::default()
    };
    raw.encode(&mut out, spec::CMD_GET, &req, Expect::Dump)?;
    raw.sock.send(&out, 0)?;
    let (mut next, mut wrong, mut intr, mut datagrams) = (0u32, 0u64, 0u64, 0u64);
    let mut first_problem = None;
    'outer: loop {
        datagrams += 1;
        for msg in messages(raw.recv()?) {
            let msg = msg?;
            if msg.flags & NLM_F_DUMP_INTR != 0 {
                intr += 1;
            }
            if let Some(e) = error_of(&msg) {
                bail!("dump failed: {e}");
            }
            match msg.ty {
                NLMSG_DONE => break 'outer,
                NLMSG_ERROR => {}
                _ => {
                    let e = gen::Entry::decode(msg.genl()?.1)?;
                    let expected = key(prefix, next);
                    if e.key.as_deref() != Some(expected.as_bytes())
                        || e.value != Some(value(next, value_len))
                    {
                        wrong += 1;
                        first_problem.get_or_insert(format!(
                            "entry #{next}: expected key {expected}, got {:?}",
                            e.key
                        ));
                    }
                    next += 1;
                }
            }
        }
    }
    println!(
        "dumped {next} entries in {datagrams} datagrams: expected {count}, {wrong} wrong or out of \
         order, {intr} flagged NLM_F_DUMP_INTR"
    );
    if next != count || wrong != 0 {
        bail!(
            "dump incomplete or wrong: {next} of {count} entries, {wrong} wrong ({})",
            first_problem.unwrap_or_default()
        );
    }
    Ok(())
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Fill {
            count,
            prefix,
            batch,
            value_len,
            threads,
        } => fill(count, &prefix, batch, value_len, threads),
        Cmd::DumpCheck {
            count,
            prefix,
            value_len,
        } => dump_check(count, &prefix, value_len),
        Cmd::Fuzz(args) => fuzz::run(args),
        Cmd::Stress(args) => stress::run(args),
        Cmd::Privs(args) => life::privs(args),
        Cmd::HoldDump(args) => life::hold_dump(args),
        Cmd::Clients(args) => clients::run(args),
        Cmd::Dumps(args) => dumps::run(args),
    }
}
