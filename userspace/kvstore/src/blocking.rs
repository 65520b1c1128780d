//! A blocking facade over [`crate::Client`] for simple callers.
//!
//! Each [`Client`] owns a single-threaded tokio runtime; the netlink sockets
//! are only serviced while a call is in progress.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use tokio::runtime::Runtime;

use crate::{
    ctrl::FamilyInfo,
    error::Result,
    subscription::SubscribeOptions,
    types::{DelReply, Echo, Entry, Event, PutReply, PutRequest, StatsReply},
};

/// Blocking client of the `kvstore` family.
#[derive(Debug)]
pub struct Client {
    rt: Runtime,
    inner: crate::Client,
}

impl Client {
    /// Connects and resolves the family (see [`crate::Client::connect`]).
    pub fn connect() -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        let inner = rt.block_on(crate::Client::connect())?;
        Ok(Self { rt, inner })
    }

    /// The asynchronous client inside.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    pub fn echo(&self, req: &Echo) -> Result<Echo> {
        self.rt.block_on(self.inner.echo(req))
    }

    pub fn put(&self, req: &PutRequest) -> Result<PutReply> {
        self.rt.block_on(self.inner.put(req))
    }

    pub fn get(&self, key: &str) -> Result<Entry> {
        self.rt.block_on(self.inner.get(key))
    }

    pub fn del(&self, key: &str) -> Result<DelReply> {
        self.rt.block_on(self.inner.del(key))
    }

    pub fn stats(&self) -> Result<StatsReply> {
        self.rt.block_on(self.inner.stats())
    }

    /// All entries (under `prefix`), in key order.
    pub fn list(&self, prefix: Option<&str>) -> Result<Vec<Entry>> {
        self.rt.block_on(self.inner.list(prefix).try_collect())
    }

    pub fn family_info(&self) -> Result<FamilyInfo> {
        self.rt.block_on(self.inner.family_info())
    }

    /// Subscribes to the `notify` group.
    pub fn subscribe(&self, opts: SubscribeOptions) -> Result<Subscription<'_>> {
        let inner = self.rt.block_on(self.inner.subscribe(opts))?;
        Ok(Subscription { rt: &self.rt, inner })
    }
}

/// Blocking iterator over notify events.
#[derive(Debug)]
pub struct Subscription<'a> {
    rt: &'a Runtime,
    inner: crate::Subscription,
}

impl Subscription<'_> {
    /// Waits for the next event; `Ok(None)` on timeout or when the socket closed.
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Event>> {
        let next = self.rt.block_on(async { tokio::time::timeout(timeout, self.inner.next()).await });
        next.ok().flatten().transpose()
    }
}

impl Iterator for Subscription<'_> {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rt.block_on(self.inner.next())
    }
}
