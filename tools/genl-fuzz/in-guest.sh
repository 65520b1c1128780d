#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# In a guest of the KCOV kernel: fuzz each family for SECONDS with coverage feedback, then give
# the baselines the same number of requests: the blind run (same seeds and mutators, no
# feedback) and, for a family that has one, its hand-written random fuzzer (kvstore: `kvtest
# fuzz`, recording with --kcov-out), each on a freshly loaded module. Results in
# OUT/FAMILY/{guided,blind,random}/ (summary.txt, timeline.tsv, reached.txt; a finding's
# reproducer and its finding-N.txt). Then a kmemleak scan (the fault injection drives the error
# paths): its reports in OUT/kmemleak.txt, empty when there is none.
#
#   tools/genl-fuzz/in-guest.sh OUT SECONDS SEED KMOD_DIR FAMILY...
#
# Exit status: 1 when a run had a finding or failed.
set -u
out=$1 seconds=$2 seed=$3 kmod=$4
shift 4
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${GENLKIT_FUZZ_BIN_DIR:-$root/target/release}
fuzz="$bin/genl-fuzz"
[[ -e /sys/kernel/debug/kcov ]] || mount -t debugfs none /sys/kernel/debug 2>/dev/null
[[ -e /sys/kernel/debug/kcov ]] || { echo "not ok no /sys/kernel/debug/kcov: not the KCOV kernel"; exit 1; }
status=0
fresh() { # MODULE.ko: the module alone, freshly loaded
    local name
    name=$(basename "$1" .ko)
    rmmod "$name" 2>/dev/null
    insmod "$1"
}
for family in "$@"; do
    ko="$kmod/$family/$family.ko"
    spec="$root/specs/$family.yaml"
    mkdir -p "$out/$family"
    fresh "$ko" || { echo "not ok $family: insmod failed"; status=1; continue; }
    "$fuzz" run --spec "$spec" --ko "$ko" --seconds "$seconds" --seed "$seed" --out "$out/$family/guided"
    rc=$?
    if [[ ! -f $out/$family/guided/summary.txt ]] && [[ -f /tmp/genl-fuzz-$family.history ]]; then
        # Killed mid-request (an oops ends the task): what it sent, the last request at the end,
        # is the reproducer.
        cp "/tmp/genl-fuzz-$family.history" "$out/$family/guided/finding-killed.history.genl"
        echo "genl-fuzz: killed (status $rc); what it sent: $out/$family/guided/finding-killed.history.genl"
    fi
    ((rc == 0)) || status=1
    requests=$(awk '$1 == "requests" {print $2}' "$out/$family/guided/summary.txt" 2>/dev/null)
    [[ -n $requests ]] || continue
    fresh "$ko" || { status=1; continue; }
    "$fuzz" run --spec "$spec" --ko "$ko" --seconds $((seconds * 4)) --max-requests "$requests" \
        --blind --seed "$seed" --out "$out/$family/blind" || status=1
    if [[ $family == kvstore ]]; then
        fresh "$ko" || { status=1; continue; }
        "$bin/kvtest" fuzz --count "$requests" --seconds $((seconds * 3)) --seed "$seed" --threads 1 \
            --netns-every 0 --kcov-out "$out/$family/random" | sed 's/^/kvtest: /' || status=1
    fi
    rmmod "$family"
done
kmemleak=/sys/kernel/debug/kmemleak
if [[ -w $kmemleak ]]; then
    sleep 6 # kmemleak ignores objects younger than 5 s
    echo scan >"$kmemleak"
    echo scan >"$kmemleak" # an object is reported once its contents held still for a scan
    cat "$kmemleak" >"$out/kmemleak.txt"
else
    echo "no kmemleak ($kmemleak)" >"$out/kmemleak.txt"
fi
exit $status
