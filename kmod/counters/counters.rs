// SPDX-License-Identifier: GPL-2.0

//! counters: named u64 counters per network namespace. The second genlkit example family,
//! made from `specs/counters.yaml` by the README's recipe: [`nl_gen`] is generated, this file
//! is all the hand-written code.

#![deny(unsafe_code)] // family code is safe Rust: `unsafe` only in the genl layer

#[path = "../genl/mod.rs"]
#[allow(unsafe_code)] // the layer is where all of the module's `unsafe` lives
mod genl;
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
mod nl_gen;

use genl::{AttrWriter, DumpWriter, Net, PerNetState, Request, SockPriv, GFP_STORE};
use kernel::{
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{
        atomic::{Atomic, Relaxed},
        Mutex,
    },
};
use nl_gen::{
    counter, notify_changed_ntf, size, AddBatchDoRequest, AddDoRequest, CounterWriter, CountersOps,
    GetDoRequest,
};

module! {
    type: genl::FamilyModule<State>,
    name: "counters",
    authors: ["genlkit developers"],
    description: "genlkit example Generic Netlink family: named counters per netns",
    license: "GPL",
    params: {
        max_counters: u64 {
            default: 65536,
            description: "Most counters per network namespace",
        },
        dump_error_after: u64 {
            default: 0,
            description: "Fault injection for tests: dumps fail with EIO after N counters (0: off)",
        },
    },
}

/// A counter's name, the tree's key: kept in the tree's node (one allocation per counter).
type Name = genl::StrKey<{ counter::NAME_MAX_LEN }>;

/// One namespace's counters, in a tree: no allocation grows with their number.
struct Counters {
    tree: RBTree<Name, u64>,
    len: u64,
}

#[pin_data]
struct State {
    #[pin]
    counters: Mutex<Counters>,
}

impl PerNetState for State {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        let empty = Counters {
            tree: RBTree::new(),
            len: 0,
        };
        try_pin_init!(State { counters <- new_mutex!(empty) }? Error)
    }
}

/// Each socket's state (`sock-priv`): how many adds it made, reported in `add`'s reply.
struct CountersNlSock {
    adds: Atomic<u64>,
}

impl SockPriv for CountersNlSock {
    fn init() -> impl PinInit<Self> {
        CountersNlSock {
            adds: Atomic::new(0),
        }
    }
}

fn put_counter(m: impl AttrWriter, name: &[u8], value: u64) -> Result {
    let mut w = CounterWriter(m);
    w.name(name)?;
    w.value(value)
}

/// The most adds one `add-batch` makes: what one request may have the kernel allocate.
const BATCH_MAX: usize = 64;

impl CountersOps for State {
    fn add_do(&self, req: &Request<'_>) -> Result {
        let r = AddDoRequest::new(req);
        // Its policy bounds its length, empty names included.
        let name = r.name().required()?;
        let delta = r.delta().get()?.unwrap_or(1);
        // What can fail is allocated before the change: the socket's state (on its first add),
        // the reply, and a new counter's node (freed unused when the counter exists), charged
        // to the sender's memory cgroup.
        let sock = req.sock_priv::<State>()?;
        let mut reply = req.reply(size::ADD_DO_REPLY)?;
        let key = Name::new(name)?;
        let node = RBTreeNodeReservation::new(GFP_STORE)?;
        let mut counters = self.counters.lock();
        let value = match counters.tree.get_mut(&key) {
            Some(v) => {
                *v = v.wrapping_add(delta);
                *v
            }
            None => {
                if counters.len >= module_parameters::max_counters.value() {
                    return Err(r.name().reject(ENOSPC, c"too many counters (max_counters)"));
                }
                counters.tree.insert(node.into_node(key, delta));
                counters.len += 1;
                delta
            }
        };
        // Under the lock, so that listeners see a counter's changes in order.
        notify_changed_ntf(req.net(), |m| put_counter(m, name, value));
        drop(counters);
        let sock_adds = sock.adds.fetch_add(1, Relaxed).wrapping_add(1);
        // Sized for it: cannot fail.
        put_counter(&mut reply, name, value)?;
        CounterWriter(&mut reply).sock_adds(sock_adds)?;
        req.send_reply(reply)
    }

    fn get_do(&self, req: &Request<'_>) -> Result {
        let r = GetDoRequest::new(req);
        let name = r.name().required()?;
        let key = Name::new(name)?;
        let mut reply = req.reply(size::GET_DO_REPLY)?;
        let value = *self
            .counters
            .lock()
            .tree
            .get(&key)
            .ok_or_else(|| r.name().reject(ENOENT, c"no such counter"))?;
        put_counter(&mut reply, name, value)?;
        req.send_reply(reply)
    }

    fn add_batch_do(&self, req: &Request<'_>) -> Result {
        let r = AddBatchDoRequest::new(req);
        r.item().required()?;
        // Every item is read, and what the adds need allocated, before anything changes: all
        // or none.
        let mut adds = KVec::new();
        for item in r.item().all() {
            if adds.len() == BATCH_MAX {
                return Err(r.item().reject(E2BIG, c"too many items (64 at most)"));
            }
            let item = item?;
            let name = item.name().required()?;
            let delta = item.delta().get()?.unwrap_or(1);
            let node = RBTreeNodeReservation::new(GFP_STORE)?;
            adds.push((Name::new(name)?, delta, node), GFP_STORE)?;
        }
        let mut reply = req.reply(adds.len() * size::ITEM_NEST)?;
        let mut counters = self.counters.lock();
        let new = adds
            .iter()
            .enumerate()
            .filter(|&(i, (key, ..))| {
                counters.tree.get(key).is_none() && !adds[..i].iter().any(|(k, ..)| k == key)
            })
            .count();
        if counters.len + new as u64 > module_parameters::max_counters.value() {
            return Err(r.item().reject(ENOSPC, c"too many counters (max_counters)"));
        }
        let mut out = CounterWriter(&mut reply);
        for (key, delta, node) in adds {
            let value = match counters.tree.get_mut(&key) {
                Some(v) => {
                    *v = v.wrapping_add(delta);
                    *v
                }
                None => {
                    counters.tree.insert(node.into_node(key, delta));
                    counters.len += 1;
                    delta
                }
            };
            notify_changed_ntf(req.net(), |m| put_counter(m, key.as_bytes(), value));
            // Sized for it: cannot fail.
            let mut item = out.item()?;
            item.name(key.as_bytes())?;
            item.value(value)?;
            item.end()?;
        }
        drop(counters);
        req.send_reply(reply)
    }

    /// The name to resume at (the first one that did not fit the last round), and how many
    /// entries the dump has sent (for `dump_error_after`).
    type GetDumpCursor = (Option<Name>, u64);

    fn get_dump_start(&self, _req: &Request<'_>) -> Result<(Option<Name>, u64)> {
        Ok((None, 0))
    }

    fn get_dump(
        &self,
        req: &Request<'_>,
        (resume, sent): &mut (Option<Name>, u64),
        out: &mut DumpWriter<'_>,
    ) -> Result {
        let fail_at = module_parameters::dump_error_after.value();
        let mut counters = self.counters.lock();
        out.put_tree(&mut counters.tree, resume, |entry, name, value| {
            if fail_at != 0 && *sent == fail_at {
                // The core sends the entries kept, then NLMSG_DONE with the error and extack.
                return Err(req.reject(EIO, c"injected dump error (dump_error_after)"));
            }
            put_counter(entry, name.as_bytes(), *value)?;
            *sent += 1;
            Ok(())
        })
    }
}
