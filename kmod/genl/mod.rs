// SPDX-License-Identifier: GPL-2.0

//! A safe Generic Netlink layer over `kernel::bindings`.
//!
//! `kernel::net::netlink` (Linux 7.3) registers a family and multicasts, but has no operations.
//! This layer adds what a subsystem needs to serve requests, in the same style:
//!
//! - [`Family`]: a `genl_family` built in const context with its split ops and multicast groups.
//! - [`Policy`] / [`AttrPolicy`]: per-operation attribute policies, validated strictly by the core.
//! - [`DoIt`] / [`DumpIt`]: handlers written in safe Rust; [`SplitOp`] turns them into table entries.
//! - [`Request`] / [`Attrs`] / [`Attr`]: the parsed request, typed and bounds-checked attribute access,
//!   errors with an extack message naming the offending attribute.
//! - [`Message`]: a reply, notification or dump entry being built; cancelled and freed unless sent.
//! - [`PerNet`]: state that hangs off each network namespace.
//!
//! All `unsafe` code of the module lives under this directory.

// The layer is a library inside the module crate: its API is wider than one family uses.
#![allow(dead_code, unused_imports, unreachable_pub)]

mod attrs;
mod dump;
mod family;
mod msg;
mod net;
mod ops;
mod pernet;
mod policy;

pub use attrs::{Attr, Attrs};
pub use dump::{DumpEntry, DumpIt, DumpProgress, DumpWriter};
pub use family::{Family, Registration};
pub use kernel::net::netlink::MulticastGroup;
pub use msg::{AttrWriter, Message, Nest};
pub use net::Net;
pub use ops::{DoIt, MsgFlags, Perm, Request, SplitOp};
pub use pernet::{PerNet, PerNetRegistration, PerNetState};
pub use policy::{AttrPolicy, Policy};
