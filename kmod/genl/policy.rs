// SPDX-License-Identifier: GPL-2.0

//! Attribute policies, built in const context.
//!
//! A [`Policy`] is the array the core validates a request against before a handler runs
//! (`__nlmsg_parse` with `NL_VALIDATE_STRICT`): unknown attributes, wrong types and lengths,
//! out-of-range values and undefined flag bits are rejected with an extack message naming the
//! attribute. The controller reports the same tables through `CTRL_CMD_GETPOLICY`.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)

use core::ffi::{c_int, CStr};
use kernel::{bindings, error::code::EINVAL};

use super::attrs::ExtAck;

/// The policy of one attribute: a `struct nla_policy`.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct AttrPolicy(bindings::nla_policy);

impl AttrPolicy {
    const fn with(type_: u32, len: u16) -> Self {
        let mut p: bindings::nla_policy = pin_init::zeroed();
        // CAST: the `NLA_*` types fit the `u8` `type`.
        p.type_ = type_ as u8;
        p.len = len;
        Self(p)
    }

    /// Not accepted: in a strict policy an attribute left `UNSPEC` is rejected.
    pub const UNSPEC: Self = Self::with(bindings::NLA_UNSPEC, 0);

    /// An 8-bit unsigned integer.
    pub const fn u8() -> Self {
        Self::with(bindings::NLA_U8, 0)
    }

    /// A 16-bit unsigned integer.
    pub const fn u16() -> Self {
        Self::with(bindings::NLA_U16, 0)
    }

    /// A 32-bit unsigned integer.
    pub const fn u32() -> Self {
        Self::with(bindings::NLA_U32, 0)
    }

    /// A 64-bit unsigned integer (sent with `nla_put_u64_64bit`, so 64-bit aligned).
    pub const fn u64() -> Self {
        Self::with(bindings::NLA_U64, 0)
    }

    /// A flag: present or absent, no payload.
    pub const fn flag() -> Self {
        Self::with(bindings::NLA_FLAG, 0)
    }

    /// A NUL-terminated string of at most `max_len` bytes before the NUL.
    pub const fn nul_string(max_len: u16) -> Self {
        Self::with(bindings::NLA_NUL_STRING, max_len)
    }

    /// Binary data of `min_len..=max_len` bytes.
    pub const fn binary(min_len: u16, max_len: u16) -> Self {
        let mut p = Self::with(bindings::NLA_BINARY, max_len);
        if min_len > 0 {
            // CAST: widening.
            if min_len > i16::MAX as u16 {
                panic!("binary min_len too large");
            }
            // CAST: the `NLA_VALIDATE_*` values fit the `u8` field.
            p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MIN as u8;
            p.0.__bindgen_anon_1.__bindgen_anon_1 =
                bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 {
                    // CAST: at most `i16::MAX`, checked above.
                    min: min_len as i16,
                    max: 0,
                };
        }
        p
    }

    /// An 8-bit signed integer.
    pub const fn s8() -> Self {
        Self::with(bindings::NLA_S8, 0)
    }

    /// A 16-bit signed integer.
    pub const fn s16() -> Self {
        Self::with(bindings::NLA_S16, 0)
    }

    /// A 32-bit signed integer.
    pub const fn s32() -> Self {
        Self::with(bindings::NLA_S32, 0)
    }

    /// A 64-bit signed integer.
    pub const fn s64() -> Self {
        Self::with(bindings::NLA_S64, 0)
    }

    /// An unsigned integer of 32 or 64 bits, as the sender chose (`NLA_UINT`).
    pub const fn uint() -> Self {
        Self::with(bindings::NLA_UINT, 0)
    }

    /// A signed integer of 32 or 64 bits, as the sender chose (`NLA_SINT`).
    pub const fn sint() -> Self {
        Self::with(bindings::NLA_SINT, 0)
    }

    /// A 16-bit unsigned integer in network byte order (`NLA_BE16`).
    pub const fn be16() -> Self {
        Self::with(bindings::NLA_BE16, 0)
    }

