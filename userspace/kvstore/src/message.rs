// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Packet types of the `kvstore` family, modelled like
//! `netlink_packet_generic::ctrl`: a [`GenlFamily`] payload ([`KvstoreMessage`])
//! carrying a list of [`Nla`]s ([`EntryAttr`], with [`StatsAttr`] nested).

use std::fmt;

use netlink_packet_core::{
    emit_u32, emit_u64, parse_u32, parse_u64, DecodeError, DefaultNla, Emitable, ErrorContext, Nla,
    NlaBuffer, NlasIterator, Parseable, ParseableParametrized, NLA_F_NESTED,
};
use netlink_packet_generic::{GenlFamily, GenlHeader};

use crate::{key::Key as EntryKey, spec};

/// Commands of the family (`operations` in the spec).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KvstoreCmd {
    Echo,
    Put,
    Get,
    Del,
    Stats,
    /// Notification: an entry was created or replaced.
    NewNtf,
    /// Notification: an entry was removed.
    DelNtf,
}

impl KvstoreCmd {
    /// The command's name in the spec.
    pub fn name(self) -> &'static str {
        spec::CMD_NAMES[u8::from(self) as usize]
    }
}

impl fmt::Display for KvstoreCmd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl From<KvstoreCmd> for u8 {
    fn from(cmd: KvstoreCmd) -> u8 {
        match cmd {
            KvstoreCmd::Echo => spec::CMD_ECHO,
            KvstoreCmd::Put => spec::CMD_PUT,
            KvstoreCmd::Get => spec::CMD_GET,
            KvstoreCmd::Del => spec::CMD_DEL,
            KvstoreCmd::Stats => spec::CMD_STATS,
            KvstoreCmd::NewNtf => spec::CMD_NEW_NTF,
            KvstoreCmd::DelNtf => spec::CMD_DEL_NTF,
        }
    }
}

impl TryFrom<u8> for KvstoreCmd {
    type Error = DecodeError;

    fn try_from(value: u8) -> Result<Self, DecodeError> {
        Ok(match value {
            spec::CMD_ECHO => KvstoreCmd::Echo,
            spec::CMD_PUT => KvstoreCmd::Put,
            spec::CMD_GET => KvstoreCmd::Get,
            spec::CMD_DEL => KvstoreCmd::Del,
            spec::CMD_STATS => KvstoreCmd::Stats,
            spec::CMD_NEW_NTF => KvstoreCmd::NewNtf,
            spec::CMD_DEL_NTF => KvstoreCmd::DelNtf,
            other => return Err(format!("unknown kvstore command {other}").into()),
        })
    }
}

/// Attributes of the `stats` set (all u64 counters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StatsAttr {
    Entries(u64),
    Bytes(u64),
    MaxEntries(u64),
    MaxBytes(u64),
    EchoCount(u64),
    PutCount(u64),
    GetCount(u64),
    DelCount(u64),
    DumpCount(u64),
    StatsCount(u64),
    NotifySent(u64),
    NotifyDropped(u64),
    Memory(u64),
    /// Alignment padding; ignored on receive.
    Pad(Vec<u8>),
    /// An attribute this crate does not know (newer kernel).
    Other(DefaultNla),
}

impl StatsAttr {
    fn counter(&self) -> Option<(u16, u64)> {
        use StatsAttr::*;
        Some(match *self {
            Entries(v) => (spec::STATS_ENTRIES, v),
            Bytes(v) => (spec::STATS_BYTES, v),
            MaxEntries(v) => (spec::STATS_MAX_ENTRIES, v),
            MaxBytes(v) => (spec::STATS_MAX_BYTES, v),
            EchoCount(v) => (spec::STATS_ECHO_COUNT, v),
            PutCount(v) => (spec::STATS_PUT_COUNT, v),
            GetCount(v) => (spec::STATS_GET_COUNT, v),
            DelCount(v) => (spec::STATS_DEL_COUNT, v),
            DumpCount(v) => (spec::STATS_DUMP_COUNT, v),
            StatsCount(v) => (spec::STATS_STATS_COUNT, v),
            NotifySent(v) => (spec::STATS_NOTIFY_SENT, v),
            NotifyDropped(v) => (spec::STATS_NOTIFY_DROPPED, v),
            Memory(v) => (spec::STATS_MEMORY, v),
            Pad(_) | Other(_) => return None,
        })
    }
}

