// SPDX-License-Identifier: GPL-2.0

//! A Generic Netlink family with its per-namespace state, registered as one unit by the module.
//!
//! C headers: [`include/net/genetlink.h`](srctree/include/net/genetlink.h),
//! [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use core::{
    ffi::{c_int, c_void},
    marker::PhantomData,
};
use kernel::{
    bindings,
    error::{from_result, to_result},
    prelude::*,
    sync::atomic::{Atomic, Relaxed, Release},
    types::Opaque,
    ThisModule,
};

use pin_init::PinInit;

use super::{inlines, msg::Message, net::Net, ops::SplitOp, MulticastGroup};

/// The state a family keeps in each network namespace; the family's operations are served by
/// it (the generated `<Name>Ops` trait is implemented on it).
///
/// A state is created for every namespace that exists when the module loads and for every
/// namespace created later, and dropped when its namespace goes away or the module unloads
/// (`struct pernet_operations` with `id` and `size`).
pub trait PerNetState: Sized + Send + Sync + 'static {
    /// Initialises the state of a namespace, in place.
    fn init(net: Net<'_>) -> impl PinInit<Self, Error>;
}

/// Ties a state type to its family: implemented by the generated code (`nl_gen.rs`).
pub trait FamilyState: PerNetState {
    /// The family whose operations this state serves.
    const FAMILY: &'static Family<Self>;
}

/// A family's state per socket (a spec's `kernel-family` `sock-priv`): the area the core keeps
/// for each socket that uses the family (`genl_family.sock_priv_size`), given to the socket's
/// requests by [`Request::sock_priv`](super::Request::sock_priv).
///
/// The area is created, by [`SockPriv::init`], when a request of the socket first asks for it,
/// and dropped when the socket is closed or the family unregistered, whichever comes first
/// (`sock_priv_init` and `sock_priv_destroy`). Requests of one socket may run at once on
/// several CPUs, so they share it (`Sync`); it is dropped on another thread (`Send`).
pub trait SockPriv: Sized + Send + Sync + 'static {
    /// Initialises a socket's state, in place. It cannot fail, as the core's
    /// `sock_priv_init` cannot: anything that may fail belongs to the request that needs it.
    fn init() -> impl PinInit<Self>;
}

/// Ties a family's state to its per-socket state: implemented by the generated code
/// (`nl_gen.rs`) of a family with `sock-priv`, whose [`Family`] is built with
/// [`Family::const_new_sock_priv`].
pub trait SockPrivFamily: FamilyState {
    /// The state each socket of the family has.
    type SockPriv: SockPriv;
}

/// The `sock_priv_*` fields of a `genl_family`.
struct SockPrivFields {
    size: usize,
    init: Option<unsafe extern "C" fn(*mut c_void)>,
    destroy: Option<unsafe extern "C" fn(*mut c_void)>,
}

/// A Generic Netlink family served by state `S`: name, version, split operations, multicast
/// groups, and the per-namespace state. Built in const context into a `static` by the
/// generated code; registered by [`FamilyModule`], and only by it.
///
/// # Invariants
///
/// While `registered` is true: the per-namespace ops are registered with id `pernet_id`, every
/// live namespace's generic pointer at that id points to an initialised `S` (from its `init`
/// until its `exit`), and the family is registered after them.
///
/// `inner.sock_priv_size` is non-zero only if the family was built by
/// [`Family::const_new_sock_priv`]: then `S: SockPrivFamily`, and `sock_priv_init` and
/// `sock_priv_destroy` are [`sock_priv_init`] and [`sock_priv_destroy`] of `S::SockPriv`, so
/// every area in the core's `sock_privs` holds an initialised `S::SockPriv` until the core
/// destroys it.
pub struct Family<S: FamilyState> {
    inner: Opaque<bindings::genl_family>,
    pernet: Opaque<bindings::pernet_operations>,
    pernet_id: Opaque<u32>,
    registered: Atomic<bool>,
    _state: PhantomData<S>,
}

// SAFETY: the core writes `inner.id`, `inner.mcgrp_offset`, `inner.sock_privs` (the pointer;
// the xarray it allocates has its own lock), `pernet.list` and `pernet_id` only during
// (un)registration, which `registered` serialises, before any operation or namespace
// callback can read them; everything else is immutable after const construction. `S: Sync`.
unsafe impl<S: FamilyState> Sync for Family<S> {}

