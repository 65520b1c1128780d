// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A blocking client, for callers without an async runtime: `genl-client`'s blocking
//! [`FamilyConn`], one `send` and one `recv` per `do` request with reused buffers.

use std::{
    sync::Mutex,
    time::{Duration, Instant},
};

use genl_client::{FamilyConn, Result};

use crate::{
    client::key_attr,
    client_gen::{Notification, NAMES},
    spec,
    subscription::SubscribeOptions,
    types::{DelReply, Echo, Entry, Event, PutReply, PutRequest, StatsReply},
};

/// Blocking client of the `kvstore` family. Calls from several threads take turns.
#[derive(Debug)]
pub struct Client {
    conn: Mutex<FamilyConn>,
}

impl Client {
    /// Connects and resolves the family (see [`crate::Client::connect`]).
    pub fn connect() -> Result<Self> {
        let conn = FamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION)?.with_names(&NAMES);
        Ok(Client {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, FamilyConn> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The family ID the controller assigned.
    pub fn family_id(&self) -> u16 {
        self.conn().id()
    }

    pub fn echo(&self, req: &Echo) -> Result<Echo> {
        self.conn()
            .do_reply(spec::CMD_ECHO, |o| req.encode(o), Echo::decode)
    }

    pub fn put(&self, req: &PutRequest) -> Result<PutReply> {
        self.conn()
            .do_reply(spec::CMD_PUT, |o| req.0.encode(o), PutReply::decode)
    }

    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Entry> {
        let key = key.as_ref();
        self.conn()
            .do_reply(spec::CMD_GET, |o| key_attr(o, key), Entry::decode)
    }

    pub fn del(&self, key: impl AsRef<[u8]>) -> Result<DelReply> {
        let key = key.as_ref();
        self.conn()
            .do_reply(spec::CMD_DEL, |o| key_attr(o, key), DelReply::decode)
    }

    pub fn stats(&self) -> Result<StatsReply> {
        self.conn()
            .do_reply(spec::CMD_STATS, |_| Ok(()), StatsReply::decode)
    }

    /// The entries under `prefix` (all for an empty one), in key order;
    /// `Error::DumpInterrupted` when the store changed during the dump (see
    /// [`crate::Client::list`]).
    pub fn list(&self, prefix: &[u8]) -> Result<Vec<Entry>> {
        self.list_consistent(prefix, 1)
    }

    /// [`Client::list`], taken again after an interrupted dump, at most `attempts` times.
    pub fn list_consistent(&self, prefix: &[u8], attempts: u32) -> Result<Vec<Entry>> {
        let enc = |o: &mut Vec<u8>| match prefix {
            [] => Ok(()),
            p => key_attr(o, p),
        };
        self.conn()
            .dump_consistent(spec::CMD_GET, enc, Entry::decode, attempts)
    }

    /// Subscribes to the `notify` group, on a socket of its own.
    pub fn subscribe(&self, opts: SubscribeOptions) -> Result<Subscription> {
        let mut conn =
            FamilyConn::connect(spec::FAMILY_NAME, spec::FAMILY_VERSION)?.with_names(&NAMES);
        if let Some(size) = opts.rcvbuf {
            conn.conn().socket().set_rx_buf_sz(size)?;
        }
        conn.subscribe(spec::MCGRP_NOTIFY)?;
        Ok(Subscription {
            conn,
            queue: Default::default(),
        })
    }
}

/// Blocking iterator over notify events (see [`crate::Subscription`]).
#[derive(Debug)]
pub struct Subscription {
    conn: FamilyConn,
    queue: std::collections::VecDeque<Result<Event>>,
}

impl Subscription {
    /// Waits up to `timeout` for the next event; `Ok(None)` when none came.
    pub fn next_timeout(&mut self, timeout: Duration) -> Result<Option<Event>> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(e) = self.queue.pop_front() {
                return e.map(Some);
            }
            let Some(notices) = self.conn.notices(Some(deadline))? else {
                return Ok(None);
            };
            self.queue.extend(
                notices
                    .into_iter()
                    .map(|n| Notification::from_notice(n).and_then(Event::from_gen)),
            );
        }
    }
}

impl Iterator for Subscription {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            match self.conn.notices(None) {
                Ok(n) => self.queue.extend(
                    n.into_iter()
                        .flatten()
                        .map(|n| Notification::from_notice(n).and_then(Event::from_gen)),
                ),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}
