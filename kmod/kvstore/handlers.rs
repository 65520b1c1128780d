// SPDX-License-Identifier: GPL-2.0

//! The kvstore operations, in safe Rust on the genl layer.

use kernel::prelude::*;

use crate::{
    genl::{AttrWriter, DumpWriter, Message, Net, PerNetState, Request, TreeNode, GFP_STORE},
    nl_gen::{cmd, entry, group, put_mode, stats, KvstoreOps, FAMILY},
    store::{Counters, Entry, Limits, PutError, PutMode, Store},
};

/// Every namespace has its store.
impl PerNetState for Store {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        Store::new(limits())
    }
}

/// The limits the module parameters set.
fn limits() -> Limits {
    use crate::module_parameters::*;
    Limits {
        max_entries: max_entries.value(),
        max_bytes: max_bytes.value(),
        max_total_entries: max_total_entries.value(),
        max_total_bytes: max_total_bytes.value(),
    }
}

/// Room an attribute with `len` payload bytes takes (`nla_total_size`), plus a pad attribute in
/// case a `u64` needs one.
const fn attr_size(len: usize) -> usize {
    (4 + len + 3) & !3
}

/// Room for the attributes of an entry message, beyond the headers.
#[inline]
fn entry_size(key: &[u8], value_len: usize) -> usize {
    attr_size(key.len() + 1) + attr_size(value_len) + attr_size(4) + 2 * attr_size(8)
}

fn put_entry(msg: &mut impl AttrWriter, key: &[u8], value: &[u8], flags: u32) -> Result {
    msg.put_str(entry::KEY, key)?;
    msg.put_bytes(entry::VALUE, value)?;
    msg.put_u32(entry::FLAGS, flags)
}

/// Multicasts a notification to `notify` if anyone listens. Inlined into the handlers, so that
/// when no one listens (the common case) nothing of the notification is prepared.
#[inline]
fn notify(
    store: &Store,
    net: Net<'_>,
    cmd: u8,
    size: usize,
    fill: impl FnOnce(&mut Message) -> Result,
) {
    if FAMILY.has_listeners(net, group::NOTIFY) {
        send_notification(store, net, cmd, size, fill);
    }
}

/// Builds and multicasts a notification; counts what happened.
fn send_notification(
    store: &Store,
    net: Net<'_>,
    cmd: u8,
    size: usize,
    fill: impl FnOnce(&mut Message) -> Result,
) {
    let sent = FAMILY.notification(cmd, size).and_then(|mut msg| {
        fill(&mut msg)?;
        FAMILY.notify(msg, net, group::NOTIFY)
    });
    match sent {
        Ok(()) => Counters::bump(&store.counters.notify_sent),
        // The last listener left since we checked.
        Err(e) if e == ESRCH => (),
        Err(_) => Counters::bump(&store.counters.notify_dropped),
    }
}

/// Where a `get` dump stands between rounds.
pub(crate) struct DumpCursor {
    /// Only keys that start with it; empty for all.
    prefix: KVec<u8>,
    /// The key that did not fit the last round, to resume at; `None` before the first round.
    /// Copied once per round, not once per entry; if it is deleted in between, the walk resumes
    /// at the next key, so no unchanged key is skipped or sent twice.
    next: [u8; entry::KEY_MAX_LEN],
    next_len: Option<usize>,
}

/// The kvstore operations: [`KvstoreOps`], generated from the spec, served by each namespace's
/// store.
impl KvstoreOps for Store {
    /// Returns the request's attributes; the key as the string it is read as, NUL-terminated as
    /// every string the kernel sends (a key may come without its NUL).
    fn echo_do(&self, req: &Request<'_>) -> Result {
        Counters::bump(&self.counters.echo);
        let attrs = req.attrs();
        let key = attrs.get(entry::KEY).map(|a| a.str_bytes()).transpose()?;
        let value = attrs.get(entry::VALUE);
        let size = key.map_or(0, |k| attr_size(k.len() + 1))
            + value.map_or(0, |a| attr_size(a.bytes().len()))
            + 3 * attr_size(8);
        let mut reply = req.reply(size)?;
        if let Some(k) = key {
            reply.put_str(entry::KEY, k)?;
        }
        if let Some(a) = value {
            reply.put_bytes(entry::VALUE, a.bytes())?;
        }
        if let Some(a) = attrs.get(entry::FLAGS) {
            reply.put_u32(entry::FLAGS, a.u32()?)?;
        }
        if let Some(a) = attrs.get(entry::GENERATION) {
            reply.put_u64(entry::GENERATION, a.u64()?, entry::PAD)?;
        }
        req.send_reply(reply)
    }

