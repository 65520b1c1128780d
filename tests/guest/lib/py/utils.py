# SPDX-License-Identifier: GPL-2.0
"""Process and module helpers for the in-guest test files: the argv prefix that runs a
command as nobody without capabilities, and reloading a family's module with parameters
(tests/guest/run loads the modules a file names in `# modules:` before it runs)."""

import subprocess

from .consts import module_path
from .ksft import ksft_defer
from .ynl import forget_family_ids

# uid/gid 65534, no supplementary groups, no capabilities (as lib.sh's as_nobody).
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"]

_with_params = set()  # modules reloaded with parameters, to reload with defaults at exit


def reload_module(name, *params):
    """rmmod NAME, insmod kmod/NAME/NAME.ko with PARAMS ("max_entries=2", ...), and forget
    YNL's family IDs (the family comes back with a new one). Raises RuntimeError if insmod
    fails. A module reloaded with parameters is reloaded with its defaults at ksft_exit(),
    unless the file does it first with reload_module(NAME)."""
    rm = subprocess.run(["rmmod", name], capture_output=True, text=True)
    ins = subprocess.run(["insmod", module_path(name), *params], capture_output=True, text=True)
    forget_family_ids()
    if ins.returncode != 0:
        raise RuntimeError(f"insmod {module_path(name)} {' '.join(params)} failed: "
                           f"{ins.stderr.strip()} (rmmod: {rm.stderr.strip() or 'ok'})")
    if not params:
        _with_params.discard(name)
    elif name not in _with_params:
        _with_params.add(name)
        ksft_defer(f"reload {name} with default parameters", _restore, name)


def _restore(name):
    if name in _with_params:
        reload_module(name)
