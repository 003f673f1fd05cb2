"""Bind sources read on the machine that renders, for services whose Kompose label
asks for it (`kompose.volume.type: configMap` or `hostPath`).

Only those: otherwise the machine that renders is not the machine that runs, and
its files must not change the output. A ConfigMap holds a file or a folder's
top-level files, at most 1 MiB in all.
"""

from __future__ import annotations

import posixpath
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import SpecError
from ..parsing.compose import labels_dict
from .project import HostPath

__all__ = ["CONFIGMAP_LIMIT", "host_paths"]

CONFIGMAP_LIMIT = 1024 * 1024
"""A ConfigMap or Secret holds at most 1 MiB; bigger files are refused, not truncated."""
KOMPOSE_TYPE = "kompose.volume.type"


def host_paths(services: Mapping[str, Mapping[str, Any]]) -> dict[str, HostPath]:
    """Inspect the bind sources of services labelled `kompose.volume.type` configMap/hostPath."""
    found: dict[str, HostPath] = {}
    for service in services.values():
        try:
            kind = labels_dict(service.get("labels")).get(KOMPOSE_TYPE)
        except SpecError:
            continue
        if kind not in ("configMap", "hostPath"):
            continue
        for source in _bind_sources(service.get("volumes")):
            if source not in found:
                found[source] = _inspect(Path(source), read=kind == "configMap")
    return found


def _bind_sources(volumes: object) -> list[str]:
    sources: list[str] = []
    for entry in volumes if isinstance(volumes, list) else []:
        if isinstance(entry, str) and entry.startswith("/") and ":" in entry:
            sources.append(posixpath.normpath(entry.partition(":")[0]))
        elif isinstance(entry, Mapping) and entry.get("type") == "bind":
            source = entry.get("source")
            if isinstance(source, str) and source.startswith("/"):
                sources.append(posixpath.normpath(source))
    return sources


def _inspect(path: Path, *, read: bool) -> HostPath:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return HostPath(kind="missing")
    except OSError as exc:
        return HostPath(kind="other", error=f"cannot stat: {exc.strerror}")
    if stat.S_ISSOCK(mode):
        return HostPath(kind="socket")
    if stat.S_ISREG(mode):
        return _read_file(path) if read else HostPath(kind="file")
    if stat.S_ISDIR(mode):
        return _read_dir(path) if read else HostPath(kind="dir")
    return HostPath(kind="other")


def _read_file(path: Path) -> HostPath:
    try:
        with path.open("rb") as handle:
            content = handle.read(CONFIGMAP_LIMIT + 1)
    except OSError as exc:
        return HostPath(kind="file", error=f"cannot read: {exc.strerror}")
    if len(content) > CONFIGMAP_LIMIT:
        return HostPath(kind="file", error="larger than a ConfigMap's 1 MiB limit")
    return HostPath(kind="file", content=content)


def _read_dir(path: Path) -> HostPath:
    files: dict[str, bytes] = {}
    skipped: list[str] = []
    total = 0
    try:
        children = sorted(path.iterdir())
    except OSError as exc:
        return HostPath(kind="dir", error=f"cannot list: {exc.strerror}")
    for child in children:
        entry = _read_file(child) if child.is_file() else None
        if entry is None or entry.content is None or not _is_key(child.name):
            skipped.append(child.name)
            continue
        total += len(entry.content)
        if total > CONFIGMAP_LIMIT:
            return HostPath(kind="dir", error="its files exceed a ConfigMap's 1 MiB limit")
        files[child.name] = entry.content
    return HostPath(kind="dir", files=files, skipped=tuple(skipped))


def _is_key(name: str) -> bool:
    return all(c.isascii() and (c.isalnum() or c in "-._") for c in name) and name not in (
        "",
        ".",
        "..",
    )
