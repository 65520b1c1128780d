// SPDX-License-Identifier: GPL-2.0
//! Hole: a range on a nested attribute overwrites its nested policy pointer (one union). The
//! unprivileged `CTRL_CMD_GETPOLICY` walk then reads the range as a policy table. Ranges must
//! be constructible for integer attributes only.
// expect: error[E0599]: no method named `range` found for struct `policy::AttrPolicy`
// expect: error[E0433]: cannot find `Range` in `genl`

#[path = "genl/mod.rs"]
mod genl;

use genl::{AttrPolicy, Policy};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static INNER: Policy<2> = Policy::new(&[(1, AttrPolicy::u32())]);
static OUTER: Policy<2> =
    Policy::new(&[(1, AttrPolicy::nested(&INNER).range(&genl::Range::new(0, 5)))]);

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("{}\n", OUTER.maxattr());
        Ok(Case)
    }
}
