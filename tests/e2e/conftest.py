"""e2e fixtures: one Airflow home per session, a fresh namespace per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Airflow, core_api, new_namespace
from kubernetes import client


@pytest.fixture(scope="session")
def core(kubeconfig: Path) -> client.CoreV1Api:
    return core_api(kubeconfig)


@pytest.fixture(scope="session")
def airflow(kubeconfig: Path, tmp_path_factory: pytest.TempPathFactory) -> Airflow:
    return Airflow(tmp_path_factory.mktemp("airflow-home"), kubeconfig)


@pytest.fixture
def namespace(core: client.CoreV1Api, request: pytest.FixtureRequest) -> Iterator[str]:
    name = new_namespace(core, "e2e-" + request.node.name[5:25].replace("_", "-").strip("-"))
    yield name
    core.delete_namespace(name)
