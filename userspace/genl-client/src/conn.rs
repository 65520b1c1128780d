// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A blocking connection to Generic Netlink: a socket (netlink-sys) set up as ynl sets its own
//! (`NETLINK_CAP_ACK`, `NETLINK_EXT_ACK`, `NETLINK_GET_STRICT_CHK`), with reused send and
//! receive buffers; requests through an [`Exchange`]; the controller (nlctrl): family
//! resolution, the policy dump, and its announcements of families that come and go.

use std::io;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use netlink_packet_core::ParseableParametrized;
use netlink_packet_generic::{
    constants::{CTRL_CMD_DELFAMILY, CTRL_CMD_NEWFAMILY, GENL_ID_CTRL},
    ctrl::{
        nlas::{GenlCtrlAttrs, McastGrpAttrs},
        GenlCtrl,
    },
    GenlHeader,
};
use netlink_sys::{protocols::NETLINK_GENERIC, Socket};

use crate::attr::{iter_attrs, put_attr};
use crate::error::{NlError, Result};
use crate::exchange::{messages, write_request, Exchange, Expect, ATTRS_OFFSET};
use crate::typed::put_str;

const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_CMD_GETPOLICY: u8 = 10;
const CTRL_VERSION: u8 = 2;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const CTRL_ATTR_POLICY: u16 = 8;
const CTRL_ATTR_OP_POLICY: u16 = 9;
const CTRL_ATTR_OP: u16 = 10;
const CTRL_ATTR_POLICY_DO: u16 = 1;
const CTRL_ATTR_POLICY_DUMP: u16 = 2;
/// ynl reads with 128 KiB; a message may be nearly 64 KiB, and the kernel sizes a dump's
/// rounds by the reader's buffer (`max_recvmsg_len`).
pub const RECV_SIZE: usize = 128 * 1024;

/// What the controller says about a family.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FamilyInfo {
    pub id: u16,
    pub mcast_groups: Vec<(String, u32)>,
}

impl FamilyInfo {
    /// The ID of multicast group `name`, if the family has it.
    pub fn group(&self, name: &str) -> Option<u32> {
        self.mcast_groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, id)| id)
    }

    /// From the attributes of a `CTRL_CMD_NEWFAMILY` (a reply or an announcement), parsed by
    /// netlink-packet-generic.
    pub fn parse(attrs: &[u8]) -> Result<FamilyInfo> {
        let mut info = FamilyInfo::default();
        for a in parse_ctrl(CTRL_CMD_NEWFAMILY, attrs)? {
            match a {
                GenlCtrlAttrs::FamilyId(id) => info.id = id,
                GenlCtrlAttrs::McastGroups(groups) => {
                    for g in groups {
                        let (mut n, mut id) = (String::new(), 0);
                        for x in g {
                            match x {
                                McastGrpAttrs::Name(s) => n = s,
                                McastGrpAttrs::Id(i) => id = i,
                            }
                        }
                        info.mcast_groups.push((n, id));
                    }
                }
                _ => {}
            }
        }
        if info.id == 0 {
            return Err(NlError::Malformed("nlctrl sent no family ID".into()));
        }
        Ok(info)
    }
}

/// The attributes of an nlctrl message, typed by netlink-packet-generic.
pub fn parse_ctrl(cmd: u8, attrs: &[u8]) -> Result<Vec<GenlCtrlAttrs>> {
    let header = GenlHeader {
        cmd,
        version: CTRL_VERSION,
    };
    GenlCtrl::parse_with_param(attrs, header)
        .map(|c| c.nlas)
        .map_err(|e| NlError::Malformed(format!("nlctrl's message: {e}")))
}

/// One message of a family: its command and attributes.
pub type Reply = (u8, Vec<u8>);

