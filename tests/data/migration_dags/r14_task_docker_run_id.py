"""R14 (apache/airflow PR #52451 / #70342): a per-run mount target under `@task.docker`.

The rendered run id (`manual__2025-01-01T00:00:00+00:00`) holds `:`, which Docker
accepts in a target and Kubernetes forbids in a mountPath.
"""

from datetime import datetime

from airflow.sdk import dag, task
from docker.types import Mount


@dag(start_date=datetime(2024, 1, 1), schedule=None, catchup=False)
def r14_task_docker_run_id():
    @task.docker(
        image="worker",
        mounts=[Mount(source="workspace", target="/{{ task_instance.run_id }}")],
    )
    def step():
        import os

        return sorted(os.listdir("/"))

    step()


r14_task_docker_run_id()