    /// A 32-bit unsigned integer in network byte order (`NLA_BE32`).
    pub const fn be32() -> Self {
        Self::with(bindings::NLA_BE32, 0)
    }

    /// A string of at most `max_len` bytes (0: any length), NUL-terminated or not
    /// (`NLA_STRING`; a trailing NUL is counted in `max_len`).
    pub const fn string(max_len: u16) -> Self {
        Self::with(bindings::NLA_STRING, max_len)
    }

    /// A `struct nla_bitfield32` whose value and selector set no bit outside `valid`
    /// (`NLA_POLICY_BITFIELD32`).
    pub const fn bitfield32(valid: u32) -> Self {
        let mut p = Self::with(bindings::NLA_BITFIELD32, 0);
        p.0.__bindgen_anon_1.bitfield32_valid = valid;
        p
    }

    /// Binary data of exactly `len` bytes (`NLA_POLICY_EXACT_LEN`).
    pub const fn exact_len(len: u16) -> Self {
        let len = Self::len_bound(len);
        Self::with(bindings::NLA_BINARY, 0).with_bounds(
            bindings::nla_policy_validation_NLA_VALIDATE_RANGE,
            len,
            len,
        )
    }

    /// Binary data of at least `len` bytes (`NLA_POLICY_MIN_LEN`).
    pub const fn min_len(len: u16) -> Self {
        Self::with(bindings::NLA_BINARY, 0).with_bounds(
            bindings::nla_policy_validation_NLA_VALIDATE_MIN,
            Self::len_bound(len),
            0,
        )
    }

    /// Binary data of at most `len` bytes (`NLA_POLICY_MAX_LEN`). The core reports no maximum
    /// for it through `CTRL_CMD_GETPOLICY` (it reports [`AttrPolicy::binary`]'s).
    pub const fn max_len(len: u16) -> Self {
        Self::with(bindings::NLA_BINARY, 0).with_bounds(
            bindings::nla_policy_validation_NLA_VALIDATE_MAX,
            0,
            Self::len_bound(len),
        )
    }

    /// A length as the `s16` bound of the union; panics (at build time) over `i16::MAX`.
    const fn len_bound(len: u16) -> i16 {
        // CAST: widening.
        if len > i16::MAX as u16 {
            panic!("policy: a length bound over i16::MAX (use AttrPolicy::binary)");
        }
        // CAST: at most `i16::MAX`, checked above.
        len as i16
    }

    /// The value must be at least `min` (`NLA_POLICY_MIN(tp, min)`): on an integer policy, its
    /// value; on a binary one, its length. Panics (at build time) on another type, on a policy
    /// that validates already, and on a negative `min` for an unsigned type.
    pub const fn min(self, min: i16) -> Self {
        self.with_bounds(bindings::nla_policy_validation_NLA_VALIDATE_MIN, min, 0)
    }

    /// The value must be at most `max` (`NLA_POLICY_MAX(tp, max)`); as [`AttrPolicy::min`].
    pub const fn max(self, max: i16) -> Self {
        self.with_bounds(bindings::nla_policy_validation_NLA_VALIDATE_MAX, 0, max)
    }

    /// The value must be in `min..=max` (`NLA_POLICY_RANGE(tp, min, max)`); as
    /// [`AttrPolicy::min`], and panics (at build time) when `min > max`.
    pub const fn range(self, min: i16, max: i16) -> Self {
        if min > max {
            panic!("policy: range with min > max");
        }
        self.with_bounds(bindings::nla_policy_validation_NLA_VALIDATE_RANGE, min, max)
    }

    /// An unsigned integer with no bit set outside `mask` (`NLA_POLICY_MASK(tp, mask)`).
    /// Panics (at build time) on another type and on a policy that validates already.
    pub const fn mask(self, mask: u32) -> Self {
        if !self.is_uint() {
            panic!("policy: a mask on other than an unsigned integer");
        }
        if self.0.validation_type != 0 {
            panic!("policy: one validation per attribute");
        }
        let mut p = self;
        // CAST: the `NLA_VALIDATE_*` values fit the `u8` field.
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MASK as u8;
        p.0.__bindgen_anon_1.mask = mask;
        p
    }

