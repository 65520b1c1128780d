// SPDX-License-Identifier: GPL-2.0
//! An empty range (MIN > MAX) would reject every value of the attribute: refused at build time.
// expect: error[E0080]: evaluation panicked: policy: range with MIN > MAX

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<2> = Policy::new(&[(1, AttrPolicy::u32_range::<5, 1>())]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 2>(1, &POLICY, Perm::Anyone)];
