// SPDX-License-Identifier: GPL-2.0
// Generated from specs/counters.yaml by genlkit-codegen; do not edit.

//! The `counters` family's numbers, policies, handler trait, split-ops table and family.

#![allow(dead_code)]

use kernel::prelude::*;

use crate::genl;
use crate::genl::{
    AttrPolicy, DoIt, DumpIt, DumpWriter, Family, FamilyState, MulticastGroup, PerNetState, Perm,
    Policy, Request, SockPrivFamily, SplitOp, StrMinLen,
};
use crate::{CountersNlSock, State};

/// The family name, NUL-terminated.
pub(crate) const FAMILY_NAME: &[u8] = b"counters\0";
/// The family version.
pub(crate) const FAMILY_VERSION: u32 = 1;

/// Commands (`operations`).
pub(crate) mod cmd {
    /// Add delta to a counter, creating it at 0 first if needed.
    pub(crate) const ADD: u8 = 1;
    /// Get one counter, or dump all of them in name order.
    pub(crate) const GET: u8 = 2;
    /// A counter changed.
    pub(crate) const CHANGED_NTF: u8 = 3;
    /// Add to up to 64 counters at once, all or none: one `item` per add,
    /// with a name and a delta (default 1), applied in order. The reply
    /// has one `item` per add with the counter's name and new value.
    pub(crate) const ADD_BATCH: u8 = 4;
    /// The highest command.
    pub(crate) const MAX: u8 = 4;
}

/// Attribute set `counter`.
pub(crate) mod counter {
    /// The counter's name, 1 to 63 bytes.
    pub(crate) const NAME: u16 = 1;
    /// The counter's value.
    pub(crate) const VALUE: u16 = 2;
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub(crate) const DELTA: u16 = 3;
    pub(crate) const PAD: u16 = 4;
    /// How many adds the socket that sent this one has made, this one
    /// included: each socket's own count, kept while the socket is open.
    pub(crate) const SOCK_ADDS: u16 = 5;
    /// One counter of `add-batch`: its name and delta in the request, its
    /// name and new value in the reply.
    pub(crate) const ITEM: u16 = 6;
    /// The highest attribute.
    pub(crate) const MAX: u16 = 6;
    /// `name` check `min-len`.
    pub(crate) const NAME_MIN_LEN: usize = 1;
    /// `name` check `max-len`.
    pub(crate) const NAME_MAX_LEN: usize = 63;
}

/// Attribute set `item`, a subset of `counter`.
pub(crate) mod item {
    pub(crate) const NAME: u16 = 1;
    pub(crate) const VALUE: u16 = 2;
    pub(crate) const DELTA: u16 = 3;
    pub(crate) const PAD: u16 = 4;
    /// The highest attribute.
    pub(crate) const MAX: u16 = 4;
    /// `name` check `min-len`.
    pub(crate) const NAME_MIN_LEN: usize = 1;
    /// `name` check `max-len`.
    pub(crate) const NAME_MAX_LEN: usize = 63;
}

/// The attributes of the `add` do request: `[name, delta]`.
#[derive(Clone, Copy)]
pub(crate) struct AddDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> AddDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `name` (string).
    ///
    /// The counter's name, 1 to 63 bytes.
    pub(crate) fn name(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, counter::NAME, genl::Attr::str_bytes)
    }

    /// `delta` (u64).
    ///
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub(crate) fn delta(&self) -> genl::Field<'a, u64> {
        genl::Field::new(self.0, counter::DELTA, genl::Attr::u64)
    }
}

/// The attributes of the `get` do request: `[name]`.
#[derive(Clone, Copy)]
pub(crate) struct GetDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> GetDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `name` (string).
    ///
    /// The counter's name, 1 to 63 bytes.
    pub(crate) fn name(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, counter::NAME, genl::Attr::str_bytes)
    }
}

/// The attributes of the `add-batch` do request: `[item]`.
#[derive(Clone, Copy)]
pub(crate) struct AddBatchDoRequest<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> AddBatchDoRequest<'a> {
    /// The attributes of `req`.
    pub(crate) fn new(req: &Request<'a>) -> Self {
        Self(req.attrs())
    }

    /// `item` (nest). Repeated (`multi-attr`): read with `all`.
    ///
    /// One counter of `add-batch`: its name and delta in the request, its
    /// name and new value in the reply.
    pub(crate) fn item(&self) -> genl::Field<'a, ItemAttrs<'a>> {
        genl::Field::new(self.0, counter::ITEM, |a| Ok(ItemAttrs(a.nested())))
    }
}

/// The attributes of a `item` nest in a request.
#[derive(Clone, Copy)]
pub(crate) struct ItemAttrs<'a>(pub(crate) genl::Attrs<'a>);

impl<'a> ItemAttrs<'a> {
    /// `name` (string).
    ///
    /// The counter's name, 1 to 63 bytes.
    pub(crate) fn name(&self) -> genl::Field<'a, &'a [u8]> {
        genl::Field::new(self.0, item::NAME, genl::Attr::str_bytes)
    }

