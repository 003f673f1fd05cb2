"""`k8s-volume-ops apply PATH`: create the storage a DAG or compose file needs, ahead of time.

The operator creates missing claims itself when a task starts; `apply` does it
beforehand, so a platform team can review, pre-provision, or run with
`claims.createMissing: false`. Objects are those `render` prints, minus the Pods
and the per-pod `private_environment` Secrets (their values are redacted, and they
belong to one pod): PersistentVolumes, claims, ConfigMaps and compose Secrets.
Creation is idempotent: an object that exists already (409) is reported as
`exists` and left untouched, as the operator does.

Namespace of each object: `--namespace`, else the task's own `namespace=`, else
`default`, as the operator would choose without a connection namespace. Policy:
`--policy`, else `$K8S_VOLUME_OPS_POLICY`, else the chart's policy ConfigMap in the
cluster (the one the operator reads), else the built-in defaults. `--dry-run`
contacts no cluster, so it cannot read that ConfigMap and uses the defaults.

Exit codes: 0 when every object was created or exists; 2 when the file has
problems (nothing is applied; one line each on stderr), when the cluster cannot be
reached or refuses an object (one line each), or on bad arguments.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ApplyError, SpecError, UnsupportedError
from ..migrate import import_error_row
from ..policy import POLICY_CONFIGMAP_ENV, POLICY_ENV, StoragePolicy, load_policy
from ._output import guarded, one_line

if TYPE_CHECKING:
    from kubernetes.client import CoreV1Api

__all__ = ["register"]

_COMPOSE_SUFFIXES = (".yml", ".yaml")
_CREATABLE = ("PersistentVolume", "PersistentVolumeClaim", "ConfigMap", "Secret")
Placed = tuple[str, dict[str, Any]]  # (namespace, object)


def register(subparsers: Any) -> None:
    """Add the `apply` subcommand."""
    parser = subparsers.add_parser(
        "apply", help="create the claims, PVs and ConfigMaps a DAG or compose file needs"
    )
    parser.add_argument("path", type=Path, help="a DAG file (.py) or a compose file")
    parser.add_argument("--policy", type=Path, help="storage policy YAML file")
    parser.add_argument(
        "--namespace",
        help="namespace of the objects (default: the task's own namespace=, else default)",
    )
    parser.add_argument("--kubeconfig", type=Path, help="kubeconfig file (default: $KUBECONFIG)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print what would be created; contact no cluster"
    )
    parser.set_defaults(func=lambda args: guarded(lambda: run(args)))


def run(args: argparse.Namespace) -> int:
    """Render PATH, then ensure each object; 2 on any problem."""
    path: Path = args.path
    if not path.is_file():
        raise SpecError("no such file", spec=str(path))
    if path.suffix not in (*_COMPOSE_SUFFIXES, ".py"):
        raise SpecError("expected a DAG file (.py) or a compose file (.yml, .yaml)", spec=str(path))
    explicit = args.policy is not None or bool(os.environ.get(POLICY_ENV))
    client = None if args.dry_run or explicit else _client(args.kubeconfig)
    policy = _policy(args, client)
    objects, problems = _render(path, policy, args.namespace)
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        count = f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        print(f"{path}: nothing applied ({count})", file=sys.stderr)
        return 2
    if not objects:
        print(f"{path}: needs no claims, volumes or ConfigMaps", file=sys.stderr)
        return 0
    if args.dry_run:
        for namespace, obj in objects:
            print(f"would create  {_label(namespace, obj)}")
        return 0
    return _ensure_all(client or _client(args.kubeconfig), objects)


def _policy(args: argparse.Namespace, client: CoreV1Api | None) -> StoragePolicy:
    if client is None:
        return load_policy(args.policy)
    from .. import apply

    namespace = args.namespace or "default"
    name = os.environ.get(POLICY_CONFIGMAP_ENV, "k8s-volume-ops-policy")
    found: StoragePolicy | None = _reach(
        lambda: apply.read_policy_configmap(client, namespace, name)
    )
    if found is None:
        return StoragePolicy()
    print(f"policy: ConfigMap {namespace}/{name}", file=sys.stderr)
    return found


def _render(
    path: Path, policy: StoragePolicy, namespace: str | None
) -> tuple[list[Placed], list[str]]:
    if path.suffix in _COMPOSE_SUFFIXES:
        return _compose(path, policy, namespace)
    return _dag(path, policy, namespace)


def _dag(
    path: Path, policy: StoragePolicy, namespace: str | None
) -> tuple[list[Placed], list[str]]:
    from ._output import quiet_airflow

    with quiet_airflow():
        from ..operators.docker import REDACTED
        from ..operators.offline import render_dag_file

        renders, errors = render_dag_file(path.resolve(), policy, namespace)
    problems = [
        f"{path}: {import_error_row(str(path), text, loaded=file).problems[0]}"
        for file, text in errors.items()
    ]
    placed: list[Placed] = []
    for task in renders:
        problems += [
            f"{path}: task {task.dag_id}.{task.task_id}: {one_line(p)}" for p in task.problems
        ]
        pods = [o for o in task.objects if o["kind"] == "Pod"]
        where = (pods[0]["metadata"].get("namespace") if pods else None) or namespace or "default"
        placed += [
            (where, obj)
            for obj in task.objects
            if obj["kind"] != "Pod" and REDACTED not in (obj.get("stringData") or {}).values()
        ]
    if not renders and not errors:
        problems.append(f"{path}: no DockerOperator tasks found")
    return _unique(placed), problems


def _compose(
    path: Path, policy: StoragePolicy, namespace: str | None
) -> tuple[list[Placed], list[str]]:
    try:
        from ..compose import render_compose
    except ImportError as exc:
        raise UnsupportedError(
            f"compose support is not available in this installation ({exc})", spec=str(path)
        ) from exc
    objects, problems = render_compose(path, policy, namespace)
    placed = [
        ((obj["metadata"].get("namespace") or namespace or "default"), obj)
        for obj in objects
        if obj["kind"] != "Pod"
    ]
    return _unique(placed), [f"{path}: {one_line(p)}" for p in problems]


def _unique(placed: list[Placed]) -> list[Placed]:
    """Tasks sharing a claim list it each; create it once."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for namespace, obj in placed:
        key = (namespace, obj["kind"], obj["metadata"]["name"])
        if key not in seen:
            seen.add(key)
            out.append((namespace, obj))
    return out


