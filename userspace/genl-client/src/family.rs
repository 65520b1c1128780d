// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A connection bound to one family: what a generated client holds.
//!
//! - The family's ID is resolved once and cached. A do that fails with ENOENT and no
//!   extended ack (what the genetlink core answers for an ID it does not know: the module was
//!   reloaded under another ID) resolves the name again and, if the ID changed, is sent once
//!   more.
//! - Errors name the offending attribute by the family's spec names ([`FamilyNames`]).
//! - A subscriber also hears the controller: when the family leaves it is told, and when it
//!   comes back its groups are joined again under their new IDs.

use std::collections::VecDeque;
use std::time::Instant;

use netlink_packet_generic::constants::GENL_ID_CTRL;
use netlink_sys::Socket;

use crate::conn::{Conn, FamilyInfo, Notice};
use crate::error::{NlError, Result};
use crate::exchange::{Exchange, Expect, ATTRS_OFFSET};
use crate::names::FamilyNames;

/// The attribute names of a family none were given for.
pub(crate) static NO_NAMES: FamilyNames = FamilyNames {
    sets: &[],
    ops: &[],
};

/// A blocking connection to one family.
#[derive(Debug)]
pub struct FamilyConn {
    conn: Conn,
    name: String,
    version: u8,
    family: FamilyInfo,
    names: &'static FamilyNames,
    /// The groups joined, by name: joined again when the family comes back.
    groups: Vec<String>,
}

/// Names the attribute a kernel error points at, in `request` (headers included).
pub(crate) fn named<T>(names: &FamilyNames, cmd: u8, request: &[u8], r: Result<T>) -> Result<T> {
    r.map_err(|e| match e {
        NlError::Kernel(mut k) => {
            let attrs = &request[ATTRS_OFFSET.min(request.len())..];
            names.name_error(&mut k, cmd, attrs, ATTRS_OFFSET);
            NlError::Kernel(k)
        }
        e => e,
    })
}

/// Whether `e` is the genetlink core's answer to a family ID it does not know: ENOENT with
/// no extended ack, before any reply (not at the end of a dump).
pub(crate) fn unknown_family(e: &NlError) -> bool {
    matches!(e, NlError::Kernel(k)
        if k.errno == libc::ENOENT && k.extack == Default::default() && !k.in_done)
}

impl FamilyConn {
    /// Connects and resolves family `name`; [`NlError::NotLoaded`] when it is not registered.
    pub fn connect(name: &str, version: u8) -> Result<Self> {
        let mut conn = Conn::new()?;
        let family = conn.resolve(name)?;
        Ok(FamilyConn {
            conn,
            name: name.to_owned(),
            version,
            family,
            names: &NO_NAMES,
            groups: Vec::new(),
        })
    }

    /// Names errors' attributes by `names`.
    pub fn with_names(mut self, names: &'static FamilyNames) -> Self {
        self.names = names;
        self
    }

    /// The family's ID.
    pub fn id(&self) -> u16 {
        self.family.id
    }

    /// What the controller said about the family.
    pub fn info(&self) -> &FamilyInfo {
        &self.family
    }

    /// The connection, for requests to other families (e.g. nlctrl's policy dump).
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// Sends a request of the family and hands each reply's command and attributes, read in
    /// place, to `on_reply`; see the module's doc for ENOENT and error names.
    pub fn exchange(
        &mut self,
        cmd: u8,
        expect: Expect,
        encode: impl Fn(&mut Vec<u8>) -> Result<()>,
        mut on_reply: impl FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let r = self.exchange_once(cmd, expect, &encode, &mut on_reply);
        match r {
            Err(e) if unknown_family(&e) && self.reresolve()? => {
                self.exchange_once(cmd, expect, &encode, &mut on_reply)
            }
            r => r,
        }
    }

    fn exchange_once(
        &mut self,
        cmd: u8,
        expect: Expect,
        encode: &dyn Fn(&mut Vec<u8>) -> Result<()>,
        on_reply: &mut dyn FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut ex = self.start(cmd, expect, encode)?;
        let r = self.conn.finish(&mut ex, on_reply);
        self.named(cmd, r)
    }

    fn start(
        &mut self,
        cmd: u8,
        expect: Expect,
        encode: &dyn Fn(&mut Vec<u8>) -> Result<()>,
    ) -> Result<Exchange> {
        self.conn
            .start(self.family.id, cmd, self.version, expect, encode, None)
    }

    /// Names the attribute a kernel error points at, from the request still in the buffer.
    fn named<T>(&self, cmd: u8, r: Result<T>) -> Result<T> {
        named(self.names, cmd, self.conn.last_request(), r)
    }

    /// Resolves the family again; whether its ID changed.
    fn reresolve(&mut self) -> Result<bool> {
        let info = self.conn.resolve(&self.name)?;
        let changed = info.id != self.family.id;
        self.family = info;
        Ok(changed)
    }