/// Something a subscriber receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A message of the family: its command and attributes.
    Message(u8, Vec<u8>),
    /// The socket's receive queue overflowed (ENOBUFS): messages were lost; resynchronise.
    ///
    /// The family's messages queued when it was reported are dropped too, the queue read
    /// empty: the kernel reports ENOBUFS once until a reader empties the queue
    /// (`netlink_overrun()`, `netlink_rcv_wake()`), so a loss while they were still queued
    /// would go unreported. A resynchronisation from here on sees all they changed.
    Overflow,
    /// The controller announced the family gone (its module was unloaded): the kernel dropped
    /// the group memberships.
    FamilyGone,
    /// The family is registered again; [`crate::FamilyConn`] has joined its groups anew
    /// under their new IDs. What happened meanwhile was not seen: resynchronise.
    FamilyBack(FamilyInfo),
}

/// What one datagram says about family `name` (ID `family`): its messages, and the
/// controller's announcements of it.
pub(crate) fn notices(
    datagram: &[u8],
    name: &str,
    family: u16,
    out: &mut Vec<Notice>,
) -> Result<()> {
    for m in messages(datagram) {
        let m = m?;
        if m.ty == family {
            let (cmd, attrs) = m.genl()?;
            out.push(Notice::Message(cmd, attrs.to_vec()));
            continue;
        }
        if m.ty != GENL_ID_CTRL || m.seq != 0 {
            continue; // nlctrl's announcements have sequence number 0, its replies not
        }
        let (cmd, attrs) = m.genl()?;
        if cmd == CTRL_CMD_NEWFAMILY || cmd == CTRL_CMD_DELFAMILY {
            let ours = iter_attrs(attrs).map_while(|a| a.ok()).any(|a| {
                a.kind == CTRL_ATTR_FAMILY_NAME
                    && a.payload.split(|b| *b == 0).next() == Some(name.as_bytes())
            });
            if !ours {
                continue;
            }
            out.push(if cmd == CTRL_CMD_DELFAMILY {
                Notice::FamilyGone
            } else {
                Notice::FamilyBack(FamilyInfo::parse(attrs)?)
            });
        }
    }
    Ok(())
}

/// The socket options every connection has, as ynl's.
pub(crate) fn open_socket() -> Result<Socket> {
    let mut sock = Socket::new(NETLINK_GENERIC)?;
    sock.set_cap_ack(true)?;
    sock.set_ext_ack(true)?;
    sock.set_netlink_get_strict_chk(true)?;
    sock.bind_auto()?;
    Ok(sock)
}

/// A first sequence number that differs between processes, as a reader of `strace` expects.
pub(crate) fn first_seq() -> u32 {
    std::process::id().wrapping_mul(7919)
}

/// Receives one datagram from `sock` into `rx`: its length, which exceeds what fit when the
/// buffer was too small (`MSG_TRUNC`; see [`fitted`]).
pub(crate) fn recv_datagram(sock: &Socket, rx: &mut Vec<u8>) -> io::Result<usize> {
    rx.clear();
    sock.recv(rx, libc::MSG_TRUNC)
}

/// A datagram of `n` bytes received into `rx`: an error when it did not fit.
pub(crate) fn fitted(n: usize, rx: &[u8]) -> Result<()> {
    if n > rx.len() {
        return Err(NlError::Malformed(format!(
            "a datagram of {n} bytes, over the {} of the receive buffer",
            rx.len()
        )));
    }
    Ok(())
}

/// Writes a connection's next request into `tx` (`seq` advanced; 0 marks what the kernel sends
/// unasked) and sends it on `sock`: a netlink send to the kernel is handled in the sender's
/// context, so it does not wait, on a blocking socket or not.
#[allow(clippy::too_many_arguments)] // the connection's parts, then the request's header
pub(crate) fn send_request(
    sock: &Socket,
    seq: &mut u32,
    tx: &mut Vec<u8>,
    family: u16,
    cmd: u8,
    version: u8,
    expect: Expect,
    encode: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    check: Option<&dyn Fn(u16) -> String>,
) -> Result<Exchange> {
    *seq = seq.wrapping_add(1).max(1);
    write_request(tx, family, cmd, version, expect, *seq, encode, check)?;
    sock.send(tx, 0)?;
    Ok(Exchange::new(*seq, expect))
}

