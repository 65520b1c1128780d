// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvtest stress`: writers, readers, dumpers and a monitor at once, for a bounded time, in a
//! network namespace of their own (so the store starts empty at generation 0), checking:
//!
//! - every acknowledged `put` is visible to `get` until its `del`: each writer owns its keys and
//!   keeps a model of them; a reader's `get` of a key no request was in flight for, before and
//!   after it, must return the model's value (or ENOENT), and so must the writer's own `get`
//!   right after an ack; puts and dels must succeed or fail exactly as the model says
//!   (EEXIST for mode create on an existing key, ENOENT for mode replace on a missing one;
//!   upsert, sent as the value or as no `mode` attribute, always succeeds);
//! - a dump never duplicates or skips a key that stayed unchanged during it, and shows it with
//!   its model value, unless NLM_F_DUMP_INTR was set; its keys come in strictly increasing order;
//! - the generation only grows: strictly from one change to the next of a thread, and in the
//!   order the monitor receives notifications; `stats` never goes back;
//! - the monitor's view, replayed from notifications, equals a fresh dump at the end (and the
//!   writers' models).

use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering::Relaxed},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

use anyhow::{bail, Context, Result};
use kvstore::spec::*;

use nlraw::{RecvBuf, Sock, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST};

use crate::nl::{self, Family, Rng};

#[derive(clap::Args, Clone)]
pub struct StressArgs {
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Writers, readers and dumpers each; default: one of each per CPU.
    #[arg(long)]
    pub threads: Option<u32>,
    /// Keys each writer owns.
    #[arg(long, default_value_t = 64)]
    pub keys: u32,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Run in the caller's namespace instead of a fresh one (the store must then be empty of
    /// keys under `w`, and nothing else may write them).
    #[arg(long)]
    pub no_netns: bool,
}

type Value = Option<(Vec<u8>, u32)>;

#[derive(Clone, Default)]
struct KeyState {
    /// Odd while a change is in flight.
    version: u64,
    value: Value,
}

struct Shared {
    shards: Vec<Mutex<Vec<KeyState>>>,
    stop: AtomicBool,
    violations: Mutex<Vec<String>>,
    nviolations: AtomicU64,
    puts: AtomicU64,
    dels: AtomicU64,
    gets: AtomicU64,
    checked_gets: AtomicU64,
    dumps: AtomicU64,
    dumps_intr: AtomicU64,
    dumps_checked_keys: AtomicU64,
    dumps_abandoned: AtomicU64,
}

impl Shared {
    fn violation(&self, s: String) {
        if self.nviolations.fetch_add(1, Relaxed) < 20 {
            eprintln!("stress: VIOLATION: {s}");
            self.violations.lock().unwrap().push(s);
        }
    }

    fn snapshot(&self) -> Vec<Vec<KeyState>> {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap().clone())
            .collect()
    }
}

fn key(w: usize, j: usize) -> Vec<u8> {
    format!("w{w:02}/{j:04}").into_bytes()
}

fn parse_key(k: &[u8]) -> Option<(usize, usize)> {
    let s = std::str::from_utf8(k).ok()?;
    let (w, j) = s.strip_prefix('w')?.split_once('/')?;
    Some((w.parse().ok()?, j.parse().ok()?))
}

/// A thread's connection and sequence numbers.
struct Conn {
    sock: Sock,
    fam: Family,
    buf: RecvBuf,
    seq: u32,
    /// The latest generation this thread saw.
    last_gen: u64,
}

/// A dumped entry: key, value, flags.
type DumpedEntry = (Vec<u8>, Vec<u8>, u32);

impl Conn {
    fn open(fam: Family) -> Result<Self> {
        Ok(Self {
            sock: nl::open_socket(4 << 20, Duration::from_secs(30))?,
            fam,
            buf: nl::recv_buf(),
            seq: 0,
            last_gen: 0,
        })
    }

