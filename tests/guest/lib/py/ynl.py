# SPDX-License-Identifier: GPL-2.0
"""Our families through the kernel's YNL library ($KSRC/tools/net/ynl/pyynl): a YnlFamily
per spec (specs/NAME.yaml, validated against the genetlink schema), error capture as
(errno, extack), the YNL CLI, Python snippets run as another user or in new namespaces, and
raw generic netlink requests for what YNL will not encode."""

import os
import socket
import struct
import subprocess
import sys
import textwrap

from .consts import GUEST_DIR, KSRC, PYTHON, ROOT, SCHEMA, spec_path
from .ksft import ksft_pr

if not KSRC or not os.path.isdir(f"{KSRC}/tools/net/ynl/pyynl"):
    raise ImportError(f"no YNL library under KSRC={KSRC!r} (tools/net/ynl/pyynl): run through tests/guest/run")
sys.path.insert(0, f"{KSRC}/tools/net/ynl")
from pyynl.lib import Netlink, NlError, YnlException, YnlFamily  # noqa: E402
from pyynl.lib.ynl import GenlProtocol  # noqa: E402

NLM_F_REPLACE = Netlink.NLM_F_REPLACE
NLM_F_EXCL = Netlink.NLM_F_EXCL
NLM_F_CREATE = Netlink.NLM_F_CREATE
NLM_F_APPEND = Netlink.NLM_F_APPEND


def family(name, **kwargs):
    """A YnlFamily for specs/NAME.yaml (kwargs go to YnlFamily: recv_size, process_unknown).
    Resolves the family ID now: raises YnlException if the family is not registered."""
    try:
        return YnlFamily(spec_path(name), schema=SCHEMA, **kwargs)
    except YnlException as e:
        raise YnlException(f"{e} (is {name}.ko loaded? a test file names it in `# modules:`)") from e


def forget_family_ids():
    """Drops YNL's per-process cache of family IDs; a reloaded module gets a new ID."""
    GenlProtocol.genl_family_name_to_id = {}


def nl_error(fn, *args, **kwargs):
    """Runs fn(*args, **kwargs); returns (errno, extack dict) of the NlError it raises, or
    (0, {}) if it raises none. The extack as YNL decodes it: 'msg', 'bad-attr' (".key"),
    'miss-type' (an attribute name), 'policy' ..."""
    try:
        fn(*args, **kwargs)
        return 0, {}
    except NlError as e:
        return e.error, e.nl_msg.extack or {}