    /// Creates or replaces an entry, replies with it and the new generation, and multicasts
    /// `new-ntf`.
    fn put_do(&self, req: &Request<'_>) -> Result {
        Counters::bump(&self.counters.put);
        let attrs = req.attrs();
        let key_attr = attrs.required(entry::KEY)?;
        let key = key_attr.str_bytes()?;
        let value_attr = attrs.required(entry::VALUE)?;
        let value = value_attr.bytes();
        let flags = attrs
            .get(entry::FLAGS)
            .map(|a| a.u32())
            .transpose()?
            .unwrap_or(0);
        let mode = match attrs.get(entry::MODE) {
            None => PutMode::Upsert,
            Some(a) => match a.u32()? {
                put_mode::UPSERT => PutMode::Upsert,
                put_mode::CREATE => PutMode::Create,
                put_mode::REPLACE => PutMode::Replace,
                // The policy's range (0..=put_mode::MAX) has refused any other value.
                _ => return Err(a.reject(EINVAL, c"unknown put mode")),
            },
        };

        // Everything that can fail is allocated before the change, charged to the sender's
        // memory cgroup: the entry's bytes when they do not fit in the node, the tree node and
        // the reply. The bytes first: at a cgroup's limit it is the allocation that fails (an
        // order-4 block for the largest values is refused without invoking the cgroup's OOM
        // killer), with a message.
        let new_entry = Entry::new(key, value, flags).map_err(|e| {
            if e == ENOMEM {
                value_attr.reject(ENOMEM, c"cannot store the value (out of memory)")
            } else {
                e
            }
        })?;
        let node = TreeNode::new(new_entry, GFP_STORE)?;
        let size = entry_size(key, value.len());
        let mut reply = req.reply(size)?;

        let mut inner = self.inner.lock();
        let generation = inner.put(node, mode, &self.limits).map_err(|e| match e {
            PutError::Exists => key_attr.reject(EEXIST, c"entry exists (mode create)"),
            PutError::Missing => key_attr.reject(ENOENT, c"entry does not exist (mode replace)"),
            PutError::TooManyEntries => {
                key_attr.reject(ENOSPC, c"store is full (max_entries reached)")
            }
            PutError::TooManyBytes => {
                value_attr.reject(ENOSPC, c"store is full (max_bytes reached)")
            }
            PutError::TooManyEntriesInAll => {
                key_attr.reject(ENOSPC, c"kvstore is full (max_total_entries reached)")
            }
            PutError::TooManyBytesInAll => {
                value_attr.reject(ENOSPC, c"kvstore is full (max_total_bytes reached)")
            }
        })?;
        // Under the lock, so listeners see changes in generation order; a notification that
        // cannot be built or sent is counted, not the request's failure.
        notify(self, req.net(), cmd::NEW_NTF, size, |m| {
            put_entry(m, key, value, flags)?;
            m.put_u64(entry::GENERATION, generation, entry::PAD)
        });
        drop(inner);

        // Sized for it: filling in the reply cannot fail.
        put_entry(&mut reply, key, value, flags)?;
        reply.put_u64(entry::GENERATION, generation, entry::PAD)?;
        req.send_reply(reply)
    }

    /// One entry by key.
    fn get_do(&self, req: &Request<'_>) -> Result {
        Counters::bump(&self.counters.get);
        let key_attr = req.attrs().required(entry::KEY)?;
        let key = key_attr.str_bytes()?;
        let inner = self.inner.lock();
        let found = inner
            .get(key)
            .ok_or_else(|| key_attr.reject(ENOENT, c"no entry with this key"))?;
        let mut reply = req.reply(entry_size(key, found.value().len()))?;
        put_entry(&mut reply, key, found.value(), found.flags())?;
        drop(inner);
        req.send_reply(reply)
    }

    type GetDumpCursor = DumpCursor;

