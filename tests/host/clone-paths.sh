#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The guest runs a repository wherever it was cloned: copies of this tree under /tmp (with a
# space in the path) and under /root — folders the guest gives private tmpfs mounts — each
# build the modules and boot the guest, which must see the repository at the same path (an
# unprivileged user too), load a module built there and write to its output folder. The two run side by side. Prints `ok` /
# `not ok` lines.
set -uo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
status=0

copy_tree() { # DEST: the tracked and untracked (not ignored) files, as they are now
    mkdir -p "$1" && (
        cd "$src" || exit 1
        git ls-files -z --cached --others --exclude-standard |
            while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done |
            cpio -0pdm --quiet "$1"
    )
}

boot_from() { # NAME DIR: boot the guest from a copy of the tree at DIR; prints the result line
    local name=$1 dir=$2 out
    if ! copy_tree "$dir"; then
        echo "not ok guest runs a clone under $name: could not copy the tree to $dir"
        return
    fi
    # The clone builds its own modules (kbuild cannot take a path with a space: see
    # kmake_modules); the guest prints where it is and what it reads there, loads that module
    # and leaves a file in its output folder.
    if ! out=$(cd "$dir" && source scripts/lib.sh && kmake_modules "$(kdir)" "$dir" 2>&1); then
        echo "not ok guest runs a clone under $name: the module build failed: $(tail -n 3 <<<"$out" | tr '\n' '|')"
        return
    fi
    out=$(cd "$dir" && GENLKIT_VM_OUT="$dir/out/clone-test" scripts/vm --timeout 300 --cpus 1 --mem 1024 -- \
        bash -c 'echo "pwd=$PWD"; sha256sum README.md; insmod kmod/counters/counters.ko && rmmod counters &&
            echo "loaded the clone'"'"'s module"
            setpriv --reuid=65534 --regid=65534 --clear-groups cat "$PWD/README.md" >/dev/null &&
            echo "an unprivileged user reads the clone"
            echo written >"$GENLKIT_OUT/from-guest"' 2>&1)
    local rc=$? want_sum
    want_sum=$(cd "$dir" && sha256sum README.md)
    if ((rc == 0)) && grep -qxF "pwd=$dir" <<<"$out" && grep -qxF "$want_sum" <<<"$out" &&
        grep -qxF "loaded the clone's module" <<<"$out" &&
        grep -qxF "an unprivileged user reads the clone" <<<"$out" &&
        [[ $(cat "$dir/out/clone-test/from-guest" 2>/dev/null) == written ]]; then
        echo "ok guest runs a clone under $name"
    else
        echo "not ok guest runs a clone under $name: exit $rc, guest said: $(tail -n 8 <<<"$out" | tr '\n' '|')"
    fi
}

tmp_clone=$(mktemp -d "/tmp/genlkit clone.XXXXXX")
root_clone=$(mktemp -d /root/genlkit-clone.XXXXXX)
trap 'rm -rf "$tmp_clone" "$root_clone" "$(source "$src/scripts/lib.sh" && kbuild_mirror "$tmp_clone/repo")"' EXIT
boot_from "/tmp (a path with a space)" "$tmp_clone/repo" >"$tmp_clone.result" &
boot_from /root "$root_clone/repo" >"$root_clone.result"
wait
cat "$tmp_clone.result" "$root_clone.result"
grep -q '^not ok' "$tmp_clone.result" "$root_clone.result" && status=1
rm -f "$tmp_clone.result" "$root_clone.result"
exit $status
