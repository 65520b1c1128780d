#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# genlkit-codegen against every Generic Netlink spec the kernel ships: the kernel source's
# Documentation/netlink/specs/*.yaml whose protocol is genetlink, genetlink-c or
# genetlink-legacy, or that name none (genetlink by default); the netlink-raw ones are out of
# scope. The checks per spec NAME:
#
#   ok spec-corpus: NAME: parsed
#   ok spec-corpus: NAME: uapi header equals the kernel's
#       when the kernel's header is ynl-gen's (YNL-GEN): every constant either header defines
#       (enumerators, integer and string macros, as the C compiler sees them, by
#       tests/host/c-consts.py) the other defines too, with the same value;
#   ok spec-corpus: NAME: uapi header agrees with the kernel's hand-written HEADER: ...
#       when the kernel's header is written by hand, so holds more than the spec describes and
#       names some of it otherwise: the constants both define have the same value, but for the
#       known differences below (each one must still be seen: the list is kept exact);
#   ok spec-corpus: NAME: kernel tables generated
#   ok spec-corpus: NAME: kernel tables # SKIP refused: ITEM (line N): WHY
#       the kernel tables are generated, or refused by item and line (not ok otherwise);
#   ok spec-corpus: NAME: kernel policies equal ynl-gen's (N attributes, N ops)
#       for generated tables: the policies and split ops, as `genlkit-codegen --policy-dump`
#       prints them, equal those the tree's tools/net/ynl/pyynl/ynl_gen_c.py --mode kernel
#       defines for the spec (tests/host/ynl-policies.py reads its C);
#   ok spec-corpus: NAME: kernel tables compile
#       for generated tables: they and the spec's scaffold (`--scaffold`, every op answering
#       EOPNOTSUPP) build into a module against the test kernel (scripts/lib.sh's kdir), all
#       specs' modules in one make; SKIP when no kernel is built;
#   ok spec-corpus: NAME: userspace client compiles
#       for generated tables: the typed client (`--client-only`: spec.rs, client_gen.rs) builds
#       as a crate on userspace/genl-client without a warning, all specs' crates in one cargo
#       build.
#
#   tests/host/spec-corpus.sh [KERNEL_SOURCE_DIR]     (default: scripts/lib.sh's ksrc)
#
# The files compared, and the constants each side defines alone, are kept under
# $GENLKIT_OUT/spec-corpus/NAME/. The last line is `N passed, N failed, N skipped`.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"
set +e

ksrc=$(cd "${1:-$(ksrc)}" && pwd) || die "no kernel source at ${1:-}"
scratch="$GENLKIT_OUT/spec-corpus"
consts="$GENLKIT_ROOT/tests/host/c-consts.py"
policies="$GENLKIT_ROOT/tests/host/ynl-policies.py"
modules="$scratch/modules"
export RUST_BACKTRACE=0 LC_ALL=C
mkdir -p "$GENLKIT_OUT"

# Where the kernel's hand-written headers and their specs differ (Linux 7.3):
# "SPEC CONSTANT KERNEL'S-VALUE SPEC'S-VALUE", each with why.
known=(
    # The spec lists 4 of the port function's 6 attributes.
    "devlink DEVLINK_PORT_FUNCTION_ATTR_MAX 6 4"
    # The header's scopes are bits (_BITUL(DEVLINK_RESOURCE_SCOPE_*_BIT)); the spec's
    # resource-scope enum numbers them 0, 1.
    "devlink DEVLINK_RESOURCE_SCOPE_DEV 1 0"
    "devlink DEVLINK_RESOURCE_SCOPE_PORT 2 1"
    # The spec lists fewer attributes, interface types and bands than the header has.
    "nl80211 NL80211_BAND_IFTYPE_ATTR_MAX 13 11"
    "nl80211 NL80211_FREQUENCY_ATTR_MAX 41 33"
    "nl80211 NL80211_IFTYPE_MAX 14 12"
    "nl80211 NUM_NL80211_ATTR 368 333"
    "nl80211 NUM_NL80211_BANDS 6 5"
    # The spec's action-attrs lack `drop` (OVS_ACTION_ATTR_DROP, 24), so its psample is 24,
    # the header's 25: a YNL client of ovs_flow.yaml sends psample as drop.
    "ovs_flow OVS_ACTION_ATTR_MAX 25 24"
    "ovs_flow OVS_ACTION_ATTR_PSAMPLE 25 24"
    "ovs_flow __OVS_ACTION_ATTR_MAX 26 25"
)

