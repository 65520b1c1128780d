// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! A family's messages as the rust-netlink crates carry them: netlink-packet-generic's
//! `GenlFamily` (with netlink-packet-core's `Emitable` and `ParseableParametrized`), so that the
//! `genetlink` crate's connection can send and receive them, their attributes encoded and
//! decoded by the generated code.

use std::fmt;
use std::marker::PhantomData;

use netlink_packet_core::{DecodeError, Emitable, ParseableParametrized};
use netlink_packet_generic::{GenlFamily, GenlHeader};

/// What a family's marker type (generated: `client_gen::Family`) says about it.
pub trait FamilySpec {
    /// The name the family registers with the controller.
    const NAME: &'static str;
    const VERSION: u8;
}

/// A message of family `F`: its command and its attributes as bytes.
pub struct FamilyMessage<F> {
    pub cmd: u8,
    pub attrs: Vec<u8>,
    family: PhantomData<fn() -> F>,
}

impl<F> FamilyMessage<F> {
    pub fn new(cmd: u8, attrs: Vec<u8>) -> Self {
        FamilyMessage {
            cmd,
            attrs,
            family: PhantomData,
        }
    }
}

impl<F> Clone for FamilyMessage<F> {
    fn clone(&self) -> Self {
        FamilyMessage::new(self.cmd, self.attrs.clone())
    }
}

impl<F> PartialEq for FamilyMessage<F> {
    fn eq(&self, other: &Self) -> bool {
        (self.cmd, &self.attrs) == (other.cmd, &other.attrs)
    }
}

impl<F> Eq for FamilyMessage<F> {}

impl<F: FamilySpec> fmt::Debug for FamilyMessage<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FamilyMessage")
            .field("family", &F::NAME)
            .field("cmd", &self.cmd)
            .field("attrs", &self.attrs)
            .finish()
    }
}

impl<F: FamilySpec> GenlFamily for FamilyMessage<F> {
    fn family_name() -> &'static str {
        F::NAME
    }
    fn command(&self) -> u8 {
        self.cmd
    }
    fn version(&self) -> u8 {
        F::VERSION
    }
}

impl<F> Emitable for FamilyMessage<F> {
    fn buffer_len(&self) -> usize {
        self.attrs.len()
    }
    fn emit(&self, buffer: &mut [u8]) {
        buffer[..self.attrs.len()].copy_from_slice(&self.attrs);
    }
}

impl<F> ParseableParametrized<[u8], GenlHeader> for FamilyMessage<F> {
    fn parse_with_param(buf: &[u8], header: GenlHeader) -> Result<Self, DecodeError> {
        Ok(FamilyMessage::new(header.cmd, buf.to_vec()))
    }
}