impl Nla for StatsAttr {
    fn value_len(&self) -> usize {
        match self {
            StatsAttr::Pad(v) => v.len(),
            StatsAttr::Other(nla) => nla.value_len(),
            _ => 8,
        }
    }

    fn kind(&self) -> u16 {
        match self {
            StatsAttr::Pad(_) => spec::STATS_PAD,
            StatsAttr::Other(nla) => nla.kind(),
            counter => counter.counter().map(|(k, _)| k).unwrap_or_default(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        match self {
            StatsAttr::Pad(v) => buffer[..v.len()].copy_from_slice(v),
            StatsAttr::Other(nla) => nla.emit_value(buffer),
            counter => {
                let (_, v) = counter.counter().unwrap_or_default();
                emit_u64(buffer, v).expect("buffer sized by value_len")
            }
        }
    }
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for StatsAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let payload = buf.value();
        let kind = buf.kind();
        let name = spec::STATS_ATTR_NAMES
            .get(kind as usize)
            .copied()
            .unwrap_or("?");
        let u64_value =
            || parse_u64(payload).with_context(|| format!("invalid stats attribute `{name}`"));
        Ok(match kind {
            spec::STATS_ENTRIES => StatsAttr::Entries(u64_value()?),
            spec::STATS_BYTES => StatsAttr::Bytes(u64_value()?),
            spec::STATS_MAX_ENTRIES => StatsAttr::MaxEntries(u64_value()?),
            spec::STATS_MAX_BYTES => StatsAttr::MaxBytes(u64_value()?),
            spec::STATS_ECHO_COUNT => StatsAttr::EchoCount(u64_value()?),
            spec::STATS_PUT_COUNT => StatsAttr::PutCount(u64_value()?),
            spec::STATS_GET_COUNT => StatsAttr::GetCount(u64_value()?),
            spec::STATS_DEL_COUNT => StatsAttr::DelCount(u64_value()?),
            spec::STATS_DUMP_COUNT => StatsAttr::DumpCount(u64_value()?),
            spec::STATS_STATS_COUNT => StatsAttr::StatsCount(u64_value()?),
            spec::STATS_NOTIFY_SENT => StatsAttr::NotifySent(u64_value()?),
            spec::STATS_NOTIFY_DROPPED => StatsAttr::NotifyDropped(u64_value()?),
            spec::STATS_MEMORY => StatsAttr::Memory(u64_value()?),
            spec::STATS_PAD => StatsAttr::Pad(payload.to_vec()),
            _ => StatsAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// Attributes of the `entry` set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryAttr {
    /// NUL-terminated string of any bytes but NUL; emitted with its trailing NUL.
    Key(EntryKey),
    Value(Vec<u8>),
    /// Bitmask of `entry-flags`.
    Flags(u32),
    Generation(u64),
    Stats(Vec<StatsAttr>),
    /// Alignment padding; ignored on receive.
    Pad(Vec<u8>),
    /// `put-mode` value of a `put` request (see [`crate::PutMode`]).
    Mode(u32),
    /// An attribute this crate does not know (newer kernel).
    Other(DefaultNla),
}

impl EntryAttr {
    /// The attribute's name in the spec.
    pub fn name(&self) -> &'static str {
        spec::ENTRY_ATTR_NAMES
            .get((self.kind() & !NLA_F_NESTED) as usize)
            .copied()
            .unwrap_or("unknown")
    }
}

impl Nla for EntryAttr {
    fn value_len(&self) -> usize {
        use EntryAttr::*;
        match self {
            Key(k) => k.len() + 1,
            Value(v) | Pad(v) => v.len(),
            Flags(_) | Mode(_) => 4,
            Generation(_) => 8,
            Stats(nlas) => nlas.as_slice().buffer_len(),
            Other(nla) => nla.value_len(),
        }
    }

    fn kind(&self) -> u16 {
        use EntryAttr::*;
        match self {
            Key(_) => spec::ENTRY_KEY,
            Value(_) => spec::ENTRY_VALUE,
            Flags(_) => spec::ENTRY_FLAGS,
            Generation(_) => spec::ENTRY_GENERATION,
            Stats(_) => spec::ENTRY_STATS | NLA_F_NESTED,
            Pad(_) => spec::ENTRY_PAD,
            Mode(_) => spec::ENTRY_MODE,
            Other(nla) => nla.kind(),
        }
    }

    fn emit_value(&self, buffer: &mut [u8]) {
        use EntryAttr::*;
        match self {
            Key(k) => {
                buffer[..k.len()].copy_from_slice(k);
                buffer[k.len()] = 0;
            }
            Value(v) | Pad(v) => buffer[..v.len()].copy_from_slice(v),
            Flags(f) | Mode(f) => emit_u32(buffer, *f).expect("buffer sized by value_len"),
            Generation(g) => emit_u64(buffer, *g).expect("buffer sized by value_len"),
            Stats(nlas) => nlas.as_slice().emit(buffer),
            Other(nla) => nla.emit_value(buffer),
        }
    }
}

/// Parses the `key` attribute: any bytes but NUL (UTF-8 or not), at most one trailing NUL.
pub(crate) fn parse_key(payload: &[u8]) -> Result<EntryKey, DecodeError> {
    let bytes = payload.strip_suffix(&[0]).unwrap_or(payload);
    if bytes.contains(&0) {
        return Err("invalid entry attribute `key`: embedded NUL".into());
    }
    Ok(EntryKey::from(bytes))
}

/// Parses the nested `stats` attribute.
pub(crate) fn parse_stats(payload: &[u8]) -> Result<Vec<StatsAttr>, DecodeError> {
    NlasIterator::new(payload)
        .map(|nla| nla.and_then(|nla| StatsAttr::parse(&nla)))
        .collect::<Result<_, _>>()
        .context("invalid entry attribute `stats`")
}

impl<T: AsRef<[u8]> + ?Sized> Parseable<NlaBuffer<&T>> for EntryAttr {
    fn parse(buf: &NlaBuffer<&T>) -> Result<Self, DecodeError> {
        let payload = buf.value();
        Ok(match buf.kind() {
            spec::ENTRY_KEY => EntryAttr::Key(parse_key(payload)?),
            spec::ENTRY_VALUE => EntryAttr::Value(payload.to_vec()),
            spec::ENTRY_FLAGS => {
                EntryAttr::Flags(parse_u32(payload).context("invalid entry attribute `flags`")?)
            }
            spec::ENTRY_GENERATION => EntryAttr::Generation(
                parse_u64(payload).context("invalid entry attribute `generation`")?,
            ),
            spec::ENTRY_STATS => EntryAttr::Stats(parse_stats(payload)?),
            spec::ENTRY_PAD => EntryAttr::Pad(payload.to_vec()),
            spec::ENTRY_MODE => {
                EntryAttr::Mode(parse_u32(payload).context("invalid entry attribute `mode`")?)
            }
            _ => EntryAttr::Other(DefaultNla::parse(buf)?),
        })
    }
}

/// A `kvstore` generic netlink message: a command and its attributes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KvstoreMessage {
    pub cmd: KvstoreCmd,
    pub attrs: Vec<EntryAttr>,
}

impl KvstoreMessage {
    /// A message for `cmd` with `attrs`.
    pub fn new(cmd: KvstoreCmd, attrs: Vec<EntryAttr>) -> Self {
        Self { cmd, attrs }
    }
}

impl GenlFamily for KvstoreMessage {
    fn family_name() -> &'static str {
        spec::FAMILY_NAME
    }

    fn command(&self) -> u8 {
        self.cmd.into()
    }

    fn version(&self) -> u8 {
        spec::FAMILY_VERSION
    }
}

impl Emitable for KvstoreMessage {
    fn buffer_len(&self) -> usize {
        self.attrs.as_slice().buffer_len()
    }

    fn emit(&self, buffer: &mut [u8]) {
        self.attrs.as_slice().emit(buffer)
    }
}

impl ParseableParametrized<[u8], GenlHeader> for KvstoreMessage {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
        let cmd = KvstoreCmd::try_from(header.cmd)?;
        let attrs = NlasIterator::new(buf)
            .map(|nla| nla.and_then(|nla| EntryAttr::parse(&nla)))
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("malformed kvstore `{cmd}` message"))?;
        Ok(Self { cmd, attrs })
    }
}
