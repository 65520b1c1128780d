// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed requests, replies and events of the `kvstore` family.

use std::{fmt, ops::BitOr, str::FromStr};

use crate::{
    error::{Error, Result},
    message::{parse_key, parse_stats, EntryAttr, KvstoreCmd, KvstoreMessage, StatsAttr},
    spec,
    wire::{self, AttrList, AttrRef},
    Key,
};

/// `entry-flags`: client-defined hints stored with an entry.
///
/// Undefined bits can be represented (so that callers can see what the
/// kernel does with them) but the kernel rejects them with EINVAL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EntryFlags(pub u32);

impl EntryFlags {
    pub const NONE: EntryFlags = EntryFlags(0);
    pub const TEXT: EntryFlags = EntryFlags(spec::ENTRY_FLAGS_TEXT);
    pub const COMPRESSED: EntryFlags = EntryFlags(spec::ENTRY_FLAGS_COMPRESSED);

    /// Whether all bits of `other` are set.
    pub fn contains(self, other: EntryFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Names of the set bits; undefined bits appear as hex.
    pub fn names(self) -> Vec<String> {
        let mut names = Vec::new();
        if self.contains(Self::TEXT) {
            names.push("text".to_owned());
        }
        if self.contains(Self::COMPRESSED) {
            names.push("compressed".to_owned());
        }
        let unknown = self.0 & !spec::ENTRY_FLAGS_MASK;
        if unknown != 0 {
            names.push(format!("{unknown:#x}"));
        }
        names
    }
}

impl BitOr for EntryFlags {
    type Output = EntryFlags;
    fn bitor(self, rhs: EntryFlags) -> EntryFlags {
        EntryFlags(self.0 | rhs.0)
    }
}

impl fmt::Display for EntryFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = self.names();
        if names.is_empty() {
            f.write_str("none")
        } else {
            f.write_str(&names.join(","))
        }
    }
}

impl FromStr for EntryFlags {
    type Err = String;

    /// Parses `text,compressed`, `none`, or numbers (`4`, `0x4`) joined by commas.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut flags = EntryFlags::NONE;
        for word in s.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let bits = match word {
                "text" => spec::ENTRY_FLAGS_TEXT,
                "compressed" => spec::ENTRY_FLAGS_COMPRESSED,
                "none" => 0,
                _ => match word.strip_prefix("0x") {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => word.parse(),
                }
                .map_err(|_| format!("unknown entry flag `{word}` (known: text, compressed)"))?,
            };
            flags.0 |= bits;
        }
        Ok(flags)
    }
}

/// How `put` treats an existing or missing entry: the request's `mode` attribute (`put-mode`).
///
/// The default is [`PutMode::Upsert`]: create the entry or overwrite it. A request in that mode
/// carries no `mode` attribute, which the kernel reads as upsert; the other modes send it.
/// The request's `nlmsg_flags` are the same in every mode (the kernel refuses `NLM_F_CREATE`,
/// `NLM_F_EXCL` and `NLM_F_REPLACE` with EINVAL).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PutMode {
    /// Create the entry, or overwrite it when it exists.
    #[default]
    Upsert,
    /// Only create the entry: EEXIST when it exists.
    Create,
    /// Only overwrite the entry: ENOENT when it does not exist.
    Replace,
}

impl PutMode {
    /// The `put-mode` value.
    pub fn value(self) -> u32 {
        match self {
            PutMode::Upsert => spec::PUT_MODE_UPSERT,
            PutMode::Create => spec::PUT_MODE_CREATE,
            PutMode::Replace => spec::PUT_MODE_REPLACE,
        }
    }

    /// The mode's name in the spec.
    pub fn name(self) -> &'static str {
        match self {
            PutMode::Upsert => "upsert",
            PutMode::Create => "create",
            PutMode::Replace => "replace",
        }
    }

    /// The `mode` attribute's value a request in this mode carries: none for upsert.
    pub fn attr_value(self) -> Option<u32> {
        (self != PutMode::Upsert).then(|| self.value())
    }
}

impl TryFrom<u32> for PutMode {
    type Error = u32;

