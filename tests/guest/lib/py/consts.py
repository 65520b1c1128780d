# SPDX-License-Identifier: GPL-2.0
"""Where things are, from the environment tests/guest/run sets: the repository
(GENLKIT_ROOT), the kernel source (KSRC), the output directory (GENLKIT_OUT), and the
paths of a family's spec and module derived from them."""

import os
from pathlib import Path

# GENLKIT_ROOT defaults to the checkout this file is in (tests/guest/lib/py/ -> ../../../..).
ROOT = os.environ.get("GENLKIT_ROOT") or str(Path(__file__).resolve().parents[4])
KSRC = os.environ.get("KSRC", "")
OUT = os.environ.get("GENLKIT_OUT") or "/tmp"
GUEST_DIR = str(Path(__file__).resolve().parents[2])  # tests/guest: `from lib.py import ...`
PYTHON = "/usr/bin/python3"  # Debian's, with python3-yaml and python3-jsonschema
SCHEMA = f"{KSRC}/Documentation/netlink/genetlink.yaml"


def spec_path(name):
    """specs/NAME.yaml, the YNL spec of family NAME."""
    return f"{ROOT}/specs/{name}.yaml"


def module_path(name):
    """kmod/NAME/NAME.ko, the module of family NAME (under GENLKIT_KMOD_DIR when set)."""
    return f"{os.environ.get('GENLKIT_KMOD_DIR') or ROOT + '/kmod'}/{name}/{name}.ko"
