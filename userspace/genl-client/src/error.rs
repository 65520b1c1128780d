// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! What can go wrong talking to a family: the kernel's error with its whole extended ack
//! (`NETLINK_EXT_ACK`, `include/uapi/linux/netlink.h`), an interrupted dump, a family that is
//! not there, a socket error, bytes that do not parse, a request that cannot be encoded.

use std::{fmt, io};

use crate::attr::iter_attrs;

const NLMSGERR_ATTR_MSG: u16 = 1;
const NLMSGERR_ATTR_OFFS: u16 = 2;
const NLMSGERR_ATTR_POLICY: u16 = 4;
const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
const NLMSGERR_ATTR_MISS_NEST: u16 = 6;
pub(crate) const NLM_F_CAPPED: u16 = 0x100;
pub(crate) const NLM_F_ACK_TLVS: u16 = 0x200;
const NLMSG_HDRLEN: usize = 16;

/// The limit the kernel's policy put on the offending attribute (`NLMSGERR_ATTR_POLICY`: an
/// `NL_POLICY_TYPE_ATTR_*` nest, as `netlink_policy_dump_write_attr()` writes it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyLimit {
    /// `NL_ATTR_TYPE_*`.
    pub attr_type: Option<u32>,
    pub min_value: Option<i128>,
    pub max_value: Option<i128>,
    pub min_len: Option<u32>,
    pub max_len: Option<u32>,
    pub mask: Option<u64>,
}

impl PolicyLimit {
    fn parse(nest: &[u8]) -> PolicyLimit {
        let mut p = PolicyLimit::default();
        for a in iter_attrs(nest).map_while(|a| a.ok()) {
            let v = a.payload;
            let u = || match v.len() {
                4 => Some(u32::from_ne_bytes(v.try_into().unwrap()) as u64),
                8 => Some(u64::from_ne_bytes(v.try_into().unwrap())),
                _ => None,
            };
            let s = || match v.len() {
                4 => Some(i32::from_ne_bytes(v.try_into().unwrap()) as i64),
                8 => Some(i64::from_ne_bytes(v.try_into().unwrap())),
                _ => None,
            };
            match a.kind {
                1 => p.attr_type = u().map(|x| x as u32),
                2 => p.min_value = s().map(i128::from),
                3 => p.max_value = s().map(i128::from),
                4 => p.min_value = u().map(i128::from),
                5 => p.max_value = u().map(i128::from),
                6 => p.min_len = u().map(|x| x as u32),
                7 => p.max_len = u().map(|x| x as u32),
                12 => p.mask = u(),
                _ => {}
            }
        }
        p
    }
}

impl fmt::Display for PolicyLimit {
    /// `min-value 1, max-value 255`, `max-len 255`, `mask 0x3`: the spec's names for them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(v) = self.min_value {
            parts.push(format!("min-value {v}"));
        }
        if let Some(v) = self.max_value {
            parts.push(format!("max-value {v}"));
        }
        if let Some(v) = self.min_len {
            parts.push(format!("min-len {v}"));
        }
        if let Some(v) = self.max_len {
            parts.push(format!("max-len {v}"));
        }
        if let Some(v) = self.mask {
            parts.push(format!("mask {v:#x}"));
        }
        f.write_str(&parts.join(", "))
    }
}

/// The extended ack of an error, as the kernel sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extack {
    pub msg: Option<String>,
    /// Offset of the offending attribute from the start of the request.
    pub offset: Option<u32>,
    /// The type of a required attribute that is missing, at the top level or in the nest
    /// at `miss_nest`.
    pub miss_type: Option<u32>,
    /// Offset of the nest that lacks `miss_type`.
    pub miss_nest: Option<u32>,
    /// The policy's limit that the offending attribute broke.
    pub policy: Option<PolicyLimit>,
}

