"""R4 (apache/airflow#12537): provider 1.x `volumes=` pointing into the Airflow container.

The stock operator lost `volumes=` in provider 2.0.0, so this file no longer
imports; k8s-volume-ops' DockerOperator reads the `-v` strings again.
"""

from datetime import datetime, timedelta

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(
    dag_id="r04_pipeline_volumes",
    start_date=datetime(2024, 1, 1),
    schedule=timedelta(hours=6),
    catchup=False,
):
    DockerOperator(
        task_id="run",
        image="pipeline:latest",
        volumes=["/opt/airflow/pipelines/book/:/book/:rw"],
        command=["python", "/book/exec.py"],
        docker_url="unix://var/run/docker.sock",
        auto_remove="success",
    )
