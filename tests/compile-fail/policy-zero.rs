// SPDX-License-Identifier: GPL-2.0
//! Hole: `Policy<0>` has no maxattr (`N - 1` underflows: a panic, or `u32::MAX` handed to
//! the core as the table's size). An empty policy is `Policy<1>`; `Policy<0>` must not build.
// expect: error[E0080]: evaluation panicked: policy: Policy<0> has no attribute 0

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<0> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 0>(1, &POLICY, Perm::Anyone)];
