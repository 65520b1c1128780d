#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the constants a C header defines itself, as the C compiler sees them.

Usage: c-consts.py HEADER [CFLAGS...]      (e.g. -I DIR; CC= picks the compiler, default gcc)

Prints sorted `NAME<tab>VALUE` lines: every enumerator declared in HEADER and every object-like
macro defined in HEADER that is an integer constant expression, with its value; and every
object-like macro of HEADER that is a string literal, with its value quoted. Constants of the
headers HEADER includes are left out. The names come from the preprocessor (`-dD`, with its
line markers telling which file declares what) and the enum bodies; whether a macro is an
integer or a string the compiler decides (static assertions, pedantic); the values
are printed by a compiled C program, so they are what a C user of the header gets.
"""
import os
import re
import subprocess
import sys
import tempfile

header = os.path.realpath(sys.argv[1])
cflags = sys.argv[2:]
cc = os.environ.get("CC", "gcc")


def run(args):
    return subprocess.run(args, capture_output=True, text=True, check=False)


def fail(why):
    sys.exit(f"{sys.argv[1]}: {why}")


# Names: macros defined in HEADER itself, and the text of its own lines (for its enums).
pp = run([cc, "-E", "-dD", *cflags, "-x", "c", header])
if pp.returncode:
    fail(f"the preprocessor failed:\n{pp.stderr}")
own, macros, cur = [], [], None
marker = re.compile(r'^# \d+ "(.*)"')
define = re.compile(r"^#define\s+([A-Za-z_]\w*)(\(?)")
for line in pp.stdout.splitlines():
    m = marker.match(line)
    if m:
        cur = m.group(1)
        continue
    if cur is None or os.path.realpath(cur) != header:
        continue
    d = define.match(line)
    if d:
        if not d.group(2):  # function-like macros are no constants
            macros.append(d.group(1))
    elif not line.startswith("#"):
        own.append(line)

# Enumerators: the leading identifier of each top-level item of each enum body.
text = "\n".join(own)
enumerators = []
for m in re.finditer(r"\benum\b\s*(\w+\s*)?\{", text):
    depth, i, item, items = 1, m.end(), "", []
    while depth:
        c = text[i]
        depth += c in "({"
        depth -= c in ")}"
        if depth == 1 and c == ",":
            items.append(item)
            item = ""
        elif depth:
            item += c
        i += 1
    items.append(item)
    for it in items:
        n = re.match(r"\s*([A-Za-z_]\w*)", it)
        if n:
            enumerators.append(n.group(1))

with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "c.c")

    def compiling(names, test):
        """The names for which the line `test` (`{}` for the name) compiles."""
        while names:
            with open(src, "w", encoding="utf-8") as f:
                # Strict C for the tests, not for the header.
                f.write(f'#include "{header}"\n#pragma GCC diagnostic error "-Wpedantic"\n')
                for n in names:
                    f.write(test.format(n) + "\n")
            r = run([cc, "-fsyntax-only", "-fmax-errors=0", *cflags, src])
            bad = {int(x) - 3 for x in re.findall(rf"^{re.escape(src)}:(\d+):", r.stderr, re.M)}
            if r.returncode and not bad:
                fail(f"it does not compile:\n{r.stderr}")
            if not bad:
                break
            names = [n for i, n in enumerate(names) if i not in bad]
        return names

    others = [m for m in macros if m not in enumerators]
    ints = compiling(others, '_Static_assert((({}) || 1), "");')
    strings = compiling([m for m in others if m not in ints],
                        '_Static_assert(sizeof("" {} "") > 1, "");')
    with open(src, "w", encoding="utf-8") as f:
        f.write(f'#include <stdio.h>\n#include "{header}"\n')
        f.write('#define I(n) ((n) < 0 ? printf("%s\\t%lld\\n", #n, (long long)(n)) : '
                'printf("%s\\t%llu\\n", #n, (unsigned long long)(n)))\n')
        f.write('#define S(n) printf("%s\\t\\"%s\\"\\n", #n, n)\n')
        f.write("int main(void)\n{\n")
        for n in sorted(set(enumerators) | set(ints)):
            f.write(f"\tI({n});\n")
        for n in sorted(strings):
            f.write(f"\tS({n});\n")
        f.write("\treturn 0;\n}\n")
    exe = os.path.join(tmp, "c")
    r = run([cc, "-w", *cflags, "-o", exe, src])
    if r.returncode:
        fail(f"the constants program does not build:\n{r.stderr}")
    r = run([exe])
    if r.returncode:
        fail("the constants program failed")
    sys.stdout.write("".join(sorted(r.stdout.splitlines(True))))
