#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# modules: counters
"""genlctl, the spec-driven CLI, on counters against the kernel's YNL: every op (do and
dump) with the same requests through both, in fresh network namespaces, the JSON compared
step by step, kernel errors with their extack, notifications through `genlctl monitor`, the
policies, the YNL CLI itself on a do and a dump, and genlctl's usage errors."""
import sys

from lib.py import family, ksft_run, ksft_set_prefix
from lib.py.genlctl import cli_matches, compare, compare_policies, usage_errors

STEPS = [
    ("do", "add", {"name": "rx", "delta": 5}),
    ("do", "add", {"name": "rx"}),
    ("do", "add", {"name": "rx", "delta": (1 << 64) - 2}),
    ("do", "add", {"name": "a"}),
    ("do", "add", {"name": "z", "delta": 9}),
    ("do", "get", {"name": "rx"}),
    ("dump", "get", {}),
    ("do", "add-batch", {"item": [{"name": "rx", "delta": 2}, {"name": "b"}, {"name": "rx"}]}),
    # errors
    ("do", "get", {"name": "nope"}),
    ("do", "add", {"delta": 1}),
    ("do", "add", {"name": ""}),
    ("do", "add", {"name": "n" * 64}),
    ("do", "add-batch", {"item": [{"name": "b"}, {"delta": 3}]}),
    ("do", "add-batch", {}),
    ("dump", "get", {}),
]
NOTIFICATIONS = 8


def main():
    ksft_set_prefix("genlctl: ")
    compare("counters", STEPS, ["events"], NOTIFICATIONS)
    compare_policies(family("counters"), "counters")
    add = ["do", "add", "--json", '{"name": "c", "delta": 7}']
    cli_matches("counters", [add], ["--do", "get", "--json", '{"name": "c"}'])
    cli_matches("counters", [add, add], ["--dump", "get"])
    usage_errors("counters", "get", '{"nam": "x"}')


if __name__ == "__main__":
    sys.exit(ksft_run(main))
