// SPDX-License-Identifier: GPL-2.0

//! @name@: named items per network namespace, each with a nested config. Made by
//! `genlkit-codegen new @name@`; [`nl_gen`] is generated from `specs/@name@.yaml`, this file
//! is the family's hand-written code: its state and its handlers.

#![deny(unsafe_code)] // family code is safe Rust: `unsafe` only in the genl layer

#[path = "../genl/mod.rs"]
#[allow(unsafe_code)] // the layer is where all of the module's `unsafe` lives
mod genl;
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
mod nl_gen;

use genl::{AttrWriter, DumpWriter, Net, PerNetState, Request, GFP_STORE};
use kernel::rbtree::{RBTree, RBTreeNodeReservation};
use kernel::{new_mutex, prelude::*, sync::Mutex};
use nl_gen::{item, notify_changed_ntf, size, GetDoRequest, ItemWriter, SetDoRequest};

module! {
    type: genl::FamilyModule<State>,
    name: "@name@",
    authors: ["genlkit developers"],
    description: "@name@ Generic Netlink family (genlkit)",
    license: "GPL",
    params: {
        max_items: u64 {
            default: 1024,
            description: "Most items per network namespace",
        },
    },
}

/// An item's name, the tree's key: kept in the tree's node, no allocation of its own.
type Name = genl::StrKey<{ item::NAME_MAX_LEN }>;

/// An item's state.
#[derive(Clone, Copy)]
struct Item {
    level: u32,
    enabled: bool,
    version: u32,
}

/// One namespace's items.
#[derive(Default)]
struct Items {
    tree: RBTree<Name, Item>,
    len: u64,
}

#[pin_data]
struct State {
    #[pin]
    items: Mutex<Items>,
}

impl PerNetState for State {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        try_pin_init!(State { items <- new_mutex!(Items::default()) }? Error)
    }
}

/// Writes an item as `set`'s and `get`'s replies, dump entries and `changed-ntf` carry it.
fn put_item(m: impl AttrWriter, key: &Name, it: &Item) -> Result {
    let mut w = ItemWriter(m);
    w.name(key.as_bytes())?;
    let mut c = w.config()?;
    c.level(it.level)?;
    c.enabled(it.enabled)?;
    c.end()?;
    w.version(it.version)
}

impl nl_gen::@Name@Ops for State {
    fn set_do(&self, req: &Request<'_>) -> Result {
        let r = SetDoRequest::new(req);
        let key = Name::new(r.name().required()?)?;
        // `level` is required (its range is the policy's), `enabled` is not.
        let config = r.config().required()?;
        let (level, enabled) = (config.level().required()?, config.enabled());
        // What can fail is allocated before the change: the reply and a new item's node.
        let mut reply = req.reply(size::SET_DO_REPLY)?;
        let node = RBTreeNodeReservation::new(GFP_STORE)?;
        let mut items = self.items.lock();
        let version = match items.tree.get(&key) {
            Some(old) => old.version.wrapping_add(1),
            None if items.len < module_parameters::max_items.value() => 1,
            None => return Err(r.name().reject(ENOSPC, c"too many items (max_items)")),
        };
        let it = Item {
            level,
            enabled,
            version,
        };
        if items.tree.insert(node.into_node(key, it)).is_none() {
            items.len += 1;
        }
        notify_changed_ntf(req.net(), |m| put_item(m, &key, &it));
        drop(items);
        // Sized for it: cannot fail.
        put_item(&mut reply, &key, &it)?;
        req.send_reply(reply)
    }

    fn get_do(&self, req: &Request<'_>) -> Result {
        let r = GetDoRequest::new(req);
        let key = Name::new(r.name().required()?)?;
        let mut reply = req.reply(size::GET_DO_REPLY)?;
        let it = self.items.lock().tree.get(&key).copied();
        let it = it.ok_or_else(|| r.name().reject(ENOENT, c"no such item"))?;
        put_item(&mut reply, &key, &it)?;
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
        out.put_tree(&mut self.items.lock().tree, resume, |e, k, it| {
            put_item(e, k, it)
        })
    }
}

#[kernel::macros::kunit_tests(@name@_names)]
mod tests {
    use super::*;

    /// Names order as a dump lists them; one longer than `max-len` is refused.
    #[test]
    fn names_order_bytewise() {
        let n = |s: &[u8]| Name::new(s).unwrap();
        assert!(n(b"a") < n(b"ab") && n(b"ab") < n(b"b"));
        assert_eq!(n(b"ab").as_bytes(), b"ab");
        let too_long = [b'x'; item::NAME_MAX_LEN + 1];
        assert_eq!(Name::new(&too_long).err(), Some(EINVAL));
    }
}
