#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Coverage-guided fuzzing of family modules (scripts/fuzz --coverage): the KCOV kernel (its
# own cached build: `scripts/setup --kcov-kernel`), the modules built against it from a copy
# of kmod/ in out/kcov-kmod, genl-fuzz run in one guest (tools/genl-fuzz/in-guest.sh: the
# guided run, then the blind baseline with the same request budget), then the coverage read
# against each module (tools/genl-fuzz/coverage.py). Writes out/fuzz-coverage/: per family the
# runs' files, report.md (the table) and FAMILY.svg (coverage over requests).
#
#   scripts/fuzz --coverage [--seconds N] [--seed S] [--docs] [--tap] [FAMILY...]
#
# Default: every family of kmod/ with a spec, 300 s each. --docs copies the report and plots
# into docs/ (docs/hardening.md's coverage section and docs/fuzz-coverage-FAMILY.svg). --tap
# prints TAP lines (ok / not ok) and a count line for scripts/test. Exit status 1 on a finding.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"

seconds=300 seed=1 docs=0 tap=0 families=()
while (($#)); do
    case $1 in
    --seconds) seconds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --docs) docs=1; shift ;;
    --tap) tap=1; shift ;;
    -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) families+=("$1"); shift ;;
    esac
done
if ((${#families[@]} == 0)); then
    for d in "$GENLKIT_ROOT"/kmod/*/; do
        f=$(basename "$d")
        [[ -f $GENLKIT_ROOT/specs/$f.yaml && -f $d/Kbuild ]] && families+=("$f")
    done
fi
for f in "${families[@]}"; do
    [[ -f $GENLKIT_ROOT/specs/$f.yaml && -d $GENLKIT_ROOT/kmod/$f ]] || die "$f: no specs/$f.yaml or kmod/$f/"
done

KK=$("$GENLKIT_ROOT/scripts/setup" --kcov-kernel | tail -n1)
[[ -f $KK/arch/x86/boot/bzImage ]] || die "no KCOV kernel image in $KK"
MO="$GENLKIT_OUT/kcov-kmod"
build_modules() {
    rm -rf "$MO/src"
    mkdir -p "$MO/src"
    cp -a "$GENLKIT_ROOT/kmod" "$MO/src/"
    clean_build_products "$MO/src"
    kmake_modules "$KK" "$MO/src/kmod" >/dev/null || die "kmod build against the KCOV kernel failed"
}
stage "modules for the KCOV kernel" build_modules
stage "genl-fuzz, kvtest" bash -c "cd '$GENLKIT_ROOT' && cargo build -q --release -p genl-fuzz -p kvtest"
# Where they are, for the guest (scripts/vm passes GENLKIT_* on).
export GENLKIT_FUZZ_BIN_DIR="${CARGO_TARGET_DIR:-$GENLKIT_ROOT/target}/release"

res="$GENLKIT_OUT/fuzz-coverage"
rm -rf "$res"
mkdir -p "$res"
guest_rc=0
# The guided run and the baseline per family, plus boot and module loads.
KDIR=$KK "$GENLKIT_ROOT/scripts/vm" --timeout $((${#families[@]} * seconds * 6 + 300)) -- \
    bash -c "tools/genl-fuzz/in-guest.sh \"\$GENLKIT_OUT/fuzz-coverage\" $seconds $seed $(printf %q "$MO/src/kmod") ${families[*]}" ||
    guest_rc=$?
[[ -d $GENLKIT_OUT/guest/fuzz-coverage ]] && cp -r "$GENLKIT_OUT/guest/fuzz-coverage/." "$res/"

passed=0 failed=0
result() { # OK? NAME [DETAIL]
    if (($1)); then
        passed=$((passed + 1))
        ((tap)) && echo "ok $2"
    else
        failed=$((failed + 1))
        ((tap)) && echo "not ok $2${3:+: $3}"
    fi
    return 0
}
report="$res/report.md"
{
    echo "| family | run | requests | seconds | corpus | reachable points reached | of those any run reached | all module points reached | findings |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
} >"$report"
for f in "${families[@]}"; do
    ko="$MO/src/kmod/$f/$f.ko"
    g="$res/$f/guided" b="$res/$f/blind" r="$res/$f/random"
    finding=$(ls "$g"/finding-* "$b"/finding-* 2>/dev/null | head -n1 || true)
    result "$([[ -z $finding ]] && echo 1 || echo 0)" "coverage fuzz $f: no finding" \
        "$finding: $(head -n3 "${finding%.genl}.txt" 2>/dev/null | tr '\n' ' ')"
    if [[ ! -f $g/summary.txt || ! -f $b/summary.txt ]]; then
        result 0 "coverage fuzz $f: both runs finished" "no summary in $g or $b (see $GENLKIT_OUT/guest/console.log)"
        continue
    fi
    result 1 "coverage fuzz $f: both runs finished"
    runs=("$g" "$b")
    [[ -f $r/summary.txt ]] && runs+=("$r")
    if ! out=$(python3 "$GENLKIT_ROOT/tools/genl-fuzz/coverage.py" --ko "$ko" --table "$f" \
        --svg "$res/$f.svg" --unreached "${runs[@]}"); then
        result 0 "coverage fuzz $f: coverage read" "coverage.py failed"
        continue
    fi
    echo "$out" >"$res/$f/coverage.txt"
    grep '^|' <<<"$out" >>"$report"
    # The guided run's line: its share of the reachable points, and bug-report blocks reached.
    read -r share checker < <(awk '/^run .*mode guided/ {for (i = 1; i < NF; i++) {if ($i == "of" && $(i + 2) ~ /%$/) s = $(i + 2); if ($i == "checker") c = $(i + 1)}; print s + 0, c}' <<<"$out")
    result "$([[ $checker == 0 ]] && echo 1 || echo 0)" "coverage fuzz $f: no bug-report block reached" "$checker reached"
    # KCOV, the module's points and the fuzzer are all at work: most of what requests can reach is.
    result "$(awk -v s="$share" 'BEGIN {print (s >= 50)}')" "coverage fuzz $f: the guided run reaches at least half the reachable points" "$share %"
    grep '^#\|^run ' <<<"$out" | sed 's/^/    # /' >&2
done
leaks="$res/kmemleak.txt"
if [[ ! -f $leaks ]]; then
    result 0 "coverage fuzz: kmemleak scan" "no $leaks"
elif grep -q '^unreferenced object' "$leaks"; then
    result 0 "coverage fuzz: kmemleak finds no leak" "$(grep -c '^unreferenced object' "$leaks") objects: $(head -n 12 "$leaks" | tr '\n' '|')"
else
    result 1 "coverage fuzz: kmemleak finds no leak"
fi
cat "$report" >&2
if ((docs)); then
    for f in "${families[@]}"; do
        [[ -f $res/$f.svg ]] && cp "$res/$f.svg" "$GENLKIT_ROOT/docs/fuzz-coverage-$f.svg"
    done
    log "plots copied to docs/; the table is $report"
fi
((guest_rc == 0)) || result 0 "coverage fuzz: the guest run" "status $guest_rc (see $GENLKIT_OUT/guest/console.log)"
((tap)) && echo "$passed passed, $failed failed"
((failed == 0))
