// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The asynchronous client: the "handle" half, like `genetlink::GenetlinkHandle`.

use std::{
    future::ready,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
};

use futures::{stream, Stream, StreamExt, TryStreamExt};
use genetlink::{resolver::Family, GenetlinkHandle};
use netlink_packet_core::{
    DoneMessage, ErrorMessage, NetlinkMessage, NetlinkPayload, Nla, NLA_HEADER_SIZE, NLM_F_DUMP,
    NLM_F_DUMP_INTR, NLM_F_REQUEST,
};
use netlink_packet_generic::GenlMessage;
use netlink_sys::AsyncSocket;
use tokio::sync::watch;

use crate::{
    error::{Error, KernelError, Result},
    extack::{self, Extack},
    message::{EntryAttr, KvstoreCmd, KvstoreMessage},
    spec,
    subscription::{SubscribeOptions, Subscription},
    types::{DelReply, Echo, Entry, PutReply, PutRequest, StatsReply},
    wire::{self, AttrRef},
};

/// A connection to the `kvstore` family.
///
/// [`Client::connect`] spawns the netlink connection on the current tokio
/// runtime, enables extended acks and resolves (and caches) the family ID and
/// the `notify` group ID through nlctrl. Clones share the connection.
#[derive(Clone, Debug)]
pub struct Client {
    handle: GenetlinkHandle,
    family: Family,
    /// Counts the socket's overruns (ENOBUFS): netlink-proto hands them to no request, so a
    /// dump whose next round the kernel could not queue would wait forever without it.
    overruns: watch::Receiver<u64>,
}

impl Client {
    /// Opens a generic netlink socket and resolves the family.
    ///
    /// Fails with [`Error::NotLoaded`] if the family is not registered.
    /// Must be called within a tokio runtime.
    pub async fn connect() -> Result<Self> {
        let (mut conn, handle, mut unsolicited) = genetlink::new_connection()?;
        // A dump's NLMSG_DONE carries its outcome: an error there must not end the dump as a
        // short success.
        conn.set_forward_done(true);
        let socket = conn.socket_mut().socket_mut();
        socket.set_ext_ack(true)?;
        // Errors then echo only the request's header, not the whole request.
        socket.set_cap_ack(true)?;
        tokio::spawn(conn);
        let (overrun_tx, overruns) = watch::channel(0);
        tokio::spawn(async move {
            while let Some((msg, _)) = unsolicited.next().await {
                if let NetlinkPayload::Overrun(_) = msg.payload {
                    overrun_tx.send_modify(|n| *n += 1);
                }
            }
        });
        let family = handle.resolve_family::<KvstoreMessage>().await?;
        Ok(Self {
            handle,
            family,
            overruns,
        })
    }

    /// The family ID the controller assigned.
    pub fn family_id(&self) -> u16 {
        self.family.id
    }

    /// The ID of the `notify` multicast group, if the family has it.
    pub fn notify_group(&self) -> Option<u32> {
        self.family
            .multicast_groups
            .get(spec::MCGRP_NOTIFY)
            .copied()
    }

    /// The underlying genetlink handle (e.g. for nlctrl requests).
    pub fn genetlink_handle(&self) -> &GenetlinkHandle {
        &self.handle
    }

    /// `echo`: the kernel returns the attributes unchanged.
    pub async fn echo(&self, req: &Echo) -> Result<Echo> {
        self.do_request(KvstoreCmd::Echo, owned(&req.attr_refs()), 0)
            .await?
            .try_into()
    }

    /// `put`: creates or replaces an entry, as `req.mode` says (needs CAP_NET_ADMIN).
    pub async fn put(&self, req: &PutRequest) -> Result<PutReply> {
        self.do_request(KvstoreCmd::Put, owned(&req.attr_refs()), 0)
            .await?
            .try_into()
    }