    /// `NLA_ENSURE_INT_OR_BINARY_TYPE` and the inline `s16` bounds of the union.
    const fn with_bounds(self, validation: u32, min: i16, max: i16) -> Self {
        // CAST: the `NLA_*` types, widened.
        let ty = self.0.type_ as u32;
        let unsigned = self.is_uint() || ty == bindings::NLA_BINARY;
        if !unsigned && !self.is_sint() {
            panic!("policy: bounds on other than an integer or binary");
        }
        if self.0.validation_type != 0 {
            panic!("policy: one validation per attribute");
        }
        // `nla_get_range_unsigned` WARNs on negative bounds of an unsigned type.
        if unsigned && (min < 0 || max < 0) {
            panic!("policy: a negative bound on an unsigned type");
        }
        let mut p = self;
        // CAST: the `NLA_VALIDATE_*` values fit the `u8` field.
        p.0.validation_type = validation as u8;
        p.0.__bindgen_anon_1.__bindgen_anon_1 =
            bindings::nla_policy__bindgen_ty_1__bindgen_ty_1 { min, max };
        p
    }

    /// `__NLA_IS_UINT_TYPE`.
    const fn is_uint(&self) -> bool {
        // CAST: the `NLA_*` types, widened.
        matches!(
            self.0.type_ as u32,
            bindings::NLA_U8
                | bindings::NLA_U16
                | bindings::NLA_U32
                | bindings::NLA_U64
                | bindings::NLA_UINT
                | bindings::NLA_BE16
                | bindings::NLA_BE32
        )
    }

    /// `__NLA_IS_SINT_TYPE`.
    const fn is_sint(&self) -> bool {
        // CAST: the `NLA_*` types, widened.
        matches!(
            self.0.type_ as u32,
            bindings::NLA_S8
                | bindings::NLA_S16
                | bindings::NLA_S32
                | bindings::NLA_S64
                | bindings::NLA_SINT
        )
    }

