// SPDX-License-Identifier: GPL-2.0
// Generated from specs/kvstore.yaml by genlkit-codegen; do not edit.

//! The `kvstore` family's numbers, policies, handler trait, split-ops table and family.

#![allow(dead_code)]

use kernel::prelude::*;

use crate::genl::{
    AttrPolicy, DoIt, DumpIt, DumpWriter, Family, FamilyState, MulticastGroup, PerNetState, Perm,
    Policy, Request, SplitOp, StrMinLen,
};
use crate::State;

/// The family name, NUL-terminated.
pub(crate) const FAMILY_NAME: &[u8] = b"kvstore\0";
/// The family version.
pub(crate) const FAMILY_VERSION: u32 = 1;

/// Commands (`operations`).
pub(crate) mod cmd {
    /// Return the request's attributes unchanged (latency probe).
    pub(crate) const ECHO: u8 = 1;
    /// Create or replace an entry, as the mode attribute says (absent: upsert,
    /// create or overwrite); the reply carries the entry and the new generation.
    pub(crate) const PUT: u8 = 2;
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    pub(crate) const GET: u8 = 3;
    /// Remove an entry by key.
    pub(crate) const DEL: u8 = 4;
    /// Counters and limits of the caller's namespace's store.
    pub(crate) const STATS: u8 = 5;
    /// An entry was created or replaced.
    pub(crate) const NEW_NTF: u8 = 6;
    /// An entry was removed.
    pub(crate) const DEL_NTF: u8 = 7;
    /// The highest command.
    pub(crate) const MAX: u8 = 7;
}

/// Attribute set `entry`.
pub(crate) mod entry {
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) const KEY: u16 = 1;
    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    pub(crate) const VALUE: u16 = 2;
    pub(crate) const FLAGS: u16 = 3;
    /// The store's change counter after the operation; bumped on every change.
    pub(crate) const GENERATION: u16 = 4;
    pub(crate) const STATS: u16 = 5;
    pub(crate) const PAD: u16 = 6;
    /// How a put treats an existing or a missing entry; absent means upsert.
    pub(crate) const MODE: u16 = 7;
    /// The highest attribute.
    pub(crate) const MAX: u16 = 7;
    /// `key` check `min-len`.
    pub(crate) const KEY_MIN_LEN: usize = 1;
    /// `key` check `max-len`.
    pub(crate) const KEY_MAX_LEN: usize = 255;
    /// `value` check `max-len`.
    pub(crate) const VALUE_MAX_LEN: usize = 65000;
}

/// Attribute set `stats`.
pub(crate) mod stats {
    /// Entries in the store.
    pub(crate) const ENTRIES: u16 = 1;
    /// Bytes of keys and values in the store.
    pub(crate) const BYTES: u16 = 2;
    /// Limit on entries (module parameter max_entries).
    pub(crate) const MAX_ENTRIES: u16 = 3;
    /// Limit on memory (module parameter max_bytes; see memory).
    pub(crate) const MAX_BYTES: u16 = 4;
    pub(crate) const ECHO_COUNT: u16 = 5;
    pub(crate) const PUT_COUNT: u16 = 6;
    pub(crate) const GET_COUNT: u16 = 7;
    pub(crate) const DEL_COUNT: u16 = 8;
    /// Dumps started.
    pub(crate) const DUMP_COUNT: u16 = 9;
    pub(crate) const STATS_COUNT: u16 = 10;
    /// Notifications multicast to at least one listener.
    pub(crate) const NOTIFY_SENT: u16 = 11;
    /// Notifications that could not be allocated or sent.
    pub(crate) const NOTIFY_DROPPED: u16 = 12;
    pub(crate) const PAD: u16 = 13;
    /// Bytes of memory the entries occupy: tree nodes, keys and values, as the
    /// allocator sizes them. What max-bytes limits.
    pub(crate) const MEMORY: u16 = 14;
    /// The highest attribute.
    pub(crate) const MAX: u16 = 14;
}

