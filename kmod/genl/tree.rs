// SPDX-License-Identifier: GPL-2.0

//! An ordered set of items that finds a new item's place in one walk, over `lib/rbtree.c`.
//!
//! `kernel::rbtree::RBTree` (7.3) keeps key and value apart, and its entry API shows only the
//! value of an occupied entry. A store whose order key lives inside each item, and whose put
//! must see the item it replaces (to account for its size), then walks the tree twice: a lookup
//! and an insert. [`Tree`] keeps whole items ordered by [`Keyed::key`]: [`Tree::entry`] walks
//! once to the place of a new node, which the caller then links there (`rb_link_node` and
//! `rb_insert_color`) or swaps for the item with the same key (`rb_replace_node`), having seen
//! the old item first. That is the walk a C subsystem writes by hand (`rb_find_add()`,
//! `include/linux/rbtree.h`, does it without the replace).
//!
//! Items are looked up by a borrowed key (`&[u8]` for byte-string keys), so a lookup builds
//! nothing.

use core::{marker::PhantomData, ptr::NonNull};
use kernel::{alloc::Flags, bindings, container_of, prelude::*};

/// An item of a [`Tree`]: the key it is ordered by.
pub trait Keyed {
    /// The key type; a lookup borrows one.
    type Key: ?Sized + Ord;

    /// The item's key. It must not change while the item is in a tree (an item that changed
    /// its key is found in the wrong place, like a changed key of `BTreeMap`; memory stays
    /// safe).
    fn key(&self) -> &Self::Key;
}

/// One allocation: the tree links, then the item.
#[repr(C)]
struct Node<T> {
    links: bindings::rb_node,
    item: T,
}

/// An item in an allocated node, not in any tree: what [`Tree::entry`] places and what
/// [`Tree::remove`] gives back.
pub struct TreeNode<T> {
    node: KBox<Node<T>>,
}

impl<T> TreeNode<T> {
    /// The size of one node's allocation: the three words of `rb_node`, then the item.
    pub const SIZE: usize = core::mem::size_of::<Node<T>>();

    /// Allocates a node for `item`.
    pub fn new(item: T, flags: Flags) -> Result<Self> {
        Ok(Self {
            node: KBox::new(
                Node {
                    links: bindings::rb_node::default(),
                    item,
                },
                flags,
            )?,
        })
    }

    /// The item.
    pub fn item(&self) -> &T {
        &self.node.item
    }

    /// Frees the node and returns the item.
    pub fn into_item(self) -> T {
        KBox::into_inner(self.node).item
    }
}

/// An ordered set of `T`, by [`Keyed::key`], one allocation per item.
///
/// # Invariants
///
/// Every non-null `rb_node` pointer reachable from `root` (children and parents) points to the
/// `links` of a `Node<T>` that this tree owns: allocated by a [`KBox`] and leaked into the tree
/// with [`KBox::into_raw`]. In-order, the items' keys ascend, each key at most once.
pub struct Tree<T> {
    root: bindings::rb_root,
    _p: PhantomData<KBox<Node<T>>>,
}

// SAFETY: A `Tree` gives the same access to its items that a collection owning them does (shared
// by `&Tree`, exclusive by `&mut Tree`), so it may move to another thread when they may.
unsafe impl<T: Send> Send for Tree<T> {}

// SAFETY: As above: `&Tree` only gives `&T`, so sharing it is sharing the items.
unsafe impl<T: Sync> Sync for Tree<T> {}

/// The `Node` whose links `links` are.
///
/// # Safety
///
/// `links` must point to the `links` of a live `Node<T>`.
unsafe fn node_of<T>(links: *mut bindings::rb_node) -> *mut Node<T> {
    // SAFETY: `links` is the `links` field of a `Node<T>` (function safety requirements).
    unsafe { container_of!(links, Node<T>, links) }
}

impl<T> Tree<T> {
    /// An empty tree.
    pub fn new() -> Self {
        // INVARIANT: No nodes.
        Self {
            root: bindings::rb_root::default(),
            _p: PhantomData,
        }
    }

    /// Whether the tree has no items.
    pub fn is_empty(&self) -> bool {
        self.root.rb_node.is_null()
    }

