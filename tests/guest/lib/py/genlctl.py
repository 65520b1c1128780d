# SPDX-License-Identifier: GPL-2.0
"""genlctl against the kernel's YNL, op by op (tests/guest/47-genlctl-*.py).

The same steps run twice, each time in a fresh network namespace (both families keep their
state per namespace, so generations and counts start alike): once through YNL's library,
its replies rendered as `ynl --output-json` renders them (cli.py's YnlEncoder), once through
genlctl, one process per step, with a `genlctl monitor` subscribed meanwhile. Replies,
errors and notifications are then compared step by step; a difference names the step, the
op and the first attribute that differs.
"""

import json
import os
import subprocess
import time

from .consts import KSRC, PYTHON, ROOT, SCHEMA, spec_path
from .ksft import ksft_eq, ksft_fail, ksft_pass, ksft_pr, ksft_true
from .ynl import run_as

GENLCTL = os.environ.get("GENLCTL", f"{ROOT}/target/release/genlctl")
YNL_CLI = f"{KSRC}/tools/net/ynl/pyynl/cli.py"

# Runs in a new netns with lib.py imported: every step through YNL.
# YnlEncoder is cli.py's, copied: cli.py cannot be imported beside tests/guest/lib.
_YNL_SIDE = """
import json
class YnlEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, bytes):
            return bytes.hex(o)
        if isinstance(o, set):
            return sorted(o)
        return json.JSONEncoder.default(self, o)
from pyynl.lib.ynl import NlMsg, SpaceAttrs
def miss_nest_path(y, op, req, ext):
    # `nest.attr` for a missing attribute inside a nest: ynl leaves it a number at an offset,
    # so the request is encoded again and the offset resolved as ynl does for `bad-attr`.
    if "miss-nest" not in ext:
        return None
    o = y.ops[op]
    msg = y.nlproto.decode(y, NlMsg(y._encode_message(o, dict(req), [], 0), 0, o.attr_set), o)
    path = y._decode_extack_path(msg.raw_attrs, o.attr_set, y.nlproto.msghdr_size(),
                                 ext["miss-nest"], SpaceAttrs(o.attr_set, dict(req))).lstrip(".")
    s = o.attr_set
    for n in path.split("."):
        s = y.attr_sets[s.attrs[n]["nested-attributes"]]
    return f"{path}.{s.attrs_by_val[ext['miss-type']].name}"
listener = family(SPEC)
for g in GROUPS:
    listener.ntf_subscribe(g)
out = []
for kind, op, req in STEPS:
    # A socket of its own per step, as genlctl is one process per step: per-socket state
    # (counters' sock-adds) then reads alike on both sides.
    y = family(SPEC)
    try:
        r = y.do(op, dict(req)) if kind == "do" else y.dump(op, dict(req))
        out.append({"ok": json.dumps(r, cls=YnlEncoder)})
    except NlError as e:
        ext = e.nl_msg.extack or {}
        out.append({"errno": e.error, "msg": ext.get("msg"), "bad-attr": ext.get("bad-attr"),
                    "miss-type": ext.get("miss-type"), "miss-nest": ext.get("miss-nest"),
                    "miss-nest-path": miss_nest_path(y, op, req, ext), "policy": ext.get("policy")})

ntfs = [json.dumps(n, cls=YnlEncoder) for n in listener.poll_ntf(duration=1)]
print(json.dumps({"steps": out, "ntfs": ntfs}))
"""

# Runs in a new netns: every step through genlctl, a monitor listening meanwhile.
_GENLCTL_SIDE = """
import json, subprocess
mon = subprocess.Popen([GENLCTL, "--spec", SPEC_PATH, "monitor", "--ready", "--timeout", "120",
                        "--count", str(NTFS)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
ready = mon.stderr.readline().strip()
out = []
for kind, op, req in STEPS:
    r = subprocess.run([GENLCTL, "--spec", SPEC_PATH, kind, op, "--json", json.dumps(req)],
                       capture_output=True, text=True)
    out.append({"rc": r.returncode, "stdout": r.stdout.strip(), "stderr": r.stderr.strip()})
try:
    ntf_out, ntf_err = mon.communicate(timeout=150)
except subprocess.TimeoutExpired:
    mon.kill()
    ntf_out, ntf_err = mon.communicate()
print(json.dumps({"ready": ready, "steps": out, "ntfs": ntf_out.splitlines(), "monitor_rc": mon.returncode,
                  "monitor_err": ntf_err.strip()}))
"""


