"""docker_conn_id credentials as a dockerconfigjson Secret, as `docker login` writes them."""

from __future__ import annotations

import base64
import json

import kubernetes_validate
import pytest

from k8s_volume_ops.errors import SpecError
from k8s_volume_ops.registry import pull_secret


def test_pull_secret_has_docker_login_shape() -> None:
    secret = pull_secret(
        "t-registry",
        host="https://registry.example.com/",
        port=5000,
        login="robot",
        password="pa:ss",
        email="ops@example.com",
    )
    config = json.loads(secret["stringData"][".dockerconfigjson"])
    entry = config["auths"]["registry.example.com:5000"]
    assert entry["username"] == "robot" and entry["password"] == "pa:ss"
    assert base64.b64decode(entry["auth"]).decode() == "robot:pa:ss"
    assert entry["email"] == "ops@example.com"
    kubernetes_validate.validate(secret, "1.36", strict=True)


@pytest.mark.parametrize(
    ("host", "login", "message"), [(None, "u", "no host"), ("r.io", None, "no login")]
)
def test_incomplete_connections_are_refused(
    host: str | None, login: str | None, message: str
) -> None:
    with pytest.raises(SpecError, match=message):
        pull_secret("x", host=host, port=None, login=login, password="p")
