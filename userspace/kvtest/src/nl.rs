//! Byte-level generic netlink for the fuzzer and the stress test: a blocking socket on `libc`,
//! message and attribute encoding that can also produce malformed input, and a tolerant
//! decoder of replies. Nothing here trusts the kernel's replies to be well formed.

use std::{
    collections::BTreeMap,
    io,
    os::fd::{AsRawFd, FromRawFd, OwnedFd},
    time::Duration,
};

use kvstore::spec;

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

const NETLINK_ADD_MEMBERSHIP: libc::c_int = 1;
const NETLINK_CAP_ACK: libc::c_int = 10;
const NETLINK_EXT_ACK: libc::c_int = 11;
const SO_RCVBUFFORCE: libc::c_int = 33;

/// A blocking `NETLINK_GENERIC` socket, connected to the kernel.
pub struct Sock {
    fd: OwnedFd,
}

fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

impl Sock {
    /// Opens a socket with extended and capped acks, a receive buffer of `rcvbuf` bytes (forced
    /// past `rmem_max` where allowed) and a receive timeout.
    pub fn open(rcvbuf: usize, timeout: Duration) -> io::Result<Self> {
        // SAFETY: plain syscall; the result is checked before use.
        let fd = cvt(unsafe {
            libc::socket(libc::AF_NETLINK, libc::SOCK_RAW | libc::SOCK_CLOEXEC, libc::NETLINK_GENERIC)
        })?;
        // SAFETY: `fd` is a fresh descriptor we own.
        let sock = Self { fd: unsafe { OwnedFd::from_raw_fd(fd) } };
        sock.setopt(libc::SOL_NETLINK, NETLINK_EXT_ACK, 1)?;
        sock.setopt(libc::SOL_NETLINK, NETLINK_CAP_ACK, 1)?;
        let size = rcvbuf.min(i32::MAX as usize) as libc::c_int;
        if sock.setopt(libc::SOL_SOCKET, SO_RCVBUFFORCE, size).is_err() {
            sock.setopt(libc::SOL_SOCKET, libc::SO_RCVBUF, size)?;
        }
        sock.set_timeout(timeout)?;
        // SAFETY: an all-zero `sockaddr_nl` is valid; we set the family.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: `addr` is a valid `sockaddr_nl` of the given size.
        cvt(unsafe {
            libc::bind(
                sock.fd.as_raw_fd(),
                (&raw const addr).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        })?;
        Ok(sock)
    }

    fn setopt(&self, level: libc::c_int, name: libc::c_int, v: libc::c_int) -> io::Result<()> {
        // SAFETY: `v` is a readable `int` of the size passed.
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

    pub fn set_timeout(&self, timeout: Duration) -> io::Result<()> {
        let tv = libc::timeval {
            tv_sec: timeout.as_secs() as libc::time_t,
            tv_usec: timeout.subsec_micros() as libc::suseconds_t,
        };
        // SAFETY: `tv` is a readable `timeval` of the size passed.
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
        self.setopt(libc::SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group as libc::c_int)
    }

    /// Sends one datagram to the kernel.
    pub fn send(&self, buf: &[u8]) -> io::Result<()> {
        // SAFETY: an all-zero `sockaddr_nl` addresses the kernel.
        let mut addr: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
        addr.nl_family = libc::AF_NETLINK as libc::sa_family_t;
        // SAFETY: `buf` is readable for its length, `addr` valid for its size.
        let n = unsafe {
            libc::sendto(
                self.fd.as_raw_fd(),
                buf.as_ptr().cast(),
                buf.len(),
                0,
                (&raw const addr).cast(),
                std::mem::size_of::<libc::sockaddr_nl>() as libc::socklen_t,
            )
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Receives one datagram into `buf` (grown as needed); returns its length. `nonblock`
    /// answers `WouldBlock` instead of waiting. A datagram larger than `buf` is an error.
    pub fn recv(&self, buf: &mut Vec<u8>, nonblock: bool) -> io::Result<usize> {
        if buf.len() < (256 << 10) {
            buf.resize(256 << 10, 0);
        }
        let flags = libc::MSG_TRUNC | if nonblock { libc::MSG_DONTWAIT } else { 0 };
        // SAFETY: `buf` is writable for its length.
        let n = unsafe { libc::recv(self.fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len(), flags) };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        let n = n as usize;
        if n > buf.len() {
            return Err(io::Error::other(format!("datagram of {n} bytes truncated")));
        }
        Ok(n)
    }
}

/// Appends an attribute: header, payload, padding to 4 bytes.
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

/// A generic netlink message: nlmsghdr (length filled in), genlmsghdr, `attrs`.
pub fn genl_msg(ty: u16, flags: u16, seq: u32, cmd: u8, version: u8, attrs: &[u8]) -> Vec<u8> {
    let len = NLMSG_HDRLEN + GENL_HDRLEN + attrs.len();
    let mut m = Vec::with_capacity(len);
    m.extend_from_slice(&(len as u32).to_ne_bytes());
    m.extend_from_slice(&ty.to_ne_bytes());
    m.extend_from_slice(&flags.to_ne_bytes());
    m.extend_from_slice(&seq.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes());
    m.extend_from_slice(&[cmd, version, 0, 0]);
    m.extend_from_slice(attrs);
    m
}

/// One received message.
pub struct Msg<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    /// Everything after the nlmsghdr.
    pub payload: &'a [u8],
}

impl<'a> Msg<'a> {
    /// For `NLMSG_ERROR`: the (negative or zero) error code.
    pub fn error(&self) -> Option<i32> {
        if self.ty != NLMSG_ERROR || self.payload.len() < 4 {
            return None;
        }
        Some(i32::from_ne_bytes(self.payload[..4].try_into().unwrap()))
    }

    /// For `NLMSG_ERROR` with TLVs: the extack message.
    pub fn extack_msg(&self) -> Option<String> {
        if self.ty != NLMSG_ERROR || self.flags & NLM_F_ACK_TLVS == 0 || self.payload.len() < 20 {
            return None;
        }
        // error, then the request's header, then its payload unless capped.
        let mut off = 4 + NLMSG_HDRLEN;
        if self.flags & NLM_F_CAPPED == 0 {
            let len = u32::from_ne_bytes(self.payload[4..8].try_into().unwrap()) as usize;
            off = 4 + ((len + 3) & !3);
        }
        let tlvs = self.payload.get(off..)?;
        attrs(tlvs).find(|(t, _)| *t == 1).map(|(_, v)| {
            String::from_utf8_lossy(v.split(|&b| b == 0).next().unwrap_or(&[])).into_owned()
        })
    }

    /// For a generic netlink message: its attributes (after the genlmsghdr).
    pub fn genl_attrs(&self) -> Attrs<'a> {
        attrs(self.payload.get(GENL_HDRLEN..).unwrap_or(&[]))
    }

    pub fn genl_cmd(&self) -> Option<u8> {
        self.payload.first().copied()
    }
}

/// Splits a datagram into messages; stops at the first malformed header.
pub fn messages(buf: &[u8]) -> Vec<Msg<'_>> {
    let mut out = Vec::new();
    let mut off = 0;
    while off + NLMSG_HDRLEN <= buf.len() {
        let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
        if len < NLMSG_HDRLEN || off + len > buf.len() {
            break;
        }
        out.push(Msg {
            ty: u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap()),
            flags: u16::from_ne_bytes(buf[off + 6..off + 8].try_into().unwrap()),
            seq: u32::from_ne_bytes(buf[off + 8..off + 12].try_into().unwrap()),
            payload: &buf[off + NLMSG_HDRLEN..off + len],
        });
        off += (len + 3) & !3;
    }
    out
}

