// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed client of the `counters` Generic Netlink family, on `genl-client`.
//!
//! Named 64-bit counters per network namespace: genlkit's second example
//! family, made from this spec by following the README's recipe.
//!
//! Generated from specs/counters.yaml by genlkit-codegen; do not edit.

use std::time::Instant;

use genl_client::attr::{iter_attrs, put_attr};
#[allow(unused_imports)] // what the spec's types need
use genl_client::typed::{all_attrs, find_attr, fixed, get_enum, get_str, get_var, malformed, put_bytes, put_nest, put_str, put_var, str_bytes};
#[allow(unused_imports)] // what the spec's ops need
use genl_client::{AsyncFamilyConn, Dump, Expect, FamilyConn, FamilyInfo, FamilyNames, Notice, NlString, Result, SetNames};

use crate::spec;

/// Attribute set `counter`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Counter {
    /// The counter's name, 1 to 63 bytes.
    #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
    pub name: Option<NlString>,
    /// The counter's value.
    #[serde(rename = "value", skip_serializing_if = "Option::is_none")]
    pub value: Option<u64>,
    /// What `add` adds (default 1); the value wraps around at 2^64.
    #[serde(rename = "delta", skip_serializing_if = "Option::is_none")]
    pub delta: Option<u64>,
    /// How many adds the socket that sent this one has made, this one
    /// included: each socket's own count, kept while the socket is open.
    #[serde(rename = "sock-adds", skip_serializing_if = "Option::is_none")]
    pub sock_adds: Option<u64>,
    /// One counter of `add-batch`: its name and delta in the request, its
    /// name and new value in the reply.
    #[serde(rename = "item", skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<Item>,
}

impl Counter {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Appends the attributes that are set; one that cannot be sent (a string with a
    /// NUL, a value over 64 KiB) is an error naming it.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        if let Some(v) = &self.name {
            put_str(out, spec::COUNTER_NAME, "name", v.as_bytes())?;
        }
        if let Some(v) = &self.value {
            put_attr(out, spec::COUNTER_VALUE, &v.to_ne_bytes());
        }
        if let Some(v) = &self.delta {
            put_attr(out, spec::COUNTER_DELTA, &v.to_ne_bytes());
        }
        if let Some(v) = &self.sock_adds {
            put_attr(out, spec::COUNTER_SOCK_ADDS, &v.to_ne_bytes());
        }
        for v in &self.item {
            put_nest(out, spec::COUNTER_ITEM, "item", |out| v.encode(out))?;
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
                spec::COUNTER_NAME => me.name = Some(get_str(a.payload)),
                spec::COUNTER_VALUE => me.value = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "value")?)),
                spec::COUNTER_DELTA => me.delta = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "delta")?)),
                spec::COUNTER_SOCK_ADDS => me.sock_adds = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "sock-adds")?)),
                spec::COUNTER_ITEM => me.item.push(Item::decode(a.payload)?),
                _ => {}
            }
        }
        Ok(me)
    }
}

/// Attribute set `counter`, read in place: each accessor walks the attributes, nothing
/// is copied. [`CounterRef::to_owned`] decodes the whole [`Counter`].
#[derive(Clone, Copy, Debug)]
pub struct CounterRef<'a>(pub &'a [u8]);

impl<'a> CounterRef<'a> {
    /// The whole set, owned: [`Counter::decode`].
    pub fn to_owned(&self) -> Result<Counter> {
        Counter::decode(self.0)
    }

    /// The counter's name, 1 to 63 bytes.
    pub fn name(&self) -> Result<Option<&'a [u8]>> {
        let Some(p) = find_attr(self.0, spec::COUNTER_NAME)? else {
            return Ok(None);
        };
        Ok(Some(str_bytes(p)))
    }

    /// The counter's value.
    pub fn value(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::COUNTER_VALUE)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "value")?)))
    }

    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub fn delta(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::COUNTER_DELTA)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "delta")?)))
    }

    /// How many adds the socket that sent this one has made, this one
    /// included: each socket's own count, kept while the socket is open.
    pub fn sock_adds(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::COUNTER_SOCK_ADDS)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "sock-adds")?)))
    }

    /// One counter of `add-batch`: its name and delta in the request, its
    /// name and new value in the reply.
    pub fn item(&self) -> impl Iterator<Item = Result<ItemRef<'a>>> + 'a {
        all_attrs(self.0, spec::COUNTER_ITEM).map(|p| -> Result<ItemRef<'a>> {
            let p = p?;
            Ok(ItemRef(p))
        })
    }
}

