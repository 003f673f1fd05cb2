"""The provider module used for more than the operator: its other names stay stock."""

from datetime import datetime

import airflow.providers.docker.operators.docker as dock
from airflow.sdk import DAG

with DAG(dag_id="i05_module_mixed_use", start_date=datetime(2024, 1, 1), schedule=None):
    dock.DockerOperator(
        task_id="mixed",
        image="alpine",
        command=["echo", dock.stringify(b"mixed")],
        mounts=[dock.Mount(target="/work", source="mixed-work")],
    )
