// SPDX-License-Identifier: GPL-2.0

//! Resumable dumps.
//!
//! A dump is served in rounds: the core calls the dump handler each time the reader has room,
//! with a fresh skb. The handler's [`DumpIt::Cursor`] carries its position from one round to the
//! next; the layer creates it when the dump starts and drops it when the dump ends, completed or
//! abandoned by the reader.

use core::{ffi::c_int, ptr::NonNull};
use kernel::{bindings, prelude::*};

use super::{
    family::Family,
    msg::{private::Sealed, skb_tail, AttrWriter},
    ops::{check_dump_header, Request},
};

/// What a dump round did.
pub enum DumpProgress {
    /// Stopped because the skb is full: call again.
    More,
    /// Everything has been written.
    Done,
}

/// A dump handler.
pub trait DumpIt {
    /// Position in the dump, kept between rounds.
    type Cursor: Send;

    /// The skb size a round needs so that the largest entry fits (`min_dump_alloc`); 0 for the
    /// core's default (a page, or up to 32 KiB when the reader's buffer is that large). Readers
    /// must read with buffers at least this large, or datagrams are truncated.
    const MIN_DUMP_ALLOC: u32 = 0;

    /// Called once when the dump starts, with the request's validated attributes.
    fn start(req: &Request<'_>) -> Result<Self::Cursor>;

    /// Writes entries through `out` until [`DumpWriter::entry`] fails with `EMSGSIZE` (skb full)
    /// or there is nothing left.
    fn dumpit(
        req: &Request<'_>,
        cursor: &mut Self::Cursor,
        out: &mut DumpWriter<'_>,
    ) -> Result<DumpProgress>;
}

/// Writes one round of dump entries into the skb the core provided.
///
/// # Invariants
///
/// `skb` and `cb` are the skb and callback of the current round, valid for `'a`.
pub struct DumpWriter<'a> {
    skb: NonNull<bindings::sk_buff>,
    cb: &'a mut bindings::netlink_callback,
    family: &'static Family,
    cmd: u8,
    written: usize,
}

impl DumpWriter<'_> {
    /// Declares the version of the data this round reads (a generation counter bumped on every
    /// change). When it differs from the version the last kept entry was read at, the next entry
    /// kept ([`DumpEntry::end`]) carries `NLM_F_DUMP_INTR` (or, if none is, the core's closing
    /// `NLMSG_DONE` does): the reader knows the dump may be inconsistent and can restart it.
    pub fn set_generation(&mut self, generation: u64) {
        // `prev_seq == 0` means "no previous round", so never use 0 ourselves.
        let seq = (generation as u32).wrapping_add(1);
        self.cb.seq = if seq == 0 { 1 } else { seq };
    }

    /// Starts an entry (one message of the dump). `EMSGSIZE` means the skb is full: return
    /// [`DumpProgress::More`] and resume from the same position next round.
    pub fn entry(&mut self) -> Result<DumpEntry<'_>> {
        let skb = self.skb.as_ptr();
        // SAFETY: `skb` and `cb` are valid for this round (type invariant): `cb.skb` is the
        // request skb whose `cb` holds its `netlink_skb_parms`, `cb.nlh` its header.
        let (portid, seq, nlh) = unsafe {
            let parms = (*self.cb.skb)
                .cb
                .as_ptr()
                .cast::<bindings::netlink_skb_parms>();
            let nlh = skb_tail(skb).cast::<bindings::nlmsghdr>();
            ((*parms).portid, (*self.cb.nlh).nlmsg_seq, nlh)
        };
        // SAFETY: `skb` is this round's skb and `family` a registered `'static` family.
        let hdr = unsafe {
            bindings::genlmsg_put(
                skb,
                portid,
                seq,
                self.family.as_raw(),
                bindings::NLM_F_MULTI as c_int,
                self.cmd,
            )
        };
        let hdr = NonNull::new(hdr).ok_or(EMSGSIZE)?;
        // INVARIANT: `genlmsg_put` just wrote the message header at the old tail, `nlh`, and
        // `hdr` is its user header; the entry borrows the writer, so no other entry is started
        // while it lives.
        Ok(DumpEntry {
            skb: self.skb,
            // SAFETY: `nlh` is the old tail of a valid skb, not null.
            nlh: unsafe { NonNull::new_unchecked(nlh) },
            hdr,
            cb: &mut *self.cb,
            written: &mut self.written,
            done: false,
        })
    }
}

/// One message of a dump being written; [`DumpEntry::end`] keeps it, dropping it removes it.
///
/// # Invariants
///
/// `skb` is the round's skb and `cb` its callback; the entry's message is the last one in `skb`,
/// `nlh` its netlink header and `hdr` its user header.
pub struct DumpEntry<'a> {
    skb: NonNull<bindings::sk_buff>,
    nlh: NonNull<bindings::nlmsghdr>,
    hdr: NonNull<core::ffi::c_void>,
    cb: &'a mut bindings::netlink_callback,
    written: &'a mut usize,
    done: bool,
}

