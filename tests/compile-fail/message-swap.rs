// SPDX-License-Identifier: GPL-2.0
//! Hole: two messages swap their skbs but keep their headers: `genlmsg_end` then writes one
//! message's length into the other's header, and `genlmsg_cancel` trims at a foreign mark.
// expect: error[E0614]: type `Message` cannot be dereferenced

#[path = "genl/mod.rs"]
mod genl;

use genl::{DoIt, Request};
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
        let mut a = req.reply(64)?;
        let mut b = req.reply(4096)?;
        core::mem::swap(&mut *a, &mut *b);
        drop(b);
        req.send_reply(a)
    }
}

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let _ = Do::doit;
        Ok(Case)
    }
}
