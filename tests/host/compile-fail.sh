#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Compile-fail tests of the genl layer (kmod/genl/). Each tests/compile-fail/NAME.rs is a small
# family module that misuses the layer; it must fail to build, and the build's output must
# contain every text its header names:
#
#   // expect: TEXT          a substring of the compiler's output (all such lines must match)
#   // expect: build         the case must build instead (a control: the runner is seen to work)
#   // layer-cfg-unset: CFG  build against a copy of the layer in which the cfg name CFG is
#                            renamed to one that is never set (to see a `#[cfg(not(CFG))]`
#                            guard fire on a kernel where CFG is set)
#
# Each case is built alone as an out-of-tree module (`obj-m := case.o`) against the cached
# kernel, with a copy of the layer beside it that it reaches as `#[path = "genl/mod.rs"] mod genl;`,
# and tests/compile-fail/common/, the skeleton most cases `include!`.
#
#   tests/host/compile-fail.sh [NAME...]     every case, or only these
#
# env: KDIR (default: scripts/lib.sh's kdir), GENL_LAYER (the layer directory to build against;
# default kmod/genl of this tree). Scratch directories go to $GENLKIT_OUT/compile-fail/.
# Prints `ok compile-fail: NAME` / `not ok compile-fail: NAME: WHY`, then `N passed, N failed`.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"
set +e

cases_dir="$GENLKIT_ROOT/tests/compile-fail"
layer=$(cd "${GENL_LAYER:-$GENLKIT_ROOT/kmod/genl}" && pwd) || die "no layer at ${GENL_LAYER:-}"
kdir=$(kdir)
scratch="$GENLKIT_OUT/compile-fail"
mkdir -p "$scratch"

if (($#)); then
    names=("$@")
else
    names=()
    for f in "$cases_dir"/*.rs; do names+=("$(basename "$f" .rs)"); done
fi

passed=0 failed=0
result() { # OK|NOTOK NAME [WHY]
    if [[ $1 == OK ]]; then
        echo "ok compile-fail: $2"
        passed=$((passed + 1))
    else
        echo "not ok compile-fail: $2: $3"
        failed=$((failed + 1))
    fi
}

for name in "${names[@]}"; do
    src="$cases_dir/$name.rs"
    if [[ ! -f $src ]]; then
        result NOTOK "$name" "no such case ($src)"
        continue
    fi
    mapfile -t expects < <(sed -n 's|^// expect: ||p' "$src")
    mapfile -t unset_cfgs < <(sed -n 's|^// layer-cfg-unset: *||p' "$src")
    if ((${#expects[@]} == 0)); then
        result NOTOK "$name" "no '// expect:' line"
        continue
    fi

    dir="$scratch/$name"
    rm -rf "$dir" && mkdir -p "$dir"
    cp "$src" "$dir/case.rs"
    cp -r "$cases_dir/common" "$dir/common"
    cp -r "$layer" "$dir/genl"
    for cfg in "${unset_cfgs[@]}"; do
        find "$dir/genl" -name '*.rs' -exec sed -i "s/\\b$cfg\\b/${cfg}_UNSET_BY_COMPILE_FAIL_TEST/g" {} +
    done
    echo 'obj-m := case.o' >"$dir/Kbuild"

    kmake_modules "$kdir" "$dir" >"$dir/build.log" 2>&1
    built=$?

    if [[ ${expects[0]} == build ]]; then
        if ((built == 0)); then
            result OK "$name"
        else
            result NOTOK "$name" "it must build, but did not: $(grep -m1 '^error' "$dir/build.log") (see $dir/build.log)"
        fi
        continue
    fi
    if ((built == 0)); then
        result NOTOK "$name" "it built (the layer accepts the misuse)"
        continue
    fi
    missing=
    for e in "${expects[@]}"; do
        grep -qF -- "$e" "$dir/build.log" || missing=$e
    done
    if [[ -n $missing ]]; then
        result NOTOK "$name" "failed, but without '$missing': $(grep -m1 '^error' "$dir/build.log") (see $dir/build.log)"
    else
        result OK "$name"
    fi
done

echo "$passed passed, $failed failed"
((failed == 0))
