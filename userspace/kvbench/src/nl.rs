//! The raw-socket floor: a blocking `NETLINK_GENERIC` socket on `libc`, requests encoded once into
//! bytes (only the sequence number changes between sends), replies checked by header only.

use std::{
    io,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
    time::Duration,
};

use anyhow::{bail, Context, Result};

pub const NLMSG_HDRLEN: usize = 16;
pub const GENL_HDRLEN: usize = 4;
pub const NLMSG_ERROR: u16 = 2;
pub const NLMSG_DONE: u16 = 3;
pub const GENL_ID_CTRL: u16 = 0x10;

pub const NLM_F_REQUEST: u16 = 0x1;
pub const NLM_F_ACK: u16 = 0x4;
pub const NLM_F_DUMP_INTR: u16 = 0x10;
pub const NLM_F_DUMP: u16 = 0x300;
pub const NLM_F_REPLACE: u16 = 0x100;
pub const NLM_F_CREATE: u16 = 0x400;

pub const CTRL_CMD_GETFAMILY: u8 = 3;
const CTRL_ATTR_FAMILY_ID: u16 = 1;
pub const CTRL_ATTR_FAMILY_NAME: u16 = 2;
const CTRL_ATTR_MCAST_GROUPS: u16 = 7;
const CTRL_ATTR_MCAST_GRP_NAME: u16 = 1;
const CTRL_ATTR_MCAST_GRP_ID: u16 = 2;

const SOL_NETLINK: libc::c_int = 270;
const NETLINK_ADD_MEMBERSHIP: libc::c_int = 1;
const NETLINK_EXT_ACK: libc::c_int = 11;

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// A blocking generic netlink socket, bound to an automatic port id.
pub struct Sock {
    fd: OwnedFd,
}

impl Sock {
    pub fn open() -> Result<Self> {
        // SAFETY: plain socket(2); the fd is owned by the OwnedFd from here on.
        let fd = cvt(unsafe {
            libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_GENERIC)
        })
        .context("socket(AF_NETLINK, NETLINK_GENERIC)")?;
        // SAFETY: fd was just returned by socket(2) and is not owned elsewhere.
        let sock = Self { fd: unsafe { OwnedFd::from_raw_fd(fd) } };
        // SAFETY: a zeroed sockaddr_nl with the family set means "kernel picks the port id".
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: addr is a valid sockaddr_nl of the size given.
        cvt(unsafe {
            libc::bind(
                sock.fd.as_raw_fd(),
                (&raw const addr).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })
        .context("bind")?;
        sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)?;
        Ok(sock)
    }

    fn setsockopt(&self, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> Result<()> {
        // SAFETY: v is a c_int, its size is given.
        cvt(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                level,
                name,
                (&raw const v).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        })
        .with_context(|| format!("setsockopt({level}, {name})"))?;
        Ok(())
    }

    /// Receive buffer of `bytes` (SO_RCVBUFFORCE as root, else SO_RCVBUF).
    pub fn set_rcvbuf(&self, bytes: usize) -> Result<()> {
        let v = bytes as libc::c_int;
        self.setsockopt(libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, v)
            .or_else(|_| self.setsockopt(libc::SOL_SOCKET, libc::SO_RCVBUF, v))
    }

    pub fn set_rcvtimeo(&self, t: Duration) -> Result<()> {
        let tv = libc::timeval { tv_sec: t.as_secs() as _, tv_usec: t.subsec_micros() as _ };
        // SAFETY: tv is a valid timeval of the size given.
        cvt(unsafe {
            libc::setsockopt(
                self.fd.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVTIMEO,
                (&raw const tv).cast(),
                std::mem::size_of::<libc::timeval>() as libc::socklen_t,
            )
        })
        .context("setsockopt(SO_RCVTIMEO)")?;
        Ok(())
    }

    pub fn join(&self, group: u32) -> Result<()> {
        self.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group as libc::c_int)
    }

    /// Sends one datagram to the kernel.
    pub fn send(&self, buf: &[u8]) -> io::Result<()> {
        // SAFETY: a zeroed sockaddr_nl with the family set addresses the kernel.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        loop {
            // SAFETY: buf is readable for its length; addr is a valid sockaddr_nl.
            let r = unsafe {
                libc::sendto(
                    self.fd.as_raw_fd(),
                    buf.as_ptr().cast(),
                    buf.len(),
                    0,
                    (&raw const addr).cast(),
                    std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
                )
            };
            if r >= 0 {
                return Ok(());
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Receives one datagram; its length (MSG_TRUNC: the real length, checked by the caller).
    pub fn recv(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: buf is writable for its length.
            let r = unsafe {
                libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), libc::MSG_TRUNC)
            };
            if r >= 0 {
                return Ok(r as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    /// Receives one datagram and fails if it was truncated.
    pub fn recv_whole<'a>(&self, buf: &'a mut [u8]) -> Result<&'a [u8]> {
        let n = self.recv(buf)?;
        if n > buf.len() {
            bail!("datagram of {n} bytes truncated to {}", buf.len());
        }
        Ok(&buf[..n])
    }
}

