// SPDX-License-Identifier: GPL-2.0
//! Hole: a family with the controller's name, `nlctrl`: it builds, and registration fails with
//! `EEXIST` at load time. `Family::const_new` refuses it (and the other reserved names).
// expect: error[E0080]: evaluation panicked: genl: family name is reserved

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
    b"nlctrl\0",
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