    /// An 8-bit unsigned integer in `MIN..=MAX`.
    pub const fn u8_range<const MIN: u8, const MAX: u8>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::u8().with_range(&const { Range::new(MIN as u64, MAX as u64) })
    }

    /// A 16-bit unsigned integer in `MIN..=MAX`.
    pub const fn u16_range<const MIN: u16, const MAX: u16>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::u16().with_range(&const { Range::new(MIN as u64, MAX as u64) })
    }

    /// A 32-bit unsigned integer in `MIN..=MAX`.
    pub const fn u32_range<const MIN: u32, const MAX: u32>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::u32().with_range(&const { Range::new(MIN as u64, MAX as u64) })
    }

    /// A 64-bit unsigned integer in `MIN..=MAX`.
    pub const fn u64_range<const MIN: u64, const MAX: u64>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        Self::u64().with_range(&const { Range::new(MIN, MAX) })
    }

    /// An `NLA_UINT` in `MIN..=MAX`.
    pub const fn uint_range<const MIN: u64, const MAX: u64>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        Self::uint().with_range(&const { Range::new(MIN, MAX) })
    }

    /// A big-endian 16-bit unsigned integer in `MIN..=MAX` (host order bounds).
    pub const fn be16_range<const MIN: u16, const MAX: u16>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::be16().with_range(&const { Range::new(MIN as u64, MAX as u64) })
    }

    /// A big-endian 32-bit unsigned integer in `MIN..=MAX` (host order bounds).
    pub const fn be32_range<const MIN: u32, const MAX: u32>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::be32().with_range(&const { Range::new(MIN as u64, MAX as u64) })
    }

    /// Restricts an unsigned integer attribute to `range` (`NLA_POLICY_FULL_RANGE`).
    ///
    /// Private, and called by the integer constructors only: the range shares a union with the
    /// nested policy pointer and the mask, and the core WARNs on ranges of other types.
    const fn with_range(self, range: &'static Range) -> Self {
        let mut p = self;
        // CAST: the `NLA_VALIDATE_*` values fit the `u8` field.
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.0.__bindgen_anon_1.range = &range.0;
        p
    }

    /// An 8-bit signed integer in `MIN..=MAX`.
    pub const fn s8_range<const MIN: i8, const MAX: i8>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::s8().with_signed_range(&const { SignedRange::new(MIN as i64, MAX as i64) })
    }

    /// A 16-bit signed integer in `MIN..=MAX`.
    pub const fn s16_range<const MIN: i16, const MAX: i16>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::s16().with_signed_range(&const { SignedRange::new(MIN as i64, MAX as i64) })
    }

    /// A 32-bit signed integer in `MIN..=MAX`.
    pub const fn s32_range<const MIN: i32, const MAX: i32>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        // CAST: widening.
        Self::s32().with_signed_range(&const { SignedRange::new(MIN as i64, MAX as i64) })
    }

    /// A 64-bit signed integer in `MIN..=MAX`.
    pub const fn s64_range<const MIN: i64, const MAX: i64>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        Self::s64().with_signed_range(&const { SignedRange::new(MIN, MAX) })
    }

    /// An `NLA_SINT` in `MIN..=MAX`.
    pub const fn sint_range<const MIN: i64, const MAX: i64>() -> Self {
        const { assert!(MIN <= MAX, "policy: range with MIN > MAX") };
        Self::sint().with_signed_range(&const { SignedRange::new(MIN, MAX) })
    }

    /// Restricts a signed integer attribute to `range` (`NLA_POLICY_FULL_RANGE_SIGNED`);
    /// private, as [`AttrPolicy::with_range`].
    const fn with_signed_range(self, range: &'static SignedRange) -> Self {
        let mut p = self;
        // CAST: the `NLA_VALIDATE_*` values fit the `u8` field.
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR as u8;
        p.0.__bindgen_anon_1.range_signed = &range.0;
        p
    }

    /// A `u32` bit set: bits outside `mask` are rejected (`NLA_POLICY_MASK(NLA_U32, mask)`).
    pub const fn u32_mask(mask: u32) -> Self {
        Self::u32().mask(mask)
    }

    /// A nest whose attributes follow `policy` (`NLA_POLICY_NESTED`).
    pub const fn nested<const N: usize>(policy: &'static Policy<N>) -> Self {
        // CAST: a policy's maxattr is at most `u16::MAX` (`Policy` invariant).
        let mut p = Self::with(bindings::NLA_NESTED, policy.maxattr() as u16);
        p.0.__bindgen_anon_1.nested_policy = policy.as_ptr();
        p
    }

    /// A nest of nests, each of whose attributes follow `policy`, the outer attribute types
    /// being indices (`NLA_POLICY_NESTED_ARRAY`).
    pub const fn nested_array<const N: usize>(policy: &'static Policy<N>) -> Self {
        // CAST: a policy's maxattr is at most `u16::MAX` (`Policy` invariant).
        let mut p = Self::with(bindings::NLA_NESTED_ARRAY, policy.maxattr() as u16);
        p.0.__bindgen_anon_1.nested_policy = policy.as_ptr();
        p
    }

    /// `self`, a string policy ([`AttrPolicy::nul_string`] or [`AttrPolicy::string`]), also
    /// rejecting a string shorter than `L::MIN` bytes (before any NUL) with `EINVAL` and
    /// `L::MSG`, the attribute reported: a validation function of the layer's
    /// (`NLA_POLICY_VALIDATE_FN`), as the core has no minimum for a string's length. Its type and
    /// maximum length stay as they were, and so does what the controller reports of it.
    /// Panics (at build time) on another type and on a policy that validates already.
    pub const fn min_str_len<L: StrMinLen>(self) -> Self {
        // CAST: the `NLA_*` types, widened.
        let ty = self.0.type_ as u32;
        if ty != bindings::NLA_NUL_STRING && ty != bindings::NLA_STRING {
            panic!("policy: a string's minimum length on other than a string");
        }
        if self.0.validation_type != 0 {
            panic!("policy: one validation per attribute");
        }
        let mut p = self;
        // CAST: the `NLA_VALIDATE_*` values fit the `u8` field.
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_FUNCTION as u8;
        p.0.__bindgen_anon_1.validate = Some(validate_str_min_len::<L>);
        p
    }

    /// The `nla_policy` type of this attribute (`NLA_*`).
    pub const fn nla_type(&self) -> u32 {
        // CAST: widening.
        self.0.type_ as u32
    }
}

