"""The seed article's first strategy: a Docker named volume instead of a host path.

Written for the stock DockerOperator with `volumes=["my_docker_volume:/app/data"]`
(removed in provider 2.0). Here the same argument works: the volume becomes the
claim `my-docker-volume`, created if missing and never deleted.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from k8s_volume_ops import DockerOperator

with DAG(
    "seed_named_volume",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    schedule=None,
    catchup=False,
    tags=["k8s-volume-ops", "example"],
):
    DockerOperator(
        task_id="docker_task_volume",
        image="busybox:1.36",
        namespace=os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default"),
        command=["sh", "-c", "date >> /app/data/runs.log && wc -l /app/data/runs.log"],
        volumes=["my_docker_volume:/app/data"],
        auto_remove="success",
    )
