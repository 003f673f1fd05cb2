"""R5 (apache/airflow#9047): an X11 socket directory shared with a GUI container."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r05_x11_display", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="gui",
        image="app",
        environment={"DISPLAY": ":0"},
        mounts=[Mount(target="/tmp/.X11-unix", source="/tmp/.X11-unix", type="bind")],
    )
