"""`DockerOperator` imported together with other names of the provider module."""

from datetime import datetime

from airflow.providers.docker.operators.docker import (  # provider names
    DockerOperator,  # the operator
    Mount,
    stringify,
)
from airflow.sdk import DAG

LABEL = stringify(b"nightly")

with DAG(dag_id="i02_combined_import", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="nightly",
        image="alpine",
        command=["echo", LABEL],
        mounts=[Mount(target="/cache", source="nightly-cache")],
    )
