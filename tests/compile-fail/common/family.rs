// SPDX-License-Identifier: GPL-2.0
// What every compile-fail case shares, as a family's generated code and root would hold it:
// the layer, `module!` naming the family module, the per-namespace state, the multicast group
// and the family, and `Noop`, an op that does nothing. A case includes it at its crate root and
// defines `FAMILY_NAME` and `OPS`.

#[path = "../genl/mod.rs"]
#[allow(unsafe_code)]
mod genl;

#[allow(unused_imports)]
use genl::{
    AttrPolicy, AttrWriter, DoIt, DumpIt, DumpWriter, Family, FamilyState, MulticastGroup, Net,
    PerNetState, Perm, Policy, Request, SplitOp,
};
#[allow(unused_imports)]
use kernel::prelude::*;

module! {
    type: genl::FamilyModule<State>,
    name: "genlkit_cf_case",
    authors: ["genlkit developers"],
    description: "genlkit compile-fail case",
    license: "GPL",
}

/// The per-namespace state.
struct State;

impl PerNetState for State {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        Ok::<_, Error>(State)
    }
}

static MCGRPS: [MulticastGroup; 1] = [MulticastGroup::const_new(c"events")];

static FAMILY: Family<State> = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    FAMILY_NAME,
    1,
    &OPS,
    &MCGRPS,
);

impl FamilyState for State {
    const FAMILY: &'static Family<Self> = &FAMILY;
}

/// An op that does nothing, as a do and as a dump: for cases whose misuse is elsewhere.
#[allow(dead_code)] // unused by the cases with ops of their own
struct Noop;

impl DoIt for Noop {
    type State = State;
    fn doit(_: &State, _: &Request<'_>) -> Result {
        Ok(())
    }
}

impl DumpIt for Noop {
    type State = State;
    type Cursor = ();
    fn start(_: &State, _: &Request<'_>) -> Result {
        Ok(())
    }
    fn dumpit(_: &State, _: &Request<'_>, _: &mut (), _: &mut DumpWriter<'_>) -> Result {
        Ok(())
    }
}
