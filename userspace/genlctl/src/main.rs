// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! genlctl: one command-line client for any Generic Netlink family, driven by the family's
//! YNL spec at run time. Its JSON is the kernel's `ynl --output-json`'s, byte for byte.

mod codec;
mod json;
mod spec;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use netlink_packet_core::NLM_F_DUMP;

use crate::json::{Json, Map};
use crate::spec::{Op, Spec};
use genl_client as nl;
use genl_client::{Conn, NlError};

const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  the kernel refused the request (the errno and its extended ack on stderr), or another
     failure (socket, a reply that cannot be decoded)
  2  usage: bad arguments, bad JSON, an unknown op, attribute, enum name or group, a value
     out of range, a spec that cannot be read or used
  3  the family is not loaded (the controller does not know its name)";

/// One client for any Generic Netlink family: requests, dumps, notifications and policies,
/// encoded and decoded by the family's YNL spec, read at run time. Replies print as JSON,
/// one value a line, as the kernel's `ynl --output-json` prints them.
#[derive(Parser)]
#[command(name = "genlctl", version, after_help = EXIT_CODES)]
struct Cli {
    /// The family's YNL spec (YAML).
    #[arg(long, value_name = "FILE")]
    spec: String,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Send OP's `do` request; print the reply (an object, `null` when there is none).
    Do {
        op: String,
        /// The request's attributes, a JSON object keyed by attribute name: integers as
        /// numbers, enums by name or number, flags as a list of names, binary as hex,
        /// nests as objects, multi-attr as arrays.
        #[arg(long, value_name = "JSON")]
        json: Option<String>,
    },
    /// Send OP's `dump` request (with the filter attributes of --json); print every reply
    /// in one JSON array.
    Dump {
        op: String,
        #[arg(long, value_name = "JSON")]
        json: Option<String>,
    },
    /// Print notifications, one JSON object a line ({"name": OP, "msg": {...}}), from the
    /// GROUPs (default: every multicast group of the spec).
    Monitor {
        group: Vec<String>,
        /// Stop after N notifications.
        #[arg(long, value_name = "N")]
        count: Option<u64>,
        /// Stop after SECS seconds (status 0).
        #[arg(long, value_name = "SECS")]
        timeout: Option<f64>,
        /// Print `ready` on stderr once subscribed.
        #[arg(long)]
        ready: bool,
    },
    /// The kernel's policy for OP (every op when none), as the controller reports it
    /// (CTRL_CMD_GETPOLICY).
    Policy {
        op: Option<String>,
        /// Print the policy of OP's dump (with --json; the text shows both).
        #[arg(long)]
        dump: bool,
        /// Print OP's policy as `ynl --policy --do OP --output-json` does.
        #[arg(long, requires = "op")]
        json: bool,
    },
    /// The spec's operations and what they support.
    ListOps,
}

/// How genlctl ends: the message (already shaped) and the status.
struct Fail {
    status: u8,
    msg: String,
}

fn usage(msg: impl Into<String>) -> Fail {
    Fail {
        status: 2,
        msg: msg.into(),
    }
}

