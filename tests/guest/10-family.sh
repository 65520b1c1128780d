#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# The family as the controller (nlctrl) shows it: registration, ops, group, resolution from
# Rust, unregistration on rmmod, and insmod/rmmod cycles.
source "$GENLKIT_ROOT/tests/guest/lib.sh"

ctrl=$(genl ctrl get name kvstore 2>&1)
expect_match "genl ctrl shows kvstore version 1" 'Name: kvstore.*Version: 0x1' "$(tr '\n' ' ' <<<"$ctrl")"
expect_match "genl ctrl shows the notify group" 'name: notify' "$ctrl"
for op in 0x1 0x2 0x3 0x4 0x5; do
    expect_match "genl ctrl lists op $op" "ID-$op" "$ctrl"
done
fam_id=$(sed -n 's/.*ID: \(0x[0-9a-f]*\).*/\1/p' <<<"$ctrl" | head -n1)
grp_id=$(sed -n 's/.*ID-\(0x[0-9a-f]*\)  name: notify.*/\1/p' <<<"$ctrl")

# The Rust client resolves the same IDs through nlctrl.
json=$("$KVCTL" family --json 2>&1)
rust_ids=$(/usr/bin/python3 -c '
import json, sys
f = json.loads(sys.argv[1])
groups = {g["name"]: g["id"] for g in f["mcast_groups"]}
print(hex(f["id"]), hex(groups["notify"]))' "$json" 2>&1)
expect_eq "Rust client resolves the family and notify group IDs" "$((fam_id)) $((grp_id))" \
    "$(read -r a b <<<"$rust_ids"; echo "$((a)) $((b))" 2>/dev/null || echo "$rust_ids")"

# The policy dump shows the per-op policies (CTRL_CMD_GETPOLICY).
pol=$(genl ctrl policy name kvstore 2>&1 || true)
if [[ -z $pol || $pol == *"Usage"* || $pol == *"rror"* ]]; then
    pol=$("$KVCTL" family 2>&1)
fi
expect_match "policy dump shows key as a bounded NUL string" "nul-?string.*(max|len).*255|NUL_STRING.*255|string.*255" "$(tr '\n' ' ' <<<"$pol")"

expect_ok "rmmod kvstore" rmmod kvstore
expect_match "family is gone after rmmod" 'rror|not found|No such' "$(genl ctrl get name kvstore 2>&1)"

ok=0
for i in $(seq 20); do
    insmod "$KMOD" && rmmod kvstore && ok=$((ok + 1))
done
expect_eq "20 insmod/rmmod cycles" 20 "$ok"
expect_ok "reload kvstore" insmod "$KMOD"
