#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: kvstore
"""genlctl, the spec-driven CLI, on kvstore against the kernel's YNL: every op (do and dump)
with the same requests through both, in fresh network namespaces, the JSON compared step by
step (it must be the same text), kernel errors with their extack, notifications through
`genlctl monitor`, the policies the controller reports, the YNL CLI itself on a do and a
dump, and genlctl's usage errors and exit statuses.

GENLKIT_GENLCTL_BENCH=N (it reaches the guest, as every GENLKIT_* variable does) adds the
wall time of N processes each of genlctl and the YNL CLI for one `do`, as diagnostics."""
import os
import sys

from lib.py import family, ksft_run, ksft_set_prefix
from lib.py.genlctl import bench, cli_matches, compare, compare_policies, usage_errors

STEPS = [
    ("do", "echo", {"key": "ping", "value": "0001ff", "flags": ["text", "compressed"], "generation": 1 << 40}),
    ("do", "echo", {}),
    ("do", "echo", {"generation": (1 << 64) - 1, "flags": 2}),
    ("do", "put", {"key": "alpha", "value": "6f6e65", "flags": ["text"], "mode": "create"}),
    ("do", "put", {"key": "b/2", "value": "", "mode": "upsert"}),
    ("do", "put", {"key": "b/1", "value": "00ff", "flags": 3}),
    ("do", "put", {"key": "alpha", "value": "756e6f", "mode": "replace"}),
    ("do", "get", {"key": "alpha"}),
    ("do", "get", {"key": "b/1"}),
    ("dump", "get", {}),
    ("dump", "get", {"key": "b/"}),
    ("dump", "get", {"key": "zzz"}),
    ("do", "del", {"key": "b/2"}),
    ("do", "stats", {}),
    # errors: errno, extack message, the attribute
    ("do", "get", {"key": "nope"}),
    ("do", "put", {"value": "00"}),
    ("do", "put", {"key": "alpha", "value": "78", "mode": "create"}),
    ("do", "put", {"key": "alpha", "value": "78", "mode": 3}),
    ("do", "put", {"key": "", "value": ""}),
    ("do", "del", {"key": "nope"}),
    ("do", "stats", {}),
]
NOTIFICATIONS = 5  # four puts and a del succeed


def main():
    ksft_set_prefix("genlctl: ")
    compare("kvstore", STEPS, ["notify"], NOTIFICATIONS)
    compare_policies(family("kvstore"), "kvstore")
    put = ["do", "put", "--json", '{"key": "k", "value": "0102", "flags": ["compressed"]}']
    cli_matches("kvstore", [put], ["--do", "get", "--json", '{"key": "k"}'])
    cli_matches("kvstore", [put], ["--dump", "get"])
    usage_errors("kvstore", "get", '{"kee": "x"}')
    runs = int(os.environ.get("GENLKIT_GENLCTL_BENCH", "0") or 0)
    if runs:
        bench("kvstore", [], ["--do", "echo", "--json", '{"key": "k"}'], runs)


if __name__ == "__main__":
    sys.exit(ksft_run(main))