/// A blocking generic netlink connection.
#[derive(Debug)]
pub struct Conn {
    sock: Socket,
    seq: u32,
    tx: Vec<u8>,
    rx: Vec<u8>,
}

impl Conn {
    pub fn new() -> Result<Conn> {
        Ok(Conn {
            sock: open_socket()?,
            seq: first_seq(),
            tx: Vec::new(),
            rx: Vec::with_capacity(RECV_SIZE),
        })
    }

    /// The socket, e.g. to size its receive buffer.
    pub fn socket(&self) -> &Socket {
        &self.sock
    }

    /// The last request sent, headers included.
    pub fn last_request(&self) -> &[u8] {
        &self.tx
    }

    /// The attributes of the last reply `ex` read, in place in the receive buffer (until the
    /// next receive).
    pub(crate) fn reply_of(&self, ex: &Exchange) -> Option<&[u8]> {
        self.rx.get(ex.last_reply()?)
    }

    /// Receives one datagram into the receive buffer.
    fn recv(&mut self) -> Result<()> {
        let n = recv_datagram(&self.sock, &mut self.rx)?;
        fitted(n, &self.rx)
    }

    /// Sends a request (its attributes appended by `encode`) and hands each reply's command
    /// and attributes to `on_reply`, read in place, until the request is complete. The
    /// kernel's error is the result. `check`: see [`write_request`].
    #[allow(clippy::too_many_arguments)]
    pub fn exchange(
        &mut self,
        family: u16,
        cmd: u8,
        version: u8,
        expect: Expect,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<()>,
        check: Option<&dyn Fn(u16) -> String>,
        mut on_reply: impl FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut ex = self.start(family, cmd, version, expect, encode, check)?;
        self.finish(&mut ex, &mut on_reply)
    }

    /// Sends a request; its replies are read with [`Conn::feed`].
    pub(crate) fn start(
        &mut self,
        family: u16,
        cmd: u8,
        version: u8,
        expect: Expect,
        encode: impl FnOnce(&mut Vec<u8>) -> Result<()>,
        check: Option<&dyn Fn(u16) -> String>,
    ) -> Result<Exchange> {
        send_request(
            &self.sock,
            &mut self.seq,
            &mut self.tx,
            family,
            cmd,
            version,
            expect,
            encode,
            check,
        )
    }

    /// Reads one datagram for `ex`.
    pub(crate) fn feed(
        &mut self,
        ex: &mut Exchange,
        on_reply: &mut dyn FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        self.recv()?;
        ex.feed(&self.rx, on_reply)
    }

    /// Reads datagrams until `ex` is complete. When `on_reply` fails first (a reply that
    /// does not decode), the rest of the request's replies are read and dropped, so that the
    /// socket is ready for the next request (a dump left running would make the kernel refuse
    /// the next one, EBUSY).
    pub(crate) fn finish(
        &mut self,
        ex: &mut Exchange,
        on_reply: &mut dyn FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        let mut r = Ok(());
        while !ex.done() && r.is_ok() {
            r = self.feed(ex, on_reply);
        }
        self.drain(ex);
        r
    }

    /// Reads and drops what is left of `ex`'s replies; an error ends it (the kernel's own
    /// completes the request).
    pub(crate) fn drain(&mut self, ex: &mut Exchange) {
        while !ex.done() {
            if self.feed(ex, &mut |_, _| Ok(())).is_err() {
                break;
            }
        }
    }

    /// A request of family `family` with its attributes as bytes, `flags` beyond REQUEST and
    /// ACK (e.g. `NLM_F_DUMP`), acked as ynl's are: every reply, owned.
    pub fn request(
        &mut self,
        family: u16,
        cmd: u8,
        version: u8,
        flags: u16,
        attrs: &[u8],
    ) -> Result<Vec<Reply>> {
        let expect = if flags & netlink_packet_core::NLM_F_DUMP != 0 {
            Expect::Dump
        } else {
            Expect::Ack
        };
        let mut replies = Vec::new();
        self.exchange(
            family,
            cmd,
            version,
            expect,
            |o| {
                o.extend_from_slice(attrs);
                Ok(())
            },
            // Attributes made by hand: one put over 64 KiB is refused here, not sent.
            Some(&|t| format!("type {t}")),
            |c, a| {
                replies.push((c, a.to_vec()));
                Ok(())
            },
        )?;
        Ok(replies)
    }

