// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvctl`: command-line client of the kvstore Generic Netlink family.

mod bytes;
mod cli;
mod monitor;
mod output;

use std::{
    io::{BufRead, Write},
    process::ExitCode,
};

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, Parser};
use kvstore::{Client, Echo, Entry, Error, Key, PutMode, PutRequest};
use serde_json::json;

use bytes::{parse_bytes, Bytes};
use cli::{Cli, Command};
use output::{entry_json, entry_line, json_flags, json_value, safe_key, safe_value, set_json_key};

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
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("kvctl: cannot start runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output stopped reading: not an error of ours, as for `cat`.
        Err(e) if closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("kvctl: {name}: {}", describe(&e));
            ExitCode::FAILURE
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
        Command::Completions { .. } => unreachable!(),
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

/// Runs `put KEY VALUE` / `del KEY` lines; stops at the first failure. A key or value may use
/// the `hex:` form.
async fn batch(client: &Client, file: Option<std::path::PathBuf>, json: bool) -> Result<()> {
    let reader: Box<dyn BufRead> = match &file {
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?,
        )),
        None => Box::new(std::io::stdin().lock()),
    };
    let (mut puts, mut dels) = (0u64, 0u64);
    // Lines are bytes: a key or value need not be UTF-8 here either.
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line.context("reading commands")?;
        let line = line.trim_ascii();
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let mut words = line.splitn(3, |&b| b == b' ');
        let ctx = || format!("line {}", n + 1);
        let arg = |w: &[u8]| parse_bytes(w).map_err(|why| anyhow::anyhow!("line {}: {why}", n + 1));
        match (words.next(), words.next(), words.next()) {
            (Some(b"put"), Some(key), value) => {
                let req = PutRequest::new(arg(key)?, arg(value.unwrap_or_default())?);
                client.put(&req).await.with_context(ctx)?;
                puts += 1;
            }
            (Some(b"del"), Some(key), None) => {
                client.del(arg(key)?).await.with_context(ctx)?;
                dels += 1;
            }
            _ => bail!("line {}: expected `put KEY VALUE` or `del KEY`", n + 1),
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