    /// The mode of a `put-mode` value; an undefined value is given back.
    fn try_from(value: u32) -> Result<Self, u32> {
        match value {
            spec::PUT_MODE_UPSERT => Ok(PutMode::Upsert),
            spec::PUT_MODE_CREATE => Ok(PutMode::Create),
            spec::PUT_MODE_REPLACE => Ok(PutMode::Replace),
            other => Err(other),
        }
    }
}

impl fmt::Display for PutMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An entry of the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub value: Vec<u8>,
    pub flags: EntryFlags,
}

/// A `put` request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutRequest {
    pub key: Key,
    pub value: Vec<u8>,
    pub flags: EntryFlags,
    pub mode: PutMode,
}

impl PutRequest {
    /// Create-or-overwrite `key` with `value`, no entry flags.
    pub fn new(key: impl Into<Key>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
            ..Default::default()
        }
    }

    /// Sets the entry flags.
    pub fn flags(mut self, flags: EntryFlags) -> Self {
        self.flags = flags;
        self
    }

    /// Sets the mode: upsert (the default), create only or replace only.
    pub fn mode(mut self, mode: PutMode) -> Self {
        self.mode = mode;
        self
    }

    /// The request's attributes, borrowed; `mode` only when it is not upsert.
    pub(crate) fn attr_refs(&self) -> AttrList<'_> {
        AttrList::of([
            Some(AttrRef::Key(&self.key)),
            Some(AttrRef::Value(&self.value)),
            Some(AttrRef::Flags(self.flags.0)),
            self.mode.attr_value().map(AttrRef::Mode),
        ])
    }
}

/// The reply to `put`, also the payload of `new-ntf`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutReply {
    pub entry: Entry,
    /// The store's generation after the change.
    pub generation: u64,
}

/// The reply to `del`, also the payload of `del-ntf`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DelReply {
    pub key: Key,
    /// The store's generation after the change.
    pub generation: u64,
}

/// `echo` request and reply: every attribute optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Echo {
    pub key: Option<Key>,
    pub value: Option<Vec<u8>>,
    pub flags: Option<EntryFlags>,
    pub generation: Option<u64>,
}

impl Echo {
    /// The attributes that are set, borrowed.
    pub(crate) fn attr_refs(&self) -> AttrList<'_> {
        AttrList::of([
            self.key.as_deref().map(AttrRef::Key),
            self.value.as_deref().map(AttrRef::Value),
            self.flags.map(|f| AttrRef::Flags(f.0)),
            self.generation.map(AttrRef::Generation),
        ])
    }
}

/// Counters and limits of a namespace's store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub entries: u64,
    pub bytes: u64,
    pub max_entries: u64,
    pub max_bytes: u64,
    pub echo_count: u64,
    pub put_count: u64,
    pub get_count: u64,
    pub del_count: u64,
    pub dump_count: u64,
    pub stats_count: u64,
    pub notify_sent: u64,
    pub notify_dropped: u64,
    /// Memory the entries occupy (what `max_bytes` limits).
    pub memory: u64,
}

