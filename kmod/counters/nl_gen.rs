// SPDX-License-Identifier: GPL-2.0
// Generated from specs/counters.yaml by genlkit-codegen; do not edit.

//! The `counters` family's numbers, policies, handler trait, split-ops table and family.

#![allow(dead_code)]

use kernel::prelude::*;

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
    /// The highest command.
    pub(crate) const MAX: u8 = 3;
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
    /// The highest attribute.
    pub(crate) const MAX: u16 = 5;
    /// `name` check `min-len`.
    pub(crate) const NAME_MIN_LEN: usize = 1;
    /// `name` check `max-len`.
    pub(crate) const NAME_MAX_LEN: usize = 63;
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
pub(crate) struct CounterNameMinLen;

impl StrMinLen for CounterNameMinLen {
    const MIN: usize = 1;
    const MSG: &'static core::ffi::CStr = c"name must not be empty";
}

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

/// The split-ops table (`genl_split_ops`), sorted by command, do before dump.
pub(crate) static OPS: [SplitOp<State>; 3] = [
    SplitOp::doit::<AddDo, 4>(cmd::ADD, &ADD_DO_POLICY, Perm::NetnsAdmin),
    SplitOp::doit::<GetDo, 2>(cmd::GET, &GET_DO_POLICY, Perm::Anyone),
    SplitOp::dumpit::<GetDump, 1>(cmd::GET, &GET_DUMP_POLICY, Perm::Anyone),
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