impl DumpEntry<'_> {
    /// Finishes the entry (`genlmsg_end`), marking it `NLM_F_DUMP_INTR` when the data changed
    /// since the last entry kept (see [`DumpWriter::set_generation`]).
    pub fn end(mut self) {
        // `genl_dump_check_consistent`, on the header of a message that is kept: run when the
        // entry starts, the mark would go with an entry that is then cancelled for lack of room,
        // and the next round, seeing `prev_seq` already updated, would not set it again.
        if self.cb.prev_seq != 0 && self.cb.seq != self.cb.prev_seq {
            // SAFETY: `nlh` is the header of this entry's message in the skb (type invariant).
            unsafe { (*self.nlh.as_ptr()).nlmsg_flags |= bindings::NLM_F_DUMP_INTR as u16 };
        }
        self.cb.prev_seq = self.cb.seq;
        // SAFETY: `hdr` is the header of the message being written (type invariant).
        unsafe { bindings::genlmsg_end(self.skb.as_ptr(), self.hdr.as_ptr()) };
        *self.written += 1;
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
pub(crate) const fn callbacks<H: DumpIt>() -> Callbacks {
    Callbacks {
        start: Some(start_callback::<H>),
        dumpit: Some(dumpit_callback::<H>),
        done: Some(done_callback::<H>),
    }
}

/// Where the cursor lives between rounds: a `KBox` pointer in the callback's scratch area.
fn cursor_slot<C>(cb: &mut bindings::netlink_callback) -> *mut *mut C {
    const { assert!(core::mem::size_of::<*mut u8>() <= bindings::NETLINK_CTX_SIZE as usize) };
    // SAFETY: `ctx` is the scratch union of the callback, large enough for a pointer (asserted
    // above) and suitably aligned, as it overlays `long args[]`.
    unsafe { cb.__bindgen_anon_1.ctx.as_mut_ptr().cast() }
}

/// The request of a dump.
///
/// # Safety
///
/// `cb` must be the callback of a started genetlink dump (its `data` is the core's
/// `genl_dumpit_info`), valid for `'a`.
unsafe fn dump_request<'a>(cb: *mut bindings::netlink_callback) -> Request<'a> {
    // SAFETY: `genl_start` set `cb->data` to the `genl_dumpit_info` holding the parsed request.
    unsafe {
        let info = (*cb).data.cast::<bindings::genl_dumpit_info>();
        Request::from_raw(&raw const (*info).info, (*info).op.maxattr)
    }
}

/// The `start` callback of a dump op served by `H`: creates the cursor.
///
/// # Safety
///
/// Called by the genetlink core only, with the callback of a dump of one of our families.
unsafe extern "C" fn start_callback<H: DumpIt>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: called by the core for a started dump, `cb` valid during the call.
    let req = unsafe { dump_request(cb) };
    let cursor = match check_dump_header(&req).and_then(|()| H::start(&req)) {
        Ok(c) => c,
        Err(e) => return e.to_errno(),
    };
    let cursor = match KBox::new(cursor, GFP_KERNEL) {
        Ok(b) => b,
        Err(_) => return ENOMEM.to_errno(),
    };
    // SAFETY: `cb` is valid and used only by this thread during the call.
    let cb = unsafe { &mut *cb };
    if H::MIN_DUMP_ALLOC > cb.min_dump_alloc {
        cb.min_dump_alloc = H::MIN_DUMP_ALLOC;
    }
    let slot = cursor_slot::<H::Cursor>(cb);
    // SAFETY: `slot` points into `cb`'s scratch area; `done_callback` takes the box back.
    unsafe { *slot = KBox::into_raw(cursor) };
    0
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
    // SAFETY: called by the core for a started dump, `cb` valid during the call.
    let req = unsafe { dump_request(cb) };
    // SAFETY: `cb` is valid and used only by this thread during the call.
    let cb = unsafe { &mut *cb };
    // SAFETY: `start_callback` stored a live `KBox<H::Cursor>` in the slot; only one round runs
    // at a time (the core holds the socket's dump lock).
    let cursor = unsafe { &mut **cursor_slot::<H::Cursor>(cb) };
    let Some(skb) = NonNull::new(skb) else {
        return EINVAL.to_errno();
    };
    let cmd = req.cmd();
    let mut out = DumpWriter {
        skb,
        cb,
        family: req.family(),
        cmd,
        written: 0,
    };
    match H::dumpit(&req, cursor, &mut out) {
        Ok(DumpProgress::Done) => 0,
        // An entry that does not fit an empty skb never will.
        Ok(DumpProgress::More) if out.written == 0 => EMSGSIZE.to_errno(),
        // SAFETY: `skb` is this round's skb.
        Ok(DumpProgress::More) => unsafe { (*skb.as_ptr()).len as c_int },
        Err(e) => e.to_errno(),
    }
}

/// The `done` callback of a dump op served by `H`: drops the cursor.
///
/// # Safety
///
/// Called by the genetlink core only, once, when a started dump ends.
unsafe extern "C" fn done_callback<H: DumpIt>(cb: *mut bindings::netlink_callback) -> c_int {
    // SAFETY: called by the core when the dump ends, `cb` valid during the call.
    let slot = cursor_slot::<H::Cursor>(unsafe { &mut *cb });
    // SAFETY: the slot holds null or the pointer `start_callback` leaked from a `KBox`; we take
    // it back exactly once and clear the slot.
    unsafe {
        let cursor = *slot;
        if !cursor.is_null() {
            *slot = core::ptr::null_mut();
            drop(KBox::from_raw(cursor));
        }
    }
    0
}
