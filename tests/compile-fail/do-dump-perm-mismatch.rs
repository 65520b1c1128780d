// SPDX-License-Identifier: GPL-2.0
//! Hole: the do and the dump of one command with different permissions. `genl_validate_ops`
//! WARNs and refuses the family at registration; `Family::const_new` must refuse it at build
//! time.
// expect: error[E0080]: evaluation panicked: genl: the do and dump of a command must have the same permission

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Op;

impl DoIt for Op {
    type State = State;
    fn doit(_: &State, _: &Request<'_>) -> Result {
        Ok(())
    }
}

impl DumpIt for Op {
    type State = State;
    type Cursor = ();
    fn start(_: &State, _: &Request<'_>) -> Result {
        Ok(())
    }
    fn dumpit(_: &State, _: &Request<'_>, _: &mut (), _: &mut DumpWriter<'_>) -> Result {
        Ok(())
    }
}

static OPS: [SplitOp<State>; 2] = [
    SplitOp::doit::<Op, 1>(1, &POLICY, Perm::Anyone),
    SplitOp::dumpit::<Op, 1>(1, &POLICY, Perm::Admin),
];
