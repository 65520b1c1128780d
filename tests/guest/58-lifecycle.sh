#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# Lifecycle under load: rmmod while a dump is held midway (it must fail cleanly, and succeed
# once the dump ends); insmod/rmmod cycles while fuzzing clients are mid-request and mid-dump
# (GENLKIT_LIFECYCLE_CYCLES, default 3: a cycle under load costs 15-65 s here, KUnit runs at
# each insmod; GENLKIT_LIFECYCLE_LOAD_THREADS fuzzing threads, default 2); network namespaces with entries created and destroyed
# under load, and the module unloaded while some still exist. kmemleak is scanned after each
# phase when GENLKIT_LEAK_SCAN_EACH_PHASE=1 (scripts/fuzz; a scan takes ~35 s here, and the
# run's final scan covers the short profile; skipped, visibly, with GENLKIT_NO_KMEMLEAK=1).
# Leaves the module loaded.
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
CYCLES=${GENLKIT_LIFECYCLE_CYCLES:-2}
LOAD_THREADS=${GENLKIT_LIFECYCLE_LOAD_THREADS:-2}
NETNS=${GENLKIT_LIFECYCLE_NETNS:-2}
TMP=$(mktemp -d /tmp/lifecycle.XXXXXX)
kmemleak=/sys/kernel/debug/kmemleak

# leak_check PHASE: no more unreferenced objects than before the phase.
leaks_before=0
leak_check() {
    [[ ${GENLKIT_LEAK_SCAN_EACH_PHASE:-0} == 1 ]] || return 0
    if [[ ! -w $kmemleak ]]; then
        if [[ ${GENLKIT_NO_KMEMLEAK:-0} == 1 ]]; then
            skip "lifecycle: kmemleak finds no new leak after $1" "the kernel has no kmemleak (GENLKIT_NO_KMEMLEAK=1)"
        else
            fail "lifecycle: kmemleak finds no new leak after $1" "$kmemleak is missing (CONFIG_DEBUG_KMEMLEAK, debugfs)"
        fi
        return 0
    fi
    local t=$SECONDS n
    sleep 6 # kmemleak ignores objects younger than 5 s
    echo scan >"$kmemleak"
    n=$(grep -c '^unreferenced object' "$kmemleak" || true)
    if ((n <= leaks_before)); then
        pass "lifecycle: kmemleak finds no new leak after $1"
    else
        fail "lifecycle: kmemleak finds no new leak after $1" "expected $leaks_before unreferenced objects, got $n:"
        head -n 40 "$kmemleak" | sed 's/^/    /'
    fi
    leaks_before=$n
    echo "kmemleak scan: $((SECONDS - t))s"
}

# rmmod_retry: rmmod, retrying while the module is busy (a dump in flight holds a reference).
busy=0
rmmod_retry() {
    local i
    for ((i = 0; i < 300; i++)); do
        rmmod kvstore 2>"$TMP/rmmod.err" && return 0
        # Busy: the user-space check says "in use", the kernel EAGAIN (a reference taken since).
        grep -qE 'in use|temporarily unavailable' "$TMP/rmmod.err" || { cat "$TMP/rmmod.err"; return 1; }
        busy=$((busy + 1))
        sleep 0.1
    done
    return 1
}

module_loaded || insmod "$KMOD"

# --- 1. rmmod with a dump held midway: refused while it is open, allowed after -------------
start=$SECONDS
out=$("$KVTEST" fill --count 3000 --prefix life/ --value-len 100 2>&1) && rc=0 || rc=$?
expect_eq "lifecycle: fill 3000 entries" "0" "$rc"
"$KVTEST" hold-dump --prefix life/ --ready-file "$TMP/held" >"$TMP/hold.out" 2>&1 &
hpid=$!
for ((i = 0; i < 200; i++)); do [[ -f $TMP/held ]] && break; sleep 0.1; done
if [[ -f $TMP/held ]]; then pass "lifecycle: a dump is held after its first round"; else fail "lifecycle: a dump is held after its first round" "got: $(cat "$TMP/hold.out")"; fi
out=$(rmmod kvstore 2>&1) && rc=0 || rc=$?
expect_match "lifecycle: rmmod mid-dump fails cleanly (module in use)" '^1 .*in use' "$rc $out"
expect_ok "lifecycle: the module still serves while rmmod was refused" "$KVCTL" get life/00000001
rm -f "$TMP/held"
wait "$hpid" && rc=0 || rc=$?
expect_match "lifecycle: the held dump completes after the refused rmmod" '^0 hold-dump: dump completed with 3000 entries' "$rc $(tail -n1 "$TMP/hold.out")"
expect_ok "lifecycle: rmmod once the dump ended" rmmod kvstore
expect_ok "lifecycle: insmod again" insmod "$KMOD"
echo "phase 1: $((SECONDS - start))s"
leak_check "rmmod mid-dump"