def first_difference(a, b, path=""):
    """The first place JSON values A and B differ, as 'attribute PATH: A vs B', or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            if k not in a or k not in b:
                return f"attribute {path}{k}: {'missing' if k not in a else repr(a[k])} (ynl) vs " \
                       f"{'missing' if k not in b else repr(b[k])} (genlctl)"
            d = first_difference(a[k], b[k], f"{path}{k}.")
            if d:
                return d
        if list(a) != list(b):
            return f"attribute order under {path or 'the top'}: {list(a)} (ynl) vs {list(b)} (genlctl)"
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path or 'the reply'}: {len(a)} items (ynl) vs {len(b)} (genlctl)"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}[{i}].")
            if d:
                return d
        return None
    if a != b or type(a) is not type(b):
        return f"attribute {path.rstrip('.') or '(the reply)'}: {a!r} (ynl) vs {b!r} (genlctl)"
    return None


def same_text(name, ynl_text, gen_text):
    """ok when genlctl printed exactly what ynl prints; else the first attribute that differs."""
    if ynl_text == gen_text:
        return ksft_pass(name)
    try:
        why = first_difference(json.loads(ynl_text), json.loads(gen_text)) or "same JSON, other text"
    except ValueError:
        why = "not JSON"
    return ksft_fail(name, f"{why}; ynl printed {ynl_text[:300]!r}, genlctl {gen_text[:300]!r}")


def expected_error_line(op, ynl):
    """The line genlctl prints for the error ynl saw (errno, extack message, attribute)."""
    line = f"genlctl: {op}: {os.strerror(ynl['errno'])} (errno {ynl['errno']})"
    if ynl["msg"]:
        line += f": {ynl['msg']}"
    if ynl["bad-attr"]:
        line += f" [attribute: {ynl['bad-attr'].lstrip('.')}]"
    if ynl["miss-type"] is not None and ynl["miss-nest"] is None:
        line += f" [missing attribute: {ynl['miss-type']}]"
    elif ynl["miss-type"] is not None:
        # ynl leaves a nest's missing type a number, with the nest's offset; genlctl names both
        # (the path to the nest, and the attribute of its set): what the step expects.
        line += f" [missing attribute: {ynl['miss-nest-path']}]"
    # The policy's limit ynl decoded (NLMSGERR_ATTR_POLICY), by the spec's names for the checks.
    names = (("min-value", "min-value"), ("max-value", "max-value"), ("min-length", "min-len"),
             ("max-length", "max-len"), ("mask", "mask"))
    limit = [f"{spec} {hex(v) if key == 'mask' else v}" for key, spec in names
             if (v := (ynl.get("policy") or {}).get(key)) is not None]
    if limit:
        line += f" [limit: {', '.join(limit)}]"
    return line


def compare(spec, steps, groups, ntfs):
    """Runs STEPS ((kind, op, request) each) through YNL and through genlctl, each in a new
    netns, and compares them step by step, then the NTFS notifications of GROUPS."""
    consts = (f"SPEC = {spec!r}\nSPEC_PATH = {spec_path(spec)!r}\nGENLCTL = {GENLCTL!r}\n"
              f"STEPS = {steps!r}\nGROUPS = {groups!r}\nNTFS = {ntfs!r}\n")
    rc, out = run_as(["unshare", "-n"], consts + _YNL_SIDE, spec)
    if rc != 0:
        return ksft_fail(f"{spec}: the YNL side ran", out[-800:])
    ynl = json.loads(out.splitlines()[-1])
    rc, out = run_as(["unshare", "-n"], consts + _GENLCTL_SIDE)
    if rc != 0:
        return ksft_fail(f"{spec}: the genlctl side ran", out[-800:])
    gen = json.loads(out.splitlines()[-1])
    ksft_eq(f"{spec}: monitor says it is ready once subscribed", "ready", gen["ready"])
    for i, ((kind, op, req), y, g) in enumerate(zip(steps, ynl["steps"], gen["steps"]), 1):
        name = f"{spec}: step {i} {kind} {op} {json.dumps(req)}"
        if "ok" in y:
            if g["rc"] != 0:
                ksft_fail(name, f"ynl replied {y['ok'][:200]!r}, genlctl failed ({g['rc']}): {g['stderr']}")
            else:
                same_text(name + ": the same JSON as ynl", y["ok"], g["stdout"])
        else:
            ksft_eq(name + f": exit 1 and the kernel's error ({os.strerror(y['errno'])}) as ynl saw it",
                    (1, expected_error_line(op, y)), (g["rc"], g["stderr"]))
    ksft_eq(f"{spec}: monitor saw the {ntfs} notifications and ended (status 0)", (0, ""),
            (gen["monitor_rc"], gen["monitor_err"]))
    ksft_eq(f"{spec}: YNL saw {ntfs} notifications", ntfs, len(ynl["ntfs"]))
    for i, (y, g) in enumerate(zip(ynl["ntfs"], gen["ntfs"] + [""] * len(ynl["ntfs"])), 1):
        same_text(f"{spec}: notification {i}: genlctl monitor prints what ynl prints", y, g)
    return True


def genlctl(*args, timeout=60):
    r = subprocess.run([GENLCTL, *args], capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout.strip(), r.stderr.strip()


def compare_policies(y, spec):
    """`genlctl policy OP [--dump] --json` against YNL's get_policy(OP, MODE).to_dict()."""
    for op_name, op in y.ops.items():
        for mode in ("do", "dump"):
            if mode not in op.yaml:
                continue
            pol = y.get_policy(op_name, mode)
            want = json.dumps(pol.to_dict() if pol else None)
            rc, out, err = genlctl("--spec", spec_path(spec), "policy", op_name, "--json",
                                   *(["--dump"] if mode == "dump" else []))
            if rc != 0:
                ksft_fail(f"{spec}: policy {op_name} {mode} as ynl reports it", f"status {rc}: {err}")
            else:
                same_text(f"{spec}: policy {op_name} {mode} as ynl reports it", want, out)
    rc, out, err = genlctl("--spec", spec_path(spec), "policy")
    ksft_true(f"{spec}: policy of every op, as text", rc == 0 and all(
        f"{o} do" in out or f"{o} dump" in out for o, op in y.ops.items() if op.is_call), (rc, out, err))


