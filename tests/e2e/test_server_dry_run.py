"""The real apiserver judges what we emit: every object is created with dryRun=All.

Server-side dry run runs defaulting, validation and admission (PodSecurity
included) without storing anything. It covers the example DAGs (NFS among them),
the compose cases from user reports and the peer's compose fixtures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from casecheck import CASES, SHARED
from e2e_support import REPO
from kubernetes import client
from operator_helpers import WHEN

from k8s_volume_ops.compose import compose_result
from k8s_volume_ops.operators.offline import render_dag_file
from k8s_volume_ops.policy import StoragePolicy, load_policy

PEER = SHARED / "peer"


def dag_objects(path: Path, namespace: str) -> list[dict[str, Any]]:
    renders, errors = render_dag_file(path, StoragePolicy(), namespace, WHEN)
    assert errors == {}
    assert all(not r.problems for r in renders), [str(p) for r in renders for p in r.problems]
    return [obj for r in renders for obj in r.objects]


def compose_objects(path: Path, policy: StoragePolicy, namespace: str) -> list[dict[str, Any]]:
    return compose_result(path, policy, namespace).objects


def create(core: client.CoreV1Api, namespace: str, obj: dict[str, Any]) -> None:
    calls: dict[str, Callable[..., Any]] = {
        "PersistentVolume": lambda: core.create_persistent_volume(obj, dry_run="All"),
        "PersistentVolumeClaim": lambda: core.create_namespaced_persistent_volume_claim(
            namespace, obj, dry_run="All"
        ),
        "ConfigMap": lambda: core.create_namespaced_config_map(namespace, obj, dry_run="All"),
        "Secret": lambda: core.create_namespaced_secret(namespace, obj, dry_run="All"),
        "Pod": lambda: core.create_namespaced_pod(namespace, obj, dry_run="All"),
    }
    calls[obj["kind"]]()


def sources() -> list[tuple[str, Path, Path | None]]:
    found: list[tuple[str, Path, Path | None]] = [
        ("dag", p, None) for p in sorted((REPO / "dags").glob("*.py"))
    ]
    for case in sorted(CASES.glob("*.yml")) if CASES.is_dir() else []:
        expect = yaml.safe_load(case.with_suffix(".expect.yaml").read_text())
        if expect["exit"] == 0:
            policy = CASES / "policies" / expect["policy"] if expect.get("policy") else None
            found.append(("compose", case, policy))
    if PEER.is_dir():
        found += [
            ("compose", p, PEER / "policy.yaml") for p in sorted((PEER / "kompose").rglob("*.y*ml"))
        ]
    return found


@pytest.mark.parametrize(
    ("kind", "path", "policy"), sources(), ids=lambda v: v.name if isinstance(v, Path) else str(v)
)
def test_apiserver_accepts_what_we_emit(
    kind: str, path: Path, policy: Path | None, core: client.CoreV1Api, namespace: str
) -> None:
    if kind == "dag":
        objects = dag_objects(path, namespace)
    else:
        objects = compose_objects(path, load_policy(policy), namespace)
    pods = [o for o in objects if o["kind"] == "Pod"]
    assert pods, f"{path}: nothing to submit"
    for obj in objects:
        create(core, namespace, obj)


def test_nfs_pair_is_accepted_and_binds_by_name(core: client.CoreV1Api, namespace: str) -> None:
    objects = dag_objects(REPO / "dags" / "seed_network_storage.py", namespace)
    volumes = [o for o in objects if o["kind"] == "PersistentVolume"]
    assert {v["spec"]["nfs"]["server"] for v in volumes} == {"10.20.30.40"}
    assert all(v["metadata"]["name"].startswith(f"{namespace}-") for v in volumes)
    claims = {o["spec"].get("volumeName") for o in objects if o["kind"] == "PersistentVolumeClaim"}
    assert {v["metadata"]["name"] for v in volumes} <= claims
    for obj in objects:
        create(core, namespace, obj)
