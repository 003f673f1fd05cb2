"""e2e: private_environment reaches the container and nothing else."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from k8s_volume_ops import DockerOperator

NS = os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default")
IMAGE = os.environ.get("K8S_VOLUME_OPS_E2E_IMAGE", "busybox:1.36")
SECRET = os.environ.get("E2E_PRIVATE_VALUE", "not-set")

with DAG("e2e_private_env", start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), schedule=None):
    DockerOperator(
        task_id="uses_secret",
        image=IMAGE,
        namespace=NS,
        auto_remove="never",
        environment={"PUBLIC": "visible"},
        private_environment={"TOKEN": SECRET},
        # prints a digest, never the value: the test compares it with the value's digest
        command=["sh", "-c", 'test "$PUBLIC" = visible && printf %s "$TOKEN" | sha256sum'],
    )
