// SPDX-License-Identifier: GPL-2.0-only OR MIT
//! `--netns NAME`: work in another network namespace, as `ip -n NAME` does.

use std::{
    ffi::OsStr,
    fs::File,
    io,
    os::{fd::AsRawFd, unix::ffi::OsStrExt},
    path::{Path, PathBuf},
};

/// Where `ip netns add NAME` binds a namespace.
const NETNS_RUN_DIR: &str = "/run/netns";

/// The namespace file `name` stands for: a name is looked up in /run/netns, a path (anything
/// with a `/`) is taken as it is.
fn netns_path(name: &OsStr) -> PathBuf {
    if name.as_bytes().contains(&b'/') {
        PathBuf::from(name)
    } else {
        Path::new(NETNS_RUN_DIR).join(name)
    }
}

/// Moves the calling thread into the network namespace `name`.
///
/// Call it before any other thread exists: a namespace is per thread, and threads started
/// later (the runtime's) inherit it, as do the netlink sockets opened afterwards. The socket,
/// not the thread, decides which namespace's store a request reaches.
pub fn enter(name: &OsStr) -> Result<(), String> {
    let shown = name.to_string_lossy();
    let path = netns_path(name);
    let file = File::open(&path).map_err(|e| {
        format!(
            "cannot open network namespace \"{shown}\" ({}): {e}",
            path.display()
        )
    })?;
    // SAFETY: setns() only reads the descriptor, which `file` keeps open during the call.
    if unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
        let e = io::Error::last_os_error();
        return Err(format!(
            "cannot enter network namespace \"{shown}\" ({}): {e}",
            path.display()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_looked_up_in_run_netns_paths_taken_as_they_are() {
        assert_eq!(netns_path(OsStr::new("blue")), Path::new("/run/netns/blue"));
        assert_eq!(
            netns_path(OsStr::new("/proc/1/ns/net")),
            Path::new("/proc/1/ns/net")
        );
    }

    #[test]
    fn a_missing_namespace_is_one_line_naming_it() {
        let err = enter(OsStr::new("kvctl-no-such-namespace")).unwrap_err();
        assert_eq!(
            err,
            "cannot open network namespace \"kvctl-no-such-namespace\" \
             (/run/netns/kvctl-no-such-namespace): No such file or directory (os error 2)"
        );
    }
}
