#!/usr/bin/env python3
"""The Pod Security Standards (Kubernetes v1.32) on rendered manifests.

usage: pss.py --profile baseline|restricted RENDER.yaml
       pss.py --enforce RENDER.yaml
       pss.py --write PREFIX RENDER.yaml

Every pod template of RENDER.yaml (Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, Job, CronJob, and the Cassandra pods a K8ssandraCluster
describes) is checked. --profile checks them all against one profile;
--enforce checks each against the profile its namespace enforces (the
pod-security.kubernetes.io/enforce label of the Namespace in the render;
restricted when the namespace is not in it). One line per violation,
sorted: KIND/NAME RULE: FIELD VALUE. Exit 0 when there is none, 1 otherwise,
2 on bad input. --write does the three at once (one start of Python, not
three) into PREFIX.enforce, PREFIX.restricted and PREFIX.baseline, and exits
0 unless the input is bad.

Rule names are the check IDs of Kubernetes' pod-security-admission.
"""
import sys

import yaml

BASELINE_CAPS = {
    "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
    "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}
SAFE_SYSCTLS = {
    "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem",
}
SELINUX_TYPES = {"", "container_t", "container_init_t", "container_kvm_t",
                 "container_engine_t"}
RESTRICTED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                      "persistentVolumeClaim", "projected", "secret"}
PROFILES = ("privileged", "baseline", "restricted")


def containers(pod):
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for c in pod.get(field) or []:
            yield f"{field}[{c.get('name')}]", c, c.get("securityContext") or {}


def check_baseline(pod, annotations, out):
    psc = pod.get("securityContext") or {}
    if (psc.get("windowsOptions") or {}).get("hostProcess"):
        out("hostProcess", "securityContext.windowsOptions.hostProcess", True)
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(field):
            out("hostNamespaces", field, True)
    for v in pod.get("volumes") or []:
        if "hostPath" in v:
            out("hostPathVolumes", f"volumes[{v.get('name')}].hostPath", v["hostPath"])
    for key, value in sorted((annotations or {}).items()):
        if key.startswith("container.apparmor.security.beta.kubernetes.io/") and not (
                value == "runtime/default" or value.startswith("localhost/")):
            out("appArmorProfile", f"annotations[{key}]", value)
    check_apparmor_selinux_seccomp("securityContext", psc, out, baseline=True)
    for s in psc.get("sysctls") or []:
        if s.get("name") not in SAFE_SYSCTLS:
            out("sysctls", "securityContext.sysctls", s.get("name"))
    for where, c, sc in containers(pod):
        if (sc.get("windowsOptions") or {}).get("hostProcess"):
            out("hostProcess", f"{where}.securityContext.windowsOptions.hostProcess", True)
        if sc.get("privileged"):
            out("privileged", f"{where}.securityContext.privileged", True)
        extra = [a for a in (sc.get("capabilities") or {}).get("add") or []
                 if a not in BASELINE_CAPS]
        if extra:
            out("capabilities_baseline", f"{where}.securityContext.capabilities.add", extra)
        for p in c.get("ports") or []:
            if p.get("hostPort"):
                out("hostPorts", f"{where}.ports[{p.get('containerPort')}].hostPort",
                    p["hostPort"])
        if sc.get("procMount") not in (None, "Default"):
            out("procMount", f"{where}.securityContext.procMount", sc["procMount"])
        check_apparmor_selinux_seccomp(f"{where}.securityContext", sc, out, baseline=True)


def check_apparmor_selinux_seccomp(where, sc, out, baseline):
    aa = (sc.get("appArmorProfile") or {}).get("type")
    if aa not in (None, "RuntimeDefault", "Localhost"):
        out("appArmorProfile", f"{where}.appArmorProfile.type", aa)
    se = sc.get("seLinuxOptions") or {}
    if se.get("type", "") not in SELINUX_TYPES:
        out("seLinuxOptions", f"{where}.seLinuxOptions.type", se["type"])
    for field in ("user", "role"):
        if se.get(field):
            out("seLinuxOptions", f"{where}.seLinuxOptions.{field}", se[field])
    if baseline and (sc.get("seccompProfile") or {}).get("type") == "Unconfined":
        out("seccompProfile_baseline", f"{where}.seccompProfile.type", "Unconfined")


