#!/usr/bin/env python3
"""usage: topology.py RENDER.yaml TOPOLOGY

The render's ConfigMap reachmap-topology (by its generated name,
reachmap-topology-<hash>) must hold key topology.yaml byte for byte equal to
the file TOPOLOGY, and every agent StatefulSet must start probes of that
topology: each pod name (NAME-0 .. NAME-(replicas-1)) a probe of the
cluster its REACHMAP_CLUSTER names, in the zone its node affinity requires
(an agent whose pod is no probe exits at start). Exit 0 if so, 1 with one
line per reason otherwise, 2 on bad input.
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
    try:
        topo = yaml.safe_load(got)
    except yaml.YAMLError as e:
        print(f"ConfigMap {maps[0]['metadata']['name']}: topology.yaml does not parse: {e}")
        return 1
    problems = agent_problems(objs, topo)
    for p in problems:
        print(p)
    return 1 if problems else 0


def agent_problems(objs, topo):
    probes = {c.get("name"): {p.get("name"): p.get("zone") for p in c.get("probes") or []}
              for c in (topo or {}).get("clusters") or []}
    problems = []
    for o in objs:
        labels = (o.get("metadata") or {}).get("labels") or {}
        if o.get("kind") != "StatefulSet" or labels.get("app.kubernetes.io/component") != "agent":
            continue
        name, spec = o["metadata"]["name"], o.get("spec") or {}
        pod = (spec.get("template") or {}).get("spec") or {}
        agent = next((c for c in pod.get("containers") or [] if c.get("name") == "agent"), {})
        cluster = next((e.get("value") for e in agent.get("env") or []
                        if e.get("name") == "REACHMAP_CLUSTER"), None)
        if cluster not in probes:
            problems.append(f"StatefulSet/{name}: REACHMAP_CLUSTER {cluster!r} is no cluster "
                            f"of the topology")
            continue
        terms = (((pod.get("affinity") or {}).get("nodeAffinity") or {}).get(
            "requiredDuringSchedulingIgnoredDuringExecution") or {}).get("nodeSelectorTerms") or []
        zones = [v for t in terms for e in t.get("matchExpressions") or []
                 if e.get("key") == "topology.kubernetes.io/zone" for v in e.get("values") or []]
        for i in range(spec.get("replicas", 1)):
            pod_name = f"{name}-{i}"
            if pod_name not in probes[cluster]:
                problems.append(f"StatefulSet/{name}: pod {pod_name} is no probe of cluster "
                                f"{cluster} in the topology")
            elif zones != [probes[cluster][pod_name]]:
                problems.append(f"StatefulSet/{name}: pod {pod_name} is placed in zones {zones}, "
                                f"the topology has it in {probes[cluster][pod_name]}")
    return problems


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
