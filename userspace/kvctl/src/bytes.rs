// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Keys and values on the command line: bytes, with a `hex:` form for any bytes.
//!
//! An argument is taken as its bytes as given (it need not be UTF-8), except that one written
//! `hex:` and an even number of hex digits stands for those bytes. kvctl prints a key or value
//! that is not printable text in that same form (`output.rs`), so what it prints reads back
//! as the same bytes.

use std::{ffi::OsStr, os::unix::ffi::OsStrExt};

use clap::{
    builder::{TypedValueParser, ValueParserFactory},
    error::ErrorKind,
};

/// The prefix of the hex form.
pub const HEX_PREFIX: &str = "hex:";

/// A key, prefix or value given on the command line (see the module's doc).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

/// The bytes an argument stands for: the digits after `hex:` decoded, or the argument itself.
pub fn parse_bytes(arg: &[u8]) -> Result<Vec<u8>, String> {
    let Some(digits) = arg.strip_prefix(HEX_PREFIX.as_bytes()) else {
        return Ok(arg.to_vec());
    };
    if digits.len() % 2 != 0 {
        return Err(format!(
            "`{HEX_PREFIX}` must be followed by pairs of hex digits, got {} digits",
            digits.len()
        ));
    }
    digits
        .chunks(2)
        .map(|pair| match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(hi), Some(lo)) => Ok(hi << 4 | lo),
            _ => Err(format!(
                "`{}` after `{HEX_PREFIX}` is not a hex byte",
                pair.escape_ascii()
            )),
        })
        .collect()
}

fn hex_digit(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// Parses [`Bytes`] arguments from the raw `OsStr`, so that they need not be UTF-8.
#[derive(Clone, Copy, Debug)]
pub struct BytesParser;

impl TypedValueParser for BytesParser {
    type Value = Bytes;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Bytes, clap::Error> {
        parse_bytes(value.as_bytes()).map(Bytes).map_err(|why| {
            // Worded as clap words a bad value; a usage error, so exit status 2.
            let arg = arg.map_or_else(|| "...".to_owned(), |a| a.to_string());
            let value = value.to_string_lossy();
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value '{value}' for '{arg}': {why}\n"),
            )
            .with_cmd(cmd)
        })
    }
}

impl ValueParserFactory for Bytes {
    type Parser = BytesParser;

    fn value_parser() -> BytesParser {
        BytesParser
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_arguments_are_their_bytes() {
        assert_eq!(parse_bytes(b"greeting"), Ok(b"greeting".to_vec()));
        assert_eq!(parse_bytes(b"\xff/raw"), Ok(b"\xff/raw".to_vec()));
        assert_eq!(parse_bytes(b"he:x"), Ok(b"he:x".to_vec()));
    }

    #[test]
    fn hex_form_is_decoded() {
        assert_eq!(parse_bytes(b"hex:00ffA0"), Ok(vec![0, 0xff, 0xa0]));
        assert_eq!(parse_bytes(b"hex:"), Ok(vec![]));
        assert!(parse_bytes(b"hex:abc").unwrap_err().contains("3 digits"));
        assert!(parse_bytes(b"hex:zz").unwrap_err().contains("`zz`"));
        assert!(parse_bytes(b"hex:+1").is_err());
    }
}
