#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
"""Resource safety of kvstore. What a request allocates is charged to the sender's memory
cgroup: a process in a cgroup with memory.max fills its own namespace's store and gets a clean
ENOMEM with a message, nobody is OOM-killed, and the cgroup's memory grew by what it stored.
And no request reports failure after changing the store: each allocation a put makes is
failed in turn (failslab, for the requesting thread only, through /proc/thread-self/fail-nth),
and after every failed put the store is as it was. The same for a dump, through the client
library: failed at any allocation, it ends in an error (often carried by NLMSG_DONE), never
as a short list."""
import errno
import os
import subprocess
import sys

from lib.py import ROOT, family, ksft_eq, ksft_run, ksft_set_prefix, ksft_true, run_as, skip

CG = "/sys/fs/cgroup"
DEBUGFS = "/sys/kernel/debug"
KVTEST = os.environ.get("KVTEST", f"{ROOT}/target/release/kvtest")


def write(path, value):
    with open(path, "w") as f:
        f.write(str(value))


def read(path):
    with open(path) as f:
        return f.read().strip()


def kernel_log():
    return subprocess.run(["dmesg"], capture_output=True, text=True).stdout


def memcg():
    if not os.path.exists(CG + "/cgroup.controllers"):
        os.makedirs(CG, exist_ok=True)
        if subprocess.run(["mount", "-t", "cgroup2", "none", CG]).returncode != 0:
            return skip("memcg: a cgroup limits what a namespace stores", "no cgroup2 (CONFIG_CGROUPS)")
    if "memory" not in read(CG + "/cgroup.controllers"):
        return skip("memcg: a cgroup limits what a namespace stores", "no memory controller (CONFIG_MEMCG)")
    write(CG + "/cgroup.subtree_control", "+memory")
    group = CG + "/kvstore-fill"
    os.makedirs(group, exist_ok=True)
    write(group + "/memory.max", 96 << 20)
    before = int(read(group + "/memory.current"))
    kills_before = kernel_log().count("Killed process")
    # Joins the cgroup, then a namespace of its own, and stores 64 KiB values until refused. Its
    # own memory is locked (mlockall): with nothing to reclaim from it, the cgroup's limit meets
    # the store's next allocation, not the filler's next page fault.
    join = ["sh", "-c", f'ulimit -l unlimited && echo $$ > {group}/cgroup.procs && exec "$@"', "sh",
            "unshare", "-Urn"]
    status, out = run_as(join, """
        import ctypes
        if ctypes.CDLL(None, use_errno=True).mlockall(3) != 0:  # MCL_CURRENT | MCL_FUTURE
            raise SystemExit(f"mlockall: errno {ctypes.get_errno()}")
        big = b"x" * 65000
        n = 0
        try:
            while n < 4000:
                y.do("put", {"key": f"k{n}", "value": big})
                n += 1
            print("never refused", n)
        except NlError as e:
            print(e.error, (e.nl_msg.extack or {}).get("msg"), n)
        """, "kvstore")
    fields = (out or "").split()
    stored = int(fields[-1]) if fields and fields[-1].isdigit() else 0
    ksft_eq("memcg: past the cgroup's memory.max, put fails with ENOMEM and a message",
            (0, f"{errno.ENOMEM} cannot store the value (out of memory)"),
            (status, " ".join(fields[:-1])))
    peak = int(read(group + "/memory.peak"))
    ksft_true("memcg: the store's memory was charged to the sender's cgroup",
              stored > 100 and peak - before >= stored * 65536, f"{stored} stored, peak {peak}, before {before}")
    ksft_eq("memcg: nobody was OOM-killed", ("0", kills_before),
            (read(group + "/memory.events").split("oom_kill ")[1].split()[0],
             kernel_log().count("Killed process")))


def arm_failslab(name):
    """Arms failslab for threads that set their fail-nth; False (and a skip) without it."""
    if not os.path.exists(DEBUGFS + "/failslab"):
        subprocess.run(["mount", "-t", "debugfs", "none", DEBUGFS])
    if not os.path.exists(DEBUGFS + "/failslab/probability"):
        skip(name, "no failslab (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)")
        return False
    # Only a thread's fail-nth decides: every task is filtered out otherwise (task-filter, and
    # no task has make-it-fail); probability 100 turns the slab hook on, and allocations that
    # may sleep are not exempt.
    for knob, value in [("task-filter", "Y"), ("ignore-gfp-wait", "N"), ("verbose", 0),
                        ("times", -1), ("interval", 1), ("space", 0), ("probability", 100)]:
        write(f"{DEBUGFS}/failslab/{knob}", value)
    return True


