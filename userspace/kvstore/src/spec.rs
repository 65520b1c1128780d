// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Numbers of the `kvstore` Generic Netlink family.
//!
//! Generated from specs/kvstore.yaml by genlkit-codegen; do not edit.

/// Family name registered with the generic netlink controller.
pub const FAMILY_NAME: &str = "kvstore";
/// Family version.
pub const FAMILY_VERSION: u8 = 1;

/// Multicast group `notify`.
pub const MCGRP_NOTIFY: &str = "notify";

// definitions: entry-flags (flags)
/// The value is UTF-8 text.
pub const ENTRY_FLAGS_TEXT: u32 = 0x1;
/// The value is compressed by the client.
pub const ENTRY_FLAGS_COMPRESSED: u32 = 0x2;
/// All flag bits the family defines.
pub const ENTRY_FLAGS_MASK: u32 = ENTRY_FLAGS_TEXT | ENTRY_FLAGS_COMPRESSED;

// definitions: put-mode (enum)
/// Create the entry, or overwrite it when it exists (the default).
pub const PUT_MODE_UPSERT: u32 = 0x0;
/// Only create the entry; EEXIST when it exists.
pub const PUT_MODE_CREATE: u32 = 0x1;
/// Only overwrite the entry; ENOENT when it does not exist.
pub const PUT_MODE_REPLACE: u32 = 0x2;

// operations
pub const CMD_ECHO: u8 = 1;
pub const CMD_PUT: u8 = 2;
pub const CMD_GET: u8 = 3;
pub const CMD_DEL: u8 = 4;
pub const CMD_STATS: u8 = 5;
pub const CMD_NEW_NTF: u8 = 6;
pub const CMD_DEL_NTF: u8 = 7;

// attribute-set: entry
pub const ENTRY_KEY: u16 = 1;
pub const ENTRY_VALUE: u16 = 2;
pub const ENTRY_FLAGS: u16 = 3;
pub const ENTRY_GENERATION: u16 = 4;
pub const ENTRY_STATS: u16 = 5;
pub const ENTRY_PAD: u16 = 6;
pub const ENTRY_MODE: u16 = 7;
/// `key` check `min-len`.
pub const ENTRY_KEY_MIN_LEN: usize = 1;
/// `key` check `max-len`.
pub const ENTRY_KEY_MAX_LEN: usize = 255;
/// `value` check `max-len`.
pub const ENTRY_VALUE_MAX_LEN: usize = 65000;

// attribute-set: stats
pub const STATS_ENTRIES: u16 = 1;
pub const STATS_BYTES: u16 = 2;
pub const STATS_MAX_ENTRIES: u16 = 3;
pub const STATS_MAX_BYTES: u16 = 4;
pub const STATS_ECHO_COUNT: u16 = 5;
pub const STATS_PUT_COUNT: u16 = 6;
pub const STATS_GET_COUNT: u16 = 7;
pub const STATS_DEL_COUNT: u16 = 8;
pub const STATS_DUMP_COUNT: u16 = 9;
pub const STATS_STATS_COUNT: u16 = 10;
pub const STATS_NOTIFY_SENT: u16 = 11;
pub const STATS_NOTIFY_DROPPED: u16 = 12;
pub const STATS_PAD: u16 = 13;
pub const STATS_MEMORY: u16 = 14;

/// Command names, indexed by ID (index 0 is unused).
pub const CMD_NAMES: &[&str] = &[
    "",
    "echo",
    "put",
    "get",
    "del",
    "stats",
    "new-ntf",
    "del-ntf",
];

/// `entry` attribute names, indexed by ID (index 0 is unused).
pub const ENTRY_ATTR_NAMES: &[&str] = &[
    "",
    "key",
    "value",
    "flags",
    "generation",
    "stats",
    "pad",
    "mode",
];

/// `stats` attribute names, indexed by ID (index 0 is unused).
pub const STATS_ATTR_NAMES: &[&str] = &[
    "",
    "entries",
    "bytes",
    "max-entries",
    "max-bytes",
    "echo-count",
    "put-count",
    "get-count",
    "del-count",
    "dump-count",
    "stats-count",
    "notify-sent",
    "notify-dropped",
    "pad",
    "memory",
];
