// SPDX-License-Identifier: GPL-2.0
//! Hole: two nests of two replies swap the writers they point to. Each nest then measures and
//! trims with its own start against the other message's skb: an offset across two allocations.
// expect: error[E0614]: type `Nest<'_>` cannot be dereferenced

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Op;

impl DoIt for Op {
    type State = State;
    fn doit(_: &State, req: &Request<'_>) -> Result {
        let mut a = req.reply(64)?;
        let mut b = req.reply(64)?;
        let mut na = a.nest(1)?;
        let mut nb = b.nest(1)?;
        core::mem::swap(&mut *na, &mut *nb);
        na.put_u32(1, 1)?;
        drop(na);
        drop(nb);
        req.send_reply(a)
    }
}

static OPS: [SplitOp<State>; 1] = [SplitOp::doit::<Op, 1>(1, &POLICY, Perm::Anyone)];