    /// `value` (u64).
    ///
    /// The counter's value.
    pub(crate) fn value(&self) -> genl::Field<'a, u64> {
        genl::Field::new(self.0, item::VALUE, genl::Attr::u64)
    }

    /// `delta` (u64).
    ///
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub(crate) fn delta(&self) -> genl::Field<'a, u64> {
        genl::Field::new(self.0, item::DELTA, genl::Attr::u64)
    }
}

/// Writes attribute set `counter` into a reply, a dump entry, a notification or a nest.
pub(crate) struct CounterWriter<W: genl::AttrWriter>(pub(crate) W);

impl<W: genl::AttrWriter> CounterWriter<W> {
    /// Puts `name` (string).
    ///
    /// The counter's name, 1 to 63 bytes.
    pub(crate) fn name(&mut self, v: &[u8]) -> Result {
        self.0.put_str(counter::NAME, v)
    }

    /// Puts `value` (u64).
    ///
    /// The counter's value.
    pub(crate) fn value(&mut self, v: u64) -> Result {
        self.0.put_u64(counter::VALUE, v, counter::PAD)
    }

    /// Puts `delta` (u64).
    ///
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub(crate) fn delta(&mut self, v: u64) -> Result {
        self.0.put_u64(counter::DELTA, v, counter::PAD)
    }

    /// Puts `sock-adds` (u64).
    ///
    /// How many adds the socket that sent this one has made, this one
    /// included: each socket's own count, kept while the socket is open.
    pub(crate) fn sock_adds(&mut self, v: u64) -> Result {
        self.0.put_u64(counter::SOCK_ADDS, v, counter::PAD)
    }

    /// Puts `item` (nest).
    ///
    /// One counter of `add-batch`: its name and delta in the request, its
    /// name and new value in the reply.
    pub(crate) fn item(&mut self) -> Result<ItemWriter<genl::Nest<'_>>> {
        Ok(ItemWriter(self.0.nest(counter::ITEM)?))
    }
}

/// Writes attribute set `item` into a reply, a dump entry, a notification or a nest.
pub(crate) struct ItemWriter<W: genl::AttrWriter>(pub(crate) W);

impl<W: genl::AttrWriter> ItemWriter<W> {
    /// Puts `name` (string).
    ///
    /// The counter's name, 1 to 63 bytes.
    pub(crate) fn name(&mut self, v: &[u8]) -> Result {
        self.0.put_str(item::NAME, v)
    }

    /// Puts `value` (u64).
    ///
    /// The counter's value.
    pub(crate) fn value(&mut self, v: u64) -> Result {
        self.0.put_u64(item::VALUE, v, item::PAD)
    }

    /// Puts `delta` (u64).
    ///
    /// What `add` adds (default 1); the value wraps around at 2^64.
    pub(crate) fn delta(&mut self, v: u64) -> Result {
        self.0.put_u64(item::DELTA, v, item::PAD)
    }
}

impl ItemWriter<genl::Nest<'_>> {
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

    /// `add` do reply: `[name, value, sock-adds]`.
    pub(crate) const ADD_DO_REPLY: usize =
        nla_total_size(64) + nla_total_size_64bit(8) + nla_total_size_64bit(8);

    /// `get` do reply: `[name, value]`.
    pub(crate) const GET_DO_REPLY: usize = nla_total_size(64) + nla_total_size_64bit(8);

    /// `get` dump reply: `[name, value]`.
    pub(crate) const GET_DUMP_REPLY: usize = nla_total_size(64) + nla_total_size_64bit(8);

    /// `changed-ntf` notification (`add`'s do reply): `[name, value, sock-adds]`.
    pub(crate) const CHANGED_NTF: usize =
        nla_total_size(64) + nla_total_size_64bit(8) + nla_total_size_64bit(8);

    // `add-batch` do reply: no size, the spec does not bound it: `item` is repeated (`multi-attr`).

    /// One `item` nest with each attribute of its set once.
    pub(crate) const ITEM_NEST: usize =
        nla_total_size(nla_total_size(64) + nla_total_size_64bit(8) + nla_total_size_64bit(8));
}

/// Notifies `events` in `net` with a `changed-ntf` that `fill` writes, if anyone listens
/// (best effort, see `Family::notify_listeners`): call it under the lock that orders
/// the changes.
pub(crate) fn notify_changed_ntf(
    net: genl::Net<'_>,
    fill: impl FnOnce(&mut genl::Message) -> Result,
) {
    FAMILY.notify_listeners(net, group::EVENTS, cmd::CHANGED_NTF, size::CHANGED_NTF, fill)
}

/// Multicast groups, as indices into [`MCGRPS`].
pub(crate) mod group {
    pub(crate) const EVENTS: u32 = 0;
}

/// Multicast groups (`mcast-groups`).
pub(crate) static MCGRPS: [MulticastGroup; 1] = [
    MulticastGroup::const_new(c"events"),
];

/// `name` check `min-len` (1): its policy rejects a shorter string with EINVAL.
pub(crate) struct ItemNameMinLen;

impl StrMinLen for ItemNameMinLen {
    const MIN: usize = 1;
    const MSG: &'static core::ffi::CStr = c"name must not be empty";
}