/// One netlink message of a datagram.
pub struct Msg<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    /// Everything after the `nlmsghdr`.
    pub payload: &'a [u8],
}

impl Msg<'_> {
    /// The errno of an `NLMSG_ERROR` (0 for an ack), `None` for other messages.
    pub fn error(&self) -> Option<i32> {
        (self.ty == NLMSG_ERROR && self.payload.len() >= 4)
            .then(|| i32::from_ne_bytes(self.payload[..4].try_into().unwrap()))
    }

    /// The generic netlink command.
    pub fn cmd(&self) -> u8 {
        self.payload.first().copied().unwrap_or(0)
    }

    /// The attributes after the genl header.
    pub fn attrs(&self) -> Attrs<'_> {
        Attrs(self.payload.get(GENL_HDRLEN..).unwrap_or(&[]))
    }
}

/// The messages of a datagram.
pub fn msgs(mut buf: &[u8]) -> impl Iterator<Item = Msg<'_>> {
    std::iter::from_fn(move || {
        if buf.len() < NLMSG_HDRLEN {
            return None;
        }
        let len = u32::from_ne_bytes(buf[0..4].try_into().unwrap()) as usize;
        if len < NLMSG_HDRLEN || len > buf.len() {
            return None;
        }
        let m = Msg {
            ty: u16::from_ne_bytes(buf[4..6].try_into().unwrap()),
            flags: u16::from_ne_bytes(buf[6..8].try_into().unwrap()),
            seq: u32::from_ne_bytes(buf[8..12].try_into().unwrap()),
            payload: &buf[NLMSG_HDRLEN..len],
        };
        buf = &buf[((len + 3) & !3).min(buf.len())..];
        Some(m)
    })
}

/// Attributes: `(type without flags, payload)`.
pub struct Attrs<'a>(pub &'a [u8]);

impl<'a> Iterator for Attrs<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.0;
        if b.len() < 4 {
            return None;
        }
        let len = u16::from_ne_bytes([b[0], b[1]]) as usize;
        let ty = u16::from_ne_bytes([b[2], b[3]]) & 0x3fff;
        if len < 4 || len > b.len() {
            return None;
        }
        self.0 = &b[((len + 3) & !3).min(b.len())..];
        Some((ty, &b[4..len]))
    }
}

