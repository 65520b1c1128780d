// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! Command-line definition.

use std::{ffi::OsString, path::PathBuf};

use clap::{ArgGroup, Parser, Subcommand};
use kvstore::EntryFlags;

use crate::bytes::Bytes;

const EXAMPLES: &str = "\
Examples:
  kvctl put greeting hello --flags text     create or overwrite an entry
  kvctl put greeting hi --replace-only      only replace an existing entry
  kvctl put greeting hi --create-only       only create a new entry
  kvctl put blob --value-file ./blob.bin    value from a file (binary is fine)
  kvctl get greeting                        print the value
  kvctl list --prefix app/ --json           entries under a prefix, as JSON
  kvctl del greeting
  kvctl monitor                             print changes until interrupted
  kvctl family                              what nlctrl says about the family
  kvctl completions bash > /etc/bash_completion.d/kvctl
  kvctl --netns blue list                   the store of network namespace `blue`
  kvctl get hex:6b6579ff                    a key given by its bytes

Keys and values:
  An argument is taken as its bytes, UTF-8 or not; `hex:` followed by pairs of
  hex digits stands for any bytes. A key or value that is not printable text, or
  that begins with `hex:`, is printed in that form (a key also when it holds a
  tab), so what kvctl prints reads back as the same bytes. --json gives \"key\"
  and \"value\" as strings with \"key_encoding\" and \"encoding\": utf8 or hex.

Exit status:
  0  success
  1  the kernel refused the request (errno name and extack message), or another
     error (socket, I/O, monitor --timeout before --count events)
  2  usage: bad arguments (a bad hex: form too), or a malformed batch line
  3  not found: no entry with that key (get, del, put --replace-only: ENOENT)
  4  kvstore is not loaded (the family is not registered)
  5  the network namespace of --netns cannot be entered

put and del need CAP_NET_ADMIN in the network namespace's user namespace.";

/// Client of the kvstore Generic Netlink family.
#[derive(Debug, Parser)]
#[command(name = "kvctl", version, propagate_version = true, about, after_help = EXAMPLES)]
pub struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Work in network namespace NAME (/run/netns/NAME, as `ip netns add` makes it, or the path
    /// of a namespace file such as /proc/PID/ns/net), as `ip -n NAME` does.
    #[arg(long, global = true, value_name = "NAME")]
    pub netns: Option<OsString>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create or replace an entry (needs CAP_NET_ADMIN).
    ///
    /// By default the entry is created or overwritten (mode upsert).
    /// --create-only fails with EEXIST if the entry exists; --replace-only
    /// fails with ENOENT if it does not (the request's `mode` attribute).
    #[command(group(ArgGroup::new("val").required(true).args(["value", "value_file"])))]
    Put {
        /// Entry key (1 to 255 bytes).
        key: Bytes,
        /// Entry value.
        value: Option<Bytes>,
        /// Read the value from a file instead.
        #[arg(long, value_name = "FILE")]
        value_file: Option<PathBuf>,
        /// Only create the entry: fail (EEXIST) if it exists.
        #[arg(long, conflicts_with = "replace_only")]
        create_only: bool,
        /// Only replace the entry: fail (ENOENT) if it does not exist.
        #[arg(long)]
        replace_only: bool,
        /// Entry flags: comma-separated `text`, `compressed` (or numbers).
        #[arg(long, value_name = "FLAGS", default_value = "none")]
        flags: EntryFlags,
    },
    /// Print one entry's value.
    Get { key: Bytes },
    /// Remove an entry (needs CAP_NET_ADMIN).
    Del { key: Bytes },
    /// List entries in key order.
    List {
        /// Only keys starting with this prefix.
        #[arg(long)]
        prefix: Option<Bytes>,
    },
    /// Send an echo request; the kernel returns the attributes unchanged.
    Echo {
        #[arg(long)]
        key: Option<Bytes>,
        #[arg(long)]
        value: Option<Bytes>,
        #[arg(long)]
        flags: Option<EntryFlags>,
        #[arg(long)]
        generation: Option<u64>,
    },
    /// Show the store's generation, counters and limits.
    Stats,
    /// Print new/del notifications until interrupted.
    ///
    /// The monitor keeps a view of the store (initially dumped). If the
    /// kernel drops notifications because the socket buffer overflowed
    /// (ENOBUFS), it says so, re-dumps and carries on. Once subscribed and
    /// dumped it says so on stderr (`kvctl: monitoring ...`) and, with --json,
    /// prints {"event":"ready","group":ID,"entries":N,"generation":G}:
    /// every change after that line is reported.
    Monitor {
        /// Only keys starting with this prefix.
        #[arg(long)]
        prefix: Option<Bytes>,
        /// Stop after N new/del events (of keys under --prefix; events
        /// already covered by the initial dump or a resync do not count).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
        /// Stop after SECS seconds (fails if --count was not reached).
        #[arg(long, value_name = "SECS")]
        timeout: Option<f64>,
        /// Stop after SECS seconds without any event.
        #[arg(long, value_name = "SECS")]
        idle_timeout: Option<f64>,
        /// At exit, print the monitor's view of the store, like `list`,
        /// after a `# final view` line.
        #[arg(long)]
        dump_final: bool,
        /// Do not print each event (overflows are still reported).
        #[arg(long, short)]
        quiet: bool,
        /// Testing: SO_RCVBUF of the notification socket.
        #[arg(long, value_name = "BYTES", hide = true)]
        rcvbuf: Option<usize>,
        /// Testing: block for MS milliseconds after the first event, as a slow
        /// consumer would, so that the socket buffer overflows.
        #[arg(long, value_name = "MS", hide = true)]
        stall_ms: Option<u64>,
    },
    /// Show the family as the generic netlink controller reports it.
    Family,
    /// Run `put KEY VALUE` / `del KEY` lines from a file or stdin over one socket.
    ///
    /// Each line is split into words as a POSIX shell splits them: quote a key
    /// or value that holds spaces (`put 'a key' "a value"`), `#` starts a
    /// comment. A key or value may use the `hex:` form. `put KEY` stores an
    /// empty value. The whole input is read and checked first: a malformed
    /// line (exit status 2) sends nothing. Stops at the first request that
    /// fails.
    Batch {
        /// File of commands (default: stdin).
        file: Option<PathBuf>,
    },
    /// Print a shell completion script.
    Completions { shell: clap_complete::Shell },
    /// Write the man pages, kvctl.1 and kvctl-COMMAND.1 for each command, into DIR.
    ///
    /// A command of the built binary, not a build script: the pages always match the binary's
    /// own --help, cargo builds stay free of it, and packagers run it as they run
    /// `completions` (ripgrep's `--generate man` is the same idea).
    #[command(hide = true)]
    GenerateMan {
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
}
