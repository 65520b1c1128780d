// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Error types.

use std::fmt;

use crate::extack::Extack;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong talking to the `kvstore` family.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The generic netlink controller does not know the family.
    #[error("kvstore is not loaded (generic netlink family \"kvstore\" is not registered)")]
    NotLoaded,
    /// The kernel answered with NLMSG_ERROR.
    #[error(transparent)]
    Kernel(#[from] KernelError),
    /// A reply could not be decoded (truncated, malformed, unexpected).
    #[error("malformed reply: {0}")]
    Decode(String),
    /// A reply lacks an attribute the spec says it carries.
    #[error("malformed reply: `{cmd}` reply lacks attribute `{attr}`")]
    MissingAttribute {
        cmd: &'static str,
        attr: &'static str,
    },
    /// The request cannot be encoded (e.g. an attribute over 64 KiB).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The store changed while it was dumped (`NLM_F_DUMP_INTR`): the entries received may miss
    /// or repeat keys changed meanwhile. Dump again ([`crate::Client::list_consistent`]).
    #[error("the dump was interrupted by a change (NLM_F_DUMP_INTR); list again")]
    DumpInterrupted,
    /// A dump's replies stopped before its `NLMSG_DONE`: the socket reported ENOBUFS (the kernel
    /// could not queue the next round) or the connection failed, and the entries received are
    /// not the whole list. Connect anew before dumping again.
    #[error("the dump was cut short before NLMSG_DONE (ENOBUFS or a failed connection)")]
    DumpCut,
    /// The netlink connection ended before the kernel answered.
    #[error("no reply from the kernel (netlink connection closed)")]
    NoReply,
    /// Socket-level failure.
    #[error("netlink socket: {0}")]
    Io(#[from] std::io::Error),
    /// Failure inside the netlink connection machinery.
    #[error("netlink: {0}")]
    Netlink(String),
}

impl Error {
    /// The errno carried by this error, if it came from the kernel or a socket.
    pub fn errno(&self) -> Option<i32> {
        match self {
            Error::Kernel(e) => Some(e.errno),
            Error::Io(e) => e.raw_os_error(),
            _ => None,
        }
    }
}

impl From<netlink_packet_core::DecodeError> for Error {
    fn from(e: netlink_packet_core::DecodeError) -> Self {
        Error::Decode(e.to_string())
    }
}

impl From<genetlink::GenetlinkError> for Error {
    fn from(e: genetlink::GenetlinkError) -> Self {
        use genetlink::GenetlinkError as G;
        match e {
            G::NetlinkError(io) if io.raw_os_error() == Some(libc_errno::ENOENT) => {
                Error::NotLoaded
            }
            G::NetlinkError(io) => Error::Io(io),
            G::DecodeError(d) => d.into(),
            G::NoMessageReceived => Error::NoReply,
            other => Error::Netlink(other.to_string()),
        }
    }
}

/// A negative answer from the kernel, with its extended ack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelError {
    /// Positive errno value (e.g. 1 for EPERM).
    pub errno: i32,
    /// Extended ack text (NLMSGERR_ATTR_MSG).
    pub message: Option<String>,
    /// Offset of the offending attribute in the request (NLMSGERR_ATTR_OFFS).
    pub offset: Option<u32>,
    /// Name of the offending (or missing) attribute, when it could be mapped.
    pub attribute: Option<String>,
    /// The error ended a dump (it came in `NLMSG_DONE`), after the entries received before it.
    pub in_done: bool,
}

impl KernelError {
    /// Builds the error from a raw errno and the parsed extended ack.
    pub fn new(errno: i32, extack: Extack) -> Self {
        Self {
            errno: errno.abs(),
            message: extack.message,
            offset: extack.offset,
            attribute: None,
            in_done: false,
        }
    }

    /// Symbolic name of the errno (`"EPERM"`), if known.
    pub fn errno_name(&self) -> Option<&'static str> {
        errno_name(self.errno)
    }

    /// strerror-like description (`"Operation not permitted"`).
    pub fn description(&self) -> String {
        errno_description(self.errno)
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.description())?;
        match self.errno_name() {
            Some(name) => write!(f, " ({name})")?,
            None => write!(f, " (errno {})", self.errno)?,
        }
        if let Some(msg) = &self.message {
            write!(f, ": {msg}")?;
        }
        if let Some(attr) = &self.attribute {
            write!(f, " [attribute: {attr}]")?;
        } else if let Some(off) = self.offset {
            write!(f, " [attribute at offset {off}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}

/// strerror-like text for `errno`, without Rust's " (os error N)" suffix.
pub fn errno_description(errno: i32) -> String {
    let text = std::io::Error::from_raw_os_error(errno).to_string();
    match text.rfind(" (os error ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// Symbolic name of a Linux errno value.
pub fn errno_name(errno: i32) -> Option<&'static str> {
    ERRNO_NAMES
        .iter()
        .find(|(n, _)| *n == errno)
        .map(|(_, name)| *name)
}

/// The few errno values needed here (avoids a libc dependency).
mod libc_errno {
    pub const ENOENT: i32 = 2;
}

const ERRNO_NAMES: &[(i32, &str)] = &[
    (1, "EPERM"),
    (2, "ENOENT"),
    (3, "ESRCH"),
    (4, "EINTR"),
    (5, "EIO"),
    (6, "ENXIO"),
    (7, "E2BIG"),
    (9, "EBADF"),
    (11, "EAGAIN"),
    (12, "ENOMEM"),
    (13, "EACCES"),
    (14, "EFAULT"),
    (16, "EBUSY"),
    (17, "EEXIST"),
    (19, "ENODEV"),
    (22, "EINVAL"),
    (23, "ENFILE"),
    (24, "EMFILE"),
    (27, "EFBIG"),
    (28, "ENOSPC"),
    (34, "ERANGE"),
    (36, "ENAMETOOLONG"),
    (38, "ENOSYS"),
    (61, "ENODATA"),
    (71, "EPROTO"),
    (74, "EBADMSG"),
    (75, "EOVERFLOW"),
    (90, "EMSGSIZE"),
    (93, "EPROTONOSUPPORT"),
    (95, "EOPNOTSUPP"),
    (105, "ENOBUFS"),
    (110, "ETIMEDOUT"),
    (122, "EDQUOT"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_error_display() {
        let e = KernelError {
            errno: 1,
            message: Some("need CAP_NET_ADMIN".into()),
            offset: Some(20),
            attribute: Some("key".into()),
            in_done: false,
        };
        assert_eq!(
            e.to_string(),
            "Operation not permitted (EPERM): need CAP_NET_ADMIN [attribute: key]"
        );
        let bare = KernelError {
            errno: 2,
            message: None,
            offset: None,
            attribute: None,
            in_done: false,
        };
        assert_eq!(bare.to_string(), "No such file or directory (ENOENT)");
    }

    #[test]
    fn not_loaded_from_resolver() {
        let e: Error =
            genetlink::GenetlinkError::NetlinkError(std::io::Error::from_raw_os_error(2)).into();
        assert!(matches!(e, Error::NotLoaded));
        assert!(e.to_string().contains("kvstore is not loaded"));
    }
}