# --- 2. insmod/rmmod cycles under load -----------------------------------------------------
start=$SECONDS
"$KVTEST" fuzz --count 0 --seconds 3000 --stop-file "$TMP/stop" --tolerate-unload --threads "$LOAD_THREADS" \
    --netns-every 300 --seed 5 >"$TMP/load.out" 2>&1 &
lpid=$!
sleep 3
ok_cycles=0
for ((c = 1; c <= CYCLES; c++)); do
    if rmmod_retry && insmod "$KMOD"; then
        ok_cycles=$((ok_cycles + 1))
    else
        echo "cycle $c failed"
        module_loaded || insmod "$KMOD" || true
    fi
    sleep 0.$((RANDOM % 5))
done
expect_eq "lifecycle: $CYCLES insmod/rmmod cycles under fuzzing load" "$CYCLES" "$ok_cycles"
echo "rmmod refused as busy (dump in flight) $busy times, retried"
touch "$TMP/stop"
wait "$lpid" && rc=0 || rc=$?
cat "$TMP/load.out"
expect_match "lifecycle: the load ran throughout and ended cleanly" "^0 fuzz: seed 5 threads $LOAD_THREADS sent [1-9]" "$rc $(head -n1 "$TMP/load.out")"
expect_match "lifecycle: the load saw the family go away and come back" 'family-gone=[1-9]' "$(cat "$TMP/load.out")"
echo "phase 2: $((SECONDS - start))s"
leak_check "$CYCLES insmod/rmmod cycles under load"

# --- 3. network namespaces created and destroyed under load --------------------------------
start=$SECONDS
"$KVTEST" fuzz --count 0 --seconds 3000 --stop-file "$TMP/stop3" --threads 2 --netns-every 50 --seed 6 \
    >"$TMP/load3.out" 2>&1 &
lpid=$!
made=0
for ((i = 1; i <= NETNS; i++)); do
    # A namespace with a store of 300 entries, a dump abandoned in it, then destroyed.
    ip netns add "life$i" &&
        ip netns exec "life$i" "$KVTEST" fill --count 300 --prefix ns/ --batch 64 >/dev/null &&
        ip netns exec "life$i" "$KVTEST" fuzz --count 200 --threads 1 --netns-every 0 --seed "$i" >/dev/null &&
        ip netns del "life$i" && made=$((made + 1))
done
expect_eq "lifecycle: $NETNS namespaces with entries created and destroyed under load" "$NETNS" "$made"
# rmmod while namespaces with entries still exist: their stores go with the module.
for i in 1 2 3; do
    ip netns add "keep$i" && ip netns exec "keep$i" "$KVTEST" fill --count 100 --prefix keep/ >/dev/null
done
touch "$TMP/stop3"
wait "$lpid" && rc=0 || rc=$?
cat "$TMP/load3.out"
expect_match "lifecycle: the namespace-churning load ended cleanly" '^0 fuzz: seed 6 threads 2 sent [1-9]' "$rc $(head -n1 "$TMP/load3.out")"
expect_ok "lifecycle: rmmod with live namespaces holding entries" rmmod_retry
expect_ok "lifecycle: insmod with those namespaces alive" insmod "$KMOD"
expect_eq "lifecycle: a surviving namespace starts empty after reload" "0" \
    "$(ip netns exec keep1 "$KVCTL" list --prefix keep/ 2>&1 | wc -l)"
for i in 1 2 3; do ip netns del "keep$i"; done
echo "phase 3: $((SECONDS - start))s"
leak_check "namespace churn"

module_loaded || insmod "$KMOD"
rm -rf "$TMP"
