"""PersistentVolumeClaims (and NFS PersistentVolumes) for Docker volumes.

A Docker named volume is created by the daemon on first use and outlives every
container; its Kubernetes counterpart is a claim that we create when missing and
never delete. The claim's settings come, in order, from the policy's per-volume
override, the volume's own declaration (compose/Kompose labels), a driver rule, and
the policy's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ._names import dns1123_label, is_dns1123_subdomain, label_value
from .errors import PolicyError, SpecError
from .models import VolumeDecl
from .policy import ClaimOverride, DriverRule, NfsServer, StoragePolicy
from .quantity import storage_quantity

__all__ = [
    "DOCKER_VOLUME_ANNOTATION",
    "MANAGED_BY",
    "ClaimPlan",
    "claim_for_volume",
    "claim_name_for",
    "nfs_pair",
]

DOCKER_VOLUME_ANNOTATION = "k8s-volume-ops/docker-volume"
MANAGED_BY = {"app.kubernetes.io/managed-by": "k8s-volume-ops"}


@dataclass(frozen=True)
class ClaimPlan:
    """A claim the task needs: created when missing (unless external), never deleted."""

    manifest: dict[str, Any]
    docker_name: str
    create_missing: bool = True
    external: bool = False
    named: bool = False  # the claim name was given by the user, not derived
    bind_source: str | None = None  # set for a `binds` rule's claim: a host path, not a volume

    @property
    def name(self) -> str:
        """The claim's `metadata.name`."""
        return str(self.manifest["metadata"]["name"])


def claim_name_for(docker_name: str, policy: StoragePolicy, decl: VolumeDecl | None = None) -> str:
    """The claim name a Docker volume maps to: the same name always gives the same claim."""
    override = policy.claims.overrides.get(docker_name)
    explicit = (override.claim_name if override else None) or (decl.claim_name if decl else None)
    if explicit is None:
        return dns1123_label(docker_name)
    if not is_dns1123_subdomain(explicit):
        raise PolicyError(
            f"claim name {explicit!r} is not a valid Kubernetes name (lower case letters, "
            "digits, '-' and '.')",
            spec=docker_name,
        )
    return explicit


def _checked_size(size: str, docker_name: str) -> str:
    try:
        storage_quantity(size)
    except ValueError as exc:
        raise SpecError(f"invalid claim size {size!r}: {exc}", spec=docker_name) from exc
    return size


def _labels(*sources: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = dict(MANAGED_BY)
    for source in sources:
        merged.update({key: label_value(str(value)) for key, value in source.items()})
    return merged


def _settings(
    docker_name: str, policy: StoragePolicy, decl: VolumeDecl | None, driver: DriverRule | None
) -> tuple[str, list[str], str | None]:
    defaults = policy.claims
    override = policy.claims.overrides.get(docker_name) or ClaimOverride()
    shared = decl.shared if decl else False
    modes = (
        override.access_modes
        or (decl.access_modes if decl else None)
        or (driver.access_modes if driver else None)
        or (defaults.shared_access_modes if shared else defaults.access_modes)
    )
    size = override.size or (decl.size if decl else None) or (driver.size if driver else None)
    storage_class = (
        override.storage_class_name
        or (decl.storage_class if decl else None)
        or (driver.storage_class_name if driver else None)
        or defaults.storage_class_name
    )
    return _checked_size(size or defaults.size, docker_name), list(modes), storage_class


def claim_for_volume(
    docker_name: str,
    policy: StoragePolicy,
    decl: VolumeDecl | None = None,
    driver: DriverRule | None = None,
) -> dict[str, Any]:
    """The PersistentVolumeClaim manifest for a Docker named volume."""
    size, modes, storage_class = _settings(docker_name, policy, decl, driver)
    override = policy.claims.overrides.get(docker_name) or ClaimOverride()
    annotations = {DOCKER_VOLUME_ANNOTATION: docker_name}
    annotations.update(policy.claims.annotations)
    annotations.update(override.annotations)
    spec: dict[str, Any] = {"accessModes": modes, "resources": {"requests": {"storage": size}}}
    if storage_class is not None:
        spec["storageClassName"] = "" if storage_class == "-" else storage_class
    labels = _labels(policy.claims.labels, decl.labels if decl else {}, override.labels)
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": claim_name_for(docker_name, policy, decl),
            "labels": labels,
            "annotations": annotations,
        },
        "spec": spec,
    }


def merged_mount_options(defaults: tuple[str, ...], own: tuple[str, ...]) -> list[str]:
    """The policy's NFS options, with the volume's own winning per option name
    (`nfsvers=3` from a compose file beats the policy's `nfsvers=4.1`)."""
    own_keys = {option.partition("=")[0] for option in own}
    return [o for o in defaults if o.partition("=")[0] not in own_keys] + list(own)


def nfs_pair(
    name: str, nfs: NfsServer, policy: StoragePolicy
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A PersistentVolume and claim bound to each other by name, for `nfs.mode: persistentVolume`.

    PodSecurity `restricted` forbids inline `nfs` volumes but allows claims; binding by
    name (`volumeName` + `claimRef`, empty storage class) keeps the dynamic
    provisioner out of it.
    """
    size = policy.nfs.size
    pv_spec: dict[str, Any] = {
        "capacity": {"storage": size},
        "accessModes": ["ReadWriteMany"],
        "persistentVolumeReclaimPolicy": "Retain",
        "storageClassName": "",
        "nfs": {"server": nfs.server, "path": nfs.path, "readOnly": nfs.read_only},
        "claimRef": {"name": name},
    }
    options = merged_mount_options(policy.nfs.mount_options, nfs.mount_options)
    if options:
        pv_spec["mountOptions"] = options
    pv = {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "labels": dict(MANAGED_BY)},
        "spec": pv_spec,
    }
    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {
            "name": name,
            "labels": dict(MANAGED_BY),
            "annotations": {DOCKER_VOLUME_ANNOTATION: f"{nfs.server}:{nfs.path}"},
        },
        "spec": {
            "accessModes": ["ReadWriteMany"],
            "resources": {"requests": {"storage": size}},
            "storageClassName": "",
            "volumeName": name,
        },
    }
    return pv, claim
