// SPDX-License-Identifier: GPL-2.0

//! kvstore: a key-value store per network namespace, served over Generic Netlink.
//!
//! The genlkit example family: `specs/kvstore.yaml` is its contract, [`nl_gen`] its tables
//! (generated from the spec), [`handlers`] its operations, [`store`] its data, and [`genl`] the
//! safe layer they stand on.

// The genl layer is shared by the families of this kit: each module compiles it in.
#![deny(unsafe_code)] // family code is safe Rust: `unsafe` only in the genl layer

#[path = "../genl/mod.rs"]
#[allow(unsafe_code)] // the layer is where all of the module's `unsafe` lives
mod genl;
mod handlers;
// Generated from the spec (codegen/): kept equal to a fresh generation, not formatted.
#[rustfmt::skip]
mod nl_gen;
mod store;

use kernel::prelude::*;

module! {
    type: genl::FamilyModule<State>,
    name: "kvstore",
    authors: ["genlkit developers"],
    description: "genlkit example Generic Netlink family: a per-netns key-value store",
    license: "GPL",
    params: {
        max_entries: u64 {
            default: 1_100_000,
            description: "Most entries per network namespace",
        },
        max_bytes: u64 {
            default: 256 << 20,
            description: "Most bytes of memory the entries of a network namespace occupy",
        },
        max_total_entries: u64 {
            default: 4_400_000,
            description: "Most entries of all network namespaces together",
        },
        max_total_bytes: u64 {
            default: 1 << 30,
            description: "Most bytes of memory the entries of all network namespaces occupy",
        },
    },
}

/// Each namespace's state, which serves the family's operations ([`handlers`]).
use store::Store as State;

#[kernel::macros::kunit_tests(kvstore_tables)]
mod tests {
    use super::nl_gen::*;
    use kernel::bindings;

    #[test]
    fn policies_match_the_spec() {
        assert_eq!(PUT_DO_POLICY.maxattr(), entry::MODE as u32);
        assert_eq!(
            GET_DO_POLICY.get(entry::KEY).unwrap().nla_type(),
            bindings::NLA_NUL_STRING
        );
        assert_eq!(
            PUT_DO_POLICY.get(entry::VALUE).unwrap().nla_type(),
            bindings::NLA_BINARY
        );
        assert_eq!(
            PUT_DO_POLICY.get(entry::FLAGS).unwrap().nla_type(),
            bindings::NLA_U32
        );
        assert_eq!(
            PUT_DO_POLICY.get(entry::MODE).unwrap().nla_type(),
            bindings::NLA_U32
        );
        // Attributes an op does not take stay UNSPEC below its maxattr (`mode` makes put's 7),
        // which strict validation rejects, and are past maxattr above it.
        for ty in [entry::GENERATION, entry::STATS, entry::PAD] {
            assert_eq!(
                PUT_DO_POLICY.get(ty).unwrap().nla_type(),
                bindings::NLA_UNSPEC
            );
        }
        assert!(GET_DO_POLICY.get(entry::MODE).is_none());
        assert_eq!(
            ECHO_DO_POLICY.get(entry::GENERATION).unwrap().nla_type(),
            bindings::NLA_U64
        );
        assert_eq!(STATS_DO_POLICY.maxattr(), 0);
    }
}
