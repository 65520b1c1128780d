// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The family under test: its requests sent, its answers read, and what must hold of them
//! (the oracles). A finding is a splat in the kernel log, a request left unanswered, or an
//! answer that breaks the netlink or the spec's rules.

use std::{
    fs,
    io::{self, Read},
    os::unix::fs::OpenOptionsExt,
    time::Duration,
};

use anyhow::{Context, Result};
use nlraw::{
    attrs, messages, resolve_family, Msg, RecvBuf, Sock, GENL_HDRLEN, NLMSG_DONE, NLMSG_ERROR,
    NLMSG_HDRLEN, NLM_F_MULTI,
};

use crate::input::GenlInput;
use crate::spec::{FuzzSpec, Kind};

/// What the kernel log says when something went wrong: tests/guest/run's list.
const SPLATS: [&str; 11] = [
    "BUG:",
    "WARNING:",
    "Oops",
    "UBSAN:",
    "KASAN",
    "general protection fault",
    "Kernel panic",
    "blocked for more than",
    "detected stall",
    "DEBUG_LOCKS_WARN_ON",
    "kernel BUG",
];

/// How long a request may go unanswered.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

pub struct Target {
    pub spec: &'static FuzzSpec,
    pub family: u16,
    sock: Sock,
    /// Joined to every group of the family: notifications are sent only when someone listens.
    listener: Sock,
    buf: RecvBuf,
    seq: u32,
    kmsg: fs::File,
    /// Requests sent, all told.
    pub sent: u64,
    /// Requests sent with an allocation to fail, and answers that were `ENOMEM`.
    pub faulted: u64,
    pub enomem: u64,
    faults: Faults,
}

/// Fault injection for this thread: `/proc/thread-self/fail-nth` (failslab armed for tasks
/// that set it, as tests/guest/62-resources.py does), when the kernel has it.
struct Faults {
    fail_nth: Option<fs::File>,
}

impl Faults {
    fn open() -> Self {
        const FAILSLAB: &str = "/sys/kernel/debug/failslab";
        let knobs = [
            ("task-filter", "Y"),
            ("ignore-gfp-wait", "N"),
            ("verbose", "0"),
            ("times", "-1"),
            ("interval", "1"),
            ("space", "0"),
            ("probability", "100"),
        ];
        let armed = knobs
            .iter()
            .all(|(k, v)| fs::write(format!("{FAILSLAB}/{k}"), v).is_ok());
        let fail_nth = armed
            .then(|| {
                fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open("/proc/thread-self/fail-nth")
                    .ok()
            })
            .flatten();
        Self { fail_nth }
    }

    /// Fails the `nth` slab allocation this thread makes from now; false without failslab.
    fn arm(&mut self, nth: u8) -> bool {
        use std::os::unix::fs::FileExt;
        match &self.fail_nth {
            Some(f) => f.write_at(nth.to_string().as_bytes(), 0).is_ok(),
            None => false,
        }
    }

    /// No allocation fails (the count may not have run out: fewer allocations were made).
    fn disarm(&mut self) {
        use std::os::unix::fs::FileExt;
        if let Some(f) = &self.fail_nth {
            let _ = f.write_at(b"0", 0);
        }
    }
}

impl Target {
    /// Whether allocations can be failed (failslab).
    pub fn can_fault(&self) -> bool {
        self.faults.fail_nth.is_some()
    }

    pub fn open(spec: &'static FuzzSpec) -> Result<Self> {
        let sock = Sock::open().context("netlink socket")?;
        sock.set_recv_timeout(ANSWER_TIMEOUT)?;
        // Room for the largest answers (an error echoes its request, up to the send buffer's
        // size) without an overrun, which would drop answers with ENOBUFS reported only once.
        sock.set_rcvbuf(16 << 20)?;
        let mut buf = RecvBuf::new(1 << 18);
        let family = resolve_family(&sock, &mut buf, &spec.name)
            .with_context(|| format!("resolving family {}: is its module loaded?", spec.name))?;
        let listener = Sock::open().context("netlink socket")?;
        listener.set_rcvbuf(1 << 20)?;
        for (name, id) in &family.groups {
            listener
                .join(*id)
                .with_context(|| format!("joining group {name}"))?;
        }
        let family = family.id;
        let mut kmsg = fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open("/dev/kmsg")
            .context("opening /dev/kmsg")?;
        use std::io::Seek;
        kmsg.seek(io::SeekFrom::End(0))?;
        Ok(Self {
            spec,
            family,
            sock,
            listener,
            buf,
            seq: 1,
            kmsg,
            sent: 0,
            faulted: 0,
            enomem: 0,
            faults: Faults::open(),
        })
    }

