"""A DAG without Docker tasks: scan lists nothing for it."""

from datetime import datetime

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

with DAG(dag_id="n01_no_docker", start_date=datetime(2024, 1, 1), schedule=None):
    BashOperator(task_id="echo", bash_command="echo no docker here")
