// SPDX-License-Identifier: GPL-2.0
//! Hole: a dump entry and a reply swap their skbs. The reply's drop then frees the dump round's
//! skb, which `netlink_dump()` still owns (use-after-free), and the core sends the reply's.
//! The layer must not hand out `&mut` to anything that holds an skb pointer.
// expect: error[E0614]: type `DumpEntry<'_>` cannot be dereferenced

include!("common/family.rs");

const FAMILY_NAME: &[u8] = b"cfcase\0";
static POLICY: Policy<1> = Policy::new(&[]);

struct Dump;

impl DumpIt for Dump {
    type State = State;
    type Cursor = ();
    fn start(_: &State, _: &Request<'_>) -> Result {
        Ok(())
    }
    fn dumpit(_: &State, req: &Request<'_>, _: &mut (), out: &mut DumpWriter<'_>) -> Result {
        let mut reply = req.reply(64)?;
        let mut entry = out.entry()?;
        core::mem::swap(&mut *entry, &mut *reply);
        entry.end();
        req.send_reply(reply)
    }
}

static OPS: [SplitOp<State>; 1] = [SplitOp::dumpit::<Dump, 1>(1, &POLICY, Perm::Anyone)];