/// A string attribute's minimum length (a spec's `min-len` on a `string`), which
/// [`AttrPolicy::min_str_len`] enforces: implemented by the generated code, one type per
/// attribute.
pub trait StrMinLen {
    /// The fewest bytes the string may have, its NUL not counted.
    const MIN: usize;
    /// The extack message for a shorter one, naming the attribute.
    const MSG: &'static CStr;
}

/// The validation function of [`AttrPolicy::min_str_len`]: `-EINVAL` when the string of `attr`
/// is shorter than `L::MIN` bytes (up to its first NUL, if any), with `L::MSG` and the
/// attribute set in `extack`.
///
/// # Safety
///
/// Called by the core only (`validate_nla` in `lib/nlattr.c`), with an attribute of a string
/// policy that passed its type's checks, so lies, `nla_len` bytes, inside the message; and
/// `extack` null or the request's, used by this thread only while the call runs.
unsafe extern "C" fn validate_str_min_len<L: StrMinLen>(
    attr: *const bindings::nlattr,
    extack: *mut bindings::netlink_ext_ack,
) -> c_int {
    const HDRLEN: usize = core::mem::size_of::<bindings::nlattr>();
    // SAFETY: `attr` and its `nla_len` bytes are inside the message (function safety
    // requirements); the core checked `nla_len >= NLA_HDRLEN` before validating it.
    let data = unsafe {
        let len = usize::from((*attr).nla_len).saturating_sub(HDRLEN);
        core::slice::from_raw_parts(attr.cast::<u8>().add(HDRLEN), len)
    };
    // Long enough exactly when its first `L::MIN` bytes are there and none of them is the NUL:
    // only those are read, not the whole string (the handler finds its end).
    let head = &data[..data.len().min(L::MIN)];
    if head.len() == L::MIN && !head.contains(&0) {
        return 0;
    }
    // SAFETY: null or the request's, ours while this runs (function safety requirements).
    unsafe { ExtAck::from_raw(extack) }.set(L::MSG, attr);
    EINVAL.to_errno()
}

/// A bound the kernel defines in a C header (a spec's `const` with `header:`, such as
/// `PAGE_SIZE`), as the type a policy keeps it in: built in const context, panics (at build
/// time) when the kernel's value does not fit, where C would truncate it.
pub struct KernelBound;

macro_rules! kernel_bounds {
    ($($name:ident: $t:ty),* $(,)?) => {
        impl KernelBound {
            $(
                #[doc = concat!("`v` as a `", stringify!($t), "` bound; panics if it does not fit.")]
                pub const fn $name(v: i128) -> $t {
                    // CAST: the type's bounds, widened.
                    if v < <$t>::MIN as i128 || v > <$t>::MAX as i128 {
                        panic!("policy: a kernel constant out of its bound's type");
                    }
                    // CAST: in the type's range, checked above.
                    v as $t
                }
            )*
        }
    };
}

kernel_bounds!(u8: u8, u16: u16, u32: u32, u64: u64, s8: i8, s16: i16, s32: i32, s64: i64);

/// An inclusive range of an unsigned integer attribute: a `struct netlink_range_validation`.
#[repr(transparent)]
struct Range(bindings::netlink_range_validation);

