// SPDX-License-Identifier: GPL-2.0
//! Hole: a range on a flag attribute: `nla_validate_int_range` WARNs on every request that
//! carries it. Bounds (`range`, `min`, `max`, as `NLA_ENSURE_INT_OR_BINARY_TYPE`) fail the
//! build on other types, and the range structs stay private to the layer.
// expect: policy: bounds on other than an integer or binary

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<2> =
    Policy::new(&[(1, AttrPolicy::flag().range(0, 1))]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 2>(1, &POLICY, Perm::Anyone)];
