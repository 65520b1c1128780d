// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Byte-level generic netlink for the test and benchmark tools (`kvtest`, `kvbench`): a blocking
//! `NETLINK_GENERIC` socket on `libc`, message and attribute encoding that can also produce
//! malformed input, a decoder that trusts nothing it is given, and family resolution through
//! nlctrl.
//!
//! Nothing here picks a receive buffer size: see [`RecvBuf`].

use std::{
    io,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
    time::Duration,
};

pub const NLMSG_HDRLEN: usize = 16;
pub const GENL_HDRLEN: usize = 4;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const GENL_ID_CTRL: u16 = 0x10;

pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_MULTI: u16 = 0x2;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_ECHO: u16 = 0x8;
pub const NLM_F_DUMP_INTR: u16 = 0x10;
pub const NLM_F_ROOT: u16 = 0x100;
pub const NLM_F_MATCH: u16 = 0x200;
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_EXCL: u16 = 0x200;
pub const NLM_F_CREATE: u16 = 0x400;
pub const NLM_F_APPEND: u16 = 0x800;
/// In an `NLMSG_ERROR`: the request was capped / TLVs follow.
pub const NLM_F_CAPPED: u16 = 0x100;
pub const NLM_F_ACK_TLVS: u16 = 0x200;
pub const NLA_F_NESTED: u16 = 0x8000;
pub const NLA_F_NET_BYTEORDER: u16 = 0x4000;
const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);
const NLMSGERR_ATTR_MSG: u16 = 1;

pub const CTRL_CMD_GETFAMILY: u8 = 3;
/// nlctrl's family version.
pub const CTRL_VERSION: u8 = 2;
pub const CTRL_ATTR_FAMILY_ID: u16 = 1;
pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;
pub const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
pub const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
pub const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Retries `op` while it fails with `EINTR`.
fn retry_eintr(mut op: impl FnMut() -> isize) -> io::Result<usize> {
    loop {
        let r = op();
        if r >= 0 {
            return Ok(r as usize);
        }
        let e = io::Error::last_os_error();
        if e.kind() != io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
}

/// The buffer a socket receives into. Its length is the size of every `recvmsg` made with it,
/// and that size is a choice, not a detail: the kernel sizes a dump's skbs from the largest
/// `recvmsg` the socket has made (`max_recvmsg_len`), so it sets how many entries each dump
/// round carries, which a benchmark measures. It never grows behind the caller's back.
pub struct RecvBuf(Vec<u8>);

impl RecvBuf {
    /// A buffer of exactly `len` bytes.
    pub fn new(len: usize) -> Self {
        Self(vec![0; len])
    }
}

/// A blocking generic netlink socket, bound to a port id the kernel picks.
pub struct Sock {
    fd: OwnedFd,
}

impl Sock {
    /// Opens and binds a socket with extended acks (extack messages in errors).
    pub fn open() -> io::Result<Self> {
        // SAFETY: plain socket(2); the result is checked before use.
        let fd = cvt(unsafe {
            libc::socket(
                libc::AF_NETLINK,
                libc::SOCK_RAW | libc::SOCK_CLOEXEC,
                libc::NETLINK_GENERIC,
            )
        })?;
        // SAFETY: `fd` was just returned by socket(2) and is owned nowhere else.
        let sock = Self {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        };
        let addr = kernel_addr();
        // SAFETY: `addr` is a valid `sockaddr_nl` of the size given; port id 0 lets the kernel pick.
        cvt(unsafe {
            libc::bind(
                sock.fd.as_raw_fd(),
                (&raw const addr).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })?;
        sock.setsockopt(libc::SOL_NETLINK, libc::NETLINK_EXT_ACK, 1)?;
        Ok(sock)
    }

    fn setsockopt(&self, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> io::Result<()> {
        // SAFETY: `v` is a readable `int` of the size given.
        cvt(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (&raw const v).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        })
        .map(drop)
    }

    /// Errors carry the request's header only, not its payload (`NETLINK_CAP_ACK`).
    pub fn set_cap_ack(&self) -> io::Result<()> {
        self.setsockopt(libc::SOL_NETLINK, libc::NETLINK_CAP_ACK, 1)
    }

    /// A socket receive queue of `bytes`: forced past `rmem_max` where allowed (root), else
    /// capped by it.
    pub fn set_rcvbuf(&self, bytes: usize) -> io::Result<()> {
        let v = bytes.min(libc::c_int::MAX as usize) as libc::c_int;
        self.setsockopt(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, v)
            .or_else(|_| self.setsockopt(libc::SOL_SOCKET, libc::SO_RCVBUF, v))
    }

    /// A blocking receive fails with `EAGAIN` after `timeout` without a datagram.
    pub fn set_recv_timeout(&self, timeout: Duration) -> io::Result<()> {
        let tv = libc::timeval {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_usec: timeout.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: `tv` is a readable `timeval` of the size given.
        cvt(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&raw const tv).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        })
        .map(drop)
    }

    /// Joins multicast group `group`.
    pub fn join(&self, group: u32) -> io::Result<()> {
        self.setsockopt(
            libc::SOL_NETLINK,
            libc::NETLINK_ADD_MEMBERSHIP,
            group as libc::c_int,
        )
    }

    /// Sends one datagram to the kernel.
    pub fn send(&self, buf: &[u8]) -> io::Result<()> {
        let addr = kernel_addr();
        retry_eintr(|| {
            // SAFETY: `buf` is readable for its length; `addr` is a valid `sockaddr_nl`.
            unsafe {
                libc::sendto(
                    self.fd.as_raw_fd(),
                    buf.as_ptr().cast(),
                    buf.len(),
                    0,
                    (&raw const addr).cast(),
                    std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            }
        })
        .map(drop)
    }

    /// Receives one datagram: its real length (`MSG_TRUNC`), larger than `buf` if it was cut.
    #[inline]
    fn recv_len(&self, buf: &mut RecvBuf, flags: libc::c_int) -> io::Result<usize> {
        let buf = &mut buf.0;
        retry_eintr(|| {
            // SAFETY: `buf` is writable for its length.
            unsafe {
                libc::recv(
                    self.fd.as_raw_fd(),
                    buf.as_mut_ptr().cast(),
                    buf.len(),
                    flags | libc::MSG_TRUNC,
                )
            }
        })
    }

    #[inline]
    fn recv_whole<'b>(&self, buf: &'b mut RecvBuf, flags: libc::c_int) -> io::Result<&'b [u8]> {
        let n = self.recv_len(buf, flags)?;
        if n > buf.0.len() {
            return Err(io::Error::other(format!(
                "datagram of {n} bytes truncated to {}",
                buf.0.len()
            )));
        }
        Ok(&buf.0[..n])
    }

    /// Waits for one datagram; one larger than `buf` is an error.
    #[inline]
    pub fn recv<'b>(&self, buf: &'b mut RecvBuf) -> io::Result<&'b [u8]> {
        self.recv_whole(buf, 0)
    }

    /// Like [`Sock::recv`], but answers `WouldBlock` instead of waiting.
    pub fn try_recv<'b>(&self, buf: &'b mut RecvBuf) -> io::Result<&'b [u8]> {
        self.recv_whole(buf, libc::MSG_DONTWAIT)
    }

    /// Waits for one datagram and returns what of it fit in `buf`.
    pub fn recv_truncating<'b>(&self, buf: &'b mut RecvBuf) -> io::Result<&'b [u8]> {
        let n = self.recv_len(buf, 0)?;
        Ok(&buf.0[..n.min(buf.0.len())])
    }
}

