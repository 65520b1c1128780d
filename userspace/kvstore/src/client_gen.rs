// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed client of the `kvstore` Generic Netlink family, on `genl-client`.
//!
//! A small key-value store per network namespace, served by the genlkit
//! example module. Changes bump the store's generation and are multicast
//! to the "notify" group.
//!
//! Generated from specs/kvstore.yaml by genlkit-codegen; do not edit.

use std::time::Instant;

use genl_client::attr::{iter_attrs, put_attr};
#[allow(unused_imports)] // what the spec's types need
use genl_client::typed::{all_attrs, find_attr, fixed, get_enum, get_str, get_var, malformed, put_bytes, put_nest, put_str, put_var, str_bytes};
#[allow(unused_imports)] // what the spec's ops need
use genl_client::{AsyncFamilyConn, Dump, Expect, FamilyConn, FamilyInfo, FamilyNames, Notice, NlString, Result, SetNames};

use crate::spec;

/// Flags `entry-flags`: a set of its bits; bits the spec does not name are kept.
///
/// Client-defined hints stored with an entry; undefined bits are rejected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EntryFlags(pub u32);

impl EntryFlags {
    pub const NONE: Self = Self(0);
    /// The value is UTF-8 text.
    pub const TEXT: Self = Self(0x1);
    /// The value is compressed by the client.
    pub const COMPRESSED: Self = Self(0x2);
    /// Every bit the spec names, with its name.
    pub const NAMED: &[(Self, &str)] = &[(Self::TEXT, "text"), (Self::COMPRESSED, "compressed")];

    /// Whether all bits of `other` are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The names of the bits set; bits the spec does not name, as one hex number.
    pub fn names(self) -> Vec<String> {
        let mut rest = self.0;
        let mut out = Vec::new();
        for (bit, name) in Self::NAMED {
            if self.contains(*bit) {
                out.push(name.to_string());
                rest &= !bit.0;
            }
        }
        if rest != 0 {
            out.push(format!("{rest:#x}"));
        }
        out
    }
}

impl std::ops::BitOr for EntryFlags {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        Self(self.0 | rhs.0)
    }
}

impl std::fmt::Display for EntryFlags {
    /// `a,b`, or `none`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.names() {
            n if n.is_empty() => f.write_str("none"),
            n => f.write_str(&n.join(",")),
        }
    }
}

impl std::str::FromStr for EntryFlags {
    type Err = String;

    /// Names or numbers (`12`, `0xc`) joined by commas, or `none`.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let mut v = Self(0);
        for word in s.split(',').map(str::trim).filter(|w| !w.is_empty() && *w != "none") {
            let bits = match Self::NAMED.iter().find(|(_, n)| *n == word) {
                Some((bit, _)) => bit.0,
                None => match word.strip_prefix("0x") {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => word.parse(),
                }
                .map_err(|_| format!("unknown entry-flags flag `{word}` (known: text, compressed)"))?,
            };
            v.0 |= bits;
        }
        Ok(v)
    }
}

impl serde::Serialize for EntryFlags {
    /// As the names of its bits, as ynl prints flags.
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de> serde::Deserialize<'de> for EntryFlags {
    /// From the names of its bits (or numbers), or one number.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Bits(u32),
            Names(Vec<String>),
        }
        match Repr::deserialize(d)? {
            Repr::Bits(b) => Ok(Self(b)),
            Repr::Names(n) => n.join(",").parse().map_err(serde::de::Error::custom),
        }
    }
}

/// Enum `put-mode`.
///
/// How a put treats an existing or a missing entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum PutMode {
    /// Create the entry, or overwrite it when it exists (the default).
    #[serde(rename = "upsert")]
    Upsert,
    /// Only create the entry; EEXIST when it exists.
    #[serde(rename = "create")]
    Create,
    /// Only overwrite the entry; ENOENT when it does not exist.
    #[serde(rename = "replace")]
    Replace,
}

impl PutMode {
    /// Every value, in the spec's order.
    pub const ALL: &[PutMode] = &[PutMode::Upsert, PutMode::Create, PutMode::Replace];

