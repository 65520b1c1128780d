// SPDX-License-Identifier: GPL-2.0
//! Hole: per-namespace state found through the wrong registration. With `PerNet` statics of
//! its own, a family could register a second one for the same state type (or have the lookup
//! name another), and the core's `init`/`exit` callbacks, which get only the namespace, wrote
//! the state into another registration's slot. Now the state is part of its `Family`, which only
//! the family's module registers: registering any other `Family<State>` must not build.
// expect: error[E0624]: method `register` is private

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];

static SECOND: Family<State> = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    b"cfcase2\0",
    1,
    &OPS,
    &MCGRPS,
);

fn register_second() -> Result {
    SECOND.register()
}
