// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `kvctl generate-man DIR`: the pages are written, name every command, and carry the exit
//! statuses and the `hex:` form that `--help` documents.

use std::{path::PathBuf, process::Command};

fn kvctl() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kvctl"))
}

/// The commands `kvctl --help` lists (the hidden ones are not there, nor in the pages).
fn commands() -> Vec<String> {
    let help = kvctl().arg("--help").output().expect("kvctl --help");
    let help = String::from_utf8(help.stdout).expect("UTF-8 help");
    let listed = help
        .split("Commands:\n")
        .nth(1)
        .expect("a Commands: section")
        .split("\n\n")
        .next()
        .unwrap();
    listed
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn man_pages_name_every_command() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("kvctl-man");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = kvctl().arg("generate-man").arg(&dir).output().unwrap();
    assert!(out.status.success(), "{out:?}");

    let commands = commands();
    assert!(commands.len() >= 10, "{commands:?}");
    let main = std::fs::read_to_string(dir.join("kvctl.1")).expect("kvctl.1");
    assert!(main.contains(".TH kvctl 1"), "{main}");
    for cmd in &commands {
        assert!(
            main.contains(&format!("kvctl\\-{cmd}(1)")),
            "kvctl.1 does not name `{cmd}`"
        );
        let page = std::fs::read_to_string(dir.join(format!("kvctl-{cmd}.1")))
            .unwrap_or_else(|e| panic!("kvctl-{cmd}.1: {e}"));
        assert!(page.contains(&format!(".TH kvctl-{cmd} 1")), "{page}");
    }
    assert!(!dir.join("kvctl-generate-man.1").exists());
    for section in ["Exit status:", "hex:", "\\-\\-netns"] {
        assert!(main.contains(section), "kvctl.1 lacks `{section}`");
    }
}

#[test]
fn an_unwritable_directory_is_one_line_and_status_1() {
    let out = kvctl()
        .args(["generate-man", "/nonexistent/kvctl-man"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("kvctl: generate-man: writing man pages to /nonexistent"),
        "{err}"
    );
}
