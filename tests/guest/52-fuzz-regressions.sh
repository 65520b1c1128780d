#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore, counters
# The fuzzer's findings, kept: each reproducer of tests/fuzz-regressions/FAMILY/ replayed
# against the family's module by `genl-fuzz replay`, which checks every answer (one per
# request, well-formed, as the spec says) and the kernel log as a fuzzing run does. A family
# the header does not name is loaded for its reproducers and unloaded after.
source "$GENLKIT_ROOT/tests/guest/lib.sh"
FUZZ=${GENL_FUZZ:-$GENLKIT_ROOT/target/release/genl-fuzz}
KMOD=${GENLKIT_KMOD_DIR:-$GENLKIT_ROOT/kmod}

for dir in "$GENLKIT_ROOT"/tests/fuzz-regressions/*/; do
    family=$(basename "$dir")
    files=("$dir"*.genl)
    [[ -e ${files[0]} ]] || continue
    loaded_here=0
    if [[ ! -d /sys/module/$family ]]; then
        insmod "$KMOD/$family/$family.ko" && loaded_here=1
    fi
    for f in "${files[@]}"; do
        name="fuzz regression $family/$(basename "$f" .genl)"
        if out=$("$FUZZ" replay --spec "$GENLKIT_ROOT/specs/$family.yaml" "$f" 2>&1); then
            pass "$name"
        else
            fail "$name" "$(tr '\n' ' ' <<<"$out" | cut -c1-400)"
        fi
    done
    if ((loaded_here)); then rmmod "$family"; fi
done
