#!/usr/bin/env python3
"""kvstore through the kernel's own YNL library (tools/net/ynl/pyynl), driven from one
process: every op, every error path with its errno and extack, namespaces, permissions and
notifications. Malformed requests that YNL refuses to encode go through a raw socket.

Prints `ok NAME` / `not ok NAME: expected ..., got ...` per check.
"""
import errno
import json
import os
import socket
import struct
import subprocess
import sys
import time

ROOT = os.environ["GENLKIT_ROOT"]
KSRC = os.environ["KSRC"]
KMOD = os.environ.get("KMOD", f"{ROOT}/kmod/kvstore/kvstore.ko")
SPEC = f"{ROOT}/specs/kvstore.yaml"
SCHEMA = f"{KSRC}/Documentation/netlink/genetlink.yaml"
sys.path.insert(0, f"{KSRC}/tools/net/ynl")
from pyynl.lib import NlError, YnlFamily  # noqa: E402
from pyynl.lib.ynl import GenlProtocol  # noqa: E402

NLM_F_REPLACE, NLM_F_EXCL, NLM_F_CREATE = 0x100, 0x200, 0x400
failures = 0


def check(name, expected, got):
    global failures
    if expected == got:
        print(f"ok {name}")
    else:
        failures += 1
        print(f"not ok {name}: expected {expected!r}, got {got!r}")


def check_true(name, cond, detail):
    check(name, True, bool(cond)) if cond else check(name, "true", detail)


def nlerror(fn):
    """Runs fn; returns (errno, extack dict) of the NlError it raises, or (0, result)."""
    try:
        return 0, fn()
    except NlError as e:
        return e.error, e.nl_msg.extack or {}


def ynl():
    return YnlFamily(SPEC, schema=SCHEMA)


def reload(*params):
    subprocess.run(["rmmod", "kvstore"], check=False)
    subprocess.run(["insmod", KMOD, *params], check=True)
    # YNL caches family IDs per process; a reloaded family gets a new one.
    GenlProtocol.genl_family_name_to_id = {}


# --- raw requests: for what YNL will not encode ----------------------------------------
NETLINK_GENERIC, NLMSG_ERROR, NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 16, 2, 1, 2


