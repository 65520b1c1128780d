// SPDX-License-Identifier: GPL-2.0

//! Attribute policies, built in const context.
//!
//! A [`Policy`] is the array the core validates a request against before a handler runs
//! (`__nlmsg_parse` with `NL_VALIDATE_STRICT`): unknown attributes, wrong types and lengths,
//! out-of-range values and undefined flag bits are rejected with an extack message naming the
//! attribute. The controller reports the same tables through `CTRL_CMD_GETPOLICY`.
//!
//! C header: [`include/net/netlink.h`](srctree/include/net/netlink.h)

use kernel::bindings;

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

    /// A `u32` bit set: bits outside `mask` are rejected.
    pub const fn u32_mask(mask: u32) -> Self {
        let mut p = Self::u32();
        // CAST: as above.
        p.0.validation_type = bindings::nla_policy_validation_NLA_VALIDATE_MASK as u8;
        p.0.__bindgen_anon_1.mask = mask;
        p
    }

    /// A nest whose attributes follow `policy`.
    pub const fn nested<const N: usize>(policy: &'static Policy<N>) -> Self {
        // CAST: a policy's maxattr fits a `u16` (type invariant of `Policy`).
        // CAST: a policy's maxattr is at most `u16::MAX` (`Policy` invariant).
        let mut p = Self::with(bindings::NLA_NESTED, policy.maxattr() as u16);
        p.0.__bindgen_anon_1.nested_policy = policy.as_ptr();
        p
    }

    /// The `nla_policy` type of this attribute (`NLA_*`).
    pub const fn nla_type(&self) -> u32 {
        // CAST: widening.
        self.0.type_ as u32
    }
}

/// An inclusive range of an unsigned integer attribute: a `struct netlink_range_validation`.
#[repr(transparent)]
struct Range(bindings::netlink_range_validation);

impl Range {
    /// The range `min..=max`.
    const fn new(min: u64, max: u64) -> Self {
        Self(bindings::netlink_range_validation { min, max })
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
}