impl Range {
    /// The range `min..=max`.
    const fn new(min: u64, max: u64) -> Self {
        Self(bindings::netlink_range_validation { min, max })
    }
}

/// An inclusive range of a signed integer attribute: a `struct netlink_range_validation_signed`.
#[repr(transparent)]
struct SignedRange(bindings::netlink_range_validation_signed);

impl SignedRange {
    /// The range `min..=max`.
    const fn new(min: i64, max: i64) -> Self {
        Self(bindings::netlink_range_validation_signed { min, max })
    }
}

/// A policy table for attribute types `1..N`: a `struct nla_policy[N]`, `N - 1` being maxattr.
///
/// Types not given are `NLA_UNSPEC`, which strict validation rejects.
///
/// # Invariants
///
/// `1 <= N <= u16::MAX + 1`: there is a maxattr, and it fits an attribute type.
#[repr(transparent)]
pub struct Policy<const N: usize>([AttrPolicy; N]);

// SAFETY: A policy is immutable after const construction; the pointers it holds (nested
// policies, ranges) point to `'static` immutable data.
unsafe impl<const N: usize> Sync for Policy<N> {}

impl<const N: usize> Policy<N> {
    /// Builds the table from `(attribute type, policy)` pairs.
    ///
    /// Intended to be used from const context only: panics (at build time) on a type of 0 or
    /// `>= N`, or on a type given twice. `N` must be 1 (a policy that accepts no attribute) to
    /// `u16::MAX + 1`: `Policy<0>` does not build.
    pub const fn new(entries: &[(u16, AttrPolicy)]) -> Self {
        // `maxattr` is `N - 1`; attribute types and a nest's `len` (its maxattr) are 16-bit.
        const {
            assert!(
                N >= 1,
                "policy: Policy<0> has no attribute 0: an empty policy is Policy<1>"
            );
            // CAST: widening.
            assert!(N - 1 <= u16::MAX as usize, "policy: maxattr over u16::MAX");
        };
        let mut table = [AttrPolicy::UNSPEC; N];
        let mut set = [false; N];
        let mut i = 0;
        while i < entries.len() {
            let (ty, policy) = entries[i];
            // CAST: widening.
            let ty = ty as usize;
            if ty == 0 || ty >= N {
                panic!("policy: attribute type out of range");
            }
            if set[ty] {
                panic!("policy: attribute type given twice");
            }
            set[ty] = true;
            table[ty] = policy;
            i += 1;
        }
        // INVARIANT: `N` is asserted above.
        Self(table)
    }

    /// The highest attribute type this policy accepts.
    pub const fn maxattr(&self) -> u32 {
        // CAST: `1 <= N <= u16::MAX + 1` (type invariant).
        (N - 1) as u32
    }

    /// The policy of attribute type `ty`, if it is in the table.
    pub const fn get(&self, ty: u16) -> Option<&AttrPolicy> {
        // CAST: widening.
        if (ty as usize) < N {
            Some(&self.0[ty as usize])
        } else {
            None
        }
    }

    pub(super) const fn as_ptr(&self) -> *const bindings::nla_policy {
        self.0.as_ptr().cast()
    }
}

#[kernel::macros::kunit_tests(genlkit_policy)]
mod tests {
    use super::*;

    static RANGES: Policy<5> = Policy::new(&[
        (1, AttrPolicy::u8_range::<1, 200>()),
        (2, AttrPolicy::u16_range::<0, 40000>()),
        (3, AttrPolicy::u32_range::<7, 7>()),
        (4, AttrPolicy::u64_range::<2, { u64::MAX }>()),
    ]);

    #[test]
    fn typed_ranges_point_to_their_bounds() {
        for (ty, nla_type, min, max) in [
            (1, bindings::NLA_U8, 1, 200),
            (2, bindings::NLA_U16, 0, 40000),
            (3, bindings::NLA_U32, 7, 7),
            (4, bindings::NLA_U64, 2, u64::MAX),
        ] {
            let p = RANGES.get(ty).unwrap().0;
            assert_eq!(u32::from(p.type_), nla_type);
            assert_eq!(
                u32::from(p.validation_type),
                bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR
            );
            // SAFETY: a range policy's union holds a pointer to a `'static` range.
            let range = unsafe { &*p.__bindgen_anon_1.range };
            assert_eq!((range.min, range.max), (min, max));
        }
    }

