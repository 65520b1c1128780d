#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# Teardown yields: a namespace whose store holds max_entries entries is destroyed with the
# soft-lockup window at its minimum (watchdog_thresh=1: a CPU that runs no other task for 2 s
# is reported, "BUG: soft lockup"), and must soft-lock nothing. kvstore frees such a store entry
# by entry with genl::cond_resched() every 1,024 entries (kmod/kvstore/store.rs, Drop for Inner).
#
# Where a kprobe can count __cond_resched() (KPROBE_EVENTS, and a kernel on which the call is
# real: PREEMPT_DYNAMIC, or not preemptible), the teardown must also call it at least once per
# 1,024 entries freed. That is the check that fails when the yield is removed on an x86_64 7.3
# kernel: those are always preemptible (lazy or full; PREEMPT_NONE and PREEMPT_VOLUNTARY do not
# exist there), so a long preemptible loop is preempted and cannot soft-lock them.
#
# GENLKIT_TEARDOWN_ENTRIES: how many entries ("max": the module's max_entries, 1,100,000 by
# default; scripts/fuzz --kcsan). Unset: skipped (filling a million entries takes ~25 min on the
# KASAN test kernel).
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
N=${GENLKIT_TEARDOWN_ENTRIES:-}
NS=teardown
TRACING=/sys/kernel/tracing

if [[ -z $N ]]; then
    skip "teardown: a full namespace is destroyed without a soft lockup" \
        "GENLKIT_TEARDOWN_ENTRIES is unset (scripts/fuzz --kcsan sets it)"
    exit 0
fi
module_loaded || insmod "$KMOD"

max=$("$KVCTL" stats | sed -n 's/^max-entries: //p')
[[ $N == max ]] && N=$max
echo "kernel: $(uname -r) $(uname -v); max_entries=$max"

# --- fill one namespace --------------------------------------------------------------------
ip netns del "$NS" 2>/dev/null
ip netns add "$NS" || { fail "teardown: namespace created" "ip netns add $NS failed"; exit 0; }
start=$SECONDS
out=$(ip netns exec "$NS" "$KVTEST" fill --count "$N" --prefix td/ --batch 256 --threads 2 2>&1) && rc=0 || rc=$?
expect_eq "teardown: $N entries put in one namespace" "0 filled $N entries under 'td/'" "$rc $(tail -n1 <<<"$out")"
echo "fill: $((SECONDS - start))s"
entries=$(ip netns exec "$NS" "$KVCTL" stats | sed -n 's/^entries: //p')
echo "store: $(ip netns exec "$NS" "$KVCTL" stats | grep -E '^(entries|memory|max-bytes):' | tr '\n' ' ')"
if ((N == max)); then
    out=$(ip netns exec "$NS" "$KVCTL" put td/one-more x 2>&1) && rc=0 || rc=$?
    expect_match "teardown: the namespace is full (one more put refused at max_entries)" \
        '^[1-9][0-9]* .*max_entries' "$rc $out"
fi

# --- count the yields: a kprobe on __cond_resched -------------------------------------------
# genl::cond_resched() calls __cond_resched() where CONFIG_PREEMPTION is off or
# CONFIG_PREEMPT_DYNAMIC is on (uname -v says PREEMPT_DYNAMIC, or no PREEMPT at all); on a
# plain PREEMPT/PREEMPT_LAZY build it compiles to nothing.
count_yields=0
why_not=
if [[ $(uname -v) =~ (^| )PREEMPT(_LAZY|_RT)?( |$) ]]; then
    why_not="a $(grep -oE 'PREEMPT[A-Z_]*' <<<"$(uname -v)" | head -n1) kernel compiles cond_resched() out"
else
    [[ -d $TRACING/events ]] || mount -t tracefs nodev "$TRACING" 2>/dev/null
    if [[ -w $TRACING/kprobe_events ]] &&
        echo 'p:genlkit_yield __cond_resched' >>"$TRACING/kprobe_events" 2>/dev/null; then
        count_yields=1
        echo >"$TRACING/trace"
        echo 1 >"$TRACING/events/kprobes/genlkit_yield/enable"
    else
        why_not="no kprobe events here (CONFIG_KPROBE_EVENTS)"
    fi
fi
if [[ -r /sys/kernel/debug/sched/preempt ]]; then
    echo "preemption modes (/sys/kernel/debug/sched/preempt): $(cat /sys/kernel/debug/sched/preempt)"
fi
yield_hits() { awk '$1 == "genlkit_yield" { print $2 }' "$TRACING/kprobe_profile"; }

# --- destroy it with a 2 s soft-lockup window ----------------------------------------------
watchdog=0
if [[ -w /proc/sys/kernel/watchdog_thresh ]]; then
    watchdog=1
    thresh=$(cat /proc/sys/kernel/watchdog_thresh)
    echo 1 >/proc/sys/kernel/soft_watchdog
    echo 1 >/proc/sys/kernel/watchdog_thresh
fi
mark=$(dmesg | wc -l)
hits0=0
((count_yields)) && hits0=$(yield_hits)
start_ms=$(date +%s%3N)
ip netns del "$NS"
# The namespace is freed by cleanup_net in a workqueue, after `ip netns del` returns. rmmod
# waits for it: unregister_pernet_subsys takes pernet_ops_rwsem for writing, which cleanup_net
# holds for reading while the exit methods run (had rmmod come first, it would tear the store
# down itself). So rmmod returning means the store is freed.
sleep 1
out=$(rmmod kvstore 2>&1) && rc=0 || rc=$?
gone_ms=$(($(date +%s%3N) - start_ms))
expect_eq "teardown: the namespace is destroyed and kvstore unloaded after it" "0:" "$rc:$out"
echo "ip netns del -> store freed (rmmod returned): ${gone_ms} ms"
sleep 3 # a soft lockup is reported by the next watchdog check after the 2 s window
((watchdog)) && echo "$thresh" >/proc/sys/kernel/watchdog_thresh
found=$(dmesg | tail -n +"$((mark + 1))" | grep -E -A12 'soft lockup|rcu.*detected stall' | head -n 40)
if ((!watchdog)); then
    skip "teardown: $entries entries freed with watchdog_thresh=1: no soft lockup, no RCU stall" \
        "no soft-lockup detector here (CONFIG_SOFTLOCKUP_DETECTOR)"
elif [[ -z $found ]]; then
    pass "teardown: $entries entries freed with watchdog_thresh=1: no soft lockup, no RCU stall"
else
    fail "teardown: $entries entries freed with watchdog_thresh=1: no soft lockup, no RCU stall" "the kernel log says:"
    sed 's/^/    /' <<<"$found"
fi

if ((count_yields)); then
    hits=$(($(yield_hits) - hits0))
    want=$((entries / 1024))
    echo 0 >"$TRACING/events/kprobes/genlkit_yield/enable"
    # The first and last yield of the teardown: how long freeing took, from inside.
    span=$(awk '/genlkit_yield:/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) { t = $i + 0; if (!n++) first = t; last = t } }
        END { if (n) printf "%.2f s between the first and the last of %d yields", last - first, n }' "$TRACING/trace")
    echo "${span:-no yield traced}"
    echo '-:genlkit_yield' >>"$TRACING/kprobe_events"
    if ((hits >= want)); then
        pass "teardown: freeing $entries entries called cond_resched >= $want times ($hits)"
    else
        fail "teardown: freeing $entries entries called cond_resched >= $want times" "it was called $hits times"
    fi
else
    skip "teardown: freeing $entries entries called cond_resched >= $((entries / 1024)) times" "$why_not"
fi

module_loaded || insmod "$KMOD"
