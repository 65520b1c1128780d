// SPDX-License-Identifier: GPL-2.0

//! kvstore: a key-value store per network namespace, served over Generic Netlink.
//!
//! The genlkit example family: `specs/kvstore.yaml` is its contract, [`spec`] its tables,
//! [`handlers`] its operations, [`store`] its data, and [`genl`] the safe layer they stand on.

// The genl layer is shared by the families of this kit: each module compiles it in.
#[path = "../genl/mod.rs"]
mod genl;
mod handlers;
mod spec;
mod store;

use kernel::prelude::*;

module! {
    type: KvStoreModule,
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
            description: "Most bytes of keys and values per network namespace",
        },
    },
}

/// The kvstore family. Its commands below `resv_start_op` skip the core's `nlmsg_flags` check,
/// which would refuse `NLM_F_CREATE`/`NLM_F_EXCL`/`NLM_F_REPLACE` on `put`; the genl layer
/// checks each op's flags instead (`DoIt::ACCEPT_FLAGS`).
pub(crate) static FAMILY: genl::Family = genl::Family::const_new(
    kernel::module::this_module::<crate::LocalModule>(),
    spec::FAMILY_NAME,
    spec::FAMILY_VERSION,
    spec::cmd::MAX_PLUS_ONE,
    &spec::OPS,
    &spec::MCGRPS,
);

/// # Invariants
///
/// Fields drop in declaration order: the family is unregistered (no request in flight, no new
/// one) before the per-namespace stores go away.
struct KvStoreModule {
    _family: genl::Registration,
    _stores: genl::PerNetRegistration<store::Store>,
}

impl kernel::Module for KvStoreModule {
    fn init(_module: &'static ThisModule) -> Result<Self> {
        let stores = handlers::STORES.register()?;
        let family = FAMILY.register()?;
        pr_info!("family registered, id {}\n", FAMILY.id());
        Ok(Self {
            _family: family,
            _stores: stores,
        })
    }
}

impl Drop for KvStoreModule {
    fn drop(&mut self) {
        pr_info!("unloading\n");
    }
}