impl<S: FamilyState> Family<S> {
    /// Describes a family. Intended to be used from const context only: panics (at build time)
    /// on a name that is not NUL-terminated, too long, empty or reserved (see
    /// [`RESERVED_NAMES`]), on too many ops or groups, on ops not sorted by command as the core
    /// requires (a do entry before the dump entry of the same command), and on a do and a dump
    /// of one command with different permissions (which the core refuses at registration, with
    /// a warning).
    ///
    /// The core checks the `nlmsg_flags` and the reserved header byte of every command
    /// (`resv_start_op` is 0): a request for a new family carries its intent in attributes. Only
    /// a family with ops that leave validation out ([`SplitOp::dont_validate`], legacy
    /// commands) gets `resv_start_op` past the last of them, as the core requires of such ops
    /// (`genl_validate_ops`), and as the kernel's own legacy families set it.
    pub const fn const_new(
        module: &ThisModule,
        name: &[u8],
        version: u32,
        ops: &'static [SplitOp<S>],
        mcgrps: &'static [MulticastGroup],
    ) -> Self {
        let none = SockPrivFields {
            size: 0,
            init: None,
            destroy: None,
        };
        // INVARIANT: no per-socket state.
        Self::build(module, name, version, ops, mcgrps, none)
    }

    const fn build(
        module: &ThisModule,
        name: &[u8],
        version: u32,
        ops: &'static [SplitOp<S>],
        mcgrps: &'static [MulticastGroup],
        sock_priv: SockPrivFields,
    ) -> Self {
        // CAST: widening.
        if ops.len() > u8::MAX as usize || mcgrps.len() > u8::MAX as usize {
            panic!("genl: too many ops or multicast groups");
        }
        let mut i = 1;
        while i < ops.len() {
            if ops[i - 1].cmd() > ops[i].cmd()
                || (ops[i - 1].cmd() == ops[i].cmd() && !(ops[i - 1].is_do() && !ops[i].is_do()))
            {
                panic!("genl: ops must be sorted by cmd, do before dump");
            }
            // `genl_validate_ops`: the do and dump of one command differ in `GENL_CMD_CAP_*` only.
            if ops[i - 1].cmd() == ops[i].cmd() && ops[i - 1].perm_bits() != ops[i].perm_bits() {
                panic!("genl: the do and dump of a command must have the same permission");
            }
            i += 1;
        }
        let mut resv_start_op = 0;
        let mut i = 0;
        while i < ops.len() {
            if ops[i].validate_bits() != 0 && ops[i].cmd() >= resv_start_op {
                if ops[i].cmd() == u8::MAX {
                    panic!("genl: command 255 cannot leave validation out (resv_start_op)");
                }
                resv_start_op = ops[i].cmd() + 1;
            }
            i += 1;
        }
        let mut family = bindings::genl_family {
            version,
            _bitfield_1: netnsok_parallel_ops(),
            module: module.as_ptr(),
            resv_start_op,
            split_ops: ops.as_ptr().cast(),
            // CAST: at most `u8::MAX`, checked above.
            n_split_ops: ops.len() as u8,
            mcgrps: mcgrps.as_ptr().cast(),
            // CAST: at most `u8::MAX`, checked above.
            n_mcgrps: mcgrps.len() as u8,
            sock_priv_size: sock_priv.size,
            sock_priv_init: sock_priv.init,
            sock_priv_destroy: sock_priv.destroy,
            ..pin_init::zeroed()
        };
        if CStr::from_bytes_with_nul(name).is_err() {
            panic!("genl: family name not NUL-terminated");
        }
        if name.len() > family.name.len() {
            panic!("genl: family name too long");
        }
        if name.len() == 1 {
            panic!("genl: family name is empty");
        }
        let mut i = 0;
        while i < RESERVED_NAMES.len() {
            if bytes_eq(name, RESERVED_NAMES[i]) {
                panic!("genl: family name is reserved (nlctrl, NET_DM, VFS_DQUOT, pmcraid)");
            }
            i += 1;
        }
        let mut i = 0;
        while i < name.len() {
            family.name[i] = name[i];
            i += 1;
        }
        let pernet = bindings::pernet_operations {
            init: Some(pernet_init::<S>),
            exit: Some(pernet_exit::<S>),
            // At least a byte: with a size of 0 the core allocates nothing and `net_generic`
            // would give no valid pointer, not even for a zero-sized `S`.
            size: if core::mem::size_of::<S>() == 0 {
                1
            } else {
                core::mem::size_of::<S>()
            },
            ..pin_init::zeroed()
        };
        // INVARIANT: not registered.
        Self {
            inner: Opaque::new(family),
            pernet: Opaque::new(pernet),
            pernet_id: Opaque::new(0),
            registered: Atomic::new(false),
            _state: PhantomData,
        }
    }

