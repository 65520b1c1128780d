// SPDX-License-Identifier: GPL-2.0
//! Hole: the do and the dump of one command with different permissions. `genl_validate_ops`
//! WARNs and refuses the family at registration; `Family::const_new` must refuse it at build
//! time.
// expect: error[E0080]: evaluation panicked: genl: the do and dump of a command must have the same permission

#[path = "genl/mod.rs"]
mod genl;

use genl::{
    AttrPolicy, DoIt, DumpIt, DumpProgress, DumpWriter, Family, Perm, Policy, Request, SplitOp,
};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static POLICY: Policy<2> = Policy::new(&[(1, AttrPolicy::u32())]);

struct Get;

impl DoIt for Get {
    fn doit(_req: &Request<'_>) -> Result {
        Ok(())
    }
}

impl DumpIt for Get {
    type Cursor = ();
    fn start(_req: &Request<'_>) -> Result {
        Ok(())
    }
    fn dumpit(_: &Request<'_>, _: &mut (), _: &mut DumpWriter<'_>) -> Result<DumpProgress> {
        Ok(DumpProgress::Done)
    }
}

static OPS: [SplitOp; 2] = [
    SplitOp::doit::<Get, 2>(1, &POLICY, Perm::Admin),
    SplitOp::dumpit::<Get, 2>(1, &POLICY, Perm::Anyone),
];
static FAMILY: Family = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"cfcase\0",
    1,
    0,
    &OPS,
    &[],
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
