// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The one codec of messages: a request written straight into a reused buffer, and the
//! replies of a datagram read in place, without an intermediate message type. The blocking
//! [`crate::Conn`] and the asynchronous [`crate::AsyncConn`] both drive an [`Exchange`]; only
//! how they wait for a datagram differs.
//!
//! The layout is `struct nlmsghdr`, `struct genlmsghdr`, attributes
//! (`include/uapi/linux/netlink.h`, `genetlink.h`); the constants are netlink-packet-core's.

use netlink_packet_core::{
    NLMSG_DONE, NLMSG_ERROR, NLMSG_NOOP, NLMSG_OVERRUN, NLM_F_ACK, NLM_F_DUMP, NLM_F_DUMP_INTR,
    NLM_F_REQUEST,
};

use crate::attr::check_request;
use crate::error::{Extack, KernelError, NlError, Result};

pub const NLMSG_HDRLEN: usize = 16;
pub const GENL_HDRLEN: usize = 4;
/// Offset of the first attribute in a request.
pub const ATTRS_OFFSET: usize = NLMSG_HDRLEN + GENL_HDRLEN;

/// What a request waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// One reply message. Sent without `NLM_F_ACK`: the reply (or the error) completes the
    /// request, and an ack on top would cost the kernel a second message and the client a
    /// second receive (docs/bench.md). For ops whose spec lists a `reply`.
    Reply,
    /// The ack (`NLM_F_ACK`), after any replies.
    Ack,
    /// A dump (`NLM_F_DUMP | NLM_F_ACK`): replies until `NLMSG_DONE`.
    Dump,
}

impl Expect {
    fn flags(self) -> u16 {
        NLM_F_REQUEST
            | match self {
                Expect::Reply => 0,
                Expect::Ack => NLM_F_ACK,
                Expect::Dump => NLM_F_DUMP | NLM_F_ACK,
            }
    }
}

/// Writes a request of family `family` into `buf`: the headers, then what `encode` appends.
/// With `check`, its attributes are checked to walk (one put over 64 KiB does not), `check`
/// naming an attribute type for that error: for attributes made by hand; the generated
/// encoders and `typed`'s check what they write themselves.
#[allow(clippy::too_many_arguments)] // the header fields, as `struct nlmsghdr` and `genlmsghdr` have them
pub fn write_request(
    buf: &mut Vec<u8>,
    family: u16,
    cmd: u8,
    version: u8,
    expect: Expect,
    seq: u32,
    encode: impl FnOnce(&mut Vec<u8>) -> Result<()>,
    check: Option<&dyn Fn(u16) -> String>,
) -> Result<()> {
    buf.clear();
    buf.extend_from_slice(&[0; ATTRS_OFFSET]); // nlmsg_pid 0, genlmsghdr.reserved 0
    encode(buf)?;
    if let Some(name) = check {
        check_request(&buf[ATTRS_OFFSET..], name).map_err(NlError::InvalidRequest)?;
    }
    let len = u32::try_from(buf.len())
        .map_err(|_| NlError::InvalidRequest(format!("a request of {} bytes", buf.len())))?;
    buf[..4].copy_from_slice(&len.to_ne_bytes());
    buf[4..6].copy_from_slice(&family.to_ne_bytes());
    buf[6..8].copy_from_slice(&expect.flags().to_ne_bytes());
    buf[8..12].copy_from_slice(&seq.to_ne_bytes());
    buf[16] = cmd;
    buf[17] = version;
    Ok(())
}

/// One message of a datagram, read in place.
#[derive(Clone, Copy, Debug)]
pub struct Msg<'a> {
    pub ty: u16,
    pub flags: u16,
    pub seq: u32,
    /// What follows the `nlmsghdr`.
    pub body: &'a [u8],
}

impl<'a> Msg<'a> {
    /// A generic netlink message's command and attributes.
    pub fn genl(&self) -> Result<(u8, &'a [u8])> {
        match self.body {
            [cmd, _, _, _, attrs @ ..] => Ok((*cmd, attrs)),
            _ => Err(NlError::Malformed(format!(
                "a message of {} bytes, shorter than its genlmsghdr",
                self.body.len()
            ))),
        }
    }

    /// The errno that starts an `NLMSG_ERROR` or `NLMSG_DONE` (0 when absent, as an old
    /// kernel's `NLMSG_DONE` may be), and the bytes after it.
    fn code(&self) -> (i32, &'a [u8]) {
        match self.body {
            [a, b, c, d, rest @ ..] => (i32::from_ne_bytes([*a, *b, *c, *d]), rest),
            _ => (0, &[]),
        }
    }
}