    /// The state of socket `sk`, created first when `create` and the socket has none yet.
    /// `EINVAL` for a family built without per-socket state ([`Family::const_new`]); `ENOENT`
    /// when `create` is false and the socket has none; `ENOMEM`.
    ///
    /// # Safety
    ///
    /// The family must be registered, and stay so for `'a`; `sk` must be the socket of a
    /// request being served, which the core does not release for `'a` (so neither does it
    /// drop the socket's state), and, when `create`, must not have been released yet.
    pub(super) unsafe fn sock_priv<'a>(
        &self,
        sk: *const bindings::sock,
        create: bool,
    ) -> Result<&'a S::SockPriv>
    where
        S: SockPrivFamily,
    {
        // SAFETY: const-initialised and never written.
        if unsafe { (*self.inner.get()).sock_priv_size } == 0 {
            return Err(EINVAL);
        }
        // SAFETY: registered with a non-zero `sock_priv_size` (checked above), for `'a`; `sk`
        // not released yet when `create` (function safety requirements).
        let area = unsafe {
            if create {
                inlines::genl_sk_priv_get(self.inner.get(), sk)?
            } else {
                inlines::__genl_sk_priv_get(self.inner.get(), sk)
            }
        };
        if area.is_null() {
            return Err(ENOENT);
        }
        // SAFETY: with a non-zero `sock_priv_size`, every area in `sock_privs` holds an
        // initialised `S::SockPriv` (type invariant) until the core destroys it, which it does
        // only when `sk` is released or the family unregistered: not for `'a` (function safety
        // requirements). It is only ever shared (`S::SockPriv: Sync`).
        Ok(unsafe { &*area.cast::<S::SockPriv>() })
    }

    /// Registers the per-namespace state (every existing namespace gets its `S` now), then the
    /// family. `EBUSY` if it is registered already.
    fn register(&'static self) -> Result {
        // CAST: a small constant, widened.
        const { assert!(core::mem::align_of::<S>() <= bindings::ARCH_KMALLOC_MINALIGN as usize) };
        if self.registered.xchg(true, Relaxed) {
            return Err(EBUSY);
        }
        // SAFETY: not registered before (checked above), so the core uses neither `pernet` nor
        // `inner`; both and what they point to (ops, policies, groups) live for `'static`.
        // `register_pernet_subsys` assigns the id before it calls `pernet_init` for any
        // namespace, and the family goes live only after every namespace has its state.
        let ret = unsafe {
            (*self.pernet.get()).id = self.pernet_id.get();
            to_result(bindings::register_pernet_subsys(self.pernet.get())).and_then(|()| {
                to_result(bindings::genl_register_family(self.inner.get())).inspect_err(|_| {
                    bindings::unregister_pernet_subsys(self.pernet.get());
                })
            })
        };
        if ret.is_err() {
            self.registered.store(false, Release);
        }
        // INVARIANT: on success both are registered, the per-namespace ops first.
        ret
    }

    /// Unregisters the family (waiting for the requests in flight), then drops every
    /// namespace's state.
    ///
    /// # Safety
    ///
    /// `self` must be registered, by a [`FamilyModule`] that is going away.
    unsafe fn unregister(&'static self) {
        // SAFETY: registered (function safety requirements): unregister each exactly once, in
        // the reverse order. Once `genl_unregister_family` returns, no operation runs or starts.
        unsafe {
            bindings::genl_unregister_family(self.inner.get());
            bindings::unregister_pernet_subsys(self.pernet.get());
        }
        self.registered.store(false, Release);
    }

    /// The state of `net`.
    ///
    /// # Safety
    ///
    /// The family must be registered and `net`'s state initialised and not yet dropped: true
    /// for the namespace of a request being served, which stays alive while it is.
    pub(super) unsafe fn state<'a>(&self, net: Net<'a>) -> &'a S {
        // SAFETY: registered, so `pernet_id` is assigned; `net`'s slot holds an initialised
        // `S` that outlives `'a` (function safety requirements, type invariant).
        unsafe { &*inlines::net_generic(net.as_ptr(), *self.pernet_id.get()).cast::<S>() }
    }

    /// The family ID the core assigned (valid once registered).
    pub fn id(&self) -> u16 {
        // SAFETY: `id` is an `int`, written at registration before an operation can run.
        let id = unsafe { (*self.inner.get()).id };
        // CAST: family IDs are `u16` on the wire (`GENL_MAX_ID`).
        id as u16
    }

    pub(super) fn as_raw(&self) -> *mut bindings::genl_family {
        self.inner.get()
    }

    fn n_mcgrps(&self) -> u32 {
        // SAFETY: const-initialised and never written.
        unsafe { (*self.inner.get()).n_mcgrps }.into()
    }

    /// Whether any socket in `net` listens to `group` (an index into the family's groups): lets
    /// a caller skip building a notification nobody would receive. `false` for a group the family
    /// does not have (the C helper WARNs on it and returns `-EINVAL`).
    pub fn has_listeners(&self, net: Net<'_>, group: u32) -> bool {
        if group >= self.n_mcgrps() {
            return false;
        }
        // SAFETY: the family is valid, `net` is live for the call, and `group` is one of the
        // family's groups.
        unsafe { bindings::genl_has_listeners(self.inner.get(), net.as_ptr(), group) > 0 }
    }

    /// Starts a notification with command `cmd`; send it with [`Family::notify`].
    pub fn notification(&'static self, cmd: u8, payload: usize) -> Result<Message> {
        let mut hdr = bindings::genlmsghdr {
            cmd,
            ..Default::default()
        };
        let info = inlines::genl_info_init_ntf(self.inner.get(), &mut hdr);
        Message::new(&info, payload)
    }

    /// Multicasts `msg` to `group` of this family in `net` (`genlmsg_multicast_netns`).
    ///
    /// `EINVAL` for a group the family does not have; `ESRCH` when nobody received it;
    /// `ENOBUFS` when some listener's queue was full.
    pub fn notify(&'static self, msg: Message, net: Net<'_>, group: u32) -> Result {
        let skb = msg.finish();
        // SAFETY: the family is registered (a message exists only while a module serves it),
        // `net` is live for the call, and we own `skb`; a group the family does not have is
        // refused there (freeing `skb`).
        to_result(unsafe {
            inlines::genlmsg_multicast_netns(
                self.inner.get(),
                net.as_ptr(),
                skb,
                0,
                group,
                bindings::GFP_KERNEL,
            )
        })
    }

    /// Notifies `group` in `net`, if anyone listens, with a `cmd` message of room `payload`
    /// filled by `fill`: best effort, as a change is not undone for its notification (a listener
    /// that missed one sees `ENOBUFS`). Call it under the lock that orders the changes, so that
    /// listeners see them in order.
    pub fn notify_listeners(
        &'static self,
        net: Net<'_>,
        group: u32,
        cmd: u8,
        payload: usize,
        fill: impl FnOnce(&mut Message) -> Result,
    ) {
        if !self.has_listeners(net, group) {
            return;
        }
        if let Ok(mut msg) = self.notification(cmd, payload) {
            if fill(&mut msg).is_ok() {
                let _ = self.notify(msg, net, group);
            }
        }
    }
}

