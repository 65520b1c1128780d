// SPDX-License-Identifier: GPL-2.0

//! Messages being built: attributes, nests, and the owned message that is sent or cancelled.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)

use core::{
    ffi::c_void,
    marker::PhantomData,
    mem::ManuallyDrop,
    ptr::{self, NonNull},
};
use kernel::{bindings, error::to_result, prelude::*};

use super::inlines;

/// `NLA_HDRLEN`: the size of `struct nlattr`, already aligned.
const NLA_HDRLEN: usize = core::mem::size_of::<bindings::nlattr>();

/// `nla_total_size()`: the room an attribute with `payload` bytes takes in a message.
pub const fn nla_total_size(payload: usize) -> usize {
    (NLA_HDRLEN + payload).next_multiple_of(4)
}

/// `nla_total_size_64bit()`: as [`nla_total_size`], plus the `pad` attribute that may align a
/// 64-bit payload where unaligned access is not efficient.
pub const fn nla_total_size_64bit(payload: usize) -> usize {
    let pad = if cfg!(CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS) {
        0
    } else {
        nla_total_size(0)
    };
    nla_total_size(payload) + pad
}

pub(super) mod private {
    use super::*;

    /// Seals [`AttrWriter`]: only the owners of a message being built implement it.
    ///
    /// # Safety
    ///
    /// [`Sealed::skb`] returns the same valid `sk_buff` for as long as the value lives; it holds
    /// a netlink message being built that ends at the skb's tail, and while the value is
    /// borrowed mutably nothing but the borrower appends to it or trims it.
    pub unsafe trait Sealed {
        /// The skb attributes are written to.
        fn skb(&self) -> NonNull<bindings::sk_buff>;
    }
}

/// Writes attributes at the tail of a message being built: implemented by [`Message`],
/// [`DumpEntry`](super::DumpEntry) and [`Nest`], and by nothing else.
///
/// Helpers that fill in a message take `&mut impl AttrWriter`. The owners hand out no `&mut`
/// to a bare skb pointer, so an skb cannot be swapped into another owner's place: each keeps the
/// skb it was built on until it is sent, kept, closed or cancelled.
pub trait AttrWriter: private::Sealed {
    /// Puts an attribute with `data` as payload; `EMSGSIZE` when it does not fit.
    fn put_bytes(&mut self, ty: u16, data: &[u8]) -> Result {
        if data.len() > usize::from(u16::MAX) - NLA_HDRLEN {
            return Err(EMSGSIZE);
        }
        // SAFETY: the skb is valid and ours to append to while `self` is borrowed mutably
        // (`Sealed`); `data` is readable for `data.len()` bytes, and a dangling pointer is never
        // read for a zero length.
        to_result(unsafe {
            bindings::nla_put(
                self.skb().as_ptr(),
                ty.into(),
                // CAST: at most `u16::MAX`, checked above.
                data.len() as i32,
                data.as_ptr().cast(),
            )
        })
    }

    /// Puts a `u8` attribute.
    fn put_u8(&mut self, ty: u16, v: u8) -> Result {
        self.put_bytes(ty, &[v])
    }

    /// Puts a `u16` attribute (host byte order).
    fn put_u16(&mut self, ty: u16, v: u16) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Puts a `u32` attribute (host byte order).
    fn put_u32(&mut self, ty: u16, v: u32) -> Result {
        self.put_bytes(ty, &v.to_ne_bytes())
    }

    /// Puts a `u64` attribute, 64-bit aligned with a `pad` attribute when the architecture needs
    /// it (`nla_put_u64_64bit`).
    fn put_u64(&mut self, ty: u16, v: u64, pad: u16) -> Result {
        let bytes = v.to_ne_bytes();
        // SAFETY: the skb is valid and ours to append to while `self` is borrowed mutably
        // (`Sealed`); `bytes` is readable for 8 bytes.
        to_result(unsafe {
            bindings::nla_put_64bit(
                self.skb().as_ptr(),
                ty.into(),
                8,
                bytes.as_ptr().cast(),
                pad.into(),
            )
        })
    }

