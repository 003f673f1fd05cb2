"""Airflow operators: the Kubernetes-backed DockerOperator (and its compose sibling)."""

from .docker import ContainerFailedError, DockerOperator

KubernetesDockerOperator = DockerOperator

__all__ = ["ContainerFailedError", "DockerOperator", "KubernetesDockerOperator"]