fn nl_fail(what: &str, spec: &Spec, op: Option<&Op>, req_attrs: &[u8], e: NlError) -> Fail {
    match e {
        NlError::NotLoaded(name) => Fail {
            status: 3,
            msg: format!("{what}: family {name} is not loaded (the controller does not know it)"),
        },
        NlError::Kernel(k) => {
            let nl::KernelError { errno, extack, .. } = *k;
            let mut msg = format!("{what}: {} (errno {errno})", nl::strerror(errno));
            if let Some(m) = &extack.msg {
                msg += &format!(": {m}");
            }
            let set = op
                .and_then(|o| o.attr_set.as_deref())
                .and_then(|s| spec.attr_set(s));
            if let Some(off) = extack.offset {
                let path = (off as usize)
                    .checked_sub(nl::ATTRS_OFFSET)
                    .and_then(|t| set.and_then(|s| codec::path_at(spec, s, req_attrs, t)));
                msg += &match path {
                    Some(p) => format!(" [attribute: {}]", p.join(".")),
                    None => format!(" [attribute at offset {off}]"),
                };
            }
            if let Some(t) = extack.miss_type {
                // Missing at the top level, or inside the nest at `miss_nest`: named by the
                // nest's path and its set's attribute.
                let name = match extack.miss_nest {
                    None => set
                        .and_then(|s| s.by_value(t as u16))
                        .map(|a| a.name.clone()),
                    Some(nest) => (nest as usize)
                        .checked_sub(nl::ATTRS_OFFSET)
                        .and_then(|at| set.and_then(|s| codec::path_at(spec, s, req_attrs, at)))
                        .and_then(|path| {
                            let mut s = set?;
                            for n in &path {
                                s = spec.attr_set(s.by_name(n)?.nested.as_deref()?)?;
                            }
                            let a = s.by_value(t as u16)?;
                            Some(format!("{}.{}", path.join("."), a.name))
                        }),
                };
                msg += &match name {
                    Some(n) => format!(" [missing attribute: {n}]"),
                    None => format!(" [missing attribute: type {t}]"),
                };
            }
            // The limit the policy put on the attribute, by the spec's names for it.
            if let Some(p) = extack
                .policy
                .as_ref()
                .map(|p| p.to_string())
                .filter(|p| !p.is_empty())
            {
                msg += &format!(" [limit: {p}]");
            }
            Fail { status: 1, msg }
        }
        NlError::Io(e) => Fail {
            status: 1,
            msg: format!("{what}: {e}"),
        },
        NlError::Malformed(m) => Fail {
            status: 1,
            msg: format!("{what}: {m}"),
        },
        e @ (NlError::DumpInterrupted | NlError::InvalidRequest(_)) => Fail {
            status: 1,
            msg: format!("{what}: {e}"),
        },
    }
}

/// Writes one line of output; a closed stdout (`genlctl ... | head -1`) ends quietly.
fn emit(line: &str) -> Result<(), Fail> {
    let mut out = io::stdout().lock();
    match writeln!(out, "{line}").and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(Fail {
            status: 0,
            msg: String::new(),
        }),
        Err(e) => Err(Fail {
            status: 1,
            msg: format!("stdout: {e}"),
        }),
    }
}

fn request_map(json: Option<&str>) -> Result<Map, Fail> {
    match json {
        None => Ok(Map::new()),
        Some(text) => match Json::parse(text) {
            Ok(Json::Object(m)) => Ok(m),
            Ok(other) => Err(usage(format!(
                "--json: expected an object, got {}",
                other.kind()
            ))),
            Err(e) => Err(usage(format!("--json: {e}"))),
        },
    }
}

