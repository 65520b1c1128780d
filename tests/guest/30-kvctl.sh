#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
# kvctl end to end, inside the guest, as root, with kvstore loaded.
# Covers every command, monitor with a concurrent writer, unprivileged
# callers, ENOBUFS resync of the monitor, and the module being unloaded.
# Leaves the module loaded and deletes its keys.

# shellcheck source=lib.sh
source "$GENLKIT_ROOT/tests/guest/lib.sh"

P="kvctl-test-$$-"
TMP=$(mktemp -d /tmp/kvctl-test.XXXXXX)
chmod 755 "$TMP"

# run CMD...: sets $out (stdout+stderr) and $rc.
run() { out=$("$@" 2>&1) && rc=0 || rc=$?; }

# wait_for FILE REGEX: wait up to 10 s for a line matching REGEX in FILE.
wait_for() {
    local i
    for ((i = 0; i < 100; i++)); do
        grep -Eq "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- put / get ---------------------------------------------------------------
expect_ok put "$KVCTL" put "${P}a" hello --flags text
expect_eq get "hello" "$("$KVCTL" get "${P}a" 2>&1)"
expect_match get-json '"flags":\["text"\]' "$("$KVCTL" --json get "${P}a" 2>&1)"
expect_match get-json-value '"value":"hello"' "$("$KVCTL" --json get "${P}a" 2>&1)"

printf '\000\001\377' >"$TMP/bin"
expect_ok put-value-file "$KVCTL" put "${P}bin" --value-file "$TMP/bin"
expect_eq get-binary-as-hex "hex:0001ff" "$("$KVCTL" get "${P}bin" 2>&1)"

run "$KVCTL" put "${P}a" x --create-only
expect_eq put-create-only-existing-rc 1 "$rc"
expect_match put-create-only-existing-msg '^kvctl: put: .*\(EEXIST\): entry exists \(mode create\) \[attribute: key\]' "$out"
expect_eq get-after-refused-create "hello" "$("$KVCTL" get "${P}a" 2>&1)"

run "$KVCTL" put "${P}missing" x --replace-only
expect_eq put-replace-only-missing-rc 3 "$rc"
expect_match put-replace-only-missing-msg '\(ENOENT\): entry does not exist \(mode replace\) \[attribute: key\]' "$out"

expect_ok put-replace-only "$KVCTL" put "${P}a" world --replace-only
expect_eq get-replaced "world" "$("$KVCTL" get "${P}a" 2>&1)"

expect_ok put-create-only-new "$KVCTL" put "${P}new" fresh --create-only
expect_eq get-created "fresh" "$("$KVCTL" get "${P}new" 2>&1)"
expect_exit usage-create-only-and-replace-only 2 "$KVCTL" put "${P}new" x --create-only --replace-only
expect_exit usage-old-create-flag 2 "$KVCTL" put "${P}new" x --create
expect_match put-json '"generation":[0-9]+' "$("$KVCTL" --json put "${P}new" again 2>&1)"

run "$KVCTL" put "${P}badflags" x --flags 0x4
expect_eq put-undefined-flag-rc 1 "$rc"
expect_match put-undefined-flag-msg '\(EINVAL\)' "$out"

long=$(printf 'k%.0s' {1..300})
run "$KVCTL" put "$long" x
expect_eq put-long-key-rc 1 "$rc"
expect_match put-long-key-attr '\[attribute: key\]' "$out"

run "$KVCTL" get "${P}nonexistent"
expect_eq get-missing-rc 3 "$rc"
expect_match get-missing-msg '^kvctl: get: No such file or directory \(ENOENT\)' "$out"

expect_exit usage-error 2 "$KVCTL" put only-a-key
expect_exit usage-unknown-command 2 "$KVCTL" frobnicate
run "$KVCTL" get hex:6b7
expect_eq usage-bad-hex "2 error: invalid value 'hex:6b7' for '<KEY>': \`hex:\` must be followed by pairs of hex digits, got 3 digits" "$rc $out"

# --- exit statuses: each kind of failure has its own (kvctl --help lists them) ---------
run "$KVCTL" put "${P}a" x --create-only
expect_eq status-kernel-refused 1 "$rc"
expect_exit status-usage 2 "$KVCTL" get
expect_exit status-not-found 3 "$KVCTL" get "${P}nonexistent"
# (status 4, kvstore not loaded, is checked below, where the module is unloaded)
run "$KVCTL" --netns "kvctl-no-such-ns-$$" list
expect_eq status-netns-missing "5 kvctl: cannot open network namespace \"kvctl-no-such-ns-$$\" (/run/netns/kvctl-no-such-ns-$$): No such file or directory (os error 2)" "$rc $out"
help=$("$KVCTL" --help)
for line in '  0  success' '  1  the kernel refused' '  2  usage' '  3  not found' '  4  kvstore is not loaded' '  5  the network namespace'; do
    if [[ $help == *"$line"* ]]; then pass "help-lists-status-${line:2:1}"; else fail "help-lists-status-${line:2:1}" "no '$line' in --help"; fi
done

# --- --netns: requests go to another namespace's store ----------------------------------
NS="kvctl-test-$$"
if ip netns add "$NS"; then
    expect_ok netns-put "$KVCTL" --netns "$NS" put "${P}ns" inside
    run "$KVCTL" get "${P}ns"
    expect_eq netns-not-in-init-namespace "3" "$rc"
    expect_eq netns-seen-by-ip-netns-exec "inside" "$(ip netns exec "$NS" "$KVCTL" get "${P}ns" 2>&1)"
    expect_eq netns-path-form "inside" "$("$KVCTL" --netns "/run/netns/$NS" get "${P}ns" 2>&1)"
    ip netns del "$NS"
else
    fail netns-add "ip netns add $NS failed"
fi

# --- batch: words split as a shell would, checked before anything is sent ---------------
printf '%s\n' "put '${P}q k' 'a b'" "put ${P}q2 \"x y\" # a comment" "put hex:$(printf '%s' "${P}q3" | od -An -tx1 | tr -d ' \n')ff v3" >"$TMP/quoted.cmds"
run "$KVCTL" batch "$TMP/quoted.cmds"
expect_eq batch-quoted "0 3 put, 0 del" "$rc $out"
expect_eq batch-quoted-key-and-value "a b" "$("$KVCTL" get "${P}q k" 2>&1)"
expect_eq batch-quoted-value "x y" "$("$KVCTL" get "${P}q2" 2>&1)"
printf '%s\n' "del '${P}q k'" "del ${P}q2" "del hex:$(printf '%s' "${P}q3" | od -An -tx1 | tr -d ' \n')ff" >"$TMP/unquoted.cmds"
expect_ok batch-del-quoted "$KVCTL" batch "$TMP/unquoted.cmds"
printf '%s\n' "put ${P}batch-first v" "put ${P}k hello world" >"$TMP/bad.cmds"
run "$KVCTL" batch "$TMP/bad.cmds"
expect_eq batch-malformed-line "2 kvctl: batch: line 2: expected \`put KEY VALUE\` or \`del KEY\`, got 4 words (quote a word with spaces: put k 'a b')" "$rc $out"
expect_exit batch-malformed-sent-nothing 3 "$KVCTL" get "${P}batch-first"

# --- list ----------------------------------------------------------------------
expect_eq list-prefix "$(printf '%s\t%s\n%s\t%s\n%s\t%s' "${P}a" world "${P}bin" hex:0001ff "${P}new" again)" \
    "$("$KVCTL" list --prefix "$P" 2>&1)"
expect_match list-json "^\[\{.*\"key\":\"${P}a\"" "$("$KVCTL" --json list --prefix "$P" 2>&1)"
expect_match list-all "${P}bin" "$("$KVCTL" list 2>&1)"

# --- keys that are not UTF-8 ---------------------------------------------------------
# Another client stores a key whose bytes are not UTF-8 (the kernel takes any but NUL): here
# the kernel's YNL helpers over a raw socket, no Rust. kvctl must show it, and the others
# beside it, in the `hex:` form it also takes as input.
raw_hex=$(printf '%s' "${P}raw-" | od -An -tx1 | tr -d ' \n')fffe
run /usr/bin/python3 - "$raw_hex" <<'PY'
import os, sys
sys.path.insert(0, os.environ["GENLKIT_ROOT"] + "/tests/guest")
from lib.py import family, raw_request
CMD_PUT, ATTR_KEY, ATTR_VALUE = 2, 1, 2
err, ext = raw_request(family("kvstore"), CMD_PUT,
                       [(ATTR_KEY, bytes.fromhex(sys.argv[1]) + b"\0"), (ATTR_VALUE, b"raw value")])
print(f"errno {err} {ext}")
PY
expect_eq raw-put-non-utf8-key "0 errno 0 {}" "$rc $out"
listed_with_raw=$(printf '%s\t%s\n%s\t%s\n%s\t%s\n%s\t%s' "${P}a" world "${P}bin" hex:0001ff \
    "${P}new" again "hex:$raw_hex" "raw value")
expect_eq list-non-utf8-key "$listed_with_raw" "$("$KVCTL" list --prefix "$P" 2>&1)"
run "$KVCTL" --json list --prefix "$P"
expect_match list-json-non-utf8-key '"key":"'"$raw_hex"'","key_encoding":"hex","value":"raw value"' "$out"
expect_match list-json-utf8-key-beside-it '"key":"'"${P}"'a","key_encoding":"utf8","value":"world"' "$out"
expect_eq list-json-entries 4 "$(grep -o '"key":' <<<"$out" | wc -l)"
expect_eq get-hex-key "raw value" "$("$KVCTL" get "hex:$raw_hex" 2>&1)"
# monitor's initial dump: --count 0 stops at once, --dump-final prints the view it dumped.
expect_eq monitor-initial-dump-non-utf8-key "$(printf '# final view (4 entries, 0 events, 0 overflows)\n%s' "$listed_with_raw")" \
    "$("$KVCTL" monitor --prefix "$P" --count 0 --dump-final 2>/dev/null)"
run "$KVCTL" --json monitor --prefix "$P" --count 0 --dump-final
expect_match monitor-json-initial-dump-non-utf8-key '"final_view":\[.*"key":"'"$raw_hex"'","key_encoding":"hex"' "$out"

# --- echo ------------------------------------------------------------------------
expect_eq echo "$(printf 'key: k\nvalue: v\nflags: text,compressed\ngeneration: 42')" \
    "$("$KVCTL" echo --key k --value v --flags text,compressed --generation 42 2>&1)"
expect_match echo-json '"generation":7' "$("$KVCTL" --json echo --generation 7 2>&1)"

# --- stats / family / completions ------------------------------------------------
stats=$("$KVCTL" stats 2>&1)
expect_match stats-generation '^generation: [0-9]+' "$stats"
expect_match stats-put-count 'put-count: [1-9][0-9]*' "$stats"
expect_match stats-json '"notify-dropped":[0-9]+' "$("$KVCTL" --json stats 2>&1)"

family=$("$KVCTL" family 2>&1)
expect_match family-header '^family kvstore id [0-9]+ version 1' "$family"
expect_match family-ops ' put +.*uns-admin-perm' "$family"
expect_match family-group 'notify id [0-9]+' "$family"
expect_match family-policy 'key +.*type=(nul-)?string' "$family"
expect_match family-json '"mcast_groups":\[\{"id":[0-9]+,"name":"notify"\}\]' "$("$KVCTL" --json family 2>&1)"

expect_ok completions-bash "$KVCTL" completions bash

# --- del ---------------------------------------------------------------------------
expect_match del "^deleted ${P}new \(generation [0-9]+\)$" "$("$KVCTL" del "${P}new" 2>&1)"
expect_exit del-then-get 3 "$KVCTL" get "${P}new"
run "$KVCTL" del "${P}new"
expect_match del-missing '\(ENOENT\)' "$out"
expect_eq del-missing-rc 3 "$rc"

# --- unprivileged ------------------------------------------------------------------
expect_eq nobody-get "world" "$(as_nobody "$KVCTL" get "${P}a" 2>&1)"
expect_ok nobody-list as_nobody "$KVCTL" list --prefix "$P"
run as_nobody "$KVCTL" put "${P}a" evil
expect_eq nobody-put-rc 1 "$rc"
expect_match nobody-put-msg '^kvctl: put: Operation not permitted \(EPERM\).*permission denied' "$out"
run as_nobody "$KVCTL" del "${P}a"
expect_eq nobody-del-rc 1 "$rc"
expect_match nobody-del-msg 'Operation not permitted \(EPERM\)' "$out"
expect_eq nobody-put-changed-nothing "world" "$("$KVCTL" get "${P}a" 2>&1)"

# --- monitor with a concurrent writer ----------------------------------------------
"$KVCTL" monitor --prefix "${P}m" --count 3 --timeout 30 >"$TMP/mon.out" 2>"$TMP/mon.err" &
mpid=$!
if wait_for "$TMP/mon.err" '^kvctl: monitoring'; then pass monitor-ready; else fail monitor-ready "no ready line: $(cat "$TMP/mon.err")"; fi
"$KVCTL" put "${P}m1" one >/dev/null
"$KVCTL" put "${P}m2" two --flags text >/dev/null
"$KVCTL" del "${P}m1" >/dev/null
wait "$mpid" && rc=0 || rc=$?
expect_eq monitor-rc 0 "$rc"
expect_eq monitor-events "$(printf 'new %sm1 one\nnew %sm2 two\ndel %sm1' "$P" "$P" "$P")" \
    "$(sed -E 's/ \(generation [0-9]+\)$//' "$TMP/mon.out")"

# as nobody: subscribing needs no privilege
as_nobody "$KVCTL" --json monitor --prefix "${P}m" --count 1 --timeout 30 >"$TMP/mon2.out" 2>"$TMP/mon2.err" &
mpid=$!
wait_for "$TMP/mon2.err" '^kvctl: monitoring' || true
"$KVCTL" put "${P}m3" three >/dev/null
wait "$mpid" && rc=0 || rc=$?
expect_eq monitor-nobody-rc 0 "$rc"
expect_match monitor-json '"event":"new","flags":\[\],"generation":[0-9]+,"key":"'"${P}"'m3"' "$(cat "$TMP/mon2.out")"

# --monitor --json: a ready event once subscribed and dumped, then the events
"$KVCTL" --json monitor --prefix "${P}ready/" --count 1 --timeout 30 >"$TMP/ready.out" 2>"$TMP/ready.err" &
mpid=$!
if wait_for "$TMP/ready.out" '"event":"ready"'; then pass monitor-json-ready; else fail monitor-json-ready "$(cat "$TMP/ready.out" "$TMP/ready.err")"; fi
"$KVCTL" put "${P}ready/1" one >/dev/null
wait "$mpid" && rc=0 || rc=$?
expect_eq monitor-json-ready-rc 0 "$rc"
expect_match monitor-json-ready-first '^\{"entries":0,"event":"ready","generation":[0-9]+,"group":[0-9]+\}'$'\n''\{.*"event":"new".*"key":"'"${P}"'ready/1"' "$(cat "$TMP/ready.out")"

# --- ENOBUFS: tiny receive buffer, slow consumer, burst of 2000 puts -----------------
# 2000 puts, then every 7th key deleted and every 9th (re)written.
{
    for i in $(seq 1 2000); do echo "put ${P}burst$i value-$i"; done
    for i in $(seq 1 7 2000); do echo "del ${P}burst$i"; done
    for i in $(seq 2 9 2000); do echo "put ${P}burst$i changed-$i"; done
} >"$TMP/burst.cmds"
burst_expected=0
for ((i = 1; i <= 2000; i++)); do
    if ((i % 7 != 1 || i % 9 == 2)); then burst_expected=$((burst_expected + 1)); fi
done
"$KVCTL" monitor --prefix "${P}burst" --rcvbuf 1024 --stall-ms 300 --idle-timeout 5 --timeout 120 \
    --quiet --dump-final >"$TMP/burst.out" 2>"$TMP/burst.err" &
mpid=$!
if wait_for "$TMP/burst.err" '^kvctl: monitoring'; then pass burst-monitor-ready; else fail burst-monitor-ready "$(cat "$TMP/burst.err")"; fi
run "$KVCTL" batch "$TMP/burst.cmds"
expect_eq burst-batch-rc 0 "$rc"
wait "$mpid" && rc=0 || rc=$?
expect_eq burst-monitor-rc 0 "$rc"
expect_match burst-overflow-reported '(^|'$'\n'')overflow: .*ENOBUFS' "$(cat "$TMP/burst.out")"
expect_match burst-resynced '(^|'$'\n'')resynced: [0-9]+ entries' "$(cat "$TMP/burst.out")"
final=$(sed -n '/^# final view/,$p' "$TMP/burst.out" | tail -n +2)
listed=$("$KVCTL" list --prefix "${P}burst" 2>&1)
expect_eq burst-final-view-equals-list "$listed" "$final"
expect_eq burst-entry-count "$burst_expected" "$(printf '%s\n' "$listed" | grep -c .)"

# --- a reader that stops early (kvctl list | head -1) --------------------------------
KVTEST=${KVTEST:-$GENLKIT_ROOT/target/release/kvtest}
run "$KVTEST" fill --count 5000 --prefix "${P}pipe/"
expect_eq pipe-fill "0 filled 5000 entries under '${P}pipe/'" "$rc $out"
first=$("$KVCTL" list --prefix "${P}pipe/" 2>"$TMP/pipe.err" | head -n 1; echo "rc ${PIPESTATUS[0]}")
expect_eq closed-pipe-first-line "$(printf '%s\t%s\nrc 0' "${P}pipe/00000000" "hex:0000000000000000")" "$first"
expect_eq closed-pipe-no-message "" "$(cat "$TMP/pipe.err")"

# --- cleanup -------------------------------------------------------------------------
"$KVCTL" list --prefix "$P" | cut -f1 | sed 's/^/del /' >"$TMP/cleanup.cmds"
expect_ok cleanup "$KVCTL" batch "$TMP/cleanup.cmds"
expect_eq cleanup-empty "" "$("$KVCTL" list --prefix "$P" 2>&1)"

# --- module unloaded, and a monitor that outlives it ---------------------------------
"$KVCTL" monitor --count 1 --timeout 120 >"$TMP/reload.out" 2>"$TMP/reload.err" &
rpid=$!
if wait_for "$TMP/reload.err" '^kvctl: monitoring'; then pass reload-monitor-ready; else fail reload-monitor-ready "$(cat "$TMP/reload.err")"; fi
if rmmod kvstore; then
    run "$KVCTL" get x
    expect_eq unloaded-rc 4 "$rc"
    expect_match unloaded-msg 'kvstore is not loaded' "$out"
    insmod "$KMOD"
else
    fail unloaded-rmmod "rmmod kvstore failed"
fi
if wait_for "$TMP/reload.out" '^family-back: '; then pass reload-monitor-resubscribed; else fail reload-monitor-resubscribed "$(cat "$TMP/reload.out" "$TMP/reload.err")"; fi
"$KVCTL" put "${P}after-reload" v >/dev/null
wait "$rpid" && rc=0 || rc=$?
expect_eq reload-monitor-rc 0 "$rc"
expect_eq reload-monitor-saw-it-all "$(printf '%s\n' \
    'family-gone: kvstore was unloaded; waiting for it to come back' \
    'family-back: resubscribed, 0 entries at generation 0' \
    "new ${P}after-reload v (generation 1)")" "$(cat "$TMP/reload.out")"
"$KVCTL" del "${P}after-reload" >/dev/null
if module_loaded; then pass module-reloaded; else fail module-reloaded "kvstore not in /proc/modules"; fi
expect_ok after-reload-stats "$KVCTL" stats

rm -rf "$TMP"
