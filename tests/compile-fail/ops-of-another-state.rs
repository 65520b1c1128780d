// SPDX-License-Identifier: GPL-2.0
//! Hole: a family's ops table holding ops served by another state type. The layer finds the
//! state through the family's per-namespace registration and hands it to the op as its own:
//! a type confusion. `SplitOp<S>` carries its state type; such a table must not build.
// expect: error[E0308]: mismatched types
// expect: expected `SplitOp<State>`, found `SplitOp<Other>`

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Other;

impl PerNetState for Other {
    fn init(_net: Net<'_>) -> impl PinInit<Self, Error> {
        Ok::<_, Error>(Other)
    }
}

static OTHER: Family<Other> = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"cfother\0",
    1,
    &[],
    &[],
);

impl FamilyState for Other {
    const FAMILY: &'static Family<Self> = &OTHER;
}

struct Op;

impl DoIt for Op {
    type State = Other;
    fn doit(_: &Other, _: &Request<'_>) -> Result {
        Ok(())
    }
}

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Op, 1>(1, &POLICY, Perm::Anyone)];
