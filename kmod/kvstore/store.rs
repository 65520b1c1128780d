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

/// Bytes of key and value an entry keeps inside its tree node: a 9-byte key with an 8-byte
/// value, the common small case, takes one 64-byte allocation (see [`NODE_SIZE`]).
const INLINE_BYTES: usize = 30;

/// Where an entry's key and value bytes live, key first.
enum Bytes {
    /// In the tree node: the first `len` bytes.
    Inline(u8, [u8; INLINE_BYTES]),
    /// In one allocation of their own, key and value together.
    Heap(KVec<u8>),
}

/// One entry: key, value and flags, kept in the tree node itself. Entries are ordered by key
/// alone; a lookup builds a probe entry with an empty value (no allocation for short keys).
pub(crate) struct Entry {
    flags: u32,
    key_len: u8,
    bytes: Bytes,
}

impl Entry {
    /// Copies `key` and `value` into a new entry. Allocates only when they do not fit inline;
    /// fails with `ENOMEM` when that fails and `EINVAL` for a key longer than 255 bytes (the
    /// policy refuses those first).
    pub(crate) fn new(key: &[u8], value: &[u8], flags: u32) -> Result<Self> {
        let key_len = u8::try_from(key.len()).map_err(|_| EINVAL)?;
        let len = key.len() + value.len();
        let bytes = if len <= INLINE_BYTES {
            let mut inline = [0; INLINE_BYTES];
            inline[..key.len()].copy_from_slice(key);
            inline[key.len()..len].copy_from_slice(value);
            // CAST: `len <= INLINE_BYTES < 256`.
            Bytes::Inline(len as u8, inline)
        } else {
            let mut heap = KVec::with_capacity(len, GFP_STORE)?;
            heap.extend_from_slice(key, GFP_STORE)?;
            heap.extend_from_slice(value, GFP_STORE)?;
            Bytes::Heap(heap)
        };
        Ok(Self {
            flags,
            key_len,
            bytes,
        })
    }

    /// An entry to look `key` up with.
    pub(crate) fn probe(key: &[u8]) -> Result<Self> {
        Self::new(key, &[], 0)
    }

