"""The storage policy: how each kind of Docker mount becomes Kubernetes storage.

It is a YAML file, a dict or an operator argument with the same schema (documented
in the README). Found, in order: the operator's `storage_policy=` argument, the file
named by `$K8S_VOLUME_OPS_POLICY`, the ConfigMap the Helm chart installs (read by the
operator at run time), then the built-in defaults below.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from ._names import LABEL_KEY, is_dns1123_subdomain
from .errors import PolicyError
from .quantity import storage_quantity

__all__ = [
    "POLICY_CONFIGMAP_ENV",
    "POLICY_CONFIGMAP_KEY",
    "POLICY_ENV",
    "BindRule",
    "ClaimDefaults",
    "ClaimOverride",
    "DriverRule",
    "NfsServer",
    "NfsSettings",
    "StoragePolicy",
    "load_policy",
    "policy_from_yaml",
]

POLICY_ENV = "K8S_VOLUME_OPS_POLICY"
POLICY_CONFIGMAP_ENV = "K8S_VOLUME_OPS_POLICY_CONFIGMAP"
POLICY_CONFIGMAP_KEY = "policy.yaml"
AccessMode = Literal["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
PodSecurityLevel = Literal["privileged", "baseline", "restricted"]
HostPathType = Literal[
    "",
    "DirectoryOrCreate",
    "Directory",
    "FileOrCreate",
    "File",
    "Socket",
    "CharDevice",
    "BlockDevice",
]


def _checked_keys(value: dict[str, str]) -> dict[str, str]:
    """Label and annotation keys must be valid for Kubernetes, or the apiserver refuses
    the claim only when a task runs; refuse them when the policy is read."""
    bad = sorted(key for key in value if not LABEL_KEY.match(key))
    if bad:
        raise ValueError(f"not valid Kubernetes label/annotation keys: {bad}")
    return value


Keys = Annotated[dict[str, str], AfterValidator(_checked_keys)]
StorageSize = Annotated[str, AfterValidator(storage_quantity)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, defer_build=True)


class ClaimOverride(_Model):
    """Settings for one Docker volume name; unset fields fall back to the defaults."""

    size: StorageSize | None = None
    access_modes: tuple[AccessMode, ...] | None = Field(None, alias="accessModes")
    storage_class_name: str | None = Field(None, alias="storageClassName")
    claim_name: str | None = Field(None, alias="claimName")
    ephemeral: bool = False
    labels: Keys = Field(default_factory=dict)
    annotations: Keys = Field(default_factory=dict)


class ClaimDefaults(_Model):
    """How a Docker named volume becomes a PersistentVolumeClaim."""

    size: StorageSize = "1Gi"
    access_modes: tuple[AccessMode, ...] = Field(("ReadWriteOnce",), alias="accessModes")
    shared_access_modes: tuple[AccessMode, ...] = Field(
        ("ReadWriteMany",), alias="sharedAccessModes"
    )
    storage_class_name: str | None = Field(None, alias="storageClassName")
    create_missing: bool = Field(True, alias="createMissing")
    labels: Keys = Field(default_factory=dict)
    annotations: Keys = Field(default_factory=dict)
    overrides: dict[str, ClaimOverride] = Field(default_factory=dict)


class NfsServer(_Model):
    """An NFS export."""

    server: str
    path: str
    read_only: bool = Field(False, alias="readOnly")
    mount_options: tuple[str, ...] = Field((), alias="mountOptions")


class BindRule(_Model):
    """Where a host path that Docker bind-mounted lives on Kubernetes.

    Exactly one of `claim`, `nfs` or `hostPath`; the part of the bind source below
    `source` becomes the mount's subPath (claims) or is appended to the path.
    """

    source: str
    claim: str | None = None
    nfs: NfsServer | None = None
    host_path: bool = Field(False, alias="hostPath")
    host_path_type: HostPathType | None = Field(None, alias="hostPathType")
    read_only: bool | None = Field(None, alias="readOnly")

    @field_validator("source")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/"):
            raise ValueError(f"binds source {value!r} must be an absolute path")
        return posixpath.normpath(value)

    @field_validator("claim")
    @classmethod
    def _claim_name(cls, value: str | None) -> str | None:
        if value is not None and not is_dns1123_subdomain(value):
            raise ValueError(
                f"binds claim {value!r} is not a valid claim name (lower case letters, "
                "digits, '-' and '.'); the claim is used by this exact name"
            )
        return value

    @model_validator(mode="after")
    def _one_target(self) -> BindRule:
        chosen = [self.claim is not None, self.nfs is not None, self.host_path]
        if sum(chosen) != 1:
            raise ValueError(
                f"binds rule for {self.source!r} needs exactly one of claim, nfs or hostPath"
            )
        return self


class NfsSettings(_Model):
    """How NFS is emitted: inline `nfs` volumes, or a PersistentVolume + claim pair."""

    mode: Literal["inline", "persistentVolume"] = "inline"
    size: StorageSize = "1Gi"
    mount_options: tuple[str, ...] = Field((), alias="mountOptions")


class DriverRule(_Model):
    """A Docker volume driver mapped to a StorageClass."""

    storage_class_name: str = Field(alias="storageClassName")
    access_modes: tuple[AccessMode, ...] | None = Field(None, alias="accessModes")
    size: StorageSize | None = None


class StoragePolicy(_Model):
    """The whole policy. `StoragePolicy()` is the built-in default."""

    claims: ClaimDefaults = Field(default_factory=ClaimDefaults)
    binds: tuple[BindRule, ...] = ()
    nfs: NfsSettings = Field(default_factory=NfsSettings)
    drivers: dict[str, DriverRule] = Field(default_factory=dict)
    pod_security: PodSecurityLevel | None = Field(None, alias="podSecurity")

    @model_validator(mode="after")
    def _distinct_sources(self) -> StoragePolicy:
        seen: dict[str, int] = {}
        for index, rule in enumerate(self.binds):
            if rule.source in seen:
                raise ValueError(
                    f"binds[{seen[rule.source]}] and binds[{index}] both have source "
                    f"{rule.source!r} (after normalising): which one applies would be a guess"
                )
            seen[rule.source] = index
        return self

    def bind_rule_for(self, source: str) -> BindRule | None:
        """The rule with the longest `source` that contains `source` (path-wise)."""
        best: BindRule | None = None
        for rule in self.binds:
            prefix = rule.source.rstrip("/")
            if source == rule.source or source.startswith(prefix + "/"):
                if best is None or len(rule.source) > len(best.source):
                    best = rule
        return best


def _validate(data: Any, origin: str) -> StoragePolicy:
    if data is None:
        return StoragePolicy()
    if isinstance(data, StoragePolicy):
        return data
    if not isinstance(data, dict):
        raise PolicyError("a storage policy must be a mapping", spec=data, origin=origin)
    try:
        return StoragePolicy.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise PolicyError(f"invalid storage policy: {problems}", origin=origin) from exc


def policy_from_yaml(text: str, *, origin: str) -> StoragePolicy:
    """Parse policy YAML text; `origin` names the file or ConfigMap it came from."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"not valid YAML: {exc}", origin=origin) from exc
    return _validate(data, origin)


def load_policy(source: StoragePolicy | dict[str, Any] | str | Path | None = None) -> StoragePolicy:
    """Resolve a policy from an argument, else `$K8S_VOLUME_OPS_POLICY`, else defaults.

    A `str`/`Path` argument is a path to a YAML file. The chart's ConfigMap is read
    by the operator (it needs the cluster), not here.
    """
    if isinstance(source, StoragePolicy | dict):
        return _validate(source, "storage_policy argument")
    if source is not None and not isinstance(source, str | Path):
        raise PolicyError(
            f"must be a dict, a StoragePolicy or the path of a YAML file, not "
            f"{type(source).__name__}",
            spec=source,
            origin="storage_policy",
        )
    path = source if source is not None else os.environ.get(POLICY_ENV)
    if not path:
        return StoragePolicy()
    file = Path(path)
    try:
        text = file.read_text()
    except OSError as exc:
        raise PolicyError(f"cannot read the policy file: {exc.strerror}", spec=str(file)) from exc
    return policy_from_yaml(text, origin=str(file))