impl<S: SockPrivFamily> Family<S> {
    /// Describes a family whose sockets each have an `S::SockPriv` (see [`SockPriv`]), as
    /// [`Family::const_new`] describes one without.
    pub const fn const_new_sock_priv(
        module: &ThisModule,
        name: &[u8],
        version: u32,
        ops: &'static [SplitOp<S>],
        mcgrps: &'static [MulticastGroup],
    ) -> Self {
        // CAST: a small constant, widened.
        if core::mem::align_of::<S::SockPriv>() > bindings::ARCH_KMALLOC_MINALIGN as usize {
            panic!("genl: the per-socket state is aligned beyond what kzalloc gives");
        }
        let fields = SockPrivFields {
            // At least a byte: a size of 0 tells the core the family has no per-socket state.
            size: if core::mem::size_of::<S::SockPriv>() == 0 {
                1
            } else {
                core::mem::size_of::<S::SockPriv>()
            },
            init: Some(sock_priv_init::<S::SockPriv>),
            destroy: Some(sock_priv_destroy::<S::SockPriv>),
        };
        // INVARIANT: the per-socket callbacks of `S::SockPriv`, `S: SockPrivFamily`.
        Self::build(module, name, version, ops, mcgrps, fields)
    }
}

/// `genl_family.sock_priv_init`: initialises a `P` in a socket's new area.
///
/// # Safety
///
/// Called by the core only (or by [`inlines::genl_sk_priv_get`], as the core would), with a
/// fresh, zeroed `kzalloc` area of the family's `sock_priv_size`, at least `size_of::<P>()`
/// bytes (see [`Family::const_new_sock_priv`]).
unsafe extern "C" fn sock_priv_init<P: SockPriv>(area: *mut c_void) {
    // SAFETY: `area` is valid for a `P`, aligned (kmalloc, alignment checked in
    // `const_new_sock_priv`), and is not moved until `sock_priv_destroy` drops it and the core
    // frees it. The initialiser cannot fail (`Infallible`).
    let Ok(()) = unsafe { P::init().__init(area.cast::<P>()) };
}

