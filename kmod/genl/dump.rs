// SPDX-License-Identifier: GPL-2.0

//! Resumable dumps.
//!
//! A dump is served in rounds: the core calls the dump handler each time the reader has room,
//! with a fresh skb. The handler's [`DumpIt::Cursor`] carries its position from one round to the
//! next; the layer creates it when the dump starts and drops it when the dump ends, completed or
//! abandoned by the reader.
//!
//! A round ends as the core expects (`netlink_dump()`, `net/netlink/af_netlink.c`): `Ok` when
//! everything has been written, `EMSGSIZE` (from [`DumpWriter::entry`] or a `put_*`, passed on
//! with `?`) when the skb is full. With entries in the skb, the core reads that as "more to
//! come" and calls again; with none, the entry can never fit and the reader gets `EMSGSIZE`.

use core::{ffi::c_int, ptr::NonNull};
use kernel::{bindings, error::from_result, prelude::*, rbtree::RBTree};

use super::{
    family::FamilyState,
    inlines,
    msg::{private::Sealed, AttrWriter},
    ops::Request,
};

/// A dump handler.
pub trait DumpIt {
    /// The per-namespace state the family's operations are served by.
    type State: FamilyState;

    /// Position in the dump, kept between rounds.
    type Cursor: Send;

    /// The skb size a round needs so that the largest entry fits (`min_dump_alloc`); 0 for the
    /// core's default (a page, or up to 32 KiB when the reader's buffer is that large). Readers
    /// must read with buffers at least this large, or datagrams are truncated.
    const MIN_DUMP_ALLOC: u32 = 0;

    /// Called once when the dump starts, with the request's validated attributes.
    fn start(state: &Self::State, req: &Request<'_>) -> Result<Self::Cursor>;

    /// Writes entries through `out` from where `cursor` stands, moving the cursor past each
    /// entry kept, until there is nothing left (`Ok`) or an entry does not fit (`EMSGSIZE`,
    /// passed on as it comes: the next round resumes at the cursor).
    fn dumpit(
        state: &Self::State,
        req: &Request<'_>,
        cursor: &mut Self::Cursor,
        out: &mut DumpWriter<'_>,
    ) -> Result;

    /// Called once when a dump that started ends, completed or abandoned by the reader, before
    /// its cursor is dropped (the op's `done`): where a family's `post` hook of a dump runs.
    fn done(_state: &Self::State, _req: &Request<'_>) {}
}

/// Writes one round of dump entries into the skb the core provided.
///
/// # Invariants
///
/// `skb` and `cb` are the skb and callback of the current round of a genetlink dump, valid
/// for `'a`.
pub struct DumpWriter<'a> {
    skb: NonNull<bindings::sk_buff>,
    cb: &'a mut bindings::netlink_callback,
}

impl DumpWriter<'_> {
    /// Declares the version of the data this round reads (a generation counter bumped on every
    /// change). When it differs from the version the last kept entry was read at, the next entry
    /// kept ([`DumpEntry::end`]) carries `NLM_F_DUMP_INTR` (or, if none is, the core's closing
    /// `NLMSG_DONE` does): the reader knows the dump may be inconsistent and can restart it.
    pub fn set_generation(&mut self, generation: u64) {
        // `prev_seq == 0` means "no previous round", so never use 0 ourselves.
        // CAST: a generation is compared for change only; its low 32 bits serve.
        let seq = (generation as u32).wrapping_add(1);
        self.cb.seq = if seq == 0 { 1 } else { seq };
    }