def cli_matches(spec, setup, args):
    """In a new netns, after the genlctl commands SETUP (argument lists), the kernel's YNL CLI
    (cli.py --output-json) with ARGS and genlctl with the same request print the same line."""
    gen_args = ["do" if args[0] == "--do" else "dump", args[1], *args[2:]]
    sp = spec_path(spec)
    script = "".join(f"{GENLCTL} --spec {sp} {' '.join(_q(a) for a in s)} >/dev/null && " for s in setup)
    script += (f"{PYTHON} {YNL_CLI} --spec {sp} --schema {SCHEMA} --output-json {' '.join(_q(a) for a in args)}"
               f" && echo -- && {GENLCTL} --spec {sp} {' '.join(_q(a) for a in gen_args)}")
    r = subprocess.run(["unshare", "-n", "sh", "-c", script], capture_output=True, text=True, timeout=600)
    parts = r.stdout.split("\n--\n")
    name = f"{spec}: the YNL CLI and genlctl print the same line for {' '.join(args)}"
    if r.returncode != 0 or len(parts) != 2:
        return ksft_fail(name, f"status {r.returncode}: {r.stdout[-300:]} {r.stderr[-300:]}")
    return same_text(name, parts[0].strip(), parts[1].strip())


def _q(s):
    return "'" + s.replace("'", "'\\''") + "'"


def usage_errors(spec, op, bad_attr_json):
    """Exit 2 for an unknown op, bad JSON and an unknown attribute; 3 when not loaded."""
    rc, _, err = genlctl("--spec", spec_path(spec), "do", "no-such-op")
    ksft_eq(f"{spec}: unknown op: exit 2, said so", (2, True), (rc, "no-such-op" in err))
    rc, _, err = genlctl("--spec", spec_path(spec), "do", op, "--json", "{not json")
    ksft_eq(f"{spec}: bad JSON: exit 2", (2, True), (rc, err.startswith("genlctl: --json:")))
    rc, _, err = genlctl("--spec", spec_path(spec), "do", op, "--json", bad_attr_json)
    ksft_eq(f"{spec}: unknown attribute: exit 2", (2, True), (rc, "no attribute" in err))
    rc, _, err = genlctl("--spec", spec_path(spec), "dump", op, "--bogus-option")
    ksft_eq(f"{spec}: bad arguments: exit 2", 2, rc)
    other = f"/tmp/genlctl-{spec}-absent.yaml"
    with open(spec_path(spec)) as f, open(other, "w") as g:
        g.write(f.read().replace(f"name: {spec}\n", "name: genlctl-absent\n", 1))
    rc, _, err = genlctl("--spec", other, "do", op, "--json", "{}")
    ksft_eq(f"{spec}: a family that is not loaded: exit 3", (3, "genlctl: " + op +
            ": family genlctl-absent is not loaded (the controller does not know it)"), (rc, err))
    os.unlink(other)


def bench(spec, setup, args, runs):
    """Wall time of RUNS processes each of genlctl and the YNL CLI for one `do` (diagnostics)."""
    gen_args = ["do", args[1], *args[2:]]
    for s in setup:
        subprocess.run([GENLCTL, "--spec", spec_path(spec), *s], capture_output=True, check=True)
    for who, cmd in [("genlctl", [GENLCTL, "--spec", spec_path(spec), *gen_args]),
                     ("ynl", [PYTHON, YNL_CLI, "--spec", spec_path(spec), "--schema", SCHEMA,
                              "--output-json", *args])]:
        times = []
        for _ in range(runs):
            t0 = time.monotonic()
            subprocess.run(cmd, capture_output=True, check=True)
            times.append(time.monotonic() - t0)
        times.sort()
        ksft_pr(f"bench: {spec}: {who} {' '.join(args)}: {runs} runs, median {times[len(times) // 2] * 1000:.1f} ms, "
                f"min {times[0] * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms, total {sum(times):.2f} s")
