"""The example DAG under the chart's Role alone: real RBAC decides.

The chart is installed with `helm install`; the worker's ServiceAccount is bound to
nothing else, and the operator authenticates with a token from the TokenRequest
API, as an Airflow worker pod would. The producer/consumer DAG succeeds in the
release namespace and is denied in another.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from e2e_support import EXAMPLE_DAGS, REPO, Airflow, new_namespace
from kubernetes import client, config

CACHE = Path(os.environ.get("K8S_VOLUME_OPS_CACHE", Path.home() / ".cache" / "k8s-volume-ops"))
HELM = Path(os.environ.get("HELM", CACHE / "bin" / "helm"))
WORKER = "airflow-worker"


def token_kubeconfig(admin_kubeconfig: Path, token: str, path: Path) -> Path:
    """A kubeconfig whose only credential is `token` (no client certificate)."""
    admin = yaml.safe_load(admin_kubeconfig.read_text())
    cluster = admin["clusters"][0]["cluster"]
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "current-context": "worker",
                "clusters": [{"name": "c", "cluster": cluster}],
                "users": [{"name": WORKER, "user": {"token": token}}],
                "contexts": [{"name": "worker", "context": {"cluster": "c", "user": WORKER}}],
            }
        )
    )
    return path


@pytest.fixture
def worker_release(
    kubeconfig: Path, core: client.CoreV1Api, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    if not HELM.exists():
        pytest.fail(f"helm not built at {HELM}: run make tools")
    namespace, other = new_namespace(core, "e2e-rbac"), new_namespace(core, "e2e-rbac-other")
    core.create_namespaced_service_account(namespace, {"metadata": {"name": WORKER}})
    helm = [str(HELM), "--kubeconfig", str(kubeconfig), "--namespace", namespace]
    subprocess.run(
        [*helm, "install", "k8s-volume-ops", str(REPO / "charts" / "k8s-volume-ops")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    token = core.create_namespaced_service_account_token(
        WORKER, namespace, {"spec": {"expirationSeconds": 3600}}
    ).status.token
    try:
        yield {
            "namespace": namespace,
            "other": other,
            "kubeconfig": token_kubeconfig(kubeconfig, token, tmp_path / "worker.kubeconfig"),
        }
    finally:
        subprocess.run([*helm, "uninstall", "k8s-volume-ops"], capture_output=True, timeout=120)
        for name in (namespace, other):
            core.delete_namespace(name)


def test_dag_runs_with_only_the_charts_role(
    airflow: Airflow, worker_release: dict[str, Any]
) -> None:
    worker = str(worker_release["kubeconfig"])
    run = airflow.test_dag(
        "producer_consumer", worker_release["namespace"], dags=EXAMPLE_DAGS, KUBECONFIG=worker
    )
    assert run.returncode == 0, run.log[-3000:]
    assert run.xcom[("consume", "return_value")] == "hello from produce"

    denied = airflow.test_dag(
        "producer_consumer", worker_release["other"], dags=EXAMPLE_DAGS, KUBECONFIG=worker
    )
    assert denied.returncode != 0
    assert denied.states["produce"] == "failed"
    assert "403" in denied.log and "forbidden" in denied.log.lower()
    worker_core = client.CoreV1Api(config.new_client_from_config(config_file=worker))
    assert worker_core.list_namespaced_persistent_volume_claim(worker_release["namespace"]).items