    /// The items in key order.
    pub fn iter(&self) -> Iter<'_, T> {
        // SAFETY: `root` is a valid tree (type invariants); `rb_first` only reads it.
        let first = unsafe { bindings::rb_first(&self.root) };
        // INVARIANT: `rb_first` gives a node of this tree or null.
        Iter {
            next: first,
            _tree: PhantomData,
        }
    }

    /// Frees every item, letting other tasks run every 1,024 of them: a tree of millions of
    /// items goes away without a soft lockup on a kernel that does not preempt. Sleeps: call it
    /// only where that is allowed (it says so under `CONFIG_DEBUG_ATOMIC_SLEEP`).
    pub fn clear(&mut self) {
        self.free_all(true);
    }

    /// Frees every node, children before their parent (no rebalancing), and empties the tree.
    fn free_all(&mut self, yielding: bool) {
        // SAFETY: `root` is a valid tree (type invariants).
        let mut next = unsafe { bindings::rb_first_postorder(&self.root) };
        let mut freed = 0u32;
        // INVARIANT: The root is emptied before any node is freed; the nodes from `next` on, in
        // postorder, are still allocated, and nothing reaches them but this loop.
        self.root = bindings::rb_root::default();
        while !next.is_null() {
            // SAFETY: `next` is a node of the tree, not yet freed (loop invariant).
            let node = unsafe { node_of::<T>(next) };
            // Its successor first: postorder visits a node after its children, so freeing it
            // leaves the rest of the walk intact.
            // SAFETY: `next` and the nodes after it in postorder are still allocated.
            next = unsafe { bindings::rb_next_postorder(next) };
            // SAFETY: `node` came from `KBox::into_raw` (type invariants) and was reached once.
            drop(unsafe { KBox::from_raw(node) });
            freed = freed.wrapping_add(1);
            if yielding && freed % 1024 == 0 {
                super::cond_resched();
            }
        }
    }
}

impl<T: Keyed> Tree<T> {
    /// The node with `key`.
    fn find(&self, key: &T::Key) -> Option<NonNull<Node<T>>> {
        let mut links = self.root.rb_node;
        while !links.is_null() {
            // SAFETY: A non-null link of the tree points to a live `Node<T>` (type invariants).
            let node = unsafe { node_of::<T>(links) };
            // SAFETY: `node` is live, and `&self` keeps the tree unchanged during the walk.
            let node_ref = unsafe { &*node };
            let order = key.cmp(node_ref.item.key());
            links = if order.is_lt() {
                node_ref.links.rb_left
            } else if order.is_gt() {
                node_ref.links.rb_right
            } else {
                return NonNull::new(node);
            };
        }
        None
    }

    /// The item with `key`.
    pub fn get(&self, key: &T::Key) -> Option<&T> {
        // SAFETY: A node of the tree, which `&self` keeps alive and unchanged for the returned
        // lifetime.
        self.find(key).map(|node| unsafe { &(*node.as_ptr()).item })
    }

