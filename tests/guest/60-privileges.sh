#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# The privilege matrix: which operations root, an unprivileged user, and root inside a user
# namespace (with its own network namespace, and without) may run. put and del need
# CAP_NET_ADMIN over the store's network namespace (GENL_UNS_ADMIN_PERM); the rest need
# nothing. Refusals are EPERM (the core sends no extack message for them; kvctl explains).
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
K=privs/key

# row NAME EXPECTED CMD...: kvtest privs as CMD, one line of "op result" pairs.
row() {
    local name=$1 want=$2 out got
    shift 2
    "$KVCTL" put "$K" before >/dev/null # so that get finds the key where put is refused
    out=$("$@" "$KVTEST" privs --key "$K" 2>&1)
    echo "$out" | sed "s/^/    $name: /"
    got=$(sed -E 's/^([a-z]+) ([A-Za-z0-9]+).*/\1:\2/' <<<"$out" | tr '\n' ' ')
    expect_eq "privileges: $name" "$want" "${got% }"
    if grep -q 'EPERM' <<<"$out"; then
        # The genl core refuses before the op runs, without an extack message: the clear
        # message is the client library's, checked through kvctl.
        expect_match "privileges: $name: kvctl explains the EPERM" \
            'Operation not permitted \(EPERM\).*permission denied' "$("$@" "$KVCTL" put "$K" x 2>&1)"
    fi
}

all_ok="echo:ok put:ok get:ok dump:ok del:ok stats:ok monitor:ok"
read_only="echo:ok put:EPERM get:ok dump:ok del:EPERM stats:ok monitor:ok"
row "root" "$all_ok" env
row "unprivileged user" "$read_only" as_nobody
row "root in a user namespace with its own network namespace" "$all_ok" unshare -Urn
row "root in a user namespace, initial network namespace" "$read_only" unshare -Ur
row "unprivileged user in its own user and network namespace" "$all_ok" as_nobody unshare -Urn
expect_eq "privileges: refused writes changed nothing" before "$("$KVCTL" get "$K" 2>&1)"
"$KVCTL" del "$K" >/dev/null