    /// Sends the input's requests, one after the other, each answered before the next; the
    /// first rule broken, if any.
    pub fn run(&mut self, datagrams: &[Vec<u8>], input: &GenlInput) -> Result<(), String> {
        let answered: Vec<bool> = input.msgs.iter().map(|m| m.answered()).collect();
        let fail_nth: Vec<u8> = input.msgs.iter().map(|m| m.fail_nth).collect();
        self.run_datagrams(datagrams, &answered, &fail_nth)
    }

    /// Sends datagrams (their type set to the family's, their sequence numbers set here);
    /// `answered[i]`: whether datagram `i` must get exactly one ack, error or `NLMSG_DONE`;
    /// `fail_nth[i]`: the slab allocation of it to fail (0: none).
    pub fn run_datagrams(
        &mut self,
        datagrams: &[Vec<u8>],
        answered: &[bool],
        fail_nth: &[u8],
    ) -> Result<(), String> {
        for (i, (d, &answered)) in datagrams.iter().zip(answered).enumerate() {
            let nth = fail_nth.get(i).copied().unwrap_or(0);
            self.seq = self.seq.wrapping_add(1).max(2);
            let mut d = d.clone();
            if d.len() >= NLMSG_HDRLEN {
                d[4..6].copy_from_slice(&self.family.to_ne_bytes());
                d[8..12].copy_from_slice(&self.seq.to_ne_bytes());
            }
            self.sent += 1;
            let faulted = nth != 0 && self.faults.arm(nth);
            self.faulted += u64::from(faulted);
            if self.sock.send(&d).is_err() {
                // Refused whole by the socket (too long for the send buffer, or its skb not
                // allocated under fault injection): nothing ran.
                self.faults.disarm();
                continue;
            }
            let answers = self.answers(answered, faulted);
            self.faults.disarm();
            answers?;
            self.notifications()?;
        }
        self.kernel_log()
    }

    /// Reads what is queued on the request socket, checking each message.
    fn drain(&mut self) -> Result<(), String> {
        drain(&self.sock, &mut self.buf, self.spec, self.family)
    }

    /// The notifications the requests caused, each checked as an answer is.
    fn notifications(&mut self) -> Result<(), String> {
        drain(&self.listener, &mut self.buf, self.spec, self.family)
    }

    /// Reads the answers to the request just sent.
    /// `faulted`: an allocation was failed, so the answer may be the socket's own error
    /// (`ENOBUFS`: the core could not allocate the ack, `netlink_ack`).
    fn answers(&mut self, answered: bool, faulted: bool) -> Result<(), String> {
        let seq = self.seq;
        let mut terminal = 0;
        let mut dumping = false;
        loop {
            // A do's answers are queued before sendmsg returns; a dump's rounds run as they are read.
            let wait = (answered && terminal == 0) || dumping;
            let got = if wait {
                self.sock.recv(&mut self.buf)
            } else {
                self.sock.try_recv(&mut self.buf)
            };
            let datagram = match got {
                Ok(d) => d,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && !wait => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && answered => {
                    return Err(format!("request {seq} not answered in {ANSWER_TIMEOUT:?}"))
                }
                // A request whose length lies may leave a dump the reader need not finish.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e)
                    if faulted
                        && matches!(e.raw_os_error(), Some(libc::ENOBUFS | libc::ENOMEM)) =>
                {
                    // What is still queued is read (and checked) now: the core reports ENOBUFS
                    // once, until the queue has emptied.
                    return self.drain();
                }
                Err(e) => return Err(format!("receiving the answer to request {seq}: {e}")),
            };
            let mut parsed = 0;
            for m in messages(datagram) {
                parsed += align4(NLMSG_HDRLEN + m.payload.len());
                check_message(self.spec, self.family, &m)?;
                if m.seq != seq {
                    continue;
                }
                self.enomem += u64::from(m.error() == Some(-libc::ENOMEM));
                match m.ty {
                    NLMSG_ERROR | NLMSG_DONE => {
                        terminal += 1;
                        dumping = false;
                    }
                    _ if m.flags & NLM_F_MULTI != 0 => dumping = true,
                    _ => {}
                }
            }
            if parsed < datagram.len() {
                return Err(format!(
                    "answer to request {seq}: {} bytes after the last whole message",
                    datagram.len() - parsed
                ));
            }
            // Under fault injection a dump may be answered twice: the core acks its first
            // round's failed allocation as an error (ENOBUFS) and goes on with the dump at the
            // next read (`__netlink_dump_start`, net/netlink/af_netlink.c).
            if answered && terminal > 1 && !faulted {
                return Err(format!("request {seq} answered {terminal} times"));
            }
        }
    }

