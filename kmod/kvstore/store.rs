// SPDX-License-Identifier: GPL-2.0

//! The key-value store of one network namespace: pure logic, no netlink.

use crate::genl::{Iter, Keyed, Tree, TreeEntry, TreeNode, GFP_STORE};
use kernel::{
    new_mutex,
    prelude::*,
    sync::{
        atomic::{Atomic, Relaxed},
        Mutex,
    },
};

/// Bytes of key and value an entry keeps inside its tree node: a 9-byte key with an 8-byte
/// value, the common small case, takes one 64-byte allocation (see [`NODE_SIZE`]).
const INLINE_BYTES: usize = 30;

/// Defines [`InlineLen`] with one variant per length, and the table that converts to it.
macro_rules! inline_lengths {
    ($($name:ident = $n:literal),* $(,)?) => {
        /// A length of inline bytes, `0..=INLINE_BYTES`. Because its values are so bounded, a
        /// slice of the inline array by it needs no bounds check, and the byte's other values
        /// tell a heap entry apart (no separate tag): the tree walk reads a key in four
        /// instructions at every level.
        #[derive(Clone, Copy)]
        #[repr(u8)]
        enum InlineLen {
            $($name = $n),*
        }

        /// Every [`InlineLen`], at its own index.
        const INLINE_LENS: [InlineLen; INLINE_BYTES + 1] = [$(InlineLen::$name),*];
    };
}

#[rustfmt::skip]
inline_lengths!(
    L0 = 0, L1 = 1, L2 = 2, L3 = 3, L4 = 4, L5 = 5, L6 = 6, L7 = 7, L8 = 8, L9 = 9, L10 = 10,
    L11 = 11, L12 = 12, L13 = 13, L14 = 14, L15 = 15, L16 = 16, L17 = 17, L18 = 18, L19 = 19,
    L20 = 20, L21 = 21, L22 = 22, L23 = 23, L24 = 24, L25 = 25, L26 = 26, L27 = 27, L28 = 28,
    L29 = 29, L30 = 30);

impl InlineLen {
    /// `n` if it fits inline.
    fn new(n: usize) -> Option<Self> {
        INLINE_LENS.get(n).copied()
    }

    fn get(self) -> usize {
        // CAST: a fieldless `repr(u8)` enum to its value.
        usize::from(self as u8)
    }
}

/// An entry's key and value bytes, key first, and where they live.
enum Bytes {
    /// In the tree node: the first `len` bytes of `bytes`.
    Inline {
        key_len: InlineLen,
        len: InlineLen,
        bytes: [u8; INLINE_BYTES],
    },
    /// In one allocation of their own, key and value together; the key's length is
    /// [`Entry::heap_key_len`] (here, it would make the node larger than 64 bytes).
    Heap(KVec<u8>),
}

/// One entry: key, value and flags, kept in the tree node itself, ordered by key.
pub(crate) struct Entry {
    flags: u32,
    /// The key's length when the bytes are on the heap; unused for inline ones.
    heap_key_len: u8,
    bytes: Bytes,
}

impl Entry {
    /// Copies `key` and `value` into a new entry. Allocates only when they do not fit inline;
    /// fails with `ENOMEM` when that fails and `EINVAL` for a key longer than 255 bytes (the
    /// policy refuses those first).
    pub(crate) fn new(key: &[u8], value: &[u8], flags: u32) -> Result<Self> {
        let len = key.len() + value.len();
        let (heap_key_len, bytes) = match (InlineLen::new(key.len()), InlineLen::new(len)) {
            (Some(key_len), Some(inline_len)) => {
                let mut bytes = [0; INLINE_BYTES];
                bytes[..key.len()].copy_from_slice(key);
                bytes[key.len()..len].copy_from_slice(value);
                let inline = Bytes::Inline {
                    key_len,
                    len: inline_len,
                    bytes,
                };
                (0, inline)
            }
            _ => {
                let heap_key_len = u8::try_from(key.len()).map_err(|_| EINVAL)?;
                let mut bytes = KVec::with_capacity(len, GFP_STORE)?;
                bytes.extend_from_slice(key, GFP_STORE)?;
                bytes.extend_from_slice(value, GFP_STORE)?;
                (heap_key_len, Bytes::Heap(bytes))
            }
        };
        Ok(Self {
            flags,
            heap_key_len,
            bytes,
        })
    }

    fn all_bytes(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Inline { len, bytes, .. } => &bytes[..len.get()],
            Bytes::Heap(bytes) => bytes,
        }
    }

    fn key_len(&self) -> usize {
        match self.bytes {
            Bytes::Inline { key_len, .. } => key_len.get(),
            Bytes::Heap(_) => usize::from(self.heap_key_len),
        }
    }

    /// The key. Tree walks read it at every level: no bounds check for inline keys.
    pub(crate) fn key(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Inline { key_len, bytes, .. } => &bytes[..key_len.get()],
            Bytes::Heap(bytes) => &bytes[..usize::from(self.heap_key_len)],
        }
    }

    /// The value.
    pub(crate) fn value(&self) -> &[u8] {
        self.key_and_value().1
    }

    /// Key and value at once: what a dump sends for every entry.
    pub(crate) fn key_and_value(&self) -> (&[u8], &[u8]) {
        self.all_bytes().split_at(self.key_len())
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
        footprint(self.all_bytes().len(), 0)
    }
}

impl Keyed for Entry {
    type Key = [u8];

