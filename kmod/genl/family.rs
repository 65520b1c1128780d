// SPDX-License-Identifier: GPL-2.0

//! A Generic Netlink family with operations, and its registration.
//!
//! C header: [`include/net/genetlink.h`](srctree/include/net/genetlink.h)

use kernel::{bindings, error::to_result, prelude::*, types::Opaque, ThisModule};

use super::{msg::Message, net::Net, ops::SplitOp, MulticastGroup};

/// A Generic Netlink family: name, version, split operations and multicast groups.
///
/// Built in const context into a `static`; [`Family::register`] makes it live.
#[repr(transparent)]
pub struct Family {
    inner: Opaque<bindings::genl_family>,
}

// SAFETY: after registration the core only reads the family, except for `id` and
// `mcgrp_offset`, which it writes once under its own lock before any operation can run.
unsafe impl Sync for Family {}

impl Family {
    /// Describes a family. Intended to be used from const context only: panics (at build time)
    /// on a name that is not NUL-terminated, too long, empty or reserved (see [`RESERVED_NAMES`]),
    /// on too many ops or groups, on ops not sorted by command as the core requires (a do entry
    /// before the dump entry of the same command), and on a do and a dump of one command with
    /// different permissions (which the core refuses at registration, with a warning).
    ///
    /// `resv_start_op` is the first command whose `nlmsg_flags` and reserved header byte the core
    /// checks; new families pass 0. A family whose ops honour `NLM_F_CREATE`, `NLM_F_EXCL` or
    /// `NLM_F_REPLACE` must pass a command past them, as the core would reject those flags, and
    /// declare the flags it accepts per op with [`SplitOp::accept_flags`].
    pub const fn const_new(
        module: &ThisModule,
        name: &[u8],
        version: u32,
        resv_start_op: u8,
        ops: &'static [SplitOp],
        mcgrps: &'static [MulticastGroup],
    ) -> Self {
        if ops.len() > u8::MAX as usize || mcgrps.len() > u8::MAX as usize {
            panic!("genl: too many ops or multicast groups");
        }
        let mut i = 1;
        while i < ops.len() {
            if ops[i - 1].cmd() > ops[i].cmd()
                || (ops[i - 1].cmd() == ops[i].cmd() && !(ops[i - 1].is_do() && !ops[i].is_do()))
            {
                panic!("genl: ops must be sorted by cmd, do before dump");
            }
            // `genl_validate_ops`: the do and dump of one command differ in `GENL_CMD_CAP_*` only.
            if ops[i - 1].cmd() == ops[i].cmd() && ops[i - 1].perm_bits() != ops[i].perm_bits() {
                panic!("genl: the do and dump of a command must have the same permission");
            }
            i += 1;
        }
        let mut family = bindings::genl_family {
            version,
            _bitfield_1: netnsok_parallel_ops(),
            module: module.as_ptr(),
            resv_start_op,
            split_ops: ops.as_ptr().cast(),
            n_split_ops: ops.len() as u8,
            mcgrps: mcgrps.as_ptr().cast(),
            n_mcgrps: mcgrps.len() as u8,
            ..pin_init::zeroed()
        };
        if CStr::from_bytes_with_nul(name).is_err() {
            panic!("genl: family name not NUL-terminated");
        }
        if name.len() > family.name.len() {
            panic!("genl: family name too long");
        }
        if name.len() == 1 {
            panic!("genl: family name is empty");
        }
        let mut i = 0;
        while i < RESERVED_NAMES.len() {
            if bytes_eq(name, RESERVED_NAMES[i]) {
                panic!("genl: family name is reserved (nlctrl, NET_DM, VFS_DQUOT, pmcraid)");
            }
            i += 1;
        }
        let mut i = 0;
        while i < name.len() {
            family.name[i] = name[i];
            i += 1;
        }
        Self {
            inner: Opaque::new(family),
        }
    }

    /// Registers the family; it is unregistered when the returned [`Registration`] is dropped.
    pub fn register(&'static self) -> Result<Registration> {
        // SAFETY: `self` is a `'static`, fully initialised family whose op table and groups are
        // `'static` too.
        to_result(unsafe { bindings::genl_register_family(self.as_raw()) })?;
        // INVARIANT: registration succeeded.
        Ok(Registration { family: self })
    }

