#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# Stress with invariants: writers, readers and dumpers on every vCPU and a monitor, in a fresh
# network namespace, for a bounded time (GENLKIT_STRESS_SECONDS, default 30). kvtest stress
# checks that every acknowledged put is visible to get until its del, that put/del succeed or
# fail exactly as the writers' models say, that a dump never duplicates or skips a key that
# stayed unchanged during it (unless NLM_F_DUMP_INTR), that generations only grow, and that the
# monitor's replayed view equals a fresh dump at the end.
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
S=${GENLKIT_STRESS_SECONDS:-20}
SEED=${GENLKIT_STRESS_SEED:-1}

start=$SECONDS
out=$("$KVTEST" stress --seconds "$S" --seed "$SEED" 2>&1) && rc=0 || rc=$?
echo "$out"
echo "stress: $((SECONDS - start))s"
summary=$(grep '^stress: .*violations=' <<<"$out" || true)
expect_eq "stress: ${S}s of writers, readers, dumpers and a monitor: no invariant violated" "0 violations=0" \
    "$rc $(grep -o 'violations=[0-9]*' <<<"$summary")"
expect_match "stress: every role made progress" 'puts=[1-9][0-9]* dels=[1-9][0-9]* gets=[1-9][0-9]* \(checked [1-9][0-9]*\) dumps=[1-9][0-9]* .*keys checked [1-9][0-9]*\) events=[1-9]' "$summary"
module_loaded || insmod "$KMOD"