    /// Starts an entry (one message of the dump, `__genlmsg_iput` with `NLM_F_MULTI`).
    /// `EMSGSIZE` means the skb is full: pass it on.
    pub fn entry(&mut self) -> Result<DumpEntry<'_>> {
        // SAFETY: `skb` and `cb` are the round's (type invariant), of a genetlink dump, whose
        // request info names our registered family.
        let hdr = unsafe {
            inlines::genlmsg_iput(
                self.skb.as_ptr(),
                inlines::genl_info_dump(self.cb),
                // CAST: a 16-bit `NLM_F_*` flag, as the C `int` parameter.
                bindings::NLM_F_MULTI as c_int,
            )
        };
        let hdr = NonNull::new(hdr).ok_or(EMSGSIZE)?;
        // INVARIANT: `hdr` is the user header of the message just put at the end of the skb;
        // the entry borrows the writer, so no other entry is started while it lives.
        Ok(DumpEntry {
            skb: self.skb,
            hdr,
            cb: &mut *self.cb,
            done: false,
        })
    }

    /// Writes one entry: starts it, fills it in with `fill`, and keeps it; on any error the
    /// entry is removed and the error returned.
    pub fn put_entry(&mut self, fill: impl FnOnce(&mut DumpEntry<'_>) -> Result) -> Result {
        let mut entry = self.entry()?;
        fill(&mut entry)?;
        entry.end();
        Ok(())
    }

    /// Writes one entry per item of `tree`, in key order, from the key `resume` holds (from the
    /// first when `None`), each filled in by `fill`; when one does not fit, `resume` is left at
    /// its key and the error (`EMSGSIZE`) returned, for the next round to start there.
    pub fn put_tree<K: Ord + Copy, V>(
        &mut self,
        tree: &mut RBTree<K, V>,
        resume: &mut Option<K>,
        mut fill: impl FnMut(&mut DumpEntry<'_>, &K, &V) -> Result,
    ) -> Result {
        let mut at = match resume {
            Some(key) => tree.cursor_lower_bound_mut(key),
            None => tree.cursor_front_mut(),
        };
        while let Some(c) = at {
            let (key, value) = c.current();
            if let Err(e) = self.put_entry(|entry| fill(entry, key, value)) {
                *resume = Some(*key);
                return Err(e);
            }
            at = c.move_next();
        }
        Ok(())
    }
}

/// One message of a dump being written; [`DumpEntry::end`] keeps it, dropping it removes it.
///
/// # Invariants
///
/// `skb` is the round's skb and `cb` its callback; the entry's message is the last one in `skb`
/// and `hdr` its user header.
pub struct DumpEntry<'a> {
    skb: NonNull<bindings::sk_buff>,
    hdr: NonNull<core::ffi::c_void>,
    cb: &'a mut bindings::netlink_callback,
    done: bool,
}

impl DumpEntry<'_> {
    /// Finishes the entry (`genlmsg_end`), marking it `NLM_F_DUMP_INTR` when the data changed
    /// since the last entry kept (see [`DumpWriter::set_generation`]).
    pub fn end(mut self) {
        // SAFETY: `cb` is the round's callback and `hdr` this entry's header in its skb (type
        // invariant). Checked on a message that is kept: checked when the entry starts, the mark
        // would go with an entry then cancelled for lack of room, and the next round, seeing
        // `prev_seq` already updated, would not set it again.
        unsafe {
            inlines::genl_dump_check_consistent(self.cb, self.hdr.as_ptr());
            bindings::genlmsg_end(self.skb.as_ptr(), self.hdr.as_ptr());
        }
        self.done = true;
    }
}

// SAFETY: `skb` is the round's skb, valid for `'a`; the entry's message is the last one in it
// (type invariant), and the entry borrows the round's writer, so only it appends to the skb.
unsafe impl Sealed for DumpEntry<'_> {
    fn skb(&self) -> NonNull<bindings::sk_buff> {
        self.skb
    }
}

impl AttrWriter for DumpEntry<'_> {}

impl Drop for DumpEntry<'_> {
    fn drop(&mut self) {
        if !self.done {
            // SAFETY: `hdr` is the header of the last message in the skb (type invariant).
            unsafe { bindings::genlmsg_cancel(self.skb.as_ptr(), self.hdr.as_ptr()) };
        }
    }
}

type Callbacks = bindings::genl_split_ops__bindgen_ty_1__bindgen_ty_2;

/// The `start`/`dumpit`/`done` callbacks of a dump op served by `H`.
pub(super) const fn callbacks<H: DumpIt>() -> Callbacks {
    Callbacks {
        start: Some(start_callback::<H>),
        dumpit: Some(dumpit_callback::<H>),
        done: Some(done_callback::<H>),
    }
}

