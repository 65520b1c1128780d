#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: @name@
"""@name@ (made by `genlkit-codegen new @name@`) through the kernel's YNL library, in a
fresh network namespace: every op, the nested config both ways, errors with their extack,
the notification. Prints `ok @name@: NAME` / `not ok @name@: NAME: ...` per check (lib/py)."""
import ast
import errno
import sys

from lib.py import ksft_eq, ksft_run, ksft_set_prefix, run_as

# Runs in a new network namespace (its own items), printing one Python value a line.
STEPS = """
def err(fn):
    try:
        fn()
        return None
    except NlError as e:
        x = e.nl_msg.extack or {}
        return (e.error, x.get("msg"), x.get("bad-attr"), x.get("miss-type"), "miss-nest" in x)
print(y.do("set", {"name": "a", "config": {"level": 5, "enabled": True}}))
print(y.do("set", {"name": "a", "config": {"level": 7}}))
y.do("set", {"name": "b", "config": {"level": 1}})
print(y.do("get", {"name": "a"}))
print([i["name"] for i in y.dump("get", {})])
print(err(lambda: y.do("set", {"name": "c", "config": {"level": 101}})))
print(err(lambda: y.do("set", {"name": "c", "config": {}})))
print(err(lambda: y.do("set", {"config": {"level": 1}})))
print(err(lambda: y.do("get", {"name": "nope"})))
listener = family("@name@")
listener.ntf_subscribe("events")
y.do("set", {"name": "n", "config": {"level": 3}})
print([(n["name"], n["msg"]) for n in listener.poll_ntf(duration=5)][:1])
"""


def main():
    ksft_set_prefix("@name@: ")
    rc, out = run_as(["unshare", "-n"], STEPS, "@name@")
    lines = [ast.literal_eval(line) for line in out.splitlines()] if rc == 0 else [out] * 9
    ksft_eq("set creates an item", {"name": "a", "config": {"level": 5, "enabled": True}, "version": 1},
            lines[0])
    ksft_eq("set replaces it (a flag left out is off)", {"name": "a", "config": {"level": 7}, "version": 2},
            lines[1])
    ksft_eq("get", {"name": "a", "config": {"level": 7}, "version": 2}, lines[2])
    ksft_eq("the dump lists every item in name order", ["a", "b"], lines[3])
    ksft_eq("a level out of range: ERANGE at config.level (the policy's range)",
            (errno.ERANGE, ".config.level"), lines[4][0:3:2] if isinstance(lines[4], tuple) else lines[4])
    ksft_eq("a config without level: EINVAL, missing in the nest",
            (errno.EINVAL, "missing required attribute in nest", None, 1, True), lines[5])
    ksft_eq("set without name: EINVAL, name missing",
            (errno.EINVAL, "missing required attribute", None, "name", False), lines[6])
    ksft_eq("get of a missing item: ENOENT at name", (errno.ENOENT, "no such item", ".name", None, False),
            lines[7])
    ksft_eq("changed-ntf is multicast to events",
            [("changed-ntf", {"name": "n", "config": {"level": 3}, "version": 1})], lines[8])


if __name__ == "__main__":
    sys.exit(ksft_run(main))
