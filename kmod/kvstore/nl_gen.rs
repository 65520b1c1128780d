// SPDX-License-Identifier: GPL-2.0
// Generated from specs/kvstore.yaml by genlkit-codegen; do not edit.

//! The `kvstore` family's numbers, policies, handler trait, split-ops table and family.

#![allow(dead_code)]

use kernel::prelude::*;

use crate::genl;
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

/// The attributes of the `echo` do request: `[key, value, flags, generation]`.
#[derive(Clone, Copy)]
pub(crate) struct EchoDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> EchoDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `key` (string).
    ///
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) fn key(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::KEY, genl::Attr::str_bytes)
    }

    /// `value` (binary).
    ///
    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    pub(crate) fn value(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::VALUE, |a| Ok(a.bytes()))
    }

    /// `flags` (u32).
    pub(crate) fn flags(&self) -> genl::Field<'a, u32> {
        genl::Field::new(self.0, entry::FLAGS, genl::Attr::u32)
    }

    /// `generation` (u64).
    ///
    /// The store's change counter after the operation; bumped on every change.
    pub(crate) fn generation(&self) -> genl::Field<'a, u64> {
        genl::Field::new(self.0, entry::GENERATION, genl::Attr::u64)
    }
}

/// The attributes of the `put` do request: `[key, value, flags, mode]`.
#[derive(Clone, Copy)]
pub(crate) struct PutDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> PutDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `key` (string).
    ///
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) fn key(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::KEY, genl::Attr::str_bytes)
    }

    /// `value` (binary).
    ///
    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    pub(crate) fn value(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::VALUE, |a| Ok(a.bytes()))
    }

    /// `flags` (u32).
    pub(crate) fn flags(&self) -> genl::Field<'a, u32> {
        genl::Field::new(self.0, entry::FLAGS, genl::Attr::u32)
    }

    /// `mode` (u32).
    ///
    /// How a put treats an existing or a missing entry; absent means upsert.
    pub(crate) fn mode(&self) -> genl::Field<'a, u32> {
        genl::Field::new(self.0, entry::MODE, genl::Attr::u32)
    }
}

/// The attributes of the `get` do request: `[key]`.
#[derive(Clone, Copy)]
pub(crate) struct GetDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> GetDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `key` (string).
    ///
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) fn key(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::KEY, genl::Attr::str_bytes)
    }
}

/// The attributes of the `get` dump request: `[key]`.
#[derive(Clone, Copy)]
pub(crate) struct GetDumpRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> GetDumpRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `key` (string).
    ///
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) fn key(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::KEY, genl::Attr::str_bytes)
    }
}

/// The attributes of the `del` do request: `[key]`.
#[derive(Clone, Copy)]
pub(crate) struct DelDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> DelDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `key` (string).
    ///
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) fn key(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, entry::KEY, genl::Attr::str_bytes)
    }
}

/// Writes attribute set `entry` into a reply, a dump entry, a notification or a nest.
pub(crate) struct EntryWriter<W: genl::AttrWriter>(pub(crate) W);

impl<W: genl::AttrWriter> EntryWriter<W> {
    /// Puts `key` (string).
    ///
    /// The entry's key, 1 to 255 bytes (terminating NUL not counted).
    pub(crate) fn key(&mut self, v: &[u8]) -> Result {
        self.0.put_str(entry::KEY, v)
    }

    /// Puts `value` (binary).
    ///
    /// The entry's value, up to 65000 bytes: an entry with the longest key and
    /// value still fits one 64 KiB netlink message (a dump sends one entry per
    /// message, so readers need 64 KiB receive buffers, as YNL's are).
    pub(crate) fn value(&mut self, v: &[u8]) -> Result {
        self.0.put_bytes(entry::VALUE, v)
    }

    /// Puts `flags` (u32).
    pub(crate) fn flags(&mut self, v: u32) -> Result {
        self.0.put_u32(entry::FLAGS, v)
    }

    /// Puts `generation` (u64).
    ///
    /// The store's change counter after the operation; bumped on every change.
    pub(crate) fn generation(&mut self, v: u64) -> Result {
        self.0.put_u64(entry::GENERATION, v, entry::PAD)
    }

    /// Puts `stats` (nest).
    pub(crate) fn stats(&mut self) -> Result<StatsWriter<genl::Nest<'_>>> {
        Ok(StatsWriter(self.0.nest(entry::STATS)?))
    }

    /// Puts `mode` (u32).
    ///
    /// How a put treats an existing or a missing entry; absent means upsert.
    pub(crate) fn mode(&mut self, v: u32) -> Result {
        self.0.put_u32(entry::MODE, v)
    }
}

/// Writes attribute set `stats` into a reply, a dump entry, a notification or a nest.
pub(crate) struct StatsWriter<W: genl::AttrWriter>(pub(crate) W);