/// Where the cursor lives between rounds: a `KBox` pointer in the callback's scratch area.
fn cursor_slot<C>(cb: &mut bindings::netlink_callback) -> *mut *mut C {
    // CAST: a small constant, widened.
    const { assert!(core::mem::size_of::<*mut u8>() <= bindings::NETLINK_CTX_SIZE as usize) };
    // SAFETY: `ctx` is the scratch union of the callback, large enough for a pointer (asserted
    // above) and suitably aligned, as it overlays `long args[]`.
    unsafe { cb.__bindgen_anon_1.ctx.as_mut_ptr().cast() }
}

/// The request of a dump, and the state of its namespace.
///
/// # Safety
///
/// `cb` must be the callback of a started genetlink dump of `S::FAMILY`, valid for `'a`; unless
/// `sock_live`, the reader's socket may be being released (a dump's `done`).
unsafe fn dump_request<'a, S: FamilyState>(
    cb: *mut bindings::netlink_callback,
    sock_live: bool,
) -> (Request<'a>, &'a S) {
    // SAFETY: `genl_start` set `cb->data` to the `genl_dumpit_info` holding the parsed request
    // and its op. The reader's socket holds its namespace, whose state lives as long. `cb->skb`
    // is the dump's request, held until the dump ends, and its `NETLINK_CB().sk` the socket
    // the dump belongs to (its `netlink_callback` lives in that socket), not released before
    // the dump ends. `start` and each round run within the socket's `sendmsg` or `recvmsg`,
    // which hold its file: its release has not started (`sock_live` then, as the caller says).
    unsafe {
        let info = inlines::genl_info_dump(cb);
        let op = &(*(*cb).data.cast::<bindings::genl_dumpit_info>()).op;
        let sk = (*inlines::netlink_cb((*cb).skb)).sk;
        let req = Request::from_raw(info, op.maxattr, sk, sock_live);
        let state = S::FAMILY.state(req.net());
        (req, state)
    }
}

/// The `start` callback of a dump op served by `H`: creates the cursor.
///
/// # Safety
///
/// Called by the genetlink core only, with the callback of a dump of `H::State::FAMILY`.
unsafe extern "C" fn start_callback<H: DumpIt>(cb: *mut bindings::netlink_callback) -> c_int {
    from_result(|| {
        // SAFETY: called by the core for a started dump, `cb` valid during the call, within
        // the sender's `sendmsg`.
        let (req, state) = unsafe { dump_request::<H::State>(cb, true) };
        let cursor = KBox::new(H::start(state, &req)?, GFP_KERNEL)?;
        // SAFETY: `cb` is valid and used only by this thread during the call.
        let cb = unsafe { &mut *cb };
        cb.min_dump_alloc = cb.min_dump_alloc.max(H::MIN_DUMP_ALLOC);
        let slot = cursor_slot::<H::Cursor>(cb);
        // SAFETY: `slot` points into `cb`'s scratch area; `done_callback` takes the box back.
        unsafe { *slot = KBox::into_raw(cursor) };
        Ok(0)
    })
}

/// The `dumpit` callback of a dump op served by `H`: one round.
///
/// # Safety
///
/// Called by the genetlink core only, after `start_callback` succeeded, one round at a time.
unsafe extern "C" fn dumpit_callback<H: DumpIt>(
    skb: *mut bindings::sk_buff,
    cb: *mut bindings::netlink_callback,
) -> c_int {
    from_result(|| {
        // SAFETY: called by the core for a started dump, `cb` valid during the call, within
        // the reader's `sendmsg` or `recvmsg` (`netlink_dump`).
        let (req, state) = unsafe { dump_request::<H::State>(cb, true) };
        // SAFETY: `cb` is valid and used only by this thread during the call.
        let cb = unsafe { &mut *cb };
        // SAFETY: `start_callback` stored a live `KBox<H::Cursor>` in the slot; only one round
        // runs at a time (the core holds the socket's dump lock).
        let cursor = unsafe { &mut **cursor_slot::<H::Cursor>(cb) };
        let skb = NonNull::new(skb).ok_or(EINVAL)?;
        // INVARIANT: the round's skb and callback, of a genetlink dump.
        let mut out = DumpWriter { skb, cb };
        // `EMSGSIZE` with entries in the skb is "call again" to the core; 0 is "done".
        H::dumpit(state, &req, cursor, &mut out)?;
        Ok(0)
    })
}

