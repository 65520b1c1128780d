#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# Smoke run of the benchmark (tools/kvbench against tools/bench/ctwin): tiny counts, on the
# checker kernel, asserting only that it runs and prints its table, never anything about speed.
# It drives every op of both families that the benchmark uses (the C twin's echo, fill, get dump
# and put), so a failing request of either fails it.
# Builds nothing: scripts/setup built kvbench, and `scripts/bench --build-twin` (run by
# scripts/test) the C twin for the test kernel.
source "$(dirname "$0")/lib.sh"

KVBENCH=${KVBENCH:-$GENLKIT_ROOT/target/release/kvbench}
CTWIN=${CTWIN:-$GENLKIT_ROOT/tools/bench/ctwin/kvstore_ctwin.ko}

# kvbench wants an empty store: reload kvstore (the earlier files leave entries behind).
grep -q '^kvstore ' /proc/modules && rmmod kvstore
expect_ok "bench smoke: insmod kvstore.ko (fresh store)" insmod "$KMOD"
grep -q '^kvstore_ctwin ' /proc/modules && rmmod kvstore_ctwin
expect_ok "bench smoke: insmod the C twin" insmod "$CTWIN"

out=$(timeout 120 "$KVBENCH" --smoke --json /tmp/kvbench-smoke.json 2>&1) && rc=0 || rc=$?
if ((rc == 0)); then
    pass "bench smoke: kvbench --smoke exits 0"
else
    fail "bench smoke: kvbench --smoke exits 0" "got $rc: $(tail -n 5 <<<"$out" | tr '\n' ' ')"
fi
echo "$out" | sed 's/^/    /'
for section in "1. echo round trip" "2. get dump" "3. put" "4. notifications" "ratios"; do
    expect_match "bench smoke: table has '$section'" "$section" "$out"
done
expect_match "bench smoke: every echo variant measured" "nlctrl GETFAMILY, raw loop +[0-9]" "$out"
expect_match "bench smoke: echo through the client library in place measured" \
    "kvstore, library in place +[0-9]" "$out"
expect_match "bench smoke: dumps through the client library measured" \
    "client library: +[0-9]+ entries/s read in place" "$out"
# kvbench fails (above) if any put to the C twin fails; these check the rows were measured.
expect_match "bench smoke: C twin put measured" "raw loop, one at a time, C twin +[0-9]" "$out"
expect_match "bench smoke: put ratio kvstore/C twin reported" \
    "put, kvstore/C twin \\(raw loop, one at a time\\) +[0-9.]+x" "$out"
expect_match "bench smoke: JSON written" '"dump":\[\{"n":100' "$(cat /tmp/kvbench-smoke.json 2>/dev/null)"
if grep -q 'SILENT LOSS' <<<"$out"; then
    fail "bench smoke: no silent notification loss" "kvbench reported a loss without ENOBUFS"
else
    pass "bench smoke: no silent notification loss"
fi

expect_ok "bench smoke: rmmod the C twin" rmmod kvstore_ctwin
# Leave kvstore loaded (with the smoke run's entries) for the files after us and the runner.
rmmod kvstore && insmod "$KMOD"
grep -q '^kvstore ' /proc/modules && pass "bench smoke: kvstore left loaded" ||
    fail "bench smoke: kvstore left loaded" "kvstore is not loaded"
