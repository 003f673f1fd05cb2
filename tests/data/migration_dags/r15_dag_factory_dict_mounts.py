"""R15 (astronomer/dag-factory#185): mounts written as dicts, as YAML can express them."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

# What dag-factory builds from its YAML: plain dicts of Mount keyword arguments.
TASKS = {
    "docker_task": {
        "image": "app",
        "mounts": [
            {
                "source": "/srv/dags",
                "target": "/opt/airflow/dags",
                "type": "bind",
                "read_only": False,
            }
        ],
    },
    "cache_task": {
        "image": "app",
        "mounts": [{"source": "app-cache", "target": "/var/cache/app"}],
    },
}

with DAG(dag_id="r15_dag_factory_dict_mounts", start_date=datetime(2024, 1, 1), schedule=None):
    for task_id, kwargs in TASKS.items():
        DockerOperator(task_id=task_id, **kwargs)
