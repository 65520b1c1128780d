#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# The blocking client (its own codec, userspace/kvstore/src/wire.rs) and the async client
# (netlink-packet) against the real module: the same requests, the answers the kernel must
# give, and both clients reporting them alike, errors included (`kvtest clients`).
# Needs kvstore loaded; leaves no keys behind.

# shellcheck source=lib.sh
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}

out=$("$KVTEST" clients --prefix "clients-$$/" 2>&1) && rc=0 || rc=$?
echo "$out"
if ((rc != 0)) && ! grep -q '^not ok ' <<<"$out"; then
    fail "kvtest clients" "exited $rc without reporting a failed check"
fi
expect_eq "clients: no keys left behind" "" "$("$KVCTL" list --prefix "clients-$$/" 2>&1)"
