// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A blocking connection to Generic Netlink: a socket (netlink-sys) set up as ynl sets its own
//! (`NETLINK_CAP_ACK`, `NETLINK_EXT_ACK`, `NETLINK_GET_STRICT_CHK`), messages framed by
//! netlink-packet-core / netlink-packet-generic, family resolution and the policy dump
//! through the controller (nlctrl), and the extended ack of an error.

use std::io;
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use netlink_packet_core::{
    DecodeError, Emitable, NetlinkMessage, NetlinkPayload, ParseableParametrized, NLM_F_ACK,
    NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_generic::{
    ctrl::{
        nlas::{GenlCtrlAttrs, McastGrpAttrs},
        GenlCtrl, GenlCtrlCmd,
    },
    GenlFamily, GenlHeader, GenlMessage,
};
use netlink_sys::{protocols::NETLINK_GENERIC, Socket};

use crate::attr::attrs;

const NLM_F_CAPPED: u16 = 0x100;
const NLM_F_ACK_TLVS: u16 = 0x200;
const NLMSG_HDRLEN: usize = 16;
pub const GENL_HDRLEN: usize = 4;
const NLMSGERR_ATTR_MSG: u16 = 1;
const NLMSGERR_ATTR_OFFS: u16 = 2;
const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
const NLMSGERR_ATTR_MISS_NEST: u16 = 6;
const CTRL_ATTR_POLICY: u16 = 8;
const CTRL_ATTR_OP_POLICY: u16 = 9;
const CTRL_ATTR_POLICY_DO: u16 = 1;
const CTRL_ATTR_POLICY_DUMP: u16 = 2;
/// ynl reads with 128 KiB; a dump message may be nearly 64 KiB.
const RECV_SIZE: usize = 128 * 1024;

/// A generic netlink message of any family: its header and its attributes as bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawGenl {
    pub cmd: u8,
    pub version: u8,
    pub attrs: Vec<u8>,
}

impl GenlFamily for RawGenl {
    fn family_name() -> &'static str {
        "" // resolved at run time, from the spec's name
    }
    fn command(&self) -> u8 {
        self.cmd
    }
    fn version(&self) -> u8 {
        self.version
    }
}

impl Emitable for RawGenl {
    fn buffer_len(&self) -> usize {
        self.attrs.len()
    }
    fn emit(&self, buffer: &mut [u8]) {
        buffer[..self.attrs.len()].copy_from_slice(&self.attrs);
    }
}

impl ParseableParametrized<[u8], GenlHeader> for RawGenl {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> std::result::Result<Self, DecodeError> {
        Ok(RawGenl {
            cmd: header.cmd,
            version: header.version,
            attrs: buf.to_vec(),
        })
    }
}

/// The extended ack of an error, as the kernel sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extack {
    pub msg: Option<String>,
    /// Offset of the offending attribute from the start of the request.
    pub offset: Option<u32>,
    pub miss_type: Option<u32>,
    pub miss_nest: Option<u32>,
}

impl Extack {
    fn parse_tlvs(tlvs: &[u8]) -> Extack {
        let mut e = Extack::default();
        let u32_of = |p: &[u8]| {
            p.get(..4)
                .map(|b| u32::from_ne_bytes(b.try_into().unwrap()))
        };
        for a in attrs(tlvs).unwrap_or_default() {
            match a.kind {
                NLMSGERR_ATTR_MSG => {
                    let s = a.payload.split(|b| *b == 0).next().unwrap_or_default();
                    e.msg = Some(String::from_utf8_lossy(s).into_owned());
                }
                NLMSGERR_ATTR_OFFS => e.offset = u32_of(a.payload),
                NLMSGERR_ATTR_MISS_TYPE => e.miss_type = u32_of(a.payload),
                NLMSGERR_ATTR_MISS_NEST => e.miss_nest = u32_of(a.payload),
                _ => {}
            }
        }
        e
    }

    /// From an `NLMSG_ERROR`'s bytes after the errno: the echoed request (its header only
    /// when `NLM_F_CAPPED`), then the TLVs when `NLM_F_ACK_TLVS`.
    fn from_error(rest: &[u8], flags: u16) -> Extack {
        if flags & NLM_F_ACK_TLVS == 0 || rest.len() < NLMSG_HDRLEN {
            return Extack::default();
        }
        let start = if flags & NLM_F_CAPPED != 0 {
            NLMSG_HDRLEN
        } else {
            (u32::from_ne_bytes(rest[..4].try_into().unwrap()) as usize + 3) & !3
        };
        rest.get(start..).map(Self::parse_tlvs).unwrap_or_default()
    }
}

