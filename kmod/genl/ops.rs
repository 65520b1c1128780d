// SPDX-License-Identifier: GPL-2.0

//! Operations: the split-ops table, the do handler trait and the request it receives.

use core::{ffi::c_int, marker::PhantomData};
use kernel::{bindings, error::from_result, prelude::*};

use super::{
    attrs::{Attrs, ExtAck},
    dump::{self, DumpIt},
    family::{FamilyState, SockPrivFamily},
    inlines,
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
            // CAST: the `GENL_*` flags fit the `u8` `flags` of `genl_split_ops`.
            Perm::Admin => bindings::GENL_ADMIN_PERM as u8,
            // CAST: as above.
            Perm::NetnsAdmin => bindings::GENL_UNS_ADMIN_PERM as u8,
        }
    }
}

/// What the core leaves unvalidated in the requests of an op (`enum genl_validate_flags`), for
/// commands of families older than strict validation; the family then checks the nlmsg flags
/// and reserved byte of the commands after them only (`resv_start_op`, see
/// [`Family::const_new`](super::Family::const_new)).
#[derive(Clone, Copy)]
pub struct DontValidate(u8);

impl DontValidate {
    /// A do's attributes are validated liberally: unknown types and trailing bytes pass
    /// (`GENL_DONT_VALIDATE_STRICT`).
    // CAST: the `GENL_DONT_VALIDATE_*` flags fit the `u8` `validate` of `genl_split_ops`.
    pub const STRICT: Self = Self(bindings::genl_validate_flags_GENL_DONT_VALIDATE_STRICT as u8);
    /// A dump's attributes are not parsed (`GENL_DONT_VALIDATE_DUMP`): the dump gets no policy,
    /// as the core gives a legacy op's dump (see [`SplitOp::dont_validate`]).
    // CAST: as above.
    pub const DUMP: Self = Self(bindings::genl_validate_flags_GENL_DONT_VALIDATE_DUMP as u8);
    /// A dump's attributes are validated liberally (`GENL_DONT_VALIDATE_DUMP_STRICT`).
    // CAST: as above.
    pub const DUMP_STRICT: Self =
        Self(bindings::genl_validate_flags_GENL_DONT_VALIDATE_DUMP_STRICT as u8);

