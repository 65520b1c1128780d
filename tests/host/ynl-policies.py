#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare the policies and ops of our kernel tables with those ynl-gen's C defines.

Usage: [KDIR=KERNEL-BUILD] ynl-policies.py KSRC SPEC OURS CONSTS DIR

KSRC is the kernel source (its tools/net/ynl/pyynl/ynl_gen_c.py is run), SPEC the spec, OURS
`genlkit-codegen --policy-dump SPEC`'s output, CONSTS the `NAME<tab>VALUE` constants of the
spec's uapi header (tests/host/c-consts.py); the spec's constants a kernel header defines
(`header:`) take the value the compiler sees, from their header preprocessed by kbuild against
the kernel build KDIR (the spec's value is a stand-in); exit status 3 when there is no KDIR. ynl-gen's kernel source and header for SPEC are
written to DIR, and its policies and ops, put in the form of OURS, to DIR/ynl-gen.txt.

Each nla_policy is compared as the NLA_POLICY_* macro of include/net/netlink.h sets it: type,
validation type, bounds (inline or in a range struct), length, mask, nested policy and its
maxattr; each op by command, do or dump, policy, maxattr, flags, GENL_DONT_VALIDATE_* flags,
pre and post hooks. Ops of `kernel-policy: global` or `per-op` families (genl_small_ops,
genl_ops) are compared as the split ops the core makes of them (genl_cmd_full_to_split), with
the family's policy for `global`, and none for a dump with GENL_DONT_VALIDATE_DUMP; their
validate flags as the split op of each mode reads them (a do STRICT, a dump DUMP and
DUMP_STRICT). Exit status 0 when equal; else the differences.
"""
import difflib
import os
import re
import subprocess
import sys

import yaml

ksrc, spec, ours_file, consts_file, out = sys.argv[1:6]
os.makedirs(out, exist_ok=True)
gen = os.path.join(ksrc, "tools/net/ynl/pyynl/ynl_gen_c.py")
src, hdr = os.path.join(out, "ynl-gen.c"), os.path.join(out, "ynl-gen.h")
for mode, path in (("--source", src), ("--header", hdr)):
    r = subprocess.run([sys.executable, gen, "--mode", "kernel", "--spec", spec, mode, "-o", path],
                       capture_output=True, text=True, check=False)
    if r.returncode:
        sys.exit(f"ynl_gen_c.py {mode} failed: {r.stderr.strip().splitlines()[-1:]}")
c = open(src).read()

consts = {}
for line in open(consts_file):
    name, _, value = line.rstrip("\n").partition("\t")
    if value and not value.startswith('"'):
        consts[name] = int(value)
for w in (8, 16, 32, 64):
    consts[f"U{w}_MAX"] = (1 << w) - 1
    consts[f"S{w}_MAX"] = (1 << (w - 1)) - 1
    consts[f"S{w}_MIN"] = -(1 << (w - 1))
# The spec's consts a kernel header defines (ynl-gen names them by their own name, as macros):
# their value is the one the compiler sees building the kernel, not the spec's stand-in. The
# headers are preprocessed by kbuild against the kernel build (KDIR), as a module's source.
header_consts = [(d["name"].upper().replace("-", "_"), d["header"])
                 for d in yaml.safe_load(open(spec)).get("definitions", [])
                 if d["type"] == "const" and d.get("header")]
if header_consts:
    kdir = os.environ.get("KDIR")
    if not kdir or not os.path.exists(os.path.join(kdir, "Module.symvers")):
        print(f"header constants {', '.join(n for n, _ in header_consts)}: their values need "
              "the kernel build (KDIR) to preprocess their headers")
        sys.exit(3)
    probe = os.path.join(out, "header-consts")
    os.makedirs(probe, exist_ok=True)
    with open(os.path.join(probe, "probe.c"), "w") as f:
        f.writelines(f"#include <{h}>\n" for h in dict.fromkeys(h for _, h in header_consts))
        f.writelines(f'genlkit_probe "{n}" = {n};\n' for n, _ in header_consts)
    with open(os.path.join(probe, "Kbuild"), "w") as f:
        f.write("obj-m := probe.o\n")
    llvm = ["LLVM=-19"] if "CONFIG_CC_IS_CLANG=y" in open(os.path.join(kdir, ".config")).read() else []
    r = subprocess.run(["make", "-s", "-C", kdir, f"M={os.path.abspath(probe)}", *llvm, "probe.i"],
                       capture_output=True, text=True, check=False)
    if r.returncode:
        sys.exit(f"preprocessing {probe}/probe.c failed: {r.stderr.strip().splitlines()[-1:]}")
    seen = dict(re.findall(r'^genlkit_probe "(\w+)" = (.*);$', open(os.path.join(probe, "probe.i")).read(), re.M))
    for n, _ in header_consts:
        if n not in seen:
            sys.exit(f"header constant {n}: not found in {probe}/probe.i")
    header_exprs = {n: seen[n] for n, _ in header_consts}
else:
    header_exprs = {}
for m in re.finditer(r"^#define\s+(\w+)\s+(.+)$", open(hdr).read(), re.M):
    try:
        consts[m.group(1)] = int(m.group(2), 0)
    except ValueError:
        pass


def num(expr):
    """The value of a C constant expression of numbers and known names."""
    e = re.sub(r"\b(0x[0-9a-fA-F]+|\d+)(?:ULL|LL|UL|U|L)\b", r"\1", expr.strip())

    def name(m):
        if m.group(0) not in consts:
            raise KeyError(f"unknown constant {m.group(0)} in `{expr}`")
        return str(consts[m.group(0)])
    e = re.sub(r"\b[A-Za-z_]\w*\b", name, e)
    return int(eval(e, {"__builtins__": {}}))  # noqa: S307 - numbers and operators only


for n, e in header_exprs.items():
    consts[n] = num(e)

ranges = {}
for m in re.finditer(r"static const struct netlink_range_validation(?:_signed)? (\w+) = \{(.*?)\};",
                     c, re.S):
    r = dict(min=0, max=0)
    for f in re.finditer(r"\.(min|max)\s*=\s*([^,\n]+)", m.group(2)):
        r[f.group(1)] = num(f.group(2))
    ranges[m.group(1)] = r

policies = {}  # name -> (len, [(id, text)])
for m in re.finditer(r"^(?:static )?const struct nla_policy (\w+)\[(.+?)\] = \{\n(.*?)^\};", c,
                     re.S | re.M):
    policies[m.group(1)] = (num(m.group(2)), m.group(3))


def entry(spec_text):
    s = spec_text.strip().rstrip(",")
    m = re.fullmatch(r"\{ \.type = (\w+),(?: \.len = ([^,]+),)? \}", s)
    if m:
        return f"{m.group(1)} none len={num(m.group(2)) if m.group(2) else 0}"
    m = re.fullmatch(r"(NLA_POLICY_\w+)\((.*)\)", s)
    if not m:
        raise ValueError(f"unknown policy form `{s}`")
    mac, args = m.group(1), [a.strip() for a in m.group(2).split(",")]
    if mac in ("NLA_POLICY_MIN", "NLA_POLICY_MAX"):
        v = num(args[1])
        return f"{args[0]} {mac[11:].lower()} min={v if mac.endswith('MIN') else 0} max={v if mac.endswith('MAX') else 0}"
    if mac == "NLA_POLICY_RANGE":
        return f"{args[0]} range min={num(args[1])} max={num(args[2])}"
    if mac == "NLA_POLICY_EXACT_LEN":
        return f"NLA_BINARY range min={num(args[0])} max={num(args[0])}"
    if mac == "NLA_POLICY_MIN_LEN":
        return f"NLA_BINARY min min={num(args[0])} max=0"
    if mac == "NLA_POLICY_MAX_LEN":
        return f"NLA_BINARY max min=0 max={num(args[0])}"
    if mac == "NLA_POLICY_FULL_RANGE":
        r = ranges[args[1].lstrip("&")]
        return f"{args[0]} range_ptr min={r['min']} max={r['max']}"
    if mac == "NLA_POLICY_MASK":
        return f"{args[0]} mask mask={num(args[1]):#x}"
    if mac == "NLA_POLICY_BITFIELD32":
        return f"NLA_BITFIELD32 none valid={num(args[0]):#x}"
    if mac in ("NLA_POLICY_NESTED", "NLA_POLICY_NESTED_ARRAY"):
        ty = "NLA_NESTED" if mac == "NLA_POLICY_NESTED" else "NLA_NESTED_ARRAY"
        return f"{ty} none len={policies[args[0]][0] - 1} nested={args[0]}"
    return f"{args[0] if args else '?'} {mac}"


lines = []
# Our dump lists the nested policies by name, then the ops' in op order: the same order here.
order = sorted(n for n in policies if n in open(ours_file).read().split())
for name in order:
    size, body = policies[name]
    lines.append(f"policy {name} {size}")
    ents = []
    for m in re.finditer(r"^\t\[(\w+)\] = (.*)$", body, re.M):
        ents.append((num(m.group(1)), entry(m.group(2))))
    for i, t in sorted(ents):
        lines.append(f" {i} {t}")
missing = [n for n in policies if n not in order]

m = re.search(r"const struct (genl_split_ops|genl_ops|genl_small_ops) \w+_nl_ops\[\w*\] = \{\n(.*?)^\};",
              c, re.S | re.M)
kind, body = m.group(1), m.group(2)
glob = re.search(r"^(?:static )?const struct nla_policy (\w+)\[(.+?)\] = \{", c.split("/* Global operation policy")[-1], re.M) \
    if "Global operation policy" in c else None
ops = []
for blk in re.findall(r"\{\n(.*?)\n\t\},", body, re.S):
    f = dict(re.findall(r"\.(\w+)\s*=\s*([^,\n]+(?:\s*\|\s*[^,\n]+)*),", blk))
    cmd = num(f["cmd"])
    modes = [x for x in ("do", "dump") if f.get(x + "it")]
    for mode in modes:
        if kind == "genl_small_ops":
            pol, maxattr = (glob.group(1), num(glob.group(2)) - 1) if glob else ("-", 0)
        else:
            pol, maxattr = f.get("policy", "-"), num(f["maxattr"]) if "maxattr" in f else 0
        flags = [x.strip() for x in f.get("flags", "").split("|") if x.strip()]
        if kind != "genl_split_ops":
            flags.append("GENL_CMD_CAP_DO" if mode == "do" else "GENL_CMD_CAP_DUMP")
        flags = [x for x in flags if x.startswith("GENL_ADMIN") or x.startswith("GENL_UNS")] + \
                [x for x in flags if x.startswith("GENL_CMD_CAP")]
        keep = {"do": ["GENL_DONT_VALIDATE_STRICT"],
                "dump": ["GENL_DONT_VALIDATE_DUMP", "GENL_DONT_VALIDATE_DUMP_STRICT"]}[mode]
        val = [x.strip() for x in f.get("validate", "").split("|") if x.strip() in keep]
        if kind != "genl_split_ops" and "GENL_DONT_VALIDATE_DUMP" in val:
            # genl_cmd_full_to_split: such a dump gets no policy (policy NULL, maxattr 0).
            pol, maxattr = "-", 0
        pre = f.get("pre_doit" if mode == "do" else "start", "-")
        post = f.get("post_doit" if mode == "do" else "done", "-")
        ops.append((cmd, 0 if mode == "do" else 1,
                    f"op {cmd} {mode} policy={pol} maxattr={maxattr} flags={'|'.join(flags)} "
                    f"validate={'|'.join(val) or '-'} pre={pre} post={post}"))
lines += [o[2] for o in sorted(ops)]

theirs = "".join(line + "\n" for line in lines)
open(os.path.join(out, "ynl-gen.txt"), "w").write(theirs)
ours = open(ours_file).read()
# Ours names a header's constant as ynl-gen's C does: its value is the compiler's as well.
for n in header_exprs:
    ours = re.sub(rf"=\b{n}\b", f"={consts[n]}", ours)
if missing:
    print(f"ynl-gen defines policies ours does not: {', '.join(missing)}")
if ours != theirs or missing:
    sys.stdout.writelines(difflib.unified_diff(theirs.splitlines(True), ours.splitlines(True),
                                               "ynl-gen", "ours", n=1))
    sys.exit(1)
