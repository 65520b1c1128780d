// SPDX-License-Identifier: GPL-2.0
//! Hole: two nests of two replies swap the writers they point to. Each nest then measures and
//! trims with its own start against the other message's skb: an offset across two allocations.
// expect: error[E0614]: type `Nest<'_>` cannot be dereferenced

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
        let mut a = req.reply(64)?;
        let mut b = req.reply(64)?;
        let mut na = a.nest(1)?;
        let mut nb = b.nest(1)?;
        core::mem::swap(&mut *na, &mut *nb);
        na.put_u32(1, 1)?;
        drop(na);
        drop(nb);
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
