"""Airflow operators: the Kubernetes-backed DockerOperator and its compose sibling."""

from .compose import ComposeServiceOperator
from .docker import ContainerFailedError, DockerOperator

KubernetesDockerOperator = DockerOperator

__all__ = [
    "ComposeServiceOperator",
    "ContainerFailedError",
    "DockerOperator",
    "KubernetesDockerOperator",
]
