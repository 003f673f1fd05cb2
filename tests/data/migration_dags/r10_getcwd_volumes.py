"""R10 again, as first reported: `os.getcwd()` runs in the Airflow container."""

import os
from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="r10_getcwd_volumes", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="export",
        image="sqlplus_image",
        volumes=[os.getcwd() + "/out:/files"],
    )
