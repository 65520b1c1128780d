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

use genl::{AttrWriter, DumpWriter, Net, PerNetState, Request};
use kernel::{new_mutex, prelude::*, sync::Mutex};
use nl_gen::{cmd, counter, group, CountersOps, FAMILY};

module! {
    type: genl::FamilyModule<State>,
    name: "counters",
    authors: ["genlkit developers"],
    description: "genlkit example Generic Netlink family: named counters per netns",
    license: "GPL",
}

/// One namespace's counters, sorted by name.
#[pin_data]
struct State {
    #[pin]
    counters: Mutex<KVec<(KVec<u8>, u64)>>,
}

impl PerNetState for State {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        try_pin_init!(State { counters <- new_mutex!(KVec::new()) }? Error)
    }
}

/// Where `name` is, or would go, in the sorted list.
fn find(list: &[(KVec<u8>, u64)], name: &[u8]) -> core::result::Result<usize, usize> {
    list.binary_search_by(|(k, _)| k.as_slice().cmp(name))
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
        let mut list = self.counters.lock();
        let value = match find(&list, name) {
            Ok(i) => {
                list[i].1 = list[i].1.wrapping_add(delta);
                list[i].1
            }
            Err(i) => {
                let mut key = KVec::with_capacity(name.len(), GFP_KERNEL)?;
                key.extend_from_slice(name, GFP_KERNEL)?;
                list.push((key, delta), GFP_KERNEL)?;
                list[i..].rotate_right(1);
                delta
            }
        };
        // Under the lock, so that listeners see the changes of a counter in order.
        if FAMILY.has_listeners(req.net(), group::EVENTS) {
            let mut ntf = FAMILY.notification(cmd::CHANGED_NTF, COUNTER_SIZE)?;
            put_counter(&mut ntf, name, value)?;
            // ESRCH: the last listener just left; ENOBUFS: reported to the listener itself.
            let _ = FAMILY.notify(ntf, req.net(), group::EVENTS);
        }
        drop(list);
        let mut reply = req.reply(COUNTER_SIZE)?;
        put_counter(&mut reply, name, value)?;
        req.send_reply(reply)
    }

    fn get_do(&self, req: &Request<'_>) -> Result {
        let name_attr = req.attrs().required(counter::NAME)?;
        let name = name_attr.str_bytes()?;
        let list = self.counters.lock();
        let i = find(&list, name).map_err(|_| name_attr.reject(ENOENT, c"no such counter"))?;
        let mut reply = req.reply(COUNTER_SIZE)?;
        put_counter(&mut reply, name, list[i].1)?;
        drop(list);
        req.send_reply(reply)
    }

    /// The name to resume at: the first one that did not fit the last round.
    type GetDumpCursor = Option<KVec<u8>>;

    fn get_dump_start(&self, _req: &Request<'_>) -> Result<Option<KVec<u8>>> {
        Ok(None)
    }

    fn get_dump(
        &self,
        _req: &Request<'_>,
        resume: &mut Option<KVec<u8>>,
        out: &mut DumpWriter<'_>,
    ) -> Result {
        let list = self.counters.lock();
        let start = resume
            .as_deref()
            .map_or(0, |r| find(&list, r).unwrap_or_else(|i| i));
        for (name, value) in list.iter().skip(start) {
            if let Err(e) = out.put_entry(|entry| put_counter(entry, name, *value)) {
                let mut at = KVec::with_capacity(name.len(), GFP_KERNEL)?;
                at.extend_from_slice(name, GFP_KERNEL)?;
                *resume = Some(at);
                return Err(e);
            }
        }
        Ok(())
    }
}
