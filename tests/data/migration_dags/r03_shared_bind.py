"""R3 (apache/airflow#16752): a bind mount of a host directory, 400 at create."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r03_shared_bind", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="test",
        image="debian:sid-slim",
        command="hostname",
        mounts=[Mount("/shared", "/shared", type="bind")],
    )
