#!/usr/bin/env python3
"""What `kubectl kustomize` renders from a generated overlay, as a cluster
would get it: the zones' StatefulSets and not the base's template, each
zone's affinity and replicas, the agents' cluster and collectors, the
NetworkPolicies' ranges and ports, the image, and the topology ConfigMap
holding the file byte for byte.

    render_check.py RENDERED.yaml TOPOLOGY CLUSTER IMAGE COLLECTORS STS=ZONE:REPLICAS...

COLLECTORS is the comma-separated list the agents must get; WANT_INTERVAL in
the environment the agents' REACHMAP_INTERVAL (default 10, the base's). Prints one line
per failed assertion; exits 1 when any failed."""
import ipaddress
import os
import sys

import yaml

rendered, topology_path, cluster, image, collectors = sys.argv[1:6]
want_sets = {}
for arg in sys.argv[6:]:
    name, rest = arg.split("=")
    zone, replicas = rest.split(":")
    want_sets[name] = (zone, int(replicas))

with open(rendered, encoding="utf-8") as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
with open(topology_path, "rb") as f:
    topology_bytes = f.read()
topology = yaml.safe_load(topology_bytes)
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def of_kind(kind):
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


sets = of_kind("StatefulSet")
check(sorted(sets) == sorted(want_sets),
      f"StatefulSets {sorted(sets)}, want {sorted(want_sets)}")
check("agent" not in sets, "the base's template StatefulSet agent is still there")
for name, (zone, replicas) in want_sets.items():
    s = sets.get(name)
    if s is None:
        continue
    spec = s["spec"]
    check(spec["replicas"] == replicas, f"{name}: replicas {spec['replicas']}, want {replicas}")
    check(s["metadata"]["namespace"] == "reachmap", f"{name}: namespace {s['metadata'].get('namespace')}")
    pod = spec["template"]["spec"]
    terms = pod["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"]
    check(terms == [{"matchExpressions": [{"key": "topology.kubernetes.io/zone",
                                            "operator": "In", "values": [zone]}]}],
          f"{name}: node affinity {terms}, want zone {zone}")
    sel = spec["selector"]["matchLabels"]
    check(sel.get("app.kubernetes.io/instance") == name, f"{name}: selector {sel}")
    check(spec["template"]["metadata"]["labels"].get("app.kubernetes.io/instance") == name,
          f"{name}: the pods' instance label is not {name}")
    agent = [c for c in pod["containers"] if c["name"] == "agent"]
    check(len(agent) == 1, f"{name}: no container agent")
    if not agent:
        continue
    env = {e["name"]: e.get("value") for e in agent[0]["env"]}
    names = [e["name"] for e in agent[0]["env"]]
    check(len(names) == len(set(names)), f"{name}: an env variable twice: {names}")
    check(env.get("REACHMAP_CLUSTER") == cluster,
          f"{name}: REACHMAP_CLUSTER={env.get('REACHMAP_CLUSTER')}, want {cluster}")
    check(env.get("REACHMAP_COLLECTOR") == collectors,
          f"{name}: REACHMAP_COLLECTOR={env.get('REACHMAP_COLLECTOR')}, want {collectors}")
    check(agent[0]["image"] == image, f"{name}: image {agent[0]['image']}, want {image}")
    check(spec.get("serviceName") == "reachmap", f"{name}: serviceName is not reachmap")
    interval = os.environ.get("WANT_INTERVAL", "10")
    check(env.get("REACHMAP_INTERVAL") == interval,
          f"{name}: REACHMAP_INTERVAL={env.get('REACHMAP_INTERVAL')}, want {interval}")

# The collector runs the same image.
for d in of_kind("Deployment").values():
    for c in d["spec"]["template"]["spec"]["containers"]:
        check(c["image"] == image, f"Deployment {d['metadata']['name']}: image {c['image']}, want {image}")

# The ConfigMap: the topology file, byte for byte, and every pod mounts it.
cms = {n: d for n, d in of_kind("ConfigMap").items() if n.startswith("reachmap-topology")}
check(len(cms) == 1, f"ConfigMaps reachmap-topology*: {sorted(cms)}, want one")
for cm_name, cm in cms.items():
    check(cm["data"]["topology.yaml"].encode("utf-8") == topology_bytes,
          f"ConfigMap {cm_name}: topology.yaml is not {topology_path} byte for byte")
    for kind in ("StatefulSet", "Deployment"):
        for d in of_kind(kind).values():
            vols = [v["configMap"]["name"] for v in d["spec"]["template"]["spec"]["volumes"]
                    if "configMap" in v]
            check(vols == [cm_name], f"{kind} {d['metadata']['name']} mounts {vols}, want {cm_name}")

# The NetworkPolicies: every cluster's pod and node ranges.
want_ranges = sorted(str(ipaddress.ip_network(r)) for c in topology["clusters"]
                     for kind in ("pods", "nodes") for r in c["cidrs"].get(kind, []))
ports = sorted({p["port"] for p in topology["defaults"]["ports"]} | {8788})
pols = of_kind("NetworkPolicy")
for pol_name, want_ports in (("reachmap-agent", [(p, "TCP") for p in ports] + [(8788, "UDP")]),
                             ("reachmap-collector", [(8787, "TCP")])):
    pol = pols.get(pol_name)
    check(pol is not None, f"no NetworkPolicy {pol_name}")
    if pol is None:
        continue
    ingress = pol["spec"]["ingress"]
    check(len(ingress) == 1, f"{pol_name}: {len(ingress)} ingress rules, want 1")
    got_ranges = sorted(f["ipBlock"]["cidr"] for f in ingress[0]["from"])
    check(got_ranges == want_ranges, f"{pol_name}: ranges {got_ranges}, want {want_ranges}")
    got_ports = sorted((p["port"], p["protocol"]) for p in ingress[0]["ports"])
    check(got_ports == sorted(want_ports), f"{pol_name}: ports {got_ports}, want {sorted(want_ports)}")

for f in failures:
    print(f"FAIL {rendered}: {f}")
sys.exit(1 if failures else 0)
