// SPDX-License-Identifier: GPL-2.0

//! The key-value store of one network namespace: pure logic, no netlink.

use crate::genl::{cond_resched, GFP_STORE};
use core::cmp::Ordering;
use kernel::{
    new_mutex,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{
        atomic::{Atomic, Relaxed},
        Mutex,
    },
};

/// A key: its bytes, ordered lexicographically.
pub(crate) struct Key(KVec<u8>);

impl Key {
    /// Copies `bytes` into a new key.
    pub(crate) fn new(bytes: &[u8]) -> Result<Self> {
        let mut v = KVec::with_capacity(bytes.len(), GFP_STORE)?;
        v.extend_from_slice(bytes, GFP_STORE)?;
        Ok(Self(v))
    }

    /// The key's bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Key {}

/// A stored value and its client-defined flags.
pub(crate) struct Entry {
    /// The value.
    pub(crate) value: KVec<u8>,
    /// The `entry-flags` bits.
    pub(crate) flags: u32,
}

/// How a put treats an existing or missing entry (the request's `mode` attribute).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum PutMode {
    /// Create the entry, or overwrite it when it exists.
    Upsert,
    /// Only create it: fail with `EEXIST` when it exists.
    Create,
    /// Only overwrite it: fail with `ENOENT` when it does not exist.
    Replace,
}

/// Why a put failed.
#[derive(Debug, PartialEq)]
pub(crate) enum PutError {
    /// The entry exists and the mode does not allow replacing it.
    Exists,
    /// The entry does not exist and the mode does not allow creating it.
    Missing,
    /// Creating it would pass `max_entries`.
    TooManyEntries,
    /// Storing it would pass `max_bytes`.
    TooManyBytes,
    /// Creating it would pass `max_total_entries`, across namespaces.
    TooManyEntriesInAll,
    /// Storing it would pass `max_total_bytes`, across namespaces.
    TooManyBytesInAll,
}

/// Limits of one store and of all together, from the module parameters.
#[derive(Clone, Copy)]
pub(crate) struct Limits {
    /// Most entries.
    pub(crate) max_entries: u64,
    /// Most memory the entries may occupy ([`footprint`]).
    pub(crate) max_bytes: u64,
    /// Most entries of all namespaces' stores together.
    pub(crate) max_total_entries: u64,
    /// Most memory of all namespaces' stores together.
    pub(crate) max_total_bytes: u64,
}

/// What `kmalloc` hands out for a request of `n` bytes (`kmalloc_size_roundup()`): its size
/// classes up to two pages, whole power-of-two pages above.
const fn slab_size(n: usize) -> usize {
    const CLASSES: [usize; 13] = [
        8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192,
    ];
    if n == 0 {
        return 0; // an empty `KVec` allocates nothing
    }
    let mut i = 0;
    while i < CLASSES.len() {
        if n <= CLASSES[i] {
            return CLASSES[i];
        }
        i += 1;
    }
    n.next_power_of_two()
}

/// The tree node: the `rb_node` links (three words), the key and the entry.
const NODE_SIZE: usize =
    3 * core::mem::size_of::<usize>() + core::mem::size_of::<Key>() + core::mem::size_of::<Entry>();

/// The memory an entry occupies: its node, its key's and its value's allocations.
pub(crate) const fn footprint(key_len: usize, value_len: usize) -> u64 {
    (slab_size(NODE_SIZE) + slab_size(key_len) + slab_size(value_len)) as u64
}

/// Entries and memory of all namespaces' stores together, for the module-wide limits.
static TOTAL_ENTRIES: Atomic<u64> = Atomic::new(0);
static TOTAL_BYTES: Atomic<u64> = Atomic::new(0);

/// Takes `n` from the module-wide `total` if that stays within `max`.
fn reserve(total: &Atomic<u64>, n: u64, max: u64) -> bool {
    if n == 0 {
        return true;
    }
    if total.fetch_add(n, Relaxed) + n > max {
        total.fetch_sub(n, Relaxed);
        return false;
    }
    true
}

/// Gives `n` back to the module-wide `total`.
fn release(total: &Atomic<u64>, n: u64) {
    if n != 0 {
        total.fetch_sub(n, Relaxed);
    }
}