impl<W: genl::AttrWriter> StatsWriter<W> {
    /// Puts `entries` (u64).
    ///
    /// Entries in the store.
    pub(crate) fn entries(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::ENTRIES, v, stats::PAD)
    }

    /// Puts `bytes` (u64).
    ///
    /// Bytes of keys and values in the store.
    pub(crate) fn bytes(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::BYTES, v, stats::PAD)
    }

    /// Puts `max-entries` (u64).
    ///
    /// Limit on entries (module parameter max_entries).
    pub(crate) fn max_entries(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::MAX_ENTRIES, v, stats::PAD)
    }

    /// Puts `max-bytes` (u64).
    ///
    /// Limit on memory (module parameter max_bytes; see memory).
    pub(crate) fn max_bytes(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::MAX_BYTES, v, stats::PAD)
    }

    /// Puts `echo-count` (u64).
    pub(crate) fn echo_count(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::ECHO_COUNT, v, stats::PAD)
    }

    /// Puts `put-count` (u64).
    pub(crate) fn put_count(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::PUT_COUNT, v, stats::PAD)
    }

    /// Puts `get-count` (u64).
    pub(crate) fn get_count(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::GET_COUNT, v, stats::PAD)
    }

    /// Puts `del-count` (u64).
    pub(crate) fn del_count(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::DEL_COUNT, v, stats::PAD)
    }

    /// Puts `dump-count` (u64).
    ///
    /// Dumps started.
    pub(crate) fn dump_count(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::DUMP_COUNT, v, stats::PAD)
    }

    /// Puts `stats-count` (u64).
    pub(crate) fn stats_count(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::STATS_COUNT, v, stats::PAD)
    }

    /// Puts `notify-sent` (u64).
    ///
    /// Notifications multicast to at least one listener.
    pub(crate) fn notify_sent(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::NOTIFY_SENT, v, stats::PAD)
    }

    /// Puts `notify-dropped` (u64).
    ///
    /// Notifications that could not be allocated or sent.
    pub(crate) fn notify_dropped(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::NOTIFY_DROPPED, v, stats::PAD)
    }

    /// Puts `memory` (u64).
    ///
    /// Bytes of memory the entries occupy: tree nodes, keys and values, as the
    /// allocator sizes them. What max-bytes limits.
    pub(crate) fn memory(&mut self, v: u64) -> Result {
        self.0.put_u64(stats::MEMORY, v, stats::PAD)
    }
}

impl StatsWriter<genl::Nest<'_>> {
    /// Closes the nest (`nla_nest_end`).
    pub(crate) fn end(self) -> Result {
        self.0.end()
    }
}

/// The room of each message the family sends, with each attribute of its spec list once
/// (`nla_total_size`): what to pass to `Request::reply` and `Family::notification`.
pub(crate) mod size {
    #[allow(unused_imports)]
    use crate::genl::{nla_total_size, nla_total_size_64bit};

    /// `echo` do reply: `[key, value, flags, generation]`.
    pub(crate) const ECHO_DO_REPLY: usize =
        nla_total_size(256) + nla_total_size(65000) + nla_total_size(4) + nla_total_size_64bit(8);

    /// `put` do reply: `[key, value, flags, generation]`.
    pub(crate) const PUT_DO_REPLY: usize =
        nla_total_size(256) + nla_total_size(65000) + nla_total_size(4) + nla_total_size_64bit(8);

    /// `get` do reply: `[key, value, flags]`.
    pub(crate) const GET_DO_REPLY: usize =
        nla_total_size(256) + nla_total_size(65000) + nla_total_size(4);

    /// `get` dump reply: `[key, value, flags]`.
    pub(crate) const GET_DUMP_REPLY: usize =
        nla_total_size(256) + nla_total_size(65000) + nla_total_size(4);

    /// `del` do reply: `[key, generation]`.
    pub(crate) const DEL_DO_REPLY: usize = nla_total_size(256) + nla_total_size_64bit(8);

    /// `stats` do reply: `[generation, stats]`.
    pub(crate) const STATS_DO_REPLY: usize =
        nla_total_size_64bit(8)
        + nla_total_size(nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8));

    /// `new-ntf` notification (`put`'s do reply): `[key, value, flags, generation]`.
    pub(crate) const NEW_NTF: usize =
        nla_total_size(256) + nla_total_size(65000) + nla_total_size(4) + nla_total_size_64bit(8);

    /// `del-ntf` notification (`del`'s do reply): `[key, generation]`.
    pub(crate) const DEL_NTF: usize = nla_total_size(256) + nla_total_size_64bit(8);

    /// One `stats` nest with each attribute of its set once.
    pub(crate) const STATS_NEST: usize =
        nla_total_size(nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8) + nla_total_size_64bit(8));
}

/// Notifies `notify` in `net` with a `new-ntf` that `fill` writes, if anyone listens
/// (best effort, see `Family::notify_listeners`): call it under the lock that orders
/// the changes.
pub(crate) fn notify_new_ntf(
    net: genl::Net<'_>,
    fill: impl FnOnce(&mut genl::Message) -> Result,
) {
    FAMILY.notify_listeners(net, group::NOTIFY, cmd::NEW_NTF, size::NEW_NTF, fill)
}

/// Notifies `notify` in `net` with a `del-ntf` that `fill` writes, if anyone listens
/// (best effort, see `Family::notify_listeners`): call it under the lock that orders
/// the changes.
pub(crate) fn notify_del_ntf(
    net: genl::Net<'_>,
    fill: impl FnOnce(&mut genl::Message) -> Result,
) {
    FAMILY.notify_listeners(net, group::NOTIFY, cmd::DEL_NTF, size::DEL_NTF, fill)
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
