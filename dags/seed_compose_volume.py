"""The seed article's second strategy: a named volume declared in docker-compose.

The compose file declared `volumes: {my_named_volume: {}}` and the service mounted
it at /app/data. On Kubernetes the declaration is the storage policy: here the
claim's size and access mode are set per volume, as a compose file's top-level
volume (or a Kompose label) would have set them.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG
from docker.types import Mount

from k8s_volume_ops import DockerOperator

POLICY = {
    "claims": {
        "overrides": {"my_named_volume": {"size": "2Gi", "accessModes": ["ReadWriteOnce"]}},
    },
}

with DAG(
    "seed_compose_volume",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    schedule=None,
    catchup=False,
    tags=["k8s-volume-ops", "example"],
):
    DockerOperator(
        task_id="my_service",
        image="busybox:1.36",
        namespace=os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default"),
        command="sh -c 'ls -la /app/data'",
        mounts=[Mount(source="my_named_volume", target="/app/data", type="volume")],
        storage_policy=POLICY,
    )
