"""Validated, frozen models of Docker-style mounts: what every parser produces.

Parsers (one per input format) turn docker-py `Mount`s, `-v` strings and compose
entries into these models; `translate` turns the models into Kubernetes manifests.
Each model keeps `raw` (the input as the user wrote it) and `origin` (where it came
from) so that any later refusal can quote both.
"""

from __future__ import annotations

import posixpath
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "BindMountSpec",
    "FileMountSpec",
    "MountSpec",
    "Propagation",
    "TmpfsMountSpec",
    "VolumeDecl",
    "VolumeMountSpec",
]

Propagation = Literal["private", "rprivate", "slave", "rslave", "shared", "rshared"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class VolumeDecl(_Frozen):
    """What is known about a named volume besides its mounts.

    Comes from a compose file's top-level `volumes:` or from a docker-py Mount's
    `labels`/`driver_config`. Claim settings (`size`, `storage_class`, ...) come from
    Kompose labels and override the storage policy's defaults.
    """

    name: str
    driver: str | None = None
    driver_opts: dict[str, str] = Field(default_factory=dict)
    external: bool = False
    claim_name: str | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    size: str | None = None
    storage_class: str | None = None
    access_modes: tuple[str, ...] | None = None
    shared: bool = False
    subpath: str | None = None
    kompose_type: str | None = None


class _MountBase(_Frozen):
    target: str
    read_only: bool = False
    raw: str = ""
    origin: str = ""

    @field_validator("target")
    @classmethod
    def _clean_target(cls, value: str) -> str:
        # Docker accepts `/data/` and `/data`; Kubernetes compares mountPaths as text.
        return posixpath.normpath(value) if value.startswith("/") else value


class VolumeMountSpec(_MountBase):
    """A Docker volume: named (a claim) or anonymous (`source` is None: scratch space)."""

    type: Literal["volume"] = "volume"
    source: str | None = None
    no_copy: bool = False
    subpath: str | None = None
    declaration: VolumeDecl | None = None
    ignored: tuple[str, ...] = ()


class BindMountSpec(_MountBase):
    """A host path bind. `create_host_path` is the legacy `-v` behaviour."""

    type: Literal["bind"] = "bind"
    source: str
    propagation: Propagation | None = None
    create_host_path: bool = False
    ignored: tuple[str, ...] = ()


class TmpfsMountSpec(_MountBase):
    """A memory-backed scratch directory."""

    type: Literal["tmpfs"] = "tmpfs"
    size_bytes: int | None = None
    mode: int | None = None
    ignored: tuple[str, ...] = ()


class FileMountSpec(_MountBase):
    """A compose `configs:`/`secrets:` entry: one file from a ConfigMap or Secret.

    `content` holds the file's bytes (the loader reads them; parsers stay pure);
    `object_name` is the compose config/secret name. `resource_name` is the name of
    the ConfigMap or Secret (and of its pod volume) when the compose builder had to
    keep two names apart; None means `<type>-<object_name>` made a DNS-1123 label.
    """

    type: Literal["config", "secret"]
    object_name: str
    key: str
    resource_name: str | None = None
    content: bytes | None = None
    external: bool = False
    mode: int | None = None
    ignored: tuple[str, ...] = ()


MountSpec = Annotated[
    VolumeMountSpec | BindMountSpec | TmpfsMountSpec | FileMountSpec,
    Field(discriminator="type"),
]
