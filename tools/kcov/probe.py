#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What per-task KCOV sees of a family module, message by message: the ground a
coverage-guided fuzzer of the module stands on. Run in a guest of the coverage kernel
(`scripts/setup --kcov-kernel`), with the module built against it:

    tools/kcov/probe.py MODULE.ko

Loads the module, then for each of a few kvstore requests turns KCOV_TRACE_PC on for this task,
sends the request and reads its replies (a dump's rounds run in recvmsg, in this task too), and
prints how many distinct PCs fell in the module's text (/sys/module/NAME/sections/.text and
coresize), and which of its functions (/proc/kallsyms) they are in. Exits 1 if a request
reached none of the module's code.
"""
import ctypes
import fcntl
import mmap
import os
import socket
import struct
import subprocess
import sys

KCOV_INIT_TRACE = 0x80086301  # _IOR('c', 1, unsigned long)
KCOV_ENABLE = 0x6364  # _IO('c', 100)
KCOV_DISABLE = 0x6365  # _IO('c', 101)
KCOV_TRACE_PC = 0
COVER = 1 << 18  # PCs per request, at most

NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 1, 4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3


def attr(ty, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, ty) + payload + b"\0" * (-n % 4)


def request(ty, flags, seq, cmd, version, attrs=b""):
    body = struct.pack("=BBH", cmd, version, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), ty, flags, seq, 0) + body


def messages(data):
    while len(data) >= 16:
        n, ty, flags, seq, _ = struct.unpack_from("=IHHII", data)
        yield ty, data[16:n]
        data = data[(n + 3) & ~3:]


def exchange(sock, msg):
    """Sends MSG; the replies' (type, body) until the ack, NLMSG_DONE or an error."""
    sock.send(msg)
    out = []
    while True:
        for ty, body in messages(sock.recv(1 << 17)):
            out.append((ty, body))
            if ty in (NLMSG_ERROR, NLMSG_DONE):
                return out


def family_id(sock, name):
    (ty, body), *_ = exchange(
        sock, request(0x10, NLM_F_REQUEST | NLM_F_ACK, 1, 3, 2, attr(2, name.encode() + b"\0")))
    off = 4
    while off < len(body):
        n, t = struct.unpack_from("=HH", body, off)
        if t == 1:
            return struct.unpack_from("=H", body, off + 4)[0]
        off += (n + 3) & ~3
    sys.exit(f"{name}: no family ID ({ty})")


def main():
    ko = sys.argv[1]
    name = os.path.basename(ko)[:-3]
    if not os.path.exists("/sys/kernel/debug/kcov"):
        subprocess.run(["mount", "-t", "debugfs", "none", "/sys/kernel/debug"], check=False)
    if not os.path.exists(f"/sys/module/{name}"):
        subprocess.run(["insmod", ko], check=True)
    text = int(open(f"/sys/module/{name}/sections/.text").read(), 16)
    end = text + int(open(f"/sys/module/{name}/coresize").read())
    syms = sorted((int(a, 16), s) for a, _, s, *m in (l.split() for l in open("/proc/kallsyms"))
                  if m == [f"[{name}]"])

    def function(pc):
        best = None
        for addr, sym in syms:
            if addr > pc:
                break
            best = sym
        return best

    fd = os.open("/sys/kernel/debug/kcov", os.O_RDWR)
    fcntl.ioctl(fd, KCOV_INIT_TRACE, COVER)
    # Python's mmap refuses a file whose size (0, for debugfs) is below the length: libc's.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                          ctypes.c_int, ctypes.c_long]
    addr = libc.mmap(None, COVER * 8, mmap.PROT_READ | mmap.PROT_WRITE, mmap.MAP_SHARED, fd, 0)
    if addr in (None, ctypes.c_void_p(-1).value):
        sys.exit(f"mmap of kcov: {os.strerror(ctypes.get_errno())}")
    area = (ctypes.c_uint64 * COVER).from_address(addr)
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    fam = family_id(sock, name)
    key = attr(1, b"kcov-probe\0")
    # Acked, so that every request ends with an NLMSG_ERROR (or a dump's NLMSG_DONE).
    ACKED = NLM_F_REQUEST | NLM_F_ACK
    steps = [
        ("echo", request(fam, ACKED, 2, 1, 1, key)),
        ("put", request(fam, ACKED, 3, 2, 1, key + attr(2, b"v"))),
        ("get", request(fam, ACKED, 4, 3, 1, key)),
        ("get dump", request(fam, ACKED | NLM_F_DUMP, 5, 3, 1)),
        ("del", request(fam, ACKED, 6, 4, 1, key)),
        ("put, no key (EINVAL)", request(fam, ACKED, 7, 2, 1)),
    ]
    reached_none = []
    seen = set()
    for what, msg in steps:
        fcntl.ioctl(fd, KCOV_ENABLE, KCOV_TRACE_PC)
        area[0] = 0
        replies = exchange(sock, msg)
        n = area[0]
        fcntl.ioctl(fd, KCOV_DISABLE, 0)
        pcs = area[1:1 + min(n, COVER - 1)]
        ours = {pc for pc in pcs if text <= pc < end}
        seen |= ours
        funcs = sorted({function(pc) for pc in ours} - {None})
        print(f"kcov: {what}: {n} PCs in the syscalls, {len(ours)} distinct in {name}'s text, "
              f"in {len(funcs)} functions; replies {[t for t, _ in replies]}")
        for f in funcs[:12]:
            print(f"    {f}")
        if not ours:
            reached_none.append(what)
    print(f"kcov: {len(seen)} distinct PCs of {name} reached by {len(steps)} requests")
    if reached_none:
        sys.exit(f"kcov: no code of {name} reached by: {', '.join(reached_none)}")


if __name__ == "__main__":
    main()