/// The kernel's address (an all-zero `sockaddr_nl` of the netlink family); also "any port id"
/// for bind(2).
fn kernel_addr() -> libc::sockaddr_nl {
    // SAFETY: an all-zero `sockaddr_nl` is valid.
    let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
    addr
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/// Appends an attribute: header, payload, padding to 4 bytes. A payload too large for the
/// 16-bit length gets the largest length (garbage the kernel must refuse, as fuzzers want).
pub fn put_attr(out: &mut Vec<u8>, ty: u16, payload: &[u8]) {
    let len = (4 + payload.len()).min(u16::MAX as usize) as u16;
    out.extend_from_slice(&len.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(payload);
    pad4(out);
}

/// Appends a NUL-terminated string attribute.
pub fn put_str(out: &mut Vec<u8>, ty: u16, s: &[u8]) {
    let mut p = Vec::with_capacity(s.len() + 1);
    p.extend_from_slice(s);
    p.push(0);
    put_attr(out, ty, &p);
}

pub fn pad4(out: &mut Vec<u8>) {
    while out.len() % 4 != 0 {
        out.push(0);
    }
}

/// Appends an `nlmsghdr` with length 0 (the caller sets it) and a `genlmsghdr`.
fn put_genl_headers(out: &mut Vec<u8>, ty: u16, flags: u16, seq: u32, cmd: u8, version: u8) {
    out.extend_from_slice(&0u32.to_ne_bytes());
    out.extend_from_slice(&ty.to_ne_bytes());
    out.extend_from_slice(&flags.to_ne_bytes());
    out.extend_from_slice(&seq.to_ne_bytes());
    out.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it in
    out.extend_from_slice(&[cmd, version, 0, 0]);
}

fn set_len(msg: &mut [u8]) {
    let len = msg.len() as u32;
    msg[..4].copy_from_slice(&len.to_ne_bytes());
}

/// A generic netlink message: headers, then `attrs` as given (padded or not).
pub fn genl_msg(ty: u16, flags: u16, seq: u32, cmd: u8, version: u8, attrs: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(NLMSG_HDRLEN + GENL_HDRLEN + attrs.len());
    put_genl_headers(&mut m, ty, flags, seq, cmd, version);
    m.extend_from_slice(attrs);
    set_len(&mut m);
    m
}

/// Appends generic netlink messages to one buffer (several make one batched datagram).
#[derive(Default)]
pub struct Builder {
    pub buf: Vec<u8>,
    /// Where the message being built starts.
    start: usize,
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a message.
    pub fn msg(&mut self, ty: u16, flags: u16, seq: u32, cmd: u8, version: u8) -> &mut Self {
        self.start = self.buf.len();
        put_genl_headers(&mut self.buf, ty, flags, seq, cmd, version);
        self.end()
    }

    pub fn attr(&mut self, ty: u16, payload: &[u8]) -> &mut Self {
        put_attr(&mut self.buf, ty, payload);
        self.end()
    }

    /// A NUL-terminated string attribute.
    pub fn str(&mut self, ty: u16, s: &str) -> &mut Self {
        put_str(&mut self.buf, ty, s.as_bytes());
        self.end()
    }

    pub fn u32(&mut self, ty: u16, v: u32) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }

    pub fn u64(&mut self, ty: u16, v: u64) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }

    /// Keeps the current message's length up to date.
    fn end(&mut self) -> &mut Self {
        set_len(&mut self.buf[self.start..]);
        self
    }
}

