// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Client of the `@name@` Generic Netlink family (`specs/@name@.yaml`): all generated.

// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
mod client_gen;
#[rustfmt::skip]
pub mod spec;

pub use client_gen::*;
pub use genl_client::{NlError, NlString, Result};