    /// The family ID the core assigned (valid once registered).
    pub fn id(&self) -> u16 {
        // SAFETY: `id` is written once at registration, before it can be read through a
        // registered family, and is an `int` readable at any time.
        unsafe { (*self.as_raw()).id as u16 }
    }

    pub(crate) fn n_mcgrps(&self) -> u32 {
        // SAFETY: const-initialised and never written.
        unsafe { (*self.as_raw()).n_mcgrps }.into()
    }

    pub(crate) fn mcgrp_offset(&self) -> u32 {
        // SAFETY: written once at registration, before any operation can run.
        unsafe { (*self.as_raw()).mcgrp_offset }
    }

    /// Whether any socket in `net` listens to `group` (an index into the family's groups): lets
    /// a caller skip building a notification nobody would receive. `false` for a group the family
    /// does not have.
    pub fn has_listeners(&self, net: Net<'_>, group: u32) -> bool {
        // `genl_has_listeners` WARNs on such a group and returns `-EINVAL`, which reads as true.
        if group >= self.n_mcgrps() {
            return false;
        }
        // SAFETY: the family is valid, `net` is live for the call, and `group` is one of the
        // family's groups.
        unsafe { bindings::genl_has_listeners(self.as_raw(), net.as_ptr(), group) > 0 }
    }

    /// Starts a notification with command `cmd`; send it with [`Family::notify`].
    pub fn notification(&'static self, cmd: u8, payload: usize) -> Result<Message> {
        Message::new(self, 0, 0, cmd, 0, payload)
    }

    /// Multicasts `msg` to `group` of this family in `net`. `ESRCH` means nobody received it.
    pub fn notify(&'static self, msg: Message, net: Net<'_>, group: u32) -> Result {
        msg.multicast(self, net, group)
    }

    /// Returns a raw pointer to the underlying `genl_family`.
    pub fn as_raw(&self) -> *mut bindings::genl_family {
        self.inner.get()
    }
}

/// Family names `genl_register_family` treats specially, which no family of ours may take:
/// the controller's, `nlctrl` (refused with `EEXIST`), and three legacy families whose ID or
/// multicast group the core hard-codes (`NET_DM`, `VFS_DQUOT`, `pmcraid`): the core would give
/// ours their fixed ID or group, and `BUG_ON`s such a family unless it has exactly one group.
const RESERVED_NAMES: [&[u8]; 4] = [b"nlctrl\0", b"NET_DM\0", b"VFS_DQUOT\0", b"pmcraid\0"];

/// `a == b`, in const context.
const fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `netnsok` and `parallel_ops` set, as the `genl_family` bitfield.
///
/// Bindgen's bitfield setters are not `const`; the layout (bit 0 `netnsok`, bit 1
/// `parallel_ops`) is checked against them by the `family_bitfield` KUnit test.
const fn netnsok_parallel_ops() -> bindings::__BindgenBitfieldUnit<[u8; 1]> {
    bindings::__BindgenBitfieldUnit::new([0b11])
}

/// A registered [`Family`]; dropping it unregisters the family.
///
/// Unregistering waits for requests in flight; dumps in flight hold a reference on the module,
/// so the module cannot go away under them.
///
/// # Invariants
///
/// `family` is registered.
pub struct Registration {
    family: &'static Family,
}

impl Drop for Registration {
    fn drop(&mut self) {
        // SAFETY: the family is registered (type invariant) and is unregistered exactly once.
        unsafe { bindings::genl_unregister_family(self.family.as_raw()) };
    }
}

#[kernel::macros::kunit_tests(genlkit_family)]
mod tests {
    use super::*;

    #[test]
    fn family_bitfield() {
        let mut f = bindings::genl_family::default();
        f.set_netnsok(1);
        f.set_parallel_ops(1);
        // SAFETY: the bitfield unit is a `[u8; 1]`.
        let ours: u8 = unsafe { core::mem::transmute(netnsok_parallel_ops()) };
        // SAFETY: the bitfield unit is a `[u8; 1]`.
        let theirs: u8 = unsafe { core::mem::transmute(f._bitfield_1) };
        assert_eq!(ours, theirs);
    }
}