/// Flags `entry-flags`.
/// Client-defined hints stored with an entry; undefined bits are rejected.
pub(crate) mod entry_flags {
    /// The value is UTF-8 text.
    pub(crate) const TEXT: u32 = 0x1;
    /// The value is compressed by the client.
    pub(crate) const COMPRESSED: u32 = 0x2;
    /// Every defined bit.
    pub(crate) const MASK: u32 = 0x3;
}

/// Enum `put-mode`.
/// How a put treats an existing or a missing entry.
pub(crate) mod put_mode {
    /// Create the entry, or overwrite it when it exists (the default).
    pub(crate) const UPSERT: u32 = 0x0;
    /// Only create the entry; EEXIST when it exists.
    pub(crate) const CREATE: u32 = 0x1;
    /// Only overwrite the entry; ENOENT when it does not exist.
    pub(crate) const REPLACE: u32 = 0x2;
    /// The highest value.
    pub(crate) const MAX: u32 = 2;
}

/// Multicast groups, as indices into [`MCGRPS`].
pub(crate) mod group {
    pub(crate) const NOTIFY: u32 = 0;
}

/// Multicast groups (`mcast-groups`).
pub(crate) static MCGRPS: [MulticastGroup; 1] = [
    MulticastGroup::const_new(c"notify"),
];

/// `key` check `min-len` (1): its policy rejects a shorter string with EINVAL.
pub(crate) struct EntryKeyMinLen;

impl StrMinLen for EntryKeyMinLen {
    const MIN: usize = 1;
    const MSG: &'static core::ffi::CStr = c"key must not be empty";
}

/// `echo` do request: `[key, value, flags, generation]`.
pub(crate) static ECHO_DO_POLICY: Policy<5> = Policy::new(&[
    (entry::KEY, AttrPolicy::nul_string(255).min_str_len::<EntryKeyMinLen>()),
    (entry::VALUE, AttrPolicy::binary(0, 65000)),
    (entry::FLAGS, AttrPolicy::u32().mask(0x3)),
    (entry::GENERATION, AttrPolicy::u64()),
]);

/// `put` do request: `[key, value, flags, mode]`.
pub(crate) static PUT_DO_POLICY: Policy<8> = Policy::new(&[
    (entry::KEY, AttrPolicy::nul_string(255).min_str_len::<EntryKeyMinLen>()),
    (entry::VALUE, AttrPolicy::binary(0, 65000)),
    (entry::FLAGS, AttrPolicy::u32().mask(0x3)),
    (entry::MODE, AttrPolicy::u32().max(2)),
]);

/// `get` do request: `[key]`.
pub(crate) static GET_DO_POLICY: Policy<2> = Policy::new(&[
    (entry::KEY, AttrPolicy::nul_string(255).min_str_len::<EntryKeyMinLen>()),
]);

/// `get` dump request: `[key]`.
pub(crate) static GET_DUMP_POLICY: Policy<2> = Policy::new(&[
    (entry::KEY, AttrPolicy::nul_string(255).min_str_len::<EntryKeyMinLen>()),
]);

/// `del` do request: `[key]`.
pub(crate) static DEL_DO_POLICY: Policy<2> = Policy::new(&[
    (entry::KEY, AttrPolicy::nul_string(255).min_str_len::<EntryKeyMinLen>()),
]);

/// `stats` do request: `[]`.
pub(crate) static STATS_DO_POLICY: Policy<1> = Policy::new(&[]);