    /// The value on the wire.
    pub const fn value(self) -> u32 {
        match self {
            PutMode::Upsert => 0,
            PutMode::Create => 1,
            PutMode::Replace => 2,
        }
    }

    /// The variant of a value on the wire, if the spec names it.
    pub const fn from_value(v: u32) -> Option<Self> {
        match v {
            0 => Some(PutMode::Upsert),
            1 => Some(PutMode::Create),
            2 => Some(PutMode::Replace),
            _ => None,
        }
    }

    /// The spec's name of the value.
    pub const fn name(self) -> &'static str {
        match self {
            PutMode::Upsert => "upsert",
            PutMode::Create => "create",
            PutMode::Replace => "replace",
        }
    }
}

impl std::fmt::Display for PutMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for PutMode {
    type Err = String;

    /// By the spec's name.
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Self::ALL.iter().copied().find(|v| v.name() == s).ok_or_else(|| {
            format!("unknown put-mode `{s}` (known: upsert, create, replace)")
        })
    }
}

/// Attribute set `entry`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Entry {
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    #[serde(rename = "key", skip_serializing_if = "Option::is_none")]
    pub key: Option<NlString>,
    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    #[serde(rename = "value", skip_serializing_if = "Option::is_none")]
    pub value: Option<Vec<u8>>,
    #[serde(rename = "flags", skip_serializing_if = "Option::is_none")]
    pub flags: Option<EntryFlags>,
    /// The store's change counter after the operation; bumped on every change.
    #[serde(rename = "generation", skip_serializing_if = "Option::is_none")]
    pub generation: Option<u64>,
    #[serde(rename = "stats", skip_serializing_if = "Option::is_none")]
    pub stats: Option<Box<Stats>>,
    /// How a put treats an existing or a missing entry; absent means upsert.
    #[serde(rename = "mode", skip_serializing_if = "Option::is_none")]
    pub mode: Option<PutMode>,
}

impl Entry {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Appends the attributes that are set; one that cannot be sent (a string with a
    /// NUL, a value over 64 KiB) is an error naming it.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        if let Some(v) = &self.key {
            put_str(out, spec::ENTRY_KEY, "key", v.as_bytes())?;
        }
        if let Some(v) = &self.value {
            put_bytes(out, spec::ENTRY_VALUE, "value", v)?;
        }
        if let Some(v) = &self.flags {
            put_attr(out, spec::ENTRY_FLAGS, &(v.0).to_ne_bytes());
        }
        if let Some(v) = &self.generation {
            put_attr(out, spec::ENTRY_GENERATION, &v.to_ne_bytes());
        }
        if let Some(v) = &self.stats {
            put_nest(out, spec::ENTRY_STATS, "stats", |out| v.encode(out))?;
        }
        if let Some(v) = &self.mode {
            put_attr(out, spec::ENTRY_MODE, &(v.value()).to_ne_bytes());
        }
        Ok(())
    }

    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps
    /// its last value unless it is a `multi-attr`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut me = Self::default();
        for a in iter_attrs(buf) {
            let a = a.map_err(malformed)?;
            match a.kind {
                spec::ENTRY_KEY => me.key = Some(get_str(a.payload)),
                spec::ENTRY_VALUE => me.value = Some(a.payload.to_vec()),
                spec::ENTRY_FLAGS => me.flags = Some(EntryFlags(u32::from_ne_bytes(fixed::<4>(a.payload, "flags")?))),
                spec::ENTRY_GENERATION => me.generation = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "generation")?)),
                spec::ENTRY_STATS => me.stats = Some(Box::new(Stats::decode(a.payload)?)),
                spec::ENTRY_MODE => me.mode = Some(get_enum(u32::from_ne_bytes(fixed::<4>(a.payload, "mode")?), "mode", PutMode::from_value)?),
                _ => {}
            }
        }
        Ok(me)
    }
}

/// Attribute set `entry`, read in place: each accessor walks the attributes, nothing
/// is copied. [`EntryRef::to_owned`] decodes the whole [`Entry`].
#[derive(Clone, Copy, Debug)]
pub struct EntryRef<'a>(pub &'a [u8]);

