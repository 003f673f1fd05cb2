"""`k8s-volume-ops apply`: object selection, failure paths (no cluster), and a real cluster."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import DATA, POLICY, Cli

OURS_DAG = """
from datetime import datetime

from airflow.sdk import DAG
from docker.types import Mount

from k8s_volume_ops import DockerOperator

with DAG(dag_id="apply_me", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="write",
        image="busybox:1.36",
        mounts=[Mount(target="/data", source="apply-data")],
        private_environment={"TOKEN": "s3cr3t"},
    )
    DockerOperator(
        task_id="read",
        image="busybox:1.36",
        volumes=["apply-data:/data:ro", "/srv/data/in:/in:ro"],
    )
"""

COMPOSE = """
services:
  db:
    image: postgres:16
    volumes: ["pgdata:/var/lib/postgresql/data"]
    configs: [{source: initsql, target: /docker-entrypoint-initdb.d/01.sql}]
volumes:
  pgdata: {}
configs:
  initsql:
    file: ./01.sql
"""


@pytest.fixture
def ours_dag(tmp_path: Path) -> Path:
    path = tmp_path / "apply_me.py"
    path.write_text(OURS_DAG)
    return path


@pytest.fixture
def compose_file(tmp_path: Path) -> Path:
    (tmp_path / "01.sql").write_text("select 1;\n")
    path = tmp_path / "compose.yaml"
    path.write_text(COMPOSE)
    return path


def _one_line_errors(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert lines, "no message"
    assert "Traceback" not in stderr
    return [line for line in lines if line.startswith("error: ")]


def test_dry_run_lists_claims_but_no_pods_or_private_secrets(cli: Cli, ours_dag: Path) -> None:
    result = cli("apply", ours_dag, "--policy", POLICY, "--dry-run", "--namespace", "jobs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "would create  PersistentVolumeClaim jobs/apply-data",
        "would create  PersistentVolumeClaim jobs/shared-data",
    ]


def test_dry_run_compose(cli: Cli, compose_file: Path) -> None:
    result = cli("apply", compose_file, "--dry-run")
    assert result.returncode == 0, result.stderr
    kinds = [line.split()[2] for line in result.stdout.splitlines()]
    assert sorted(kinds) == ["ConfigMap", "PersistentVolumeClaim"]
    assert "PersistentVolumeClaim default/pgdata" in result.stdout


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("s03_user_names.py", "task s03_user_names.as_nobody: user: 'nobody'"),
        (
            "r04_pipeline_volumes.py",
            f"import error at {DATA / 'r04_pipeline_volumes.py'}:18: TypeError: Invalid "
            "arguments were passed",
        ),
        ("n01_no_docker.py", "no DockerOperator tasks found"),
    ],
)
def test_file_problems_exit_2_and_apply_nothing(cli: Cli, name: str, expected: str) -> None:
    result = cli("apply", DATA / name, "--policy", POLICY, "--kubeconfig", "/no/such/config")
    assert result.returncode == 2
    assert result.stdout == ""
    errors = _one_line_errors(result.stderr)
    assert len(errors) == 1 and expected in errors[0]
    assert result.stderr.splitlines()[-1].endswith("nothing applied (1 problem)")


@pytest.mark.parametrize(
    "args",
    [("/no/such/dag.py",), (str(POLICY),)],
    ids=["missing-file", "not-a-dag-or-compose-file"],
)
def test_bad_path_exits_2(cli: Cli, args: tuple[str, ...]) -> None:
    result = cli("apply", *args)
    assert result.returncode == 2
    assert len(_one_line_errors(result.stderr)) == 1 == len(result.stderr.splitlines())


def test_unreadable_kubeconfig_exits_2(cli: Cli, ours_dag: Path, tmp_path: Path) -> None:
    broken = tmp_path / "kubeconfig"
    broken.write_text("clusters: [\n")
    for config in ("/no/such/kubeconfig", str(broken)):
        result = cli("apply", ours_dag, "--kubeconfig", config)
        assert result.returncode == 2
        (error,) = _one_line_errors(result.stderr)
        assert "cannot load the Kubernetes configuration" in error
        assert len(result.stderr.splitlines()) == 1


def test_unreachable_cluster_exits_2_with_one_line(
    cli: Cli, ours_dag: Path, tmp_path: Path
) -> None:
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": "dead",
                "cluster": {"server": "https://127.0.0.1:1", "insecure-skip-tls-verify": True},
            }
        ],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": [{"name": "dead", "context": {"cluster": "dead", "user": "u"}}],
        "current-context": "dead",
    }
    kubeconfig = tmp_path / "dead.kubeconfig"
    kubeconfig.write_text(json.dumps(config))
    for extra in ((), ("--policy", str(POLICY))):  # policy from the cluster, or given
        result = cli("apply", ours_dag, "--kubeconfig", kubeconfig, *extra)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.splitlines() == _one_line_errors(result.stderr)
        assert len(result.stderr.splitlines()) == 1
        assert "cannot reach the Kubernetes API" in result.stderr


# -- against a real cluster ---------------------------------------------------------------
# `kubeconfig` is the fixture of tests/conftest.py: $KUBECONFIG, else the local cluster. With
# no cluster it fails loudly; only --skip-e2e leaves these tests out.


@pytest.fixture
def namespace(kubeconfig: Path) -> Iterator[str]:
    from kubernetes import client, config

    api = client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))
    name = f"kvo-apply-{uuid.uuid4().hex[:8]}"
    api.create_namespace({"metadata": {"name": name}})
    yield name
    api.delete_namespace(name)


@pytest.mark.e2e
def test_apply_creates_then_finds_everything(
    cli: Cli, kubeconfig: Path, namespace: str, ours_dag: Path, tmp_path: Path
) -> None:
    from kubernetes import client, config

    args = ("--policy", POLICY, "--namespace", namespace, "--kubeconfig", kubeconfig)
    first = cli("apply", ours_dag, *args)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines() == [
        f"created  PersistentVolumeClaim {namespace}/apply-data",
        f"created  PersistentVolumeClaim {namespace}/shared-data",
    ]
    second = cli("apply", ours_dag, *args)
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines() == [
        f"exists   PersistentVolumeClaim {namespace}/apply-data",
        f"exists   PersistentVolumeClaim {namespace}/shared-data",
    ]
    api = client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))
    claims = api.list_namespaced_persistent_volume_claim(namespace).items
    assert sorted(c.metadata.name for c in claims) == ["apply-data", "shared-data"]
    assert (
        api.list_namespaced_secret(namespace, label_selector="app.kubernetes.io/managed-by").items
        == []
    )
    shared = next(c for c in claims if c.metadata.name == "shared-data")
    assert shared.spec.resources.requests["storage"] == "2Gi"  # from policy.yaml


@pytest.mark.e2e
def test_apply_compose_and_missing_namespace(
    cli: Cli, kubeconfig: Path, namespace: str, compose_file: Path
) -> None:
    args = ("--policy", POLICY, "--kubeconfig", kubeconfig)
    result = cli("apply", compose_file, *args, "--namespace", namespace)
    assert result.returncode == 0, result.stderr
    assert all(line.startswith("created  ") for line in result.stdout.splitlines())
    assert f"PersistentVolumeClaim {namespace}/pgdata" in result.stdout
    missing = cli("apply", compose_file, *args, "--namespace", f"{namespace}-missing")
    assert missing.returncode == 2 and missing.stdout == ""
    (error,) = _one_line_errors(missing.stderr)
    assert "does not exist; nothing was created" in error