    /// Puts a `uint` attribute: 4 bytes when the value fits, else 8, 64-bit aligned
    /// (`nla_put_uint`).
    fn put_uint(&mut self, ty: u16, v: u64, pad: u16) -> Result {
        match u32::try_from(v) {
            Ok(v) => self.put_u32(ty, v),
            Err(_) => self.put_u64(ty, v, pad),
        }
    }

    /// Puts a `sint` attribute: 4 bytes when the value fits, else 8, 64-bit aligned
    /// (`nla_put_sint`).
    fn put_sint(&mut self, ty: u16, v: i64, pad: u16) -> Result {
        match i32::try_from(v) {
            Ok(v) => self.put_bytes(ty, &v.to_ne_bytes()),
            // CAST: the same bits, read back as `i64` by `nla_get_sint`.
            Err(_) => self.put_u64(ty, v as u64, pad),
        }
    }

    /// Puts a string attribute: `s` followed by a NUL (`NLA_NUL_STRING`).
    fn put_str(&mut self, ty: u16, s: &[u8]) -> Result {
        if s.len() + 1 > usize::from(u16::MAX) - NLA_HDRLEN {
            return Err(EMSGSIZE);
        }
        // CAST: at most `u16::MAX`, checked above.
        let len = (s.len() + 1) as i32;
        // SAFETY: the skb is valid and ours to append to while `self` is borrowed mutably
        // (`Sealed`); `nla_reserve` returns NULL or an attribute with `s.len() + 1` writable
        // payload bytes.
        let nla = unsafe { bindings::nla_reserve(self.skb().as_ptr(), ty.into(), len) };
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
    fn put_flag(&mut self, ty: u16) -> Result {
        self.put_bytes(ty, &[])
    }

    /// Opens a nest: attributes written through the returned [`Nest`] go inside it.
    fn nest(&mut self, ty: u16) -> Result<Nest<'_>> {
        let skb = self.skb();
        // SAFETY: the skb is valid and ours to append to while `self` is borrowed mutably
        // (`Sealed`).
        let start = unsafe { inlines::nla_nest_start(skb.as_ptr(), ty) };
        let start = NonNull::new(start).ok_or(EMSGSIZE)?;
        // INVARIANT: `nla_nest_start` just put the nest's header, `start`, at the end of the
        // message in the skb that `self`, borrowed mutably for the nest's lifetime, appends to.
        Ok(Nest {
            skb,
            start,
            closed: false,
            _writer: PhantomData,
        })
    }
}

/// An open nested attribute (`nla_nest_start`); [`Nest::end`] closes it. Dropped without `end`,
/// the nest and everything in it is removed again (`nla_nest_cancel`).
///
/// # Invariants
///
/// `skb` is the skb of the writer the nest was opened on, which it borrows mutably for `'a`: so
/// only the nest (and nests opened on it) append to `skb` while it lives. `start` points to the
/// nest's header inside `skb`, between its data and its tail.
pub struct Nest<'a> {
    skb: NonNull<bindings::sk_buff>,
    start: NonNull<bindings::nlattr>,
    closed: bool,
    _writer: PhantomData<&'a mut ()>,
}

impl Nest<'_> {
    /// Closes the nest (`nla_nest_end`); `EMSGSIZE` when it grew past 64 KiB, and the nest and
    /// what it holds are removed.
    pub fn end(mut self) -> Result {
        // SAFETY: `skb` is valid and `start` the nest's header in it (type invariant), which no
        // one else writes while the nest lives.
        let ret = unsafe { inlines::nla_nest_end_safe(self.skb.as_ptr(), self.start.as_ptr()) };
        // Dropped on error: the nest is cancelled.
        to_result(ret)?;
        self.closed = true;
        Ok(())
    }
}

// SAFETY: `skb` is the writer's skb, valid and appended to only through the nest while it
// lives (type invariant); the nest's header lies in it, so the message still ends at the tail.
unsafe impl private::Sealed for Nest<'_> {
    fn skb(&self) -> NonNull<bindings::sk_buff> {
        self.skb
    }
}

