// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvctl`: command-line client of the kvstore Generic Netlink family.

mod bytes;
mod cli;
mod monitor;
mod netns;
mod output;

use std::{
    io::{BufRead, Write},
    process::ExitCode,
};

use anyhow::{Context, Result};
use clap::{CommandFactory, Parser};
use kvstore::{Client, Echo, Entry, Error, Key, PutMode, PutRequest};
use serde_json::json;

use bytes::{parse_bytes, Bytes};
use cli::{Cli, Command};
use output::{entry_json, entry_line, json_flags, json_value, safe_key, safe_value, set_json_key};

/// kvctl's exit statuses, as `--help` (cli.rs) and the README list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Success = 0,
    /// The kernel refused the request, or another error.
    Failed = 1,
    /// Bad arguments (clap exits with 2 by itself) or a malformed batch line.
    Usage = 2,
    /// No entry with that key: ENOENT from get, del or put --replace-only.
    NotFound = 3,
    /// The family is not registered.
    NotLoaded = 4,
    /// `--netns` could not be entered.
    NoNetns = 5,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> ExitCode {
        ExitCode::from(status as u8)
    }
}

/// Bad input found after clap's parsing (a batch line): exit status 2, as clap's own.
#[derive(Debug)]
struct UsageError(String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// The exit status an error ends kvctl with.
fn status_of(e: &anyhow::Error) -> Status {
    if e.chain().any(|c| c.is::<UsageError>()) {
        return Status::Usage;
    }
    match e.chain().find_map(|c| c.downcast_ref::<Error>()) {
        Some(Error::NotLoaded(_)) => Status::NotLoaded,
        // kvstore answers ENOENT only for a key it does not hold (the controller's ENOENT,
        // for an unknown family, is `NotLoaded`).
        Some(Error::Kernel(k)) if k.errno == libc::ENOENT => Status::NotFound,
        _ => Status::Failed,
    }
}

/// `println!` that returns the write's error instead of panicking: when the reader of a pipe
/// goes away (`kvctl list | head -1`), kvctl stops quietly (see [`main`]).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        std::io::Write::write_fmt(&mut std::io::stdout().lock(), format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Whether `e` is a write to a pipe whose reader is gone.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors exit with 2
    let name = command_name(&cli.command);
    // First, while this is the only thread: the runtime's threads and every socket follow.
    if let Some(ns) = &cli.netns {
        if let Err(e) = netns::enter(ns) {
            eprintln!("kvctl: {e}");
            return Status::NoNetns.into();
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kvctl: cannot start runtime: {e}");
            return Status::Failed.into();
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => Status::Success.into(),
        // The reader of our output stopped reading: not an error of ours, as for `cat`.
        Err(e) if closed_pipe(&e) => Status::Success.into(),
        Err(e) => {
            eprintln!("kvctl: {name}: {}", describe(&e));
            status_of(&e).into()
        }
    }
}

fn command_name(cmd: &Command) -> &'static str {
    match cmd {
        Command::Put { .. } => "put",
        Command::Get { .. } => "get",
        Command::Del { .. } => "del",
        Command::List { .. } => "list",
        Command::Echo { .. } => "echo",
        Command::Stats => "stats",
        Command::Monitor { .. } => "monitor",
        Command::Family => "family",
        Command::Batch { .. } => "batch",
        Command::Completions { .. } => "completions",
        Command::GenerateMan { .. } => "generate-man",
    }
}

/// One line: the error chain, with a hint for permission errors.
fn describe(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    if let Some(kerr) = e.chain().find_map(|c| c.downcast_ref::<Error>()) {
        line = kerr.to_string();
        if kerr.errno() == Some(1) {
            line.push_str(" (permission denied: put and del need CAP_NET_ADMIN)");
        }
        for ctx in e
            .chain()
            .take_while(|c| c.downcast_ref::<Error>().is_none())
        {
            line = format!("{ctx}: {line}");
        }
    }
    line
}

