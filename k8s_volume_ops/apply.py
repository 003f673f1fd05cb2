"""The only module that talks to the Kubernetes API.

A claim is ensured by reading it first: an existing claim costs one request, as a
plain KubernetesPodOperator task's would, and a missing one is created, with 409
AlreadyExists from a task that started at the same moment counted as success, so
tasks that start together on one new volume all succeed and exactly one claim is
made. The claim we find must hold the same Docker volume (its annotation), or two
Docker volumes whose names only differ in case or `_`/`-` would share data. A
claim is never deleted here: Docker keeps named volumes, and so do we. Every API
refusal becomes an `ApplyError` naming the object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .claims import DOCKER_VOLUME_ANNOTATION, ClaimPlan
from .errors import ApplyError, ConflictError
from .policy import POLICY_CONFIGMAP_KEY, StoragePolicy, policy_from_yaml

if TYPE_CHECKING:
    from kubernetes.client import CoreV1Api

__all__ = [
    "create_or_replace_secret",
    "ensure_claims",
    "ensure_objects",
    "namespace_pod_security",
    "own_by_pod",
    "read_container_log",
    "read_policy_configmap",
]

_PSA_ENFORCE = "pod-security.kubernetes.io/enforce"


def _status(exc: Exception) -> int | None:
    status = getattr(exc, "status", None)
    return int(status) if isinstance(status, int) else None


def _json(read: Any, *args: str) -> dict[str, Any]:
    """A read as plain JSON: every task makes these reads, and the client's model
    deserialisation would cost more than the little we look at."""
    response = read(*args, _preload_content=False)
    result: dict[str, Any] = json.loads(response.data)
    return result


def _api_error(exc: Exception, what: str, name: str) -> ApplyError:
    reason = getattr(exc, "reason", None) or str(exc)
    body = getattr(exc, "body", None)
    detail = f": {body}" if body else ""
    return ApplyError(f"the cluster refused to {what} ({_status(exc)} {reason}){detail}", spec=name)


def ensure_claims(client: CoreV1Api, namespace: str, plans: Iterable[ClaimPlan]) -> list[str]:
    """Make sure every claim exists and holds its Docker volume; returns those created now."""
    created = []
    for plan in plans:
        existing = _read_claim(client, namespace, plan)
        if existing is None and plan.create_missing:
            existing = _create_claim(client, namespace, plan)
            if existing is None:
                created.append(plan.name)
                continue
        if existing is None:
            why = "it is external" if plan.external else "the policy says createMissing: false"
            raise ApplyError(
                f"claim {plan.name!r} does not exist in namespace {namespace!r}, and {why}",
                spec=plan.docker_name,
                hint="create the claim (k8s-volume-ops apply, or the Helm chart's claims), or "
                "set claims.createMissing: true",
            )
        _check_holder(existing, plan, namespace)
    return created


def _read_claim(client: CoreV1Api, namespace: str, plan: ClaimPlan) -> dict[str, Any] | None:
    from kubernetes.client.exceptions import ApiException

    try:
        return _json(client.read_namespaced_persistent_volume_claim, plan.name, namespace)
    except ApiException as exc:
        if _status(exc) == 404:
            return None
        raise _api_error(exc, f"read claim {plan.name!r}", plan.docker_name) from exc


def _create_claim(client: CoreV1Api, namespace: str, plan: ClaimPlan) -> dict[str, Any] | None:
    """Create the claim; None when created now, else the claim a concurrent task made."""
    from kubernetes.client.exceptions import ApiException

    try:
        client.create_namespaced_persistent_volume_claim(namespace, plan.manifest)
        return None
    except ApiException as exc:
        if _status(exc) != 409:
            raise _api_error(
                exc, f"create claim {plan.name!r} in {namespace!r}", plan.docker_name
            ) from exc
    return _read_claim(client, namespace, plan)


def _check_holder(existing: dict[str, Any], plan: ClaimPlan, namespace: str) -> None:
    """Refuse a claim that another Docker volume's task created under the same name."""
    if plan.named:  # the user chose this claim by name, sharing included
        return
    theirs = (existing.get("metadata", {}).get("annotations") or {}).get(DOCKER_VOLUME_ANNOTATION)
    ours = plan.manifest["metadata"].get("annotations", {}).get(DOCKER_VOLUME_ANNOTATION)
    if theirs is not None and ours is not None and theirs != ours:
        raise ConflictError(
            f"claim {plan.name!r} in namespace {namespace!r} holds Docker volume {theirs!r}; "
            f"using it for {ours!r} would mix the two volumes' data",
            spec=plan.docker_name,
            hint=f"give one of them its own claim: claims.overrides.{plan.docker_name}.claimName",
        )