def check_restricted(pod, out):
    psc = pod.get("securityContext") or {}
    for v in pod.get("volumes") or []:
        kinds = [k for k in v if k != "name" and k not in RESTRICTED_VOLUMES]
        if kinds:
            out("restrictedVolumes", f"volumes[{v.get('name')}]", kinds)
    pod_nonroot = psc.get("runAsNonRoot") is True
    if psc.get("runAsNonRoot") is False:
        out("runAsNonRoot", "securityContext.runAsNonRoot", False)
    if psc.get("runAsUser") == 0:
        out("runAsUser", "securityContext.runAsUser", 0)
    pod_seccomp = (psc.get("seccompProfile") or {}).get("type")
    if pod_seccomp not in (None, "RuntimeDefault", "Localhost"):
        out("seccompProfile_restricted", "securityContext.seccompProfile.type", pod_seccomp)
    for where, _, sc in containers(pod):
        if sc.get("allowPrivilegeEscalation") is not False:
            out("allowPrivilegeEscalation", f"{where}.securityContext.allowPrivilegeEscalation",
                sc.get("allowPrivilegeEscalation"))
        nonroot = sc.get("runAsNonRoot")
        if nonroot is False or (nonroot is None and not pod_nonroot):
            out("runAsNonRoot", f"{where}.securityContext.runAsNonRoot", nonroot)
        if sc.get("runAsUser") == 0:
            out("runAsUser", f"{where}.securityContext.runAsUser", 0)
        seccomp = (sc.get("seccompProfile") or {}).get("type")
        if seccomp not in (None, "RuntimeDefault", "Localhost") or (
                seccomp is None and pod_seccomp not in ("RuntimeDefault", "Localhost")):
            out("seccompProfile_restricted", f"{where}.securityContext.seccompProfile.type",
                seccomp)
        caps = sc.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            out("capabilities_restricted", f"{where}.securityContext.capabilities.drop",
                caps.get("drop"))
        extra = [a for a in caps.get("add") or [] if a != "NET_BIND_SERVICE"]
        if extra:
            out("capabilities_restricted", f"{where}.securityContext.capabilities.add", extra)


def k8ssandra_pods(spec):
    """The parts of the Cassandra pods a K8ssandraCluster spells out: the
    containers, init containers, extra volumes and pod security context, at
    the cluster level and per datacenter (a datacenter's list replaces the
    cluster's). cass-operator's own containers are not in the object."""
    cass = spec.get("cassandra") or {}

    def pod(level, base):
        return {
            "securityContext": level.get("podSecurityContext", base.get("securityContext")),
            "containers": level.get("containers", base.get("containers")),
            "initContainers": level.get("initContainers", base.get("initContainers")),
            "volumes": (level.get("extraVolumes") or {}).get("volumes", base.get("volumes")),
        }

    cluster = pod(cass, {})
    yield "spec.cassandra", cluster
    for dc in cass.get("datacenters") or []:
        yield f"datacenter {(dc.get('metadata') or {}).get('name')}", pod(dc, cluster)


def templates(obj):
    kind, spec = obj.get("kind"), obj.get("spec") or {}
    if kind == "Pod":
        yield "", spec, (obj.get("metadata") or {}).get("annotations")
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        t = spec.get("template") or {}
        yield "", t.get("spec") or {}, (t.get("metadata") or {}).get("annotations")
    elif kind == "CronJob":
        t = ((spec.get("jobTemplate") or {}).get("spec") or {}).get("template") or {}
        yield "", t.get("spec") or {}, (t.get("metadata") or {}).get("annotations")
    elif kind == "K8ssandraCluster":
        for where, pod in k8ssandra_pods(spec):
            yield where + " ", pod, None


def violations(objs, profile_of):
    found = []
    for obj in objs:
        meta = obj.get("metadata") or {}
        profile = profile_of(meta.get("namespace"))
        for prefix, pod, annotations in templates(obj):
            def out(rule, field, value, _p=prefix, _o=obj, _m=meta):
                found.append(f"{_o['kind']}/{_m.get('name')} {rule}: {_p}{field} {value!r}")
            if profile in ("baseline", "restricted"):
                check_baseline(pod, annotations, out)
            if profile == "restricted":
                check_restricted(pod, out)
    return sorted(found)


def enforced_profiles(objs):
    return {(o.get("metadata") or {}).get("name"):
            ((o.get("metadata") or {}).get("labels") or {}).get(
                "pod-security.kubernetes.io/enforce", "privileged")
            for o in objs if o.get("kind") == "Namespace"}


def main(argv):
    ok = (len(argv) == 3 and argv[0] in ("--profile", "--write")) or (
        len(argv) == 2 and argv[0] == "--enforce")
    if not ok or (argv[0] == "--profile" and argv[1] not in PROFILES):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    path = argv[-1]
    try:
        with open(path, encoding="utf-8") as f:
            objs = [o for o in yaml.safe_load_all(f) if o]
    except (OSError, yaml.YAMLError) as e:
        print(f"pss.py: {path}: {e}", file=sys.stderr)
        return 2
    enforced = enforced_profiles(objs)
    runs = {
        "enforce": lambda ns: enforced.get(ns, "restricted"),
        "restricted": lambda ns: "restricted",
        "baseline": lambda ns: "baseline",
    }
    if argv[0] == "--write":
        for name, profile_of in runs.items():
            with open(f"{argv[1]}.{name}", "w", encoding="utf-8") as f:
                f.writelines(line + "\n" for line in violations(objs, profile_of))
        return 0
    lines = violations(objs, runs["enforce" if argv[0] == "--enforce" else argv[1]])
    for line in lines:
        print(line)
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
