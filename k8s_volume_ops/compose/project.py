"""The loaded compose project and the render result: plain data between loader and builder.

The loader does all the I/O (the compose file, `.env`, `env_file`, config and
secret files, host paths a Kompose label asks to read); the builder only reads
these values, so it can be tested with dicts and runs the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from ..errors import VolumeOpsError
from ..parsing.compose import FileSource
from ..translation import Translation
from .pod import SERVICE_ANNOTATION
from .written import Written

__all__ = ["ComposeProject", "ComposeResult", "HostPath", "ServiceOutput", "service_of"]


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
    `configs`/`secrets` hold the top-level entries with their content read;
    `written` keeps the file's text by origin, so that messages can quote it;
    `included` names the included file that defines a resource (`services.db`).
    """

    origin: str
    base_dir: str
    services: Mapping[str, Mapping[str, Any]]
    volumes: Mapping[str, Any] = field(default_factory=dict)
    configs: Mapping[str, FileSource] = field(default_factory=dict)
    secrets: Mapping[str, FileSource] = field(default_factory=dict)
    networks: Mapping[str, Any] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=dict)
    host_paths: Mapping[str, HostPath] = field(default_factory=dict)
    problems: tuple[VolumeOpsError, ...] = ()
    notes: tuple[str, ...] = ()
    written: Written = field(default_factory=Written)
    included: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ServiceOutput:
    """One service's Pod and the translation of its mounts, kept apart for running
    the service as one task: the claims stay plans (external ones are read, never
    created) and the objects are namespaced only when the task knows its namespace."""

    pod: dict[str, Any]
    translation: Translation


@dataclass
class ComposeResult:
    """What `render` prints and reports: the objects, the problems and the notes.

    `problems` are inputs that could not be translated (each names its service and
    mount); `notes` are Docker options that were kept out or changed meaning.
    """

    objects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[VolumeOpsError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    services: dict[str, ServiceOutput] = field(default_factory=dict)

    def without_problem_pods(self) -> tuple[list[dict[str, Any]], list[str]]:
        """The objects minus the Pod of every service a problem names, and those services.

        A problem's origin starts with `services.<name>`; the Pod of that service is
        rendered without what was refused (a mount, a user name), so it would not behave
        as the service does, and `render ... | kubectl apply -f -` must not create it.
        """
        pods = {
            id(obj): str((obj["metadata"].get("annotations") or {}).get(SERVICE_ANNOTATION))
            for obj in self.objects
            if obj.get("kind") == "Pod"
        }
        named = [service_of(p.origin, pods.values()) for p in self.problems]
        left_out = [name for name in dict.fromkeys(named) if name is not None]
        kept = [obj for obj in self.objects if pods.get(id(obj)) not in left_out]
        return kept, left_out


def service_of(origin: str, services: Iterable[str]) -> str | None:
    """The service an origin such as `services.web.volumes[0]` names, if it is one of
    `services`; the longest name that fits wins, because service names may hold dots."""
    fits = [
        name
        for name in services
        if origin == f"services.{name}"
        or (origin.startswith(f"services.{name}") and origin[len(name) + 9] in ".[ ")
    ]
    return max(fits, key=len, default=None)