/// `genl_family.sock_priv_destroy`: drops the `P` of a socket's area, which the core then
/// frees.
///
/// # Safety
///
/// Called by the core only (or by [`inlines::genl_sk_priv_get`], as the core would), once per
/// area that [`sock_priv_init`] initialised, when no request uses it any more (its socket is
/// released, or the family unregistered).
unsafe extern "C" fn sock_priv_destroy<P: SockPriv>(area: *mut c_void) {
    // SAFETY: the area holds an initialised `P` nobody uses any more, dropped once.
    unsafe { core::ptr::drop_in_place(area.cast::<P>()) };
}

/// Family names `genl_register_family` treats specially, which no family of ours may take:
/// the controller's, `nlctrl` (refused with `EEXIST`), and three legacy families whose ID or
/// multicast group the core hard-codes (`NET_DM`, `VFS_DQUOT`, `pmcraid`): the core would give
/// ours their fixed ID or group, and `BUG_ON`s such a family unless it has exactly one group.
const RESERVED_NAMES: [&[u8]; 4] = [b"nlctrl\0", b"NET_DM\0", b"VFS_DQUOT\0", b"pmcraid\0"];

/// `a == b`, in const context.
const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `netnsok` and `parallel_ops` set, as the `genl_family` bitfield.
///
/// Bindgen's bitfield setters are not `const`; the layout (bit 0 `netnsok`, bit 1
/// `parallel_ops`) is checked against them by the `family_bitfield` KUnit test.
const fn netnsok_parallel_ops() -> bindings::__BindgenBitfieldUnit<[u8; 1]> {
    bindings::__BindgenBitfieldUnit::new([0b11])
}

/// `pernet_operations.init`: initialises `S` in the memory the core allocated for `net`.
///
/// # Safety
///
/// Called by the core only, for the per-namespace ops of `S::FAMILY` being or having been
/// registered: `S::FAMILY` is the only `Family<S>` that registers ([`FamilyModule`] registers
/// it and nothing else can), so its `pernet_id` is the id these ops were assigned.
unsafe extern "C" fn pernet_init<S: FamilyState>(net: *mut bindings::net) -> c_int {
    // SAFETY: the core zero-allocated `size_of::<S>()` bytes at our id (assigned before `init`
    // runs) for `net`, which it keeps alive during `init`.
    let (slot, net) = unsafe {
        let id = *S::FAMILY.pernet_id.get();
        (
            inlines::net_generic(net, id).cast::<S>(),
            Net::from_raw(net),
        )
    };
    from_result(|| {
        // SAFETY: `slot` is valid, aligned (kmalloc, alignment asserted at registration) memory
        // for an `S` that never moves until `pernet_exit` drops it and the core frees it.
        unsafe { S::init(net).__init(slot) }?;
        Ok(0)
    })
}

