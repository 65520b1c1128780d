#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Policy equivalence with the kernel's C families: for each Generic Netlink family the
running kernel implements in C (`netdev` always, `tcp_metrics` with INET) and whose spec's
kernel tables genlkit-codegen generates, its Rust twin (the scaffold of the same spec,
registered as `rs-NAME`, built by tests/build-policy-twins.sh) is loaded beside it, and the
controller's answers for the two compared: the ops and their flags (CTRL_CMD_GETFAMILY), and
for every op, do and dump, its policy (CTRL_CMD_GETPOLICY), attribute by attribute and field
by field (every NL_POLICY_TYPE_ATTR_*: type, bounds, lengths, masks; a nested policy compared
by its own attributes, whatever index the dump gave it). A difference fails the op's check,
naming the op, the attribute and the field."""
import errno
import os
import socket
import struct
import subprocess
import sys

from lib.py import ROOT, Netlink, ksft_eq, ksft_fail, ksft_pass, ksft_pr, ksft_run, \
    ksft_set_prefix, ksft_true
from pyynl.lib import SpecFamily  # noqa: E402 (lib.py puts pyynl on the path)
from pyynl.lib.ynl import GenlMsg, NlAttrs, NlMsgs, _genl_msg, _genl_msg_finalize  # noqa: E402

TWINS = f"{ROOT}/out/policy-twins/twins.tsv"

# Differences seen and understood, as (family, "op mode", attribute or None for the op, why).
# They are reported, not failed; each must still be seen (the list is kept exact).
KNOWN = [
    ("tcp_metrics", op, attr, why)
    for op in ("get do", "del do")
    for attr, why in (
        ("addr-ipv4 (1)", "C (tcp_metrics.c, written by hand): NLA_U32; the spec: big-endian u32, "
                          "NLA_BE32, which the policy dump leaves out"),
        ("saddr-ipv4 (11)", "as addr-ipv4"),
        ("addr-ipv6 (2)", "C: NLA_POLICY_EXACT_LEN(16); the spec: min-len 16"),
        ("saddr-ipv6 (12)", "as addr-ipv6"),
    )
] + [
    ("tcp_metrics", "get dump", None,
     "C's small op has GENL_DONT_VALIDATE_DUMP, and the core gives such a dump no policy "
     "(genl_cmd_full_to_split), so the controller reports none; the Rust split op has none "
     "either (SplitOp::dont_validate mirrors it), but the core gives a split op without a "
     "policy its reject-all one (genl_op_fill_in_reject_policy_split), which the controller "
     "reports, with no attribute: a split op cannot be reported as having no policy"),
]

# include/uapi/linux/genetlink.h
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME, CTRL_ATTR_OPS = 1, 2, 6
CTRL_ATTR_OP_ID, CTRL_ATTR_OP_FLAGS = 1, 2
CTRL_ATTR_POLICY, CTRL_ATTR_OP_POLICY, CTRL_ATTR_OP = 8, 9, 10
CTRL_ATTR_POLICY_DO, CTRL_ATTR_POLICY_DUMP = 1, 2
OP_FLAGS = {0x1: "GENL_ADMIN_PERM", 0x2: "GENL_CMD_CAP_DO", 0x4: "GENL_CMD_CAP_DUMP",
            0x8: "GENL_CMD_CAP_HASPOL", 0x10: "GENL_UNS_ADMIN_PERM"}
# include/uapi/linux/netlink.h: enum netlink_policy_type_attr
FIELDS = {1: "type", 2: "min-value-s", 3: "max-value-s", 4: "min-value-u", 5: "max-value-u",
          6: "min-length", 7: "max-length", 8: "policy-idx", 9: "policy-maxtype",
          10: "bitfield32-mask", 11: "pad", 12: "mask"}
POLICY_IDX = 8
SIGNED = (2, 3)
NLA_TYPES = {t.value: t.name for t in Netlink.AttrType}


def ctrl(cmd, attrs=b"", dump=False):
    """One request to nlctrl; its answers as GenlMsgs. OSError on an error answer."""
    flags = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK | (Netlink.NLM_F_DUMP if dump else 0)
    msg = _genl_msg_finalize(_genl_msg(Netlink.GENL_ID_CTRL, flags, cmd, 1) + attrs)
    out = []
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, Netlink.NETLINK_GENERIC) as sock:
        sock.setsockopt(Netlink.SOL_NETLINK, Netlink.NETLINK_CAP_ACK, 1)
        sock.send(msg, 0)
        while True:
            for m in NlMsgs(sock.recv(1 << 17)):
                if m.error:
                    raise OSError(-m.error, os.strerror(-m.error))
                if m.done:
                    return out
                out.append(GenlMsg(m))


def families():
    """Every registered family: name -> (id, {cmd: op flags})."""
    fams = {}
    for gm in ctrl(Netlink.CTRL_CMD_GETFAMILY, dump=True):
        name, fid, ops = None, None, {}
        for a in NlAttrs(gm.raw):
            if a.type == CTRL_ATTR_FAMILY_ID:
                fid = a.as_scalar("u16")
            elif a.type == CTRL_ATTR_FAMILY_NAME:
                name = a.as_strz()
            elif a.type == CTRL_ATTR_OPS:
                for op in NlAttrs(a.raw):
                    f = {x.type: x.as_scalar("u32") for x in NlAttrs(op.raw)}
                    ops[f[CTRL_ATTR_OP_ID]] = f.get(CTRL_ATTR_OP_FLAGS, 0)
        fams[name] = (fid, ops)
    return fams


def policies(fid, cmd):
    """The CTRL_CMD_GETPOLICY dump of command CMD of a family: ({"do"|"dump": policy index},
    {policy index: {attribute: {field: raw value}}}); both empty for an op with no policy
    (ENODATA). One op per dump, as YNL's get_policy asks, so that the op is named by the
    request, not by the dump's op iterator."""
    modes, tables = {}, {}
    attrs = struct.pack("HHHxx", 6, CTRL_ATTR_FAMILY_ID, fid) + struct.pack("HHI", 8, CTRL_ATTR_OP, cmd)
    try:
        answers = ctrl(Netlink.CTRL_CMD_GETPOLICY, attrs, dump=True)
    except OSError as e:
        if e.errno == errno.ENODATA:
            return modes, tables
        raise
    for gm in answers:
        for a in NlAttrs(gm.raw):
            if a.type == CTRL_ATTR_OP_POLICY:
                for op in NlAttrs(a.raw):
                    for m in NlAttrs(op.raw):
                        modes[{CTRL_ATTR_POLICY_DO: "do", CTRL_ATTR_POLICY_DUMP: "dump"}[m.type]] = m.as_scalar("u32")
            elif a.type == CTRL_ATTR_POLICY:
                for idx in NlAttrs(a.raw):
                    for attr in NlAttrs(idx.raw):
                        tables.setdefault(idx.type, {})[attr.type] = {f.type: f.raw for f in NlAttrs(attr.raw)}
    return modes, tables


