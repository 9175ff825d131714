#!/usr/bin/python3
"""Checks tools/k8s/launch's manifests for test_k8s_manifests.sh, with no cluster.

Each document is deserialised into its Kubernetes API type by Debian's
python3-kubernetes (V1ConfigMap, V1Job) and serialised back: the client drops
keys it does not know and converts values silently, so any difference between
the round trip and the input is a field Kubernetes would reject or read
otherwise. Then the semantics a distributed run depends on: an Indexed Job with
completions = parallelism = N, pods never restarted in place, the failure policy
of tools/k8s/job.yaml, the entrypoint given N and the start time, the suite's
ConfigMap mounted where the command reads it with every file at its path, a
writable /tmp under a read-only root, requests = limits, and the image's
non-root user (tools/k8s/Containerfile).

usage: check_k8s_manifests.py CONTAINERFILE N START_AT SUITE_DIR MANIFESTS...
Prints each problem as `MANIFESTS: ...`; exit 0 when there is none, 1 otherwise.
"""
import base64
import os
import re
import sys

import yaml
from kubernetes import client

TYPES = {("v1", "ConfigMap"): "V1ConfigMap", ("batch/v1", "Job"): "V1Job"}

problems = []


def problem(msg):
    problems.append(msg.replace("\n", " "))


