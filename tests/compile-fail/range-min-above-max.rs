// SPDX-License-Identifier: GPL-2.0
//! An empty range (MIN > MAX) would reject every value of the attribute: refused at build time.
// expect: error[E0080]: evaluation panicked: policy: range with MIN > MAX

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

static POLICY: Policy<2> = Policy::new(&[(1, AttrPolicy::u32_range::<10, 1>())]);

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("{}\n", POLICY.maxattr());
        Ok(Case)
    }
}