passed=0 failed=0 skipped=0
result() { # OK|NOTOK|SKIP NAME CHECK [WHY]
    case $1 in
    OK)
        echo "ok spec-corpus: $2: $3"
        passed=$((passed + 1))
        ;;
    SKIP)
        echo "ok spec-corpus: $2: $3 # SKIP $4"
        skipped=$((skipped + 1))
        ;;
    *)
        echo "not ok spec-corpus: $2: $3: $4"
        failed=$((failed + 1))
        ;;
    esac
}

# first_cause OUTPUT: the line of a generator error that says why.
first_cause() {
    local cause
    cause=$(sed -n '/^Caused by:/,$p' <<<"$1" | sed -n '2p' | sed 's/^ *//')
    echo "${cause:-$(head -n1 <<<"$1")}"
}

# brief FILE KIND: a file of differ|kernel-only|ours-only constants, in brief.
brief() {
    case $2 in
    differ) printf '%d values differ (' "$(wc -l <"$1")" ;;
    kernel-only) printf "%d of the kernel's not in ours (" "$(wc -l <"$1")" ;;
    ours-only) printf "%d of ours not in the kernel's (" "$(wc -l <"$1")" ;;
    esac
    head -n3 "$1" | awk -F '\t' -v kind="$2" '{
        printf "%s%s %s", (NR > 1 ? ", " : ""), $1, (kind == "differ") ? $2 " vs ours " $3 : $2 }'
    [[ $(wc -l <"$1") -gt 3 ]] && printf ', ...'
    printf ')'
}

# summary DIR: how the constants of DIR's two headers differ, in brief.
summary() {
    local kind sep=
    for kind in differ kernel-only ours-only; do
        [[ -s $1/$kind.txt ]] || continue
        printf '%s%s' "$sep" "$(brief "$1/$kind.txt" "$kind")"
        sep='; '
    done
}

if ! cargo build -q --release --manifest-path "$GENLKIT_ROOT/Cargo.toml" -p genlkit-codegen 2>"$scratch.build.log"; then
    echo "not ok spec-corpus: genlkit-codegen does not build (see $scratch.build.log)"
    echo "0 passed, 1 failed"
    exit 1
fi
gen="${CARGO_TARGET_DIR:-$GENLKIT_ROOT/target}/release/genlkit-codegen"
clients="$scratch/clients"
clients_built=()
rm -rf "$scratch" && mkdir -p "$scratch" "$modules" "$clients"
cp -r "$GENLKIT_ROOT/kmod/genl" "$modules/genl"
built=() # "NAME DIR" of each spec whose tables are generated
# The kernel build, if any: ynl-policies.py preprocesses the headers of a spec's header
# constants against it, for the values the compiler sees.
kbuild=$( (kdir) 2>/dev/null) || kbuild=

specs=()
for spec in "$ksrc"/Documentation/netlink/specs/*.yaml; do
    protocol=$(sed -n 's/^protocol: *\([a-z-]*\).*/\1/p' "$spec")
    case ${protocol:-genetlink} in
    genetlink | genetlink-c | genetlink-legacy) specs+=("$spec") ;;
    esac
