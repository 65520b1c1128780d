// SPDX-License-Identifier: GPL-2.0
//! Hole: the layer reads `sk_buff::tail` as an offset from `head`, which it is only where
//! `NET_SKBUFF_DATA_USES_OFFSET` is defined (`BITS_PER_LONG > 32`); on 32-bit `tail` is a
//! pointer, and `head + tail` points nowhere. The layer must not build without CONFIG_64BIT.
//! The cached kernel is 64-bit: the runner builds this case against a copy of the layer in
//! which the cfg name CONFIG_64BIT is renamed to one that is never set.
// layer-cfg-unset: CONFIG_64BIT
// expect: genl: sk_buff::tail is an offset only on 64-bit

#[path = "genl/mod.rs"]
mod genl;

use genl::{AttrWriter, DoIt, Request};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

struct Do;

impl DoIt for Do {
    fn doit(req: &Request<'_>) -> Result {
        let mut reply = req.reply(64)?;
        let mut nest = reply.nest(1)?;
        nest.put_u32(1, 1)?;
        nest.end()?;
        req.send_reply(reply)
    }
}

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let _ = Do::doit;
        Ok(Case)
    }
}