    fn req(&mut self, cmd: u8, flags: u16, attrs: &[u8]) -> Result<Result<nl::Reply, nl::KErr>> {
        self.seq += 1;
        let m = nlraw::genl_msg(
            self.fam.id,
            NLM_F_REQUEST | NLM_F_ACK | flags,
            self.seq,
            cmd,
            FAMILY_VERSION,
            attrs,
        );
        nl::request(&self.sock, &mut self.buf, &m, self.seq).context("request")
    }

    fn get(&mut self, k: &[u8]) -> Result<Result<(Vec<u8>, u32), nl::KErr>> {
        let mut a = Vec::new();
        nlraw::put_str(&mut a, ENTRY_KEY, k);
        Ok(self.req(CMD_GET, 0, &a)?.map(|r| {
            let f = r
                .msgs
                .first()
                .map(|m| nl::entry_fields(m))
                .unwrap_or_default();
            (f.value.unwrap_or_default(), f.flags.unwrap_or(0))
        }))
    }

    /// A dump under `prefix`: entries and whether any was flagged NLM_F_DUMP_INTR.
    fn dump(
        &mut self,
        prefix: Option<&[u8]>,
    ) -> Result<Result<(Vec<DumpedEntry>, bool), nl::KErr>> {
        let mut a = Vec::new();
        if let Some(p) = prefix {
            nlraw::put_str(&mut a, ENTRY_KEY, p);
        }
        Ok(self.req(CMD_GET, NLM_F_DUMP, &a)?.map(|r| {
            let intr = r.flags.iter().any(|f| f & NLM_F_DUMP_INTR != 0);
            let entries = r
                .msgs
                .iter()
                .map(|m| {
                    let f = nl::entry_fields(m);
                    (
                        f.key.unwrap_or_default(),
                        f.value.unwrap_or_default(),
                        f.flags.unwrap_or(0),
                    )
                })
                .collect();
            (entries, intr)
        }))
    }

    fn stats_generation(&mut self) -> Result<u64> {
        match self.req(CMD_STATS, 0, &[])? {
            Ok(r) => Ok(r
                .msgs
                .first()
                .and_then(|m| nl::entry_fields(m).generation)
                .unwrap_or(0)),
            Err(e) => bail!("stats failed: {e}"),
        }
    }
}