def without_nulls(v):
    if isinstance(v, dict):
        return {k: without_nulls(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [without_nulls(x) for x in v]
    return v


def differences(a, b, path=""):
    """Where the input a and the round trip b differ, as readable paths."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in a:
            if k not in b:
                out.append(f"{path}.{k}: unknown field (the API type has none of that name)")
            else:
                out += differences(a[k], b[k], f"{path}.{k}")
        out += [f"{path}.{k}: appeared in the round trip" for k in b if k not in a]
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items became {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if type(a) is not type(b) or a != b:
        return [f"{path}: {a!r} reads as {b!r}"]
    return []


def deserialise(doc):
    """The API object of one manifest document, or None (problems recorded)."""
    kind = (doc.get("apiVersion"), doc.get("kind"))
    if kind not in TYPES:
        problem(f"{kind[1]} {kind[0]}: not a kind the run uses ({sorted(TYPES.values())})")
        return None
    api = client.ApiClient()
    try:
        obj = api._ApiClient__deserialize(doc, TYPES[kind])
    except (ValueError, TypeError) as e:
        problem(f"{kind[1]}: not a valid {TYPES[kind]}: {e}")
        return None
    back = api.sanitize_for_serialization(obj)
    for d in differences(without_nulls(doc), back):
        problem(f"{kind[1]} {d}")
    return obj


def image_user(containerfile):
    """The numeric uid:gid of the image's last USER, or None."""
    users = re.findall(r"^USER\s+(\S+)\s*$", open(containerfile).read(), re.M)
    if not users:
        problem(f"{containerfile}: no USER: the image would run as root")
        return None
    m = re.fullmatch(r"(\d+)(?::(\d+))?", users[-1])
    if not m:
        problem(f"{containerfile}: USER {users[-1]} is not numeric: runAsNonRoot cannot check a name")
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


def check_job(job, cm, n, start_at, suite_dir, user):
    spec = job.spec
    if spec.completion_mode != "Indexed":
        problem(f"Job: completionMode {spec.completion_mode!r}, not Indexed: no JOB_COMPLETION_INDEX")
    if not (spec.completions == spec.parallelism == n):
        problem(f"Job: completions {spec.completions}, parallelism {spec.parallelism}, "
                f"not both {n}: the segments would not all run at once")
    if spec.backoff_limit != n:
        problem(f"Job: backoffLimit {spec.backoff_limit}, not {n} (one replacement per segment)")
    if job.metadata.namespace != cm.metadata.namespace:
        problem(f"Job in {job.metadata.namespace}, its ConfigMap in {cm.metadata.namespace}")
    pod = spec.template.spec
    if pod.restart_policy != "Never":
        problem(f"Job: restartPolicy {pod.restart_policy!r}: a restarted container sends its "
                "slice twice")
    sc = pod.security_context
    if not (sc and sc.run_as_non_root):
        problem("Job: the pod is not runAsNonRoot")
    if user and sc and (sc.run_as_user, sc.run_as_group) != (user[0], user[1] or user[0]):
        problem(f"Job: runAsUser/runAsGroup {sc.run_as_user}/{sc.run_as_group}, the image's "
                f"USER is {user[0]}:{user[1]}")
    if sc and sc.run_as_user == 0:
        problem("Job: runAsUser 0 (root)")
    sel = pod.topology_spread_constraints or []
    labels = spec.template.metadata.labels or {}
    for c in sel:
        for k, v in ((c.label_selector and c.label_selector.match_labels) or {}).items():
            if labels.get(k) != v:
                problem(f"Job: topologySpreadConstraints select {k}={v}, the pods have {labels}")
    if len(pod.containers) != 1:
        return problem(f"Job: {len(pod.containers)} containers, not 1")
    c = pod.containers[0]
    if c.command != ["loadgate-segment"]:
        problem(f"Job: command {c.command}, not the image's loadgate-segment")
    env = {e.name: e.value for e in c.env or []}
    if env.get("LG_SEGMENT_COUNT") != str(n):
        problem(f"Job: LG_SEGMENT_COUNT {env.get('LG_SEGMENT_COUNT')!r}, not '{n}'")
    if env.get("LG_START_AT") != start_at:
        problem(f"Job: LG_START_AT {env.get('LG_START_AT')!r}, not {start_at!r}")
    if "JOB_COMPLETION_INDEX" in env:
        problem("Job: sets JOB_COMPLETION_INDEX itself; Kubernetes sets it in an Indexed Job")
    for a in c.args or []:
        if a.split("=", 1)[0] in ("--segment", "--start-at", "--out"):
            problem(f"Job: args give {a}: loadgate-segment sets it")
    r = c.resources
    if not r or not r.requests or r.requests != r.limits or not {"cpu", "memory"} <= set(r.limits):
        problem(f"Job: resources {r and r.requests} / {r and r.limits}: cpu and memory, "
                "requests = limits (Guaranteed)")
    csc = c.security_context
    if not (csc and csc.read_only_root_filesystem and csc.allow_privilege_escalation is False):
        problem("Job: the container's root filesystem is writable or it may escalate privileges")
    mounts = {m.mount_path: m for m in c.volume_mounts or []}
    vols = {v.name: v for v in pod.volumes or []}
    tmp = mounts.get("/tmp")
    if not tmp or not (vols.get(tmp.name) and vols[tmp.name].empty_dir):
        problem("Job: /tmp (loadgate-segment's --out) is not an emptyDir under the read-only root")
    suite_file = (c.args or [""])[0]
    mounted = [(p, m) for p, m in mounts.items() if suite_file.startswith(p.rstrip("/") + "/")]
    if not mounted:
        return problem(f"Job: the suite {suite_file!r} is under no volume mount")
    path, m = mounted[0]
    vol = vols.get(m.name)
    if not (vol and vol.config_map and vol.config_map.name == cm.metadata.name):
        return problem(f"Job: {path} is not the ConfigMap {cm.metadata.name}")
    items = {i.path: i.key for i in vol.config_map.items or []}
    content = dict(cm.data or {})
    for k, v in (cm.binary_data or {}).items():
        if k in content:
            problem(f"ConfigMap: key {k} in data and binaryData")
        content[k] = base64.b64decode(v)
    if sorted(items.values()) != sorted(content):
        problem(f"Job: the volume's items {sorted(items.values())} are not the ConfigMap's keys "
                f"{sorted(content)}")
    rel = suite_file[len(path.rstrip("/")) + 1:]
    if rel not in items:
        problem(f"Job: the suite {suite_file} is no item of the ConfigMap")
    files = {}
    for root, dirs, names in os.walk(suite_dir):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for f in names:
            if not f.startswith("."):
                p = os.path.join(root, f)
                files[os.path.relpath(p, suite_dir)] = open(p, "rb").read()
    if sorted(files) != sorted(items):
        problem(f"ConfigMap: files {sorted(items)}, the suite's folder has {sorted(files)}")
    for p, key in items.items():
        got = content.get(key)
        got = got.encode() if isinstance(got, str) else got
        if p in files and got != files[p]:
            problem(f"ConfigMap: {p} is not the bytes of the suite's file")


def check_file(path, containerfile, n, start_at, suite_dir):
    """The problems of one file of manifests."""
    problems.clear()
    try:
        docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except yaml.YAMLError as e:
        return [f"not YAML: {e}".replace("\n", " ")]
    objs = {}
    for d in docs:
        if not isinstance(d, dict):
            problem(f"a document is not a mapping: {d!r}")
            continue
        obj = deserialise(d)
        if obj is not None:
            objs.setdefault(d["kind"], []).append(obj)
    if [len(objs.get(k, [])) for k in ("ConfigMap", "Job")] != [1, 1]:
        problem(f"{ {k: len(v) for k, v in objs.items()} }: not one ConfigMap and one Job")
    else:
        check_job(objs["Job"][0], objs["ConfigMap"][0], n, start_at, suite_dir,
                  image_user(containerfile))
    return list(problems)


def main(argv):
    if len(argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    containerfile, n, start_at, suite_dir = argv[1], int(argv[2]), argv[3], argv[4]
    bad = 0
    for path in argv[5:]:
        found = check_file(path, containerfile, n, start_at, suite_dir)
        bad += bool(found)
        for p in found:
            print(f"{path}: {p}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