async fn run(cli: Cli) -> Result<()> {
    let json = cli.json;
    if let Command::Completions { shell } = cli.command {
        clap_complete::generate(shell, &mut Cli::command(), "kvctl", &mut std::io::stdout());
        return Ok(());
    }
    if let Command::GenerateMan { dir } = &cli.command {
        clap_mangen::generate_to(Cli::command(), dir)
            .with_context(|| format!("writing man pages to {}", dir.display()))?;
        return Ok(());
    }
    let client = Client::connect().await?;
    match cli.command {
        Command::Put {
            key,
            value,
            value_file,
            create_only,
            replace_only,
            flags,
        } => {
            let value = match (value, value_file) {
                (Some(Bytes(v)), _) => v,
                (None, Some(path)) => {
                    std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?
                }
                (None, None) => unreachable!("clap requires a value"),
            };
            let mode = match (create_only, replace_only) {
                (true, _) => PutMode::Create,
                (_, true) => PutMode::Replace,
                _ => PutMode::Upsert,
            };
            let reply = client
                .put(&PutRequest::new(key.0, value).flags(flags).mode(mode))
                .await?;
            if json {
                let mut j = entry_json(&reply.entry);
                j["generation"] = json!(reply.generation);
                outln!("{j}")?;
            } else {
                let key = safe_key(&reply.entry.key);
                outln!("put {key} (generation {})", reply.generation)?;
            }
        }
        Command::Get { key } => {
            let entry = client.get(&key.0).await?;
            if json {
                outln!("{}", entry_json(&entry))?;
            } else {
                outln!("{}", safe_value(&entry.value))?;
            }
        }
        Command::Del { key } => {
            let reply = client.del(&key.0).await?;
            if json {
                let mut j = json!({"generation": reply.generation});
                set_json_key(&mut j, &reply.key);
                outln!("{j}")?;
            } else {
                let key = safe_key(&reply.key);
                outln!("deleted {key} (generation {})", reply.generation)?;
            }
        }
        Command::List { prefix } => {
            let prefix = prefix.unwrap_or_default().0;
            // A dump the store's changes interrupted is taken again, up to three times.
            let entries: Vec<Entry> = client.list_consistent(&prefix, 3).await?;
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            if json {
                let all = serde_json::Value::Array(entries.iter().map(entry_json).collect());
                writeln!(out, "{all}")?;
            } else {
                for e in &entries {
                    writeln!(out, "{}", entry_line(e))?;
                }
            }
            out.flush()?;
        }
        Command::Echo {
            key,
            value,
            flags,
            generation,
        } => {
            let req = Echo {
                key: key.map(|k| Key::new(k.0)),
                value: value.map(|v| v.0),
                flags,
                generation,
                ..Default::default()
            };
            let reply = client.echo(&req).await?;
            if json {
                let mut j = json!({});
                if let Some(k) = &reply.key {
                    set_json_key(&mut j, k);
                }
                if let Some(v) = &reply.value {
                    let (value, encoding) = json_value(v);
                    j["value"] = value;
                    j["encoding"] = json!(encoding);
                }
                if let Some(f) = reply.flags {
                    j["flags"] = json_flags(f);
                }
                if let Some(g) = reply.generation {
                    j["generation"] = json!(g);
                }
                outln!("{j}")?;
            } else {
                if let Some(k) = &reply.key {
                    outln!("key: {}", safe_key(k))?;
                }
                if let Some(v) = &reply.value {
                    outln!("value: {}", safe_value(v))?;
                }
                if let Some(f) = reply.flags {
                    outln!("flags: {f}")?;
                }
                if let Some(g) = reply.generation {
                    outln!("generation: {g}")?;
                }
            }
        }
        Command::Stats => {
            let reply = client.stats().await?;
            if json {
                let mut j = json!({"generation": reply.generation});
                for (name, v) in reply.stats.fields() {
                    j[name] = json!(v);
                }
                outln!("{j}")?;
            } else {
                outln!("generation: {}", reply.generation)?;
                for (name, v) in reply.stats.fields() {
                    outln!("{name}: {v}")?;
                }
            }
        }
        Command::Monitor {
            prefix,
            count,
            timeout,
            idle_timeout,
            dump_final,
            quiet,
            rcvbuf,
            stall_ms,
        } => {
            let opts = monitor::Options {
                prefix: prefix.unwrap_or_default().0,
                count,
                timeout,
                idle_timeout,
                dump_final,
                quiet,
                rcvbuf,
                stall_ms,
                json,
            };
            monitor::run(&client, opts).await?;
        }
        Command::Family => family(&client, json).await?,
        Command::Batch { file } => batch(&client, file, json).await?,
        Command::Completions { .. } | Command::GenerateMan { .. } => unreachable!(),
    }
    Ok(())
}

