"""R7 (apache/airflow#30554): a Windows drive shared into WSL2, bind-mounted as root."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r07_wsl_share", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="ls",
        image="alpine",
        command="ls /tmp/scripts",
        mounts=[Mount(target="/tmp/scripts", source="/mnt/c/data/scripts", type="bind")],
    )