    /// Both `self` and `other`.
    pub const fn and(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// A do handler: serves one request with the state of the request's namespace, replying
/// through [`Request::reply`].
pub trait DoIt {
    /// The per-namespace state the family's operations are served by.
    type State: FamilyState;

    /// Serves `req`. An error is returned to the sender, with the extack message the handler
    /// set through [`Request::reject`] or [`Attr::reject`](super::Attr::reject).
    fn doit(state: &Self::State, req: &Request<'_>) -> Result;
}

/// One entry of the split-ops table of a family served by `S`: a `struct genl_split_ops`.
#[repr(transparent)]
pub struct SplitOp<S> {
    op: bindings::genl_split_ops,
    _state: PhantomData<fn(&S)>,
}

// SAFETY: an op is immutable after const construction; its pointers are to `'static` policies
// and to functions.
unsafe impl<S> Sync for SplitOp<S> {}

impl<S: FamilyState> SplitOp<S> {
    const fn new<const N: usize>(cmd: u8, policy: &'static Policy<N>, flags: u8) -> Self {
        let mut op: bindings::genl_split_ops = pin_init::zeroed();
        op.cmd = cmd;
        op.policy = policy.as_ptr();
        op.maxattr = policy.maxattr();
        op.flags = flags;
        Self {
            op,
            _state: PhantomData,
        }
    }

    /// The do entry of command `cmd`, served by `H`, with requests validated against `policy`.
    pub const fn doit<H: DoIt<State = S>, const N: usize>(
        cmd: u8,
        policy: &'static Policy<N>,
        perm: Perm,
    ) -> Self {
        // CAST: `GENL_CMD_CAP_DO` fits the `u8` flags.
        let mut op = Self::new(cmd, policy, perm.bits() | bindings::GENL_CMD_CAP_DO as u8);
        op.op.__bindgen_anon_1.__bindgen_anon_1.doit = Some(doit_callback::<H, N>);
        op
    }

    /// The dump entry of command `cmd`, served by `H`, with requests validated against `policy`.
    pub const fn dumpit<H: DumpIt<State = S>, const N: usize>(
        cmd: u8,
        policy: &'static Policy<N>,
        perm: Perm,
    ) -> Self {
        // CAST: `GENL_CMD_CAP_DUMP` fits the `u8` flags.
        let mut op = Self::new(cmd, policy, perm.bits() | bindings::GENL_CMD_CAP_DUMP as u8);
        op.op.__bindgen_anon_1.__bindgen_anon_2 = dump::callbacks::<H>();
        op
    }

    /// Leaves `what` of its requests unvalidated (`.validate`). Panics (at build time) on
    /// [`DontValidate::DUMP`] or [`DontValidate::DUMP_STRICT`] for a do, and on
    /// [`DontValidate::STRICT`] for a dump: the core reads only its own mode's flags.
    ///
    /// A dump left unvalidated ([`DontValidate::DUMP`]) loses its policy: the core makes a
    /// legacy op's dump so (`genl_cmd_full_to_split` in `net/netlink/genetlink.c`: `policy =
    /// NULL`, `maxattr = 0` under `GENL_DONT_VALIDATE_DUMP`), and the split op mirrors it. The
    /// core then gives the split op its reject-all policy (`genl_op_fill_in_reject_policy_split`),
    /// which accepts no attribute (or, with [`DontValidate::DUMP_STRICT`], ignores them all),
    /// and the controller reports that one. Its handlers see no attribute: the request's
    /// attribute table is null and its maxattr 0, so [`Attrs::get`](super::Attrs::get) finds none.
    pub const fn dont_validate(mut self, what: DontValidate) -> Self {
        let dump_bits = DontValidate::DUMP.0 | DontValidate::DUMP_STRICT.0;
        if self.is_do() && what.0 & dump_bits != 0 {
            panic!("genl: a do op with a dump's dont-validate flag");
        }
        if !self.is_do() && what.0 & DontValidate::STRICT.0 != 0 {
            panic!("genl: a dump op with a do's dont-validate flag");
        }
        if !self.is_do() && what.0 & DontValidate::DUMP.0 != 0 {
            // `genl_cmd_full_to_split`: `op->policy = NULL; op->maxattr = 0;`.
            self.op.policy = core::ptr::null();
            self.op.maxattr = 0;
        }
        self.op.validate = what.0;
        self
    }

    /// Its policy (null for none) and maxattr, as the core reads them.
    pub(super) const fn policy_raw(&self) -> (*const bindings::nla_policy, u32) {
        (self.op.policy, self.op.maxattr)
    }

    /// Its `GENL_DONT_VALIDATE_*` flags.
    pub(super) const fn validate_bits(&self) -> u8 {
        self.op.validate
    }

    pub(super) const fn cmd(&self) -> u8 {
        self.op.cmd
    }

    /// The op's flags but `GENL_CMD_CAP_DO`/`GENL_CMD_CAP_DUMP`: its permission.
    pub(super) const fn perm_bits(&self) -> u8 {
        // CAST: the `GENL_CMD_CAP_*` flags fit the `u8` flags.
        self.op.flags & !((bindings::GENL_CMD_CAP_DO | bindings::GENL_CMD_CAP_DUMP) as u8)
    }

    pub(super) const fn is_do(&self) -> bool {
        // CAST: as above.
        self.op.flags & bindings::GENL_CMD_CAP_DO as u8 != 0
    }
}

/// A request being served: its attributes, namespace, command, extack and socket.
///
/// # Invariants
///
/// `info` is the core's `genl_info` for this request, of a registered family, valid and used
/// by this thread only for `'a`, its attributes parsed with a policy of `maxattr`. `sk` is
/// the sender's socket, which the core does not release for `'a`; when `sock_live`, its release
/// has not started either.
pub struct Request<'a> {
    info: &'a bindings::genl_info,
    maxattr: u32,
    sk: *const bindings::sock,
    sock_live: bool,
}

impl<'a> Request<'a> {
    /// # Safety
    ///
    /// `info` must be the `genl_info` of a request to a registered family, valid and not used by
    /// other threads for `'a`, parsed with a policy of `maxattr`; `sk` the sender's socket, not
    /// released for `'a`, and, when `sock_live`, whose release has not started.
    pub(super) unsafe fn from_raw(
        info: *const bindings::genl_info,
        maxattr: u32,
        sk: *const bindings::sock,
        sock_live: bool,
    ) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            // SAFETY: valid for `'a`, as the caller guarantees.
            info: unsafe { &*info },
            maxattr,
            sk,
            sock_live,
        }
    }

