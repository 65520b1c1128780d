// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed client of the `kvstore` Generic Netlink family, on `genl-client`.
//!
//! Generated from specs/kvstore.yaml by genlkit-codegen; do not edit.

use std::time::Instant;

use genl_client::attr::{attrs, put_attr};
#[allow(unused_imports)] // what the spec's types need
use genl_client::typed::{fixed, get_str, get_var, malformed, put_nest, put_str, put_var};
use genl_client::{FamilyConn, Result};

use crate::spec;

/// Attribute set `entry`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub key: Option<String>,
    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    pub value: Option<Vec<u8>>,
    pub flags: Option<u32>,
    /// The store's change counter after the operation; bumped on every change.
    pub generation: Option<u64>,
    pub stats: Option<Stats>,
    /// How a put treats an existing or a missing entry; absent means upsert.
    pub mode: Option<u32>,
}

impl Entry {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the attributes that are set.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(v) = &self.key {
            put_str(out, spec::ENTRY_KEY, v);
        }
        if let Some(v) = &self.value {
            put_attr(out, spec::ENTRY_VALUE, v);
        }
        if let Some(v) = &self.flags {
            put_attr(out, spec::ENTRY_FLAGS, &v.to_ne_bytes());
        }
        if let Some(v) = &self.generation {
            put_attr(out, spec::ENTRY_GENERATION, &v.to_ne_bytes());
        }
        if let Some(v) = &self.stats {
            put_nest(out, spec::ENTRY_STATS, |out| v.encode(out));
        }
        if let Some(v) = &self.mode {
            put_attr(out, spec::ENTRY_MODE, &v.to_ne_bytes());
        }
    }

    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps
    /// its last value unless it is a `multi-attr`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut me = Self::default();
        for a in attrs(buf).map_err(malformed)? {
            match a.kind {
                spec::ENTRY_KEY => me.key = Some(get_str(a.payload, "key")?),
                spec::ENTRY_VALUE => me.value = Some(a.payload.to_vec()),
                spec::ENTRY_FLAGS => me.flags = Some(u32::from_ne_bytes(fixed::<4>(a.payload, "flags")?)),
                spec::ENTRY_GENERATION => me.generation = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "generation")?)),
                spec::ENTRY_STATS => me.stats = Some(Stats::decode(a.payload)?),
                spec::ENTRY_MODE => me.mode = Some(u32::from_ne_bytes(fixed::<4>(a.payload, "mode")?)),
                _ => {}
            }
        }
        Ok(me)
    }
}

/// Attribute set `stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Entries in the store.
    pub entries: Option<u64>,
    /// Bytes of keys and values in the store.
    pub bytes: Option<u64>,
    /// Limit on entries (module parameter max_entries).
    pub max_entries: Option<u64>,
    /// Limit on memory (module parameter max_bytes; see memory).
    pub max_bytes: Option<u64>,
    pub echo_count: Option<u64>,
    pub put_count: Option<u64>,
    pub get_count: Option<u64>,
    pub del_count: Option<u64>,
    /// Dumps started.
    pub dump_count: Option<u64>,
    pub stats_count: Option<u64>,
    /// Notifications multicast to at least one listener.
    pub notify_sent: Option<u64>,
    /// Notifications that could not be allocated or sent.
    pub notify_dropped: Option<u64>,
    /// Bytes of memory the entries occupy: tree nodes, keys and values, as the
    /// allocator sizes them. What max-bytes limits.
    pub memory: Option<u64>,
}

