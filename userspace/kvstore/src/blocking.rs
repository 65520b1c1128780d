// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A blocking client for simple callers.
//!
//! `do` requests (echo, put, get, del, stats) go straight through a blocking socket of the
//! client's own, one `send` and one `recv` per request with reused buffers: no runtime, no
//! task switch, and no intermediate attribute list (see `wire`). Dumps, subscriptions and the controller go through the asynchronous
//! [`crate::Client`] on a single-threaded tokio runtime that runs only while a call is in
//! progress.

use std::{sync::Mutex, time::Duration};

use futures::{StreamExt, TryStreamExt};
use netlink_packet_core::{NetlinkMessage, NetlinkPayload, NLMSG_ERROR, NLM_F_REQUEST};
use netlink_packet_generic::GenlMessage;
use netlink_sys::{protocols::NETLINK_GENERIC, Socket, SocketAddr};
use tokio::runtime::Runtime;

use crate::{
    client::kernel_error,
    ctrl::FamilyInfo,
    error::{Error, Result},
    message::{EntryAttr, KvstoreCmd, KvstoreMessage},
    subscription::SubscribeOptions,
    types::{DelReply, Echo, Entry, Event, FromReply, PutReply, PutRequest, StatsReply},
    wire::{self, AttrRef},
};

/// The receive buffer: the largest reply (a 65000-byte value) fits with room to spare.
const RECV_BUF: usize = 128 * 1024;

/// Blocking client of the `kvstore` family.
#[derive(Debug)]
pub struct Client {
    rt: Runtime,
    inner: crate::Client,
    direct: Mutex<Direct>,
}

/// The socket `do` requests use, with its buffers and sequence numbers.
#[derive(Debug)]
struct Direct {
    sock: Socket,
    seq: u32,
    tx: Vec<u8>,
    rx: Vec<u8>,
}

impl Client {
    /// Connects and resolves the family (see [`crate::Client::connect`]).
    pub fn connect() -> Result<Self> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let inner = rt.block_on(crate::Client::connect())?;
        let mut sock = Socket::new(NETLINK_GENERIC)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        sock.set_ext_ack(true)?;
        sock.set_cap_ack(true)?;
        let direct = Direct {
            sock,
            seq: 0,
            tx: Vec::new(),
            rx: vec![0; RECV_BUF],
        };
        Ok(Self {
            rt,
            inner,
            direct: Mutex::new(direct),
        })
    }

    /// Sends a `do` request and waits for its one reply (or error).
    ///
    /// The request is encoded from the borrowed `attrs` and the reply decoded in place
    /// ([`wire`]); only a kernel error goes through the generic packet types.
    fn do_request<T: FromReply>(
        &self,
        cmd: KvstoreCmd,
        attrs: &[AttrRef<'_>],
        flags: u16,
    ) -> Result<T> {
        let family = self.inner.family_id();
        let mut d = self.direct.lock().unwrap_or_else(|e| e.into_inner());
        let Direct { sock, seq, tx, rx } = &mut *d;
        *seq = seq.wrapping_add(1);
        wire::encode_request(tx, family, cmd, NLM_F_REQUEST | flags, *seq, attrs)?;
        sock.send(tx, 0)?;
        loop {
            let n = sock.recv(&mut &mut rx[..], 0)?;
            if n > rx.len() {
                return Err(Error::Netlink(format!(
                    "reply of {n} bytes truncated to {}",
                    rx.len()
                )));
            }
            for msg in wire::messages(&rx[..n]) {
                let msg = msg?;
                if msg.seq != *seq {
                    continue; // a stale reply of an interrupted earlier call
                }
                if msg.ty == family {
                    let (cmd, payload) = wire::genl_payload(msg.body())?;
                    return T::from_payload(cmd, payload);
                }
                if msg.ty == NLMSG_ERROR {
                    let err = NetlinkMessage::<GenlMessage<KvstoreMessage>>::deserialize(msg.bytes)
                        .map_err(|e| Error::Netlink(format!("undecodable error reply: {e}")))?;
                    match err.payload {
                        NetlinkPayload::Error(e) if e.code.is_some() => {
                            let request: Vec<EntryAttr> =
                                attrs.iter().map(|a| a.to_entry_attr()).collect();
                            return Err(kernel_error(&e, msg.flags, &request).into());
                        }
                        _ => {} // an ack
                    }
                }
            }
        }
    }

    /// The asynchronous client inside.
    pub fn as_async(&self) -> &crate::Client {
        &self.inner
    }

    pub fn echo(&self, req: &Echo) -> Result<Echo> {
        self.do_request(KvstoreCmd::Echo, &req.attr_refs(), 0)
    }

    pub fn put(&self, req: &PutRequest) -> Result<PutReply> {
        self.do_request(KvstoreCmd::Put, &req.attr_refs(), 0)
    }

    pub fn get(&self, key: impl AsRef<[u8]>) -> Result<Entry> {
        self.do_request(KvstoreCmd::Get, &[AttrRef::Key(key.as_ref())], 0)
    }

    pub fn del(&self, key: impl AsRef<[u8]>) -> Result<DelReply> {
        self.do_request(KvstoreCmd::Del, &[AttrRef::Key(key.as_ref())], 0)
    }

    pub fn stats(&self) -> Result<StatsReply> {
        self.do_request(KvstoreCmd::Stats, &[], 0)
    }

    /// The entries under `prefix` (all for an empty one), in key order;
    /// [`Error::DumpInterrupted`] when the store changed during the dump (see
    /// [`crate::Client::list`]).
    pub fn list(&self, prefix: &[u8]) -> Result<Vec<Entry>> {
        self.rt.block_on(self.inner.list(prefix).try_collect())
    }

    /// [`Client::list`], taken again after an interrupted dump, at most `attempts` times.
    pub fn list_consistent(&self, prefix: &[u8], attempts: u32) -> Result<Vec<Entry>> {
        self.rt
            .block_on(self.inner.list_consistent(prefix, attempts))
    }

    pub fn family_info(&self) -> Result<FamilyInfo> {
        self.rt.block_on(self.inner.family_info())
    }

    /// Subscribes to the `notify` group.
    pub fn subscribe(&self, opts: SubscribeOptions) -> Result<Subscription<'_>> {
        let inner = self.rt.block_on(self.inner.subscribe(opts))?;
        Ok(Subscription {
            rt: &self.rt,
            inner,
        })
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
        let next = self
            .rt
            .block_on(async { tokio::time::timeout(timeout, self.inner.next()).await });
        next.ok().flatten().transpose()
    }
}

impl Iterator for Subscription<'_> {
    type Item = Result<Event>;

    fn next(&mut self) -> Option<Self::Item> {
        self.rt.block_on(self.inner.next())
    }
}
