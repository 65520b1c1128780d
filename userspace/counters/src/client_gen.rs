// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Typed client of the `counters` Generic Netlink family, on `genl-client`.
//!
//! Generated from specs/counters.yaml by genlkit-codegen; do not edit.

use std::time::Instant;

use genl_client::attr::{attrs, put_attr};
#[allow(unused_imports)] // what the spec's types need
use genl_client::typed::{fixed, get_str, get_var, malformed, put_nest, put_str, put_var};
use genl_client::{FamilyConn, Result};

use crate::spec;

/// Attribute set `counter`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counter {
    /// The counter's name, 1 to 63 bytes.
    pub name: Option<String>,
    /// The counter's value.
    pub value: Option<u64>,
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub delta: Option<u64>,
    /// How many adds the socket that sent this one has made, this one
    /// included: each socket's own count, kept while the socket is open.
    pub sock_adds: Option<u64>,
    /// One counter of `add-batch`: its name and delta in the request, its
    /// name and new value in the reply.
    pub item: Vec<Item>,
}

impl Counter {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the attributes that are set.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(v) = &self.name {
            put_str(out, spec::COUNTER_NAME, v);
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
            put_nest(out, spec::COUNTER_ITEM, |out| v.encode(out));
        }
    }

    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps
    /// its last value unless it is a `multi-attr`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut me = Self::default();
        for a in attrs(buf).map_err(malformed)? {
            match a.kind {
                spec::COUNTER_NAME => me.name = Some(get_str(a.payload, "name")?),
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

/// Attribute set `item`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item {
    /// The counter's name, 1 to 63 bytes.
    pub name: Option<String>,
    /// The counter's value.
    pub value: Option<u64>,
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub delta: Option<u64>,
}

impl Item {
    /// The attributes that are set, as a request carries them.
    pub fn encoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Appends the attributes that are set.
    pub fn encode(&self, out: &mut Vec<u8>) {
        if let Some(v) = &self.name {
            put_str(out, spec::ITEM_NAME, v);
        }
        if let Some(v) = &self.value {
            put_attr(out, spec::ITEM_VALUE, &v.to_ne_bytes());
        }
        if let Some(v) = &self.delta {
            put_attr(out, spec::ITEM_DELTA, &v.to_ne_bytes());
        }
    }

    /// Decodes attributes; those the spec does not name are skipped, a repeated one keeps
    /// its last value unless it is a `multi-attr`.
    pub fn decode(buf: &[u8]) -> Result<Self> {
        let mut me = Self::default();
        for a in attrs(buf).map_err(malformed)? {
            match a.kind {
                spec::ITEM_NAME => me.name = Some(get_str(a.payload, "name")?),
                spec::ITEM_VALUE => me.value = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "value")?)),
                spec::ITEM_DELTA => me.delta = Some(u64::from_ne_bytes(fixed::<8>(a.payload, "delta")?)),
                _ => {}
            }
        }
        Ok(me)
    }
}

/// A notification of the family.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notification {
    /// A counter changed.
    ChangedNtf(Counter),
    /// A command this client does not know, with its attributes.
    Unknown(u8, Vec<u8>),
}

impl Notification {
    fn decode(cmd: u8, attrs: Vec<u8>) -> Result<Self> {
        Ok(match cmd {
            3 => Notification::ChangedNtf(Counter::decode(&attrs)?),
            _ => Notification::Unknown(cmd, attrs),
        })
    }
}

/// A connection to the `counters` family.
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

    /// `add` do.
    ///
    /// Add delta to a counter, creating it at 0 first if needed.
    ///
    /// Request: `[name, delta]`; reply: `[name, value, sock-adds]`.
    pub fn add(&mut self, req: &Counter) -> Result<Counter> {
        Counter::decode(&self.0.do_reply(1, &req.encoded())?)
    }

    /// `get` do.
    ///
    /// Get one counter, or dump all of them in name order.
    ///
    /// Request: `[name]`; reply: `[name, value]`.
    pub fn get(&mut self, req: &Counter) -> Result<Counter> {
        Counter::decode(&self.0.do_reply(2, &req.encoded())?)
    }

    /// `get` dump.
    ///
    /// Get one counter, or dump all of them in name order.
    ///
    /// Request: `[]`; reply: `[name, value]`.
    pub fn get_dump(&mut self) -> Result<Vec<Counter>> {
        self.0.dump(2, &[])?.iter().map(|a| Counter::decode(a)).collect()
    }

    /// `add-batch` do.
    ///
    /// Add to up to 64 counters at once, all or none: one `item` per add,
    /// with a name and a delta (default 1), applied in order. The reply
    /// has one `item` per add with the counter's name and new value.
    ///
    /// Request: `[item]`; reply: `[item]`.
    pub fn add_batch(&mut self, req: &Counter) -> Result<Counter> {
        Counter::decode(&self.0.do_reply(4, &req.encoded())?)
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

