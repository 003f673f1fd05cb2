"""Checks a `render` result against a case's expect file (rules: shared/cases/README.md).

Used by the tests of `../shared/cases` (real user reports) and of the peer's
compose fixtures. Every check compares values; quantities compare by value.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from k8s_volume_ops._names import is_dns1123_label, is_dns1123_subdomain
from k8s_volume_ops.quantity import quantity_to_decimal

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CASES = SHARED / "cases"


@dataclass
class RenderRun:
    """One `k8s-volume-ops render` run."""

    exit: int
    objects: list[dict[str, Any]]
    stderr: str


def run_render(path: Path, policy: Path | None = None, home: Path | None = None) -> RenderRun:
    """Run the real CLI in a subprocess, as a user would."""
    cmd = [sys.executable, "-m", "k8s_volume_ops", "render", str(path)]
    if policy is not None:
        cmd += ["--policy", str(policy)]
    env = dict(os.environ)
    if home is not None:
        env["AIRFLOW_HOME"] = str(home)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    objects = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    return RenderRun(proc.returncode, objects, proc.stderr)


def _kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o.get("kind") == kind]


def find_pod(objects: list[dict[str, Any]], task: str) -> dict[str, Any]:
    """The pod of a DAG task (KPO's task_id label) or of a compose service (its name)."""
    from k8s_volume_ops._names import dns1123_label

    for pod in _kind(objects, "Pod"):
        meta = pod["metadata"]
        if (meta.get("labels") or {}).get("task_id") == task:
            return pod
        if meta["name"] == dns1123_label(task):
            return pod
    raise AssertionError(
        f"no pod for {task!r} among {[p['metadata']['name'] for p in _kind(objects, 'Pod')]}"
    )


def _same_quantity(a: Any, b: Any) -> bool:
    return quantity_to_decimal(str(a)) == quantity_to_decimal(str(b))


def _claim_nfs(objects: list[dict[str, Any]], claim: str) -> dict[str, Any] | None:
    pvc = next(
        (c for c in _kind(objects, "PersistentVolumeClaim") if c["metadata"]["name"] == claim), None
    )
    for pv in _kind(objects, "PersistentVolume"):
        bound = pv["spec"].get("claimRef", {}).get("name") == claim or (
            pvc is not None and pvc["spec"].get("volumeName") == pv["metadata"]["name"]
        )
        if bound and "nfs" in pv["spec"]:
            return dict(pv["spec"]["nfs"])
    return None


def check_mount(objects: list[dict[str, Any]], expect: dict[str, Any]) -> None:
    """One `mounts:` entry of an expect file."""
    pod = find_pod(objects, expect["task"])
    container = pod["spec"]["containers"][0]
    mounts = [
        m for m in container.get("volumeMounts") or [] if m["mountPath"] == expect["mountPath"]
    ]
    assert len(mounts) == 1, f"{expect['mountPath']} mounted {len(mounts)} times in {container}"
    mount = mounts[0]
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == mount["name"])
    kind = next(k for k in volume if k != "name")
    source = volume[kind] or {}
    if expect["type"] == "nfs" and kind == "persistentVolumeClaim":
        nfs = _claim_nfs(objects, source["claimName"])
        assert nfs is not None, f"claim {source['claimName']} is not bound to an nfs PV"
        kind, source = "nfs", nfs
    assert kind == expect["type"], f"{expect['mountPath']}: {kind} != {expect['type']}"
    checks = {
        "claim": lambda: source.get("claimName"),
        "readOnly": lambda: bool(mount.get("readOnly") or source.get("readOnly")),
        "subPath": lambda: mount.get("subPath"),
        "medium": lambda: source.get("medium"),
        "server": lambda: source.get("server"),
        "path": lambda: source.get("path"),
    }
    for key, getter in checks.items():
        if key in expect:
            assert getter() == expect[key], (
                f"{expect['mountPath']} {key}: {getter()!r} != {expect[key]!r}"
            )
    if "sizeLimit" in expect:
        assert _same_quantity(source.get("sizeLimit"), expect["sizeLimit"])


def check_claim(objects: list[dict[str, Any]], expect: dict[str, Any]) -> None:
    """One `claims:` entry."""
    found = [
        c
        for c in _kind(objects, "PersistentVolumeClaim")
        if c["metadata"]["name"] == expect["name"]
    ]
    assert found, f"claim {expect['name']!r} not rendered"
    if "count" in expect:
        assert len(found) == expect["count"], f"claim {expect['name']} rendered {len(found)} times"
    spec = found[0]["spec"]
    for mode in expect.get("accessModesInclude", []):
        assert mode in spec["accessModes"], f"{expect['name']}: {mode} not in {spec['accessModes']}"
    if "size" in expect:
        assert _same_quantity(spec["resources"]["requests"]["storage"], expect["size"])


def check_always(objects: list[dict[str, Any]], existing: list[str]) -> None:
    """Valid names everywhere; every claim a pod uses is rendered or known to exist."""
    rendered = {c["metadata"]["name"] for c in _kind(objects, "PersistentVolumeClaim")}
    for obj in objects:
        assert is_dns1123_subdomain(obj["metadata"]["name"]), obj["metadata"]["name"]
    for pod in _kind(objects, "Pod"):
        spec = pod["spec"]
        for volume in spec.get("volumes") or []:
            assert is_dns1123_label(volume["name"]), volume["name"]
            claim = (volume.get("persistentVolumeClaim") or {}).get("claimName")
            if claim is not None:
                assert claim in rendered or claim in existing, f"claim {claim!r} used, not rendered"
        for container in [*(spec.get("initContainers") or []), *spec["containers"]]:
            assert is_dns1123_label(container["name"]), container["name"]


def check_case(run: RenderRun, expect: dict[str, Any]) -> None:
    """The whole expect file."""
    assert run.exit == expect["exit"], f"exit {run.exit}, stderr: {run.stderr}"
    if expect["exit"] == 2:
        wanted = [s.lower() for s in expect.get("stderr_any", [])]
        assert not wanted or any(s in run.stderr.lower() for s in wanted), run.stderr
        return
    check_always(run.objects, expect.get("existing_claims", []))
    for mount in expect.get("mounts", []):
        check_mount(run.objects, mount)
    for claim in expect.get("claims", []):
        check_claim(run.objects, claim)
    for env in expect.get("env", []):
        pod = find_pod(run.objects, env["task"])
        values = {e["name"]: e.get("value") for e in pod["spec"]["containers"][0].get("env") or []}
        for key, value in env.items():
            if key != "task":
                assert values.get(key) == value, f"env {key}: {values.get(key)!r} != {value!r}"
    for fields in expect.get("pod", []):
        spec = find_pod(run.objects, fields["task"])["spec"]
        for key, value in fields.items():
            if key != "task":
                assert spec.get(key) == value, f"pod {key}: {spec.get(key)!r} != {value!r}"


def load_expect(case: Path) -> dict[str, Any]:
    """The expect file beside a case input."""
    data: dict[str, Any] = yaml.safe_load(case.with_suffix(".expect.yaml").read_text())
    return data
