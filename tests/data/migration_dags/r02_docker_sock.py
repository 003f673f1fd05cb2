"""R2 (apache/airflow#16803): Airflow in docker-compose with the host's docker.sock.

`sleep` only needs the socket on the worker, which Kubernetes replaces with the
API; `docker_cli` also hands the socket to the task container (docker-in-docker),
which has no equivalent on a cluster.
"""

from datetime import datetime

from airflow import DAG
from airflow.providers.docker.operators.docker import DockerOperator
from docker.types import Mount

default_args = {"retries": 1}

with DAG(
    "r02_docker_sock",
    default_args=default_args,
    start_date=datetime(2024, 1, 1),
    schedule="@daily",
    catchup=False,
) as dag:
    sleep = DockerOperator(
        task_id="sleep",
        image="alpine",
        command="sleep 5",
        docker_url="unix://var/run/docker.sock",
        network_mode="bridge",
    )

    docker_cli = DockerOperator(
        task_id="docker_cli",
        image="docker:27-cli",
        command="docker ps",
        mounts=[
            Mount(source="/var/run/docker.sock", target="/var/run/docker.sock", type="bind"),
        ],
    )

    sleep >> docker_cli