    /// The items in key order from the first whose key is `>=` `key`.
    pub fn iter_from(&self, key: &T::Key) -> Iter<'_, T> {
        let mut links = self.root.rb_node;
        let mut best = core::ptr::null_mut();
        while !links.is_null() {
            // SAFETY: As in `get`.
            let node = unsafe { &*node_of::<T>(links) };
            let order = key.cmp(node.item.key());
            if order.is_lt() {
                // Everything left of this node is smaller than it: it is the best so far.
                best = links;
                links = node.links.rb_left;
            } else if order.is_gt() {
                links = node.links.rb_right;
            } else {
                best = links;
                break;
            }
        }
        // INVARIANT: `best` is a node of this tree or null.
        Iter {
            next: best,
            _tree: PhantomData,
        }
    }

    /// Finds the place of `node`'s key in one walk: the item with that key, or where a new one
    /// goes. Nothing changes until the entry is used; dropping it frees `node`.
    pub fn entry(&mut self, node: TreeNode<T>) -> TreeEntry<'_, T> {
        let tree: *mut Self = self;
        // Read once: the comparisons call out (`memcmp`), after which the compiler would read it
        // again at every level. (The walks test `is_lt`/`is_gt` rather than match on the
        // `Ordering`, which compiles to a sign test on `memcmp`'s result as in C, not to an
        // `Ordering` built and compared at every level.)
        let key = node.item().key();
        let mut parent = core::ptr::null_mut();
        // SAFETY: `tree` comes from `&mut self`: valid, and exclusively ours for `'_`.
        let mut link: *mut *mut bindings::rb_node = unsafe { &raw mut (*tree).root.rb_node };
        // SAFETY: `link` points to the root pointer or to a child pointer of a node of the
        // tree, valid (type invariants).
        while let Some(links) = NonNull::new(unsafe { *link }) {
            // SAFETY: A non-null link of the tree points to a live `Node<T>` (type invariants).
            let old = unsafe { node_of::<T>(links.as_ptr()) };
            // SAFETY: `old` is live; nothing changes the tree during the walk.
            let order = key.cmp(unsafe { (*old).item.key() });
            if order.is_lt() {
                // SAFETY: `old` is live; its child pointers are ours to hand out.
                link = unsafe { &raw mut (*old).links.rb_left };
            } else if order.is_gt() {
                // SAFETY: As above.
                link = unsafe { &raw mut (*old).links.rb_right };
            } else {
                // INVARIANT: `links` is a node of the tree with `node`'s key.
                return TreeEntry::Occupied(OccupiedEntry {
                    tree: self,
                    old: links,
                    new: node,
                });
            }
            parent = links.as_ptr();
        }
        // INVARIANT: The walk ended at an empty child pointer (or the empty root) where
        // `node`'s key belongs, and `parent` owns it.
        TreeEntry::Vacant(VacantEntry {
            tree,
            parent,
            link,
            new: node,
            _tree: PhantomData,
        })
    }

    /// Takes the item with `key` out of the tree.
    pub fn remove(&mut self, key: &T::Key) -> Option<TreeNode<T>> {
        let node = self.find(key)?.as_ptr();
        // SAFETY: `node` is a node of this tree (found by `find`); `rb_erase` unlinks it and
        // rebalances the rest, and `&mut self` keeps everyone else out.
        unsafe { bindings::rb_erase(&raw mut (*node).links, &mut self.root) };
        // INVARIANT: The node is out of the tree: ownership goes back to a box.
        // SAFETY: `node` came from `KBox::into_raw` (type invariants) and is in no tree now.
        Some(TreeNode {
            node: unsafe { KBox::from_raw(node) },
        })
    }
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for Tree<T> {
    /// Frees every item without yielding (a drop may run where sleeping is not allowed); a
    /// large tree is freed by [`Tree::clear`] first.
    fn drop(&mut self) {
        self.free_all(false);
    }
}

/// The result of [`Tree::entry`]: the place of a new node, with the node.
pub enum TreeEntry<'a, T: Keyed> {
    /// An item with the new node's key is in the tree.
    Occupied(OccupiedEntry<'a, T>),
    /// No item has that key.
    Vacant(VacantEntry<'a, T>),
}

/// An item of the tree with the key of a new node, which can take its place.
///
/// # Invariants
///
/// `old` is the `links` of a node of `tree` whose key equals that of `new`'s item.
pub struct OccupiedEntry<'a, T: Keyed> {
    tree: &'a mut Tree<T>,
    old: NonNull<bindings::rb_node>,
    new: TreeNode<T>,
}

impl<'a, T: Keyed> OccupiedEntry<'a, T> {
    /// The item in the tree.
    pub fn old(&self) -> &T {
        // SAFETY: `old` is a live node of the tree (type invariants), which `self` borrows.
        unsafe { &(*node_of::<T>(self.old.as_ptr())).item }
    }

    /// The new item, not in the tree.
    pub fn new_item(&self) -> &T {
        self.new.item()
    }

    /// Puts the new item in the old one's place, with no walk, and returns the old one.
    pub fn replace(self) -> TreeNode<T> {
        let Self { tree, old, new } = self;
        let new = KBox::into_raw(new.node);
        // SAFETY: `old` is a node of `tree` with the key of `new`'s item (type invariants), so
        // `new` may take its place in the order; `new` is a fresh allocation in no tree.
        // `rb_replace_node` copies the links and colour and repoints parent and children.
        unsafe { bindings::rb_replace_node(old.as_ptr(), &raw mut (*new).links, &mut tree.root) };
        // INVARIANT: `new`, leaked from its box, is the tree's now; `old` is in no tree.
        // SAFETY: `old` came from `KBox::into_raw` (type invariants) and is out of the tree.
        TreeNode {
            node: unsafe { KBox::from_raw(node_of::<T>(old.as_ptr())) },
        }
    }

