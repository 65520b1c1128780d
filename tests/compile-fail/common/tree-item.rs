// SPDX-License-Identifier: GPL-2.0
// An item for the cases that misuse `genl::Tree`, keyed by its number. A case includes it after
// common/family.rs.

use genl::{Keyed, Tree, TreeEntry, TreeNode};

struct Item(u32);

impl Keyed for Item {
    type Key = u32;
    fn key(&self) -> &u32 {
        &self.0
    }
}

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];
