// SPDX-License-Identifier: GPL-2.0

//! Typed, bounds-checked access to a request's attributes.
//!
//! The core has already validated the attributes against the operation's [`Policy`] before a
//! handler sees them, nests included when their policy names the nested set; the accessors
//! still check lengths, so a policy that is looser than the handler's expectation produces an
//! error, never an out-of-bounds read. A request's top-level attributes are found through the
//! table the core parsed them into; repeated (`multi-attr`) ones and a nest's are found by
//! walking their bytes (`nla_for_each_attr`), in safe code.
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

    /// Records a missing attribute (`NL_SET_ERR_ATTR_MISS`) with a message: of type `ty`,
    /// inside the nest `nest` (null at the top level).
    pub(super) fn set_missing(&self, nest: *const bindings::nlattr, ty: u16, msg: &'static CStr) {
        if self.ptr.is_null() {
            return;
        }
        // SAFETY: as in `set`; `nest`, when not null, lies in the request, as the core requires
        // of `miss_nest` to report its offset.
        unsafe {
            (*self.ptr)._msg = msg.as_char_ptr();
            (*self.ptr).miss_type = ty;
            (*self.ptr).miss_nest = nest;
        }
    }
}

/// The attributes of a request, or of one of its nests.
///
/// # Invariants
///
/// `table` is null or points to `maxattr + 1` entries, each null or pointing to a validated
/// attribute inside the request, all valid for `'a`. `stream` is the attributes' bytes (the
/// request's payload, or the nest's). `in_nest` tells a nest's attributes from a request's top
/// level; `nest` is then the nest's header inside the request, for extack.
#[derive(Clone, Copy)]
pub struct Attrs<'a> {
    table: *const *mut bindings::nlattr,
    maxattr: u32,
    stream: &'a [u8],
    in_nest: bool,
    nest: *const bindings::nlattr,
    extack: ExtAck<'a>,
}

impl<'a> Attrs<'a> {
    /// # Safety
    ///
    /// `table` must be null or hold `maxattr + 1` entries as described in the type invariant,
    /// parsed from `stream`.
    pub(super) unsafe fn from_raw(
        table: *const *mut bindings::nlattr,
        maxattr: u32,
        stream: &'a [u8],
        extack: ExtAck<'a>,
    ) -> Self {
        // INVARIANT: guaranteed by the caller; this is the top level.
        Self {
            table,
            maxattr,
            stream,
            in_nest: false,
            nest: core::ptr::null(),
            extack,
        }
    }

    /// The attribute of type `ty`, if present: the last one of that type, as `nla_parse` keeps.
    pub fn get(&self, ty: u16) -> Option<Attr<'a>> {
        if self.in_nest {
            return self.all(ty).last();
        }
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

    /// The attribute of type `ty`; `EINVAL` when absent, with the missing type (and the nest
    /// it is missing from) reported through extack.
    pub fn required(&self, ty: u16) -> Result<Attr<'a>> {
        self.get(ty).ok_or_else(|| {
            let msg = if self.in_nest {
                c"missing required attribute in nest"
            } else {
                c"missing required attribute"
            };
            self.extack.set_missing(self.nest, ty, msg);
            EINVAL
        })
    }

    /// Every attribute of type `ty`, in order: a `multi-attr` attribute's values.
    pub fn all(&self, ty: u16) -> impl Iterator<Item = Attr<'a>> + use<'a> {
        self.iter().filter(move |a| a.ty == ty)
    }

    /// Every attribute, in order (`nla_for_each_attr`).
    pub fn iter(&self) -> AttrIter<'a> {
        // Without a table the core parsed nothing: no attribute of an unvalidated request is
        // handed out. A nest has none, its bytes were validated with its parent's.
        let rest = if self.table.is_null() && !self.in_nest {
            &[]
        } else {
            self.stream
        };
        AttrIter {
            rest,
            extack: self.extack,
        }
    }
}

/// One attribute of a set, read as `T`: what the generated accessors return
/// (`nl_gen.rs`, one per attribute of each request and attribute set).
#[derive(Clone, Copy)]
pub struct Field<'a, T> {
    attrs: Attrs<'a>,
    ty: u16,
    read: fn(&Attr<'a>) -> Result<T>,
}

