"""Airflow 1.10's import path, gone since Airflow 2: this file no longer imports."""

from datetime import datetime

from airflow.operators.docker_operator import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="i04_legacy_path", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(task_id="legacy", image="alpine", command="echo legacy")
