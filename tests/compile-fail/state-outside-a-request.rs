// SPDX-License-Identifier: GPL-2.0
//! Hole: a namespace's state read where it may not exist. `PerNet::get` handed out the state
//! of any namespace, also from inside a state's `init` (its slot still zeroed) or for a
//! namespace whose state was gone. Now handlers are given the state of the request's
//! namespace, and the lookup behind it is the layer's own: calling it must not build.
// expect: error[E0624]: method `state` is private

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];

fn peek(net: Net<'_>) -> &State {
    // The layer's lookup is `unsafe` too; privacy refuses it first.
    #[allow(unsafe_code)]
    unsafe {
        FAMILY.state(net)
    }
}
