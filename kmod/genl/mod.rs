// SPDX-License-Identifier: GPL-2.0

//! A safe Generic Netlink layer over `kernel::bindings`.
//!
//! `kernel::net::netlink` (Linux 7.3) registers a family and multicasts, but has no operations.
//! This layer adds what a subsystem needs to serve requests, in the same style:
//!
//! - [`Family`]: a `genl_family` built in const context with its split ops, multicast groups
//!   and per-namespace state ([`PerNetState`]), registered as one unit by [`FamilyModule`].
//! - [`Policy`] / [`AttrPolicy`]: per-operation attribute policies, validated strictly by the core.
//! - [`DoIt`] / [`DumpIt`]: handlers written in safe Rust, given the state of the request's
//!   namespace; [`SplitOp`] turns them into table entries.
//! - [`Request`] / [`Attrs`] / [`Attr`]: the parsed request, typed and bounds-checked attribute
//!   access, errors with an extack message naming the offending attribute.
//! - [`Message`]: a reply or notification being built; cancelled and freed unless sent.
//! - [`SockPriv`]: a family's state per socket (`genl_family.sock_priv_*`), reached from a
//!   request ([`Request::sock_priv`]) and dropped when the socket closes.
//! - [`Tree`]: an ordered set whose find-or-insert walks once, for a family's own state;
//!   [`StrKey`]: a string kept inline as a key; [`DumpWriter::put_tree`]: a dump of a
//!   `kernel::rbtree::RBTree` that resumes where the last round stopped.
//! - [`Field`]: one attribute read as its spec's type, what the generated request readers
//!   return; [`nla_total_size`] for the generated message sizes.
//!
//! The family's tables, its `Family` static and the `FamilyState` link are generated from its
//! spec (`nl_gen.rs`); a family writes its state, its handlers and `module!`.
//!
//! All `unsafe` code of the module lives under this directory; the C static inlines it mirrors
//! are in `inlines.rs`.

// The layer is a library compiled into each family's crate as a private module: its API is
// `pub` as a crate's would be (`unreachable_pub`), and a family uses only part of it
// (`dead_code`, and `unused_imports` for the re-exports below).
#![allow(dead_code, unreachable_pub)]

mod alloc;
mod attrs;
mod dump;
mod family;
mod inlines;
mod key;
mod msg;
mod net;
mod ops;
mod policy;
mod tree;

#[allow(unused_imports)] // a family uses part of the API
pub use self::{
    alloc::GFP_STORE,
    attrs::{Attr, AttrIter, Attrs, Field},
    dump::{DumpEntry, DumpIt, DumpWriter},
    family::{
        Family, FamilyModule, FamilyState, IsTheModule, PerNetState, SockPriv, SockPrivFamily,
    },
    inlines::cond_resched,
    key::StrKey,
    msg::{nla_total_size, nla_total_size_64bit, AttrWriter, Message, Nest},
    net::Net,
    ops::{DoIt, DontValidate, Perm, Request, SplitOp},
    policy::{AttrPolicy, KernelBound, Policy, StrMinLen},
    tree::{Iter, Keyed, OccupiedEntry, Tree, TreeEntry, TreeNode, VacantEntry},
};
#[allow(unused_imports)]
pub use kernel::net::netlink::MulticastGroup;
