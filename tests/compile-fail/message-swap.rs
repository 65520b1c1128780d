// SPDX-License-Identifier: GPL-2.0
//! Hole: two messages swap their skbs but keep their headers: `genlmsg_end` then writes one
//! message's length into the other's header, and `genlmsg_cancel` trims at a foreign mark.
// expect: error[E0614]: type `Message` cannot be dereferenced

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Op;

impl DoIt for Op {
    type State = State;
    fn doit(_: &State, req: &Request<'_>) -> Result {
        let mut a = req.reply(64)?;
        let mut b = req.reply(4096)?;
        core::mem::swap(&mut *a, &mut *b);
        drop(b);
        req.send_reply(a)
    }
}

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Op, 1>(1, &POLICY, Perm::Anyone)];
