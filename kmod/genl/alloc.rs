// SPDX-License-Identifier: GPL-2.0

//! Allocation flags the kernel crate does not offer.

use kernel::{alloc::Flags, bindings};

/// For memory a request stores on its sender's behalf: charged to the sender's memory cgroup
/// (`GFP_KERNEL_ACCOUNT`); at the cgroup's limit the allocation fails (`ENOMEM`) rather than
/// waking the cgroup's OOM killer (`__GFP_RETRY_MAYFAIL`), and quietly, so that a user cannot
/// fill the kernel log with allocation warnings (`__GFP_NOWARN`).
pub const GFP_STORE: Flags = flags_from_raw(
    bindings::GFP_KERNEL_ACCOUNT
        | (1 << bindings::___GFP_RETRY_MAYFAIL_BIT)
        | bindings::__GFP_NOWARN,
);

/// `Flags` from raw `gfp_t` bits: `kernel::alloc::Flags` has no public constructor.
const fn flags_from_raw(raw: bindings::gfp_t) -> Flags {
    const {
        assert!(core::mem::size_of::<Flags>() == core::mem::size_of::<bindings::gfp_t>());
        assert!(core::mem::align_of::<Flags>() == core::mem::align_of::<bindings::gfp_t>());
    };
    // SAFETY: `Flags` is a struct whose one field is the `gfp_t` bits (`struct Flags(u32)`,
    // `rust/kernel/alloc.rs`), of the same size and alignment (asserted above), and every bit
    // pattern is a valid `u32`. The `flags_round_trip` KUnit case checks that the kernel's own
    // constants come out equal.
    unsafe { core::mem::transmute::<bindings::gfp_t, Flags>(raw) }
}

#[kernel::macros::kunit_tests(genlkit_alloc)]
mod tests {
    use super::*;
    use kernel::alloc::flags;

    #[test]
    fn flags_round_trip() {
        assert!(flags_from_raw(bindings::GFP_KERNEL) == flags::GFP_KERNEL);
        assert!(flags_from_raw(bindings::GFP_KERNEL_ACCOUNT) == flags::GFP_KERNEL_ACCOUNT);
        assert!(
            flags_from_raw(bindings::GFP_KERNEL_ACCOUNT | bindings::__GFP_NOWARN)
                == flags::GFP_KERNEL_ACCOUNT | flags::__GFP_NOWARN
        );
    }
}
