// SPDX-License-Identifier: GPL-2.0
//! Hole: `Policy<0>` has no maxattr (`N - 1` underflows: a panic, or `u32::MAX` handed to
//! the core as the table's size). An empty policy is `Policy<1>`; `Policy<0>` must not build.
// expect: error[E0080]: evaluation panicked: policy: Policy<0> has no attribute 0

#[path = "genl/mod.rs"]
mod genl;

use genl::Policy;
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static EMPTY: Policy<0> = Policy::new(&[]);

struct Case;

impl kernel::Module for Case {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        pr_info!("{}\n", EMPTY.maxattr());
        Ok(Case)
    }
}
