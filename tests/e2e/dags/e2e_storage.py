"""e2e: a read-only mount refuses writes; a subPath mount sees only its subdirectory."""

from __future__ import annotations

import os

import pendulum
from airflow.sdk import DAG
from docker.types import Mount

from k8s_volume_ops import DockerOperator

NS = os.environ.get("K8S_VOLUME_OPS_NAMESPACE", "default")
IMAGE = os.environ.get("K8S_VOLUME_OPS_E2E_IMAGE", "busybox:1.36")

with DAG("e2e_storage", start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), schedule=None):
    seed = DockerOperator(
        task_id="seed",
        image=IMAGE,
        namespace=NS,
        command=[
            "sh",
            "-c",
            "mkdir -p /data/sub /data/other && echo a > /data/sub/a.txt && "
            "echo b > /data/other/b.txt && echo seeded",
        ],
        mounts=[Mount(target="/data", source="e2e_store")],
    )
    read_only = DockerOperator(
        task_id="read_only",
        image=IMAGE,
        namespace=NS,
        command=[
            "sh",
            "-c",
            "if touch /data/new 2>/dev/null; then echo WRITABLE; exit 1; "
            "else echo write-refused; fi",
        ],
        mounts=[Mount(target="/data", source="e2e_store", read_only=True)],
    )
    sub_path = DockerOperator(
        task_id="sub_path",
        image=IMAGE,
        namespace=NS,
        xcom_all=True,
        command=["sh", "-c", "ls /sub"],
        mounts=[Mount(target="/sub", source="e2e_store", subpath="sub")],
    )
    seed >> [read_only, sub_path]