async fn family(client: &Client, json: bool) -> Result<()> {
    let info = client.family_info().await?;
    if json {
        let ops: Vec<_> = info
            .ops
            .iter()
            .map(|o| json!({"id": o.id, "name": o.name, "flags": o.flags, "flag_names": o.flag_names()}))
            .collect();
        let groups: Vec<_> = info
            .mcast_groups
            .iter()
            .map(|g| json!({"name": g.name, "id": g.id}))
            .collect();
        let op_policies: Vec<_> = info
            .op_policies
            .iter()
            .map(|o| json!({"cmd": o.cmd, "do": o.do_policy, "dump": o.dump_policy}))
            .collect();
        let policies: Vec<_> = info
            .policies
            .iter()
            .map(|p| {
                let props: serde_json::Map<_, _> =
                    p.properties.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                json!({"policy": p.policy, "attr": p.attr, "name": p.attr_name, "properties": props})
            })
            .collect();
        outln!(
            "{}",
            json!({"name": info.name, "id": info.id, "version": info.version, "hdrsize": info.hdrsize,
                   "maxattr": info.maxattr, "ops": ops, "mcast_groups": groups,
                   "op_policies": op_policies, "policies": policies, "policy_error": info.policy_error})
        )?;
        return Ok(());
    }
    outln!(
        "family {} id {} version {} hdrsize {} maxattr {}",
        info.name,
        info.id,
        info.version,
        info.hdrsize,
        info.maxattr
    )?;
    outln!("ops:")?;
    for o in &info.ops {
        outln!(
            "  {:>2} {:<8} {}",
            o.id,
            o.name.unwrap_or("?"),
            o.flag_names().join(",")
        )?;
    }
    outln!("multicast groups:")?;
    for g in &info.mcast_groups {
        outln!("  {} id {}", g.name, g.id)?;
    }
    if let Some(err) = &info.policy_error {
        outln!("policies: unavailable ({err})")?;
        return Ok(());
    }
    outln!("op policies:")?;
    for o in &info.op_policies {
        let name = kvstore::spec::CMD_NAMES
            .get(o.cmd as usize)
            .copied()
            .unwrap_or("?");
        let fmt = |p: Option<u32>| p.map_or("-".to_owned(), |i| i.to_string());
        outln!(
            "  {:<8} do {} dump {}",
            name,
            fmt(o.do_policy),
            fmt(o.dump_policy)
        )?;
    }
    outln!("policies:")?;
    for p in &info.policies {
        let props: Vec<String> = p
            .properties
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        outln!(
            "  [{}] {:>2} {:<12} {}",
            p.policy,
            p.attr,
            p.attr_name.unwrap_or("?"),
            props.join(" ")
        )?;
    }
    Ok(())
}

/// One command of a batch.
#[derive(Debug, PartialEq, Eq)]
enum BatchOp {
    Put { key: Vec<u8>, value: Vec<u8> },
    Del { key: Vec<u8> },
}

/// Parses a batch line, split into words as a POSIX shell would (quotes, backslashes, `#`
/// comments); each key and value word may use the `hex:` form. `None` for a line of no words.
fn parse_batch_line(line: &[u8]) -> Result<Option<BatchOp>, String> {
    let words = shlex::bytes::split(line).ok_or("unbalanced quotes or a trailing backslash")?;
    let arg = |w: &[u8]| parse_bytes(w);
    Ok(Some(match words.as_slice() {
        [] => return Ok(None),
        [cmd, key] if cmd == b"put" => BatchOp::Put {
            key: arg(key)?,
            value: Vec::new(),
        },
        [cmd, key, value] if cmd == b"put" => BatchOp::Put {
            key: arg(key)?,
            value: arg(value)?,
        },
        [cmd, key] if cmd == b"del" => BatchOp::Del { key: arg(key)? },
        _ => {
            return Err(format!(
                "expected `put KEY VALUE` or `del KEY`, got {} words (quote a word with spaces: \
                 put k 'a b')",
                words.len()
            ))
        }
    }))
}

