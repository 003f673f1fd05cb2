"""k8s-volume-ops: run Airflow DockerOperator tasks as Kubernetes pods.

`from k8s_volume_ops import DockerOperator` is the one-line migration. The operator
is loaded lazily, so the translator core (parsing, models, translation) can be used
without importing Airflow or the Kubernetes client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import (
    ApplyError,
    ConflictError,
    NeedsPolicyError,
    PolicyError,
    SpecError,
    UnsupportedError,
    VolumeOpsError,
)
from .policy import StoragePolicy, load_policy

if TYPE_CHECKING:
    from .operators import ComposeServiceOperator, DockerOperator, KubernetesDockerOperator

__all__ = [
    "ApplyError",
    "ComposeServiceOperator",
    "ConflictError",
    "DockerOperator",
    "KubernetesDockerOperator",
    "NeedsPolicyError",
    "PolicyError",
    "SpecError",
    "StoragePolicy",
    "UnsupportedError",
    "VolumeOpsError",
    "load_policy",
]

_LAZY = {"ComposeServiceOperator", "DockerOperator", "KubernetesDockerOperator"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import operators

        return getattr(operators, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
