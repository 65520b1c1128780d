// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The client runtime of any Generic Netlink family, on the rust-netlink crates: what
//! `genlctl` (driven by a spec at run time) and the generated per-family clients
//! (`userspace/<family>/`, typed from the spec at build time) share.
//!
//! - [`attr`]: attributes as bytes, walked and appended;
//! - [`exchange`]: the one message codec: requests written into a reused buffer, replies read
//!   in place, a request's progress through them (replies, ack, `NLMSG_DONE`, errors);
//! - [`conn`]: a blocking socket set up as the kernel's YNL sets its own, the controller
//!   (family resolution, policy dumps, families coming and going);
//! - [`family`]: a connection bound to one family (cached ID, named errors, dumps as
//!   iterators, subscriptions that survive a module reload);
//! - [`nonblocking`]: the same, awaited on tokio;
//! - [`error`]: the kernel's errors with their whole extended ack;
//! - [`names`]: a family's attribute names, for those errors;
//! - [`message`]: a family's messages for the `genetlink` crate (netlink-packet traits);
//! - [`typed`]: typed values to and from payloads, for the generated clients.

pub mod attr;
pub mod conn;
pub mod error;
pub mod exchange;
pub mod family;
pub mod message;
pub mod names;
pub mod nonblocking;
pub mod string;
pub mod typed;

pub use conn::{
    deadline, AttrPolicy, Conn, FamilyInfo, Notice, PolicyDump, Reply,
    REQUEST_ATTRS_OFFSET as ATTRS_OFFSET,
};
pub use error::{errno_name, strerror, Extack, KernelError, NlError, PolicyLimit, Result};
pub use exchange::Expect;
pub use family::{Dump, FamilyConn};
pub use message::{FamilyMessage, FamilySpec};
pub use names::{FamilyNames, SetNames};
pub use nonblocking::{dump_stream, AsyncConn, AsyncFamilyConn};
pub use string::NlString;