impl Stats {
    /// `(spec name, value)` pairs in spec order.
    pub fn fields(&self) -> [(&'static str, u64); 13] {
        [
            ("entries", self.entries),
            ("bytes", self.bytes),
            ("max-entries", self.max_entries),
            ("max-bytes", self.max_bytes),
            ("echo-count", self.echo_count),
            ("put-count", self.put_count),
            ("get-count", self.get_count),
            ("del-count", self.del_count),
            ("dump-count", self.dump_count),
            ("stats-count", self.stats_count),
            ("notify-sent", self.notify_sent),
            ("notify-dropped", self.notify_dropped),
            ("memory", self.memory),
        ]
    }

    fn from_attrs(attrs: &[StatsAttr]) -> Self {
        let mut s = Stats::default();
        for attr in attrs {
            match *attr {
                StatsAttr::Entries(v) => s.entries = v,
                StatsAttr::Bytes(v) => s.bytes = v,
                StatsAttr::MaxEntries(v) => s.max_entries = v,
                StatsAttr::MaxBytes(v) => s.max_bytes = v,
                StatsAttr::EchoCount(v) => s.echo_count = v,
                StatsAttr::PutCount(v) => s.put_count = v,
                StatsAttr::GetCount(v) => s.get_count = v,
                StatsAttr::DelCount(v) => s.del_count = v,
                StatsAttr::DumpCount(v) => s.dump_count = v,
                StatsAttr::StatsCount(v) => s.stats_count = v,
                StatsAttr::NotifySent(v) => s.notify_sent = v,
                StatsAttr::NotifyDropped(v) => s.notify_dropped = v,
                StatsAttr::Memory(v) => s.memory = v,
                StatsAttr::Pad(_) | StatsAttr::Other(_) => {}
            }
        }
        s
    }

    pub(crate) fn to_attrs(&self) -> Vec<StatsAttr> {
        vec![
            StatsAttr::Entries(self.entries),
            StatsAttr::Bytes(self.bytes),
            StatsAttr::MaxEntries(self.max_entries),
            StatsAttr::MaxBytes(self.max_bytes),
            StatsAttr::EchoCount(self.echo_count),
            StatsAttr::PutCount(self.put_count),
            StatsAttr::GetCount(self.get_count),
            StatsAttr::DelCount(self.del_count),
            StatsAttr::DumpCount(self.dump_count),
            StatsAttr::StatsCount(self.stats_count),
            StatsAttr::NotifySent(self.notify_sent),
            StatsAttr::NotifyDropped(self.notify_dropped),
            StatsAttr::Memory(self.memory),
        ]
    }
}

/// The reply to `stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsReply {
    pub generation: u64,
    pub stats: Stats,
}

/// An event of the `notify` multicast group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `new-ntf`: an entry was created or replaced.
    New(PutReply),
    /// `del-ntf`: an entry was removed.
    Del(DelReply),
    /// The socket's receive buffer overflowed (ENOBUFS): notifications were
    /// lost and the subscriber must resynchronise (e.g. re-dump).
    Overflow,
    /// The controller announced the family gone (its module was unloaded): the kernel dropped
    /// the subscription's group membership, so no notification follows until it is back.
    FamilyGone,
    /// The controller announced the family registered again (its module was loaded), under a
    /// new ID: a subscriber connects and subscribes anew ([`crate::Client::connect`]) and
    /// resynchronises.
    FamilyBack,
}

/// Attribute values of a message, picked out by type.
#[derive(Default)]
pub(crate) struct Fields {
    key: Option<Key>,
    value: Option<Vec<u8>>,
    flags: Option<u32>,
    generation: Option<u64>,
    stats: Option<Vec<StatsAttr>>,
}

impl Fields {
    /// Reads the attributes in place (the blocking client's path); unknown ones are skipped.
    fn parse(payload: &[u8]) -> Result<Self> {
        let mut f = Fields::default();
        for attr in wire::attributes(payload) {
            let (kind, v) = attr?;
            let bad = |what: &str| Error::Decode(format!("invalid entry attribute `{what}`"));
            match kind {
                spec::ENTRY_KEY => f.key = Some(parse_key(v)?),
                spec::ENTRY_VALUE => f.value = Some(v.to_vec()),
                spec::ENTRY_FLAGS => {
                    f.flags = Some(u32::from_ne_bytes(v.try_into().map_err(|_| bad("flags"))?))
                }
                spec::ENTRY_GENERATION => {
                    f.generation = Some(u64::from_ne_bytes(
                        v.try_into().map_err(|_| bad("generation"))?,
                    ))
                }
                spec::ENTRY_STATS => f.stats = Some(parse_stats(v)?),
                _ => {}
            }
        }
        Ok(f)
    }

    fn of(msg: KvstoreMessage) -> Self {
        let mut f = Fields::default();
        for attr in msg.attrs {
            match attr {
                EntryAttr::Key(k) => f.key = Some(k),
                EntryAttr::Value(v) => f.value = Some(v),
                EntryAttr::Flags(v) => f.flags = Some(v),
                EntryAttr::Generation(g) => f.generation = Some(g),
                EntryAttr::Stats(s) => f.stats = Some(s),
                // `mode` is a request attribute: no reply carries it.
                EntryAttr::Mode(_) | EntryAttr::Pad(_) | EntryAttr::Other(_) => {}
            }
        }
        f
    }
}