done
if ((${#specs[@]} == 0)); then
    echo "not ok spec-corpus: no Generic Netlink spec in $ksrc/Documentation/netlink/specs"
    echo "0 passed, 1 failed"
    exit 1
fi

for spec in "${specs[@]}"; do
    name=$(basename "$spec" .yaml)
    rel=${spec#"$ksrc"/}
    dir="$scratch/$name"
    mkdir -p "$dir"

    # Parse, and write the uapi header (as the kernel's, named by the spec's path in the tree).
    if ! out=$(cd "$ksrc" && "$gen" --out "$dir/uapi" --uapi-only "$rel" 2>&1); then
        result NOTOK "$name" parsed "$(first_cause "$out")"
        result NOTOK "$name" "uapi header equals the kernel's" "not generated"
    else
        result OK "$name" parsed
        ours=$(sed -n 's/^wrote //p' <<<"$out")
        header=${ours#"$dir/uapi/"}
        theirs="$ksrc/include/uapi/$header"
        if [[ ! -f $theirs ]]; then
            result NOTOK "$name" "uapi header equals the kernel's" "the kernel has no include/uapi/$header"
        elif ! python3 "$consts" "$ours" >"$dir/ours.txt" 2>"$dir/ours.err"; then
            result NOTOK "$name" "uapi header equals the kernel's" "ours: $(head -n3 "$dir/ours.err" | tr '\n' ' ')"
        elif ! python3 "$consts" "$theirs" -I "$ksrc/include/uapi" >"$dir/kernel.txt" 2>"$dir/kernel.err"; then
            result NOTOK "$name" "uapi header equals the kernel's" "the kernel's: $(head -n3 "$dir/kernel.err" | tr '\n' ' ')"
        else
            join -t $'\t' -v1 "$dir/kernel.txt" "$dir/ours.txt" >"$dir/kernel-only.txt"
            join -t $'\t' -v2 "$dir/kernel.txt" "$dir/ours.txt" >"$dir/ours-only.txt"
            join -t $'\t' "$dir/kernel.txt" "$dir/ours.txt" >"$dir/both.txt"
            awk -F '\t' '$2 != $3' "$dir/both.txt" >"$dir/differ.txt"
            if grep -q 'YNL-GEN uapi' "$theirs"; then
                if [[ -s $dir/differ.txt || -s $dir/kernel-only.txt || -s $dir/ours-only.txt ]]; then
                    result NOTOK "$name" "uapi header equals the kernel's" "$(summary "$dir") (see $dir)"
                else
                    result OK "$name" "uapi header equals the kernel's"
                fi
            else
                # Hand-written: shared constants agree, but for the known differences.
                printf '%s\n' "${known[@]}" | awk -v n="$name" '$1 == n { print $2 "\t" $3 "\t" $4 }' |
                    sort >"$dir/known.txt"
                comm -23 "$dir/differ.txt" "$dir/known.txt" >"$dir/unknown.txt"
                unseen=$(comm -13 "$dir/differ.txt" "$dir/known.txt")
                check="uapi header agrees with the kernel's hand-written $header"
                if [[ -s $dir/unknown.txt ]]; then
                    result NOTOK "$name" "$check" "$(brief "$dir/unknown.txt" differ) (see $dir)"
                elif [[ -n $unseen ]]; then
                    result NOTOK "$name" "$check" "known differences not seen (update the list): $(tr '\n' ';' <<<"$unseen")"
                elif [[ ! -s $dir/both.txt ]]; then
                    result NOTOK "$name" "$check" "no constant in common (see $dir)"
                else
                    result OK "$name" "$check: $(($(wc -l <"$dir/both.txt") - $(wc -l <"$dir/known.txt"))) constants equal, $(wc -l <"$dir/known.txt") differ as known; $(wc -l <"$dir/kernel-only.txt") of its $(wc -l <"$dir/kernel.txt") are not in the spec, $(wc -l <"$dir/ours-only.txt") of ours not in it"
                fi
            fi
        fi
    fi

    # The kernel tables: generated, or refused by item and line.
    out=$(cd "$ksrc" && "$gen" --out "$modules" --kernel-only --scaffold "$rel" 2>&1)
    rc=$?
    if ((rc == 0)); then
        result OK "$name" "kernel tables generated"
        module=$(sed -n "s|^wrote $modules/\([^/]*\)/Kbuild\$|\1|p" <<<"$out")
        built+=("$name $module")
        # The userspace client, a crate of the scratch workspace built below.
        if out=$(cd "$ksrc" && "$gen" --out "$clients" --client-only "$rel" 2>&1); then
            crate=$(sed -n "s|^wrote $clients/\([^/]*\)/src/client_gen.rs\$|\1|p" <<<"$out")
            printf '[package]\nname = "client-%s"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\ngenl-client = { path = "%s" }\nserde = { version = "1", features = ["derive"] }\n' \
                "$crate" "$GENLKIT_ROOT/userspace/genl-client" >"$clients/$crate/Cargo.toml"
            printf '#[rustfmt::skip]\npub mod spec;\n#[rustfmt::skip]\npub mod client_gen;\n' >"$clients/$crate/src/lib.rs"
            clients_built+=("$name $crate")
        else
            result NOTOK "$name" "userspace client compiles" "not generated: $(head -n1 <<<"$out")"
        fi
        # The policies and ops, against ynl-gen's C for the spec.
        check="kernel policies equal ynl-gen's"
        if ! (cd "$ksrc" && "$gen" --policy-dump "$rel") >"$dir/policies.txt" 2>"$dir/policies.err"; then
            result NOTOK "$name" "$check" "--policy-dump failed: $(head -n1 "$dir/policies.err")"
        elif [[ ! -s $dir/ours.txt ]]; then
            result NOTOK "$name" "$check" "no constants of the uapi header to read ynl-gen's C with"
        elif KDIR=$kbuild python3 "$policies" "$ksrc" "$spec" "$dir/policies.txt" "$dir/ours.txt" \
            "$dir/ynl-gen" >"$dir/policies.diff" 2>&1; then
            result OK "$name" "$check ($(grep -c '^ ' "$dir/policies.txt") attributes, $(grep -c '^op ' "$dir/policies.txt") ops)"
        elif (($? == 3)); then
            result SKIP "$name" "$check" "$(head -n1 "$dir/policies.diff")"
        else
            result NOTOK "$name" "$check" "$(head -n3 "$dir/policies.diff" | tr '\n' ' ') (see $dir/policies.diff)"
        fi
    elif ((rc == 1)) && grep -q '(line [0-9]*):' <<<"$out"; then
        result SKIP "$name" "kernel tables" "refused: $(first_cause "$out")"
    else
        result NOTOK "$name" "kernel tables" "neither generated nor refused by item and line (exit $rc): $(head -n3 <<<"$out" | tr '\n' ' ')"
    fi
done

# The generated tables, each with its scaffold, built into modules in one make.
if ((${#built[@]})); then
    if ! kdir=$( (kdir) 2>/dev/null) || [[ ! -f $kdir/Module.symvers ]]; then
        for b in "${built[@]}"; do
            result SKIP "${b%% *}" "kernel tables compile" "no kernel built (scripts/setup)"
        done
    else
        printf 'obj-m += %s/\n' "${built[@]#* }" >"$modules/Kbuild"
        start=$SECONDS
        kmake_modules "$kdir" "$modules" -j"$(nproc)" -k >"$modules/build.log" 2>&1
        echo "# spec-corpus: ${#built[@]} modules built in $((SECONDS - start)) s"
        for b in "${built[@]}"; do
            name=${b%% *} module=${b#* }
            ko=$(find "$modules/$module" -maxdepth 1 -name '*.ko' | head -n1)
            warn=$(grep -A3 -E '^(warning|error)' "$modules/build.log" | grep -m1 -F -- "--> $module/" || true)
            if [[ -z $ko ]]; then
                result NOTOK "$name" "kernel tables compile" "no module built: $(grep -B3 -m1 -F -- "--> $module/" "$modules/build.log" | head -n1) (see $modules/build.log)"
            elif [[ -n $warn ]]; then
                result NOTOK "$name" "kernel tables compile" "built with warnings ($warn; see $modules/build.log)"
            else
                result OK "$name" "kernel tables compile"
            fi
        done
    fi
fi

# The generated clients, one crate each, in one cargo build (versions pinned by the tree's lock).
if ((${#clients_built[@]})); then
    members=$(printf '"%s", ' "${clients_built[@]#* }")
    printf '[workspace]\nresolver = "2"\nmembers = [%s]\n' "${members%, }" >"$clients/Cargo.toml"
    cp "$GENLKIT_ROOT/Cargo.lock" "$clients/"
    start=$SECONDS
    (cd "$clients" && CARGO_TARGET_DIR="$GENLKIT_OUT/spec-corpus-clients-target" \
        cargo build -q --offline --keep-going --message-format=short) >"$clients/build.log" 2>&1
    echo "# spec-corpus: ${#clients_built[@]} client crates built in $((SECONDS - start)) s"
    for b in "${clients_built[@]}"; do
        name=${b%% *} crate=${b#* }
        problem=$(grep -m1 -E "^$crate/src/.*: (warning|error)" "$clients/build.log" || true)
        if [[ -n $problem ]]; then
            result NOTOK "$name" "userspace client compiles" "$problem (see $clients/build.log)"
        elif grep -q -E "^error: could not compile \`client-$crate\`" "$clients/build.log"; then
            result NOTOK "$name" "userspace client compiles" "see $clients/build.log"
        else
            result OK "$name" "userspace client compiles"
        fi
    done
fi

if ((skipped)); then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
((failed == 0))