def raw_request(family_id, cmd, attrs, flags=0, reserved=0, version=1):
    """Sends one request built by hand; returns (errno, extack message, offset)."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    s.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK
    s.setsockopt(270, 10, 1)  # NETLINK_CAP_ACK
    payload = b"".join(struct.pack("HH", 4 + len(d), t) + d + b"\0" * (-len(d) % 4) for t, d in attrs)
    body = struct.pack("BBH", cmd, version, reserved) + payload
    msg = struct.pack("IHHII", 16 + len(body), family_id, 1 | 4 | flags, 1, 0) + body
    s.sendto(msg, (0, 0))
    s.settimeout(30)
    try:
        while True:  # a reply may come before the ACK, in its own datagram
            data = s.recv(65536)
            off = 0
            while off < len(data):
                length, mtype = struct.unpack_from("IH", data, off)
                if mtype == NLMSG_ERROR:
                    err = -struct.unpack_from("i", data, off + 16)[0]
                    text, offs = "", None
                    a = off + 16 + 20  # nlmsgerr with the request header capped
                    while a + 4 <= off + length:
                        alen, atype = struct.unpack_from("HH", data, a)
                        if atype == NLMSGERR_ATTR_MSG:
                            text = data[a + 4:a + alen].rstrip(b"\0").decode()
                        if atype == NLMSGERR_ATTR_OFFS:
                            offs = struct.unpack_from("I", data, a + 4)[0]
                        a += (alen + 3) & ~3
                    return err, text, offs
                off += (length + 3) & ~3
    except socket.timeout:
        return None, "no ACK", None
    finally:
        s.close()


def as_subprocess(name, argv, code):
    """Runs python `code` (with this file's helpers) under `argv` (setpriv, unshare ...)."""
    prog = (
        f"import sys; sys.argv=['x']; sys.path.insert(0, {KSRC + '/tools/net/ynl'!r})\n"
        f"from pyynl.lib import YnlFamily, NlError\n"
        f"y = YnlFamily({SPEC!r}, schema={SCHEMA!r})\n" + code
    )
    r = subprocess.run(argv + ["/usr/bin/python3", "-c", prog], capture_output=True, text=True, timeout=300)
    return r.returncode, (r.stdout + r.stderr).strip()


def main():
    y = ynl()
    fam_id = y.nlproto.family_id

    # --- echo
    req = {"key": "ping", "value": b"\x00\x01binary", "flags": ["text"], "generation": 1 << 40}
    r = y.do("echo", req)
    check("echo returns the request's attributes", {**req, "flags": {"text"}}, {**r, "flags": set(r["flags"])})
    check("echo with no attributes", {}, y.do("echo", {}))

    # --- put / get / dump / del / stats
    r = y.do("put", {"key": "alpha", "value": b"one", "flags": ["text"]}, [NLM_F_CREATE])
    check("put replies with the entry", ("alpha", b"one", {"text"}), (r["key"], r["value"], set(r["flags"])))
    g0 = r["generation"]
    check("get returns the entry", {"key": "alpha", "value": b"one", "flags": {"text"}},
          {**y.do("get", {"key": "alpha"}), "flags": set(y.do("get", {"key": "alpha"})["flags"])})
    r = y.do("put", {"key": "alpha", "value": b"uno"}, [NLM_F_REPLACE])
    check("replace bumps the generation by one", g0 + 1, r["generation"])
    check("replace changed the value", b"uno", y.do("get", {"key": "alpha"})["value"])
    for k in ["b/2", "b/1", "c", "b/3"]:
        y.do("put", {"key": k, "value": k.encode()}, [NLM_F_CREATE, NLM_F_EXCL])
    keys = [e["key"] for e in y.dump("get", {})]
    check("dump lists every entry in key order", ["alpha", "b/1", "b/2", "b/3", "c"], keys)
    keys = [e["key"] for e in y.dump("get", {"key": "b/"})]
    check("dump with a key prefix", ["b/1", "b/2", "b/3"], keys)
    check("dump with a prefix nothing matches", [], y.dump("get", {"key": "zzz"}))
    r = y.do("del", {"key": "c"})
    check("del replies with key and new generation", ("c", g0 + 6), (r["key"], r["generation"]))
    st = y.do("stats", {})
    check("stats counts entries", 4, st["stats"]["entries"])
    check("stats counts bytes", len("alpha") + 3 + 3 * (3 + 3), st["stats"]["bytes"])
    check("stats reports the generation", g0 + 6, st["generation"])
    check_true("stats counts puts and dumps", st["stats"]["put-count"] >= 6 and st["stats"]["dump-count"] >= 3, st)
    big = bytes(range(256)) * 253 + b"x" * 232  # 65000 bytes: the most a value may hold
    r = y.do("put", {"key": "big", "value": big}, [NLM_F_CREATE])
    check("a 65000-byte value is stored", big, y.do("get", {"key": "big"})["value"])
    check("a 65000-byte value comes back in a dump", big,
          [e["value"] for e in y.dump("get", {"key": "big"})][0])
    k255 = "k" * 255
    y.do("put", {"key": k255, "value": b""}, [NLM_F_CREATE])
    check("a 255-byte key and an empty value are stored", b"", y.do("get", {"key": k255})["value"])

    # --- errors, with errno and the extack naming the attribute
    e, ext = nlerror(lambda: y.do("put", {"value": b"v"}, [NLM_F_CREATE]))
    check("put without key: EINVAL, missing attribute key", (errno.EINVAL, "key"), (e, ext.get("miss-type")))
    e, ext = nlerror(lambda: y.do("get", {}))
    check("get without key: EINVAL, missing attribute key", (errno.EINVAL, "key"), (e, ext.get("miss-type")))
    e, ext = nlerror(lambda: y.do("put", {"key": "k" * 256, "value": b""}, [NLM_F_CREATE]))
    check("over-long key: EINVAL at key", (errno.EINVAL, ".key"), (e, ext.get("bad-attr")))
    e, ext = nlerror(lambda: y.do("put", {"key": "", "value": b""}, [NLM_F_CREATE]))
    check("empty key: EINVAL at key with a message", (errno.EINVAL, ".key", "key must not be empty"),
          (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nlerror(lambda: y.do("put", {"key": "v", "value": b"x" * 65001}, [NLM_F_CREATE]))
    # The core answers ERANGE for binary attributes over their length.
    check("over-long value: ERANGE at value", (errno.ERANGE, ".value"), (e, ext.get("bad-attr")))
    e, ext = nlerror(lambda: y.do("put", {"key": "alpha", "value": b"x"}, [NLM_F_CREATE, NLM_F_EXCL]))
    check("put NLM_F_EXCL on an existing key: EEXIST at key", (errno.EEXIST, ".key"), (e, ext.get("bad-attr")))
    e, ext = nlerror(lambda: y.do("put", {"key": "alpha", "value": b"x"}, [NLM_F_CREATE]))
    check("put NLM_F_CREATE without REPLACE on an existing key: EEXIST", errno.EEXIST, e)
    e, ext = nlerror(lambda: y.do("put", {"key": "nope", "value": b"x"}, [NLM_F_REPLACE]))
    check("put NLM_F_REPLACE on a missing key: ENOENT with a message",
          (errno.ENOENT, "entry does not exist and NLM_F_CREATE is not set"), (e, ext.get("msg")))
    e, ext = nlerror(lambda: y.do("get", {"key": "nope"}))
    check("get of a missing key: ENOENT at key", (errno.ENOENT, ".key", "no entry with this key"),
          (e, ext.get("bad-attr"), ext.get("msg")))
    e, ext = nlerror(lambda: y.do("del", {"key": "nope"}))
    check("del of a missing key: ENOENT at key", (errno.ENOENT, ".key"), (e, ext.get("bad-attr")))

    ENTRY_KEY, ENTRY_VALUE, ENTRY_FLAGS, ENTRY_GEN = 1, 2, 3, 4
    CMD_ECHO, CMD_PUT, CMD_GET = 1, 2, 3
    key_ok = (ENTRY_KEY, b"raw\0")
    e, msg, offs = raw_request(fam_id, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_FLAGS, b"\x01\x00")], NLM_F_CREATE)
    check("wrong attribute type (flags as 2 bytes): EINVAL at flags", (errno.EINVAL, 20 + 8 + 8), (e, offs))
    e, msg, offs = raw_request(fam_id, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_FLAGS, struct.pack("I", 4))], NLM_F_CREATE)
    check("undefined flag bits: EINVAL at flags", (errno.EINVAL, 36), (e, offs))
    e, msg, offs = raw_request(fam_id, CMD_PUT, [key_ok, (ENTRY_VALUE, b"v"), (ENTRY_GEN, struct.pack("Q", 1))], NLM_F_CREATE)
    check("attribute the op does not take (generation in put): EINVAL", (errno.EINVAL, 36), (e, offs))
    e, msg, offs = raw_request(fam_id, CMD_GET, [key_ok, (99, b"")])
    check("unknown attribute type: EINVAL with a message", (errno.EINVAL, True), (e, "attribute" in msg))
    e, msg, offs = raw_request(fam_id, CMD_GET, [(ENTRY_KEY, b"no-nul")])
    check("key without its NUL: EINVAL at key", (errno.EINVAL, 20), (e, offs))
    e, msg, offs = raw_request(fam_id, CMD_ECHO, [], reserved=1)
    check("reserved header byte set: EINVAL", (errno.EINVAL, "genlmsghdr.reserved field is not 0"), (e, msg))
    e, msg, offs = raw_request(fam_id, CMD_GET, [key_ok], flags=NLM_F_CREATE)
    check("NLM_F_CREATE on get: EINVAL", (errno.EINVAL, "ambiguous or reserved bits set in nlmsg_flags"), (e, msg))
    e, msg, offs = raw_request(fam_id, 42, [])
    check("undefined command: EOPNOTSUPP", errno.EOPNOTSUPP, e)
    e, msg, offs = raw_request(fam_id, CMD_ECHO, [(ENTRY_KEY, b"v2\0")], version=2)
    check("a request for another version is served (genl versions are informational)", 0, e)

    # --- permissions: put and del need CAP_NET_ADMIN over the namespace
    nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]
    rc, out = as_subprocess("nobody", nobody, "print(y.do('get', {'key': 'alpha'})['value'])")
    check("an unprivileged user can get", (0, "b'uno'"), (rc, out))
    code = """
try:
    y.do('{op}', {{'key': 'alpha', 'value': b'x'}} if '{op}' == 'put' else {{'key': 'alpha'}}, [0x400])
    print('no error')
except NlError as e:
    print(e.error)
"""
    for op in ["put", "del"]:
        rc, out = as_subprocess("nobody", nobody, code.format(op=op))
        check(f"an unprivileged user gets EPERM on {op}", str(errno.EPERM), out)
    rc, out = as_subprocess("userns root", ["unshare", "-Ur"], code.format(op="put"))
    check("root of a user namespace gets EPERM on put in the initial netns", str(errno.EPERM), out)
    rc, out = as_subprocess("userns+netns root", ["unshare", "-Urn"],
                            "y.do('put', {'key': 'mine', 'value': b'1'}, [0x400]); print(y.do('get', {'key': 'mine'})['value'])")
    check("root of a user namespace may put in its own netns", "b'1'", out)

    # --- namespaces: each netns has its own store
    rc, out = as_subprocess("netns", ["unshare", "-n"],
                            "import errno\ntry:\n y.do('get', {'key': 'alpha'}); print('visible')\n"
                            "except NlError as e:\n print(e.error)\n"
                            "y.do('put', {'key': 'only-here', 'value': b'1'}, [0x400])\n"
                            "print([e['key'] for e in y.dump('get', {})])")
    check("an entry of the initial netns is invisible from another netns", f"{errno.ENOENT}\n['only-here']", out)
    e, ext = nlerror(lambda: y.do("get", {"key": "only-here"}))
    check("an entry of another netns is invisible from the initial netns", errno.ENOENT, e)

    # --- notifications
    listener = ynl()
    listener.ntf_subscribe("notify")
    y.do("put", {"key": "ntf", "value": b"1"}, [NLM_F_CREATE])
    y.do("del", {"key": "ntf"})
    events = []
    for ntf in listener.poll_ntf(duration=5):
        events.append((ntf["name"], ntf["msg"]["key"]))
        if len(events) == 2:
            break
    check("new-ntf and del-ntf are multicast to notify", [("new-ntf", "ntf"), ("del-ntf", "ntf")], events)
    st = y.do("stats", {})["stats"]
    check_true("stats counts notifications sent", st["notify-sent"] >= 2, st)

    # --- the controller's view of the policies
    pol = y.get_policy("put", "do")
    check("the put policy is visible through the controller", True, pol is not None)
    if pol is not None:
        check("put policy: key is a NUL string of at most 255 bytes", ("nul-string", 255),
              (pol["key"].type, pol["key"].max_length))
        check("put policy: value is binary of at most 65000 bytes", ("binary", 65000),
              (pol["value"].type, pol["value"].max_length))
        check("put policy: flags is a u32 mask of the defined bits", ("u32", 3),
              (pol["flags"].type, pol["flags"].mask))

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
    check("kvctl list and YNL's dump agree", theirs, [as_ynl(e) for e in ours])
    st_ynl = y.do("stats", {})
    st_kvctl = json.loads(subprocess.run([kvctl, "stats", "--json"], capture_output=True, text=True).stdout)
    check("kvctl stats and YNL agree on entries and generation",
          (st_ynl["stats"]["entries"], st_ynl["generation"]), (st_kvctl.get("entries"), st_kvctl.get("generation")))

    # --- limits (module parameters): ENOSPC with a message
    reload("max_entries=2", "max_bytes=10")
    try:
        limits(ynl())
    finally:
        reload()
    return 1 if failures else 0


def limits(y):
    y.do("put", {"key": "a", "value": b"1"}, [NLM_F_CREATE])
    y.do("put", {"key": "b", "value": b"1"}, [NLM_F_CREATE])
    e, ext = nlerror(lambda: y.do("put", {"key": "c", "value": b"1"}, [NLM_F_CREATE]))
    check("put past max_entries: ENOSPC with a message", (errno.ENOSPC, "store is full (max_entries reached)"),
          (e, ext.get("msg")))
    e, ext = nlerror(lambda: y.do("put", {"key": "a", "value": b"123456789"}, [NLM_F_REPLACE]))
    check("put past max_bytes: ENOSPC at value", (errno.ENOSPC, ".value", "store is full (max_bytes reached)"),
          (e, ext.get("bad-attr"), ext.get("msg")))


if __name__ == "__main__":
    sys.exit(main())
