#!/usr/bin/env python3
"""The shared contract of the Kubernetes side (namespace, names, env, args,
mounts, ranges), asserted on what `kubectl kustomize` renders from the base,
each component's fixture and the overlay-shape fixture. Run from the source
root. Prints one line per broken assertion and exits 1, or prints the count
and exits 0; 77 when kubectl is missing.
"""
import shutil
import subprocess
import sys

import yaml

FIX = "tests/manifests/fixtures"
RANGES = {"10.100.0.0/16", "10.200.0.0/16", "10.150.0.0/16", "10.250.0.0/16"}
COLLECTORS = ("https://reachmap-collector.reachmap.svc.west.cluster.local:8787,"
              "https://reachmap-collector.reachmap.svc.east.cluster.local:8787")
AGENT_ENV = {
    "POD_NAME": {"fieldRef": {"fieldPath": "metadata.name"}},
    "POD_IP": {"fieldRef": {"fieldPath": "status.podIP"}},
    "REACHMAP_TOPOLOGY": "/etc/reachmap/topology/topology.yaml",
    "REACHMAP_CLUSTER": "west",
    "REACHMAP_COLLECTOR": COLLECTORS,
    "REACHMAP_INTERVAL": "10",
    "REACHMAP_SPOOL": "/var/spool/reachmap",
    "REACHMAP_TOKEN_FILE": "/etc/reachmap/token/token",
    "REACHMAP_CA_FILE": "/etc/reachmap/ca/ca.crt",
    "REACHMAP_MODE": "connect",
    "REACHMAP_STANDINS": "1",
}
COLLECT_ARGS = [
    "collect", "--topology", "/etc/reachmap/topology/topology.yaml",
    "--db", "/var/lib/reachmap/reachmap.db", "--listen", "0.0.0.0:8787",
    "--token-file", "/etc/reachmap/token/token",
    "--tls-cert", "/etc/reachmap/tls/tls.crt", "--tls-key", "/etc/reachmap/tls/tls.key",
]

failures = []
count = 0


def check(ok, what):
    global count
    count += 1
    if not ok:
        failures.append(what)


def render(path):
    out = subprocess.run(["kubectl", "kustomize", path], check=True, capture_output=True,
                         text=True).stdout
    return [o for o in yaml.safe_load_all(out) if o]


def get(objs, kind, name=None):
    found = [o for o in objs if o["kind"] == kind and name in (None, o["metadata"]["name"])]
    return found[0] if len(found) == 1 else found if name is None else None


def env_of(container):
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def pod(obj):
    return obj["spec"]["template"]["spec"]


def volumes(spec):
    return {v["name"]: v for v in spec.get("volumes", [])}


def zone_of(sts):
    term = pod(sts)["affinity"]["nodeAffinity"][
        "requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"][0]
    expr = term["matchExpressions"][0]
    return expr["key"], expr["values"]


def configmap_mounts_match(objs, where):
    cm = [o["metadata"]["name"] for o in objs if o["kind"] == "ConfigMap"]
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet", "Job"):
            for v in pod(o).get("volumes", []):
                if "configMap" in v:
                    check(v["configMap"]["name"] in cm,
                          f"{where}: {o['kind']}/{o['metadata']['name']} mounts ConfigMap "
                          f"{v['configMap']['name']}, not one of the render's {cm}")