    /// Leaves the tree unchanged and gives the new node back.
    pub fn into_new(self) -> TreeNode<T> {
        self.new
    }
}

/// A place in the tree where a new node's key belongs, with the node.
///
/// # Invariants
///
/// `link` points to an empty child pointer of `parent`, a node of `*tree`, or to the empty
/// root pointer of `*tree` when `parent` is null; the key of `new`'s item belongs there in the
/// order. `tree` is exclusively borrowed for `'a`.
pub struct VacantEntry<'a, T: Keyed> {
    tree: *mut Tree<T>,
    parent: *mut bindings::rb_node,
    link: *mut *mut bindings::rb_node,
    new: TreeNode<T>,
    _tree: PhantomData<&'a mut Tree<T>>,
}

impl<'a, T: Keyed> VacantEntry<'a, T> {
    /// The new item, not in the tree.
    pub fn new_item(&self) -> &T {
        self.new.item()
    }

    /// Links the new node in its place and rebalances.
    pub fn insert(self) -> &'a T {
        let new = KBox::into_raw(self.new.node);
        // SAFETY: `new` is a fresh allocation in no tree; `parent` and `link` are the empty
        // place where its key belongs (type invariants): what `rb_link_node` requires.
        // `rb_insert_color` then rebalances `tree`, which this entry borrows exclusively.
        unsafe {
            let links = &raw mut (*new).links;
            bindings::rb_link_node(links, self.parent, self.link);
            bindings::rb_insert_color(links, &raw mut (*self.tree).root);
        }
        // INVARIANT: `new`, leaked from its box, is the tree's now, in order.
        // SAFETY: `new` lives as long as it stays in the tree, which `'a` borrows.
        unsafe { &(*new).item }
    }

    /// Leaves the tree unchanged and gives the new node back.
    pub fn into_new(self) -> TreeNode<T> {
        self.new
    }
}

/// The items of a [`Tree`] in key order, from some item on.
///
/// # Invariants
///
/// `next` is a node of the tree that `'a` borrows, or null at the end.
pub struct Iter<'a, T> {
    next: *mut bindings::rb_node,
    _tree: PhantomData<&'a Tree<T>>,
}

impl<'a, T> Iterator for Iter<'a, T> {
    type Item = &'a T;

    fn next(&mut self) -> Option<&'a T> {
        let links = NonNull::new(self.next)?;
        // SAFETY: `links` is a node of the tree, live and unchanged for `'a` (type invariants).
        // INVARIANT: `rb_next` gives its in-order successor in the tree, or null.
        self.next = unsafe { bindings::rb_next(links.as_ptr()) };
        // SAFETY: As above.
        Some(unsafe { &(*node_of::<T>(links.as_ptr())).item })
    }
}

#[kernel::macros::kunit_tests(genlkit_tree)]
mod tests {
    use super::*;
    use kernel::{
        alloc::flags::GFP_KERNEL,
        sync::atomic::{Atomic, Relaxed},
    };

    /// Items alive, to see that every path frees what it should.
    static LIVE: Atomic<i64> = Atomic::new(0);

    struct Item {
        key: u32,
        tag: u32,
    }

    impl Item {
        fn node(key: u32, tag: u32) -> TreeNode<Item> {
            LIVE.fetch_add(1, Relaxed);
            TreeNode::new(Item { key, tag }, GFP_KERNEL).unwrap()
        }
    }

    impl Drop for Item {
        fn drop(&mut self) {
            LIVE.fetch_sub(1, Relaxed);
        }
    }

    impl Keyed for Item {
        type Key = u32;
        fn key(&self) -> &u32 {
            &self.key
        }
    }

    fn keys(it: Iter<'_, Item>) -> KVec<u32> {
        let mut v = KVec::new();
        for i in it {
            v.push(i.key, GFP_KERNEL).unwrap();
        }
        v
    }

