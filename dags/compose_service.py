"""The seed article's "run compose from a task", done the Kubernetes way.

Each task runs one service of `compose/docker-compose.yml`, as
`docker compose run SERVICE` did: image, command, environment, volumes and configs
come from the file. The `reports` volume both services use becomes one claim
(ReadWriteMany, because two services share it), created by the first task and kept;
the config file becomes a ConfigMap. `command` and `environment` may override the
service's own, as `docker compose run` allows.
"""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG

from k8s_volume_ops import ComposeServiceOperator

NAMESPACE = os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default")

with DAG(
    "compose_service",
    start_date=pendulum.datetime(2025, 1, 1, tz="UTC"),
    schedule=None,
    catchup=False,
    tags=["k8s-volume-ops", "example"],
) as dag:
    produce = ComposeServiceOperator(
        task_id="produce",
        compose_file="compose/docker-compose.yml",
        service="produce",
        environment={"RUN_LABEL": "{{ ds }}"},
        namespace=NAMESPACE,
    )
    consume = ComposeServiceOperator(
        task_id="consume",
        compose_file="compose/docker-compose.yml",
        service="consume",
        namespace=NAMESPACE,
    )
    produce >> consume