/// Attribute set `item`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Item {
    /// The counter's name, 1 to 63 bytes.
    #[serde(rename = "name", skip_serializing_if = "Option::is_none")]
    pub name: Option<NlString>,
    /// The counter's value.
    #[serde(rename = "value", skip_serializing_if = "Option::is_none")]
    pub value: Option<u64>,
    /// What `add` adds (default 1); the value wraps around at 2^64.
    #[serde(rename = "delta", skip_serializing_if = "Option::is_none")]
    pub delta: Option<u64>,
}

impl Item {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        self.encode(&mut out)?;
        Ok(out)
    }

    /// Appends the attributes that are set; one that cannot be sent (a string with a
    /// NUL, a value over 64 KiB) is an error naming it.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        if let Some(v) = &self.name {
            put_str(out, spec::ITEM_NAME, "name", v.as_bytes())?;
        }
        if let Some(v) = &self.value {
            put_attr(out, spec::ITEM_VALUE, &v.to_ne_bytes());
        }
        if let Some(v) = &self.delta {
            put_attr(out, spec::ITEM_DELTA, &v.to_ne_bytes());
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
                spec::ITEM_NAME => me.name = Some(get_str(a.payload)),
                spec::ITEM_VALUE => me.value = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "value")?)),
                spec::ITEM_DELTA => me.delta = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "delta")?)),
                _ => {}
            }
        }
        Ok(me)
    }
}

/// Attribute set `item`, read in place: each accessor walks the attributes, nothing
/// is copied. [`ItemRef::to_owned`] decodes the whole [`Item`].
#[derive(Clone, Copy, Debug)]
pub struct ItemRef<'a>(pub &'a [u8]);

impl<'a> ItemRef<'a> {
    /// The whole set, owned: [`Item::decode`].
    pub fn to_owned(&self) -> Result<Item> {
        Item::decode(self.0)
    }

    /// The counter's name, 1 to 63 bytes.
    pub fn name(&self) -> Result<Option<&'a [u8]>> {
        let Some(p) = find_attr(self.0, spec::ITEM_NAME)? else {
            return Ok(None);
        };
        Ok(Some(str_bytes(p)))
    }

    /// The counter's value.
    pub fn value(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::ITEM_VALUE)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "value")?)))
    }

    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub fn delta(&self) -> Result<Option<u64>> {
        let Some(p) = find_attr(self.0, spec::ITEM_DELTA)? else {
            return Ok(None);
        };
        Ok(Some(u64::from_ne_bytes(fixed::<8>(p, "delta")?)))
    }
}

/// The family's attribute names: what errors are named with.
pub static NAMES: FamilyNames = FamilyNames {
    sets: &[
        SetNames { name: "counter", attrs: &[(1, "name", None), (2, "value", None), (3, "delta", None), (4, "pad", None), (5, "sock-adds", None), (6, "item", Some(1))] },
        SetNames { name: "item", attrs: &[(1, "name", None), (2, "value", None), (3, "delta", None), (4, "pad", None)] },
    ],
    ops: &[(1, 0), (2, 0), (4, 0)],
};

/// The family, for the rust-netlink crates: [`CountersMessage`] is how `genetlink`'s
/// connection carries its messages (netlink-packet-generic's `GenlFamily`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountersFamily;

impl genl_client::FamilySpec for CountersFamily {
    const NAME: &'static str = spec::FAMILY_NAME;
    const VERSION: u8 = spec::FAMILY_VERSION;
}

/// A message of the family: its command and attributes (the sets' `encode` and `decode`
/// write and read them).
pub type CountersMessage = genl_client::FamilyMessage<CountersFamily>;

/// What a subscriber receives: a notification of the family, or news of its socket or
/// of the family itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// A counter changed.
    ChangedNtf(Counter),
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
            3 => Notification::ChangedNtf(Counter::decode(attrs)?),
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