impl Extack {
    pub(crate) fn parse_tlvs(tlvs: &[u8]) -> Extack {
        let mut e = Extack::default();
        let u32_of = |p: &[u8]| {
            p.get(..4)
                .map(|b| u32::from_ne_bytes(b.try_into().unwrap()))
        };
        // Malformed TLVs end the walk: the errno is what matters and is kept.
        for a in iter_attrs(tlvs).map_while(|a| a.ok()) {
            match a.kind {
                NLMSGERR_ATTR_MSG => {
                    let s = a.payload.split(|b| *b == 0).next().unwrap_or_default();
                    e.msg = Some(String::from_utf8_lossy(s).into_owned());
                }
                NLMSGERR_ATTR_OFFS => e.offset = u32_of(a.payload),
                NLMSGERR_ATTR_POLICY => e.policy = Some(PolicyLimit::parse(a.payload)),
                NLMSGERR_ATTR_MISS_TYPE => e.miss_type = u32_of(a.payload),
                NLMSGERR_ATTR_MISS_NEST => e.miss_nest = u32_of(a.payload),
                _ => {}
            }
        }
        e
    }

    /// From an `NLMSG_ERROR`'s bytes after the errno: the echoed request (its header only
    /// when `NLM_F_CAPPED`), then the TLVs when `NLM_F_ACK_TLVS`.
    pub(crate) fn from_error(rest: &[u8], flags: u16) -> Extack {
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

    /// From an `NLMSG_DONE`'s bytes after the errno (`netlink_dump_done()`).
    pub(crate) fn from_done(rest: &[u8], flags: u16) -> Extack {
        if flags & NLM_F_ACK_TLVS == 0 {
            return Extack::default();
        }
        Self::parse_tlvs(rest)
    }
}

/// The kernel refused a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelError {
    /// Positive errno (e.g. 1 for EPERM).
    pub errno: i32,
    pub extack: Extack,
    /// The offending attribute by its spec names, dotted through nests (`item.name`), when
    /// the client knew the family's names; `missing` says it was absent rather than bad.
    pub attribute: Option<String>,
    pub missing: bool,
    /// The error ended a dump (it came in `NLMSG_DONE`), after the replies received before it.
    pub in_done: bool,
}

impl KernelError {
    pub fn new(errno: i32, extack: Extack) -> KernelError {
        KernelError {
            errno: errno.abs(),
            extack,
            attribute: None,
            missing: false,
            in_done: false,
        }
    }

    /// The extended ack's message.
    pub fn message(&self) -> Option<&str> {
        self.extack.msg.as_deref()
    }

    /// `EPERM` for 1.
    pub fn errno_name(&self) -> Option<&'static str> {
        errno_name(self.errno)
    }
}

impl fmt::Display for KernelError {
    /// `Numerical result out of range (ERANGE): MESSAGE [attribute: item.delta] [limit: max-value 9]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", strerror(self.errno))?;
        match self.errno_name() {
            Some(name) => write!(f, " ({name})")?,
            None => write!(f, " (errno {})", self.errno)?,
        }
        if let Some(m) = &self.extack.msg {
            write!(f, ": {m}")?;
        }
        let what = if self.missing {
            "missing attribute"
        } else {
            "attribute"
        };
        match (&self.attribute, self.extack.offset, self.extack.miss_type) {
            (Some(a), ..) => write!(f, " [{what}: {a}]")?,
            (None, Some(off), _) => write!(f, " [attribute at offset {off}]")?,
            (None, None, Some(t)) => write!(f, " [missing attribute: type {t}]")?,
            _ => {}
        }
        if let Some(p) = self
            .extack
            .policy
            .as_ref()
            .filter(|p| !p.to_string().is_empty())
        {
            write!(f, " [limit: {p}]")?;
        }
        if self.in_done {
            f.write_str(" (at the end of the dump)")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}

/// What went wrong talking to the kernel.
#[derive(Debug)]
pub enum NlError {
    /// The kernel refused the request (boxed: the extended ack makes it the largest error).
    Kernel(Box<KernelError>),
    /// The family is not registered (the controller knows no such name).
    NotLoaded(String),
    /// The objects changed while they were dumped (`NLM_F_DUMP_INTR`): the replies received
    /// may miss or repeat some. Dump again (`dump_consistent` retries).
    DumpInterrupted,
    Io(io::Error),
    /// A message that could not be parsed.
    Malformed(String),
    /// A request that cannot be sent as asked (e.g. an attribute over 64 KiB).
    InvalidRequest(String),
}

impl NlError {
    /// The errno from the kernel or the socket, if there is one.
    pub fn errno(&self) -> Option<i32> {
        match self {
            NlError::Kernel(k) => Some(k.errno),
            NlError::Io(e) => e.raw_os_error(),
            _ => None,
        }
    }

