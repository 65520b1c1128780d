#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
"""kvstore through the kernel's own YNL library (tools/net/ynl/pyynl), driven from one
process: every op, every error path with its errno and extack, put's modes, namespaces,
permissions and notifications. Malformed requests that YNL refuses to encode, and the
nlmsg_flags the core refuses (NLM_F_CREATE/EXCL/REPLACE), go through a raw socket.

Prints `ok NAME` / `not ok NAME: expected ..., got ...` per check (lib/py).
"""
import errno
import json
import struct
import subprocess
import sys
import time

from lib.py import NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, NOBODY, ROOT, NlError, family, ksft_eq, \
    ksft_run, ksft_true, nl_error, raw_request, reload_module, run_as


def main():
    y = family("kvstore")

    # --- echo
    req = {"key": "ping", "value": b"\x00\x01binary", "flags": ["text"], "generation": 1 << 40}
    r = y.do("echo", req)
    ksft_eq("echo returns the request's attributes", {**req, "flags": {"text"}}, {**r, "flags": set(r["flags"])})
    ksft_eq("echo with no attributes", {}, y.do("echo", {}))

    # --- put / get / dump / del / stats
    r = y.do("put", {"key": "alpha", "value": b"one", "flags": ["text"], "mode": "create"})
    ksft_eq("put replies with the entry", ("alpha", b"one", {"text"}), (r["key"], r["value"], set(r["flags"])))
    g0 = r["generation"]
    ksft_eq("get returns the entry", {"key": "alpha", "value": b"one", "flags": {"text"}},
            {**y.do("get", {"key": "alpha"}), "flags": set(y.do("get", {"key": "alpha"})["flags"])})
    r = y.do("put", {"key": "alpha", "value": b"uno", "mode": "replace"})
    ksft_eq("replace bumps the generation by one", g0 + 1, r["generation"])
    ksft_eq("replace changed the value", b"uno", y.do("get", {"key": "alpha"})["value"])
    for k in ["b/2", "b/1", "c", "b/3"]:
        y.do("put", {"key": k, "value": k.encode(), "mode": "create"})
    keys = [e["key"] for e in y.dump("get", {})]
    ksft_eq("dump lists every entry in key order", ["alpha", "b/1", "b/2", "b/3", "c"], keys)
    keys = [e["key"] for e in y.dump("get", {"key": "b/"})]
    ksft_eq("dump with a key prefix", ["b/1", "b/2", "b/3"], keys)
    ksft_eq("dump with a prefix nothing matches", [], y.dump("get", {"key": "zzz"}))
    r = y.do("del", {"key": "c"})
    ksft_eq("del replies with key and new generation", ("c", g0 + 6), (r["key"], r["generation"]))
    st = y.do("stats", {})
    ksft_eq("stats counts entries", 4, st["stats"]["entries"])
    ksft_eq("stats counts bytes", len("alpha") + 3 + 3 * (3 + 3), st["stats"]["bytes"])
    ksft_eq("stats counts the memory the entries occupy (small ones: one 64-byte node each)",
            4 * 64, st["stats"]["memory"])
    ksft_eq("stats reports the generation", g0 + 6, st["generation"])
    ksft_true("stats counts puts and dumps", st["stats"]["put-count"] >= 6 and st["stats"]["dump-count"] >= 3, st)
    big = bytes(range(256)) * 253 + b"x" * 232  # 65000 bytes: the most a value may hold
    r = y.do("put", {"key": "big", "value": big})
    ksft_eq("a 65000-byte value is stored", big, y.do("get", {"key": "big"})["value"])
    ksft_eq("a 65000-byte value comes back in a dump", big,
            [e["value"] for e in y.dump("get", {"key": "big"})][0])
    k255 = "k" * 255
    y.do("put", {"key": k255, "value": b""})
    ksft_eq("a 255-byte key and an empty value are stored", b"", y.do("get", {"key": k255})["value"])

    # --- errors, with errno and the extack naming the attribute
    e, ext = nl_error(lambda: y.do("put", {"value": b"v"}))
    ksft_eq("put without key: EINVAL, missing attribute key", (errno.EINVAL, "key"), (e, ext.get("miss-type")))
    e, ext = nl_error(lambda: y.do("get", {}))
    ksft_eq("get without key: EINVAL, missing attribute key", (errno.EINVAL, "key"), (e, ext.get("miss-type")))
    e, ext = nl_error(lambda: y.do("put", {"key": "k" * 256, "value": b""}))
    ksft_eq("over-long key: EINVAL at key", (errno.EINVAL, ".key"), (e, ext.get("bad-attr")))
    e, ext = nl_error(lambda: y.do("put", {"key": "", "value": b""}))
    ksft_eq("empty key: EINVAL at key with a message", (errno.EINVAL, ".key", "key must not be empty"),
            (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nl_error(lambda: y.do("put", {"key": "v", "value": b"x" * 65001}))
    # The core answers ERANGE for binary attributes over their length.
    ksft_eq("over-long value: ERANGE at value", (errno.ERANGE, ".value"), (e, ext.get("bad-attr")))

    # --- put's mode attribute: upsert (also when absent), create, replace
    e, ext = nl_error(lambda: y.do("put", {"key": "alpha", "value": b"x", "mode": "create"}))
    ksft_eq("put mode create on an existing key: EEXIST at key with a message",
            (errno.EEXIST, ".key", "entry exists (mode create)"), (e, ext.get("bad-attr"), ext.get("msg")))
    ksft_eq("a refused create leaves the entry alone", b"uno", y.do("get", {"key": "alpha"})["value"])
    e, ext = nl_error(lambda: y.do("put", {"key": "nope", "value": b"x", "mode": "replace"}))
    ksft_eq("put mode replace on a missing key: ENOENT at key with a message",
            (errno.ENOENT, ".key", "entry does not exist (mode replace)"), (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nl_error(lambda: y.do("get", {"key": "nope"}))
    ksft_eq("a refused replace creates nothing", errno.ENOENT, e)
    y.do("put", {"key": "ups", "value": b"1", "mode": "upsert"})
    ksft_eq("put mode upsert creates a missing key", b"1", y.do("get", {"key": "ups"})["value"])
    y.do("put", {"key": "ups", "value": b"2", "mode": "upsert"})
    ksft_eq("put mode upsert overwrites an existing key", b"2", y.do("get", {"key": "ups"})["value"])
    y.do("put", {"key": "ups", "value": b"3"})
    ksft_eq("put without mode overwrites an existing key (upsert)", b"3", y.do("get", {"key": "ups"})["value"])
    y.do("del", {"key": "ups"})
    y.do("put", {"key": "ups", "value": b"4"})
    ksft_eq("put without mode creates a missing key (upsert)", b"4", y.do("get", {"key": "ups"})["value"])
    y.do("put", {"key": "ups", "value": b"5", "mode": "replace"})
    ksft_eq("put mode replace overwrites an existing key", b"5", y.do("get", {"key": "ups"})["value"])
    y.do("del", {"key": "ups"})
    y.do("put", {"key": "ups", "value": b"6", "mode": "create"})
    ksft_eq("put mode create creates a missing key", b"6", y.do("get", {"key": "ups"})["value"])
    y.do("del", {"key": "ups"})
    # The policy's range is the enum's: the core refuses 3 before the handler runs.
    e, ext = nl_error(lambda: y.do("put", {"key": "ups", "value": b"x", "mode": 3}))
    ksft_eq("put mode 3 (past put-mode): ERANGE at mode, from the policy",
            (errno.ERANGE, ".mode", "integer out of range"), (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nl_error(lambda: y.do("put", {"key": "ups", "value": b"x", "mode": 0xFFFFFFFF}))
    ksft_eq("put mode 0xffffffff: ERANGE at mode", (errno.ERANGE, ".mode"), (e, ext.get("bad-attr")))
    e, ext = nl_error(lambda: y.do("get", {"key": "ups"}))
    ksft_eq("a refused mode stores nothing", errno.ENOENT, e)
    e, ext = nl_error(lambda: y.do("get", {"key": "nope"}))
    ksft_eq("get of a missing key: ENOENT at key", (errno.ENOENT, ".key", "no entry with this key"),
            (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nl_error(lambda: y.do("del", {"key": "nope"}))
    ksft_eq("del of a missing key: ENOENT at key", (errno.ENOENT, ".key"), (e, ext.get("bad-attr")))

    ENTRY_KEY, ENTRY_VALUE, ENTRY_FLAGS, ENTRY_GEN, ENTRY_MODE = 1, 2, 3, 4, 7
    CMD_ECHO, CMD_PUT, CMD_GET = 1, 2, 3
    key_ok = (ENTRY_KEY, b"raw\0")
    e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_FLAGS, b"\x01\x00")])
    ksft_eq("wrong attribute type (flags as 2 bytes): EINVAL at flags", (errno.EINVAL, 20 + 8 + 8),
            (e, ext.get("bad-attr-offs")))
    e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_FLAGS, struct.pack("I", 4))])
    ksft_eq("undefined flag bits: EINVAL at flags", (errno.EINVAL, 36), (e, ext.get("bad-attr-offs")))
    e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_GEN, struct.pack("Q", 1))])
    ksft_eq("attribute the op does not take (generation in put): EINVAL", (errno.EINVAL, 36),
            (e, ext.get("bad-attr-offs")))
    e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_MODE, b"\x01\x00")])
    ksft_eq("mode as 2 bytes: EINVAL at mode", (errno.EINVAL, 36), (e, ext.get("bad-attr-offs")))
    e, ext = raw_request(y, CMD_ECHO, [(ENTRY_MODE, struct.pack("I", 1))])
    ksft_eq("mode on echo, which does not take it: EINVAL at mode", (errno.EINVAL, 20), (e, ext.get("bad-attr-offs")))
    e, ext = raw_request(y, CMD_GET, [key_ok, (99, b"")])
    ksft_eq("unknown attribute type: EINVAL with a message", (errno.EINVAL, True),
            (e, "attribute" in ext.get("msg", "")))
    e, ext = raw_request(y, CMD_GET, [(ENTRY_KEY, b"no-nul")])
    ksft_eq("key without its NUL: EINVAL at key", (errno.EINVAL, 20), (e, ext.get("bad-attr-offs")))
    e, ext = raw_request(y, CMD_ECHO, [], reserved=1)
    ksft_eq("reserved header byte set: EINVAL", (errno.EINVAL, "genlmsghdr.reserved field is not 0"),
            (e, ext.get("msg")))
    e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v")], reserved=1)
    ksft_eq("reserved header byte set on put: EINVAL", (errno.EINVAL, "genlmsghdr.reserved field is not 0"),
            (e, ext.get("msg")))
    # resv_start_op is 0: the core takes nlmsg_flags beyond REQUEST, ACK, ECHO (and DUMP) for
    # ambiguous on every command, put included; its mode is an attribute instead.
    refused = (errno.EINVAL, "ambiguous or reserved bits set in nlmsg_flags")
    e, ext = raw_request(y, CMD_GET, [key_ok], flags=NLM_F_CREATE)
    ksft_eq("NLM_F_CREATE on get: EINVAL", refused, (e, ext.get("msg")))
    for name, f in [("NLM_F_CREATE", NLM_F_CREATE), ("NLM_F_EXCL", NLM_F_EXCL), ("NLM_F_REPLACE", NLM_F_REPLACE),
                    ("NLM_F_CREATE|NLM_F_REPLACE", NLM_F_CREATE | NLM_F_REPLACE),
                    ("NLM_F_CREATE|NLM_F_EXCL", NLM_F_CREATE | NLM_F_EXCL)]:
        e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v")], flags=f)
        ksft_eq(f"{name} on put: EINVAL", refused, (e, ext.get("msg")))
    e, ext = raw_request(y, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_MODE, struct.pack("I", 1))],
                         flags=NLM_F_CREATE | NLM_F_EXCL)
    ksft_eq("NLM_F_CREATE|NLM_F_EXCL on put with a mode: EINVAL", refused, (e, ext.get("msg")))
    e, ext = nl_error(lambda: y.do("put", {"key": "raw", "value": b"v"}, [NLM_F_CREATE]))
    ksft_eq("YNL's put with NLM_F_CREATE: EINVAL", refused, (e, ext.get("msg")))
    e, ext = nl_error(lambda: y.do("get", {"key": "raw"}))
    ksft_eq("refused puts stored nothing", errno.ENOENT, e)
    e, ext = raw_request(y, 42, [])
    ksft_eq("undefined command: EOPNOTSUPP", errno.EOPNOTSUPP, e)
    e, ext = raw_request(y, CMD_ECHO, [(ENTRY_KEY, b"v2\0")], version=2)
    ksft_eq("a request for another version is served (genl versions are informational)", 0, e)

    # --- permissions: put and del need CAP_NET_ADMIN over the namespace
    rc, out = run_as(NOBODY, "print(y.do('get', {'key': 'alpha'})['value'])", "kvstore")
    ksft_eq("an unprivileged user can get", (0, "b'uno'"), (rc, out))
    code = """
try:
    y.do('{op}', {{'key': 'alpha', 'value': b'x'}} if '{op}' == 'put' else {{'key': 'alpha'}})
    print('no error')
except NlError as e:
    print(e.error)
"""
    for op in ["put", "del"]:
        rc, out = run_as(NOBODY, code.format(op=op), "kvstore")
        ksft_eq(f"an unprivileged user gets EPERM on {op}", str(errno.EPERM), out)
    rc, out = run_as(["unshare", "-Ur"], code.format(op="put"), "kvstore")
    ksft_eq("root of a user namespace gets EPERM on put in the initial netns", str(errno.EPERM), out)
    rc, out = run_as(["unshare", "-Urn"], "y.do('put', {'key': 'mine', 'value': b'1'}); "
                                          "print(y.do('get', {'key': 'mine'})['value'])", "kvstore")
    ksft_eq("root of a user namespace may put in its own netns", "b'1'", out)

    # --- namespaces: each netns has its own store
    rc, out = run_as(["unshare", "-n"],
                     "import errno\ntry:\n y.do('get', {'key': 'alpha'}); print('visible')\n"
                     "except NlError as e:\n print(e.error)\n"
                     "y.do('put', {'key': 'only-here', 'value': b'1'})\n"
                     "print([e['key'] for e in y.dump('get', {})])", "kvstore")
    ksft_eq("an entry of the initial netns is invisible from another netns", f"{errno.ENOENT}\n['only-here']", out)
    e, ext = nl_error(lambda: y.do("get", {"key": "only-here"}))
    ksft_eq("an entry of another netns is invisible from the initial netns", errno.ENOENT, e)

    # --- notifications
    listener = family("kvstore")
    listener.ntf_subscribe("notify")
    y.do("put", {"key": "ntf", "value": b"1"})
    y.do("del", {"key": "ntf"})
    events = []
    for ntf in listener.poll_ntf(duration=5):
        events.append((ntf["name"], ntf["msg"]["key"]))
        if len(events) == 2:
            break
    ksft_eq("new-ntf and del-ntf are multicast to notify", [("new-ntf", "ntf"), ("del-ntf", "ntf")], events)
    st = y.do("stats", {})["stats"]
    ksft_true("stats counts notifications sent", st["notify-sent"] >= 2, st)

    # --- the controller's view of the policies
    pol = y.get_policy("put", "do")
    ksft_eq("the put policy is visible through the controller", True, pol is not None)
    if pol is not None:
        ksft_eq("put policy: key is a NUL string of at most 255 bytes", ("nul-string", 255),
                (pol["key"].type, pol["key"].max_length))
        ksft_eq("put policy: value is binary of at most 65000 bytes", ("binary", 65000),
                (pol["value"].type, pol["value"].max_length))
        ksft_eq("put policy: flags is a u32 mask of the defined bits", ("u32", 3),
                (pol["flags"].type, pol["flags"].mask))
        ksft_eq("put policy: mode is a u32 in put-mode's range 0..2", ("u32", 0, 2),
                (pol["mode"].type, pol["mode"].min_value, pol["mode"].max_value))

    # --- kvctl (the Rust client) and YNL agree on the same store
    kvctl = f"{ROOT}/target/release/kvctl"
    subprocess.run([kvctl, "put", "agree/bin", "--value-file", "/proc/self/cmdline"], check=True,
                   capture_output=True)
    subprocess.run([kvctl, "put", "agree/txt", "hello", "--flags", "text"], check=True, capture_output=True)
    ours = json.loads(subprocess.run([kvctl, "list", "--json"], capture_output=True, text=True).stdout)
    def as_ynl(e):
        v = e["value"].encode() if e["encoding"] == "utf8" else bytes.fromhex(e["value"].removeprefix("hex:"))
        return (e["key"], v, set(e["flags"]))
    theirs = [(e["key"], e["value"], set(e.get("flags", []))) for e in y.dump("get", {})]
    ksft_eq("kvctl list and YNL's dump agree", theirs, [as_ynl(e) for e in ours])
    st_ynl = y.do("stats", {})
    st_kvctl = json.loads(subprocess.run([kvctl, "stats", "--json"], capture_output=True, text=True).stdout)
    ksft_eq("kvctl stats and YNL agree on entries and generation",
            (st_ynl["stats"]["entries"], st_ynl["generation"]), (st_kvctl.get("entries"), st_kvctl.get("generation")))

    # --- limits (module parameters): ENOSPC with a message
    # (ksft_exit() reloads kvstore with its default parameters, even if limits() raises)
    reload_module("kvstore", "max_entries=2", "max_bytes=300")
    limits(family("kvstore"))
    reload_module("kvstore", "max_total_entries=3")
    total_limits(family("kvstore"))


