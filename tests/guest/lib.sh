# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0
# Sourced by the in-guest shell tests (tests/guest/*.sh). Each check prints one
# result line that tests/guest/run counts:
#   ok NAME
#   not ok NAME: expected ..., got ...
#   ok NAME # SKIP why
# A test file's exit status does not count on its own: only these lines do
# (a file that exits non-zero without reporting a failure counts as one).
# A file names the modules it needs in a header line `# modules: NAME, ...`: the
# runner loads them before it and again after it if the file left them unloaded.

: "${GENLKIT_ROOT:?run through tests/guest/run}"
KVCTL=${KVCTL:-$GENLKIT_ROOT/target/release/kvctl}
KMOD=${KMOD:-${GENLKIT_KMOD_DIR:-$GENLKIT_ROOT/kmod}/kvstore/kvstore.ko}

pass() { echo "ok $1"; }
fail() { echo "not ok $1: $2"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
    if [[ $2 == "$3" ]]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# expect_match NAME REGEX ACTUAL
expect_match() {
    if [[ $3 =~ $2 ]]; then pass "$1"; else fail "$1" "expected to match /$2/, got '$3'"; fi
}

# expect_ok NAME CMD...: the command exits 0.
expect_ok() {
    local name=$1 out rc
    shift
    out=$("$@" 2>&1) && rc=0 || rc=$?
    if ((rc == 0)); then pass "$name"; else fail "$name" "expected exit 0 from '$*', got $rc: $out"; fi
}

# expect_exit NAME CODE CMD...: the command exits with CODE.
expect_exit() {
    local name=$1 want=$2 out rc
    shift 2
    out=$("$@" 2>&1) && rc=0 || rc=$?
    if ((rc == want)); then pass "$name"; else fail "$name" "expected exit $want from '$*', got $rc: $out"; fi
}

# as_nobody CMD...: run without any capability, as uid/gid 65534.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all -- "$@"; }

module_loaded() { grep -q '^kvstore ' /proc/modules; }

# skip NAME WHY: a check that cannot run here; counted as skipped.
skip() { echo "ok $1 # SKIP $2"; }
