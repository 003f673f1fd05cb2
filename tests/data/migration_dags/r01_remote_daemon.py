"""R1 (apache/airflow#16806): a worker talking to a Docker daemon on another machine.

Provider 2.0.0 bind-mounted the worker's temp dir, which the remote daemon could
not find; on Kubernetes the temp dir is an emptyDir and `docker_url` is ignored.
"""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(
    dag_id="r01_remote_daemon",
    start_date=datetime(2024, 1, 1),
    schedule=None,
    catchup=False,
    tags=["docker", "remote"],
):
    run = DockerOperator(
        task_id="run",
        image="ubuntu:latest",
        command="echo hello from the remote daemon",
        docker_url="tcp://10.0.0.50:2375",
    )

    # The maintainers' workaround for #16806, still found in many DAGs.
    run_no_tmp = DockerOperator(
        task_id="run_no_tmp",
        image="ubuntu:latest",
        command="ls -la /tmp",
        docker_url="tcp://10.0.0.50:2375",
        mount_tmp_dir=False,
    )

    run >> run_no_tmp
