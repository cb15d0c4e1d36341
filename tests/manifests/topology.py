#!/usr/bin/env python3
"""usage: topology.py RENDER.yaml TOPOLOGY

The render's ConfigMap reachmap-topology (by its generated name,
reachmap-topology-<hash>) must hold key topology.yaml byte for byte equal to
the file TOPOLOGY. Exit 0 if so, 1 with the reason otherwise, 2 on bad input.
"""
import re
import sys

import yaml


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    try:
        with open(argv[0], encoding="utf-8") as f:
            objs = [o for o in yaml.safe_load_all(f) if o]
        with open(argv[1], "rb") as f:
            want = f.read()
    except (OSError, yaml.YAMLError) as e:
        print(f"topology.py: {e}", file=sys.stderr)
        return 2
    maps = [o for o in objs if o.get("kind") == "ConfigMap" and re.fullmatch(
        r"reachmap-topology(-[a-z0-9]{10})?", (o.get("metadata") or {}).get("name", ""))]
    if len(maps) != 1:
        print(f"{len(maps)} ConfigMaps reachmap-topology in the render, not 1")
        return 1
    got = ((maps[0].get("data") or {}).get("topology.yaml") or "").encode("utf-8")
    if got != want:
        at = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
        line = want[:at].count(b"\n") + 1
        print(f"ConfigMap {maps[0]['metadata']['name']} key topology.yaml differs from "
              f"{argv[1]} at byte {at} (line {line}): {len(got)} bytes, the file {len(want)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