    /// The kernel's error, if that is what this is.
    pub fn kernel(&self) -> Option<&KernelError> {
        match self {
            NlError::Kernel(k) => Some(k),
            _ => None,
        }
    }
}

impl fmt::Display for NlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NlError::Kernel(k) => k.fmt(f),
            NlError::NotLoaded(name) => write!(
                f,
                "{name} is not loaded (generic netlink family \"{name}\" is not registered)"
            ),
            NlError::DumpInterrupted => {
                f.write_str("the dump was interrupted by a change (NLM_F_DUMP_INTR); dump again")
            }
            NlError::Io(e) => write!(f, "netlink socket: {e}"),
            NlError::Malformed(m) => write!(f, "malformed reply: {m}"),
            NlError::InvalidRequest(m) => write!(f, "invalid request: {m}"),
        }
    }
}

impl std::error::Error for NlError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            NlError::Kernel(k) => Some(&**k),
            NlError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for NlError {
    fn from(e: io::Error) -> Self {
        NlError::Io(e)
    }
}

impl From<KernelError> for NlError {
    fn from(e: KernelError) -> Self {
        NlError::Kernel(Box::new(e))
    }
}

pub type Result<T, E = NlError> = std::result::Result<T, E>;

/// `strerror(errno)`.
pub fn strerror(errno: i32) -> String {
    let s = io::Error::from_raw_os_error(errno).to_string();
    match s.rfind(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

/// The symbolic name of the errnos a netlink family answers with.
pub fn errno_name(errno: i32) -> Option<&'static str> {
    use libc::*;
    Some(match errno {
        EPERM => "EPERM",
        ENOENT => "ENOENT",
        EINTR => "EINTR",
        EIO => "EIO",
        E2BIG => "E2BIG",
        EAGAIN => "EAGAIN",
        ENOMEM => "ENOMEM",
        EACCES => "EACCES",
        EFAULT => "EFAULT",
        EBUSY => "EBUSY",
        EEXIST => "EEXIST",
        ENODEV => "ENODEV",
        EINVAL => "EINVAL",
        ENFILE => "ENFILE",
        ENOSPC => "ENOSPC",
        ERANGE => "ERANGE",
        ENAMETOOLONG => "ENAMETOOLONG",
        ENODATA => "ENODATA",
        EOVERFLOW => "EOVERFLOW",
        EMSGSIZE => "EMSGSIZE",
        EPROTO => "EPROTO",
        EOPNOTSUPP => "EOPNOTSUPP",
        ENOBUFS => "ENOBUFS",
        ECONNREFUSED => "ECONNREFUSED",
        EDQUOT => "EDQUOT",
        ETIMEDOUT => "ETIMEDOUT",
        ESRCH => "ESRCH",
        ENOTSUPP_LINUX => "ENOTSUPP",
        _ => return None,
    })
}

/// The kernel-internal ENOTSUPP (524), which leaks to userspace from some paths.
const ENOTSUPP_LINUX: i32 = 524;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attr::put_attr;

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
    fn policy_limit_is_rendered_by_spec_names() {
        let mut nest = Vec::new();
        put_attr(&mut nest, 1, &3u32.to_ne_bytes()); // NL_ATTR_TYPE_U32
        put_attr(&mut nest, 4, &1u64.to_ne_bytes());
        put_attr(&mut nest, 5, &255u64.to_ne_bytes());
        let mut tlvs = Vec::new();
        put_attr(&mut tlvs, NLMSGERR_ATTR_MSG, b"out of range\0");
        put_attr(&mut tlvs, NLMSGERR_ATTR_POLICY | 0x8000, &nest);
        let e = Extack::from_done(&tlvs, NLM_F_ACK_TLVS);
        let mut k = KernelError::new(-libc::ERANGE, e);
        k.attribute = Some("config.size".into());
        assert_eq!(
            k.to_string(),
            "Numerical result out of range (ERANGE): out of range [attribute: config.size] \
             [limit: min-value 1, max-value 255]"
        );
    }

    #[test]
    fn strerror_is_plain() {
        assert_eq!(strerror(libc::ENOENT), "No such file or directory");
    }
}
