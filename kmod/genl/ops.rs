// SPDX-License-Identifier: GPL-2.0

//! Operations: the split-ops table, the do handler trait and the request it receives.

use core::ffi::c_int;
use kernel::{bindings, prelude::*};

use super::{
    attrs::{Attrs, ExtAck},
    dump::{self, DumpIt},
    family::Family,
    msg::Message,
    net::Net,
    policy::Policy,
};

/// Who may run an operation; the core checks it before the handler runs and answers `EPERM`.
#[derive(Clone, Copy)]
pub enum Perm {
    /// Anyone.
    Anyone,
    /// `CAP_NET_ADMIN` in the initial user namespace (`GENL_ADMIN_PERM`).
    Admin,
    /// `CAP_NET_ADMIN` in the user namespace owning the request's network namespace
    /// (`GENL_UNS_ADMIN_PERM`).
    NetnsAdmin,
}

impl Perm {
    const fn bits(self) -> u8 {
        match self {
            Perm::Anyone => 0,
            Perm::Admin => bindings::GENL_ADMIN_PERM as u8,
            Perm::NetnsAdmin => bindings::GENL_UNS_ADMIN_PERM as u8,
        }
    }
}

/// `nlmsg_flags` of a request.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MsgFlags(pub u16);

impl MsgFlags {
    /// No flags beyond what every request may carry.
    pub const NONE: Self = Self(0);
    /// `NLM_F_REPLACE`: replace an existing object.
    pub const REPLACE: Self = Self(bindings::NLM_F_REPLACE as u16);
    /// `NLM_F_EXCL`: fail if the object exists.
    pub const EXCL: Self = Self(bindings::NLM_F_EXCL as u16);
    /// `NLM_F_CREATE`: create the object if it does not exist.
    pub const CREATE: Self = Self(bindings::NLM_F_CREATE as u16);
    /// Flags every request may carry (the set the core allows for new families).
    const ALWAYS: u16 =
        (bindings::NLM_F_REQUEST | bindings::NLM_F_ACK | bindings::NLM_F_ECHO) as u16;

    /// Whether all flags of `other` are set.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The union of two flag sets.
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// A do handler: serves one request, replying through [`Request::reply`].
pub trait DoIt {
    /// `nlmsg_flags` this operation understands beyond `NLM_F_REQUEST | NLM_F_ACK | NLM_F_ECHO`;
    /// a request carrying any other flag is rejected with `EINVAL`.
    const ACCEPT_FLAGS: MsgFlags = MsgFlags::NONE;

    /// Serves `req`. An error is returned to the sender, with the extack message the handler
    /// set through [`Request::reject`] or [`Attr::reject`](super::Attr::reject).
    fn doit(req: &Request<'_>) -> Result;
}

/// One entry of a family's split-ops table: a `struct genl_split_ops`.
#[repr(transparent)]
pub struct SplitOp(bindings::genl_split_ops);

// SAFETY: an op is immutable after const construction; its pointers are to `'static` policies
// and to functions.
unsafe impl Sync for SplitOp {}

impl SplitOp {
    const fn new<const N: usize>(cmd: u8, policy: &'static Policy<N>, flags: u8) -> Self {
        let mut op: bindings::genl_split_ops = pin_init::zeroed();
        op.cmd = cmd;
        op.policy = policy.as_ptr();
        op.maxattr = policy.maxattr();
        op.flags = flags;
        Self(op)
    }

    /// The do entry of command `cmd`, served by `H`, with requests validated against `policy`.
    pub const fn doit<H: DoIt, const N: usize>(
        cmd: u8,
        policy: &'static Policy<N>,
        perm: Perm,
    ) -> Self {
        let mut op = Self::new(cmd, policy, perm.bits() | bindings::GENL_CMD_CAP_DO as u8);
        op.0.__bindgen_anon_1.__bindgen_anon_1.doit = Some(doit_callback::<H>);
        op
    }

    /// The dump entry of command `cmd`, served by `H`, with requests validated against `policy`.
    pub const fn dumpit<H: DumpIt, const N: usize>(
        cmd: u8,
        policy: &'static Policy<N>,
        perm: Perm,
    ) -> Self {
        let mut op = Self::new(cmd, policy, perm.bits() | bindings::GENL_CMD_CAP_DUMP as u8);
        op.0.__bindgen_anon_1.__bindgen_anon_2 = dump::callbacks::<H>();
        op
    }

    pub(crate) const fn cmd(&self) -> u8 {
        self.0.cmd
    }

    /// The op's flags but `GENL_CMD_CAP_DO`/`GENL_CMD_CAP_DUMP`: its permission.
    pub(crate) const fn perm_bits(&self) -> u8 {
        self.0.flags & !((bindings::GENL_CMD_CAP_DO | bindings::GENL_CMD_CAP_DUMP) as u8)
    }

