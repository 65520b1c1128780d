#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: counters
"""counters, the second family (made from specs/counters.yaml by the README's recipe),
through the kernel's YNL library and its CLI: every op, errors, permissions, namespaces,
notifications, the max_counters bound, a dump that fails midway (the error in NLMSG_DONE).
Prints `ok counters: NAME` / `not ok counters: NAME: ...` per check (lib/py)."""
import errno
import json
import sys

from lib.py import (NOBODY, Netlink, family, ksft_eq, ksft_run, ksft_set_prefix, nl_error, raw_dump,
                    reload_module, run_as, ynl_cli)


def main():
    ksft_set_prefix("counters: ")
    y = family("counters")
    ksft_eq("add creates a counter at delta", {"name": "rx", "value": 5, "sock-adds": 1},
            y.do("add", {"name": "rx", "delta": 5}))
    ksft_eq("add without delta adds 1", 6, y.do("add", {"name": "rx"})["value"])
    ksft_eq("add wraps at 2^64", 4, y.do("add", {"name": "rx", "delta": (1 << 64) - 2})["value"])
    y.do("add", {"name": "a"})
    y.do("add", {"name": "z", "delta": 9})
    ksft_eq("get", {"name": "z", "value": 9}, y.do("get", {"name": "z"}))
    ksft_eq("dump lists every counter in name order", ["a", "rx", "z"], [c["name"] for c in y.dump("get", {})])
    for i in range(300):
        y.do("add", {"name": f"many-{i:03}"})
    names = [c["name"] for c in y.dump("get", {})]
    ksft_eq("a dump over several rounds has every counter once, in order", 303, len(set(names)))
    ksft_eq("... sorted", sorted(names), names)

    # sock-adds: each socket's own state (sock-priv), from its first add until it is closed.
    a, b = family("counters"), family("counters")
    seen = [s.do("add", {"name": "by-sock"})["sock-adds"] for s in (a, a, b, a, b)]
    ksft_eq("each socket counts its own adds (sock-priv)", [1, 2, 1, 3, 2], seen)
    ksft_eq("a failed add is not counted", (errno.EINVAL, 4),
            (nl_error(lambda: a.do("add", {"name": ""}))[0], a.do("add", {"name": "by-sock"})["sock-adds"]))
    a.sock.close()
    ksft_eq("a new socket, after another closed, starts at 1", 1,
            family("counters").do("add", {"name": "by-sock"})["sock-adds"])

    e, ext = nl_error(lambda: y.do("get", {"name": "nope"}))
    ksft_eq("get of a missing counter: ENOENT at name", (errno.ENOENT, ".name", "no such counter"),
            (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nl_error(lambda: y.do("add", {"delta": 1}))
    ksft_eq("add without name: EINVAL, missing name", (errno.EINVAL, "name"), (e, ext.get("miss-type")))
    e, ext = nl_error(lambda: y.do("add", {"name": "n" * 64}))
    ksft_eq("over-long name: EINVAL at name", (errno.EINVAL, ".name"), (e, ext.get("bad-attr")))
    e, ext = nl_error(lambda: y.do("add", {"name": ""}))
    ksft_eq("empty name: EINVAL with a message", (errno.EINVAL, "name must not be empty"), (e, ext.get("msg")))

    # add-batch: repeated nests in the request and the reply, all or none.
    ksft_eq("add-batch adds in order and replies with each new value",
            [{"name": "z", "value": 11}, {"name": "b1", "value": 1}, {"name": "z", "value": 14}],
            y.do("add-batch", {"item": [{"name": "z", "delta": 2}, {"name": "b1"},
                                        {"name": "z", "delta": 3}]})["item"])
    ksft_eq("... and the counters hold them", [9 + 5, 1],
            [y.do("get", {"name": n})["value"] for n in ("z", "b1")])
    e, ext = nl_error(lambda: y.do("add-batch", {"item": [{"name": "z"}, {"delta": 1}]}))
    # The second item's nest starts at 32: 16 (nlmsghdr) + 4 (genlmsghdr) + 12 (the first item).
    # ynl names miss-type only at the top level: inside a nest it is the number (name = 1).
    ksft_eq("an item without name: EINVAL, name (1) missing in the second item (miss-nest 32)",
            (errno.EINVAL, 1, 32, "missing required attribute in nest"),
            (e, ext.get("miss-type"), ext.get("miss-nest"), ext.get("msg")))
    ksft_eq("... and nothing was added (z unchanged)", 14, y.do("get", {"name": "z"})["value"])
    e, ext = nl_error(lambda: y.do("add-batch", {}))
    ksft_eq("add-batch without items: EINVAL, item missing", (errno.EINVAL, "item"), (e, ext.get("miss-type")))
    e, ext = nl_error(lambda: y.do("add-batch", {"item": [{"name": f"x{i}"} for i in range(65)]}))
    ksft_eq("65 items: E2BIG at item", (errno.E2BIG, ".item", "too many items (64 at most)"),
            (e, ext.get("bad-attr"), ext.get("msg")))
    ksft_eq("... and none of them was added", [], [c["name"] for c in y.dump("get", {}) if c["name"].startswith("x")])
    e, ext = nl_error(lambda: y.do("add-batch", {"item": [{"name": "z", "delta": 1}, {"name": "n" * 64}]}))
    ksft_eq("an over-long name in an item: EINVAL at item.name", (errno.EINVAL, ".item.name"), (e, ext.get("bad-attr")))
    y.do("add", {"name": "z", "delta": (1 << 64) - 5})  # back to 9

    _, out = run_as(NOBODY, "print(y.do('get', {'name': 'z'})['value'])\n"
                            "try:\n y.do('add', {'name': 'z'}); print('added')\n"
                            "except NlError as e:\n print(e.error)", "counters")
    ksft_eq("an unprivileged user may get but not add (EPERM)", f"9\n{errno.EPERM}", out)
    _, out = run_as(["unshare", "-Urn"], "y.do('add', {'name': 'own'}); print([c['name'] for c in y.dump('get', {})])",
                    "counters")
    ksft_eq("a new netns has its own counters", "['own']", out)

    listener = family("counters")
    listener.ntf_subscribe("events")
    y.do("add", {"name": "ev", "delta": 3})
    events = [(n["name"], n["msg"]) for n in listener.poll_ntf(duration=5)][:1]
    ksft_eq("changed-ntf is multicast to events", [("changed-ntf", {"name": "ev", "value": 3})], events)

    rc, out, err = ynl_cli("counters", "--do", "get", "--json", '{"name": "z"}')
    ksft_eq("the YNL CLI gets a counter", (0, {"name": "z", "value": 9}), (rc, json.loads(out) if rc == 0 else err))
    rc, out, err = ynl_cli("counters", "--do", "add", "--json", '{"name": "z", "delta": 1}')
    ksft_eq("the YNL CLI adds", (0, 10), (rc, json.loads(out)["value"] if rc == 0 else err))
    rc, out, err = ynl_cli("counters", "--dump", "get")
    ksft_eq("the YNL CLI dumps", (0, 306), (rc, len(json.loads(out)) if rc == 0 else err))

    # Bounded: past max_counters, a new counter is refused cleanly; existing ones still count.
    reload_module("counters", "max_counters=5")
    y = family("counters")
    for i in range(5):
        y.do("add", {"name": f"c{i}"})
    e, ext = nl_error(lambda: y.do("add", {"name": "c5"}))
    ksft_eq("past max_counters: ENOSPC at name", (errno.ENOSPC, ".name", "too many counters (max_counters)"),
            (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nl_error(lambda: y.do("add-batch", {"item": [{"name": "c0", "delta": 5}, {"name": "c6"}]}))
    ksft_eq("add-batch past max_counters: ENOSPC, all or none", (errno.ENOSPC, "too many counters (max_counters)", 1),
            (e, ext.get("msg"), y.do("get", {"name": "c0"})["value"]))
    ksft_eq("add-batch of existing counters at max_counters", [2, 3],
            [i["value"] for i in y.do("add-batch", {"item": [{"name": "c0"}, {"name": "c1", "delta": 2}]})["item"]])
    ksft_eq("... an existing counter still counts", 2, y.do("add", {"name": "c4"})["value"])
    ksft_eq("... and nothing was added", 5, len(y.dump("get", {})))

    # A dump that fails midway (the test-only dump_error_after): the core sends the entries
    # written, then NLMSG_DONE carrying the error and the extack; YNL raises at it.
    reload_module("counters", "dump_error_after=2")
    y = family("counters")
    get, name = y.ops["get"].req_value, y.attr_sets["counter"]["name"].value
    names = [f"d{i}" for i in range(5)]
    for n in names[:2]:
        y.do("add", {"name": n})
    ksft_eq("dump_error_after=2: a dump of 2 counters does not fail", names[:2], [c["name"] for c in y.dump("get", {})])
    for n in names[2:]:
        y.do("add", {"name": n})
    injected = "injected dump error (dump_error_after)"
    e, ext = nl_error(lambda: y.dump("get", {}))
    ksft_eq("dump_error_after=2: a dump of 5 counters fails with EIO and the extack message",
            (errno.EIO, injected), (e, ext.get("msg")))
    entries, end, e, ext = raw_dump(y, get)
    ksft_eq("dump_error_after=2, raw: 2 entries, then NLMSG_DONE with EIO and the extack message",
            (["d0", "d1"], Netlink.NLMSG_DONE, errno.EIO, injected),
            ([a.get(name, b"").rstrip(b"\0").decode() for a in entries], end, e, ext.get("msg")))
    reload_module("counters")
    y = family("counters")
    for n in names:
        y.do("add", {"name": n})
    ksft_eq("dump_error_after=0 (the default): the dump has all 5", names, [c["name"] for c in y.dump("get", {})])
    entries, end, e, ext = raw_dump(y, get)
    ksft_eq("dump_error_after=0, raw: 5 entries, then NLMSG_DONE with 0 and no extack",
            (names, Netlink.NLMSG_DONE, 0, {}), ([a.get(name, b"").rstrip(b"\0").decode() for a in entries], end, e, ext))
    reload_module("counters")


if __name__ == "__main__":
    sys.exit(ksft_run(main))