    pub(super) fn extack(&self) -> ExtAck<'a> {
        // SAFETY: the request's extack is null or valid for `'a` and used by this thread only.
        unsafe { ExtAck::from_raw(self.info.extack) }
    }

    /// The request's attributes, validated against the operation's policy.
    pub fn attrs(&self) -> Attrs<'a> {
        let stream = if self.info.attrs.is_null() {
            &[][..]
        } else {
            // The attributes follow the netlink, genetlink and family headers
            // (`genlmsg_data`, `genlmsg_len`).
            // SAFETY: `family` is the request's, registered (type invariant).
            let skip = inlines::GENL_HDRLEN + unsafe { (*self.info.family).hdrsize } as usize;
            // SAFETY: the core parsed attributes from `nlhdr`'s message, so it checked that its
            // `nlmsg_len` bytes lie in the request, and that they hold the headers; valid while
            // the request is served (type invariant).
            unsafe {
                let nlh = self.info.nlhdr;
                let at = inlines::NLMSG_HDRLEN + skip;
                let len = ((*nlh).nlmsg_len as usize).saturating_sub(at);
                core::slice::from_raw_parts(nlh.cast::<u8>().add(at), len)
            }
        };
        // SAFETY: the core parsed the attributes in `stream` into `attrs`, `maxattr + 1` entries
        // of the operation's policy (or null when it has no policy), valid while the request is
        // served.
        unsafe { Attrs::from_raw(self.info.attrs, self.maxattr, stream, self.extack()) }
    }

    /// The network namespace the request came from.
    pub fn net(&self) -> Net<'a> {
        // SAFETY: `info` is valid (type invariant); the sender's socket holds a reference on its
        // namespace while the request is served.
        unsafe { Net::from_raw(inlines::genl_info_net(self.info)) }
    }

    /// The command.
    pub fn cmd(&self) -> u8 {
        // SAFETY: `genlhdr` points into the request, valid for `'a` (type invariant).
        unsafe { (*self.info.genlhdr).cmd }
    }

    /// The state of the sender's socket in family `S` (see [`SockPriv`](super::SockPriv)),
    /// created with [`SockPriv::init`](super::SockPriv::init) when this is the socket's first
    /// request that asks for it. It lives until the socket is closed: later requests of the
    /// socket get the same state, other sockets their own.
    ///
    /// `EINVAL` when the request is not one of `S`'s family, or that family was built without
    /// per-socket state; `ENOMEM`. In a dump's end ([`DumpIt::done`](super::DumpIt::done)),
    /// which also runs when the socket is being closed, an existing state only: `ENOENT` when
    /// the socket has none (or no longer has one).
    pub fn sock_priv<S: SockPrivFamily>(&self) -> Result<&'a S::SockPriv> {
        if !core::ptr::eq(self.info.family, S::FAMILY.as_raw()) {
            return Err(EINVAL);
        }
        // SAFETY: the request's family is `S::FAMILY`, registered while its request is served
        // (type invariant); `sk` is the sender's, not released for `'a`, and creating its
        // state is asked for only when its release has not started (type invariant).
        unsafe { S::FAMILY.sock_priv(self.sk, self.sock_live) }
    }

    /// Rejects the request with `err` and `msg` reported through extack.
    pub fn reject(&self, err: Error, msg: &'static CStr) -> Error {
        self.extack().set(msg, core::ptr::null());
        err
    }

    /// Starts the reply: same command, addressed to the sender (`genlmsg_iput`).
    pub fn reply(&self, payload: usize) -> Result<Message> {
        Message::new(self.info, payload)
    }

    /// Sends `msg` to the sender, in the request's namespace (`genlmsg_reply`).
    pub fn send_reply(&self, msg: Message) -> Result {
        // SAFETY: `info` is the request being served (type invariant).
        unsafe { msg.reply(self.info) }
    }
}