impl AttrWriter for Nest<'_> {}

// SAFETY: `W`'s skb, valid while `W` lives, which outlives the borrow; `W` is borrowed mutably,
// so only the borrower appends to it meanwhile.
unsafe impl<W: private::Sealed> private::Sealed for &mut W {
    fn skb(&self) -> NonNull<bindings::sk_buff> {
        (**self).skb()
    }
}

/// A writer borrowed mutably is a writer: generated attribute-set writers wrap either.
impl<W: AttrWriter> AttrWriter for &mut W {}

impl Drop for Nest<'_> {
    fn drop(&mut self) {
        if !self.closed {
            // SAFETY: `skb` is valid and `start` lies in its data, at or after `data` and at or
            // before the tail (type invariant).
            unsafe { inlines::nla_nest_cancel(self.skb.as_ptr(), self.start.as_ptr()) };
        }
    }
}

/// A Generic Netlink message with its own skb: a reply or a notification being built.
///
/// Dropped unsent, it is cancelled and freed.
///
/// # Invariants
///
/// `skb` is owned by the message (`genlmsg_new`), and `hdr` is the user header returned by
/// `genlmsg_put` for the message in it, the last one in the skb.
pub struct Message {
    skb: NonNull<bindings::sk_buff>,
    hdr: NonNull<c_void>,
}

impl Message {
    /// Allocates an skb with room for `payload` bytes and puts the headers of a message
    /// answering `info` (`genlmsg_iput`): a reply to a request, or a notification when `info`
    /// is set up by `genl_info_init_ntf`.
    pub(super) fn new(info: &bindings::genl_info, payload: usize) -> Result<Self> {
        // SAFETY: `genlmsg_new` has no preconditions.
        let skb = unsafe { bindings::genlmsg_new(payload, bindings::GFP_KERNEL) };
        let skb = NonNull::new(skb).ok_or(ENOMEM)?;
        // SAFETY: `skb` is a fresh skb; `info` is valid, of a registered family, with a valid
        // `genlhdr`.
        let hdr = unsafe { inlines::genlmsg_iput(skb.as_ptr(), info, 0) };
        let Some(hdr) = NonNull::new(hdr) else {
            // SAFETY: we own `skb` and nothing refers to it.
            unsafe { bindings::nlmsg_free(skb.as_ptr()) };
            return Err(EMSGSIZE);
        };
        // INVARIANT: we own `skb`; `hdr` is its message's header.
        Ok(Self { skb, hdr })
    }

    /// Finishes the message (`genlmsg_end`) and hands the skb over to the caller.
    pub(super) fn finish(self) -> *mut bindings::sk_buff {
        let me = ManuallyDrop::new(self);
        // SAFETY: `hdr` is the header of the message in our skb (type invariant).
        unsafe { bindings::genlmsg_end(me.skb.as_ptr(), me.hdr.as_ptr()) };
        me.skb.as_ptr()
    }

    /// Sends the message to the sender of the request `info` (`genlmsg_reply`).
    ///
    /// # Safety
    ///
    /// `info` must be the `genl_info` of a request being served.
    pub(super) unsafe fn reply(self, info: &bindings::genl_info) -> Result {
        let skb = self.finish();
        // SAFETY: we own `skb` (`finish`); `info` is a request being served (function safety
        // requirements).
        to_result(unsafe { inlines::genlmsg_reply(skb, info) })
    }
}

// SAFETY: the message owns `skb` (type invariant), which only it writes to; its message is the
// last one in the skb, so it ends at the tail.
unsafe impl private::Sealed for Message {
    fn skb(&self) -> NonNull<bindings::sk_buff> {
        self.skb
    }
}

impl AttrWriter for Message {}

impl Drop for Message {
    fn drop(&mut self) {
        // SAFETY: we own the skb and `hdr` is its message's header (type invariant).
        unsafe {
            bindings::genlmsg_cancel(self.skb.as_ptr(), self.hdr.as_ptr());
            bindings::nlmsg_free(self.skb.as_ptr());
        }
    }
}