    /// A do with a reply, decoded in place by `decode`.
    pub fn do_reply<T>(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()>,
        decode: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Result<T> {
        let mut decode = Some(decode);
        let mut out = None;
        self.exchange(cmd, Expect::Reply, encode, |_, a| {
            if let Some(d) = decode.take() {
                out = Some(d(a)?);
            }
            Ok(())
        })?;
        out.ok_or_else(|| NlError::Malformed("no reply".into()))
    }

    /// A do with a reply, the reply's attributes read in place: they stay in the
    /// connection's receive buffer, borrowed, until its next request (the zero-copy path).
    pub fn do_in_place(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()>,
    ) -> Result<&[u8]> {
        let mut ex = None;
        let r = match self.exchange_kept(cmd, &encode, &mut ex) {
            Err(e) if unknown_family(&e) && self.reresolve()? => {
                self.exchange_kept(cmd, &encode, &mut ex)
            }
            r => r,
        };
        r?;
        ex.as_ref()
            .and_then(|ex| self.conn.reply_of(ex))
            .ok_or_else(|| NlError::Malformed("no reply".into()))
    }

    /// A do with a reply, its `Exchange` kept in `ex` for the caller to read the reply from.
    fn exchange_kept(
        &mut self,
        cmd: u8,
        encode: &dyn Fn(&mut Vec<u8>) -> Result<()>,
        ex: &mut Option<Exchange>,
    ) -> Result<()> {
        let e = ex.insert(self.start(cmd, Expect::Reply, encode)?);
        let r = self.conn.finish(e, &mut |_, _| Ok(()));
        self.named(cmd, r)
    }

    /// A do the kernel only acks.
    pub fn do_ack(&mut self, cmd: u8, encode: impl Fn(&mut Vec<u8>) -> Result<()>) -> Result<()> {
        self.exchange(cmd, Expect::Ack, encode, |_, _| Ok(()))
    }

    /// A dump, every reply decoded by `decode`, read as the caller iterates. The iterator
    /// ends with the error the kernel put in `NLMSG_DONE`, or with
    /// [`NlError::DumpInterrupted`] after every reply when the objects changed meanwhile.
    pub fn dump<T>(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()>,
        decode: fn(&[u8]) -> Result<T>,
    ) -> Dump<'_, T> {
        let ex = self.start(cmd, Expect::Dump, &encode);
        let (ex, failed) = match ex {
            Ok(ex) => (Some(ex), None),
            Err(e) => (None, Some(e)),
        };
        Dump {
            fc: self,
            cmd,
            ex,
            decode,
            queue: VecDeque::new(),
            failed,
        }
    }

    /// The whole dump, taken again when it was interrupted, at most `attempts` times; then
    /// [`NlError::DumpInterrupted`].
    pub fn dump_consistent<T>(
        &mut self,
        cmd: u8,
        encode: impl Fn(&mut Vec<u8>) -> Result<()>,
        decode: fn(&[u8]) -> Result<T>,
        attempts: u32,
    ) -> Result<Vec<T>> {
        let mut left = attempts.max(1);
        loop {
            match self.dump(cmd, &encode, decode).collect() {
                Err(NlError::DumpInterrupted) if left > 1 => left -= 1,
                r => return r,
            }
        }
    }

    /// Joins multicast group `group` by its name, and the controller's group: see
    /// [`FamilyConn::notices`]. An error when the family has no such group.
    ///
    /// Notifications that arrive while a request of this connection waits for its replies
    /// are not kept: subscribe on a connection of its own.
    pub fn subscribe(&mut self, group: &str) -> Result<()> {
        join(
            self.conn.socket(),
            &self.name,
            &self.family,
            &mut self.groups,
            group,
        )
    }

    /// What the next datagram brings, waiting up to `deadline` (`None`: it passed): the
    /// family's notifications, an overflow, the family leaving or coming back (its groups
    /// then joined again).
    pub fn notices(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<Notice>>> {
        let Some(notices) = self
            .conn
            .next_notices(&self.name, self.family.id, deadline)?
        else {
            return Ok(None);
        };
        follow(self.conn.socket(), &mut self.family, &self.groups, &notices)?;
        Ok(Some(notices))
    }
}

/// Joins multicast group `group` of family `name` on `sock`, and with the first group
/// nlctrl's, whose one group, `notify`, has the controller's ID as its ID (genetlink.c).
pub(crate) fn join(
    sock: &Socket,
    name: &str,
    family: &FamilyInfo,
    groups: &mut Vec<String>,
    group: &str,
) -> Result<()> {
    let id = family
        .group(group)
        .ok_or_else(|| NlError::InvalidRequest(format!("{name} has no multicast group {group}")))?;
    sock.add_membership(id)?;
    if groups.is_empty() {
        sock.add_membership(GENL_ID_CTRL.into())?;
    }
    groups.push(group.to_owned());
    Ok(())
}

/// When `notices` say the family came back: its new IDs taken, and `groups` joined again.
pub(crate) fn follow(
    sock: &Socket,
    family: &mut FamilyInfo,
    groups: &[String],
    notices: &[Notice],
) -> Result<()> {
    for n in notices {
        if let Notice::FamilyBack(info) = n {
            *family = info.clone();
            for id in groups.iter().filter_map(|g| info.group(g)) {
                sock.add_membership(id)?;
            }
        }
    }
    Ok(())
}

/// The replies of a dump, as [`FamilyConn::dump`] reads them. Dropped early, it reads the
/// rest of the dump and discards it, so that the socket can dump again.
pub struct Dump<'c, T> {
    fc: &'c mut FamilyConn,
    cmd: u8,
    ex: Option<Exchange>,
    decode: fn(&[u8]) -> Result<T>,
    queue: VecDeque<Result<T>>,
    failed: Option<NlError>,
}

impl<T> Iterator for Dump<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.queue.pop_front() {
                return Some(item);
            }
            if let Some(e) = self.failed.take() {
                return Some(Err(e));
            }
            let ex = self.ex.as_mut().filter(|ex| !ex.done())?;
            let (queue, decode) = (&mut self.queue, self.decode);
            let r = self.fc.conn.feed(ex, &mut |_, a| {
                queue.push_back(decode(a));
                Ok(())
            });
            if let Err(e) = self.fc.named(self.cmd, r) {
                self.failed = Some(e);
                self.ex = None;
            }
        }
    }
}

impl<T> Drop for Dump<'_, T> {
    fn drop(&mut self) {
        if let Some(ex) = &mut self.ex {
            self.fc.conn.drain(ex);
        }
    }
}
