// SPDX-License-Identifier: GPL-2.0

//! Typed, bounds-checked access to a request's attributes.
//!
//! The core has already validated the attributes against the operation's [`Policy`] before a
//! handler sees them; the accessors still check lengths, so a policy that is looser than the
//! handler's expectation produces an error, never an out-of-bounds read.
//!
//! [`Policy`]: super::Policy

use core::marker::PhantomData;
use kernel::{bindings, prelude::*};

const NLA_HDRLEN: usize = core::mem::size_of::<bindings::nlattr>();

/// Where a handler's error messages go: the request's `netlink_ext_ack`, if any.
///
/// # Invariants
///
/// `ptr` is null or points to the request's extack, valid and used only by this thread for `'a`.
#[derive(Clone, Copy)]
pub(super) struct ExtAck<'a> {
    ptr: *mut bindings::netlink_ext_ack,
    _req: PhantomData<&'a ()>,
}

impl<'a> ExtAck<'a> {
    /// # Safety
    ///
    /// `ptr` must be null or valid, and used by no other thread, for `'a`.
    pub(super) unsafe fn from_raw(ptr: *mut bindings::netlink_ext_ack) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            ptr,
            _req: PhantomData,
        }
    }

    /// Sets the message and the offending attribute (`NL_SET_ERR_MSG_ATTR`).
    pub(super) fn set(&self, msg: &'static CStr, bad_attr: *const bindings::nlattr) {
        if self.ptr.is_null() {
            return;
        }
        // SAFETY: non-null, so valid and ours for `'a` (type invariant). `msg` is `'static`, as
        // the core keeps the pointer, not a copy.
        unsafe {
            (*self.ptr)._msg = msg.as_char_ptr();
            (*self.ptr).bad_attr = bad_attr;
            (*self.ptr).policy = core::ptr::null();
        }
    }

    /// Records a missing attribute (`NL_SET_ERR_ATTR_MISS`) with a message.
    pub(super) fn set_missing(&self, ty: u16, msg: &'static CStr) {
        if self.ptr.is_null() {
            return;
        }
        // SAFETY: as in `set`.
        unsafe {
            (*self.ptr)._msg = msg.as_char_ptr();
            (*self.ptr).miss_type = ty;
            (*self.ptr).miss_nest = core::ptr::null();
        }
    }
}

/// The parsed attributes of a request, indexed by type.
///
/// # Invariants
///
/// `table` is null or points to `maxattr + 1` entries, each null or pointing to a validated
/// attribute inside the request, all valid for `'a`.
#[derive(Clone, Copy)]
pub struct Attrs<'a> {
    table: *const *mut bindings::nlattr,
    maxattr: u32,
    extack: ExtAck<'a>,
}

impl<'a> Attrs<'a> {
    /// # Safety
    ///
    /// `table` must be null or hold `maxattr + 1` entries as described in the type invariant.
    pub(super) unsafe fn from_raw(
        table: *const *mut bindings::nlattr,
        maxattr: u32,
        extack: ExtAck<'a>,
    ) -> Self {
        // INVARIANT: guaranteed by the caller.
        Self {
            table,
            maxattr,
            extack,
        }
    }

    /// The attribute of type `ty`, if the request carries it.
    pub fn get(&self, ty: u16) -> Option<Attr<'a>> {
        if self.table.is_null() || u32::from(ty) > self.maxattr {
            return None;
        }
        // SAFETY: `ty <= maxattr`, so the entry is in the table (type invariant).
        let nla = unsafe { *self.table.add(ty.into()) };
        if nla.is_null() {
            return None;
        }
        // SAFETY: non-null entries point to validated attributes valid for `'a`; the core
        // checked that the header and `nla_len` bytes lie inside the message.
        let data = unsafe {
            let len = usize::from((*nla).nla_len).saturating_sub(NLA_HDRLEN);
            core::slice::from_raw_parts(nla.cast::<u8>().add(NLA_HDRLEN), len)
        };
        Some(Attr {
            nla,
            ty,
            data,
            extack: self.extack,
        })
    }

    /// The attribute of type `ty`; `EINVAL` with the missing type reported when absent.
    pub fn required(&self, ty: u16) -> Result<Attr<'a>> {
        self.get(ty).ok_or_else(|| {
            self.extack.set_missing(ty, c"missing required attribute");
            EINVAL
        })
    }
}

/// One attribute of a request.
#[derive(Clone, Copy)]
pub struct Attr<'a> {
    nla: *const bindings::nlattr,
    ty: u16,
    data: &'a [u8],
    extack: ExtAck<'a>,
}

impl<'a> Attr<'a> {
    /// The attribute type.
    pub fn ty(&self) -> u16 {
        self.ty
    }

    /// The payload.
    pub fn bytes(&self) -> &'a [u8] {
        self.data
    }

    /// Rejects the request because of this attribute: `err`, with `msg` and the attribute's
    /// offset reported through extack.
    pub fn reject(&self, err: Error, msg: &'static CStr) -> Error {
        self.extack.set(msg, self.nla);
        err
    }

    fn fixed<const N: usize>(&self) -> Result<[u8; N]> {
        self.data
            .try_into()
            .map_err(|_| self.reject(EINVAL, c"invalid attribute length"))
    }

    /// The payload as a `u8`.
    pub fn u8(&self) -> Result<u8> {
        Ok(self.fixed::<1>()?[0])
    }

    /// The payload as a `u16` (host byte order).
    pub fn u16(&self) -> Result<u16> {
        Ok(u16::from_ne_bytes(self.fixed()?))
    }

    /// The payload as a `u32` (host byte order).
    pub fn u32(&self) -> Result<u32> {
        Ok(u32::from_ne_bytes(self.fixed()?))
    }

    /// The payload as a `u64` (host byte order).
    pub fn u64(&self) -> Result<u64> {
        Ok(u64::from_ne_bytes(self.fixed()?))
    }

    /// The payload of a NUL-terminated string, without the NUL.
    pub fn str_bytes(&self) -> Result<&'a [u8]> {
        match self.data.iter().position(|&b| b == 0) {
            Some(end) => Ok(&self.data[..end]),
            None => Err(self.reject(EINVAL, c"string attribute is not NUL-terminated")),
        }
    }
}

#[kernel::macros::kunit_tests(genlkit_attrs)]
mod tests {
    use super::*;

    /// A request of an op without a policy (an unvalidated dump) has no attribute table, as
    /// the core parses none: every attribute reads as absent, none as unvalidated bytes.
    #[test]
    fn without_a_table_no_attribute_is_found() {
        // SAFETY: a null table is allowed (type invariant); a null extack is never written.
        let attrs = unsafe {
            Attrs::from_raw(
                core::ptr::null(),
                0,
                ExtAck::from_raw(core::ptr::null_mut()),
            )
        };
        for ty in [0, 1, 2, u16::MAX] {
            assert!(attrs.get(ty).is_none());
        }
        assert_eq!(attrs.required(1).err(), Some(EINVAL));
    }
}