/// Attributes of a buffer: `(type without flag bits, payload)`.
pub struct Attrs<'a>(&'a [u8]);

pub fn attrs(buf: &[u8]) -> Attrs<'_> {
    Attrs(buf)
}

impl<'a> Iterator for Attrs<'a> {
    type Item = (u16, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        if self.0.len() < 4 {
            return None;
        }
        let len = u16::from_ne_bytes(self.0[..2].try_into().unwrap()) as usize;
        let ty = u16::from_ne_bytes(self.0[2..4].try_into().unwrap()) & 0x3fff;
        if len < 4 || len > self.0.len() {
            self.0 = &[];
            return None;
        }
        let payload = &self.0[4..len];
        self.0 = &self.0[((len + 3) & !3).min(self.0.len())..];
        Some((ty, payload))
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

/// The kvstore family as nlctrl describes it in the caller's namespace.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    pub id: u16,
    pub notify_group: u32,
}

/// Resolves the kvstore family through nlctrl; `ENOENT` when it is not registered.
pub fn resolve(sock: &Sock) -> io::Result<Family> {
    let mut a = Vec::new();
    put_str(&mut a, 2, spec::FAMILY_NAME.as_bytes()); // CTRL_ATTR_FAMILY_NAME
    sock.send(&genl_msg(GENL_ID_CTRL, NLM_F_REQUEST | NLM_F_ACK, 1, 3, 1, &a))?; // GETFAMILY
    let mut buf = Vec::new();
    let mut fam = None;
    loop {
        let n = sock.recv(&mut buf, false)?;
        for m in messages(&buf[..n]) {
            if m.seq != 1 {
                continue;
            }
            if let Some(e) = m.error() {
                if e != 0 {
                    return Err(io::Error::from_raw_os_error(-e));
                }
                return fam.ok_or_else(|| io::Error::other("nlctrl: no family in reply"));
            }
            if m.ty == GENL_ID_CTRL {
                let mut f = Family { id: 0, notify_group: 0 };
                for (t, v) in m.genl_attrs() {
                    match t {
                        1 if v.len() >= 2 => f.id = u16::from_ne_bytes([v[0], v[1]]),
                        7 => {
                            for (_, grp) in attrs(v) {
                                let (mut name, mut id) = (&[][..], 0);
                                for (gt, gv) in attrs(grp) {
                                    match gt {
                                        1 => name = str_of(gv),
                                        2 => id = u32_of(gv).unwrap_or(0),
                                        _ => {}
                                    }
                                }
                                if name == spec::MCGRP_NOTIFY.as_bytes() {
                                    f.notify_group = id;
                                }
                            }
                        }
                        _ => {}
                    }
                }
                fam = Some(f);
            }
        }
    }
}

/// Outcome of a synchronous request.
pub struct Reply {
    /// The reply messages (not acks), as raw datagram slices copied out.
    pub msgs: Vec<Vec<u8>>,
    /// Flags of each reply message.
    pub flags: Vec<u16>,
}

/// An error from the kernel: errno and extack message.
#[derive(Debug, Clone)]
pub struct KErr {
    pub errno: i32,
    pub msg: Option<String>,
}

impl std::fmt::Display for KErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", errno_name(self.errno))?;
        if let Some(m) = &self.msg {
            write!(f, " ({m})")?;
        }
        Ok(())
    }
}

