// SPDX-License-Identifier: GPL-2.0
//! Control: a small family that uses the layer as intended (a reply with a nest, a dump, a
//! notification, nested and integer policies). It must build; if it does not, the runner or
//! the layer is broken, and every other case's failure means nothing.
// expect: build

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";

static INNER: Policy<3> = Policy::new(&[(1, AttrPolicy::u32()), (2, AttrPolicy::flag())]);
static POLICY: Policy<3> = Policy::new(&[(1, AttrPolicy::u64()), (2, AttrPolicy::nested(&INNER))]);

struct Get;

impl DoIt for Get {
    type State = State;
    fn doit(_: &State, req: &Request<'_>) -> Result {
        let mut reply = req.reply(64)?;
        reply.put_u32(1, 7)?;
        let mut nest = reply.nest(2)?;
        nest.put_u64(1, 8, 3)?;
        nest.put_flag(2)?;
        nest.end()?;
        if FAMILY.has_listeners(req.net(), 0) {
            let mut ntf = FAMILY.notification(1, 64)?;
            ntf.put_u32(1, 7)?;
            let _ = FAMILY.notify(ntf, req.net(), 0);
        }
        req.send_reply(reply)
    }
}

impl DumpIt for Get {
    type State = State;
    type Cursor = u32;
    fn start(_: &State, _req: &Request<'_>) -> Result<u32> {
        Ok(0)
    }
    fn dumpit(_: &State, _: &Request<'_>, n: &mut u32, out: &mut DumpWriter<'_>) -> Result {
        out.set_generation(1);
        while *n < 10 {
            out.put_entry(|entry| entry.put_u32(1, *n))?;
            *n += 1;
        }
        Ok(())
    }
}

static OPS: [SplitOp<State>; 2] = [
    SplitOp::doit::<Get, 3>(1, &POLICY, Perm::Anyone),
    SplitOp::dumpit::<Get, 3>(1, &POLICY, Perm::Anyone),
];
