// SPDX-License-Identifier: GPL-2.0
//! Control: a small family that uses the layer as intended (a reply with a nest, a dump, a
//! notification, nested and integer policies). It must build; if it does not, the runner or
//! the layer is broken, and every other case's failure means nothing.
// expect: build

#[path = "genl/mod.rs"]
mod genl;

use genl::{
    AttrPolicy, AttrWriter, DoIt, DumpIt, DumpProgress, DumpWriter, Family, MulticastGroup, Perm,
    Policy, Request, SplitOp,
};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static INNER: Policy<3> = Policy::new(&[(1, AttrPolicy::u32()), (2, AttrPolicy::flag())]);
static POLICY: Policy<3> = Policy::new(&[(1, AttrPolicy::u64()), (2, AttrPolicy::nested(&INNER))]);

struct Get;

impl DoIt for Get {
    fn doit(req: &Request<'_>) -> Result {
        let mut reply = req.reply(64)?;
        reply.put_u32(1, 7)?;
        let mut nest = reply.nest(2)?;
        nest.put_u64(1, 8, 3)?;
        nest.put_flag(2)?;
        nest.end()?;
        if FAMILY.has_listeners(req.net(), 0) {
            let mut ntf = FAMILY.notification(1, 64)?;
            ntf.put_u32(1, 7)?;
            let _ = FAMILY.notify(ntf, req.net(), 0);
        }
        req.send_reply(reply)
    }
}

impl DumpIt for Get {
    type Cursor = u32;
    fn start(_req: &Request<'_>) -> Result<u32> {
        Ok(0)
    }
    fn dumpit(_req: &Request<'_>, n: &mut u32, out: &mut DumpWriter<'_>) -> Result<DumpProgress> {
        out.set_generation(1);
        while *n < 10 {
            let mut entry = out.entry()?;
            entry.put_u32(1, *n)?;
            entry.end();
            *n += 1;
        }
        Ok(DumpProgress::Done)
    }
}

static OPS: [SplitOp; 2] = [
    SplitOp::doit::<Get, 3>(1, &POLICY, Perm::Anyone),
    SplitOp::dumpit::<Get, 3>(1, &POLICY, Perm::Anyone),
];
static MCGRPS: [MulticastGroup; 1] = [MulticastGroup::const_new(c"events")];
static FAMILY: Family = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"cfcase\0",
    1,
    0,
    &OPS,
    &MCGRPS,
);

struct Case {
    _family: genl::Registration,
}

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        Ok(Case {
            _family: FAMILY.register()?,
        })
    }
}
