"""R6 (apache/airflow#15815): `volumes=` was removed in provider 2.0.0 with no shim.

On Airflow 3 + provider 4.6.1 the constructor raises `TypeError: Invalid
arguments were passed to DockerOperator` while the DAG file is parsed.
"""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="r06_volumes_removed", start_date=datetime(2024, 1, 1), schedule=None):
    read_data = DockerOperator(
        task_id="t",
        image="alpine",
        command=["ls", "/data"],
        volumes=["/data:/data:ro"],
    )

    warm_cache = DockerOperator(
        task_id="warm_cache",
        image="python:3.11-slim",
        command=["pip", "download", "-d", "/root/.cache/pip", "requests"],
        volumes=["pip-cache:/root/.cache/pip"],
    )

    read_data >> warm_cache