pub fn run(args: StressArgs) -> Result<()> {
    let ncpu = std::thread::available_parallelism().map_or(2, |n| n.get()) as u32;
    let n = args.threads.unwrap_or(ncpu).max(1) as usize;
    if !args.no_netns {
        nl::unshare_netns().context("unshare(CLONE_NEWNET)")?;
    }
    let fam = nl::resolve(&nl::open_socket(1 << 16, Duration::from_secs(10))?)
        .context("resolving kvstore")?;
    let shared = Arc::new(Shared {
        shards: (0..n)
            .map(|_| Mutex::new(vec![KeyState::default(); args.keys as usize]))
            .collect(),
        stop: AtomicBool::new(false),
        violations: Mutex::new(Vec::new()),
        nviolations: AtomicU64::new(0),
        puts: AtomicU64::new(0),
        dels: AtomicU64::new(0),
        gets: AtomicU64::new(0),
        checked_gets: AtomicU64::new(0),
        dumps: AtomicU64::new(0),
        dumps_intr: AtomicU64::new(0),
        dumps_checked_keys: AtomicU64::new(0),
        dumps_abandoned: AtomicU64::new(0),
    });
    let start = Instant::now();

    // The monitor subscribes before anything changes, so it sees every change.
    let mon_sock = nl::open_socket(64 << 20, Duration::from_millis(200))?;
    mon_sock
        .join(fam.notify_group)
        .context("joining the notify group")?;
    let target = Arc::new(AtomicU64::new(u64::MAX));
    let monitor = {
        let (shared, target) = (shared.clone(), target.clone());
        std::thread::spawn(move || monitor(mon_sock, &shared, &target))
    };

    let mut workers = Vec::new();
    for i in 0..n {
        for role in 0..3 {
            let (shared, keys) = (shared.clone(), args.keys as usize);
            let seed = args.seed ^ ((i as u64) << 8 | role).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            workers.push(std::thread::spawn(move || {
                let mut rng = Rng::new(seed);
                let r = Conn::open(fam).and_then(|mut c| match role {
                    0 => writer(&mut c, i, keys, &mut rng, &shared),
                    1 => reader(&mut c, keys, &mut rng, &shared),
                    _ => dumper(&mut c, &mut rng, &shared),
                });
                if let Err(e) = r {
                    shared.violation(format!(
                        "{} {i} failed: {e:#}",
                        ["writer", "reader", "dumper"][role as usize]
                    ));
                }
            }));
        }
    }
    std::thread::sleep(Duration::from_secs(args.seconds));
    shared.stop.store(true, Relaxed);
    for w in workers {
        let _ = w.join();
    }

    // Quiescent: the monitor catches up to the final generation, then compares with a dump.
    let mut c = Conn::open(fam)?;
    let final_gen = c.stats_generation()?;
    target.store(final_gen, Relaxed);
    let (view, events, overflows, mon_last) = monitor
        .join()
        .map_err(|_| anyhow::anyhow!("monitor panicked"))??;
    let (entries, intr) = match c.dump(None)? {
        Ok(d) => d,
        Err(e) => bail!("final dump failed: {e}"),
    };
    if intr {
        shared.violation("the final dump of a quiescent store is flagged NLM_F_DUMP_INTR".into());
    }
    let dumped: BTreeMap<Vec<u8>, (Vec<u8>, u32)> = entries
        .iter()
        .map(|(k, v, f)| (k.clone(), (v.clone(), *f)))
        .collect();
    if dumped.len() != entries.len() {
        shared.violation(format!(
            "the final dump has {} duplicate keys",
            entries.len() - dumped.len()
        ));
    }
    if mon_last != final_gen {
        shared.violation(format!(
            "monitor's last generation {mon_last} != final generation {final_gen}"
        ));
    }
    if overflows > 0 {
        shared.violation(format!(
            "monitor overflowed {overflows} times (ENOBUFS): its view cannot be compared"
        ));
    } else if view != dumped {
        let only_mon = view.keys().filter(|k| !dumped.contains_key(*k)).count();
        let only_dump = dumped.keys().filter(|k| !view.contains_key(*k)).count();
        let differ = view
            .iter()
            .filter(|(k, v)| dumped.get(*k).is_some_and(|d| d != *v))
            .count();
        shared.violation(format!(
            "monitor's replayed view != final dump: {only_mon} keys only in the view, {only_dump} only in the dump, {differ} differ"
        ));
    }
    let mut model = BTreeMap::new();
    for (w, shard) in shared.snapshot().iter().enumerate() {
        for (j, st) in shard.iter().enumerate() {
            if let Some(v) = &st.value {
                model.insert(key(w, j), v.clone());
            }
        }
    }
    if model != dumped {
        shared.violation(format!(
            "writers' models ({} keys) != final dump ({} keys)",
            model.len(),
            dumped.len()
        ));
    }

    let s = &shared;
    let nviol = s.nviolations.load(Relaxed);
    println!(
        "stress: {:.1}s, {n} writers, {n} readers, {n} dumpers, 1 monitor: puts={} dels={} gets={} (checked {}) \
         dumps={} (intr {}, abandoned {}, keys checked {}) events={events} final-generation={final_gen} \
         entries={} violations={nviol}",
        start.elapsed().as_secs_f64(),
        s.puts.load(Relaxed),
        s.dels.load(Relaxed),
        s.gets.load(Relaxed),
        s.checked_gets.load(Relaxed),
        s.dumps.load(Relaxed),
        s.dumps_intr.load(Relaxed),
        s.dumps_abandoned.load(Relaxed),
        s.dumps_checked_keys.load(Relaxed),
        dumped.len(),
    );
    if nviol > 0 {
        bail!("{nviol} invariant violations");
    }
    Ok(())
}

