// SPDX-License-Identifier: GPL-2.0

//! State that hangs off each network namespace (`struct pernet_operations` with `id` and
//! `size`): created when a namespace is created (or, for namespaces that exist already, when the
//! registration is made), dropped when the namespace goes away.
//!
//! C header: [`include/net/net_namespace.h`](srctree/include/net/net_namespace.h)

use core::{ffi::c_int, marker::PhantomData, pin::Pin};
use kernel::{
    bindings,
    error::to_result,
    prelude::*,
    sync::{
        atomic::{Acquire, Atomic, Relaxed, Release},
        rcu,
    },
    types::Opaque,
};
use pin_init::PinInit;

use super::net::Net;

/// The state a [`PerNet`] keeps for each namespace.
pub trait PerNetState: Sized + Send + Sync + 'static {
    /// The `static` that holds this state's [`PerNet`]: the core's `init`/`exit` callbacks get
    /// only the namespace, and find the state's slot through it.
    fn pernet() -> &'static PerNet<Self>;

    /// Initialises the state of a new namespace, in place.
    fn init(net: Net<'_>) -> impl PinInit<Self, Error>;
}

/// Per-namespace state of type `T`, built in const context into a `static`.
///
/// A user must stop calling [`PerNet::get`] before dropping the registration: a module
/// registers its `PerNet` before its [`Family`](super::Family) and drops the family's
/// registration first, so no request is in flight when the states go away.
///
/// # Invariants
///
/// While `registered` is true, `id` is the id the core assigned and every live namespace's
/// generic pointer at that id points to an initialised `T`.
pub struct PerNet<T: PerNetState> {
    ops: Opaque<bindings::pernet_operations>,
    id: Opaque<u32>,
    registering: Atomic<bool>,
    registered: Atomic<bool>,
    _state: PhantomData<T>,
}

// SAFETY: the core writes `ops` and `id` only under `pernet_ops_rwsem` during (un)registration,
// which `registered` serialises; readers read `id` after registration only. `T: Sync`.
unsafe impl<T: PerNetState> Sync for PerNet<T> {}

impl<T: PerNetState> PerNet<T> {
    /// Describes the per-namespace state; register it with [`PerNet::register`].
    pub const fn new() -> Self {
        let ops = bindings::pernet_operations {
            init: Some(init_callback::<T>),
            exit: Some(exit_callback::<T>),
            size: core::mem::size_of::<T>(),
            ..pin_init::zeroed()
        };
        Self {
            ops: Opaque::new(ops),
            id: Opaque::new(0),
            registering: Atomic::new(false),
            registered: Atomic::new(false),
            _state: PhantomData,
        }
    }

    /// Registers the state: every existing namespace gets its `T` now, new ones on creation.
    /// `EBUSY` if already registered.
    pub fn register(&'static self) -> Result<PerNetRegistration<T>> {
        const { assert!(core::mem::align_of::<T>() <= bindings::ARCH_KMALLOC_MINALIGN as usize) };
        if self.registering.xchg(true, Relaxed) {
            return Err(EBUSY);
        }
        // SAFETY: not registered (checked above), so the core does not use `ops`; both live
        // for `'static`. `register_pernet_subsys` runs `init_callback` for every namespace.
        let ret = unsafe {
            (*self.ops.get()).id = self.id.get();
            bindings::register_pernet_subsys(self.ops.get())
        };
        if let Err(e) = to_result(ret) {
            self.registering.store(false, Relaxed);
            return Err(e);
        }
        // INVARIANT: registered; `Release` publishes `id` to `get`.
        self.registered.store(true, Release);
        Ok(PerNetRegistration { pernet: self })
    }

    /// The state of `net`; `ENODEV` when not registered.
    pub fn get<'a>(&'static self, net: Net<'a>) -> Result<Pin<&'a T>> {
        if !self.registered.load(Acquire) {
            return Err(ENODEV);
        }
        // SAFETY: registered, so `id` is assigned and `net`'s slot holds an initialised `T`
        // that lives as long as `net`, i.e. at least `'a` (type invariant). It is never moved.
        Ok(unsafe { Pin::new_unchecked(&*slot_by_id::<T>(net.as_ptr(), *self.id.get())) })
    }
}

/// A registered [`PerNet`]: every namespace's state is dropped when this is dropped.
///
/// # Invariants
///
/// `pernet` is registered.
pub struct PerNetRegistration<T: PerNetState + 'static> {
    pernet: &'static PerNet<T>,
}

impl<T: PerNetState> Drop for PerNetRegistration<T> {
    fn drop(&mut self) {
        self.pernet.registered.store(false, Relaxed);
        // SAFETY: registered (type invariant); runs `exit_callback` for every namespace.
        unsafe { bindings::unregister_pernet_subsys(self.pernet.ops.get()) };
        self.pernet.registering.store(false, Relaxed);
    }
}

/// The memory the core allocated for `T` in `net` (`net_generic(net, id)`).
///
/// # Safety
///
/// `net` must be live and `id` the id the core assigned to `T`'s ops, registered or being
/// registered, with `net`'s state allocated (i.e. from `init` on, until `exit` returns).
unsafe fn slot_by_id<T>(net: *mut bindings::net, id: u32) -> *mut T {
    // SAFETY: `gen` is an RCU-protected `struct net_generic`, which starts with an array of
    // `void *` indexed by id (`ptr[id]`, within bounds for an assigned id). Only `gen` itself is
    // replaced under RCU; the state pointer in it is stable for the namespace's lifetime.
    unsafe {
        let _rcu = rcu::read_lock();
        let gen = core::ptr::read_volatile(&raw const (*net).gen);
        gen.cast::<*mut T>().add(id as usize).read()
    }
}

/// `pernet_operations.init`: initialises `T` in the memory the core allocated for `net`.
///
/// # Safety
///
/// Called by the core only, for the ops of a `PerNet<T>` being or having been registered.
unsafe extern "C" fn init_callback<T: PerNetState>(net: *mut bindings::net) -> c_int {
    // The core zero-allocated `size_of::<T>()` bytes at `ptr[id]` before calling `init`.
    // SAFETY: `register_pernet_subsys` wrote our id before calling `init` for any namespace.
    let id = unsafe { *T::pernet().id.get() };
    // SAFETY: `net` is live during `init` and its state allocated.
    let slot = unsafe { slot_by_id::<T>(net, id) };
    // SAFETY: the core keeps `net` alive during `init`.
    let init = T::init(unsafe { Net::from_raw(net) });
    // SAFETY: `slot` is valid, aligned (kmalloc, alignment asserted at registration) memory for
    // a `T` that never moves until `exit` drops it and the core frees it.
    match unsafe { init.__init(slot) } {
        Ok(()) => 0,
        Err(e) => e.to_errno(),
    }
}

/// `pernet_operations.exit`: drops the `T` of `net`.
///
/// # Safety
///
/// Called by the core only, once per namespace whose `init` succeeded.
unsafe extern "C" fn exit_callback<T: PerNetState>(net: *mut bindings::net) {
    // SAFETY: assigned at registration, unchanged until it ends.
    let id = unsafe { *T::pernet().id.get() };
    // SAFETY: `init` succeeded for `net` (the core calls `exit` only then), so the slot holds an
    // initialised `T`, which we drop in place once; the core frees the memory afterwards.
    unsafe { core::ptr::drop_in_place(slot_by_id::<T>(net, id)) };
}