fn find_op<'a>(spec: &'a Spec, name: &str) -> Result<&'a Op, Fail> {
    spec.op(name).ok_or_else(|| {
        usage(format!(
            "{name}: no such operation in {} (it has: {})",
            spec.name,
            spec.ops
                .iter()
                .filter(|o| o.req_value.is_some() && (o.do_.is_some() || o.dump.is_some()))
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

fn connect(spec: &Spec, what: &str) -> Result<(Conn, nl::FamilyInfo), Fail> {
    let mut conn = Conn::new().map_err(|e| nl_fail(what, spec, None, &[], e))?;
    let info = conn
        .resolve(&spec.name)
        .map_err(|e| nl_fail(what, spec, None, &[], e))?;
    Ok((conn, info))
}

fn run_op(spec: &Spec, op_name: &str, json: Option<&str>, dump: bool) -> Result<(), Fail> {
    let op = find_op(spec, op_name)?;
    let mode = if dump { &op.dump } else { &op.do_ };
    let (Some(_), Some(cmd)) = (mode, op.req_value) else {
        return Err(usage(format!(
            "{op_name}: the operation has no {}",
            if dump { "dump" } else { "do" }
        )));
    };
    let vals = request_map(json)?;
    let set = op.attr_set.as_deref().and_then(|s| spec.attr_set(s));
    let req = match set {
        Some(set) => {
            codec::encode(spec, set, &vals).map_err(|e| usage(format!("{op_name}: {e}")))?
        }
        None if vals.0.is_empty() => Vec::new(),
        None => {
            return Err(usage(format!(
                "{op_name}: the operation takes no attributes"
            )))
        }
    };
    let (mut conn, info) = connect(spec, op_name)?;
    let flags = if dump { NLM_F_DUMP } else { 0 };
    let replies = conn
        .request(info.id, cmd, spec.version, flags, &req)
        .map_err(|e| nl_fail(op_name, spec, Some(op), &req, e))?;
    let mut msgs = Vec::new();
    for (rcmd, attrs) in replies {
        if op.rsp_value.is_some_and(|v| v != rcmd) {
            continue; // ynl takes only the op's replies
        }
        let m = codec::decode(spec, set, &attrs).map_err(|e| Fail {
            status: 1,
            msg: format!("{op_name}: cannot decode the reply: {e}"),
        })?;
        msgs.push(Json::Object(m));
    }
    let out = if dump {
        Json::Array(msgs)
    } else {
        match msgs.len() {
            0 => Json::Null,
            1 => msgs.pop().unwrap(),
            _ => Json::Array(msgs),
        }
    };
    emit(&out.to_string())
}

fn monitor(
    spec: &Spec,
    groups: &[String],
    count: Option<u64>,
    timeout: Option<f64>,
    ready: bool,
) -> Result<(), Fail> {
    let groups: Vec<String> = if groups.is_empty() {
        spec.mcast_groups.clone()
    } else {
        groups.to_vec()
    };
    if groups.is_empty() {
        return Err(usage(format!("{} has no multicast groups", spec.name)));
    }
    for g in &groups {
        if !spec.mcast_groups.contains(g) {
            return Err(usage(format!(
                "monitor: no group {g} in the spec (it has: {})",
                spec.mcast_groups.join(", ")
            )));
        }
    }
    let (mut conn, info) = connect(spec, "monitor")?;
    for g in &groups {
        let Some(id) = info.group(g) else {
            return Err(Fail {
                status: 1,
                msg: format!("monitor: the kernel's {} has no group {g}", spec.name),
            });
        };
        conn.subscribe(id)
            .map_err(|e| nl_fail("monitor", spec, None, &[], e))?;
    }
    if ready {
        eprintln!("ready");
    }
    let deadline = nl::deadline(timeout);
    let mut seen = 0u64;
    while count.is_none_or(|c| seen < c) {
        let msgs = match conn.next_notifications(info.id, deadline) {
            Ok(Some(m)) => m,
            Ok(None) => break,
            Err(NlError::Io(e)) if e.raw_os_error() == Some(libc::ENOBUFS) => {
                eprintln!("genlctl: monitor: notifications were lost (ENOBUFS)");
                continue;
            }
            Err(e) => return Err(nl_fail("monitor", spec, None, &[], e)),
        };
        for (cmd, attrs) in msgs {
            let Some(op) = spec.op_by_rsp(cmd).filter(|o| o.is_async) else {
                continue;
            };
            let set = op.attr_set.as_deref().and_then(|s| spec.attr_set(s));
            let m = codec::decode(spec, set, &attrs).map_err(|e| Fail {
                status: 1,
                msg: format!("monitor: cannot decode {}: {e}", op.name),
            })?;
            let mut ntf = Map::new();
            ntf.insert("name", Json::str(&op.name));
            ntf.insert("msg", Json::Object(m));
            emit(&Json::Object(ntf).to_string())?;
            seen += 1;
            if count.is_some_and(|c| seen >= c) {
                break;
            }
        }
    }
    Ok(())
}

const POLICY_TYPES: [&str; 17] = [
    "flag",
    "u8",
    "u16",
    "u32",
    "u64",
    "s8",
    "s16",
    "s32",
    "s64",
    "binary",
    "string",
    "nul-string",
    "nested",
    "nested-array",
    "bitfield32",
    "sint",
    "uint",
];

/// One attribute's policy properties, as ynl's `_genl_decode_policy` names them.
fn policy_props(props: &[(u16, Vec<u8>)]) -> (Map, Option<u32>) {
    let mut m = Map::new();
    let mut idx = None;
    for (k, v) in props {
        let u32v = || {
            v.get(..4)
                .map(|b| u32::from_ne_bytes(b.try_into().unwrap()))
        };
        let u64v = || {
            v.get(..8)
                .map(|b| u64::from_ne_bytes(b.try_into().unwrap()))
        };
        let i64v = || {
            v.get(..8)
                .map(|b| i64::from_ne_bytes(b.try_into().unwrap()))
        };
        match k {
            1 => {
                if let Some(t) = u32v() {
                    let name = POLICY_TYPES
                        .get((t as usize).wrapping_sub(1))
                        .map(|s| Json::str(*s))
                        .unwrap_or(Json::Int(t.into()));
                    m.insert("type", name);
                }
            }
            2 | 3 => {
                if let Some(x) = i64v() {
                    m.insert(
                        if *k == 2 { "min-value" } else { "max-value" },
                        Json::Int(x.into()),
                    );
                }
            }
            4 | 5 => {
                if let Some(x) = u64v() {
                    m.insert(
                        if *k == 4 { "min-value" } else { "max-value" },
                        Json::Int(x.into()),
                    );
                }
            }
            6 | 7 => {
                if let Some(x) = u32v() {
                    m.insert(
                        if *k == 6 { "min-length" } else { "max-length" },
                        Json::Int(x.into()),
                    );
                }
            }
            8 => idx = u32v(),
            10 => {
                if let Some(x) = u32v() {
                    m.insert("bitfield32-mask", Json::Int(x.into()));
                }
            }
            12 => {
                if let Some(x) = u64v() {
                    m.insert("mask", Json::Int(x.into()));
                }
            }
            _ => {}
        }
    }
    (m, idx)
}

/// A policy table as ynl's `NlPolicy.to_dict()` renders it: attributes by name, nested
/// tables under "policy", a table already on the path not expanded again.
fn policy_dict(
    spec: &Spec,
    dump: &nl::PolicyDump,
    idx: u32,
    set: Option<&str>,
    seen: &[u32],
) -> Map {
    let mut out = Map::new();
    let set = set.and_then(|s| spec.attr_set(s));
    let seen: Vec<u32> = seen.iter().copied().chain([idx]).collect();
    for (attr, props) in dump.table(idx).unwrap_or_default() {
        let a = set.and_then(|s| s.by_value(*attr));
        let name = a
            .map(|a| a.name.clone())
            .unwrap_or_else(|| format!("attr-{attr}"));
        let (mut m, child) = policy_props(props);
        if let Some(c) = child {
            if !seen.contains(&c) {
                let nested = a.and_then(|a| a.nested.as_deref());
                m.insert(
                    "policy",
                    Json::Object(policy_dict(spec, dump, c, nested, &seen)),
                );
            }
        }
        out.insert(name, Json::Object(m));
    }
    out
}

fn policy_text(m: &Map, indent: usize, out: &mut String) {
    for (name, v) in m.iter() {
        let Json::Object(p) = v else { continue };
        let mut line = format!("{:indent$}{name}:", "");
        for (k, x) in p.iter() {
            match (k.as_str(), x) {
                ("policy", _) => {}
                ("type", Json::Str(t)) => line += &format!(" {t}"),
                (_, x) => line += &format!(" {k}={x}"),
            }
        }
        out.push_str(&line);
        out.push('\n');
        if let Some(Json::Object(sub)) = p.get("policy") {
            policy_text(sub, indent + 2, out);
        }
    }
}

fn policy(spec: &Spec, op: Option<&str>, dump_mode: bool, as_json: bool) -> Result<(), Fail> {
    let ops: Vec<&Op> = match op {
        Some(name) => vec![find_op(spec, name)?],
        None => spec
            .ops
            .iter()
            .filter(|o| o.req_value.is_some() && (o.do_.is_some() || o.dump.is_some()))
            .collect(),
    };
    let (mut conn, info) = connect(spec, "policy")?;
    let mut text = String::new();
    for op in ops {
        let cmd = op
            .req_value
            .ok_or_else(|| usage(format!("{}: no requests to it", op.name)))?;
        // ENODATA: the op has no policy at all.
        let dump = match conn.policy(info.id, cmd) {
            Err(NlError::Kernel(k)) if k.errno == libc::ENODATA => Default::default(),
            r => r.map_err(|e| nl_fail("policy", spec, None, &[], e))?,
        };
        let render = |idx: Option<u32>| {
            idx.map(|i| policy_dict(spec, &dump, i, op.attr_set.as_deref(), &[]))
        };
        if as_json {
            // As ynl: `null` for no policy and for one without attributes alike.
            let p =
                render(if dump_mode { dump.dump } else { dump.do_ }).filter(|m| !m.0.is_empty());
            return emit(&p.map(Json::Object).unwrap_or(Json::Null).to_string());
        }
        for (mode, idx) in [("do", dump.do_), ("dump", dump.dump)] {
            let present = if mode == "do" {
                op.do_.is_some()
            } else {
                op.dump.is_some()
            };
            if !present && idx.is_none() {
                continue;
            }
            match render(idx) {
                None => text += &format!("{} {mode}: no policy\n", op.name),
                Some(m) if m.0.is_empty() => {
                    text += &format!("{} {mode}: no attributes\n", op.name)
                }
                Some(m) => {
                    text += &format!("{} {mode}:\n", op.name);
                    policy_text(&m, 2, &mut text);
                }
            }
        }
    }
    emit(text.trim_end())
}

fn list_ops(spec: &Spec) -> Result<(), Fail> {
    let mut text = String::new();
    for op in &spec.ops {
        let mut modes = Vec::new();
        if op.do_.is_some() {
            modes.push("do".to_owned());
        }
        if op.dump.is_some() {
            modes.push("dump".to_owned());
        }
        if op.is_async {
            modes.push(match &op.mcgrp {
                Some(g) => format!("notify ({g})"),
                None => "notify".to_owned(),
            });
        }
        let mut line = format!("{:<16} [{}]", op.name, modes.join(", "));
        if !op.flags.is_empty() {
            line += &format!(" {}", op.flags.join(" "));
        }
        text += line.trim_end();
        text.push('\n');
        for (name, mode) in [("do", &op.do_), ("dump", &op.dump)] {
            if let Some(m) = mode {
                let reply = match &m.reply {
                    Some(r) => format!(" -> {}", r.join(" ")),
                    None => String::new(),
                };
                let req = if m.request.is_empty() {
                    "-".to_owned()
                } else {
                    m.request.join(" ")
                };
                text += &format!("  {name}: {req}{reply}\n");
            }
        }
    }
    emit(text.trim_end())
}

fn run(cli: Cli) -> Result<(), Fail> {
    let spec = Spec::load(&cli.spec).map_err(|e| usage(format!("spec: {e}")))?;
    match cli.cmd {
        Cmd::Do { op, json } => run_op(&spec, &op, json.as_deref(), false),
        Cmd::Dump { op, json } => run_op(&spec, &op, json.as_deref(), true),
        Cmd::Monitor {
            group,
            count,
            timeout,
            ready,
        } => monitor(&spec, &group, count, timeout, ready),
        Cmd::Policy { op, dump, json } => policy(&spec, op.as_deref(), dump, json),
        Cmd::ListOps => list_ops(&spec),
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse(); // usage errors: status 2
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            if !f.msg.is_empty() {
                eprintln!("genlctl: {}", f.msg);
            }
            ExitCode::from(f.status)
        }
    }
}
