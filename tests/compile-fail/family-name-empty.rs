// SPDX-License-Identifier: GPL-2.0
//! Hole: a family with an empty name. The core checks multicast group names (an empty one
//! WARNs) but not family names: an empty one registers, and a `CTRL_CMD_GETFAMILY` by an empty
//! name finds it. `Family::const_new` refuses it.
// expect: error[E0080]: evaluation panicked: genl: family name is empty

#[path = "genl/mod.rs"]
mod genl;

use genl::{Family, SplitOp};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static OPS: [SplitOp; 0] = [];
static FAMILY: Family = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"\0",
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