fn check_gen(c: &mut Conn, g: Option<u64>, what: &str, shared: &Shared) {
    match g {
        Some(g) if g > c.last_gen => c.last_gen = g,
        Some(g) => shared.violation(format!(
            "{what}: generation {g} not above the previous {}",
            c.last_gen
        )),
        None => shared.violation(format!("{what}: reply without a generation")),
    }
}

fn writer(c: &mut Conn, w: usize, keys: usize, rng: &mut Rng, shared: &Shared) -> Result<()> {
    let mut counter = 0u64;
    while !shared.stop.load(Relaxed) {
        let j = rng.below(keys as u64) as usize;
        let k = key(w, j);
        let roll = rng.below(100);
        if roll >= 90 {
            verify_get(c, w, j, shared)?;
            continue;
        }
        let prev = {
            let mut shard = shared.shards[w].lock().unwrap();
            shard[j].version += 1;
            shard[j].value.clone()
        };
        let exists = prev.is_some();
        let mut a = Vec::new();
        nlraw::put_str(&mut a, ENTRY_KEY, &k);
        let new_value: Value;
        let outcome;
        if roll < 60 {
            counter += 1;
            let len = if rng.pct(5) {
                2000 + rng.below(6000)
            } else {
                rng.below(300)
            } as usize;
            let v: Vec<u8> = format!("{w}/{j}/{counter}/")
                .bytes()
                .cycle()
                .take(len)
                .collect();
            let flags = rng.below(4) as u32;
            nlraw::put_attr(&mut a, ENTRY_VALUE, &v);
            nlraw::put_attr(&mut a, ENTRY_FLAGS, &flags.to_ne_bytes());
            // `None`: no `mode` attribute, which the kernel reads as upsert.
            let mode = *rng.pick(&[
                None,
                Some(PUT_MODE_UPSERT),
                Some(PUT_MODE_CREATE),
                Some(PUT_MODE_CREATE),
                Some(PUT_MODE_REPLACE),
            ]);
            if let Some(m) = mode {
                nlraw::put_attr(&mut a, ENTRY_MODE, &m.to_ne_bytes());
            }
            let expect_ok = match mode.unwrap_or(PUT_MODE_UPSERT) {
                PUT_MODE_CREATE => !exists,
                PUT_MODE_REPLACE => exists,
                _ => true,
            };
            let expect_err = if exists { libc::EEXIST } else { libc::ENOENT };
            let r = c.req(CMD_PUT, 0, &a)?;
            shared.puts.fetch_add(1, Relaxed);
            outcome = match (&r, expect_ok) {
                (Ok(rep), true) => {
                    let f = rep
                        .msgs
                        .first()
                        .map(|m| nl::entry_fields(m))
                        .unwrap_or_default();
                    check_gen(c, f.generation, "put reply", shared);
                    if f.key.as_deref() != Some(&k[..]) || f.value.as_deref() != Some(&v[..]) {
                        shared.violation(format!(
                            "put {}: reply does not echo the entry",
                            String::from_utf8_lossy(&k)
                        ));
                    }
                    true
                }
                (Err(e), false) if e.errno == expect_err => false,
                _ => {
                    shared.violation(format!(
                        "put {} mode {mode:?} (exists: {exists}): expected {}, got {}",
                        String::from_utf8_lossy(&k),
                        if expect_ok {
                            "success".to_string()
                        } else {
                            nl::errno_name(expect_err)
                        },
                        match &r {
                            Ok(_) => "success".to_string(),
                            Err(e) => e.to_string(),
                        }
                    ));
                    r.is_ok()
                }
            };
            new_value = if outcome { Some((v, flags)) } else { prev };
        } else {
            let r = c.req(CMD_DEL, 0, &a)?;
            shared.dels.fetch_add(1, Relaxed);
            outcome = match (&r, exists) {
                (Ok(rep), true) => {
                    let g = rep
                        .msgs
                        .first()
                        .and_then(|m| nl::entry_fields(m).generation);
                    check_gen(c, g, "del reply", shared);
                    true
                }
                (Err(e), false) if e.errno == libc::ENOENT => false,
                _ => {
                    shared.violation(format!(
                        "del {} (exists: {exists}): got {}",
                        String::from_utf8_lossy(&k),
                        match &r {
                            Ok(_) => "success".to_string(),
                            Err(e) => e.to_string(),
                        }
                    ));
                    r.is_ok()
                }
            };
            new_value = if outcome { None } else { prev };
        }
        {
            let mut shard = shared.shards[w].lock().unwrap();
            shard[j].value = new_value;
            shard[j].version += 1;
        }
        if outcome && rng.pct(20) {
            verify_get(c, w, j, shared)?;
        }
    }
    Ok(())
}