    fn key(&self) -> &[u8] {
        self.key()
    }
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
#[derive(Clone, Copy, Debug)]
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
pub(crate) const NODE_SIZE: usize = TreeNode::<Entry>::SIZE;

// One kmalloc-64 object per small entry on 64-bit (`Entry` is 40 bytes there).
#[cfg(CONFIG_64BIT)]
const _: () = assert!(NODE_SIZE == 64);

/// The memory an entry with these lengths occupies: its node, and an allocation for its key and
/// value when they do not fit inline.
pub(crate) const fn footprint(key_len: usize, value_len: usize) -> u64 {
    // A constant: computed once, not at every put.
    const NODE_SLAB: usize = slab_size(NODE_SIZE);
    let len = key_len + value_len;
    if len <= INLINE_BYTES {
        NODE_SLAB as u64
    } else {
        (NODE_SLAB + slab_size(len)) as u64
    }
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
    tree: Tree<Entry>,
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
            tree: Tree::new(),
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

    /// The entry with `key`.
    pub(crate) fn get(&self, key: &[u8]) -> Option<&Entry> {
        self.tree.get(key)
    }

    /// Creates or replaces the entry with the key of `node`'s entry according to `mode`; returns
    /// the new generation. All memory is allocated by the caller, outside the lock: `node`
    /// goes into the tree as it is. One walk finds the entry to replace or the place for a new
    /// one.
    pub(crate) fn put(
        &mut self,
        node: TreeNode<Entry>,
        mode: PutMode,
        limits: &Limits,
    ) -> Result<u64, PutError> {
        let (new_size, new_memory) = (node.item().size(), node.item().footprint());
        let place = self.tree.entry(node);
        let (old_size, old_memory, created) = match &place {
            TreeEntry::Occupied(old) => {
                if mode == PutMode::Create {
                    return Err(PutError::Exists);
                }
                (old.old().size(), old.old().footprint(), 0)
            }
            TreeEntry::Vacant(_) => {
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
        match place {
            // The replaced node is freed here, under the lock: that only frees memory.
            TreeEntry::Occupied(old) => drop(old.replace()),
            TreeEntry::Vacant(new) => {
                new.insert();
            }
        }
        self.entries += created;
        self.bytes = self.bytes - old_size + new_size;
        self.memory = self.memory - old_memory + new_memory;
        self.generation += 1;
        Ok(self.generation)
    }

    /// Removes the entry with `key`; returns the new generation, or `None` when absent.
    pub(crate) fn del(&mut self, key: &[u8]) -> Option<u64> {
        let old = self.tree.remove(key)?.into_item();
        let memory = old.footprint();
        self.entries -= 1;
        self.bytes -= old.size();
        self.memory -= memory;
        release(&TOTAL_ENTRIES, 1);
        release(&TOTAL_BYTES, memory);
        self.generation += 1;
        Some(self.generation)
    }

    /// The entries in key order, from the first key `>=` `from` (or the first key).
    pub(crate) fn entries_from(&self, from: Option<&[u8]>) -> Iter<'_, Entry> {
        match from {
            Some(key) => self.tree.iter_from(key),
            None => self.tree.iter(),
        }
    }
}

impl Drop for Inner {
    /// Frees the entries letting other tasks run between batches: a namespace with a million
    /// entries goes away without a soft lockup on a non-preemptible kernel.
    fn drop(&mut self) {
        self.tree.clear();
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
    /// The module's limits, read when the namespace came up: module parameters do not change
    /// after load (they are not in sysfs).
    pub(crate) limits: Limits,
}

impl Store {
    /// An empty store.
    pub(crate) fn new(limits: Limits) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            inner <- new_mutex!(Inner::new(), "kvstore::Store::inner"),
            counters: Counters::new(),
            limits,
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
        let node = TreeNode::new(Entry::new(key, value, 0).unwrap(), GFP_KERNEL).unwrap();
        s.put(node, mode, &l)
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
        assert_eq!(s.get(b"a").map(|e| e.value() == b"333"), Some(true));
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
        assert_eq!(s.del(b"x"), None);
        assert_eq!(s.del(b"k"), Some(2));
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
    fn inline_lengths_are_their_values() {
        for n in 0..=INLINE_BYTES {
            assert_eq!(InlineLen::new(n).map(InlineLen::get), Some(n));
        }
        assert!(InlineLen::new(INLINE_BYTES + 1).is_none());
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
            assert_eq!(Keyed::key(&e), key);
        }
        assert_eq!(Entry::new(&[0; 256], b"", 0).err(), Some(EINVAL));
    }

    #[test]
    fn entries_start_at_a_key() {
        let mut s = Inner::new();
        for k in [b"b", b"d", b"a", b"c"] {
            put(&mut s, k, b"", Upsert, ROOMY).unwrap();
        }
        // The first byte of each key, from `from` on, at most `n` of them.
        let firsts = |s: &Inner, from: Option<&[u8]>, n: usize| {
            let mut seen = KVec::new();
            for e in s.entries_from(from).take(n) {
                seen.push(e.key()[0], GFP_KERNEL).unwrap();
            }
            seen
        };
        assert_eq!(firsts(&s, Some(b"b"), 10).as_slice(), b"bcd");
        assert_eq!(firsts(&s, Some(b"bb"), 1).as_slice(), b"c");
        assert_eq!(firsts(&s, None, 10).as_slice(), b"abcd");
        // By key alone, bytewise, a prefix first; inline and heap entries alike.
        put(&mut s, b"ab", &[b'v'; 40], Upsert, ROOMY).unwrap();
        let mut keys = KVec::new();
        for e in s.entries_from(Some(b"a")).take(3) {
            keys.push(e.key().len(), GFP_KERNEL).unwrap();
        }
        assert_eq!(keys.as_slice(), [1, 2, 1]);
    }
}
