"""Between manifest dicts and `kubernetes.client` models: the operator's only glue.

KubernetesPodOperator builds a `V1Pod` from its own arguments; our translation is
camelCase dicts. The pod KPO built is turned into a dict, our plan is merged into
it (KPO's and the user's explicit settings win where both set a field), and the
result is turned back into a `V1Pod`.
"""

from __future__ import annotations

from typing import Any

from kubernetes.client import ApiClient

from ..podplan import PodPlan

__all__ = ["container_exit_code", "merge_plan", "to_dict", "to_pod"]

_CONTAINER_LISTS = ("volumeMounts", "ports")
_POD_LISTS = ("volumes", "initContainers", "hostAliases")


def to_dict(obj: Any) -> dict[str, Any]:
    """A `kubernetes.client` model as the camelCase dict the API would receive."""
    result: dict[str, Any] = ApiClient().sanitize_for_serialization(obj)
    return result


def to_pod(pod: dict[str, Any]) -> Any:
    """A camelCase pod dict as a `V1Pod`."""
    from airflow.providers.cncf.kubernetes.pod_generator import PodGenerator

    return PodGenerator.deserialize_model_dict(pod)


def _merge_container(container: dict[str, Any], plan: PodPlan, secret_name: str) -> None:
    for key, value in plan.container.items():
        if key in _CONTAINER_LISTS:
            container[key] = [*value, *(container.get(key) or [])]
        elif key in ("resources", "securityContext"):
            container[key] = {**value, **(container.get(key) or {})}
        elif not container.get(key):
            container[key] = value
    env = plan.env(secret_name)
    if env:
        container["env"] = [*env, *(container.get("env") or [])]


def merge_plan(pod: dict[str, Any], plan: PodPlan, secret_name: str) -> dict[str, Any]:
    """Merge the plan into KPO's pod dict; lists are joined, ours first."""
    spec = pod.setdefault("spec", {})
    _merge_container(spec["containers"][0], plan, secret_name)
    for key, value in plan.pod.items():
        if key in _POD_LISTS:
            spec[key] = [*value, *(spec.get(key) or [])]
        elif not spec.get(key):
            spec[key] = value
    metadata = pod.setdefault("metadata", {})
    metadata["labels"] = {**plan.labels, **(metadata.get("labels") or {})}
    if plan.annotations:
        metadata["annotations"] = {**plan.annotations, **(metadata.get("annotations") or {})}
    return pod


def container_exit_code(remote_pod: Any, container: str) -> int | None:
    """The container's exit code once it has terminated, else None."""
    statuses = (
        (remote_pod.status.container_statuses or []) if remote_pod and remote_pod.status else []
    )
    for status in statuses:
        if status.name == container and status.state and status.state.terminated:
            return int(status.state.terminated.exit_code)
    return None
