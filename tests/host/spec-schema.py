#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate every spec in specs/ against the kernel's YNL schema for its protocol.

Usage: spec-schema.py KERNEL_SOURCE_DIR
Prints `ok NAME` / `not ok NAME: why` per spec.
"""
import pathlib
import sys

import jsonschema
import yaml

ksrc = pathlib.Path(sys.argv[1])
root = pathlib.Path(__file__).resolve().parents[2]
schemas = {
    "genetlink": ksrc / "Documentation/netlink/genetlink.yaml",
    "genetlink-c": ksrc / "Documentation/netlink/genetlink-c.yaml",
    "genetlink-legacy": ksrc / "Documentation/netlink/genetlink-legacy.yaml",
}
failed = False
for spec_path in sorted((root / "specs").glob("*.yaml")):
    name = f"spec {spec_path.name} validates against the kernel's YNL schema"
    try:
        spec = yaml.safe_load(spec_path.read_text())
        schema = yaml.safe_load(schemas[spec.get("protocol", "genetlink")].read_text())
        jsonschema.validate(spec, schema)
        print(f"ok {name}")
    except Exception as e:  # report any failure as a test result
        first = str(e).splitlines()[0]
        print(f"not ok {name}: {first}")
        failed = True
sys.exit(1 if failed else 0)