impl<'a> EntryRef<'a> {
    /// The whole set, owned: [`Entry::decode`].
    pub fn to_owned(&self) -> Result<Entry> {
        Entry::decode(self.0)
    }

    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub fn key(&self) -> Result<Option<&'a [u8]>> {
        let Some(p) = find_attr(self.0, spec::ENTRY_KEY)? else {
            return Ok(None);
        };
        Ok(Some(str_bytes(p)))
    }

    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    pub fn value(&self) -> Result<Option<&'a [u8]>> {
        let Some(p) = find_attr(self.0, spec::ENTRY_VALUE)? else {
            return Ok(None);
        };
        Ok(Some(p))
    }

    /// `flags`.
    pub fn flags(&self) -> Result<Option<EntryFlags>> {
        let Some(p) = find_attr(self.0, spec::ENTRY_FLAGS)? else {
            return Ok(None);
        };
        Ok(Some(EntryFlags(u32::from_ne_bytes(fixed::<4>(p, "flags")?))))
    }

    /// The store's change counter after the operation; bumped on every change.
    pub fn generation(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::ENTRY_GENERATION)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "generation")?)))
    }

    /// `stats`.
    pub fn stats(&self) -> Result<Option<StatsRef<'a>>> {
        let Some(p) = find_attr(self.0, spec::ENTRY_STATS)? else {
            return Ok(None);
        };
        Ok(Some(StatsRef(p)))
    }

    /// How a put treats an existing or a missing entry; absent means upsert.
    pub fn mode(&self) -> Result<Option<PutMode>> {
        let Some(p) = find_attr(self.0, spec::ENTRY_MODE)? else {
            return Ok(None);
        };
        Ok(Some(get_enum(u32::from_ne_bytes(fixed::<4>(p, "mode")?), "mode", PutMode::from_value)?))
    }
}

/// Attribute set `stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Stats {
    /// Entries in the store.
    #[serde(rename = "entries", skip_serializing_if = "Option::is_none")]
    pub entries: Option<u64>,
    /// Bytes of keys and values in the store.
    #[serde(rename = "bytes", skip_serializing_if = "Option::is_none")]
    pub bytes: Option<u64>,
    /// Limit on entries (module parameter max_entries).
    #[serde(rename = "max-entries", skip_serializing_if = "Option::is_none")]
    pub max_entries: Option<u64>,
    /// Limit on memory (module parameter max_bytes; see memory).
    #[serde(rename = "max-bytes", skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    #[serde(rename = "echo-count", skip_serializing_if = "Option::is_none")]
    pub echo_count: Option<u64>,
    #[serde(rename = "put-count", skip_serializing_if = "Option::is_none")]
    pub put_count: Option<u64>,
    #[serde(rename = "get-count", skip_serializing_if = "Option::is_none")]
    pub get_count: Option<u64>,
    #[serde(rename = "del-count", skip_serializing_if = "Option::is_none")]
    pub del_count: Option<u64>,
    /// Dumps started.
    #[serde(rename = "dump-count", skip_serializing_if = "Option::is_none")]
    pub dump_count: Option<u64>,
    #[serde(rename = "stats-count", skip_serializing_if = "Option::is_none")]
    pub stats_count: Option<u64>,
    /// Notifications multicast to at least one listener.
    #[serde(rename = "notify-sent", skip_serializing_if = "Option::is_none")]
    pub notify_sent: Option<u64>,
    /// Notifications that could not be allocated or sent.
    #[serde(rename = "notify-dropped", skip_serializing_if = "Option::is_none")]
    pub notify_dropped: Option<u64>,
    /// Bytes of memory the entries occupy: tree nodes, keys and values, as the
    /// allocator sizes them. What max-bytes limits.
    #[serde(rename = "memory", skip_serializing_if = "Option::is_none")]
    pub memory: Option<u64>,
}

