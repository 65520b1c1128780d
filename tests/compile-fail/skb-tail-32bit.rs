// SPDX-License-Identifier: GPL-2.0
//! Hole: the layer reads `sk_buff::tail` as an offset from `head`, which it is only where
//! `NET_SKBUFF_DATA_USES_OFFSET` is defined (`BITS_PER_LONG > 32`); on 32-bit `tail` is a
//! pointer, and `head + tail` points nowhere. The layer must not build without CONFIG_64BIT.
//! The cached kernel is 64-bit: the runner builds this case against a copy of the layer in
//! which the cfg name CONFIG_64BIT is renamed to one that is never set.
// layer-cfg-unset: CONFIG_64BIT
// expect: genl: sk_buff::tail is an offset only on 64-bit

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];
