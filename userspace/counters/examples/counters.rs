// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! The generated client in use: `counters add NAME [DELTA]`, `get NAME`, `list`,
//! `batch NAME[=DELTA]...`, `watch COUNT` (notifications of `events`). Prints each reply as
//! Rust's `{:?}`, one a line; a kernel error as `error: ERRNO: ERROR`, exit status 1.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use counters::{Client, Counter, Item, NlError, NlString};

fn run(args: &[String]) -> counters::Result<()> {
    let mut c = Client::connect()?;
    let name = |i: usize| args.get(i).map(NlString::from);
    match args.first().map(String::as_str) {
        Some("add") => {
            let delta = args.get(2).map(|d| d.parse().expect("DELTA: an integer"));
            let req = Counter {
                name: name(1),
                delta,
                ..Default::default()
            };
            println!("{:?}", c.add(&req)?);
        }
        Some("get") => println!(
            "{:?}",
            c.get(&Counter {
                name: name(1),
                ..Default::default()
            })?
        ),
        Some("list") => {
            for counter in c.get_dump() {
                println!("{:?}", counter?);
            }
        }
        Some("batch") => {
            let item = args[1..]
                .iter()
                .map(|a| {
                    let (n, d) = a
                        .split_once('=')
                        .map_or((a.as_str(), None), |(n, d)| (n, Some(d)));
                    Item {
                        name: Some(NlString::from(n)),
                        delta: d.map(|d| d.parse().expect("DELTA")),
                        ..Default::default()
                    }
                })
                .collect();
            println!(
                "{:?}",
                c.add_batch(&Counter {
                    item,
                    ..Default::default()
                })?
            );
        }
        Some("watch") => {
            let mut left: usize = args.get(1).map_or(1, |n| n.parse().expect("COUNT"));
            c.subscribe("events")?;
            eprintln!("ready");
            let deadline = Some(Instant::now() + Duration::from_secs(60));
            while left > 0 {
                let Some(ntfs) = c.notifications(deadline)? else {
                    break;
                };
                for n in ntfs.into_iter().take(left) {
                    println!("{n:?}");
                    left -= 1;
                }
            }
        }
        _ => {
            eprintln!("usage: counters add NAME [DELTA] | get NAME | list | batch NAME[=DELTA]... | watch COUNT");
            std::process::exit(2);
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(NlError::Kernel(k)) => {
            // The errno, then the error as the runtime renders it: extack message, the
            // attribute by its spec names, the policy's limit.
            println!("error: {}: {k}", k.errno);
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("error: {e:?}");
            ExitCode::FAILURE
        }
    }
}
