// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! genl-fuzz: coverage-guided fuzzing of a Generic Netlink family from its YNL spec, inside a
//! guest of the KCOV kernel (`scripts/fuzz --coverage FAMILY` boots one and runs it).
//!
//! ```text
//! genl-fuzz run --spec specs/F.yaml --ko F.ko [--seconds N] [--max-requests N] [--blind] [--seed S] --out DIR
//! genl-fuzz replay --spec specs/F.yaml REPRO...
//! ```
//!
//! `run` exits 1 on a finding (its reproducer saved in DIR), `replay` when a reproducer still
//! breaks a rule; 2 on a usage or setup error.

mod engine;
mod input;

mod mutate;
mod repro;
mod spec;
mod target;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Coverage-guided fuzzing of a Generic Netlink family from its YNL spec")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Fuzz the family (its module loaded, built against the KCOV kernel).
    Run {
        #[arg(long)]
        spec: PathBuf,
        /// The module's .ko, for its KCOV points; its name is the module's.
        #[arg(long)]
        ko: PathBuf,
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// Stop after this many requests.
        #[arg(long)]
        max_requests: Option<u64>,
        /// The baseline: the same seeds and mutators, no coverage feedback.
        #[arg(long)]
        blind: bool,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Sends reproducers, in order, and checks the answers and the kernel log as a run does.
    Replay {
        #[arg(long)]
        spec: PathBuf,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("genl-fuzz: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<bool> {
    match cli.cmd {
        Cmd::Run {
            spec,
            ko,
            seconds,
            max_requests,
            blind,
            seed,
            out,
        } => {
            let module = ko
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned();
            let cfg = engine::Config {
                spec,
                ko,
                module,
                seconds,
                max_requests,
                blind,
                seed,
                out,
            };
            Ok(!engine::run(&cfg)?.finding)
        }
        Cmd::Replay { spec, files } => {
            let spec: &'static spec::FuzzSpec = Box::leak(Box::new(spec::FuzzSpec::load(&spec)?));
            let mut target = target::Target::open(spec)?;
            let mut clean = true;
            for f in &files {
                let r = repro::read(f)?;
                if r.family != spec.name {
                    anyhow::bail!(
                        "{}: a reproducer for {}, not {}",
                        f.display(),
                        r.family,
                        spec.name
                    );
                }
                match target.run_datagrams(&r.datagrams, &r.answered, &r.fail_nth) {
                    Ok(()) => println!("ok replay {}", f.display()),
                    Err(why) => {
                        println!("not ok replay {}: {why}", f.display());
                        clean = false;
                    }
                }
            }
            Ok(clean)
        }
    }
}