    /// Puts `key`, replacing; returns the replaced item's tag.
    fn put(t: &mut Tree<Item>, key: u32, tag: u32) -> Option<u32> {
        match t.entry(Item::node(key, tag)) {
            TreeEntry::Vacant(v) => {
                assert_eq!(v.insert().tag, tag);
                None
            }
            TreeEntry::Occupied(o) => {
                let seen = (o.old().key, o.new_item().key);
                assert_eq!(seen, (key, key));
                Some(o.replace().into_item().tag)
            }
        }
    }

    #[test]
    fn entry_inserts_and_replaces() {
        let live = LIVE.load(Relaxed);
        {
            let mut t = Tree::new();
            assert!(t.is_empty());
            // A permutation of 0..1000, to exercise every rebalancing case.
            for i in 0..1000u32 {
                assert_eq!(put(&mut t, (i * 337) % 1000, i), None);
            }
            assert_eq!(put(&mut t, 5, 7777), Some(tag_of(5)));
            assert_eq!(t.get(&5).map(|i| i.tag), Some(7777));
            assert_eq!(t.get(&1000).map(|i| i.tag), None);
            let all = keys(t.iter());
            assert_eq!(all.len(), 1000);
            assert!(all.iter().enumerate().all(|(i, k)| *k as usize == i));
            assert_eq!(LIVE.load(Relaxed), live + 1000);
        }
        // Dropping the tree freed every item.
        assert_eq!(LIVE.load(Relaxed), live);
    }

    /// The tag `entry_inserts_and_replaces` gave `key`: the `i` with `i * 337 % 1000 == key`.
    fn tag_of(key: u32) -> u32 {
        (0..1000).find(|i| i * 337 % 1000 == key).unwrap()
    }

    #[test]
    fn unused_entries_change_nothing() {
        let live = LIVE.load(Relaxed);
        let mut t = Tree::new();
        put(&mut t, 1, 1);
        // Dropped: the new node is freed, the tree unchanged.
        drop(t.entry(Item::node(1, 2)));
        drop(t.entry(Item::node(2, 2)));
        let back = match t.entry(Item::node(3, 3)) {
            TreeEntry::Vacant(v) => v.into_new(),
            TreeEntry::Occupied(_) => panic!("3 is not in the tree"),
        };
        assert_eq!(back.item().key, 3);
        drop(back);
        assert_eq!(keys(t.iter()).as_slice(), [1]);
        assert_eq!(t.get(&1).map(|i| i.tag), Some(1));
        assert_eq!(LIVE.load(Relaxed), live + 1);
        t.clear();
        assert!(t.is_empty());
        assert_eq!(LIVE.load(Relaxed), live);
    }

    #[test]
    fn remove_and_iter_from() {
        let live = LIVE.load(Relaxed);
        let mut t = Tree::new();
        for k in [50, 10, 40, 20, 30] {
            put(&mut t, k, k);
        }
        assert_eq!(keys(t.iter_from(&0)).as_slice(), [10, 20, 30, 40, 50]);
        assert_eq!(keys(t.iter_from(&20)).as_slice(), [20, 30, 40, 50]);
        assert_eq!(keys(t.iter_from(&21)).as_slice(), [30, 40, 50]);
        assert_eq!(keys(t.iter_from(&51)).as_slice(), []);
        assert_eq!(t.remove(&30).map(|n| n.into_item().tag), Some(30));
        assert!(t.remove(&30).is_none());
        assert_eq!(keys(t.iter_from(&21)).as_slice(), [40, 50]);
        // Remove everything in an order unlike the insertion's.
        for k in [10, 50, 20, 40] {
            assert_eq!(t.remove(&k).map(|n| n.item().key), Some(k));
        }
        assert!(t.is_empty());
        assert_eq!(LIVE.load(Relaxed), live);
    }

    #[test]
    fn node_is_links_then_item() {
        // Three words of `rb_node`, then the item: a 64-byte item budget needs 40 bytes of item.
        assert_eq!(
            TreeNode::<[u64; 5]>::SIZE,
            3 * core::mem::size_of::<usize>() + 40
        );
    }
}
