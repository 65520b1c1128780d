// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvtest`: drives kvstore over a raw generic netlink socket, many requests per `sendmsg`,
//! for what the client library is too polite for: loading a million entries and checking that
//! a dump of them arrives whole.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use kvstore::{EntryAttr, KvstoreCmd, KvstoreMessage};
use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR,
    NLM_F_REQUEST,
};
use netlink_packet_generic::GenlMessage;
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

type Msg = NetlinkMessage<GenlMessage<KvstoreMessage>>;

struct Raw {
    sock: Socket,
    family: u16,
    seq: u32,
    buf: Vec<u8>,
}

impl Raw {
    fn open() -> Result<Self> {
        let family = kvstore::blocking::Client::connect()?.as_async().family_id();
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
            buf: vec![0; 1 << 20],
        })
    }

    fn encode(&mut self, out: &mut Vec<u8>, cmd: KvstoreCmd, attrs: Vec<EntryAttr>, flags: u16) {
        let mut genl = GenlMessage::from_payload(KvstoreMessage::new(cmd, attrs));
        genl.set_resolved_family_id(self.family);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | flags;
        self.seq += 1;
        header.sequence_number = self.seq;
        let mut msg = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(genl));
        msg.finalize();
        let start = out.len();
        out.resize(start + msg.buffer_len(), 0);
        msg.serialize(&mut out[start..]);
    }

    /// Receives one datagram and returns its messages.
    fn recv(&mut self) -> Result<Vec<Msg>> {
        let mut slice = &mut self.buf[..];
        let n = self.sock.recv(&mut slice, 0)?;
        if n > self.buf.len() {
            bail!("datagram of {n} bytes truncated to {}", self.buf.len());
        }
        let mut msgs = Vec::new();
        let mut off = 0;
        while off < n {
            let msg = Msg::deserialize(&self.buf[off..n]).context("undecodable message")?;
            let len = msg.header.length as usize;
            if len == 0 {
                bail!("zero-length netlink message");
            }
            off += (len + 3) & !3;
            msgs.push(msg);
        }
        Ok(msgs)
    }
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
            let attrs = vec![
                EntryAttr::Key(key(prefix, i).into()),
                EntryAttr::Value(value(i, value_len)),
            ];
            // No `mode` attribute: upsert.
            raw.encode(&mut out, KvstoreCmd::Put, attrs, 0);
        }
        raw.sock.send(&out, 0)?;
        let mut replies = 0;
        while replies < n {
            for msg in raw.recv()? {
                match msg.payload {
                    NetlinkPayload::InnerMessage(_) => replies += 1,
                    NetlinkPayload::Error(e) if e.code.is_some() => {
                        bail!("put #{} failed: {}", msg.header.sequence_number, e.to_io())
                    }
                    other => bail!("unexpected reply {other:?}"),
                }
            }
        }
        sent += n;
    }
    Ok(())
}

fn dump_check(count: u32, prefix: &str, value_len: usize) -> Result<()> {
    let mut raw = Raw::open()?;
    let mut out = Vec::new();
    raw.encode(
        &mut out,
        KvstoreCmd::Get,
        vec![EntryAttr::Key(prefix.into())],
        NLM_F_DUMP | NLM_F_ACK,
    );
    raw.sock.send(&out, 0)?;
    let (mut next, mut wrong, mut intr, mut datagrams) = (0u32, 0u64, 0u64, 0u64);
    let mut first_problem = None;
    'outer: loop {
        datagrams += 1;
        for msg in raw.recv()? {
            if msg.header.flags & NLM_F_DUMP_INTR != 0 {
                intr += 1;
            }
            match msg.payload {
                NetlinkPayload::Done(_) => break 'outer,
                NetlinkPayload::Error(e) if e.code.is_some() => bail!("dump failed: {}", e.to_io()),
                NetlinkPayload::InnerMessage(genl) => {
                    let mut k = None;
                    let mut v = None;
                    for a in genl.payload.attrs {
                        match a {
                            EntryAttr::Key(s) => k = Some(s),
                            EntryAttr::Value(b) => v = Some(b),
                            _ => {}
                        }
                    }
                    let expected = key(prefix, next);
                    if k.as_deref() != Some(expected.as_bytes())
                        || v != Some(value(next, value_len))
                    {
                        wrong += 1;
                        first_problem.get_or_insert(format!(
                            "entry #{next}: expected key {expected}, got {k:?}"
                        ));
                    }
                    next += 1;
                }
                _ => {}
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