/// The `done` callback of a dump op served by `H`: calls [`DumpIt::done`] and drops the cursor.
///
/// # Safety
///
/// Called by the genetlink core only, once, when a started dump ends.
unsafe extern "C" fn done_callback<H: DumpIt>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: called by the core when the dump ends, `cb` valid during the call.
    let slot = cursor_slot::<H::Cursor>(unsafe { &mut *cb });
    // SAFETY: the slot holds null or the pointer `start_callback` leaked from a `KBox`; we take
    // it back exactly once and clear the slot.
    let cursor = unsafe {
        let cursor = *slot;
        *slot = core::ptr::null_mut();
        cursor
    };
    if !cursor.is_null() {
        // SAFETY: the dump started (its cursor exists) and `genl_done` frees its request info
        // only after this callback; the reader's socket still holds its namespace. `done` also
        // runs from `netlink_release`, after the core dropped the socket's per-socket state:
        // not `sock_live`, so none is created anew.
        let (req, state) = unsafe { dump_request::<H::State>(cb, false) };
        H::done(state, &req);
        // SAFETY: `cursor` came from `KBox::into_raw` in `start_callback`, taken back once.
        drop(unsafe { KBox::from_raw(cursor) });
    }
    0
}

#[kernel::macros::kunit_tests(genlkit_dump)]
mod tests {
    use super::*;
    use crate::State;

    /// `NLM_F_DUMP_INTR` goes on the first entry *kept* after the data changed: an entry
    /// cancelled for lack of room must not take the mark (and the consumed change) with it.
    #[test]
    fn dump_intr_marks_the_first_entry_kept() {
        let mut hdr = bindings::genlmsghdr {
            cmd: 1,
            ..Default::default()
        };
        let mut dump_info: bindings::genl_dumpit_info = pin_init::zeroed();
        dump_info.info.family = State::FAMILY.as_raw();
        dump_info.info.genlhdr = &mut hdr;
        let mut cb: bindings::netlink_callback = pin_init::zeroed();
        cb.data = (&raw mut dump_info).cast();
        // A previous round read the data at some version.
        cb.prev_seq = 5;
        // SAFETY: `genlmsg_new` has no preconditions.
        let skb = NonNull::new(unsafe { bindings::genlmsg_new(64, bindings::GFP_KERNEL) }).unwrap();
        // Freed however the test ends: a failed assertion returns early.
        let _free = kernel::types::ScopeGuard::new(|| {
            // SAFETY: the test owns `skb`, and nothing uses it once this runs.
            unsafe { bindings::nlmsg_free(skb.as_ptr()) }
        });

        let mut out = DumpWriter { skb, cb: &mut cb };
        out.set_generation(41); // a change since: seq 42
        let mut entry = out.entry().unwrap();
        assert_eq!(entry.put_bytes(1, &[0; 4096]), Err(EMSGSIZE));
        drop(entry); // cancelled
        let mut entry = out.entry().unwrap();
        entry.put_u32(1, 7).unwrap();
        entry.end();
        drop(out);

        assert_eq!(cb.prev_seq, 42);
        // SAFETY: the skb holds exactly the one entry kept, starting at `data`.
        unsafe {
            let nlh = (*skb.as_ptr()).data.cast::<bindings::nlmsghdr>();
            assert_eq!((*nlh).nlmsg_len, (*skb.as_ptr()).len);
            assert!((*nlh).nlmsg_flags & bindings::NLM_F_DUMP_INTR as u16 != 0);
            assert!((*nlh).nlmsg_flags & bindings::NLM_F_MULTI as u16 != 0);
        }
    }
}
