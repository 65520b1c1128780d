// SPDX-License-Identifier: GPL-2.0
//! Hole: a family named `VFS_DQUOT`, one of the legacy names `genl_register_family` special-
//! cases: it gets the quota family's fixed ID and multicast group, and with other than exactly
//! one multicast group the core hits `BUG_ON(n_groups != 1)` (when quota netlink is not built
//! in; `EEXIST` when it is). `NET_DM` and `pmcraid` are the same. Refused at build time.
// expect: error[E0080]: evaluation panicked: genl: family name is reserved

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"VFS_DQUOT\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];
