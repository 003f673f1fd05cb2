"""R8 (docker/for-win#12268): a git checkout on the Windows host, run from a bind mount."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG
from docker.types import Mount

with DAG(dag_id="r08_repo_checkout", start_date=datetime(2024, 1, 1), schedule=None):
    pull = BashOperator(
        task_id="pull_repo",
        bash_command="git -C /opt/airflow/repos/job pull --ff-only",
    )
    run_repo = DockerOperator(
        task_id="run_repo",
        image="python:3.11",
        command="python /repo/job.py",
        mounts=[Mount(target="/repo", source="/c/airflow/repos/job", type="bind")],
    )
    pull >> run_repo
