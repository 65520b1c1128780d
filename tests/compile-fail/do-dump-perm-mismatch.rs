// SPDX-License-Identifier: GPL-2.0
//! Hole: the do and the dump of one command with different permissions. `genl_validate_ops`
//! WARNs and refuses the family at registration; `Family::const_new` must refuse it at build
//! time.
// expect: error[E0080]: evaluation panicked: genl: the do and dump of a command must have the same permission

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 2] = [
    SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone),
    SplitOp::dumpit::<Noop, 1>(1, &POLICY, Perm::Admin),
];
