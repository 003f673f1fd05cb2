"""R10 (puckel/docker-airflow#378): relative bind sources never worked through the API."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r10_relative_bind", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="export",
        image="sqlplus_image",
        command="sqlplus -s user/pass@db @/files/export.sql",
        mounts=[Mount(target="/files", source="./out", type="bind")],
    )