/// The `kvstore` family's operations, served by the state of the request's namespace:
/// implement this on the type the crate root names `State`, which also implements
/// [`PerNetState`].
pub(crate) trait KvstoreOps: PerNetState {
    /// `echo` do.
    ///
    /// Return the request's attributes unchanged (latency probe).
    fn echo_do(&self, req: &Request<'_>) -> Result;
    /// `put` do.
    ///
    /// Create or replace an entry, as the mode attribute says (absent: upsert,
    /// create or overwrite); the reply carries the entry and the new generation.
    fn put_do(&self, req: &Request<'_>) -> Result;
    /// `get` do.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    fn get_do(&self, req: &Request<'_>) -> Result;
    /// Where a `get` dump stands between rounds.
    type GetDumpCursor: Send;
    /// `min_dump_alloc` of a `get` dump: room for its largest entry.
    const GET_DUMP_MIN_ALLOC: u32 = 0;
    /// Starts a `get` dump.
    fn get_dump_start(&self, req: &Request<'_>) -> Result<Self::GetDumpCursor>;
    /// `get` dump.
    ///
    /// Get one entry by key, or dump all entries in key order (optionally under a key prefix).
    /// Moves `cursor` past each entry kept; `EMSGSIZE` from `out` is passed on.
    fn get_dump(
        &self,
        req: &Request<'_>,
        cursor: &mut Self::GetDumpCursor,
        out: &mut DumpWriter<'_>,
    ) -> Result;
    /// `del` do.
    ///
    /// Remove an entry by key.
    fn del_do(&self, req: &Request<'_>) -> Result;
    /// `stats` do.
    ///
    /// Counters and limits of the caller's namespace's store.
    fn stats_do(&self, req: &Request<'_>) -> Result;
}

/// The `echo` do.
struct EchoDo;

impl DoIt for EchoDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.echo_do(req)
    }
}

/// The `put` do.
struct PutDo;

impl DoIt for PutDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.put_do(req)
    }
}

/// The `get` do.
struct GetDo;

impl DoIt for GetDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.get_do(req)
    }
}

/// The `get` dump.
struct GetDump;

impl DumpIt for GetDump {
    type State = State;
    type Cursor = <State as KvstoreOps>::GetDumpCursor;
    const MIN_DUMP_ALLOC: u32 = State::GET_DUMP_MIN_ALLOC;
    fn start(state: &State, req: &Request<'_>) -> Result<Self::Cursor> {
        state.get_dump_start(req)
    }
    fn dumpit(
        state: &State,
        req: &Request<'_>,
        cursor: &mut Self::Cursor,
        out: &mut DumpWriter<'_>,
    ) -> Result {
        state.get_dump(req, cursor, out)
    }
}

/// The `del` do.
struct DelDo;

impl DoIt for DelDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.del_do(req)
    }
}

/// The `stats` do.
struct StatsDo;

impl DoIt for StatsDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.stats_do(req)
    }
}

/// The split-ops table (`genl_split_ops`), sorted by command, do before dump.
pub(crate) static OPS: [SplitOp<State>; 6] = [
    SplitOp::doit::<EchoDo, 5>(cmd::ECHO, &ECHO_DO_POLICY, Perm::Anyone),
    SplitOp::doit::<PutDo, 8>(cmd::PUT, &PUT_DO_POLICY, Perm::NetnsAdmin),
    SplitOp::doit::<GetDo, 2>(cmd::GET, &GET_DO_POLICY, Perm::Anyone),
    SplitOp::dumpit::<GetDump, 2>(cmd::GET, &GET_DUMP_POLICY, Perm::Anyone),
    SplitOp::doit::<DelDo, 2>(cmd::DEL, &DEL_DO_POLICY, Perm::NetnsAdmin),
    SplitOp::doit::<StatsDo, 1>(cmd::STATS, &STATS_DO_POLICY, Perm::Anyone),
];

/// The `kvstore` family (`genl_family`): registered, with every namespace's [`State`], by
/// the module, `genl::FamilyModule<State>`.
pub(crate) static FAMILY: Family<State> = Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    FAMILY_NAME,
    FAMILY_VERSION,
    &OPS,
    &MCGRPS,
);

impl FamilyState for State {
    const FAMILY: &'static Family<Self> = &FAMILY;
}