/// A connection to the `counters` family.
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

    /// `add` do.
    ///
    /// Add delta to a counter, creating it at 0 first if needed.
    ///
    /// Request: `[name, delta]`; reply: `[name, value, sock-adds]`.
    pub fn add(&mut self, req: &Counter) -> Result<Counter> {
        self.0.do_reply(1, |out| req.encode(out), Counter::decode)
    }

    /// `add` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn add_ref(&mut self, req: &Counter) -> Result<CounterRef<'_>> {
        self.0.do_in_place(1, |out| req.encode(out)).map(CounterRef)
    }

    /// `get` do.
    ///
    /// Get one counter, or dump all of them in name order.
    ///
    /// Request: `[name]`; reply: `[name, value]`.
    pub fn get(&mut self, req: &Counter) -> Result<Counter> {
        self.0.do_reply(2, |out| req.encode(out), Counter::decode)
    }

    /// `get` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn get_ref(&mut self, req: &Counter) -> Result<CounterRef<'_>> {
        self.0.do_in_place(2, |out| req.encode(out)).map(CounterRef)
    }

    /// `get` dump.
    ///
    /// Get one counter, or dump all of them in name order.
    ///
    /// Request: `[]`; reply: `[name, value]`.
    ///
    /// The replies are read as the iterator is; it ends with the kernel's error, or with
    /// `NlError::DumpInterrupted` after every reply when the objects changed meanwhile.
    pub fn get_dump(&mut self) -> Dump<'_, Counter> {
        self.0.dump(2, |_| Ok(()), Counter::decode)
    }

    /// `get` dump, each reply read in place by `f` as it arrives (nothing copied); the
    /// result as the iterator's end.
    pub fn get_dump_each(&mut self, mut f: impl FnMut(CounterRef<'_>) -> Result<()>) -> Result<()> {
        self.0.exchange(2, Expect::Dump, |_| Ok(()), |_, a| f(CounterRef(a)))
    }

    /// `add-batch` do.
    ///
    /// Add to up to 64 counters at once, all or none: one `item` per add,
    /// with a name and a delta (default 1), applied in order. The reply
    /// has one `item` per add with the counter's name and new value.
    ///
    /// Request: `[item]`; reply: `[item]`.
    pub fn add_batch(&mut self, req: &Counter) -> Result<Counter> {
        self.0.do_reply(4, |out| req.encode(out), Counter::decode)
    }

    /// `add-batch` do, the reply read in place: borrowed from the connection's buffer until its
    /// next request (nothing copied).
    pub fn add_batch_ref(&mut self, req: &Counter) -> Result<CounterRef<'_>> {
        self.0.do_in_place(4, |out| req.encode(out)).map(CounterRef)
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

/// An asynchronous connection to the `counters` family, on tokio.
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

    /// `add` do.
    ///
    /// Add delta to a counter, creating it at 0 first if needed.
    ///
    /// Request: `[name, delta]`; reply: `[name, value, sock-adds]`.
    pub async fn add(&mut self, req: &Counter) -> Result<Counter> {
        self.0.do_reply(1, |out| req.encode(out), Counter::decode).await
    }

    /// `get` do.
    ///
    /// Get one counter, or dump all of them in name order.
    ///
    /// Request: `[name]`; reply: `[name, value]`.
    pub async fn get(&mut self, req: &Counter) -> Result<Counter> {
        self.0.do_reply(2, |out| req.encode(out), Counter::decode).await
    }

    /// `get` dump.
    ///
    /// Get one counter, or dump all of them in name order.
    ///
    /// Request: `[]`; reply: `[name, value]`.
    pub async fn get_dump(&mut self) -> Result<Vec<Counter>> {
        self.0.dump(2, |_| Ok(()), Counter::decode).await
    }

    /// `add-batch` do.
    ///
    /// Add to up to 64 counters at once, all or none: one `item` per add,
    /// with a name and a delta (default 1), applied in order. The reply
    /// has one `item` per add with the counter's name and new value.
    ///
    /// Request: `[item]`; reply: `[item]`.
    pub async fn add_batch(&mut self, req: &Counter) -> Result<Counter> {
        self.0.do_reply(4, |out| req.encode(out), Counter::decode).await
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