/// The messages of a datagram; a length that does not fit ends the walk with an error.
pub fn messages(datagram: &[u8]) -> impl Iterator<Item = Result<Msg<'_>>> {
    raw_messages(datagram).map(|m| m.map_err(BadLength::into_error))
}

/// A message whose length does not fit the datagram: its length, and the bytes left.
#[derive(Clone, Copy, Debug)]
struct BadLength(usize, usize);

impl BadLength {
    #[cold]
    fn into_error(self) -> NlError {
        NlError::Malformed(format!(
            "a message of length {} in {} bytes",
            self.0, self.1
        ))
    }
}

/// [`messages`] with a small error, for the loop every reply goes through.
#[inline]
fn raw_messages(datagram: &[u8]) -> impl Iterator<Item = Result<Msg<'_>, BadLength>> {
    let mut off = 0;
    std::iter::from_fn(move || {
        let h = datagram.get(off..).filter(|h| h.len() >= NLMSG_HDRLEN)?;
        let len = u32::from_ne_bytes([h[0], h[1], h[2], h[3]]) as usize;
        if len < NLMSG_HDRLEN || len > h.len() {
            off = datagram.len();
            return Some(Err(BadLength(len, h.len())));
        }
        off += (len + 3) & !3;
        Some(Ok(Msg {
            ty: u16::from_ne_bytes([h[4], h[5]]),
            flags: u16::from_ne_bytes([h[6], h[7]]),
            seq: u32::from_ne_bytes([h[8], h[9], h[10], h[11]]),
            body: &h[NLMSG_HDRLEN..len],
        }))
    })
}

/// One request's progress through the datagrams that answer it.
#[derive(Debug)]
pub struct Exchange {
    seq: u32,
    expect: Expect,
    interrupted: bool,
    done: bool,
    /// Where the reply's attributes are in the datagram that held them (`Expect::Reply`).
    last_reply: Option<std::ops::Range<usize>>,
}

impl Exchange {
    pub fn new(seq: u32, expect: Expect) -> Exchange {
        Exchange {
            seq,
            expect,
            interrupted: false,
            done: false,
            last_reply: None,
        }
    }

    /// Where the reply's attributes were in the datagram fed last, if it held it
    /// (`Expect::Reply`).
    pub fn last_reply(&self) -> Option<std::ops::Range<usize>> {
        self.last_reply.clone()
    }

    /// Whether the request is complete (its reply, ack, `NLMSG_DONE` or error was seen).
    pub fn done(&self) -> bool {
        self.done
    }

