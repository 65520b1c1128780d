# SPDX-License-Identifier: GPL-2.0
"""Python helpers for the in-guest test files (tests/guest/NN-*.py), after the kernel
selftests' tools/testing/selftests/net/lib/py: result lines (ksft), our families through
the kernel's YNL library (ynl), and process and module helpers (utils).

    from lib.py import ksft_eq, ksft_run, family   # tests/guest is on sys.path
"""

from .consts import KSRC, OUT, ROOT, SCHEMA, module_path, spec_path
from .ksft import KsftSkipEx, ksft_defer, ksft_eq, ksft_exit, ksft_fail, ksft_pass, \
    ksft_pr, ksft_raises, ksft_run, ksft_set_prefix, ksft_skip, ksft_true, skip
from .ynl import NLM_F_APPEND, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, Netlink, NlError, \
    YnlException, YnlFamily, family, forget_family_ids, nl_error, raw_dump, raw_request, run_as, \
    ynl_cli
from .utils import NOBODY, reload_module

__all__ = [
    "KSRC", "OUT", "ROOT", "SCHEMA", "module_path", "spec_path",
    "KsftSkipEx", "ksft_defer", "ksft_eq", "ksft_exit", "ksft_fail", "ksft_pass", "ksft_pr",
    "ksft_raises", "ksft_run", "ksft_set_prefix", "ksft_skip", "ksft_true", "skip",
    "NLM_F_APPEND", "NLM_F_CREATE", "NLM_F_EXCL", "NLM_F_REPLACE", "Netlink", "NlError",
    "YnlException", "YnlFamily", "family", "forget_family_ids", "nl_error", "raw_dump", "raw_request",
    "run_as", "ynl_cli",
    "NOBODY", "reload_module",
]