def _label(namespace: str, obj: dict[str, Any]) -> str:
    name = obj["metadata"]["name"]
    where = name if obj["kind"] == "PersistentVolume" else f"{namespace}/{name}"
    return f"{obj['kind']} {where}"


def _client(kubeconfig: Path | None) -> CoreV1Api:
    """A CoreV1Api from the kubeconfig (or in-cluster config when there is none)."""
    try:
        from kubernetes import client, config
    except ImportError as exc:
        raise ApplyError(
            "the kubernetes client is not installed (pip install 'k8s-volume-ops[k8s]')"
        ) from exc
    try:
        if kubeconfig is None and _in_cluster():
            config.load_incluster_config()
        else:
            config.load_kube_config(config_file=str(kubeconfig) if kubeconfig else None)
    except Exception as exc:  # ConfigException, a missing file, malformed YAML
        where = str(kubeconfig) if kubeconfig else os.environ.get("KUBECONFIG", "~/.kube/config")
        raise ApplyError(
            f"cannot load the Kubernetes configuration: {one_line(exc)}", spec=where
        ) from exc
    api = client.CoreV1Api()
    # After the client exists: its Configuration resets urllib3 to WARNING, and once
    # Airflow is loaded the retry warnings would land on stdout.
    logging.getLogger("urllib3").setLevel(logging.ERROR)
    return api


def _in_cluster() -> bool:
    default = Path.home() / ".kube" / "config"
    return (
        "KUBERNETES_SERVICE_HOST" in os.environ
        and not os.environ.get("KUBECONFIG")
        and not default.exists()
    )


class _UnreachableError(ApplyError):
    """No answer from the API server: stop at the first object instead of repeating it."""


def _reach(call: Any) -> Any:
    """Run one API call; an unreachable API server becomes one ApplyError line."""
    from urllib3.exceptions import HTTPError

    try:
        return call()
    except HTTPError as exc:
        reason = getattr(exc, "reason", None) or exc
        raise _UnreachableError(
            f"cannot reach the Kubernetes API: {one_line(Exception(reason))}"
        ) from exc


def _check_namespaces(client: CoreV1Api, objects: list[Placed]) -> None:
    """Refuse before creating anything: a PV made for a missing namespace would stay bound to it."""
    from kubernetes.client.exceptions import ApiException

    for namespace in sorted({ns for ns, obj in objects if obj["kind"] != "PersistentVolume"}):
        try:
            _reach(lambda ns=namespace: client.read_namespace(ns))
        except ApiException as exc:
            if exc.status == 404:
                raise ApplyError(
                    f"namespace {namespace!r} does not exist; nothing was created",
                    hint=f"create it first (kubectl create namespace {namespace}) or pass "
                    "--namespace",
                ) from exc
            # 403: this user may not read namespaces; the creates will tell


def _ensure_all(client: CoreV1Api, objects: list[Placed]) -> int:
    _check_namespaces(client, objects)
    failures = 0
    for namespace, obj in objects:
        try:
            created = _reach(lambda n=namespace, o=obj: _ensure(client, n, o))
        except _UnreachableError:
            raise
        except ApplyError as exc:
            print(f"error: {one_line(exc)}", file=sys.stderr)
            failures += 1
            continue
        if created is None:
            print(f"skipped  {_label(namespace, obj)}: apply creates storage objects only")
            continue
        print(f"{'created' if created else 'exists '}  {_label(namespace, obj)}")
    return 2 if failures else 0


def _ensure(client: CoreV1Api, namespace: str, obj: dict[str, Any]) -> bool | None:
    """True when created now, False when it existed, None for kinds apply leaves alone."""
    from .. import apply
    from ..claims import DOCKER_VOLUME_ANNOTATION, ClaimPlan

    kind = obj["kind"]
    if kind not in _CREATABLE:
        return None
    if kind == "PersistentVolumeClaim":
        annotations = obj["metadata"].get("annotations") or {}
        docker_name = annotations.get(DOCKER_VOLUME_ANNOTATION, obj["metadata"]["name"])
        plan = ClaimPlan(manifest=obj, docker_name=docker_name)
        return bool(apply.ensure_claims(client, namespace, [plan]))
    forbidden: list[str] = []
    created = bool(apply.ensure_objects(client, namespace, [obj], skipped=forbidden))
    if forbidden:  # the operator tolerates this; apply exists to do what it may not
        raise ApplyError(
            "the cluster refused to create it (403 Forbidden): this kubeconfig's user may "
            "not create PersistentVolumes",
            spec=obj["metadata"]["name"],
        )
    return created
