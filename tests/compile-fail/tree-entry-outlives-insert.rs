// SPDX-License-Identifier: GPL-2.0
//! Hole: the item a `VacantEntry::insert` returns, kept across another change of the tree. The
//! reference lives as long as the entry's borrow of the tree, which must end before the tree
//! can be borrowed again.
// expect: error[E0499]: cannot borrow `tree` as mutable more than once at a time

include!("common/family.rs");

use genl::{Keyed, Tree, TreeEntry, TreeNode};

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];

struct Item(u32);

impl Keyed for Item {
    type Key = u32;
    fn key(&self) -> &u32 {
        &self.0
    }
}

#[allow(dead_code)]
fn misuse() -> Result<u32> {
    let mut tree = Tree::new();
    let first = match tree.entry(TreeNode::new(Item(1), GFP_KERNEL)?) {
        TreeEntry::Vacant(place) => place.insert(),
        TreeEntry::Occupied(_) => return Err(EEXIST),
    };
    tree.clear();
    Ok(first.0)
}
