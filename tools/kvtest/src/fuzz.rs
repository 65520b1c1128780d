// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvtest fuzz`: builds and mutates kvstore requests from a seeded PRNG and sends them from
//! several threads, half of them in network namespaces of their own (re-created as they go).
//!
//! Each thread sends its messages one datagram at a time, in batches closed by a sentinel `echo`
//! with `NLM_F_ACK`; every reply is counted by outcome (ack, reply, dump done, errno). A message
//! that gets no answer at all (the core drops malformed headers silently) counts as `no-reply`.
//! Some cases have an answer the kernel must give whatever the store holds (the core refusing
//! `NLM_F_CREATE`/`NLM_F_EXCL`/`NLM_F_REPLACE` or a non-zero reserved byte with EINVAL, the
//! policy refusing an out-of-range `mode` with ERANGE): it is checked (`checked` in the
//! outcomes), and a wrong answer fails the run.
//! The messages a thread sends depend only on the seed and the thread's index, never on the
//! kernel's answers: `--seed S --threads T` sends the same messages again.
//!
//! With `--tolerate-unload`, a sentinel that fails (the family went away: rmmod) makes the
//! thread resolve the family again until it is back or time runs out: the fuzzer is then the
//! load for the insmod/rmmod cycles.

use std::{
    collections::HashMap,
    io,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Result};
use kvstore::spec::*;

// CREATE, EXCL and REPLACE are sent only for the core to refuse them.
use nlraw::{
    RecvBuf, Sock, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLM_F_ACK, NLM_F_APPEND, NLM_F_CREATE,
    NLM_F_DUMP, NLM_F_ECHO, NLM_F_EXCL, NLM_F_REPLACE, NLM_F_REQUEST,
};

use crate::nl::{self, Family, Rng, Tally};

#[derive(clap::Args, Clone)]
pub struct FuzzArgs {
    /// Messages to send in all (split between threads); 0 for no limit (use --seconds).
    #[arg(long, default_value_t = 20_000)]
    pub count: u64,
    /// Stop after this many seconds even if --count is not reached; 0 for no limit.
    #[arg(long, default_value_t = 0)]
    pub seconds: u64,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 4)]
    pub threads: u32,
    /// Odd-numbered threads move to a new network namespace every N messages (0: never leave
    /// the initial namespace).
    #[arg(long, default_value_t = 2000)]
    pub netns_every: u64,
    /// Messages per batch before the sentinel.
    #[arg(long, default_value_t = 32)]
    pub batch: u32,
    /// Keep going when the family disappears (rmmod), resolving it again.
    #[arg(long)]
    pub tolerate_unload: bool,
    /// Print every message in hex before sending it (to reproduce a crash from the console).
    #[arg(long)]
    pub trace: bool,
    /// Stop (cleanly, with the summary) once this file exists.
    #[arg(long)]
    pub stop_file: Option<std::path::PathBuf>,
    /// Record what the messages reach of the module with KCOV (the KCOV kernel; one thread,
    /// no namespaces) and write it to this directory as genl-fuzz does (summary.txt,
    /// timeline.tsv, reached.txt): the random fuzzer's coverage, beside the guided one's.
    #[arg(long)]
    pub kcov_out: Option<std::path::PathBuf>,
}

/// Shared progress.
struct Shared {
    sent: AtomicU64,
    stop: AtomicBool,
    tally: Mutex<Tally>,
    errors: Mutex<Vec<String>>,
}

pub fn run(args: FuzzArgs) -> Result<()> {
    if args.kcov_out.is_some() && (args.threads != 1 || args.netns_every != 0) {
        bail!("--kcov-out records one thread: give --threads 1 --netns-every 0");
    }
    let start = Instant::now();
    let shared = Arc::new(Shared {
        sent: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        tally: Mutex::new(Tally::default()),
        errors: Mutex::new(Vec::new()),
    });
    let deadline = (args.seconds > 0).then(|| start + Duration::from_secs(args.seconds));
    let threads = args.threads.max(1);
    let mut handles = Vec::new();
    for t in 0..threads {
        let quota = if args.count == 0 {
            u64::MAX
        } else {
            args.count / u64::from(threads)
                + u64::from(u64::from(t) < args.count % u64::from(threads))
        };
        let (args, shared) = (args.clone(), shared.clone());
        handles.push(std::thread::spawn(move || {
            if let Err(e) = thread(t, quota, deadline, &args, &shared) {
                shared
                    .errors
                    .lock()
                    .unwrap()
                    .push(format!("thread {t}: {e:#}"));
            }
        }));
    }
    for h in handles {
        let _ = h.join();
    }
    let tally = shared.tally.lock().unwrap().clone();
    let sent = shared.sent.load(Relaxed);
    let secs = start.elapsed().as_secs_f64();
    println!(
        "fuzz: seed {} threads {} sent {sent} messages in {secs:.1}s ({:.0}/s)",
        args.seed,
        threads,
        sent as f64 / secs.max(0.001)
    );
    println!("fuzz: outcomes: {}", tally.line());
    let errors = shared.errors.lock().unwrap();
    for e in errors.iter() {
        eprintln!("fuzz: {e}");
    }
    if !errors.is_empty() {
        bail!("{} fuzz thread(s) failed", errors.len());
    }
    Ok(())
}

