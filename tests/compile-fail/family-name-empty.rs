// SPDX-License-Identifier: GPL-2.0
//! Hole: a family with an empty name. The core checks multicast group names (an empty one
//! WARNs) but not family names: an empty one registers, and a `CTRL_CMD_GETFAMILY` by an empty
//! name finds it. `Family::const_new` refuses it.
// expect: error[E0080]: evaluation panicked: genl: family name is empty

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];