impl Stats {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the attributes that are set.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(v) = &self.entries {
            put_attr(out, spec::STATS_ENTRIES, &v.to_ne_bytes());
        }
        if let Some(v) = &self.bytes {
            put_attr(out, spec::STATS_BYTES, &v.to_ne_bytes());
        }
        if let Some(v) = &self.max_entries {
            put_attr(out, spec::STATS_MAX_ENTRIES, &v.to_ne_bytes());
        }
        if let Some(v) = &self.max_bytes {
            put_attr(out, spec::STATS_MAX_BYTES, &v.to_ne_bytes());
        }
        if let Some(v) = &self.echo_count {
            put_attr(out, spec::STATS_ECHO_COUNT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.put_count {
            put_attr(out, spec::STATS_PUT_COUNT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.get_count {
            put_attr(out, spec::STATS_GET_COUNT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.del_count {
            put_attr(out, spec::STATS_DEL_COUNT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.dump_count {
            put_attr(out, spec::STATS_DUMP_COUNT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.stats_count {
            put_attr(out, spec::STATS_STATS_COUNT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.notify_sent {
            put_attr(out, spec::STATS_NOTIFY_SENT, &v.to_ne_bytes());
        }
        if let Some(v) = &self.notify_dropped {
            put_attr(out, spec::STATS_NOTIFY_DROPPED, &v.to_ne_bytes());
        }
        if let Some(v) = &self.memory {
            put_attr(out, spec::STATS_MEMORY, &v.to_ne_bytes());
        }
    }

    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps
    /// its last value unless it is a `multi-attr`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut me = Self::default();
        for a in attrs(buf).map_err(malformed)? {
            match a.kind {
                spec::STATS_ENTRIES => me.entries = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "entries")?)),
                spec::STATS_BYTES => me.bytes = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "bytes")?)),
                spec::STATS_MAX_ENTRIES => me.max_entries = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "max-entries")?)),
                spec::STATS_MAX_BYTES => me.max_bytes = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "max-bytes")?)),
                spec::STATS_ECHO_COUNT => me.echo_count = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "echo-count")?)),
                spec::STATS_PUT_COUNT => me.put_count = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "put-count")?)),
                spec::STATS_GET_COUNT => me.get_count = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "get-count")?)),
                spec::STATS_DEL_COUNT => me.del_count = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "del-count")?)),
                spec::STATS_DUMP_COUNT => me.dump_count = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "dump-count")?)),
                spec::STATS_STATS_COUNT => me.stats_count = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "stats-count")?)),
                spec::STATS_NOTIFY_SENT => me.notify_sent = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "notify-sent")?)),
                spec::STATS_NOTIFY_DROPPED => me.notify_dropped = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "notify-dropped")?)),
                spec::STATS_MEMORY => me.memory = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "memory")?)),
                _ => {}
            }
        }
        Ok(me)
    }
}

/// A notification of the family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// An entry was created or replaced.
    NewNtf(Entry),
    /// An entry was removed.
    DelNtf(Entry),
    /// A command this client does not know, with its attributes.
    Unknown(u8, Vec<u8>),
}

impl Notification {
    fn decode(cmd: u8, attrs: Vec<u8>) -> Result<Self> {
        Ok(match cmd {
            6 => Notification::NewNtf(Entry::decode(&attrs)?),
            7 => Notification::DelNtf(Entry::decode(&attrs)?),
            _ => Notification::Unknown(cmd, attrs),
        })
    }
}

/// A connection to the `kvstore` family.
pub struct Client(FamilyConn);

impl Client {
    /// Connects and resolves the family; `NlError::NotLoaded` when it is not registered.
    pub fn connect() -> Result<Self> {
        FamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION).map(Client)
    }

    /// The family's ID.
    pub fn family_id(&self) -> u16 {
        self.0.id()
    }

    /// `echo` do.
    ///
    /// Return the request's attributes unchanged (latency probe).
    ///
    /// Request: `[key, value, flags, generation]`; reply: `[key, value, flags, generation]`.
    pub fn echo(&mut self, req: &Entry) -> Result<Entry> {
        Entry::decode(&self.0.do_reply(1, &req.encoded())?)
    }

    /// `put` do.
    ///
    /// Create or replace an entry, as the mode attribute says (absent: upsert,
    /// create or overwrite); the reply carries the entry and the new generation.
    ///
    /// Request: `[key, value, flags, mode]`; reply: `[key, value, flags, generation]`.
    pub fn put(&mut self, req: &Entry) -> Result<Entry> {
        Entry::decode(&self.0.do_reply(2, &req.encoded())?)
    }

    /// `get` do.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    ///
    /// Request: `[key]`; reply: `[key, value, flags]`.
    pub fn get(&mut self, req: &Entry) -> Result<Entry> {
        Entry::decode(&self.0.do_reply(3, &req.encoded())?)
    }

    /// `get` dump.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    ///
    /// Request: `[key]`; reply: `[key, value, flags]`.
    pub fn get_dump(&mut self, req: &Entry) -> Result<Vec<Entry>> {
        self.0.dump(3, &req.encoded())?.iter().map(|a| Entry::decode(a)).collect()
    }

    /// `del` do.
    ///
    /// Remove an entry by key.
    ///
    /// Request: `[key]`; reply: `[key, generation]`.
    pub fn del(&mut self, req: &Entry) -> Result<Entry> {
        Entry::decode(&self.0.do_reply(4, &req.encoded())?)
    }

    /// `stats` do.
    ///
    /// Counters and limits of the caller's namespace's store.
    ///
    /// Request: `[]`; reply: `[generation, stats]`.
    pub fn stats(&mut self) -> Result<Entry> {
        Entry::decode(&self.0.do_reply(5, &[])?)
    }

    /// Joins multicast group `group` (by its spec name).
    pub fn subscribe(&mut self, group: &str) -> Result<()> {
        self.0.subscribe(group)
    }

    /// The notifications of the next datagram, waiting up to `deadline` (`None`: it passed).
    pub fn notifications(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<Notification>>> {
        let Some(msgs) = self.0.notifications(deadline)? else {
            return Ok(None);
        };
        msgs.into_iter()
            .map(|(cmd, a)| Notification::decode(cmd, a))
            .collect::<Result<_>>()
            .map(Some)
    }
}

