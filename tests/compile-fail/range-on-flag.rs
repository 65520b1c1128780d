// SPDX-License-Identifier: GPL-2.0
//! Hole: a range on a flag attribute: `nla_validate_int_range` WARNs on every request that
//! carries it. Ranges must be constructible for integer attributes only.
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

static POLICY: Policy<2> = Policy::new(&[(1, AttrPolicy::flag().range(&genl::Range::new(0, 1)))]);

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("{}\n", POLICY.maxattr());
        Ok(Case)
    }
}
