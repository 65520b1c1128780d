# SPDX-License-Identifier: GPL-2.0
"""Result lines for the in-guest test files, in the kernel selftests' ksft style.

The contract with tests/guest/run: one line per check, `ok NAME`, `not ok NAME: why` or
`ok NAME # SKIP why`; any other line is a diagnostic. The runner numbers the checks and
writes the KTAP itself, so nothing here prints a number, a plan or a header. The file's
exit status is non-zero when a check failed: end a file with `sys.exit(ksft_run(main))`
(or `sys.exit(ksft_exit())`).
"""

import os
import sys
import traceback

_failed = False
_prefix = ""
_deferred = []  # (name, fn, args), run last-in first-out by ksft_exit()


class KsftSkipEx(Exception):
    """Raise it to skip the rest of the file: ksft_run() prints `ok FILE # SKIP why`."""


def ksft_pr(*objs):
    """A diagnostic line (print() with a flush, so that it stays in order with stderr)."""
    print(*objs, flush=True)


def ksft_set_prefix(prefix):
    """Prepends PREFIX to the name of every check from now on (e.g. "counters: ")."""
    global _prefix
    _prefix = prefix


def _line(text):
    print(text.replace("\n", " "), flush=True)  # one check, one line


def ksft_pass(name):
    _line(f"ok {_prefix}{name}")
    return True


def ksft_fail(name, why):
    global _failed
    _failed = True
    _line(f"not ok {_prefix}{name}: {why}")
    return False


def ksft_skip(name, why):
    """`ok NAME # SKIP why`: a check that could not run here."""
    _line(f"ok {_prefix}{name} # SKIP {why}")


skip = ksft_skip


def ksft_eq(name, expected, got):
    """ok when EXPECTED == GOT, else `not ok NAME: expected E, got G` (reprs). Returns the verdict."""
    if expected == got:
        return ksft_pass(name)
    return ksft_fail(name, f"expected {expected!r}, got {got!r}")


def ksft_true(name, cond, detail=None):
    """ok when COND is true, else `not ok NAME: expected 'true', got DETAIL`."""
    if cond:
        return ksft_pass(name)
    return ksft_fail(name, f"expected 'true', got {detail!r}")


class ksft_raises:
    """`with ksft_raises(NAME, NlError) as r:`: ok when the block raises that type (which is
    then swallowed and kept in r.exception), not ok when it raises nothing or another type
    (which propagates)."""

    def __init__(self, name, expected_type):
        self.name, self.expected_type, self.exception = name, expected_type, None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.exception = exc
        want = self.expected_type.__name__
        if exc_type is None:
            ksft_fail(self.name, f"expected {want}, none raised")
            return False
        if issubclass(exc_type, self.expected_type):
            ksft_pass(self.name)
            return True
        ksft_fail(self.name, f"expected {want}, raised {exc_type.__name__}: {exc}")
        return False


def ksft_defer(name, fn, *args):
    """Runs fn(*args) at ksft_exit(), last deferred first; if it raises, `not ok NAME: ...`."""
    _deferred.append((name, fn, args))


def ksft_exit():
    """Runs what was deferred; returns the file's exit status: 1 if any check failed, else 0."""
    while _deferred:
        name, fn, args = _deferred.pop()
        try:
            fn(*args)
        except Exception as e:  # noqa: BLE001 -- report every cleanup failure
            ksft_pr(traceback.format_exc().rstrip())
            ksft_fail(name, f"{type(e).__name__}: {e}")
    return 1 if _failed else 0


def ksft_run(main, *args):
    """Runs main(*args), then ksft_exit(); returns the exit status. KsftSkipEx out of main
    prints `ok FILE # SKIP why`; any other exception its traceback and `not ok FILE: ...`
    (FILE is the script's name, as the runner calls it)."""
    file = os.path.basename(sys.argv[0])
    try:
        main(*args)
    except KsftSkipEx as e:
        _line(f"ok {file} # SKIP {e}")
    except Exception as e:  # noqa: BLE001 -- the file's failure, not the runner's
        ksft_pr(traceback.format_exc().rstrip())
        global _failed
        _failed = True
        _line(f"not ok {file}: {type(e).__name__}: {e}")
    return ksft_exit()
