// SPDX-License-Identifier: GPL-2.0

//! The C static inlines the layer needs, re-implemented in Rust.
//!
//! `bindgen` cannot bind a static inline, and an out-of-tree module cannot add to the kernel's
//! `rust/helpers/` (which already covers `genlmsg_new`, `genlmsg_end`, `genlmsg_cancel`,
//! `nlmsg_free` and `genl_has_listeners`, used directly). Every other inline the layer relies
//! on lives here, each under the name and with the header of the C it mirrors, so that a kernel
//! upgrade is audited by diffing these functions against those headers (7.3 as of writing).
//! Nothing else in the layer reads or writes a field the C code reaches only through an inline.

use core::ffi::{c_int, c_void};
use kernel::bindings;

// `skb_tail_pointer` reads `sk_buff::tail` as an offset from `head`, which it is only where
// `NET_SKBUFF_DATA_USES_OFFSET` is defined (`BITS_PER_LONG > 32`); elsewhere it is a pointer.
#[cfg(not(CONFIG_64BIT))]
compile_error!("genl: sk_buff::tail is an offset only on 64-bit (NET_SKBUFF_DATA_USES_OFFSET)");

/// `NLMSG_HDRLEN` and `GENL_HDRLEN`: the aligned sizes of `struct nlmsghdr` and `struct
/// genlmsghdr` (16 and 4, both multiples of `NLMSG_ALIGNTO`).
pub(super) const NLMSG_HDRLEN: usize = core::mem::size_of::<bindings::nlmsghdr>();
pub(super) const GENL_HDRLEN: usize = core::mem::size_of::<bindings::genlmsghdr>();
const _: () = assert!(NLMSG_HDRLEN % 4 == 0 && GENL_HDRLEN % 4 == 0);

/// `skb_tail_pointer()`, `include/linux/skbuff.h` (`NET_SKBUFF_DATA_USES_OFFSET`).
///
/// # Safety
///
/// `skb` must point to a valid `sk_buff`.
pub(super) unsafe fn skb_tail_pointer(skb: *const bindings::sk_buff) -> *mut u8 {
    // SAFETY: `skb` is valid (function safety requirements). On 64-bit (a build error elsewhere,
    // above) `tail` is a `u32` offset from `head` within the buffer; the typed binding keeps a
    // pointer-typed `tail` from being cast to an offset.
    unsafe {
        let offset: u32 = (*skb).tail;
        // CAST: widening.
        (*skb).head.add(offset as usize)
    }
}

/// `nlmsg_trim()`, `include/net/netlink.h`: cuts `skb` back to `mark`.
///
/// # Safety
///
/// `skb` must point to a valid `sk_buff` and `mark` into its data, between `data` and the tail.
pub(super) unsafe fn nlmsg_trim(skb: *mut bindings::sk_buff, mark: *const u8) {
    // SAFETY: `mark` lies between `data` and the tail of the valid `skb` (function safety
    // requirements), so the distance is the new, not larger, length.
    unsafe {
        let len = mark.offset_from((*skb).data);
        // CAST: `0 <= len <= skb->len`, a `u32`.
        bindings::skb_trim(skb, len as u32);
    }
}

/// `nla_nest_start()`, `include/net/netlink.h`: puts an empty nest header of type `ty` with
/// `NLA_F_NESTED`; NULL when it does not fit.
///
/// # Safety
///
/// `skb` must point to a valid `sk_buff` holding a message being built that ends at its tail.
pub(super) unsafe fn nla_nest_start(skb: *mut bindings::sk_buff, ty: u16) -> *mut bindings::nlattr {
    // SAFETY: `skb` is valid (function safety requirements); `nla_put` of no payload reads no
    // data. `nla_nest_start_noflag` is `nla_put(skb, type, 0, NULL)` and returns the old tail.
    unsafe {
        let start = skb_tail_pointer(skb).cast::<bindings::nlattr>();
        // CAST: `NLA_F_NESTED` is bit 15 of the 16-bit `nla_type`.
        let ty = c_int::from(ty | bindings::NLA_F_NESTED as u16);
        if bindings::nla_put(skb, ty, 0, core::ptr::null()) < 0 {
            return core::ptr::null_mut();
        }
        start
    }
}