    /// `get`: one entry by key (ENOENT if absent).
    pub async fn get(&self, key: impl AsRef<[u8]>) -> Result<Entry> {
        self.do_request(
            KvstoreCmd::Get,
            vec![EntryAttr::Key(key.as_ref().into())],
            0,
        )
        .await?
        .try_into()
    }

    /// `del`: removes an entry by key (needs CAP_NET_ADMIN; ENOENT if absent).
    pub async fn del(&self, key: impl AsRef<[u8]>) -> Result<DelReply> {
        self.do_request(
            KvstoreCmd::Del,
            vec![EntryAttr::Key(key.as_ref().into())],
            0,
        )
        .await?
        .try_into()
    }

    /// `stats`: counters and limits of the caller's namespace's store.
    pub async fn stats(&self) -> Result<StatsReply> {
        self.do_request(KvstoreCmd::Stats, Vec::new(), 0)
            .await?
            .try_into()
    }

    /// `get` dump: the entries whose key starts with `prefix` (all of them for an empty
    /// prefix), in key order.
    ///
    /// An error the kernel reports at the end of the dump (in `NLMSG_DONE`) ends the stream
    /// with that error. When the store changed while it was dumped (`NLM_F_DUMP_INTR`), every
    /// entry is still yielded and the stream ends with [`Error::DumpInterrupted`]: the list may
    /// miss or repeat keys changed meanwhile. [`Client::list_consistent`] retries.
    pub fn list(&self, prefix: &[u8]) -> impl Stream<Item = Result<Entry>> + Send + 'static {
        let attrs = match prefix {
            [] => Vec::new(),
            p => vec![EntryAttr::Key(p.into())],
        };
        match self.send(KvstoreCmd::Get, attrs, NLM_F_DUMP) {
            Ok(replies) => replies
                .and_then(|m| ready(Entry::try_from(m)))
                .left_stream(),
            Err(e) => stream::once(ready(Err(e))).right_stream(),
        }
    }

    /// The whole `get` dump, taken again when the store changed while it was dumped, at most
    /// `attempts` times; then [`Error::DumpInterrupted`].
    pub async fn list_consistent(&self, prefix: &[u8], attempts: u32) -> Result<Vec<Entry>> {
        let mut left = attempts.max(1);
        loop {
            match self.list(prefix).try_collect().await {
                Err(Error::DumpInterrupted) if left > 1 => left -= 1,
                other => return other,
            }
        }
    }

    /// Subscribes to the `notify` group on a socket of its own.
    pub async fn subscribe(&self, opts: SubscribeOptions) -> Result<Subscription> {
        let group = self
            .notify_group()
            .ok_or_else(|| Error::Netlink("the kvstore family has no `notify` group".into()))?;
        Subscription::new(self.family.id, group, opts)
    }

    /// Sends a `do` request and returns its one reply.
    ///
    /// Without `NLM_F_ACK`: every kvstore `do` answers with exactly one (non-multipart) reply or
    /// an `NLMSG_ERROR`, either of which completes the request in netlink-proto; an ack on top
    /// cost the kernel a second message and us a second receive per request (docs/bench.md).
    async fn do_request(
        &self,
        cmd: KvstoreCmd,
        attrs: Vec<EntryAttr>,
        flags: u16,
    ) -> Result<KvstoreMessage> {
        let mut replies = Box::pin(self.send(cmd, attrs, flags)?);
        let mut reply = None;
        while let Some(msg) = replies.next().await {
            let msg = msg?;
            reply.get_or_insert(msg);
        }
        reply.ok_or(Error::NoReply)
    }

    /// Sends a request; the stream yields the replies and fails on NLMSG_ERROR.
    fn send(
        &self,
        cmd: KvstoreCmd,
        attrs: Vec<EntryAttr>,
        flags: u16,
    ) -> Result<impl Stream<Item = Result<KvstoreMessage>> + Send + 'static> {
        check_encodable(&attrs)?;
        let mut genl = GenlMessage::from_payload(KvstoreMessage::new(cmd, attrs.clone()));
        genl.set_resolved_family_id(self.family.id);
        let mut nl = NetlinkMessage::from(genl);
        nl.header.flags = NLM_F_REQUEST | flags;
        nl.finalize();
        let replies = self.handle.clone().send_request(nl)?;
        // The kernel could not queue a reply (ENOBUFS, e.g. a dump round's skb): this request's
        // replies stop there. The socket's dump state is then unknown; connect anew.
        let mut overruns = self.overruns.clone();
        overruns.mark_unchanged();
        let replies = replies.take_until(async move {
            let _ = overruns.changed().await;
        });
        let mut interrupted = false;
        // Whether the kernel ended the request: a dump's stream that stops before its
        // NLMSG_DONE (the connection failed, e.g. on ENOBUFS) must not pass for a whole one.
        let ended = Arc::new(AtomicBool::new(flags & NLM_F_DUMP == 0));
        let seen_end = ended.clone();
        let replies = replies.filter_map(move |item| {
            ready(match item {
                Err(e) => Some(Err(e.into())),
                Ok(msg) => {
                    let nl_flags = msg.header.flags;
                    interrupted |= nl_flags & NLM_F_DUMP_INTR != 0;
                    match msg.payload {
                        NetlinkPayload::InnerMessage(genl) => Some(Ok(genl.payload)),
                        NetlinkPayload::Error(e) if e.code.is_some() => {
                            seen_end.store(true, Ordering::Relaxed);
                            Some(Err(kernel_error(&e, nl_flags, &attrs).into()))
                        }
                        NetlinkPayload::Done(done) => {
                            seen_end.store(true, Ordering::Relaxed);
                            if done.code != 0 {
                                Some(Err(done_error(&done, nl_flags).into()))
                            } else if interrupted {
                                Some(Err(Error::DumpInterrupted))
                            } else {
                                None
                            }
                        }
                        _ => None,
                    }
                }
            })
        });
        let cut =
            stream::once(
                async move { (!ended.load(Ordering::Relaxed)).then_some(Err(Error::DumpCut)) },
            )
            .filter_map(ready);
        Ok(replies.chain(cut))
    }
}

