"""`@task.docker` reading a host directory through a read-only bind mount."""

from datetime import datetime

from airflow.sdk import dag, task
from docker.types import Mount


@dag(start_date=datetime(2024, 1, 1), schedule=None, catchup=False)
def t02_taskflow_bind():
    @task.docker(
        image="python:3.11-slim",
        mounts=[Mount(source="/srv/data/in", target="/in", type="bind", read_only=True)],
        auto_remove="success",
    )
    def count_files():
        import os

        return len(os.listdir("/in"))

    count_files()


t02_taskflow_bind()
