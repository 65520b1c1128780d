#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# A big dump arrives whole: no loss, no duplicate, in key order.
# scripts/test uses 20,000 entries, which a dump returns in ~20 datagrams (a put costs ~1.5 ms
# under TCG with KASAN, kmemleak and slab_debug=U, and the dump rounds are what is tested);
# the million-entry run: GENLKIT_BULK_ENTRIES=1000000 GENLKIT_TEST_FILE_TIMEOUT=3600 scripts/test bulk
source "$GENLKIT_ROOT/tests/guest/lib.sh"
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
N=${GENLKIT_BULK_ENTRIES:-20000}

start=$SECONDS
out=$("$KVTEST" fill --count "$N" --prefix bulk/ 2>&1) && rc=0 || rc=$?
expect_eq "put $N entries in batches" "0 filled $N entries under 'bulk/'" "$rc $out"
echo "fill: $((SECONDS - start))s"

start=$SECONDS
out=$("$KVTEST" dump-check --count "$N" --prefix bulk/ 2>&1) && rc=0 || rc=$?
expect_eq "a dump of $N entries arrives whole, in order, without duplicates" 0 "$rc"
echo "$out"
echo "dump: $((SECONDS - start))s"

# A dump of a store that changes between rounds is flagged NLM_F_DUMP_INTR.
start=$SECONDS
python_out=$(/usr/bin/python3 - "$GENLKIT_ROOT" <<'PY' 2>&1
import json, socket, struct, subprocess, sys
root = sys.argv[1]
# Change the store after the first round of a dump.
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)  # NETLINK_GENERIC
kvctl = f"{root}/target/release/kvctl"
fam = json.loads(subprocess.run([kvctl, "family", "--json"], capture_output=True, text=True).stdout)["id"]
body = struct.pack("BBH", 3, 1, 0) + struct.pack("HH", 10, 1) + b"bulk/\0" + b"\0\0"
s.sendto(struct.pack("IHHII", 16 + len(body), fam, 1 | 0x300, 1, 0) + body, (0, 0))
intr = 0
first = True
while True:
    data = s.recv(1 << 17)
    if first:
        subprocess.run([kvctl, "put", "bulk/zz-changed", "x"], check=True, capture_output=True)
        first = False
    off, done = 0, False
    while off < len(data):
        length, mtype, flags = struct.unpack_from("IHH", data, off)
        intr |= flags & 0x10
        done |= mtype == 3
        off += (length + 3) & ~3
    if done or intr:
        break
s.close()  # abandons the dump midway: the module frees its cursor
print("intr" if intr else "no intr")
PY
)
expect_eq "a dump racing with a change is flagged NLM_F_DUMP_INTR" "intr" "$python_out"
echo "dump-intr: $((SECONDS - start))s"

# The same through the client library: while a writer changes the store, dumps end with
# DumpInterrupted (never as a short success), and list_consistent gets the whole list after.
start=$SECONDS
out=$("$KVTEST" dumps --check interrupted --prefix bulk/ --count $((N + 1)) 2>&1) && rc=0 || rc=$?
echo "$out"
if ((rc != 0)) && ! grep -q '^not ok ' <<<"$out"; then
    fail "kvtest dumps --check interrupted" "exited $rc without reporting a failed check"
fi
echo "dumps-interrupted: $((SECONDS - start))s"

# Unload with a million entries: every store is freed (kmemleak checks at the end).
start=$SECONDS
expect_ok "rmmod with $N entries" rmmod kvstore
echo "rmmod: $((SECONDS - start))s"
expect_ok "reload kvstore" insmod "$KMOD"