/// `nla_nest_end_safe()`, `include/net/netlink.h`: sets the nest's length to what was put since
/// `start`; `-EMSGSIZE`, leaving it unchanged, when that does not fit `nla_len`.
///
/// # Safety
///
/// `skb` must point to a valid `sk_buff` and `start` to a nest header in its data.
pub(super) unsafe fn nla_nest_end_safe(
    skb: *mut bindings::sk_buff,
    start: *mut bindings::nlattr,
) -> c_int {
    // SAFETY: `start` lies in the data of the valid `skb`, before its tail (function safety
    // requirements).
    unsafe {
        let diff = skb_tail_pointer(skb).offset_from(start.cast::<u8>());
        // CAST: widening.
        if diff > u16::MAX as isize {
            // CAST: a small errno constant.
            return -(bindings::EMSGSIZE as c_int);
        }
        // CAST: `0 <= diff <= U16_MAX`, checked above.
        (*start).nla_len = diff as u16;
        // CAST: an skb's length fits an `int`, as the C function returns it.
        (*skb).len as c_int
    }
}

/// `nla_nest_cancel()`, `include/net/netlink.h`: removes the nest at `start` and what it holds.
///
/// # Safety
///
/// As [`nlmsg_trim`], with `start` the nest's header.
pub(super) unsafe fn nla_nest_cancel(skb: *mut bindings::sk_buff, start: *mut bindings::nlattr) {
    // SAFETY: the caller's guarantees are `nlmsg_trim`'s.
    unsafe { nlmsg_trim(skb, start.cast()) }
}

/// `NETLINK_CB()`, `include/linux/netlink.h`: the netlink parameters in an skb's control buffer.
///
/// # Safety
///
/// `skb` must point to a valid netlink `sk_buff`.
pub(super) unsafe fn netlink_cb(skb: *mut bindings::sk_buff) -> *mut bindings::netlink_skb_parms {
    // SAFETY: `skb` is valid; netlink keeps a `netlink_skb_parms` at the start of `cb`, which
    // is large and aligned enough (`BUILD_BUG_ON` in `netlink_proto_init`).
    unsafe { (*skb).cb.as_mut_ptr().cast() }
}

/// `net_generic()`, `include/net/netns/generic.h`: the per-namespace pointer of pernet id `id`.
///
/// # Safety
///
/// `net` must point to a live `struct net` and `id` be the id the core assigned to a pernet
/// subsystem whose `init` has run for `net` and whose `exit` has not.
pub(super) unsafe fn net_generic(net: *const bindings::net, id: u32) -> *mut c_void {
    let _rcu = kernel::sync::rcu::read_lock();
    // SAFETY: `net` is live; `gen` is RCU-protected (`rcu_dereference`, under the read lock
    // above) and its `ptr[]` overlays the union at its start, indexed by pernet id, in bounds
    // for an id whose `init` ran for `net`. Only `gen` is replaced under RCU; the pointer it
    // holds for `id` is stable until `exit`.
    unsafe {
        let gen = core::ptr::read_volatile(&raw const (*net).gen);
        // CAST: widening.
        gen.cast::<*mut c_void>().add(id as usize).read()
    }
}

/// `genl_info_net()`, `include/net/genetlink.h` (`read_pnet()`, `include/net/net_namespace.h`):
/// the namespace of a request, `init_net` without `CONFIG_NET_NS`.
///
/// # Safety
///
/// `info` must point to a valid `genl_info`.
pub(super) unsafe fn genl_info_net(info: *const bindings::genl_info) -> *mut bindings::net {
    #[cfg(CONFIG_NET_NS)]
    // SAFETY: `info` is valid; `_net` is set before the handler runs and not changed while it
    // does (`rcu_dereference_protected(.., true)` in C).
    return unsafe { (*info)._net.net };
    #[cfg(not(CONFIG_NET_NS))]
    {
        let _ = info;
        // SAFETY: taking the address of a static does not read it.
        return unsafe { &raw mut bindings::init_net };
    }
}

/// `genl_info_dump()` and `genl_dumpit_info()`, `include/net/genetlink.h`: a dump's request.
///
/// # Safety
///
/// `cb` must point to the callback of a genetlink dump that `genl_start` set up.
pub(super) unsafe fn genl_info_dump(
    cb: *const bindings::netlink_callback,
) -> *const bindings::genl_info {
    // SAFETY: `genl_start` set `cb->data` to its `genl_dumpit_info` (function safety
    // requirements).
    unsafe { &raw const (*(*cb).data.cast::<bindings::genl_dumpit_info>()).info }
}

/// `__genlmsg_iput()`, `include/net/genetlink.h`: puts the headers of a message answering
/// `info` (or, for an `info` set up as [`genl_info_init_ntf`] does, of a notification).
///
/// # Safety
///
/// `skb` must point to a valid `sk_buff` and `info` to a valid `genl_info` of a registered
/// family, with a valid `genlhdr`.
pub(super) unsafe fn genlmsg_iput(
    skb: *mut bindings::sk_buff,
    info: *const bindings::genl_info,
    flags: c_int,
) -> *mut c_void {
    // SAFETY: as the function's safety requirements state.
    unsafe {
        bindings::genlmsg_put(
            skb,
            (*info).snd_portid,
            (*info).snd_seq,
            (*info).family,
            flags,
            (*(*info).genlhdr).cmd,
        )
    }
}

