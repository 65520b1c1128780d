// SPDX-License-Identifier: GPL-2.0
//! Hole: a family with the controller's name, `nlctrl`: it builds, and registration fails with
//! `EEXIST` at load time. `Family::const_new` refuses it (and the other reserved names).
// expect: error[E0080]: evaluation panicked: genl: family name is reserved

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"nlctrl\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];