/// The store's contents. Every change bumps `generation`.
pub(crate) struct Inner {
    tree: RBTree<Key, Entry>,
    entries: u64,
    /// Bytes of keys and values.
    bytes: u64,
    /// Memory the entries occupy ([`footprint`]).
    memory: u64,
    generation: u64,
}

impl Inner {
    /// An empty store.
    pub(crate) fn new() -> Self {
        Self {
            tree: RBTree::new(),
            entries: 0,
            bytes: 0,
            memory: 0,
            generation: 0,
        }
    }

    /// The change counter.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of entries.
    pub(crate) fn entries(&self) -> u64 {
        self.entries
    }

    /// Bytes of keys and values.
    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Memory the entries occupy.
    pub(crate) fn memory(&self) -> u64 {
        self.memory
    }

    /// The entry under `key`.
    pub(crate) fn get(&self, key: &Key) -> Option<&Entry> {
        self.tree.get(key)
    }

    /// Creates or replaces the entry under `key` according to `mode`; returns the new
    /// generation. All memory is allocated by the caller, outside the lock: `slot` becomes the
    /// tree node.
    pub(crate) fn put(
        &mut self,
        key: Key,
        entry: Entry,
        slot: RBTreeNodeReservation<Key, Entry>,
        mode: PutMode,
        limits: Limits,
    ) -> Result<u64, PutError> {
        let key_len = key.as_bytes().len();
        let new_size = (key_len + entry.value.len()) as u64;
        let new_memory = footprint(key_len, entry.value.len());
        let (old_size, old_memory, created) = match self.tree.get(&key) {
            Some(old) => {
                if mode == PutMode::Create {
                    return Err(PutError::Exists);
                }
                (
                    (key_len + old.value.len()) as u64,
                    footprint(key_len, old.value.len()),
                    0,
                )
            }
            None => {
                if mode == PutMode::Replace {
                    return Err(PutError::Missing);
                }
                if self.entries + 1 > limits.max_entries {
                    return Err(PutError::TooManyEntries);
                }
                (0, 0, 1)
            }
        };
        if self.memory - old_memory + new_memory > limits.max_bytes {
            return Err(PutError::TooManyBytes);
        }
        if !reserve(&TOTAL_ENTRIES, created, limits.max_total_entries) {
            return Err(PutError::TooManyEntriesInAll);
        }
        let grown = new_memory.saturating_sub(old_memory);
        if !reserve(&TOTAL_BYTES, grown, limits.max_total_bytes) {
            release(&TOTAL_ENTRIES, created);
            return Err(PutError::TooManyBytesInAll);
        }
        release(&TOTAL_BYTES, old_memory.saturating_sub(new_memory));
        self.entries += created;
        self.bytes = self.bytes - old_size + new_size;
        self.memory = self.memory - old_memory + new_memory;
        // A replaced node is dropped here, under the lock: that only frees memory.
        let _replaced = self.tree.insert(slot.into_node(key, entry));
        self.generation += 1;
        Ok(self.generation)
    }

    /// Removes the entry under `key`; returns the new generation, or `None` when absent.
    pub(crate) fn del(&mut self, key: &Key) -> Option<u64> {
        let old = self.tree.remove(key)?;
        let memory = footprint(key.as_bytes().len(), old.value.len());
        self.entries -= 1;
        self.bytes -= (key.as_bytes().len() + old.value.len()) as u64;
        self.memory -= memory;
        release(&TOTAL_ENTRIES, 1);
        release(&TOTAL_BYTES, memory);
        self.generation += 1;
        Some(self.generation)
    }

    /// Calls `f` on entries in key order, starting at the first key `>= from` (or the first key),
    /// skipping `from` itself when `skip_from`, until `f` returns `false` or the keys run out.
    pub(crate) fn walk(
        &mut self,
        from: Option<&Key>,
        skip_from: bool,
        mut f: impl FnMut(&Key, &Entry) -> bool,
    ) {
        let mut cursor = match from {
            Some(k) => self.tree.cursor_lower_bound_mut(k),
            None => self.tree.cursor_front_mut(),
        };
        if let (Some(c), Some(k), true) = (&cursor, from, skip_from) {
            if c.current().0 == k {
                cursor = cursor.and_then(|c| c.move_next());
            }
        }
        while let Some(c) = cursor {
            let (k, e) = c.current();
            if !f(k, e) {
                return;
            }
            cursor = c.move_next();
        }
    }
}

