"""The provider module imported under an alias, the operator used as an attribute."""

from datetime import datetime

import airflow.providers.docker.operators.docker as docker_op
from airflow.sdk import DAG

with DAG(dag_id="i03_module_alias", start_date=datetime(2024, 1, 1), schedule=None):
    docker_op.DockerOperator(
        task_id="build_index",
        image="indexer:3",
        command="index --all",
    )