def failslab():
    name = "failslab: a put failed at any of its allocations leaves the store unchanged"
    if not arm_failslab(name):
        return
    y = family("kvstore")
    changed_on_failure, failures, nth, outcomes = [], 0, 0, []
    try:
        for nth in range(1, 200):
            y.do("put", {"key": "fs", "value": b"old"})
            before = y.do("stats", {})["generation"]
            # A bare put, without NLM_F_ACK: the reply is the answer, and nothing is allocated
            # for the request after the handler returns. Everything the thread needs is opened
            # before the fault is armed.
            status, out = run_as([], f"""
                import os, socket, struct
                family_id = y.nlproto.family_id
                def attr(t, d):
                    return struct.pack("HH", 4 + len(d), t) + d + b"\\0" * (-len(d) % 4)
                body = struct.pack("BBH", 2, 1, 0) + attr(1, b"fs\\0") + attr(2, b"new" * 1000)
                msg = struct.pack("IHHII", 16 + len(body), family_id, 1, 1, 0) + body
                s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
                s.settimeout(10)
                fd = os.open("/proc/thread-self/fail-nth", os.O_RDWR)
                os.pwrite(fd, b"{nth}", 0)
                try:
                    s.sendto(msg, (0, 0))
                    data = s.recv(1 << 17)
                    mtype = struct.unpack_from("IH", data)[1]
                    result = "ok" if mtype == family_id else f"failed:{{-struct.unpack_from('i', data, 16)[0]}}"
                except OSError as e:
                    result = f"failed:{{e.errno}}"
                left = os.pread(fd, 16, 0).decode().strip()
                print(result, left)
                """, "kvstore")
            result, left = (out or "? ?").split()[-2:]
            outcomes.append(result)
            after = y.do("stats", {})["generation"]
            value = y.do("get", {"key": "fs"})["value"]
            if result.startswith("failed"):
                failures += 1
                if (after, value) != (before, b"old"):
                    changed_on_failure.append((nth, result, after - before, value[:6]))
            elif (after, value[:3]) != (before + 1, b"new"):
                changed_on_failure.append((nth, "ok but not stored", after - before, value[:6]))
            if left != "0":  # the put made fewer than nth allocations: every one was tried
                break
    finally:
        write(f"{DEBUGFS}/failslab/probability", 0)
    ksft_true(name, failures > 3 and not changed_on_failure,
              f"{failures} failed puts over {nth} allocations ({' '.join(outcomes)}); "
              f"wrong: {changed_on_failure}")


def dump_faults():
    """`kvtest dumps --check faults`: a dump of 2,000 entries (three rounds) with keys too long
    to live in the node, failed at each allocation it makes (its rounds resume by a borrowed
    key: the allocations are the request's and the core's skbs)."""
    name = "dumps: a dump failed at any allocation ends in an error, never as a short list"
    if not arm_failslab(name):
        return
    prefix, n = "dump-faults/" + "k" * 24, 2000
    try:
        fill = subprocess.run([KVTEST, "fill", "--count", str(n), "--prefix", prefix],
                              capture_output=True, text=True)
        ksft_eq("dumps: filled for the fault run", 0, fill.returncode)
        run = subprocess.run([KVTEST, "dumps", "--check", "faults", "--prefix", prefix,
                              "--count", str(n), "--tries", "100"], capture_output=True, text=True)
        lines = [l for l in run.stdout.splitlines() if l.startswith(("ok ", "not ok "))]
        ksft_true(name, lines and all(l.startswith("ok ") for l in lines),
                  (" | ".join(lines) or run.stderr.strip())[-600:])
    finally:
        write(f"{DEBUGFS}/failslab/probability", 0)
        keys = [e["key"] for e in family("kvstore").dump("get", {"key": prefix})]
        subprocess.run([f"{ROOT}/target/release/kvctl", "batch"], check=True, capture_output=True,
                       input="".join(f"del {k}\n" for k in keys), text=True)


def main():
    ksft_set_prefix("resources: ")
    memcg()
    failslab()
    dump_faults()


if __name__ == "__main__":
    sys.exit(ksft_run(main))