    pub(crate) const fn is_do(&self) -> bool {
        self.0.flags & bindings::GENL_CMD_CAP_DO as u8 != 0
    }
}

/// A request being served: its attributes, namespace, header and extack.
///
/// # Invariants
///
/// `info` points to the core's `genl_info` for this request, valid for `'a`, of a family that is
/// a `'static` [`Family`].
pub struct Request<'a> {
    info: &'a bindings::genl_info,
    maxattr: u32,
}

impl<'a> Request<'a> {
    /// # Safety
    ///
    /// `info` must be the `genl_info` of a request to one of our [`Family`]s, valid and not used
    /// by other threads for `'a`, parsed with a policy of `maxattr`.
    pub(crate) unsafe fn from_raw(info: *const bindings::genl_info, maxattr: u32) -> Self {
        // INVARIANT: guaranteed by the caller.
        // SAFETY: valid for `'a`, as the caller guarantees.
        Self {
            info: unsafe { &*info },
            maxattr,
        }
    }

    pub(crate) fn family(&self) -> &'static Family {
        // SAFETY: the family of our ops is a `'static` `Family` (type invariant), which is a
        // transparent wrapper of `genl_family`.
        unsafe { &*self.info.family.cast::<Family>() }
    }

    pub(crate) fn extack(&self) -> ExtAck<'a> {
        // SAFETY: the request's extack is null or valid for `'a` and used by this thread only.
        unsafe { ExtAck::from_raw(self.info.extack) }
    }

    /// The request's attributes, validated against the operation's policy.
    pub fn attrs(&self) -> Attrs<'a> {
        // SAFETY: the core parsed the attributes into `attrs`, `maxattr + 1` entries of the
        // operation's policy (or null when it has no policy), valid while the request is served.
        unsafe { Attrs::from_raw(self.info.attrs, self.maxattr, self.extack()) }
    }

    /// The network namespace the request came from.
    pub fn net(&self) -> Net<'a> {
        // SAFETY: the request's socket holds a reference on its namespace while it is served.
        unsafe { Net::from_raw(self.info._net.net) }
    }

    /// The command.
    pub fn cmd(&self) -> u8 {
        // SAFETY: `genlhdr` points into the request, valid for `'a`.
        unsafe { (*self.info.genlhdr).cmd }
    }

    /// The request's `nlmsg_flags`.
    pub fn flags(&self) -> MsgFlags {
        // SAFETY: `nlhdr` points to the request's header, valid for `'a`.
        MsgFlags(unsafe { (*self.info.nlhdr).nlmsg_flags })
    }

    /// Rejects the request with `err` and `msg` reported through extack.
    pub fn reject(&self, err: Error, msg: &'static CStr) -> Error {
        self.extack().set(msg, core::ptr::null());
        err
    }

    /// Checks what the core skips for commands below the family's `resv_start_op`: the reserved
    /// header byte, and flags the operation does not understand.
    fn check_header(&self, accept: MsgFlags) -> Result {
        // SAFETY: `genlhdr` points into the request, valid for `'a`.
        if unsafe { (*self.info.genlhdr).reserved } != 0 {
            return Err(self.reject(EINVAL, c"genlmsghdr.reserved field is not 0"));
        }
        let mut flags = self.flags().0;
        let dump = bindings::NLM_F_DUMP as u16;
        if flags & dump == dump {
            flags &= !dump;
        }
        if flags & !(MsgFlags::ALWAYS | accept.0) != 0 {
            return Err(self.reject(EINVAL, c"ambiguous or reserved bits set in nlmsg_flags"));
        }
        Ok(())
    }

    /// Starts the reply: same command, addressed to the sender.
    pub fn reply(&self, payload: usize) -> Result<Message> {
        Message::new(
            self.family(),
            self.info.snd_portid,
            self.info.snd_seq,
            self.cmd(),
            0,
            payload,
        )
    }

    /// Sends `msg` to the sender, in the request's namespace (`genlmsg_reply`).
    pub fn send_reply(&self, msg: Message) -> Result {
        msg.unicast(self.net(), self.info.snd_portid)
    }
}

/// The `doit` callback of an op served by `H`.
///
/// # Safety
///
/// Called by the genetlink core only, with the `genl_info` of a request to a [`Family`].
unsafe extern "C" fn doit_callback<H: DoIt>(
    _skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> c_int {
    // SAFETY: the core passes the request's `genl_info`, valid until we return; its family is
    // one of ours, whose ops table is a `'static` slice of `SplitOp`s.
    let req = unsafe {
        let family = (*info).family;
        let ops = core::slice::from_raw_parts(
            (*family).split_ops.cast::<SplitOp>(),
            (*family).n_split_ops.into(),
        );
        let cmd = (*(*info).genlhdr).cmd;
        let maxattr = ops
            .iter()
            .find(|op| op.cmd() == cmd && op.is_do())
            .map_or(0, |op| op.0.maxattr);
        Request::from_raw(info, maxattr)
    };
    match req
        .check_header(H::ACCEPT_FLAGS)
        .and_then(|()| H::doit(&req))
    {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// Checks a dump request's header (see [`Request::check_header`]); dumps accept no extra flags.
pub(crate) fn check_dump_header(req: &Request<'_>) -> Result {
    req.check_header(MsgFlags::NONE)
}
