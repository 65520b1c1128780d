// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Client library for the `kvstore` Generic Netlink family (see `specs/kvstore.yaml`), on the
//! `genl-client` runtime.
//!
//! - [`spec`]: the family's numbers, generated from the spec;
//! - [`client_gen`]: the typed codec and clients, generated from the spec: [`EntryFlags`],
//!   [`PutMode`], the `entry` and `stats` sets, `NAMES` for errors;
//! - [`types`]: replies with what each op always carries made required, keys as bytes;
//! - [`Client`] (async, tokio) and [`Subscription`]; [`blocking::Client`] without a runtime.
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
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
pub mod client_gen;
pub mod ctrl;
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
pub mod spec;
mod subscription;
pub mod types;

pub use client::Client;
pub use client_gen::{EntryFlags, PutMode};
pub use ctrl::FamilyInfo;
pub use genl_client::{
    errno_name, strerror, KernelError, NlError as Error, NlString as Key, Result,
};
pub use subscription::{SubscribeOptions, Subscription};
pub use types::{DelReply, Echo, Entry, Event, PutReply, PutRequest, Stats, StatsReply};
