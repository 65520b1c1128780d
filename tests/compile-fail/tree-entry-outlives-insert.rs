// SPDX-License-Identifier: GPL-2.0
//! Hole: the item a `VacantEntry::insert` returns, kept across another change of the tree. The
//! reference lives as long as the entry's borrow of the tree, which must end before the tree
//! can be borrowed again.
// expect: error[E0499]: cannot borrow `tree` as mutable more than once at a time

include!("common/family.rs");
include!("common/tree-item.rs");

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
