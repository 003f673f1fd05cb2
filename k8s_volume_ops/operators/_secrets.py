"""The Secrets a task's pod needs for itself: its private environment and its
registry login. Both are owned by the pod, so they leave with it."""

from __future__ import annotations

from typing import Any

from ..registry import pull_secret
from ._compat import BaseHook

__all__ = ["REDACTED", "connection_pull_secret", "private_env_secret", "redacted_pull_secret"]

REDACTED = "<redacted>"


def private_env_secret(name: str, data: dict[str, str]) -> dict[str, Any]:
    """The Secret holding `private_environment`; the pod spec only references it."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "k8s-volume-ops"}},
        "stringData": data,
    }


def connection_pull_secret(name: str, conn_id: str) -> dict[str, Any]:
    """The image pull Secret built from a Docker registry connection."""
    conn = BaseHook.get_connection(conn_id)
    email = (conn.extra_dejson or {}).get("email")
    return pull_secret(
        name, host=conn.host, port=conn.port, login=conn.login, password=conn.password, email=email
    )


def redacted_pull_secret(name: str) -> dict[str, Any]:
    """The pull Secret's shape for `render`, with no credential in it."""
    body = pull_secret(name, host="registry", port=None, login="user", password=None)
    body["stringData"] = {".dockerconfigjson": REDACTED}
    return body
