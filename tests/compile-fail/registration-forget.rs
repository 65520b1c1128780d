// SPDX-License-Identifier: GPL-2.0
//! Hole: a registration that outlives the module. A module that holds its family's
//! registration can `mem::forget` it (safe): the family stays registered after unload, and
//! the next request calls into freed module text (upstream `kernel::net::netlink` shares this).
//! Here a family is registered only by `genl::FamilyModule`, and only the crate's `module!`
//! type can be one, so its registration is dropped by the module's exit. A module of its own
//! type that registers the family must not build.
// expect: error[E0277]: the trait bound `FamilyModule<State>: Module` is not satisfied
// expect: the trait `IsTheModule` is not implemented for `FamilyModule<State>`

#[path = "genl/mod.rs"]
mod genl;

use genl::{Family, FamilyState, Net, PerNetState, SplitOp};
use kernel::prelude::*;

module! {
    type: Case,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

struct State;

impl PerNetState for State {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        Ok::<_, Error>(State)
    }
}

static OPS: [SplitOp<State>; 0] = [];
static FAMILY: Family<State> = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"cfcase\0",
    1,
    &OPS,
    &[],
);

impl FamilyState for State {
    const FAMILY: &'static Family<Self> = &FAMILY;
}

struct Case;

impl kernel::Module for Case {
    fn init(module: &'static ThisModule) -> Result<Self> {
        let family = <genl::FamilyModule<State> as kernel::Module>::init(module)?;
        core::mem::forget(family);
        Ok(Case)
    }
}
