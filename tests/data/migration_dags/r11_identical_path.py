"""R11 (tomaszdudek7/airflow_project#6): the worker mounts /srv/my-data at the same path."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

MY_DATA = Mount(target="/srv/my-data", source="/srv/my-data", type="bind")

with DAG(dag_id="r11_identical_path", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="t",
        image="etl",
        command=["etl", "--input", "/srv/my-data/in", "--output", "/srv/my-data/out"],
        mounts=[MY_DATA],
        user="1000:1000",
    )