def ensure_objects(
    client: CoreV1Api,
    namespace: str,
    objects: Iterable[dict[str, Any]],
    skipped: list[str] | None = None,
) -> list[str]:
    """Create PersistentVolumes, ConfigMaps and Secrets that are missing (409 is fine).

    A PersistentVolume we may not create (403) is listed in `skipped` instead: it
    must have been made by someone allowed to (the Helm chart, `k8s-volume-ops apply`).
    """
    skipped = [] if skipped is None else skipped
    from kubernetes.client.exceptions import ApiException

    creators = {
        "PersistentVolume": lambda body: client.create_persistent_volume(body),
        "ConfigMap": lambda body: client.create_namespaced_config_map(namespace, body),
        "Secret": lambda body: client.create_namespaced_secret(namespace, body),
    }
    created = []
    for obj in objects:
        kind, name = obj["kind"], obj["metadata"]["name"]
        create = creators.get(kind)
        if create is None:
            continue
        try:
            create(obj)
            created.append(f"{kind}/{name}")
        except ApiException as exc:
            if _status(exc) == 409:
                continue
            if _status(exc) == 403 and kind == "PersistentVolume":
                # Cluster-scoped: the chart's Role cannot grant it. The chart's nfs[] or
                # `k8s-volume-ops apply` creates it; the claim binds to it by name.
                skipped.append(f"{kind}/{name}")
                continue
            raise _api_error(exc, f"create {kind} {name!r}", name) from exc
    return created


def create_or_replace_secret(client: CoreV1Api, namespace: str, body: dict[str, Any]) -> None:
    """Create the task's Secret; a leftover one from an earlier try is replaced."""
    from kubernetes.client.exceptions import ApiException

    name = body["metadata"]["name"]
    try:
        client.create_namespaced_secret(namespace, body)
    except ApiException as exc:
        if _status(exc) != 409:
            raise _api_error(exc, f"create Secret {name!r}", name) from exc
        client.replace_namespaced_secret(name, namespace, body)


def own_by_pod(client: CoreV1Api, namespace: str, secret_name: str, pod: Any) -> None:
    """Make the pod own the Secret, so garbage collection deletes it with the pod."""
    reference = {
        "apiVersion": "v1",
        "kind": "Pod",
        "name": pod.metadata.name,
        "uid": pod.metadata.uid,
        "blockOwnerDeletion": False,
    }
    body = {"metadata": {"ownerReferences": [reference]}}
    client.patch_namespaced_secret(secret_name, namespace, body)


def namespace_pod_security(client: CoreV1Api, namespace: str) -> str | None:
    """The namespace's PodSecurity `enforce` level, or None when unknown or unreadable."""
    from kubernetes.client.exceptions import ApiException

    try:
        labels = client.read_namespace(namespace).metadata.labels or {}
    except ApiException:
        return None
    level = labels.get(_PSA_ENFORCE)
    return str(level) if level else None


def read_policy_configmap(client: CoreV1Api, namespace: str, name: str) -> StoragePolicy | None:
    """The chart's policy ConfigMap, or None when it does not exist or cannot be read."""
    from kubernetes.client.exceptions import ApiException

    try:
        data = _json(client.read_namespaced_config_map, name, namespace).get("data") or {}
    except ApiException as exc:
        if _status(exc) in (403, 404):
            return None
        raise _api_error(exc, f"read ConfigMap {name!r}", name) from exc
    text = data.get(POLICY_CONFIGMAP_KEY)
    if text is None:
        return None
    return policy_from_yaml(text, origin=f"ConfigMap {namespace}/{name}")


def read_container_log(client: CoreV1Api, namespace: str, pod: str, container: str) -> str:
    """The whole log of one container (stdout and stderr, as the kubelet merges them)."""
    # Unpreloaded: the preloading client turns the body into the repr of bytes (b'...').
    response = client.read_namespaced_pod_log(
        pod, namespace, container=container, _preload_content=False
    )
    data: bytes = response.data
    return data.decode("utf-8", errors="replace")
