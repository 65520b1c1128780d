#!/usr/bin/env python3
"""counters, the second family (made from specs/counters.yaml by the README's recipe),
through the kernel's YNL library and its CLI: every op, errors, permissions, namespaces,
notifications. Prints `ok NAME` / `not ok NAME: ...` per check."""
import errno
import json
import os
import subprocess
import sys

ROOT = os.environ["GENLKIT_ROOT"]
KSRC = os.environ["KSRC"]
KO = f"{ROOT}/kmod/counters/counters.ko"
SPEC = f"{ROOT}/specs/counters.yaml"
SCHEMA = f"{KSRC}/Documentation/netlink/genetlink.yaml"
sys.path.insert(0, f"{KSRC}/tools/net/ynl")
from pyynl.lib import NlError, YnlFamily  # noqa: E402

failures = 0


def check(name, expected, got):
    global failures
    if expected == got:
        print(f"ok counters: {name}")
    else:
        failures += 1
        print(f"not ok counters: {name}: expected {expected!r}, got {got!r}")


def error_of(fn):
    try:
        fn()
        return 0, {}
    except NlError as e:
        return e.error, e.nl_msg.extack or {}


def cli(*args):
    """The kernel's YNL CLI, one process per call."""
    r = subprocess.run(["/usr/bin/python3", f"{KSRC}/tools/net/ynl/pyynl/cli.py", "--spec", SPEC,
                        "--schema", SCHEMA, "--output-json", *args], capture_output=True, text=True)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def in_subprocess(argv, code):
    prog = (f"import sys; sys.path.insert(0, {KSRC + '/tools/net/ynl'!r})\n"
            f"from pyynl.lib import YnlFamily, NlError\n"
            f"y = YnlFamily({SPEC!r}, schema={SCHEMA!r})\n" + code)
    r = subprocess.run(argv + ["/usr/bin/python3", "-c", prog], capture_output=True, text=True, timeout=300)
    return (r.stdout + r.stderr).strip()


def main():
    subprocess.run(["insmod", KO], check=True)
    try:
        y = YnlFamily(SPEC, schema=SCHEMA)
        check("add creates a counter at delta", {"name": "rx", "value": 5}, y.do("add", {"name": "rx", "delta": 5}))
        check("add without delta adds 1", 6, y.do("add", {"name": "rx"})["value"])
        check("add wraps at 2^64", 4, y.do("add", {"name": "rx", "delta": (1 << 64) - 2})["value"])
        y.do("add", {"name": "a"})
        y.do("add", {"name": "z", "delta": 9})
        check("get", {"name": "z", "value": 9}, y.do("get", {"name": "z"}))
        check("dump lists every counter in name order", ["a", "rx", "z"], [c["name"] for c in y.dump("get", {})])
        for i in range(300):
            y.do("add", {"name": f"many-{i:03}"})
        names = [c["name"] for c in y.dump("get", {})]
        check("a dump over several rounds has every counter once, in order", 303, len(set(names)))
        check("... sorted", sorted(names), names)

        e, ext = error_of(lambda: y.do("get", {"name": "nope"}))
        check("get of a missing counter: ENOENT at name", (errno.ENOENT, ".name", "no such counter"),
              (e, ext.get("bad-attr"), ext.get("msg")))
        e, ext = error_of(lambda: y.do("add", {"delta": 1}))
        check("add without name: EINVAL, missing name", (errno.EINVAL, "name"), (e, ext.get("miss-type")))
        e, ext = error_of(lambda: y.do("add", {"name": "n" * 64}))
        check("over-long name: EINVAL at name", (errno.EINVAL, ".name"), (e, ext.get("bad-attr")))
        e, ext = error_of(lambda: y.do("add", {"name": ""}))
        check("empty name: EINVAL with a message", (errno.EINVAL, "name must not be empty"), (e, ext.get("msg")))

        nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
        out = in_subprocess(nobody, "print(y.do('get', {'name': 'z'})['value'])\n"
                                    "try:\n y.do('add', {'name': 'z'}); print('added')\n"
                                    "except NlError as e:\n print(e.error)")
        check("an unprivileged user may get but not add (EPERM)", f"9\n{errno.EPERM}", out)
        out = in_subprocess(["unshare", "-Urn"], "y.do('add', {'name': 'own'}); print([c['name'] for c in y.dump('get', {})])")
        check("a new netns has its own counters", "['own']", out)

        listener = YnlFamily(SPEC, schema=SCHEMA)
        listener.ntf_subscribe("events")
        y.do("add", {"name": "ev", "delta": 3})
        events = [(n["name"], n["msg"]) for n in listener.poll_ntf(duration=5)][:1]
        check("changed-ntf is multicast to events", [("changed-ntf", {"name": "ev", "value": 3})], events)

        rc, out, err = cli("--do", "get", "--json", '{"name": "z"}')
        check("the YNL CLI gets a counter", (0, {"name": "z", "value": 9}), (rc, json.loads(out) if rc == 0 else err))
        rc, out, err = cli("--do", "add", "--json", '{"name": "z", "delta": 1}')
        check("the YNL CLI adds", (0, 10), (rc, json.loads(out)["value"] if rc == 0 else err))
        rc, out, err = cli("--dump", "get")
        check("the YNL CLI dumps", (0, 304), (rc, len(json.loads(out)) if rc == 0 else err))
    finally:
        subprocess.run(["rmmod", "counters"], check=False)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