/// Appends generic netlink requests to a buffer.
#[derive(Default)]
pub struct Builder {
    pub buf: Vec<u8>,
    start: usize,
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a message: `nlmsghdr` + `genlmsghdr`.
    pub fn msg(&mut self, ty: u16, flags: u16, seq: u32, cmd: u8, version: u8) -> &mut Self {
        self.start = self.buf.len();
        self.buf.extend_from_slice(&0u32.to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(&flags.to_ne_bytes());
        self.buf.extend_from_slice(&seq.to_ne_bytes());
        self.buf.extend_from_slice(&0u32.to_ne_bytes());
        self.buf.extend_from_slice(&[cmd, version, 0, 0]);
        self.end()
    }

    pub fn attr(&mut self, ty: u16, payload: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(&((4 + payload.len()) as u16).to_ne_bytes());
        self.buf.extend_from_slice(&ty.to_ne_bytes());
        self.buf.extend_from_slice(payload);
        while self.buf.len() % 4 != 0 {
            self.buf.push(0);
        }
        self.end()
    }

    /// A NUL-terminated string attribute.
    pub fn str(&mut self, ty: u16, s: &str) -> &mut Self {
        let mut v = Vec::with_capacity(s.len() + 1);
        v.extend_from_slice(s.as_bytes());
        v.push(0);
        self.attr(ty, &v)
    }

    pub fn u32(&mut self, ty: u16, v: u32) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }

    pub fn u64(&mut self, ty: u16, v: u64) -> &mut Self {
        self.attr(ty, &v.to_ne_bytes())
    }

    /// Patches the current message's length.
    fn end(&mut self) -> &mut Self {
        let len = (self.buf.len() - self.start) as u32;
        self.buf[self.start..self.start + 4].copy_from_slice(&len.to_ne_bytes());
        self
    }
}

/// Sets the sequence number of the (single) message in `req`.
pub fn set_seq(req: &mut [u8], seq: u32) {
    req[8..12].copy_from_slice(&seq.to_ne_bytes());
}

/// A family as nlctrl describes it.
pub struct Family {
    pub id: u16,
    pub groups: Vec<(String, u32)>,
}

impl Family {
    pub fn group(&self, name: &str) -> Option<u32> {
        self.groups.iter().find(|(n, _)| n == name).map(|&(_, id)| id)
    }
}

/// `CTRL_CMD_GETFAMILY` for `name`.
pub fn getfamily_request(name: &str, seq: u32) -> Vec<u8> {
    let mut b = Builder::new();
    b.msg(GENL_ID_CTRL, NLM_F_REQUEST, seq, CTRL_CMD_GETFAMILY, 2).str(CTRL_ATTR_FAMILY_NAME, name);
    b.buf
}

/// Resolves a family through nlctrl; `None` if it is not registered.
pub fn resolve(name: &str) -> Result<Option<Family>> {
    let sock = Sock::open()?;
    sock.send(&getfamily_request(name, 1))?;
    let mut buf = vec![0u8; 64 << 10];
    let data = sock.recv_whole(&mut buf)?;
    for m in msgs(data) {
        match m.error() {
            Some(e) if e == -libc::ENOENT => return Ok(None),
            Some(0) => continue,
            Some(e) => bail!("CTRL_CMD_GETFAMILY {name}: errno {}", -e),
            None => {}
        }
        let mut fam = Family { id: 0, groups: Vec::new() };
        for (ty, p) in m.attrs() {
            match ty {
                CTRL_ATTR_FAMILY_ID if p.len() >= 2 => fam.id = u16::from_ne_bytes([p[0], p[1]]),
                CTRL_ATTR_MCAST_GROUPS => {
                    for (_, grp) in Attrs(p) {
                        let (mut gname, mut gid) = (String::new(), 0);
                        for (t, v) in Attrs(grp) {
                            match t {
                                CTRL_ATTR_MCAST_GRP_NAME => {
                                    gname = String::from_utf8_lossy(v).trim_end_matches('\0').into()
                                }
                                CTRL_ATTR_MCAST_GRP_ID if v.len() >= 4 => {
                                    gid = u32::from_ne_bytes(v[..4].try_into().unwrap())
                                }
                                _ => {}
                            }
                        }
                        fam.groups.push((gname, gid));
                    }
                }
                _ => {}
            }
        }
        return Ok(Some(fam));
    }
    bail!("no reply to CTRL_CMD_GETFAMILY {name}")
}