    /// Reads one datagram: `on_reply(cmd, attrs)` for each of this request's replies, in
    /// order. Messages of other requests (stale replies, notifications) are skipped.
    ///
    /// The kernel's error, in `NLMSG_ERROR` or in a dump's `NLMSG_DONE`, is the result; so is
    /// [`NlError::DumpInterrupted`] at the end of a dump one of whose messages carried
    /// `NLM_F_DUMP_INTR`, after every reply was handed on.
    pub fn feed(
        &mut self,
        datagram: &[u8],
        on_reply: &mut dyn FnMut(u8, &[u8]) -> Result<()>,
    ) -> Result<()> {
        self.last_reply = None;
        for m in raw_messages(datagram) {
            let m = m.map_err(BadLength::into_error)?;
            if m.seq != self.seq || self.done {
                continue;
            }
            self.interrupted |= m.flags & NLM_F_DUMP_INTR != 0;
            match m.ty {
                NLMSG_NOOP | NLMSG_OVERRUN => {}
                NLMSG_ERROR => {
                    self.done = true;
                    let (code, rest) = m.code();
                    if code != 0 {
                        return Err(
                            KernelError::new(code, Extack::from_error(rest, m.flags)).into()
                        );
                    }
                }
                NLMSG_DONE => {
                    self.done = true;
                    let (code, rest) = m.code();
                    if code < 0 {
                        let mut e = KernelError::new(code, Extack::from_done(rest, m.flags));
                        e.in_done = true;
                        return Err(e.into());
                    }
                    if self.interrupted {
                        return Err(NlError::DumpInterrupted);
                    }
                }
                _ => {
                    let [cmd, _, _, _, attrs @ ..] = m.body else {
                        return Err(m.genl().unwrap_err());
                    };
                    if self.expect == Expect::Reply {
                        self.done = true;
                        // An offset of a subslice of `datagram`, for a caller that reads the
                        // reply in place after this returns.
                        let start = attrs.as_ptr() as usize - datagram.as_ptr() as usize;
                        self.last_reply = Some(start..start + attrs.len());
                    }
                    on_reply(*cmd, attrs)?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::put_attr;

    fn msg(ty: u16, flags: u16, seq: u32, body: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend(((NLMSG_HDRLEN + body.len()) as u32).to_ne_bytes());
        m.extend(ty.to_ne_bytes());
        m.extend(flags.to_ne_bytes());
        m.extend(seq.to_ne_bytes());
        m.extend(0u32.to_ne_bytes());
        m.extend(body);
        m.resize((m.len() + 3) & !3, 0);
        m
    }

    #[test]
    fn request_layout() {
        let mut b = Vec::new();
        write_request(
            &mut b,
            0x1234,
            3,
            1,
            Expect::Dump,
            9,
            |o| {
                o.extend([4, 0, 1, 0]);
                Ok(())
            },
            Some(&|t| t.to_string()),
        )
        .unwrap();
        assert_eq!(b.len(), 24);
        assert_eq!(u32::from_ne_bytes(b[0..4].try_into().unwrap()), 24);
        assert_eq!(u16::from_ne_bytes(b[4..6].try_into().unwrap()), 0x1234);
        assert_eq!(
            u16::from_ne_bytes(b[6..8].try_into().unwrap()),
            NLM_F_REQUEST | NLM_F_ACK | NLM_F_DUMP
        );
        assert_eq!(u32::from_ne_bytes(b[8..12].try_into().unwrap()), 9);
        assert_eq!(&b[16..20], &[3, 1, 0, 0]);
        assert_eq!(&b[20..], &[4, 0, 1, 0]);
    }

    #[test]
    fn an_attribute_over_64k_is_refused_by_name() {
        let mut b = Vec::new();
        let big = vec![0u8; 70_000];
        let e = write_request(
            &mut b,
            1,
            1,
            1,
            Expect::Reply,
            1,
            |o| {
                put_attr(o, 2, &big);
                Ok(())
            },
            Some(&|t| format!("t{t}")),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("attribute `t2` is over 65531 bytes"),
            "{e}"
        );
    }

    #[test]
    fn dump_replies_then_interrupted_then_done_error() {
        let mut dg = msg(0x20, 0x2, 7, &[1, 1, 0, 0, 8, 0, 1, 0, 5, 0, 0, 0]);
        dg.extend(msg(0x20, 0x2 | NLM_F_DUMP_INTR, 7, &[1, 1, 0, 0]));
        dg.extend(msg(0x20, 0x2, 6, &[1, 1, 0, 0])); // another request's
        dg.extend(msg(NLMSG_DONE, 0x2, 7, &0i32.to_ne_bytes()));
        let mut ex = Exchange::new(7, Expect::Dump);
        let mut seen = Vec::new();
        let r = ex.feed(&dg, &mut |cmd, a| {
            seen.push((cmd, a.len()));
            Ok(())
        });
        assert!(matches!(r, Err(NlError::DumpInterrupted)), "{r:?}");
        assert_eq!(seen, [(1, 8), (1, 0)]);
        assert!(ex.done());

        let mut tlvs = Vec::new();
        put_attr(&mut tlvs, 1, b"injected\0");
        let mut body = (-libc::EIO).to_ne_bytes().to_vec();
        body.extend(&tlvs);
        let dg = msg(NLMSG_DONE, 0x2 | crate::error::NLM_F_ACK_TLVS, 8, &body);
        let mut ex = Exchange::new(8, Expect::Dump);
        match ex.feed(&dg, &mut |_, _| Ok(())) {
            Err(NlError::Kernel(k)) => {
                assert_eq!(
                    (k.errno, k.in_done, k.message()),
                    (libc::EIO, true, Some("injected"))
                )
            }
            r => panic!("{r:?}"),
        }
    }

    #[test]
    fn a_reply_completes_a_do_without_an_ack() {
        let dg = msg(0x20, 0, 3, &[2, 1, 0, 0]);
        let mut ex = Exchange::new(3, Expect::Reply);
        ex.feed(&dg, &mut |_, _| Ok(())).unwrap();
        assert!(ex.done());
        let mut ex = Exchange::new(3, Expect::Ack);
        ex.feed(&dg, &mut |_, _| Ok(())).unwrap();
        assert!(!ex.done());
    }
}