    /// Headers (`nlmsghdr`, `genlmsghdr`) and the largest entry.
    const GET_DUMP_MIN_ALLOC: u32 = (16
        + 4
        + attr_size(entry::KEY_MAX_LEN + 1)
        + attr_size(entry::VALUE_MAX_LEN)
        + attr_size(4)) as u32;

    /// Every entry in key order, under an optional key prefix.
    fn get_dump_start(&self, req: &Request<'_>) -> Result<DumpCursor> {
        Counters::bump(&self.counters.dump);
        let mut prefix = KVec::new();
        if let Some(a) = req.attrs().get(entry::KEY) {
            prefix.extend_from_slice(a.str_bytes()?, GFP_STORE)?;
        }
        Ok(DumpCursor {
            prefix,
            next: [0; entry::KEY_MAX_LEN],
            next_len: None,
        })
    }

    fn get_dump(
        &self,
        _req: &Request<'_>,
        cursor: &mut DumpCursor,
        out: &mut DumpWriter<'_>,
    ) -> Result {
        let prefix = cursor.prefix.as_slice();
        let from = match cursor.next_len {
            Some(len) => Some(&cursor.next[..len]),
            None => Some(prefix).filter(|p| !p.is_empty()),
        };
        let inner = self.inner.lock();
        out.set_generation(inner.generation());
        // The iterator holds the key only while it finds where to start.
        for e in inner.entries_from(from) {
            let (k, v) = e.key_and_value();
            if !k.starts_with(prefix) {
                break;
            }
            if let Err(err) = out.put_entry(|m| put_entry(m, k, v, e.flags())) {
                // Resume here: the entry was not kept.
                cursor.next[..k.len()].copy_from_slice(k);
                cursor.next_len = Some(k.len());
                return Err(err);
            }
        }
        Ok(())
    }

    /// Removes an entry, replies with its key and the new generation, and multicasts `del-ntf`.
    fn del_do(&self, req: &Request<'_>) -> Result {
        Counters::bump(&self.counters.del);
        let key_attr = req.attrs().required(entry::KEY)?;
        let key = key_attr.str_bytes()?;
        let size = entry_size(key, 0);
        // Allocated before the change, so that it cannot fail after it.
        let mut reply = req.reply(size)?;
        let mut inner = self.inner.lock();
        let generation = inner
            .del(key)
            .ok_or_else(|| key_attr.reject(ENOENT, c"no entry with this key"))?;
        notify(self, req.net(), cmd::DEL_NTF, size, |m| {
            m.put_str(entry::KEY, key)?;
            m.put_u64(entry::GENERATION, generation, entry::PAD)
        });
        drop(inner);
        // Sized for it: cannot fail.
        reply.put_str(entry::KEY, key)?;
        reply.put_u64(entry::GENERATION, generation, entry::PAD)?;
        req.send_reply(reply)
    }

    /// Counters and limits of the caller's namespace's store.
    fn stats_do(&self, req: &Request<'_>) -> Result {
        let c = &self.counters;
        Counters::bump(&c.stats);
        let (generation, entries, bytes, memory) = {
            let inner = self.inner.lock();
            (
                inner.generation(),
                inner.entries(),
                inner.bytes(),
                inner.memory(),
            )
        };
        let l = self.limits;
        let mut reply = req.reply(16 * 2 * attr_size(8))?;
        reply.put_u64(entry::GENERATION, generation, entry::PAD)?;
        let mut nest = reply.nest(entry::STATS)?;
        for (ty, v) in [
            (stats::ENTRIES, entries),
            (stats::BYTES, bytes),
            (stats::MAX_ENTRIES, l.max_entries),
            (stats::MAX_BYTES, l.max_bytes),
            (stats::ECHO_COUNT, Counters::read(&c.echo)),
            (stats::PUT_COUNT, Counters::read(&c.put)),
            (stats::GET_COUNT, Counters::read(&c.get)),
            (stats::DEL_COUNT, Counters::read(&c.del)),
            (stats::DUMP_COUNT, Counters::read(&c.dump)),
            (stats::STATS_COUNT, Counters::read(&c.stats)),
            (stats::NOTIFY_SENT, Counters::read(&c.notify_sent)),
            (stats::NOTIFY_DROPPED, Counters::read(&c.notify_dropped)),
            (stats::MEMORY, memory),
        ] {
            nest.put_u64(ty, v, stats::PAD)?;
        }
        nest.end()?;
        req.send_reply(reply)
    }
}
