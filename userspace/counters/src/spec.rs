// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Numbers of the `counters` Generic Netlink family.
//!
//! Generated from specs/counters.yaml by genlkit-codegen; do not edit.

/// Family name registered with the generic netlink controller.
pub const FAMILY_NAME: &str = "counters";
/// Family version.
pub const FAMILY_VERSION: u8 = 1;

/// Multicast group `events`.
pub const MCGRP_EVENTS: &str = "events";

// operations
pub const CMD_ADD: u8 = 1;
pub const CMD_GET: u8 = 2;
pub const CMD_CHANGED_NTF: u8 = 3;
pub const CMD_ADD_BATCH: u8 = 4;

// attribute-set: counter
pub const COUNTER_NAME: u16 = 1;
pub const COUNTER_VALUE: u16 = 2;
pub const COUNTER_DELTA: u16 = 3;
pub const COUNTER_PAD: u16 = 4;
pub const COUNTER_SOCK_ADDS: u16 = 5;
pub const COUNTER_ITEM: u16 = 6;
/// `name` check `min-len`.
pub const COUNTER_NAME_MIN_LEN: usize = 1;
/// `name` check `max-len`.
pub const COUNTER_NAME_MAX_LEN: usize = 63;

// attribute-set: item
pub const ITEM_NAME: u16 = 1;
pub const ITEM_VALUE: u16 = 2;
pub const ITEM_DELTA: u16 = 3;
pub const ITEM_PAD: u16 = 4;

/// Command names, indexed by ID (index 0 is unused).
pub const CMD_NAMES: &[&str] = &[
    "",
    "add",
    "get",
    "changed-ntf",
    "add-batch",
];

/// `counter` attribute names, indexed by ID (index 0 is unused).
pub const COUNTER_ATTR_NAMES: &[&str] = &[
    "",
    "name",
    "value",
    "delta",
    "pad",
    "sock-adds",
    "item",
];

/// `item` attribute names, indexed by ID (index 0 is unused).
pub const ITEM_ATTR_NAMES: &[&str] = &[
    "",
    "name",
    "value",
    "delta",
    "pad",
];