/// What went wrong talking to the kernel.
#[derive(Debug)]
pub enum NlError {
    /// The kernel refused the request.
    Kernel {
        errno: i32,
        extack: Extack,
    },
    /// The family is not registered (the controller knows no such name).
    NotLoaded(String),
    Io(io::Error),
    /// A message that could not be parsed.
    Malformed(String),
}

impl From<io::Error> for NlError {
    fn from(e: io::Error) -> Self {
        NlError::Io(e)
    }
}

pub type Result<T> = std::result::Result<T, NlError>;

/// `strerror(errno)`.
pub fn strerror(errno: i32) -> String {
    let s = io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// What the controller says about a family.
#[derive(Clone, Debug, Default)]
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
}

/// One reply message: its command and attributes.
pub type Reply = (u8, Vec<u8>);

pub struct Conn {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl Conn {
    pub fn new() -> Result<Conn> {
        let mut sock = Socket::new(NETLINK_GENERIC)?;
        sock.set_cap_ack(true)?;
        sock.set_ext_ack(true)?;
        sock.set_netlink_get_strict_chk(true)?;
        sock.bind_auto()?;
        Ok(Conn {
            sock,
            seq: std::process::id().wrapping_mul(7919),
            buf: Vec::with_capacity(RECV_SIZE),
        })
    }

    /// The messages of one datagram.
    fn recv(&mut self) -> Result<Vec<NetlinkMessage<GenlMessage<RawGenl>>>> {
        self.buf.clear();
        self.sock.recv(&mut self.buf, 0)?;
        let mut out = Vec::new();
        let mut off = 0;
        while self.buf.len() - off >= NLMSG_HDRLEN {
            let len = u32::from_ne_bytes(self.buf[off..off + 4].try_into().unwrap()) as usize;
            if len < NLMSG_HDRLEN || off + len > self.buf.len() {
                return Err(NlError::Malformed(format!("a message of length {len}")));
            }
            let msg =
                NetlinkMessage::<GenlMessage<RawGenl>>::deserialize(&self.buf[off..off + len])
                    .map_err(|e| NlError::Malformed(e.to_string()))?;
            out.push(msg);
            off += (len + 3) & !3;
        }
        Ok(out)
    }

    fn send(&mut self, mut bytes: Vec<u8>) -> Result<u32> {
        self.seq = self.seq.wrapping_add(1);
        bytes[8..12].copy_from_slice(&self.seq.to_ne_bytes());
        self.sock.send(&bytes, 0)?;
        Ok(self.seq)
    }

