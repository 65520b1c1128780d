// SPDX-License-Identifier: GPL-2.0

//! Messages being built: attributes, nests, and the owned message that is sent or cancelled.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)

use core::{
    ffi::c_void,
    mem::ManuallyDrop,
    ptr::{self, NonNull},
};
use kernel::{bindings, error::to_result, prelude::*};

use super::{family::Family, net::Net};

/// `NLA_HDRLEN`: the size of `struct nlattr`, already aligned.
const NLA_HDRLEN: usize = core::mem::size_of::<bindings::nlattr>();

/// Writes attributes at the tail of a netlink skb.
///
/// # Invariants
///
/// `skb` points to a valid `sk_buff` that holds a netlink message being built, and no one else
/// writes to it while this writer exists.
pub struct AttrWriter {
    skb: NonNull<bindings::sk_buff>,
}

impl AttrWriter {
    /// # Safety
    ///
    /// `skb` must be valid and exclusively ours to append to for the writer's lifetime.
    pub(crate) unsafe fn new(skb: NonNull<bindings::sk_buff>) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self { skb }
    }

    pub(crate) fn skb(&self) -> *mut bindings::sk_buff {
        self.skb.as_ptr()
    }

    /// The current end of the data: where the next attribute goes (`skb_tail_pointer`).
    fn tail(&self) -> *mut u8 {
        let skb = self.skb.as_ptr();
        // SAFETY: `skb` is valid (type invariant); on 64-bit `tail` is an offset from `head`
        // (`NET_SKBUFF_DATA_USES_OFFSET`) within the buffer.
        unsafe { (*skb).head.add((*skb).tail as usize) }
    }

    /// Cuts the message back to `mark`, a former [`Self::tail`] (`nlmsg_trim`).
    fn trim_to(&mut self, mark: *mut u8) {
        let skb = self.skb.as_ptr();
        // SAFETY: `skb` is valid (type invariant) and `mark` is a former tail of this skb, so it
        // lies between `data` and the current tail: the new length is the distance from `data`.
        unsafe {
            let len = mark.offset_from((*skb).data) as u32;
            bindings::skb_trim(skb, len);
        }
    }

    /// Puts an attribute with `data` as payload; `EMSGSIZE` when it does not fit.
    pub fn put_bytes(&mut self, ty: u16, data: &[u8]) -> Result {
        if data.len() > usize::from(u16::MAX) - NLA_HDRLEN {
            return Err(EMSGSIZE);
        }
        // SAFETY: `skb` is valid (type invariant); `data` is readable for `data.len()` bytes,
        // and a dangling pointer is never read for a zero length.
        to_result(unsafe {
            bindings::nla_put(
                self.skb(),
                ty.into(),
                data.len() as i32,
                data.as_ptr().cast(),
            )
        })
    }

    /// Puts a `u8` attribute.
    pub fn put_u8(&mut self, ty: u16, v: u8) -> Result {
        self.put_bytes(ty, &[v])
    }

    /// Puts a `u16` attribute (host byte order).
    pub fn put_u16(&mut self, ty: u16, v: u16) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Puts a `u32` attribute (host byte order).
    pub fn put_u32(&mut self, ty: u16, v: u32) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Puts a `u64` attribute, 64-bit aligned with a `pad` attribute when the architecture needs
    /// it (`nla_put_u64_64bit`).
    pub fn put_u64(&mut self, ty: u16, v: u64, pad: u16) -> Result {
        let bytes = v.to_ne_bytes();
        // SAFETY: `skb` is valid (type invariant); `bytes` is readable for 8 bytes.
        to_result(unsafe {
            bindings::nla_put_64bit(self.skb(), ty.into(), 8, bytes.as_ptr().cast(), pad.into())
        })
    }

    /// Puts a string attribute: `s` followed by a NUL (`NLA_NUL_STRING`).
    pub fn put_str(&mut self, ty: u16, s: &[u8]) -> Result {
        if s.len() + 1 > usize::from(u16::MAX) - NLA_HDRLEN {
            return Err(EMSGSIZE);
        }
        // SAFETY: `skb` is valid (type invariant); `nla_reserve` returns NULL or an attribute
        // with `s.len() + 1` writable payload bytes.
        let nla = unsafe { bindings::nla_reserve(self.skb(), ty.into(), (s.len() + 1) as i32) };
        if nla.is_null() {
            return Err(EMSGSIZE);
        }
        // SAFETY: the payload starts `NLA_HDRLEN` after `nla` and has `s.len() + 1` bytes, which
        // `s` (a different allocation) and the NUL fill exactly.
        unsafe {
            let payload = nla.cast::<u8>().add(NLA_HDRLEN);
            ptr::copy_nonoverlapping(s.as_ptr(), payload, s.len());
            *payload.add(s.len()) = 0;
        }
        Ok(())
    }

    /// Puts a flag attribute (no payload).
    pub fn put_flag(&mut self, ty: u16) -> Result {
        self.put_bytes(ty, &[])
    }

    /// Opens a nest: attributes written through the returned [`Nest`] go inside it.
    pub fn nest(&mut self, ty: u16) -> Result<Nest<'_>> {
        let start = self.tail();
        self.put_bytes(ty | bindings::NLA_F_NESTED as u16, &[])?;
        Ok(Nest {
            start: start.cast(),
            w: self,
            closed: false,
        })
    }
}