impl Drop for Inner {
    /// Frees the entries one by one, letting other tasks run between batches: a namespace
    /// with a million entries goes away without a soft lockup on a non-preemptible kernel.
    fn drop(&mut self) {
        let mut freed = 0u32;
        while let Some(cursor) = self.tree.cursor_front_mut() {
            let (_, node) = cursor.remove_current();
            drop(node);
            freed += 1;
            if freed % 1024 == 0 {
                cond_resched();
            }
        }
        release(&TOTAL_ENTRIES, self.entries);
        release(&TOTAL_BYTES, self.memory);
    }
}

/// Per-command and notification counters of one store.
pub(crate) struct Counters {
    /// Echo requests served.
    pub(crate) echo: Atomic<u64>,
    /// Put requests served.
    pub(crate) put: Atomic<u64>,
    /// Get requests served (do).
    pub(crate) get: Atomic<u64>,
    /// Del requests served.
    pub(crate) del: Atomic<u64>,
    /// Dumps started.
    pub(crate) dump: Atomic<u64>,
    /// Stats requests served.
    pub(crate) stats: Atomic<u64>,
    /// Notifications delivered to at least one listener.
    pub(crate) notify_sent: Atomic<u64>,
    /// Notifications that could not be built or delivered.
    pub(crate) notify_dropped: Atomic<u64>,
}

impl Counters {
    /// All zero.
    pub(crate) const fn new() -> Self {
        Self {
            echo: Atomic::new(0),
            put: Atomic::new(0),
            get: Atomic::new(0),
            del: Atomic::new(0),
            dump: Atomic::new(0),
            stats: Atomic::new(0),
            notify_sent: Atomic::new(0),
            notify_dropped: Atomic::new(0),
        }
    }

    /// Counts one event.
    pub(crate) fn bump(counter: &Atomic<u64>) {
        counter.fetch_add(1, Relaxed);
    }

    /// Reads a counter.
    pub(crate) fn read(counter: &Atomic<u64>) -> u64 {
        counter.load(Relaxed)
    }
}

/// The store of one network namespace.
#[pin_data]
pub(crate) struct Store {
    /// The contents.
    #[pin]
    pub(crate) inner: Mutex<Inner>,
    /// Counters, outside the lock.
    pub(crate) counters: Counters,
}

impl Store {
    /// An empty store.
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inner <- new_mutex!(Inner::new(), "kvstore::Store::inner"),
            counters: Counters::new(),
        }? Error)
    }
}

#[kernel::macros::kunit_tests(kvstore_store)]
mod tests {
    use super::*;

    use PutMode::{Create, Replace, Upsert};

    const ROOMY: Limits = Limits {
        max_entries: 100,
        max_bytes: 100_000,
        max_total_entries: u64::MAX,
        max_total_bytes: u64::MAX,
    };

    fn put(
        s: &mut Inner,
        key: &[u8],
        value: &[u8],
        mode: PutMode,
        l: Limits,
    ) -> Result<u64, PutError> {
        let mut v = KVec::new();
        v.extend_from_slice(value, GFP_KERNEL).unwrap();
        let slot = RBTreeNodeReservation::new(GFP_KERNEL).unwrap();
        s.put(
            Key::new(key).unwrap(),
            Entry { value: v, flags: 0 },
            slot,
            mode,
            l,
        )
    }

