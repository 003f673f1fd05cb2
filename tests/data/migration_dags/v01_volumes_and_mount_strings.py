"""Provider 1.x `volumes=` next to `-v` strings put into `mounts=` by hand.

The stock operator refuses both (TypeError at parse time for `volumes=`, at
execute() for strings in `mounts=`); k8s-volume-ops reads both with the `-v` rules.
"""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG

with DAG(dag_id="v01_volumes_and_mount_strings", start_date=datetime(2024, 1, 1), schedule=None):
    train = DockerOperator(
        task_id="train",
        image="trainer:5",
        volumes=["model-cache:/root/.cache", "/srv/data/raw:/raw:ro"],
        mounts=["/srv/data/out:/out"],
    )
    evaluate = DockerOperator(
        task_id="evaluate",
        image="trainer:5",
        command="evaluate --model /root/.cache/model.bin",
        volumes=["model-cache:/root/.cache:ro"],
    )
    train >> evaluate