/// Sets the sequence number of the (first) message in `req`, to resend it unchanged otherwise.
#[inline]
pub fn set_seq(req: &mut [u8], seq: u32) {
    req[8..12].copy_from_slice(&seq.to_ne_bytes());
}

// ---------------------------------------------------------------------------------------------
// Decoding: bounds-checked throughout, malformed input ends the walk instead of panicking.
// ---------------------------------------------------------------------------------------------

fn ne_u16(b: &[u8]) -> u16 {
    u16::from_ne_bytes([b[0], b[1]])
}

fn ne_u32(b: &[u8]) -> u32 {
    u32::from_ne_bytes([b[0], b[1], b[2], b[3]])
}

/// One netlink message of a datagram.
pub struct Msg<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    /// Everything after the `nlmsghdr`.
    pub payload: &'a [u8],
}

impl<'a> Msg<'a> {
    /// For an `NLMSG_ERROR`: the (negative, or zero for an ack) error code.
    #[inline]
    pub fn error(&self) -> Option<i32> {
        (self.ty == NLMSG_ERROR && self.payload.len() >= 4).then(|| ne_u32(self.payload) as i32)
    }

    /// For an `NLMSG_ERROR` with TLVs: the extack message.
    pub fn extack_msg(&self) -> Option<String> {
        if self.ty != NLMSG_ERROR
            || self.flags & NLM_F_ACK_TLVS == 0
            || self.payload.len() < 4 + NLMSG_HDRLEN
        {
            return None;
        }
        // The error, then the request's header, then its payload unless capped, then the TLVs.
        let mut off = 4 + NLMSG_HDRLEN;
        if self.flags & NLM_F_CAPPED == 0 {
            let request_len = ne_u32(&self.payload[4..]) as usize;
            off = 4usize.saturating_add(align4(request_len));
        }
        let tlvs = self.payload.get(off..)?;
        attrs(tlvs)
            .find(|&(t, _)| t == NLMSGERR_ATTR_MSG)
            .map(|(_, v)| String::from_utf8_lossy(str_of(v)).into_owned())
    }

    /// The generic netlink command.
    #[inline]
    pub fn genl_cmd(&self) -> Option<u8> {
        self.payload.first().copied()
    }

    /// The attributes after the `genlmsghdr`.
    pub fn genl_attrs(&self) -> Attrs<'a> {
        attrs(self.payload.get(GENL_HDRLEN..).unwrap_or(&[]))
    }
}

fn align4(len: usize) -> usize {
    len.saturating_add(3) & !3
}

/// The messages of a datagram, up to the first malformed header.
pub struct Messages<'a>(&'a [u8]);

pub fn messages(datagram: &[u8]) -> Messages<'_> {
    Messages(datagram)
}

impl<'a> Iterator for Messages<'a> {
    type Item = Msg<'a>;

