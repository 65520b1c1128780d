#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The share of a family module's code a fuzzing run reached, read against the module itself.

    tools/genl-fuzz/coverage.py --ko F.ko RUN_DIR...          (a table row per run)
    tools/genl-fuzz/coverage.py --ko F.ko --unreached RUN_DIR...  (what no run reached)

The points are the module's KCOV points (calls to __sanitizer_cov_trace_pc, each in one basic
block; `objdump -dr`), split in three:
- checker: blocks that report a bug: KASAN's and UBSAN's report calls, Rust's panics (bounds,
  overflow, unwrap). A run that reaches one has found a bug.
- shadow: the other blocks the function's control-flow graph reaches only through a KASAN
  shadow byte found non-zero: the granule checks before a report, run for an access near the
  end of an object whose size is not a multiple of 8.
- unreachable: blocks of functions no request can run: the static call graph (every
  relocation from a function's code to another function) from the callbacks of the family's
  split-ops table (`nl_gen::OPS`) and the functions runs entered does not reach them: module
  load and unload, namespace setup and teardown, KUnit cases, the layer's functions this
  family does not use.
- reachable: the rest. The share is of these.
A run directory holds genl-fuzz's summary.txt and reached.txt (`section+offset`).
"""
import argparse
import collections
import re
import subprocess
import sys

CHECKER = re.compile(r"__asan_report|kasan_report|__ubsan_handle|panic|_fail\b|unwrap_failed|"
                     r"expect_failed|handle_alloc_error|\bud2\b")


def objdump(*args):
    return subprocess.run(["objdump", *args], capture_output=True, text=True, check=True).stdout


class Module:
    def __init__(self, ko):
        self.funcs = {}  # name -> (section, start, end)
        self.points = []  # (section, offset, function, kind)
        self.edges = collections.defaultdict(set)
        insns = []  # (section, function, address, text, reloc target)
        sec = func = None
        for line in objdump("-dr", "-C", "--no-show-raw-insn", ko).splitlines():
            m = re.match(r"Disassembly of section (\S+):", line)
            if m:
                sec = m.group(1)
                continue
            m = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
            if m:
                func = m.group(2)
                self.funcs.setdefault(func, (sec, int(m.group(1), 16)))
                continue
            m = re.match(r"^\s+([0-9a-f]+):\t(.*)$", line)
            if m:
                insns.append([sec, func, int(m.group(1), 16), m.group(2), None])
                continue
            m = re.match(r"^\s+[0-9a-f]+: (R_X86_64_\S+)\s+(.*?)(?:([-+])0x([0-9a-f]+))?$", line)
            if m and insns:
                target = m.group(2)
                if target.startswith(".text") and m.group(4):
                    # A section-relative target: the function at the offset (a PC-relative
                    # addend counts from the end of the 4-byte operand).
                    off = int(m.group(4), 16) * (-1 if m.group(3) == "-" else 1)
                    if "PC" in m.group(1) or "PLT" in m.group(1):
                        off += 4
                    target = ("@", target, off)
                insns[-1][4] = target
        self.by_addr = collections.defaultdict(list)  # section -> sorted (start, name)
        for name, (s, start) in self.funcs.items():
            self.by_addr[s].append((start, name))
        for v in self.by_addr.values():
            v.sort()
        for insn in insns:
            if isinstance(insn[4], tuple):
                _, sec_name, off = insn[4]
                insn[4] = self.function_at(sec_name, off) or sec_name
        self.jump_tables = self._jump_tables(ko)
        self.kasan_only = set()
        by_func = collections.defaultdict(list)
        for insn in insns:
            by_func[(insn[0], insn[1])].append(insn)
        for (s, f), body in by_func.items():
            self.kasan_only |= {(s, a) for a in self._kasan_only(s, body)}
        for i, (s, f, a, text, target) in enumerate(insns):
            # Edges: relocations to functions, and calls resolved in place.
            callee = target
            if callee is None:
                m = re.search(r"<(.*?)(?:\+0x[0-9a-f]+)?>$", text)
                if m and re.match(r"(call|jmp)", text) and m.group(1) != f:
                    callee = m.group(1)
            if callee and callee.startswith("."):
                callee = None
            if callee and callee in self.funcs and callee != f:
                self.edges[f].add(callee)
            if target != "__sanitizer_cov_trace_pc":
                continue
            kind = "normal"
            for s2, f2, a2, t2, r2 in insns[i + 1:i + 80]:
                if r2 == "__sanitizer_cov_trace_pc" or f2 != f:
                    break
                if CHECKER.search(f"{r2 or ''} {t2}"):
                    kind = "checker"
                    break
                if re.match(r"(ret|jmp)\b", t2):
                    break
            if kind == "normal" and (s, a) in self.kasan_only:
                kind = "shadow"
            # KCOV records the return address: the call (5 bytes) plus its start.
            self.points.append((s, a + 5, f, kind))
        self.roots = self._roots(ko)
        self.reachable_funcs = self._closure(self.roots)

    def witness(self, reached):
        """Adds the functions runs entered to the roots: a call the graph does not see (through
        a pointer) is proven by the run."""
        entered = {f for s, off, f, _ in self.points if (s, off) in reached}
        self.roots |= entered
        self.reachable_funcs = self._closure(self.roots)

    def _jump_tables(self, ko):
        """`.rodata` offset -> `.text` offset, for the entries of jump tables."""
        table = {}
        for line in objdump("-r", "-j", ".rodata", ko).splitlines():
            m = re.match(r"^([0-9a-f]+) R_X86_64_64\s+\.text\+0x([0-9a-f]+)$", line)
            if m:
                table[int(m.group(1), 16)] = int(m.group(2), 16)
        return table

    def _kasan_only(self, sec, body):
        """The addresses of a function's instructions that run only past a KASAN shadow byte
        found non-zero or into a report or panic: its control-flow graph walked from the entry,
        never taking those edges."""
        addrs = [a for _, _, a, _, _ in body]
        index = {a: i for i, a in enumerate(addrs)}
        shadow_regs = set(re.findall(r"movabs \$0xdffffc0000000000,(%\w+)",
                                     "\n".join(t for _, _, _, t, _ in body)))
        succ = {}  # instruction index -> successor indices (None: falls through)
        stop = set()  # instructions that end a walk (a report's or panic's call)
        nonzero = set()  # (from, to) edges taken when a shadow byte is non-zero
        last_shadow = -10
        for i, (_, _, a, t, r) in enumerate(body):
            if shadow_regs and re.search(r"\(%\w+,(" + "|".join(map(re.escape, shadow_regs)) +
                                         r"),1\)", t):
                last_shadow = i
            if t.startswith("call") and CHECKER.search(f"{r or ''} {t}"):
                stop.add(i)
            if t.startswith("ud2"):
                stop.add(i)
            m = re.match(r"(j\w+)\s+(\*?)([0-9a-f]+)?", t)
            if t.startswith("ret") or t.startswith("jmp    *") and r is None:
                succ[i] = []
            elif m and m.group(1).startswith("j"):
                if m.group(2) == "*":
                    tgt = []
                    if r and r.startswith(".rodata"):
                        base = int(r.split("+0x")[1], 16) if "+0x" in r else 0
                        k = base
                        while k in self.jump_tables:
                            tgt.append(self.jump_tables[k])
                            k += 8
                    succ[i] = [index[x] for x in tgt if x in index]
                else:
                    dest = int(m.group(3), 16) if m.group(3) else None
                    taken = [index[dest]] if dest in index else []
                    if m.group(1) == "jmp":
                        succ[i] = taken
                    else:
                        succ[i] = taken + ([i + 1] if i + 1 < len(body) else [])
                        if i - last_shadow <= 8 and taken:
                            # `test shadow; je ok`: non-zero falls through; `jne`: it jumps.
                            if m.group(1) == "je":
                                nonzero.add((i, i + 1))
                            elif m.group(1) == "jne":
                                nonzero.add((i, taken[0]))
        seen, todo = {0}, [0]
        while todo:
            i = todo.pop()
            if i in stop:
                continue
            nexts = succ.get(i)
            if nexts is None:
                nexts = [i + 1] if i + 1 < len(body) else []
            for j in nexts:
                if (i, j) not in nonzero and j not in seen:
                    seen.add(j)
                    todo.append(j)
        return {addrs[i] for i in range(len(body)) if i not in seen}

    def _roots(self, ko):
        """The functions the family's split-ops table and family struct point to."""
        objs = []
        for line in objdump("-t", "-C", ko).splitlines():
            m = re.match(r"^([0-9a-f]+) .{7} (\S+)\s+([0-9a-f]+) (.*)$", line)
            if m and re.search(r"::nl_gen::OPS$", m.group(4)):
                objs.append((m.group(2), int(m.group(1), 16), int(m.group(3), 16)))
        if not objs:
            sys.exit("coverage.py: no nl_gen::OPS in the module")
        roots = set()
        for sec, start, size in objs:
            for line in objdump("-r", "-C", "-j", sec, ko).splitlines():
                m = re.match(r"^([0-9a-f]+) R_X86_64_\S+\s+(.*?)(?:[-+]0x([0-9a-f]+))?$", line)
                if not m or not start <= int(m.group(1), 16) < start + size:
                    continue
                name = m.group(2)
                if name in self.funcs:
                    roots.add(name)
                elif name.startswith(".text"):
                    roots.add(self.function_at(".text", int(m.group(3) or "0", 16)))
        return roots - {None}

    def function_at(self, sec, off):
        best = None
        for start, name in self.by_addr.get(sec, []):
            if start > off:
                break
            best = name
        return best

    def _closure(self, roots):
        seen, todo = set(roots), list(roots)
        while todo:
            for g in self.edges.get(todo.pop(), ()):
                if g not in seen:
                    seen.add(g)
                    todo.append(g)
        return seen

    def kind(self, point):
        s, off, f, kind = point
        if s.startswith(".init"):
            return None  # freed after load: not counted
        if kind in ("checker", "shadow"):
            return kind
        return "reachable" if f in self.reachable_funcs else "unreachable"


def read_run(d):
    summary = dict(l.split(" ", 1) for l in open(f"{d}/summary.txt").read().splitlines())
    reached = set()
    for l in open(f"{d}/reached.txt"):
        s, o = l.strip().split("+")
        reached.add((s, int(o, 16)))
    return summary, reached


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ko", required=True)
    ap.add_argument("--unreached", action="store_true")
    ap.add_argument("--table", metavar="FAMILY", help="markdown table rows too")
    ap.add_argument("--svg", metavar="FILE", help="plot of points reached over requests")
    ap.add_argument("runs", nargs="+")
    a = ap.parse_args()
    mod = Module(a.ko)
    runs = [(d, *read_run(d)) for d in a.runs]
    mod.witness(set().union(*(r for _, _, r in runs)))
    counts = collections.Counter(mod.kind(p) for p in mod.points)
    total = sum(v for k, v in counts.items() if k)
    print(f"# points {total}: reachable {counts['reachable']}, checker {counts['checker']}, "
          f"shadow {counts['shadow']}, unreachable {counts['unreachable']}; {len(mod.roots)} roots, "
          f"{len(mod.reachable_funcs)} functions reachable")
    all_reached = set().union(*(r for _, _, r in runs))
    # What some run reached of the reachable points: reachable for certain.
    witnessed = {(p[0], p[1]) for p in mod.points
                 if mod.kind(p) == "reachable" and (p[0], p[1]) in all_reached}
    print(f"# witnessed {len(witnessed)}: the reachable points some run reached")
    rows = []
    pct = lambda n, d: f"{100 * n / max(d, 1):.1f}"
    for d, summary, reached in runs:
        hit = collections.Counter(mod.kind(p) for p in mod.points if (p[0], p[1]) in reached)
        r = hit["reachable"]
        print(f"run {d} mode {summary['mode']} requests {summary['requests']} "
              f"seconds {float(summary['seconds']):.0f} corpus {summary['corpus']} "
              f"findings {summary['findings']} reached {r} of {counts['reachable']} "
              f"{pct(r, counts['reachable'])}% witnessed {pct(r, len(witnessed))}% "
              f"all {sum(hit.values())} of {total} "
              f"checker {hit['checker']} shadow {hit['shadow']} unreachable {hit['unreachable']}")
        rows.append((summary, r, sum(hit.values())))
    if a.table:
        for summary, r, n in rows:
            print(f"| {a.table} | {summary['mode']} | {summary['requests']} | "
                  f"{float(summary['seconds']):.0f} | {summary['corpus']} | "
                  f"{r} of {counts['reachable']} ({pct(r, counts['reachable'])} %) | "
                  f"{pct(r, len(witnessed))} % | "
                  f"{n} of {total} ({pct(n, total)} %) | {summary['findings']} |")
    if a.svg:
        plot(a.svg, [(d, s) for d, s, _ in runs], total)
    if a.unreached:
        byf = collections.defaultdict(lambda: [0, 0])
        for p in mod.points:
            if mod.kind(p) == "reachable":
                byf[p[2]][0] += 1
                byf[p[2]][1] += (p[0], p[1]) in all_reached
        for f, (n, r) in sorted(byf.items(), key=lambda kv: kv[1][1] - kv[1][0]):
            if r < n:
                print(f"unreached {n - r:4} of {n:4} in {f[:160]}")


def plot(path, runs, total):
    """Points reached (of all the module's), one line per run: over requests sent (left) and
    over seconds (right)."""
    series = []
    for d, summary in runs:
        pts = []
        for line in open(f"{d}/timeline.tsv").read().splitlines()[1:]:
            req, secs, n = line.split("\t")
            pts.append((int(req), float(secs), int(n)))
        series.append((summary["mode"], pts))
    ys = [p[2] for _, s in series for p in s] or [0, 1]
    ylo, yhi = min(ys) * 0.97, max(ys) * 1.01 + 1
    pw, h, m = 460, 360, 55
    colors = {"guided": "#1f77b4", "blind": "#d62728", "random": "#2ca02c"}
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * pw}" height="{h}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{2 * pw}" height="{h}" fill="white"/>']
    for panel, (col, label) in enumerate([(0, "requests sent"), (1, "seconds")]):
        x0 = panel * pw
        xmax = max([p[col] for _, s in series for p in s] + [1])
        X = lambda x: x0 + m + (pw - 1.5 * m) * x / xmax
        Y = lambda y: h - m - (h - 2 * m) * (y - ylo) / (yhi - ylo)
        out += [f'<line x1="{x0 + m}" y1="{h - m}" x2="{x0 + pw - m / 2}" y2="{h - m}" stroke="black"/>',
                f'<line x1="{x0 + m}" y1="{m}" x2="{x0 + m}" y2="{h - m}" stroke="black"/>',
                f'<text x="{x0 + pw / 2}" y="{h - 15}" text-anchor="middle">{label} '
                f'(max {xmax:.0f})</text>']
        for i in range(5):
            yv = ylo + (yhi - ylo) * i / 4
            out.append(f'<text x="{x0 + m - 4}" y="{Y(yv) + 4}" text-anchor="end">{yv:.0f}</text>')
        for k, (mode, pts) in enumerate(series):
            # A step line: the count holds until the next new point.
            d, last = [], pts[0][2] if pts else 0
            for p in pts:
                d.append(f"{X(p[col]):.1f},{Y(last):.1f} {X(p[col]):.1f},{Y(p[2]):.1f}")
                last = p[2]
            c = colors.get(mode, "black")
            out.append(f'<polyline fill="none" stroke="{c}" stroke-width="2" points="{" ".join(d)}"/>')
            if panel == 0:
                out.append(f'<text x="{x0 + pw - 120}" y="{h - m - 16 * (len(series) - k)}" '
                           f'fill="{c}">{mode}</text>')
    out.append(f'<text x="16" y="{h / 2}" transform="rotate(-90 16 {h / 2})" '
               f'text-anchor="middle">module points reached (of {total})</text>')
    out.append("</svg>")
    open(path, "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
