// SPDX-License-Identifier: GPL-2.0
//! Hole: a family named `VFS_DQUOT`, one of the legacy names `genl_register_family` special-
//! cases: it gets the quota family's fixed ID and multicast group, and with other than exactly
//! one multicast group the core hits `BUG_ON(n_groups != 1)` (when quota netlink is not built
//! in; `EEXIST` when it is). `NET_DM` and `pmcraid` are the same. Refused at build time.
// expect: error[E0080]: evaluation panicked: genl: family name is reserved

#[path = "genl/mod.rs"]
mod genl;

use genl::{Family, MulticastGroup, SplitOp};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

static OPS: [SplitOp; 0] = [];
static MCGRPS: [MulticastGroup; 2] = [
    MulticastGroup::const_new(c"one"),
    MulticastGroup::const_new(c"two"),
];
static FAMILY: Family = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"VFS_DQUOT\0",
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
