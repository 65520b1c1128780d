#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Boots the coverage kernel (the test kernel with KCOV: `scripts/setup --kcov-kernel`, built and
# cached on first use, ~20 min on 2 cores) with kvstore built against it, and runs
# tools/kcov/probe.py there: what per-task KCOV sees of the module, request by request.
#
#   tools/kcov/run.sh
#
# The modules are built from a copy of kmod/ in out/kcov-kmod (kmod/ keeps its test-kernel
# build), as scripts/fuzz --kcsan does.
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/lib.sh"

KK=$("$GENLKIT_ROOT/scripts/setup" --kcov-kernel | tail -n1)
[[ -f $KK/arch/x86/boot/bzImage ]] || die "no coverage kernel image in $KK"
MO="$GENLKIT_OUT/kcov-kmod"
rm -rf "$MO/src"
mkdir -p "$MO/src"
cp -a "$GENLKIT_ROOT/kmod" "$MO/src/"
clean_build_products "$MO/src"
kmake_modules "$KK" "$MO/src/kmod" || die "kmod build against the coverage kernel failed"
KDIR=$KK "$GENLKIT_ROOT/scripts/vm" --timeout 900 -- \
    python3 tools/kcov/probe.py "$MO/src/kmod/kvstore/kvstore.ko"