fn expect_cmd(cmd: KvstoreCmd, want: &[KvstoreCmd]) -> Result<()> {
    if want.contains(&cmd) {
        Ok(())
    } else {
        Err(Error::Decode(format!(
            "expected a `{}` message, got `{cmd}`",
            want[0]
        )))
    }
}

fn need<T>(v: Option<T>, cmd: KvstoreCmd, attr: &'static str) -> Result<T> {
    v.ok_or(Error::MissingAttribute {
        cmd: cmd.name(),
        attr,
    })
}

/// A typed reply (or notification payload), built from a message's attribute values; the one
/// decoding shared by the generic path ([`KvstoreMessage`]) and the blocking client's in-place
/// path ([`wire`]).
pub(crate) trait FromReply: Sized {
    /// The commands whose messages carry this type.
    const CMDS: &'static [KvstoreCmd];

    fn from_fields(cmd: KvstoreCmd, f: Fields) -> Result<Self>;

    fn from_message(msg: KvstoreMessage) -> Result<Self> {
        expect_cmd(msg.cmd, Self::CMDS)?;
        let cmd = msg.cmd;
        Self::from_fields(cmd, Fields::of(msg))
    }

    /// From a reply's command and attribute bytes, read in place.
    fn from_payload(cmd: KvstoreCmd, payload: &[u8]) -> Result<Self> {
        expect_cmd(cmd, Self::CMDS)?;
        Self::from_fields(cmd, Fields::parse(payload)?)
    }
}

/// `TryFrom<KvstoreMessage>` for each reply type, through [`FromReply`].
macro_rules! try_from_message {
    ($($ty:ty),*) => {$(
        impl TryFrom<KvstoreMessage> for $ty {
            type Error = Error;

            fn try_from(msg: KvstoreMessage) -> Result<Self> {
                <$ty as FromReply>::from_message(msg)
            }
        }
    )*};
}
try_from_message!(Entry, PutReply, DelReply, Echo, StatsReply);

impl FromReply for Entry {
    /// A `get` reply or dump message.
    const CMDS: &'static [KvstoreCmd] = &[KvstoreCmd::Get];

    /// A missing value means empty, a missing flags attribute means no flags.
    fn from_fields(cmd: KvstoreCmd, f: Fields) -> Result<Self> {
        Ok(Entry {
            key: need(f.key, cmd, "key")?,
            value: f.value.unwrap_or_default(),
            flags: EntryFlags(f.flags.unwrap_or_default()),
        })
    }
}

impl FromReply for PutReply {
    /// A `put` reply or a `new-ntf` notification.
    const CMDS: &'static [KvstoreCmd] = &[KvstoreCmd::Put, KvstoreCmd::NewNtf];

    fn from_fields(cmd: KvstoreCmd, f: Fields) -> Result<Self> {
        Ok(PutReply {
            entry: Entry {
                key: need(f.key, cmd, "key")?,
                value: f.value.unwrap_or_default(),
                flags: EntryFlags(f.flags.unwrap_or_default()),
            },
            generation: need(f.generation, cmd, "generation")?,
        })
    }
}

impl FromReply for DelReply {
    /// A `del` reply or a `del-ntf` notification.
    const CMDS: &'static [KvstoreCmd] = &[KvstoreCmd::Del, KvstoreCmd::DelNtf];

    fn from_fields(cmd: KvstoreCmd, f: Fields) -> Result<Self> {
        Ok(DelReply {
            key: need(f.key, cmd, "key")?,
            generation: need(f.generation, cmd, "generation")?,
        })
    }
}

impl FromReply for Echo {
    const CMDS: &'static [KvstoreCmd] = &[KvstoreCmd::Echo];

    fn from_fields(_: KvstoreCmd, f: Fields) -> Result<Self> {
        Ok(Echo {
            key: f.key,
            value: f.value,
            flags: f.flags.map(EntryFlags),
            generation: f.generation,
        })
    }
}

impl FromReply for StatsReply {
    const CMDS: &'static [KvstoreCmd] = &[KvstoreCmd::Stats];

    fn from_fields(cmd: KvstoreCmd, f: Fields) -> Result<Self> {
        Ok(StatsReply {
            generation: need(f.generation, cmd, "generation")?,
            stats: Stats::from_attrs(&need(f.stats, cmd, "stats")?),
        })
    }
}