fn owned(attrs: &[AttrRef<'_>]) -> Vec<EntryAttr> {
    attrs.iter().map(|a| a.to_entry_attr()).collect()
}

/// Rejects attributes whose length does not fit the 16-bit `nla_len`, and a key with a NUL.
pub(crate) fn check_encodable(attrs: &[EntryAttr]) -> Result<()> {
    for attr in attrs {
        if let EntryAttr::Key(key) = attr {
            wire::check_key(key)?;
        }
        let max = u16::MAX as usize - NLA_HEADER_SIZE;
        if attr.value_len() > max {
            return Err(Error::InvalidRequest(format!(
                "attribute `{}` is {} bytes; a netlink attribute holds at most {max}",
                attr.name(),
                attr.value_len()
            )));
        }
    }
    Ok(())
}

/// The error a dump reported in its `NLMSG_DONE`, with the extended ack that may follow it.
pub(crate) fn done_error(done: &DoneMessage, nl_flags: u16) -> KernelError {
    let ext = Extack::parse_done(&done.extended_ack, nl_flags);
    let mut ke = KernelError::new(done.code, ext);
    ke.in_done = true;
    ke
}

/// Builds a [`KernelError`] and names the offending attribute of `request`.
pub(crate) fn kernel_error(
    err: &ErrorMessage,
    nl_flags: u16,
    request: &[EntryAttr],
) -> KernelError {
    let ext = Extack::parse(err, nl_flags);
    let missing = ext.missing_type.and_then(extack::entry_attr_name);
    let at = ext
        .offset
        .and_then(|off| extack::attr_at_offset(request, off));
    let mut ke = KernelError::new(err.raw_code(), ext);
    ke.attribute = at.or(missing).map(str::to_owned);
    ke
}