/// An open nested attribute (`nla_nest_start`); [`Nest::end`] closes it. Dropped without `end`,
/// the nest and everything in it is removed again (`nla_nest_cancel`).
///
/// # Invariants
///
/// `start` points to the nest's header inside the writer's skb.
pub struct Nest<'a> {
    w: &'a mut AttrWriter,
    start: *mut bindings::nlattr,
    closed: bool,
}

impl Nest<'_> {
    /// Closes the nest (`nla_nest_end`); `EMSGSIZE` when it grew past 64 KiB.
    pub fn end(mut self) -> Result {
        let len = (self.w.tail() as usize) - (self.start as usize);
        if len > usize::from(u16::MAX) {
            return Err(EMSGSIZE); // dropped: the nest is cancelled
        }
        // SAFETY: `start` points to the nest's header in the skb (type invariant), which we
        // still own through `w`.
        unsafe { (*self.start).nla_len = len as u16 };
        self.closed = true;
        Ok(())
    }
}

impl core::ops::Deref for Nest<'_> {
    type Target = AttrWriter;
    fn deref(&self) -> &AttrWriter {
        self.w
    }
}

impl core::ops::DerefMut for Nest<'_> {
    fn deref_mut(&mut self) -> &mut AttrWriter {
        self.w
    }
}

impl Drop for Nest<'_> {
    fn drop(&mut self) {
        if !self.closed {
            let start = self.start.cast();
            self.w.trim_to(start);
        }
    }
}

/// A Generic Netlink message with its own skb: a reply or a notification being built.
///
/// Dropped unsent, it is cancelled and freed.
///
/// # Invariants
///
/// `w` owns its skb (`genlmsg_new`), and `hdr` is the user header returned by `genlmsg_put` for
/// the message in it.
pub struct Message {
    w: AttrWriter,
    hdr: NonNull<c_void>,
}

impl Message {
    /// Allocates an skb with room for `payload` bytes and puts the netlink and genl headers.
    pub(crate) fn new(
        family: &'static Family,
        portid: u32,
        seq: u32,
        cmd: u8,
        flags: i32,
        payload: usize,
    ) -> Result<Self> {
        // SAFETY: `genlmsg_new` has no preconditions.
        let skb = unsafe { bindings::genlmsg_new(payload, bindings::GFP_KERNEL) };
        let skb = NonNull::new(skb).ok_or(ENOMEM)?;
        // SAFETY: `skb` is a fresh skb; `family` is a `'static` registered family.
        let hdr = unsafe {
            bindings::genlmsg_put(skb.as_ptr(), portid, seq, family.as_raw(), flags, cmd)
        };
        let Some(hdr) = NonNull::new(hdr) else {
            // SAFETY: we own `skb` and nothing refers to it.
            unsafe { bindings::nlmsg_free(skb.as_ptr()) };
            return Err(EMSGSIZE);
        };
        // INVARIANT: we own `skb`; `hdr` is its message's header.
        // SAFETY: we own `skb` exclusively.
        let w = unsafe { AttrWriter::new(skb) };
        Ok(Self { w, hdr })
    }

    /// Finishes the message (`genlmsg_end`) and hands the skb over to the caller.
    pub(crate) fn finish(self) -> *mut bindings::sk_buff {
        let me = ManuallyDrop::new(self);
        // SAFETY: `hdr` is the header of the message in our skb (type invariant).
        unsafe { bindings::genlmsg_end(me.w.skb(), me.hdr.as_ptr()) };
        me.w.skb()
    }

    /// Multicasts the message to `group` of `family` in `net` (`genlmsg_multicast_netns`).
    ///
    /// Returns `ESRCH` when nobody received it and `ENOBUFS` when some listener's queue was full.
    pub(crate) fn multicast(self, family: &'static Family, net: Net<'_>, group: u32) -> Result {
        if group >= family.n_mcgrps() {
            return Err(EINVAL);
        }
        let group = family.mcgrp_offset() + group;
        let skb = self.finish();
        // SAFETY: we own `skb` (`finish`), `cb` holds a `netlink_skb_parms` for netlink skbs
        // (`NETLINK_CB`), and `net` is live for the call, so is its `genl_sock`.
        // `netlink_broadcast` consumes the skb in every case.
        let err = unsafe {
            let parms = (*skb).cb.as_mut_ptr().cast::<bindings::netlink_skb_parms>();
            (*parms).dst_group = group;
            bindings::netlink_broadcast(
                (*net.as_ptr()).genl_sock,
                skb,
                0,
                group,
                bindings::GFP_KERNEL,
            )
        };
        to_result(err.min(0))
    }

    /// Sends the message to `portid` in `net` (`genlmsg_unicast`).
    pub(crate) fn unicast(self, net: Net<'_>, portid: u32) -> Result {
        let skb = self.finish();
        // SAFETY: we own `skb` (`finish`) and `netlink_unicast` consumes it; `net` is live for
        // the call, so is its `genl_sock`.
        let err = unsafe {
            bindings::netlink_unicast(
                (*net.as_ptr()).genl_sock,
                skb,
                portid,
                bindings::MSG_DONTWAIT as i32,
            )
        };
        to_result(err.min(0))
    }
}

impl core::ops::Deref for Message {
    type Target = AttrWriter;
    fn deref(&self) -> &AttrWriter {
        &self.w
    }
}

impl core::ops::DerefMut for Message {
    fn deref_mut(&mut self) -> &mut AttrWriter {
        &mut self.w
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        // SAFETY: we own the skb and `hdr` is its message's header (type invariant).
        unsafe {
            bindings::genlmsg_cancel(self.w.skb(), self.hdr.as_ptr());
            bindings::nlmsg_free(self.w.skb());
        }
    }
}