    #[test]
    fn put_modes() {
        let mut s = Inner::new();
        assert_eq!(
            put(&mut s, b"a", b"1", Replace, ROOMY),
            Err(PutError::Missing)
        );
        assert_eq!(put(&mut s, b"a", b"1", Create, ROOMY), Ok(1));
        assert_eq!(
            put(&mut s, b"a", b"2", Create, ROOMY),
            Err(PutError::Exists)
        );
        assert_eq!(put(&mut s, b"a", b"22", Replace, ROOMY), Ok(2));
        assert_eq!(put(&mut s, b"a", b"333", Upsert, ROOMY), Ok(3));
        assert_eq!(put(&mut s, b"b", b"4", Upsert, ROOMY), Ok(4));
        assert_eq!(s.entries(), 2);
        assert_eq!(s.bytes(), 6);
        assert_eq!(
            s.get(&Key::new(b"a").unwrap()).unwrap().value.as_slice(),
            b"333"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let mut s = Inner::new();
        // Two entries with 8-byte values fit; a 9-byte value takes the next size class.
        let two = Limits {
            max_entries: 2,
            max_bytes: 2 * footprint(1, 8),
            ..ROOMY
        };
        assert_eq!(put(&mut s, b"a", b"12345678", Upsert, two), Ok(1));
        assert_eq!(put(&mut s, b"b", b"1234", Upsert, two), Ok(2));
        assert_eq!(
            put(&mut s, b"c", b"", Upsert, two),
            Err(PutError::TooManyEntries)
        );
        assert_eq!(
            put(&mut s, b"a", b"123456789", Upsert, two),
            Err(PutError::TooManyBytes)
        );
        assert_eq!(put(&mut s, b"a", b"1", Upsert, two), Ok(3));
        assert_eq!(s.generation(), 3);
        assert_eq!(
            (s.entries(), s.bytes(), s.memory()),
            (2, 7, 2 * footprint(1, 8))
        );
    }

    #[test]
    fn del_updates_counts() {
        let mut s = Inner::new();
        put(&mut s, b"k", b"vv", Upsert, ROOMY).unwrap();
        assert_eq!(s.del(&Key::new(b"x").unwrap()), None);
        assert_eq!(s.del(&Key::new(b"k").unwrap()), Some(2));
        assert_eq!((s.entries(), s.bytes(), s.memory()), (0, 0, 0));
    }

    #[test]
    fn module_wide_limits_hold_across_stores() {
        let (mut a, mut b) = (Inner::new(), Inner::new());
        let all = Limits {
            max_total_entries: TOTAL_ENTRIES.load(Relaxed) + 2,
            ..ROOMY
        };
        assert_eq!(put(&mut a, b"k", b"v", Upsert, all), Ok(1));
        assert_eq!(put(&mut b, b"k", b"v", Upsert, all), Ok(1));
        assert_eq!(
            put(&mut b, b"l", b"v", Upsert, all),
            Err(PutError::TooManyEntriesInAll)
        );
        // A replace adds no entry; a store going away gives its share back.
        assert_eq!(put(&mut b, b"k", b"w", Replace, all), Ok(2));
        drop(a);
        assert_eq!(put(&mut b, b"l", b"v", Upsert, all), Ok(3));
        let bytes = Limits {
            max_total_bytes: TOTAL_BYTES.load(Relaxed) + footprint(1, 8),
            ..ROOMY
        };
        // Fits exactly.
        assert_eq!(put(&mut b, b"m", b"v", Upsert, bytes), Ok(4));
        assert_eq!(
            put(&mut b, b"m", b"123456789", Upsert, bytes),
            Err(PutError::TooManyBytesInAll)
        );
    }

    #[test]
    fn footprint_follows_kmalloc_size_classes() {
        assert_eq!(
            [0, 1, 8, 9, 65, 193, 4097, 8193, 65000].map(slab_size),
            [0, 8, 8, 16, 96, 256, 8192, 16384, 65536]
        );
        assert_eq!(footprint(9, 8), (slab_size(NODE_SIZE) + 16 + 8) as u64);
    }

    #[test]
    fn walk_resumes_after_a_key() {
        let mut s = Inner::new();
        for k in [b"b", b"d", b"a", b"c"] {
            put(&mut s, k, b"", Upsert, ROOMY).unwrap();
        }
        let mut seen = KVec::new();
        let from = Key::new(b"b").unwrap();
        s.walk(Some(&from), true, |k, _| {
            seen.push(k.as_bytes()[0], GFP_KERNEL).unwrap();
            true
        });
        assert_eq!(seen.as_slice(), b"cd");
        seen.clear();
        let from = Key::new(b"bb").unwrap();
        s.walk(Some(&from), true, |k, _| {
            seen.push(k.as_bytes()[0], GFP_KERNEL).unwrap();
            seen.len() < 1
        });
        assert_eq!(seen.as_slice(), b"c");
    }
}