def ynl_cli(spec, *args, timeout=300):
    """The kernel's YNL CLI for specs/SPEC.yaml, with --output-json and ARGS (e.g. "--do",
    "get", "--json", '{"name": "z"}'), one process per call; returns (rc, stdout, stderr)."""
    r = subprocess.run([PYTHON, f"{KSRC}/tools/net/ynl/pyynl/cli.py", "--spec", spec_path(spec),
                        "--schema", SCHEMA, "--output-json", *args],
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def run_as(argv_prefix, code, spec=None, timeout=300):
    """Runs the Python snippet CODE under ARGV_PREFIX (NOBODY, ["unshare", "-Urn"], ...) in
    a new process that has imported everything of this package (`from lib.py import *`)
    and, with SPEC, made `y = family(SPEC)`. Returns (exit status, stdout + stderr stripped)."""
    prog = (f"import sys; sys.path.insert(0, {GUEST_DIR!r})\n"
            "from lib.py import *  # noqa: F401,F403\n"
            + (f"y = family({spec!r})\n" if spec else "")
            + textwrap.dedent(code))
    env = dict(os.environ, GENLKIT_ROOT=ROOT, KSRC=KSRC)
    try:
        r = subprocess.run([*argv_prefix, PYTHON, "-c", prog], capture_output=True, text=True,
                           timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        return None, f"timed out after {e.timeout} s"
    return r.returncode, (r.stdout + r.stderr).strip()


def _attrs(data, start, end):
    """(type, payload) of each netlink attribute in data[start:end]."""
    while start + 4 <= end:
        alen, atype = struct.unpack_from("HH", data, start)
        if alen < 4:
            break
        yield atype & 0x3FFF, data[start + 4:start + alen]
        start += (alen + 3) & ~3


def _extack(data, start, end):
    """The extack attributes in data[start:end], with raw_request's keys."""
    ext = {}
    for atype, d in _attrs(data, start, end):
        if atype == Netlink.NLMSGERR_ATTR_MSG:
            ext["msg"] = d.rstrip(b"\0").decode()
        elif atype == Netlink.NLMSGERR_ATTR_OFFS:
            ext["bad-attr-offs"] = struct.unpack_from("I", d)[0]
        elif atype == Netlink.NLMSGERR_ATTR_MISS_TYPE:
            ext["miss-type"] = struct.unpack_from("I", d)[0]
        elif atype == Netlink.NLMSGERR_ATTR_MISS_NEST:
            ext["miss-nest"] = struct.unpack_from("I", d)[0]
    return ext


def _error_of(data, off, length, mflags):
    """(errno, extack) of the NLMSG_ERROR message at data[off:off + length]."""
    err = -struct.unpack_from("i", data, off + 16)[0]
    # struct nlmsgerr: the error, then the request's header (and, unless capped, its
    # payload), then the extack attributes.
    req_len = 16 if mflags & Netlink.NLM_F_CAPPED else struct.unpack_from("I", data, off + 20)[0]
    tlvs = off + 20 + ((req_len + 3) & ~3)
    return err, _extack(data, tlvs, off + length) if mflags & Netlink.NLM_F_ACK_TLVS else {}


def _genl_socket(timeout):
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, Netlink.NETLINK_GENERIC)
    s.setsockopt(Netlink.SOL_NETLINK, Netlink.NETLINK_EXT_ACK, 1)
    s.setsockopt(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1)
    s.settimeout(timeout)
    return s


def _replies(s, seq):
    """The messages of request SEQ as they arrive on socket S, datagram after datagram, each as
    (datagram, offset, length, type, flags); a message too short for its header ends a
    datagram. Raises socket.timeout when none comes within the socket's timeout."""
    while True:
        data = s.recv(1 << 18)
        off = 0
        while off + 16 <= len(data):
            length, mtype, mflags, mseq = struct.unpack_from("IHHI", data, off)
            if length < 16:
                break
            if mseq == seq:
                yield data, off, length, mtype, mflags
            off += (length + 3) & ~3


def raw_request(fam, cmd, attrs, flags=0, reserved=0, version=1, timeout=30):
    """Sends one generic netlink request built by hand, for what YNL will not encode (wrong
    attribute types, unknown attributes, reserved bits, undefined commands ...).

    FAM is a YnlFamily or a family ID; ATTRS a list of (type, bytes) (padded here, not
    terminated: put the NUL of a string in it); FLAGS ORs into NLM_F_REQUEST|NLM_F_ACK.
    Returns (errno, extack) from the ACK (errno 0 for success), the extack with the keys
    'msg', 'bad-attr-offs' (from the start of the request), 'miss-type', 'miss-nest' as sent;
    (None, {}) if no ACK arrives within TIMEOUT seconds."""
    family_id = fam if isinstance(fam, int) else fam.nlproto.family_id
    payload = b"".join(struct.pack("HH", 4 + len(d), t) + d + b"\0" * (-len(d) % 4) for t, d in attrs)
    body = struct.pack("BBH", cmd, version, reserved) + payload
    seq = 1
    msg = struct.pack("IHHII", 16 + len(body), family_id,
                      Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | flags, seq, 0) + body
    with _genl_socket(timeout) as s:
        s.sendto(msg, (0, 0))
        try:
            # A reply may come before the ACK, in its own datagram.
            for data, off, length, mtype, mflags in _replies(s, seq):
                if mtype == Netlink.NLMSG_ERROR:
                    return _error_of(data, off, length, mflags)
        except socket.timeout:
            ksft_pr(f"raw_request: no ACK within {timeout} s (family {family_id}, cmd {cmd})")
            return None, {}


def raw_dump(fam, cmd, version=1, timeout=30):
    """Sends a dump request for command CMD, without attributes, and reads the dump to its
    end, message by message: what YNL does not show when a dump fails midway (it raises at the
    error, and the entries read before it are lost).

    FAM is a YnlFamily or a family ID. Returns (entries, end, errno, extack): the top-level
    attributes of each entry, in order, as {type: bytes}; the type of the message that ended
    the dump (NLMSG_DONE, or NLMSG_ERROR when it failed to start) with its errno (0 for
    success) and extack (keys as raw_request's); end None if the dump does not end within
    TIMEOUT seconds."""
    family_id = fam if isinstance(fam, int) else fam.nlproto.family_id
    seq = 1
    msg = struct.pack("IHHIIBBH", 20, family_id, Netlink.NLM_F_REQUEST | Netlink.NLM_F_DUMP, seq, 0,
                      cmd, version, 0)
    entries = []
    with _genl_socket(timeout) as s:
        s.sendto(msg, (0, 0))
        try:
            for data, off, length, mtype, mflags in _replies(s, seq):
                if mtype == Netlink.NLMSG_ERROR:
                    return (entries, mtype, *_error_of(data, off, length, mflags))
                if mtype == Netlink.NLMSG_DONE:
                    # The dump's result, then, with NLM_F_ACK_TLVS, the extack.
                    err = -struct.unpack_from("i", data, off + 16)[0]
                    ext = _extack(data, off + 20, off + length) if mflags & Netlink.NLM_F_ACK_TLVS else {}
                    return entries, mtype, err, ext
                if mtype == family_id:  # after the genetlink header (4 bytes)
                    entries.append(dict(_attrs(data, off + 20, off + length)))
        except socket.timeout:
            ksft_pr(f"raw_dump: the dump did not end within {timeout} s (family {family_id}, cmd {cmd})")
            return entries, None, None, {}
