"""Test-suite wiring: the `e2e` marker and the cluster the e2e tests run against.

Tests under tests/e2e (and any marked `e2e`) need a Kubernetes cluster: the one
`$KUBECONFIG` reaches, otherwise the local cluster (real kube-apiserver, etcd,
controller-manager and scheduler, plus our node agent), started once and stopped
at the end of the session if the session started it. `--skip-e2e` leaves them out.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "cluster"))

from localcluster import DEFAULT_DIR, LocalCluster  # noqa: E402

_STARTED_HERE: dict[str, bool] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--skip-e2e", action="store_true", help="leave out tests that need a cluster")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if (ROOT / "e2e") in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
    if config.getoption("--skip-e2e"):
        skip = pytest.mark.skip(reason="--skip-e2e")
        for item in items:
            if "e2e" in item.keywords:
                item.add_marker(skip)


def pytest_sessionstart(session: pytest.Session) -> None:
    _STARTED_HERE["was_running"] = LocalCluster(DEFAULT_DIR).healthy()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Stop the local cluster if this session started it (whichever fixture did)."""
    cluster = LocalCluster(DEFAULT_DIR)
    if not _STARTED_HERE.get("was_running") and cluster.healthy():
        cluster.stop()


@pytest.fixture(scope="session")
def kubeconfig() -> Path:
    """`$KUBECONFIG` when set, else the local cluster (started or reused)."""
    configured = os.environ.get("KUBECONFIG")
    if configured:
        return Path(configured)
    return LocalCluster(DEFAULT_DIR).start()
