// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvtest clients`: the same requests through the blocking client (its own codec, `wire.rs`)
//! and the async client (netlink-packet), against the real module. Each case checks what the
//! kernel must answer and that both clients report it identically, errors included: errno,
//! extack message, offset and the attribute named from it.
//!
//! Prints one `ok NAME` / `not ok NAME: why` line per check (tests/guest/run counts them).

use anyhow::Result;
use clap::Args;
use kvstore::{
    blocking, DelReply, Echo, Entry, EntryFlags, Error, KernelError, PutMode, PutReply, PutRequest,
};

#[derive(Args)]
pub struct ClientsArgs {
    /// Key prefix; the blocking client's keys get `b`, the async client's `a` after it.
    #[arg(long, default_value = "clients/")]
    prefix: String,
}

/// One request, made through either client.
enum Call<'a> {
    Echo(&'a Echo),
    Put(&'a PutRequest),
    Get(&'a str),
    Del(&'a str),
}

/// What a call returned, in a form both clients can be compared by.
#[derive(Debug, PartialEq)]
enum Outcome {
    Echo(Echo),
    Put(PutReply),
    Entry(Entry),
    Del(DelReply),
    Kernel(KernelError),
    Other(String),
}

fn outcome<T>(r: kvstore::Result<T>, ok: impl FnOnce(T) -> Outcome) -> Outcome {
    match r {
        Ok(v) => ok(v),
        Err(Error::Kernel(e)) => Outcome::Kernel(*e),
        Err(e) => Outcome::Other(e.to_string()),
    }
}

fn through_blocking(c: &blocking::Client, call: &Call) -> Outcome {
    match call {
        Call::Echo(r) => outcome(c.echo(r), Outcome::Echo),
        Call::Put(r) => outcome(c.put(r), Outcome::Put),
        Call::Get(k) => outcome(c.get(k), Outcome::Entry),
        Call::Del(k) => outcome(c.del(k), Outcome::Del),
    }
}

fn through_async(rt: &tokio::runtime::Runtime, c: &kvstore::Client, call: &Call) -> Outcome {
    rt.block_on(async {
        match call {
            Call::Echo(r) => outcome(c.echo(r).await, Outcome::Echo),
            Call::Put(r) => outcome(c.put(r).await, Outcome::Put),
            Call::Get(k) => outcome(c.get(k).await, Outcome::Entry),
            Call::Del(k) => outcome(c.del(k).await, Outcome::Del),
        }
    })
}

/// Generations differ between the two clients' calls (each put bumps it): compare without.
fn comparable(o: &Outcome) -> Outcome {
    match o {
        Outcome::Put(p) => Outcome::Put(PutReply {
            generation: 0,
            ..p.clone()
        }),
        Outcome::Del(d) => Outcome::Del(DelReply {
            generation: 0,
            ..d.clone()
        }),
        Outcome::Echo(e) => Outcome::Echo(e.clone()),
        Outcome::Entry(e) => Outcome::Entry(e.clone()),
        Outcome::Kernel(e) => Outcome::Kernel(e.clone()),
        Outcome::Other(s) => Outcome::Other(s.clone()),
    }
}

fn report(name: &str, failures: &mut u32, check: std::result::Result<(), String>) {
    match check {
        Ok(()) => println!("ok clients: {name}"),
        Err(why) => {
            *failures += 1;
            println!("not ok clients: {name}: {why}");
        }
    }
}

fn kernel(o: &Outcome, errno: i32, attribute: &str) -> std::result::Result<(), String> {
    match o {
        Outcome::Kernel(e)
            if e.errno == errno
                && e.attribute.as_deref() == Some(attribute)
                && e.message().is_some() =>
        {
            Ok(())
        }
        other => Err(format!(
            "expected errno {errno} with a message naming `{attribute}`, got {other:?}"
        )),
    }
}

pub fn run(args: ClientsArgs) -> Result<()> {
    let blocking = blocking::Client::connect()?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let asynch = rt.block_on(kvstore::Client::connect())?;
    let mut failures = 0;

    let echo_all = Echo {
        key: Some("k\u{e9}y".into()),
        value: Some(vec![0, 1, 2, 0xff, 0]),
        flags: Some(EntryFlags::TEXT),
        generation: Some(u64::MAX - 1),
        ..Default::default()
    };
    let echo_none = Echo::default();
    let too_big = PutRequest::new("x", vec![0u8; 70_000]);

    // (name, the blocking client's call, the async client's call, what the kernel must say)
    type Expect = fn(&Outcome) -> std::result::Result<(), String>;
    let kb = |s: &str| format!("{}b{s}", args.prefix);
    let ka = |s: &str| format!("{}a{s}", args.prefix);
    let (b1, a1) = (kb("1"), ka("1"));
    let (bput, aput) = (
        PutRequest::new(b1.as_str(), "v1")
            .flags(EntryFlags::TEXT)
            .mode(PutMode::Create),
        PutRequest::new(a1.as_str(), "v1")
            .flags(EntryFlags::TEXT)
            .mode(PutMode::Create),
    );
    let (breplace, areplace) = (
        PutRequest::new(b1.as_str(), "v2").mode(PutMode::Replace),
        PutRequest::new(a1.as_str(), "v2").mode(PutMode::Replace),
    );
    let (bupsert, aupsert) = (
        PutRequest::new(b1.as_str(), "v3").flags(EntryFlags::TEXT),
        PutRequest::new(a1.as_str(), "v3").flags(EntryFlags::TEXT),
    );
    let (breplace_missing, areplace_missing) = (
        PutRequest::new(kb("missing"), "v").mode(PutMode::Replace),
        PutRequest::new(ka("missing"), "v").mode(PutMode::Replace),
    );
    let (bbadflags, abadflags) = (
        PutRequest::new(kb("2"), "v").flags(EntryFlags(0x80)),
        PutRequest::new(ka("2"), "v").flags(EntryFlags(0x80)),
    );
    let (blong, along) = (
        PutRequest::new(kb("3"), vec![7u8; 65_001]),
        PutRequest::new(ka("3"), vec![7u8; 65_001]),
    );
    let empty_key = PutRequest::new("", "v");
    let (bmissing, amissing) = (kb("missing"), ka("missing"));

    let cases: Vec<(&str, Call, Call, Expect)> = vec![
        (
            "echo with every attribute",
            Call::Echo(&echo_all),
            Call::Echo(&echo_all),
            |o| match o {
                Outcome::Echo(e)
                    if e.key.as_ref().is_some_and(|k| k == "k\u{e9}y")
                        && e.generation == Some(u64::MAX - 1) =>
                {
                    Ok(())
                }
                other => Err(format!("echo came back as {other:?}")),
            },
        ),
        (
            "echo without attributes",
            Call::Echo(&echo_none),
            Call::Echo(&echo_none),
            |o| match o {
                Outcome::Echo(e) if *e == Echo::default() => Ok(()),
                other => Err(format!("echo came back as {other:?}")),
            },
        ),
        (
            "put create",
            Call::Put(&bput),
            Call::Put(&aput),
            |o| match o {
                Outcome::Put(p)
                    if p.entry.value == b"v1"
                        && p.entry.flags == EntryFlags::TEXT
                        && p.generation > 0 =>
                {
                    Ok(())
                }
                other => Err(format!("put answered {other:?}")),
            },
        ),
        ("get", Call::Get(&b1), Call::Get(&a1), |o| match o {
            Outcome::Entry(e) if e.value == b"v1" && e.flags == EntryFlags::TEXT => Ok(()),
            other => Err(format!("get answered {other:?}")),
        }),
        (
            "put mode create on an existing key: EEXIST naming key",
            Call::Put(&bput),
            Call::Put(&aput),
            |o| kernel(o, libc::EEXIST, "key"),
        ),
        (
            "put mode replace on an existing key",
            Call::Put(&breplace),
            Call::Put(&areplace),
            |o| match o {
                Outcome::Put(p) if p.entry.value == b"v2" && p.entry.flags == EntryFlags::NONE => {
                    Ok(())
                }
                other => Err(format!("put answered {other:?}")),
            },
        ),
        (
            "put upsert (no mode attribute) over an existing key",
            Call::Put(&bupsert),
            Call::Put(&aupsert),
            |o| match o {
                Outcome::Put(p) if p.entry.value == b"v3" => Ok(()),
                other => Err(format!("put answered {other:?}")),
            },
        ),
        (
            "put mode replace on a missing key: ENOENT naming key",
            Call::Put(&breplace_missing),
            Call::Put(&areplace_missing),
            |o| kernel(o, libc::ENOENT, "key"),
        ),
        (
            "put undefined flag bits: EINVAL naming flags",
            Call::Put(&bbadflags),
            Call::Put(&abadflags),
            |o| kernel(o, libc::EINVAL, "flags"),
        ),
        (
            "put value over max-len: ERANGE naming value",
            Call::Put(&blong),
            Call::Put(&along),
            |o| kernel(o, libc::ERANGE, "value"),
        ),
        (
            "put empty key: EINVAL naming key",
            Call::Put(&empty_key),
            Call::Put(&empty_key),
            |o| kernel(o, libc::EINVAL, "key"),
        ),
        (
            "put a value no attribute can hold: refused before sending",
            Call::Put(&too_big),
            Call::Put(&too_big),
            |o| match o {
                Outcome::Other(s) if s.contains("attribute `value` is 70000 bytes") => Ok(()),
                other => Err(format!("expected a client-side refusal, got {other:?}")),
            },
        ),
        ("del", Call::Del(&b1), Call::Del(&a1), |o| match o {
            Outcome::Del(_) => Ok(()),
            other => Err(format!("del answered {other:?}")),
        }),
        (
            "del again: ENOENT naming key",
            Call::Del(&b1),
            Call::Del(&a1),
            |o| kernel(o, libc::ENOENT, "key"),
        ),
        (
            "get a missing key: ENOENT naming key",
            Call::Get(&bmissing),
            Call::Get(&amissing),
            |o| kernel(o, libc::ENOENT, "key"),
        ),
    ];

    for (name, bcall, acall, expect) in &cases {
        let b = through_blocking(&blocking, bcall);
        let a = through_async(&rt, &asynch, acall);
        report(&format!("{name} (blocking)"), &mut failures, expect(&b));
        report(&format!("{name} (async)"), &mut failures, expect(&a));
        // Keys differ by one letter between the two; errors must match to the byte otherwise.
        let same = match (comparable(&b), comparable(&a)) {
            (Outcome::Put(mut pb), Outcome::Put(pa)) => {
                pb.entry.key = pa.entry.key.clone();
                pb == pa
            }
            (Outcome::Entry(mut eb), Outcome::Entry(ea)) => {
                eb.key = ea.key.clone();
                eb == ea
            }
            (Outcome::Del(mut db), Outcome::Del(da)) => {
                db.key = da.key.clone();
                db == da
            }
            (b, a) => b == a,
        };
        report(
            &format!("{name}: both clients agree"),
            &mut failures,
            if same {
                Ok(())
            } else {
                Err(format!("blocking {b:?} vs async {a:?}"))
            },
        );
    }
    let stats = (blocking.stats(), rt.block_on(asynch.stats()));
    report(
        "stats through both",
        &mut failures,
        match stats {
            (Ok(b), Ok(a))
                if b.stats.max_entries == a.stats.max_entries
                    && b.stats.put_count <= a.stats.put_count =>
            {
                Ok(())
            }
            other => Err(format!("{other:?}")),
        },
    );
    if failures > 0 {
        anyhow::bail!("{failures} client checks failed");
    }
    Ok(())
}
