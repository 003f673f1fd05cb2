"""e2e: a non-zero exit fails with the code and the last lines; skip_on_exit_code skips."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from k8s_volume_ops import DockerOperator

NS = os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default")
IMAGE = os.environ.get("K8S_VOLUME_OPS_E2E_IMAGE", "busybox:1.36")

with DAG("e2e_exit_codes", start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), schedule=None):
    DockerOperator(
        task_id="fails",
        image=IMAGE,
        namespace=NS,
        retries=0,
        command=["sh", "-c", "echo first-line; echo 'the last words'; exit 3"],
    )
    DockerOperator(
        task_id="skips",
        image=IMAGE,
        namespace=NS,
        skip_on_exit_code=5,
        command=["sh", "-c", "echo skipping; exit 5"],
    )
    DockerOperator(
        task_id="skips_on_zero",
        image=IMAGE,
        namespace=NS,
        skip_on_exit_code=[0],
        command=["sh", "-c", "echo fine"],
    )
    DockerOperator(
        task_id="succeeds",
        image=IMAGE,
        namespace=NS,
        skip_on_exit_code=5,
        command=["sh", "-c", "echo ok"],
    )
