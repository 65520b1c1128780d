#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# A new family in one command, tried as a new user would: in a scratch copy of the tree
# (under /tmp), `genlkit-codegen new demo`, then `scripts/test demo` there must be green at
# once, with the family's KUnit cases and guest checks among its results, by name, and so must
# `scripts/fuzz --coverage demo` (fuzzing from the spec alone). The command refuses a second
# time and changes nothing; after an op is added to the spec,
# regenerating keeps the hand-written module and the build names the handler it lacks.
# Prints `ok new-family: ...` / `not ok new-family: ...` lines (counted by scripts/test).
#
#   tests/host/new-family.sh [NAME]     (default: demo)
#
# The scratch tree's userspace builds in $GENLKIT_CACHE/new-family-target (warm after the
# first run), apart from the tree's own target/, whose binaries a running guest may be using.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"

name=${1:-demo}
k=$(kdir)
scratch=$(mktemp -d /tmp/genlkit-new.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
ok() { echo "ok new-family: $1"; }
not_ok() { echo "not ok new-family: $1"; }
check() { # NAME COMMAND...: ok when COMMAND succeeds
    local what=$1
    shift
    if "$@"; then ok "$what"; else not_ok "$what"; fi
}
# A digest of every file of the scratch tree but build products, to see what a command changed.
tree_digest() { (cd "$scratch" && find specs kmod userspace tests include -type f \
    ! -name '*.o' ! -name '*.ko' ! -name '*.mod*' ! -name '*.cmd' ! -name 'modules.order' \
    ! -name 'Module.symvers' -print0 | sort -z | xargs -0 sha256sum | sha256sum); }

cd "$GENLKIT_ROOT" || exit 1
cargo build -q --release -p genlkit-codegen || {
    not_ok "genlkit-codegen builds"
    exit 0
}
gen="${CARGO_TARGET_DIR:-$GENLKIT_ROOT/target}/release/genlkit-codegen"
# The tree as a clone has it: tracked files and new ones not ignored.
git ls-files -co --exclude-standard -z | grep -zv '^\(target\|out\)/' |
    xargs -0 cp --parents -t "$scratch"

t=$SECONDS
out=$(cd "$scratch" && "$gen" new "$name" 2>&1)
echo "# genlkit-codegen new $name: $((SECONDS - t)) s"
check "genlkit-codegen new $name writes the family" grep -q "^wrote kmod/$name/$name.rs$" <<<"$out"
before=$(tree_digest)
out=$(cd "$scratch" && "$gen" new "$name" 2>&1) && rc=0 || rc=$?
check "a second run refuses with a clear message" \
    test "$rc" -ne 0 -a -n "$(grep "family \`$name\` exists already" <<<"$out")"
check "... and changes nothing" test "$before" = "$(tree_digest)"

# The scratch tree's own test command, as its README says: green at once.
log=$scratch.test.log
t=$SECONDS
(cd "$scratch" && CARGO_TARGET_DIR="$GENLKIT_CACHE/new-family-target" scripts/test "$name") >"$log" 2>&1 && rc=0 || rc=$?
last=$(tail -n1 "$log")
echo "# scripts/test $name in the scratch tree: $((SECONDS - t)) s"
check "scripts/test $name is green at once ($last)" test "$rc" -eq 0
kunit=$(grep -cE "^ +ok [0-9]+ ${name}_names: " "$log" || true)
guest=$(grep -cE "^ +ok [0-9]+ ${name}: " "$log" || true)
check "its KUnit cases ran and passed ($kunit)" test "$kunit" -ge 1
check "its guest checks ran and passed ($guest)" test "$guest" -ge 9
if ((rc != 0)); then
    grep -E '^(FAILED|not ok|    not ok)' "$log" | head -n 20 | sed 's/^/# /'
fi
rm -f "$log"

# Coverage-guided fuzzing from its spec alone, on the KCOV kernel: the short profile.
t=$SECONDS
out=$(cd "$scratch" && CARGO_TARGET_DIR="$GENLKIT_CACHE/new-family-target" \
    scripts/fuzz --coverage --seconds 15 --tap "$name" 2>&1) && rc=0 || rc=$?
echo "# scripts/fuzz --coverage $name in the scratch tree: $((SECONDS - t)) s"
grep -E '^    # run .*mode guided' <<<"$out" | sed 's/^    # /# /'
fuzz_ok=$(grep -c "^ok coverage fuzz $name: " <<<"$out" || true)
check "scripts/fuzz --coverage $name is green from the spec alone ($fuzz_ok checks)" \
    test "$rc" -eq 0 -a "$fuzz_ok" -ge 4
((rc == 0)) || grep -E '^not ok' <<<"$out" | head -n 10 | sed 's/^/# /'

# A new op in the spec: regenerating rewrites only generated files, and the module's build
# names the handler it lacks.
module=$(sha256sum <"$scratch/kmod/$name/$name.rs")
python3 - "$scratch/specs/$name.yaml" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace("\nmcast-groups:", """    -
      name: reset
      doc: Reset an item's version.
      attribute-set: item
      flags: [uns-admin-perm]
      do:
        request:
          attributes: [name]

mcast-groups:""", 1)
open(p, "w").write(s)
PY
out=$(cd "$scratch" && "$gen" "specs/$name.yaml" 2>&1)
check "regenerating after a new op rewrites the tables" grep -q "^wrote kmod/$name/nl_gen.rs$" <<<"$out"
check "... and keeps the hand-written module" test "$module" = "$(sha256sum <"$scratch/kmod/$name/$name.rs")"
out=$(kmake_modules "$k" "$scratch/kmod/$name" 2>&1) && rc=0 || rc=$?
check "the module's build then fails, naming the missing handler reset_do" \
    test "$rc" -ne 0 -a -n "$(grep -E 'missing.*reset_do' <<<"$out")"
