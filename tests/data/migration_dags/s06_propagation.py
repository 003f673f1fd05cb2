"""Supplementary: read-only and propagation options on binds (section 3.5)."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="s06_propagation", start_date=datetime(2024, 1, 1), schedule=None):
    read_only = DockerOperator(
        task_id="read_only",
        image="alpine",
        command="ls /in",
        mounts=[Mount(target="/in", source="/srv/data/in", type="bind", read_only=True)],
    )
    shared = DockerOperator(
        task_id="shared_propagation",
        image="alpine",
        command="mount",
        mounts=[Mount(target="/mnt", source="/srv/data/mnt", type="bind", propagation="rshared")],
    )
    read_only >> shared
