#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
"""The benchmark's C twin (tools/bench/ctwin, family kvctwin) against kvstore: kvbench compares
their puts, which is fair only if the twin's put does what kvstore's does. The same requests
to both must give the same replies (generations counted from each store's first), errnos and
extack messages, and the same new-ntf notification. The twin is a benchmark peer, not a kmod/
module: this file loads it (scripts/test builds it with `scripts/bench --build-twin`) and
unloads it after, freeing its entries under kmemleak's eye. Prints `ok ctwin put: NAME` /
`not ok ctwin put: NAME: ...` per check (lib/py)."""
import os
import struct
import subprocess

from lib.py import OUT, ROOT, SCHEMA, NlError, YnlFamily, family, ksft_defer, ksft_eq, ksft_run, \
    ksft_set_prefix, ksft_true, raw_request, spec_path

CTWIN = os.environ.get("CTWIN") or f"{ROOT}/tools/bench/ctwin/kvstore_ctwin.ko"
# kvstore keeps the entries of the files before this one: keys under a prefix only we use.
P = "ctwin-put/"


def loaded(name):
    with open("/proc/modules") as f:
        return any(line.split()[0] == name for line in f)


def rmmod_twin():
    subprocess.run(["rmmod", "kvstore_ctwin"], check=True)


def twin():
    """A YnlFamily for kvctwin: kvstore's spec under the twin's family name."""
    with open(spec_path("kvstore")) as f:
        spec = f.read()
    assert "\nname: kvstore\n" in spec
    path = os.path.join(OUT, "kvctwin.yaml")
    with open(path, "w") as f:
        f.write(spec.replace("\nname: kvstore\n", "\nname: kvctwin\n", 1))
    return YnlFamily(path, schema=SCHEMA)


def put(fam, req):
    """(reply or None, errno, extack) of a put."""
    try:
        return fam.do("put", req), 0, {}
    except NlError as e:
        return None, e.error, e.nl_msg.extack or {}


def main():
    ksft_set_prefix("ctwin put: ")
    if loaded("kvstore_ctwin"):
        rmmod_twin()
    subprocess.run(["insmod", CTWIN], check=True)
    ksft_defer("rmmod the C twin", rmmod_twin)
    kv, ct = family("kvstore"), twin()

    big = bytes(range(256)) * 253 + b"x" * 232  # 65000 bytes
    cases = [
        ("mode create, new key", {"key": P + "a", "value": b"one", "flags": ["text"], "mode": "create"}),
        ("mode create, existing key", {"key": P + "a", "value": b"two", "mode": "create"}),
        ("mode replace, missing key", {"key": P + "b", "value": b"x", "mode": "replace"}),
        ("mode replace, existing key",
         {"key": P + "a", "value": b"three", "flags": ["text", "compressed"], "mode": "replace"}),
        ("no mode (upsert), existing key", {"key": P + "a", "value": b"four"}),
        ("mode upsert, new key, empty value", {"key": P + "c", "value": b"", "mode": "upsert"}),
        ("no mode (upsert), new key", {"key": P + "d", "value": b"\0\1\2"}),
        ("empty key", {"key": "", "value": b"x"}),
        ("no key", {"value": b"x"}),
        ("no value", {"key": P + "e"}),
        ("255-byte key", {"key": P + "k" * (255 - len(P)), "value": b"v"}),
        ("256-byte key", {"key": P + "k" * (256 - len(P)), "value": b"v"}),
        ("65000-byte value", {"key": P + "big", "value": big}),
        ("65001-byte value", {"key": P + "big", "value": big + b"x"}),
        ("mode 3", {"key": P + "f", "value": b"x", "mode": 3}),
    ]
    gens = {"kvstore": [], "kvctwin": []}
    for name, req in cases:
        (kr, ke, kx), (cr, ce, cx) = put(kv, req), put(ct, req)
        ksft_eq(f"{name}: errno and extack as kvstore's", (ke, kx), (ce, cx))
        if kr is not None and cr is not None:
            gens["kvstore"].append(kr.pop("generation"))
            gens["kvctwin"].append(cr.pop("generation"))
            ksft_eq(f"{name}: reply as kvstore's (generation aside)", kr, cr)
    ksft_eq("each stored put bumps the generation by one, in both", gens["kvstore"][-1] - gens["kvstore"][0],
            gens["kvctwin"][-1] - gens["kvctwin"][0])
    ksft_true("the twin's generations count 1, 2, ... from its load",
              gens["kvctwin"] == list(range(1, len(gens["kvctwin"]) + 1)), gens["kvctwin"])

    # What YNL will not encode, by hand: the same errno and offending attribute in both.
    key = (1, P.encode() + b"raw\0")
    for name, attrs in [("undefined flag bits", [key, (2, b"v"), (3, struct.pack("I", 4))]),
                        ("flags as 2 bytes", [key, (2, b"v"), (3, b"\1\0")]),
                        ("an attribute put does not take (generation)", [key, (2, b"v"), (4, struct.pack("Q", 1))]),
                        ("mode as 2 bytes", [key, (2, b"v"), (7, b"\1\0")]),
                        ("key without its NUL", [(1, b"raw"), (2, b"v")])]:
        ksft_eq(f"{name}: errno and extack as kvstore's", raw_request(kv, 2, attrs), raw_request(ct, 2, attrs))

    # new-ntf, as kvstore's: the entry and the generation of the reply.
    got = {}
    for fam, fname in ((kv, "kvstore"), (ct, "kvctwin")):
        listener = family("kvstore") if fname == "kvstore" else twin()
        listener.ntf_subscribe("notify")
        reply = fam.do("put", {"key": P + "ntf", "value": b"n", "flags": ["compressed"]})
        for ntf in listener.poll_ntf(duration=5):
            got[fname] = (ntf["name"], ntf["msg"], reply["generation"])
            break
    ksft_true("the twin multicasts new-ntf to notify", "kvctwin" in got, got)
    if "kvstore" in got and "kvctwin" in got:
        (kn, km, kg), (cn, cm, cg) = got["kvstore"], got["kvctwin"]
        ksft_eq("new-ntf carries the reply's generation", cg, cm.get("generation"))
        ksft_eq("new-ntf as kvstore's (generation aside)", (kn, {**km, "generation": None}),
                (cn, {**cm, "generation": None}))


if __name__ == "__main__":
    raise SystemExit(ksft_run(main))