    /// The family's ID and multicast groups; `NotLoaded` when it is not registered.
    pub fn resolve(&mut self, name: &str) -> Result<FamilyInfo> {
        let mut info = None;
        let r = self.exchange(
            GENL_ID_CTRL,
            CTRL_CMD_GETFAMILY,
            CTRL_VERSION,
            Expect::Reply,
            |o| put_str(o, CTRL_ATTR_FAMILY_NAME, "name", name.as_bytes()),
            None,
            |_, a| {
                info = Some(FamilyInfo::parse(a)?);
                Ok(())
            },
        );
        match r {
            Err(NlError::Kernel(k)) if k.errno == libc::ENOENT => {
                Err(NlError::NotLoaded(name.to_owned()))
            }
            r => r.and_then(|()| {
                info.ok_or_else(|| NlError::Malformed("no reply from nlctrl".into()))
            }),
        }
    }

    /// The policy dump of one op (`CTRL_CMD_GETPOLICY` with `CTRL_ATTR_OP`): which table each
    /// mode uses, and every table it reaches, attribute by attribute.
    pub fn policy(&mut self, family: u16, op: u8) -> Result<PolicyDump> {
        let mut dump = PolicyDump::default();
        let bad = |e: crate::attr::AttrError| NlError::Malformed(format!("policy dump: {e}"));
        self.exchange(
            GENL_ID_CTRL,
            CTRL_CMD_GETPOLICY,
            CTRL_VERSION,
            Expect::Dump,
            |o| {
                put_attr(o, CTRL_ATTR_FAMILY_ID, &family.to_ne_bytes());
                put_attr(o, CTRL_ATTR_OP, &(op as u32).to_ne_bytes());
                Ok(())
            },
            None,
            |_, buf| {
                for a in iter_attrs(buf) {
                    let a = a.map_err(bad)?;
                    match a.kind {
                        CTRL_ATTR_OP_POLICY => {
                            for op_attr in iter_attrs(a.payload) {
                                for m in iter_attrs(op_attr.map_err(bad)?.payload) {
                                    let m = m.map_err(bad)?;
                                    let v = m
                                        .payload
                                        .get(..4)
                                        .map(|b| u32::from_ne_bytes(b.try_into().unwrap()));
                                    match m.kind {
                                        CTRL_ATTR_POLICY_DO => dump.do_ = v,
                                        CTRL_ATTR_POLICY_DUMP => dump.dump = v,
                                        _ => {}
                                    }
                                }
                            }
                        }
                        CTRL_ATTR_POLICY => {
                            for table in iter_attrs(a.payload) {
                                let table = table.map_err(bad)?;
                                for at in iter_attrs(table.payload) {
                                    let at = at.map_err(bad)?;
                                    let props = iter_attrs(at.payload)
                                        .map(|p| p.map(|p| (p.kind, p.payload.to_vec())))
                                        .collect::<Result<_, _>>()
                                        .map_err(bad)?;
                                    dump.add(table.kind as u32, at.kind, props);
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Ok(())
            },
        )?;
        Ok(dump)
    }

    /// Joins a multicast group.
    pub fn subscribe(&mut self, group: u32) -> Result<()> {
        self.sock.add_membership(group)?;
        Ok(())
    }

    /// Waits up to `deadline` for a datagram; `false` when the deadline passed first.
    fn wait(&self, deadline: Option<Instant>) -> Result<bool> {
        let timeout_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(false);
                }
                left.as_millis().clamp(1, i32::MAX as u128) as i32
            }
        };
        let mut pfd = libc::pollfd {
            fd: self.sock.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd, for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, timeout_ms) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                return Ok(true);
            }
            return Err(e.into());
        }
        Ok(n > 0)
    }

