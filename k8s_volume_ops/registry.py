"""Registry credentials: DockerOperator's `docker_conn_id` as an image pull Secret.

DockerOperator logs the daemon in to `conn.host[:port]` with the connection's login
and password before pulling. On Kubernetes the kubelet pulls, so the same
credentials go into a `kubernetes.io/dockerconfigjson` Secret that the pod names in
`imagePullSecrets`; the pod owns it, and it is deleted with the pod.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from .errors import SpecError

__all__ = ["pull_secret"]


def _registry(host: str | None, port: int | None) -> str:
    if not host:
        raise SpecError("the registry connection has no host", origin="docker_conn_id")
    server = host.split("://", 1)[-1].rstrip("/")
    return f"{server}:{port}" if port else server


def pull_secret(
    name: str,
    *,
    host: str | None,
    port: int | None,
    login: str | None,
    password: str | None,
    email: str | None = None,
) -> dict[str, Any]:
    """The Secret for one registry, as `docker login` would have written it."""
    if not login:
        raise SpecError("the registry connection has no login", origin="docker_conn_id")
    entry: dict[str, str] = {
        "username": login,
        "password": password or "",
        "auth": base64.b64encode(f"{login}:{password or ''}".encode()).decode(),
    }
    if email:
        entry["email"] = email
    config = {"auths": {_registry(host, port): entry}}
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/dockerconfigjson",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "k8s-volume-ops"}},
        "stringData": {".dockerconfigjson": json.dumps(config, sort_keys=True)},
    }