    /// Sends a request and collects its replies (for a dump, until `NLMSG_DONE`; else until
    /// the ack): the kernel's error, when it sends one, is the result.
    fn transact(&mut self, bytes: Vec<u8>, dump: bool) -> Result<Vec<Reply>> {
        let seq = self.send(bytes)?;
        let mut replies = Vec::new();
        loop {
            for msg in self.recv()? {
                if msg.header.sequence_number != seq {
                    continue; // a notification, or a stray reply
                }
                match msg.payload {
                    NetlinkPayload::InnerMessage(g) => {
                        replies.push((g.payload.cmd, g.payload.attrs));
                    }
                    NetlinkPayload::Error(e) => match e.code {
                        Some(code) => {
                            return Err(NlError::Kernel {
                                errno: -code.get(),
                                extack: Extack::from_error(&e.header, msg.header.flags),
                            })
                        }
                        None => return Ok(replies),
                    },
                    NetlinkPayload::Done(d) => {
                        if d.code < 0 {
                            let extack = if msg.header.flags & NLM_F_ACK_TLVS != 0 {
                                Extack::parse_tlvs(&d.extended_ack)
                            } else {
                                Extack::default()
                            };
                            return Err(NlError::Kernel {
                                errno: -d.code,
                                extack,
                            });
                        }
                        if dump {
                            return Ok(replies);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn ctrl(
        &mut self,
        cmd: GenlCtrlCmd,
        nlas: Vec<GenlCtrlAttrs>,
        dump: bool,
    ) -> Result<Vec<Reply>> {
        let mut nl = NetlinkMessage::from(GenlMessage::from_payload(GenlCtrl { cmd, nlas }));
        nl.header.flags = NLM_F_REQUEST | NLM_F_ACK | if dump { NLM_F_DUMP } else { 0 };
        nl.finalize();
        let mut bytes = vec![0; nl.buffer_len()];
        nl.serialize(&mut bytes);
        self.transact(bytes, dump)
    }

    /// The family's ID and multicast groups; `NotLoaded` when it is not registered.
    pub fn resolve(&mut self, name: &str) -> Result<FamilyInfo> {
        let replies = match self.ctrl(
            GenlCtrlCmd::GetFamily,
            vec![GenlCtrlAttrs::FamilyName(name.to_owned())],
            false,
        ) {
            Err(NlError::Kernel { errno, .. }) if errno == libc::ENOENT => {
                return Err(NlError::NotLoaded(name.to_owned()))
            }
            r => r?,
        };
        let mut info = FamilyInfo::default();
        for (_, attrs) in replies {
            let header = GenlHeader {
                cmd: netlink_packet_generic::constants::CTRL_CMD_NEWFAMILY,
                version: 2,
            };
            let ctrl = GenlCtrl::parse_with_param(&attrs[..], header)
                .map_err(|e| NlError::Malformed(format!("nlctrl's reply: {e}")))?;
            for a in ctrl.nlas {
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
        }
        if info.id == 0 {
            return Err(NlError::Malformed("nlctrl sent no family ID".into()));
        }
        Ok(info)
    }

    /// A request of the family: `flags` beyond REQUEST and ACK (e.g. DUMP).
    pub fn request(
        &mut self,
        family: u16,
        cmd: u8,
        version: u8,
        flags: u16,
        attrs: &[u8],
    ) -> Result<Vec<Reply>> {
        let bytes = request_bytes(family, cmd, version, flags, attrs);
        self.transact(bytes, flags & NLM_F_DUMP == NLM_F_DUMP)
    }

    /// The policy dump of one op (CTRL_CMD_GETPOLICY with CTRL_ATTR_OP): which table each
    /// mode uses, and every table it reaches, attribute by attribute.
    pub fn policy(&mut self, family: u16, op: u8) -> Result<PolicyDump> {
        let replies = self.ctrl(
            GenlCtrlCmd::GetPolicy,
            vec![
                GenlCtrlAttrs::FamilyId(family),
                GenlCtrlAttrs::Op(op as u32),
            ],
            true,
        )?;
        let mut dump = PolicyDump::default();
        let bad = |e: crate::attr::AttrError| NlError::Malformed(format!("policy dump: {e}"));
        for (_, buf) in replies {
            for a in attrs(&buf).map_err(bad)? {
                match a.kind {
                    CTRL_ATTR_OP_POLICY => {
                        for op_attr in attrs(a.payload).map_err(bad)? {
                            for m in attrs(op_attr.payload).map_err(bad)? {
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
                        for table in attrs(a.payload).map_err(bad)? {
                            for at in attrs(table.payload).map_err(bad)? {
                                let props = attrs(at.payload)
                                    .map_err(bad)?
                                    .iter()
                                    .map(|p| (p.kind, p.payload.to_vec()))
                                    .collect();
                                dump.add(table.kind as u32, at.kind, props);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(dump)
    }

    /// Joins a multicast group.
    pub fn subscribe(&mut self, group: u32) -> Result<()> {
        self.sock.add_membership(group)?;
        Ok(())
    }

    /// Waits for the next datagram, up to `deadline`; the family's messages in it (`None`
    /// when the deadline passed). ENOBUFS (notifications lost) is passed on as an error.
    pub fn next_notifications(
        &mut self,
        family: u16,
        deadline: Option<Instant>,
    ) -> Result<Option<Vec<Reply>>> {
        let timeout_ms = match deadline {
            None => -1,
            Some(d) => {
                let left = d.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(None);
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
                return Ok(Some(Vec::new()));
            }
            return Err(e.into());
        }
        if n == 0 {
            return Ok(None);
        }
        let mut out = Vec::new();
        for msg in self.recv()? {
            if msg.header.message_type != family {
                continue;
            }
            if let NetlinkPayload::InnerMessage(g) = msg.payload {
                out.push((g.payload.cmd, g.payload.attrs));
            }
        }
        Ok(Some(out))
    }
}

/// A connection bound to one family, resolved once: what a generated client holds. Its
/// requests carry the family's version; a do returns its reply's attributes, a dump each
/// reply's.
pub struct FamilyConn {
    conn: Conn,
    family: FamilyInfo,
    version: u8,
}

impl FamilyConn {
    /// Connects and resolves family `name`; `NlError::NotLoaded` when it is not registered.
    pub fn connect(name: &str, version: u8) -> Result<Self> {
        let mut conn = Conn::new()?;
        let family = conn.resolve(name)?;
        Ok(FamilyConn {
            conn,
            family,
            version,
        })
    }

    /// The family's ID.
    pub fn id(&self) -> u16 {
        self.family.id
    }

    /// A do with a reply: the reply's attributes.
    pub fn do_reply(&mut self, cmd: u8, attrs: &[u8]) -> Result<Vec<u8>> {
        let replies = self
            .conn
            .request(self.family.id, cmd, self.version, 0, attrs)?;
        match replies.into_iter().next() {
            Some((_, a)) => Ok(a),
            None => Err(NlError::Malformed("no reply before the ack".into())),
        }
    }

    /// A do the kernel only acks.
    pub fn do_ack(&mut self, cmd: u8, attrs: &[u8]) -> Result<()> {
        self.conn
            .request(self.family.id, cmd, self.version, 0, attrs)?;
        Ok(())
    }

    /// A dump: each reply's attributes; an error the kernel put in `NLMSG_DONE` is returned.
    pub fn dump(&mut self, cmd: u8, attrs: &[u8]) -> Result<Vec<Vec<u8>>> {
        let replies = self
            .conn
            .request(self.family.id, cmd, self.version, NLM_F_DUMP, attrs)?;
        Ok(replies.into_iter().map(|(_, a)| a).collect())
    }

    /// Joins multicast group `group` by its name; `NlError::Malformed` when the family has no
    /// such group.
    pub fn subscribe(&mut self, group: &str) -> Result<()> {
        let id = self
            .family
            .group(group)
            .ok_or_else(|| NlError::Malformed(format!("no multicast group {group}")))?;
        self.conn.subscribe(id)
    }

    /// The family's notifications in the next datagram, waiting up to `deadline` (`None`: it
    /// passed).
    pub fn notifications(&mut self, deadline: Option<Instant>) -> Result<Option<Vec<Reply>>> {
        self.conn.next_notifications(self.family.id, deadline)
    }
}

/// A request of family `family` as bytes: nlmsghdr (REQUEST | ACK | `flags`), genlmsghdr,
/// attributes. The sequence number is set when it is sent.
pub fn request_bytes(family: u16, cmd: u8, version: u8, flags: u16, attrs: &[u8]) -> Vec<u8> {
    let mut genl = GenlMessage::from_payload(RawGenl {
        cmd,
        version,
        attrs: attrs.to_vec(),
    });
    genl.set_resolved_family_id(family);
    let mut nl = NetlinkMessage::from(genl);
    nl.header.flags = NLM_F_REQUEST | NLM_F_ACK | flags;
    nl.finalize();
    let mut bytes = vec![0; nl.buffer_len()];
    nl.serialize(&mut bytes);
    bytes
}

/// Offset of the first attribute in a request.
pub const ATTRS_OFFSET: usize = NLMSG_HDRLEN + GENL_HDRLEN;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::put_attr;

    #[test]
    fn request_layout() {
        let b = request_bytes(0x1234, 3, 1, NLM_F_DUMP, &[4, 0, 1, 0]);
        assert_eq!(b.len(), 24);
        assert_eq!(u32::from_ne_bytes(b[0..4].try_into().unwrap()), 24);
        assert_eq!(u16::from_ne_bytes(b[4..6].try_into().unwrap()), 0x1234);
        assert_eq!(
            u16::from_ne_bytes(b[6..8].try_into().unwrap()),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP
        );
        assert_eq!(&b[16..20], &[3, 1, 0, 0]);
        assert_eq!(&b[20..], &[4, 0, 1, 0]);
    }

    #[test]
    fn extack_capped_and_not() {
        let mut tlvs = Vec::new();
        put_attr(&mut tlvs, NLMSGERR_ATTR_MSG, b"no such counter\0");
        put_attr(&mut tlvs, NLMSGERR_ATTR_OFFS, &20u32.to_ne_bytes());
        put_attr(&mut tlvs, NLMSGERR_ATTR_MISS_TYPE, &1u32.to_ne_bytes());
        let mut capped = vec![0u8; 16];
        capped[..4].copy_from_slice(&28u32.to_ne_bytes());
        capped.extend(&tlvs);
        let mut full = vec![0u8; 28];
        full[..4].copy_from_slice(&28u32.to_ne_bytes());
        full.extend(&tlvs);
        for (rest, flags) in [
            (capped, NLM_F_ACK_TLVS | NLM_F_CAPPED),
            (full, NLM_F_ACK_TLVS),
        ] {
            let e = Extack::from_error(&rest, flags);
            assert_eq!(e.msg.as_deref(), Some("no such counter"));
            assert_eq!((e.offset, e.miss_type), (Some(20), Some(1)));
            assert_eq!(Extack::from_error(&rest, 0), Extack::default());
        }
    }

    #[test]
    fn strerror_is_plain() {
        assert_eq!(strerror(libc::ENOENT), "No such file or directory");
    }
}
