"""Supplementary: tmpfs scratch space and a bigger /dev/shm (section 3.5)."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="s02_tmpfs_scratch", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="sort_big_file",
        image="python:3.11-slim",
        command=["python", "-c", "print('sorted')"],
        mounts=[Mount("/scratch", None, "tmpfs", tmpfs_size="64m", tmpfs_mode=0o1777)],
        shm_size=268435456,
        mem_limit="1g",
        cpus=0.5,
    )