    /// The kernel log's new lines: a splat among them is a finding.
    pub fn kernel_log(&mut self) -> Result<(), String> {
        let mut record = [0u8; 8192];
        let mut found = Vec::new();
        loop {
            match self.kmsg.read(&mut record) {
                Ok(0) => break,
                Ok(n) => {
                    let line = String::from_utf8_lossy(&record[..n]);
                    let text = line.split_once(';').map_or(&*line, |(_, t)| t).trim_end();
                    if !found.is_empty() || SPLATS.iter().any(|s| text.contains(s)) {
                        found.push(text.to_owned());
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                // Overwritten before read (EPIPE): read on.
                Err(e) if e.raw_os_error() == Some(libc::EPIPE) => continue,
                Err(e) => return Err(format!("reading /dev/kmsg: {e}")),
            }
        }
        if found.is_empty() {
            Ok(())
        } else {
            found.truncate(40);
            Err(format!("kernel log:\n    {}", found.join("\n    ")))
        }
    }
}

/// Reads what is queued on `sock` without waiting, checking each message. An overrun
/// (ENOBUFS) is the kernel's rule, reported once until the queue empties, not a finding.
fn drain(sock: &Sock, buf: &mut RecvBuf, spec: &FuzzSpec, family: u16) -> Result<(), String> {
    loop {
        match sock.try_recv(buf) {
            Ok(datagram) => {
                for m in messages(datagram) {
                    check_message(spec, family, &m)?;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ENOBUFS) => continue,
            Err(e) => return Err(format!("receiving: {e}")),
        }
    }
}

fn align4(n: usize) -> usize {
    (n + 3) & !3
}

/// What must hold of any message the family's socket receives.
fn check_message(spec: &FuzzSpec, family: u16, m: &Msg) -> Result<(), String> {
    let seq = m.seq;
    match m.ty {
        NLMSG_ERROR => {
            let e = m
                .error()
                .ok_or(format!("answer to {seq}: an NLMSG_ERROR without its error"))?;
            if !(-4095..=0).contains(&e) {
                return Err(format!("answer to {seq}: error {e} is no errno"));
            }
            if m.payload.len() < 4 + NLMSG_HDRLEN {
                return Err(format!(
                    "answer to {seq}: an NLMSG_ERROR without the request's header"
                ));
            }
        }
        NLMSG_DONE => {
            let e = m
                .payload
                .get(..4)
                .map(|b| i32::from_ne_bytes(b.try_into().unwrap()))
                .ok_or(format!("answer to {seq}: an NLMSG_DONE without its status"))?;
            if !(-4095..=0).contains(&e) {
                return Err(format!(
                    "answer to {seq}: NLMSG_DONE status {e} is no errno"
                ));
            }
        }
        t if t == family => {
            let cmd = m
                .genl_cmd()
                .ok_or(format!("answer to {seq}: no genl header"))?;
            if m.payload.len() < GENL_HDRLEN {
                return Err(format!("answer to {seq}: a genl header cut short"));
            }
            // Notifications come with sequence number 0.
            let op = if seq == 0 {
                spec.notification_by_cmd(cmd)
            } else {
                None
            }
            .or_else(|| spec.op_by_cmd(cmd))
            .ok_or(format!(
                "answer to {seq}: command {cmd} the spec does not have"
            ))?;
            let body = &m.payload[GENL_HDRLEN..];
            check_attrs(
                spec,
                op.set,
                body,
                &format!("answer to {seq} ({})", op.name),
            )?;
            for (ty, _) in attrs(body) {
                if !op.reply.is_empty() && !op.reply.contains(&ty) {
                    return Err(format!(
                        "answer to {seq} ({}): attribute {ty} is not in the spec's reply",
                        op.name
                    ));
                }
            }
        }
        t => return Err(format!("answer to {seq}: message type {t}")),
    }
    Ok(())
}

/// The attributes of a reply in `set`: whole, known, each of its type's size.
fn check_attrs(spec: &FuzzSpec, set: usize, body: &[u8], what: &str) -> Result<(), String> {
    let mut used = 0;
    for (ty, v) in attrs(body) {
        used += align4(4 + v.len());
        let s = &spec.sets[set];
        let a = s
            .attrs
            .iter()
            .find(|a| a.id == ty)
            .ok_or(format!("{what}: attribute {ty} is not in set {}", s.name))?;
        let bad = |why: &str| {
            Err(format!(
                "{what}: {}.{}: {why} ({} bytes)",
                s.name,
                a.name,
                v.len()
            ))
        };
        match &a.kind {
            Kind::Int {
                width, variable, ..
            } => {
                let ok = if *variable {
                    v.len() == 4 || v.len() == 8
                } else {
                    v.len() == *width
                };
                if !ok {
                    return bad("an integer of the wrong size");
                }
            }
            Kind::Flag if !v.is_empty() => return bad("a flag with a payload"),
            Kind::Str { .. } if v.last() != Some(&0) => return bad("a string without its NUL"),
            Kind::Nest(inner) => {
                check_attrs(spec, *inner, v, &format!("{what}: {}", a.name))?;
            }
            _ => {}
        }
    }
    // The last attribute's padding may be left out.
    if used < body.len() {
        return Err(format!(
            "{what}: {} bytes after the last whole attribute",
            body.len() - used
        ));
    }
    Ok(())
}
