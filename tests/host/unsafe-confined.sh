#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# `unsafe` lives only in the genl layer: every family module's crate root denies `unsafe_code`,
# and the only `allow(unsafe_code)` in kmod/ is the one on the root's `mod genl;` declaration.
# Prints `ok` / `not ok` lines.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"
set +e
cd "$GENLKIT_ROOT" || exit 1
status=0
for root in $(family_roots); do
    if grep -qx '#!\[deny(unsafe_code)\].*' "$root"; then
        echo "ok $root denies unsafe_code"
    else
        echo "not ok $root denies unsafe_code: no '#![deny(unsafe_code)]' line"
        status=1
    fi
done
stray=$(grep -rn --include='*.rs' -A1 'allow(unsafe_code)' kmod/ |
    awk '/allow\(unsafe_code\)/ { at = $0; next } at != "" { if ($0 !~ /-mod genl;$/) print at; at = "" }')
if [[ -n $stray ]]; then
    echo "not ok allow(unsafe_code) only on 'mod genl;': also at $(tr '\n' ' ' <<<"$stray")"
    status=1
else
    echo "ok allow(unsafe_code) only on 'mod genl;'"
fi
exit $status