    static PAGE: Policy<2> = Policy::new(&[(
        1,
        AttrPolicy::u32_range::<{ KernelBound::u32(kernel::page::PAGE_SIZE as i128) }, { u32::MAX }>(
        ),
    )]);

    /// A bound the kernel defines is the kernel's value, whatever the spec stands in for it.
    #[test]
    fn kernel_bounds_are_the_kernels() {
        let p = PAGE.get(1).unwrap().0;
        // SAFETY: a range policy's union holds a pointer to a `'static` range.
        let range = unsafe { &*p.__bindgen_anon_1.range };
        // CAST: widening.
        assert_eq!(range.min, kernel::page::PAGE_SIZE as u64);
        assert_eq!(KernelBound::s16(-3), -3);
        assert_eq!(KernelBound::u8(255), 255);
    }

    struct TwoBytes;

    /// Room for an attribute, aligned as one.
    #[repr(C, align(4))]
    struct Aligned([u8; 16]);

    impl StrMinLen for TwoBytes {
        const MIN: usize = 2;
        const MSG: &'static CStr = c"name is shorter than 2 bytes";
    }

    static STRINGS: Policy<3> = Policy::new(&[
        (1, AttrPolicy::nul_string(15).min_str_len::<TwoBytes>()),
        (2, AttrPolicy::string(0).min_str_len::<TwoBytes>()),
    ]);

    /// A string's `min-len`: checked by the policy's function, its length counted up to the
    /// first NUL; type and maximum left as the core reports them.
    #[test]
    fn string_min_len_is_checked_by_the_policy() {
        let p = STRINGS.get(1).unwrap().0;
        assert_eq!(u32::from(p.type_), bindings::NLA_NUL_STRING);
        assert_eq!(p.len, 15);
        assert_eq!(
            u32::from(p.validation_type),
            bindings::nla_policy_validation_NLA_VALIDATE_FUNCTION
        );
        for ty in [1, 2] {
            // SAFETY: a function policy's union holds the function.
            let validate = unsafe { STRINGS.get(ty).unwrap().0.__bindgen_anon_1.validate }.unwrap();
            for (payload, ok) in [
                (&b"ab\0"[..], true),
                (b"abc\0", true),
                (b"a\0", false),
                (b"\0", false),
                (b"a\0bc", false),
                (b"ab", true),
            ] {
                // An attribute: header, then its payload, 4-byte aligned.
                let mut buf = Aligned([0u8; 16]);
                // CAST: a few bytes.
                let nla_len = (4 + payload.len()) as u16;
                buf.0[..2].copy_from_slice(&nla_len.to_ne_bytes());
                buf.0[2..4].copy_from_slice(&ty.to_ne_bytes());
                buf.0[4..4 + payload.len()].copy_from_slice(payload);
                let mut extack: bindings::netlink_ext_ack = pin_init::zeroed();
                // SAFETY: `buf` holds an attribute of `nla_len` bytes; `extack` is ours.
                let ret = unsafe { validate(buf.0.as_ptr().cast(), &mut extack) };
                assert_eq!(ret, if ok { 0 } else { EINVAL.to_errno() });
                assert_eq!(extack._msg.is_null(), ok);
                assert_eq!(extack.bad_attr.is_null(), ok);
            }
        }
    }