/// A socket and the family it talks to; reopened when the thread changes namespace.
struct Conn {
    sock: Sock,
    family: Family,
    buf: RecvBuf,
}

fn connect(tolerate_unload: bool, deadline: Option<Instant>, stop: &AtomicBool) -> Result<Conn> {
    loop {
        let sock = nl::open_socket(8 << 20, Duration::from_secs(10))?;
        match nl::resolve(&sock) {
            Ok(family) => {
                return Ok(Conn {
                    sock,
                    family,
                    buf: nl::recv_buf(),
                })
            }
            Err(e) if tolerate_unload && e.raw_os_error() == Some(libc::ENOENT) => {
                if stop.load(Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                    bail!("family gone at the end");
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => bail!("resolving the family: {e}"),
        }
    }
}

fn thread(
    t: u32,
    quota: u64,
    deadline: Option<Instant>,
    args: &FuzzArgs,
    shared: &Shared,
) -> Result<()> {
    let mut rng = Rng::new(args.seed ^ (u64::from(t) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let own_netns = t % 2 == 1 && args.netns_every > 0;
    if own_netns {
        nl::unshare_netns()?;
    }
    let mut conn = match connect(args.tolerate_unload, deadline, &shared.stop) {
        Ok(c) => c,
        Err(_) if args.tolerate_unload => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut tally = Tally::default();
    let mut seq: u32 = 1000;
    let mut sent = 0u64;
    let mut batch = Batch::default();
    let mut since_netns = 0u64;
    let keys = key_pool(t);
    let mut coverage = match &args.kcov_out {
        Some(_) => Some(kcov::Recorder::start("kvstore")?),
        None => None,
    };
    let result = (|| -> Result<()> {
        while sent < quota {
            if deadline.is_some_and(|d| Instant::now() >= d) || shared.stop.load(Relaxed) {
                break;
            }
            if sent % 64 == 0 && args.stop_file.as_ref().is_some_and(|f| f.exists()) {
                shared.stop.store(true, Relaxed);
                break;
            }
            if own_netns && since_netns >= args.netns_every {
                // Leave the namespace: it is destroyed, with its store, once the socket closes.
                flush(&mut conn, &mut batch, &mut seq, &mut tally, args)?;
                drop(std::mem::replace(
                    &mut conn.sock,
                    nl::open_socket(4096, Duration::from_secs(1))?,
                ));
                nl::unshare_netns()?;
                conn = match connect(args.tolerate_unload, deadline, &shared.stop) {
                    Ok(c) => c,
                    Err(_) if args.tolerate_unload => return Ok(()),
                    Err(e) => return Err(e),
                };
                since_netns = 0;
                tally.add("netns-created", 1);
            }
            // A case uses up to 8 sequence numbers (several messages in one datagram).
            seq = seq.wrapping_add(8);
            let case = generate(&mut rng, conn.family.id, seq, &keys);
            if args.trace {
                println!("fuzz t{t} #{sent} {}: {}", case.what, hex(&case.bytes));
            }
            match case.kind {
                Kind::AbandonedDump { read_first } => {
                    flush(&mut conn, &mut batch, &mut seq, &mut tally, args)?;
                    let s = nl::open_socket(1 << 20, Duration::from_secs(10))?;
                    send_counted(&s, &case.bytes, &mut tally);
                    if read_first {
                        match s.recv(&mut nl::recv_buf()) {
                            Ok(_) => tally.add("dump-abandoned-after-1", 1),
                            Err(e) => tally.add(&format!("dump-abandoned-recv-{}", io_name(&e)), 1),
                        }
                    } else {
                        tally.add("dump-abandoned-unread", 1);
                    }
                    drop(s);
                }
                Kind::Normal => {
                    let sent = send_counted(&conn.sock, &case.bytes, &mut tally);
                    batch.seqs.extend_from_slice(&case.seqs);
                    if let (true, Some(e)) = (sent, case.expect) {
                        batch.expect.push((case.seqs[0], e, case.what));
                    }
                    if batch.seqs.len() as u32 >= args.batch {
                        flush(&mut conn, &mut batch, &mut seq, &mut tally, args)?;
                    }
                }
            }
            sent += 1;
            since_netns += 1;
            shared.sent.fetch_add(1, Relaxed);
            if let Some(c) = &mut coverage {
                c.collect(sent);
            }
        }
        flush(&mut conn, &mut batch, &mut seq, &mut tally, args)
    })();
    shared.tally.lock().unwrap().merge(&tally);
    if let (Some(c), Some(dir)) = (&mut coverage, &args.kcov_out) {
        c.collect(sent);
        c.write(dir, "kvstore", "random", args.seed, sent)?;
    }
    result
}

fn io_name(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nl::errno_name(n),
        None => "other".into(),
    }
}

/// Sends `bytes`; whether they went out.
fn send_counted(sock: &Sock, bytes: &[u8], tally: &mut Tally) -> bool {
    // sendmsg itself fails for some inputs (e.g. a datagram shorter than a header is fine,
    // but one the kernel cannot allocate is not): count it.
    if let Err(e) = sock.send(bytes) {
        tally.add(&format!("send-{}", io_name(&e)), 1);
        return false;
    }
    true
}

/// The messages sent since the last sentinel.
#[derive(Default)]
struct Batch {
    seqs: Vec<u32>,
    /// `(seq, expected answer, case)` of the cases whose answer is known in advance.
    expect: Vec<(u32, Expect, &'static str)>,
}

/// Sends the sentinel and reads every reply up to its ack, counting outcomes; then drains what
/// dumps still have to send, and checks the answers known in advance.
fn flush(
    conn: &mut Conn,
    batch: &mut Batch,
    seq: &mut u32,
    tally: &mut Tally,
    args: &FuzzArgs,
) -> Result<()> {
    if batch.seqs.is_empty() {
        return Ok(());
    }
    // The outcomes of the cases with an expected answer, by sequence number.
    let mut seen: HashMap<u32, Vec<String>> = batch
        .expect
        .iter()
        .map(|&(s, ..)| (s, Vec::new()))
        .collect();
    let mut lost = false;
    let family = conn.family.id;
    let mut count = |m: &nlraw::Msg<'_>, tally: &mut Tally| {
        let o = outcome(m, family);
        if let Some(v) = seen.get_mut(&m.seq) {
            v.push(o.clone());
        }
        tally.add(&o, 1);
    };
    // Sentinels live in their own sequence space, far from the fuzz cases' (whose garbage the
    // kernel may parse as headers with any sequence number), and their ack is recognised by the
    // request header it echoes too.
    *seq = seq.wrapping_add(8);
    let sentinel = 0x8000_0000 | *seq;
    let msg = nlraw::genl_msg(
        conn.family.id,
        NLM_F_REQUEST | NLM_F_ACK,
        sentinel,
        CMD_ECHO,
        FAMILY_VERSION,
        &[],
    );
    conn.sock.send(&msg)?;
    let mut answered = std::collections::HashSet::new();
    let mut sentinel_err = None;
    'read: loop {
        let datagram = match conn.sock.recv(&mut conn.buf) {
            Ok(datagram) => datagram,
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                tally.add("rcv-ENOBUFS", 1);
                lost = true;
                continue;
            }
            Err(e) if matches!(e.raw_os_error(), Some(libc::EAGAIN)) => {
                tally.add("sentinel-timeout", 1);
                lost = true;
                break;
            }
            Err(e) => bail!("recv: {e}"),
        };
        for m in nlraw::messages(datagram) {
            if m.seq == sentinel && is_sentinel_reply(&m, conn.family.id) {
                if m.ty == nlraw::NLMSG_ERROR {
                    let e = m.error().unwrap_or(0);
                    if e != 0 {
                        sentinel_err = Some(-e);
                    }
                    break 'read;
                }
                continue; // the echo reply itself
            }
            answered.insert(m.seq);
            count(&m, tally);
        }
    }
    // Dumps still running: each read lets the kernel fill another round.
    for _ in 0..10_000 {
        match conn.sock.try_recv(&mut conn.buf) {
            Ok(datagram) => {
                for m in nlraw::messages(datagram) {
                    answered.insert(m.seq);
                    count(&m, tally);
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                tally.add("rcv-ENOBUFS", 1);
                lost = true;
            }
            Err(_) => break,
        }
    }
    let unanswered = batch.seqs.iter().filter(|s| !answered.contains(s)).count() as u64;
    tally.add("no-reply", unanswered);
    batch.seqs.clear();
    // Answers lost to an overflow, or a family that went away (rmmod under
    // --tolerate-unload), leave this batch's expectations unverifiable.
    if lost || sentinel_err.is_some() {
        tally.add("unchecked", batch.expect.len() as u64);
    } else {
        for (s, expect, what) in batch.expect.drain(..) {
            let got = &seen[&s];
            // Garbage parsed as a header may echo any sequence number: the expected answer
            // must be among those with the case's.
            // Under --tolerate-unload the family may have gone and come back mid-batch.
            let fine = |o: &String| {
                expect.any_of.contains(&o.as_str()) || (args.tolerate_unload && o == "ENOENT")
            };
            if !got.iter().any(fine) {
                bail!(
                    "case {what} (seq {s}): {}: expected {}, got {}",
                    expect.why,
                    expect.any_of.join(" or "),
                    if got.is_empty() {
                        "no answer".into()
                    } else {
                        got.join(", ")
                    }
                );
            }
            tally.add("checked", 1);
        }
    }
    batch.expect.clear();
    if let Some(e) = sentinel_err {
        if args.tolerate_unload {
            tally.add("family-gone", 1);
            let fresh = connect(
                true,
                Some(Instant::now() + Duration::from_secs(120)),
                &AtomicBool::new(false),
            )?;
            *conn = fresh;
        } else {
            bail!("sentinel echo failed: {}", nl::errno_name(e));
        }
    }
    Ok(())
}

/// Whether `m` answers our sentinel: its echo reply, or an error whose echoed request header is
/// the sentinel's (20 bytes, our family, `NLM_F_REQUEST | NLM_F_ACK`).
fn is_sentinel_reply(m: &nlraw::Msg<'_>, family: u16) -> bool {
    if m.ty != nlraw::NLMSG_ERROR {
        return m.ty == family && m.genl_cmd() == Some(CMD_ECHO);
    }
    let Some(h) = m.payload.get(4..4 + nlraw::NLMSG_HDRLEN) else {
        return false;
    };
    let len = u32::from_ne_bytes(h[..4].try_into().unwrap()) as usize;
    let ty = u16::from_ne_bytes(h[4..6].try_into().unwrap());
    let flags = u16::from_ne_bytes(h[6..8].try_into().unwrap());
    len == nlraw::NLMSG_HDRLEN + nlraw::GENL_HDRLEN
        && ty == family
        && flags == NLM_F_REQUEST | NLM_F_ACK
}

fn outcome(m: &nlraw::Msg<'_>, family: u16) -> String {
    match m.ty {
        nlraw::NLMSG_ERROR => match m.error() {
            Some(0) => "ack".into(),
            Some(e) => nl::errno_name(-e),
            None => "error-short".into(),
        },
        nlraw::NLMSG_DONE => "dump-done".into(),
        t if t == family => {
            if m.flags & nlraw::NLM_F_MULTI != 0 {
                "dump-entry".into()
            } else {
                "reply".into()
            }
        }
        _ => "other".into(),
    }
}

fn hex(b: &[u8]) -> String {
    let shown: String = b.iter().take(96).map(|x| format!("{x:02x}")).collect();
    if b.len() > 96 {
        format!("{shown}..(+{} bytes)", b.len() - 96)
    } else {
        shown
    }
}

enum Kind {
    /// Sent on the thread's socket; answers counted at the next flush.
    Normal,
    /// A dump on a socket of its own, closed after at most one datagram.
    AbandonedDump { read_first: bool },
}

struct Case {
    bytes: Vec<u8>,
    seqs: Vec<u32>,
    kind: Kind,
    what: &'static str,
    /// The answer the kernel must give to the (first) message, whatever the store holds.
    expect: Option<Expect>,
}

/// Outcomes (as [`outcome`] names them) one of which must answer a message.
#[derive(Clone, Copy)]
struct Expect {
    any_of: &'static [&'static str],
    why: &'static str,
}

const REFUSED_HEADER: Expect = Expect {
    any_of: &["EINVAL"],
    why: "the core refuses NLM_F_CREATE/EXCL/REPLACE and a non-zero reserved byte",
};

/// Keys shared by all threads of a namespace (contention) plus a few of the thread's own.
fn key_pool(t: u32) -> Vec<Vec<u8>> {
    let mut keys: Vec<Vec<u8>> = (0..24).map(|i| format!("fz{i}").into_bytes()).collect();
    keys.extend((0..8).map(|i| format!("fz-t{t}-{i}").into_bytes()));
    keys.push(vec![b'k'; 255]);
    keys.push(b"fz/\xff\xfe\x01binary".to_vec());
    keys
}

const CMDS: [u8; 7] = [
    CMD_ECHO,
    CMD_PUT,
    CMD_GET,
    CMD_DEL,
    CMD_STATS,
    CMD_NEW_NTF,
    CMD_DEL_NTF,
];

fn key_attr(rng: &mut Rng, keys: &[Vec<u8>], out: &mut Vec<u8>) {
    match rng.below(20) {
        0 => nlraw::put_str(out, ENTRY_KEY, b""), // empty key
        1 => nlraw::put_str(out, ENTRY_KEY, &vec![b'x'; 256]), // one too long
        2 => nlraw::put_attr(out, ENTRY_KEY, b"no-nul"), // not NUL-terminated
        3 => nlraw::put_attr(out, ENTRY_KEY, b"in\0side\0"), // NUL inside
        4 => {
            let l = 1 + rng.below(40) as usize;
            let k: Vec<u8> = rng.bytes(l).iter().map(|b| b | 1).collect();
            nlraw::put_str(out, ENTRY_KEY, &k)
        }
        _ => {
            let k = rng.pick(keys).clone();
            nlraw::put_str(out, ENTRY_KEY, &k)
        }
    }
}

fn value_len(rng: &mut Rng) -> usize {
    match rng.below(100) {
        0 => 65000,     // the largest accepted
        1 => 65001,     // one too many: ERANGE
        2 => 65531 - 4, // the largest an attribute can hold
        3..=5 => 1000 + rng.below(8000) as usize,
        6..=10 => 0,
        _ => rng.below(64) as usize,
    }
}

/// An attribute of any type and length, nested up to `depth` levels.
fn random_attr(rng: &mut Rng, depth: u32, out: &mut Vec<u8>) {
    let mut ty = match rng.below(10) {
        0 => rng.below(0x4000) as u16,
        1 => 0,
        _ => rng.below(16) as u16,
    };
    if depth > 0 && rng.pct(25) {
        let mut inner = Vec::new();
        for _ in 0..=rng.below(4) {
            random_attr(rng, depth - 1, &mut inner);
        }
        if rng.pct(70) {
            ty |= NLA_F_NESTED;
        }
        nlraw::put_attr(out, ty, &inner);
        return;
    }
    if rng.pct(5) {
        ty |= NLA_F_NET_BYTEORDER;
    }
    let len = match rng.below(12) {
        0 => 0,
        1 => 1,
        2 => 4,
        3 => 8,
        4 => 255 + rng.below(3) as usize,
        5 => value_len(rng),
        _ => rng.below(24) as usize,
    };
    let payload = if rng.pct(50) {
        vec![0u8; len]
    } else {
        rng.bytes(len)
    };
    nlraw::put_attr(out, ty, &payload);
}

/// Attributes a well-formed request for `cmd` might carry, sometimes with one thing wrong.
fn plausible_attrs(rng: &mut Rng, cmd: u8, keys: &[Vec<u8>]) -> Vec<u8> {
    let mut a = Vec::new();
    match cmd {
        CMD_PUT | CMD_ECHO => {
            if rng.pct(95) {
                key_attr(rng, keys, &mut a);
            }
            if rng.pct(95) {
                let l = value_len(rng);
                let v = rng.bytes(l);
                nlraw::put_attr(&mut a, ENTRY_VALUE, &v);
            }
            if rng.pct(30) {
                let f = if rng.pct(80) {
                    rng.below(4) as u32
                } else {
                    rng.next() as u32
                };
                if rng.pct(90) {
                    nlraw::put_attr(&mut a, ENTRY_FLAGS, &f.to_ne_bytes());
                } else {
                    nlraw::put_attr(&mut a, ENTRY_FLAGS, &[1, 2]); // wrong length
                }
            }
            if rng.pct(20) {
                nlraw::put_attr(&mut a, ENTRY_GENERATION, &rng.next().to_ne_bytes());
            }
            // `mode` on put; on echo, whose policy lacks it, it is refused.
            if rng.pct(if cmd == CMD_PUT { 40 } else { 3 }) {
                mode_attr(rng, &mut a);
            }
        }
        CMD_GET | CMD_DEL if rng.pct(95) => key_attr(rng, keys, &mut a),
        _ => {}
    }
    if rng.pct(10) {
        random_attr(rng, 3, &mut a);
    }
    a
}

/// What [`mode_attr`] sent.
enum ModeSent {
    /// A `put-mode` value.
    Defined(u32),
    /// A u32 past the enum: the policy's range refuses it (ERANGE).
    OutOfRange,
    /// Not 4 bytes: the policy refuses it (EINVAL).
    WrongLength,
}

/// A `mode` attribute: mostly a defined value, sometimes one past the enum, sometimes of the
/// wrong length.
fn mode_attr(rng: &mut Rng, out: &mut Vec<u8>) -> ModeSent {
    match rng.below(20) {
        0..=16 => {
            let m = rng.below(u64::from(PUT_MODE_REPLACE) + 1) as u32;
            nlraw::put_attr(out, ENTRY_MODE, &m.to_ne_bytes());
            ModeSent::Defined(m)
        }
        17 | 18 => {
            let far = PUT_MODE_REPLACE + 1 + rng.below(1 << 20) as u32;
            let m = *rng.pick(&[
                PUT_MODE_REPLACE + 1,
                PUT_MODE_REPLACE + 2,
                0x100,
                0x8000_0000,
                u32::MAX,
                far,
            ]);
            nlraw::put_attr(out, ENTRY_MODE, &m.to_ne_bytes());
            ModeSent::OutOfRange
        }
        _ => {
            let len = *rng.pick(&[0usize, 1, 2, 8]);
            nlraw::put_attr(out, ENTRY_MODE, &vec![0; len]);
            ModeSent::WrongLength
        }
    }
}

fn plausible_flags(rng: &mut Rng) -> u16 {
    let mut f = NLM_F_REQUEST;
    if rng.pct(60) {
        f |= NLM_F_ACK;
    }
    f
}

/// `nlmsg_flags` of a request with one or more of CREATE, EXCL, REPLACE that the core refuses
/// (EXCL|REPLACE alone is NLM_F_DUMP, a dump request).
fn refused_flags(rng: &mut Rng) -> u16 {
    let bad = *rng.pick(&[
        NLM_F_CREATE,
        NLM_F_EXCL,
        NLM_F_REPLACE,
        NLM_F_CREATE | NLM_F_EXCL,
        NLM_F_CREATE | NLM_F_REPLACE,
        NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE,
        NLM_F_EXCL | NLM_F_APPEND,
        NLM_F_REPLACE | NLM_F_APPEND,
        NLM_F_CREATE | NLM_F_DUMP,
    ]);
    let mut f = NLM_F_REQUEST | bad;
    if rng.pct(60) {
        f |= NLM_F_ACK;
    }
    if rng.pct(20) {
        f |= NLM_F_ECHO;
    }
    f
}

fn generate(rng: &mut Rng, family: u16, seq: u32, keys: &[Vec<u8>]) -> Case {
    let version = FAMILY_VERSION;
    let roll = rng.below(100);
    let (what, bytes) = match roll {
        // Well-formed requests (some with one thing wrong): the store changes, replies flow.
        0..=34 => {
            let cmd = *rng.pick(&[
                CMD_PUT, CMD_PUT, CMD_PUT, CMD_GET, CMD_DEL, CMD_DEL, CMD_ECHO, CMD_STATS,
            ]);
            let a = plausible_attrs(rng, cmd, keys);
            (
                "plausible",
                nlraw::genl_msg(family, plausible_flags(rng), seq, cmd, version, &a),
            )
        }
        // Undefined and notification-only commands.
        35..=42 => {
            let cmd = if rng.pct(50) {
                rng.below(256) as u8
            } else {
                *rng.pick(&[0, 6, 7, 8, 9, 255])
            };
            let c = rng.below(6) as u8;
            let a = plausible_attrs(rng, c, keys);
            (
                "undefined-cmd",
                nlraw::genl_msg(
                    family,
                    plausible_flags(rng) | (rng.below(2) as u16 * NLM_F_DUMP),
                    seq,
                    cmd,
                    version,
                    &a,
                ),
            )
        }
        // Random attributes, types, lengths and nesting.
        43..=52 => {
            let cmd = *rng.pick(&CMDS);
            let mut a = Vec::new();
            for _ in 0..=rng.below(6) {
                let d = rng.below(9) as u32;
                random_attr(rng, d, &mut a);
            }
            (
                "random-attrs",
                nlraw::genl_msg(family, plausible_flags(rng), seq, cmd, version, &a),
            )
        }
        // A well-formed put with a `mode`: the policy refuses what is not a put-mode value;
        // a defined mode gets a reply, or EEXIST (create) / ENOENT (replace) by the store.
        53..=57 => {
            let mut a = Vec::new();
            let k = rng.pick(keys).clone();
            nlraw::put_str(&mut a, ENTRY_KEY, &k);
            let len = rng.below(64) as usize;
            let v = rng.bytes(len);
            nlraw::put_attr(&mut a, ENTRY_VALUE, &v);
            if rng.pct(30) {
                nlraw::put_attr(&mut a, ENTRY_FLAGS, &(rng.below(4) as u32).to_ne_bytes());
            }
            let expect = match mode_attr(rng, &mut a) {
                ModeSent::OutOfRange => Expect {
                    any_of: &["ERANGE"],
                    why: "the policy bounds mode to put-mode's values",
                },
                ModeSent::WrongLength => Expect {
                    any_of: &["EINVAL"],
                    why: "mode is a u32",
                },
                ModeSent::Defined(m) => match m {
                    PUT_MODE_CREATE => Expect {
                        any_of: &["reply", "EEXIST"],
                        why: "mode create",
                    },
                    PUT_MODE_REPLACE => Expect {
                        any_of: &["reply", "ENOENT"],
                        why: "mode replace",
                    },
                    _ => Expect {
                        any_of: &["reply"],
                        why: "mode upsert",
                    },
                },
            };
            let flags = plausible_flags(rng);
            return Case {
                bytes: nlraw::genl_msg(family, flags, seq, CMD_PUT, version, &a),
                seqs: vec![seq],
                kind: Kind::Normal,
                what: "put-mode",
                expect: Some(expect),
            };
        }
        // Truncated headers and attributes, lying lengths.
        58..=67 => {
            let cmd = *rng.pick(&CMDS);
            let a = plausible_attrs(rng, cmd, keys);
            let mut m = nlraw::genl_msg(family, plausible_flags(rng), seq, cmd, version, &a);
            truncate(rng, &mut m);
            ("truncated", m)
        }
        // CREATE, EXCL, REPLACE on any command, defined or not: the core refuses them before
        // it looks the command up.
        68..=72 => {
            let cmd = if rng.pct(80) {
                *rng.pick(&CMDS)
            } else {
                rng.below(256) as u8
            };
            let a = plausible_attrs(rng, cmd, keys);
            return Case {
                bytes: nlraw::genl_msg(family, refused_flags(rng), seq, cmd, version, &a),
                seqs: vec![seq],
                kind: Kind::Normal,
                what: "refused-flags",
                expect: Some(REFUSED_HEADER),
            };
        }
        // Wrong and conflicting flags.
        73..=77 => {
            let cmd = *rng.pick(&CMDS);
            let a = plausible_attrs(rng, cmd, keys);
            let flags = match rng.below(4) {
                0 => rng.next() as u16,
                1 => NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_REPLACE | NLM_F_APPEND,
                2 => {
                    NLM_F_REQUEST
                        | NLM_F_DUMP
                        | *rng.pick(&[NLM_F_CREATE, NLM_F_EXCL, NLM_F_ECHO, NLM_F_ACK, 0x20])
                }
                _ => *rng.pick(&[
                    0,
                    NLM_F_ACK,
                    NLM_F_ECHO | NLM_F_ACK | NLM_F_REQUEST,
                    NLM_F_REQUEST | 0x40 | 0x80,
                ]),
            };
            (
                "flags",
                nlraw::genl_msg(family, flags, seq, cmd, version, &a),
            )
        }
        // Maximum-size values and keys.
        78..=80 => {
            let cmd = *rng.pick(&[CMD_PUT, CMD_ECHO]);
            let mut a = Vec::new();
            nlraw::put_str(
                &mut a,
                ENTRY_KEY,
                &[b'M'; 255][..if rng.pct(50) {
                    255
                } else {
                    1 + rng.below(255) as usize
                }],
            );
            nlraw::put_attr(
                &mut a,
                ENTRY_VALUE,
                &vec![0xa5; *rng.pick(&[65000, 65000, 64999, 65001])],
            );
            if cmd == CMD_PUT && rng.pct(50) {
                nlraw::put_attr(&mut a, ENTRY_MODE, &PUT_MODE_UPSERT.to_ne_bytes());
            }
            let flags = NLM_F_REQUEST | NLM_F_ACK | if rng.pct(30) { NLM_F_ECHO } else { 0 };
            (
                "max-size",
                nlraw::genl_msg(family, flags, seq, cmd, version, &a),
            )
        }
        // Wrong family version, reserved byte set.
        81..=85 => {
            let cmd = *rng.pick(&CMDS[..5]);
            let a = plausible_attrs(rng, cmd, keys);
            let mut m = nlraw::genl_msg(
                family,
                plausible_flags(rng),
                seq,
                cmd,
                *rng.pick(&[0, 2, 3, 255]),
                &a,
            );
            if rng.pct(40) {
                m[nlraw::NLMSG_HDRLEN + 2] = 1 + rng.below(255) as u8; // reserved
                return Case {
                    bytes: m,
                    seqs: vec![seq],
                    kind: Kind::Normal,
                    what: "reserved",
                    expect: Some(REFUSED_HEADER),
                };
            }
            ("version", m)
        }
        // Dumps, completed (read at the flush) or abandoned.
        86..=94 => {
            let mut a = Vec::new();
            if rng.pct(60) {
                let p = rng.pick(keys);
                nlraw::put_str(
                    &mut a,
                    ENTRY_KEY,
                    &p[..rng.below(p.len() as u64 + 1) as usize],
                );
            }
            if rng.pct(10) {
                random_attr(rng, 2, &mut a);
            }
            let cmd = if rng.pct(90) {
                CMD_GET
            } else {
                *rng.pick(&CMDS)
            };
            let flags = NLM_F_REQUEST | NLM_F_DUMP | if rng.pct(50) { NLM_F_ACK } else { 0 };
            let m = nlraw::genl_msg(family, flags, seq, cmd, version, &a);
            if rng.pct(40) {
                return Case {
                    bytes: m,
                    seqs: vec![],
                    kind: Kind::AbandonedDump {
                        read_first: rng.pct(50),
                    },
                    what: "dump-abandoned",
                    expect: None,
                };
            }
            ("dump", m)
        }
        // Several messages in one datagram, some broken.
        _ => {
            let mut d = Vec::new();
            let mut seqs = Vec::new();
            for i in 0..2 + rng.below(6) as u32 {
                let cmd = *rng.pick(&CMDS[..5]);
                let a = plausible_attrs(rng, cmd, keys);
                let mut m =
                    nlraw::genl_msg(family, plausible_flags(rng), seq + i, cmd, version, &a);
                if rng.pct(15) {
                    truncate(rng, &mut m);
                }
                d.extend_from_slice(&m);
                nlraw::pad4(&mut d);
                seqs.push(seq + i);
            }
            return Case {
                bytes: d,
                seqs,
                kind: Kind::Normal,
                what: "multi",
                expect: None,
            };
        }
    };
    Case {
        bytes,
        seqs: vec![seq],
        kind: Kind::Normal,
        what,
        expect: None,
    }
}

/// Breaks a message's header or its attributes.
fn truncate(rng: &mut Rng, m: &mut Vec<u8>) {
    let len = m.len();
    let set_len = |m: &mut Vec<u8>, l: u32| m[..4].copy_from_slice(&l.to_ne_bytes());
    match rng.below(7) {
        0 => m.truncate(rng.below(nlraw::NLMSG_HDRLEN as u64) as usize), // shorter than a header
        1 => {
            // Header claims less than the headers.
            let l = rng.below(nlraw::NLMSG_HDRLEN as u64 + nlraw::GENL_HDRLEN as u64) as u32;
            set_len(m, l);
        }
        2 => set_len(m, len as u32 + 1 + rng.below(100) as u32), // claims more than was sent
        3 => {
            // Datagram cut inside the attributes, header length adjusted: the last attribute
            // claims more than is there.
            let cut = nlraw::NLMSG_HDRLEN
                + nlraw::GENL_HDRLEN
                + rng.below((len - 20) as u64 + 1) as usize;
            m.truncate(cut);
            set_len(m, cut as u32);
        }
        4 => {
            // Header length cut, datagram kept whole.
            let l = (nlraw::NLMSG_HDRLEN + nlraw::GENL_HDRLEN) as u64;
            set_len(m, (l + rng.below(len as u64 - l + 1)) as u32);
        }
        5 if len > 24 => {
            // First attribute's length too small or too large.
            let bad: u16 = *rng.pick(&[0, 1, 2, 3, 0xffff, (len - 20 + 4) as u16]);
            m[20..22].copy_from_slice(&bad.to_ne_bytes());
        }
        _ => {
            // Trailing garbage shorter than an attribute header.
            let l = 1 + rng.below(3) as usize;
            m.extend_from_slice(&rng.bytes(l));
            let l = m.len() as u32;
            set_len(m, l);
        }
    }
}