    #[inline]
    fn next(&mut self) -> Option<Msg<'a>> {
        let b = self.0;
        if b.len() < NLMSG_HDRLEN {
            return None;
        }
        let len = ne_u32(b) as usize;
        if len < NLMSG_HDRLEN || len > b.len() {
            self.0 = &[];
            return None;
        }
        self.0 = &b[align4(len).min(b.len())..];
        Some(Msg {
            ty: ne_u16(&b[4..]),
            flags: ne_u16(&b[6..]),
            seq: ne_u32(&b[8..]),
            payload: &b[NLMSG_HDRLEN..len],
        })
    }
}

/// Attributes: `(type without the flag bits, payload)`, up to the first malformed one.
pub struct Attrs<'a>(&'a [u8]);

pub fn attrs(buf: &[u8]) -> Attrs<'_> {
    Attrs(buf)
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (u16, &'a [u8]);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        if b.len() < 4 {
            return None;
        }
        let len = ne_u16(b) as usize;
        if len < 4 || len > b.len() {
            self.0 = &[];
            return None;
        }
        self.0 = &b[align4(len).min(b.len())..];
        Some((ne_u16(&b[2..]) & NLA_TYPE_MASK, &b[4..len]))
    }
}

pub fn u64_of(v: &[u8]) -> Option<u64> {
    Some(u64::from_ne_bytes(v.try_into().ok()?))
}

pub fn u32_of(v: &[u8]) -> Option<u32> {
    Some(u32::from_ne_bytes(v.try_into().ok()?))
}

/// A NUL-terminated string attribute's bytes, without the NUL.
pub fn str_of(v: &[u8]) -> &[u8] {
    v.split(|&b| b == 0).next().unwrap_or(&[])
}

// ---------------------------------------------------------------------------------------------
// nlctrl
// ---------------------------------------------------------------------------------------------

/// A family as nlctrl describes it in the caller's namespace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Family {
    pub id: u16,
    /// Multicast groups: name, id.
    pub groups: Vec<(String, u32)>,
}

impl Family {
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups
            .iter()
            .find(|(n, _)| n == name)
            .map(|&(_, id)| id)
    }

    /// Reads a `CTRL_CMD_NEWFAMILY` reply's attributes.
    pub fn from_attrs(reply: Attrs<'_>) -> Self {
        let mut fam = Family::default();
        for (ty, v) in reply {
            match ty {
                CTRL_ATTR_FAMILY_ID if v.len() >= 2 => fam.id = ne_u16(v),
                CTRL_ATTR_MCAST_GROUPS => {
                    for (_, group) in attrs(v) {
                        let (mut name, mut id) = (String::new(), 0);
                        for (t, gv) in attrs(group) {
                            match t {
                                CTRL_ATTR_MCAST_GRP_NAME => {
                                    name = String::from_utf8_lossy(str_of(gv)).into_owned()
                                }
                                CTRL_ATTR_MCAST_GRP_ID => id = u32_of(gv).unwrap_or(0),
                                _ => {}
                            }
                        }
                        fam.groups.push((name, id));
                    }
                }
                _ => {}
            }
        }
        fam
    }
}

/// `CTRL_CMD_GETFAMILY` for `name`; `flags` besides `NLM_F_REQUEST`, which it always has.
pub fn getfamily_request(name: &str, flags: u16, seq: u32) -> Vec<u8> {
    let mut b = Builder::new();
    b.msg(
        GENL_ID_CTRL,
        NLM_F_REQUEST | flags,
        seq,
        CTRL_CMD_GETFAMILY,
        CTRL_VERSION,
    )
    .str(CTRL_ATTR_FAMILY_NAME, name);
    b.buf
}

/// Resolves family `name` through nlctrl on `sock` (sequence number 1), reading until the ack;
/// `ENOENT` when it is not registered.
pub fn resolve_family(sock: &Sock, buf: &mut RecvBuf, name: &str) -> io::Result<Family> {
    const SEQ: u32 = 1;
    sock.send(&getfamily_request(name, NLM_F_ACK, SEQ))?;
    let mut family = None;
    loop {
        for m in messages(sock.recv(buf)?) {
            if m.seq != SEQ {
                continue;
            }
            match m.error() {
                Some(0) => {
                    return family.ok_or_else(|| {
                        io::Error::other(format!("nlctrl: no family {name} in the reply"))
                    })
                }
                Some(e) => return Err(io::Error::from_raw_os_error(-e)),
                None if m.ty == GENL_ID_CTRL => family = Some(Family::from_attrs(m.genl_attrs())),
                None => {}
            }
        }
    }
}

#[cfg(test)]
mod tests;
