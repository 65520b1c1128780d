// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The client runtime of any Generic Netlink family, on the rust-netlink crates: what
//! `genlctl` (driven by a spec at run time) and the generated per-family clients
//! (`userspace/<family>/`, typed from the spec at build time) share.
//!
//! - [`attr`]: attributes as bytes, walked and appended;
//! - [`conn`]: a blocking socket set up as the kernel's YNL sets its own, family resolution,
//!   requests (do and dump, errors with their extended ack), notifications, policy dumps;
//! - [`typed`]: typed values to and from payloads, for the generated clients.

pub mod attr;
pub mod conn;
pub mod typed;

pub use conn::*;