def limits(y):
    y.do("put", {"key": "a", "value": b"1", "mode": "create"})
    y.do("put", {"key": "b", "value": b"1"})
    e, ext = nl_error(lambda: y.do("put", {"key": "c", "value": b"1"}))
    ksft_eq("put past max_entries: ENOSPC with a message", (errno.ENOSPC, "store is full (max_entries reached)"),
            (e, ext.get("msg")))
    # Two small entries take 2 x 64 bytes (key and value inside the node); a 200-byte value
    # needs a 256-byte block of its own besides the node, past max_bytes=300.
    e, ext = nl_error(lambda: y.do("put", {"key": "a", "value": b"x" * 200, "mode": "replace"}))
    ksft_eq("put past max_bytes: ENOSPC at value", (errno.ENOSPC, ".value", "store is full (max_bytes reached)"),
            (e, ext.get("bad-attr"), ext.get("msg")))
    ksft_eq("... and the entry is unchanged", b"1", y.do("get", {"key": "a"})["value"])


def total_limits(y):
    """max_total_entries holds across namespaces: a namespace cannot take what others left."""
    y.do("put", {"key": "a", "value": b"1"})
    y.do("put", {"key": "b", "value": b"1"})
    _, out = run_as(["unshare", "-Urn"], """
        y.do("put", {"key": "mine", "value": b"1"})
        try:
            y.do("put", {"key": "more", "value": b"1"})
            print("stored")
        except NlError as e:
            print(e.error, (e.nl_msg.extack or {}).get("msg"))
        """, "kvstore")
    ksft_eq("past max_total_entries, in another namespace: ENOSPC with a message",
            f"{errno.ENOSPC} kvstore is full (max_total_entries reached)", out)
    # The namespace goes away in the background (cleanup_net) once its last process exits.
    stored, deadline = False, time.monotonic() + 30
    while not stored and time.monotonic() < deadline:
        try:
            y.do("put", {"key": "c", "value": b"1"})
            stored = True
        except NlError:
            time.sleep(0.2)
    ksft_true("... and a namespace that went away gave its entry back", stored)


if __name__ == "__main__":
    sys.exit(ksft_run(main))
