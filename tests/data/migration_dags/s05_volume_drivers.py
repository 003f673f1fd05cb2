"""Supplementary: volume drivers; NFS through the local driver, and a plugin driver."""

from datetime import datetime

from airflow.providers.docker.operators.docker import DockerOperator
from airflow.sdk import DAG
from docker.types import DriverConfig, Mount

NFS = DriverConfig(
    "local",
    {"type": "nfs", "o": "addr=10.0.0.5,rw,nfsvers=4", "device": ":/exports/reports"},
)

with DAG(dag_id="s05_volume_drivers", start_date=datetime(2024, 1, 1), schedule=None):
    reports = DockerOperator(
        task_id="reports",
        image="reporter:2",
        mounts=[Mount(target="/reports", source="reports", driver_config=NFS)],
    )
    ebs = DockerOperator(
        task_id="ebs",
        image="reporter:2",
        mounts=[
            Mount(target="/data", source="ebs-data", driver_config=DriverConfig("rexray/ebs")),
        ],
    )
    reports >> ebs
