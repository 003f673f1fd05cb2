"""Supplementary: compose prefixes volume names, so `data` is not `myproject_data`.

Named volumes become claims; both names translate, to two different claims.
"""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="s01_compose_prefixed_volume", start_date=datetime(2024, 1, 1), schedule=None):
    produce = DockerOperator(
        task_id="produce",
        image="busybox:1.36",
        command=["sh", "-c", "date > /data/stamp"],
        mounts=[Mount(target="/data", source="myproject_data")],
    )
    consume = DockerOperator(
        task_id="consume",
        image="busybox:1.36",
        command=["cat", "/data/stamp"],
        mounts=[Mount(target="/data", source="data", read_only=True)],
    )
    produce >> consume