impl TryFrom<KvstoreMessage> for Event {
    type Error = Error;

    fn try_from(msg: KvstoreMessage) -> Result<Self> {
        match msg.cmd {
            KvstoreCmd::NewNtf => Ok(Event::New(msg.try_into()?)),
            KvstoreCmd::DelNtf => Ok(Event::Del(msg.try_into()?)),
            other => Err(Error::Decode(format!("`{other}` is not a notification"))),
        }
    }
}

impl From<&PutReply> for KvstoreMessage {
    /// The message the kernel sends as `new-ntf` (used by tests and tools).
    fn from(r: &PutReply) -> Self {
        KvstoreMessage::new(
            KvstoreCmd::NewNtf,
            vec![
                EntryAttr::Key(r.entry.key.clone()),
                EntryAttr::Value(r.entry.value.clone()),
                EntryAttr::Flags(r.entry.flags.0),
                EntryAttr::Generation(r.generation),
            ],
        )
    }
}

impl From<&StatsReply> for KvstoreMessage {
    fn from(r: &StatsReply) -> Self {
        KvstoreMessage::new(
            KvstoreCmd::Stats,
            vec![
                EntryAttr::Generation(r.generation),
                EntryAttr::Stats(r.stats.to_attrs()),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_flags_parse_and_display() {
        assert_eq!(
            "text,compressed".parse::<EntryFlags>().unwrap(),
            EntryFlags(3)
        );
        assert_eq!("none".parse::<EntryFlags>().unwrap(), EntryFlags(0));
        assert_eq!("0x4".parse::<EntryFlags>().unwrap(), EntryFlags(4));
        assert!("bogus".parse::<EntryFlags>().is_err());
        assert_eq!(EntryFlags(3).to_string(), "text,compressed");
        assert_eq!(EntryFlags(0).to_string(), "none");
        assert_eq!(EntryFlags(5).to_string(), "text,0x4");
    }

    #[test]
    fn put_mode_is_an_attribute_absent_for_upsert() {
        let req = PutRequest::new("k", "v");
        assert_eq!(req.mode, PutMode::Upsert);
        assert_eq!(
            &*req.attr_refs(),
            [AttrRef::Key(b"k"), AttrRef::Value(b"v"), AttrRef::Flags(0)]
        );
        for (mode, value) in [(PutMode::Create, 1), (PutMode::Replace, 2)] {
            let req = PutRequest::new("k", "v").mode(mode);
            assert_eq!(req.attr_refs().last(), Some(&AttrRef::Mode(value)));
            assert_eq!(PutMode::try_from(value), Ok(mode));
        }
        assert_eq!(PutMode::Upsert.value(), spec::PUT_MODE_UPSERT);
        assert_eq!(PutMode::try_from(3), Err(3));
        assert_eq!(PutMode::Replace.to_string(), "replace");
    }

    #[test]
    fn missing_attributes_are_reported() {
        let msg = KvstoreMessage::new(KvstoreCmd::Del, vec![EntryAttr::Key("k".into())]);
        let err = DelReply::try_from(msg).unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed reply: `del` reply lacks attribute `generation`"
        );
        let msg = KvstoreMessage::new(KvstoreCmd::Stats, vec![EntryAttr::Generation(1)]);
        assert!(matches!(
            StatsReply::try_from(msg),
            Err(Error::MissingAttribute { attr: "stats", .. })
        ));
    }

    #[test]
    fn replies_read_in_place_take_any_key_bytes() {
        let payload = [8u8, 0, 1, 0, b'k', 0xff, 0xfe, 0];
        let entry = Entry::from_payload(KvstoreCmd::Get, &payload).unwrap();
        assert_eq!(entry.key, Key::from(b"k\xff\xfe"));
        let nul_inside = [8u8, 0, 1, 0, b'k', 0, b'x', 0];
        assert!(Entry::from_payload(KvstoreCmd::Get, &nul_inside).is_err());
    }

    #[test]
    fn wrong_command_is_rejected() {
        let msg = KvstoreMessage::new(KvstoreCmd::Echo, vec![EntryAttr::Key("k".into())]);
        assert!(Entry::try_from(msg.clone()).is_err());
        assert!(Event::try_from(msg).is_err());
    }
}