    static CONSTRUCTORS: Policy<13> = Policy::new(&[
        (1, AttrPolicy::exact_len(16)),
        (2, AttrPolicy::min_len(4)),
        (3, AttrPolicy::max_len(300)),
        (4, AttrPolicy::u32().max(2)),
        (5, AttrPolicy::s32().min(-1)),
        (6, AttrPolicy::u16().range(1, 7)),
        (7, AttrPolicy::uint().mask(0x5)),
        (8, AttrPolicy::bitfield32(0x3)),
        (9, AttrPolicy::s64_range::<{ i64::MIN }, -40000>()),
        (10, AttrPolicy::be16()),
        (11, AttrPolicy::string(15)),
        (12, AttrPolicy::nested_array(&RANGES)),
    ]);

    /// The fields each constructor sets, as its `NLA_POLICY_*` macro of `netlink.h` does.
    #[test]
    fn constructors_set_what_their_macros_set() {
        let p = |ty: u16| CONSTRUCTORS.get(ty).unwrap().0;
        // (attribute, type, validation, inline min, inline max)
        for (ty, nla_type, validation, min, max) in [
            (
                1,
                bindings::NLA_BINARY,
                bindings::nla_policy_validation_NLA_VALIDATE_RANGE,
                16,
                16,
            ),
            (
                2,
                bindings::NLA_BINARY,
                bindings::nla_policy_validation_NLA_VALIDATE_MIN,
                4,
                0,
            ),
            (
                3,
                bindings::NLA_BINARY,
                bindings::nla_policy_validation_NLA_VALIDATE_MAX,
                0,
                300,
            ),
            (
                4,
                bindings::NLA_U32,
                bindings::nla_policy_validation_NLA_VALIDATE_MAX,
                0,
                2,
            ),
            (
                5,
                bindings::NLA_S32,
                bindings::nla_policy_validation_NLA_VALIDATE_MIN,
                -1,
                0,
            ),
            (
                6,
                bindings::NLA_U16,
                bindings::nla_policy_validation_NLA_VALIDATE_RANGE,
                1,
                7,
            ),
        ] {
            let p = p(ty);
            assert_eq!(u32::from(p.type_), nla_type);
            assert_eq!(u32::from(p.validation_type), validation);
            assert_eq!(p.len, 0);
            // SAFETY: these validation types keep their bounds inline, in this union member.
            let b = unsafe { p.__bindgen_anon_1.__bindgen_anon_1 };
            assert_eq!((b.min, b.max), (min, max));
        }
        let mask = p(7);
        assert_eq!(u32::from(mask.type_), bindings::NLA_UINT);
        assert_eq!(
            u32::from(mask.validation_type),
            bindings::nla_policy_validation_NLA_VALIDATE_MASK
        );
        // SAFETY: a mask policy's union holds the mask.
        assert_eq!(unsafe { mask.__bindgen_anon_1.mask }, 0x5);
        let bits = p(8);
        assert_eq!(u32::from(bits.type_), bindings::NLA_BITFIELD32);
        assert_eq!(bits.validation_type, 0);
        // SAFETY: a bitfield32 policy's union holds the valid bits.
        assert_eq!(unsafe { bits.__bindgen_anon_1.bitfield32_valid }, 0x3);
        let signed = p(9);
        assert_eq!(u32::from(signed.type_), bindings::NLA_S64);
        assert_eq!(
            u32::from(signed.validation_type),
            bindings::nla_policy_validation_NLA_VALIDATE_RANGE_PTR
        );
        // SAFETY: a signed range policy's union points to a `'static` signed range.
        let range = unsafe { &*signed.__bindgen_anon_1.range_signed };
        assert_eq!((range.min, range.max), (i64::MIN, -40000));
        assert_eq!(u32::from(p(10).type_), bindings::NLA_BE16);
        assert_eq!(
            (u32::from(p(11).type_), p(11).len),
            (bindings::NLA_STRING, 15)
        );
        let array = p(12);
        assert_eq!(u32::from(array.type_), bindings::NLA_NESTED_ARRAY);
        assert_eq!(u32::from(array.len), RANGES.maxattr());
        // SAFETY: a nested-array policy's union points to the nested policy.
        assert!(core::ptr::eq(
            unsafe { array.__bindgen_anon_1.nested_policy },
            RANGES.as_ptr()
        ));
    }
}
