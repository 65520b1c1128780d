// SPDX-License-Identifier: GPL-2.0
//! Hole: a range on a nested attribute overwrites its nested policy pointer (one union). The
//! unprivileged `CTRL_CMD_GETPOLICY` walk then reads the range as a policy table. Ranges must
//! be constructible for integer attributes only.
// expect: error[E0599]: no method named `range` found for struct `policy::AttrPolicy`
// expect: error[E0433]: cannot find `Range` in `genl`

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static INNER: Policy<2> = Policy::new(&[(1, AttrPolicy::u32())]);
static POLICY: Policy<2> =
    Policy::new(&[(1, AttrPolicy::nested(&INNER).range(&genl::Range::new(0, 1)))]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 2>(1, &POLICY, Perm::Anyone)];
