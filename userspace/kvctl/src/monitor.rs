// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvctl monitor`: a view of the store kept up to date from notifications,
//! resynchronised by a dump whenever notifications were lost (ENOBUFS).

use std::{collections::BTreeMap, time::Duration};

use anyhow::{bail, Context, Result};
use futures::StreamExt;
use kvstore::{Client, Entry, Event, Key, SubscribeOptions};
use serde_json::json;
use tokio::time::{sleep_until, Instant};

use crate::outln;
use crate::output::{entry_json, entry_line, json_value, safe_key, safe_value, set_json_key};

/// Options of the monitor command.
pub struct Options {
    /// Only keys starting with this (every key when empty).
    pub prefix: Vec<u8>,
    pub count: Option<u64>,
    pub timeout: Option<f64>,
    pub idle_timeout: Option<f64>,
    pub dump_final: bool,
    pub quiet: bool,
    pub rcvbuf: Option<usize>,
    pub stall_ms: Option<u64>,
    pub json: bool,
}

/// The monitor's view of the store.
struct View {
    entries: BTreeMap<Key, Entry>,
    /// Events up to this generation are already reflected in `entries`.
    synced_at: u64,
}

impl View {
    /// Replaces the view by a dump. The generation is read *before* dumping:
    /// every change after it is still to come as a notification, and
    /// replaying those (in order) over the dump converges to the store. For the same reason a
    /// dump interrupted by a change (`NLM_F_DUMP_INTR`) is good enough here: the change's
    /// notification follows.
    async fn resync(client: &Client, prefix: &[u8]) -> Result<Self> {
        let synced_at = client.stats().await.context("stats")?.generation;
        let mut entries = Vec::new();
        let mut dump = std::pin::pin!(client.list(prefix));
        while let Some(item) = dump.next().await {
            match item {
                Ok(e) => entries.push(e),
                Err(kvstore::Error::DumpInterrupted) => break,
                Err(e) => return Err(e).context("dump"),
            }
        }
        Ok(Self {
            entries: entries.into_iter().map(|e| (e.key.clone(), e)).collect(),
            synced_at,
        })
    }
}

impl View {
    /// Reports a fresh view as the `event` (JSON) or a line starting with `text`.
    fn report(&self, json: bool, event: &str, text: &str) -> Result<()> {
        let (entries, generation) = (self.entries.len(), self.synced_at);
        report(
            json,
            json!({"event": event, "entries": entries, "generation": generation}),
            || format!("{text} {entries} entries at generation {generation}"),
        )
    }
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

pub async fn run(client: &Client, opts: Options) -> Result<()> {
    let prefix = &opts.prefix[..];
    let mut sub = client
        .subscribe(SubscribeOptions {
            rcvbuf: opts.rcvbuf,
        })
        .await
        .context("subscribe")?;
    let mut view = View::resync(client, prefix).await?;
    eprintln!(
        "kvctl: monitoring kvstore group notify ({}), {} entries at generation {}",
        sub.group(),
        view.entries.len(),
        view.synced_at
    );
    if opts.json {
        // A script may wait for this line before it changes the store: from here on no change
        // is missed, and none already in the initial dump is reported again.
        let ready = json!({"event": "ready", "group": sub.group(),
                           "entries": view.entries.len(), "generation": view.synced_at});
        outln!("{ready}")?;
    }

    let deadline = opts.timeout.map(|t| Instant::now() + secs(t));
    let far = Instant::now() + Duration::from_secs(365 * 86400);
    let mut events = 0u64;
    let mut overflows = 0u64;
    let mut stalled = false;
    let mut timed_out = false;
    let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());

    while opts.count.is_none_or(|n| events < n) {
        let idle = opts.idle_timeout.map(|t| Instant::now() + secs(t));
        let wake = deadline.into_iter().chain(idle).min().unwrap_or(far);
        let event = tokio::select! {
            ev = sub.next() => ev,
            _ = sleep_until(wake) => { timed_out = true; break }
            _ = &mut interrupted => break,
        };
        let Some(event) = event else {
            bail!("the notification socket closed")
        };
        let event = match event {
            Ok(ev) => ev,
            Err(e) => {
                eprintln!("kvctl: monitor: ignoring undecodable notification: {e}");
                continue;
            }
        };
        match event {
            Event::Overflow => {
                overflows += 1;
                report(opts.json, json!({"event": "overflow"}), || {
                    "overflow: notifications were lost (ENOBUFS); resyncing".to_owned()
                })?;
                view = View::resync(client, prefix).await?;
                view.report(opts.json, "resync", "resynced:")?;
                continue;
            }
            Event::FamilyGone => {
                report(opts.json, json!({"event": "family-gone"}), || {
                    "family-gone: kvstore was unloaded; waiting for it to come back".to_owned()
                })?;
                continue;
            }
            Event::FamilyBack => {
                // The subscription joined the new `notify` group already, and the client's
                // next request resolves the new family ID: take the store as it now is (a
                // reloaded module starts empty).
                view = View::resync(client, prefix).await?;
                view.report(opts.json, "family-back", "family-back: resubscribed,")?;
                continue;
            }
            Event::New(put) => {
                let e = put.entry;
                if !e.key.starts_with(prefix) || put.generation <= view.synced_at {
                    continue;
                }
                events += 1;
                if !opts.quiet {
                    let (value, encoding) = json_value(&e.value);
                    let mut j = json!({"event": "new", "value": value, "encoding": encoding,
                                       "flags": e.flags.names(), "generation": put.generation});
                    set_json_key(&mut j, &e.key);
                    report(opts.json, j, || {
                        format!(
                            "new {} {} (generation {})",
                            safe_key(&e.key),
                            safe_value(&e.value),
                            put.generation
                        )
                    })?;
                }
                view.entries.insert(e.key.clone(), e);
            }
            Event::Del(del) => {
                if !del.key.starts_with(prefix) || del.generation <= view.synced_at {
                    continue;
                }
                events += 1;
                if !opts.quiet {
                    let mut j = json!({"event": "del", "generation": del.generation});
                    set_json_key(&mut j, &del.key);
                    report(opts.json, j, || {
                        format!("del {} (generation {})", safe_key(&del.key), del.generation)
                    })?;
                }
                view.entries.remove(&del.key);
            }
        }
        if let (Some(ms), false) = (opts.stall_ms, stalled) {
            // Deliberately block the (single-threaded) runtime: nothing reads
            // the socket meanwhile, as with a slow consumer.
            stalled = true;
            std::thread::sleep(Duration::from_millis(ms));
        }
    }

    if opts.dump_final {
        if opts.json {
            let entries: Vec<_> = view.entries.values().map(entry_json).collect();
            outln!(
                "{}",
                json!({"final_view": entries, "events": events, "overflows": overflows})
            )?;
        } else {
            outln!(
                "# final view ({} entries, {} events, {} overflows)",
                view.entries.len(),
                events,
                overflows
            )?;
            for e in view.entries.values() {
                outln!("{}", entry_line(e))?;
            }
        }
    }
    if let (true, Some(n)) = (timed_out, opts.count) {
        bail!("timed out after {events} of {n} events");
    }
    Ok(())
}

fn report(json: bool, value: serde_json::Value, text: impl FnOnce() -> String) -> Result<()> {
    if json {
        outln!("{value}")?;
    } else {
        outln!("{}", text())?;
    }
    Ok(())
}
