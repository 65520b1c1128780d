// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The family's messages as an application holds them: the generated sets
//! ([`crate::client_gen`]), whose every attribute is optional, with what each op's reply
//! always carries made required (a reply that lacks it is an error naming it).

use genl_client::{NlError, Result};

use crate::client_gen::{self as gen, EntryFlags, PutMode};
use crate::Key;

/// The attribute `attr` a `cmd` reply must carry.
fn need<T>(v: Option<T>, cmd: &str, attr: &str) -> Result<T> {
    v.ok_or_else(|| NlError::Malformed(format!("`{cmd}` reply lacks attribute `{attr}`")))
}

/// An entry of the store.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    pub key: Key,
    pub value: Vec<u8>,
    pub flags: EntryFlags,
}

impl Entry {
    /// From a `get` reply or dump message, a `put` reply or a `new-ntf`: a missing value
    /// means empty, missing flags none.
    pub(crate) fn from_gen(e: gen::Entry, cmd: &str) -> Result<Self> {
        Ok(Entry {
            key: need(e.key, cmd, "key")?,
            value: e.value.unwrap_or_default(),
            flags: e.flags.unwrap_or_default(),
        })
    }

    pub(crate) fn decode(attrs: &[u8]) -> Result<Self> {
        Self::from_gen(gen::Entry::decode(attrs)?, "get")
    }
}

/// A `put` request: the generated `entry` set, built with what `put` takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRequest(pub gen::Entry);

impl PutRequest {
    /// Create-or-overwrite `key` with `value`, no entry flags.
    pub fn new(key: impl Into<Key>, value: impl Into<Vec<u8>>) -> Self {
        PutRequest(gen::Entry {
            key: Some(key.into()),
            value: Some(value.into()),
            flags: Some(EntryFlags::NONE),
            ..Default::default()
        })
    }

    /// Sets the entry flags.
    pub fn flags(mut self, flags: EntryFlags) -> Self {
        self.0.flags = Some(flags);
        self
    }

    /// Sets the mode: upsert (the default), create only or replace only. Upsert sends no
    /// `mode`, which the kernel takes for upsert.
    pub fn mode(mut self, mode: PutMode) -> Self {
        self.0.mode = (mode != PutMode::Upsert).then_some(mode);
        self
    }
}

/// The reply to `put`, also the payload of `new-ntf`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PutReply {
    pub entry: Entry,
    /// The store's generation after the change.
    pub generation: u64,
}

impl PutReply {
    fn from_gen(e: gen::Entry, cmd: &str) -> Result<Self> {
        let generation = need(e.generation, cmd, "generation")?;
        Ok(PutReply {
            entry: Entry::from_gen(e, cmd)?,
            generation,
        })
    }

    pub(crate) fn decode(attrs: &[u8]) -> Result<Self> {
        Self::from_gen(gen::Entry::decode(attrs)?, "put")
    }
}

/// The reply to `del`, also the payload of `del-ntf`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DelReply {
    pub key: Key,
    /// The store's generation after the change.
    pub generation: u64,
}

impl DelReply {
    fn from_gen(e: gen::Entry, cmd: &str) -> Result<Self> {
        Ok(DelReply {
            key: need(e.key, cmd, "key")?,
            generation: need(e.generation, cmd, "generation")?,
        })
    }

    pub(crate) fn decode(attrs: &[u8]) -> Result<Self> {
        Self::from_gen(gen::Entry::decode(attrs)?, "del")
    }
}

/// `echo` request and reply: the `entry` set, which the kernel sends back unchanged.
pub type Echo = gen::Entry;

/// Counters and limits of a namespace's store; a counter the reply lacks reads 0.
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
}

impl From<gen::Stats> for Stats {
    fn from(s: gen::Stats) -> Self {
        let v = |x: Option<u64>| x.unwrap_or_default();
        Stats {
            entries: v(s.entries),
            bytes: v(s.bytes),
            max_entries: v(s.max_entries),
            max_bytes: v(s.max_bytes),
            echo_count: v(s.echo_count),
            put_count: v(s.put_count),
            get_count: v(s.get_count),
            del_count: v(s.del_count),
            dump_count: v(s.dump_count),
            stats_count: v(s.stats_count),
            notify_sent: v(s.notify_sent),
            notify_dropped: v(s.notify_dropped),
            memory: v(s.memory),
        }
    }
}

