// SPDX-License-Identifier: GPL-2.0
//! Hole: the layer's internals reachable from family code. The layer is a module of the
//! family's crate, so a `pub(crate)` method of a type it exports is callable by the family:
//! `Message::new` from a `genl_info` built in safe code (a null family) makes `genlmsg_put`
//! dereference NULL, and `Message::finish` hands out the raw skb, to be leaked. The layer's
//! internals are `pub(super)`: visible inside `genl` only.
// expect: error[E0624]: associated function `new` is private
// expect: error[E0624]: method `finish` is private

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Op;

impl DoIt for Op {
    type State = State;
    fn doit(_: &State, _: &Request<'_>) -> Result {
        let info = kernel::bindings::genl_info::default();
        let msg = genl::Message::new(&info, 64)?;
        let _skb = msg.finish();
        Ok(())
    }
}

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Op, 1>(1, &POLICY, Perm::Anyone)];