impl Stats {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Appends the attributes that are set; one that cannot be sent (a string with a
    /// NUL, a value over 64 KiB) is an error naming it.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
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
        Ok(())
    }

    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps
    /// its last value unless it is a `multi-attr`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut me = Self::default();
        for a in iter_attrs(buf) {
            let a = a.map_err(malformed)?;
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

/// Attribute set `stats`, read in place: each accessor walks the attributes, nothing
/// is copied. [`StatsRef::to_owned`] decodes the whole [`Stats`].
#[derive(Clone, Copy, Debug)]
pub struct StatsRef<'a>(pub &'a [u8]);

impl<'a> StatsRef<'a> {
    /// The whole set, owned: [`Stats::decode`].
    pub fn to_owned(&self) -> Result<Stats> {
        Stats::decode(self.0)
    }

    /// Entries in the store.
    pub fn entries(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_ENTRIES)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "entries")?)))
    }

    /// Bytes of keys and values in the store.
    pub fn bytes(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_BYTES)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "bytes")?)))
    }

    /// Limit on entries (module parameter max_entries).
    pub fn max_entries(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_MAX_ENTRIES)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "max-entries")?)))
    }

    /// Limit on memory (module parameter max_bytes; see memory).
    pub fn max_bytes(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_MAX_BYTES)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "max-bytes")?)))
    }

    /// `echo-count`.
    pub fn echo_count(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_ECHO_COUNT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "echo-count")?)))
    }

    /// `put-count`.
    pub fn put_count(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_PUT_COUNT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "put-count")?)))
    }

    /// `get-count`.
    pub fn get_count(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_GET_COUNT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "get-count")?)))
    }

    /// `del-count`.
    pub fn del_count(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_DEL_COUNT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "del-count")?)))
    }

    /// Dumps started.
    pub fn dump_count(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_DUMP_COUNT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "dump-count")?)))
    }

    /// `stats-count`.
    pub fn stats_count(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_STATS_COUNT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "stats-count")?)))
    }

    /// Notifications multicast to at least one listener.
    pub fn notify_sent(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_NOTIFY_SENT)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "notify-sent")?)))
    }

    /// Notifications that could not be allocated or sent.
    pub fn notify_dropped(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_NOTIFY_DROPPED)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "notify-dropped")?)))
    }

    /// Bytes of memory the entries occupy: tree nodes, keys and values, as the
    /// allocator sizes them. What max-bytes limits.
    pub fn memory(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::STATS_MEMORY)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "memory")?)))
    }
}

/// The family's attribute names: what errors are named with.
pub static NAMES: FamilyNames = FamilyNames {
    sets: &[
        SetNames { name: "entry", attrs: &[(1, "key", None), (2, "value", None), (3, "flags", None), (4, "generation", None), (5, "stats", Some(1)), (6, "pad", None), (7, "mode", None)] },
        SetNames { name: "stats", attrs: &[(1, "entries", None), (2, "bytes", None), (3, "max-entries", None), (4, "max-bytes", None), (5, "echo-count", None), (6, "put-count", None), (7, "get-count", None), (8, "del-count", None), (9, "dump-count", None), (10, "stats-count", None), (11, "notify-sent", None), (12, "notify-dropped", None), (13, "pad", None), (14, "memory", None)] },
    ],
    ops: &[(1, 0), (2, 0), (3, 0), (4, 0), (5, 0)],
};

/// The family, for the rust-netlink crates: [`KvstoreMessage`] is how `genetlink`'s
/// connection carries its messages (netlink-packet-generic's `GenlFamily`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KvstoreFamily;

impl genl_client::FamilySpec for KvstoreFamily {
    const NAME: &'static str = spec::FAMILY_NAME;
    const VERSION: u8 = spec::FAMILY_VERSION;
}

/// A message of the family: its command and attributes (the sets' `encode` and `decode`
/// write and read them).
pub type KvstoreMessage = genl_client::FamilyMessage<KvstoreFamily>;

