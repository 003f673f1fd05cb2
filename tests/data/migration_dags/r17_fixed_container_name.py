"""R17 (apache/airflow#56149): a fixed container name and `auto_remove="force"`."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="r17_fixed_container_name", start_date=datetime(2024, 1, 1), schedule=None):
    long = DockerOperator(
        task_id="long",
        image="alpine:latest",
        command=["sleep", "300"],
        container_name="fixed-name",
        auto_remove="force",
    )

    # Docker allows `_` and upper case in names; a pod name does not.
    nightly = DockerOperator(
        task_id="nightly",
        image="alpine:latest",
        command=["sh", "-c", "echo nightly"],
        container_name="Nightly_ETL",
        auto_remove="success",
    )

    long >> nightly