impl<'a, T> Field<'a, T> {
    /// Attribute `ty` of `attrs`, read with `read`.
    pub const fn new(attrs: Attrs<'a>, ty: u16, read: fn(&Attr<'a>) -> Result<T>) -> Self {
        Self { attrs, ty, read }
    }

    /// Its value, if present (the last one, for a repeated attribute).
    pub fn get(&self) -> Result<Option<T>> {
        self.attrs.get(self.ty).map(|a| (self.read)(&a)).transpose()
    }

    /// Its value; `EINVAL` when absent, reported as missing (`miss_type`, and `miss_nest` for
    /// a nest's attribute).
    pub fn required(&self) -> Result<T> {
        (self.read)(&self.attrs.required(self.ty)?)
    }

    /// Every value, in order: a `multi-attr` attribute's.
    pub fn all(&self) -> impl Iterator<Item = Result<T>> + use<'a, T> {
        let read = self.read;
        self.attrs.all(self.ty).map(move |a| read(&a))
    }

    /// The attribute itself, if present.
    pub fn attr(&self) -> Option<Attr<'a>> {
        self.attrs.get(self.ty)
    }

    /// Rejects the request because of this attribute: `err` and `msg`, with the attribute's
    /// offset when present (else the missing type).
    pub fn reject(&self, err: Error, msg: &'static CStr) -> Error {
        match self.attrs.get(self.ty) {
            Some(a) => a.reject(err, msg),
            None => {
                self.attrs.extack.set_missing(self.attrs.nest, self.ty, msg);
                err
            }
        }
    }
}

/// The attributes in a stream of them, in order (`nla_for_each_attr`); stops at the first
/// one that does not fit what is left (`nla_ok`).
pub struct AttrIter<'a> {
    rest: &'a [u8],
    extack: ExtAck<'a>,
}

