// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The asynchronous client (tokio), on `genl-client`'s [`AsyncFamilyConn`]: the generated
//! codec, with keys as bytes, streams, and replies whose required attributes are checked.

use std::sync::Arc;

use futures::{stream, Stream, StreamExt};
use genl_client::{dump_stream, AsyncFamilyConn, Result};
use tokio::sync::Mutex;

use crate::{
    client_gen::NAMES,
    spec,
    subscription::{SubscribeOptions, Subscription},
    types::{DelReply, Echo, Entry, PutReply, PutRequest, StatsReply},
};

/// A connection to the `kvstore` family. Clones share it; their requests take turns.
#[derive(Clone, Debug)]
pub struct Client {
    conn: Arc<Mutex<AsyncFamilyConn>>,
}

/// A request that carries only a key.
pub(crate) fn key_attr(out: &mut Vec<u8>, key: &[u8]) -> Result<()> {
    genl_client::typed::put_str(out, spec::ENTRY_KEY, "key", key)
}

impl Client {
    /// Opens a generic netlink socket and resolves the family.
    ///
    /// Fails with `Error::NotLoaded` if the family is not registered. Must be called within
    /// a tokio runtime.
    pub async fn connect() -> Result<Self> {
        let conn = AsyncFamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION)
            .await?
            .with_names(&NAMES);
        Ok(Client {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// The family ID the controller assigned (resolved again after a module reload).
    pub async fn family_id(&self) -> u16 {
        self.conn.lock().await.id()
    }

    /// The ID of the `notify` multicast group, if the family has it.
    pub async fn notify_group(&self) -> Option<u32> {
        self.conn.lock().await.info().group(spec::MCGRP_NOTIFY)
    }

    /// The connection, for requests the typed methods do not cover (e.g. to nlctrl).
    pub(crate) async fn conn(&self) -> tokio::sync::MutexGuard<'_, AsyncFamilyConn> {
        self.conn.lock().await
    }

    /// `echo`: the kernel returns the attributes unchanged.
    pub async fn echo(&self, req: &Echo) -> Result<Echo> {
        self.conn()
            .await
            .do_reply(spec::CMD_ECHO, |o| req.encode(o), Echo::decode)
            .await
    }

    /// `put`: creates or replaces an entry, as the request's mode says (needs CAP_NET_ADMIN).
    pub async fn put(&self, req: &PutRequest) -> Result<PutReply> {
        self.conn()
            .await
            .do_reply(spec::CMD_PUT, |o| req.0.encode(o), PutReply::decode)
            .await
    }

    /// `get`: one entry by key (ENOENT if absent).
    pub async fn get(&self, key: impl AsRef<[u8]>) -> Result<Entry> {
        let key = key.as_ref();
        self.conn()
            .await
            .do_reply(spec::CMD_GET, |o| key_attr(o, key), Entry::decode)
            .await
    }

    /// `del`: removes an entry by key (needs CAP_NET_ADMIN; ENOENT if absent).
    pub async fn del(&self, key: impl AsRef<[u8]>) -> Result<DelReply> {
        let key = key.as_ref();
        self.conn()
            .await
            .do_reply(spec::CMD_DEL, |o| key_attr(o, key), DelReply::decode)
            .await
    }

    /// `stats`: counters and limits of the caller's namespace's store.
    pub async fn stats(&self) -> Result<StatsReply> {
        self.conn()
            .await
            .do_reply(spec::CMD_STATS, |_| Ok(()), StatsReply::decode)
            .await
    }

    /// `get` dump: the entries whose key starts with `prefix` (all of them for an empty
    /// prefix), in key order, read as the stream is.
    ///
    /// An error the kernel reports at the end of the dump (in `NLMSG_DONE`) ends the stream
    /// with that error (`in_done` set). When the store changed while it was dumped
    /// (`NLM_F_DUMP_INTR`), every entry is still yielded and the stream ends with
    /// `Error::DumpInterrupted`: the list may miss or repeat keys changed meanwhile.
    /// [`Client::list_consistent`] retries.
    pub fn list(&self, prefix: &[u8]) -> impl Stream<Item = Result<Entry>> + Send + 'static {
        let mut attrs = Vec::new();
        match (!prefix.is_empty()).then(|| key_attr(&mut attrs, prefix)) {
            Some(Err(e)) => stream::once(async { Err(e) }).left_stream(),
            _ => dump_stream(self.conn.clone(), spec::CMD_GET, attrs, Entry::decode).right_stream(),
        }
    }

    /// The whole `get` dump, taken again when the store changed while it was dumped, at most
    /// `attempts` times; then `Error::DumpInterrupted`.
    pub async fn list_consistent(&self, prefix: &[u8], attempts: u32) -> Result<Vec<Entry>> {
        let enc = |o: &mut Vec<u8>| match prefix {
            [] => Ok(()),
            p => key_attr(o, p),
        };
        self.conn()
            .await
            .dump_consistent(spec::CMD_GET, enc, Entry::decode, attempts)
            .await
    }

    /// Subscribes to the `notify` group on a socket of its own.
    pub async fn subscribe(&self, opts: SubscribeOptions) -> Result<Subscription> {
        Subscription::new(opts).await
    }
}
