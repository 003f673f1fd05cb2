"""Run the CLI the way users do: `python -m k8s_volume_ops ...` in a subprocess.

Each run gets its own AIRFLOW_HOME (a session temp dir) and none of the caller's
policy or cluster settings, so results depend on the arguments alone. Scanning
the 30-odd DAG files imports Airflow and takes a few seconds, so the scans that
several tests read are run once per module and cached.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "migration_dags"
POLICY = DATA / "policy.yaml"

Cli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One AIRFLOW_HOME for every CLI run of the session (Airflow writes its config there)."""
    return tmp_path_factory.mktemp("airflow-home")


@pytest.fixture(scope="session")
def cli(airflow_home: Path, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """`cli("scan", path, ...)`: the CompletedProcess of one CLI run (text, both streams)."""
    default_cwd = tmp_path_factory.mktemp("cwd")

    def run(
        *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        environ = {
            k: v
            for k, v in os.environ.items()
            if k not in ("K8S_VOLUME_OPS_POLICY", "KUBECONFIG", "K8S_VOLUME_OPS_DEBUG")
        }
        environ.update(AIRFLOW_HOME=str(airflow_home), **(env or {}))
        return subprocess.run(
            [sys.executable, "-m", "k8s_volume_ops", *map(str, args)],
            capture_output=True,
            text=True,
            cwd=cwd or default_cwd,
            env=environ,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture
def dags_copy(tmp_path: Path) -> Path:
    """A private copy of the migration DAG folder, hidden files included."""
    target = tmp_path / "dags"
    shutil.copytree(DATA, target)
    return target


@pytest.fixture(scope="module")
def migrated(cli: Cli, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The DAG folder after `migrate --write` (shared by the tests of one module)."""
    target = tmp_path_factory.mktemp("migrated") / "dags"
    shutil.copytree(DATA, target)
    result = cli("migrate", target, "--write")
    assert result.returncode == 0, result.stderr
    return target