/// The reply to `stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatsReply {
    pub generation: u64,
    pub stats: Stats,
}

impl StatsReply {
    pub(crate) fn decode(attrs: &[u8]) -> Result<Self> {
        let e = gen::Entry::decode(attrs)?;
        Ok(StatsReply {
            generation: need(e.generation, "stats", "generation")?,
            stats: (*need(e.stats, "stats", "stats")?).into(),
        })
    }
}

/// An event of the `notify` multicast group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// `new-ntf`: an entry was created or replaced.
    New(PutReply),
    /// `del-ntf`: an entry was removed.
    Del(DelReply),
    /// The socket's receive buffer overflowed (ENOBUFS): notifications were lost and the
    /// subscriber must resynchronise (e.g. re-dump).
    Overflow,
    /// The controller announced the family gone (its module was unloaded): no notification
    /// follows until it is back.
    FamilyGone,
    /// The family is registered again (its module was loaded), under a new ID, and the
    /// subscription joined its group again: the subscriber resynchronises, as what happened
    /// meanwhile was not seen.
    FamilyBack,
}

impl Event {
    /// From the generated notification; a command kvstore does not send is an error.
    pub(crate) fn from_gen(n: gen::Notification) -> Result<Self> {
        Ok(match n {
            gen::Notification::NewNtf(e) => Event::New(PutReply::from_gen(e, "new-ntf")?),
            gen::Notification::DelNtf(e) => Event::Del(DelReply::from_gen(e, "del-ntf")?),
            gen::Notification::Overflow => Event::Overflow,
            gen::Notification::FamilyGone => Event::FamilyGone,
            gen::Notification::FamilyBack(_) => Event::FamilyBack,
            gen::Notification::Unknown(cmd, _) => {
                return Err(NlError::Malformed(format!(
                    "command {cmd} is not a notification"
                )))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec;

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
        let decoded = |req: &PutRequest| gen::Entry::decode(&req.0.encoded().unwrap()).unwrap();
        let e = decoded(&PutRequest::new("k", "v"));
        assert_eq!(
            (e.key.unwrap(), e.value.unwrap(), e.mode),
            (Key::from("k"), b"v".to_vec(), None)
        );
        for mode in [PutMode::Create, PutMode::Replace] {
            assert_eq!(
                decoded(&PutRequest::new("k", "v").mode(mode)).mode,
                Some(mode)
            );
        }
        assert_eq!(
            decoded(
                &PutRequest::new("k", "v")
                    .mode(PutMode::Create)
                    .mode(PutMode::Upsert)
            )
            .mode,
            None
        );
        assert_eq!(PutMode::Upsert.value(), spec::PUT_MODE_UPSERT);
        assert_eq!(PutMode::from_value(3), None);
        assert_eq!(PutMode::Replace.to_string(), "replace");
        assert_eq!("create".parse::<PutMode>(), Ok(PutMode::Create));
    }

    #[test]
    fn missing_attributes_are_reported() {
        let mut out = Vec::new();
        gen::Entry {
            key: Some("k".into()),
            ..Default::default()
        }
        .encode(&mut out)
        .unwrap();
        let err = DelReply::decode(&out).unwrap_err();
        assert_eq!(
            err.to_string(),
            "malformed reply: `del` reply lacks attribute `generation`"
        );
        assert!(StatsReply::decode(&out).is_err());
    }

    #[test]
    fn replies_take_any_key_bytes() {
        let payload = [8u8, 0, 1, 0, b'k', 0xff, 0xfe, 0];
        assert_eq!(
            Entry::decode(&payload).unwrap().key,
            Key::from(b"k\xff\xfe")
        );
    }

    #[test]
    fn a_command_that_is_no_notification_is_an_error() {
        assert!(Event::from_gen(gen::Notification::Unknown(1, Vec::new())).is_err());
    }
}
