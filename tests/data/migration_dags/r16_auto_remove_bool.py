"""R16 (apache/airflow#13532): boolean `auto_remove` from the provider 1.x days.

Provider 4.0.0 made `auto_remove=True` a ValueError at construction, so this file
no longer imports; k8s-volume-ops reads True as "success" (delete the pod).
"""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="r16_auto_remove_bool", start_date=datetime(2024, 1, 1), schedule=None):
    DockerOperator(
        task_id="t",
        image="alpine",
        command="sh -c 'exit 1'",
        auto_remove=True,
    )
