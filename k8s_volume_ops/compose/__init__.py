"""docker-compose files -> Kubernetes objects, one Pod per service.

`render_compose` is what `k8s-volume-ops render` calls for a compose file. It
never imports airflow or kubernetes, so rendering stays fast and works without
either installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import VolumeOpsError
from ..policy import StoragePolicy
from .builder import build_compose
from .loader import load_compose, project_from_data
from .project import ComposeProject, ComposeResult, HostPath

__all__ = [
    "ComposeProject",
    "ComposeResult",
    "HostPath",
    "build_compose",
    "compose_result",
    "load_compose",
    "project_from_data",
    "render_compose",
]


def compose_result(
    path: Path, policy: StoragePolicy, namespace: str | None = None
) -> ComposeResult:
    """Load and translate `path`; a file that cannot be loaded gives one problem, no objects."""
    try:
        project = load_compose(path)
    except VolumeOpsError as exc:
        return ComposeResult(problems=[exc])
    return build_compose(project, policy, namespace)


def render_compose(
    path: Path, policy: StoragePolicy, namespace: str | None = None
) -> tuple[list[dict[str, Any]], list[VolumeOpsError]]:
    """Every object for `path` (PVs, PVCs, ConfigMaps, Secrets, then Pods) and the problems.

    Each problem names its service and mount; the rest is still rendered. The notes
    (options with no Kubernetes effect) are in `compose_result(...).notes`.
    """
    result = compose_result(path, policy, namespace)
    return result.objects, result.problems
