// SPDX-License-Identifier: GPL-2.0
//! Hole: an item read from a `Tree`, kept while the tree removes it. `remove` frees nothing
//! itself (the node comes back), but after `replace`, `clear` or a drop of the returned node the
//! reference would point into freed memory. Every item reference borrows the tree, so nothing
//! that changes the tree can run while one lives.
// expect: error[E0502]: cannot borrow `tree` as mutable because it is also borrowed as immutable

include!("common/family.rs");
include!("common/tree-item.rs");

#[allow(dead_code)]
fn misuse() -> Result<u32> {
    let mut tree = Tree::new();
    if let TreeEntry::Vacant(place) = tree.entry(TreeNode::new(Item(1), GFP_KERNEL)?) {
        place.insert();
    }
    let item = tree.get(&1).ok_or(ENOENT)?;
    drop(tree.remove(&1));
    Ok(item.0)
}
