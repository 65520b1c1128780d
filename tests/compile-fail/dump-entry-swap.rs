// SPDX-License-Identifier: GPL-2.0
//! Hole: a dump entry and a reply swap their skbs. The reply's drop then frees the dump round's
//! skb, which `netlink_dump()` still owns (use-after-free), and the core sends the reply's.
//! The layer must not hand out `&mut` to anything that holds an skb pointer.
// expect: error[E0614]: type `DumpEntry<'_>` cannot be dereferenced

#[path = "genl/mod.rs"]
mod genl;

use genl::{AttrPolicy, DumpIt, DumpProgress, DumpWriter, Policy, Request};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static POLICY: Policy<2> = Policy::new(&[(1, AttrPolicy::u32())]);

struct Dump;

impl DumpIt for Dump {
    type Cursor = ();
    fn start(_req: &Request<'_>) -> Result {
        Ok(())
    }
    fn dumpit(req: &Request<'_>, _: &mut (), out: &mut DumpWriter<'_>) -> Result<DumpProgress> {
        let mut reply = req.reply(64)?;
        let mut entry = out.entry()?;
        core::mem::swap(&mut *entry, &mut *reply);
        entry.end();
        req.send_reply(reply)?;
        Ok(DumpProgress::Done)
    }
}

static OPS: [genl::SplitOp; 1] = [genl::SplitOp::dumpit::<Dump, 2>(
    1,
    &POLICY,
    genl::Perm::Anyone,
)];

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("{}\n", OPS.len());
        Ok(Case)
    }
}