def value(field, raw):
    if field == 1:
        return NLA_TYPES.get(int.from_bytes(raw, "little"), int.from_bytes(raw, "little"))
    return int.from_bytes(raw, "little", signed=field in SIGNED)


class Names:
    """Op and attribute names from the spec, for the messages."""

    def __init__(self, spec):
        self.spec = SpecFamily(spec)
        self.ops = {op.req_value: name for name, op in self.spec.ops.items()}
        self.op_sets = {op.req_value: op.attr_set.name if op.attr_set else None
                        for op in self.spec.ops.values()}

    def attr(self, set_name, attr_id):
        """(name, nested set name) of attribute ATTR_ID of set SET_NAME."""
        aset = self.spec.attr_sets.get(set_name) if set_name else None
        a = aset.attrs_by_val.get(attr_id) if aset else None
        if a is None:
            return f"attribute {attr_id}", None
        return f"{a.name} ({attr_id})", a.yaml.get("nested-attributes")


def compare(names, c, r, ci, ri, set_name, where, seen, diffs, prefix=""):
    """The differences of C policy CI and Rust policy RI, attribute by attribute, field by
    field, nested policies by their attributes."""
    if (ci, ri) in seen:
        return
    seen.add((ci, ri))
    ca, ra = c.get(ci, {}), r.get(ri, {})
    for attr in sorted(set(ca) | set(ra)):
        aname, nested = names.attr(set_name, attr)
        aname = prefix + aname  # nested: "queues (3) > type (2)"
        at = f"{where}, attribute {aname}"
        if attr not in ra:
            diffs.append((aname, f"{at}: only in C's policy"))
            continue
        if attr not in ca:
            diffs.append((aname, f"{at}: only in Rust's policy"))
            continue
        cf, rf = ca[attr], ra[attr]
        for field in sorted(set(cf) | set(rf)):
            fname = FIELDS.get(field, f"field {field}")
            if field not in rf or field not in cf:
                side = "C" if field in cf else "Rust"
                got = value(field, (cf if field in cf else rf)[field])
                diffs.append((aname, f"{at}: {fname}: only {side}'s has it ({got})"))
            elif field == POLICY_IDX:
                compare(names, c, r, value(field, cf[field]), value(field, rf[field]), nested, where,
                        seen, diffs, f"{aname} > ")
            elif cf[field] != rf[field]:
                diffs.append((aname, f"{at}: {fname}: C {value(field, cf[field])}, Rust {value(field, rf[field])}"))