/// Sends one request with `NLM_F_ACK` and collects replies until its ack, `NLMSG_DONE` or error.
pub fn request(
    sock: &Sock,
    buf: &mut Vec<u8>,
    msg: &[u8],
    seq: u32,
) -> io::Result<Result<Reply, KErr>> {
    sock.send(msg)?;
    let mut reply = Reply { msgs: Vec::new(), flags: Vec::new() };
    loop {
        let n = sock.recv(buf, false)?;
        for m in messages(&buf[..n]) {
            if m.seq != seq {
                continue;
            }
            match m.ty {
                NLMSG_ERROR => {
                    let e = m.error().unwrap_or(-libc::EPROTO);
                    if e == 0 {
                        return Ok(Ok(reply));
                    }
                    return Ok(Err(KErr { errno: -e, msg: m.extack_msg() }));
                }
                NLMSG_DONE => {
                    // A dump's DONE carries its error (0 on success) first.
                    let e = m.payload.get(..4).map_or(0, |b| i32::from_ne_bytes(b.try_into().unwrap()));
                    if e < 0 {
                        return Ok(Err(KErr { errno: -e, msg: None }));
                    }
                    return Ok(Ok(reply));
                }
                _ => {
                    let mut raw = Vec::with_capacity(NLMSG_HDRLEN + m.payload.len());
                    raw.extend_from_slice(&((NLMSG_HDRLEN + m.payload.len()) as u32).to_ne_bytes());
                    raw.extend_from_slice(&m.ty.to_ne_bytes());
                    raw.extend_from_slice(&m.flags.to_ne_bytes());
                    raw.extend_from_slice(&m.seq.to_ne_bytes());
                    raw.extend_from_slice(&0u32.to_ne_bytes());
                    raw.extend_from_slice(m.payload);
                    reply.flags.push(m.flags);
                    reply.msgs.push(raw);
                }
            }
        }
    }
}

/// Attributes of a kvstore entry message, picked out.
#[derive(Default, Debug, Clone)]
pub struct EntryFields {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub flags: Option<u32>,
    pub generation: Option<u64>,
}

/// Picks the entry attributes out of a raw message as `request` returns them.
pub fn entry_fields(raw: &[u8]) -> EntryFields {
    messages(raw).first().map(entry_fields_of).unwrap_or_default()
}

/// Picks the entry attributes out of a received message.
pub fn entry_fields_of(m: &Msg<'_>) -> EntryFields {
    let mut f = EntryFields::default();
    for (t, v) in m.genl_attrs() {
        match t {
            spec::ENTRY_KEY => f.key = Some(str_of(v).to_vec()),
            spec::ENTRY_VALUE => f.value = Some(v.to_vec()),
            spec::ENTRY_FLAGS => f.flags = u32_of(v),
            spec::ENTRY_GENERATION => f.generation = u64_of(v),
            _ => {}
        }
    }
    f
}

/// `EPERM`, `ENOENT`, ... or the number.
pub fn errno_name(errno: i32) -> String {
    kvstore::error::errno_name(errno).map_or_else(|| format!("errno{errno}"), str::to_owned)
}

/// A small seedable PRNG (xorshift64*): reproducible across runs and machines.
#[derive(Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // splitmix64 of the seed, never zero.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        Self(if z == 0 { 1 } else { z })
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `pct`%.
    pub fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Counts of outcomes by name, for the errno distribution.
#[derive(Default, Clone)]
pub struct Tally(pub BTreeMap<String, u64>);

impl Tally {
    pub fn add(&mut self, name: &str, n: u64) {
        *self.0.entry(name.to_owned()).or_default() += n;
    }

    pub fn merge(&mut self, other: &Tally) {
        for (k, v) in &other.0 {
            self.add(k, *v);
        }
    }

    pub fn line(&self) -> String {
        self.0.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    }
}

/// Moves the calling thread into a new network namespace.
pub fn unshare_netns() -> io::Result<()> {
    // SAFETY: plain syscall; affects the calling thread only.
    cvt(unsafe { libc::unshare(libc::CLONE_NEWNET) }).map(drop)
}