/// What a subscriber receives: a notification of the family, or news of its socket or
/// of the family itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// An entry was created or replaced.
    NewNtf(Entry),
    /// An entry was removed.
    DelNtf(Entry),
    /// A command this client does not know, with its attributes.
    Unknown(u8, Vec<u8>),
    /// The socket's receive queue overflowed (ENOBUFS): notifications were lost.
    Overflow,
    /// The family left (its module was unloaded).
    FamilyGone,
    /// The family is back, its groups joined again: what happened meanwhile was not seen.
    FamilyBack(FamilyInfo),
}

impl Notification {
    /// Decodes a message of the family, by its command.
    pub fn decode(cmd: u8, attrs: &[u8]) -> Result<Self> {
        Ok(match cmd {
            6 => Notification::NewNtf(Entry::decode(attrs)?),
            7 => Notification::DelNtf(Entry::decode(attrs)?),
            _ => Notification::Unknown(cmd, attrs.to_vec()),
        })
    }

    /// What a subscriber received, as the family's notification or news.
    pub fn from_notice(n: Notice) -> Result<Self> {
        Ok(match n {
            Notice::Message(cmd, attrs) => Notification::decode(cmd, &attrs)?,
            Notice::Overflow => Notification::Overflow,
            Notice::FamilyGone => Notification::FamilyGone,
            Notice::FamilyBack(info) => Notification::FamilyBack(info),
        })
    }
}

/// A connection to the `kvstore` family.
#[derive(Debug)]
pub struct Client(FamilyConn);

impl Client {
    /// Connects and resolves the family; `NlError::NotLoaded` when it is not registered.
    pub fn connect() -> Result<Self> {
        Ok(Client(FamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION)?.with_names(&NAMES)))
    }

    /// The family's ID.
    pub fn family_id(&self) -> u16 {
        self.0.id()
    }

    /// The connection, for what the typed methods do not cover.
    pub fn conn(&mut self) -> &mut FamilyConn {
        &mut self.0
    }

    /// `echo` do.
    ///
    /// Return the request's attributes unchanged (latency probe).
    ///
    /// Request: `[key, value, flags, generation]`; reply: `[key, value, flags, generation]`.
    pub fn echo(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(1, |out| req.encode(out), Entry::decode)
    }

    /// `echo` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn echo_ref(&mut self, req: &Entry) -> Result<EntryRef<'_>> {
        self.0.do_in_place(1, |out| req.encode(out)).map(EntryRef)
    }

    /// `put` do.
    ///
    /// Create or replace an entry, as the mode attribute says (absent: upsert,
    /// create or overwrite); the reply carries the entry and the new generation.
    ///
    /// Request: `[key, value, flags, mode]`; reply: `[key, value, flags, generation]`.
    pub fn put(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(2, |out| req.encode(out), Entry::decode)
    }

    /// `put` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn put_ref(&mut self, req: &Entry) -> Result<EntryRef<'_>> {
        self.0.do_in_place(2, |out| req.encode(out)).map(EntryRef)
    }

    /// `get` do.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    ///
    /// Request: `[key]`; reply: `[key, value, flags]`.
    pub fn get(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(3, |out| req.encode(out), Entry::decode)
    }

    /// `get` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn get_ref(&mut self, req: &Entry) -> Result<EntryRef<'_>> {
        self.0.do_in_place(3, |out| req.encode(out)).map(EntryRef)
    }

    /// `get` dump.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    ///
    /// Request: `[key]`; reply: `[key, value, flags]`.
    ///
    /// The replies are read as the iterator is; it ends with the kernel's error, or with
    /// `NlError::DumpInterrupted` after every reply when the objects changed meanwhile.
    pub fn get_dump(&mut self, req: &Entry) -> Dump<'_, Entry> {
        self.0.dump(3, |out| req.encode(out), Entry::decode)
    }

    /// `get` dump, each reply read in place by `f` as it arrives (nothing copied); the
    /// result as the iterator's end.
    pub fn get_dump_each(&mut self, req: &Entry, mut f: impl FnMut(EntryRef<'_>) -> Result<()>) -> Result<()> {
        self.0.exchange(3, Expect::Dump, |out| req.encode(out), |_, a| f(EntryRef(a)))
    }

    /// `del` do.
    ///
    /// Remove an entry by key.
    ///
    /// Request: `[key]`; reply: `[key, generation]`.
    pub fn del(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(4, |out| req.encode(out), Entry::decode)
    }

    /// `del` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn del_ref(&mut self, req: &Entry) -> Result<EntryRef<'_>> {
        self.0.do_in_place(4, |out| req.encode(out)).map(EntryRef)
    }

    /// `stats` do.
    ///
    /// Counters and limits of the caller's namespace's store.
    ///
    /// Request: `[]`; reply: `[generation, stats]`.
    pub fn stats(&mut self) -> Result<Entry> {
        self.0.do_reply(5, |_| Ok(()), Entry::decode)
    }

    /// `stats` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn stats_ref(&mut self) -> Result<EntryRef<'_>> {
        self.0.do_in_place(5, |_| Ok(())).map(EntryRef)
    }

    /// Joins multicast group `group` (by its spec name).
    pub fn subscribe(&mut self, group: &str) -> Result<()> {
        self.0.subscribe(group)
    }

    /// The notifications of the next datagram, waiting up to `deadline` (`None`: it passed).
    pub fn notifications(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<Notification>>> {
        let Some(notices) = self.0.notices(deadline)? else {
            return Ok(None);
        };
        notices.into_iter().map(Notification::from_notice).collect::<Result<_>>().map(Some)
    }
}

