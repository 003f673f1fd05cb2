"""What the e2e tests share: namespaces, `airflow dags test` runs, reading claims.

Everything here talks to a real cluster (the local one or kind) and runs the real
Airflow CLI; results are read back from Airflow's own metadata database.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

REPO = Path(__file__).resolve().parents[1]
E2E_DAGS = REPO / "tests" / "e2e" / "dags"
EXAMPLE_DAGS = REPO / "dags"
BUSYBOX = os.environ.get("K8S_VOLUME_OPS_E2E_IMAGE", "busybox:1.36")


def core_api(kubeconfig: Path) -> client.CoreV1Api:
    """A client for the cluster in `kubeconfig` (a fresh ApiClient each time)."""
    return client.CoreV1Api(config.new_client_from_config(config_file=str(kubeconfig)))


def new_namespace(core: client.CoreV1Api, prefix: str, labels: dict[str, str] | None = None) -> str:
    """A fresh namespace with a random suffix, so reruns never collide."""
    name = f"{prefix}-{uuid.uuid4().hex[:6]}"
    core.create_namespace({"metadata": {"name": name, "labels": labels or {}}})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the ServiceAccount controller makes `default`
        try:
            core.read_namespaced_service_account("default", name)
            return name
        except ApiException:
            time.sleep(0.3)
    raise TimeoutError(f"no default ServiceAccount in {name}")


@dataclass
class DagRun:
    """The outcome of one `airflow dags test`."""

    returncode: int
    log: str
    states: dict[str, str]
    xcom: dict[tuple[str, str], Any]


class Airflow:
    """An Airflow home with a migrated database; runs DAGs with `airflow dags test`."""

    def __init__(self, home: Path, kubeconfig: Path) -> None:
        self.home, self.kubeconfig = home, kubeconfig
        self.cli = str(Path(sys.executable).with_name("airflow"))
        subprocess.run(
            [self.cli, "db", "migrate"],
            env=self.env(EXAMPLE_DAGS, "default"),
            check=True,
            capture_output=True,
            timeout=300,
        )

    def env(self, dags: Path, namespace: str, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "AIRFLOW_HOME": str(self.home),
            "KUBECONFIG": str(self.kubeconfig),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "K8S_VOLUME_OPS_NAMESPACE": namespace,
            "K8S_VOLUME_OPS_E2E_IMAGE": BUSYBOX,
            **extra,
        }

    def test_dag(self, dag_id: str, namespace: str, dags: Path = E2E_DAGS, **extra: str) -> DagRun:
        proc = subprocess.run(
            [self.cli, "dags", "test", dag_id],
            env=self.env(dags, namespace, **extra),
            capture_output=True,
            text=True,
            timeout=600,
        )
        states, xcom = self._results(dag_id)
        return DagRun(proc.returncode, proc.stdout + proc.stderr, states, xcom)

    def _results(self, dag_id: str) -> tuple[dict[str, str], dict[tuple[str, str], Any]]:
        """Task states and XComs of the DAG's latest run, from the metadata database."""
        with sqlite3.connect(self.home / "airflow.db") as db:
            (run_id,) = db.execute(
                "SELECT run_id FROM dag_run WHERE dag_id=? ORDER BY id DESC LIMIT 1", (dag_id,)
            ).fetchone()
            states = dict(
                db.execute(
                    "SELECT task_id, state FROM task_instance WHERE dag_id=? AND run_id=?",
                    (dag_id, run_id),
                ).fetchall()
            )
            rows = db.execute(
                "SELECT task_id, key, value FROM xcom WHERE dag_id=? AND run_id=?", (dag_id, run_id)
            ).fetchall()
        return states, {(task, key): _decode(value) for task, key, value in rows}


def _decode(value: Any) -> Any:
    if isinstance(value, bytes):
        value = value.decode()
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        return value


def run_pod(
    core: client.CoreV1Api,
    namespace: str,
    name: str,
    script: str,
    volumes: list[dict[str, Any]] | None = None,
    mounts: list[dict[str, Any]] | None = None,
    timeout: float = 120,
) -> tuple[str, str]:
    """Run a one-off busybox pod to completion; return (phase, log)."""
    pod = {
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "volumes": volumes or [],
            "containers": [
                {
                    "name": "check",
                    "image": BUSYBOX,
                    "command": ["sh", "-c", script],
                    "volumeMounts": mounts or [],
                }
            ],
        },
    }
    core.create_namespaced_pod(namespace, pod)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        phase = core.read_namespaced_pod(name, namespace).status.phase
        if phase in ("Succeeded", "Failed"):
            log = core.read_namespaced_pod_log(
                name, namespace, container="check", _preload_content=False
            ).data.decode()
            core.delete_namespaced_pod(name, namespace, grace_period_seconds=0)
            return phase, log
        time.sleep(0.5)
    raise TimeoutError(f"pod {namespace}/{name} did not finish")


def read_claim(core: client.CoreV1Api, namespace: str, claim: str, path: str) -> str:
    """A file's content on a claim, read by a separate pod (works on any cluster)."""
    phase, log = run_pod(
        core,
        namespace,
        f"read-{uuid.uuid4().hex[:6]}",
        f"cat /claim/{path}",
        volumes=[{"name": "c", "persistentVolumeClaim": {"claimName": claim}}],
        mounts=[{"name": "c", "mountPath": "/claim", "readOnly": True}],
    )
    assert phase == "Succeeded", log
    return log