    /// Waits for the next datagram, up to `deadline`; the family's messages in it (`None`
    /// when the deadline passed). ENOBUFS (notifications lost) is passed on as an error.
    pub fn next_notifications(
        &mut self,
        family: u16,
        deadline: Option<Instant>,
    ) -> Result<Option<Vec<Reply>>> {
        if !self.wait(deadline)? {
            return Ok(None);
        }
        match self.recv() {
            Err(NlError::Io(e)) if e.kind() == io::ErrorKind::WouldBlock => {
                return Ok(Some(Vec::new()))
            }
            r => r?,
        }
        let mut out = Vec::new();
        for m in messages(&self.rx) {
            let m = m?;
            if m.ty == family {
                let (cmd, attrs) = m.genl()?;
                out.push((cmd, attrs.to_vec()));
            }
        }
        Ok(Some(out))
    }

    /// Waits for the next datagram, up to `deadline`, and reads what it says about family
    /// `name` (ID `family`): its messages, its leaving or coming back, an overflow. `None`
    /// when the deadline passed.
    pub(crate) fn next_notices(
        &mut self,
        name: &str,
        family: u16,
        deadline: Option<Instant>,
    ) -> Result<Option<Vec<Notice>>> {
        if !self.wait(deadline)? {
            return Ok(None);
        }
        let r = self.recv();
        after_recv(r, &self.sock, &mut self.rx, name, family).map(Some)
    }
}

/// What a subscriber's receive brought (`r`, the datagram in `rx`) about family `name` (ID
/// `family`). On ENOBUFS, what is queued is read at once (`sock` is not waited on), keeping
/// only the controller's news: see [`Notice::Overflow`].
pub(crate) fn after_recv(
    r: Result<()>,
    sock: &Socket,
    rx: &mut Vec<u8>,
    name: &str,
    family: u16,
) -> Result<Vec<Notice>> {
    let mut out = Vec::new();
    match r {
        Err(NlError::Io(e)) if e.raw_os_error() == Some(libc::ENOBUFS) => {
            loop {
                rx.clear();
                match sock.recv(rx, libc::MSG_TRUNC | libc::MSG_DONTWAIT) {
                    Ok(_) => notices(rx, name, 0, &mut out)?,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => {}
                    Err(e) => return Err(e.into()),
                }
            }
            out.push(Notice::Overflow)
        }
        r => {
            r?;
            notices(rx, name, family, &mut out)?;
        }
    }
    Ok(out)
}

/// One attribute's policy: its type in the table and its NL_POLICY_TYPE_ATTR_* properties
/// (kind, payload) in the order the kernel sent them.
pub type AttrPolicy = (u16, Vec<(u16, Vec<u8>)>);

/// An op's policies as CTRL_CMD_GETPOLICY reports them.
#[derive(Clone, Debug, Default)]
pub struct PolicyDump {
    pub do_: Option<u32>,
    pub dump: Option<u32>,
    /// (table index, its attributes).
    pub tables: Vec<(u32, Vec<AttrPolicy>)>,
}

impl PolicyDump {
    fn add(&mut self, table: u32, attr: u16, props: Vec<(u16, Vec<u8>)>) {
        match self.tables.iter_mut().find(|(t, _)| *t == table) {
            Some((_, attrs)) => match attrs.iter_mut().find(|(a, _)| *a == attr) {
                Some(slot) => slot.1 = props,
                None => attrs.push((attr, props)),
            },
            None => self.tables.push((table, vec![(attr, props)])),
        }
    }

    pub fn table(&self, idx: u32) -> Option<&[AttrPolicy]> {
        self.tables
            .iter()
            .find(|(t, _)| *t == idx)
            .map(|(_, a)| a.as_slice())
    }
}

/// How long to wait in total, from now.
pub fn deadline(secs: Option<f64>) -> Option<Instant> {
    secs.map(|s| Instant::now() + Duration::from_secs_f64(s.max(0.0)))
}

/// The offset of the first attribute in a request, for extended-ack offsets.
pub const REQUEST_ATTRS_OFFSET: usize = ATTRS_OFFSET;
