"""Compose `configs:` and `secrets:` as ConfigMap and Secret volumes.

Each becomes one object holding the file under its key; the mount uses subPath so
the file lands at the target without hiding the rest of its directory.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from ._names import dns1123_label
from .claims import MANAGED_BY
from .errors import SpecError
from .models import FileMountSpec

if TYPE_CHECKING:
    from .translate import _Builder

__all__ = ["add_file_mount", "file_object_name"]


def file_object_name(spec: FileMountSpec) -> str:
    """The ConfigMap or Secret name of a config or secret (also its pod volume's name)."""
    return spec.resource_name or dns1123_label(f"{spec.type}-{spec.object_name}")


def add_file_mount(b: _Builder, spec: FileMountSpec) -> None:
    """A compose config or secret: one file of a ConfigMap or Secret, mounted by subPath."""
    kind = "ConfigMap" if spec.type == "config" else "Secret"
    name = file_object_name(spec)
    if not spec.external:
        if spec.content is None:
            raise SpecError(
                f"{spec.type} {spec.object_name!r} has no content to put in a {kind}",
                spec=spec.raw,
                origin=spec.origin,
            )
        _add_file_object(b, kind, name, spec)
    # The file sits under its key inside the volume, so one volume serves every target
    # the same config or secret is mounted at; the target names the file in the container.
    file_name = spec.key
    source: dict[str, Any] = {"items": [{"key": spec.key, "path": file_name}]}
    if spec.mode is not None:
        source["defaultMode"] = spec.mode
    if kind == "ConfigMap":
        volume = {"name": name, "configMap": {"name": name, **source}}
    else:
        volume = {"name": name, "secret": {"secretName": name, **source}}
    b.add_mount(spec, b.add_volume(volume, spec), sub_path=file_name, read_only=True)


def _add_file_object(b: _Builder, kind: str, name: str, spec: FileMountSpec) -> None:
    assert spec.content is not None
    bucket = b.result.config_maps if kind == "ConfigMap" else b.result.secrets
    if any(obj["metadata"]["name"] == name for obj in bucket):
        return
    encoded = base64.b64encode(spec.content).decode()
    data_key = "binaryData" if kind == "ConfigMap" else "data"
    obj: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": kind,
        "metadata": {"name": name, "labels": dict(MANAGED_BY)},
        data_key: {spec.key: encoded},
    }
    if kind == "ConfigMap":
        try:
            obj = {**obj, "data": {spec.key: spec.content.decode()}}
            del obj["binaryData"]
        except UnicodeDecodeError:
            pass
    else:
        obj["type"] = "Opaque"
    bucket.append(obj)
