// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvbench`: kvstore against its C twin (`tools/bench/ctwin`, family `kvctwin`) and the raw-socket
//! floor, in one run on one kernel. Runs in the guest with both modules loaded (`scripts/bench`,
//! and the smoke run of `tests/guest/70-bench-smoke.sh`); prints one table and writes the numbers
//! as JSON for `scripts/bench` to plot. It asserts nothing about speed: it fails only when a
//! request fails or a measurement cannot be made.
//!
//! 1. `echo` round trips, p50/p99 latency and ops/s with 1 and 2 threads: kvstore through the
//!    client library, kvstore and the C twin through the same raw loop, and nlctrl's
//!    `CTRL_CMD_GETFAMILY` do as the kernel's own baseline.
//! 2. `get` dumps of N entries (entries/s, MB/s): kvstore vs the C twin.
//! 3. `put` throughput (raw batched, raw one at a time, client library) and slab memory per entry;
//!    the C twin's put through the same raw loop, one at a time, into a tree of the same size.
//! 4. Notifications to 1 and 4 listeners: events/s, with every loss counted.

use std::{
    fmt::Write as _,
    sync::{
        atomic::{AtomicBool, Ordering},
        Barrier,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use nlraw::{messages, set_seq, Builder, Family, RecvBuf, Sock};

/// Numbers shared by kvstore (specs/kvstore.yaml) and the C twin.
const CMD_ECHO: u8 = 1;
const CMD_PUT: u8 = 2;
const CMD_GET: u8 = 3;
const CMD_DEL: u8 = 4;
const CMD_NEW_NTF: u8 = 6;
/// The C twin's own `fill` do: builds N synthetic entries (count in `generation`).
const CMD_CTWIN_FILL: u8 = 8;
const A_KEY: u16 = 1;
const A_VALUE: u16 = 2;
const A_FLAGS: u16 = 3;
const A_GENERATION: u16 = 4;

#[derive(Parser)]
#[command(about = "Benchmark kvstore against its C twin and the raw-socket floor (in the guest)")]
struct Cli {
    /// Tiny counts for a smoke run (asserts nothing about speed).
    #[arg(long)]
    smoke: bool,
    /// Measured echo round trips per thread and variant.
    #[arg(long)]
    echo_iters: Option<usize>,
    /// Dump sizes (entries), ascending, comma-separated.
    #[arg(long, value_delimiter = ',')]
    dump_sizes: Option<Vec<u32>>,
    /// Dumps per size and family (the fastest counts).
    #[arg(long)]
    dump_reps: Option<u32>,
    /// Puts one at a time, through the raw loop and through the client library.
    #[arg(long)]
    single_puts: Option<u32>,
    /// Notification events per listener count.
    #[arg(long)]
    notify_events: Option<u32>,
    /// Write the results as JSON here.
    #[arg(long)]
    json: Option<String>,
    /// Only run N client-library echo round trips (for strace/callgrind), then exit.
    #[arg(long, hide = true)]
    profile_client: Option<usize>,
    /// Only run N raw-loop echo round trips to kvstore (for strace/callgrind), then exit.
    #[arg(long, hide = true)]
    profile_raw: Option<usize>,
}

struct Params {
    echo_iters: usize,
    echo_warmup: usize,
    dump_sizes: Vec<u32>,
    dump_reps: u32,
    single_puts: u32,
    notify_events: u32,
    fill_batch: u32,
    fill_threads: u32,
}

impl Params {
    fn from(cli: &Cli) -> Self {
        let mut p = if cli.smoke {
            Params {
                echo_iters: 200,
                echo_warmup: 20,
                dump_sizes: vec![100, 1000],
                dump_reps: 1,
                single_puts: 100,
                notify_events: 200,
                fill_batch: 64,
                fill_threads: 2,
            }
        } else {
            Params {
                echo_iters: 10_000,
                echo_warmup: 500,
                dump_sizes: vec![10_000, 100_000, 1_000_000],
                dump_reps: 3,
                single_puts: 5_000,
                notify_events: 20_000,
                fill_batch: 256,
                fill_threads: 2,
            }
        };
        if let Some(v) = cli.echo_iters {
            p.echo_iters = v;
        }
        if let Some(v) = &cli.dump_sizes {
            p.dump_sizes = v.clone();
        }
        if let Some(v) = cli.dump_reps {
            p.dump_reps = v.max(1);
        }
        if let Some(v) = cli.single_puts {
            p.single_puts = v;
        }
        if let Some(v) = cli.notify_events {
            p.notify_events = v;
        }
        p
    }
}

/// kvstore's dump entries and the C twin's synthetic ones: same keys, values and flags.
fn key(prefix: char, i: u32) -> String {
    format!("{prefix}{i:08}")
}

fn value(i: u32) -> [u8; 8] {
    let b = i.to_le_bytes();
    [b[0], b[1], b[2], b[3], b[0], b[1], b[2], b[3]]
}

// ---------------------------------------------------------------------------------------------
// Measurements
// ---------------------------------------------------------------------------------------------

/// Latencies of one thread's measured phase, and when it ran.
struct ThreadRun {
    lat_ns: Vec<u64>,
    start: Instant,
    end: Instant,
}

/// Runs `f` on `threads` threads; each warms up, waits at the barrier, then measures.
fn run_threads<F>(threads: usize, f: F) -> Result<Vec<ThreadRun>>
where
    F: Fn(&Barrier) -> Result<ThreadRun> + Sync,
{
    let barrier = Barrier::new(threads);
    std::thread::scope(|s| {
        let hs: Vec<_> = (0..threads).map(|_| s.spawn(|| f(&barrier))).collect();
        hs.into_iter()
            .map(|h| h.join().expect("benchmark thread panicked"))
            .collect()
    })
}

#[derive(Clone, Copy, Default)]
struct EchoStats {
    p50_ns: u64,
    p99_ns: u64,
    ops_per_s: f64,
}

fn summarize(runs: Vec<ThreadRun>) -> EchoStats {
    let start = runs.iter().map(|r| r.start).min().unwrap();
    let end = runs.iter().map(|r| r.end).max().unwrap();
    let mut lat: Vec<u64> = runs.into_iter().flat_map(|r| r.lat_ns).collect();
    lat.sort_unstable();
    let n = lat.len();
    EchoStats {
        p50_ns: lat[n / 2],
        p99_ns: lat[(n * 99 / 100).min(n - 1)],
        ops_per_s: n as f64 / (end - start).as_secs_f64(),
    }
}

/// One request at a time on a raw socket: send the pre-encoded request, wait for its reply.
/// Runs `warmup` then `iters` requests (`run`, timed; `check`, its result checked after), the
/// timed ones started together with the other threads' at `barrier`.
fn timed<T>(
    warmup: usize,
    iters: usize,
    barrier: &Barrier,
    mut run: impl FnMut(usize) -> Result<T>,
    mut check: impl FnMut(T) -> Result<()>,
) -> Result<ThreadRun> {
    let mut lat = Vec::with_capacity(iters);
    let mut start = Instant::now();
    for i in 0..warmup + iters {
        if i == warmup {
            barrier.wait();
            start = Instant::now();
        }
        let t0 = Instant::now();
        let out = run(i)?;
        if i >= warmup {
            lat.push(t0.elapsed().as_nanos() as u64);
        }
        check(out)?;
    }
    Ok(ThreadRun {
        lat_ns: lat,
        start,
        end: Instant::now(),
    })
}

fn raw_loop(
    req: &[u8],
    reply_ty: u16,
    warmup: usize,
    iters: usize,
    barrier: &Barrier,
) -> Result<ThreadRun> {
    let sock = Sock::open()?;
    let mut req = req.to_vec();
    let mut buf = RecvBuf::new(64 << 10);
    let mut run = |i: usize| -> Result<()> {
        let seq = i as u32 + 1;
        set_seq(&mut req, seq);
        sock.send(&req)?;
        loop {
            let data = sock.recv(&mut buf)?;
            for m in messages(data) {
                match m.error() {
                    Some(0) => {}
                    Some(e) => bail!("request failed: errno {}", -e),
                    None if m.seq == seq && m.ty == reply_ty => return Ok(()),
                    None => {}
                }
            }
        }
    };
    timed(warmup, iters, barrier, &mut run, |()| Ok(()))
}

/// Resolves a family on a socket of its own; `None` if it is not registered.
fn resolve(name: &str) -> Result<Option<Family>> {
    let sock = Sock::open()?;
    match nlraw::resolve_family(&sock, &mut RecvBuf::new(64 << 10), name) {
        Ok(family) => Ok(Some(family)),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(None),
        Err(e) => Err(e).with_context(|| format!("CTRL_CMD_GETFAMILY {name}")),
    }
}

fn echo_request(family: u16) -> Vec<u8> {
    let mut b = Builder::new();
    b.msg(family, nlraw::NLM_F_REQUEST, 0, CMD_ECHO, 1)
        .str(A_KEY, &key('b', 0))
        .attr(A_VALUE, &value(0))
        .u32(A_FLAGS, 0)
        .u64(A_GENERATION, 1);
    b.buf
}

/// The echo the client loops send: every attribute the raw loop's request has.
fn client_echo_request() -> kvstore::Echo {
    kvstore::Echo {
        key: Some(key('b', 0).into()),
        value: Some(value(0).to_vec()),
        flags: Some(kvstore::EntryFlags(0)),
        generation: Some(1),
        ..Default::default()
    }
}

/// Echo through the blocking client, the reply decoded into an owned `Echo`.
fn client_echo_loop(warmup: usize, iters: usize, barrier: &Barrier) -> Result<ThreadRun> {
    let client = kvstore::blocking::Client::connect()?;
    let req = client_echo_request();
    timed(
        warmup,
        iters,
        barrier,
        |_| Ok(client.echo(&req)?),
        |reply| {
            ensure!(reply == req, "echo reply differs from the request");
            Ok(())
        },
    )
}

const ECHO_VARIANTS: [&str; 5] = [
    "kvstore, client library",
    "kvstore, raw loop",
    "C twin, raw loop",
    "nlctrl GETFAMILY, raw loop",
    "kvstore, library in place",
];

/// Echo through the generated client's zero-copy form: the reply read in place, checked as the
/// raw loop checks its reply, by its size (the attributes sent back).
fn client_echo_in_place_loop(warmup: usize, iters: usize, barrier: &Barrier) -> Result<ThreadRun> {
    let mut client = kvstore::client_gen::Client::connect()?;
    let req = client_echo_request();
    let req_size = req.encoded()?.len();
    timed(
        warmup,
        iters,
        barrier,
        |_| Ok(client.echo_ref(&req)?.0.len()),
        |size| {
            ensure!(size == req_size, "echo reply differs from the request");
            Ok(())
        },
    )
}

fn echo_bench(p: &Params, kv: &Family, ct: &Family) -> Result<Vec<[EchoStats; 2]>> {
    let kv_req = echo_request(kv.id);
    let ct_req = echo_request(ct.id);
    let ctrl_req = nlraw::getfamily_request("kvstore", 0, 0);
    let mut out = Vec::new();
    for (v, variant) in ECHO_VARIANTS.iter().enumerate() {
        let mut per = [EchoStats::default(); 2];
        for (slot, threads) in [1usize, 2].into_iter().enumerate() {
            let (w, n) = (p.echo_warmup, p.echo_iters);
            let runs = run_threads(threads, |b| match v {
                0 => client_echo_loop(w, n, b),
                1 => raw_loop(&kv_req, kv.id, w, n, b),
                2 => raw_loop(&ct_req, ct.id, w, n, b),
                3 => raw_loop(&ctrl_req, nlraw::GENL_ID_CTRL, w, n, b),
                _ => client_echo_in_place_loop(w, n, b),
            })
            .with_context(|| format!("echo: {variant}"))?;
            per[slot] = summarize(runs);
        }
        eprintln!(
            "kvbench: echo {:<28} p50 {:>8.2} us  1 thr {:>9.0}/s  2 thr {:>9.0}/s",
            variant,
            per[0].p50_ns as f64 / 1e3,
            per[0].ops_per_s,
            per[1].ops_per_s
        );
        out.push(per);
    }
    Ok(out)
}

#[derive(Clone, Copy, Default)]
struct DumpRun {
    entries: u64,
    bytes: u64,
    secs: f64,
    intr: u64,
}

/// One whole `get` dump through the raw socket.
fn dump_once(family: u16) -> Result<DumpRun> {
    let sock = Sock::open()?;
    sock.set_rcvbuf(1 << 20)?;
    let mut b = Builder::new();
    b.msg(
        family,
        nlraw::NLM_F_REQUEST | nlraw::NLM_F_DUMP,
        1,
        CMD_GET,
        1,
    );
    // The kernel sizes dump skbs from the largest recvmsg (`max_recvmsg_len`): this size is part
    // of what is measured.
    let mut buf = RecvBuf::new(128 << 10);
    let mut r = DumpRun::default();
    let t0 = Instant::now();
    sock.send(&b.buf)?;
    'dump: loop {
        let data = sock.recv(&mut buf)?;
        r.bytes += data.len() as u64;
        for m in messages(data) {
            if m.flags & nlraw::NLM_F_DUMP_INTR != 0 {
                r.intr += 1;
            }
            match m.ty {
                nlraw::NLMSG_DONE => break 'dump,
                nlraw::NLMSG_ERROR => bail!("dump failed: errno {}", -m.error().unwrap_or(0)),
                t if t == family => r.entries += 1,
                _ => {}
            }
        }
    }
    r.secs = t0.elapsed().as_secs_f64();
    Ok(r)
}

fn dump_best(family: u16, n: u32, reps: u32) -> Result<DumpRun> {
    let mut best: Option<DumpRun> = None;
    for _ in 0..reps {
        let r = dump_once(family)?;
        ensure!(
            r.entries == n as u64,
            "dumped {} entries, expected {n}",
            r.entries
        );
        if best.is_none_or(|b| r.secs < b.secs) {
            best = Some(r);
        }
    }
    Ok(best.unwrap())
}

/// The fastest of `reps` whole `get` dumps through the blocking client library: every entry
/// decoded into a `kvstore::Entry`, as an application receives it.
fn dump_library_best(n: u32, reps: u32) -> Result<DumpRun> {
    let client = kvstore::blocking::Client::connect()?;
    let mut best: Option<DumpRun> = None;
    for _ in 0..reps {
        let t0 = Instant::now();
        let entries = client.list(b"")?;
        let secs = t0.elapsed().as_secs_f64();
        ensure!(
            entries.len() == n as usize,
            "listed {} entries, expected {n}",
            entries.len()
        );
        if best.is_none_or(|b| secs < b.secs) {
            best = Some(DumpRun {
                entries: entries.len() as u64,
                secs,
                ..Default::default()
            });
        }
    }
    Ok(best.unwrap())
}

/// The fastest of `reps` whole `get` dumps through the generated client's zero-copy form: each
/// entry handed over in place and counted (its size summed), as the raw loop counts it.
fn dump_in_place_best(n: u32, reps: u32) -> Result<DumpRun> {
    let mut client = kvstore::client_gen::Client::connect()?;
    let mut best: Option<DumpRun> = None;
    for _ in 0..reps {
        let (mut entries, mut bytes) = (0u64, 0u64);
        let t0 = Instant::now();
        client.get_dump_each(&Default::default(), |e| {
            entries += 1;
            bytes += e.0.len() as u64;
            Ok(())
        })?;
        let secs = t0.elapsed().as_secs_f64();
        ensure!(
            entries == n as u64 && bytes > entries,
            "read {entries} entries, expected {n}"
        );
        if best.is_none_or(|b| secs < b.secs) {
            best = Some(DumpRun {
                entries,
                secs,
                ..Default::default()
            });
        }
    }
    Ok(best.unwrap())
}

/// Waits for the replies (or acks) to `n` requests on `sock`.
fn await_replies(sock: &Sock, buf: &mut RecvBuf, n: u32, what: &str) -> Result<()> {
    let mut got = 0;
    while got < n {
        let data = sock.recv(buf)?;
        for m in messages(data) {
            match m.error() {
                Some(0) => got += 1,
                Some(e) => bail!("{what} #{} failed: errno {}", m.seq, -e),
                None => got += 1,
            }
        }
    }
    Ok(())
}

/// Puts (`CMD_PUT`) or deletes (`CMD_DEL`) keys `prefix{from..to}` in kvstore or the C twin,
/// `batch` requests per sendmsg, on `threads` sockets.
fn put_batched(
    family: u16,
    cmd: u8,
    prefix: char,
    from: u32,
    to: u32,
    batch: u32,
    threads: u32,
) -> Result<f64> {
    let per = (to - from).div_ceil(threads.max(1));
    let t0 = Instant::now();
    std::thread::scope(|s| {
        let ws: Vec<_> = (0..threads.max(1))
            .map(|t| {
                let (a, z) = ((from + t * per).min(to), (from + (t + 1) * per).min(to));
                s.spawn(move || -> Result<()> {
                    let sock = Sock::open()?;
                    sock.set_rcvbuf(8 << 20)?;
                    let mut buf = RecvBuf::new(1 << 20);
                    let mut b = Builder::new();
                    let mut i = a;
                    while i < z {
                        let n = batch.min(z - i);
                        b.buf.clear();
                        for j in i..i + n {
                            let m = b
                                .msg(
                                    family,
                                    nlraw::NLM_F_REQUEST, // no `mode` attribute: upsert
                                    j + 1,
                                    cmd,
                                    1,
                                )
                                .str(A_KEY, &key(prefix, j));
                            if cmd == CMD_PUT {
                                m.attr(A_VALUE, &value(j));
                            }
                        }
                        sock.send(&b.buf)?;
                        await_replies(&sock, &mut buf, n, "batched request")?;
                        i += n;
                    }
                    Ok(())
                })
            })
            .collect();
        ws.into_iter()
            .try_for_each(|w| w.join().expect("put thread panicked"))
    })?;
    Ok(t0.elapsed().as_secs_f64())
}

/// Puts one at a time through the raw loop: puts/s.
fn put_single_raw(family: u16, n: u32) -> Result<f64> {
    let sock = Sock::open()?;
    let mut buf = RecvBuf::new(64 << 10);
    let t0 = Instant::now();
    for i in 0..n {
        let mut b = Builder::new();
        b.msg(
            family,
            nlraw::NLM_F_REQUEST, // no `mode` attribute: upsert
            i + 1,
            CMD_PUT,
            1,
        )
        .str(A_KEY, &key('r', i))
        .attr(A_VALUE, &value(i));
        sock.send(&b.buf)?;
        await_replies(&sock, &mut buf, 1, "put")?;
    }
    Ok(n as f64 / t0.elapsed().as_secs_f64())
}

/// Puts one at a time through the client library: puts/s.
fn put_single_client(n: u32) -> Result<f64> {
    let client = kvstore::blocking::Client::connect()?;
    let t0 = Instant::now();
    for i in 0..n {
        client.put(&kvstore::PutRequest::new(key('c', i), value(i).to_vec()))?;
    }
    Ok(n as f64 / t0.elapsed().as_secs_f64())
}

fn ctwin_fill(family: u16, n: u32) -> Result<()> {
    let sock = Sock::open()?;
    let mut b = Builder::new();
    b.msg(
        family,
        nlraw::NLM_F_REQUEST | nlraw::NLM_F_ACK,
        1,
        CMD_CTWIN_FILL,
        1,
    )
    .u64(A_GENERATION, n as u64);
    sock.send(&b.buf)?;
    let mut buf = RecvBuf::new(64 << 10);
    await_replies(&sock, &mut buf, 1, "C twin fill")
}

/// Slab usage: `Slab:` of /proc/meminfo in bytes, and bytes per cache from /proc/slabinfo
/// (the cache's objects, free ones in its slabs included, times its object size).
struct SlabSnapshot {
    slab: u64,
    caches: Vec<(String, u64)>,
}

impl SlabSnapshot {
    /// Bytes in every cache's objects: `Slab:` without the pages' tails that hold no object, and
    /// without slab pages that came and went between the shrink and the reading.
    fn objects(&self) -> u64 {
        self.caches.iter().map(|&(_, bytes)| bytes).sum()
    }
}

fn slab_snapshot() -> Result<SlabSnapshot> {
    // Sockets, files and VMAs just released are freed after an RCU grace period (`call_rcu`):
    // wait for one (`membarrier`'s global command is `synchronize_rcu`), then give the callbacks
    // time to run, so that one reading does not hold objects the next one no longer does.
    // SAFETY: `membarrier` takes two integers and touches no memory of ours.
    let _ = unsafe {
        libc::syscall(
            libc::SYS_membarrier,
            1, /* MEMBARRIER_CMD_GLOBAL */
            0,
            0,
        )
    };
    std::thread::sleep(Duration::from_millis(200));
    // Empty slabs a cache keeps after its objects were freed (skbs of the fill's replies, freed
    // a moment ago) are not memory anything holds: give them back first, as writing a cache's
    // `shrink` file does, so Slab counts the pages live objects occupy.
    if let Ok(dir) = std::fs::read_dir("/sys/kernel/slab") {
        for cache in dir.flatten() {
            let _ = std::fs::write(cache.path().join("shrink"), "1");
        }
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo")?;
    let slab = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("Slab:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .context("no Slab: line in /proc/meminfo")?
        * 1024;
    let mut caches = Vec::new();
    if let Ok(info) = std::fs::read_to_string("/proc/slabinfo") {
        for l in info.lines().skip(2) {
            let f: Vec<&str> = l.split_whitespace().collect();
            if f.len() >= 4 {
                if let (Ok(num), Ok(size)) = (f[2].parse::<u64>(), f[3].parse::<u64>()) {
                    caches.push((f[0].to_string(), num * size));
                }
            }
        }
    }
    Ok(SlabSnapshot { slab, caches })
}

/// Caches that grew, largest growth first.
fn slab_growth(a: &SlabSnapshot, b: &SlabSnapshot) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = b
        .caches
        .iter()
        .map(|(name, bytes)| {
            let before = a
                .caches
                .iter()
                .find(|(n, _)| n == name)
                .map_or(0, |&(_, x)| x);
            (name.clone(), *bytes as i64 - before as i64)
        })
        .filter(|&(_, d)| d > 0)
        .collect();
    v.sort_by_key(|&(_, d)| -d);
    v.truncate(5);
    v
}

#[derive(Default)]
struct NotifyRun {
    listeners: usize,
    events: u32,
    received: Vec<u64>,
    enobufs: Vec<u64>,
    secs: f64,
    put_secs: f64,
    kernel_sent: u64,
    kernel_dropped: u64,
}

fn kv_stats() -> Result<kvstore::Stats> {
    Ok(kvstore::blocking::Client::connect()?.stats()?.stats)
}

/// `events` puts (batched, replacing 1024 keys) while `listeners` sockets read the notify group
/// with the default receive buffer. Every listener counts what it got and every ENOBUFS.
fn notify_bench(kv: &Family, listeners: usize, events: u32, batch: u32) -> Result<NotifyRun> {
    let group = kv.group("notify").context("kvstore has no notify group")?;
    let before = kv_stats()?;
    let ready = Barrier::new(listeners + 1);
    let done = AtomicBool::new(false);
    let family = kv.id;
    let (results, t0, put_secs) = std::thread::scope(|s| -> Result<_> {
        let hs: Vec<_> = (0..listeners)
            .map(|_| {
                s.spawn(|| -> Result<(u64, u64, Instant)> {
                    let sock = Sock::open()?;
                    sock.join(group)?;
                    sock.set_recv_timeout(Duration::from_millis(200))?;
                    let mut buf = RecvBuf::new(128 << 10);
                    let (mut got, mut enobufs, mut last) = (0u64, 0u64, Instant::now());
                    ready.wait();
                    while got < events as u64 {
                        match sock.recv_truncating(&mut buf) {
                            Ok(data) => {
                                for m in messages(data) {
                                    if m.ty == family && m.genl_cmd() == Some(CMD_NEW_NTF) {
                                        got += 1;
                                    }
                                }
                                last = Instant::now();
                            }
                            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => enobufs += 1,
                            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                                if done.load(Ordering::Acquire) {
                                    break;
                                }
                            }
                            Err(e) => return Err(e.into()),
                        }
                    }
                    Ok((got, enobufs, last))
                })
            })
            .collect();
        ready.wait();
        let t0 = Instant::now();
        let put = put_notify_load(family, events, batch);
        let put_secs = t0.elapsed().as_secs_f64();
        done.store(true, Ordering::Release);
        let results: Vec<_> = hs
            .into_iter()
            .map(|h| h.join().expect("listener panicked"))
            .collect::<Result<_>>()?;
        put?;
        Ok((results, t0, put_secs))
    })?;
    let after = kv_stats()?;
    let end = results.iter().map(|r| r.2).max().unwrap_or(t0);
    Ok(NotifyRun {
        listeners,
        events,
        received: results.iter().map(|r| r.0).collect(),
        enobufs: results.iter().map(|r| r.1).collect(),
        secs: end
            .saturating_duration_since(t0)
            .as_secs_f64()
            .max(put_secs),
        put_secs,
        kernel_sent: after.notify_sent - before.notify_sent,
        kernel_dropped: after.notify_dropped - before.notify_dropped,
    })
}

fn put_notify_load(family: u16, events: u32, batch: u32) -> Result<()> {
    let sock = Sock::open()?;
    sock.set_rcvbuf(8 << 20)?;
    let mut buf = RecvBuf::new(1 << 20);
    let mut b = Builder::new();
    let mut i = 0;
    while i < events {
        let n = batch.min(events - i);
        b.buf.clear();
        for j in i..i + n {
            b.msg(
                family,
                nlraw::NLM_F_REQUEST, // no `mode` attribute: upsert
                j + 1,
                CMD_PUT,
                1,
            )
            .str(A_KEY, &key('n', j % 1024))
            .attr(A_VALUE, &value(j));
        }
        sock.send(&b.buf)?;
        await_replies(&sock, &mut buf, n, "put")?;
        i += n;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

struct Report {
    mode: String,
    kernel: String,
    echo: Vec<[EchoStats; 2]>,
    /// (N, kvstore, C twin)
    dumps: Vec<(u32, DumpRun, DumpRun)>,
    /// (N, kvstore through the client library: decoded into entries, read in place).
    lib_dumps: Vec<(u32, DumpRun, DumpRun)>,
    put_batched: Vec<(u32, f64)>,
    put_single_raw: f64,
    /// The C twin's put through the same raw loop.
    put_single_raw_ctwin: f64,
    put_single_client: f64,
    slab_entries: u64,
    /// Slab objects freed by deleting the filled entries, over all caches.
    slab_bytes: i64,
    /// `Slab:` freed by deleting them.
    slab_meminfo_bytes: i64,
    /// Slab's growth over the fill (other caches' changes included).
    slab_fill_growth: i64,
    slab_caches: Vec<(String, i64)>,
    notify: Vec<NotifyRun>,
}

fn us(ns: u64) -> f64 {
    ns as f64 / 1e3
}

/// Slab bytes an entry of a 9-byte key and an 8-byte value may cost.
const SLAB_PER_ENTRY_TARGET: f64 = 64.0;

fn ratio_line(out: &mut String, name: &str, r: f64, target: Option<f64>) {
    let verdict = match target {
        Some(t) if r <= t => format!("target <= {t:.2}: met"),
        Some(t) => format!("target <= {t:.2}: MISSED by {:.1}%", (r / t - 1.0) * 100.0),
        None => "(reference)".into(),
    };
    let _ = writeln!(out, "  {name:<52} {r:>7.3}x   {verdict}");
}

impl Report {
    fn table(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(o, "kvbench: kernel {}, mode {}", self.kernel, self.mode);
        let _ = writeln!(o);
        let _ = writeln!(o, "1. echo round trip (one request in flight per thread)");
        let _ = writeln!(
            o,
            "  {:<28} {:>9} {:>9} {:>11} | {:>9} {:>9} {:>11}",
            "variant", "p50 us", "p99 us", "ops/s", "p50 us", "p99 us", "ops/s"
        );
        let _ = writeln!(o, "  {:<28} {:^31} | {:^31}", "", "1 thread", "2 threads");
        for (name, e) in ECHO_VARIANTS.iter().zip(&self.echo) {
            let _ = writeln!(
                o,
                "  {:<28} {:>9.2} {:>9.2} {:>11.0} | {:>9.2} {:>9.2} {:>11.0}",
                name,
                us(e[0].p50_ns),
                us(e[0].p99_ns),
                e[0].ops_per_s,
                us(e[1].p50_ns),
                us(e[1].p99_ns),
                e[1].ops_per_s
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "2. get dump through the raw socket (fastest of the runs)"
        );
        let _ = writeln!(
            o,
            "  {:>9} | {:>12} {:>8} {:>9} | {:>12} {:>8} {:>9} | {:>8}",
            "N",
            "kv entries/s",
            "kv MB/s",
            "kv ns/ent",
            "C entries/s",
            "C MB/s",
            "C ns/ent",
            "kv/C"
        );
        for (n, kv, ct) in &self.dumps {
            let _ = writeln!(
                o,
                "  {:>9} | {:>12.0} {:>8.1} {:>9.1} | {:>12.0} {:>8.1} {:>9.1} | {:>7.3}x",
                n,
                kv.entries as f64 / kv.secs,
                kv.bytes as f64 / kv.secs / 1e6,
                kv.secs * 1e9 / *n as f64,
                ct.entries as f64 / ct.secs,
                ct.bytes as f64 / ct.secs / 1e6,
                ct.secs * 1e9 / *n as f64,
                kv.secs / ct.secs
            );
        }
        for (n, lib, in_place) in &self.lib_dumps {
            let _ = writeln!(
                o,
                "  {:>9} | client library: {:>9.0} entries/s read in place ({:.1} ns/entry), {:>9.0} decoded into entries ({:.1} ns/entry)",
                n,
                in_place.entries as f64 / in_place.secs,
                in_place.secs * 1e9 / *n as f64,
                lib.entries as f64 / lib.secs,
                lib.secs * 1e9 / *n as f64
            );
        }
        let intr: u64 = self.dumps.iter().map(|(_, a, b)| a.intr + b.intr).sum();
        if intr > 0 {
            let _ = writeln!(o, "  note: {intr} dump messages flagged NLM_F_DUMP_INTR");
        }
        let _ = writeln!(o);
        let _ = writeln!(o, "3. put (kvstore, unless the row names the C twin)");
        for (n, rate) in &self.put_batched {
            let _ = writeln!(
                o,
                "  {:<52} {:>11.0} puts/s",
                format!("raw, 256 per sendmsg, 2 threads, to {n} entries"),
                rate
            );
        }
        let _ = writeln!(
            o,
            "  {:<52} {:>11.0} puts/s",
            "raw loop, one at a time", self.put_single_raw
        );
        let _ = writeln!(
            o,
            "  {:<52} {:>11.0} puts/s",
            "raw loop, one at a time, C twin", self.put_single_raw_ctwin
        );
        let _ = writeln!(
            o,
            "  {:<52} {:>11.0} puts/s",
            "client library, one at a time", self.put_single_client
        );
        if self.slab_entries > 0 {
            let per_entry = self.slab_bytes as f64 / self.slab_entries as f64;
            let _ = writeln!(
                o,
                "  slab memory: {per_entry:.1} bytes/entry, freed by deleting {} entries (key 9 B + value 8 B; all of /proc/slabinfo)",
                self.slab_entries
            );
            let verdict = if per_entry <= SLAB_PER_ENTRY_TARGET {
                "met"
            } else {
                "MISSED"
            };
            let _ = writeln!(
                o,
                "  slab memory per entry target <= {SLAB_PER_ENTRY_TARGET:.0} bytes: {verdict}"
            );
            let caches: Vec<String> = self
                .slab_caches
                .iter()
                .map(|(n, d)| format!("{n} {:.1}", *d as f64 / self.slab_entries as f64))
                .collect();
            let _ = writeln!(o, "  shrunk caches, bytes/entry: {}", caches.join(", "));
            let _ = writeln!(
                o,
                "  (/proc/meminfo Slab: {:.1} bytes/entry freed by the deletion, {:.1} grown over the fill)",
                self.slab_meminfo_bytes as f64 / self.slab_entries as f64,
                self.slab_fill_growth as f64 / self.slab_entries as f64
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "4. notifications (puts replacing 1024 keys, 64 per sendmsg; default rcvbuf)"
        );
        let _ = writeln!(
            o,
            "  {:>9} {:>8} {:>12} {:>14} {:>10} {:>8} {:>14}",
            "listeners", "events", "events/s", "deliveries/s", "lost", "ENOBUFS", "kernel dropped"
        );
        for r in &self.notify {
            let got: u64 = r.received.iter().sum();
            let lost = r.events as u64 * r.listeners as u64 - got;
            let enobufs: u64 = r.enobufs.iter().sum();
            let _ = writeln!(
                o,
                "  {:>9} {:>8} {:>12.0} {:>14.0} {:>10} {:>8} {:>14}{}",
                r.listeners,
                r.events,
                r.events as f64 / r.secs,
                got as f64 / r.secs,
                lost,
                enobufs,
                r.kernel_dropped,
                if lost > 0 && enobufs == 0 {
                    "  SILENT LOSS"
                } else {
                    ""
                }
            );
        }
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "ratios (time per request or per entry; lower is better for the first name)"
        );
        let (e_cli, e_kv, e_ct, e_ctrl, e_ref) = (
            &self.echo[0],
            &self.echo[1],
            &self.echo[2],
            &self.echo[3],
            &self.echo[4],
        );
        ratio_line(
            &mut o,
            "echo p50, kvstore/C twin (raw loop, 1 thread)",
            e_kv[0].p50_ns as f64 / e_ct[0].p50_ns as f64,
            Some(1.05),
        );
        ratio_line(
            &mut o,
            "echo ops/s, C twin/kvstore (raw loop, 2 threads)",
            e_ct[1].ops_per_s / e_kv[1].ops_per_s,
            Some(1.05),
        );
        ratio_line(
            &mut o,
            "echo p50, library in place/raw loop (kvstore)",
            e_ref[0].p50_ns as f64 / e_kv[0].p50_ns as f64,
            Some(1.1),
        );
        ratio_line(
            &mut o,
            "echo p50, library decoded/raw loop (kvstore)",
            e_cli[0].p50_ns as f64 / e_kv[0].p50_ns as f64,
            Some(1.3),
        );
        ratio_line(
            &mut o,
            "echo ops/s, raw loop/client library (2 threads)",
            e_kv[1].ops_per_s / e_cli[1].ops_per_s,
            Some(1.3),
        );
        ratio_line(
            &mut o,
            "put, kvstore/C twin (raw loop, one at a time)",
            self.put_single_raw_ctwin / self.put_single_raw,
            Some(1.05),
        );
        ratio_line(
            &mut o,
            "put, client library/raw loop (one at a time)",
            self.put_single_raw / self.put_single_client,
            Some(1.3),
        );
        ratio_line(
            &mut o,
            "echo p50, kvstore/nlctrl GETFAMILY",
            e_kv[0].p50_ns as f64 / e_ctrl[0].p50_ns as f64,
            None,
        );
        if let (Some((n, kv, _)), Some((_, lib, in_place))) =
            (self.dumps.last(), self.lib_dumps.last())
        {
            // Throughput at least 0.9x the raw loop's: time per entry at most 1/0.9.
            ratio_line(
                &mut o,
                &format!("dump {n} time, library in place/raw loop"),
                in_place.secs / kv.secs,
                Some(1.0 / 0.9),
            );
            ratio_line(
                &mut o,
                &format!("dump {n} time, library decoded/raw loop"),
                lib.secs / kv.secs,
                None,
            );
        }
        if let Some((n, kv, ct)) = self.dumps.last() {
            ratio_line(
                &mut o,
                &format!("dump {n}, kvstore/C twin"),
                kv.secs / ct.secs,
                Some(1.05),
            );
        }
        if let (Some((n0, kv0, ct0)), Some((n1, kv1, ct1))) =
            (self.dumps.first(), self.dumps.last())
        {
            if n1 > n0 {
                let per = |r: &DumpRun, n: u32| r.secs / n as f64;
                ratio_line(
                    &mut o,
                    &format!("dump linearity, kvstore ns/entry {n1} / {n0}"),
                    per(kv1, *n1) / per(kv0, *n0),
                    Some(1.3),
                );
                ratio_line(
                    &mut o,
                    &format!("dump linearity, C twin ns/entry {n1} / {n0}"),
                    per(ct1, *n1) / per(ct0, *n0),
                    None,
                );
            }
        }
        o
    }

    fn json(&self) -> String {
        let mut j = String::new();
        let _ = write!(
            j,
            "{{\"mode\":{:?},\"kernel\":{:?},\"echo\":[",
            self.mode, self.kernel
        );
        for (i, (name, e)) in ECHO_VARIANTS.iter().zip(&self.echo).enumerate() {
            let _ = write!(
                j,
                "{}{{\"variant\":{:?},\"p50_ns\":[{},{}],\"p99_ns\":[{},{}],\"ops_per_s\":[{:.1},{:.1}]}}",
                if i > 0 { "," } else { "" },
                name,
                e[0].p50_ns,
                e[1].p50_ns,
                e[0].p99_ns,
                e[1].p99_ns,
                e[0].ops_per_s,
                e[1].ops_per_s
            );
        }
        j.push_str("],\"lib_dump\":[");
        for (i, (n, lib, in_place)) in self.lib_dumps.iter().enumerate() {
            let _ = write!(
                j,
                "{}{{\"n\":{n},\"decoded_secs\":{:.9},\"in_place_secs\":{:.9}}}",
                if i > 0 { "," } else { "" },
                lib.secs,
                in_place.secs
            );
        }
        j.push_str("],\"dump\":[");
        for (i, (n, kv, ct)) in self.dumps.iter().enumerate() {
            let _ = write!(
                j,
                "{}{{\"n\":{n},\"kvstore\":{{\"secs\":{:.9},\"bytes\":{}}},\"ctwin\":{{\"secs\":{:.9},\"bytes\":{}}}}}",
                if i > 0 { "," } else { "" },
                kv.secs,
                kv.bytes,
                ct.secs,
                ct.bytes
            );
        }
        let _ = write!(
            j,
            "],\"put_single_raw\":{:.1},\"put_single_raw_ctwin\":{:.1},\"put_single_client\":{:.1},\"slab_bytes_per_entry\":{:.1},\"notify\":[",
            self.put_single_raw,
            self.put_single_raw_ctwin,
            self.put_single_client,
            if self.slab_entries > 0 { self.slab_bytes as f64 / self.slab_entries as f64 } else { 0.0 }
        );
        for (i, r) in self.notify.iter().enumerate() {
            let _ = write!(
                j,
                "{}{{\"listeners\":{},\"events\":{},\"received\":{:?},\"enobufs\":{:?},\"secs\":{:.9},\"put_secs\":{:.9},\"kernel_sent\":{},\"kernel_dropped\":{}}}",
                if i > 0 { "," } else { "" },
                r.listeners,
                r.events,
                r.received,
                r.enobufs,
                r.secs,
                r.put_secs,
                r.kernel_sent,
                r.kernel_dropped
            );
        }
        j.push_str("]}\n");
        j
    }
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    let p = Params::from(&cli);
    if let Some(n) = cli.profile_client {
        let r = run_threads(1, |b| client_echo_loop(0, n, b))?;
        println!(
            "client echo: p50 {:.2} us",
            summarize(r).p50_ns as f64 / 1e3
        );
        return Ok(());
    }
    if let Some(n) = cli.profile_raw {
        let kv = resolve("kvstore")?.context("kvstore not loaded")?;
        let r = run_threads(1, |b| raw_loop(&echo_request(kv.id), kv.id, 0, n, b))?;
        println!("raw echo: p50 {:.2} us", summarize(r).p50_ns as f64 / 1e3);
        return Ok(());
    }
    let kv =
        resolve("kvstore")?.context("the kvstore family is not registered (insmod kvstore.ko)")?;
    let ct = resolve("kvctwin")?.context(
        "the C twin family kvctwin is not registered (insmod tools/bench/ctwin/kvstore_ctwin.ko)",
    )?;
    let start_stats = kv_stats()?;
    ensure!(
        start_stats.entries == 0,
        "kvstore's store already holds {} entries: kvbench needs a freshly loaded module",
        start_stats.entries
    );
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_string();
    let mode = std::env::var("GENLKIT_BENCH_MODE")
        .unwrap_or_else(|_| std::env::var("GENLKIT_VM_ACCEL").unwrap_or_else(|_| "unknown".into()));
    let t_all = Instant::now();

    eprintln!("kvbench: 1. echo");
    let echo = echo_bench(&p, &kv, &ct)?;

    eprintln!("kvbench: 2./3. fill and dump {:?}", p.dump_sizes);
    let slab_empty = slab_snapshot()?;
    let (mut dumps, mut put_rates, mut filled) = (Vec::new(), Vec::new(), 0u32);
    let mut lib_dumps = Vec::new();
    for &n in &p.dump_sizes {
        ensure!(n >= filled, "dump sizes must ascend");
        let secs = put_batched(kv.id, CMD_PUT, 'b', filled, n, p.fill_batch, p.fill_threads)?;
        put_rates.push((n, (n - filled) as f64 / secs));
        filled = n;
        let kv_run = dump_best(kv.id, n, p.dump_reps)?;
        let lib_run = dump_library_best(n, p.dump_reps)?;
        let in_place = dump_in_place_best(n, p.dump_reps)?;
        lib_dumps.push((n, lib_run, in_place));
        ctwin_fill(ct.id, n)?;
        let ct_run = dump_best(ct.id, n, p.dump_reps)?;
        eprintln!(
            "kvbench: dump {n}: kvstore {:.3} s, C twin {:.3} s ({:.3}x)",
            kv_run.secs,
            ct_run.secs,
            kv_run.secs / ct_run.secs
        );
        dumps.push((n, kv_run, ct_run));
    }
    let slab_filled = slab_snapshot()?;
    ctwin_fill(ct.id, 0)?;
    let put_single_raw_kv = put_single_raw(kv.id, p.single_puts)?;
    let put_single_client = put_single_client(p.single_puts)?;
    // The C twin's put store gets kvstore's entries first (same keys, same batched puts): its
    // one-at-a-time puts then descend a tree of the size kvstore's did.
    let secs = put_batched(ct.id, CMD_PUT, 'b', 0, filled, p.fill_batch, p.fill_threads)
        .context("C twin put")?;
    eprintln!(
        "kvbench: C twin put store filled to {filled} entries, {:.0} puts/s",
        filled as f64 / secs
    );
    let put_single_raw_ctwin = put_single_raw(ct.id, p.single_puts).context("C twin put")?;

    eprintln!("kvbench: 4. notifications");
    let mut notify = Vec::new();
    for listeners in [1, 4] {
        notify.push(notify_bench(&kv, listeners, p.notify_events, 64)?);
    }

    // What the entries occupy is what deleting them gives back. Slab's growth over the fill also
    // counts what else changed meanwhile (the fill's sockets and files, skbs in flight): other
    // caches add 0.0-0.1 bytes per entry to it from run to run. Between these two readings only
    // the entries go: the later puts' keys and the sockets stay.
    let before_del = kv_stats()?.entries;
    let slab_before_del = slab_snapshot()?;
    put_batched(kv.id, CMD_DEL, 'b', 0, filled, p.fill_batch, p.fill_threads)
        .context("deleting the filled entries")?;
    let slab_after_del = slab_snapshot()?;
    let left = kv_stats()?.entries;
    ensure!(
        left + u64::from(filled) == before_del,
        "deleting {filled} entries left {left} of {before_del}"
    );

    let report = Report {
        mode,
        kernel,
        echo,
        dumps,
        lib_dumps,
        put_batched: put_rates,
        put_single_raw: put_single_raw_kv,
        put_single_raw_ctwin,
        put_single_client,
        slab_entries: filled as u64,
        slab_bytes: slab_before_del.objects() as i64 - slab_after_del.objects() as i64,
        slab_meminfo_bytes: slab_before_del.slab as i64 - slab_after_del.slab as i64,
        slab_fill_growth: slab_filled.slab as i64 - slab_empty.slab as i64,
        slab_caches: slab_growth(&slab_after_del, &slab_before_del),
        notify,
    };
    print!("{}", report.table());
    println!(
        "(benchmark took {:.1} s of guest time)",
        t_all.elapsed().as_secs_f64()
    );
    if let Some(path) = &cli.json {
        std::fs::write(path, report.json()).with_context(|| format!("writing {path}"))?;
    }
    Ok(())
}
