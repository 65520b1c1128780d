// SPDX-License-Identifier: GPL-2.0
//! Hole: a socket's state that is not `Sync`. Requests of one socket may run at once on
//! several CPUs (the family has `parallel_ops`), all of them given the same state: a `Cell`
//! in it would be written by two of them at once. `SockPriv` requires `Sync`.
// expect: cannot be shared between threads safely
// expect: required by a bound in `SockPriv`

include!("common/family.rs");

use genl::SockPriv;

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Noop, 1>(1, &POLICY, Perm::Anyone)];

struct Sock {
    requests: core::cell::Cell<u64>,
}

impl SockPriv for Sock {
    fn init() -> impl PinInit<Self> {
        Sock {
            requests: core::cell::Cell::new(0),
        }
    }
}
