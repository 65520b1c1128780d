// SPDX-License-Identifier: GPL-2.0
// Generated from specs/counters.yaml by genlkit-codegen; do not edit.

//! The `counters` family's numbers, policies, split-ops table and handler trait.

#![allow(dead_code)]

use core::marker::PhantomData;
use kernel::prelude::*;

use crate::genl::{
    AttrPolicy, DoIt, DumpIt, DumpProgress, DumpWriter, MsgFlags, MulticastGroup, Perm, Policy,
    Request, SplitOp,
};

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
    /// The highest attribute.
    pub(crate) const MAX: u16 = 4;
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

/// `add` do request: `[name, delta]`.
pub(crate) static ADD_DO_POLICY: Policy<4> = Policy::new(&[
    (counter::NAME, AttrPolicy::nul_string(63)),
    (counter::DELTA, AttrPolicy::u64()),
]);

/// `get` do request: `[name]`.
pub(crate) static GET_DO_POLICY: Policy<2> = Policy::new(&[
    (counter::NAME, AttrPolicy::nul_string(63)),
]);

/// `get` dump request: `[]`.
pub(crate) static GET_DUMP_POLICY: Policy<1> = Policy::new(&[]);

/// The `counters` family's operations: implement this, and register
/// [`split_ops`] for the implementing type.
pub(crate) trait CountersOps: 'static {
    /// `nlmsg_flags` the `add` do accepts beyond REQUEST, ACK and ECHO.
    const ADD_DO_ACCEPT_FLAGS: MsgFlags = MsgFlags::NONE;
    /// `add` do.
    ///
    /// Add delta to a counter, creating it at 0 first if needed.
    fn add_do(req: &Request<'_>) -> Result;
    /// `nlmsg_flags` the `get` do accepts beyond REQUEST, ACK and ECHO.
    const GET_DO_ACCEPT_FLAGS: MsgFlags = MsgFlags::NONE;
    /// `get` do.
    ///
    /// Get one counter, or dump all of them in name order.
    fn get_do(req: &Request<'_>) -> Result;
    /// Where a `get` dump stands between rounds.
    type GetDumpCursor: Send;
    /// `min_dump_alloc` of a `get` dump: room for its largest entry.
    const GET_DUMP_MIN_ALLOC: u32 = 0;
    /// Starts a `get` dump.
    fn get_dump_start(req: &Request<'_>) -> Result<Self::GetDumpCursor>;
    /// `get` dump.
    ///
    /// Get one counter, or dump all of them in name order.
    fn get_dump(
        req: &Request<'_>,
        cursor: &mut Self::GetDumpCursor,
        out: &mut DumpWriter<'_>,
    ) -> Result<DumpProgress>;
}

/// The `add` do, served by `H`.
pub(crate) struct AddDo<H>(PhantomData<fn() -> H>);

impl<H: CountersOps> DoIt for AddDo<H> {
    const ACCEPT_FLAGS: MsgFlags = H::ADD_DO_ACCEPT_FLAGS;
    fn doit(req: &Request<'_>) -> Result {
        H::add_do(req)
    }
}

/// The `get` do, served by `H`.
pub(crate) struct GetDo<H>(PhantomData<fn() -> H>);

impl<H: CountersOps> DoIt for GetDo<H> {
    const ACCEPT_FLAGS: MsgFlags = H::GET_DO_ACCEPT_FLAGS;
    fn doit(req: &Request<'_>) -> Result {
        H::get_do(req)
    }
}

/// The `get` dump, served by `H`.
pub(crate) struct GetDump<H>(PhantomData<fn() -> H>);

impl<H: CountersOps> DumpIt for GetDump<H> {
    type Cursor = H::GetDumpCursor;
    const MIN_DUMP_ALLOC: u32 = H::GET_DUMP_MIN_ALLOC;
    fn start(req: &Request<'_>) -> Result<Self::Cursor> {
        H::get_dump_start(req)
    }
    fn dumpit(
        req: &Request<'_>,
        cursor: &mut Self::Cursor,
        out: &mut DumpWriter<'_>,
    ) -> Result<DumpProgress> {
        H::get_dump(req, cursor, out)
    }
}

/// Number of entries in [`split_ops`].
pub(crate) const N_SPLIT_OPS: usize = 3;

/// The split-ops table for handlers `H`, sorted by command, do before dump.
pub(crate) const fn split_ops<H: CountersOps>() -> [SplitOp; N_SPLIT_OPS] {
    [
        SplitOp::doit::<AddDo<H>, 4>(cmd::ADD, &ADD_DO_POLICY, Perm::NetnsAdmin),
        SplitOp::doit::<GetDo<H>, 2>(cmd::GET, &GET_DO_POLICY, Perm::Anyone),
        SplitOp::dumpit::<GetDump<H>, 1>(cmd::GET, &GET_DUMP_POLICY, Perm::Anyone),
    ]
}
