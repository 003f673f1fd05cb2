"""`k8s-volume-ops render` of a compose file: redacted Secrets, no pods of refused services."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from k8s_volume_ops._redact import REDACTED, redacted
from k8s_volume_ops.compose import ComposeResult, render_compose
from k8s_volume_ops.compose.project import service_of
from k8s_volume_ops.errors import SpecError
from k8s_volume_ops.policy import StoragePolicy

SECRET = "s3cr3t-value"

COMPOSE = """
services:
  api:
    image: api:1
    secrets: [token]
    environment: {MODE: prod}
  web.v2:
    image: web:2
    volumes: ["${UNSET_DIR}:/srv"]
  db:
    image: postgres:16
    network_mode: "service:api"
  worker:
    image: worker:1
    user: "1000"
secrets:
  token:
    file: ./token.txt
"""


def _render(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("K8S_VOLUME_OPS_POLICY", "UNSET_DIR")}
    return subprocess.run(
        [sys.executable, "-m", "k8s_volume_ops", "render", str(path), *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=120,
    )


@pytest.fixture
def compose_file(tmp_path: Path) -> Path:
    (tmp_path / "token.txt").write_text(SECRET)
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE)
    return path


def _documents(stdout: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(stdout) if doc]


def test_secret_values_are_redacted(compose_file: Path) -> None:
    result = _render(compose_file)
    encoded = base64.b64encode(SECRET.encode()).decode()
    assert SECRET not in result.stdout and encoded not in result.stdout
    (secret,) = [d for d in _documents(result.stdout) if d["kind"] == "Secret"]
    assert secret["data"] == {"token": REDACTED}
    assert "# values redacted (`k8s-volume-ops apply` uses the real ones)" in result.stdout


def test_apply_keeps_the_real_values(compose_file: Path) -> None:
    """`apply` reads render_compose's objects, never the render text."""
    from k8s_volume_ops.cli.apply_cmd import _compose

    placed, _ = _compose(compose_file, StoragePolicy(), None)
    (secret,) = [obj for _, obj in placed if obj["kind"] == "Secret"]
    assert base64.b64decode(secret["data"]["token"]).decode() == SECRET
    objects, _ = render_compose(compose_file, StoragePolicy(), None)
    assert [o for o in objects if o["kind"] == "Secret"] == [secret]


def test_the_cli_constant_equals_the_operators() -> None:
    from k8s_volume_ops.operators.docker import REDACTED as OPERATOR_REDACTED

    assert REDACTED == OPERATOR_REDACTED


def test_redacted_copies_only_secrets() -> None:
    secret = {"kind": "Secret", "data": {"a": "eA=="}, "stringData": {"b": "x"}}
    assert redacted(secret) == {
        "kind": "Secret",
        "data": {"a": REDACTED},
        "stringData": {"b": REDACTED},
    }
    assert secret["data"] == {"a": "eA=="}  # the original is untouched
    config_map = {"kind": "ConfigMap", "data": {"a": "x"}}
    assert redacted(config_map) is config_map


def test_services_with_problems_get_no_pod(compose_file: Path) -> None:
    result = _render(compose_file)
    assert result.returncode == 2
    pods = [d["metadata"]["name"] for d in _documents(result.stdout) if d["kind"] == "Pod"]
    assert pods == ["api", "worker"]
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        f"{compose_file}: services.web.v2.volumes[0]: '${{UNSET_DIR}}:/srv' (interpolated: ':/srv')"
    )
    assert lines[1].startswith(f"{compose_file}: services.db.network_mode: 'service:api': ")
    assert lines[-1] == (
        f"{compose_file}: the pods of services 'web.v2', 'db' are left out because of the "
        "problems above"
    )
    assert "# note: The UNSET_DIR variable is not set. Defaulting to a blank string." in (
        result.stdout
    )


def test_without_problems_every_pod_is_rendered(tmp_path: Path) -> None:
    path = tmp_path / "compose.yml"
    path.write_text("services:\n  a: {image: x, ports: ['80:80']}\n  b: {image: y}\n")
    result = _render(path)
    assert result.returncode == 0, result.stderr
    assert [d["metadata"]["name"] for d in _documents(result.stdout)] == ["a", "b"]
    assert "# note: services.a.ports: ['80:80']: not translated" in result.stdout


def test_render_of_a_compose_file_does_not_import_airflow(compose_file: Path) -> None:
    code = (
        "import sys; from k8s_volume_ops.cli import main; "
        f"code = main(['render', {str(compose_file)!r}]); "
        "assert 'airflow' not in sys.modules, 'airflow imported'; sys.exit(code)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 2 and "airflow imported" not in result.stderr


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("services.web", "web"),
        ("services.web.volumes[0]", "web"),
        ("services.web.v2.volumes[0]", "web.v2"),
        ("services.web.v2", "web.v2"),
        ("services.web[x]", "web"),
        ("services.b.volumes_from[0] -> services.web.volumes[0]", "b"),
        ("services.webx.user", None),
        ("volumes.web", None),
        ("", None),
    ],
)
def test_service_of(origin: str, expected: str | None) -> None:
    assert service_of(origin, ["web", "web.v2", "b"]) == expected


def test_without_problem_pods_keeps_other_objects() -> None:
    def pod(name: str) -> dict[str, Any]:
        annotations = {"k8s-volume-ops/compose-service": name}
        return {"kind": "Pod", "metadata": {"name": name, "annotations": annotations}}

    claim = {"kind": "PersistentVolumeClaim", "metadata": {"name": "data"}}
    result = ComposeResult(
        objects=[claim, pod("a"), pod("b")],
        problems=[SpecError("bad", origin="services.b.volumes[0]"), SpecError("top", origin="x")],
    )
    assert result.without_problem_pods() == ([claim, pod("a")], ["b"])