/// A `get` of a key that no request was in flight for, before and after it, returns the model.
fn verify_get(c: &mut Conn, w: usize, j: usize, shared: &Shared) -> Result<bool> {
    let before = shared.shards[w].lock().unwrap()[j].clone();
    let r = c.get(&key(w, j))?;
    shared.gets.fetch_add(1, Relaxed);
    let after = shared.shards[w].lock().unwrap()[j].version;
    if before.version % 2 == 1 || before.version != after {
        return Ok(false);
    }
    shared.checked_gets.fetch_add(1, Relaxed);
    let got = match r {
        Ok(v) => Some(v),
        Err(e) if e.errno == libc::ENOENT => None,
        Err(e) => {
            shared.violation(format!("get {}: {e}", String::from_utf8_lossy(&key(w, j))));
            return Ok(true);
        }
    };
    if got != before.value {
        shared.violation(format!(
            "get {}: expected {}, got {}",
            String::from_utf8_lossy(&key(w, j)),
            before.value.as_ref().map_or("ENOENT".into(), |v| format!(
                "{} bytes flags {}",
                v.0.len(),
                v.1
            )),
            got.as_ref().map_or("ENOENT".into(), |v| format!(
                "{} bytes flags {}",
                v.0.len(),
                v.1
            )),
        ));
    }
    Ok(true)
}

fn reader(c: &mut Conn, keys: usize, rng: &mut Rng, shared: &Shared) -> Result<()> {
    let mut last_stats = 0;
    let mut i = 0u64;
    while !shared.stop.load(Relaxed) {
        i += 1;
        if i % 50 == 0 {
            let g = c.stats_generation()?;
            if g < last_stats {
                shared.violation(format!(
                    "stats: generation went back from {last_stats} to {g}"
                ));
            }
            last_stats = g;
            continue;
        }
        let w = rng.below(shared.shards.len() as u64) as usize;
        verify_get(c, w, rng.below(keys as u64) as usize, shared)?;
    }
    Ok(())
}