def flags_text(flags):
    return "|".join(n for b, n in OP_FLAGS.items() if flags & b) or "0"


seen_known = set()


def compare_family(name, twin, fams, spec):
    """Checks NAME (C) against its twin TWIN (Rust), both registered."""
    names = Names(spec)
    (cid, cops), (rid, rops) = fams[name], fams[twin]
    ksft_true(f"{name}: the twin {twin} is a family of its own", cid != rid, (cid, rid))
    op_diffs = []
    for cmd in sorted(set(cops) | set(rops)):
        op = names.ops.get(cmd, f"command {cmd}")
        if cmd not in rops or cmd not in cops:
            op_diffs.append(f"op {op}: only in {'C' if cmd in cops else 'Rust'}")
        elif cops[cmd] != rops[cmd]:
            op_diffs.append(f"op {op}: flags: C {flags_text(cops[cmd])}, Rust {flags_text(rops[cmd])}")
    if op_diffs:
        ksft_fail(f"{name}: ops and their flags equal the C family's", "; ".join(op_diffs))
    else:
        ksft_pass(f"{name}: ops and their flags equal the C family's ({len(cops)} ops)")
    reported = 0
    for cmd in sorted(set(cops) | set(rops)):
        op = names.ops.get(cmd, f"command {cmd}")
        (cpol, ctab), (rpol, rtab) = policies(cid, cmd), policies(rid, cmd)
        reported += len(cpol)
        for mode in ("do", "dump"):
            cm, rm = cpol.get(mode), rpol.get(mode)
            if cm is None and rm is None:
                continue
            check = f"{name}: op {op} {mode}: policy equals the C family's"
            if cm is None or rm is None:
                side, tab, idx = ("C", ctab, cm) if rm is None else ("Rust", rtab, rm)
                diffs = [(None, f"op {op} {mode}: only {side} has a policy "
                                f"({len(tab.get(idx, {}))} attributes)")]
            else:
                diffs = []
                compare(names, ctab, rtab, cm, rm, names.op_sets.get(cmd), f"op {op} {mode}", set(), diffs)
            unknown = []
            for attr, text in diffs:
                why = [k[3] for k in KNOWN if k[:3] == (name, f"{op} {mode}", attr)]
                if why:
                    seen_known.add((name, f"{op} {mode}", attr))
                    ksft_pr(f"# known difference: {text}: {why[0]}")
                else:
                    unknown.append(text)
            if unknown:
                ksft_fail(check, "; ".join(unknown[:4]) + (f"; and {len(unknown) - 4} more" if len(unknown) > 4 else ""))
            elif diffs:
                ksft_pass(f"{check}, but for known differences ({len(diffs)})")
            else:
                ksft_pass(f"{check} ({len(ctab.get(cm, {}))} attributes)")
    ksft_true(f"{name}: the C family reports policies", reported > 0, reported)


def main():
    ksft_set_prefix("policy-twins: ")
    if not os.path.exists(TWINS):
        ksft_fail("the Rust twins are built", f"no {TWINS} (tests/build-policy-twins.sh, run by scripts/test)")
        return
    twins = [line.rstrip("\n").split("\t") for line in open(TWINS) if line.strip()]
    fams = families()
    ksft_true("netdev, in C, is registered", "netdev" in fams, sorted(fams))
    ksft_true("netdev has a Rust twin", any(t[0] == "netdev" for t in twins), [t[0] for t in twins])
    compared = []
    for name, twin, ko, spec in twins:
        if name not in fams:
            continue  # not in this kernel
        r = subprocess.run(["insmod", ko], capture_output=True, text=True)
        if not ksft_eq(f"{name}: its twin {twin} loads", (0, ""), (r.returncode, r.stderr.strip())):
            continue
        try:
            fams = families()
            if ksft_true(f"{name}: its twin {twin} is registered", twin in fams, sorted(fams)):
                compare_family(name, twin, fams, spec)
                compared.append(name)
        finally:
            mod = os.path.basename(ko)[:-3]
            r = subprocess.run(["rmmod", mod], capture_output=True, text=True)
            ksft_eq(f"{name}: its twin {twin} unloads", (0, ""), (r.returncode, r.stderr.strip()))
    unseen = [k[:3] for k in KNOWN if k[0] in compared and k[:3] not in seen_known]
    ksft_eq("every known difference is still seen (the list is kept exact)", [], unseen)
    ksft_pr(f"# compared with their C families: {', '.join(compared) or 'none'}; "
            f"twins without a C family in this kernel: {', '.join(t[0] for t in twins if t[0] not in compared)}")


if __name__ == "__main__":
    sys.exit(ksft_run(main))
