#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: counters
"""The Rust client generated from specs/counters.yaml (userspace/counters, through its example
CLI target/release/examples/counters) against the module, in a fresh network namespace:
every op, a repeated nest both ways, a kernel error with its extack, notifications; the
kernel's YNL reads back what the client wrote."""
import errno
import os
import subprocess
import sys
import time

from lib.py import ROOT, ksft_eq, ksft_run, ksft_set_prefix, reload_module, run_as

CLIENT = f"{ROOT}/target/release/examples/counters"


def client(*args):
    r = subprocess.run(["nsenter", f"--net=/proc/{NETNS.pid}/ns/net", CLIENT, *args],
                       capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout.strip()


def main():
    ksft_set_prefix("counters client: ")
    ksft_eq("add", (0, 'Counter { name: Some("rx"), value: Some(5), delta: None, sock_adds: Some(1), item: [] }'),
            client("add", "rx", "5"))
    ksft_eq("get", (0, 'Counter { name: Some("rx"), value: Some(5), delta: None, sock_adds: None, item: [] }'),
            client("get", "rx"))
    rc, out = client("batch", "rx=2", "new", f"{'x' * 63}=7")
    ksft_eq("add-batch: one item per add, in order, with its new value",
            (0, [("rx", 7), ("new", 1), ("x" * 63, 7)]),
            (rc, [(i.split('"')[1], int(i.split("value: Some(")[1].split(")")[0]))
                  for i in out.split("Item { ")[1:]]))
    rc, out = client("list")
    ksft_eq("the dump lists them in name order", (0, ["new", "rx", "x" * 63]),
            (rc, [line.split('"')[1] for line in out.splitlines()]))
    ksft_eq("a kernel error: errno, extack message, the attribute by its spec name",
            (1, f"error: {errno.ENOENT}: No such file or directory (ENOENT): no such counter"
                " [attribute: name]"),
            client("get", "nope"))
    ksft_eq("a policy error inside a nest, named through it",
            (1, f"error: {errno.EINVAL}: Invalid argument (EINVAL): name must not be empty"
                " [attribute: item.name]"),
            client("batch", "ok", ""))
    ksft_eq("the policy's limit, as the kernel sent it back",
            (1, f"error: {errno.EINVAL}: Invalid argument (EINVAL): Attribute failed policy"
                " validation [attribute: name] [limit: max-len 63]"),
            client("add", "y" * 64))
    # YNL, in the same namespace, sees what the client wrote.
    _, out = run_as(["nsenter", f"--net=/proc/{NETNS.pid}/ns/net"],
                    "print(sorted((c['name'], c['value']) for c in y.dump('get', {})))", "counters")
    ksft_eq("YNL reads back what the client wrote", str([("new", 1), ("rx", 7), ("x" * 63, 7)]), out)

    watch = subprocess.Popen(["nsenter", f"--net=/proc/{NETNS.pid}/ns/net", CLIENT, "watch", "2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = watch.stderr.readline().strip()
    client("batch", "rx", "ev=4")
    out, _ = watch.communicate(timeout=60)
    ksft_eq("notifications, typed: one changed-ntf per add of the batch", ("ready", [
        'ChangedNtf(Counter { name: Some("rx"), value: Some(8), delta: None, sock_adds: None, item: [] })',
        'ChangedNtf(Counter { name: Some("ev"), value: Some(4), delta: None, sock_adds: None, item: [] })']),
        (ready, out.strip().splitlines()))

    # An error the kernel puts in NLMSG_DONE after entries (the test-only dump_error_after):
    # the entries, then the error, never a short list that looks whole.
    reload_module("counters", "dump_error_after=2")
    for name in ("d1", "d2", "d3"):
        client("add", name)
    rc, out = client("list")
    ksft_eq("a dump failing midway: its entries, then the error carried in NLMSG_DONE",
            (1, ["d1", "d2", f"error: {errno.EIO}: Input/output error (EIO): injected dump error"
                             " (dump_error_after) (at the end of the dump)"]),
            (rc, [line.split('"')[1] if line.startswith("Counter") else line
                  for line in out.splitlines()]))
    reload_module("counters")

    # The module reloaded under a subscriber: told it left and came back, its group joined
    # again under the new ID, and the next change arrives.
    watch = subprocess.Popen(["nsenter", f"--net=/proc/{NETNS.pid}/ns/net", CLIENT, "watch", "3"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ready = watch.stderr.readline().strip()
    reload = [subprocess.run(cmd, capture_output=True, text=True).returncode
              for cmd in (["rmmod", "counters"], ["insmod", f"{ROOT}/kmod/counters/counters.ko"])]
    client("add", "back", "2")
    out, _ = watch.communicate(timeout=60)
    lines = out.strip().splitlines()
    ksft_eq("a subscriber across rmmod/insmod: gone, back, then the next notification",
            ("ready", [0, 0], ["FamilyGone", "FamilyBack(",
             'ChangedNtf(Counter { name: Some("back"), value: Some(2), delta: None, sock_adds: None, item: [] })']),
            (ready, reload, [lines[0], lines[1][:len("FamilyBack(")], *lines[2:]] if len(lines) == 3 else lines))


def own_netns(proc, timeout=30):
    """Waits until PROC has left this process's network namespace: `unshare` makes its own one
    only after it has started, and a client entering it before would act on the initial one."""
    deadline = time.monotonic() + timeout
    while os.readlink(f"/proc/{proc.pid}/ns/net") == os.readlink("/proc/self/ns/net"):
        if time.monotonic() > deadline or proc.poll() is not None:
            sys.exit(f"unshare -n made no network namespace within {timeout} s")
        time.sleep(0.05)


if __name__ == "__main__":
    NETNS = subprocess.Popen(["unshare", "-n", "sleep", "600"])
    own_netns(NETNS)
    try:
        rc = ksft_run(main)
    finally:
        NETNS.kill()
    sys.exit(rc)
