// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! What the fuzzer, the stress test and the lifecycle helpers add to `nlraw`: sockets and
//! receive buffers as kvtest uses them, the kvstore family, synchronous requests with their
//! kernel errors, entry fields, and the PRNG and tallies of the fuzzer.

use std::{collections::BTreeMap, io, time::Duration};

use kvstore::spec;
use nlraw::{
    messages, str_of, u32_of, u64_of, Msg, RecvBuf, Sock, NLMSG_DONE, NLMSG_ERROR, NLMSG_HDRLEN,
};

/// Every kvtest socket receives into buffers this large: room for any reply (an entry with a
/// 64 KiB value is one message). The size also sizes the kernel's dump rounds
/// (`max_recvmsg_len`), which the tests were written against.
pub const RECV_LEN: usize = 256 << 10;

pub fn recv_buf() -> RecvBuf {
    RecvBuf::new(RECV_LEN)
}

/// Opens a socket with extended and capped acks, a receive queue of `rcvbuf` bytes (forced past
/// `rmem_max` where allowed) and a receive timeout.
pub fn open_socket(rcvbuf: usize, timeout: Duration) -> io::Result<Sock> {
    let sock = Sock::open()?;
    sock.set_cap_ack()?;
    sock.set_rcvbuf(rcvbuf)?;
    sock.set_recv_timeout(timeout)?;
    Ok(sock)
}

/// The kvstore family as nlctrl describes it in the caller's namespace.
#[derive(Clone, Copy, Debug)]
pub struct Family {
    pub id: u16,
    pub notify_group: u32,
}

/// Resolves the kvstore family through nlctrl; `ENOENT` when it is not registered.
pub fn resolve(sock: &Sock) -> io::Result<Family> {
    let f = nlraw::resolve_family(sock, &mut recv_buf(), spec::FAMILY_NAME)?;
    Ok(Family {
        id: f.id,
        notify_group: f.group(spec::MCGRP_NOTIFY).unwrap_or(0),
    })
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
    buf: &mut RecvBuf,
    msg: &[u8],
    seq: u32,
) -> io::Result<Result<Reply, KErr>> {
    sock.send(msg)?;
    let mut reply = Reply {
        msgs: Vec::new(),
        flags: Vec::new(),
    };
    loop {
        for m in messages(sock.recv(buf)?) {
            if m.seq != seq {
                continue;
            }
            match m.ty {
                NLMSG_ERROR => {
                    let e = m.error().unwrap_or(-libc::EPROTO);
                    if e == 0 {
                        return Ok(Ok(reply));
                    }
                    return Ok(Err(KErr {
                        errno: -e,
                        msg: m.extack_msg(),
                    }));
                }
                NLMSG_DONE => {
                    // A dump's DONE carries its error (0 on success) first.
                    let e = m
                        .payload
                        .get(..4)
                        .map_or(0, |b| i32::from_ne_bytes(b.try_into().unwrap()));
                    if e < 0 {
                        return Ok(Err(KErr {
                            errno: -e,
                            msg: None,
                        }));
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
    messages(raw)
        .next()
        .map(|m| entry_fields_of(&m))
        .unwrap_or_default()
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
    kvstore::errno_name(errno).map_or_else(|| format!("errno{errno}"), str::to_owned)
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
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Moves the calling thread into a new network namespace.
pub fn unshare_netns() -> io::Result<()> {
    // SAFETY: plain syscall; affects the calling thread only.
    if unsafe { libc::unshare(libc::CLONE_NEWNET) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