def base_checks(objs):
    ns = get(objs, "Namespace", "reachmap")
    labels = ns["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        check(labels.get(f"pod-security.kubernetes.io/{mode}") == "restricted",
              f"base: Namespace {mode} is not restricted")
    check(labels.get("pod-security.kubernetes.io/enforce-version", "").startswith("v1."),
          "base: Namespace enforce-version is not pinned")
    for o in objs:
        where = f"base: {o['kind']}/{o['metadata']['name']}"
        if o["kind"] != "Namespace":
            check(o["metadata"].get("namespace") == "reachmap", f"{where} not in namespace reachmap")
        check(o["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "reachmap",
              f"{where} lacks the part-of label")
        check(o["kind"] not in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "Secret"),
              f"{where}: the base holds no RBAC and no Secret")
    check(get(objs, "ServiceAccount", "reachmap")["automountServiceAccountToken"] is False,
          "base: the ServiceAccount mounts a token")
    svc = get(objs, "Service", "reachmap")["spec"]
    check(svc.get("clusterIP") == "None" and svc.get("publishNotReadyAddresses") is True,
          "base: Service reachmap is not headless with publishNotReadyAddresses")
    check([o["metadata"]["name"] for o in objs if o["kind"] == "StatefulSet"] == ["west-a"],
          "base: one StatefulSet, west-a (pod west-a-0, the example's probe)")
    sts = get(objs, "StatefulSet", "west-a")
    spec, c = pod(sts), pod(sts)["containers"][0]
    check(sts["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == "west-a",
          "base: west-a instance label")
    check(sts["spec"]["serviceName"] == "reachmap", "base: agent serviceName")
    check(sts["spec"]["podManagementPolicy"] == "Parallel", "base: agent podManagementPolicy")
    check(sts["metadata"]["labels"]["app.kubernetes.io/component"] == "agent", "base: agent label")
    check(zone_of(sts) == ("topology.kubernetes.io/zone", ["us-west1-a"]), "base: agent zone")
    check(c["name"] == "agent" and c["args"] == ["agent"] and c["image"] == "reachmap:0.1.0",
          "base: agent container name, args or image")
    check(env_of(c) == AGENT_ENV, f"base: agent env {env_of(c)}")
    check(2 < spec["terminationGracePeriodSeconds"] <= 10, "base: agent grace period")
    check(spec["automountServiceAccountToken"] is False, "base: agent mounts a token")
    check({"name": "net.ipv4.ping_group_range", "value": "0 2147483647"}
          in spec["securityContext"].get("sysctls", []), "base: agent ping_group_range")
    for probe in ("livenessProbe", "readinessProbe"):
        check(c[probe].get("tcpSocket", {}).get("port") == 8788, f"base: agent {probe}")
    vols = volumes(spec)
    check(vols["token"]["secret"] == {"secretName": "reachmap-token", "defaultMode": 0o440},
          "base: agent token Secret mode")
    check(vols["ca"]["secret"]["secretName"] == "reachmap-ca", "base: agent CA Secret")
    check("sizeLimit" in vols["spool"]["emptyDir"], "base: agent spool has no sizeLimit")
    dep = get(objs, "Deployment", "reachmap-collector")
    c = pod(dep)["containers"][0]
    check(dep["spec"]["replicas"] == 1 and dep["spec"]["strategy"]["type"] == "Recreate",
          "base: collector replicas 1, Recreate")
    check(c["args"] == COLLECT_ARGS, f"base: collector args {c['args']}")
    check((c["livenessProbe"]["httpGet"]["path"], c["readinessProbe"]["httpGet"]["path"],
           c["livenessProbe"]["httpGet"]["scheme"]) == ("/healthz", "/readyz", "HTTPS"),
          "base: collector probes")
    check(volumes(pod(dep))["tls"]["secret"]["secretName"] == "reachmap-tls", "base: collector TLS")
    check(get(objs, "Service", "reachmap-collector")["spec"]["ports"][0]["port"] == 8787,
          "base: collector Service port")
    check(get(objs, "PersistentVolumeClaim", "reachmap-collector") is not None, "base: PVC")
    for name, ports in (("reachmap-agent", {(8788, "TCP"), (8788, "UDP"), (7000, "TCP"),
                                            (7001, "TCP"), (7199, "TCP"), (9042, "TCP"),
                                            (8080, "TCP")}),
                        ("reachmap-collector", {(8787, "TCP")})):
        rule = get(objs, "NetworkPolicy", name)["spec"]["ingress"][0]
        check({f["ipBlock"]["cidr"] for f in rule["from"]} == RANGES, f"base: {name} ranges")
        check({(p["port"], p["protocol"]) for p in rule["ports"]} == ports, f"base: {name} ports")
    peers = get(objs, "NetworkPolicy", "reachmap-in-cluster")["spec"]["ingress"][0]["from"]
    check(peers == [{"namespaceSelector": {}}], "base: reachmap-in-cluster admits this cluster's pods")
    configmap_mounts_match(objs, "base")


def raw_mode_checks(objs):
    labels = get(objs, "Namespace", "reachmap")["metadata"]["labels"]
    check(labels["pod-security.kubernetes.io/enforce"] == "privileged", "raw-mode: enforce")
    check(labels["pod-security.kubernetes.io/warn"] == "restricted", "raw-mode: warn")
    c = pod(get(objs, "StatefulSet", "west-a"))["containers"][0]
    check([e["name"] for e in c["env"]].count("REACHMAP_MODE") == 1, "raw-mode: REACHMAP_MODE twice")
    check(env_of(c)["REACHMAP_MODE"] == "raw", "raw-mode: REACHMAP_MODE")
    sc = c["securityContext"]
    check((sc["runAsUser"], sc["runAsNonRoot"], sc["capabilities"]) ==
          (0, False, {"add": ["NET_RAW"], "drop": ["ALL"]}), f"raw-mode: securityContext {sc}")


def sidecar_checks(objs):
    k8c = get(objs, "K8ssandraCluster", "demo")
    check(k8c["metadata"]["namespace"] == "k8ssandra", "sidecar: the K8ssandraCluster moved")
    cass = k8c["spec"]["cassandra"]
    check(len(cass["datacenters"]) == 2, "sidecar: the datacenters were replaced")
    c = {c["name"]: c for c in cass["containers"]}.get("reachmap-agent")
    check(c is not None, "sidecar: no container reachmap-agent")
    env = env_of(c)
    check(env["REACHMAP_STANDINS"] == "0", "sidecar: stand-ins on Cassandra's ports")
    check(env["REACHMAP_CLUSTER"] == {"configMapKeyRef": {"name": "reachmap-sidecar",
                                                          "key": "cluster"}},
          "sidecar: REACHMAP_CLUSTER")
    check({k: v for k, v in env.items() if k not in ("REACHMAP_STANDINS", "REACHMAP_CLUSTER")}
          == {k: v for k, v in AGENT_ENV.items()
              if k not in ("REACHMAP_STANDINS", "REACHMAP_CLUSTER")}, "sidecar: env")
    check(c["env"][4]["name"] == "REACHMAP_COLLECTOR",
          "sidecar: the component's comment names env/4 as REACHMAP_COLLECTOR")
    check("readinessProbe" not in c, "sidecar: a readiness probe would gate Cassandra's")
    check(c["livenessProbe"]["tcpSocket"]["port"] == 8788, "sidecar: liveness")
    vols = {v["name"]: v for v in cass["extraVolumes"]["volumes"]}
    check(vols["reachmap-topology"]["configMap"]["name"] == "reachmap-sidecar", "sidecar: topology")
    check(vols["reachmap-token"]["secret"]["defaultMode"] == 0o440, "sidecar: token mode")
    check({m["name"] for m in c["volumeMounts"]} == set(vols), "sidecar: mounts != volumes")


def check_job_checks(objs):
    job = get(objs, "Job", "reachmap-check")
    check(job["metadata"]["namespace"] == "reachmap", "check-job: namespace")
    check(job["spec"]["backoffLimit"] == 0, "check-job: backoffLimit")
    args = pod(job)["containers"][0]["args"]
    check(args[0] == "check" and args[args.index("--junit") + 1] == "-", "check-job: JUnit to the log")
    check(args.count("--collector") == 2, "check-job: one --collector per cluster")
    check(get(objs, "PersistentVolumeClaim", "reachmap-check") is not None, "check-job: PVC")
    configmap_mounts_match(objs, "check-job")


def monitor_checks(objs, kind, endpoints):
    mon = get(objs, kind, "reachmap-collector")
    check(mon["metadata"]["namespace"] == "reachmap", f"{kind}: namespace")
    check(mon["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] == "collector",
          f"{kind}: selector")
    ep = mon["spec"][endpoints][0]
    check((ep["port"], ep["path"], ep["scheme"]) == ("https", "/metrics", "https"), f"{kind}: endpoint")


def overlay_checks(objs):
    sts = {o["metadata"]["name"]: o for o in objs if o["kind"] == "StatefulSet"}
    check(set(sts) == {"west-a", "west-b"}, f"overlay-shape: StatefulSets {sorted(sts)}")
    for name, zone, replicas in (("west-a", "us-west1-a", 1), ("west-b", "us-west1-b", 2)):
        s = sts.get(name)
        if s is None:
            continue
        check(zone_of(s)[1] == [zone] and s["spec"]["replicas"] == replicas,
              f"overlay-shape: {name} zone or replicas")
        check(s["spec"]["selector"]["matchLabels"]["app.kubernetes.io/instance"] == name,
              f"overlay-shape: {name} selector shared with another zone")
        check(env_of(pod(s)["containers"][0])["REACHMAP_CLUSTER"] == "west",
              f"overlay-shape: {name} REACHMAP_CLUSTER")
    for o in objs:
        if o["kind"] in ("Deployment", "StatefulSet"):
            check(pod(o)["containers"][0]["image"] == "registry.example/reachmap:0.1.0",
                  f"overlay-shape: {o['metadata']['name']} image not rewritten")
    configmap_mounts_match(objs, "overlay-shape")


def main():
    if shutil.which("kubectl") is None:
        print("contract.py: SKIP: kubectl not found (not a Debian package)")
        return 77
    base_checks(render("manifests/base"))
    raw_mode_checks(render(f"{FIX}/raw-mode"))
    sidecar_checks(render(f"{FIX}/k8ssandra-sidecar"))
    check_job_checks(render(f"{FIX}/check-job"))
    monitor_checks(render(f"{FIX}/prometheus"), "ServiceMonitor", "endpoints")
    monitor_checks(render(f"{FIX}/prometheus-podmonitor"), "PodMonitor", "podMetricsEndpoints")
    overlay_checks(render(f"{FIX}/overlay-shape"))
    for f in failures:
        print("FAIL", f)
    print(f"contract: {count - len(failures)} of {count} assertions hold")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