fn dumper(c: &mut Conn, rng: &mut Rng, shared: &Shared) -> Result<()> {
    while !shared.stop.load(Relaxed) {
        let nshards = shared.shards.len();
        if rng.pct(10) {
            // Abandoned midway: one datagram read, then the socket closes.
            let s = nl::open_socket(1 << 16, Duration::from_secs(10))?;
            let m = nlraw::genl_msg(
                c.fam.id,
                NLM_F_REQUEST | NLM_F_DUMP,
                1,
                CMD_GET,
                FAMILY_VERSION,
                &[],
            );
            s.send(&m)?;
            let _ = s.recv(&mut nl::recv_buf());
            shared.dumps_abandoned.fetch_add(1, Relaxed);
            continue;
        }
        let scope: Option<usize> = if rng.pct(50) {
            Some(rng.below(nshards as u64) as usize)
        } else {
            None
        };
        let prefix = scope.map(|w| format!("w{w:02}/").into_bytes());
        let before = shared.snapshot();
        let r = c.dump(prefix.as_deref())?;
        let after = shared.snapshot();
        shared.dumps.fetch_add(1, Relaxed);
        let (entries, intr) = match r {
            Ok(d) => d,
            Err(e) => {
                shared.violation(format!("dump failed: {e}"));
                continue;
            }
        };
        if intr {
            shared.dumps_intr.fetch_add(1, Relaxed);
            continue;
        }
        let mut seen: BTreeMap<(usize, usize), u32> = BTreeMap::new();
        for pair in entries.windows(2) {
            if pair[0].0 >= pair[1].0 {
                shared.violation(format!(
                    "dump: key {} after {} (duplicate or out of order)",
                    String::from_utf8_lossy(&pair[1].0),
                    String::from_utf8_lossy(&pair[0].0)
                ));
            }
        }
        let mut dumped = BTreeMap::new();
        for (k, v, f) in &entries {
            match parse_key(k) {
                Some((w, j)) if w < nshards && scope.is_none_or(|s| s == w) => {
                    *seen.entry((w, j)).or_default() += 1;
                    dumped.insert((w, j), (v.clone(), *f));
                }
                _ => shared.violation(format!(
                    "dump: unexpected key {}",
                    String::from_utf8_lossy(k)
                )),
            }
        }
        let mut checked = 0;
        for (w, (b, a)) in before.iter().zip(&after).enumerate() {
            if scope.is_some_and(|s| s != w) {
                continue;
            }
            for (j, (b, a)) in b.iter().zip(a).enumerate() {
                if b.version % 2 == 1 || b.version != a.version {
                    continue; // changed during the dump
                }
                checked += 1;
                let n = seen.get(&(w, j)).copied().unwrap_or(0);
                let want = u32::from(b.value.is_some());
                if n != want {
                    shared.violation(format!(
                        "dump: unchanged key {} seen {n} times, expected {want}",
                        String::from_utf8_lossy(&key(w, j))
                    ));
                } else if let Some(v) = &b.value {
                    if dumped.get(&(w, j)) != Some(v) {
                        shared.violation(format!(
                            "dump: unchanged key {} has the wrong value",
                            String::from_utf8_lossy(&key(w, j))
                        ));
                    }
                }
            }
        }
        shared.dumps_checked_keys.fetch_add(checked, Relaxed);
    }
    Ok(())
}

type View = BTreeMap<Vec<u8>, (Vec<u8>, u32)>;

/// Replays notifications into a view until the generation reaches `target` (set at the end).
fn monitor(sock: Sock, shared: &Shared, target: &AtomicU64) -> Result<(View, u64, u64, u64)> {
    let mut view = View::new();
    let (mut events, mut overflows, mut last) = (0u64, 0u64, 0u64);
    let mut buf = nl::recv_buf();
    let mut waited_since: Option<Instant> = None;
    loop {
        let t = target.load(Relaxed);
        if last >= t {
            break;
        }
        if t != u64::MAX {
            let since = *waited_since.get_or_insert_with(Instant::now);
            if since.elapsed() > Duration::from_secs(60) {
                shared.violation(format!("monitor: stuck at generation {last}, final is {t}"));
                break;
            }
        }
        let datagram = match sock.recv(&mut buf) {
            Ok(datagram) => datagram,
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                overflows += 1;
                continue;
            }
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) => continue,
            Err(e) => bail!("monitor recv: {e}"),
        };
        for m in nlraw::messages(datagram) {
            let cmd = m.genl_cmd();
            if cmd != Some(CMD_NEW_NTF) && cmd != Some(CMD_DEL_NTF) {
                continue;
            }
            events += 1;
            let f = nl::entry_fields_of(&m);
            match f.generation {
                Some(g) if g > last => last = g,
                g => shared.violation(format!("monitor: event generation {g:?} after {last}")),
            }
            let Some(k) = f.key else {
                shared.violation("monitor: event without a key".into());
                continue;
            };
            if cmd == Some(CMD_NEW_NTF) {
                view.insert(k, (f.value.unwrap_or_default(), f.flags.unwrap_or(0)));
            } else {
                view.remove(&k);
            }
        }
    }
    Ok((view, events, overflows, last))
}