/// The `doit` callback of an op served by `H`, whose policy has `N` entries.
///
/// # Safety
///
/// Called by the genetlink core only, with the `genl_info` of a request to `H::State::FAMILY`,
/// parsed with the op's policy.
unsafe extern "C" fn doit_callback<H: DoIt, const N: usize>(
    skb: *mut bindings::sk_buff,
    info: *mut bindings::genl_info,
) -> c_int {
    from_result(|| {
        // SAFETY: the core passes the request's `genl_info`, valid and ours until we return;
        // its attributes were parsed with the op's `Policy<N>`, whose maxattr is `N - 1`. The
        // request's skb carries its sender's socket (`NETLINK_CB(skb).sk`, set by
        // `netlink_unicast_kernel`): a do runs within the sender's `sendmsg`, which holds the
        // socket's file, so its release has not started and cannot until we return.
        // CAST: `1 <= N <= u16::MAX + 1` (`Policy` invariant).
        let req = unsafe {
            let sk = (*inlines::netlink_cb(skb)).sk;
            Request::from_raw(info, (N - 1) as u32, sk, true)
        };
        // SAFETY: an op runs only while its family is registered, and a request's namespace
        // has its state from before any of its sockets could send to the family.
        let state = unsafe { H::State::FAMILY.state(req.net()) };
        H::doit(state, &req)?;
        Ok(0)
    })
}

#[kernel::macros::kunit_tests(genlkit_ops)]
mod tests {
    use super::*;
    use crate::{
        genl::{AttrPolicy, DumpWriter},
        State,
    };

    struct Dump;

    impl DumpIt for Dump {
        type State = State;
        type Cursor = ();
        fn start(_state: &State, _req: &Request<'_>) -> Result {
            Ok(())
        }
        fn dumpit(
            _state: &State,
            _req: &Request<'_>,
            _cursor: &mut (),
            _out: &mut DumpWriter<'_>,
        ) -> Result {
            Ok(())
        }
    }

    static POLICY: Policy<3> = Policy::new(&[(2, AttrPolicy::u32())]);

    /// A dump left unvalidated has no policy, as the core makes a legacy op's
    /// (`genl_cmd_full_to_split`); one validated liberally keeps it.
    #[test]
    fn an_unvalidated_dump_has_no_policy() {
        let op = SplitOp::<State>::dumpit::<Dump, 3>(1, &POLICY, Perm::Anyone);
        assert_eq!(op.policy_raw(), (POLICY.as_ptr(), 2));
        let op = op.dont_validate(DontValidate::DUMP);
        assert_eq!(op.policy_raw(), (core::ptr::null(), 0));
        let op = SplitOp::<State>::dumpit::<Dump, 3>(1, &POLICY, Perm::Anyone)
            .dont_validate(DontValidate::DUMP_STRICT);
        assert_eq!(op.policy_raw(), (POLICY.as_ptr(), 2));
    }
}