/// `genl_info_init_ntf()`, `include/net/genetlink.h`: a `genl_info` for a notification with
/// command `hdr.cmd` (port and sequence 0). The C version points `genlhdr` into the info
/// itself; here it points to `hdr`, which the caller keeps beside it.
pub(super) fn genl_info_init_ntf(
    family: *const bindings::genl_family,
    hdr: &mut bindings::genlmsghdr,
) -> bindings::genl_info {
    bindings::genl_info {
        family,
        genlhdr: hdr,
        ..Default::default()
    }
}

/// `genlmsg_nlhdr()`, `include/net/genetlink.h`: the netlink header of a message from its user
/// header (the pointer `genlmsg_put` returned).
///
/// # Safety
///
/// `user_hdr` must be a pointer `genlmsg_put` returned.
pub(super) unsafe fn genlmsg_nlhdr(user_hdr: *mut c_void) -> *mut bindings::nlmsghdr {
    // SAFETY: `genlmsg_put` returns the byte after the two headers it wrote.
    unsafe { user_hdr.cast::<u8>().sub(GENL_HDRLEN + NLMSG_HDRLEN).cast() }
}

/// `genl_dump_check_consistent()`, `include/net/genetlink.h`, and the
/// `nl_dump_check_consistent()` it calls, `include/net/netlink.h`.
///
/// # Safety
///
/// `cb` must be valid and `user_hdr` the user header of a message in the round's skb.
pub(super) unsafe fn genl_dump_check_consistent(
    cb: *mut bindings::netlink_callback,
    user_hdr: *mut c_void,
) {
    // SAFETY: as the function's safety requirements state.
    unsafe {
        let nlh = genlmsg_nlhdr(user_hdr);
        if (*cb).prev_seq != 0 && (*cb).seq != (*cb).prev_seq {
            // CAST: an `NLM_F_*` flag fits the 16-bit `nlmsg_flags`.
            (*nlh).nlmsg_flags |= bindings::NLM_F_DUMP_INTR as u16;
        }
        (*cb).prev_seq = (*cb).seq;
    }
}

/// `genlmsg_multicast_netns()`, `include/net/genetlink.h`, with the `nlmsg_multicast()` it
/// calls, `include/net/netlink.h`: consumes `skb`; 0, or `-ESRCH` when nobody received it.
///
/// # Safety
///
/// `family` must be registered, `net` live, and `skb` a finished netlink message we own.
pub(super) unsafe fn genlmsg_multicast_netns(
    family: *const bindings::genl_family,
    net: *mut bindings::net,
    skb: *mut bindings::sk_buff,
    portid: u32,
    group: u32,
    flags: bindings::gfp_t,
) -> c_int {
    // SAFETY: as the function's safety requirements state; `netlink_broadcast` consumes the
    // skb in every case, as `nlmsg_free` does for the out-of-range group.
    unsafe {
        if group >= (*family).n_mcgrps.into() {
            // The C version WARNs here; our callers check the group first.
            bindings::nlmsg_free(skb);
            // CAST: a small errno constant.
            return -(bindings::EINVAL as c_int);
        }
        let group = (*family).mcgrp_offset + group;
        (*netlink_cb(skb)).dst_group = group;
        let err = bindings::netlink_broadcast((*net).genl_sock, skb, portid, group, flags);
        err.min(0)
    }
}

/// `genlmsg_reply()` and the `genlmsg_unicast()` and `nlmsg_unicast()` it calls,
/// `include/net/genetlink.h` and `include/net/netlink.h`: sends `skb` to the sender of
/// `info`; consumes it.
///
/// # Safety
///
/// `info` must be a request's valid `genl_info` and `skb` a finished netlink message we own.
pub(super) unsafe fn genlmsg_reply(
    skb: *mut bindings::sk_buff,
    info: *const bindings::genl_info,
) -> c_int {
    // SAFETY: as the function's safety requirements state: the request's namespace is live
    // while it is served, and so is its `genl_sock`. `netlink_unicast` consumes the skb.
    unsafe {
        let net = genl_info_net(info);
        let err = bindings::netlink_unicast(
            (*net).genl_sock,
            skb,
            (*info).snd_portid,
            // CAST: a small flag constant.
            bindings::MSG_DONTWAIT as c_int,
        );
        err.min(0)
    }
}

