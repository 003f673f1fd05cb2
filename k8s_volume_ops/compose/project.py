"""The loaded compose project and the render result: plain data between loader and builder.

The loader does all the I/O (the compose file, `.env`, `env_file`, config and
secret files, host paths a Kompose label asks to read); the builder only reads
these values, so it can be tested with dicts and runs the same everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import VolumeOpsError
from ..parsing.compose import FileSource

__all__ = ["ComposeProject", "ComposeResult", "HostPath"]


@dataclass(frozen=True)
class HostPath:
    """A bind source as found on the machine that renders, read only when a Kompose
    `kompose.volume.type` label (configMap or hostPath) asks for it.

    `files` holds a directory's top-level regular files; `skipped` the entries a
    ConfigMap cannot hold (subdirectories, special files, bad key names).
    """

    kind: Literal["dir", "file", "socket", "missing", "other"]
    content: bytes | None = None
    files: Mapping[str, bytes] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True)
class ComposeProject:
    """A compose file after interpolation, with every relative path made absolute.

    `services` and `volumes` keep the compose structure (dicts and lists);
    `configs`/`secrets` hold the top-level entries with their content read.
    """

    origin: str
    base_dir: str
    services: Mapping[str, Mapping[str, Any]]
    volumes: Mapping[str, Any] = field(default_factory=dict)
    configs: Mapping[str, FileSource] = field(default_factory=dict)
    secrets: Mapping[str, FileSource] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)
    host_paths: Mapping[str, HostPath] = field(default_factory=dict)
    problems: tuple[VolumeOpsError, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass
class ComposeResult:
    """What `render` prints and reports: the objects, the problems and the notes.

    `problems` are inputs that could not be translated (each names its service and
    mount); `notes` are Docker options that were kept out or changed meaning.
    """

    objects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[VolumeOpsError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
