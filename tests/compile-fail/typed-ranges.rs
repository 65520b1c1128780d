// SPDX-License-Identifier: GPL-2.0
//! Control for the typed API: integer ranges as the generator emits them (a literal and a
//! braced constant bound), and a fill-in helper taking `&mut impl AttrWriter` that serves a
//! reply, a dump entry and a nest alike. It must build.
// expect: build

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";

mod mode {
    pub(crate) const MAX: u32 = 2;
}

static POLICY: Policy<5> = Policy::new(&[
    (1, AttrPolicy::u8_range::<1, 10>()),
    (2, AttrPolicy::u16_range::<0, 40000>()),
    (3, AttrPolicy::u32_range::<0, { mode::MAX }>()),
    (4, AttrPolicy::u64_range::<5, 18446744073709551615>()),
]);

fn fill(w: &mut impl AttrWriter, v: u32) -> Result {
    w.put_u32(3, v)?;
    w.put_u64(4, u64::from(v), 5)
}

struct Op;

impl DoIt for Op {
    type State = State;
    fn doit(_: &State, req: &Request<'_>) -> Result {
        let mut reply = req.reply(64)?;
        fill(&mut reply, 1)?;
        let mut nest = reply.nest(1)?;
        fill(&mut nest, 2)?;
        nest.end()?;
        req.send_reply(reply)
    }
}

impl DumpIt for Op {
    type State = State;
    type Cursor = ();
    fn start(_: &State, _: &Request<'_>) -> Result {
        Ok(())
    }
    fn dumpit(_: &State, _: &Request<'_>, _: &mut (), out: &mut DumpWriter<'_>) -> Result {
        let mut entry = out.entry()?;
        fill(&mut entry, 3)?;
        entry.end();
        Ok(())
    }
}

static OPS: [SplitOp<State>; 2] = [
    SplitOp::doit::<Op, 5>(1, &POLICY, Perm::Anyone),
    SplitOp::dumpit::<Op, 5>(1, &POLICY, Perm::Anyone),
];
