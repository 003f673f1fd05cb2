"""Helpers for the compose tests: strict schema validation and lookups in a render.

Every object a test renders is checked against the Kubernetes OpenAPI schema
(strict: unknown fields fail) of the newest bundled version up to 1.36, so a test
that passes also proves the output would be accepted by an apiserver.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
from kubernetes_validate.utils import Version, all_versions

from k8s_volume_ops.compose import ComposeResult

K8S_VERSION = max(
    (v for v in all_versions() if Version(v) <= Version("1.36.99")),
    key=Version,
)
SHARED = Path(__file__).resolve().parents[2].parent / "shared"

Render = Callable[..., ComposeResult]


def validate_objects(objects: list[dict[str, Any]]) -> None:
    """Strict schema validation of every object (raises on the first invalid one)."""
    for obj in objects:
        kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def pod(result: ComposeResult, service: str) -> dict[str, Any]:
    """The Pod of `service` (by the annotation that keeps the compose name)."""
    for obj in result.objects:
        annotations = obj["metadata"].get("annotations") or {}
        if obj["kind"] == "Pod" and annotations.get("k8s-volume-ops/compose-service") == service:
            return obj
    raise AssertionError(f"no pod for {service!r}")


def mount_at(result: ComposeResult, service: str, target: str) -> tuple[dict[str, Any], ...]:
    """(volumeMount, volume) of `service` at `target`."""
    spec = pod(result, service)["spec"]
    mounts = [m for m in spec["containers"][0].get("volumeMounts", []) if m["mountPath"] == target]
    assert len(mounts) == 1, f"{target} mounted {len(mounts)} times"
    volume = next(v for v in spec["volumes"] if v["name"] == mounts[0]["name"])
    return mounts[0], volume


def objects_of(result: ComposeResult, kind: str) -> dict[str, dict[str, Any]]:
    """Rendered objects of one kind, by name."""
    return {o["metadata"]["name"]: o for o in result.objects if o["kind"] == kind}