/// Runs `put KEY VALUE` / `del KEY` lines, stopping at the first failure. The whole input is
/// parsed first: a malformed line is reported before any request is sent.
async fn batch(client: &Client, file: Option<std::path::PathBuf>, json: bool) -> Result<()> {
    let reader: Box<dyn BufRead> = match &file {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut ops = Vec::new();
    // Lines are bytes: a key or value need not be UTF-8 here either.
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line.context("reading commands")?;
        match parse_batch_line(&line) {
            Ok(Some(op)) => ops.push((n + 1, op)),
            Ok(None) => {}
            Err(why) => return Err(UsageError(format!("line {}: {why}", n + 1)).into()),
        }
    }
    let (mut puts, mut dels) = (0u64, 0u64);
    for (n, op) in ops {
        let ctx = || format!("line {n}");
        match op {
            BatchOp::Put { key, value } => {
                client
                    .put(&PutRequest::new(key, value))
                    .await
                    .with_context(ctx)?;
                puts += 1;
            }
            BatchOp::Del { key } => {
                client.del(key).await.with_context(ctx)?;
                dels += 1;
            }
        }
    }
    if json {
        outln!("{}", json!({"put": puts, "del": dels}))?;
    } else {
        outln!("{puts} put, {dels} del")?;
    }
    std::io::stdout().flush().ok();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &[u8], value: &[u8]) -> Option<BatchOp> {
        Some(BatchOp::Put {
            key: key.to_vec(),
            value: value.to_vec(),
        })
    }

    #[test]
    fn batch_lines_split_as_a_shell_would() {
        let parse = |line: &str| parse_batch_line(line.as_bytes());
        assert_eq!(parse("put k v"), Ok(put(b"k", b"v")));
        assert_eq!(
            parse("  put 'a key' \"a value\"  "),
            Ok(put(b"a key", b"a value"))
        );
        assert_eq!(parse(r"put a\ b it\'s"), Ok(put(b"a b", b"it's")));
        assert_eq!(parse("put k"), Ok(put(b"k", b"")));
        assert_eq!(parse("put k ''"), Ok(put(b"k", b"")));
        assert_eq!(parse("put hex:6bff hex:00"), Ok(put(b"k\xff", b"\0")));
        assert_eq!(
            parse("del 'x y'"),
            Ok(Some(BatchOp::Del {
                key: b"x y".to_vec()
            }))
        );
        assert_eq!(parse(""), Ok(None));
        assert_eq!(parse("   # a comment"), Ok(None));
        assert_eq!(
            parse("del k # why"),
            Ok(Some(BatchOp::Del { key: b"k".to_vec() }))
        );
        assert_eq!(parse_batch_line(b"put \xff v"), Ok(put(b"\xff", b"v")));
    }

    #[test]
    fn malformed_batch_lines_say_why() {
        let parse = |line: &str| parse_batch_line(line.as_bytes()).unwrap_err();
        assert!(parse("put k hello world").contains("got 4 words"));
        assert!(parse("put 'k v").contains("unbalanced quotes"));
        assert!(parse("del").contains("expected"));
        assert!(parse("frob k").contains("expected"));
        assert!(parse("del hex:zz").contains("not a hex byte"));
    }

    #[test]
    fn exit_statuses_are_those_help_lists() {
        let help = Cli::command().render_long_help().to_string();
        for (status, what) in [
            (Status::Success, "success"),
            (Status::Failed, "the kernel refused"),
            (Status::Usage, "usage"),
            (Status::NotFound, "not found"),
            (Status::NotLoaded, "kvstore is not loaded"),
            (Status::NoNetns, "the network namespace of --netns"),
        ] {
            let line = format!("  {}  {what}", status as u8);
            assert!(help.contains(&line), "--help lacks `{line}`:\n{help}");
        }
    }

    #[test]
    fn errors_map_to_their_exit_status() {
        let kernel = |errno: i32| {
            let e = kvstore::KernelError::new(-errno, Default::default());
            anyhow::Error::from(Error::from(e)).context("line 3")
        };
        assert_eq!(status_of(&kernel(libc::ENOENT)), Status::NotFound);
        assert_eq!(status_of(&kernel(libc::EPERM)), Status::Failed);
        assert_eq!(
            status_of(&Error::NotLoaded("kvstore".into()).into()),
            Status::NotLoaded
        );
        assert_eq!(status_of(&UsageError("x".into()).into()), Status::Usage);
        assert_eq!(status_of(&anyhow::anyhow!("other")), Status::Failed);
    }
}
