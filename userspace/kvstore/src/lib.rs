// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Client library for the `kvstore` Generic Netlink family (see
//! `specs/kvstore.yaml`), built on the rust-netlink crates.
//!
//! The layers follow rust-netlink's split:
//! - [`spec`]: the family's numbers, mirroring the YAML spec;
//! - [`message`]: packet types ([`KvstoreMessage`], [`EntryAttr`], [`StatsAttr`]);
//! - [`types`]: typed requests, replies and events;
//! - [`Client`] (async, tokio) and [`Subscription`]: the handle;
//! - [`blocking::Client`]: a blocking facade, whose `do` requests take a lean path of their own
//!   (`wire`: encoded from borrowed fields, decoded in place).
//!
//! ```no_run
//! # async fn demo() -> kvstore::Result<()> {
//! use futures::TryStreamExt;
//! let client = kvstore::Client::connect().await?;
//! client.put(&kvstore::PutRequest::new("greeting", "hello")).await?;
//! let entries: Vec<kvstore::Entry> = client.list(b"greet").try_collect().await?;
//! # Ok(()) }
//! ```

pub mod blocking;
mod client;
/// The client generated from the spec (blocking, on `genl-client`): every op typed by the
/// spec, its strings `String`s. [`Client`] adds keys as bytes, streams and the lean paths.
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
pub mod client_gen;
pub mod ctrl;
pub mod error;
pub mod extack;
mod key;
pub mod message;
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
pub mod spec;
mod subscription;
pub mod types;
mod wire;

pub use client::Client;
pub use ctrl::FamilyInfo;
pub use error::{Error, KernelError, Result};
pub use key::Key;
pub use message::{EntryAttr, KvstoreCmd, KvstoreMessage, StatsAttr};
pub use subscription::{SubscribeOptions, Subscription};
pub use types::{
    DelReply, Echo, Entry, EntryFlags, Event, PutMode, PutReply, PutRequest, Stats, StatsReply,
};