impl<'a> Iterator for AttrIter<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        let rest = self.rest;
        let hdr = rest.get(..NLA_HDRLEN)?;
        let len = usize::from(u16::from_ne_bytes([hdr[0], hdr[1]]));
        // `NLA_TYPE_MASK`: the nested and byte-order flags are not part of the type.
        // CAST: the mask keeps the low 14 bits.
        let ty = u16::from_ne_bytes([hdr[2], hdr[3]]) & bindings::NLA_TYPE_MASK as u16;
        let data = rest.get(NLA_HDRLEN..len)?;
        // `nla_next`: the next attribute starts at the aligned end of this one.
        self.rest = rest.get(len.next_multiple_of(4)..).unwrap_or(&[]);
        Some(Attr {
            nla: rest.as_ptr().cast(),
            ty,
            data,
            extack: self.extack,
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

    /// The payload as an `i8`.
    pub fn i8(&self) -> Result<i8> {
        Ok(i8::from_ne_bytes(self.fixed()?))
    }

    /// The payload as an `i16` (host byte order).
    pub fn i16(&self) -> Result<i16> {
        Ok(i16::from_ne_bytes(self.fixed()?))
    }

    /// The payload as an `i32` (host byte order).
    pub fn i32(&self) -> Result<i32> {
        Ok(i32::from_ne_bytes(self.fixed()?))
    }

    /// The payload as an `i64` (host byte order).
    pub fn i64(&self) -> Result<i64> {
        Ok(i64::from_ne_bytes(self.fixed()?))
    }

    /// The payload as a big-endian `u16` (`byte-order: big-endian`).
    pub fn be16(&self) -> Result<u16> {
        Ok(u16::from_be_bytes(self.fixed()?))
    }

    /// The payload as a big-endian `u32` (`byte-order: big-endian`).
    pub fn be32(&self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.fixed()?))
    }

    /// The payload as a big-endian `u64` (`byte-order: big-endian`).
    pub fn be64(&self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.fixed()?))
    }

    /// A `uint` attribute's value: 4 or 8 bytes (`nla_get_uint`).
    pub fn uint(&self) -> Result<u64> {
        match self.data.len() {
            4 => self.u32().map(u64::from),
            _ => self.u64(),
        }
    }

    /// A `sint` attribute's value: 4 or 8 bytes (`nla_get_sint`).
    pub fn sint(&self) -> Result<i64> {
        match self.data.len() {
            4 => self.i32().map(i64::from),
            _ => self.i64(),
        }
    }

    /// The attributes inside this nest. A missing one is reported with this nest as
    /// `miss_nest`.
    pub fn nested(&self) -> Attrs<'a> {
        // INVARIANT: a nest's attributes are found by walking its payload; `nla` is its header.
        Attrs {
            table: core::ptr::null(),
            maxattr: 0,
            stream: self.data,
            in_nest: true,
            nest: self.nla,
            extack: self.extack,
        }
    }

    /// The payload of a string that may lack its NUL (`unterminated-ok`): up to the first NUL,
    /// or all of it.
    pub fn str_bytes_unterminated(&self) -> Result<&'a [u8]> {
        let end = self
            .data
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.data.len());
        Ok(&self.data[..end])
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
        let stream = [8, 0, 1, 0, 7, 0, 0, 0];
        // SAFETY: a null table is allowed (type invariant); a null extack is never written.
        let attrs = unsafe {
            Attrs::from_raw(
                core::ptr::null(),
                0,
                &stream,
                ExtAck::from_raw(core::ptr::null_mut()),
            )
        };
        for ty in [0, 1, 2, u16::MAX] {
            assert!(attrs.get(ty).is_none());
        }
        assert_eq!(attrs.required(1).err(), Some(EINVAL));
        assert_eq!(attrs.iter().count(), 0);
    }

    /// A nest's attributes are found by walking its bytes: repeated ones in order, the last one
    /// by `get`, flag bits out of the type, and a truncated tail ignored.
    #[test]
    fn a_nest_is_walked() {
        #[rustfmt::skip]
        let payload: [u8; 36] = [
            8, 0, 1, 0, 7, 0, 0, 0,                 // u32 1: 7
            6, 0, 2, 0x80, 0x22, 0x11, 0, 0,        // u16 2 (NLA_F_NESTED set): 0x1122, padded
            8, 0, 1, 0, 9, 0, 0, 0,                 // u32 1 again: 9
            7, 0, 3, 0, b'a', b'b', 0, 0,           // string 3: "ab", padded
            12, 0, 4, 0,                            // header of an attribute cut short
        ];
        // SAFETY: a null extack is never written.
        let extack = unsafe { ExtAck::from_raw(core::ptr::null_mut()) };
        let nest = Attr {
            nla: core::ptr::null(),
            ty: 5,
            data: &payload,
            extack,
        }
        .nested();
        // No allocation: a failed assertion ends the test's thread without dropping anything.
        let (mut ones, mut n) = ([0u32; 4], 0);
        for a in nest.all(1) {
            ones[n] = a.u32().unwrap();
            n += 1;
        }
        assert_eq!(&ones[..n], &[7, 9]);
        assert_eq!(nest.get(1).unwrap().u32(), Ok(9));
        assert_eq!(nest.get(2).unwrap().u16(), Ok(0x1122));
        assert_eq!(nest.get(3).unwrap().str_bytes(), Ok(&b"ab"[..]));
        assert_eq!(nest.get(3).unwrap().u32(), Err(EINVAL)); // 3 bytes
        assert!(nest.get(4).is_none());
        assert_eq!(nest.iter().count(), 4);
        assert_eq!(nest.required(6).err(), Some(EINVAL));
    }

    /// `uint` and `sint` take 4 or 8 bytes.
    #[test]
    fn variable_width_integers() {
        // SAFETY: a null extack is never written.
        let extack = unsafe { ExtAck::from_raw(core::ptr::null_mut()) };
        let attr = |data: &'static [u8]| Attr {
            nla: core::ptr::null(),
            ty: 1,
            data,
            extack,
        };
        assert_eq!(attr(&[1, 0, 0, 0]).uint(), Ok(1));
        assert_eq!(attr(&[0, 0, 0, 0, 1, 0, 0, 0]).uint(), Ok(1 << 32));
        assert_eq!(attr(&[0xff; 4]).sint(), Ok(-1));
        assert_eq!(
            attr(&[0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).sint(),
            Ok(-2)
        );
        assert_eq!(attr(&[1, 2]).uint(), Err(EINVAL));
        assert_eq!(attr(&[0, 1]).be16(), Ok(1));
    }
}
