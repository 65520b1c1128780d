#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# Fuzz the family: seeded, mutated kvstore messages (undefined commands, random attributes,
# lengths and nesting, truncated headers and attributes, wrong and conflicting flags, put modes
# in and out of range, maximum sizes, wrong versions, dumps completed and abandoned) from several
# threads, half of them in network namespaces of their own that are re-created as they go. The
# kernel must stay up and clean (the run's splat and kmemleak scans) and keep serving, and give
# the answers known in advance (NLM_F_CREATE/EXCL/REPLACE and a reserved byte refused with
# EINVAL, an out-of-range mode with ERANGE, a create/replace/upsert answered as its mode says).
# Scale: GENLKIT_FUZZ_COUNT (messages, default 8000: ~140 messages/s here), GENLKIT_FUZZ_SEED, GENLKIT_FUZZ_THREADS.
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
N=${GENLKIT_FUZZ_COUNT:-4000}
SEED=${GENLKIT_FUZZ_SEED:-1}
THREADS=${GENLKIT_FUZZ_THREADS:-4}

# Reproducible: the same seed sends the same messages (what goes out never depends on replies).
a=$("$KVTEST" fuzz --count 300 --seed 77 --threads 1 --netns-every 0 --trace 2>&1 | grep '^fuzz t0 ' | md5sum)
b=$("$KVTEST" fuzz --count 300 --seed 77 --threads 1 --netns-every 0 --trace 2>&1 | grep '^fuzz t0 ' | md5sum)
c=$("$KVTEST" fuzz --count 300 --seed 78 --threads 1 --netns-every 0 --trace 2>&1 | grep '^fuzz t0 ' | md5sum)
expect_eq "fuzz: the same seed sends the same messages" "$a" "$b"
if [[ $a != "$c" ]]; then pass "fuzz: another seed sends other messages"; else fail "fuzz: another seed sends other messages" "expected a different trace for seed 78"; fi

start=$SECONDS
out=$("$KVTEST" fuzz --count "$N" --seed "$SEED" --threads "$THREADS" 2>&1) && rc=0 || rc=$?
echo "$out"
echo "fuzz: $((SECONDS - start))s"
expect_eq "fuzz: $N messages, seed $SEED, $THREADS threads, sent and answered" "0 $N" \
    "$rc $(sed -n 's/^fuzz: seed .* sent \([0-9]*\) messages.*/\1/p' <<<"$out")"
outcomes=$(grep '^fuzz: outcomes:' <<<"$out")
# The mix reaches the handlers (replies, acks) and every layer of validation.
for o in reply ack dump-entry dump-done EINVAL ERANGE EOPNOTSUPP EEXIST ENOENT no-reply checked; do
    expect_match "fuzz: outcome $o seen" " $o=[1-9]" "$outcomes"
done
if grep -q 'sentinel-timeout' <<<"$outcomes"; then
    fail "fuzz: every batch answered" "a sentinel timed out: $outcomes"
else
    pass "fuzz: every batch answered"
fi

# Still serving, and its counters add up.
expect_ok "fuzz: put after fuzzing" "$KVCTL" put fuzz/after ok
expect_eq "fuzz: get after fuzzing" ok "$("$KVCTL" get fuzz/after 2>&1)"
expect_ok "fuzz: del after fuzzing" "$KVCTL" del fuzz/after
module_loaded || insmod "$KMOD"
