#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# The Rust twins of the kernel's Generic Netlink families, for tests/guest/47-policy-twins.py:
# for every Generic Netlink spec of the kernel source whose kernel tables genlkit-codegen
# generates, its scaffold (every op answering EOPNOTSUPP) registered as family `rs-NAME`
# (`--family-name`; cut to GENL_NAMSIZ), all built in one make against the test kernel. The
# guest test loads the twin of each family the running kernel has in C and compares their
# policies as the controller reports them.
#
#   tests/build-policy-twins.sh        writes $GENLKIT_OUT/policy-twins/: the modules, and
#                                      twins.tsv: SPEC-NAME, TWIN-FAMILY, MODULE.ko, SPEC.yaml
#
# GENLKIT_TWIN_FAULT='SPEC:SED-EXPRESSION' plants a fault: the sed expression is applied to
# that twin's generated nl_gen.rs before the build (to see the guest test fail, e.g.
# 'netdev:s/AttrPolicy::u32_min(1)/AttrPolicy::u32_min(2)/'); the build fails if it changes
# nothing.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/lib.sh"

ksrc=$(ksrc)
k=$(kdir)
dir="$GENLKIT_OUT/policy-twins"
rm -rf "$dir" && mkdir -p "$dir"
cargo build -q --release --manifest-path "$GENLKIT_ROOT/Cargo.toml" -p genlkit-codegen ||
    die "genlkit-codegen does not build"
gen="${CARGO_TARGET_DIR:-$GENLKIT_ROOT/target}/release/genlkit-codegen"
cp -r "$GENLKIT_ROOT/kmod/genl" "$dir/genl"

fault=${GENLKIT_TWIN_FAULT:-}
fault_spec=${fault%%:*} fault_sed=${fault#*:}
twins=()
for spec in "$ksrc"/Documentation/netlink/specs/*.yaml; do
    protocol=$(sed -n 's/^protocol: *\([a-z-]*\).*/\1/p' "$spec")
    case ${protocol:-genetlink} in
    genetlink | genetlink-c | genetlink-legacy) ;;
    *) continue ;;
    esac
    name=$(basename "$spec" .yaml)
    twin=rs-$name
    twin=${twin:0:15}
    # A spec whose tables are refused has no twin (tests/host/spec-corpus.sh reports those).
    out=$(cd "$ksrc" && "$gen" --out "$dir" --kernel-only --scaffold --family-name "$twin" \
        "${spec#"$ksrc"/}" 2>&1) || continue
    kbuild=$(sed -n "s|^wrote $dir/\([^/]*\)/Kbuild\$|\1|p" <<<"$out")
    module=$(sed -n 's/^obj-m := \(.*\)\.o$/\1/p' "$dir/$kbuild/Kbuild")
    if [[ -n $fault && $fault_spec == "$name" ]]; then
        cp "$dir/$kbuild/nl_gen.rs" "$dir/$kbuild/nl_gen.rs.orig"
        sed -i -e "$fault_sed" "$dir/$kbuild/nl_gen.rs"
        if cmp -s "$dir/$kbuild/nl_gen.rs" "$dir/$kbuild/nl_gen.rs.orig"; then
            die "GENLKIT_TWIN_FAULT changed nothing in $name's tables"
        fi
        warn "planted fault in $twin: $(diff "$dir/$kbuild/nl_gen.rs.orig" "$dir/$kbuild/nl_gen.rs" | grep '^>' | head -n1)"
    fi
    twins+=("$name	$twin	$dir/$kbuild/$module.ko	$spec")
    echo "obj-m += $kbuild/" >>"$dir/Kbuild"
done
((${#twins[@]})) || die "no kernel spec has generated tables"
kmake_modules "$k" "$dir" -j"$(nproc)" >"$dir/build.log" 2>&1 || die "the twins do not build (see $dir/build.log)"
for t in "${twins[@]}"; do
    IFS=$'\t' read -r _ _ ko _ <<<"$t"
    [[ -f $ko ]] || die "no module $ko (see $dir/build.log)"
done
printf '%s\n' "${twins[@]}" >"$dir/twins.tsv"
echo "$dir/twins.tsv"
