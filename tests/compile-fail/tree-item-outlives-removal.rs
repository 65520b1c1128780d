// SPDX-License-Identifier: GPL-2.0
//! Hole: an item read from a `Tree`, kept while the tree removes it. `remove` frees nothing
//! itself (the node comes back), but after `replace`, `clear` or a drop of the returned node the
//! reference would point into freed memory. Every item reference borrows the tree, so nothing
//! that changes the tree can run while one lives.
// expect: error[E0502]: cannot borrow `tree` as mutable because it is also borrowed as immutable

include!("common/family.rs");

use genl::{Keyed, Tree, TreeNode};

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
    if let genl::TreeEntry::Vacant(place) = tree.entry(TreeNode::new(Item(1), GFP_KERNEL)?) {
        place.insert();
    }
    let item = tree.get(&1).ok_or(ENOENT)?;
    drop(tree.remove(&1));
    Ok(item.0)
}
