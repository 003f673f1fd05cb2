"""Import with an alias, as some teams do to tell operators apart."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator as DockerOp
from airflow.sdk import DAG

with DAG(dag_id="i01_alias_import", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOp(task_id="hello", image="alpine", command="echo hello")  # the smallest task
