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

use core::cmp::Ordering;
use genl::{AttrWriter, DumpWriter, Net, PerNetState, Request};
use kernel::{
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::Mutex,
};
use nl_gen::{cmd, counter, group, CountersOps, FAMILY};

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
    },
}

/// A counter's name, ordered bytewise; its memory is charged to the sender's memory cgroup.
struct Name(KVec<u8>);

impl Name {
    fn new(bytes: &[u8]) -> Result<Self> {
        let mut v = KVec::with_capacity(bytes.len(), GFP_KERNEL_ACCOUNT)?;
        v.extend_from_slice(bytes, GFP_KERNEL_ACCOUNT)?;
        Ok(Self(v))
    }
}

impl Ord for Name {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.as_slice().cmp(other.0.as_slice())
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl Eq for Name {}

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

fn put_counter(m: &mut impl AttrWriter, name: &[u8], value: u64) -> Result {
    m.put_str(counter::NAME, name)?;
    m.put_u64(counter::VALUE, value, counter::PAD)
}

const COUNTER_SIZE: usize = 4 + counter::NAME_MAX_LEN + 4 + 2 * 12;

impl CountersOps for State {
    fn add_do(&self, req: &Request<'_>) -> Result {
        let attrs = req.attrs();
        let name_attr = attrs.required(counter::NAME)?;
        let name = name_attr.str_bytes()?;
        if name.len() < counter::NAME_MIN_LEN {
            return Err(name_attr.reject(EINVAL, c"name must not be empty"));
        }
        let delta = attrs
            .get(counter::DELTA)
            .map(|a| a.u64())
            .transpose()?
            .unwrap_or(1);
        // What can fail is allocated before the change: the reply, and a new counter's name and
        // node (freed unused when the counter exists).
        let mut reply = req.reply(COUNTER_SIZE)?;
        let key = Name::new(name)?;
        let node = RBTreeNodeReservation::new(GFP_KERNEL_ACCOUNT)?;
        let mut counters = self.counters.lock();
        let value = match counters.tree.get_mut(&key) {
            Some(v) => {
                *v = v.wrapping_add(delta);
                *v
            }
            None => {
                if counters.len >= module_parameters::max_counters.value() {
                    return Err(name_attr.reject(ENOSPC, c"too many counters (max_counters)"));
                }
                counters.tree.insert(node.into_node(key, delta));
                counters.len += 1;
                delta
            }
        };
        // Under the lock, so that listeners see the changes of a counter in order; best effort:
        // a lost notification is not the request's failure (ENOBUFS reaches the listener).
        if FAMILY.has_listeners(req.net(), group::EVENTS) {
            if let Ok(mut ntf) = FAMILY.notification(cmd::CHANGED_NTF, COUNTER_SIZE) {
                if put_counter(&mut ntf, name, value).is_ok() {
                    let _ = FAMILY.notify(ntf, req.net(), group::EVENTS);
                }
            }
        }
        drop(counters);
        // Sized for it: cannot fail.
        put_counter(&mut reply, name, value)?;
        req.send_reply(reply)
    }

    fn get_do(&self, req: &Request<'_>) -> Result {
        let name_attr = req.attrs().required(counter::NAME)?;
        let name = name_attr.str_bytes()?;
        let key = Name::new(name)?;
        let mut reply = req.reply(COUNTER_SIZE)?;
        let value = *self
            .counters
            .lock()
            .tree
            .get(&key)
            .ok_or_else(|| name_attr.reject(ENOENT, c"no such counter"))?;
        put_counter(&mut reply, name, value)?;
        req.send_reply(reply)
    }

    /// The name to resume at: the first one that did not fit the last round.
    type GetDumpCursor = Option<Name>;

    fn get_dump_start(&self, _req: &Request<'_>) -> Result<Option<Name>> {
        Ok(None)
    }

    fn get_dump(
        &self,
        _req: &Request<'_>,
        resume: &mut Option<Name>,
        out: &mut DumpWriter<'_>,
    ) -> Result {
        let mut counters = self.counters.lock();
        let mut at = match resume {
            Some(name) => counters.tree.cursor_lower_bound_mut(name),
            None => counters.tree.cursor_front_mut(),
        };
        while let Some(c) = at {
            let (name, value) = c.current();
            if let Err(e) = out.put_entry(|entry| put_counter(entry, &name.0, *value)) {
                *resume = Some(Name::new(&name.0)?);
                return Err(e);
            }
            at = c.move_next();
        }
        Ok(())
    }
}