/// `pernet_operations.exit`: drops the `S` of `net`.
///
/// # Safety
///
/// Called by the core only, once per namespace whose `init` succeeded (see [`pernet_init`]).
unsafe extern "C" fn pernet_exit<S: FamilyState>(net: *mut bindings::net) {
    // SAFETY: `init` succeeded for `net` (the core calls `exit` only then), so the slot holds an
    // initialised `S`, which we drop in place once; the core frees the memory afterwards.
    unsafe {
        let id = *S::FAMILY.pernet_id.get();
        core::ptr::drop_in_place(inlines::net_generic(net, id).cast::<S>());
    }
}

/// Implemented for the crate's `module!` type only: a family is registered by its module
/// itself, so that unloading the module is what unregisters it.
pub trait IsTheModule {}

impl IsTheModule for crate::LocalModule {}

/// The module of a family served by `S`: loading it registers `S::FAMILY` with its
/// per-namespace state, unloading unregisters both, in that order. Name it in `module!`:
/// `type: genl::FamilyModule<State>`.
///
/// Nothing else can register a family, and only the crate's `module!` type can be a
/// `FamilyModule` ([`IsTheModule`]), whose drop the module's exit runs: so no registration can
/// be leaked past the module's unload, and the state is never dropped before the family stops
/// serving requests.
///
/// # Invariants
///
/// `S::FAMILY` is registered while this lives.
pub struct FamilyModule<S: FamilyState> {
    _state: PhantomData<S>,
}

impl<S: FamilyState> kernel::Module for FamilyModule<S>
where
    Self: IsTheModule,
{
    fn init(_module: &'static ThisModule) -> Result<Self> {
        // Any other call (from family code run by this registration, or after it) gets `EBUSY`:
        // at most one `FamilyModule<S>` lives, the module's own.
        S::FAMILY.register()?;
        pr_info!("family registered, id {}\n", S::FAMILY.id());
        // INVARIANT: registered just above.
        Ok(Self {
            _state: PhantomData,
        })
    }
}

impl<S: FamilyState> Drop for FamilyModule<S> {
    fn drop(&mut self) {
        // SAFETY: registered while `self` lives (type invariant), which ends here.
        unsafe { S::FAMILY.unregister() };
    }
}

#[kernel::macros::kunit_tests(genlkit_family)]
mod tests {
    use super::*;
    use crate::{genl::AttrWriter, State};

    fn init_net() -> Net<'static> {
        // SAFETY: `init_net` lives for ever; taking its address reads nothing.
        unsafe { Net::from_raw(&raw mut bindings::init_net) }
    }

    #[test]
    fn family_bitfield() {
        let mut f = bindings::genl_family::default();
        f.set_netnsok(1);
        f.set_parallel_ops(1);
        // SAFETY: the bitfield unit is a `[u8; 1]`.
        let ours: u8 = unsafe { core::mem::transmute(netnsok_parallel_ops()) };
        // SAFETY: the bitfield unit is a `[u8; 1]`.
        let theirs: u8 = unsafe { core::mem::transmute(f._bitfield_1) };
        assert_eq!(ours, theirs);
    }

    /// `genl_has_listeners` WARNs on a group the family does not have and returns `-EINVAL`,
    /// which reads as "someone listens"; the layer answers `false`, without the WARN (which
    /// the run's kernel-log scan would report).
    #[test]
    fn has_listeners_of_a_group_out_of_range_is_false() {
        let family = State::FAMILY;
        assert!(!family.has_listeners(init_net(), family.n_mcgrps()));
        assert!(!family.has_listeners(init_net(), u32::MAX));
    }

    /// `genlmsg_multicast_netns` WARNs on such a group; the layer refuses it with `EINVAL`,
    /// and the message is freed (the run's kmemleak scan would report it otherwise).
    #[test]
    fn notify_to_a_group_out_of_range_is_einval() {
        let family = State::FAMILY;
        let mut msg = family.notification(1, 64).unwrap();
        msg.put_u32(1, 7).unwrap();
        assert_eq!(
            family.notify(msg, init_net(), family.n_mcgrps()),
            Err(EINVAL)
        );
    }
}