/// `cond_resched()`, `include/linux/sched.h`: lets another task run if one is due, on a kernel
/// that does not preempt (`__might_resched` included, through [`kernel::task::might_sleep`]).
/// With `CONFIG_PREEMPT_DYNAMIC` the C macro goes through a static call that does nothing in
/// full-preemption mode; calling `__cond_resched` directly instead yields only when a
/// reschedule is due, which is as harmless. Must be called where sleeping is allowed.
pub fn cond_resched() {
    kernel::task::might_sleep();
    #[cfg(any(not(CONFIG_PREEMPTION), CONFIG_PREEMPT_DYNAMIC))]
    // SAFETY: may sleep, which `might_sleep` above checks is allowed here.
    unsafe {
        bindings::__cond_resched();
    }
}

/// `__genl_sk_priv_get()`, `net/netlink/genetlink.c` (not exported in 7.3, so mirrored here, as
/// are the static functions it and [`genl_sk_priv_get`] call): `sk`'s per-socket area of
/// `family`, null when the socket has none yet.
///
/// # Safety
///
/// `family` must be registered with a non-zero `sock_priv_size` (so its `sock_privs` is
/// allocated), and stay registered for the call.
pub(super) unsafe fn __genl_sk_priv_get(
    family: *const bindings::genl_family,
    sk: *const bindings::sock,
) -> *mut c_void {
    // SAFETY: `sock_privs` is the family's live xarray (function safety requirements), read
    // through `xa_load`, which takes the RCU read lock itself. The socket is only a key.
    unsafe { bindings::xa_load((*family).sock_privs, sk as usize as _) }
}

/// `genl_sk_priv_get()`, `net/netlink/genetlink.c` (not exported in 7.3): `sk`'s per-socket area
/// of `family`, allocated (`genl_sk_priv_alloc`: `kzalloc` of `sock_priv_size`, then
/// `sock_priv_init`) and inserted on first use. Of two callers racing to insert it, one frees
/// its area (`genl_sk_priv_free`: `sock_priv_destroy`, then `kfree`) and returns the other's.
/// The core frees the area (destroy, then `kfree`) when the socket is released or the family
/// unregistered.
///
/// # Safety
///
/// As [`__genl_sk_priv_get`]; and `sk` must not have been released yet (its entry would never
/// be freed until the family is unregistered, and a socket reusing its address would get it).
pub(super) unsafe fn genl_sk_priv_get(
    family: *const bindings::genl_family,
    sk: *const bindings::sock,
) -> Result<*mut c_void, kernel::error::Error> {
    // SAFETY: the caller's guarantees are `__genl_sk_priv_get`'s.
    let old = unsafe { __genl_sk_priv_get(family, sk) };
    if !old.is_null() {
        return Ok(old);
    }
    // SAFETY: `family` is valid (function safety requirements); `sock_priv_*` are immutable
    // after registration. `__kmalloc_noprof` with `__GFP_ZERO` is `kzalloc`; the area is handed
    // to `sock_priv_init` whole, as the core does.
    let (xa, area, destroy) = unsafe {
        let f = &*family;
        let area = bindings::__kmalloc_noprof(
            f.sock_priv_size,
            bindings::GFP_KERNEL | bindings::__GFP_ZERO,
        );
        if area.is_null() {
            return Err(kernel::error::code::ENOMEM);
        }
        if let Some(init) = f.sock_priv_init {
            init(area);
        }
        (f.sock_privs, area, f.sock_priv_destroy)
    };
    // SAFETY: `xa_cmpxchg()`, `include/linux/xarray.h`: `__xa_cmpxchg` under the xarray's lock
    // (which it may drop and retake to allocate, as `GFP_KERNEL` allows: we may sleep, as the
    // core's caller does). `xa` is the family's live xarray.
    let old = unsafe {
        bindings::xa_lock(xa);
        let old = bindings::__xa_cmpxchg(
            xa,
            sk as usize as _,
            core::ptr::null_mut(),
            area,
            bindings::GFP_KERNEL,
        );
        bindings::xa_unlock(xa);
        old
    };
    if old.is_null() {
        return Ok(area);
    }
    // SAFETY: `area` was not inserted, so it is ours alone: destroyed and freed as the core's
    // `genl_sk_priv_free` does.
    unsafe {
        if let Some(destroy) = destroy {
            destroy(area);
        }
        bindings::kfree(area);
    }
    // SAFETY: `xa_err` reads the value only (`xa_is_err` then the errno it encodes).
    let err = unsafe { bindings::xa_err(old) };
    if err != 0 {
        return Err(kernel::error::Error::from_errno(err));
    }
    // Another caller inserted the socket's area first.
    Ok(old)
}