/// An asynchronous connection to the `kvstore` family, on tokio.
#[derive(Debug)]
pub struct AsyncClient(AsyncFamilyConn);

impl AsyncClient {
    /// Connects and resolves the family; `NlError::NotLoaded` when it is not registered.
    pub async fn connect() -> Result<Self> {
        Ok(AsyncClient(AsyncFamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION).await?.with_names(&NAMES)))
    }

    /// The family's ID.
    pub fn family_id(&self) -> u16 {
        self.0.id()
    }

    /// The connection, for what the typed methods do not cover.
    pub fn conn(&mut self) -> &mut AsyncFamilyConn {
        &mut self.0
    }

    /// `echo` do.
    ///
    /// Return the request's attributes unchanged (latency probe).
    ///
    /// Request: `[key, value, flags, generation]`; reply: `[key, value, flags, generation]`.
    pub async fn echo(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(1, |out| req.encode(out), Entry::decode).await
    }

    /// `put` do.
    ///
    /// Create or replace an entry, as the mode attribute says (absent: upsert,
    /// create or overwrite); the reply carries the entry and the new generation.
    ///
    /// Request: `[key, value, flags, mode]`; reply: `[key, value, flags, generation]`.
    pub async fn put(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(2, |out| req.encode(out), Entry::decode).await
    }

    /// `get` do.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    ///
    /// Request: `[key]`; reply: `[key, value, flags]`.
    pub async fn get(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(3, |out| req.encode(out), Entry::decode).await
    }

    /// `get` dump.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    ///
    /// Request: `[key]`; reply: `[key, value, flags]`.
    pub async fn get_dump(&mut self, req: &Entry) -> Result<Vec<Entry>> {
        self.0.dump(3, |out| req.encode(out), Entry::decode).await
    }

    /// `del` do.
    ///
    /// Remove an entry by key.
    ///
    /// Request: `[key]`; reply: `[key, generation]`.
    pub async fn del(&mut self, req: &Entry) -> Result<Entry> {
        self.0.do_reply(4, |out| req.encode(out), Entry::decode).await
    }

    /// `stats` do.
    ///
    /// Counters and limits of the caller's namespace's store.
    ///
    /// Request: `[]`; reply: `[generation, stats]`.
    pub async fn stats(&mut self) -> Result<Entry> {
        self.0.do_reply(5, |_| Ok(()), Entry::decode).await
    }

    /// Joins multicast group `group` (by its spec name).
    pub fn subscribe(&mut self, group: &str) -> Result<()> {
        self.0.subscribe(group)
    }

    /// The notifications of the next datagram, awaited.
    pub async fn notifications(&mut self) -> Result<Vec<Notification>> {
        self.0.notices().await?.into_iter().map(Notification::from_notice).collect()
    }
}