/// `name` check `min-len` (1): its policy rejects a shorter string with EINVAL.
pub(crate) struct CounterNameMinLen;

impl StrMinLen for CounterNameMinLen {
    const MIN: usize = 1;
    const MSG: &'static core::ffi::CStr = c"name must not be empty";
}

/// Nest `item`.
pub(crate) static ITEM_NEST_POLICY: Policy<5> = Policy::new(&[
    (item::NAME, AttrPolicy::nul_string(63).min_str_len::<ItemNameMinLen>()),
    (item::VALUE, AttrPolicy::u64()),
    (item::DELTA, AttrPolicy::u64()),
]);

/// `add` do request: `[name, delta]`.
pub(crate) static ADD_DO_POLICY: Policy<4> = Policy::new(&[
    (counter::NAME, AttrPolicy::nul_string(63).min_str_len::<CounterNameMinLen>()),
    (counter::DELTA, AttrPolicy::u64()),
]);

/// `get` do request: `[name]`.
pub(crate) static GET_DO_POLICY: Policy<2> = Policy::new(&[
    (counter::NAME, AttrPolicy::nul_string(63).min_str_len::<CounterNameMinLen>()),
]);

/// `get` dump request: `[]`.
pub(crate) static GET_DUMP_POLICY: Policy<1> = Policy::new(&[]);

/// `add-batch` do request: `[item]`.
pub(crate) static ADD_BATCH_DO_POLICY: Policy<7> = Policy::new(&[
    (counter::ITEM, AttrPolicy::nested(&ITEM_NEST_POLICY)),
]);

/// The `counters` family's operations, served by the state of the request's namespace:
/// implement this on the type the crate root names `State`, which also implements
/// [`PerNetState`].
///
/// The sender's socket has a `CountersNlSock` (`sock-priv`), the crate root's `genl::SockPriv`:
/// `req.sock_priv::<State>()` creates it on first use, the socket's close drops it.
pub(crate) trait CountersOps: PerNetState {
    /// `add` do.
    ///
    /// Add delta to a counter, creating it at 0 first if needed.
    fn add_do(&self, req: &Request<'_>) -> Result;
    /// `get` do.
    ///
    /// Get one counter, or dump all of them in name order.
    fn get_do(&self, req: &Request<'_>) -> Result;
    /// Where a `get` dump stands between rounds.
    type GetDumpCursor: Send;
    /// `min_dump_alloc` of a `get` dump: room for its largest entry.
    const GET_DUMP_MIN_ALLOC: u32 = 0;
    /// Starts a `get` dump.
    fn get_dump_start(&self, req: &Request<'_>) -> Result<Self::GetDumpCursor>;
    /// `get` dump.
    ///
    /// Get one counter, or dump all of them in name order.
    /// Moves `cursor` past each entry kept; `EMSGSIZE` from `out` is passed on.
    fn get_dump(
        &self,
        req: &Request<'_>,
        cursor: &mut Self::GetDumpCursor,
        out: &mut DumpWriter<'_>,
    ) -> Result;
    /// `add-batch` do.
    ///
    /// Add to up to 64 counters at once, all or none: one `item` per add,
    /// with a name and a delta (default 1), applied in order. The reply
    /// has one `item` per add with the counter's name and new value.
    fn add_batch_do(&self, req: &Request<'_>) -> Result;
}

/// The `add` do.
struct AddDo;

impl DoIt for AddDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.add_do(req)
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
    type Cursor = <State as CountersOps>::GetDumpCursor;
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

/// The `add-batch` do.
struct AddBatchDo;

impl DoIt for AddBatchDo {
    type State = State;
    fn doit(state: &State, req: &Request<'_>) -> Result {
        state.add_batch_do(req)
    }
}

/// The split-ops table (`genl_split_ops`), sorted by command, do before dump.
pub(crate) static OPS: [SplitOp<State>; 4] = [
    SplitOp::doit::<AddDo, 4>(cmd::ADD, &ADD_DO_POLICY, Perm::NetnsAdmin),
    SplitOp::doit::<GetDo, 2>(cmd::GET, &GET_DO_POLICY, Perm::Anyone),
    SplitOp::dumpit::<GetDump, 1>(cmd::GET, &GET_DUMP_POLICY, Perm::Anyone),
    SplitOp::doit::<AddBatchDo, 7>(cmd::ADD_BATCH, &ADD_BATCH_DO_POLICY, Perm::NetnsAdmin),
];

/// The `counters` family (`genl_family`): registered, with every namespace's [`State`], by
/// the module, `genl::FamilyModule<State>`.
/// Each socket using it has a [`CountersNlSock`] (`sock-priv`).
pub(crate) static FAMILY: Family<State> = Family::const_new_sock_priv(
    kernel::module::this_module::<crate::LocalModule>(),
    FAMILY_NAME,
    FAMILY_VERSION,
    &OPS,
    &MCGRPS,
);

impl FamilyState for State {
    const FAMILY: &'static Family<Self> = &FAMILY;
}

impl SockPrivFamily for State {
    type SockPriv = CountersNlSock;
}
