"""The result of a translation: pod volumes, mounts, and the objects they need.

Kept apart from the translation rules so that every edge (operator, render,
compose, apply) shares one shape, and so that names that must be unique across
the cluster are settled in one place once the namespace is known.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Any

from ._names import dns1123_label
from .claims import ClaimPlan

__all__ = ["NAMESPACED_KINDS", "RESULT_LISTS", "Translation", "in_namespace"]

NAMESPACED_KINDS = ("PersistentVolumeClaim", "ConfigMap", "Secret", "Pod")


@dataclass
class Translation:
    """Everything a pod needs for its mounts, as manifest dicts."""

    volumes: list[dict[str, Any]] = field(default_factory=list)
    volume_mounts: list[dict[str, Any]] = field(default_factory=list)
    claims: list[ClaimPlan] = field(default_factory=list)
    persistent_volumes: list[dict[str, Any]] = field(default_factory=list)
    config_maps: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    namespace: str | None = None

    def for_namespace(self, namespace: str) -> Translation:
        """This translation in `namespace`: NFS PersistentVolumes, which are cluster-wide,
        are named `<namespace>-<name>` (as the Helm chart names its own), so two
        namespaces using one export never collide; their claims follow by volumeName."""
        if self.namespace == namespace:
            return self
        renamed: dict[str, str] = {}
        volumes = []
        for pv in self.persistent_volumes:
            pv = copy.deepcopy(pv)
            new = dns1123_label(f"{namespace}-{pv['metadata']['name']}")
            renamed[pv["metadata"]["name"]] = new
            pv["metadata"]["name"] = new
            pv["spec"]["claimRef"] = {**pv["spec"].get("claimRef", {}), "namespace": namespace}
            volumes.append(pv)
        claims = [_rebound(plan, renamed) for plan in self.claims]
        return replace(self, persistent_volumes=volumes, claims=claims, namespace=namespace)

    def objects(self, namespace: str | None = None) -> list[dict[str, Any]]:
        """Cluster objects to create before the pod, in creation order.

        External claims are left out: they must exist already and are never created.
        """
        view = self.for_namespace(namespace) if namespace else self
        out: list[dict[str, Any]] = []
        for pv in view.persistent_volumes:
            if view.namespace is None:
                # A claimRef without a namespace never matches a claim, so the pair would
                # never bind; the claim's volumeName alone still binds it to this volume.
                pv = {**pv, "spec": {k: v for k, v in pv["spec"].items() if k != "claimRef"}}
            out.append(pv)
        out += [plan.manifest for plan in view.claims if not plan.external]
        out += view.config_maps + view.secrets
        return out


def _rebound(plan: ClaimPlan, renamed: dict[str, str]) -> ClaimPlan:
    volume = plan.manifest.get("spec", {}).get("volumeName")
    if volume not in renamed:
        return plan
    manifest = copy.deepcopy(plan.manifest)
    manifest["spec"]["volumeName"] = renamed[volume]
    return replace(plan, manifest=manifest)


RESULT_LISTS = (
    "volumes",
    "volume_mounts",
    "claims",
    "persistent_volumes",
    "config_maps",
    "secrets",
    "notes",
)


def in_namespace(objects: list[dict[str, Any]], namespace: str) -> list[dict[str, Any]]:
    """`objects` with `metadata.namespace` set on the namespaced ones: a claim or Secret
    rendered without it lands in kubectl's current namespace, not beside its pod."""
    return [
        {**obj, "metadata": {**obj["metadata"], "namespace": namespace}}
        if obj["kind"] in NAMESPACED_KINDS
        else obj
        for obj in objects
    ]
