// SPDX-License-Identifier: GPL-2.0

//! The kvstore protocol as `specs/kvstore.yaml` defines it: names, numbers, policies and the
//! split-ops table. Kept in one place so that a generator can replace it.

use crate::genl::{AttrPolicy, MulticastGroup, Perm, Policy, SplitOp};
use crate::handlers::{Del, Echo, Get, GetDump, Put, Stats};

/// The family name, NUL-terminated.
pub(crate) const FAMILY_NAME: &[u8] = b"kvstore\0";
/// The family version.
pub(crate) const FAMILY_VERSION: u32 = 1;

/// Commands (`operations`).
pub(crate) mod cmd {
    pub(crate) const ECHO: u8 = 1;
    pub(crate) const PUT: u8 = 2;
    pub(crate) const GET: u8 = 3;
    pub(crate) const DEL: u8 = 4;
    pub(crate) const STATS: u8 = 5;
    pub(crate) const NEW_NTF: u8 = 6;
    pub(crate) const DEL_NTF: u8 = 7;
    /// One past the last command.
    pub(crate) const MAX_PLUS_ONE: u8 = 8;
}

/// Attribute set `entry`.
pub(crate) mod entry {
    pub(crate) const KEY: u16 = 1;
    pub(crate) const VALUE: u16 = 2;
    pub(crate) const FLAGS: u16 = 3;
    pub(crate) const GENERATION: u16 = 4;
    pub(crate) const STATS: u16 = 5;
    pub(crate) const PAD: u16 = 6;
}

/// Attribute set `stats`.
pub(crate) mod stats {
    pub(crate) const ENTRIES: u16 = 1;
    pub(crate) const BYTES: u16 = 2;
    pub(crate) const MAX_ENTRIES: u16 = 3;
    pub(crate) const MAX_BYTES: u16 = 4;
    pub(crate) const ECHO_COUNT: u16 = 5;
    pub(crate) const PUT_COUNT: u16 = 6;
    pub(crate) const GET_COUNT: u16 = 7;
    pub(crate) const DEL_COUNT: u16 = 8;
    pub(crate) const DUMP_COUNT: u16 = 9;
    pub(crate) const STATS_COUNT: u16 = 10;
    pub(crate) const NOTIFY_SENT: u16 = 11;
    pub(crate) const NOTIFY_DROPPED: u16 = 12;
    pub(crate) const PAD: u16 = 13;
}

/// Flags `entry-flags`.
pub(crate) mod entry_flags {
    pub(crate) const TEXT: u32 = 1 << 0;
    pub(crate) const COMPRESSED: u32 = 1 << 1;
    /// Every defined bit.
    pub(crate) const MASK: u32 = TEXT | COMPRESSED;
}

/// Multicast groups, as indices into [`MCGRPS`].
pub(crate) mod group {
    pub(crate) const NOTIFY: u32 = 0;
}

/// Longest key, in bytes (without the NUL).
pub(crate) const KEY_MAX_LEN: u16 = 255;
/// Longest value, in bytes: the longest entry still fits one 64 KiB message.
pub(crate) const VALUE_MAX_LEN: u16 = 65000;

const KEY: AttrPolicy = AttrPolicy::nul_string(KEY_MAX_LEN);
const VALUE: AttrPolicy = AttrPolicy::binary(0, VALUE_MAX_LEN);
const FLAGS: AttrPolicy = AttrPolicy::u32_mask(entry_flags::MASK);

/// `echo` do request: `[key, value, flags, generation]`.
pub(crate) static ECHO_POLICY: Policy<5> = Policy::new(&[
    (entry::KEY, KEY),
    (entry::VALUE, VALUE),
    (entry::FLAGS, FLAGS),
    (entry::GENERATION, AttrPolicy::u64()),
]);

/// `put` do request: `[key, value, flags]`.
pub(crate) static PUT_POLICY: Policy<4> =
    Policy::new(&[(entry::KEY, KEY), (entry::VALUE, VALUE), (entry::FLAGS, FLAGS)]);

/// `get` do/dump and `del` do request: `[key]`.
pub(crate) static KEY_POLICY: Policy<2> = Policy::new(&[(entry::KEY, KEY)]);

/// `stats` do request: no attributes.
pub(crate) static NO_ATTRS_POLICY: Policy<1> = Policy::new(&[]);

/// The split-ops table, sorted by command, do before dump.
pub(crate) static OPS: [SplitOp; 6] = [
    SplitOp::doit::<Echo, 5>(cmd::ECHO, &ECHO_POLICY, Perm::Anyone),
    SplitOp::doit::<Put, 4>(cmd::PUT, &PUT_POLICY, Perm::NetnsAdmin),
    SplitOp::doit::<Get, 2>(cmd::GET, &KEY_POLICY, Perm::Anyone),
    SplitOp::dumpit::<GetDump, 2>(cmd::GET, &KEY_POLICY, Perm::Anyone),
    SplitOp::doit::<Del, 2>(cmd::DEL, &KEY_POLICY, Perm::NetnsAdmin),
    SplitOp::doit::<Stats, 1>(cmd::STATS, &NO_ATTRS_POLICY, Perm::Anyone),
];

/// Multicast groups (`mcast-groups`).
pub(crate) static MCGRPS: [MulticastGroup; 1] = [MulticastGroup::const_new(c"notify")];

#[kernel::macros::kunit_tests(kvstore_spec)]
mod tests {
    use super::*;
    use kernel::bindings;

    #[test]
    fn policies_match_the_spec() {
        assert_eq!(PUT_POLICY.maxattr(), entry::FLAGS as u32);
        assert_eq!(KEY_POLICY.get(entry::KEY).unwrap().nla_type(), bindings::NLA_NUL_STRING);
        assert_eq!(PUT_POLICY.get(entry::VALUE).unwrap().nla_type(), bindings::NLA_BINARY);
        assert_eq!(PUT_POLICY.get(entry::FLAGS).unwrap().nla_type(), bindings::NLA_U32);
        // Attributes an op does not take stay UNSPEC, which strict validation rejects.
        assert_eq!(KEY_POLICY.get(entry::KEY - 1).unwrap().nla_type(), bindings::NLA_UNSPEC);
        assert_eq!(ECHO_POLICY.get(entry::GENERATION).unwrap().nla_type(), bindings::NLA_U64);
        assert_eq!(NO_ATTRS_POLICY.maxattr(), 0);
    }
}
