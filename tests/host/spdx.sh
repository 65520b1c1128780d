#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every source, build and config file of the repository carries an SPDX license line in its
# first three lines (after a shebang). Prints `ok` / `not ok` lines.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
missing=()
while IFS= read -r f; do
    [[ -f $f ]] || continue
    case $f in
    # Prose, data, and kernel config fragments (which carry none, as in the kernel's own).
    *.md | *.png | *.svg | *.lock | *.json | *.config | *.genl | .gitignore | */.gitignore) continue ;;
    esac
    head -n 3 "$f" | grep -q 'SPDX-License-Identifier:' || missing+=("$f")
done < <(git ls-files --cached --others --exclude-standard)
if ((${#missing[@]})); then
    echo "not ok every source file has an SPDX line: ${#missing[@]} lack one: ${missing[*]:0:10}"
    exit 1
fi
echo "ok every source file has an SPDX line"
