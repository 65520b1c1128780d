// SPDX-License-Identifier: GPL-2.0
//! Hole: a socket's state kept past the request that got it. A dump's cursor lives until the
//! dump's `done`, which also runs when the socket is closed, after the core dropped the
//! socket's state: a cursor holding it would read freed memory there. `Request::sock_priv`
//! lends the state for the request only, so it cannot go into the cursor.
// expect: lifetime may not live long enough
// expect: requires that `'1` must outlive `'static`

include!("common/family.rs");

use genl::{SockPriv, SockPrivFamily};

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Sock;

impl SockPriv for Sock {
    fn init() -> impl PinInit<Self> {
        Sock
    }
}

impl SockPrivFamily for State {
    type SockPriv = Sock;
}

struct KeepSock;

impl DumpIt for KeepSock {
    type State = State;
    type Cursor = &'static Sock;
    fn start(_: &State, req: &Request<'_>) -> Result<&'static Sock> {
        req.sock_priv::<State>()
    }
    fn dumpit(_: &State, _: &Request<'_>, _: &mut &'static Sock, _: &mut DumpWriter<'_>) -> Result {
        Ok(())
    }
}

static OPS: [SplitOp<State>; 1] = [SplitOp::dumpit::<KeepSock, 1>(1, &POLICY, Perm::Anyone)];