    fn all_bytes(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Inline(len, b) => &b[..usize::from(*len)],
            Bytes::Heap(v) => v,
        }
    }

    /// The key. One bounds check: tree walks compare keys at every level.
    pub(crate) fn key(&self) -> &[u8] {
        let len = usize::from(self.key_len);
        match &self.bytes {
            Bytes::Inline(_, b) => &b[..len],
            Bytes::Heap(v) => &v[..len],
        }
    }

    /// The value.
    pub(crate) fn value(&self) -> &[u8] {
        self.key_and_value().1
    }

    /// Key and value at once: what a dump sends for every entry.
    pub(crate) fn key_and_value(&self) -> (&[u8], &[u8]) {
        self.all_bytes().split_at(usize::from(self.key_len))
    }

    /// The client-defined `entry-flags` bits.
    pub(crate) fn flags(&self) -> u32 {
        self.flags
    }

    /// Keys and values bytes, as the `bytes` stat counts them.
    fn size(&self) -> u64 {
        self.all_bytes().len() as u64
    }

    /// The memory the entry occupies: its tree node, and its bytes' allocation if they have one.
    fn footprint(&self) -> u64 {
        footprint(usize::from(self.key_len), self.value().len())
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.key().cmp(other.key())
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Entry {}

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

/// The tree node: the `rb_node` links (three words) and the entry; no value is stored apart.
pub(crate) const NODE_SIZE: usize =
    3 * core::mem::size_of::<usize>() + core::mem::size_of::<Entry>();

// One kmalloc-64 object per small entry on 64-bit (`Entry` is 40 bytes there).
#[cfg(CONFIG_64BIT)]
const _: () = assert!(NODE_SIZE == 64);

/// The memory an entry with these lengths occupies: its node, and an allocation for its key and
/// value when they do not fit inline.
pub(crate) const fn footprint(key_len: usize, value_len: usize) -> u64 {
    let len = key_len + value_len;
    let outside = if len <= INLINE_BYTES {
        0
    } else {
        slab_size(len)
    };
    (slab_size(NODE_SIZE) + outside) as u64
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
    tree: RBTree<Entry, ()>,
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

    /// Calls `f` on the entry with the key of `probe`, if there is one.
    pub(crate) fn with<R>(&self, probe: &Entry, f: impl FnOnce(&Entry) -> R) -> Option<R> {
        let cursor = self.tree.cursor_lower_bound(probe)?;
        let (found, ()) = cursor.current();
        (found == probe).then(|| f(found))
    }

    /// Creates or replaces the entry with `entry`'s key according to `mode`; returns the new
    /// generation. All memory is allocated by the caller, outside the lock: `slot` becomes the
    /// tree node.
    pub(crate) fn put(
        &mut self,
        entry: Entry,
        slot: RBTreeNodeReservation<Entry, ()>,
        mode: PutMode,
        limits: Limits,
    ) -> Result<u64, PutError> {
        let (new_size, new_memory) = (entry.size(), entry.footprint());
        // `get` walks the tree once, comparing once per level; only a replace needs the old
        // entry, through the costlier lower-bound walk.
        let old = match self.tree.get(&entry) {
            None => None,
            Some(()) => self.with(&entry, |old| (old.size(), old.footprint())),
        };
        let (old_size, old_memory, created) = match old {
            Some((size, memory)) => {
                if mode == PutMode::Create {
                    return Err(PutError::Exists);
                }
                (size, memory, 0)
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
        let _replaced = self.tree.insert(slot.into_node(entry, ()));
        self.generation += 1;
        Ok(self.generation)
    }

    /// Removes the entry with the key of `probe`; returns the new generation, or `None` when
    /// absent.
    pub(crate) fn del(&mut self, probe: &Entry) -> Option<u64> {
        let (old, ()) = self.tree.remove_node(probe)?.to_key_value();
        let memory = old.footprint();
        self.entries -= 1;
        self.bytes -= old.size();
        self.memory -= memory;
        release(&TOTAL_ENTRIES, 1);
        release(&TOTAL_BYTES, memory);
        self.generation += 1;
        Some(self.generation)
    }

    /// Calls `f` on entries in key order, starting at the first key `>=` the key of `from` (or
    /// the first key), until `f` returns `false` or the keys run out.
    pub(crate) fn walk(&mut self, from: Option<&Entry>, mut f: impl FnMut(&Entry) -> bool) {
        let mut cursor = match from {
            Some(probe) => self.tree.cursor_lower_bound_mut(probe),
            None => self.tree.cursor_front_mut(),
        };
        while let Some(c) = cursor {
            if !f(c.current().0) {
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
        let slot = RBTreeNodeReservation::new(GFP_KERNEL).unwrap();
        s.put(Entry::new(key, value, 0).unwrap(), slot, mode, l)
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
            s.with(&Entry::probe(b"a").unwrap(), |e| e.value() == b"333"),
            Some(true)
        );
    }

    #[test]
    fn limits_are_enforced() {
        let mut s = Inner::new();
        // Two small entries fit; a value too long to stay in the node needs more memory.
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
            put(&mut s, b"a", &[b'v'; 30], Upsert, two),
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
        assert_eq!(s.del(&Entry::probe(b"x").unwrap()), None);
        assert_eq!(s.del(&Entry::probe(b"k").unwrap()), Some(2));
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
            put(&mut b, b"m", &[b'v'; 30], Upsert, bytes),
            Err(PutError::TooManyBytesInAll)
        );
    }

    #[test]
    fn footprint_follows_kmalloc_size_classes() {
        assert_eq!(
            [0, 1, 8, 9, 65, 193, 4097, 8193, 65000].map(slab_size),
            [0, 8, 8, 16, 96, 256, 8192, 16384, 65536]
        );
        // A 9-byte key and an 8-byte value live in the node: one kmalloc-64 object.
        assert_eq!(footprint(9, 8), 64);
        assert_eq!(footprint(10, 20), 64);
        assert_eq!(footprint(10, 21), 64 + 32);
        assert_eq!(footprint(255, 65000), 64 + 65536);
    }

    #[test]
    fn entries_keep_key_value_and_flags() {
        for (key, value) in [
            (&b"k"[..], &b""[..]),
            (b"key-9byte", b"8 bytes!"),
            (&[7; 30], b""),
            (&[7; 29], b"v"),
            (&[7; 30], b"v"),
            (&[255; 255], &[1; 1000]),
        ] {
            let e = Entry::new(key, value, 0x8000_0001).unwrap();
            assert_eq!((e.key(), e.value(), e.flags()), (key, value, 0x8000_0001));
            assert_eq!(e.size(), (key.len() + value.len()) as u64);
            assert_eq!(e.footprint(), footprint(key.len(), value.len()));
            assert!(e == Entry::probe(key).unwrap());
        }
        assert_eq!(Entry::new(&[0; 256], b"", 0).err(), Some(EINVAL));
        // Order is by key only, bytewise, a prefix first.
        let (a, ab, b) = (
            Entry::new(b"a", b"zzz", 0).unwrap(),
            Entry::probe(b"ab").unwrap(),
            Entry::new(b"b", b"", 0).unwrap(),
        );
        assert!(a < ab && ab < b);
    }

    #[test]
    fn walk_starts_at_a_key() {
        let mut s = Inner::new();
        for k in [b"b", b"d", b"a", b"c"] {
            put(&mut s, k, b"", Upsert, ROOMY).unwrap();
        }
        let mut seen = KVec::new();
        s.walk(Some(&Entry::probe(b"b").unwrap()), |e| {
            seen.push(e.key()[0], GFP_KERNEL).unwrap();
            true
        });
        assert_eq!(seen.as_slice(), b"bcd");
        seen.clear();
        s.walk(Some(&Entry::probe(b"bb").unwrap()), |e| {
            seen.push(e.key()[0], GFP_KERNEL).unwrap();
            seen.len() < 1
        });
        assert_eq!(seen.as_slice(), b"c");
        seen.clear();
        s.walk(None, |e| {
            seen.push(e.key()[0], GFP_KERNEL).unwrap();
            true
        });
        assert_eq!(seen.as_slice(), b"abcd");
    }
}
