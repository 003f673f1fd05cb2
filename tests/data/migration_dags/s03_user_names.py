"""Supplementary: `user=` by name is resolved inside the image; pods need numbers."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="s03_user_names", start_date=datetime(2024, 1, 1), schedule=None):
    as_name = DockerOperator(task_id="as_nobody", image="alpine", command="id", user="nobody")
    as_uid = DockerOperator(task_id="as_uid", image="alpine", command="id", user="1000:1000")
    as_name >> as_uid
